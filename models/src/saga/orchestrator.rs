//! The saga orchestrator: drives each order through create order → reserve
//! inventory → charge payment → create shipment → confirm order, and on a
//! failure compensates the completed steps in reverse order.
//!
//! Each call goes through the service's breaker and bulkhead ([`Guards`]),
//! is logged before it is sent ([`SagaLog`]) and has a per-step timeout. A
//! timed-out or refused call is retried after a jittered backoff
//! ([`Backoff`]); a compensatable step (create order .. create shipment)
//! that fails `max_attempts` times sends the saga into compensation,
//! including that step, whose effect is unknown. A business rejection
//! compensates only the steps before it. Compensations and the final
//! confirm are retried until they succeed. On restart the orchestrator
//! reloads its log and re-sends each saga's current call: services answer
//! repeats from their idempotency records.

use super::backoff::Backoff;
use super::event::{Event, Step};
use super::guard::Guards;
use super::layout::{us, Layout};
use super::log::{Phase, Saga, SagaLog, Wait};
use super::msg::{Action, Msg, Order};
use super::node::Ctx;
use super::variant::Variant;
use crate::node::{Outcome, RequestId};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Index of the last compensatable forward step (create shipment).
const PIVOT: usize = 3;

/// The orchestrator node.
#[derive(Debug, Clone)]
pub struct Orchestrator {
    layout: Arc<Layout>,
    log: SagaLog,
    backoff: Backoff,
    guards: Guards,
    sagas: BTreeMap<u64, Saga>,
    clients: BTreeMap<u64, RequestId>,
}

impl Orchestrator {
    /// An orchestrator that will recover from its log in `on_start`.
    pub fn new(layout: Arc<Layout>) -> Orchestrator {
        let p = &layout.params;
        let backoff = Backoff {
            base_us: us(p.backoff_ms_base),
            cap_us: us(p.backoff_ms_max),
            jitter: p.jitter,
        };
        Orchestrator {
            log: SagaLog {
                durable: layout.variant != Variant::NoSagaLog,
            },
            backoff,
            guards: Guards::new(&layout),
            sagas: BTreeMap::new(),
            clients: BTreeMap::new(),
            layout,
        }
    }

    /// The sagas in flight (for tests).
    pub fn sagas(&self) -> &BTreeMap<u64, Saga> {
        &self.sagas
    }

