//! A run folder's `index.html`: the summary (verdict, checks, op counts and
//! latency percentiles, faults, protocol metrics, trace hash, the repro
//! command) as tables, the plots, and links to the data files. Built from
//! the same JSON as `summary.json`, so the two always agree; nothing in it
//! names a protocol.

use super::html::{Cell, Page};
use crate::error::Error;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Most violations listed per checker, and most faults listed (the rest
/// are in `summary.json` and `faults.toml`).
pub const ROWS_MAX: usize = 20;

/// A float field as text with `d` decimals ("" when absent or null).
pub fn number(v: &Value, d: usize) -> String {
    v.as_f64().map(|x| format!("{x:.d$}")).unwrap_or_default()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The page of a run whose summary is `s`; `files` are the folder's files
/// (data files and plots, in the order to show them).
pub fn run_page(
    s: &Value,
    description: Option<&str>,
    files: &[PathBuf],
    empty_plots: &[(String, String)],
) -> String {
    let verdict = text(&s["verdict"]);
    let title = format!(
        "{} ({}) seed {}: {}",
        text(&s["scenario"]),
        text(&s["variant"]),
        text(&s["seed"]),
        verdict
    );
    let mut p = Page::new(&title);
    if let Some(d) = description {
        p.paragraph(d);
    }
    p.key_values(overview(s));
    p.heading("Checks");
    p.table(
        &["checker", "property", "verdict", "description", "details"],
        &checks(s),
    );
    p.heading("Client operations (latency in simulated ms, of ok and fail ops)");
    p.table(&OPS_HEADER, &ops(s));
    p.heading("Interactive diagrams");
    p.page_links(files, &PAGES);
    p.heading("Plots");
    for (stem, why) in empty_plots {
        p.paragraph(&format!("{stem} is not drawn: {why}."));
    }
    p.figures(files);
    p.heading("Protocol metrics");
    p.table(&["metric", "description", "value"], &metrics(s));
    p.heading("Faults applied");
    p.table(&FAULTS_HEADER, &faults(s));
    p.heading("Files");
    p.links(files);
    p.finish()
}

/// The interactive pages a run folder may hold, and what each shows.
pub const PAGES: [(&str, &str); 3] = [
    (
        "timeline.html",
        "every client op as a bar per process (coloured by outcome), protocol events and faults per node; the ops a violation names highlighted",
    ),
    (
        "messages.html",
        "the message diagram around the first violation, each arrow with the message's fields; filters by node, id and message type",
    ),
    (
        "linear.html",
        "the linearizability failure: per key, the longest linearizable prefix in order, the op that cannot be placed and the nodes that served each op",
    ),
];

fn overview(s: &Value) -> Vec<(&'static str, Cell)> {
    let n = &s["network"];
    let network = format!(
        "{} sent, {} delivered, {} lost, {} partitioned, {} to down nodes, {} duplicated",
        text(&n["sent"]),
        text(&n["delivered"]),
        text(&n["lost"]),
        text(&n["partitioned"]),
        text(&n["to_dead_node"]),
        text(&n["duplicated"])
    );
    let ms = |v: &Value| faultline_models::check::at_ms(v.as_u64().unwrap_or(0));
    let verdict = text(&s["verdict"]);
    vec![
        (
            "verdict",
            Cell::verdict(
                format!("{verdict} (exit code {})", text(&s["exit_code"])),
                &verdict,
            ),
        ),
        ("protocol", Cell::text(text(&s["protocol"]))),
        ("variant", Cell::text(text(&s["variant"]))),
        ("seed", Cell::num(text(&s["seed"]))),
        ("scenario file", Cell::code(text(&s["scenario_file"]))),
        (
            "simulated",
            Cell::text(format!(
                "{} (heal at {})",
                ms(&s["end_us"]),
                ms(&s["heal_us"])
            )),
        ),
        ("network", Cell::text(network)),
        ("trace hash", Cell::code(text(&s["trace_hash"]))),
        ("repro", Cell::code(text(&s["repro"]))),
        ("faultline", Cell::text(text(&s["faultline_version"]))),
    ]
}

fn checks(s: &Value) -> Vec<Vec<Cell>> {
    let empty = Vec::new();
    let list = s["checks"].as_array().unwrap_or(&empty);
    list.iter()
        .map(|c| {
            let verdict = text(&c["verdict"]);
            vec![
                Cell::text(text(&c["name"])),
                Cell::text(text(&c["property"])),
                Cell::verdict(verdict.clone(), &verdict),
                Cell::text(text(&c["description"])),
                Cell::text(check_details(c)),
            ]
        })
        .collect()
}

fn check_details(c: &Value) -> String {
    let Some(violations) = c["violations"].as_array() else {
        return text(&c["reason"]);
    };
    let mut lines: Vec<String> = violations
        .iter()
        .take(ROWS_MAX)
        .map(|v| match v["time_us"].as_f64() {
            Some(t) => format!(
                "at {}: {}",
                faultline_models::check::at_ms(t as u64),
                text(&v["message"])
            ),
            None => text(&v["message"]),
        })
        .collect();
    if violations.len() > ROWS_MAX {
        lines.push(format!(
            "... {} more in summary.json",
            violations.len() - ROWS_MAX
        ));
    }
    lines.join("\n")
}

const OPS_HEADER: [&str; 13] = [
    "op",
    "invoked",
    "ok",
    "fail",
    "info",
    "pending",
    "ok/s",
    "availability",
    "p50",
    "p90",
    "p99",
    "p99.9",
    "max",
];

fn ops(s: &Value) -> Vec<Vec<Cell>> {
    let Some(ops) = s["ops"].as_object() else {
        return Vec::new();
    };
    ops.iter()
        .map(|(f, o)| {
            let mut row = vec![Cell::text(f.clone())];
            for k in ["invoked", "ok", "fail", "info", "pending"] {
                row.push(Cell::num(text(&o[k])));
            }
            row.push(Cell::num(number(&o["throughput_per_s"], 2)));
            row.push(Cell::num(number(&o["availability"], 4)));
            for q in ["p50", "p90", "p99", "p999", "max"] {
                row.push(Cell::num(number(&o["latency_ms"][q], 3)));
            }
            row
        })
        .collect()
}

const FAULTS_HEADER: [&str; 6] = [
    "at (ms)",
    "until (ms)",
    "kind",
    "nodes / links",
    "amount",
    "effective",
];

fn faults(s: &Value) -> Vec<Vec<Cell>> {
    let empty = Vec::new();
    let list = s["faults"].as_array().unwrap_or(&empty);
    let secs = |v: &Value| {
        v.as_f64()
            .map(|t| format!("{:.3}", t / 1e3))
            .unwrap_or_default()
    };
    let mut rows: Vec<Vec<Cell>> = list
        .iter()
        .take(ROWS_MAX)
        .map(|f| {
            let nodes: Vec<String> = match f["nodes"].as_array() {
                Some(n) if !n.is_empty() => n.iter().map(text).collect(),
                _ => f["pairs"].as_array().map_or_else(Vec::new, |p| {
                    p.iter()
                        .map(|l| format!("{}->{}", text(&l[0]), text(&l[1])))
                        .collect()
                }),
            };
            let mut kind = text(&f["kind"]);
            if f["lose_unsynced"] == Value::Bool(true) {
                kind.push_str(" (lose unsynced)");
            }
            vec![
                Cell::num(secs(&f["at_us"])),
                Cell::num(secs(&f["until_us"])),
                Cell::text(kind),
                Cell::text(nodes.join(" ")),
                Cell::num(text(&f["amount"])),
                Cell::text(text(&f["effective"])),
            ]
        })
        .collect();
    if list.len() > ROWS_MAX {
        let mut more = vec![Cell::text(""); FAULTS_HEADER.len()];
        more[2] = Cell::text(format!("... {} more in faults.toml", list.len() - ROWS_MAX));
        rows.push(more);
    }
    rows
}

fn metrics(s: &Value) -> Vec<Vec<Cell>> {
    let empty = Vec::new();
    let list = s["metrics"].as_array().unwrap_or(&empty);
    list.iter()
        .map(|m| {
            let value = if !m["count"].is_null() {
                text(&m["count"])
            } else if let Some(q) = m["quantiles"].as_object() {
                let q = |k: &str| number(&q[k], 2);
                format!(
                    "n={} p50 {} p90 {} p99 {} max {}",
                    text(&m["samples"]),
                    q("p50"),
                    q("p90"),
                    q("p99"),
                    q("max")
                )
            } else if !m["samples"].is_null() {
                "no samples".to_string()
            } else {
                format!("{} points", text(&m["points"]))
            };
            vec![
                Cell::text(text(&m["name"])),
                Cell::text(text(&m["description"])),
                Cell::text(value),
            ]
        })
        .collect()
}

/// Writes `index.html` into `dir` (atomically); returns its path.
pub fn write(dir: &Path, html: &str) -> Result<PathBuf, Error> {
    let path = dir.join("index.html");
    super::write_atomic(&path, html.as_bytes())?;
    Ok(path)
}
