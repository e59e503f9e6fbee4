//! Report files of a run, written atomically, and the printed summary.
//!
//! `reports/<scenario>/<seed>/` holds `summary.json`, `history.jsonl`,
//! `faults.toml` (the applied fault timeline as an explicit schedule) and
//! `metrics.csv`, and the raw series `ops.csv` (one row per op) and
//! `buckets.csv` (one row per time bucket, [`tables`]); the plots are
//! [`crate::plot`]'s; `index.html` ([`index`], built with [`html`]) shows
//! them all on one page. `reports/README.md` documents every file and column.
//! The folder is written whole into a hidden sibling and renamed into place
//! ([`crate::staging`]), so it never mixes two runs.

use crate::error::Error;
use crate::fault::AppliedFault;
use crate::metrics::RunMetrics;
use crate::run::RunOutcome;
use crate::stats::{op_stats, Quantiles};
use faultline_models::{Metric, MetricValue};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

pub mod html;
pub mod index;
pub mod interactive;
pub mod linear;
pub mod messages;
pub mod tables;
pub mod timeline;

/// The command that reproduces a run.
pub fn repro_command(path: &Path, seed: u64, args: &str) -> String {
    format!(
        "cargo run --release -- run {} --seed {seed}{args}",
        crate::cli::overrides::shell_word(&path.display().to_string())
    )
}

/// Writes a file that stands alone (not in a [`crate::staging::Staging`]
/// folder) atomically, first removing temp files killed writers left beside it.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    crate::staging::clean_stale_files(path)?;
    write_atomic(path, bytes)
}

/// Writes `bytes` to `path` through a temp file and a rename, so a reader
/// never sees half a file and an interrupted write loses nothing old. A
/// failed write (a full disk) removes its temp file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(&tmp, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

fn metric_json(m: &Metric) -> Value {
    match &m.value {
        MetricValue::Count { value } => {
            json!({ "name": m.name, "description": m.description, "count": value })
        }
        MetricValue::Distribution { samples } => json!({
            "name": m.name, "description": m.description, "samples": samples.len(),
            "quantiles": Quantiles::of(samples),
        }),
        MetricValue::Series { points } => {
            json!({ "name": m.name, "description": m.description, "points": points.len() })
        }
    }
}

/// The run's summary as JSON (also the basis of the printed summary);
/// `args` are the overrides it ran with, for the repro command.
pub fn summary_json(o: &RunOutcome, path: &Path, args: &str) -> Value {
    json!({
        "faultline_version": env!("CARGO_PKG_VERSION"),
        "scenario": o.scenario,
        "scenario_file": path.display().to_string(),
        "protocol": o.protocol,
        "variant": o.variant,
        "seed": o.seed,
        "nodes": o.nodes,
        "verdict": o.verdict(),
        "exit_code": o.exit_code(),
        "stopped": o.stopped,
        "checks": o.checks,
        "situations": o.situations,
        "required_not_reached": o.unmet_required(),
        "ops": op_stats(&*o.history, o.end_us),
        "network": o.net,
        "faults": o.timeline,
        "faults_unmatched_role": o.unmatched_roles.len(),
        "metrics": o.metrics.iter().map(metric_json).collect::<Vec<_>>(),
        "heal_us": o.heal_us,
        "end_us": o.end_us,
        "trace_hash": o.trace_hash,
        "repro": repro_command(path, o.seed, args),
        "bucket_ms": crate::metrics::buckets::width_us(o.end_us) / 1000,
        "files": RUN_FILES,
    })
}

/// The run's effective faults for the interactive pages: kind, span
/// (open ones end at heal), the nodes hit by index, and a label that says
/// what the fault does ([`crate::plot::faults::label`]).
pub fn faults_json(o: &RunOutcome) -> Value {
    let index = |name: &String| o.nodes.iter().position(|n| n == name);
    let faults: Vec<Value> = o
        .timeline
        .iter()
        .filter(|f| f.effective)
        .map(|f| {
            json!({
                "kind": f.kind.as_str(),
                "at_us": f.at_us,
                "until_us": f.until_us.unwrap_or(o.heal_us.max(f.at_us)),
                "nodes": f.nodes.iter().filter_map(index).collect::<Vec<_>>(),
                "label": crate::plot::faults::label(f),
            })
        })
        .collect();
    Value::Array(faults)
}

/// Column names of `metrics.csv`.
pub const METRICS_COLUMNS: [&str; 4] = ["metric", "index", "time_us", "value"];

/// The files [`write_run`] writes, in order.
pub const RUN_FILES: [&str; 7] = [
    "timeline.html",
    "history.jsonl",
    "faults.toml",
    "metrics.csv",
    "ops.csv",
    "buckets.csv",
    "summary.json",
];

/// The report folder of run `seed` of `scenario` under `out`.
pub fn run_dir(out: &Path, scenario: &str, seed: u64) -> PathBuf {
    out.join(scenario).join(seed.to_string())
}

