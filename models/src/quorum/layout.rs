//! Who replicates what: a fixed ring of servers, N consecutive per key.
//!
//! Key `k`'s preference list is the N servers starting at `k mod servers`
//! (Dynamo §4.3 with one token per server, in name order). With as many
//! servers as replicas, every server holds every key.

use super::params::Params;
use super::variant::Variant;
use crate::node::NodeId;

/// The cluster's shape, shared by every node and checker.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The variant.
    pub variant: Variant,
    /// Number of servers.
    pub servers: usize,
    /// The parameters.
    pub params: Params,
}

impl Layout {
    /// Key `key`'s replicas, in preference order.
    pub fn replicas(&self, key: u32) -> Vec<NodeId> {
        assert!(self.servers > 0, "a layout has servers");
        let start = key as usize % self.servers;
        (0..self.params.n)
            .map(|i| (start + i) % self.servers)
            .collect()
    }

    /// True when `node` replicates `key`.
    pub fn is_replica(&self, node: NodeId, key: u32) -> bool {
        let offset = (node + self.servers - key as usize % self.servers) % self.servers;
        offset < self.params.n
    }

    /// The keys `node` replicates, in order.
    pub fn keys_of(&self, node: NodeId) -> impl Iterator<Item = u32> + '_ {
        (0..self.params.keys).filter(move |&k| self.is_replica(node, k))
    }

    /// Acks a write waits for: W, or one in `sloppy-ack`.
    pub fn write_acks(&self) -> usize {
        match self.variant {
            Variant::SloppyAck => 1,
            _ => self.params.w,
        }
    }
}

/// The name of server `id`: "n1", "n2", ...
pub fn server_name(id: NodeId) -> String {
    format!("n{}", id + 1)
}
