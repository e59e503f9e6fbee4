//! Checker "client-truth": what a client was told is what happened.
//!
//! A transfer answered `ok {txn}` must be voided (aborted, or forgotten)
//! at no participant of `txn`; one answered `fail {txn}` must be committed
//! at none. A participant still in doubt at the end is "termination"'s
//! finding, not this one's. A `fail` without a `txn` never began; an
//! `info` (timeout) may have gone either way.

use super::event::Event;
use super::timeline::{Outcome, Timeline};
use super::txn::TxnId;
use super::{judged_verdict, VIOLATIONS_MAX};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::{Entry, History, OpEntry, OpType};

/// The client-truth checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientTruth;

impl ClientTruth {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "client-truth",
        property: Property::Always,
        description: "a transfer reported committed is voided at no participant; one reported aborted is applied at none",
    };
}

impl Checker<Event> for ClientTruth {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, _ctx: &CheckContext) -> Verdict {
        let t = Timeline::of(history);
        let by_txn = t.outcomes_by_txn();
        let mut violations = Vec::new();
        let mut judged = false;
        for (index, entry) in history.entries.iter().enumerate() {
            let Entry::Op(op) = entry else { continue };
            let Some(txn) = txn_of(op) else { continue };
            judged |= matches!(op.kind, OpType::Ok | OpType::Fail);
            let outcomes = by_txn.get(&txn).map(Vec::as_slice).unwrap_or_default();
            let wrong = match op.kind {
                OpType::Ok => untrue_commit(&t, txn, outcomes),
                OpType::Fail => untrue_abort(&t, txn, outcomes),
                _ => None,
            };
            if let Some((message, mut entries)) = wrong {
                entries.insert(0, index);
                let time_us = Some(op.time_us);
                violations.push(Violation {
                    message,
                    time_us,
                    entries,
                });
            }
        }
        violations.truncate(VIOLATIONS_MAX);
        let nothing = "no client was told a transfer committed or aborted";
        judged_verdict(violations, judged, nothing)
    }
}

/// The transaction a completion's reply names (`{"txn": id, ..}`).
fn txn_of(op: &OpEntry) -> Option<TxnId> {
    op.value().get("txn")?.as_str()?.parse().ok()
}

type Wrong = Option<(String, Vec<usize>)>;

fn untrue_commit(t: &Timeline, txn: TxnId, outcomes: &[&Outcome]) -> Wrong {
    let void = outcomes.iter().find(|o| !o.local.applied())?;
    let how = void.local.describe();
    let message = format!(
        "the client was told {txn} committed, but {} {how}",
        t.name(void.node)
    );
    Some((message, vec![void.at.index]))
}

fn untrue_abort(t: &Timeline, txn: TxnId, outcomes: &[&Outcome]) -> Wrong {
    let applied = outcomes.iter().find(|o| o.local.applied())?;
    let message = format!(
        "the client was told {txn} aborted, but {} committed it",
        t.name(applied.node)
    );
    Some((message, vec![applied.at.index]))
}
