//! The read models and how a projector updates them, one event at a time.
//!
//! A read model is a small key/value table of JSON rows: `order/<id>` rows
//! (the order view), `customer/<id>` rows (per-customer totals) or the one
//! `status` row (orders by status). [`apply`] is the projector's handler:
//! it increments, as the seed catalogue's projections do, so applying an
//! event twice counts it twice; only the caller's position check makes it
//! idempotent. The checkers recompute the same tables declaratively from
//! the whole log (see `projection`), not with this code.

use super::aggregate::Status;
use super::event::{Body, Event};
use super::layout::ReadModel;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A read model's rows by key.
pub type Rows = BTreeMap<String, Value>;

/// A row of the order view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderRow {
    /// Who placed the order.
    pub customer: u64,
    /// Where it is in its lifecycle.
    pub status: Status,
    /// Items added.
    pub items: u64,
    /// Sum of the items' amounts.
    pub total: u64,
}

/// A row of the per-customer totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustomerRow {
    /// Orders created.
    pub placed: u64,
    /// Orders cancelled.
    pub cancelled: u64,
    /// Amount paid over all orders.
    pub paid: u64,
}

/// The one row of the orders-by-status count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusRow {
    /// Orders open.
    pub open: i64,
    /// Orders paid.
    pub paid: i64,
    /// Orders cancelled.
    pub cancelled: i64,
}

/// The key of order `order`'s row.
pub fn order_key(order: u64) -> String {
    format!("order/{order}")
}

/// The key of customer `customer`'s row.
pub fn customer_key(customer: u64) -> String {
    format!("customer/{customer}")
}

/// The key of the status row.
pub const STATUS_KEY: &str = "status";

/// Every key `model` may hold, given the pools (for restoring from storage).
pub fn all_keys(model: ReadModel, orders: u64, customers: u64) -> Vec<String> {
    match model {
        ReadModel::Orders => (0..orders).map(order_key).collect(),
        ReadModel::Customers => (0..customers).map(customer_key).collect(),
        ReadModel::Status => vec![STATUS_KEY.to_string()],
    }
}

/// Applies `event` to `rows`; returns the keys it wrote. `customers` maps
/// an order to its customer (`order % customers`).
pub fn apply(model: ReadModel, rows: &mut Rows, event: &Event, customers: u64) -> Vec<String> {
    let customer = event.order % customers;
    match model {
        ReadModel::Orders => update(rows, order_key(event.order), |r: &mut OrderRow| {
            r.customer = customer;
            order_row(r, &event.body);
        }),
        ReadModel::Customers => match event.body {
            Body::ItemAdded { .. } => Vec::new(),
            body => update(
                rows,
                customer_key(customer),
                |r: &mut CustomerRow| match body {
                    Body::Created { .. } => r.placed += 1,
                    Body::Paid { amount } => r.paid += amount,
                    Body::Cancelled => r.cancelled += 1,
                    Body::ItemAdded { .. } => {}
                },
            ),
        },
        ReadModel::Status => match event.body {
            Body::ItemAdded { .. } => Vec::new(),
            body => update(rows, STATUS_KEY.to_string(), |r: &mut StatusRow| {
                status_row(r, body)
            }),
        },
    }
}

fn order_row(r: &mut OrderRow, body: &Body) {
    match *body {
        Body::Created { .. } => r.status = Status::Open,
        Body::ItemAdded { amount } => {
            r.items += 1;
            r.total += amount;
        }
        Body::Paid { .. } => r.status = Status::Paid,
        Body::Cancelled => r.status = Status::Cancelled,
    }
}

fn status_row(r: &mut StatusRow, body: Body) {
    match body {
        Body::Created { .. } => r.open += 1,
        Body::Paid { .. } => {
            r.open -= 1;
            r.paid += 1;
        }
        Body::Cancelled => {
            r.open -= 1;
            r.cancelled += 1;
        }
        Body::ItemAdded { .. } => {}
    }
}

fn update<T>(rows: &mut Rows, key: String, f: impl FnOnce(&mut T)) -> Vec<String>
where
    T: Default + Serialize + for<'de> Deserialize<'de>,
{
    let mut row: T = rows
        .get(&key)
        .map(|v| serde_json::from_value(v.clone()).expect("read-model rows decode"))
        .unwrap_or_default();
    f(&mut row);
    let value = serde_json::to_value(&row).expect("read-model rows encode");
    rows.insert(key.clone(), value);
    vec![key]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(order: u64, version: u64, body: Body) -> Event {
        Event {
            order,
            version,
            position: version,
            body,
        }
    }

    #[test]
    fn increments_per_model_and_twice_counts_twice() {
        let log = [
            ev(5, 1, Body::Created { customer: 1 }),
            ev(5, 2, Body::ItemAdded { amount: 3 }),
            ev(5, 3, Body::Paid { amount: 3 }),
        ];
        let mut orders = Rows::new();
        let mut status = Rows::new();
        for e in &log {
            apply(ReadModel::Orders, &mut orders, e, 4);
            apply(ReadModel::Status, &mut status, e, 4);
        }
        assert_eq!(
            orders["order/5"],
            json!({"customer": 1, "status": "paid", "items": 1, "total": 3})
        );
        assert_eq!(
            status["status"],
            json!({"open": 0, "paid": 1, "cancelled": 0})
        );
        let mut customers = Rows::new();
        apply(ReadModel::Customers, &mut customers, &log[2], 4);
        let keys = apply(ReadModel::Customers, &mut customers, &log[2], 4);
        assert_eq!(keys, vec!["customer/1".to_string()]);
        assert_eq!(customers["customer/1"]["paid"], json!(6));
        assert!(apply(ReadModel::Customers, &mut customers, &log[1], 4).is_empty());
    }
}
