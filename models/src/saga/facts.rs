//! What a history says about each saga: its order, when it started and
//! ended, and the net effects the services recorded for it. The checkers
//! and metrics read sagas through this fold.

use super::event::Event;
use super::msg::Order;
use crate::check::{Verdict, Violation};
use crate::fastmap::FastMap;
use crate::history::{EventEntry, History};
use std::collections::BTreeMap;

/// Most violations a checker lists.
pub const VIOLATIONS_MAX: usize = 10;
/// Most history lines remembered per saga.
const ENTRIES_MAX: usize = 32;

/// One saga as the history tells it; borrows the history's events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SagaFacts<'h> {
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
    /// Its last event.
    pub last: Option<&'h Event>,
    /// History lines about it (the first few).
    pub entries: Vec<usize>,
}

impl SagaFacts<'_> {
    /// The name of its last event ("" if it has none).
    pub fn last_name(&self) -> &'static str {
        self.last.map_or("", crate::history::Event::name)
    }

    /// An end event (`completed` or compensated) at `line`.
    fn end(&mut self, line: usize, time_us: u64, completed: bool) {
        self.ends += 1;
        self.ended.get_or_insert((line, time_us, completed));
    }
}

/// Protocol events about sagas, with their history line and saga id.
pub fn saga_events(
    history: &History<Event>,
) -> impl Iterator<Item = (usize, &EventEntry<Event>, u64)> {
    history
        .indexed_events()
        .filter_map(|(i, ev)| ev.event.saga().map(|s| (i, ev, s)))
}

/// Folds every saga event of `history`, by saga id.
///
/// Sagas are found by a hash index and sorted once at the end: a
/// `BTreeMap` search per event was the largest cost of judging a 60 s run
/// (cache misses over ~1,700 sagas, three folds a run).
pub fn fold(history: &History<Event>) -> BTreeMap<u64, SagaFacts<'_>> {
    // Lookup only: the facts come out of `found`, sorted below.
    let mut index: FastMap<u64, usize> = FastMap::default();
    let mut found: Vec<(u64, SagaFacts<'_>)> = Vec::new();
    for (i, ev, saga) in saga_events(history) {
        let k = *index.entry(saga).or_insert_with(|| {
            found.push((saga, SagaFacts::default()));
            found.len() - 1
        });
        let f = &mut found[k].1;
        if f.entries.len() < ENTRIES_MAX {
            f.entries.push(i);
        }
        f.last = Some(&ev.event);
        apply(f, i, ev);
    }
    found.into_iter().collect()
}

/// An amount of money as a signed sum (saturating: amounts are far smaller).
pub fn signed(amount: u64) -> i64 {
    i64::try_from(amount).unwrap_or(i64::MAX)
}

fn apply(f: &mut SagaFacts<'_>, i: usize, ev: &EventEntry<Event>) {
    use Event as E;
    match ev.event {
        E::SagaStarted { order, .. } => {
            f.started = Some((i, ev.time_us));
            f.order = Some(order);
        }
        E::SagaCompleted { .. } => f.end(i, ev.time_us, true),
        E::SagaCompensated { .. } => f.end(i, ev.time_us, false),
        E::OrderCreated { .. } => f.created = true,
        E::OrderCancelled { .. } => f.cancelled = true,
        E::OrderConfirmed { .. } => f.confirmed = true,
        E::Reserved { qty, .. } => f.reserved += i64::from(qty),
        E::Released { qty, .. } => f.reserved -= i64::from(qty),
        E::Charged { amount, .. } => f.charged += signed(amount),
        E::Refunded { amount, .. } => f.charged -= signed(amount),
        E::Shipped { .. } => f.shipped += 1,
        E::ShipmentCancelled { .. } => f.shipped -= 1,
        // No effect and no end: named so that a new effect event must be
        // placed here or above.
        E::SagaRecovered { .. }
        | E::StepDone { .. }
        | E::StepRetry { .. }
        | E::StepTimeout { .. }
        | E::StepFailed { .. }
        | E::CompensationAbandoned { .. }
        | E::BreakerRefused { .. }
        | E::BulkheadFull { .. }
        | E::Breaker { .. }
        | E::ConfirmRefused { .. }
        | E::Rejected { .. }
        | E::RefusedLate { .. }
        | E::Tombstone { .. }
        | E::Deduplicated { .. } => {}
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

    /// As [`Findings::verdict`], but unknown ("judged nothing: `nothing`")
    /// when the checker found nothing of the kind it reads.
    pub fn verdict_judged(self, judged: bool, nothing: &str) -> Verdict {
        if judged {
            return self.verdict();
        }
        assert!(self.violations.is_empty(), "violations of nothing judged");
        Verdict::Unknown {
            reason: format!("judged nothing: {nothing}"),
        }
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
