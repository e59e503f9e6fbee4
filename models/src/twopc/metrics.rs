//! The twopc model's metrics.
//!
//! - `blocking_ms`: for each participant and transaction it prepared, the
//!   time from `prepared` to its outcome there: how long its rows stayed
//!   locked while it could not decide alone. A coordinator crash in phase 2
//!   shows up as a long tail.
//! - `blocked_at_end`: prepared participants that never learned the outcome.
//! - `commit_latency_ms`: client-observed latency of committed transfers.
//! - `txns_begun`, `txns_committed`, `txns_aborted`: by the coordinators'
//!   first decision.
//! - `aborts_<cause>`: aborted transactions by cause (`no-funds`,
//!   `lock-conflict`, `prepare-timeout`, `recovery`, ...).
//! - `abort_rate_pct`: aborted of decided transactions, in percent (one sample).

use super::event::Event;
use super::timeline::Timeline;
use super::txn::{AbortCause, Decision, TxnId};
use crate::history::{Entry, History, OpType};
use crate::metric::Metric;
use crate::node::NodeId;
use std::collections::BTreeMap;

/// All twopc metrics of `history`.
pub fn metrics(history: &History<Event>) -> Vec<Metric> {
    let t = Timeline::of(history);
    let (blocking, blocked) = blocking_ms(&t);
    let mut out = vec![
        Metric::distribution(
            "blocking_ms",
            "per prepared participant: time its rows stayed locked waiting for the decision",
            blocking,
        ),
        Metric::count(
            "blocked_at_end",
            "prepared participants still waiting for a decision when the run ended",
            blocked,
        ),
        Metric::distribution(
            "commit_latency_ms",
            "client-observed latency of transfers that committed",
            commit_latency_ms(history),
        ),
    ];
    out.extend(decisions(&t));
    out
}

/// Blocking samples, and how many prepared participants never got an outcome.
fn blocking_ms(t: &Timeline) -> (Vec<f64>, u64) {
    let mut waiting: BTreeMap<(NodeId, TxnId), u64> = BTreeMap::new();
    let mut samples = Vec::new();
    let mut outcomes = t.outcomes.iter().peekable();
    for (at, node, txn) in &t.prepared {
        while let Some(o) = outcomes.next_if(|o| o.at.index < at.index) {
            if let Some(since) = waiting.remove(&(o.node, o.txn)) {
                samples.push(o.at.time_us.saturating_sub(since) as f64 / 1_000.0);
            }
        }
        waiting.entry((*node, *txn)).or_insert(at.time_us);
    }
    for o in outcomes {
        if let Some(since) = waiting.remove(&(o.node, o.txn)) {
            samples.push(o.at.time_us.saturating_sub(since) as f64 / 1_000.0);
        }
    }
    (samples, waiting.len() as u64)
}

fn commit_latency_ms(history: &History<Event>) -> Vec<f64> {
    let mut invoked: BTreeMap<u64, u64> = BTreeMap::new();
    let mut samples = Vec::new();
    for entry in &history.entries {
        let Entry::Op(op) = entry else { continue };
        match op.kind {
            OpType::Invoke => {
                invoked.insert(op.process, op.time_us);
            }
            OpType::Ok => {
                if let Some(t0) = invoked.remove(&op.process) {
                    samples.push(op.time_us.saturating_sub(t0) as f64 / 1_000.0);
                }
            }
            _ => {
                invoked.remove(&op.process);
            }
        }
    }
    samples
}

fn decisions(t: &Timeline) -> Vec<Metric> {
    let mut committed = 0;
    // Keyed by the cause's word, so the metrics list in its order.
    let mut causes: BTreeMap<&str, u64> = BTreeMap::new();
    for d in t.decided.values() {
        match d.decision {
            Decision::Commit => committed += 1,
            Decision::Abort => {
                *causes
                    .entry(d.cause.map_or("", AbortCause::word))
                    .or_default() += 1
            }
        }
    }
    let aborted: u64 = causes.values().sum();
    let begun = t.begun.len() as u64;
    let mut out = vec![
        Metric::count("txns_begun", "transfers the coordinators began", begun),
        Metric::count("txns_committed", "transactions decided commit", committed),
        Metric::count("txns_aborted", "transactions decided abort", aborted),
    ];
    for (cause, n) in causes {
        let name = format!("aborts_{}", cause.replace('-', "_"));
        out.push(Metric::count(
            &name,
            "transactions aborted for this cause",
            n,
        ));
    }
    if committed + aborted > 0 {
        let pct = 100.0 * aborted as f64 / (committed + aborted) as f64;
        let what = "aborted of decided transactions, percent (one sample per run)";
        out.push(Metric::distribution("abort_rate_pct", what, vec![pct]));
    }
    out
}
