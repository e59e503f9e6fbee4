//! Checker "atomicity": every participant of a transaction reaches the same
//! decision, and it is the coordinator's (Gray & Lamport §2: "all RMs
//! eventually commit or all abort").
//!
//! For each transaction, the coordinator's first `decided` and every
//! participant outcome are sorted into two sides: applied (`committed`, a
//! commit decision) and void (`aborted`, `forgotten`, an abort decision).
//! Both sides non-empty is a violation, whenever it happens; it names
//! every line involved.

use super::event::Event;
use super::timeline::{Mark, Timeline};
use super::txn::Decision;
use super::{verdict_of, VIOLATIONS_MAX};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::History;
use std::collections::BTreeSet;

/// The atomicity checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct Atomicity;

type Side = Vec<(String, Mark)>;

impl Atomicity {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "atomicity",
        property: Property::Always,
        description: "every participant of a transaction commits it or every one aborts it, as its coordinator decided",
    };
}

impl Checker<Event> for Atomicity {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, _ctx: &CheckContext) -> Verdict {
        let t = Timeline::of(history);
        let by_txn = t.outcomes_by_txn();
        let txns: BTreeSet<_> = t.decided.keys().chain(by_txn.keys()).copied().collect();
        let mut violations = Vec::new();
        for txn in txns {
            let (mut applied, mut void): (Side, Side) = (Vec::new(), Vec::new());
            if let Some(d) = t.decision(txn) {
                let side = if d.decision == Decision::Commit {
                    &mut applied
                } else {
                    &mut void
                };
                side.push((
                    format!("the coordinator decided {}", d.decision.word()),
                    d.at,
                ));
            }
            for o in by_txn.get(&txn).into_iter().flatten() {
                let side = if o.local.applied() {
                    &mut applied
                } else {
                    &mut void
                };
                let words = format!("{} {}", t.name(o.node), o.local.describe());
                side.push((words, o.at));
            }
            if !applied.is_empty() && !void.is_empty() && violations.len() < VIOLATIONS_MAX {
                violations.push(split(txn, applied, void));
            }
        }
        verdict_of(violations)
    }
}

fn split(txn: super::txn::TxnId, applied: Side, void: Side) -> Violation {
    let words = |s: &Side| {
        s.iter()
            .map(|(w, _)| w.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let first = |s: &Side| s.iter().map(|(_, m)| m.time_us).min().unwrap_or(0);
    let mut entries: Vec<usize> = applied.iter().chain(&void).map(|(_, m)| m.index).collect();
    entries.sort_unstable();
    Violation {
        message: format!("{txn} split: {}; but {}", words(&applied), words(&void)),
        time_us: Some(first(&applied).max(first(&void))),
        entries,
    }
}
