//! What a history says about each saga: its order, when it started and
//! ended, and the net effects the services recorded for it. The checkers
//! and metrics read sagas through this fold.

use super::msg::Order;
use crate::check::{Verdict, Violation};
use crate::history::{Entry, EventEntry, History};
use serde_json::Value;
use std::collections::BTreeMap;

/// Most violations a checker lists.
pub const VIOLATIONS_MAX: usize = 10;
/// Most history lines remembered per saga.
const ENTRIES_MAX: usize = 32;

/// One saga as the history tells it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SagaFacts {
    /// The order, from `saga_started`.
    pub order: Option<Order>,
    /// When it started: (history line, time).
    pub started: Option<(usize, u64)>,
    /// When it first ended: (history line, time, completed?).
    pub ended: Option<(usize, u64, bool)>,
    /// How many end events it had (1 when all is well).
    pub ends: u32,
    /// Units reserved minus units released.
    pub reserved: i64,
    /// Money charged minus money refunded.
    pub charged: i64,
    /// Shipments created minus shipments cancelled.
    pub shipped: i64,
    /// The order was created.
    pub created: bool,
    /// The order was cancelled.
    pub cancelled: bool,
    /// The order was confirmed.
    pub confirmed: bool,
    /// The name of its last event.
    pub last: String,
    /// History lines about it (the first few).
    pub entries: Vec<usize>,
}

/// The saga id an event is about, if any.
pub fn saga_of(ev: &EventEntry) -> Option<u64> {
    ev.data.get("saga").and_then(Value::as_u64)
}

/// `field` of an event's data as an integer (0 if absent).
pub fn int(ev: &EventEntry, field: &str) -> i64 {
    ev.data.get(field).and_then(Value::as_i64).unwrap_or(0)
}

/// Protocol events about sagas, with their history line.
pub fn saga_events(history: &History) -> impl Iterator<Item = (usize, &EventEntry, u64)> {
    history
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Entry::Event(ev) => saga_of(ev).map(|s| (i, ev, s)),
            _ => None,
        })
}

/// Folds every saga event of `history`, by saga id.
pub fn fold(history: &History) -> BTreeMap<u64, SagaFacts> {
    let mut sagas: BTreeMap<u64, SagaFacts> = BTreeMap::new();
    for (i, ev, saga) in saga_events(history) {
        let f = sagas.entry(saga).or_default();
        if f.entries.len() < ENTRIES_MAX {
            f.entries.push(i);
        }
        f.last.clone_from(&ev.name);
        apply(f, i, ev);
    }
    sagas
}

fn apply(f: &mut SagaFacts, i: usize, ev: &EventEntry) {
    match ev.name.as_str() {
        "saga_started" => {
            f.started = Some((i, ev.time_us));
            f.order = ev
                .data
                .get("order")
                .cloned()
                .and_then(|o| serde_json::from_value(o).ok());
        }
        "saga_completed" | "saga_compensated" => {
            f.ends += 1;
            let completed = ev.name == "saga_completed";
            f.ended.get_or_insert((i, ev.time_us, completed));
        }
        "order_created" => f.created = true,
        "order_cancelled" => f.cancelled = true,
        "order_confirmed" => f.confirmed = true,
        "reserved" => f.reserved += int(ev, "qty"),
        "released" => f.reserved -= int(ev, "qty"),
        "charged" => f.charged += int(ev, "amount"),
        "refunded" => f.charged -= int(ev, "amount"),
        "shipped" => f.shipped += 1,
        "shipment_cancelled" => f.shipped -= 1,
        _ => {}
    }
}

/// Collects violations into a verdict, keeping at most [`VIOLATIONS_MAX`].
#[derive(Debug, Default)]
pub struct Findings {
    violations: Vec<Violation>,
    more: usize,
}

impl Findings {
    /// Records one violation.
    pub fn add(&mut self, message: String, time_us: Option<u64>, entries: Vec<usize>) {
        if self.violations.len() >= VIOLATIONS_MAX {
            self.more += 1;
            return;
        }
        self.violations.push(Violation {
            message,
            time_us,
            entries,
        });
    }

    /// Valid if nothing was found.
    pub fn verdict(mut self) -> Verdict {
        if self.violations.is_empty() {
            return Verdict::Valid;
        }
        if self.more > 0 {
            let last = self.violations.len() - 1;
            let note = format!(" (and {} more)", self.more);
            self.violations[last].message.push_str(&note);
        }
        Verdict::Invalid {
            violations: self.violations,
        }
    }
}
