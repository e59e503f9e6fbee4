//! A comparison folder's `index.html`: one row per configuration (its axis
//! points, seeds by verdict, whether it behaved as expected, throughput,
//! availability and latency across seeds), the command that made it, the
//! side-by-side plots and a link to `compare.csv`.

use super::expect::Expectation;
use super::output::Comparison;
use super::Row;
use crate::metrics::LatencyHistogram;
use crate::plot::bars::Bar;
use crate::report::html::{Cell, Page};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The page of comparison `c`; `expectations` has one entry per
/// configuration; `files` are the folder's files (CSV and plots).
pub fn page(
    c: &Comparison<'_>,
    description: Option<&str>,
    repro: &str,
    expectations: &[Expectation],
    files: &[PathBuf],
) -> String {
    let failed = expectations.iter().filter(|e| !e.met()).count();
    let result = if failed == 0 {
        "every configuration as expected".to_string()
    } else {
        format!("{failed} configuration(s) not as expected")
    };
    let mut p = Page::new(&format!("compare {}: {result}", c.name));
    if let Some(d) = description {
        p.paragraph(d);
    }
    let code = super::expect::exit_code(expectations);
    let class = if code == 0 { "valid" } else { "invalid" };
    p.key_values(vec![
        (
            "result",
            Cell::verdict(format!("{result} (exit code {code})"), class),
        ),
        ("configurations", Cell::num(c.configs.len().to_string())),
        ("runs", Cell::num(c.rows.len().to_string())),
        ("repro", Cell::code(repro)),
        ("faultline", Cell::text(env!("CARGO_PKG_VERSION"))),
    ]);
    p.heading("Configurations (latency in simulated ms, ok and fail ops of every seed)");
    let mut header: Vec<&str> = vec!["config"];
    header.extend(c.axes.iter().map(String::as_str));
    header.extend(CONFIG_COLUMNS);
    let rows: Vec<Vec<Cell>> = (0..c.configs.len())
        .map(|i| config_row(c, i, &expectations[i]))
        .collect();
    p.table(&header, &rows);
    p.heading("Plots");
    p.figures(files);
    p.heading("Files");
    p.links(files);
    p.finish()
}

const CONFIG_COLUMNS: [&str; 10] = [
    "seeds",
    "expected",
    "valid / invalid / unknown",
    "result",
    "failed checks",
    "ok/s median (min..max)",
    "availability median",
    "p50",
    "p99",
    "max",
];

fn config_row(c: &Comparison<'_>, i: usize, e: &Expectation) -> Vec<Cell> {
    let config = &c.configs[i];
    let mine: Vec<&Row> = c.rows.iter().filter(|r| r.config == i).collect();
    let mut row = vec![Cell::text(config.label.clone())];
    for axis in c.axes {
        let point = config.settings.iter().find(|(a, _)| a == axis);
        row.push(Cell::text(
            point.map(|(_, p)| p.clone()).unwrap_or_default(),
        ));
    }
    let failed: BTreeSet<&str> = mine.iter().flat_map(|r| r.failed.iter().copied()).collect();
    let tput = Bar::of(
        "",
        &mine
            .iter()
            .map(|r| r.ops.throughput_per_s)
            .collect::<Vec<_>>(),
    );
    let avail: Vec<f64> = mine.iter().filter_map(|r| r.ops.availability).collect();
    let mut h = LatencyHistogram::new();
    mine.iter().for_each(|r| h.merge(&r.latency));
    let q = h.quantiles();
    let ms = |f: fn(&crate::stats::Quantiles) -> f64| q.as_ref().map(|q| format!("{:.2}", f(q)));
    let [v, inv, unk] = e.counts;
    let result = if e.met() {
        "as expected".to_string()
    } else {
        format!("FAILED: {}", e.miss())
    };
    row.extend([
        Cell::num(mine.len().to_string()),
        Cell::text(e.expected.clone()),
        Cell::num(format!("{v} / {inv} / {unk}")),
        Cell::verdict(result, if e.met() { "valid" } else { "invalid" }),
        Cell::text(failed.into_iter().collect::<Vec<_>>().join(", ")),
        Cell::num(format!(
            "{:.2} ({:.2}..{:.2})",
            tput.median, tput.min, tput.max
        )),
        Cell::num(if avail.is_empty() {
            String::new()
        } else {
            format!("{:.4}", Bar::of("", &avail).median)
        }),
        Cell::num(ms(|q| q.p50).unwrap_or_default()),
        Cell::num(ms(|q| q.p99).unwrap_or_default()),
        Cell::num(ms(|q| q.max).unwrap_or_default()),
    ]);
    row
}
