//! A service node: order, inventory, payment or shipping.
//!
//! Orchestrated, it answers each `Request` with the result of its
//! idempotent local transaction ([`ledger`]). Choreographed, it reacts to
//! each `Event` once ([`choreography`]): it runs the transaction, writes
//! the next event to its [`Outbox`] in the same handler, sends it, and
//! acknowledges the event it got; the order service also takes the
//! clients' orders and ends the sagas. A service may be slow: with
//! `slow_rate` its answer leaves after a delay up to `slow_ms_max` (the
//! effect is already durable, only the answer is late).

use super::backoff::Backoff;
use super::choreography::{reaction, Next};
use super::event::{Event, Step};
use super::layout::{us, Layout};
use super::ledger;
use super::msg::{Action, Msg, Order, SagaEvent, Service};
use super::node::Ctx;
use super::outbox::Outbox;
use crate::node::{NodeId, Outcome, RequestId, TimerId};
use crate::storage::Storage;
use rand::Rng;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The timer that re-sends due outbox events.
const OUTBOX_TIMER: TimerId = 0;
/// Most answers a slow service may hold back at once.
pub const DEFERRED_MAX: usize = 100_000;

/// One service node.
#[derive(Debug, Clone)]
pub struct ServiceNode {
    layout: Arc<Layout>,
    service: Service,
    backoff: Backoff,
    outbox: Outbox,
    deferred: BTreeMap<TimerId, (NodeId, Msg)>,
    next_timer: TimerId,
    clients: BTreeMap<u64, RequestId>,
}

impl ServiceNode {
    /// Service `service`, with its outbox reloaded from `storage`.
    pub fn new(layout: Arc<Layout>, service: Service, storage: &Storage) -> ServiceNode {
        let p = &layout.params;
        let backoff = Backoff {
            base_us: us(p.backoff_ms_base),
            cap_us: us(p.backoff_ms_max),
            jitter: p.jitter,
        };
        ServiceNode {
            service,
            backoff,
            outbox: Outbox::load(storage),
            deferred: BTreeMap::new(),
            next_timer: OUTBOX_TIMER,
            clients: BTreeMap::new(),
            layout,
        }
    }

    /// Arms the outbox timer (choreography).
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        if !self.layout.variant.orchestrated() {
            ctx.set_timer(OUTBOX_TIMER, self.backoff.base_us);
        }
    }

    /// A request, event or acknowledgement arrives.
    pub fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Request { order, action, .. } => {
                assert_eq!(
                    action.service(),
                    self.service,
                    "{action:?} sent to {:?}",
                    self.service
                );
                let applied = ledger::run(ctx, &self.layout, action, &order);
                let reply = Msg::Reply {
                    saga: order.id,
                    action,
                    applied,
                };
                self.respond(ctx, from, reply);
            }
            Msg::Event { order, event } => self.on_event(ctx, from, order, event),
            Msg::Ack { saga, event } => {
                if let Some(p) = self.outbox.ack(ctx, saga, event) {
                    ctx.event(Event::StepDone {
                        saga,
                        step: Step::Announce(event),
                        attempts: p.sends,
                    });
                }
            }
            Msg::Reply { .. } => panic!("service {:?} got a reply", self.service),
        }
    }

    /// The outbox tick, or a slow answer's delay is over.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerId) {
        if timer == OUTBOX_TIMER {
            for p in self.outbox.due(ctx.now_us, &self.backoff, ctx.rng) {
                let to = self.layout.node_of(p.to);
                ctx.send(
                    to,
                    Msg::Event {
                        order: p.order,
                        event: p.event,
                    },
                );
            }
            ctx.set_timer(OUTBOX_TIMER, self.backoff.base_us);
        } else if let Some((to, msg)) = self.deferred.remove(&timer) {
            ctx.send(to, msg);
        }
    }

    /// A client places `order` (choreography: the order service only).
    pub fn on_client(&mut self, ctx: &mut Ctx<'_>, req: RequestId, order: Order) {
        if self.layout.variant.orchestrated() || self.service != Service::Order {
            ctx.reply(req, Outcome::Fail, &"this node serves no clients");
            return;
        }
        ctx.event(Event::SagaStarted {
            saga: order.id,
            order,
        });
        self.clients.insert(order.id, req);
        let created = ledger::run(ctx, &self.layout, Action::CreateOrder, &order);
        let next = if created {
            Next::Emit(SagaEvent::OrderCreated, Service::Inventory)
        } else {
            Next::Compensated
        };
        self.follow(ctx, order, next);
    }

    fn on_event(&mut self, ctx: &mut Ctx<'_>, from: NodeId, order: Order, event: SagaEvent) {
        let r = reaction(event);
        assert_eq!(
            r.service, self.service,
            "{event:?} sent to {:?}",
            self.service
        );
        let seen = format!("seen/{}/{event:?}", order.id);
        if ctx.storage.get::<bool>(&seen).is_none() {
            let applied = ledger::run(ctx, &self.layout, r.action, &order);
            ctx.persist(&seen, &true);
            self.follow(ctx, order, if applied { r.applied } else { r.rejected });
        }
        self.respond(
            ctx,
            from,
            Msg::Ack {
                saga: order.id,
                event,
            },
        );
    }

    fn follow(&mut self, ctx: &mut Ctx<'_>, order: Order, next: Next) {
        match next {
            Next::Emit(event, to) => {
                self.outbox.add(ctx, &self.backoff, (order, event, to));
                let to = self.layout.node_of(to);
                self.respond(ctx, to, Msg::Event { order, event });
            }
            Next::Completed => self.end(ctx, order.id, true),
            Next::Compensated => self.end(ctx, order.id, false),
        }
    }

    fn end(&mut self, ctx: &mut Ctx<'_>, saga: u64, completed: bool) {
        assert_eq!(
            self.service,
            Service::Order,
            "only the order service ends sagas"
        );
        let (event, status, outcome) = if completed {
            (Event::SagaCompleted { saga }, "completed", Outcome::Ok)
        } else {
            (
                Event::SagaCompensated { saga },
                "compensated",
                Outcome::Fail,
            )
        };
        ctx.event(event);
        if let Some(req) = self.clients.remove(&saga) {
            ctx.reply(req, outcome, &json!({ "saga": saga, "status": status }));
        }
    }

    /// Sends `msg` to `to`, late if this service is being slow.
    fn respond(&mut self, ctx: &mut Ctx<'_>, to: NodeId, msg: Msg) {
        let p = self.layout.service(self.service);
        if p.slow_rate == 0.0 || !ctx.rng.gen_bool(p.slow_rate) {
            ctx.send(to, msg);
            return;
        }
        assert!(
            self.deferred.len() < DEFERRED_MAX,
            "too many slow answers held"
        );
        let delay_us = ctx.rng.gen_range(0..=us(p.slow_ms_max));
        self.next_timer += 1;
        self.deferred.insert(self.next_timer, (to, msg));
        ctx.set_timer(self.next_timer, delay_us);
    }
}
