//! The situations twopc scenarios are meant to reach ("sometimes"
//! properties, see [`crate::check::situation`]): the paths of the protocol
//! that only faults open. A sweep that never reaches one has not tested it.

use super::event::Event;
use super::txn::{Decision, TxnId};
use crate::check::situation::{first_event, Situation};
use crate::check::CheckContext;
use crate::history::{Entry, FaultChange, FaultEntry, FaultKind, History};
use crate::node::NodeId;
use std::collections::BTreeMap;

/// The situations, in the order `run` lists them.
pub const SITUATIONS: &[Situation<Event>] = &[
    Situation {
        name: "abort-after-participant-crash",
        description: "the coordinator aborted a transfer one of whose participants had crashed since it began",
        reached: abort_after_participant_crash,
    },
    Situation {
        name: "coordinator-recovered",
        description: "a restarted coordinator found unfinished transactions in its log and finished them",
        reached: |h, _| {
            first_event(h, |e| matches!(&e.event, Event::Recovered { txns, .. } if !txns.is_empty()))
        },
    },
    Situation {
        name: "inquiry-answered",
        description: "an in-doubt participant asked about its transaction and learned the decision",
        reached: |h, _| first_event(h, |e| matches!(e.event, Event::InquiryAnswered { .. })),
    },
    Situation {
        name: "presumed-abort",
        description: "a coordinator asked about a transaction it had no record of answered abort (presumed abort)",
        reached: |h, _| first_event(h, |e| matches!(e.event, Event::PresumedAbort { .. })),
    },
    Situation {
        name: "commit-while-partitioned",
        description: "a transfer was decided commit while a link of one of its participants was cut",
        reached: commit_while_partitioned,
    },
];

/// The first abort decision on a transaction one of whose participants
/// crashed between its begin and that decision.
fn abort_after_participant_crash(h: &History<Event>, _: &CheckContext) -> Option<usize> {
    let mut begun: BTreeMap<TxnId, (u64, &[NodeId])> = BTreeMap::new();
    let mut crashed_us: BTreeMap<NodeId, u64> = BTreeMap::new();
    for (i, entry) in h.entries.iter().enumerate() {
        match entry {
            Entry::Fault(f) if f.change == FaultChange::Start(FaultKind::Crash) => {
                for &n in &f.nodes {
                    crashed_us.insert(n, f.time_us);
                }
            }
            Entry::Event(ev) => match &ev.event {
                Event::Begun { participants, txn } => {
                    begun.insert(*txn, (ev.time_us, participants));
                }
                Event::Decided {
                    decision: Decision::Abort,
                    txn,
                    ..
                } => {
                    let Some(&(since_us, ps)) = begun.get(txn) else {
                        continue;
                    };
                    if ps
                        .iter()
                        .any(|p| crashed_us.get(p).is_some_and(|&t| t >= since_us))
                    {
                        return Some(i);
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    None
}

/// The links cut right now: per directed link, how many faults cut it.
#[derive(Debug, Default)]
struct Cut(BTreeMap<(usize, usize), u32>);

impl Cut {
    fn apply(&mut self, f: &FaultEntry) {
        let cuts = |k| matches!(k, FaultKind::Partition | FaultKind::OneWay);
        match f.change {
            FaultChange::Heal => self.0.clear(),
            FaultChange::Start(k) if cuts(k) => {
                for &pair in &f.pairs {
                    *self.0.entry(pair).or_default() += 1;
                }
            }
            FaultChange::End(k) if cuts(k) => {
                for pair in &f.pairs {
                    if let Some(c) = self.0.get_mut(pair) {
                        *c -= 1;
                        if *c == 0 {
                            self.0.remove(pair);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn touches(&self, node: NodeId) -> bool {
        self.0.keys().any(|&(a, b)| a == node || b == node)
    }
}

/// The first commit decision taken while a link of one of the
/// transaction's participants was cut.
fn commit_while_partitioned(h: &History<Event>, _: &CheckContext) -> Option<usize> {
    let mut begun: BTreeMap<TxnId, &[NodeId]> = BTreeMap::new();
    let mut cut = Cut::default();
    for (i, entry) in h.entries.iter().enumerate() {
        match entry {
            Entry::Fault(f) => cut.apply(f),
            Entry::Event(ev) => match &ev.event {
                Event::Begun { participants, txn } => {
                    begun.insert(*txn, participants);
                }
                Event::Decided {
                    decision: Decision::Commit,
                    txn,
                    ..
                } => {
                    let ps = begun.get(txn).copied().unwrap_or_default();
                    if ps.iter().any(|&p| cut.touches(p)) {
                        return Some(i);
                    }
                }
                _ => {}
            },
            Entry::Op(_) => {}
        }
    }
    None
}
