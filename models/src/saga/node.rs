//! The saga model's node type (orchestrator or service) and client op.

use super::event::Event;
use super::layout::Layout;
use super::msg::{Msg, Order};
use super::orchestrator::Orchestrator;
use super::service::ServiceNode;
use crate::node::{Node, NodeId, RequestId, TimerId};
use crate::storage::Storage;
use serde::Serialize;
use std::sync::Arc;

/// The context every saga handler gets: saga messages out, saga events
/// recorded.
pub type Ctx<'a> = crate::node::Ctx<'a, Msg, Event>;

/// A client operation: place `value` (an order whose id is `key`).
/// Ok `{"saga", "status": "completed"}` when its saga completed, Fail
/// `{"saga", "status": "compensated"}` when it was compensated; a client
/// that waits longer records `info` (the saga still ends later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlaceOrder {
    /// Always "order".
    pub f: &'static str,
    /// The order id (the saga id).
    pub key: u64,
    /// The order.
    pub value: Order,
}

/// The role node `id` announces: "entry" for the node clients talk to
/// (the orchestrator, or the order service in choreography), else "service".
pub fn role(id: NodeId) -> &'static str {
    if id == 0 {
        "entry"
    } else {
        "service"
    }
}

/// Any node of a saga cluster.
#[derive(Debug, Clone)]
pub enum SagaNode {
    /// The orchestrator (orchestrated variants).
    Orchestrator(Orchestrator),
    /// A service.
    Service(ServiceNode),
}

impl SagaNode {
    /// Builds node `id` of `layout` from its durable `storage`.
    pub fn build(layout: &Arc<Layout>, id: NodeId, storage: &Storage) -> SagaNode {
        let layout = Arc::clone(layout);
        match layout.service_at(id) {
            Some(s) => SagaNode::Service(ServiceNode::new(layout, s, storage)),
            None if Some(id) == layout.orchestrator() => {
                SagaNode::Orchestrator(Orchestrator::new(layout))
            }
            None => panic!("no node {id} in a cluster of {}", layout.node_count()),
        }
    }

    /// The orchestrator, if this is it (for tests).
    #[cfg(test)]
    pub fn as_orchestrator(&self) -> Option<&Orchestrator> {
        match self {
            SagaNode::Orchestrator(o) => Some(o),
            SagaNode::Service(_) => None,
        }
    }
}

impl Node for SagaNode {
    type Msg = Msg;
    type Op = PlaceOrder;
    type Event = Event;

    fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_role(role(ctx.id));
        match self {
            SagaNode::Orchestrator(o) => o.on_start(ctx),
            SagaNode::Service(s) => s.on_start(ctx),
        }
    }

    fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        match (self, msg) {
            (
                SagaNode::Orchestrator(o),
                Msg::Reply {
                    saga,
                    action,
                    applied,
                },
            ) => o.on_reply(ctx, saga, action, applied),
            (SagaNode::Orchestrator(_), other) => panic!("orchestrator got {other:?}"),
            (SagaNode::Service(s), msg) => s.on_msg(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerId) {
        match self {
            SagaNode::Orchestrator(o) => o.on_timer(ctx, timer),
            SagaNode::Service(s) => s.on_timer(ctx, timer),
        }
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_>, req: RequestId, op: PlaceOrder) {
        match self {
            SagaNode::Orchestrator(o) => o.on_client(ctx, req, op.value),
            SagaNode::Service(s) => s.on_client(ctx, req, op.value),
        }
    }
}
