//! `faultline compare`: one or several scenarios across a matrix of values
//! ([`matrix`]), each configuration over a range of seeds, run in parallel
//! (one run per thread, runs independent); then one CSV with a row per
//! (configuration, seed) and side-by-side plots ([`output`]), an
//! `index.html` ([`index`]), and whether every configuration behaved as its
//! `[check] expect` says ([`expect`]: the exit code).
//!
//! Latency is merged across a configuration's seeds by adding HdrHistograms;
//! a protocol's distribution metrics by pooling samples (as the Raft paper's
//! Figure 16 pools the trials of each timeout range into one CDF).

pub mod expect;
pub mod index;
pub mod matrix;
pub mod output;

use crate::metrics::{op_rows, LatencyHistogram, ALL};
use crate::registry::LoadedScenario;
use crate::run::RunOutcome;
use crate::stats::{op_stats, OpStats};
use faultline_models::Metric;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// One run of a comparison.
#[derive(Debug, Clone)]
pub struct Row {
    /// Index of its configuration.
    pub config: usize,
    /// The seed.
    pub seed: u64,
    /// Overall verdict.
    pub verdict: &'static str,
    /// Checkers that said invalid.
    pub failed: Vec<&'static str>,
    /// Op counts and latency of all ops.
    pub ops: OpStats,
    /// Latency of ok and fail ops.
    pub latency: LatencyHistogram,
    /// The protocol's metrics.
    pub metrics: Vec<Metric>,
    /// The run's trace hash.
    pub trace_hash: String,
}

impl Row {
    /// The row of run `o` of configuration `config`.
    pub fn of(config: usize, o: &RunOutcome) -> Row {
        let failed = o
            .checks
            .iter()
            .filter(|c| c.verdict.word() == "invalid")
            .map(|c| c.name)
            .collect();
        let mut latency = LatencyHistogram::new();
        for op in op_rows(&*o.history) {
            if let (Some(us), true) = (op.latency_us(), op.outcome != crate::metrics::Outcome::Info)
            {
                latency.record_us(us);
            }
        }
        Row {
            config,
            seed: o.seed,
            verdict: o.verdict().word(),
            failed,
            ops: op_stats(&*o.history, o.end_us)
                .remove(ALL)
                .unwrap_or_default(),
            latency,
            metrics: o.metrics.clone(),
            trace_hash: o.trace_hash.clone(),
        }
    }
}

/// Runs every (configuration, seed) job on `threads` threads; rows come
/// back in job order whatever the threads' timing.
pub fn run_jobs(
    scenarios: &[Box<dyn LoadedScenario>],
    jobs: &[(usize, u64)],
    threads: usize,
) -> Vec<Row> {
    assert!(threads > 0, "compare needs at least one thread");
    let next = AtomicUsize::new(0);
    let rows: Mutex<Vec<Option<Row>>> = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads.min(jobs.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(config, seed)) = jobs.get(i) else {
                    return;
                };
                let row = Row::of(config, &scenarios[config].run(seed));
                rows.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(row);
            });
        }
    });
    let rows = rows
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    rows.into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}
