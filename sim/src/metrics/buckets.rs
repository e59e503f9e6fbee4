//! Throughput and availability per time bucket of simulated time.
//!
//! The run is cut into equal buckets whose width is the smallest of
//! 1, 2, 5 × 10^k ms (at least 10 ms) that gives at most [`BUCKETS_MAX`]
//! buckets. An op counts as invoked in the bucket of its invocation and as
//! completed in the bucket of its completion. Throughput is ok completions
//! per simulated second; availability is the fraction of completions in the
//! bucket that were ok (no completions: undefined, left empty).

use super::latency::LatencyHistogram;
use super::ops::{OpRow, Outcome};
use crate::fault::AppliedFault;
use std::collections::BTreeSet;

/// Most buckets a run is cut into.
pub const BUCKETS_MAX: u64 = 120;

/// One bucket of simulated time.
#[derive(Debug, Clone, Default)]
pub struct Bucket {
    /// Start (inclusive).
    pub start_us: u64,
    /// End (exclusive).
    pub end_us: u64,
    /// Ops invoked in the bucket.
    pub invoked: u64,
    /// Ops completed ok in the bucket.
    pub ok: u64,
    /// Ops completed fail in the bucket.
    pub fail: u64,
    /// Ops that timed out (info) in the bucket.
    pub info: u64,
    /// Latency of ok and fail completions in the bucket.
    pub latency: LatencyHistogram,
    /// Kinds of the faults active at some point of the bucket.
    pub faults: BTreeSet<&'static str>,
}

impl Bucket {
    /// Ok completions per simulated second.
    pub fn throughput_per_s(&self) -> f64 {
        self.ok as f64 * 1e6 / (self.end_us - self.start_us) as f64
    }

    /// Fraction of completions that were ok; None without completions.
    pub fn availability(&self) -> Option<f64> {
        let done = self.ok + self.fail + self.info;
        (done > 0).then(|| self.ok as f64 / done as f64)
    }
}

/// The bucket width for a run of `run_us`.
pub fn width_us(run_us: u64) -> u64 {
    let mut base_ms = 10u64;
    loop {
        for m in [1, 2, 5] {
            let w = base_ms * m * 1000;
            if run_us.div_ceil(w) <= BUCKETS_MAX {
                return w;
            }
        }
        base_ms *= 10;
    }
}

/// The buckets of a run that ended at `end_us`.
pub fn buckets(ops: &[OpRow], timeline: &[AppliedFault], end_us: u64) -> Vec<Bucket> {
    let w = width_us(end_us);
    let n = end_us.div_ceil(w).max(1);
    let mut out: Vec<Bucket> = (0..n)
        .map(|i| Bucket {
            start_us: i * w,
            end_us: (i + 1) * w,
            ..Bucket::default()
        })
        .collect();
    let last = out.len() - 1;
    let at = |t: u64| ((t / w) as usize).min(last);
    for op in ops {
        out[at(op.invoke_us)].invoked += 1;
        let Some(done) = op.complete_us else { continue };
        let b = &mut out[at(done)];
        match op.outcome {
            Outcome::Ok => b.ok += 1,
            Outcome::Fail => b.fail += 1,
            _ => b.info += 1,
        }
        if matches!(op.outcome, Outcome::Ok | Outcome::Fail) {
            b.latency.record_us(done - op.invoke_us);
        }
    }
    for f in timeline.iter().filter(|f| f.effective) {
        let until = f.until_us.unwrap_or(end_us).max(f.at_us + 1);
        for b in out.iter_mut() {
            if b.start_us < until && f.at_us < b.end_us {
                b.faults.insert(f.kind.as_str());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_round_and_bounded() {
        assert_eq!(width_us(1_000_000), 10_000);
        assert_eq!(width_us(3_000_000), 50_000);
        assert_eq!(width_us(63_000_000), 1_000_000);
        for run in [1u64, 999_999, 10_000_000, 3_600_000_000] {
            assert!(run.div_ceil(width_us(run)) <= BUCKETS_MAX);
        }
    }

    #[test]
    fn ops_land_in_the_bucket_of_their_completion() {
        let row = |invoke_us, complete_us, outcome| OpRow {
            index: 0,
            process: 0,
            f: "w",
            node: "",
            invoke_us,
            complete_us,
            outcome,
        };
        let ops = [
            row(0, Some(5_000), Outcome::Ok),
            row(5_000, Some(15_000), Outcome::Info),
            row(15_000, None, Outcome::Pending),
        ];
        let b = buckets(&ops, &[], 20_000);
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].invoked, b[0].ok, b[0].info), (2, 1, 0));
        assert_eq!((b[1].invoked, b[1].ok, b[1].info), (1, 0, 1));
        assert_eq!(b[0].availability(), Some(1.0));
        assert_eq!(b[1].availability(), Some(0.0));
        assert_eq!(b[0].throughput_per_s(), 100.0);
    }
}
