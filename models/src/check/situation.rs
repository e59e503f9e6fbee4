//! Situations: what a protocol's scenarios are meant to reach ("sometimes"
//! properties, as in stateright and Antithesis).
//!
//! A checker can only fail on what a run exercised: a 2PC run in which no
//! participant ever crashed while prepared says nothing about recovery.
//! A protocol declares the situations worth reaching
//! ([`crate::Model::situations`]); `run` lists which a run reached, `sweep`
//! counts the seeds that reached each and says plainly which none did, and
//! `[check] require` makes a situation that was never reached a finding
//! (unknown: the scenario did not test what it was meant to).

use super::CheckContext;
use crate::history::{Entry, EventEntry, History, OpEntry};
use serde::Serialize;

/// A situation a protocol's scenarios are meant to reach.
pub struct Situation<E: 'static> {
    /// Its name, e.g. "abort-after-participant-crash".
    pub name: &'static str,
    /// What it is, in a sentence.
    pub description: &'static str,
    /// The index of the history entry at which the run first reached it,
    /// if it did.
    pub reached: fn(&History<E>, &CheckContext) -> Option<usize>,
}

impl<E> std::fmt::Debug for Situation<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Situation")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Whether one run reached one situation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reached {
    /// The situation's name.
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// When the run first reached it (simulated µs), if it did.
    pub time_us: Option<u64>,
    /// The history entry at which it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<usize>,
}

/// Which of `situations` `history` reached, in declaration order.
pub fn reached<E>(
    situations: &[Situation<E>],
    history: &History<E>,
    ctx: &CheckContext,
) -> Vec<Reached> {
    (situations.iter())
        .map(|s| {
            let entry = (s.reached)(history, ctx);
            Reached {
                name: s.name,
                description: s.description,
                time_us: entry
                    .and_then(|i| history.entries.get(i))
                    .map(Entry::time_us),
                entry,
            }
        })
        .collect()
}

/// The first event matching `pred`: the usual body of a
/// [`Situation::reached`].
pub fn first_event<E>(h: &History<E>, pred: impl Fn(&EventEntry<E>) -> bool) -> Option<usize> {
    h.entries
        .iter()
        .position(|e| matches!(e, Entry::Event(ev) if pred(ev)))
}

/// The first client operation line matching `pred`.
pub fn first_op<E>(h: &History<E>, pred: impl Fn(&OpEntry) -> bool) -> Option<usize> {
    h.entries
        .iter()
        .position(|e| matches!(e, Entry::Op(op) if pred(op)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{OpType, RawEvent};
    use crate::name::Name;

    const SITUATIONS: &[Situation<RawEvent>] = &[
        Situation {
            name: "a-write-failed",
            description: "a write was refused",
            reached: |h, _| first_op(h, |op| op.kind == OpType::Fail && op.f == "write"),
        },
        Situation {
            name: "never",
            description: "nothing matches",
            reached: |_, _| None,
        },
    ];

    #[test]
    fn reached_reports_the_first_matching_line_and_its_time() {
        let mut h: History = History::default();
        let f = Name::intern("write").unwrap();
        h.push(Entry::Op(OpEntry::new(OpType::Invoke, 0, 10, f)));
        h.push(Entry::Op(OpEntry::new(OpType::Fail, 0, 25, f)));
        let ctx = CheckContext {
            nodes: vec![],
            heal_us: 0,
            end_us: 100,
        };
        let r = reached(SITUATIONS, &h, &ctx);
        assert_eq!(r[0].entry, Some(1));
        assert_eq!(r[0].time_us, Some(25));
        assert_eq!(r[1].time_us, None);
    }
}
