//! Checker "command-query-progress": in a quiet window, commands are
//! decided, queries and rebuilds answered, and a version conflict is
//! retried to a decision.
//!
//! Safety checkers pass on a system that does nothing: a handler that
//! drops every `add_item` keeps every stream's versions intact. Three
//! rules, each judged only in quiet windows (no fault in force, see
//! [`crate::check::windows`]) at least `progress_settle_ms` after the
//! window opened and `progress_within_ms` before it closed:
//!
//! 1. **Per operation kind** ([`crate::check::progress::judge`], once per
//!    kind): a `create`, `add_item`, `pay` or `cancel` invoked at `s` is
//!    followed within the bound by some *decision* of that kind (any
//!    client): `ok`, or `fail` with a domain error ("no such order", ...)
//!    but not "conflict" or "overloaded"; a `read_*` or `rebuild` by some
//!    `ok` of that kind. Judged per kind so that one dead command cannot
//!    hide behind the others' successes.
//! 2. **Conflicts retried**: a `conflict` the store records at `t` for
//!    order `o` at version `v` is followed within the bound by a decision
//!    of some command on `o` that was already in flight at `t`, other than
//!    the winner's own `ok` (version `v`): the loser reloaded and decided
//!    (`ok` at a later version, or `fail`, "conflict" after `retries_max`
//!    included). A handler that lets a conflicting command time out fails
//!    this rule even while every other command succeeds.
//!
//! The verdict is invalid if any rule found a violation, unknown (with the
//! reasons) if no rule judged anything, else valid.
//!
//! # Why the defaults are sound
//!
//! In a quiet window every node is up and the network whole; a command
//! needs a load and an append round trip to the store (a few ms), a read
//! one round trip to its projector, a rebuild a few pages from the store.
//! `settle` = 500 ms lets a restarted handler or projector come back and a
//! paused projector drain; `within` = 1000 ms is far above any of these
//! and above the 500 ms command timeout after which a lost message turns
//! into an answer. See the cqrs section of the project README for the
//! sweeps that measured it.

use super::event::Event;
use super::params::Params;
use crate::check::progress::{judge, ProgressBound, ProgressRule, VIOLATIONS_MAX};
use crate::check::windows::{quiet_windows, Window};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::{Entry, History, OpEntry, OpType, Val};
use serde_json::Value;
use std::collections::BTreeMap;

/// The command-query progress checker with its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandQueryProgress {
    bound: ProgressBound,
}

/// The commands, the operations whose `fail` may be a decision.
const COMMANDS: [&str; 4] = ["create", "add_item", "pay", "cancel"];

/// Every operation kind rule 1 judges, with its progress in words.
const KINDS: [(&str, &str); 8] = [
    ("create", "decided create"),
    ("add_item", "decided add_item"),
    ("pay", "decided pay"),
    ("cancel", "decided cancel"),
    ("read_order", "ok read_order"),
    ("read_customer", "ok read_customer"),
    ("read_status", "ok read_status"),
    ("rebuild", "ok rebuild"),
];

impl CommandQueryProgress {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "command-query-progress",
        property: Property::Progress,
        description: "in every quiet window, each kind of command is decided and each kind of query answered within the bound, and a version conflict is retried to a decision",
    };

    /// The checker with the bound of `params`.
    pub fn new(params: &Params) -> CommandQueryProgress {
        CommandQueryProgress {
            bound: ProgressBound {
                settle_us: params.progress_settle_ms * 1_000,
                within_us: params.progress_within_ms * 1_000,
            },
        }
    }

    fn kind_verdict(&self, history: &History<Event>, ctx: &CheckContext, f: &str) -> Verdict {
        let what = KINDS.iter().find(|(k, _)| *k == f).map_or(f, |(_, w)| *w);
        let attempt = |op: &OpEntry| op.f == f;
        let progress = |op: &OpEntry| op.f == f && decided(op);
        let rule = ProgressRule {
            bound: self.bound,
            attempt: &attempt,
            progress: &progress,
            what,
        };
        judge(history, ctx, &rule)
    }
}

