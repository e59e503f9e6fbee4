//! Progress: in a quiet window, client operations get somewhere.
//!
//! Safety checkers pass on a protocol that does nothing at all: a 2PC
//! coordinator that never commits is atomic. A progress property closes
//! that hole. Each protocol states what an *attempt* is (an invoked client
//! operation that asks for progress, e.g. a transfer) and what *progress*
//! is (a completion that shows it, e.g. a committed transfer), and a
//! [`ProgressBound`]; [`judge`] then requires:
//!
//! > every attempt invoked at `s` inside a quiet window `[a, b)` (no fault
//! > in force, see [`super::windows`]) with `s >= a + settle` and
//! > `s + within <= b` is followed by some progress (by any client) in
//! > `[s, s + within]`.
//!
//! `settle` is the time a correct protocol may need after the last fault
//! ends (a restarted node reloading, an election, retries backing off);
//! `within` the longest a correct protocol may leave a client wanting.
//! Progress by any client counts, so one unlucky operation (a transfer
//! refused for want of funds, a lost race) is no violation; a protocol that
//! stops serving everyone is. Attempts outside every judged stretch are not
//! judged; if none is judged the verdict is unknown, never valid.

use super::windows::{quiet_windows, Window};
use super::{CheckContext, Verdict, Violation};
use crate::history::{Entry, History, OpEntry, OpType};

/// How long a correct protocol may take, in a quiet window, to progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressBound {
    /// From the window's start: time to recover from the last fault.
    pub settle_us: u64,
    /// From an attempt: the longest wait for some progress.
    pub within_us: u64,
}

/// At most this many violations are listed (one stall gives one).
pub const VIOLATIONS_MAX: usize = 5;

/// What to judge: which invocations ask for progress and which
/// completions show it.
pub struct ProgressRule<'a> {
    /// The bound.
    pub bound: ProgressBound,
    /// Whether an invocation asks for progress (e.g. `f == "transfer"`).
    pub attempt: &'a dyn Fn(&OpEntry) -> bool,
    /// Whether a completion (`ok`, `fail` or `info`) shows progress.
    pub progress: &'a dyn Fn(&OpEntry) -> bool,
    /// What progress is, in words, for messages ("a committed transfer").
    pub what: &'a str,
}

/// Judges `rule` on `history` (see the module doc).
pub fn judge<E>(history: &History<E>, ctx: &CheckContext, rule: &ProgressRule<'_>) -> Verdict {
    judge_in(history, &quiet_windows(history, ctx), rule)
}

/// [`judge`] in `windows` (the run's [`quiet_windows`]), for a checker that
/// judges several rules on one history and computes them once.
pub fn judge_in<E>(history: &History<E>, windows: &[Window], rule: &ProgressRule<'_>) -> Verdict {
    let progress: Vec<u64> = (history.ops())
        .filter(|op| op.kind != OpType::Invoke && (rule.progress)(op))
        .map(|op| op.time_us)
        .collect();
    let (settle, within) = (rule.bound.settle_us, rule.bound.within_us);
    let mut judged = 0usize;
    let mut violations = Vec::new();
    let mut quiet_until = 0u64;
    for (i, e) in history.entries.iter().enumerate() {
        let Entry::Op(op) = e else { continue };
        if op.kind != OpType::Invoke || !(rule.attempt)(op) {
            continue;
        }
        let s = op.time_us;
        let Some(w) = judged_window(windows, s, settle, within) else {
            continue;
        };
        judged += 1;
        let first = progress.partition_point(|&t| t < s);
        if progress.get(first).is_some_and(|&t| t <= s + within) || s < quiet_until {
            continue;
        }
        // One stall, one violation: skip the attempts it also starved.
        quiet_until = s + within;
        violations.push(Violation {
            message: format!(
                "no {} in the {} ms after process {}'s {} at {}, although no fault was in force from {} to {}",
                rule.what,
                ms(within),
                op.process,
                op.f,
                super::at_ms(s),
                super::at_ms(w.from_us),
                super::at_ms(w.to_us),
            ),
            time_us: Some(s),
            entries: vec![i],
        });
        if violations.len() == VIOLATIONS_MAX {
            break;
        }
    }
    if !violations.is_empty() {
        return Verdict::Invalid { violations };
    }
    if judged == 0 {
        let longest = windows.iter().map(Window::len_us).max().unwrap_or(0);
        return Verdict::Unknown {
            reason: format!(
                "judged nothing: no attempt was invoked at least {} ms into a quiet window and {} ms before its end (longest quiet window {} ms)",
                ms(settle),
                ms(within),
                ms(longest)
            ),
        };
    }
    Verdict::Valid
}

