//! The engine's single event queue, ordered by (time, sequence number).

use faultline_models::{Model, NodeId, Outcome, RequestId, TimerId};
use serde_json::Value;
use std::cmp::Ordering;
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
    /// A node's timer fires, unless re-armed, cancelled or the node restarted.
    Timer {
        /// Owner.
        node: NodeId,
        /// The timer.
        timer: TimerId,
        /// Generation at arming; stale generations are ignored.
        generation: u64,
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

struct Entry<M: Model> {
    at_us: u64,
    seq: u64,
    event: Event<M>,
}

impl<M: Model> PartialEq for Entry<M> {
    fn eq(&self, other: &Self) -> bool {
        (self.at_us, self.seq) == (other.at_us, other.seq)
    }
}
impl<M: Model> Eq for Entry<M> {}
impl<M: Model> PartialOrd for Entry<M> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<M: Model> Ord for Entry<M> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        (other.at_us, other.seq).cmp(&(self.at_us, self.seq))
    }
}

/// A bounded min-queue of events; ties break by insertion order.
pub struct EventQueue<M: Model> {
    heap: BinaryHeap<Entry<M>>,
    seq: u64,
}

/// Bound on pending events: a model that floods the network is a finding,
/// not a hang.
pub const EVENTS_PENDING_MAX: usize = 5_000_000;

impl<M: Model> EventQueue<M> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }

    /// Schedules `event` at `at_us`.
    pub fn push(&mut self, at_us: u64, event: Event<M>) {
        assert!(
            self.heap.len() < EVENTS_PENDING_MAX,
            "more than {EVENTS_PENDING_MAX} pending events"
        );
        self.seq += 1;
        self.heap.push(Entry {
            at_us,
            seq: self.seq,
            event,
        });
    }

    /// The earliest event and its time.
    pub fn pop(&mut self) -> Option<(u64, Event<M>)> {
        self.heap.pop().map(|e| (e.at_us, e.event))
    }

    /// Time of the earliest event.
    pub fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|e| e.at_us)
    }
}

impl<M: Model> Default for EventQueue<M> {
    fn default() -> Self {
        Self::new()
    }
}
