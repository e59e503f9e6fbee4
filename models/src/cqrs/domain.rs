//! Domain events of an order, as stored in the event store and carried by
//! the bus (not to be confused with the protocol events of the history,
//! [`super::event`]).
//!
//! An event belongs to one order (the aggregate, and the stream), has that
//! stream's `version` (1, 2, ...) and the store's global `position`
//! (1, 2, ... in append order). Projectors apply events idempotently by
//! `(order, version)`; the relay publishes by `position`.

use serde::{Deserialize, Serialize};

/// What happened to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// The order was opened for `customer`.
    Created {
        /// Who placed it.
        customer: u64,
    },
    /// An item worth `amount` was added.
    ItemAdded {
        /// The item's price.
        amount: u64,
    },
    /// The order was paid: `amount` is its total at that moment.
    Paid {
        /// The amount charged.
        amount: u64,
    },
    /// The open order was cancelled.
    Cancelled,
}

/// One stored domain event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DomainEvent {
    /// The order (aggregate and stream id).
    pub order: u64,
    /// Version within the order's stream, from 1.
    pub version: u64,
    /// Position in the store's global log, from 1.
    pub position: u64,
    /// What happened.
    pub body: Body,
}
