//! Metrics of a run in simulated time, computed from its history after the
//! run (nothing here runs on the hot path).
//!
//! - [`ops`]: one row per client operation (invocation paired with its
//!   completion by process, as Jepsen pairs them).
//! - [`latency`]: per operation type, an HdrHistogram of the latency of
//!   ops that completed ok or fail (an `info` op's latency is only the
//!   client's timeout, so it is counted but not measured).
//! - [`buckets`]: throughput and availability per time bucket, with the
//!   kinds of faults active in each.
//!
//! The protocol's own series come from `Model::metrics` as
//! [`faultline_models::Metric`]s and are shown as they are: nothing here
//! names a protocol.

pub mod buckets;
pub mod latency;
pub mod ops;

pub use buckets::Bucket;
pub use latency::LatencyHistogram;
pub use ops::{op_rows, OpRow, Outcome};

use crate::run::RunOutcome;
use std::collections::BTreeMap;

/// The key under which every op type is summed.
pub const ALL: &str = "all";

/// What a run's report shows of its client operations.
#[derive(Debug, Clone)]
pub struct RunMetrics {
    /// Every op, in invocation order.
    pub ops: Vec<OpRow>,
    /// Latency per op type and under [`ALL`].
    pub latency: BTreeMap<String, LatencyHistogram>,
    /// The run cut into buckets.
    pub buckets: Vec<Bucket>,
}

impl RunMetrics {
    /// Computes the metrics of `o`.
    pub fn of(o: &RunOutcome) -> RunMetrics {
        let ops = op_rows(&*o.history);
        let latency = latency_by_op(&ops);
        let buckets = buckets::buckets(&ops, &o.timeline, o.end_us);
        RunMetrics {
            ops,
            latency,
            buckets,
        }
    }
}

/// A latency histogram per op type and one under [`ALL`] (ok and fail ops).
pub fn latency_by_op(ops: &[OpRow]) -> BTreeMap<String, LatencyHistogram> {
    let mut by_f: BTreeMap<&str, LatencyHistogram> = BTreeMap::new();
    by_f.entry(ALL).or_default();
    for op in ops {
        let Some(us) = op.latency_us() else { continue };
        if matches!(op.outcome, Outcome::Ok | Outcome::Fail) {
            by_f.entry(op.f).or_default().record_us(us);
            by_f.entry(ALL).or_default().record_us(us);
        }
    }
    by_f.into_iter().map(|(f, h)| (f.to_string(), h)).collect()
}

/// Fraction of completed ops that were ok; None without completions.
pub fn availability(ops: &[OpRow]) -> Option<f64> {
    let done = ops.iter().filter(|o| o.complete_us.is_some()).count();
    let ok = ops.iter().filter(|o| o.outcome == Outcome::Ok).count();
    (done > 0).then(|| ok as f64 / done as f64)
}
