//! Who is who in a saga cluster, shared by every node.
//!
//! Orchestrated: node 0 is the "orchestrator", then the services "order",
//! "inventory", "payment", "shipping". Choreographed: the four services
//! only, and "order" (node 0) takes the clients' orders.

use super::msg::Service;
use super::params::{Params, ServiceParams};
use super::variant::Variant;
use crate::node::NodeId;

/// The cluster layout plus the configuration every node reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The variant all nodes run.
    pub variant: Variant,
    /// The model's parameters.
    pub params: Params,
}

impl Layout {
    /// Node id of the orchestrator, if there is one.
    pub fn orchestrator(&self) -> Option<NodeId> {
        self.variant.orchestrated().then_some(0)
    }

    /// Node id of `service`.
    pub fn node_of(&self, service: Service) -> NodeId {
        service.index() + usize::from(self.variant.orchestrated())
    }

    /// The service node `id` runs, if it is a service.
    pub fn service_at(&self, id: NodeId) -> Option<Service> {
        let first = usize::from(self.variant.orchestrated());
        id.checked_sub(first)
            .and_then(|i| Service::ALL.get(i).copied())
    }

    /// Total number of nodes.
    pub fn node_count(&self) -> usize {
        Service::ALL.len() + usize::from(self.variant.orchestrated())
    }

    /// Node `id`'s name.
    pub fn name(&self, id: NodeId) -> String {
        match self.service_at(id) {
            Some(s) => s.name().to_string(),
            None if Some(id) == self.orchestrator() => "orchestrator".into(),
            None => panic!("no node {id} in a cluster of {}", self.node_count()),
        }
    }

    /// `service`'s parameters.
    pub fn service(&self, service: Service) -> &ServiceParams {
        match service {
            Service::Order => &self.params.order,
            Service::Inventory => &self.params.inventory,
            Service::Payment => &self.params.payment,
            Service::Shipping => &self.params.shipping,
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
    fn services_follow_the_orchestrator() {
        let mut l = Layout {
            variant: Variant::Correct,
            params: Params::default(),
        };
        assert_eq!(l.node_of(Service::Order), 1);
        assert_eq!(l.service_at(4), Some(Service::Shipping));
        assert_eq!(l.name(0), "orchestrator");
        l.variant = Variant::Choreography;
        assert_eq!(l.node_of(Service::Order), 0);
        assert_eq!(l.node_count(), 4);
        assert_eq!(l.service_at(4), None);
    }
}
