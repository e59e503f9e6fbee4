//! Report files end to end: the same run writes byte-identical files
//! (plots included), the CSVs have the documented columns and agree with
//! summary.json, plots are real PNG/SVG files of the expected size, and a
//! comparison writes one CSV row per configuration × seed.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use support::{faultline_out as faultline, fresh_dir as tmp};

/// A buggy raft run (a violation, so the flow diagram has something to show).
const SCENARIO: &str = "scenarios/raft/forget-vote.toml";
const SEED: &str = "3";
const RUN_DIR: &str = "raft-forget-vote/3";

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        out.insert(
            p.file_name().unwrap().to_string_lossy().into_owned(),
            std::fs::read(&p).unwrap(),
        );
    }
    out
}

fn csv(bytes: &[u8]) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_reader(bytes);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

fn documented(column: &str) -> bool {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/reports/README.md")).unwrap();
    readme.contains(&format!("`{column}`"))
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn a_run_writes_identical_documented_files_and_real_plots() {
    let (a, b) = (tmp("rep_a"), tmp("rep_b"));
    faultline(&["run", SCENARIO, "--seed", SEED], &a);
    faultline(&["run", SCENARIO, "--seed", SEED], &b);
    let (fa, fb) = (files(&a.join(RUN_DIR)), files(&b.join(RUN_DIR)));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (name, bytes) in &fa {
        assert!(bytes == &fb[name], "{name} differs between identical runs");
    }
    let summary: serde_json::Value = serde_json::from_slice(&fa["summary.json"]).unwrap();
    let html = String::from_utf8(fa["index.html"].clone()).unwrap();
    for m in summary["metrics"].as_array().unwrap() {
        let stem = format!("metric-{}", m["name"].as_str().unwrap());
        if m["samples"] == 0 {
            assert!(
                !fa.contains_key(&format!("{stem}.png")),
                "{stem}: an empty plot drawn"
            );
            assert!(
                html.contains(&format!("{stem} is not drawn: ")),
                "{stem}: not said why"
            );
        } else if !m["samples"].is_null() {
            assert!(
                fa.contains_key(&format!("{stem}.png")),
                "{stem}.png missing"
            );
        }
    }
    for stem in ["latency", "throughput", "latency-cdf", "flow"] {
        let png = &fa[&format!("{stem}.png")];
        let (w, h) = png_size(png);
        assert!(
            w >= 600 && h >= 400 && png.len() > 5_000,
            "{stem}.png: {w}x{h}, {} bytes",
            png.len()
        );
        let svg = String::from_utf8(fa[&format!("{stem}.svg")].clone()).unwrap();
        assert!(
            svg.contains(&format!("width=\"{w}\"")) && svg.contains("<text"),
            "{stem}.svg"
        );
    }
    check_csvs(&fa);
    check_index(&fa);
}

/// index.html shows the summary's verdict and trace hash, every plot and
/// links every data file.
fn check_index(f: &BTreeMap<String, Vec<u8>>) {
    let summary: serde_json::Value = serde_json::from_slice(&f["summary.json"]).unwrap();
    let html = String::from_utf8(f["index.html"].clone()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    assert!(html.contains(summary["trace_hash"].as_str().unwrap()));
    assert!(html.contains(&format!(
        "{} (exit code",
        summary["verdict"].as_str().unwrap()
    )));
    for name in f.keys().filter(|n| n.ends_with(".png")) {
        assert!(html.contains(&format!("<img src=\"{name}\"")), "{name}");
    }
    for name in summary["files"].as_array().unwrap() {
        assert!(html.contains(&format!("<a href=\"{}\">", name.as_str().unwrap())));
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external resources"
    );
}

fn check_csvs(f: &BTreeMap<String, Vec<u8>>) {
    let summary: serde_json::Value = serde_json::from_slice(&f["summary.json"]).unwrap();
    let all = &summary["ops"]["all"];
    let (header, ops) = csv(&f["ops.csv"]);
    assert!(header.iter().all(|c| documented(c)), "ops.csv: {header:?}");
    assert_eq!(ops.len() as u64, all["invoked"].as_u64().unwrap());
    for outcome in ["ok", "fail", "info", "pending"] {
        let n = ops.iter().filter(|r| r["outcome"] == outcome).count() as u64;
        assert_eq!(n, all[outcome].as_u64().unwrap(), "{outcome}");
    }
    let max_ms = ops
        .iter()
        .filter(|r| r["outcome"] == "ok" || r["outcome"] == "fail")
        .map(|r| r["latency_ms"].parse::<f64>().unwrap())
        .fold(0.0, f64::max);
    let reported = all["latency_ms"]["max"].as_f64().unwrap();
    assert!(
        (reported - max_ms).abs() <= max_ms * 1e-3 + 1e-3,
        "max {reported} vs {max_ms}"
    );
    let (header, buckets) = csv(&f["buckets.csv"]);
    assert!(
        header.iter().all(|c| documented(c)),
        "buckets.csv: {header:?}"
    );
    let ok: u64 = buckets
        .iter()
        .map(|r| r["ok"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(ok, all["ok"].as_u64().unwrap());
    let width_us = summary["bucket_ms"].as_u64().unwrap() * 1000;
    assert!(buckets.iter().all(|r| r["end_us"].parse::<u64>().unwrap()
        - r["start_us"].parse::<u64>().unwrap()
        == width_us));
    let (header, _) = csv(&f["metrics.csv"]);
    assert!(
        header.iter().all(|c| documented(c)),
        "metrics.csv: {header:?}"
    );
}

#[test]
fn compare_writes_a_row_per_configuration_and_seed() {
    let dir = tmp("cmp");
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("ping-matrix.toml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/ping/steady.toml"
    ))
    .unwrap();
    let matrix = "\n[compare]\nseeds = 2\n\n[[compare.axes]]\nset = [\"network.loss\"]\nvalues = [0.0, 0.2]\n";
    std::fs::write(
        &scenario,
        text.replace("duration_ms = 2000", "duration_ms = 1500") + matrix,
    )
    .unwrap();
    let path = scenario.to_string_lossy().into_owned();
    let stdout = faultline(
        &[
            "compare",
            &path,
            "--set",
            "protocol.variant=correct,corrupt-echo",
            "--jobs",
            "2",
        ],
        &dir,
    );
    assert!(stdout.contains("4 configurations, 8 runs"), "{stdout}");
    let out = dir.join("compare/ping-steady");
    let f = files(&out);
    let (header, rows) = csv(&f["compare.csv"]);
    assert_eq!(rows.len(), 2 * 2 * 2, "configs x seeds");
    assert!(header.contains(&"loss".to_string()) && header.contains(&"variant".to_string()));
    for c in faultline_sim::compare::output::LEADING_COLUMNS
        .iter()
        .chain(&faultline_sim::compare::output::RUN_COLUMNS)
        .chain(&["trace_hash"])
    {
        assert!(
            header.iter().any(|h| h == c) && documented(c),
            "compare.csv column {c}"
        );
    }
    let buggy = rows
        .iter()
        .filter(|r| r["variant"] == "corrupt-echo" && r["verdict"] == "invalid")
        .count();
    assert!(buggy > 0, "the buggy variant is found in some run");
    assert!(rows
        .iter()
        .filter(|r| r["variant"] == "correct")
        .all(|r| r["verdict"] == "valid"));
    for stem in [
        "compare-latency-cdf",
        "compare-throughput",
        "compare-availability",
        "compare-violations",
    ] {
        let (w, h) = png_size(&f[&format!("{stem}.png")]);
        assert!(w >= 400 && h >= 400, "{stem}: {w}x{h}");
        assert!(!f[&format!("{stem}.svg")].is_empty());
    }
}

/// A run's folder is replaced whole: a second run without plots leaves no
/// plot of the first beside its files, and the temp folder a killed run
/// left (here: one whose process id cannot exist) is removed.
#[test]
fn a_report_folder_is_replaced_whole_and_stale_temp_folders_go() {
    let out = tmp("reports_whole");
    let dir = out.join("ping-steady/1");
    faultline(&["run", "scenarios/ping/steady.toml"], &out);
    assert!(dir.join("latency.png").exists());
    let stale = out.join(format!("ping-steady/.1.tmp-{}", u32::MAX - 1));
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("summary.json"), "half a run").unwrap();
    faultline(&["run", "scenarios/ping/steady.toml", "--no-plots"], &out);
    let names: Vec<String> = files(&dir).into_keys().collect();
    assert!(!names.iter().any(|n| n.ends_with(".png")), "{names:?}");
    assert!(names.contains(&"summary.json".to_string()));
    if Path::new("/proc/self").exists() {
        let left: Vec<_> = std::fs::read_dir(out.join("ping-steady"))
            .unwrap()
            .flatten()
            .collect();
        assert_eq!(left.len(), 1, "only the run's folder: {left:?}");
    }
}
