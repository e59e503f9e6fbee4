//! The read models and how a projector updates them, one event at a time.
//!
//! A read model is a small key/value table of typed rows: `order/<id>` rows
//! (the order view), `customer/<id>` rows (per-customer totals) or the one
//! `status` row (orders by status); stored and answered as JSON. [`apply`] is the projector's handler:
//! it increments, as the seed catalogue's projections do, so applying an
//! event twice counts it twice; only the caller's position check makes it
//! idempotent. The checkers recompute the same tables declaratively from
//! the whole log (see `projection`), not with this code.

use super::aggregate::Status;
use super::domain::{Body, DomainEvent};
use super::layout::ReadModel;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// A read model's rows by key.
pub type Rows = BTreeMap<RowKey, Row>;

/// The key of a read-model row; as text `order/<id>`, `customer/<id>`, `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RowKey {
    /// Order `id`'s row of the order view.
    Order(u64),
    /// Customer `id`'s row of the per-customer totals.
    Customer(u64),
    /// The one row of the orders-by-status count.
    Status,
}

impl RowKey {
    /// The key written as `text`, if it is one.
    pub fn parse(text: &str) -> Option<RowKey> {
        if text == STATUS_KEY {
            return Some(RowKey::Status);
        }
        let (kind, id) = text.split_once('/')?;
        let id = id.parse().ok()?;
        match kind {
            "order" => Some(RowKey::Order(id)),
            "customer" => Some(RowKey::Customer(id)),
            _ => None,
        }
    }
}

impl RowKey {
    /// `rm/<key>`, the storage key of this row, as `format!("rm/{self}")`.
    pub fn storage_key(&self) -> String {
        match self {
            RowKey::Order(id) => crate::storage::numbered_key("rm/order/", *id),
            RowKey::Customer(id) => crate::storage::numbered_key("rm/customer/", *id),
            RowKey::Status => format!("rm/{STATUS_KEY}"),
        }
    }
}

impl fmt::Display for RowKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowKey::Order(id) => write!(f, "order/{id}"),
            RowKey::Customer(id) => write!(f, "customer/{id}"),
            RowKey::Status => f.write_str(STATUS_KEY),
        }
    }
}

impl Serialize for RowKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RowKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RowKey, D::Error> {
        let text = String::deserialize(d)?;
        RowKey::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a row key: {text:?}")))
    }
}

/// A row of any read model (as JSON: the row's own fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Row {
    /// An order view row.
    Order(OrderRow),
    /// A per-customer totals row.
    Customer(CustomerRow),
    /// The orders-by-status row.
    Status(StatusRow),
}

/// A row type of one read model, stored in a [`Row`].
trait RowKind: Default {
    fn wrap(self) -> Row;
    fn of(row: &mut Row) -> Option<&mut Self>;
}

macro_rules! row_kind {
    ($t:ty, $v:ident) => {
        impl RowKind for $t {
            fn wrap(self) -> Row {
                Row::$v(self)
            }
            fn of(row: &mut Row) -> Option<&mut Self> {
                match row {
                    Row::$v(r) => Some(r),
                    _ => None,
                }
            }
        }
    };
}
row_kind!(OrderRow, Order);
row_kind!(CustomerRow, Customer);
row_kind!(StatusRow, Status);

/// A row of the order view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CustomerRow {
    /// Orders created.
    pub placed: u64,
    /// Orders cancelled.
    pub cancelled: u64,
    /// Amount paid over all orders.
    pub paid: u64,
}

/// The one row of the orders-by-status count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct StatusRow {
    /// Orders open.
    pub open: i64,
    /// Orders paid.
    pub paid: i64,
    /// Orders cancelled.
    pub cancelled: i64,
}

/// The key of the status row, as text.
pub const STATUS_KEY: &str = "status";

/// Every key `model` may hold, given the pools (for restoring from storage).
pub fn all_keys(model: ReadModel, orders: u64, customers: u64) -> Vec<RowKey> {
    match model {
        ReadModel::Orders => (0..orders).map(RowKey::Order).collect(),
        ReadModel::Customers => (0..customers).map(RowKey::Customer).collect(),
        ReadModel::Status => vec![RowKey::Status],
    }
}

/// Applies `event` to `rows`; returns the key it wrote, if any.
/// `customers` maps an order to its customer (`order % customers`).
pub fn apply(
    model: ReadModel,
    rows: &mut Rows,
    event: &DomainEvent,
    customers: u64,
) -> Option<RowKey> {
    let customer = event.order % customers;
    match model {
        ReadModel::Orders => update(rows, RowKey::Order(event.order), |r: &mut OrderRow| {
            r.customer = customer;
            order_row(r, &event.body);
        }),
        ReadModel::Customers => match event.body {
            Body::ItemAdded { .. } => None,
            body => update(
                rows,
                RowKey::Customer(customer),
                |r: &mut CustomerRow| match body {
                    Body::Created { .. } => r.placed += 1,
                    Body::Paid { amount } => r.paid += amount,
                    Body::Cancelled => r.cancelled += 1,
                    Body::ItemAdded { .. } => {}
                },
            ),
        },
        ReadModel::Status => match event.body {
            Body::ItemAdded { .. } => None,
            body => update(rows, RowKey::Status, |r: &mut StatusRow| {
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

fn update<T: RowKind>(rows: &mut Rows, key: RowKey, f: impl FnOnce(&mut T)) -> Option<RowKey> {
    let row = rows.entry(key).or_insert_with(|| T::default().wrap());
    let row = T::of(row).unwrap_or_else(|| panic!("row {key} holds a row of another kind"));
    f(row);
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(order: u64, version: u64, body: Body) -> DomainEvent {
        DomainEvent {
            order,
            version,
            position: version,
            body,
        }
    }

    fn json(row: &Row) -> serde_json::Value {
        serde_json::to_value(row).unwrap()
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
            json(&orders[&RowKey::Order(5)]),
            json!({"customer": 1, "status": "paid", "items": 1, "total": 3})
        );
        assert_eq!(
            json(&status[&RowKey::Status]),
            json!({"open": 0, "paid": 1, "cancelled": 0})
        );
        let mut customers = Rows::new();
        apply(ReadModel::Customers, &mut customers, &log[2], 4);
        let key = apply(ReadModel::Customers, &mut customers, &log[2], 4);
        assert_eq!(key, Some(RowKey::Customer(1)));
        assert_eq!(json(&customers[&RowKey::Customer(1)])["paid"], json!(6));
        assert!(apply(ReadModel::Customers, &mut customers, &log[1], 4).is_none());
    }

    #[test]
    fn keys_and_rows_read_back_from_their_json() {
        for key in [RowKey::Order(12), RowKey::Customer(0), RowKey::Status] {
            assert_eq!(RowKey::parse(&key.to_string()), Some(key));
        }
        assert_eq!(RowKey::Order(12).to_string(), "order/12");
        assert_eq!(RowKey::parse("order/x"), None);
        let rows = [
            Row::Order(OrderRow::default()),
            Row::Customer(CustomerRow::default()),
            Row::Status(StatusRow::default()),
        ];
        for row in rows {
            assert_eq!(serde_json::from_value::<Row>(json(&row)).unwrap(), row);
        }
    }
}
