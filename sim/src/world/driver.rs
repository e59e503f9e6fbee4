//! The driver task: owns simulated time and dispatches every event.

use super::event::Event;
use super::recorder::MessageFate;
use super::timers::Due;
use super::{lock, Item, Shared, World};
use crate::trace;
use faultline_models::{Model, NodeId};
use std::task::Poll;
use std::time::Duration;

/// Bound on one node's mailbox (work handed to it and not yet handled, e.g.
/// while it is paused): reaching it stops the run.
pub const MAILBOX_MAX: usize = 5_000_000;

/// Runs events in time order until `End` or until nothing is left.
///
/// One poll dispatches events until some node has work; the node tasks
/// dispatch what they can themselves and wake the driver for faults, the
/// heal and the end, or when the queue is empty. A plain waker
/// under the world lock (rather than a `Notify`) keeps this to one lock
/// and one wake per hand-over.
pub async fn drive<M: Model>(shared: Shared<M>) {
    std::future::poll_fn(|cx| {
        let mut w = lock(&shared);
        loop {
            if !w.drained() {
                w.driver_waker = Some(cx.waker().clone());
                return Poll::Pending;
            }
            if !w.dispatch_next() {
                return Poll::Ready(());
            }
        }
    })
    .await
}

impl<M: Model> World<M> {
    /// Dispatches the earliest event; false ends the run.
    ///
    /// One event at a time, and the next only once every node has drained
    /// its mailbox: at most one node task is ever ready, so madsim's random
    /// choice among ready tasks never orders anything, and events of one
    /// instant are handled in the queue's (time, sequence) order. A run
    /// therefore depends only on the seed's event order, which is what lets
    /// a materialised fault timeline replay a nemesis run exactly.
    fn dispatch_next(&mut self) -> bool {
        if self.stopped.is_some() {
            return false;
        }
        let Some(t) = self.queue.peek_time() else {
            return false;
        };
        if !self.advance_to(t) {
            return false;
        }
        let Some((_, event)) = self.queue.pop() else {
            return false;
        };
        self.sync_madsim_clock();
        self.dispatch(event)
    }

    /// Dispatches the earliest event if it touches only the world and node
    /// mailboxes (not faults, heal or the end, which drive madsim's node
    /// lifecycle and stay with the driver task); false if it did not.
    ///
    /// A node task that finds every mailbox drained calls this to carry on
    /// as the driver: handing each event to the driver task and back cost
    /// two task polls per message, most of the engine's time.
    pub fn dispatch_one_inline(&mut self) -> bool {
        if self.stopped.is_some() {
            return false;
        }
        let Some((t, event)) = self.queue.peek() else {
            return false;
        };
        let inline = matches!(
            event,
            Event::Deliver { .. }
                | Event::Timer { .. }
                | Event::Request { .. }
                | Event::Reply { .. }
                | Event::Timeout { .. }
                | Event::Tick { .. }
        );
        if !inline || !self.advance_to(t) {
            return false;
        }
        let Some((_, event)) = self.queue.pop() else {
            return false;
        };
        self.dispatch(event)
    }

    /// Moves time to the next event's `t` and counts the event; false (and
    /// the run stopped) when that passes one of the run's caps.
    fn advance_to(&mut self, t: u64) -> bool {
        assert!(
            t >= self.now_us,
            "event at {t} us is in the past (now {} us)",
            self.now_us
        );
        self.counts.instant = if t == self.now_us {
            self.counts.instant + 1
        } else {
            1
        };
        self.counts.total += 1;
        self.now_us = t;
        trace::set_context(t, usize::MAX);
        if let Some(why) = self.counts.exceeded(t, self.queue.overflowed()) {
            self.stop(why);
            return false;
        }
        true
    }

    /// Ends the run at once: nothing more is dispatched or judged.
    pub fn stop(&mut self, why: String) {
        assert!(!why.is_empty(), "a stopped run says why");
        tracing::warn!(reason = %why, "run stopped");
        self.stopped.get_or_insert(why);
    }

    /// Brings madsim's clock up to `now_us`. Only the driver's events (faults,
    /// the heal, the end) call into madsim, and nothing reads its clock in
    /// between, so events dispatched inline leave it behind: advancing it
    /// per event was ~3% of a small raft run.
    fn sync_madsim_clock(&mut self) {
        if self.now_us > self.madsim_us {
            // Exact: madsim's sleep would round short waits up to 1 ms.
            madsim::time::advance(Duration::from_micros(self.now_us - self.madsim_us));
            self.madsim_us = self.now_us;
        }
    }

    /// Hands `item` to node `id` and wakes its task.
    pub fn enqueue(&mut self, id: NodeId, item: Item<M>) {
        if self.slots[id].mailbox.len() >= MAILBOX_MAX {
            let why = format!(
                "{}'s mailbox reached {MAILBOX_MAX} unhandled items at {:.3} s of simulated time (a node paused for long under heavy load): shorten the pause or lower the load",
                self.names[id],
                self.now_us as f64 / 1e6
            );
            self.stop(why);
            return;
        }
        self.slots[id].mailbox.push_back(item);
        self.refresh_busy(id);
        self.slots[id].wake();
    }

    /// Handles one event; false ends the run.
    fn dispatch(&mut self, event: Event<M>) -> bool {
        match event {
            Event::Deliver { from, to, msg } => self.deliver(from, to, msg),
            Event::Timer { node, timer, seq } => {
                match self.slots[node].timers.due(timer, (self.now_us, seq)) {
                    Due::Fire(generation) => self.enqueue(node, Item::Timer { timer, generation }),
                    Due::Requeue((at, seq)) => {
                        self.queue
                            .push_keyed(at, seq, Event::Timer { node, timer, seq })
                    }
                    Due::Nothing => {}
                }
            }
            Event::Request { req, node, op } => {
                self.client_request(req, node, op);
                self.slots[node].wake();
            }
            Event::Reply {
                req,
                outcome,
                value,
            } => self.client_reply(req, outcome, value),
            Event::Timeout { req } => self.client_timeout(req),
            Event::Tick { client } => self.client_tick(client),
            Event::FaultStart { index } => {
                if self.now_us < self.heal_us {
                    self.fault_start(index);
                }
            }
            Event::FaultEnd { id } => self.fault_end(id),
            Event::Heal => self.heal(),
            Event::End => return false,
        }
        true
    }

    fn deliver(&mut self, from: NodeId, to: NodeId, msg: super::Msg<M>) {
        let fate = if !self.slots[to].alive {
            self.stats.to_dead_node += 1;
            MessageFate::DeadNode
        } else if self.partitions.is_blocked(from, to) {
            self.stats.partitioned += 1;
            MessageFate::Partitioned
        } else {
            self.enqueue(to, Item::Msg { from, msg });
            MessageFate::Delivered
        };
        if let Some(r) = &mut self.recorder {
            r.arrived(self.now_us, (from, to), fate);
        }
    }
}
