//! Metrics of a quorum run: latency by op, stale reads, and staleness as
//! t-visibility (Bailis et al., "Probabilistically Bounded Staleness for
//! Practical Partial Quorums", VLDB 2012, §3): the probability that a read
//! invoked `t` after the latest acknowledged write of its key returns that
//! write or a newer one, estimated per bucket of `t`.

use super::client_ops::{ClientOps, ReadOp};
use crate::history::History;
use crate::metric::{Metric, MetricValue};
use std::collections::BTreeMap;

/// Lower edges of the t-visibility buckets, in milliseconds.
pub const T_BUCKETS_MS: [u64; 12] = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000];
/// Width of the stale-read-fraction windows.
pub const WINDOW_US: u64 = 1_000_000;

/// Every metric of the store.
pub fn metrics<E>(history: &History<E>) -> Vec<Metric> {
    let ops = ClientOps::parse(history);
    let mut out = latencies(&ops);
    let stale: Vec<bool> = ops.reads.iter().map(|r| ops.stale(r).is_some()).collect();
    let n_stale = stale.iter().filter(|&&s| s).count() as u64;
    out.push(Metric::count(
        "reads_judged",
        "reads that returned ok (the denominator of the stale fraction)",
        ops.reads.len() as u64,
    ));
    out.push(Metric::count(
        "stale_reads",
        "reads that missed a write acknowledged before they began",
        n_stale,
    ));
    out.push(series(
        "stale_read_fraction",
        "fraction of ok reads that were stale, per second of simulated time (by invoke)",
        stale_windows(&ops.reads, &stale),
    ));
    out.push(series(
        "t_visibility_probability",
        "PBS t-visibility: P(read returns the latest acknowledged write or newer) against t, \
         the time since that write was acknowledged (x: bucket's lower edge in us)",
        t_visibility(&ops),
    ));
    out
}

fn series(name: &str, description: &str, points: Vec<(u64, f64)>) -> Metric {
    Metric {
        name: name.into(),
        description: description.into(),
        value: MetricValue::Series { points },
    }
}

fn latencies(ops: &ClientOps) -> Vec<Metric> {
    let mut by_f: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for (f, ms) in &ops.latencies {
        by_f.entry(f).or_default().push(*ms);
    }
    by_f.into_iter()
        .map(|(f, samples)| {
            let name = format!("{f}_latency_ms");
            let what = format!("latency of {f} ops that completed ok or fail");
            Metric::distribution(&name, &what, samples)
        })
        .collect()
}

fn stale_windows(reads: &[ReadOp], stale: &[bool]) -> Vec<(u64, f64)> {
    let mut windows: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    for (r, &s) in reads.iter().zip(stale) {
        let w = windows
            .entry(r.span_us.0 / WINDOW_US * WINDOW_US)
            .or_default();
        w.0 += u64::from(s);
        w.1 += 1;
    }
    windows
        .into_iter()
        .map(|(t, (s, n))| (t, s as f64 / n as f64))
        .collect()
}

/// (bucket lower edge in µs, P(fresh)) for every bucket with reads in it.
pub fn t_visibility(ops: &ClientOps) -> Vec<(u64, f64)> {
    let mut buckets: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    for r in &ops.reads {
        let Some(writes) = ops.keys.get(&r.key) else {
            continue;
        };
        let Some(last) = writes.last_acked_before(r.span_us.0) else {
            continue;
        };
        let t_ms = (r.span_us.0 - last.ack_us.unwrap_or(0)) / 1000;
        let edge = T_BUCKETS_MS
            .iter()
            .rev()
            .find(|&&b| b <= t_ms)
            .copied()
            .unwrap_or(0);
        let returned = r.value.and_then(|v| writes.writer(v));
        let fresh = match returned {
            None => false,
            Some(w) => w.value == last.value || w.ack_us.is_none_or(|a| a >= last.invoke_us),
        };
        let b = buckets.entry(edge * 1000).or_default();
        b.0 += u64::from(fresh);
        b.1 += 1;
    }
    buckets
        .into_iter()
        .map(|(t, (f, n))| (t, f as f64 / n as f64))
        .collect()
}
