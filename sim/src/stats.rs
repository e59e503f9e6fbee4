//! Client-operation statistics in simulated time, derived from a history.

use faultline_models::metric::quantile;
use faultline_models::{History, OpType};
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
}

/// Latency quantiles.
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

/// One completed operation: kind, invoke time, completion time, outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Completed {
    /// The op's `f`.
    pub f: String,
    /// Invoke time.
    pub start_us: u64,
    /// Completion time.
    pub end_us: u64,
    /// ok, fail or info.
    pub outcome: OpType,
}

/// Pairs invocations with completions by process.
pub fn completed(history: &History) -> (Vec<Completed>, BTreeMap<String, u64>) {
    let mut open: BTreeMap<u64, (String, u64)> = BTreeMap::new();
    let mut done = Vec::new();
    for op in history.ops() {
        if op.kind == OpType::Invoke {
            open.insert(op.process, (op.f().to_string(), op.time_us));
        } else if let Some((f, start_us)) = open.remove(&op.process) {
            done.push(Completed {
                f,
                start_us,
                end_us: op.time_us,
                outcome: op.kind,
            });
        }
    }
    let mut pending = BTreeMap::new();
    for (f, _) in open.into_values() {
        *pending.entry(f).or_insert(0) += 1;
    }
    (done, pending)
}

/// Stats per operation kind, plus "all".
pub fn op_stats(history: &History, run_us: u64) -> BTreeMap<String, OpStats> {
    let (done, pending) = completed(history);
    let mut by_f: BTreeMap<String, (OpStats, Vec<f64>)> = BTreeMap::new();
    for c in &done {
        for key in [c.f.as_str(), "all"] {
            let (s, lat) = by_f.entry(key.to_string()).or_default();
            s.invoked += 1;
            match c.outcome {
                OpType::Ok => s.ok += 1,
                OpType::Fail => s.fail += 1,
                _ => s.info += 1,
            }
            if c.outcome != OpType::Info {
                lat.push((c.end_us - c.start_us) as f64 / 1000.0);
            }
        }
    }
    for (f, n) in pending {
        for key in [f.as_str(), "all"] {
            let (s, _) = by_f.entry(key.to_string()).or_default();
            s.invoked += n;
            s.pending += n;
        }
    }
    let secs = (run_us as f64 / 1e6).max(1e-9);
    by_f.into_iter()
        .map(|(f, (mut s, lat))| {
            s.latency_ms = Quantiles::of(&lat);
            s.throughput_per_s = s.ok as f64 / secs;
            (f, s)
        })
        .collect()
}
