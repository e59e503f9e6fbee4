//! Versions: per-key logical timestamps with a node tie-break.
//!
//! A version is `(ts, node, boot)`, compared in that order. A coordinator
//! picks `ts` one above the highest it learnt from a read quorum (and above
//! any it issued itself for the key), so a write that starts after another
//! finished gets a higher version; `node` breaks ties between concurrent
//! coordinators and `boot` (the node's restart count) between a node's
//! lives, so two different values never share a version: the replica
//! asserts it, and a coordinator counts an acknowledgement only for its
//! own version or a newer one ([`super::msg::Ack`]). The `tied-versions`
//! variant drops `node` and `boot` (the bare "newest seen + 1" counter of
//! last-write-wins stores with non-unique timestamps).

use serde::{Deserialize, Serialize};

/// A version of one key's value.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct Version {
    /// Logical timestamp (or, in `lww-wall-clock`, the coordinator's clock in µs).
    pub ts: u64,
    /// The coordinator that issued it.
    pub node: u32,
    /// The coordinator's boot count when it issued it.
    pub boot: u32,
}

/// A value with its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Versioned {
    /// The version.
    pub version: Version,
    /// The value (every write in a run writes a distinct one).
    pub value: u64,
}

/// The version of an optional item; absent sorts below every version.
pub fn version_of(item: Option<&Versioned>) -> Option<Version> {
    item.map(|i| i.version)
}

/// The newest of `items` (absent ones count as oldest).
pub fn newest<'a>(items: impl Iterator<Item = Option<&'a Versioned>>) -> Option<Versioned> {
    items.flatten().max_by_key(|i| i.version).copied()
}
