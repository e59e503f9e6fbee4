//! The protocol events of a history, sorted once for the checkers and
//! metrics.
//!
//! The events are [`Event`]'s variants; the timeline keeps the ones the
//! checkers judge, by kind, borrowing lists from the history (no copies,
//! no text): the coordinator's `begun` and first `decided` per
//! transaction, and each participant's `prepared` and its outcome
//! (`committed`, `aborted` or `forgotten`), in history order.

use super::event::Event;
use super::txn::{AbortCause, Decision, Leg, TxnId};
use crate::history::{Entry, History};
use crate::node::NodeId;
use std::collections::BTreeMap;

/// Where and when an event was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// Index of its line in the history.
    pub index: usize,
    /// Simulated time.
    pub time_us: u64,
}

/// How a participant's part of a transaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Local<'h> {
    /// Its legs were applied.
    Committed {
        /// The legs.
        legs: &'h [Leg],
        /// The touched accounts' balances afterwards.
        balances: &'h [(u32, i64)],
    },
    /// Its part was voided, for this cause.
    Aborted(AbortCause),
    /// It acknowledged a commit without a record of the transaction.
    Forgotten,
}

impl Local<'_> {
    /// Whether legs were applied.
    pub fn applied(&self) -> bool {
        matches!(self, Local::Committed { .. })
    }

    /// In words, for violation messages.
    pub fn describe(&self) -> String {
        match self {
            Local::Committed { .. } => "committed".into(),
            Local::Aborted(cause) => format!("aborted ({})", cause.word()),
            Local::Forgotten => {
                "acknowledged the commit with no record of it, applying nothing".into()
            }
        }
    }
}

/// One participant's end of one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome<'h> {
    /// When.
    pub at: Mark,
    /// The participant.
    pub node: NodeId,
    /// The transaction.
    pub txn: TxnId,
    /// How it ended.
    pub local: Local<'h>,
}

/// The coordinator's decision on a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    /// When.
    pub at: Mark,
    /// Commit or abort.
    pub decision: Decision,
    /// Why it aborted, if it did.
    pub cause: Option<AbortCause>,
}

/// The twopc events of a history the checkers judge, by kind.
#[derive(Debug, Clone)]
pub struct Timeline<'h> {
    history: &'h History<Event>,
    /// Begun transactions and their participants.
    pub begun: BTreeMap<TxnId, (Mark, &'h [NodeId])>,
    /// The coordinator's first decision per transaction (a later one,
    /// which only a buggy coordinator makes, does not count).
    pub decided: BTreeMap<TxnId, Decided>,
    /// (participant, transaction) prepared, in order.
    pub prepared: Vec<(Mark, NodeId, TxnId)>,
    /// Participants' outcomes, in order.
    pub outcomes: Vec<Outcome<'h>>,
}

impl<'h> Timeline<'h> {
    /// Sorts the events of `history`.
    pub fn of(history: &'h History<Event>) -> Timeline<'h> {
        let mut t = Timeline {
            history,
            begun: BTreeMap::new(),
            decided: BTreeMap::new(),
            prepared: Vec::new(),
            outcomes: Vec::new(),
        };
        for (index, entry) in history.entries.iter().enumerate() {
            if let Entry::Event(ev) = entry {
                let at = Mark {
                    index,
                    time_us: ev.time_us,
                };
                t.add(at, ev.node, &ev.event);
            }
        }
        t
    }

    fn add(&mut self, at: Mark, node: NodeId, ev: &'h Event) {
        let outcome = |txn, local| Outcome {
            at,
            node,
            txn,
            local,
        };
        match ev {
            Event::Begun { participants, txn } => {
                self.begun.insert(*txn, (at, participants));
            }
            Event::Decided {
                cause,
                decision,
                txn,
            } => {
                let d = Decided {
                    at,
                    decision: *decision,
                    cause: *cause,
                };
                self.decided.entry(*txn).or_insert(d);
            }
            Event::Prepared { txn, .. } => self.prepared.push((at, node, *txn)),
            Event::Committed {
                balances,
                legs,
                txn,
            } => {
                let local = Local::Committed { legs, balances };
                self.outcomes.push(outcome(*txn, local));
            }
            Event::Aborted { cause, txn } => {
                self.outcomes.push(outcome(*txn, Local::Aborted(*cause)));
            }
            Event::Forgotten { txn, .. } => self.outcomes.push(outcome(*txn, Local::Forgotten)),
            Event::Finished { .. }
            | Event::PresumedAbort { .. }
            | Event::Recovered { .. }
            | Event::HeuristicConflict { .. }
            | Event::InquiryAnswered { .. }
            | Event::Restored { .. } => {}
        }
    }

    /// The coordinator's first decision on `txn`, if any.
    pub fn decision(&self, txn: TxnId) -> Option<&Decided> {
        self.decided.get(&txn)
    }

    /// Node `id`'s name, for messages.
    pub fn name(&self, id: NodeId) -> &'static str {
        self.history.node_name(id)
    }

