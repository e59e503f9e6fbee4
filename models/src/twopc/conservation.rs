//! Checker "conservation": transfers move money, never make or destroy it.
//!
//! Judged on committed state, as reported by participants' `committed`
//! events: no committed balance is ever negative, and every transaction
//! that every participant has finished (committed, aborted or forgotten)
//! and that some participant committed must have committed legs summing to
//! zero, so the total of all balances after it equals the total before; and
//! every commit leaves each touched account at its balance after the
//! previous commit touching it plus the leg (the books match the legs).
//! Transactions still in doubt at some participant at the end are left to
//! "termination".

use super::event::Event;
use super::timeline::{Local, Outcome, Timeline};
use super::txn::TxnId;
use super::{judged_verdict, VIOLATIONS_MAX};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::History;
use crate::node::NodeId;
use std::collections::{BTreeMap, BTreeSet};

/// The conservation checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct Conservation;

impl Conservation {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "conservation",
        property: Property::Always,
        description: "the total of all balances never changes and no committed balance is negative",
    };
}

impl Checker<Event> for Conservation {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, _ctx: &CheckContext) -> Verdict {
        let t = Timeline::of(history);
        let mut violations: Vec<Violation> =
            t.outcomes.iter().filter_map(|o| negative(&t, o)).collect();
        for (txn, outcomes) in t.outcomes_by_txn() {
            if let Some(v) = unbalanced(&t, txn, &outcomes) {
                violations.push(v);
            }
        }
        violations.extend(drifted(&t));
        violations.sort_by_key(|v| v.time_us);
        violations.truncate(VIOLATIONS_MAX);
        let judged = t.outcomes.iter().any(|o| o.local.applied());
        judged_verdict(violations, judged, "no participant applied a transfer")
    }
}

/// Violations where a commit left an account at other than its balance
/// after the previous commit touching it plus the leg: money applied wrong
/// (the legs balance, the books do not).
fn drifted(t: &Timeline) -> Vec<Violation> {
    let mut last: BTreeMap<u32, i64> = BTreeMap::new();
    let mut found = Vec::new();
    for o in &t.outcomes {
        let Local::Committed { legs, balances } = &o.local else {
            continue;
        };
        for (leg, &(account, after)) in legs.iter().zip(balances.iter()) {
            assert_eq!(leg.account, account, "balances are in leg order");
            let before = last.insert(account, after);
            match before {
                Some(b) if b + leg.delta != after => found.push(Violation {
                    message: format!(
                        "{} left account {account} at {after} after {}, but it held {b} and the leg moves {}",
                        t.name(o.node),
                        o.txn,
                        leg.delta
                    ),
                    time_us: Some(o.at.time_us),
                    entries: vec![o.at.index],
                }),
                _ => {}
            }
        }
    }
    found
}

fn negative(t: &Timeline, o: &Outcome) -> Option<Violation> {
    let Local::Committed { balances, .. } = &o.local else {
        return None;
    };
    let (account, balance) = balances.iter().find(|(_, b)| *b < 0)?;
    Some(Violation {
        message: format!(
            "{} left account {account} at {balance} after {}",
            t.name(o.node),
            o.txn
        ),
        time_us: Some(o.at.time_us),
        entries: vec![o.at.index],
    })
}

/// A violation if `txn` is settled everywhere and its committed legs do not sum to zero.
fn unbalanced(t: &Timeline, txn: TxnId, outcomes: &[&Outcome]) -> Option<Violation> {
    let nodes: BTreeSet<NodeId> = outcomes.iter().map(|o| o.node).collect();
    let settled = t
        .begun
        .get(&txn)
        .is_some_and(|(_, ids)| ids.iter().all(|n| nodes.contains(n)));
    let committed: Vec<&&Outcome> = outcomes.iter().filter(|o| o.local.applied()).collect();
    if !settled || committed.is_empty() {
        return None;
    }
    let sum: i64 = committed
        .iter()
        .map(|o| match &o.local {
            Local::Committed { legs, .. } => legs.iter().map(|l| l.delta).sum::<i64>(),
            _ => 0,
        })
        .sum();
    if sum == 0 {
        return None;
    }
    let how = outcomes
        .iter()
        .map(|o| format!("{} {}", t.name(o.node), o.local.describe()))
        .collect::<Vec<_>>()
        .join(", ");
    let made = if sum > 0 { "created" } else { "destroyed" };
    Some(Violation {
        message: format!("{txn} {made} {} of money: {how}", sum.abs()),
        time_us: outcomes.iter().map(|o| o.at.time_us).max(),
        entries: outcomes.iter().map(|o| o.at.index).collect(),
    })
}
