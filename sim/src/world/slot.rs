//! What the engine keeps per node: mailbox, timers, storage, clock, RNG.

use super::timers::Timers;
use super::Msg;
use crate::clock::NodeClock;
use faultline_models::{Model, NodeId, RequestId, Storage, TimerId};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;
use std::task::Waker;

/// Work handed to a node task.
#[derive(Debug)]
pub enum Item<M: Model> {
    /// A message arrived.
    Msg {
        /// Sender.
        from: NodeId,
        /// The message.
        msg: Msg<M>,
    },
    /// A timer fired (checked again against its generation when handled).
    Timer {
        /// The timer.
        timer: TimerId,
        /// Its generation.
        generation: u64,
    },
    /// A client request arrived.
    Client {
        /// Request id.
        req: RequestId,
        /// The operation.
        op: M::Op,
    },
}

/// Engine-side state of one node; survives the node's crashes.
pub struct Slot<M: Model> {
    /// Work waiting for the node task.
    pub mailbox: VecDeque<Item<M>>,
    /// The node task's waker, once it has polled (woken when work arrives).
    pub waker: Option<Waker>,
    /// Durable storage.
    pub storage: Storage,
    /// The node's RNG (continues across restarts).
    pub rng: ChaCha8Rng,
    /// The node's clock.
    pub clock: NodeClock,
    /// Up (not crashed).
    pub alive: bool,
    /// Stopped by a pause fault.
    pub paused: bool,
    /// Restarted and not yet through `on_start`.
    pub starting: bool,
    /// Bumped at every crash and restart.
    pub incarnation: u64,
    /// Armed timers.
    pub timers: Timers,
    /// Last timer generation handed out.
    pub timer_generation: u64,
    /// The role the node last announced.
    pub role: Option<&'static str>,
}

impl<M: Model> Slot<M> {
    /// A slot for a node about to start.
    pub fn new(rng: ChaCha8Rng, clock: NodeClock) -> Self {
        Slot {
            mailbox: VecDeque::new(),
            waker: None,
            storage: Storage::default(),
            rng,
            clock,
            alive: true,
            paused: false,
            starting: true,
            incarnation: 0,
            timers: Timers::default(),
            timer_generation: 0,
            role: None,
        }
    }

    /// Wakes the node task (if it has polled yet).
    pub fn wake(&mut self) {
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }

    /// Nothing for this node to do now (or it cannot run).
    pub fn is_idle(&self) -> bool {
        !self.alive || self.paused || (self.mailbox.is_empty() && !self.starting)
    }

    /// The crash: volatile state gone, storage keeps (some) writes.
    pub fn crash(&mut self, lose_unsynced: bool) {
        assert!(self.alive, "crashing a node that is down");
        self.alive = false;
        self.paused = false;
        self.starting = false;
        self.incarnation += 1;
        self.mailbox.clear();
        self.timers.clear();
        self.role = None;
        self.storage.crash(!lose_unsynced);
    }

    /// Marks the node restarting; its task will run `on_start`.
    pub fn restart(&mut self) {
        assert!(!self.alive, "restarting a node that is up");
        self.alive = true;
        self.starting = true;
        self.incarnation += 1;
    }
}
