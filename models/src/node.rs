//! The sans-I/O node interface.
//!
//! A node only reacts: to its start, a message, a timer or a client request.
//! Each reaction is handed a [`Ctx`] with the node's own clock (`now_us`,
//! possibly skewed), a seeded RNG and an output buffer of [`Command`]s; the
//! engine carries the commands out after the handler returns. A crash drops
//! the node value; a restart builds it again from its [`Storage`] alone.

use crate::history::{Event, RawEvent};
use crate::storage::Storage;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde_json::Value;
use std::fmt::Debug;
use std::hash::Hash;

/// Index of a node in the cluster, as listed by `Model::nodes`.
pub type NodeId = usize;
/// A timer's name, chosen by the node; setting it again re-arms it.
pub type TimerId = u64;
/// Identifies one client request, to be echoed in the reply.
pub type RequestId = u64;

/// How a client request ended, as the node saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Outcome {
    /// The operation took effect.
    Ok,
    /// The operation certainly did not take effect.
    Fail,
    /// The node cannot tell whether it took effect (Jepsen's `:info`).
    Unknown,
}

/// What a handler asks the engine to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command<M, E = RawEvent> {
    /// Send `msg` to node `to` over the simulated network.
    Send { to: NodeId, msg: M },
    /// Fire `timer` after `after_us` of this node's clock; re-arms if set.
    SetTimer { timer: TimerId, after_us: u64 },
    /// Disarm `timer` if it is set.
    CancelTimer { timer: TimerId },
    /// Write `value` under `key` in durable storage.
    Persist {
        key: String,
        value: crate::storage::Encoded,
        sync: bool,
    },
    /// Remove `key` from durable storage (a write: see [`Ctx::forget`]).
    Forget {
        /// The key.
        key: String,
        /// Fsynced (else cached: a crash may bring the key back).
        sync: bool,
    },
    /// Answer client request `req`.
    Reply {
        req: RequestId,
        outcome: Outcome,
        value: Value,
    },
    /// Record a protocol event in the history for checkers and metrics.
    Event(E),
    /// Announce the node's role (e.g. "leader"), used to aim faults.
    Role { role: &'static str },
}

/// Everything a handler may see and do; `E` is the protocol's event type.
pub struct Ctx<'a, M, E = RawEvent> {
    /// This node.
    pub id: NodeId,
    /// Number of nodes in the cluster.
    pub cluster_size: usize,
    /// This node's clock in microseconds (skew and drift applied).
    pub now_us: u64,
    /// This node's RNG, derived from the run seed.
    pub rng: &'a mut ChaCha8Rng,
    /// The node's durable storage as of the start of this handler.
    pub storage: &'a Storage,
    out: &'a mut Vec<Command<M, E>>,
}

impl<'a, M, E: Event> Ctx<'a, M, E> {
    /// Builds a context; used by the engine and by unit tests of nodes.
    pub fn new(
        id: NodeId,
        cluster_size: usize,
        now_us: u64,
        rng: &'a mut ChaCha8Rng,
        storage: &'a Storage,
        out: &'a mut Vec<Command<M, E>>,
    ) -> Self {
        Ctx {
            id,
            cluster_size,
            now_us,
            rng,
            storage,
            out,
        }
    }

    /// Sends `msg` to `to`.
    pub fn send(&mut self, to: NodeId, msg: M) {
        assert!(to < self.cluster_size, "send to unknown node {to}");
        self.out.push(Command::Send { to, msg });
    }

    /// Arms `timer` to fire after `after_us`.
    pub fn set_timer(&mut self, timer: TimerId, after_us: u64) {
        self.out.push(Command::SetTimer { timer, after_us });
    }

    /// Disarms `timer`.
    pub fn cancel_timer(&mut self, timer: TimerId) {
        self.out.push(Command::CancelTimer { timer });
    }

    /// Writes `value` durably (fsynced) before any later command takes effect.
    pub fn persist<T: Serialize>(&mut self, key: &str, value: &T) {
        self.persist_with(key, value, true);
    }

    /// Writes `value` to the write cache only: a crash may lose it.
    pub fn persist_unsynced<T: Serialize>(&mut self, key: &str, value: &T) {
        self.persist_with(key, value, false);
    }

    /// Removes `key` from durable storage, fsynced like [`Ctx::persist`].
    pub fn forget(&mut self, key: &str) {
        self.forget_with(key, true);
    }

    /// Removes `key` in the write cache only: a crash may bring it back.
    pub fn forget_unsynced(&mut self, key: &str) {
        self.forget_with(key, false);
    }

    fn forget_with(&mut self, key: &str, sync: bool) {
        let key = key.to_string();
        self.out.push(Command::Forget { key, sync });
    }

    fn persist_with<T: Serialize>(&mut self, key: &str, value: &T, sync: bool) {
        let value = crate::storage::encode(value);
        self.out.push(Command::Persist {
            key: key.to_string(),
            value,
            sync,
        });
    }

    /// Answers client request `req`.
    pub fn reply<T: Serialize>(&mut self, req: RequestId, outcome: Outcome, value: &T) {
        let value = serde_json::to_value(value).expect("replies encode as JSON");
        self.out.push(Command::Reply {
            req,
            outcome,
            value,
        });
    }

    /// Records protocol event `event` in the history.
    pub fn event(&mut self, event: E) {
        self.out.push(Command::Event(event));
    }

    /// Announces this node's role, so faults can target e.g. "the leader".
    pub fn set_role(&mut self, role: &'static str) {
        self.out.push(Command::Role { role });
    }
}

impl<M> Ctx<'_, M, RawEvent> {
    /// Records an untyped event named `name` with `data` (for protocols
    /// that have no event enum of their own).
    pub fn raw_event<T: Serialize>(&mut self, name: &'static str, data: &T) {
        let data = serde_json::to_value(data).expect("events encode as JSON");
        let name = crate::name::Name::from_static(name);
        self.out.push(Command::Event(RawEvent { name, data }));
    }
}

/// A protocol node: a state machine that reacts and emits commands.
pub trait Node: Send + 'static {
    /// The protocol's one closed message type.
    type Msg: Clone + Debug + Hash + Send + 'static;
    /// The client operations this node serves.
    type Op: Clone + Debug + Send + 'static;
    /// The protocol's events ([`RawEvent`] for untyped ones).
    type Event: Event;

    /// The node (re)starts; restore from `ctx.storage` and arm timers.
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Event>);
    /// A message from `from` arrives.
    fn on_msg(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Event>, from: NodeId, msg: Self::Msg);
    /// `timer` fires.
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Event>, timer: TimerId);
    /// A client asks for `op`; answer with `ctx.reply(req, ..)` now or later.
    fn on_client(
        &mut self,
        ctx: &mut Ctx<'_, Self::Msg, Self::Event>,
        req: RequestId,
        op: Self::Op,
    ) {
        let _ = op;
        ctx.reply(req, Outcome::Fail, &"this node serves no clients");
    }
}
