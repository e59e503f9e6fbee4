//! End-to-end runs of the bundled CQRS scenarios: the correct system passes
//! 500 seeds of each; every buggy variant is found within 500 seeds, by the
//! checker its mistake breaks; the metrics show what the scenarios stage.

mod support;

use faultline_models::MetricValue;
use faultline_sim::registry::LoadedScenario;
use faultline_sim::run::RunOutcome;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The bound: seeds within which each bug must show, and that the correct variant must pass.
const SEEDS: u64 = 500;
/// Worker threads of a sweep (CI has 2 cores).
const WORKERS: usize = 2;

/// Loads scenario `file` of scenarios/cqrs/ with `variant` instead of its own.
fn load(file: &str, variant: &str) -> Box<dyn LoadedScenario> {
    support::load(&format!("scenarios/cqrs/{file}"), Some(variant))
}

/// Like `support::first_failure`, on `WORKERS` threads: the lowest seed in
/// `1..=SEEDS` whose verdict is not valid, if any; stops early.
fn first_failure(file: &str, variant: &str) -> Option<RunOutcome> {
    let scenario = load(file, variant);
    let next = AtomicU64::new(1);
    let found: Mutex<Option<RunOutcome>> = Mutex::new(None);
    let lowest = || found.lock().unwrap().as_ref().map_or(u64::MAX, |o| o.seed);
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let seed = next.fetch_add(1, Ordering::SeqCst);
                if seed > SEEDS || seed > lowest() {
                    return;
                }
                let o = scenario.run(seed);
                if o.verdict() != "valid" && o.seed < lowest() {
                    *found.lock().unwrap() = Some(o);
                }
            });
        }
    });
    found.into_inner().unwrap()
}

fn invalid_checks(o: &RunOutcome) -> Vec<&'static str> {
    o.checks
        .iter()
        .filter(|c| c.verdict.word() == "invalid")
        .map(|c| c.name)
        .collect()
}

fn passes_all_seeds(file: &str) {
    if let Some(o) = first_failure(file, "correct") {
        panic!(
            "correct variant fails {file} at seed {}: {:?}",
            o.seed, o.checks
        );
    }
}

/// Finds `variant`'s bug in `file` and checks that one of `checkers` is among those that caught it.
fn finds(file: &str, variant: &str, checkers: &[&str]) -> RunOutcome {
    let o = first_failure(file, variant)
        .unwrap_or_else(|| panic!("{variant} not found in {SEEDS} seeds of {file}"));
    let caught = invalid_checks(&o);
    println!(
        "{variant}: found at seed {} of {file} by {caught:?}",
        o.seed
    );
    assert!(
        checkers.iter().any(|c| caught.contains(c)),
        "{variant} seed {}: caught by {caught:?}, expected one of {checkers:?}",
        o.seed
    );
    o
}

#[test]
fn correct_passes_steady() {
    passes_all_seeds("steady.toml");
}

#[test]
fn correct_passes_relay_crash() {
    passes_all_seeds("relay-crash.toml");
}

#[test]
fn correct_passes_projector_crash() {
    passes_all_seeds("projector-crash.toml");
}

#[test]
fn correct_passes_bus_chaos() {
    passes_all_seeds("bus-chaos.toml");
}

#[test]
fn correct_passes_slow_projector() {
    passes_all_seeds("slow-projector.toml");
}

#[test]
fn correct_passes_writer_crash() {
    passes_all_seeds("writer-crash.toml");
}

#[test]
fn correct_passes_contention() {
    passes_all_seeds("contention.toml");
}

#[test]
fn no_expected_version_breaks_the_order_lifecycle_in_a_pay_race() {
    // Its first failing seed may tie versions without breaking the rules:
    // judged by order-lifecycle alone, as the file pins.
    support::assert_found("scenarios/cqrs/pay-race.toml", "order-lifecycle", SEEDS);
    passes_all_seeds("pay-race.toml");
}

#[test]
fn dual_write_loses_events_when_a_handler_crashes() {
    // A lost event shows as a gap (exactly-once-apply) unless it was its order's last.
    finds(
        "writer-crash.toml",
        "dual-write",
        &["projection-correctness", "exactly-once-apply"],
    );
}

#[test]
fn non_idempotent_projector_double_counts_republished_events() {
    let o = finds(
        "relay-crash.toml",
        "non-idempotent-projector",
        &["exactly-once-apply"],
    );
    assert!(invalid_checks(&o).contains(&"projection-correctness"));
}

#[test]
fn non_idempotent_projector_double_counts_bus_duplicates() {
    finds(
        "bus-chaos.toml",
        "non-idempotent-projector",
        &["exactly-once-apply"],
    );
}

