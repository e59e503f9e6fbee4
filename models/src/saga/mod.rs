//! Sagas: an order-fulfilment system, orchestrated and choreographed.
//!
//! # The algorithm (Garcia-Molina & Salem, "Sagas", SIGMOD 1987)
//!
//! A saga is a long-lived transaction written as a sequence of local
//! transactions T1..Tn, each committed on its own by the service that owns
//! the data, with compensating transactions C1..Cn−1 that semantically undo
//! them. The system guarantees that either T1..Tn all run, or T1..Tj then
//! Cj..C1 run: the saga ends *completed* or *compensated*, never half-done.
//! Here the sagas are the usual e-commerce example: create order → reserve
//! inventory → charge payment → create shipment → confirm order, undone by
//! cancel order / release inventory / refund / cancel shipment. Create
//! shipment is the pivot; confirm after it is retried until it succeeds.
//!
//! Two styles run the same flow over the same services ([`service`]):
//!
//! - **Orchestrated** ([`orchestrator`]): one node drives every saga with a
//!   durable saga log ([`log`]), per-step timeouts, retries with
//!   exponential backoff and full / equal / decorrelated jitter
//!   ([`backoff`]), and per-service circuit breakers ([`breaker`]) and
//!   bulkheads ([`bulkhead`]) ([`guard`]). After a crash it resumes every
//!   logged saga.
//! - **Choreographed** ([`choreography`]): each service reacts to the
//!   previous one's event and emits its own, compensation events included,
//!   through a transactional [`outbox`] re-sent until acknowledged.
//!
//! Services make every step and compensation idempotent by the key (saga,
//! action) and tombstone compensations that overtake their step
//! ([`ledger`]). They reject forward steps at configured rates (and when
//! out of stock) and can be slow.
//!
//! # Checkers and variants
//!
//! [`termination`] (every saga ends; eventually), [`effects`] (a
//! compensated saga leaves nothing, a completed one exactly its effects),
//! [`payments`] (no double charge, refunds ≤ charges), [`stock`] (stock
//! never negative, releases ≤ reservations), [`progress`] (orders complete
//! in quiet windows), all over the typed [`event`]s
//! the nodes record (folded per saga in [`facts`]); [`situations`] names
//! the fault paths a scenario should reach; [`metrics`]. The buggy
//! [`variant`]s reproduce the mistakes of naive saga code: a charge without
//! an idempotency key, saga state kept in memory, a compensation tried once
//! and logged, no step timeout, a release without an idempotency key, and a
//! circuit breaker whose open period is read in the wrong unit (the shop
//! stays safe, but no saga completes: [`progress`] sees it).

pub(crate) mod backoff;
pub(crate) mod breaker;
pub(crate) mod budget;
pub(crate) mod bulkhead;
pub(crate) mod choreography;
pub(crate) mod effects;
pub(crate) mod event;
pub(crate) mod facts;
pub(crate) mod guard;
pub(crate) mod layout;
pub(crate) mod ledger;
pub(crate) mod log;
pub(crate) mod metrics;
pub(crate) mod msg;
pub(crate) mod node;
pub(crate) mod orchestrator;
pub(crate) mod outbox;
pub(crate) mod params;
pub(crate) mod payments;
pub(crate) mod progress;
pub(crate) mod service;
pub(crate) mod situations;
pub(crate) mod stock;
pub(crate) mod termination;
pub(crate) mod variant;

#[cfg(test)]
mod coverage_tests;
#[cfg(test)]
mod tests;

pub use event::Event;
pub use layout::Layout;
pub use msg::Msg;
pub use node::{PlaceOrder, SagaNode};
pub use params::Params;
pub use variant::Variant;

use crate::check::{CheckContext, Checker, CheckerInfo};
use crate::history::History;
use crate::metric::Metric;
use crate::model::{Model, ModelError, NodeSpec, OpInfo};
use crate::node::NodeId;
use crate::storage::Storage;
use msg::Order;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// The saga model.
#[derive(Debug, Clone)]
pub struct SagaModel {
    layout: Arc<Layout>,
}

