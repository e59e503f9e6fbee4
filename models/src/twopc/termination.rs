//! Checker "termination": after heal, every transaction is decided and
//! every lock released within the bound (Gray & Lamport §2: 2PC is not
//! non-blocking, but once the coordinator is back it must finish).
//!
//! Judged at the end of the run: every `prepared` at a participant is
//! followed by an outcome there (committed, aborted or forgotten), which
//! releases its row locks. Under presumed abort a transaction that no
//! participant holds prepared is decided even if its coordinator never
//! logged a decision (nobody can commit it), so participants are where
//! undecided transactions show.

use super::event::Event;
use super::timeline::Timeline;
use super::txn::TxnId;
use super::{verdict_of, VIOLATIONS_MAX};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::History;
use crate::node::NodeId;
use std::collections::BTreeMap;

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
        for &(at, node, txn) in &t.prepared {
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
        violations.sort_by_key(|v| v.entries.first().copied());
        violations.truncate(VIOLATIONS_MAX);
        verdict_of(violations)
    }
}
