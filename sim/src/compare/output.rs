//! A comparison's files: `compare.csv` (one row per configuration × seed)
//! and the side-by-side plots: latency CDFs overlaid, each distribution
//! metric's CDFs overlaid, throughput, availability and count-metric bars
//! (median, with min..max across seeds) and the invariant-violation rate
//! per configuration. Columns are documented in `reports/README.md`.

use super::matrix::Config;
use super::Row;
use crate::error::Error;
use crate::metrics::LatencyHistogram;
use crate::plot::bars::{Bar, Bars, Shows};
use crate::plot::canvas::save;
use crate::plot::cdf::{ecdf, Cdf};
use crate::report::tables::{csv_bytes, fixed};
use crate::report::write_atomic;
use faultline_models::MetricValue;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The fixed leading columns of `compare.csv` (axis columns follow `file`).
pub const LEADING_COLUMNS: [&str; 3] = ["config", "scenario", "file"];

/// The fixed columns after the axes (protocol metric columns follow).
pub const RUN_COLUMNS: [&str; 14] = [
    "seed",
    "verdict",
    "failed_checks",
    "invoked",
    "ok",
    "fail",
    "info",
    "pending",
    "throughput_per_s",
    "availability",
    "latency_ms_p50",
    "latency_ms_p90",
    "latency_ms_p99",
    "latency_ms_max",
];

/// What a comparison produced.
pub struct Comparison<'a> {
    /// Title of the plots.
    pub name: &'a str,
    /// The configurations.
    pub configs: &'a [Config],
    /// Scenario name of each configuration.
    pub scenarios: &'a [String],
    /// Every axis name, in order of first appearance.
    pub axes: &'a [String],
    /// Every run, configuration-major.
    pub rows: &'a [Row],
}

/// Metric columns: `<name>` for counts; `_n`, `_p50`, `_p99`, `_max` for
/// distributions; `_points` for series. Sorted by metric name.
fn metric_columns(rows: &[Row]) -> Vec<(String, String, usize)> {
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for m in rows.iter().flat_map(|r| &r.metrics) {
        let kind = match m.value {
            MetricValue::Count { .. } => 0,
            MetricValue::Distribution { .. } => 1,
            MetricValue::Series { .. } => 2,
        };
        kinds.entry(m.name.clone()).or_insert(kind);
    }
    let mut cols = Vec::new();
    for (name, kind) in kinds {
        let suffixes: &[&str] = match kind {
            0 => &[""],
            1 => &["_n", "_p50", "_p99", "_max"],
            _ => &["_points"],
        };
        for (i, s) in suffixes.iter().enumerate() {
            cols.push((format!("{name}{s}"), name.clone(), i));
        }
    }
    cols
}

fn metric_cell(row: &Row, metric: &str, part: usize) -> String {
    let Some(m) = row.metrics.iter().find(|m| m.name == metric) else {
        return String::new();
    };
    match &m.value {
        MetricValue::Count { value } => value.to_string(),
        MetricValue::Series { points } => points.len().to_string(),
        MetricValue::Distribution { samples } => {
            let q = crate::stats::Quantiles::of(samples);
            match part {
                0 => samples.len().to_string(),
                1 => fixed(q.map(|q| q.p50), 3),
                2 => fixed(q.map(|q| q.p99), 3),
                _ => fixed(q.map(|q| q.max), 3),
            }
        }
    }
}

/// The header of `compare.csv`.
pub fn header(c: &Comparison<'_>) -> Vec<String> {
    let mut h: Vec<String> = LEADING_COLUMNS.iter().map(|s| s.to_string()).collect();
    h.extend(c.axes.iter().cloned());
    h.extend(RUN_COLUMNS.iter().map(|s| s.to_string()));
    h.extend(metric_columns(c.rows).into_iter().map(|(col, _, _)| col));
    h.push("trace_hash".into());
    h
}

