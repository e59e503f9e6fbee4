//! The cqrs model's metrics.
//!
//! - `projection_lag_ms`: for every event and projector, the time from the
//!   store appending it to the projector first making it visible; and per
//!   read model, its p50 and p99 in 250 ms windows over time
//!   (`projection_lag_<model>_p50_ms`, `..._p99_ms`: one point per window
//!   that had samples, stamped at the window's end), to set beside
//!   `faults_active`, the number of faults in effect over time.
//! - `projection_staleness_<model>_ms`: every 100 ms, the age of the oldest
//!   appended event the read model does not show yet (0 when caught up):
//!   it grows through a stall, where lag samples only appear afterwards.
//! - `reads`, `stale_reads`, `ryw_violations` (see [`super::reads`]) and
//!   `stale_read_pct` per 1 s window.
//! - `rebuild_ms`: from a projector's `rebuild_started` to its `rebuild_done`.
//! - `conflicts`: appends the store refused for a stale expected version.
//! - `republished`: outbox entries the relay published more than once.

use super::event::Event;
use super::layout::READ_MODELS;
use super::reads::judge_reads;
use super::timeline;
use crate::history::{FaultChange, History};
use crate::metric::{quantile, Metric, MetricValue};
use std::collections::{BTreeMap, BTreeSet};

/// Window of the lag quantile series.
pub const LAG_WINDOW_US: u64 = 250_000;
/// Sampling period of the staleness series.
pub const STALENESS_EVERY_US: u64 = 100_000;
/// Window of the stale-read series.
pub const STALE_WINDOW_US: u64 = 1_000_000;

/// All cqrs metrics of `history`.
pub fn metrics(history: &History<Event>, orders: u64, customers: u64) -> Vec<Metric> {
    let (lags, visible) = lags(history);
    let all: Vec<f64> = lags.values().flatten().map(|&(_, ms)| ms).collect();
    let mut out = vec![Metric::distribution(
        "projection_lag_ms",
        "time from an event's append to its first visibility in a read model, all read models",
        all,
    )];
    let appended: Vec<(u64, u64)> = timeline::appended(history)
        .map(|a| (a.data.position, a.time_us))
        .collect();
    for model in READ_MODELS {
        let name = model.projector_name();
        let short = name.trim_start_matches("proj-");
        out.push(series(
            &format!("projection_staleness_{short}_ms"),
            &format!("age of the oldest event {name} does not show yet, every 100 ms"),
            staleness(&appended, visible.get(name).unwrap_or(&BTreeMap::new())),
        ));
        let samples = lags.get(name).map(Vec::as_slice).unwrap_or(&[]);
        for (q, label) in [(0.5, "p50"), (0.99, "p99")] {
            out.push(series(
                &format!("projection_lag_{short}_{label}_ms"),
                &format!("{label} of the projection lag of {name} per 250 ms window"),
                windowed(samples, LAG_WINDOW_US, |v| quantile(v, q).unwrap_or(0.0)),
            ));
        }
    }
    out.extend(read_metrics(history, orders, customers));
    out.extend(misc(history));
    out
}

/// Per projector: (time visible, lag ms) of each first visibility.
type Lags = BTreeMap<&'static str, Vec<(u64, f64)>>;

/// Per projector: position → when it first showed it.
type Visible = BTreeMap<&'static str, BTreeMap<u64, u64>>;

/// Per projector: (time visible, lag ms) of each event's first visibility,
/// in history order; and when each appended position first showed there.
fn lags(history: &History<Event>) -> (Lags, Visible) {
    let appended_us: BTreeMap<u64, u64> = timeline::appended(history)
        .map(|a| (a.data.position, a.time_us))
        .collect();
    let mut visible: Visible = BTreeMap::new();
    let mut out: Lags = BTreeMap::new();
    for a in timeline::applied(history) {
        let Some(&at) = appended_us.get(&a.data.position) else {
            continue;
        };
        let projector = history.node_name(a.node);
        let first = visible.entry(projector).or_default();
        if let std::collections::btree_map::Entry::Vacant(v) = first.entry(a.data.position) {
            v.insert(a.time_us);
            let ms = a.time_us.saturating_sub(at) as f64 / 1_000.0;
            out.entry(projector).or_default().push((a.time_us, ms));
        }
    }
    (out, visible)
}

