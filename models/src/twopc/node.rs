//! The twopc model's node type: one enum over the two roles.

use super::coordinator::Coordinator;
use super::event::Event;
use super::layout::Layout;
use super::msg::Msg;
use super::op::Op;
use super::participant::Participant;
use super::Ctx;
use crate::node::{Node, NodeId, Outcome, RequestId, TimerId};
use crate::storage::Storage;
use std::sync::Arc;

/// Any node of a twopc cluster.
#[derive(Debug, Clone)]
pub enum TwoPcNode {
    /// A transaction coordinator (serves clients).
    Coordinator(Coordinator),
    /// A resource manager owning accounts.
    Participant(Participant),
}

impl TwoPcNode {
    /// Builds node `id` of `layout` from its durable `storage`.
    pub fn build(layout: &Arc<Layout>, id: NodeId, storage: &Storage) -> TwoPcNode {
        let layout = Arc::clone(layout);
        if layout.is_coordinator(id) {
            TwoPcNode::Coordinator(Coordinator::new(id, layout, storage))
        } else {
            TwoPcNode::Participant(Participant::new(id, layout, storage))
        }
    }

    /// The participant, if this is one (for tests).
    #[cfg(test)]
    pub fn as_participant(&self) -> Option<&Participant> {
        match self {
            TwoPcNode::Participant(p) => Some(p),
            TwoPcNode::Coordinator(_) => None,
        }
    }
}

impl Node for TwoPcNode {
    type Msg = Msg;
    type Op = Op;
    type Event = Event;

    fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        match self {
            TwoPcNode::Coordinator(c) => c.on_start(ctx),
            TwoPcNode::Participant(p) => p.on_start(ctx),
        }
    }

    fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        match self {
            TwoPcNode::Coordinator(c) => c.on_msg(ctx, from, msg),
            TwoPcNode::Participant(p) => p.on_msg(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerId) {
        match self {
            TwoPcNode::Coordinator(c) => c.on_timer(ctx, timer),
            TwoPcNode::Participant(p) => p.on_timer(ctx, timer),
        }
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_>, req: RequestId, op: Op) {
        match (self, op) {
            (TwoPcNode::Coordinator(c), Op::Transfer(t)) => c.on_transfer(ctx, req, t),
            (TwoPcNode::Participant(_), _) => {
                ctx.reply(req, Outcome::Fail, &"participants serve no clients")
            }
        }
    }
}