fn csv_row(c: &Comparison<'_>, r: &Row, metrics: &[(String, String, usize)]) -> Vec<String> {
    let config = &c.configs[r.config];
    let mut v = vec![
        config.label.clone(),
        c.scenarios[r.config].clone(),
        config.source.path.display().to_string(),
    ];
    for axis in c.axes {
        let point = config.settings.iter().find(|(a, _)| a == axis);
        v.push(point.map(|(_, p)| p.clone()).unwrap_or_default());
    }
    let q = r.ops.latency_ms.as_ref();
    v.extend([
        r.seed.to_string(),
        r.verdict.to_string(),
        r.failed.join("+"),
        r.ops.invoked.to_string(),
        r.ops.ok.to_string(),
        r.ops.fail.to_string(),
        r.ops.info.to_string(),
        r.ops.pending.to_string(),
        fixed(Some(r.ops.throughput_per_s), 3),
        fixed(r.ops.availability, 4),
        fixed(q.map(|q| q.p50), 3),
        fixed(q.map(|q| q.p90), 3),
        fixed(q.map(|q| q.p99), 3),
        fixed(q.map(|q| q.max), 3),
    ]);
    v.extend(metrics.iter().map(|(_, m, part)| metric_cell(r, m, *part)));
    v.push(r.trace_hash.clone());
    v
}

/// Writes `compare.csv` and the plots into `dir`; returns the files.
pub fn write(c: &Comparison<'_>, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let header = header(c);
    let metrics = metric_columns(c.rows);
    let rows: Vec<Vec<String>> = c.rows.iter().map(|r| csv_row(c, r, &metrics)).collect();
    let cols: Vec<&str> = header.iter().map(String::as_str).collect();
    let csv = dir.join("compare.csv");
    write_atomic(&csv, &csv_bytes("compare.csv", &cols, &rows)?)?;
    let mut files = vec![csv];
    files.extend(save(&latency_cdf(c), dir, "compare-latency-cdf")?);
    for (name, fig) in metric_cdfs(c) {
        files.extend(save(&fig, dir, &format!("compare-{name}-cdf"))?);
    }
    for (stem, fig) in bars(c) {
        files.extend(save(&fig, dir, stem)?);
    }
    for (name, fig) in count_bars(c) {
        files.extend(save(&fig, dir, &format!("compare-{name}-bars"))?);
    }
    Ok(files)
}

fn by_config<'a>(c: &'a Comparison<'_>) -> Vec<Vec<&'a Row>> {
    let mut out = vec![Vec::new(); c.configs.len()];
    c.rows.iter().for_each(|r| out[r.config].push(r));
    out
}

fn latency_cdf(c: &Comparison<'_>) -> Cdf {
    let series = by_config(c)
        .iter()
        .zip(c.configs)
        .map(|(rows, config)| {
            let mut h = LatencyHistogram::new();
            rows.iter().for_each(|r| h.merge(&r.latency));
            (config.label.clone(), h.cdf_ms())
        })
        .collect();
    Cdf {
        title: format!(
            "{}: latency of ok and fail ops, all seeds of each configuration",
            c.name
        ),
        x_label: "latency (ms)".into(),
        series,
    }
}

fn metric_cdfs(c: &Comparison<'_>) -> Vec<(String, Cdf)> {
    let groups = by_config(c);
    metric_names(c, |v| matches!(v, MetricValue::Distribution { .. }))
        .into_iter()
        .map(|(name, description)| {
            let series = groups
                .iter()
                .zip(c.configs)
                .map(|(rows, config)| (config.label.clone(), ecdf(&pooled(rows, &name))))
                .collect();
            let title = format!("{}: {name} CDF, all seeds pooled", c.name);
            let x_label = format!("{name}: {description}");
            (
                name,
                Cdf {
                    title,
                    x_label,
                    series,
                },
            )
        })
        .collect()
}

