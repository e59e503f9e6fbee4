//! The engine's single event queue, ordered by (time, sequence number).

use faultline_models::{Model, NodeId, Outcome, RequestId, TimerId};
use serde_json::Value;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Something that happens at an instant.
#[derive(Debug)]
pub enum Event<M: Model> {
    /// A message arrives at `to` (if the link is still up and `to` alive).
    Deliver {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// The message.
        msg: <M::Node as faultline_models::Node>::Msg,
    },
    /// A node's timer comes due: it fires, or stands for a later re-arming,
    /// or is stale (see `world::timers`).
    Timer {
        /// Owner.
        node: NodeId,
        /// The timer.
        timer: TimerId,
        /// The sequence number of its key in the queue.
        seq: u64,
    },
    /// A client request reaches its node.
    Request {
        /// Request id.
        req: RequestId,
        /// The node.
        node: NodeId,
        /// The operation.
        op: M::Op,
    },
    /// A node's reply reaches the client.
    Reply {
        /// Request id.
        req: RequestId,
        /// As the node said.
        outcome: Outcome,
        /// The reply's value.
        value: Value,
    },
    /// A client gives up on a request.
    Timeout {
        /// Request id.
        req: RequestId,
    },
    /// A client process issues its next operation.
    Tick {
        /// Client slot.
        client: usize,
    },
    /// Planned fault number `index` applies.
    FaultStart {
        /// Index into the plan.
        index: usize,
    },
    /// Active fault `id` is undone.
    FaultEnd {
        /// Active fault id.
        id: u64,
    },
    /// The safety phase ends: faults stop, everything heals.
    Heal,
    /// The run ends.
    End,
}

/// A bounded min-queue of events; ties break by sequence number, drawn at
/// `push` (or earlier, with `next_seq`, for a timer queued later: see
/// `world::timers`).
///
/// The heap holds only small keys (time, sequence, slab index); events sit
/// in a slab: moving 24-byte keys instead of whole events made `pop` three
/// times cheaper in the ping benchmark.
pub struct EventQueue<M: Model> {
    heap: BinaryHeap<Reverse<(u64, u64, u32)>>,
    slab: Vec<Option<Event<M>>>,
    free: Vec<u32>,
    seq: u64,
    overflowed: bool,
}

/// Bound on pending events: a model that floods the network stops the run
/// (verdict STOPPED) rather than exhausting memory.
pub const EVENTS_PENDING_MAX: usize = 5_000_000;

impl<M: Model> EventQueue<M> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            seq: 0,
            overflowed: false,
        }
    }

    /// Schedules `event` at `at_us`.
    pub fn push(&mut self, at_us: u64, event: Event<M>) {
        let seq = self.next_seq();
        self.push_keyed(at_us, seq, event);
    }

    /// A sequence number for an event to be queued later with
    /// [`EventQueue::push_keyed`]: its place among same-time events is
    /// where it was drawn, not where it was queued.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Schedules `event` at `at_us` with a sequence number drawn earlier.
    /// A full queue drops it and remembers ([`EventQueue::overflowed`]):
    /// the world then stops the run, so nothing dropped is ever judged.
    pub fn push_keyed(&mut self, at_us: u64, seq: u64, event: Event<M>) {
        if self.heap.len() >= EVENTS_PENDING_MAX {
            self.overflowed = true;
            return;
        }
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(event);
                slot
            }
            None => {
                self.slab.push(Some(event));
                (self.slab.len() - 1) as u32
            }
        };
        self.heap.push(Reverse((at_us, seq, slot)));
    }

    /// The earliest event and its time.
    pub fn pop(&mut self) -> Option<(u64, Event<M>)> {
        let Reverse((at_us, _, slot)) = self.heap.pop()?;
        let event = self.slab[slot as usize]
            .take()
            .expect("a queued slot holds its event");
        self.free.push(slot);
        Some((at_us, event))
    }

    /// The earliest event and its time, left in the queue.
    pub fn peek(&self) -> Option<(u64, &Event<M>)> {
        let Reverse((at_us, _, slot)) = self.heap.peek()?;
        let event = self.slab[*slot as usize]
            .as_ref()
            .expect("a queued slot holds its event");
        Some((*at_us, event))
    }

    /// Whether an event was dropped because [`EVENTS_PENDING_MAX`] were pending.
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// Time of the earliest event.
    pub fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse((at_us, _, _))| *at_us)
    }
}

impl<M: Model> Default for EventQueue<M> {
    fn default() -> Self {
        Self::new()
    }
}
