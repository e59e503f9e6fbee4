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
use super::timeline::{Local, Mark, Timeline};
use super::txn::Decision;
use super::{judged_verdict, VIOLATIONS_MAX};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::History;
use std::collections::BTreeSet;

/// The atomicity checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct Atomicity;

/// Who said what about a transaction; put into words only for a violation,
/// so a valid history formats nothing.
#[derive(Debug, Clone, Copy)]
enum Said<'h> {
    Coordinator(Decision),
    Participant(&'static str, Local<'h>),
}

impl Said<'_> {
    fn words(&self) -> String {
        match self {
            Said::Coordinator(d) => format!("the coordinator decided {}", d.word()),
            Said::Participant(name, local) => format!("{name} {}", local.describe()),
        }
    }
}

type Side<'h> = Vec<(Said<'h>, Mark)>;

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
        let judged = !txns.is_empty();
        let mut violations = Vec::new();
        for txn in txns {
            let (mut applied, mut void): (Side, Side) = (Vec::new(), Vec::new());
            if let Some(d) = t.decision(txn) {
                let side = if d.decision == Decision::Commit {
                    &mut applied
                } else {
                    &mut void
                };
                side.push((Said::Coordinator(d.decision), d.at));
            }
            for o in by_txn.get(&txn).into_iter().flatten() {
                let side = if o.local.applied() {
                    &mut applied
                } else {
                    &mut void
                };
                side.push((Said::Participant(t.name(o.node), o.local), o.at));
            }
            if !applied.is_empty() && !void.is_empty() && violations.len() < VIOLATIONS_MAX {
                violations.push(split(txn, applied, void));
            }
        }
        let nothing = "no transaction was decided or ended at a participant";
        judged_verdict(violations, judged, nothing)
    }
}

fn split(txn: super::txn::TxnId, applied: Side, void: Side) -> Violation {
    let words = |s: &Side| {
        s.iter()
            .map(|(w, _)| w.words())
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
