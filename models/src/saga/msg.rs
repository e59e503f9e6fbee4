//! The saga model's one closed message type and the vocabulary it carries.
//!
//! Orchestrated sagas use [`Msg::Request`] / [`Msg::Reply`]: the
//! orchestrator asks a service to run one local step or compensation,
//! identified by the idempotency key (saga id, action). Choreographed sagas
//! use [`Msg::Event`] / [`Msg::Ack`]: a service tells the next one what
//! happened, re-sending from its outbox until acknowledged.

use serde::{Deserialize, Serialize};

/// The services that own the saga's local transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// Orders: create, cancel, confirm.
    Order,
    /// Stock: reserve, release.
    Inventory,
    /// Money: charge, refund.
    Payment,
    /// Shipments: create, cancel.
    Shipping,
}

impl Service {
    /// Every service, in node order.
    pub const ALL: [Service; 4] = [
        Service::Order,
        Service::Inventory,
        Service::Payment,
        Service::Shipping,
    ];

    /// Position in [`Service::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The node name.
    pub fn name(self) -> &'static str {
        match self {
            Service::Order => "order",
            Service::Inventory => "inventory",
            Service::Payment => "payment",
            Service::Shipping => "shipping",
        }
    }
}

/// A local step or its compensation; with the saga id, the idempotency key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Create the order (PENDING).
    CreateOrder,
    /// Reserve the order's units.
    Reserve,
    /// Charge the customer.
    Charge,
    /// Create the shipment (the pivot: after it the saga only goes forward).
    Ship,
    /// Confirm the order (retried until done; never rejected).
    Confirm,
    /// Compensates `CreateOrder`.
    CancelOrder,
    /// Compensates `Reserve`.
    Release,
    /// Compensates `Charge`.
    Refund,
    /// Compensates `Ship`.
    CancelShipment,
}

impl Action {
    /// The forward steps in saga order.
    pub const FORWARD: [Action; 5] = [
        Action::CreateOrder,
        Action::Reserve,
        Action::Charge,
        Action::Ship,
        Action::Confirm,
    ];

    /// The service that runs it.
    pub fn service(self) -> Service {
        match self {
            Action::CreateOrder | Action::Confirm | Action::CancelOrder => Service::Order,
            Action::Reserve | Action::Release => Service::Inventory,
            Action::Charge | Action::Refund => Service::Payment,
            Action::Ship | Action::CancelShipment => Service::Shipping,
        }
    }

    /// The compensation of forward step `step` (`Confirm` has none).
    pub fn compensation(step: usize) -> Action {
        match Action::FORWARD[step] {
            Action::CreateOrder => Action::CancelOrder,
            Action::Reserve => Action::Release,
            Action::Charge => Action::Refund,
            Action::Ship => Action::CancelShipment,
            other => panic!("{other:?} has no compensation"),
        }
    }

    /// Whether this undoes a forward step.
    pub fn is_compensation(self) -> bool {
        matches!(
            self,
            Action::CancelOrder | Action::Release | Action::Refund | Action::CancelShipment
        )
    }
}

/// One customer order: the saga's input. `id` is the saga id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Order {
    /// Order id, chosen by the client; also the saga id.
    pub id: u64,
    /// Who pays.
    pub customer: u32,
    /// What is bought.
    pub sku: u32,
    /// How many units.
    pub qty: u32,
    /// What it costs.
    pub amount: u64,
}

/// A choreography event: what a service did for a saga.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SagaEvent {
    /// Order → inventory: the order exists.
    OrderCreated,
    /// Inventory → payment: units reserved.
    InventoryReserved,
    /// Inventory → order: out of stock.
    InventoryRejected,
    /// Payment → shipping: customer charged.
    PaymentCharged,
    /// Payment → inventory: card declined.
    PaymentDeclined,
    /// Shipping → order: shipment created.
    ShipmentCreated,
    /// Shipping → payment: cannot ship.
    ShipmentRejected,
    /// Payment → inventory: refunded after a failed shipment.
    PaymentRefunded,
    /// Inventory → order: units released after a failure downstream.
    InventoryReleased,
}

/// Every message any saga node sends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Orchestrator → service: run `action` for saga `order.id`; the pair is
    /// the idempotency key, so a retry returns the first answer. `attempt`
    /// counts from 1. Answered by [`Msg::Reply`].
    Request {
        /// The saga's order.
        order: Order,
        /// The step or compensation.
        action: Action,
        /// Which attempt this is.
        attempt: u32,
    },
    /// Service → orchestrator: `action` for `saga` is done (`applied`) or was
    /// rejected by the business rules (no effect). Compensations and
    /// `Confirm` are always applied. Not answered.
    Reply {
        /// The saga id.
        saga: u64,
        /// The step or compensation answered.
        action: Action,
        /// True if applied, false if rejected.
        applied: bool,
    },
    /// Service → service (choreography): `event` happened for `order`.
    /// Re-sent until acknowledged; the receiver reacts once. Answered by
    /// [`Msg::Ack`].
    Event {
        /// The saga's order.
        order: Order,
        /// What happened.
        event: SagaEvent,
    },
    /// Service → service (choreography): `event` of `saga` was received and
    /// handled durably; stop re-sending. Not answered.
    Ack {
        /// The saga id.
        saga: u64,
        /// The event acknowledged.
        event: SagaEvent,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensations_match_their_steps() {
        for step in 0..4 {
            let c = Action::compensation(step);
            assert!(c.is_compensation());
            assert_eq!(c.service(), Action::FORWARD[step].service());
        }
        assert!(!Action::Confirm.is_compensation());
    }
}