    /// Reloads the saga log and re-sends every saga's current call.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        self.sagas = self.log.load(ctx.storage);
        let ids: Vec<u64> = self.sagas.keys().copied().collect();
        for id in ids {
            let action = self.sagas[&id].action();
            ctx.event(Event::SagaRecovered { saga: id, action });
            self.call(ctx, id);
        }
    }

    /// A client places `order`: a new saga.
    pub fn on_client(&mut self, ctx: &mut Ctx<'_>, req: RequestId, order: Order) {
        let id = order.id;
        if self.sagas.contains_key(&id) {
            ctx.reply(
                req,
                Outcome::Fail,
                &json!({ "saga": id, "status": "duplicate" }),
            );
            return;
        }
        let saga = Saga::new(order);
        self.log.save(ctx, &saga);
        self.sagas.insert(id, saga);
        self.log.save_active(ctx, &self.sagas);
        self.clients.insert(id, req);
        ctx.event(Event::SagaStarted { saga: id, order });
        self.call(ctx, id);
    }

    /// A service answered `action` of `saga`.
    pub fn on_reply(&mut self, ctx: &mut Ctx<'_>, saga: u64, action: Action, applied: bool) {
        let Some(s) = self.sagas.get(&saga) else {
            return; // a late answer to a saga that has ended
        };
        if s.action() != action {
            return; // a late answer to an earlier step
        }
        let attempts = s.attempt;
        ctx.cancel_timer(saga);
        self.guards.done(ctx, saga, action.service(), true);
        ctx.event(Event::StepDone {
            saga,
            step: Step::Call(action),
            attempts,
        });
        self.advance(ctx, saga, applied);
    }

    /// `saga`'s timer: its call timed out, or its backoff is over.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, saga: u64) {
        let Some(s) = self.sagas.get(&saga) else {
            return;
        };
        match s.wait {
            Wait::Backoff => self.call(ctx, saga),
            Wait::Reply => {
                let action = s.action();
                ctx.event(Event::StepTimeout { saga, step: action });
                self.guards.done(ctx, saga, action.service(), false);
                self.failed(ctx, saga);
            }
        }
    }

    fn saga(&mut self, id: u64) -> &mut Saga {
        self.sagas
            .get_mut(&id)
            .unwrap_or_else(|| panic!("saga {id} is not in flight"))
    }

    /// Makes the next attempt at `id`'s current step.
    fn call(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        let s = self.saga(id);
        s.attempt += 1;
        let (action, attempt, order) = (s.action(), s.attempt, s.order);
        if attempt > 1 {
            ctx.event(Event::StepRetry {
                saga: id,
                step: action,
                attempt,
            });
        }
        if self.guards.admit(ctx, id, action.service()).is_err() {
            return self.failed(ctx, id);
        }
        let s = self.saga(id);
        s.wait = Wait::Reply;
        let s = s.clone();
        self.log.save(ctx, &s);
        let to = self.layout.node_of(action.service());
        ctx.send(
            to,
            Msg::Request {
                order,
                action,
                attempt,
            },
        );
        if self.layout.variant != Variant::NoTimeout {
            let timeout_ms = self.layout.service(action.service()).timeout_ms;
            ctx.set_timer(id, us(timeout_ms));
        }
    }

    /// The current attempt failed (timeout, open circuit, full bulkhead).
    fn failed(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        let max = self.layout.params.max_attempts;
        let once = self.layout.variant == Variant::CompensateOnce;
        let bounded = self.layout.variant.bounded_retries();
        let s = self.saga(id);
        let action = s.action();
        match s.phase {
            Phase::Forward if s.step <= PIVOT && s.attempt >= max && bounded => {
                let step = s.step;
                ctx.event(Event::StepFailed {
                    saga: id,
                    step: action,
                });
                self.compensate_through(ctx, id, Some(step));
            }
            Phase::Compensating if once => {
                ctx.event(Event::CompensationAbandoned {
                    saga: id,
                    step: action,
                });
                self.advance(ctx, id, true);
            }
            _ => self.back_off(ctx, id),
        }
    }

    fn back_off(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        let backoff = self.backoff;
        let s = self.saga(id);
        let delay_us = backoff.delay_us(s.attempt, s.prev_delay_us, ctx.rng);
        s.prev_delay_us = delay_us;
        s.wait = Wait::Backoff;
        let s = s.clone();
        self.log.save(ctx, &s);
        ctx.set_timer(id, delay_us);
    }

    /// The current step is done: `applied`, or rejected by the service.
    fn advance(&mut self, ctx: &mut Ctx<'_>, id: u64, applied: bool) {
        let s = self.saga(id);
        let step = s.step;
        match (s.phase, applied) {
            (Phase::Forward, false) => {
                assert!(step <= PIVOT, "only compensatable steps are rejected");
                self.compensate_through(ctx, id, step.checked_sub(1));
            }
            (Phase::Forward, true) if step + 1 == Action::FORWARD.len() => {
                self.finish(ctx, id, true)
            }
            (Phase::Forward, true) => {
                s.go_to(Phase::Forward, step + 1);
                self.call(ctx, id);
            }
            (Phase::Compensating, _) if step == 0 => self.finish(ctx, id, false),
            (Phase::Compensating, _) => {
                s.go_to(Phase::Compensating, step - 1);
                self.call(ctx, id);
            }
        }
    }

    /// Undoes steps `last`, `last - 1`, .., 0; with `None` nothing ran.
    fn compensate_through(&mut self, ctx: &mut Ctx<'_>, id: u64, last: Option<usize>) {
        match last {
            None => self.finish(ctx, id, false),
            Some(step) => {
                self.saga(id).go_to(Phase::Compensating, step);
                self.call(ctx, id);
            }
        }
    }

    fn finish(&mut self, ctx: &mut Ctx<'_>, id: u64, completed: bool) {
        self.sagas.remove(&id);
        self.log.save_active(ctx, &self.sagas);
        let (event, status, outcome) = if completed {
            (Event::SagaCompleted { saga: id }, "completed", Outcome::Ok)
        } else {
            (
                Event::SagaCompensated { saga: id },
                "compensated",
                Outcome::Fail,
            )
        };
        ctx.event(event);
        if let Some(req) = self.clients.remove(&id) {
            ctx.reply(req, outcome, &json!({ "saga": id, "status": status }));
        }
    }
}
