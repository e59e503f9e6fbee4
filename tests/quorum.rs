//! Quorum store: the correct configurations pass their seeds; every named
//! buggy variant, and every configuration that promises less than
//! linearizability, is shown failing within 40 seeds (stopping at the
//! first failure), and the same scenario with the correct variant passes.

mod support;

use faultline_models::{MetricValue, Verdict};
use faultline_sim::registry::Registry;
use faultline_sim::run::RunOutcome;
use faultline_sim::scenario::Source;
use std::path::PathBuf;
use support::{assert_all_valid, load};

/// The bound within which every finding must appear (issue 16).
const FIND_SEEDS: u64 = 40;

/// The first seed in `1..=seeds` where `checker` is invalid; panics if none.
fn find(path: &str, variant: Option<&str>, checker: &str) -> RunOutcome {
    let scenario = load(path, variant);
    let found = (1..=FIND_SEEDS)
        .map(|seed| scenario.run(seed))
        .find(|o| verdict(o, checker).word() == "invalid");
    let o = found.unwrap_or_else(|| panic!("{path}: {checker} never failed in {FIND_SEEDS} seeds"));
    println!("{path} ({variant:?}): {checker} fails at seed {}", o.seed);
    o
}

fn verdict<'a>(o: &'a RunOutcome, checker: &str) -> &'a Verdict {
    &o.checks
        .iter()
        .find(|c| c.name == checker)
        .unwrap_or_else(|| panic!("checker {checker} did not run"))
        .verdict
}

fn metric<'a>(o: &'a RunOutcome, name: &str) -> &'a MetricValue {
    &o.metrics
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no metric {name}"))
        .value
}

/// Asserts `path` with `from` replaced by `to` in its text passes `seeds` seeds.
fn assert_edited_valid(path: &str, from: &str, to: &str, seeds: u64) {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut source = Source::read(&full).unwrap_or_else(|e| panic!("{e}"));
    assert!(source.text.contains(from), "{path} has no {from:?}");
    source.text = source.text.replacen(from, to, 1);
    let scenario = Registry::builtin()
        .load_source(source)
        .unwrap_or_else(|e| panic!("{e}"));
    for seed in 1..=seeds {
        let o = scenario.run(seed);
        assert_eq!(
            o.verdict(),
            "valid",
            "{path} with {to:?}, seed {seed}: {:?}",
            o.checks
        );
    }
}

#[test]
fn r2w2_blocking_repair_is_linearizable_on_500_seeds() {
    assert_all_valid("scenarios/quorum/steady.toml", None, 500);
}

#[test]
fn r1w3_blocking_and_clock_skew_pass() {
    assert_all_valid("scenarios/quorum/r1w3.toml", None, 100);
    assert_all_valid("scenarios/quorum/clock-skew.toml", None, 100);
}

#[test]
fn isolated_replica_and_crashes_with_fsync_lose_nothing() {
    assert_all_valid("scenarios/quorum/partition.toml", None, 100);
    assert_all_valid("scenarios/quorum/crash.toml", None, 100);
    assert_all_valid("scenarios/quorum/handoff.toml", None, 100);
}

#[test]
fn r1w1_is_not_linearizable_and_the_window_is_printed() {
    let o = find("scenarios/quorum/r1w1.toml", None, "linearizable");
    let Verdict::Invalid { violations } = verdict(&o, "linearizable") else {
        unreachable!()
    };
    let v = &violations[0];
    println!("{}", v.message);
    assert!(v.message.contains("cannot be linearized"), "{}", v.message);
    assert!(
        !v.entries.is_empty() && v.entries.len() < 100,
        "{:?}",
        v.entries
    );
    assert!(o.checks.iter().all(|c| c.name != "no-lost-writes"));
}

#[test]
fn async_repair_is_not_linearizable_but_loses_no_write() {
    let path = "scenarios/quorum/async-repair.toml";
    find(path, None, "linearizable");
    let only = "only = [\"linearizable\"]";
    let others = "only = [\"no-lost-writes\", \"convergence\", \"progress\"]";
    assert_edited_valid(path, only, others, 40);
    assert_edited_valid(
        path,
        "read_repair = \"async\"",
        "read_repair = \"blocking\"",
        100,
    );
}

#[test]
fn cas_over_quorums_is_not_linearizable() {
    find("scenarios/quorum/cas.toml", None, "linearizable");
}

