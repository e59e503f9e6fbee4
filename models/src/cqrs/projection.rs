//! Checker `projection-correctness`: once caught up, every read model
//! equals the fold of the event log.
//!
//! After the run (faults healed, the liveness phase over) each projector's
//! read model — the last value it wrote to every row in its current
//! generation, as its `applied` events report — must equal the rows
//! computed from the store's whole log. The expected rows are computed
//! here declaratively (count, sum, last status of each order), not with the
//! projectors' incremental code, so the two are independent. A projector
//! that has not caught up by the end fails too: that is a liveness finding.

use super::aggregate::Status;
use super::domain::{Body, DomainEvent};
use super::event::Event;
use super::layout::{ReadModel, READ_MODELS};
use super::timeline;
use super::versions::{verdict_of, VIOLATIONS_MAX};
use super::views::{CustomerRow, OrderRow, Row, RowKey, Rows, StatusRow};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::History;
use std::collections::BTreeMap;

/// The `projection-correctness` checker for a cluster with `customers` customers.
pub struct ProjectionCorrectness {
    /// Customers (order `o` belongs to `o % customers`).
    pub customers: u64,
}

/// The rows of `model` that the log `events` (in position order) implies.
pub fn fold(model: ReadModel, events: &[DomainEvent], customers: u64) -> Rows {
    let mut by_order: BTreeMap<u64, Vec<Body>> = BTreeMap::new();
    for e in events {
        by_order.entry(e.order).or_default().push(e.body);
    }
    let mut rows = Rows::new();
    match model {
        ReadModel::Orders => {
            for (&order, bodies) in &by_order {
                let row = order_row(order, bodies, customers);
                rows.insert(RowKey::Order(order), Row::Order(row));
            }
        }
        ReadModel::Customers => {
            for (c, row) in customer_rows(&by_order, customers) {
                rows.insert(RowKey::Customer(c), Row::Customer(row));
            }
        }
        ReadModel::Status => {
            if by_order.values().flatten().any(is_lifecycle) {
                rows.insert(RowKey::Status, Row::Status(status_row(&by_order)));
            }
        }
    }
    rows
}

/// Created, paid, cancelled: the events that move an order's status.
fn is_lifecycle(b: &Body) -> bool {
    !matches!(b, Body::ItemAdded { .. })
}

/// The status after the order's last lifecycle event.
fn final_status(bodies: &[Body]) -> Option<Status> {
    bodies.iter().rev().find(|b| is_lifecycle(b)).map(status_of)
}

fn order_row(order: u64, bodies: &[Body], customers: u64) -> OrderRow {
    OrderRow {
        customer: order % customers,
        status: final_status(bodies).unwrap_or(Status::Open),
        items: bodies.iter().filter(|b| !is_lifecycle(b)).count() as u64,
        total: bodies.iter().map(item_amount).sum(),
    }
}

fn customer_rows(
    by_order: &BTreeMap<u64, Vec<Body>>,
    customers: u64,
) -> BTreeMap<u64, CustomerRow> {
    let mut per: BTreeMap<u64, CustomerRow> = BTreeMap::new();
    for (&order, bodies) in by_order {
        for b in bodies.iter().filter(|b| is_lifecycle(b)) {
            let row = per.entry(order % customers).or_default();
            match *b {
                Body::Created { .. } => row.placed += 1,
                Body::Paid { amount } => row.paid += amount,
                _ => row.cancelled += 1,
            }
        }
    }
    per
}

fn status_row(by_order: &BTreeMap<u64, Vec<Body>>) -> StatusRow {
    let mut row = StatusRow::default();
    for status in by_order.values().filter_map(|bs| final_status(bs)) {
        match status {
            Status::Open => row.open += 1,
            Status::Paid => row.paid += 1,
            Status::Cancelled => row.cancelled += 1,
        }
    }
    row
}

fn status_of(b: &Body) -> Status {
    match b {
        Body::Paid { .. } => Status::Paid,
        Body::Cancelled => Status::Cancelled,
        _ => Status::Open,
    }
}

fn item_amount(b: &Body) -> u64 {
    match *b {
        Body::ItemAdded { amount } => amount,
        _ => 0,
    }
}

/// Each projector's final rows (current generation) and the line of each
/// row's last write, by projector node.
pub fn final_rows(history: &History<Event>) -> BTreeMap<usize, BTreeMap<RowKey, (Row, usize)>> {
    let mut out: BTreeMap<usize, BTreeMap<RowKey, (Row, usize)>> = BTreeMap::new();
    for m in timeline::marks(history) {
        match m.data {
            Event::RebuildStarted { .. } => {
                out.remove(&m.node);
            }
            Event::Applied(a) => {
                let rows = out.entry(m.node).or_default();
                if let Some((key, row)) = a.rows {
                    rows.insert(key, (row, m.index));
                }
            }
            Event::Appended(_)
            | Event::Conflict { .. }
            | Event::Published { .. }
            | Event::Skipped { .. }
            | Event::RebuildDone { .. } => {}
        }
    }
    out
}

