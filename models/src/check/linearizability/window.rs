//! The window of a failure: the op that cannot be placed, the prefix the
//! search managed before it, and the ops concurrent with it.
//!
//! The search reports the dead end it reached furthest into the history
//! (latest return event, then deepest prefix). The op whose return stopped
//! it is the one no order could place; the ops that overlap it in real time
//! are the only ones that could have been ordered around it, so together
//! with the prefix's last op (which set the state it saw) they are the
//! window a reader needs to see why.

use super::prepare::{Op, Partition};
use super::search::Stuck;
use crate::check::Violation;
use crate::history::{Entry, History};
use serde::Serialize;

/// At most this many concurrent ops are listed in a failure.
pub const WINDOW_OPS_MAX: usize = 32;

/// Where one operation sits in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OpRef {
    /// Index into `History::entries` of its invoke line.
    pub invoke: usize,
    /// Index of its completion line (ok, fail or info), if it has one.
    pub completion: Option<usize>,
}

/// Why a history (or one key of it) is not linearizable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// The key whose operations cannot be ordered; `None` for unkeyed ops.
    pub key: Option<String>,
    /// The op no order can place: its return came before any legal position.
    pub op: OpRef,
    /// The longest linearizable prefix the search found, in linearization order.
    pub prefix: Vec<OpRef>,
    /// The spec's state after that prefix, as text.
    pub state: String,
    /// Ops concurrent with `op` (overlapping it in real time), by invoke; at most [`WINDOW_OPS_MAX`].
    pub concurrent: Vec<OpRef>,
}

impl Failure {
    /// Builds the failure of `part` from the search's furthest dead end.
    pub(crate) fn new(part: &Partition, stuck: Stuck) -> Failure {
        let ops = &part.ops;
        let at = |id: usize| op_ref(&ops[id]);
        let target = &ops[stuck.op];
        let concurrent = (0..ops.len())
            .filter(|&id| id != stuck.op && overlaps(&ops[id], target))
            .take(WINDOW_OPS_MAX)
            .map(at)
            .collect();
        Failure {
            key: part.key.clone(),
            op: at(stuck.op),
            prefix: stuck.prefix.iter().map(|&id| at(id)).collect(),
            state: stuck.state,
            concurrent,
        }
    }

    /// The history entries of the window: the op, the prefix's last op and
    /// the concurrent ops; sorted.
    pub fn entries(&self) -> Vec<usize> {
        let mut refs = vec![self.op];
        refs.extend(self.prefix.last().copied());
        refs.extend(self.concurrent.iter().copied());
        let mut entries: Vec<usize> = refs
            .iter()
            .flat_map(|r| std::iter::once(r.invoke).chain(r.completion))
            .collect();
        entries.sort_unstable();
        entries.dedup();
        entries
    }

    /// A violation for a verdict, with text naming the ops and their times.
    pub fn to_violation<E>(&self, history: &History<E>) -> Violation {
        let key = self
            .key
            .as_ref()
            .map_or(String::new(), |k| format!("key {k:?}: "));
        let last = self
            .prefix
            .last()
            .map_or("none".to_string(), |r| describe(history, *r));
        let concurrent: Vec<String> = self
            .concurrent
            .iter()
            .map(|r| describe(history, *r))
            .collect();
        let message = format!(
            "{key}{} cannot be linearized: the longest linearizable prefix has {} ops \
             and ends in state {} (last: {last}); concurrent with it: [{}]",
            describe(history, self.op),
            self.prefix.len(),
            self.state,
            concurrent.join("; "),
        );
        let end = self.op.completion.unwrap_or(self.op.invoke);
        Violation {
            message,
            time_us: time_us(history, end),
            entries: self.entries(),
        }
    }
}

/// Where `op` sits.
fn op_ref(op: &Op) -> OpRef {
    OpRef {
        invoke: op.invoke,
        completion: op.completion.or(op.info),
    }
}

/// True when `a` and `b` overlap in real time (a pending op never ends).
fn overlaps(a: &Op, b: &Op) -> bool {
    let end = |op: &Op| op.completion.unwrap_or(usize::MAX);
    a.invoke < end(b) && b.invoke < end(a)
}

/// The simulated time of entry `index`.
fn time_us<E>(history: &History<E>, index: usize) -> Option<u64> {
    match history.entries.get(index)? {
        Entry::Op(op) => Some(op.time_us),
        Entry::Event(ev) => Some(ev.time_us),
        Entry::Fault(f) => Some(f.time_us),
    }
}

/// "process 3 via n2 cas [1,2] -> fail (entries 4..9, 0.120..0.480 ms)".
fn describe<E>(history: &History<E>, r: OpRef) -> String {
    let Some(Entry::Op(invoke)) = history.entries.get(r.invoke) else {
        return format!("entry {}", r.invoke);
    };
    let done = r.completion.and_then(|i| match history.entries.get(i) {
        Some(Entry::Op(op)) => Some(op),
        _ => None,
    });
    let outcome = done.map_or("pending".to_string(), |d| {
        format!(
            "{} {}",
            serde_json::to_string(&d.kind).unwrap_or_default(),
            d.value()
        )
    });
    let span = |a: String, b: Option<String>| b.map_or(format!("{a}.."), |b| format!("{a}..{b}"));
    let ms = |us: u64| format!("{}.{:03}", us / 1000, us % 1000);
    let via = invoke
        .node()
        .map_or(String::new(), |n| format!(" via {}", history.node_name(n)));
    format!(
        "process {}{via} {} {} -> {} (entries {}, {} ms)",
        invoke.process,
        invoke.f(),
        invoke.value(),
        outcome.replace('"', ""),
        span(r.invoke.to_string(), r.completion.map(|c| c.to_string())),
        span(ms(invoke.time_us), done.map(|d| ms(d.time_us))),
    )
}
