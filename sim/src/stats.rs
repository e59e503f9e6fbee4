//! Client-operation statistics in simulated time, derived from a history
//! (latency quantiles from [`crate::metrics`]'s HdrHistograms).

use crate::metrics::{latency_by_op, op_rows, LatencyHistogram, Outcome, ALL};
use faultline_models::metric::quantile;
use faultline_models::HistoryView;
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts and latencies of one operation kind (or of all).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OpStats {
    /// Invocations.
    pub invoked: u64,
    /// Completed ok.
    pub ok: u64,
    /// Completed fail.
    pub fail: u64,
    /// Outcome unknown (timed out).
    pub info: u64,
    /// Never completed before the run ended.
    pub pending: u64,
    /// Latency quantiles of completed (ok or fail) ops, milliseconds.
    pub latency_ms: Option<Quantiles>,
    /// Ok ops per simulated second over the whole run.
    pub throughput_per_s: f64,
    /// Fraction of completed (ok, fail, info) ops that were ok.
    pub availability: Option<f64>,
}

/// Quantiles (of latency in ms, or of a protocol metric's samples).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Quantiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest.
    pub max: f64,
}

impl Quantiles {
    /// Quantiles of `samples`, or None when empty.
    pub fn of(samples: &[f64]) -> Option<Quantiles> {
        let q = |p| quantile(samples, p);
        Some(Quantiles {
            p50: q(0.5)?,
            p90: q(0.9)?,
            p99: q(0.99)?,
            p999: q(0.999)?,
            max: q(1.0)?,
        })
    }
}

/// Stats per operation kind, plus "all".
pub fn op_stats(history: &dyn HistoryView, run_us: u64) -> BTreeMap<String, OpStats> {
    let ops = op_rows(history);
    let mut by_f: BTreeMap<String, OpStats> = BTreeMap::new();
    by_f.entry(ALL.to_string()).or_default();
    for op in &ops {
        for key in [op.f, ALL] {
            let s = by_f.entry(key.to_string()).or_default();
            s.invoked += 1;
            match op.outcome {
                Outcome::Ok => s.ok += 1,
                Outcome::Fail => s.fail += 1,
                Outcome::Info => s.info += 1,
                Outcome::Pending => s.pending += 1,
            }
        }
    }
    let latency = latency_by_op(&ops);
    let secs = (run_us as f64 / 1e6).max(1e-9);
    for (f, s) in by_f.iter_mut() {
        s.latency_ms = latency.get(f).and_then(LatencyHistogram::quantiles);
        s.throughput_per_s = s.ok as f64 / secs;
        let done = s.ok + s.fail + s.info;
        s.availability = (done > 0).then(|| s.ok as f64 / done as f64);
    }
    by_f
}
