//! Checker "saga-progress": in a quiet window, orders complete.
//!
//! Every safety checker of the saga model passes on a shop that sells
//! nothing: a saga compensated at once leaves no effects, charges nobody
//! twice and keeps the stock whole, and it terminates. This checker asks
//! for what a client came for: every order placed in a quiet window (no
//! fault in force, see [`crate::check::windows`]), at least
//! `progress_settle_ms` after the window opened and `progress_within_ms`
//! before it closes, is followed within `progress_within_ms` by some `ok`
//! order (a completed saga, any client's). A saga compensated because a
//! step was rejected is no progress, but no violation either while others
//! complete; one compensated because its SKU's stock could not cover it is
//! a decision (the shop is sold out: a long run empties the stock of a
//! correct shop, and 60 s of `steady` did so by 11 s). Judged by [`crate::check::progress::judge`], and only for
//! orders placed at least `progress_within_ms` before the workload's last
//! order: clients stop at the end of the safety phase, so the last orders
//! have no later order that could complete.
//!
//! It differs from [`super::termination`]: termination asks that every
//! saga ends, completed or compensated; progress that sagas complete.
//!
//! # Why the default bound is sound
//!
//! Defaults: settle 500 ms, within 2000 ms ([`super::params`]). Measured
//! in release builds on the bundled correct scenarios: the longest wait
//! from a judged order to the next completed saga, over 150 seeds each
//! (histories read back), was 293 ms in `steady` and 610 ms in
//! `flaky-payment` (late and lost payment replies, 5 attempts with
//! backoff); 10,000 seeds of each of `steady`, `flaky-payment`,
//! `inventory-crash`, `orchestrator-crash`, `partition` and `compare` gave
//! no progress violation. The fault scenarios leave no quiet stretch of
//! settle + within, so there it answers unknown (judged nothing), as it
//! does in 46 of 10,000 `flaky-payment` seeds whose clients placed no
//! order early enough. Settle covers a restarted orchestrator resuming its
//! log and backoffs (capped at 1000 ms) of calls made before the fault.
use super::event::Event;
use crate::check::progress::{judge, ProgressBound, ProgressRule};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict};
use crate::history::{History, OpEntry, OpType};
use std::collections::BTreeSet;

/// The saga progress checker, with its bound.
#[derive(Debug, Clone, Copy)]
pub struct SagaProgress {
    /// The bound, from `progress_settle_ms` and `progress_within_ms`.
    pub bound: ProgressBound,
}

impl SagaProgress {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "saga-progress",
        property: Property::Progress,
        description: "in a quiet window (no fault in force) every order is followed within progress_within_ms by some completed saga",
    };

    /// The checker for `params`' bound.
    pub fn of(params: &super::Params) -> SagaProgress {
        SagaProgress {
            bound: ProgressBound {
                settle_us: params.progress_settle_ms * 1_000,
                within_us: params.progress_within_ms * 1_000,
            },
        }
    }
}

fn is_order(op: &OpEntry) -> bool {
    op.f == "order"
}

/// The sagas a service rejected because the stock could not cover them.
fn sold_out(history: &History<Event>) -> BTreeSet<u64> {
    (history.events())
        .filter_map(|e| match e.event {
            Event::Rejected {
                saga,
                sold_out: true,
                ..
            } => Some(saga),
            _ => None,
        })
        .collect()
}

/// A completed saga, or one compensated because its SKU was sold out: the
/// shop's true answer to that order, so a long run that empties the
/// stock is not a stall.
fn is_decided(op: &OpEntry, sold_out: &BTreeSet<u64>) -> bool {
    let saga = || op.key().and_then(|k| k.as_u64());
    op.f == "order"
        && match op.kind {
            OpType::Ok => true,
            OpType::Fail => saga().is_some_and(|s| sold_out.contains(&s)),
            OpType::Info | OpType::Invoke => false,
        }
}

impl Checker<Event> for SagaProgress {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, ctx: &CheckContext) -> Verdict {
        let last_us = (history.ops())
            .filter(|op| op.kind == OpType::Invoke && is_order(op))
            .map(|op| op.time_us)
            .max()
            .unwrap_or(0);
        let within_us = self.bound.within_us;
        let attempt = |op: &OpEntry| is_order(op) && op.time_us + within_us <= last_us;
        let sold_out = sold_out(history);
        let progress = |op: &OpEntry| is_decided(op, &sold_out);
        let rule = ProgressRule {
            bound: self.bound,
            attempt: &attempt,
            progress: &progress,
            what: "completed (or sold-out) saga",
        };
        judge(history, ctx, &rule)
    }
}
