//! The choreographed flow: which service reacts to which event, with what
//! local transaction, and what it announces next.
//!
//! ```text
//! order:created ─▶ inventory:reserve ─ok─▶ payment:charge ─ok─▶ shipping:ship ─ok─▶ order:confirm  (completed)
//!                        │no                   │declined              │no
//!                        ▼                     ▼                      ▼
//!                  order:cancel      inventory:release        payment:refund ─▶ inventory:release
//!                  (compensated)      ─▶ order:cancel          ─▶ order:cancel   (compensated)
//! ```
//!
//! Each arrow is a [`SagaEvent`] carried by `Msg::Event` and re-sent from
//! the producer's outbox until acknowledged.

use super::msg::{Action, SagaEvent, Service};

/// What follows a local transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Announce `event` to `service`.
    Emit(SagaEvent, Service),
    /// The saga completed.
    Completed,
    /// The saga is compensated.
    Compensated,
}

/// How a service reacts to an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reaction {
    /// The service that consumes the event.
    pub service: Service,
    /// Its local transaction.
    pub action: Action,
    /// What follows if it was applied.
    pub applied: Next,
    /// What follows if it was rejected (compensations are never rejected).
    pub rejected: Next,
}

/// The reaction to `event`.
pub fn reaction(event: SagaEvent) -> Reaction {
    use Next::{Compensated, Completed, Emit};
    use SagaEvent as E;
    use Service::{Inventory, Order, Payment, Shipping};
    let r = |service, action, applied, rejected| Reaction {
        service,
        action,
        applied,
        rejected,
    };
    let release = r(
        Inventory,
        Action::Release,
        Emit(E::InventoryReleased, Order),
        Compensated,
    );
    match event {
        E::OrderCreated => r(
            Inventory,
            Action::Reserve,
            Emit(E::InventoryReserved, Payment),
            Emit(E::InventoryRejected, Order),
        ),
        E::InventoryReserved => r(
            Payment,
            Action::Charge,
            Emit(E::PaymentCharged, Shipping),
            Emit(E::PaymentDeclined, Inventory),
        ),
        E::PaymentCharged => r(
            Shipping,
            Action::Ship,
            Emit(E::ShipmentCreated, Order),
            Emit(E::ShipmentRejected, Payment),
        ),
        E::ShipmentCreated => r(Order, Action::Confirm, Completed, Completed),
        E::ShipmentRejected => r(
            Payment,
            Action::Refund,
            Emit(E::PaymentRefunded, Inventory),
            Compensated,
        ),
        E::PaymentDeclined | E::PaymentRefunded => release,
        E::InventoryRejected | E::InventoryReleased => {
            r(Order, Action::CancelOrder, Compensated, Compensated)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_emitted_event_is_consumed_by_its_addressee() {
        let all = [
            SagaEvent::OrderCreated,
            SagaEvent::InventoryReserved,
            SagaEvent::InventoryRejected,
            SagaEvent::PaymentCharged,
            SagaEvent::PaymentDeclined,
            SagaEvent::ShipmentCreated,
            SagaEvent::ShipmentRejected,
            SagaEvent::PaymentRefunded,
            SagaEvent::InventoryReleased,
        ];
        for e in all {
            let r = reaction(e);
            assert_eq!(r.action.service(), r.service, "{e:?}");
            for next in [r.applied, r.rejected] {
                if let Next::Emit(ev, to) = next {
                    assert_eq!(reaction(ev).service, to, "{e:?} -> {ev:?}");
                }
            }
        }
    }
}
