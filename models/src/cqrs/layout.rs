//! Who is who in a cqrs cluster, shared by every node.
//!
//! `NodeId`s `0..commands` are the command handlers "cmd1".."cmdN" (the
//! scenario's `nodes`); then the event "store", the outbox "relay", the
//! event "bus", and one projector per read model: "proj-orders",
//! "proj-customers", "proj-status".

use super::params::Params;
use super::variant::Variant;
use crate::node::NodeId;

/// The read model a projector maintains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReadModel {
    /// One view per order: customer, status, items, total.
    Orders,
    /// Per customer: orders placed, orders cancelled, amount paid.
    Customers,
    /// How many orders are open, paid, cancelled.
    Status,
}

/// Every read model, in projector order.
pub const READ_MODELS: [ReadModel; 3] =
    [ReadModel::Orders, ReadModel::Customers, ReadModel::Status];

impl ReadModel {
    /// The projector's node name.
    pub fn projector_name(self) -> &'static str {
        match self {
            ReadModel::Orders => "proj-orders",
            ReadModel::Customers => "proj-customers",
            ReadModel::Status => "proj-status",
        }
    }

    /// The read model named by its projector, if any.
    pub fn of_projector(name: &str) -> Option<ReadModel> {
        READ_MODELS.into_iter().find(|m| m.projector_name() == name)
    }
}

/// The cluster layout plus the configuration every node reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The variant all nodes run.
    pub variant: Variant,
    /// Number of command handlers.
    pub commands: usize,
    /// The model's parameters.
    pub params: Params,
}

impl Layout {
    /// The event store's id.
    pub fn store(&self) -> NodeId {
        self.commands
    }

    /// The outbox relay's id.
    pub fn relay(&self) -> NodeId {
        self.commands + 1
    }

    /// The event bus's id.
    pub fn bus(&self) -> NodeId {
        self.commands + 2
    }

    /// The id of the projector maintaining `model`.
    pub fn projector(&self, model: ReadModel) -> NodeId {
        let index = READ_MODELS
            .iter()
            .position(|&m| m == model)
            .expect("every read model has a projector");
        self.commands + 3 + index
    }

    /// The read model of node `id`, if it is a projector.
    pub fn read_model(&self, id: NodeId) -> Option<ReadModel> {
        id.checked_sub(self.commands + 3)
            .and_then(|i| READ_MODELS.get(i).copied())
    }

    /// The projectors' ids.
    pub fn projectors(&self) -> impl Iterator<Item = NodeId> + '_ {
        READ_MODELS.iter().map(|&m| self.projector(m))
    }

    /// Total number of nodes.
    pub fn node_count(&self) -> usize {
        self.commands + 3 + READ_MODELS.len()
    }

    /// The bus partition of order `order`.
    pub fn partition(&self, order: u64) -> u64 {
        order % self.params.partitions
    }

    /// The customer who placed order `order`.
    pub fn customer(&self, order: u64) -> u64 {
        order % self.params.customers
    }

    /// Node `id`'s name.
    pub fn name(&self, id: NodeId) -> String {
        match id {
            c if c < self.commands => format!("cmd{}", c + 1),
            s if s == self.store() => "store".into(),
            r if r == self.relay() => "relay".into(),
            b if b == self.bus() => "bus".into(),
            p => match self.read_model(p) {
                Some(m) => m.projector_name().into(),
                None => panic!("no node {p} in a cluster of {}", self.node_count()),
            },
        }
    }
}

/// Milliseconds to microseconds.
pub fn us(ms: u64) -> u64 {
    ms * 1_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_agree() {
        let l = Layout {
            variant: Variant::Correct,
            commands: 2,
            params: Params::default(),
        };
        let names: Vec<_> = (0..l.node_count()).map(|i| l.name(i)).collect();
        assert_eq!(
            names,
            [
                "cmd1",
                "cmd2",
                "store",
                "relay",
                "bus",
                "proj-orders",
                "proj-customers",
                "proj-status"
            ]
        );
        assert_eq!(
            l.read_model(l.projector(ReadModel::Status)),
            Some(ReadModel::Status)
        );
        assert_eq!(l.read_model(l.bus()), None);
        assert_eq!(
            ReadModel::of_projector("proj-customers"),
            Some(ReadModel::Customers)
        );
    }
}
