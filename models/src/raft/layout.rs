//! Who is who in a raft-model cluster, shared by every node.
//!
//! `NodeId`s `0..servers` are the servers "n1".."nN"; then the shared
//! "resource"; then, in the lease variants only, the "lock" service.

use super::params::Params;
use super::variant::Variant;
use crate::node::NodeId;

/// The cluster layout plus the configuration every node reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The variant all nodes run.
    pub variant: Variant,
    /// Number of servers.
    pub servers: usize,
    /// The model's parameters.
    pub params: Params,
}

impl Layout {
    /// The shared resource's id.
    pub fn resource(&self) -> NodeId {
        self.servers
    }

    /// The lock service's id (lease variants only).
    pub fn lock(&self) -> Option<NodeId> {
        self.variant.uses_lease().then_some(self.servers + 1)
    }

    /// Total number of nodes.
    pub fn node_count(&self) -> usize {
        self.servers + 1 + usize::from(self.variant.uses_lease())
    }

    /// Whether `id` is a server.
    pub fn is_server(&self, id: NodeId) -> bool {
        id < self.servers
    }

    /// Votes needed to win an election: a strict majority of servers.
    pub fn quorum(&self) -> usize {
        self.servers / 2 + 1
    }

    /// The server ids other than `me`.
    pub fn peers(&self, me: NodeId) -> impl Iterator<Item = NodeId> {
        (0..self.servers).filter(move |&p| p != me)
    }

    /// Node `id`'s name.
    pub fn name(&self, id: NodeId) -> String {
        match id {
            s if s < self.servers => server_name(s),
            r if r == self.servers => "resource".into(),
            l if Some(l) == self.lock() => "lock".into(),
            other => panic!("no node {other} in a cluster of {}", self.node_count()),
        }
    }
}

/// The name of server `id`: "n1" for id 0.
pub fn server_name(id: NodeId) -> String {
    format!("n{}", id + 1)
}

/// Milliseconds to microseconds.
pub fn us(ms: u64) -> u64 {
    ms * 1_000
}