/// Whether a completion is a decision: ok, or a command refused by the
/// order's rules (not by contention or load).
fn decided(op: &OpEntry) -> bool {
    match op.kind {
        OpType::Ok => true,
        OpType::Fail => {
            let error = op.value().get("error").and_then(Value::as_str);
            COMMANDS.contains(&op.f()) && !matches!(error, Some("overloaded") | Some("conflict"))
        }
        OpType::Info | OpType::Invoke => false,
    }
}

impl Checker<Event> for CommandQueryProgress {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, ctx: &CheckContext) -> Verdict {
        let mut verdicts: Vec<Verdict> = KINDS
            .iter()
            .map(|(f, _)| self.kind_verdict(history, ctx, f))
            .collect();
        verdicts.push(conflicts_retried(history, ctx, self.bound));
        merge(verdicts)
    }
}

/// Invalid if any is, else valid if any is, else unknown.
fn merge(verdicts: Vec<Verdict>) -> Verdict {
    let mut violations = Vec::new();
    let mut reasons = Vec::new();
    let mut valid = false;
    for v in verdicts {
        match v {
            Verdict::Invalid { violations: mut v } => violations.append(&mut v),
            Verdict::Valid => valid = true,
            Verdict::Unknown { reason } => reasons.push(reason),
        }
    }
    if !violations.is_empty() {
        violations.truncate(VIOLATIONS_MAX);
        return Verdict::Invalid { violations };
    }
    if valid {
        return Verdict::Valid;
    }
    reasons.dedup();
    Verdict::Unknown {
        reason: reasons.join("; "),
    }
}

/// One command: its invocation and completion lines.
struct Call<'a> {
    invoke: &'a OpEntry,
    done: Option<&'a OpEntry>,
}

fn command_calls(history: &History<Event>) -> Vec<Call<'_>> {
    let mut open: BTreeMap<u64, usize> = BTreeMap::new();
    let mut calls = Vec::new();
    for entry in &history.entries {
        let Entry::Op(op) = entry else { continue };
        if !COMMANDS.contains(&op.f()) {
            continue;
        }
        if op.kind == OpType::Invoke {
            open.insert(op.process, calls.len());
            calls.push(Call {
                invoke: op,
                done: None,
            });
        } else if let Some(i) = open.remove(&op.process) {
            calls[i].done = Some(op);
        }
    }
    calls
}

fn key_of(op: &OpEntry) -> Option<u64> {
    op.key().and_then(Val::as_u64)
}

/// Whether `call` decided, after the conflict at `t` (order `o`, winner at
/// `v`), by `t + within`.
fn resolves(call: &Call<'_>, o: u64, v: u64, t: u64, within: u64) -> bool {
    let Some(done) = call.done else { return false };
    let winner =
        done.kind == OpType::Ok && done.value().get("version").and_then(Value::as_u64) == Some(v);
    key_of(call.invoke) == Some(o)
        && call.invoke.time_us <= t
        && done.time_us >= t
        && done.time_us <= t + within
        && !winner
        && matches!(done.kind, OpType::Ok | OpType::Fail)
}

/// Rule 2 of the module doc.
fn conflicts_retried(history: &History<Event>, ctx: &CheckContext, b: ProgressBound) -> Verdict {
    let windows = quiet_windows(history, ctx);
    let calls = command_calls(history);
    let (mut judged, mut violations) = (0usize, Vec::new());
    for (i, ev) in history.indexed_events() {
        let Event::Conflict { order, version, .. } = ev.event else {
            continue;
        };
        let t = ev.time_us;
        if !judged_at(&windows, t, b) {
            continue;
        }
        judged += 1;
        if calls
            .iter()
            .any(|c| resolves(c, order, version, t, b.within_us))
        {
            continue;
        }
        violations.push(Violation {
            message: format!(
                "the conflict on order {order} at {} ms (stream at version {version}) was not retried to a decision within {} ms, although no fault was in force",
                t / 1_000,
                b.within_us / 1_000
            ),
            time_us: Some(t),
            entries: vec![i],
        });
    }
    if !violations.is_empty() {
        violations.truncate(VIOLATIONS_MAX);
        return Verdict::Invalid { violations };
    }
    if judged == 0 {
        return Verdict::Unknown {
            reason: "judged nothing: no version conflict in a judged stretch of a quiet window"
                .into(),
        };
    }
    Verdict::Valid
}