/// Every `STALENESS_EVERY_US` up to the last append: the oldest pending event's age, ms.
///
/// One sweep: in append-time order, an event once visible stays visible,
/// so the first pending event only moves forward as the sample time does
/// (a scan of every event per sample was ~10% of a 60 s run).
fn staleness(appended: &[(u64, u64)], visible: &BTreeMap<u64, u64>) -> Vec<(u64, f64)> {
    let mut by_time: Vec<(u64, u64)> = appended.iter().map(|&(p, at)| (at, p)).collect();
    by_time.sort_unstable();
    let end_us = by_time.last().map_or(0, |a| a.0);
    let samples = end_us / STALENESS_EVERY_US + 1;
    let mut first = 0;
    (1..=samples)
        .map(|i| {
            let now = i * STALENESS_EVERY_US;
            let seen_by_now = |p: &u64| visible.get(p).is_some_and(|&seen| seen <= now);
            while by_time.get(first).is_some_and(|(_, p)| seen_by_now(p)) {
                first += 1;
            }
            let oldest = by_time
                .get(first)
                .map(|&(at, _)| at)
                .filter(|&at| at <= now)
                .unwrap_or(now);
            (now, (now - oldest) as f64 / 1_000.0)
        })
        .collect()
}

/// `f` of the samples of each `window_us` window that has any, at the window's end.
fn windowed(samples: &[(u64, f64)], window_us: u64, f: impl Fn(&[f64]) -> f64) -> Vec<(u64, f64)> {
    let mut by: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for &(t, v) in samples {
        by.entry(t / window_us).or_default().push(v);
    }
    by.into_iter()
        .map(|(w, vs)| ((w + 1) * window_us, f(&vs)))
        .collect()
}

fn series(name: &str, description: &str, points: Vec<(u64, f64)>) -> Metric {
    Metric {
        name: name.into(),
        description: description.into(),
        value: MetricValue::Series { points },
    }
}

fn read_metrics(history: &History<Event>, orders: u64, customers: u64) -> Vec<Metric> {
    let judged = judge_reads(history, orders, customers);
    let stale = judged.iter().filter(|j| j.stale).count() as u64;
    let ryw = judged.iter().filter(|j| j.ryw_violation).count() as u64;
    let samples: Vec<(u64, f64)> = judged
        .iter()
        .map(|j| (j.time_us, if j.stale { 100.0 } else { 0.0 }))
        .collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    vec![
        Metric::count("reads", "reads answered ok", judged.len() as u64),
        Metric::count(
            "stale_reads",
            "ok reads behind the store at their invocation",
            stale,
        ),
        Metric::count(
            "ryw_violations",
            "ok reads behind a write their own process already had acknowledged",
            ryw,
        ),
        series(
            "stale_read_pct",
            "percentage of ok reads that were stale, per 1 s window",
            windowed(&samples, STALE_WINDOW_US, mean),
        ),
    ]
}

fn misc(history: &History<Event>) -> Vec<Metric> {
    let mut started: BTreeMap<(usize, u64), u64> = BTreeMap::new();
    let mut rebuild_ms = Vec::new();
    let mut conflicts = 0;
    let mut published: BTreeSet<u64> = BTreeSet::new();
    let mut republished = 0;
    let mut skipped = 0;
    for m in timeline::marks(history) {
        match *m.data {
            Event::RebuildStarted { generation } => {
                started.insert((m.node, generation), m.time_us);
            }
            Event::RebuildDone { generation, .. } => {
                if let Some(t0) = started.get(&(m.node, generation)) {
                    rebuild_ms.push(m.time_us.saturating_sub(*t0) as f64 / 1_000.0);
                }
            }
            Event::Conflict { .. } => conflicts += 1,
            Event::Published { first, last } => {
                republished += (first..=last).filter(|p| !published.insert(*p)).count() as u64;
            }
            Event::Skipped { .. } => skipped += 1,
            Event::Appended(_) | Event::Applied(_) => {}
        }
    }
    vec![
        Metric::distribution(
            "rebuild_ms",
            "time to rebuild a projector from the event store",
            rebuild_ms,
        ),
        Metric::count(
            "conflicts",
            "appends refused for a stale expected version",
            conflicts,
        ),
        Metric::count(
            "republished",
            "outbox entries the relay published more than once",
            republished,
        ),
        Metric::count(
            "skipped_deliveries",
            "deliveries a projector's checkpoint already covered, acknowledged and not applied again",
            skipped,
        ),
        series(
            "faults_active",
            "faults in effect over time (to set beside the lag series)",
            faults_active(history),
        ),
    ]
}