#[test]
fn crash_without_fsync_loses_acknowledged_writes() {
    find(
        "scenarios/quorum/crash-no-fsync.toml",
        None,
        "no-lost-writes",
    );
}

#[test]
fn lww_wall_clock_is_found_and_correct_passes_the_same_skew() {
    find(
        "scenarios/quorum/lww-wall-clock.toml",
        None,
        "no-lost-writes",
    );
    assert_all_valid("scenarios/quorum/lww-wall-clock.toml", Some("correct"), 100);
}

#[test]
fn repair_overwrites_newer_is_found_and_correct_passes() {
    find(
        "scenarios/quorum/repair-overwrites-newer.toml",
        None,
        "no-lost-writes",
    );
    assert_all_valid(
        "scenarios/quorum/repair-overwrites-newer.toml",
        Some("correct"),
        100,
    );
}

#[test]
fn sloppy_ack_is_found_and_correct_passes() {
    find("scenarios/quorum/sloppy-ack.toml", None, "no-lost-writes");
    assert_all_valid("scenarios/quorum/sloppy-ack.toml", Some("correct"), 100);
}

#[test]
fn tied_versions_flip_reads_and_never_converge_and_correct_passes() {
    find("scenarios/quorum/tied-versions.toml", None, "linearizable");
    find(
        "scenarios/quorum/tied-versions-diverge.toml",
        None,
        "convergence",
    );
    assert_all_valid("scenarios/quorum/tied-versions.toml", Some("correct"), 100);
    let path = "scenarios/quorum/tied-versions-diverge.toml";
    assert_all_valid(path, Some("correct"), 100);
}

#[test]
fn a_timeout_in_the_wrong_unit_is_safe_but_makes_no_progress() {
    let o = find("scenarios/quorum/timeout-units.toml", None, "progress");
    println!("{:?}", verdict(&o, "progress"));
    let path = "scenarios/quorum/timeout-units.toml";
    let mut source = Source::read(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    source.text = source.text.replacen("only = [\"progress\"]", "", 1);
    let all = Registry::builtin().load_source(source).unwrap().run(1);
    for c in all.checks.iter().filter(|c| c.name != "progress") {
        assert_eq!(c.verdict.word(), "unknown", "{}: {:?}", c.name, c.verdict);
    }
    assert_all_valid(path, Some("correct"), 100);
}

#[test]
fn every_bundled_scenario_meets_its_expectation_at_its_seed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/quorum");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && !p.ends_with("bench.toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    for path in files {
        let s = Registry::builtin()
            .load(&path)
            .unwrap_or_else(|e| panic!("{e}"));
        let o = s.run(s.default_seed());
        assert_eq!(
            o.verdict(),
            s.expect().unwrap_or("valid"),
            "{}",
            path.display()
        );
    }
}

#[test]
fn staleness_is_measured_and_zero_for_strict_quorums() {
    let stale = |o: &RunOutcome| match metric(o, "stale_reads") {
        MetricValue::Count { value } => *value,
        other => panic!("{other:?}"),
    };
    let curve = |o: &RunOutcome| match metric(o, "t_visibility_probability") {
        MetricValue::Series { points } => points.clone(),
        other => panic!("{other:?}"),
    };
    let strict = load("scenarios/quorum/steady.toml", None).run(1);
    assert_eq!(stale(&strict), 0);
    assert!(curve(&strict).iter().all(|&(_, p)| p == 1.0));
    let partial = load("scenarios/quorum/r1w1.toml", None).run(4);
    assert!(stale(&partial) > 0);
    let points = curve(&partial);
    assert!(points.iter().all(|&(_, p)| (0.0..=1.0).contains(&p)));
    assert!(points.iter().any(|&(_, p)| p < 1.0), "{points:?}");
    assert!(matches!(
        metric(&partial, "read_latency_ms"),
        MetricValue::Distribution { .. }
    ));
}

#[test]
fn bench_scenario_makes_a_10k_op_linearizable_history() {
    let o = load("scenarios/quorum/bench.toml", None).run(1);
    let invokes = o
        .history
        .op_lines()
        .filter(|op| op.kind == faultline_models::OpType::Invoke);
    let n = invokes.count();
    assert!(n >= 10_000, "{n} ops");
    assert_eq!(o.verdict(), "valid", "{:?}", o.checks);
}
