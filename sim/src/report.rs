//! Report files of a run, written atomically, and the printed summary.
//!
//! `reports/<scenario>/<seed>/` holds `summary.json`, `history.jsonl`,
//! `faults.toml` (the applied fault timeline as an explicit schedule) and
//! `metrics.csv`; `reports/README.md` documents every file and column.

use crate::error::Error;
use crate::fault::AppliedFault;
use crate::run::RunOutcome;
use crate::stats::{op_stats, Quantiles};
use faultline_models::{Metric, MetricValue};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The command that reproduces a run.
pub fn repro_command(path: &Path, seed: u64) -> String {
    format!(
        "cargo run --release -- run {} --seed {seed}",
        path.display()
    )
}

/// Writes `bytes` to `path` through a temp file and a rename, so a reader
/// never sees half a file and an interrupted write loses nothing old.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
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

/// The run's summary as JSON (also the basis of the printed summary).
pub fn summary_json(o: &RunOutcome, path: &Path) -> Value {
    json!({
        "faultline_version": env!("CARGO_PKG_VERSION"),
        "scenario": o.scenario,
        "scenario_file": path.display().to_string(),
        "protocol": o.protocol,
        "variant": o.variant,
        "seed": o.seed,
        "verdict": o.verdict(),
        "exit_code": o.exit_code(),
        "checks": o.checks,
        "ops": op_stats(&o.history, o.end_us),
        "network": o.net,
        "faults": o.timeline,
        "metrics": o.metrics.iter().map(metric_json).collect::<Vec<_>>(),
        "heal_us": o.heal_us,
        "end_us": o.end_us,
        "trace_hash": o.trace_hash,
        "repro": repro_command(path, o.seed),
    })
}

/// Writes the run's report folder under `out`; returns the folder.
pub fn write_run(o: &RunOutcome, path: &Path, out: &Path) -> Result<PathBuf, Error> {
    let dir = out.join(&o.scenario).join(o.seed.to_string());
    let mut history = Vec::new();
    o.history
        .write_jsonl(&mut history)
        .map_err(|e| Error::io(&dir, e))?;
    write_atomic(&dir.join("history.jsonl"), &history)?;
    write_atomic(&dir.join("faults.toml"), fault_schedule_toml(o).as_bytes())?;
    write_atomic(&dir.join("metrics.csv"), &metrics_csv(&o.metrics)?)?;
    let summary = serde_json::to_string_pretty(&summary_json(o, path))
        .map_err(|e| Error::io(&dir, std::io::Error::other(e)))?;
    write_atomic(&dir.join("summary.json"), format!("{summary}\n").as_bytes())?;
    Ok(dir)
}

fn metrics_csv(metrics: &[Metric]) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::io("metrics.csv", std::io::Error::other(e));
    w.write_record(["metric", "index", "time_us", "value"])
        .map_err(io)?;
    for m in metrics {
        match &m.value {
            MetricValue::Count { value } => w
                .write_record([m.name.as_str(), "0", "", &value.to_string()])
                .map_err(io)?,
            MetricValue::Distribution { samples } => {
                for (i, v) in samples.iter().enumerate() {
                    w.write_record([m.name.as_str(), &i.to_string(), "", &v.to_string()])
                        .map_err(io)?;
                }
            }
            MetricValue::Series { points } => {
                for (i, (t, v)) in points.iter().enumerate() {
                    w.write_record([
                        m.name.as_str(),
                        &i.to_string(),
                        &t.to_string(),
                        &v.to_string(),
                    ])
                    .map_err(io)?;
                }
            }
        }
    }
    w.into_inner()
        .map_err(|e| Error::io("metrics.csv", std::io::Error::other(e.to_string())))
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
    match f.kind {
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
    match (f.kind, f.amount) {
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