/// Whether time `t` lies in a quiet window, `settle` after its start and
/// `within` before its end (as [`judge`] decides for operations).
fn judged_at(windows: &[Window], t: u64, b: ProgressBound) -> bool {
    let k = windows.partition_point(|w| w.to_us <= t);
    windows.get(k).is_some_and(|w| {
        t >= w.from_us.saturating_add(b.settle_us) && t.saturating_add(b.within_us) <= w.to_us
    })
}

#[cfg(test)]
mod tests {
    use super::super::timeline::build::ev;
    use super::*;
    use crate::name::Name;
    use serde_json::json;

    fn op(h: &mut History<Event>, kind: OpType, p: u64, t_ms: u64, f: &str, value: Value) {
        let mut e = OpEntry::new(kind, p, t_ms * 1_000, Name::intern(f).unwrap());
        e.key = Val::from(json!(5));
        e.value = Val::from(value);
        h.push(Entry::Op(e));
    }

    fn history() -> History<Event> {
        History::with_nodes(vec![Name::from_static("cmd1"), Name::from_static("store")])
    }

    fn check(h: &History<Event>) -> Verdict {
        let ctx = CheckContext {
            nodes: vec![],
            heal_us: 5_000_000,
            end_us: 10_000_000,
        };
        CommandQueryProgress::new(&Params::default()).check(h, &ctx)
    }

    #[test]
    fn nothing_is_unknown_and_a_decided_command_is_valid() {
        let mut h = history();
        assert!(matches!(check(&h), Verdict::Unknown { .. }));
        op(&mut h, OpType::Invoke, 0, 1_000, "add_item", json!(3));
        let refused = json!({"error": "no such order"});
        op(&mut h, OpType::Fail, 0, 1_010, "add_item", refused);
        assert_eq!(check(&h), Verdict::Valid);
    }

    #[test]
    fn a_dead_command_kind_fails_beside_a_live_one() {
        let mut h = history();
        op(&mut h, OpType::Invoke, 0, 1_000, "create", Value::Null);
        op(
            &mut h,
            OpType::Ok,
            0,
            1_010,
            "create",
            json!({"version": 1}),
        );
        op(&mut h, OpType::Invoke, 0, 1_100, "add_item", json!(3));
        op(&mut h, OpType::Info, 0, 2_100, "add_item", Value::Null);
        let Verdict::Invalid { violations } = check(&h) else {
            panic!("{:?}", check(&h))
        };
        assert!(violations[0].message.contains("decided add_item"));
    }

    #[test]
    fn a_conflict_must_be_retried_to_a_decision() {
        let mut h = history();
        op(&mut h, OpType::Invoke, 0, 1_000, "pay", Value::Null);
        op(&mut h, OpType::Invoke, 1, 1_000, "pay", Value::Null);
        let conflict = Event::Conflict {
            order: 5,
            expected: 2,
            version: 3,
        };
        ev(&mut h, 1_005_000, "store", conflict);
        op(&mut h, OpType::Ok, 0, 1_006, "pay", json!({"version": 3}));
        let mut retried = h.clone();
        op(
            &mut h,
            OpType::Info,
            1,
            1_505,
            "pay",
            json!({"error": "timeout"}),
        );
        let v = check(&h);
        let Verdict::Invalid { violations } = v else {
            panic!("{v:?}")
        };
        assert!(violations[0].message.contains("conflict on order 5"));
        let refused = json!({"error": "order is paid"});
        op(&mut retried, OpType::Fail, 1, 1_015, "pay", refused);
        assert_eq!(check(&retried), Verdict::Valid);
    }
}
