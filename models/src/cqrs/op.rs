//! The cqrs model's client operations.
//!
//! Writes (`create`, `add_item`, `pay`, `cancel`) go to a random command
//! handler and answer `ok {order, version, position}`, `fail {error}` when
//! the order's rules refuse them or conflicts persist, or `info` on
//! timeout. Reads go to the projector of their read model and answer
//! `ok {row, seen}` where `seen` lists `[order, version]`: the version of
//! each relevant order the read model reflects (so metrics can tell stale
//! reads and read-your-writes violations). `rebuild` resets one projector
//! and rebuilds it from the store, answering `ok {generation, events}`.

use super::layout::{Layout, ReadModel, READ_MODELS};
use crate::model::OpInfo;
use crate::node::NodeId;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// A client operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "f", rename_all = "snake_case")]
pub enum Op {
    /// Open order `key`.
    Create {
        /// The order.
        key: u64,
    },
    /// Add an item worth `value` to order `key`.
    AddItem {
        /// The order.
        key: u64,
        /// The item's price.
        value: u64,
    },
    /// Pay order `key`.
    Pay {
        /// The order.
        key: u64,
    },
    /// Cancel order `key`.
    Cancel {
        /// The order.
        key: u64,
    },
    /// Read order `key`'s view.
    ReadOrder {
        /// The order.
        key: u64,
    },
    /// Read customer `key`'s totals.
    ReadCustomer {
        /// The customer.
        key: u64,
    },
    /// Read the orders-by-status count.
    ReadStatus,
    /// Reset projector `key` and rebuild it from the event store.
    Rebuild {
        /// The projector's name.
        key: &'static str,
    },
}

/// The ops and their default weights.
pub const OPS: &[OpInfo] = &[
    op("create", "open an order", 4),
    op("add_item", "add an item to an open order", 8),
    op("pay", "pay an open order with items", 3),
    op("cancel", "cancel an open order", 1),
    op("read_order", "read an order's view (proj-orders)", 4),
    op(
        "read_customer",
        "read a customer's totals (proj-customers)",
        2,
    ),
    op(
        "read_status",
        "read the count of orders by status (proj-status)",
        2,
    ),
    op(
        "rebuild",
        "reset a random projector and rebuild it from the event store",
        0,
    ),
];

const fn op(name: &'static str, description: &'static str, default_weight: u32) -> OpInfo {
    OpInfo {
        name,
        description,
        default_weight,
    }
}

/// Largest item price.
pub const AMOUNT_MAX: u64 = 100;

impl Op {
    /// Makes an op of kind `f` for `layout`'s pools.
    pub fn make(layout: &Layout, f: &str, rng: &mut ChaCha8Rng) -> Op {
        let order = rng.gen_range(0..layout.params.orders);
        match f {
            "create" => Op::Create { key: order },
            "add_item" => Op::AddItem {
                key: order,
                value: rng.gen_range(1..=AMOUNT_MAX),
            },
            "pay" => Op::Pay { key: order },
            "cancel" => Op::Cancel { key: order },
            "read_order" => Op::ReadOrder { key: order },
            "read_customer" => Op::ReadCustomer {
                key: layout.customer(order),
            },
            "read_status" => Op::ReadStatus,
            "rebuild" => Op::Rebuild {
                key: READ_MODELS[rng.gen_range(0..READ_MODELS.len())].projector_name(),
            },
            other => panic!("the cqrs model has no op {other:?}"),
        }
    }

    /// The node that serves this op: a random command handler for writes,
    /// the read model's projector otherwise.
    pub fn route(&self, layout: &Layout, rng: &mut ChaCha8Rng) -> NodeId {
        match self {
            Op::ReadOrder { .. } => layout.projector(ReadModel::Orders),
            Op::ReadCustomer { .. } => layout.projector(ReadModel::Customers),
            Op::ReadStatus => layout.projector(ReadModel::Status),
            Op::Rebuild { key } => {
                let model = ReadModel::of_projector(key).expect("rebuild names a projector");
                layout.projector(model)
            }
            _ => rng.gen_range(0..layout.commands),
        }
    }
}