#[test]
fn checkpoint_first_skips_an_event_when_a_projector_crashes() {
    // A skipped event shows as a gap, or (its order's last) in the final rows.
    finds(
        "projector-crash.toml",
        "checkpoint-first",
        &["projection-correctness", "exactly-once-apply"],
    );
}

#[test]
fn no_expected_version_appends_twice_from_one_version() {
    finds("steady.toml", "no-expected-version", &["version-integrity"]);
}

#[test]
fn drop_conflict_stalls_the_losers_of_every_race() {
    // Every stored event is consistent: only progress can see it.
    let o = finds(
        "drop-conflict.toml",
        "drop-conflict",
        &["command-query-progress"],
    );
    assert_eq!(invalid_checks(&o), ["command-query-progress"]);
    passes_all_seeds("drop-conflict.toml");
}

fn series(o: &RunOutcome, name: &str) -> Vec<(u64, f64)> {
    match o.metrics.iter().find(|m| m.name == name).map(|m| &m.value) {
        Some(MetricValue::Series { points }) => points.clone(),
        other => panic!("no series {name}: {other:?}"),
    }
}

fn count(o: &RunOutcome, name: &str) -> u64 {
    match o.metrics.iter().find(|m| m.name == name).map(|m| &m.value) {
        Some(MetricValue::Count { value }) => *value,
        other => panic!("no count {name}: {other:?}"),
    }
}

#[test]
fn slow_projector_lag_grows_during_the_stall_then_recovers() {
    let o = load("slow-projector.toml", "correct").run(1);
    let stale = series(&o, "projection_staleness_status_ms");
    let at = |t_us: u64| stale.iter().find(|p| p.0 == t_us).map(|p| p.1).unwrap();
    assert!(
        at(1_300_000) < at(1_500_000) && at(1_500_000) < at(1_700_000),
        "staleness grows through the 800 ms stall: {stale:?}"
    );
    assert!(at(1_700_000) > 500.0, "{stale:?}");
    assert!(stale.last().unwrap().1 < 100.0, "and recovers: {stale:?}");
    let lag = series(&o, "projection_lag_status_p99_ms");
    assert!(
        lag.iter().any(|p| p.1 > 500.0),
        "the backlog shows as lag: {lag:?}"
    );
    let others = series(&o, "projection_staleness_orders_ms");
    let others_peak = others.iter().map(|p| p.1).fold(0.0, f64::max);
    assert!(
        others_peak < 200.0,
        "the other projectors keep up: {others:?}"
    );
    assert!(!series(&o, "faults_active").is_empty());
}

#[test]
fn relay_crashes_republish_and_rebuilds_are_timed() {
    let relay = load("relay-crash.toml", "correct");
    let republished: u64 = (1..=3)
        .map(|seed| count(&relay.run(seed), "republished"))
        .sum();
    assert!(republished > 0, "relay crashes republish");
    let steady = load("steady.toml", "correct").run(1);
    let rebuilt = steady
        .metrics
        .iter()
        .find(|m| m.name == "rebuild_ms")
        .unwrap();
    assert!(matches!(&rebuilt.value, MetricValue::Distribution { samples } if !samples.is_empty()));
    assert!(count(&steady, "reads") > 0);
}

#[test]
fn same_seed_same_trace() {
    let s = load("bus-chaos.toml", "correct");
    assert_eq!(s.run(3).trace_hash, s.run(3).trace_hash);
}

#[test]
fn idempotent_projectors_skip_what_the_bus_sends_twice_and_say_so() {
    // Redeliveries of each kind: republished by a restarted relay, resent
    // for a crashed projector, duplicated by the network.
    for file in ["relay-crash.toml", "projector-crash.toml", "bus-chaos.toml"] {
        let scenario = load(file, "correct");
        let o = (1..=20)
            .map(|seed| scenario.run(seed))
            .find(|o| count(o, "skipped_deliveries") > 0)
            .unwrap_or_else(|| panic!("{file}: no delivery skipped in 20 seeds"));
        let reached: Vec<&str> = o.reached().collect();
        assert!(
            reached.contains(&"redelivered-event-deduplicated"),
            "{file} seed {}: skipped {} but reached only {reached:?}",
            o.seed,
            count(&o, "skipped_deliveries")
        );
    }
    // A projector that applies everything never skips.
    let o = load("bus-chaos.toml", "non-idempotent-projector").run(1);
    assert_eq!(count(&o, "skipped_deliveries"), 0);
    assert!(!o.reached().any(|s| s == "redelivered-event-deduplicated"));
}
