//! Linearizability checking of client histories.
//!
//! A history is linearizable when every operation can be given one instant
//! between its invoke and its completion such that the ops, run one at a
//! time in that order, are legal for a sequential specification (Herlihy &
//! Wing, 1990). Deciding it is NP-complete in general; this checker uses
//! the search of Wing & Gong ("Testing and verifying concurrent objects",
//! JPDC 1993) with the memoisation of Lowe ("Testing for linearizability",
//! CCPE 2017), as Porcupine (Athalye, github.com/anishathalye/porcupine)
//! implements it, and splits the history by key first (P-compositionality,
//! Horn & Kroening 2015): a map is linearizable iff each key is.
//!
//! How the pieces fit:
//! - [`prepare`](self) pairs invokes with completions under the chosen
//!   [`CheckOptions`] (what `fail` means, what a null read means) and
//!   partitions the ops by key;
//! - [`model`](self) holds the sequential specs of [`SpecKind`];
//! - [`search`](self) is the Wing-Gong-Lowe search, resumable and bounded
//!   by a step count; partitions are searched round-robin so one hard key
//!   cannot hide an easy failure in another; `cache` holds its memo and
//!   `values` interns register values (appends build strings in O(1));
//! - [`window`] turns a dead end into a [`Failure`]: the op that cannot be
//!   placed, the longest linearizable prefix and the concurrent ops;
//! - [`convert`] reads Knossos (EDN) and Porcupine histories into a
//!   [`History`].
//!
//! Pending ops (`info`, or an invoke never completed) may take effect at
//! any moment after their invoke, or never. The verdict is valid, invalid
//! (with the window) or unknown (the step budget ran out, or the history has
//! ops the spec does not know).

mod cache;
pub mod convert;
mod linearized;
mod model;
mod prepare;
mod search;
mod values;
pub mod window;

use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict};
use crate::history::History;
use model::{Input, MultiRegisterSpec, MutexSpec, RegisterSpec, Spec, Values};
use prepare::Partition;
use search::{Progress, Search};
use serde_json::Value;
use std::cell::RefCell;

pub use window::{Failure, OpRef, WINDOW_OPS_MAX};

/// At most this many failing keys are reported.
pub const FAILURES_MAX: usize = 8;

/// The sequential specification to check against. Every kind but
/// [`SpecKind::MultiRegister`] is checked key by key (an op's optional
/// `key` field); unkeyed ops form one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpecKind {
    /// `read` (result in the ok's `value`) and `write` (argument in `value`).
    Register,
    /// A register plus `cas` with `value` `[expected, new]`.
    CasRegister,
    /// A map of cas-registers by `key`, plus `append` (string concatenation);
    /// `get`/`put` are aliases of `read`/`write`.
    Kv,
    /// `acquire` (legal when free) and `release` (legal when held).
    Mutex,
    /// Knossos's multi-register: `txn` with `value` `[[f, key, v], ...]`,
    /// f `read` or `write`, applied atomically.
    MultiRegister,
}

impl SpecKind {
    /// Every kind, for listings.
    pub const ALL: [SpecKind; 5] = [
        SpecKind::Register,
        SpecKind::CasRegister,
        SpecKind::Kv,
        SpecKind::Mutex,
        SpecKind::MultiRegister,
    ];

    /// The kind's name: "register", "cas-register", "kv", "mutex", "multi-register".
    pub fn name(self) -> &'static str {
        match self {
            SpecKind::Register => "register",
            SpecKind::CasRegister => "cas-register",
            SpecKind::Kv => "kv",
            SpecKind::Mutex => "mutex",
            SpecKind::MultiRegister => "multi-register",
        }
    }

    /// The kind called `name` (see [`SpecKind::name`]).
    pub fn from_name(name: &str) -> Option<SpecKind> {
        SpecKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// True when the kind has the operation `input`.
    fn accepts(self, input: &Input) -> bool {
        use Input as I;
        match self {
            SpecKind::Register => matches!(input, I::Read | I::Write(_)),
            SpecKind::CasRegister => matches!(input, I::Read | I::Write(_) | I::Cas(..)),
            SpecKind::Kv => matches!(input, I::Read | I::Write(_) | I::Cas(..) | I::Append(_)),
            SpecKind::Mutex => matches!(input, I::Acquire | I::Release),
            SpecKind::MultiRegister => matches!(input, I::Txn(_)),
        }
    }
}

