//! The saga model's protocol events: what the orchestrator and the
//! services record, typed.
//!
//! Each variant is one `history.jsonl` event line: its `name` is the
//! variant's snake_case name and its `data` the variant's fields (the names
//! and fields the model has always written). [`super::facts`] folds them per
//! saga for the checkers and metrics, which `match` on the variants.

use super::breaker::State;
use super::msg::{Action, Order, SagaEvent, Service};
use serde::{Deserialize, Serialize};

/// The step a `step_done` event is about: an orchestrator's call, or in
/// choreography the event a service announced. Written as the action's or
/// the event's own name (the two sets of names are disjoint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Step {
    /// The orchestrator's call of this action.
    Call(Action),
    /// A service's announcement of this event (choreography).
    Announce(SagaEvent),
}

/// Every event a saga node records.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "name", content = "data", rename_all = "snake_case")]
pub enum Event {
    /// The entry node (orchestrator, or the order service in choreography)
    /// began saga `saga` for `order`.
    SagaStarted {
        /// The saga (and order) id.
        saga: u64,
        /// The order it fulfils.
        order: Order,
    },
    /// Saga `saga` ran every step: the order is confirmed.
    SagaCompleted {
        /// The saga id.
        saga: u64,
    },
    /// Saga `saga` undid every step it had run.
    SagaCompensated {
        /// The saga id.
        saga: u64,
    },
    /// A restarted orchestrator found `saga` in its log and re-sends its
    /// current call, `action`.
    SagaRecovered {
        /// The saga id.
        saga: u64,
        /// The call it resumes with.
        action: Action,
    },
    /// A step finished: the orchestrator got its answer after `attempts`
    /// calls, or (choreography) the announced event was acknowledged after
    /// `attempts` sends.
    StepDone {
        /// The saga id.
        saga: u64,
        /// The call or the announced event.
        step: Step,
        /// Calls (or sends) it took, counting from 1.
        attempts: u32,
    },
    /// The orchestrator calls `step` again: attempt number `attempt` (≥ 2).
    StepRetry {
        /// The saga id.
        saga: u64,
        /// The call.
        step: Action,
        /// Which attempt this is.
        attempt: u32,
    },
    /// The orchestrator's call of `step` got no answer within its timeout.
    StepTimeout {
        /// The saga id.
        saga: u64,
        /// The call that timed out.
        step: Action,
    },
    /// A compensatable forward step failed `max_attempts` times: the saga
    /// compensates, that step included.
    StepFailed {
        /// The saga id.
        saga: u64,
        /// The forward step given up on.
        step: Action,
    },
    /// `compensate-once` variant: a failed compensation is skipped, never
    /// retried.
    CompensationAbandoned {
        /// The saga id.
        saga: u64,
        /// The compensation given up on.
        step: Action,
    },
    /// The circuit breaker of `service` refused the saga's call.
    BreakerRefused {
        /// The saga id.
        saga: u64,
        /// The service called.
        service: Service,
    },
    /// The bulkhead of `service` had no permit left for the saga's call.
    BulkheadFull {
        /// The saga id.
        saga: u64,
        /// The service called.
        service: Service,
    },
    /// The orchestrator's circuit breaker of `service` changed state.
    Breaker {
        /// The service whose breaker changed.
        service: Service,
        /// The state before.
        from: State,
        /// The state after.
        to: State,
    },
    /// The order service created the saga's order (PENDING).
    OrderCreated {
        /// The saga id.
        saga: u64,
    },
    /// The order service cancelled the saga's order (compensation).
    OrderCancelled {
        /// The saga id.
        saga: u64,
    },
    /// The order service confirmed the saga's order (the last step).
    OrderConfirmed {
        /// The saga id.
        saga: u64,
    },
    /// The order service refused to confirm an order that was never
    /// created or was cancelled.
    ConfirmRefused {
        /// The saga id.
        saga: u64,
    },
    /// The inventory reserved `qty` units of `sku`, leaving `stock`.
    Reserved {
        /// The saga id.
        saga: u64,
        /// The item.
        sku: u32,
        /// Units reserved.
        qty: u32,
        /// The item's stock after the reservation.
        stock: i64,
    },
    /// The inventory released `qty` units of `sku` (compensation), leaving
    /// `stock`.
    Released {
        /// The saga id.
        saga: u64,
        /// The item.
        sku: u32,
        /// Units released.
        qty: u32,
        /// The item's stock after the release.
        stock: i64,
    },
    /// The payment service charged `customer` `amount`.
    Charged {
        /// The saga id.
        saga: u64,
        /// Who paid.
        customer: u32,
        /// How much.
        amount: u64,
    },
    /// The payment service refunded `amount` to `customer` (compensation).
    Refunded {
        /// The saga id.
        saga: u64,
        /// Who got the money back.
        customer: u32,
        /// How much.
        amount: u64,
    },
    /// The shipping service created the saga's shipment (the pivot).
    Shipped {
        /// The saga id.
        saga: u64,
    },
    /// The shipping service cancelled the saga's shipment (compensation).
    ShipmentCancelled {
        /// The saga id.
        saga: u64,
    },
    /// A service rejected forward step `action` (business rule or out of
    /// stock): no effect.
    Rejected {
        /// The saga id.
        saga: u64,
        /// The step rejected.
        action: Action,
        /// The stock could not cover the order: a true "sold out", not a
        /// business-rule rejection drawn at `reject_rate`.
        #[serde(default)]
        sold_out: bool,
    },
    /// A forward step arrived after its compensation (which left a
    /// tombstone) and was refused.
    RefusedLate {
        /// The saga id.
        saga: u64,
        /// The late step.
        action: Action,
    },
    /// A compensation arrived before its step had run: nothing to undo; a
    /// tombstone refuses the step if it comes later.
    Tombstone {
        /// The saga id.
        saga: u64,
        /// The compensation.
        action: Action,
    },
    /// A forward step arrived again (a retry, or a duplicate) and its
    /// idempotency key (saga, action) returned the recorded result without
    /// a second effect.
    Deduplicated {
        /// The saga id.
        saga: u64,
        /// The repeated step.
        action: Action,
    },
}

