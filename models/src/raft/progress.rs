//! Checker "leader-op-progress": in a quiet window, clients asking "who
//! leads?" get an answer naming a leader.
//!
//! This is about the *client's* view, and so distinct from
//! [`super::liveness`] ("leader-liveness"), which reads the servers'
//! protocol events and asks that, after heal, all servers agree on one
//! leader at some instant. A server that knows the leader but never
//! answers its clients (or always answers "don't know") passes
//! leader-liveness; it fails this checker. Conversely this checker is
//! judged in every quiet window of the run, not only after heal, and is
//! satisfied by any server answering any client.
//!
//! The rule ([`crate::check::progress::judge`]): every `leader` op invoked
//! at `s` in a quiet window, at least `progress_settle_ms` after the
//! window opened and `progress_within_ms` before it closed, is followed by
//! some `ok` `leader` op (any client, any server) in `[s, s + within]`.
//!
//! # Why the defaults are sound
//!
//! A window opens when the last fault ends: a restarted server reloads
//! and waits for a heartbeat, a healed partition may force one more
//! election (randomized timeouts, 150-300 ms by default; split votes add
//! rounds), a lease holder may have to wait for its lease to be granted
//! again. Defaults: `settle` = 500 ms, `within` = 1000 ms.
//!
//! Measured with `faultline sweep` (release): 1000 seeds each of steady,
//! partitions, clock-skew, flaky-network, leader-crash-loop and
//! lease-fenced-pause, of forget-vote and no-term-check run with the
//! correct variant, and of lease-pause and lease-drift run with
//! lease-fenced: no violation (10,000 seeds); one seed each of forget-vote
//! (863) and no-term-check (504) judged nothing (unknown: one client at
//! 5 ops/s leaves few attempts in the judged stretch of the liveness
//! phase). With `settle` = 300 ms and `within` = 500 ms, 300 seeds of each
//! still passed; with `settle` = 1 ms and `within` = 300 ms every scenario
//! but lease-drift failed some seeds (the first election alone takes
//! 150-300 ms), so the defaults leave about a 2x margin.

use super::event::Event;
use super::params::Params;
use crate::check::progress::{judge, ProgressBound, ProgressRule};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict};
use crate::history::{History, OpEntry, OpType};

/// The leader-op progress checker with its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaderOpProgress {
    bound: ProgressBound,
}

impl LeaderOpProgress {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "leader-op-progress",
        property: Property::Progress,
        description: "in every quiet window, a `leader` op is followed within the bound by some ok `leader` op naming a leader",
    };

    /// The checker with the bound of `params`.
    pub fn new(params: &Params) -> LeaderOpProgress {
        LeaderOpProgress {
            bound: ProgressBound {
                settle_us: params.progress_settle_ms * 1_000,
                within_us: params.progress_within_ms * 1_000,
            },
        }
    }
}

fn is_leader_op(op: &OpEntry) -> bool {
    op.f == "leader"
}

fn is_answered(op: &OpEntry) -> bool {
    op.kind == OpType::Ok && is_leader_op(op)
}

impl Checker<Event> for LeaderOpProgress {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, ctx: &CheckContext) -> Verdict {
        let rule = ProgressRule {
            bound: self.bound,
            attempt: &is_leader_op,
            progress: &is_answered,
            what: "ok `leader` op",
        };
        judge(history, ctx, &rule)
    }
}

#[cfg(test)]
mod tests {
    use super::super::timeline::build::*;
    use super::*;
    use crate::history::Entry;
    use crate::name::Name;

    fn op(h: &mut History<Event>, kind: OpType, t_ms: u64) {
        let f = Name::intern("leader").unwrap();
        h.push(Entry::Op(OpEntry::new(kind, 0, t_ms * 1_000, f)));
    }

    fn check(h: &History<Event>) -> Verdict {
        let ctx = CheckContext {
            nodes: vec![],
            heal_us: 5_000_000,
            end_us: 10_000_000,
        };
        LeaderOpProgress::new(&Params::default()).check(h, &ctx)
    }

    #[test]
    fn answered_ops_pass_and_unanswered_ones_fail() {
        let mut h = history();
        op(&mut h, OpType::Invoke, 2_000);
        op(&mut h, OpType::Ok, 2_010);
        assert_eq!(check(&h), Verdict::Valid);
        op(&mut h, OpType::Invoke, 3_000);
        op(&mut h, OpType::Fail, 3_010);
        op(&mut h, OpType::Invoke, 3_500);
        op(&mut h, OpType::Info, 4_000);
        assert!(
            matches!(check(&h), Verdict::Invalid { .. }),
            "{:?}",
            check(&h)
        );
    }

    #[test]
    fn no_op_is_unknown() {
        let mut h = history();
        elected(&mut h, 10, N1, 1);
        assert!(matches!(check(&h), Verdict::Unknown { .. }));
    }
}