/// (name, description) of every metric of a kind `pick` accepts, by name.
fn metric_names(c: &Comparison<'_>, pick: fn(&MetricValue) -> bool) -> Vec<(String, String)> {
    let mut names: Vec<(String, String)> = Vec::new();
    for m in c.rows.iter().flat_map(|r| &r.metrics) {
        if pick(&m.value) && !names.iter().any(|(n, _)| *n == m.name) {
            names.push((m.name.clone(), m.description.clone()));
        }
    }
    names.sort();
    names
}

fn pooled(rows: &[&Row], metric: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for m in rows
        .iter()
        .flat_map(|r| &r.metrics)
        .filter(|m| m.name == metric)
    {
        if let MetricValue::Distribution { samples } = &m.value {
            out.extend(samples);
        }
    }
    out
}

/// One bar chart per count metric (e.g. raft's `split_votes`): per
/// configuration, the median across seeds with a min..max whisker.
fn count_bars(c: &Comparison<'_>) -> Vec<(String, Bars)> {
    let groups = by_config(c);
    metric_names(c, |v| matches!(v, MetricValue::Count { .. }))
        .into_iter()
        .map(|(name, description)| {
            let bars = groups
                .iter()
                .zip(c.configs)
                .map(|(rows, config)| Bar::of(&config.label, &counts(rows, &name)))
                .collect();
            let fig = Bars {
                title: format!("{}: {name} per seed", c.name),
                y_label: format!("{name}: {description}"),
                bars,
                y_max: None,
                shows: Shows::SeedSpread,
            };
            (name, fig)
        })
        .collect()
}

fn counts(rows: &[&Row], metric: &str) -> Vec<f64> {
    rows.iter()
        .flat_map(|r| &r.metrics)
        .filter(|m| m.name == metric)
        .filter_map(|m| match m.value {
            MetricValue::Count { value } => Some(value as f64),
            _ => None,
        })
        .collect()
}

/// Per configuration, the fraction of its seeds whose verdict is invalid.
fn violation_bars(c: &Comparison<'_>, groups: &[Vec<&Row>]) -> Vec<Bar> {
    groups
        .iter()
        .zip(c.configs)
        .map(|(rows, config)| {
            let invalid = rows.iter().filter(|r| r.verdict == "invalid").count();
            Bar::of(&config.label, &[invalid as f64 / rows.len().max(1) as f64])
        })
        .collect()
}

fn bars(c: &Comparison<'_>) -> Vec<(&'static str, Bars)> {
    let groups = by_config(c);
    let bar = |pick: &dyn Fn(&Row) -> Option<f64>| -> Vec<Bar> {
        groups
            .iter()
            .zip(c.configs)
            .map(|(rows, config)| {
                Bar::of(
                    &config.label,
                    &rows.iter().filter_map(|r| pick(r)).collect::<Vec<_>>(),
                )
            })
            .collect()
    };
    let violations = violation_bars(c, &groups);
    let fig = |title: &str, y: &str, bars, y_max| Bars {
        title: format!("{}: {title}", c.name),
        y_label: y.into(),
        bars,
        y_max,
        shows: Shows::SeedSpread,
    };
    vec![
        (
            "compare-throughput",
            fig(
                "throughput per seed",
                "ok ops / simulated s",
                bar(&|r| Some(r.ops.throughput_per_s)),
                None,
            ),
        ),
        (
            "compare-availability",
            fig(
                "availability per seed",
                "fraction of completed ops ok",
                bar(&|r| r.ops.availability),
                Some(1.05),
            ),
        ),
        (
            "compare-violations",
            fig(
                "invariant-violation rate",
                "fraction of seeds invalid",
                violations,
                Some(1.05),
            ),
        ),
    ]
    .into_iter()
    .map(|(name, mut fig)| {
        if name == "compare-violations" {
            fig.shows = Shows::Value(
                "fraction of the configuration's seeds whose verdict is invalid".into(),
            );
        }
        (name, fig)
    })
    .collect()
}