/// The number of faults in effect after each fault line (ineffective
/// ones, which touched no node, link or rate, skipped).
fn faults_active(history: &History<Event>) -> Vec<(u64, f64)> {
    let mut active: i64 = 0;
    let mut points = Vec::new();
    for f in history.faults() {
        let heal = f.change == FaultChange::Heal;
        if f.nodes.is_empty() && f.pairs.is_empty() && f.amount.is_none() && !heal {
            continue;
        }
        // Every kind counts alike: each stays in effect from start to end.
        active = match f.change {
            FaultChange::Heal => 0,
            FaultChange::Start(_) => active + 1,
            FaultChange::End(_) => (active - 1).max(0),
            // A fault line Faultline does not model (external histories).
            FaultChange::Other(name) if name.as_str().ends_with("-end") => (active - 1).max(0),
            FaultChange::Other(_) => active + 1,
        };
        points.push((f.time_us, active as f64));
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staleness_is_the_age_of_the_oldest_pending_event() {
        let appended = [(1, 50_000), (2, 120_000)];
        let visible = BTreeMap::from([(1, 260_000)]);
        let s = staleness(&appended, &visible);
        assert_eq!(s, vec![(100_000, 50.0), (200_000, 150.0)]);
        let caught_up = BTreeMap::from([(1, 60_000), (2, 130_000)]);
        assert_eq!(
            staleness(&appended, &caught_up),
            vec![(100_000, 0.0), (200_000, 0.0)]
        );
    }

    /// The sweep agrees with the definition (a scan of every event per
    /// sample) on pseudo-random appends and visibilities.
    #[test]
    fn staleness_sweep_agrees_with_the_definition() {
        let by_definition = |appended: &[(u64, u64)], visible: &BTreeMap<u64, u64>| {
            let end_us = appended.iter().map(|a| a.1).max().unwrap_or(0);
            (1..=end_us / STALENESS_EVERY_US + 1)
                .map(|i| {
                    let now = i * STALENESS_EVERY_US;
                    let pending = (appended.iter())
                        .filter(|&&(p, at)| at <= now && visible.get(&p).is_none_or(|&s| s > now));
                    let oldest = pending.map(|a| a.1).min().unwrap_or(now);
                    (now, (now - oldest) as f64 / 1_000.0)
                })
                .collect::<Vec<_>>()
        };
        let mut x: u64 = 7;
        let mut next = |m: u64| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 33) % m
        };
        for _ in 0..50 {
            let mut at = 0;
            let (mut appended, mut visible) = (Vec::new(), BTreeMap::new());
            for p in 1..=next(60) {
                at += next(90_000);
                appended.push((p, at));
                if next(4) > 0 {
                    visible.insert(p, at + next(700_000));
                }
            }
            assert_eq!(
                staleness(&appended, &visible),
                by_definition(&appended, &visible)
            );
        }
    }

    #[test]
    fn windows_are_stamped_at_their_end() {
        let s = [(10, 1.0), (240_000, 3.0), (600_000, 5.0)];
        let w = windowed(&s, LAG_WINDOW_US, |v| v.iter().cloned().fold(0.0, f64::max));
        assert_eq!(w, vec![(250_000, 3.0), (750_000, 5.0)]);
    }
}
