//! A node's madsim task and the execution of the commands nodes emit.

use super::event::Event;
use super::recorder::MessageFate;
use super::timers::Armed;
use super::{lock, Item, Msg, WeakShared, World};
use crate::net::Fate;
use crate::trace;
use faultline_models::node::Command;
use faultline_models::{Ctx, Event as _, EventEntry, Model, Node, NodeId};
use std::hash::Hash;
use std::task::Poll;

/// Trace tags, one per kind of thing hashed.
pub mod tag {
    /// A message handed to a node.
    pub const DELIVER: u8 = 1;
    /// A timer fired.
    pub const TIMER: u8 = 2;
    /// A client request handed to a node.
    pub const REQUEST: u8 = 3;
    /// A message sent.
    pub const SEND: u8 = 4;
    /// A protocol event.
    pub const EVENT: u8 = 5;
    /// A client operation line.
    pub const OP: u8 = 6;
    /// A fault applied or undone.
    pub const FAULT: u8 = 7;
    /// A node started.
    pub const START: u8 = 8;
    /// A durable write.
    pub const PERSIST: u8 = 9;
    /// A durable removal.
    pub const FORGET: u8 = 10;
}

/// The body of node `id`'s madsim task: build, then start and serve the
/// mailbox whenever woken.
///
/// Nodes take turns in id order: a task that finds a lower node with work
/// waits for it, and a task that finishes hands over to the next node with
/// work. When none has any, it dispatches the next events itself while they
/// need no madsim lifecycle call (see `World::dispatch_one_inline`), else
/// wakes the driver. So no more than one task does work at a time and
/// madsim's random choice among ready tasks never orders anything: a run
/// depends only on its events, which is what lets a materialised fault
/// timeline replay a nemesis run exactly. It also spares the hand-over to
/// the driver task and back for each message.
///
/// It holds the world weakly: madsim keeps killed tasks (and their
/// init closures) alive after a run, and a strong reference would leak
/// every run's world with them.
pub async fn run<M: Model>(world: WeakShared<M>, id: NodeId) {
    let Some(shared) = world.upgrade() else {
        return;
    };
    let (incarnation, mut node) = {
        let w = lock(&shared);
        let node = crate::panics::protocol(|| w.model.build(id, &w.slots[id].storage));
        (w.slots[id].incarnation, node)
    };
    drop(shared);
    std::future::poll_fn(|cx| {
        let Some(shared) = world.upgrade() else {
            return Poll::Ready(());
        };
        let mut w = lock(&shared);
        if w.slots[id].incarnation != incarnation {
            return Poll::Ready(());
        }
        // Work handed to this node while it runs is served in the loop of
        // `take_turns`; a wake meanwhile would only cost a spurious poll.
        let mine = w.slots[id].waker.take();
        w.take_turns(id, &mut node);
        w.slots[id].waker = match mine {
            Some(k) if k.will_wake(cx.waker()) => Some(k),
            _ => Some(cx.waker().clone()),
        };
        Poll::Pending
    })
    .await
}

impl<M: Model> World<M> {
    /// Node `id`'s share of the work while it is first in line (see `run`).
    fn take_turns(&mut self, id: NodeId, node: &mut M::Node) {
        loop {
            match self.first_busy() {
                Some(first) if first != id => {
                    self.slots[first].wake();
                    return;
                }
                Some(_) => {
                    if self.slots[id].starting {
                        self.start(id, node);
                    }
                    self.serve(id, node);
                }
                None if self.dispatch_one_inline() => {}
                None => {
                    if let Some(driver) = self.driver_waker.take() {
                        driver.wake();
                    }
                    return;
                }
            }
        }
    }

    fn start(&mut self, id: NodeId, node: &mut M::Node) {
        trace::set_context(self.now_us, id);
        self.trace.record(self.now_us, tag::START, &id);
        tracing::debug!("start");
        self.with_ctx(id, |ctx| node.on_start(ctx));
        self.slots[id].starting = false;
        self.refresh_busy(id);
    }

    fn serve(&mut self, id: NodeId, node: &mut M::Node) {
        while let Some(item) = self.slots[id].mailbox.pop_front() {
            trace::set_context(self.now_us, id);
            self.handle(id, node, item);
        }
        self.refresh_busy(id);
    }

    fn handle(&mut self, id: NodeId, node: &mut M::Node, item: Item<M>) {
        match item {
            Item::Msg { from, msg } => {
                self.stats.delivered += 1;
                self.trace
                    .record(self.now_us, tag::DELIVER, &(from, id, &msg));
                tracing::trace!(from = %self.names[from], msg = ?msg, "recv");
                self.with_ctx(id, |ctx| node.on_msg(ctx, from, msg));
            }
            Item::Timer { timer, generation } => {
                if !self.slots[id].timers.is_armed(timer, generation) {
                    return;
                }
                self.slots[id].timers.disarm(timer);
                self.stats.timers += 1;
                self.trace.record(self.now_us, tag::TIMER, &(id, timer));
                tracing::trace!(timer, "timer");
                self.with_ctx(id, |ctx| node.on_timer(ctx, timer));
            }
            Item::Client { req, op } => {
                self.trace.record(self.now_us, tag::REQUEST, &(id, req));
                tracing::trace!(req, op = ?op, "request");
                self.with_ctx(id, |ctx| node.on_client(ctx, req, op));
            }
        }
    }

