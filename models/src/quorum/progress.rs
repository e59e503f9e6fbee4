//! Progress (eventually): in a quiet window, reads and writes succeed.
//!
//! In a stretch with no fault in force every server is up and every link
//! whole, so a quorum of every key is reachable and a correct store answers
//! reads and writes within a few round trips. Judged with
//! [`crate::check::progress::judge`], one rule per kind of op, so a store
//! that still reads but never finishes a write (or the reverse) is caught:
//!
//! - a `read` invoked in a judged stretch must be followed within
//!   `progress_within_ms` by some read completing `ok`;
//! - a `write`, by some write completing `ok`;
//! - a `cas`, by some cas completing `ok` or `fail` on its compare (a
//!   definite answer; see [`super::situations`] for how the two `fail`s
//!   differ).
//!
//! Progress by any client counts, so a single op lost to the network's
//! static loss, or a write that timed out behind a slow replica, is no
//! finding; a store that stops serving everyone is. The verdict is invalid
//! if any rule is, valid if some rule judged an attempt, unknown otherwise.
//!
//! **Soundness of the defaults** (`progress_settle_ms = 200`,
//! `progress_within_ms = 1000`), measured in release builds with every
//! `[check] only` removed: over seeds 1..=2000 of each bundled
//! correct-variant scenario (steady, r1w3, clock-skew, partition, crash,
//! crash-no-fsync, async-repair, r1w1, cas, compare-rw) there was no
//! violation at the defaults, none with `within` cut to 300 ms, and with
//! 150 ms only in compare-rw (1 seed, lognormal σ = 1.5 latency) and
//! async-repair (408 seeds: half the messages are held back by up to
//! 100 ms). So the longest wait seen was under 300 ms. The scenario
//! async-repair had before (5% loss, lognormal σ = 1.5: writes time out at
//! the 500 ms request timeout in bursts) waited up to 600-650 ms (3 of
//! 1000 seeds over 600, none of 2000 over 650). `within` = 1000 ms is
//! twice the default request timeout, so an op that lost a message and
//! was answered by its timeout, followed by the client's next op, still
//! fits. `settle` could be almost 0 here (partition, crash and
//! crash-no-fsync pass 2000 seeds with settle = 1 µs and within = 300 ms:
//! a restarted replica serves at once from its disk); 200 ms leaves room
//! for requests that timed out across a fault's end.
//!
//! A store that answers nothing is caught: the `timeout-units` variant
//! (every request gives up after 0.5 ms) fails every seed of its scenario,
//! while linearizable, no-lost-writes and convergence answer unknown.

use super::event::Event;
use super::params::Params;
use crate::check::progress::{judge, ProgressBound, ProgressRule};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::{History, OpEntry, OpType};

/// A test on an op line.
type OpTest = dyn Fn(&OpEntry) -> bool;

/// The progress checker.
pub struct Progress {
    bound: ProgressBound,
}

impl Progress {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "progress",
        property: Property::Progress,
        description: "in a stretch with no fault in force, reads and writes complete ok (and cas answers) within progress_within_ms of being invoked",
    };

    /// The checker with the bound of `params`.
    pub fn new(params: &Params) -> Progress {
        let us = |ms: f64| (ms * 1000.0).round() as u64;
        Progress {
            bound: ProgressBound {
                settle_us: us(params.progress_settle_ms),
                within_us: us(params.progress_within_ms),
            },
        }
    }
}

fn is(op: &OpEntry, f: &str) -> bool {
    op.f == f
}

/// A cas that answered: ok, or fail with the value it found (a compare).
fn cas_answered(op: &OpEntry) -> bool {
    is(op, "cas") && (op.kind == OpType::Ok || super::situations::cas_conflict(op))
}

impl Checker<Event> for Progress {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, ctx: &CheckContext) -> Verdict {
        let read_ok = |op: &OpEntry| is(op, "read") && op.kind == OpType::Ok;
        let write_ok = |op: &OpEntry| is(op, "write") && op.kind == OpType::Ok;
        let rules: [(&str, &OpTest, &str); 3] = [
            ("read", &read_ok, "read completing ok"),
            ("write", &write_ok, "write completing ok"),
            (
                "cas",
                &cas_answered,
                "cas answered (ok, or fail on its compare)",
            ),
        ];
        let verdicts: Vec<Verdict> = rules
            .iter()
            .map(|&(f, progress, what)| {
                let attempt = move |op: &OpEntry| is(op, f);
                let rule = ProgressRule {
                    bound: self.bound,
                    attempt: &attempt,
                    progress,
                    what,
                };
                judge(history, ctx, &rule)
            })
            .collect();
        combine(verdicts)
    }
}

/// Invalid if any is (their violations together), else valid if any is,
/// else unknown with every reason.
fn combine(verdicts: Vec<Verdict>) -> Verdict {
    let mut violations: Vec<Violation> = Vec::new();
    let mut reasons = Vec::new();
    let mut valid = false;
    for (f, v) in ["read", "write", "cas"].iter().zip(verdicts) {
        match v {
            Verdict::Invalid { violations: v } => violations.extend(v),
            Verdict::Valid => valid = true,
            Verdict::Unknown { reason } => reasons.push(format!("{f}: {reason}")),
        }
    }
    if !violations.is_empty() {
        violations.sort_by_key(|v| v.time_us);
        return Verdict::Invalid { violations };
    }
    if valid {
        return Verdict::Valid;
    }
    Verdict::Unknown {
        reason: reasons.join("; "),
    }
}
