//! `faultline compare` end to end: the bundled comparison scenarios show
//! the difference they are there to show, every comparison folder gets an
//! index.html, and the exit code says whether each configuration behaved
//! as its `[check] expect` says.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn tmp(name: &str) -> PathBuf {
    let dir = support::fresh_dir(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `faultline compare ARGS --out OUT`; (exit code, stdout).
fn compare(args: &[&str], out: &Path) -> (i32, String) {
    let o = support::faultline()
        .arg("compare")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.code().unwrap(), text)
}

type Rows = Vec<BTreeMap<String, String>>;

/// compare.csv's rows, grouped by configuration label.
fn rows_by_config(dir: &Path) -> BTreeMap<String, Rows> {
    let mut r = csv::Reader::from_path(dir.join("compare.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut out: BTreeMap<String, Rows> = BTreeMap::new();
    for rec in r.records() {
        let row: BTreeMap<String, String> = header
            .iter()
            .cloned()
            .zip(rec.unwrap().iter().map(String::from))
            .collect();
        out.entry(row["config"].clone()).or_default().push(row);
    }
    out
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}: {:?}", row[col]))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[(v.len() - 1) / 2]
}

fn index_html(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("index.html")).unwrap()
}

/// Runs a bundled comparison file, which must exit 0 (every configuration
/// as expected); its folder and rows by configuration.
fn bundled(file: &str, name: &str) -> (PathBuf, BTreeMap<String, Rows>) {
    let out = tmp(&format!("cmp_{name}"));
    let (code, text) = compare(&[file], &out);
    assert_eq!(code, 0, "{text}");
    let dir = out.join("compare").join(name);
    let rows = rows_by_config(&dir);
    (dir, rows)
}

#[test]
fn quorum_rw_choices_differ_in_latency_and_staleness() {
    let (dir, by) = bundled("scenarios/quorum/compare-rw.toml", "quorum-compare-rw");
    let weak = &by["R=1 W=1"];
    assert!(weak.iter().all(|r| r["verdict"] == "invalid"), "R+W<=N");
    assert!(
        weak.iter().any(|r| num(r, "stale_reads") > 0.0),
        "stale reads"
    );
    let read_p50 = |c: &str| {
        median(
            by[c]
                .iter()
                .map(|r| num(r, "read_latency_ms_p50"))
                .collect(),
        )
    };
    for strict in ["R=1 W=3", "R=2 W=2", "R=3 W=1"] {
        let rows = &by[strict];
        assert!(rows.iter().all(|r| r["verdict"] == "valid"), "{strict}");
        assert!(
            rows.iter().all(|r| num(r, "stale_reads") == 0.0),
            "{strict}"
        );
        assert!(read_p50("R=1 W=1") < read_p50(strict), "{strict}");
    }
    assert!(read_p50("R=2 W=2") < read_p50("R=3 W=1"));
    let html = index_html(&dir);
    assert!(html.contains("compare-read_latency_ms-cdf.png") && html.contains("R=2 W=2"));
}

#[test]
fn cooperative_termination_shortens_2pc_blocking() {
    let (dir, by) = bundled(
        "scenarios/twopc/compare-termination.toml",
        "twopc-compare-termination",
    );
    let p99 = |c: &str| median(by[c].iter().map(|r| num(r, "blocking_ms_p99")).collect());
    let (alone, coop) = (p99("coordinator only"), p99("cooperative"));
    assert!(
        coop * 2.0 < alone,
        "blocking p99 (median over seeds): cooperative {coop} ms, coordinator only {alone} ms"
    );
    assert!(index_html(&dir).contains("compare-blocking_ms-cdf.png"));
}

#[test]
fn short_raft_election_timeouts_split_more_votes_and_the_counts_are_drawn() {
    let (dir, by) = bundled(
        "scenarios/raft/election-timeout-scale.toml",
        "raft-election-timeout-scale",
    );
    let split = |c: &str| median(by[c].iter().map(|r| num(r, "split_votes")).collect());
    assert!(
        split("12-24") > 10.0 * split("150-300").max(1.0),
        "split votes (median over seeds): 12-24 ms {}, 150-300 ms {}",
        split("12-24"),
        split("150-300")
    );
    for name in ["split_votes", "terms", "leader_changes"] {
        let png = dir.join(format!("compare-{name}-bars.png"));
        assert!(
            std::fs::metadata(&png).is_ok_and(|m| m.len() > 1000),
            "{png:?}"
        );
        assert!(index_html(&dir).contains(&format!("compare-{name}-bars.png")));
    }
}

/// A short ping scenario with the given `[compare]` table appended.
fn ping_file(dir: &Path, stem: &str, compare_table: &str) -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/ping/steady.toml"
    ))
    .unwrap()
    .replace("duration_ms = 2000", "duration_ms = 1000");
    let path = dir.join(format!("{stem}.toml"));
    std::fs::write(&path, text + compare_table).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn compare_exit_code_follows_each_configurations_expectation() {
    let out = tmp("cmp_exit");
    let plain = ping_file(&out, "plain", "\n[compare]\nseeds = 2\n");
    let variants = "protocol.variant=correct,corrupt-echo";
    let (code, text) = compare(&[&plain, "--set", variants], &out);
    assert_eq!(code, 1, "a buggy variant expected valid: {text}");
    assert!(
        text.contains("FAILED corrupt-echo: expected valid, got invalid"),
        "{text}"
    );
    // The rerun is `run` of one failing seed of that configuration alone.
    let rerun = format!("rerun one seed: cargo run --release -- run {plain} --seed ");
    assert!(
        text.contains(&rerun) && text.contains("--set protocol.variant=corrupt-echo"),
        "{text}"
    );
    assert!(!text.contains("FAILED correct"), "{text}");
    let line = text.lines().find(|l| l.contains(&rerun)).unwrap();
    let args: Vec<&str> = line.split_once("-- ").unwrap().1.split(' ').collect();
    let o = support::faultline()
        .args(&args)
        .arg("--no-report")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "the rerun fails too: {line}");
    let html = index_html(&out.join("compare/ping-steady"));
    assert!(
        html.contains("FAILED: expected valid"),
        "the page says which failed"
    );

    let expecting = ping_file(&out, "expecting", "\n[compare]\nseeds = 2\n[[compare.axes]]\nname = \"variant\"\nset = [\"protocol.variant\", \"check.expect\"]\nvalues = [[\"correct\", \"valid\"], [\"corrupt-echo\", \"invalid\"]]\nlabels = [\"correct\", \"corrupt-echo\"]\n");
    let (code, text) = compare(&[&expecting], &out);
    assert_eq!(code, 0, "each as expected: {text}");

    let (code, text) = compare(&[&plain, "--set", "check.expect=invalid"], &out);
    assert_eq!(code, 1, "an expected violation not found: {text}");
    assert!(
        text.contains("expected invalid, but no seed of 2 was"),
        "{text}"
    );
    assert!(
        text.contains("no seed failed, so there is nothing to rerun")
            && !text.contains("rerun one seed"),
        "{text}"
    );

    let axis =
        "\n[compare]\nseeds = 2\n[[compare.axes]]\nset = [\"network.loss\"]\nvalues = [0.0, 0.1]\n";
    let with_axis = ping_file(&out, "with-axis", axis);
    let (code, text) = compare(&[&with_axis, "--set", "network.loss=0.2"], &out);
    assert_eq!(code, 3, "a key two axes set: {text}");
    assert!(text.contains("already sets network.loss"), "{text}");

    let (code, text) = compare(&[&plain, "--set", "protocol.variant=nope"], &out);
    assert_eq!(code, 3, "bad input: {text}");
}
