//! The quorum store's one message enum.

use super::version::{Version, Versioned};

/// A replica's answer to a `Store` (see [`super::coordinator`] for what a
/// coordinator counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ack {
    /// It holds exactly the version it was sent (stored now or before).
    Stored(Version),
    /// It already held this newer item and kept it.
    Newer(Versioned),
}

impl Ack {
    /// The version the replica holds after the store.
    pub fn held(&self) -> Version {
        match self {
            Ack::Stored(v) => *v,
            Ack::Newer(item) => item.version,
        }
    }
}

/// Messages between coordinators and replicas, and between replicas for
/// anti-entropy. `tag` names the coordinator's request (echoed back).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Coordinator → replica: what do you hold for `key`? Answered by `Current`.
    Query {
        /// The request.
        tag: u64,
        /// The key.
        key: u32,
    },
    /// Replica → coordinator: the answer to `Query`; `item` is `None` when absent.
    Current {
        /// The request.
        tag: u64,
        /// The key.
        key: u32,
        /// What the replica holds.
        item: Option<Versioned>,
    },
    /// Coordinator → replica: store `item` unless you hold a newer version
    /// (a write, a read repair, or a re-sent hint). Answered by `Stored`.
    Store {
        /// The request (or the hint tag).
        tag: u64,
        /// The key.
        key: u32,
        /// The version and value to store.
        item: Versioned,
        /// True for a read repair.
        repair: bool,
    },
    /// Replica → coordinator: after a `Store`, what the replica durably
    /// holds: exactly the version it was sent, or a newer item it kept.
    Stored {
        /// The request (or the hint tag).
        tag: u64,
        /// The key.
        key: u32,
        /// The answer.
        ack: Ack,
    },
    /// Replica → replica (anti-entropy): my versions of the keys we share.
    /// Answered by `Sync`.
    Digest {
        /// (key, version) of every shared key the sender holds.
        entries: Vec<(u32, Version)>,
    },
    /// Replica → replica: answer to `Digest`: the items where I am newer,
    /// and the keys where you are. Answered by `Push` when `want` is not empty.
    Sync {
        /// Items newer than (or missing from) the digest.
        items: Vec<(u32, Versioned)>,
        /// Keys the digest had newer versions of.
        want: Vec<u32>,
    },
    /// Replica → replica: the items a `Sync` asked for. Not answered.
    Push {
        /// The items.
        items: Vec<(u32, Versioned)>,
    },
}