    /// Every participant outcome, grouped by transaction.
    pub fn outcomes_by_txn(&self) -> BTreeMap<TxnId, Vec<&Outcome<'h>>> {
        let mut by: BTreeMap<TxnId, Vec<&Outcome<'h>>> = BTreeMap::new();
        for o in &self.outcomes {
            by.entry(o.txn).or_default().push(o);
        }
        by
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckContext, Checker, Verdict};
    use crate::history::{EventEntry, OpEntry, OpType, Val};
    use crate::name::Name;

    const C1: NodeId = 0;
    const P1: NodeId = 1;
    const P2: NodeId = 2;

    fn txn(seq: u32) -> TxnId {
        TxnId {
            coord: C1,
            epoch: 1,
            seq,
        }
    }

    /// c1.1.1 over p1 and p2: c1 decides commit (and tells the client),
    /// p1 commits its debit of 31, p2 is told abort; c1.1.2 stays prepared
    /// at p2.
    fn split_history() -> History<Event> {
        let names = ["c1", "p1", "p2"].map(|n| Name::intern(n).unwrap());
        let mut h = History::with_nodes(names.to_vec());
        let debit = Leg {
            account: 0,
            delta: -31,
        };
        let events = [
            (
                C1,
                Event::Begun {
                    participants: Box::new([P1, P2]),
                    txn: txn(1),
                },
            ),
            (
                P1,
                Event::Prepared {
                    legs: Box::new([debit]),
                    txn: txn(1),
                },
            ),
            (
                P2,
                Event::Prepared {
                    legs: Box::new([]),
                    txn: txn(2),
                },
            ),
            (
                C1,
                Event::Decided {
                    cause: None,
                    decision: Decision::Commit,
                    txn: txn(1),
                },
            ),
            (
                C1,
                Event::Decided {
                    cause: Some(AbortCause::Recovery),
                    decision: Decision::Abort,
                    txn: txn(1),
                },
            ),
            (
                P1,
                Event::Committed {
                    balances: Box::new([(0, 69)]),
                    legs: Box::new([debit]),
                    txn: txn(1),
                },
            ),
            (
                P2,
                Event::Aborted {
                    cause: AbortCause::Decision,
                    txn: txn(1),
                },
            ),
        ];
        for (i, (node, event)) in events.into_iter().enumerate() {
            let time_us = 1_000 * (i as u64 + 1);
            h.push(Entry::Event(EventEntry {
                time_us,
                node,
                event,
            }));
        }
        let f = Name::intern("transfer").unwrap();
        let mut ok = OpEntry::new(OpType::Ok, 0, 4_500, f);
        ok.value = Val::from(serde_json::json!({"cause": null, "txn": "c1.1.1"}));
        h.push(Entry::Op(ok));
        h
    }

    fn messages(checker: &dyn Checker<Event>, h: &History<Event>) -> Vec<String> {
        let ctx = CheckContext {
            nodes: vec!["c1".into(), "p1".into(), "p2".into()],
            heal_us: 0,
            end_us: 10_000,
        };
        match checker.check(h, &ctx) {
            Verdict::Invalid { violations } => violations.into_iter().map(|v| v.message).collect(),
            other => panic!("expected a violation, got {other:?}"),
        }
    }

    #[test]
    fn the_timeline_sorts_events_by_kind_and_keeps_the_first_decision() {
        let h = split_history();
        let t = Timeline::of(&h);
        assert_eq!(t.begun[&txn(1)].1, &[P1, P2]);
        assert_eq!(
            t.decision(txn(1)).map(|d| d.decision),
            Some(Decision::Commit)
        );
        assert_eq!(t.prepared.len(), 2);
        let by = t.outcomes_by_txn();
        assert_eq!(by[&txn(1)].len(), 2);
        assert!(by[&txn(1)][0].local.applied());
        assert_eq!(by[&txn(1)][1].local, Local::Aborted(AbortCause::Decision));
        assert_eq!(t.name(P2), "p2");
    }

    #[test]
    fn the_checkers_name_nodes_and_causes_in_words() {
        let h = split_history();
        assert_eq!(
            messages(&super::super::atomicity::Atomicity, &h),
            ["c1.1.1 split: the coordinator decided commit, p1 committed; but p2 aborted (decision)"]
        );
        assert_eq!(
            messages(&super::super::conservation::Conservation, &h),
            ["c1.1.1 destroyed 31 of money: p1 committed, p2 aborted (decision)"]
        );
        assert_eq!(
            messages(&super::super::termination::Termination, &h),
            ["p2 still holds c1.1.2 prepared, its rows locked"]
        );
        assert_eq!(
            messages(&super::super::client_truth::ClientTruth, &h),
            ["the client was told c1.1.1 committed, but p2 aborted (decision)"]
        );
    }
}
