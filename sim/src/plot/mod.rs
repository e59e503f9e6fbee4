//! Plots of a run and of a comparison, as PNG and SVG (plotters), with
//! text rendered from a font compiled into the binary ([`canvas`]).
//!
//! A run's folder gets `latency` (every op over time, coloured by outcome,
//! p50/p99 per bucket, faults shaded and labelled), `throughput`
//! (throughput and availability per bucket, faults shaded), `latency-cdf`
//! (one line per op type), one `metric-<name>` per protocol metric that is
//! a distribution (a CDF) or a series (over time), and `flow` (the
//! message-flow diagram of a window, by default around the first
//! violation). Messages are not recorded in normal runs: [`write_run`]
//! re-runs the seed with the recorder on for the window (runs are
//! deterministic; the trace hashes must agree). A comparison's figures are
//! built from the same [`cdf::Cdf`] and [`bars::Bars`].

pub mod bars;
pub mod canvas;
pub mod cdf;
pub mod faults;
pub mod flow;
pub mod series;
pub mod timeplots;
pub mod window;

use crate::error::Error;
use crate::metrics::{RunMetrics, ALL};
use crate::registry::LoadedScenario;
use crate::run::{RunOptions, RunOutcome};
use canvas::save;
use faultline_models::MetricValue;
use std::path::{Path, PathBuf};
use timeplots::RunView;

/// Writes every plot of run `o` into `dir`; `window_us` overrides the flow
/// diagram's default window. Returns the files written.
pub fn write_run(
    scenario: &dyn LoadedScenario,
    o: &RunOutcome,
    dir: &Path,
    window_us: Option<(u64, u64)>,
) -> Result<Vec<PathBuf>, Error> {
    let m = RunMetrics::of(o);
    let title = format!("{} ({}) seed {}", o.scenario, o.variant, o.seed);
    let view = RunView {
        title: &title,
        ops: &m.ops,
        buckets: &m.buckets,
        timeline: &o.timeline,
        heal_us: o.heal_us,
        end_us: o.end_us,
    };
    let empty = empty_plots(o);
    let drawn = |stem: &str| !empty.iter().any(|(s, _)| s == stem);
    let mut files = Vec::new();
    if drawn("latency") {
        files.extend(save(&timeplots::LatencyOverTime(view), dir, "latency")?);
        files.extend(save(
            &timeplots::ThroughputOverTime(view),
            dir,
            "throughput",
        )?);
    }
    if drawn("latency-cdf") {
        files.extend(save(&latency_cdf(&title, &m), dir, "latency-cdf")?);
    }
    files.extend(metric_plots(view, o, dir, &drawn)?);
    let window = window_us.unwrap_or_else(|| window::default_window(o));
    files.extend(flow_plot(scenario, o, dir, window)?);
    Ok(files)
}

/// The plots of run `o` that would be empty, so are not drawn, each with
/// the reason (`index.html` lists them).
pub fn empty_plots(o: &RunOutcome) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let ops = o.history.op_lines().next().is_some();
    if !ops {
        for stem in ["latency", "throughput"] {
            out.push((
                stem.to_string(),
                "the run has no client operations".to_string(),
            ));
        }
    }
    let m = RunMetrics::of(o);
    if m.latency.values().all(|h| h.is_empty()) {
        let why = "no client operation completed ok or fail (latency is of those)";
        out.push(("latency-cdf".to_string(), why.to_string()));
    }
    for metric in &o.metrics {
        let why = match &metric.value {
            MetricValue::Distribution { samples } if samples.is_empty() => "no samples",
            MetricValue::Series { points } if points.is_empty() => "no points",
            _ => continue,
        };
        out.push((
            format!("metric-{}", metric.name),
            format!("{} had {why}", metric.name),
        ));
    }
    out
}

fn latency_cdf(title: &str, m: &RunMetrics) -> cdf::Cdf {
    let series = m
        .latency
        .iter()
        .filter(|(f, h)| !h.is_empty() && (f.as_str() != ALL || m.latency.len() == 2))
        .map(|(f, h)| (f.clone(), h.cdf_ms()))
        .collect();
    cdf::Cdf {
        title: format!("{title}: latency CDF per op type (ok and fail ops)"),
        x_label: "latency (ms)".into(),
        series,
    }
}

fn metric_plots(
    view: RunView<'_>,
    o: &RunOutcome,
    dir: &Path,
    drawn: &dyn Fn(&str) -> bool,
) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for metric in &o.metrics {
        let stem = format!("metric-{}", metric.name);
        if !drawn(&stem) {
            continue;
        }
        match &metric.value {
            MetricValue::Distribution { samples } => {
                let fig = cdf::Cdf {
                    title: format!(
                        "{}: {} CDF ({})",
                        view.title, metric.name, metric.description
                    ),
                    x_label: metric.name.clone(),
                    series: vec![(metric.name.clone(), cdf::ecdf(samples))],
                };
                files.extend(save(&fig, dir, &stem)?);
            }
            MetricValue::Series { points } => {
                let fig = series::SeriesOverTime {
                    view,
                    name: &metric.name,
                    description: &metric.description,
                    points,
                };
                files.extend(save(&fig, dir, &stem)?);
            }
            MetricValue::Count { .. } => {}
        }
    }
    Ok(files)
}

/// Re-runs `o`'s seed recording messages in `window` and draws the flow.
fn flow_plot(
    scenario: &dyn LoadedScenario,
    o: &RunOutcome,
    dir: &Path,
    window: (u64, u64),
) -> Result<Vec<PathBuf>, Error> {
    let opts = RunOptions {
        record_messages: Some(window),
        unjudged: true,
        ..RunOptions::default()
    };
    let again = scenario.run_with(o.seed, opts);
    if again.trace_hash != o.trace_hash {
        return Err(Error::Usage(format!(
            "NOT deterministic: re-running seed {} to record messages gave trace hash {} (first run {})",
            o.seed, again.trace_hash, o.trace_hash
        )));
    }
    let recorder = again.messages.unwrap_or_default();
    let marks = window::marks(o);
    let html = dir.join("messages.html");
    crate::report::write_atomic(
        &html,
        crate::report::messages::page(o, &recorder, &marks, window).as_bytes(),
    )?;
    let fig = flow::Flow {
        title: format!(
            "{} ({}) seed {}: messages {:.1}-{:.1} ms{}",
            o.scenario,
            o.variant,
            o.seed,
            window.0 as f64 / 1000.0,
            window.1 as f64 / 1000.0,
            if recorder.dropped > 0 {
                " (truncated)"
            } else {
                ""
            }
        ),
        nodes: &o.nodes,
        messages: &recorder.records,
        kinds: &recorder.kinds,
        timeline: &o.timeline,
        marks: &marks,
        window_us: window,
    };
    let mut files = save(&fig, dir, "flow")?;
    files.push(html);
    Ok(files)
}