    fn with_ctx(&mut self, id: NodeId, f: impl FnOnce(&mut Ctx<'_, Msg<M>, M::Event>)) {
        let mut out = std::mem::take(&mut self.out);
        let now_local = self.local_now_us(id);
        let n = self.slots.len();
        let slot = &mut self.slots[id];
        let mut ctx = Ctx::new(id, n, now_local, &mut slot.rng, &slot.storage, &mut out);
        crate::panics::protocol(|| f(&mut ctx));
        for command in out.drain(..) {
            self.apply(id, command);
        }
        self.out = out;
    }

    fn apply(&mut self, id: NodeId, command: Command<Msg<M>, M::Event>) {
        match command {
            Command::Send { to, msg } => self.send(id, to, msg),
            Command::SetTimer { timer, after_us } => self.set_timer(id, timer, after_us),
            Command::CancelTimer { timer } => self.slots[id].timers.disarm(timer),
            Command::Persist { key, value, sync } => {
                self.trace
                    .record(self.now_us, tag::PERSIST, &(id, key.as_str(), sync));
                self.slots[id].storage.put(key, value, sync);
            }
            Command::Forget { key, sync } => {
                self.trace
                    .record(self.now_us, tag::FORGET, &(id, key.as_str(), sync));
                self.slots[id].storage.remove(key, sync);
            }
            Command::Reply {
                req,
                outcome,
                value,
            } => self.reply(req, outcome, value),
            Command::Event(event) => self.record_event(id, event),
            Command::Role { role } => {
                tracing::debug!(role, "role");
                self.slots[id].role = Some(role);
            }
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: Msg<M>) {
        self.stats.sent += 1;
        self.trace.record(self.now_us, tag::SEND, &(from, to, &msg));
        tracing::trace!(to = %self.names[to], msg = ?msg, "send");
        if self.partitions.is_blocked(from, to) {
            self.stats.partitioned += 1;
            self.record_send((from, to), &msg, &[], MessageFate::Partitioned);
            return;
        }
        let fate = self.net.fate(
            Some((from, to)),
            self.extra_loss,
            self.extra_dup,
            &mut self.net_rng,
        );
        match fate {
            Fate::Dropped => {
                self.stats.lost += 1;
                self.record_send((from, to), &msg, &[], MessageFate::Lost);
            }
            Fate::Deliver(d) => {
                self.record_send((from, to), &msg, &[self.now_us + d], MessageFate::InFlight);
                self.queue
                    .push(self.now_us + d, Event::Deliver { from, to, msg })
            }
            Fate::Twice(a, b) => {
                self.stats.duplicated += 1;
                let arrivals = [self.now_us + a, self.now_us + b];
                self.record_send((from, to), &msg, &arrivals, MessageFate::InFlight);
                self.queue.push(
                    self.now_us + a,
                    Event::Deliver {
                        from,
                        to,
                        msg: msg.clone(),
                    },
                );
                self.queue
                    .push(self.now_us + b, Event::Deliver { from, to, msg });
            }
        }
    }

    /// Tells the message recorder, if one is on, about a send.
    fn record_send(
        &mut self,
        link: (NodeId, NodeId),
        msg: &Msg<M>,
        arrivals: &[u64],
        fate: MessageFate,
    ) {
        if let Some(r) = &mut self.recorder {
            r.sent(self.now_us, link, msg, arrivals, fate);
        }
    }

    fn set_timer(&mut self, id: NodeId, timer: u64, after_us: u64) {
        let slot = &mut self.slots[id];
        slot.timer_generation += 1;
        let generation = slot.timer_generation;
        // Saturating: a protocol may ask for any delay; past the end is never.
        let at = (self.now_us).saturating_add(slot.clock.true_duration_us(after_us));
        let seq = self.queue.next_seq();
        let armed = Armed {
            generation,
            key: (at, seq),
        };
        if slot.timers.arm(timer, armed) {
            let event = Event::Timer {
                node: id,
                timer,
                seq,
            };
            self.queue.push_keyed(at, seq, event);
        }
    }

    fn record_event(&mut self, id: NodeId, event: M::Event) {
        self.trace.record(self.now_us, tag::EVENT, &(id, &event));
        tracing::debug!(event = event.name(), data = ?event, "event");
        let entry = EventEntry {
            time_us: self.now_us,
            node: id,
            event,
        };
        self.keep(faultline_models::Entry::Event(entry));
    }

    /// Hashes anything into the trace (used by the driver and clients).
    pub fn trace_record<T: Hash + ?Sized>(&mut self, tag: u8, payload: &T) {
        self.trace.record(self.now_us, tag, payload);
    }
}
