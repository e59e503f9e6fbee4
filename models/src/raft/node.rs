//! The raft model's node type: one enum over the roles a node can play.

use super::event::Event;
use super::layout::Layout;
use super::lease::LeaseServer;
use super::lock::LockService;
use super::msg::Msg;
use super::resource::Resource;
use super::server::Server;
use crate::node::{Node, NodeId, RequestId, TimerId};
use crate::storage::Storage;
use serde::Serialize;
use std::sync::Arc;

/// The handler context of every raft-model node.
pub type Ctx<'a> = crate::node::Ctx<'a, Msg, Event>;

/// A client operation of the raft model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "f", rename_all = "lowercase")]
pub enum Op {
    /// "Who leads?": Ok `{"leader": name, "term": t}` if the server knows
    /// a leader, Fail `{"leader": null, "term": t}` otherwise.
    Leader,
}

/// Any node of a raft-model cluster.
#[derive(Debug, Clone)]
pub enum RaftNode {
    /// A Raft server (raft variants).
    Server(Server),
    /// A server that leads by lease (lease variants).
    LeaseServer(LeaseServer),
    /// The TTL lock service (lease variants).
    Lock(LockService),
    /// The shared resource leaders write to.
    Resource(Resource),
}

impl RaftNode {
    /// Builds node `id` of `layout` from its durable `storage`.
    pub fn build(layout: &Arc<Layout>, id: NodeId, storage: &Storage) -> RaftNode {
        let layout = Arc::clone(layout);
        match id {
            s if layout.is_server(s) && layout.variant.uses_lease() => {
                RaftNode::LeaseServer(LeaseServer::new(s, layout))
            }
            s if layout.is_server(s) => RaftNode::Server(Server::new(s, layout, storage)),
            r if r == layout.resource() => RaftNode::Resource(Resource::new(layout, storage)),
            l if Some(l) == layout.lock() => RaftNode::Lock(LockService::new(layout, storage)),
            other => panic!("no node {other} in a cluster of {}", layout.node_count()),
        }
    }
}

impl Node for RaftNode {
    type Msg = Msg;
    type Op = Op;
    type Event = Event;

    fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        match self {
            RaftNode::Server(s) => s.on_start(ctx),
            RaftNode::LeaseServer(s) => s.on_start(ctx),
            RaftNode::Lock(_) | RaftNode::Resource(_) => {}
        }
    }

    fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        match self {
            RaftNode::Server(s) => s.on_msg(ctx, from, msg),
            RaftNode::LeaseServer(s) => s.on_msg(ctx, from, msg),
            RaftNode::Lock(l) => l.on_msg(ctx, from, msg),
            RaftNode::Resource(r) => r.on_msg(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerId) {
        match self {
            RaftNode::Server(s) => s.on_timer(ctx, timer),
            RaftNode::LeaseServer(s) => s.on_timer(ctx, timer),
            RaftNode::Lock(_) | RaftNode::Resource(_) => panic!("helper got timer {timer}"),
        }
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_>, req: RequestId, op: Op) {
        let Op::Leader = op;
        match self {
            RaftNode::Server(s) => s.on_client(ctx, req),
            RaftNode::LeaseServer(s) => s.on_client(ctx, req),
            RaftNode::Lock(_) | RaftNode::Resource(_) => {
                ctx.reply(
                    req,
                    crate::node::Outcome::Fail,
                    &"this node serves no clients",
                );
            }
        }
    }
}