/// What a `fail` completion means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailSemantics {
    /// The op certainly did not take effect (Faultline's and Knossos's meaning).
    #[default]
    DidNotHappen,
    /// A failed `cas` did run, and found a value other than the expected one
    /// (Porcupine's etcd tests); a failed op of any other kind is dropped.
    CompareFailed,
}

/// What a read that returned null means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NilRead {
    /// The register held null (no value yet, or an absent key).
    #[default]
    Absent,
    /// The result is unknown: the read constrains nothing (Knossos).
    Unknown,
}

/// How to read and bound a check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOptions {
    /// Every register's (key's) value before any write.
    pub initial: Value,
    /// What `fail` means.
    pub fail: FailSemantics,
    /// What a read of null means.
    pub nil_read: NilRead,
    /// Search steps allowed over the whole history; past it the verdict is unknown.
    pub steps_max: u64,
    /// Bytes the search's memo of explored configurations may hold (over
    /// all keys). Past it the largest key's memo is emptied and its search
    /// goes on without the configurations it held: the memo only prunes, so
    /// the verdict stays exact, but the search may redo work and so end
    /// `unknown` on `steps_max` where it would have decided.
    pub memo_bytes_max: usize,
}

impl Default for CheckOptions {
    /// Initial null, fail = did not happen, null reads exact, 10 million
    /// steps, a 256 MiB memo.
    fn default() -> Self {
        CheckOptions {
            initial: Value::Null,
            fail: FailSemantics::DidNotHappen,
            nil_read: NilRead::Absent,
            steps_max: 10_000_000,
            memo_bytes_max: 256 << 20,
        }
    }
}

impl CheckOptions {
    /// Knossos's reading: fail = did not happen, a null read is unknown.
    pub fn knossos(initial: Value) -> CheckOptions {
        CheckOptions {
            initial,
            nil_read: NilRead::Unknown,
            ..CheckOptions::default()
        }
    }

    /// Porcupine's etcd reading: initial null, a failed cas saw another value.
    pub fn porcupine_etcd() -> CheckOptions {
        CheckOptions {
            fail: FailSemantics::CompareFailed,
            ..CheckOptions::default()
        }
    }

    /// Porcupine's kv reading: every key starts as the empty string.
    pub fn porcupine_kv() -> CheckOptions {
        CheckOptions {
            initial: Value::String(String::new()),
            ..CheckOptions::default()
        }
    }
}

/// The full result of a check.
#[derive(Debug, Clone, PartialEq)]
pub enum Analysis {
    /// Some order of the ops is legal.
    Linearizable,
    /// No order is; one failure per failing key (at most [`FAILURES_MAX`]).
    NotLinearizable(Vec<Failure>),
    /// Could not decide: the step budget ran out, or the history is malformed.
    Unknown(String),
}

impl Analysis {
    /// The verdict, with violations that cite `history`'s entries.
    pub fn to_verdict<E>(&self, history: &History<E>) -> Verdict {
        match self {
            Analysis::Linearizable => Verdict::Valid,
            Analysis::NotLinearizable(failures) => Verdict::Invalid {
                violations: failures.iter().map(|f| f.to_violation(history)).collect(),
            },
            Analysis::Unknown(reason) => Verdict::Unknown {
                reason: reason.clone(),
            },
        }
    }
}

/// Checks `history` against `kind`; see [`analyze`] for the details of a failure.
pub fn check_history<E>(history: &History<E>, kind: SpecKind, opts: &CheckOptions) -> Verdict {
    analyze(history, kind, opts).to_verdict(history)
}

