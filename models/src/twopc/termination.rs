//! Checker "termination": after heal, every transaction is decided and
//! every lock released within the bound (Gray & Lamport §2: 2PC is not
//! non-blocking, but once the coordinator is back it must finish).
//!
//! Judged at the end of the run: every `prepared` at a participant, and
//! every transaction a restarted participant `restored` in doubt (a crash
//! that lost an unsynced abort brings its PREPARED record back), is
//! followed by an outcome there (committed, aborted or forgotten), which
//! releases its row locks; and every decided transaction is finished at its
//! coordinator (every participant acknowledged: the coordinator can forget
//! it, Gray & Lamport §2). Under presumed abort a transaction that no
//! participant holds prepared is decided even if its coordinator never
//! logged a decision (nobody can commit it), so participants are where
//! undecided transactions show.

use super::event::Event;
use super::timeline::{Mark, Timeline};
use super::txn::TxnId;
use super::{judged_verdict, VIOLATIONS_MAX};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::{FaultChange, FaultKind, History};
use crate::node::NodeId;
use std::collections::{BTreeMap, BTreeSet};

/// The termination checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct Termination;

impl Termination {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "termination",
        property: Property::Eventually,
        description: "after heal, every transaction is decided and every prepared participant learned the outcome and released its locks",
    };
}

impl Checker<Event> for Termination {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, ctx: &CheckContext) -> Verdict {
        let t = Timeline::of(history);
        let end = Some(ctx.end_us);
        let mut violations = Vec::new();
        let mut last_outcome: BTreeMap<(NodeId, TxnId), usize> = BTreeMap::new();
        for o in &t.outcomes {
            last_outcome.insert((o.node, o.txn), o.at.index);
        }
        for ((node, txn), at) in held(history, &t) {
            let resolved = last_outcome.get(&(node, txn));
            if resolved.is_none_or(|&i| i < at.index) {
                let node = t.name(node);
                let message = format!("{node} still holds {txn} prepared, its rows locked");
                violations.push(Violation {
                    message,
                    time_us: end,
                    entries: vec![at.index],
                });
            }
        }
        violations.extend(unfinished(history, &t, ctx));
        violations.sort_by_key(|v| v.entries.first().copied());
        violations.truncate(VIOLATIONS_MAX);
        let judged = !t.prepared.is_empty();
        judged_verdict(violations, judged, "no participant prepared a transaction")
    }
}

/// A violation per transaction decided before heal that its coordinator
/// never finished (some participant never acknowledged the decision, or
/// the coordinator stopped asking): the coordinator holds it in its log
/// for good. A decision after heal may still be retrying over a lossy
/// link when the run ends, so it is not judged.
fn unfinished(history: &History<Event>, t: &Timeline, ctx: &CheckContext) -> Vec<Violation> {
    let finished: BTreeSet<TxnId> = (history.events())
        .filter_map(|e| match e.event {
            Event::Finished { txn } => Some(txn),
            _ => None,
        })
        .collect();
    let down = down_at_end(history);
    let open = (t.decided.iter())
        .filter(|(txn, _)| !finished.contains(txn) && !down.contains(&txn.coord))
        .filter(|(_, d)| d.at.time_us < ctx.heal_us);
    open.map(|(txn, d)| Violation {
        message: format!(
            "the coordinator decided {txn} {} but never finished it: not every participant acknowledged",
            d.decision.word()
        ),
        time_us: Some(ctx.end_us),
        entries: vec![d.at.index],
    })
    .collect()
}

/// Nodes crashed and not restarted by the end (a coordinator that stays
/// down cannot finish; the engine restarts every node at heal).
fn down_at_end(history: &History<Event>) -> BTreeSet<NodeId> {
    let mut down = BTreeSet::new();
    for f in history.faults() {
        match f.change {
            FaultChange::Heal => down.clear(),
            FaultChange::Start(FaultKind::Crash) => down.extend(f.nodes.iter().copied()),
            FaultChange::End(FaultKind::Crash) => f.nodes.iter().for_each(|n| {
                down.remove(n);
            }),
            _ => {}
        }
    }
    down
}

/// Per (participant, transaction) the last line at which it held the
/// transaction prepared: its `prepared`, or a `restored` after a restart
/// (a lost outcome brings the PREPARED record back, after the outcome).
fn held(history: &History<Event>, t: &Timeline) -> BTreeMap<(NodeId, TxnId), Mark> {
    let mut held: BTreeMap<(NodeId, TxnId), Mark> = BTreeMap::new();
    for &(at, node, txn) in &t.prepared {
        held.insert((node, txn), at);
    }
    for (index, ev) in history.indexed_events() {
        let Event::Restored { prepared } = &ev.event else {
            continue;
        };
        let at = Mark {
            index,
            time_us: ev.time_us,
        };
        for &txn in prepared.iter() {
            let last = held.entry((ev.node, txn)).or_insert(at);
            if last.index < index {
                *last = at;
            }
        }
    }
    held
}
