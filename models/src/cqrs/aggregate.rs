//! The order aggregate: its state folded from its events, and the rules a
//! command must pass before its event may be appended.
//!
//! An order is created once, collects items while open, and ends paid (only
//! with at least one item) or cancelled. A command handler rebuilds this
//! state from the stream on every command (event sourcing; Fowler, "Event
//! Sourcing", 2005) and appends with the stream's version as the expected
//! version, so a concurrent append makes it reload and decide again.

use super::domain::Body;
use serde::{Deserialize, Serialize};

/// An order's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Created, taking items.
    #[default]
    Open,
    /// Paid (final).
    Paid,
    /// Cancelled (final).
    Cancelled,
}

/// A command on one order, as a client asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// Open the order for `customer`.
    Create {
        /// Who places it.
        customer: u64,
    },
    /// Add an item worth `amount`.
    AddItem {
        /// Its price.
        amount: u64,
    },
    /// Pay the order's total.
    Pay,
    /// Cancel the open order.
    Cancel,
}

/// The aggregate: the order's state at `version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Aggregate {
    /// Events folded so far (the stream's version).
    pub version: u64,
    /// None until created.
    pub status: Option<Status>,
    /// Sum of the items' amounts.
    pub total: u64,
}

/// Every reason [`Aggregate::decide`] refuses a command for: the order's
/// rules, as opposed to contention ("conflict") or load ("overloaded").
pub const REFUSALS: [&str; 4] = [
    "order exists",
    "no such order",
    "nothing to pay",
    "order is closed",
];

impl Aggregate {
    /// Folds `bodies` (the whole stream, in version order).
    pub fn of<'a>(bodies: impl IntoIterator<Item = &'a Body>) -> Aggregate {
        let mut a = Aggregate::default();
        for body in bodies {
            a.evolve(body);
        }
        a
    }

    /// Applies one event.
    pub fn evolve(&mut self, body: &Body) {
        self.version += 1;
        match *body {
            Body::Created { .. } => self.status = Some(Status::Open),
            Body::ItemAdded { amount } => self.total += amount,
            Body::Paid { .. } => self.status = Some(Status::Paid),
            Body::Cancelled => self.status = Some(Status::Cancelled),
        }
    }

    /// The event `cmd` produces, or why it is refused (one of [`REFUSALS`]).
    pub fn decide(&self, cmd: Command) -> Result<Body, &'static str> {
        match (cmd, self.status) {
            (Command::Create { customer }, None) => Ok(Body::Created { customer }),
            (Command::Create { .. }, Some(_)) => Err("order exists"),
            (_, None) => Err("no such order"),
            (Command::AddItem { amount }, Some(Status::Open)) => Ok(Body::ItemAdded { amount }),
            (Command::Pay, Some(Status::Open)) if self.total > 0 => {
                Ok(Body::Paid { amount: self.total })
            }
            (Command::Pay, Some(Status::Open)) => Err("nothing to pay"),
            (Command::Cancel, Some(Status::Open)) => Ok(Body::Cancelled),
            (_, Some(_)) => Err("order is closed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_rules() {
        let mut a = Aggregate::default();
        assert_eq!(a.decide(Command::Pay), Err("no such order"));
        let created = a.decide(Command::Create { customer: 2 }).unwrap();
        a.evolve(&created);
        assert_eq!(
            a.decide(Command::Create { customer: 2 }),
            Err("order exists")
        );
        assert_eq!(a.decide(Command::Pay), Err("nothing to pay"));
        a.evolve(&a.decide(Command::AddItem { amount: 7 }).unwrap());
        assert_eq!(a.decide(Command::Pay), Ok(Body::Paid { amount: 7 }));
        a.evolve(&Body::Paid { amount: 7 });
        assert_eq!(a.decide(Command::Cancel), Err("order is closed"));
        assert_eq!(a.version, 3);
        assert_eq!(
            Aggregate::of(&[created, Body::Cancelled]).status,
            Some(Status::Cancelled)
        );
    }
}