/// Writes the run's report files into `dir` (a [`crate::staging::Staging`]
/// folder, renamed to [`run_dir`] when everything is in it).
pub fn write_run(o: &RunOutcome, path: &Path, args: &str, dir: &Path) -> Result<(), Error> {
    let dir = dir.to_path_buf();
    let m = RunMetrics::of(o);
    write_atomic(&dir.join("ops.csv"), &tables::ops_csv(&m.ops)?)?;
    write_atomic(&dir.join("buckets.csv"), &tables::buckets_csv(&m.buckets)?)?;
    let mut history = Vec::new();
    o.history
        .write_jsonl(&mut history)
        .map_err(|e| Error::io(&dir, e))?;
    write_atomic(&dir.join("history.jsonl"), &history)?;
    write_atomic(&dir.join("faults.toml"), fault_schedule_toml(o).as_bytes())?;
    write_atomic(&dir.join("metrics.csv"), &metrics_csv(&o.metrics)?)?;
    let summary = serde_json::to_string_pretty(&summary_json(o, path, args))
        .map_err(|e| Error::io(&dir, std::io::Error::other(e)))?;
    write_atomic(&dir.join("summary.json"), format!("{summary}\n").as_bytes())?;
    write_atomic(&dir.join("timeline.html"), timeline::page(o).as_bytes())?;
    if let Some(html) = linear::page(o) {
        write_atomic(&dir.join(LINEAR_FILE), html.as_bytes())?;
    }
    Ok(())
}

/// Written by [`write_run`] beside [`RUN_FILES`] when the run has a
/// linearizability failure ([`linear`]).
pub const LINEAR_FILE: &str = "linear.html";

/// Writes the run folder's `index.html`: the summary, `plots` (as
/// [`crate::plot::write_run`] returned them) and links to every file.
pub fn write_run_index(
    o: &RunOutcome,
    path: &Path,
    args: &str,
    description: Option<&str>,
    dir: &Path,
    plots: &[PathBuf],
) -> Result<PathBuf, Error> {
    let mut files: Vec<PathBuf> = RUN_FILES.iter().map(|f| dir.join(f)).collect();
    // The staging folder is fresh, so the file is there only if this run wrote it.
    files.extend(Some(dir.join(LINEAR_FILE)).filter(|p| p.is_file()));
    files.extend(plots.iter().cloned());
    // Plots not drawn because they would be empty, said with why (none when
    // plots were off altogether).
    let empty = if plots.is_empty() {
        Vec::new()
    } else {
        crate::plot::empty_plots(o)
    };
    let html = index::run_page(&summary_json(o, path, args), description, &files, &empty);
    index::write(dir, &html)
}

fn metrics_csv(metrics: &[Metric]) -> Result<Vec<u8>, Error> {
    let mut rows: Vec<[String; 4]> = Vec::new();
    for m in metrics {
        let mut row =
            |i: usize, t: String, v: String| rows.push([m.name.clone(), i.to_string(), t, v]);
        match &m.value {
            MetricValue::Count { value } => row(0, String::new(), value.to_string()),
            MetricValue::Distribution { samples } => {
                for (i, v) in samples.iter().enumerate() {
                    row(i, String::new(), v.to_string());
                }
            }
            MetricValue::Series { points } => {
                for (i, (t, v)) in points.iter().enumerate() {
                    row(i, t.to_string(), v.to_string());
                }
            }
        }
    }
    tables::csv_bytes("metrics.csv", &METRICS_COLUMNS, &rows)
}

/// The applied timeline as `[[faults]]` entries, with a header comment.
pub fn fault_schedule_toml(o: &RunOutcome) -> String {
    let mut s = format!(
        "# Faults applied in run {} seed {} ({} entries). Paste into the scenario\n# (and drop [nemesis]) to replay this schedule without random faults.\n",
        o.scenario,
        o.seed,
        o.timeline.len()
    );
    for f in o.timeline.iter().filter(|f| f.effective) {
        s.push_str(&fault_entry_toml(f));
    }
    s
}

/// One applied fault as an explicit `[[faults]]` entry.
pub fn fault_entry_toml(f: &AppliedFault) -> String {
    let ms = |us: u64| us as f64 / 1000.0;
    let mut s = format!("\n[[faults]]\nat_ms = {}\n", ms(f.at_us));
    if let Some(until) = f.until_us {
        let _ = writeln!(s, "for_ms = {}", ms(until - f.at_us));
    }
    let list = |v: &[String]| {
        v.iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match f.kind.as_str() {
        "partition" | "one-way" => {
            let pairs: Vec<_> = f
                .pairs
                .iter()
                .map(|(a, b)| format!("[{a:?}, {b:?}]"))
                .collect();
            let _ = writeln!(s, "kind = \"partition\"\npairs = [{}]", pairs.join(", "));
        }
        kind => {
            let _ = writeln!(s, "kind = {kind:?}");
            if !f.nodes.is_empty() {
                let _ = writeln!(s, "nodes = [{}]", list(&f.nodes));
            }
        }
    }
    match (f.kind.as_str(), f.amount) {
        ("skew", Some(a)) => {
            let _ = writeln!(s, "offset_ms = {a}");
        }
        ("drift", Some(a)) => {
            let _ = writeln!(s, "ppm = {a}");
        }
        ("loss" | "duplicate", Some(a)) => {
            let _ = writeln!(s, "probability = {a}");
        }
        _ => {}
    }
    if f.lose_unsynced {
        s.push_str("lose_unsynced = true\n");
    }
    s
}
