//! The cqrs model's node type: one enum over the roles a node can play.

use super::bus::Bus;
use super::command::CommandHandler;
use super::event::Event;
use super::layout::Layout;
use super::msg::Msg;
use super::op::Op;
use super::projector::Projector;
use super::relay::Relay;
use super::store::Store;
use crate::node::{Node, NodeId, Outcome, RequestId, TimerId};
use crate::storage::Storage;
use serde_json::json;
use std::sync::Arc;

/// A cqrs handler's context: cqrs messages, cqrs events.
pub type Ctx<'a> = crate::node::Ctx<'a, Msg, Event>;

/// Any node of a cqrs cluster.
#[derive(Debug, Clone)]
pub enum CqrsNode {
    /// An application server handling commands.
    Command(CommandHandler),
    /// The event store with its outbox.
    Store(Store),
    /// The outbox relay.
    Relay(Relay),
    /// The event bus.
    Bus(Bus),
    /// A projector with its read model.
    Projector(Projector),
}

impl CqrsNode {
    /// Builds node `id` of `layout` from its durable `storage`.
    pub fn build(layout: &Arc<Layout>, id: NodeId, storage: &Storage) -> CqrsNode {
        let layout = Arc::clone(layout);
        match id {
            c if c < layout.commands => CqrsNode::Command(CommandHandler::new(layout)),
            s if s == layout.store() => CqrsNode::Store(Store::new(layout, storage)),
            r if r == layout.relay() => CqrsNode::Relay(Relay::new(layout)),
            b if b == layout.bus() => CqrsNode::Bus(Bus::new(layout, storage)),
            p => match layout.read_model(p) {
                Some(m) => CqrsNode::Projector(Projector::new(layout, m, storage)),
                None => panic!("no node {p} in a cluster of {}", layout.node_count()),
            },
        }
    }

    /// The projector, if this is one (for tests and tools).
    #[cfg(test)]
    pub fn as_projector(&self) -> Option<&Projector> {
        match self {
            CqrsNode::Projector(p) => Some(p),
            _ => None,
        }
    }
}

impl Node for CqrsNode {
    type Msg = Msg;
    type Op = Op;
    type Event = Event;

    fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        match self {
            CqrsNode::Command(c) => c.on_start(ctx),
            CqrsNode::Store(s) => s.on_start(ctx),
            CqrsNode::Relay(r) => r.on_start(ctx),
            CqrsNode::Bus(b) => b.on_start(ctx),
            CqrsNode::Projector(p) => p.on_start(ctx),
        }
    }

    fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        match self {
            CqrsNode::Command(c) => c.on_msg(ctx, msg),
            CqrsNode::Store(s) => s.on_msg(ctx, from, msg),
            CqrsNode::Relay(r) => r.on_msg(ctx, msg),
            CqrsNode::Bus(b) => b.on_msg(ctx, from, msg),
            CqrsNode::Projector(p) => p.on_msg(ctx, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerId) {
        match self {
            CqrsNode::Command(c) => c.on_timer(ctx, timer),
            CqrsNode::Store(_) => panic!("the store has no timers (got {timer})"),
            CqrsNode::Relay(r) => r.on_timer(ctx, timer),
            CqrsNode::Bus(b) => b.on_timer(ctx, timer),
            CqrsNode::Projector(p) => p.on_timer(ctx, timer),
        }
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_>, req: RequestId, op: Op) {
        match self {
            CqrsNode::Command(c) => c.on_client(ctx, req, op),
            CqrsNode::Projector(p) => p.on_client(ctx, req, op),
            _ => ctx.reply(req, Outcome::Fail, &json!({"error": "serves no clients"})),
        }
    }
}
