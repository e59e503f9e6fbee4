//! The saga model's metrics.
//!
//! - `completion_latency_ms`: from `saga_started` to `saga_completed`.
//! - `compensation_latency_ms`: from `saga_started` to `saga_compensated`.
//! - `sagas_started`, `sagas_completed`, `sagas_compensated`,
//!   `sagas_unfinished`: counts.
//! - `compensation_rate_permille`: compensated per thousand ended sagas.
//! - `retries_per_step`: per step that finished (`step_done`), attempts − 1;
//!   for choreography, re-sends of an event before its ack. `retries`: their sum.
//! - `step_timeouts`: orchestrator calls that timed out.
//! - `breaker_state_<service>`: time series of the orchestrator's circuit
//!   breaker for that service: 0 closed, 1 half-open, 2 open; one point at
//!   0 and one per change. `breaker_transitions`: changes in all.

use super::breaker::State;
use super::event::Event;
use super::facts::fold;
use super::msg::Service;
use crate::history::History;
use crate::metric::{Metric, MetricValue};

/// All saga metrics of `history`.
pub fn metrics(history: &History<Event>) -> Vec<Metric> {
    let mut out = latency_and_counts(history);
    out.extend(retries(history));
    out.extend(breaker_series(history));
    out
}

fn latency_and_counts(history: &History<Event>) -> Vec<Metric> {
    let sagas = fold(history);
    let (mut done_ms, mut undone_ms, mut unfinished) = (Vec::new(), Vec::new(), 0);
    for f in sagas.values() {
        let Some((_, start_us)) = f.started else {
            continue;
        };
        match f.ended {
            Some((_, end_us, true)) => done_ms.push(ms(end_us - start_us)),
            Some((_, end_us, false)) => undone_ms.push(ms(end_us - start_us)),
            None => unfinished += 1,
        }
    }
    let (done, undone) = (done_ms.len() as u64, undone_ms.len() as u64);
    let permille = (undone * 1_000).checked_div(done + undone).unwrap_or(0);
    vec![
        Metric::distribution(
            "completion_latency_ms",
            "from saga start to completion",
            done_ms,
        ),
        Metric::distribution(
            "compensation_latency_ms",
            "from saga start to the end of its compensation",
            undone_ms,
        ),
        Metric::count("sagas_started", "sagas started", done + undone + unfinished),
        Metric::count("sagas_completed", "sagas that completed", done),
        Metric::count("sagas_compensated", "sagas that were compensated", undone),
        Metric::count(
            "sagas_unfinished",
            "sagas still running at the end",
            unfinished,
        ),
        Metric::count(
            "compensation_rate_permille",
            "compensated sagas per thousand that ended",
            permille,
        ),
    ]
}

fn retries(history: &History<Event>) -> Vec<Metric> {
    let mut per_step: Vec<f64> = Vec::new();
    let mut timeouts = 0u64;
    for e in history.events() {
        match e.event {
            Event::StepDone { attempts, .. } => {
                per_step.push(f64::from(attempts.saturating_sub(1)))
            }
            Event::StepTimeout { .. } => timeouts += 1,
            _ => {}
        }
    }
    let total = per_step.iter().sum::<f64>() as u64;
    vec![
        Metric::distribution(
            "retries_per_step",
            "retries of each finished step (choreography: event re-sends)",
            per_step,
        ),
        Metric::count("retries", "retries of all finished steps", total),
        Metric::count(
            "step_timeouts",
            "orchestrator calls that timed out",
            timeouts,
        ),
    ]
}

fn breaker_series(history: &History<Event>) -> Vec<Metric> {
    let changes: Vec<(u64, Service, State)> = history
        .events()
        .filter_map(|e| match e.event {
            Event::Breaker { service, to, .. } => Some((e.time_us, service, to)),
            _ => None,
        })
        .collect();
    let mut out: Vec<Metric> = Service::ALL
        .iter()
        .map(|&s| {
            let mut points = vec![(0, State::Closed.level())];
            for &(time_us, _, to) in changes.iter().filter(|c| c.1 == s) {
                points.push((time_us, to.level()));
            }
            Metric {
                name: format!("breaker_state_{}", s.name()),
                description: "circuit breaker state over time: 0 closed, 1 half-open, 2 open"
                    .into(),
                value: MetricValue::Series { points },
            }
        })
        .collect();
    let n = changes.len() as u64;
    out.push(Metric::count(
        "breaker_transitions",
        "circuit breaker state changes",
        n,
    ));
    out
}

fn ms(us: u64) -> f64 {
    us as f64 / 1_000.0
}
