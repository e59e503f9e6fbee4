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
use super::event::{Body, Event};
use super::layout::{ReadModel, READ_MODELS};
use super::timeline::{Mark, Timeline};
use super::versions::{verdict_of, VIOLATIONS_MAX};
use super::views::{customer_key, order_key, CustomerRow, OrderRow, Rows, StatusRow, STATUS_KEY};
use crate::check::{CheckContext, Checker, Property, Verdict, Violation};
use crate::history::History;
use serde_json::Value;
use std::collections::BTreeMap;

/// The `projection-correctness` checker for a cluster with `customers` customers.
pub struct ProjectionCorrectness {
    /// Customers (order `o` belongs to `o % customers`).
    pub customers: u64,
}

/// The rows of `model` that the log `events` (in position order) implies.
pub fn fold(model: ReadModel, events: &[Event], customers: u64) -> Rows {
    let mut by_order: BTreeMap<u64, Vec<Body>> = BTreeMap::new();
    for e in events {
        by_order.entry(e.order).or_default().push(e.body);
    }
    let mut rows = Rows::new();
    match model {
        ReadModel::Orders => {
            for (&order, bodies) in &by_order {
                rows.insert(
                    order_key(order),
                    encode(order_row(order, bodies, customers)),
                );
            }
        }
        ReadModel::Customers => {
            for (c, row) in customer_rows(&by_order, customers) {
                rows.insert(customer_key(c), encode(row));
            }
        }
        ReadModel::Status => {
            if by_order.values().flatten().any(is_lifecycle) {
                rows.insert(STATUS_KEY.into(), encode(status_row(&by_order)));
            }
        }
    }
    rows
}

fn encode<T: serde::Serialize>(row: T) -> Value {
    serde_json::to_value(row).expect("rows encode")
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

/// Each projector's final rows (current generation) and the line of each row's last write.
pub fn final_rows(t: &Timeline) -> BTreeMap<String, BTreeMap<String, (Value, usize)>> {
    let mut out: BTreeMap<String, BTreeMap<String, (Value, usize)>> = BTreeMap::new();
    for mark in &t.marks {
        match mark {
            Mark::RebuildStarted(r) => {
                out.remove(r.projector);
            }
            Mark::Applied(a) => {
                let rows = out.entry(a.projector.to_string()).or_default();
                for (k, v) in a.rows {
                    rows.insert(k.clone(), (v.clone(), a.index));
                }
            }
            _ => {}
        }
    }
    out
}

impl Checker for ProjectionCorrectness {
    fn name(&self) -> &'static str {
        "projection-correctness"
    }
    fn property(&self) -> Property {
        Property::Eventually
    }
    fn describe(&self) -> &'static str {
        "by the end, every read model equals the fold of the whole event log"
    }
    fn check(&self, history: &History, ctx: &CheckContext) -> Verdict {
        let t = Timeline::of(history);
        let log: Vec<Event> = t.appended().map(|a| a.event).collect();
        if log.is_empty() {
            return Verdict::Unknown {
                reason: "no event was appended".into(),
            };
        }
        let actual = final_rows(&t);
        let empty = BTreeMap::new();
        let mut violations = Vec::new();
        for model in READ_MODELS {
            let name = model.projector_name();
            let have = actual.get(name).unwrap_or(&empty);
            let want = fold(model, &log, self.customers);
            let keys: std::collections::BTreeSet<&String> =
                want.keys().chain(have.keys()).collect();
            for key in keys {
                let got = have.get(key).map_or(&Value::Null, |(v, _)| v);
                let expected = want.get(key).unwrap_or(&Value::Null);
                if got != expected && violations.len() < VIOLATIONS_MAX {
                    violations.push(Violation {
                        message: format!("{name}: {key} is {got}, the log gives {expected}"),
                        time_us: Some(ctx.end_us),
                        entries: have.get(key).map(|(_, i)| vec![*i]).unwrap_or_default(),
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

    fn log() -> Vec<Event> {
        let b = [
            (1, 1, Body::Created { customer: 1 }),
            (2, 1, Body::Created { customer: 2 }),
            (1, 2, Body::ItemAdded { amount: 4 }),
            (1, 3, Body::Paid { amount: 4 }),
            (2, 2, Body::Cancelled),
        ];
        b.iter()
            .zip(1..)
            .map(|(&(order, version, body), position)| Event {
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
        applied(&mut h, 2, "proj-status", (3, 1), json!({ "status": row }));
        let cust = json!({"placed": 1, "cancelled": 0, "paid": 0});
        applied(
            &mut h,
            2,
            "proj-customers",
            (3, 1),
            json!({ "customer/3": cust }),
        );
        let order = json!({"customer": 3, "status": "open", "items": 0, "total": 0});
        applied(
            &mut h,
            2,
            "proj-orders",
            (3, 1),
            json!({ "order/3": order }),
        );
        let c = ProjectionCorrectness { customers: 4 };
        assert_eq!(c.check(&h, &ctx()), Verdict::Valid);
        let twice = json!({"open": 2, "paid": 0, "cancelled": 0});
        applied(&mut h, 3, "proj-status", (3, 1), json!({ "status": twice }));
        let Verdict::Invalid { violations } = c.check(&h, &ctx()) else {
            panic!("double count must fail")
        };
        assert!(violations[0].message.starts_with("proj-status: status is"));
    }
}