/// The window in which an attempt at `s` is judged, if any.
fn judged_window(windows: &[Window], s: u64, settle: u64, within: u64) -> Option<&Window> {
    let k = windows.partition_point(|w| w.to_us <= s);
    let w = windows.get(k)?;
    (s >= w.from_us.saturating_add(settle) && s.saturating_add(within) <= w.to_us).then_some(w)
}

fn ms(us: u64) -> String {
    let ms = us as f64 / 1000.0;
    if ms.fract() == 0.0 {
        format!("{ms:.0}")
    } else {
        format!("{ms:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{FaultChange, FaultEntry, FaultKind};
    use crate::name::Name;

    fn op(h: &mut History, kind: OpType, process: u64, t: u64, f: &str) {
        let f = Name::intern(f).unwrap();
        h.push(Entry::Op(OpEntry::new(kind, process, t, f)));
    }

    fn ctx() -> CheckContext {
        CheckContext {
            nodes: vec!["n1".into()],
            heal_us: 5_000_000,
            end_us: 10_000_000,
        }
    }

    const BOUND: ProgressBound = ProgressBound {
        settle_us: 500_000,
        within_us: 1_000_000,
    };

    fn rule<'a>(
        attempt: &'a dyn Fn(&OpEntry) -> bool,
        progress: &'a dyn Fn(&OpEntry) -> bool,
    ) -> ProgressRule<'a> {
        ProgressRule {
            bound: BOUND,
            attempt,
            progress,
            what: "ok write",
        }
    }

    fn is_write(op: &OpEntry) -> bool {
        op.f == "write"
    }

    fn is_ok(op: &OpEntry) -> bool {
        op.kind == OpType::Ok
    }

    #[test]
    fn an_attempt_answered_in_time_is_valid_and_a_starved_one_invalid() {
        let mut h: History = History::default();
        op(&mut h, OpType::Invoke, 0, 1_000_000, "write");
        op(&mut h, OpType::Ok, 0, 1_200_000, "write");
        assert_eq!(judge(&h, &ctx(), &rule(&is_write, &is_ok)), Verdict::Valid);
        op(&mut h, OpType::Invoke, 0, 2_000_000, "write");
        op(&mut h, OpType::Info, 0, 4_000_000, "write");
        let v = judge(&h, &ctx(), &rule(&is_write, &is_ok));
        let Verdict::Invalid { violations } = v else {
            panic!("{v:?}")
        };
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].entries, vec![2]);
        assert!(
            violations[0].message.contains("at 2000.000 ms"),
            "{violations:?}"
        );
    }

    #[test]
    fn progress_by_another_client_counts() {
        let mut h: History = History::default();
        op(&mut h, OpType::Invoke, 0, 1_000_000, "write");
        op(&mut h, OpType::Invoke, 1, 1_100_000, "write");
        op(&mut h, OpType::Ok, 1, 1_500_000, "write");
        op(&mut h, OpType::Fail, 0, 1_600_000, "write");
        assert_eq!(judge(&h, &ctx(), &rule(&is_write, &is_ok)), Verdict::Valid);
    }

    #[test]
    fn attempts_during_faults_or_before_settling_are_not_judged() {
        let mut h: History = History::default();
        let crash = FaultEntry::new(100_000, FaultChange::Start(FaultKind::Crash), vec![0]);
        h.push(Entry::Fault(Box::new(crash)));
        op(&mut h, OpType::Invoke, 0, 1_000_000, "write");
        let end = FaultEntry::new(2_000_000, FaultChange::End(FaultKind::Crash), vec![0]);
        h.push(Entry::Fault(Box::new(end)));
        op(&mut h, OpType::Invoke, 0, 2_100_000, "write");
        // And one too close to the run's end to be owed an answer.
        op(&mut h, OpType::Invoke, 1, 9_500_000, "write");
        let v = judge(&h, &ctx(), &rule(&is_write, &is_ok));
        assert!(
            matches!(&v, Verdict::Unknown { reason } if reason.contains("judged nothing")),
            "{v:?}"
        );
    }

    #[test]
    fn one_stall_gives_one_violation() {
        let mut h: History = History::default();
        for k in 0..5 {
            op(&mut h, OpType::Invoke, k, 1_000_000 + k * 100_000, "write");
        }
        let v = judge(&h, &ctx(), &rule(&is_write, &is_ok));
        let Verdict::Invalid { violations } = v else {
            panic!("{v:?}")
        };
        assert_eq!(violations.len(), 1);
    }

    #[test]
    fn reads_are_not_attempts_when_the_rule_says_so() {
        let mut h: History = History::default();
        op(&mut h, OpType::Invoke, 0, 1_000_000, "read");
        let v = judge(&h, &ctx(), &rule(&is_write, &is_ok));
        assert!(matches!(v, Verdict::Unknown { .. }), "{v:?}");
    }
}
