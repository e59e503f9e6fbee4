//! End-to-end runs of the bundled saga scenarios: both correct styles pass
//! every seed tried, each buggy variant is caught within the bound,
//! and every checker is shown catching a real violation.

use faultline_models::check::Verdict;
use faultline_sim::registry::Registry;
use faultline_sim::run::RunOutcome;
use faultline_sim::scenario::Source;
use std::path::PathBuf;

/// Seeds a buggy variant must be found within (issue 4).
const FIND_BOUND: u64 = 500;
/// Seeds every correct variant passes on every bundled scenario in CI (the
/// CI budget); `full_sweep_500_seeds` (ignored by default) runs the
/// issue's 500: `cargo test --release --test saga -- --ignored`.
const PASS_SEEDS: u64 = 100;
/// The bound for the correct variants.
const PASS_SEEDS_FULL: u64 = 500;

const SCENARIOS: &[&str] = &[
    "steady",
    "flaky-payment",
    "inventory-crash",
    "orchestrator-crash",
    "partition",
    "compare",
];

/// Loads `scenarios/saga/<name>.toml` with its variant set to `variant`
/// (a bug scenario that names `variant` itself loads as it is).
fn load(name: &str, variant: &str) -> Box<dyn faultline_sim::registry::LoadedScenario> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/saga")
        .join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).expect("bundled scenario exists");
    let own = format!("variant = \"{variant}\"");
    assert!(
        text.contains("variant = \"correct\"") || text.contains(&own),
        "{name} names its variant"
    );
    let text = text.replace("variant = \"correct\"", &format!("variant = \"{variant}\""));
    Registry::builtin()
        .load_source(Source { path, text })
        .expect("bundled scenario is valid")
}

/// Runs `seeds` seeds on two threads; returns the first failing seed found
/// by either thread together with its outcome (or None if all passed).
fn sweep(
    name: &str,
    variant: &str,
    seeds: u64,
    failing: impl Fn(&RunOutcome) -> bool + Sync,
) -> Option<(u64, RunOutcome)> {
    let sc = load(name, variant);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let found = std::sync::Mutex::new(None::<(u64, RunOutcome)>);
    std::thread::scope(|s| {
        for lane in 0..2u64 {
            let (sc, stop, found, failing) = (&sc, &stop, &found, &failing);
            s.spawn(move || {
                let mut seed = 1 + lane;
                while seed <= seeds && !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let o = sc.run(seed);
                    if failing(&o) {
                        stop.store(true, std::sync::atomic::Ordering::Relaxed);
                        let mut f = found.lock().expect("no panics while locked");
                        if f.as_ref().is_none_or(|(s, _)| *s > seed) {
                            *f = Some((seed, o));
                        }
                        return;
                    }
                    seed += 2;
                }
            });
        }
    });
    found.into_inner().expect("no panics while locked")
}

fn invalid(o: &RunOutcome, checker: &str) -> bool {
    o.checks
        .iter()
        .any(|c| c.name == checker && c.verdict.word() == "invalid")
}

fn describe(o: &RunOutcome) -> String {
    let bad: Vec<String> = o
        .checks
        .iter()
        .filter(|c| c.verdict.word() != "valid")
        .map(|c| format!("{}: {:?}", c.name, c.verdict))
        .collect();
    format!("seed {}: {}", o.seed, bad.join("; "))
}

/// Valid, or unknown only because saga-progress had no quiet stretch long
/// enough to judge (the crash and partition scenarios leave none).
fn passes(o: &RunOutcome) -> bool {
    o.checks.iter().all(|c| match &c.verdict {
        Verdict::Valid => true,
        Verdict::Unknown { reason } => {
            c.name == "saga-progress" && reason.starts_with("judged nothing")
        }
        Verdict::Invalid { .. } => false,
    })
}

fn assert_correct_passes(variant: &str, seeds: u64) {
    for name in SCENARIOS {
        let failure = sweep(name, variant, seeds, |o| !passes(o));
        if let Some((_, o)) = failure {
            panic!("{variant} fails {name}: {}", describe(&o));
        }
    }
}

