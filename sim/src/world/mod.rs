//! The world: every node's slot, the network, the clients, the faults and
//! the history, shared by the driver task and the node tasks of one run.
//!
//! One madsim node runs per model node; its task owns the model's node
//! value (so `Handle::kill` really drops it) and handles what the driver
//! puts in its mailbox. The driver ([`driver`]) owns time: it pops the
//! earliest event, advances madsim's clock exactly to it (madsim's `sleep`
//! rounds up to 1 ms, so it is not used), dispatches it, and waits until
//! every running node has drained its mailbox before moving on.

mod busy;
pub mod client;
pub mod counts;
pub mod driver;
pub mod event;
pub mod faults;
pub mod node_task;
pub mod recorder;
mod slot;
pub mod timers;

pub use slot::{Item, Slot};

use crate::fault::{AppliedFault, PlannedFault};
use crate::net::{NetConfig, Partitions};
use crate::trace::TraceHash;
pub use busy::BusySet;
use client::Clients;
use event::EventQueue;
use faultline_models::node::Command;
use faultline_models::{History, Model, Node, NodeId, NodeSpec};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

/// A model's message type.
pub type Msg<M> = <<M as Model>::Node as Node>::Msg;

/// Counters of what the network did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NetStats {
    /// Messages nodes sent.
    pub sent: u64,
    /// Messages handed to a node.
    pub delivered: u64,
    /// Lost to random loss.
    pub lost: u64,
    /// Dropped by a partition (at send or delivery).
    pub partitioned: u64,
    /// Dropped because the receiver was down.
    pub to_dead_node: u64,
    /// Extra copies delivered by duplication.
    pub duplicated: u64,
    /// Timers that fired.
    pub timers: u64,
}

/// Fault bookkeeping of a run.
#[derive(Debug, Default)]
pub struct FaultState {
    /// The schedule (explicit then nemesis), by start time.
    pub plan: Vec<PlannedFault>,
    /// Faults applied and not yet undone: id → (timeline index, undo).
    pub active: std::collections::BTreeMap<u64, (usize, faults::Undo)>,
    /// Next active-fault id.
    pub next_id: u64,
    /// Everything applied, in order.
    pub timeline: Vec<AppliedFault>,
    /// (time, role) of each fault aimed at a role that no live node had
    /// when it fired (so it did nothing).
    pub unmatched_roles: Vec<(u64, String)>,
}

/// Everything one run shares between its tasks.
pub struct World<M: Model> {
    /// The protocol.
    pub model: M,
    /// Node names, by id.
    pub names: Vec<String>,
    /// The layout.
    pub specs: Vec<NodeSpec>,
    /// Nodes that serve clients.
    pub servers: Vec<NodeId>,
    /// True simulated time of the event being handled.
    pub now_us: u64,
    /// Where madsim's clock was last brought up to `now_us` (see
    /// `World::sync_madsim_clock`).
    pub madsim_us: u64,
    /// When the safety phase ends.
    pub heal_us: u64,
    /// When the run ends.
    pub end_us: u64,
    /// Pending events.
    pub queue: EventQueue<M>,
    /// Per-node state the engine keeps.
    pub slots: Vec<Slot<M>>,
    /// The nodes whose slot is not idle (kept by `refresh_busy`).
    pub busy: BusySet,
    /// Link settings.
    pub net: NetConfig,
    /// Blocked links.
    pub partitions: Partitions,
    /// Loss added by a loss fault.
    pub extra_loss: f64,
    /// Duplication added by a duplicate fault.
    pub extra_dup: f64,
    /// The "net" stream.
    pub net_rng: ChaCha8Rng,
    /// The "faults" stream (target resolution and partition shapes).
    pub fault_rng: ChaCha8Rng,
    /// Client processes.
    pub clients: Clients<M>,
    /// What happened.
    pub history: History<M::Event>,
    /// Whether lines go into `history` (see `RunOptions::unjudged`).
    pub keep_history: bool,
    /// Most lines `history` may hold; reaching it stops the run.
    pub history_entries_max: u64,
    /// Why the run stopped before its end, if it did.
    pub stopped: Option<String>,
    /// Events dispatched, against the run's caps (the livelock guard).
    pub counts: counts::EventCounts,
    /// Fingerprint of what happened.
    pub trace: TraceHash,
    /// Faults.
    pub faults: FaultState,
    /// Network counters.
    pub stats: NetStats,
    /// madsim's id of each node.
    pub madsim_ids: Vec<madsim::task::NodeId>,
    /// The driver's waker while it waits for nodes to drain their mailboxes.
    pub driver_waker: Option<Waker>,
    /// Reused command buffer.
    pub out: Vec<Command<Msg<M>, M::Event>>,
    /// Records messages for a flow diagram when a run asks (else None).
    pub recorder: Option<recorder::Recorder>,
}

/// The world behind a lock: tasks run on one thread, so it is uncontended.
pub type Shared<M> = Arc<Mutex<World<M>>>;

/// What node tasks hold (see `node_task::run`).
pub type WeakShared<M> = std::sync::Weak<Mutex<World<M>>>;

/// Locks the world; a poisoned lock means a task panicked: a bug.
pub fn lock<M: Model>(shared: &Shared<M>) -> MutexGuard<'_, World<M>> {
    shared
        .lock()
        .expect("world lock poisoned by a panicking task")
}

impl<M: Model> World<M> {
    /// True when every running node has handled everything handed to it.
    pub fn drained(&self) -> bool {
        self.first_busy().is_none()
    }

    /// The lowest node with work it can do now.
    pub fn first_busy(&self) -> Option<NodeId> {
        let first = self.busy.first();
        debug_assert_eq!(
            first,
            self.slots.iter().position(|s| !s.is_idle()),
            "the busy set is out of step with the slots"
        );
        first
    }

    /// Updates the busy set after node `id`'s slot changed: every change to
    /// a mailbox or to alive, paused or starting is followed by this call.
    pub fn refresh_busy(&mut self, id: NodeId) {
        self.busy.set(id, !self.slots[id].is_idle());
    }

    /// Appends a history line, unless this run keeps none. Callers hash the
    /// line into the trace first either way.
    pub fn keep(&mut self, entry: faultline_models::Entry<M::Event>) {
        if !self.keep_history || self.stopped.is_some() {
            return;
        }
        if self.history.entries.len() as u64 >= self.history_entries_max {
            self.stop(format!(
                "the history reached {} lines at {:.3} s of simulated time ([run] history_entries_max): raise it, or shorten the run",
                self.history_entries_max,
                self.now_us as f64 / 1e6
            ));
            return;
        }
        self.history.push(entry);
    }

    /// Node `id`'s clock reading now.
    pub fn local_now_us(&self, id: NodeId) -> u64 {
        self.slots[id].clock.local_us(self.now_us)
    }
}
