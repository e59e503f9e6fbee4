//! Checker "client-truth": what a client was told is what happened.
//!
//! A transfer answered `ok {txn}` must be committed at every participant
//! of `txn` (by the end of the run) and voided at none; one answered
//! `fail {txn}` must be committed at none. A `fail` without a `txn` never
//! began; an `info` (timeout) may have gone either way.

use super::timeline::{Outcome, Timeline};
use super::txn::TxnId;
use super::{verdict_of, VIOLATIONS_MAX};
use crate::check::{CheckContext, Checker, Property, Verdict, Violation};
use crate::history::{Entry, History, OpEntry, OpType};
use std::collections::BTreeMap;

/// The client-truth checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientTruth;

impl Checker for ClientTruth {
    fn name(&self) -> &'static str {
        "client-truth"
    }

    fn property(&self) -> Property {
        Property::Always
    }

    fn describe(&self) -> &'static str {
        "a transfer reported committed is committed at every participant; one reported aborted is applied nowhere"
    }

    fn check(&self, history: &History, _ctx: &CheckContext) -> Verdict {
        let t = Timeline::of(history);
        let by_txn = t.outcomes_by_txn();
        let mut violations = Vec::new();
        for (index, entry) in history.entries.iter().enumerate() {
            let Entry::Op(op) = entry else { continue };
            let Some(txn) = txn_of(op) else { continue };
            let outcomes = by_txn.get(&txn).map(Vec::as_slice).unwrap_or_default();
            let wrong = match op.kind {
                OpType::Ok => untrue_commit(&t, txn, outcomes),
                OpType::Fail => untrue_abort(txn, outcomes),
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
        verdict_of(violations)
    }
}

fn txn_of(op: &OpEntry) -> Option<TxnId> {
    let txn = op.value().get("txn")?.clone();
    serde_json::from_value(txn).ok()
}

type Wrong = Option<(String, Vec<usize>)>;

fn untrue_commit(t: &Timeline, txn: TxnId, outcomes: &[&Outcome]) -> Wrong {
    let names = t
        .begun
        .get(&txn)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let mut by_node: BTreeMap<&str, Vec<&Outcome>> = BTreeMap::new();
    outcomes
        .iter()
        .for_each(|o| by_node.entry(&o.node).or_default().push(o));
    for name in &names {
        let mine = by_node.get(name.as_str()).cloned().unwrap_or_default();
        let entries = mine.iter().map(|o| o.at.index).collect();
        if let Some(void) = mine.iter().find(|o| !o.local.applied()) {
            let how = void.local.describe();
            return Some((
                format!("the client was told {txn} committed, but {name} {how}"),
                entries,
            ));
        }
        if mine.is_empty() {
            let message =
                format!("the client was told {txn} committed, but {name} never committed it");
            return Some((message, entries));
        }
    }
    None
}

fn untrue_abort(txn: TxnId, outcomes: &[&Outcome]) -> Wrong {
    let applied = outcomes.iter().find(|o| o.local.applied())?;
    let message = format!(
        "the client was told {txn} aborted, but {} committed it",
        applied.node
    );
    Some((message, vec![applied.at.index]))
}