fn assert_found(variant: &str, scenario: &str, checker: &str) -> u64 {
    let (seed, o) = sweep(scenario, variant, FIND_BOUND, |o| invalid(o, checker))
        .unwrap_or_else(|| panic!("{variant} not caught by {checker} within {FIND_BOUND} seeds"));
    eprintln!("{variant}: {checker} invalid on {scenario} seed {seed}");
    assert_eq!(o.verdict(), "invalid");
    seed
}

#[test]
fn orchestrated_correct_passes_every_scenario() {
    assert_correct_passes("correct", PASS_SEEDS);
}

#[test]
fn choreography_passes_every_scenario() {
    assert_correct_passes("choreography", PASS_SEEDS);
}

#[test]
#[ignore = "the issue's full 500-seed sweep: about 2 minutes on 2 cores"]
fn full_sweep_500_seeds() {
    assert_correct_passes("correct", PASS_SEEDS_FULL);
    assert_correct_passes("choreography", PASS_SEEDS_FULL);
}

#[test]
fn non_idempotent_charge_charges_twice() {
    assert_found("non-idempotent-charge", "flaky-payment", "payment-safety");
    assert_found("non-idempotent-charge", "flaky-payment", "saga-effects");
}

#[test]
fn no_saga_log_leaves_sagas_stuck() {
    assert_found("no-saga-log", "orchestrator-crash", "saga-termination");
}

#[test]
fn compensate_once_leaves_effects_behind() {
    assert_found("compensate-once", "inventory-crash", "saga-effects");
}

#[test]
fn no_timeout_waits_forever_on_a_partitioned_service() {
    assert_found("no-timeout", "partition", "saga-termination");
}

#[test]
fn non_idempotent_release_puts_stock_back_twice() {
    let seed = assert_found(
        "non-idempotent-release",
        "non-idempotent-release",
        "stock-safety",
    );
    assert!(seed <= 40, "found at seed {seed}");
}

#[test]
fn a_breaker_stuck_open_stops_all_sales() {
    let seed = assert_found("breaker-stuck-open", "breaker-stuck-open", "saga-progress");
    assert!(seed <= 40, "found at seed {seed}");
}

/// Orders are judged for progress in the quiet runs (and complete there).
#[test]
fn saga_progress_is_judged_where_the_run_is_quiet() {
    for name in ["steady", "flaky-payment"] {
        let o = load(name, "correct").run(1);
        let p = o.checks.iter().find(|c| c.name == "saga-progress");
        assert_eq!(p.map(|c| c.verdict.word()), Some("valid"), "{name}");
    }
}

#[test]
fn runs_are_deterministic() {
    for variant in ["correct", "choreography"] {
        let sc = load("flaky-payment", variant);
        let (a, b) = (sc.run(7), sc.run(7));
        assert_eq!(a.trace_hash, b.trace_hash, "{variant}");
        assert_eq!(a.history.lines(), b.history.lines(), "{variant}");
    }
}

/// A correct shop that sells out refuses the orders its stock cannot
/// cover: that is its answer, not a stall (60 s of `steady` emptied the
/// default stock by 11 s and was judged a stall before sold-out refusals
/// counted as decisions).
#[test]
fn a_sold_out_shop_is_no_stall() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/saga/steady.toml");
    let text = std::fs::read_to_string(&path).expect("bundled scenario exists");
    let text = text
        .replace("duration_ms = 3000", "duration_ms = 8000")
        .replace(
            "nodes = 1\n",
            "nodes = 1\n[protocol.params]\nstock_per_sku = 3\n",
        );
    let sc = Registry::builtin()
        .load_source(Source { path, text })
        .expect("scenario is valid");
    for seed in 1..=5 {
        let o = sc.run(seed);
        let sold_out = o
            .history
            .lines()
            .iter()
            .filter(|l| l.contains("\"sold_out\":true"))
            .count();
        assert!(
            sold_out > 10,
            "seed {seed}: the stock sells out early ({sold_out} refusals)"
        );
        let p = o.checks.iter().find(|c| c.name == "saga-progress");
        assert_eq!(p.map(|c| c.verdict.word()), Some("valid"), "seed {seed}");
    }
}