impl crate::history::Event for Event {}

impl Event {
    /// The saga this event is about (all but breaker changes).
    pub fn saga(&self) -> Option<u64> {
        use Event as E;
        match *self {
            E::SagaStarted { saga, .. }
            | E::SagaCompleted { saga }
            | E::SagaCompensated { saga }
            | E::SagaRecovered { saga, .. }
            | E::StepDone { saga, .. }
            | E::StepRetry { saga, .. }
            | E::StepTimeout { saga, .. }
            | E::StepFailed { saga, .. }
            | E::CompensationAbandoned { saga, .. }
            | E::BreakerRefused { saga, .. }
            | E::BulkheadFull { saga, .. }
            | E::OrderCreated { saga }
            | E::OrderCancelled { saga }
            | E::OrderConfirmed { saga }
            | E::ConfirmRefused { saga }
            | E::Reserved { saga, .. }
            | E::Released { saga, .. }
            | E::Charged { saga, .. }
            | E::Refunded { saga, .. }
            | E::Shipped { saga }
            | E::ShipmentCancelled { saga }
            | E::Rejected { saga, .. }
            | E::RefusedLate { saga, .. }
            | E::Tombstone { saga, .. }
            | E::Deduplicated { saga, .. } => Some(saga),
            E::Breaker { .. } => None,
        }
    }

    /// The effect event `reserved` of `order`, leaving `stock`.
    pub fn reserved(order: &Order, stock: i64) -> Event {
        Event::Reserved {
            saga: order.id,
            sku: order.sku,
            qty: order.qty,
            stock,
        }
    }

    /// The effect event `released` of `order`, leaving `stock`.
    pub fn released(order: &Order, stock: i64) -> Event {
        Event::Released {
            saga: order.id,
            sku: order.sku,
            qty: order.qty,
            stock,
        }
    }

    /// The effect event `charged` of `order`.
    pub fn charged(order: &Order) -> Event {
        Event::Charged {
            saga: order.id,
            customer: order.customer,
            amount: order.amount,
        }
    }

    /// The effect event `refunded` of `order`.
    pub fn refunded(order: &Order) -> Event {
        Event::Refunded {
            saga: order.id,
            customer: order.customer,
            amount: order.amount,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Event as _;
    use serde_json::json;

    fn order() -> Order {
        Order {
            id: 7,
            customer: 3,
            sku: 1,
            qty: 2,
            amount: 40,
        }
    }

    /// The lines read as the untyped `json!` events the model wrote before.
    #[test]
    fn events_keep_their_names_and_fields() {
        let cases = [
            (
                Event::SagaStarted {
                    saga: 7,
                    order: order(),
                },
                json!({"name": "saga_started", "data": {"saga": 7, "order":
                    {"id": 7, "customer": 3, "sku": 1, "qty": 2, "amount": 40}}}),
            ),
            (
                Event::reserved(&order(), 5),
                json!({"name": "reserved", "data": {"saga": 7, "sku": 1, "qty": 2, "stock": 5}}),
            ),
            (
                Event::StepDone {
                    saga: 7,
                    step: Step::Announce(SagaEvent::InventoryReserved),
                    attempts: 2,
                },
                json!({"name": "step_done", "data":
                    {"saga": 7, "step": "inventory-reserved", "attempts": 2}}),
            ),
            (
                Event::Breaker {
                    service: Service::Payment,
                    from: State::Open,
                    to: State::HalfOpen,
                },
                json!({"name": "breaker", "data":
                    {"service": "payment", "from": "open", "to": "half-open"}}),
            ),
        ];
        for (event, line) in cases {
            assert_eq!(serde_json::to_value(&event).unwrap(), line);
            assert_eq!(serde_json::from_value::<Event>(line).unwrap(), event);
        }
        assert_eq!(Event::refunded(&order()).name(), "refunded");
        assert_eq!(Event::SagaCompleted { saga: 1 }.name(), "saga_completed");
    }

    #[test]
    fn a_step_reads_back_as_a_call_or_an_announcement() {
        let call: Step = serde_json::from_value(json!("charge")).unwrap();
        assert_eq!(call, Step::Call(Action::Charge));
        let announce: Step = serde_json::from_value(json!("payment-charged")).unwrap();
        assert_eq!(announce, Step::Announce(SagaEvent::PaymentCharged));
    }
}
