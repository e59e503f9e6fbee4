//! CQRS with event sourcing: an order system whose write side appends to an
//! event store and whose read sides are projections fed by an
//! at-least-once bus through a transactional outbox.
//!
//! # The system (Young, "CQRS Documents", 2010; Fowler, "Event Sourcing",
//! # 2005; Richardson, "Pattern: Transactional outbox")
//!
//! - **Command side** ([`command`]): a command (create, add item, pay,
//!   cancel) is validated against the order aggregate rebuilt from its
//!   events ([`aggregate`]) and appended to the [`store`] with the version
//!   it was decided on; a concurrent append makes the store refuse it
//!   (optimistic concurrency) and the handler reloads and retries.
//! - **Outbox and relay** ([`store`], [`relay`]): the store writes an outbox
//!   entry with each event in the same durable write; the relay publishes
//!   outbox entries to the [`bus`] and then marks them published. After a
//!   crash it publishes them again: the bus is at-least-once. Partitions of
//!   the bus interleave freely, so events of different orders reorder.
//! - **Projectors** ([`projector`], [`views`]): three nodes, one per read
//!   model (order view, per-customer totals, orders by status), each saving
//!   a checkpoint (last applied version per order) in the same write as its
//!   rows; a delivery the checkpoint covers is skipped.
//! - **Query side** ([`query`]): reads are answered from a read model and
//!   may be stale; the answer says which versions it reflects.
//! - **Rebuild** ([`rebuild`]): a projector can be reset and rebuilt from
//!   the store's log.
//!
//! # Checkers and metrics
//!
//! [`versions`] (`version-integrity`, always), [`delivery`]
//! (`exactly-once-apply`, always), [`projection`]
//! (`projection-correctness`, eventually), [`progress`]
//! (`command-query-progress`: commands decided, queries answered and
//! conflicts retried in quiet windows); the [`situations`] its scenarios
//! are meant to reach; [`metrics`] and [`reads`]:
//! projection lag over time, stale reads, read-your-writes violations,
//! rebuild time. All read the typed protocol events ([`event`]) through
//! [`timeline`].
//!
//! # Variants
//!
//! See [`variant`]: `dual-write`, `non-idempotent-projector`,
//! `checkpoint-first`, `no-expected-version` reproduce the seed
//! catalogue's naive code.

pub(crate) mod aggregate;
pub(crate) mod bus;
pub(crate) mod command;
pub(crate) mod delivery;
pub(crate) mod domain;
pub(crate) mod event;
pub(crate) mod layout;
pub(crate) mod lifecycle;
pub(crate) mod metrics;
pub(crate) mod msg;
pub(crate) mod node;
pub(crate) mod op;
pub(crate) mod params;
pub(crate) mod progress;
pub(crate) mod projection;
pub(crate) mod projector;
pub(crate) mod query;
pub(crate) mod reads;
pub(crate) mod rebuild;
pub(crate) mod refusals;
pub(crate) mod relay;
pub(crate) mod situations;
pub(crate) mod store;
pub(crate) mod timeline;
pub(crate) mod variant;
pub(crate) mod versions;
pub(crate) mod views;

#[cfg(test)]
mod tests;

pub use delivery::ExactlyOnceApply;
pub use event::Event;
pub use layout::{Layout, ReadModel};
pub use lifecycle::OrderLifecycle;
pub use msg::Msg;
pub use node::CqrsNode;
pub use op::Op;
pub use params::Params;
pub use progress::CommandQueryProgress;
pub use projection::ProjectionCorrectness;
pub use variant::Variant;
pub use versions::VersionIntegrity;

use crate::check::situation::Situation;
use crate::check::{CheckContext, Checker, CheckerInfo};
use crate::history::History;
use crate::metric::Metric;
use crate::model::{Model, ModelError, NodeSpec, OpInfo};
use crate::node::NodeId;
use crate::storage::Storage;
use layout::READ_MODELS;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// The cqrs model.
#[derive(Debug, Clone)]
pub struct CqrsModel {
    layout: Arc<Layout>,
}

impl CqrsModel {
    /// The cluster layout (variant, command handlers, params).
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    fn all_checkers(params: &Params) -> Vec<Box<dyn Checker<Event>>> {
        vec![
            Box::new(VersionIntegrity),
            Box::new(OrderLifecycle {
                customers: params.customers,
            }),
            Box::new(ExactlyOnceApply),
            Box::new(ProjectionCorrectness {
                customers: params.customers,
            }),
            Box::new(CommandQueryProgress::new(params)),
        ]
    }
}

impl Model for CqrsModel {
    const NAME: &'static str = "cqrs";
    const DESCRIPTION: &'static str =
        "CQRS order system: event store with optimistic concurrency, transactional outbox and relay, at-least-once bus, projectors with checkpoints, rebuild";
    type Params = Params;
    type Variant = Variant;
    const CHECKERS: &'static [CheckerInfo] = &[
        VersionIntegrity::INFO,
        OrderLifecycle::INFO,
        ExactlyOnceApply::INFO,
        ProjectionCorrectness::INFO,
        CommandQueryProgress::INFO,
    ];
    /// Roles as announced (`Ctx::set_role`) or laid out (`NodeSpec::role`).
    const ROLES: Option<&'static [&'static str]> =
        Some(&["command", "store", "relay", "bus", "projector"]);
    type Node = CqrsNode;
    type Event = Event;
    type Op = Op;

    fn ops() -> &'static [OpInfo] {
        op::OPS
    }

    fn new(variant: Variant, commands: usize, params: Params) -> Result<Self, ModelError> {
        let names: Vec<&str> = READ_MODELS.iter().map(|m| m.projector_name()).collect();
        params.validate(commands, &names)?;
        let layout = Layout {
            variant,
            commands,
            params,
        };
        Ok(CqrsModel {
            layout: Arc::new(layout),
        })
    }

    fn nodes(&self) -> Vec<NodeSpec> {
        let l = &self.layout;
        let spec = |id: NodeId, role: &'static str, serves_clients: bool| NodeSpec {
            name: l.name(id),
            role,
            faultable: true,
            serves_clients,
        };
        let mut nodes: Vec<NodeSpec> = (0..l.commands).map(|c| spec(c, "command", true)).collect();
        nodes.push(spec(l.store(), "store", false));
        nodes.push(spec(l.relay(), "relay", false));
        nodes.push(spec(l.bus(), "bus", false));
        nodes.extend(l.projectors().map(|p| spec(p, "projector", true)));
        assert_eq!(nodes.len(), l.node_count(), "layout and node list agree");
        nodes
    }

    fn build(&self, id: NodeId, storage: &Storage) -> CqrsNode {
        CqrsNode::build(&self.layout, id, storage)
    }

    fn make_op(&mut self, f: &str, rng: &mut ChaCha8Rng) -> Op {
        Op::make(&self.layout, f, rng)
    }

    fn route(&self, op: &Op, _servers: &[NodeId], rng: &mut ChaCha8Rng) -> NodeId {
        op.route(&self.layout, rng)
    }

    fn checkers(&self) -> Vec<Box<dyn Checker<Event>>> {
        Self::all_checkers(&self.layout.params)
    }

    fn situations() -> &'static [Situation<Event>] {
        situations::SITUATIONS
    }

    fn metrics(&self, history: &History<Event>, _ctx: &CheckContext) -> Vec<Metric> {
        let p = &self.layout.params;
        metrics::metrics(history, p.orders, p.customers)
    }
}