/// A row as the violation messages show it: its JSON, or `null` when absent.
fn shown(row: Option<&Row>) -> serde_json::Value {
    serde_json::to_value(row).expect("rows encode")
}

impl ProjectionCorrectness {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "projection-correctness",
        property: Property::Eventually,
        description: "by the end, every read model equals the fold of the whole event log",
    };
}

impl Checker<Event> for ProjectionCorrectness {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, ctx: &CheckContext) -> Verdict {
        let log: Vec<DomainEvent> = timeline::appended(history).map(|a| *a.data).collect();
        if log.is_empty() {
            return Verdict::Unknown {
                reason: "no event was appended".into(),
            };
        }
        let actual = final_rows(history);
        let empty = BTreeMap::new();
        let mut violations = Vec::new();
        for model in READ_MODELS {
            let name = model.projector_name();
            let node = history.node_index(name);
            let have = node.and_then(|n| actual.get(&n)).unwrap_or(&empty);
            let want = fold(model, &log, self.customers);
            // In the order of the keys' text, as the messages show them.
            let mut keys: Vec<(String, RowKey)> = want
                .keys()
                .chain(have.keys())
                .map(|k| (k.to_string(), *k))
                .collect();
            keys.sort();
            keys.dedup();
            for (text, key) in keys {
                let got = have.get(&key).map(|(row, _)| row);
                let expected = want.get(&key);
                if got != expected && violations.len() < VIOLATIONS_MAX {
                    let (got, expected) = (shown(got), shown(expected));
                    violations.push(Violation {
                        message: format!("{name}: {text} is {got}, the log gives {expected}"),
                        time_us: Some(ctx.end_us),
                        entries: have.get(&key).map(|(_, i)| vec![*i]).unwrap_or_default(),
                    });
                }
            }
        }
        verdict_of(violations)
    }
}

#[cfg(test)]
mod tests {
    use super::super::timeline::build::{appended, applied, ctx};
    use super::super::views::apply;
    use super::*;
    use serde_json::json;

    fn log() -> Vec<DomainEvent> {
        let b = [
            (1, 1, Body::Created { customer: 1 }),
            (2, 1, Body::Created { customer: 2 }),
            (1, 2, Body::ItemAdded { amount: 4 }),
            (1, 3, Body::Paid { amount: 4 }),
            (2, 2, Body::Cancelled),
        ];
        b.iter()
            .zip(1..)
            .map(|(&(order, version, body), position)| DomainEvent {
                order,
                version,
                position,
                body,
            })
            .collect()
    }

    #[test]
    fn the_declarative_fold_agrees_with_the_incremental_projection() {
        for model in READ_MODELS {
            let mut rows = Rows::new();
            for e in &log() {
                apply(model, &mut rows, e, 4);
            }
            assert_eq!(rows, fold(model, &log(), 4), "{model:?}");
        }
    }

    #[test]
    fn a_row_counted_twice_or_missing_fails() {
        let mut h = History::default();
        appended(&mut h, 1, 3, 1, 1, Body::Created { customer: 3 });
        let row = json!({"open": 1, "paid": 0, "cancelled": 0});
        applied(&mut h, 2, "proj-status", (3, 1), written("status", row));
        let cust = json!({"placed": 1, "cancelled": 0, "paid": 0});
        let mut missing = h.clone();
        applied(
            &mut h,
            2,
            "proj-customers",
            (3, 1),
            written("customer/3", cust),
        );
        let order = json!({"customer": 3, "status": "open", "items": 0, "total": 0});
        let order = written("order/3", order);
        applied(&mut h, 2, "proj-orders", (3, 1), order);
        applied(&mut missing, 2, "proj-orders", (3, 1), order);
        let c = ProjectionCorrectness { customers: 4 };
        assert_eq!(c.check(&h, &ctx()), Verdict::Valid);
        let twice = json!({"open": 2, "paid": 0, "cancelled": 0});
        applied(&mut h, 3, "proj-status", (3, 1), written("status", twice));
        let Verdict::Invalid { violations } = c.check(&h, &ctx()) else {
            panic!("double count must fail")
        };
        assert_eq!(
            violations[0].message,
            r#"proj-status: status is {"cancelled":0,"open":2,"paid":0}, the log gives {"cancelled":0,"open":1,"paid":0}"#
        );
        assert_eq!(violations[0].entries, vec![4]);
        let Verdict::Invalid { violations } = c.check(&missing, &ctx()) else {
            panic!("a missing row must fail")
        };
        assert_eq!(
            violations[0].message,
            r#"proj-customers: customer/3 is null, the log gives {"cancelled":0,"paid":0,"placed":1}"#
        );
    }

    /// The row `key` written as `value` (read from its JSON form).
    fn written(key: &str, value: serde_json::Value) -> Option<(RowKey, Row)> {
        let row = serde_json::from_value(value).unwrap();
        Some((RowKey::parse(key).unwrap(), row))
    }
}