/// Checks `history` against `kind`, key by key, within `opts.steps_max` steps.
pub fn analyze<E>(history: &History<E>, kind: SpecKind, opts: &CheckOptions) -> Analysis {
    let mut values = Values::default();
    let parts = match prepare::prepare(history, kind, opts, &mut values) {
        Ok(parts) => parts,
        Err(e) => return Analysis::Unknown(format!("cannot check as {}: {e}", kind.name())),
    };
    let initial = values.json(&opts.initial);
    let (failures, undecided) = match kind {
        SpecKind::Register | SpecKind::CasRegister | SpecKind::Kv => {
            let values = RefCell::new(values);
            let spec = RegisterSpec { initial, values };
            search_all(&spec, &parts, opts)
        }
        SpecKind::Mutex => search_all(&MutexSpec, &parts, opts),
        SpecKind::MultiRegister => {
            let spec = MultiRegisterSpec { initial, values };
            search_all(&spec, &parts, opts)
        }
    };
    match (failures.is_empty(), undecided) {
        (false, _) => Analysis::NotLinearizable(failures),
        (true, None) => Analysis::Linearizable,
        (true, Some(key)) => Analysis::Unknown(format!(
            "search budget of {} steps ran out (key {key:?} undecided)",
            opts.steps_max
        )),
    }
}

/// Steps each partition's search gets per round.
const SLICE_STEPS: u64 = 10_000;

/// Searches all partitions round-robin, `SLICE_STEPS` at a time, so that
/// one hard key cannot starve the others: the first round in which some
/// key fails ends the search (one failing key decides the verdict). Keeps
/// the memos within `opts.memo_bytes_max`. Returns the failures and, if
/// the step budget ran out first, an undecided key.
fn search_all<S: Spec>(
    spec: &S,
    parts: &[Partition],
    opts: &CheckOptions,
) -> (Vec<Failure>, Option<Option<String>>) {
    let mut searches: Vec<(&Partition, Search<S>)> = parts
        .iter()
        .map(|p| (p, Search::new(spec, &p.ops)))
        .collect();
    let mut steps_left = opts.steps_max;
    let mut failures = Vec::new();
    while !searches.is_empty() && failures.is_empty() && steps_left > 0 {
        bound_memos(&mut searches, opts.memo_bytes_max);
        searches.retain_mut(|(part, search)| {
            let (used, progress) = search.run(SLICE_STEPS.min(steps_left));
            steps_left -= used;
            match progress {
                Progress::Linearizable => false,
                Progress::Illegal(stuck) => {
                    failures.push(Failure::new(part, stuck));
                    false
                }
                Progress::Paused => true,
            }
        });
    }
    failures.truncate(FAILURES_MAX);
    let undecided = searches.first().map(|(part, _)| part.key.clone());
    (failures, undecided)
}

/// Empties the largest memos until all fit in `bytes_max`.
fn bound_memos<S: Spec>(searches: &mut [(&Partition, Search<S>)], bytes_max: usize) {
    let mut total: usize = searches.iter().map(|(_, s)| s.memo_bytes()).sum();
    while total > bytes_max {
        let Some((_, largest)) = searches.iter_mut().max_by_key(|(_, s)| s.memo_bytes()) else {
            return;
        };
        let before = largest.memo_bytes();
        largest.forget();
        let after = largest.memo_bytes();
        if after >= before {
            return; // every memo is as small as it gets
        }
        total -= before - after;
    }
}

/// The "linearizable" property as a [`Checker`] for protocol models.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearizabilityChecker {
    /// The spec the client ops must satisfy.
    pub kind: SpecKind,
    /// How to read the history and bound the search.
    pub options: CheckOptions,
}

impl LinearizabilityChecker {
    /// A checker of `kind` with Faultline's default options.
    pub fn new(kind: SpecKind) -> LinearizabilityChecker {
        LinearizabilityChecker {
            kind,
            options: CheckOptions::default(),
        }
    }
}

impl LinearizabilityChecker {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "linearizable",
        property: Property::Always,
        description:
            "Client operations take effect atomically at one instant between invoke and completion.",
    };
}

impl<E> Checker<E> for LinearizabilityChecker {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<E>, _ctx: &CheckContext) -> Verdict {
        check_history(history, self.kind, &self.options)
    }
}

#[cfg(test)]
mod tests;