impl SagaModel {
    /// The cluster layout (variant, params).
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The checkers; retry-budget judges an orchestrator's calls, and the
    /// choreography variant has none (its outbox re-sends until acked).
    fn all_checkers(params: &Params, orchestrated: bool) -> Vec<Box<dyn Checker<Event>>> {
        let mut checkers: Vec<Box<dyn Checker<Event>>> = vec![
            Box::new(termination::SagaTermination {
                settle_us: params.settle_ms * 1_000,
            }),
            Box::new(effects::SagaEffects),
            Box::new(payments::PaymentSafety),
            Box::new(stock::StockSafety {
                stock_per_sku: params.stock_per_sku,
            }),
            Box::new(progress::SagaProgress::of(params)),
        ];
        if orchestrated {
            checkers.push(Box::new(budget::RetryBudget {
                max_attempts: params.max_attempts,
            }));
        }
        checkers
    }
}

impl Model for SagaModel {
    const NAME: &'static str = "saga";
    const DESCRIPTION: &'static str =
        "order-fulfilment sagas (order, inventory, payment, shipping), orchestrated or choreographed, with idempotency keys, retries, circuit breakers and bulkheads";
    type Params = Params;
    type Variant = Variant;
    const CHECKERS: &'static [CheckerInfo] = &[
        termination::SagaTermination::INFO,
        effects::SagaEffects::INFO,
        payments::PaymentSafety::INFO,
        stock::StockSafety::INFO,
        progress::SagaProgress::INFO,
        budget::RetryBudget::INFO,
    ];
    /// Roles as announced (`Ctx::set_role`) or laid out (`NodeSpec::role`).
    const ROLES: Option<&'static [&'static str]> = Some(&["entry", "service"]);
    type Node = SagaNode;
    type Op = PlaceOrder;
    type Event = Event;

    fn ops() -> &'static [OpInfo] {
        &[OpInfo {
            name: "order",
            description: "place an order: ok when its saga completed, fail when it was compensated",
            default_weight: 1,
        }]
    }

    fn new(variant: Variant, servers: usize, params: Params) -> Result<Self, ModelError> {
        if servers != 1 {
            return Err(ModelError::Invalid(format!(
                "saga takes nodes = 1 (the orchestrator, or the order service in choreography; the other services are added), found {servers}"
            )));
        }
        params.validate()?;
        let layout = Arc::new(Layout { variant, params });
        Ok(SagaModel { layout })
    }

    fn nodes(&self) -> Vec<NodeSpec> {
        (0..self.layout.node_count())
            .map(|id| NodeSpec {
                name: self.layout.name(id),
                role: node::role(id),
                faultable: true,
                serves_clients: id == 0,
            })
            .collect()
    }

    fn build(&self, id: NodeId, storage: &Storage) -> SagaNode {
        SagaNode::build(&self.layout, id, storage)
    }

    fn make_op(&mut self, f: &str, rng: &mut ChaCha8Rng) -> PlaceOrder {
        assert_eq!(f, "order", "the saga model has one op, \"order\"");
        let p = &self.layout.params;
        let order = Order {
            id: rng.gen_range(1..1u64 << 53),
            customer: rng.gen_range(1..=1_000),
            sku: rng.gen_range(0..p.skus),
            qty: rng.gen_range(1..=p.qty_max),
            amount: rng.gen_range(1..=p.amount_max),
        };
        PlaceOrder {
            f: "order",
            key: order.id,
            value: order,
        }
    }

    fn checkers(&self) -> Vec<Box<dyn Checker<Event>>> {
        Self::all_checkers(&self.layout.params, self.layout.variant.orchestrated())
    }

    fn situations() -> &'static [crate::check::situation::Situation<Event>] {
        situations::SITUATIONS
    }

    fn metrics(&self, history: &History<Event>, _ctx: &CheckContext) -> Vec<Metric> {
        metrics::metrics(history)
    }
}
