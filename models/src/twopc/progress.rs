//! Checker "progress": in a quiet window, transfers commit.
//!
//! The safety checkers pass on a bank that does nothing: a participant that
//! never votes, a coordinator that ignores every vote, a ledger whose every
//! transfer aborts are all atomic and conserve money. This checker asks for
//! what a client came for: every transfer invoked in a quiet window (no
//! fault in force, see [`crate::check::windows`]), at least
//! `progress_settle_ms` after the window opened and `progress_within_ms`
//! before it closes, is followed within `progress_within_ms` by some
//! committed transfer (an `ok` completion, by any client). A transfer that
//! aborts for want of funds or on a locked row is no progress, but is no
//! violation either as long as other transfers commit. Judged by
//! [`crate::check::progress::judge`], with one more limit: a transfer is
//! judged only if the workload went on invoking transfers for
//! `progress_within_ms` after it. Clients stop at the end of the safety
//! phase; the last transfers, refused for want of funds, have no later
//! transfer that could commit, and the liveness phase has no transfers.
//!
//! It differs from [`super::termination`]: termination asks that every
//! prepared participant eventually learns an outcome (commit or abort) and
//! unlocks; progress asks that clients see commits. A coordinator that
//! aborts everything terminates perfectly and makes no progress.
//!
//! # Why the default bound is sound
//!
//! Defaults: settle 500 ms, within 2000 ms ([`super::params`]). Measured
//! in release builds on the bundled correct scenarios: the longest wait
//! from a judged transfer to the next committed one, over 150 seeds each
//! (histories read back), was 123 ms in `steady`, 696 ms in `lossy` (5%
//! loss, 5% duplication, reordering: runs of prepare timeouts, 300 ms
//! each, with four closed-loop clients) and 752 ms in
//! `compare-termination`; over 10,000 seeds of `lossy` a bound of 1000 ms
//! was exceeded in 3 seeds (longest 1205 ms: ten prepare timeouts in a
//! row). With 2000 ms, 10,000 seeds of each of `steady`, `lossy`,
//! `partition`, `participant-crash` and `coordinator-crash` gave no
//! violation. The crash and partition scenarios leave no quiet stretch of
//! settle + within, so there progress answers unknown (judged nothing);
//! `compare-termination` does not run it.
//!
//! After a fault a correct cluster needs about `inquiry_ms` (200) plus a
//! round trip to unlock in-doubt rows, and a restarted coordinator aborts
//! its undecided transactions at once: 500 ms of settle covers it. A
//! commit needs three one-way delays; 2000 ms without one means some
//! twenty transfers in a row refused, far past the measured tail.

use super::event::Event;
use crate::check::progress::{judge, ProgressBound, ProgressRule};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict};
use crate::history::{History, OpEntry, OpType};

/// The progress checker, with its bound.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// The bound, from `progress_settle_ms` and `progress_within_ms`.
    pub bound: ProgressBound,
}

impl Progress {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "progress",
        property: Property::Progress,
        description: "in a quiet window (no fault in force) every transfer is followed within progress_within_ms by some committed transfer",
    };

    /// The checker for `params`' bound.
    pub fn of(params: &super::Params) -> Progress {
        Progress {
            bound: ProgressBound {
                settle_us: params.progress_settle_ms * 1_000,
                within_us: params.progress_within_ms * 1_000,
            },
        }
    }
}

fn is_transfer(op: &OpEntry) -> bool {
    op.f == "transfer"
}

fn is_commit(op: &OpEntry) -> bool {
    op.kind == OpType::Ok && op.f == "transfer"
}

impl Checker<Event> for Progress {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, ctx: &CheckContext) -> Verdict {
        let last_us = (history.ops())
            .filter(|op| op.kind == OpType::Invoke && is_transfer(op))
            .map(|op| op.time_us)
            .max()
            .unwrap_or(0);
        let within_us = self.bound.within_us;
        let attempt = |op: &OpEntry| is_transfer(op) && op.time_us + within_us <= last_us;
        let rule = ProgressRule {
            bound: self.bound,
            attempt: &attempt,
            progress: &is_commit,
            what: "committed transfer",
        };
        judge(history, ctx, &rule)
    }
}
