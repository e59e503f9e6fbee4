//! End-to-end runs of the bundled two-phase-commit scenarios: the correct
//! variant passes every seed tried; every buggy variant is found from a
//! seed within the bound, by the checker its mistake breaks.

mod support;

use faultline_models::check::Verdict;
use faultline_models::MetricValue;
use faultline_sim::registry::{LoadedScenario, Registry};
use faultline_sim::run::RunOutcome;
use std::path::PathBuf;

/// Seeds the correct variant must pass on every scenario.
const SEEDS_CORRECT: u64 = 500;
/// A buggy variant must be found within this many seeds (issue 3).
const SEEDS_TO_FIND_MAX: u64 = 500;

fn path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/twopc")
        .join(file)
}

fn load(file: &str) -> Box<dyn LoadedScenario> {
    Registry::builtin()
        .load(&path(file))
        .expect("bundled scenario is valid")
}

/// Every seed in `1..=SEEDS_CORRECT` of `file` is valid.
fn passes_every_seed(file: &str) {
    let sc = load(file);
    assert_eq!(sc.variant(), "correct");
    for seed in 1..=SEEDS_CORRECT {
        let o = sc.run(seed);
        assert!(passes(&o), "{file} seed {seed}: {:#?}", failures(&o));
    }
}

/// Valid, or unknown only because progress had no quiet stretch long
/// enough to judge (the crash and partition scenarios leave none).
fn passes(o: &RunOutcome) -> bool {
    o.checks.iter().all(|c| match &c.verdict {
        Verdict::Valid => true,
        Verdict::Unknown { reason } => c.name == "progress" && reason.starts_with("judged nothing"),
        Verdict::Invalid { .. } => false,
    })
}

fn failures(o: &RunOutcome) -> Vec<String> {
    let bad = o.checks.iter().filter(|c| c.verdict.word() != "valid");
    bad.map(|c| format!("{}: {:?}", c.name, c.verdict))
        .collect()
}

/// The first seed of `file` that fails, and its outcome.
fn first_failure(file: &str) -> (u64, RunOutcome) {
    let sc = load(file);
    for seed in 1..=SEEDS_TO_FIND_MAX {
        let o = sc.run(seed);
        if o.verdict() != "valid" {
            println!("{file}: found at seed {seed}");
            return (seed, o);
        }
    }
    panic!("{file}: no seed in 1..={SEEDS_TO_FIND_MAX} fails");
}

fn invalid(o: &RunOutcome) -> Vec<&'static str> {
    let bad = o.checks.iter().filter(|c| c.verdict.word() == "invalid");
    bad.map(|c| c.name).collect()
}

fn finds(file: &str, checker: &str) {
    let (seed, o) = first_failure(file);
    assert!(
        invalid(&o).contains(&checker),
        "{file} seed {seed}: expected {checker} to fail, got {:#?}",
        failures(&o)
    );
}

#[test]
fn correct_passes_steady() {
    passes_every_seed("steady.toml");
}

#[test]
fn correct_passes_coordinator_crash() {
    passes_every_seed("coordinator-crash.toml");
}

#[test]
fn correct_passes_participant_crash() {
    passes_every_seed("participant-crash.toml");
}

#[test]
fn correct_passes_partition() {
    passes_every_seed("partition.toml");
}

#[test]
fn correct_passes_lossy() {
    passes_every_seed("lossy.toml");
}

#[test]
fn no_decision_log_is_found() {
    finds("no-decision-log.toml", "client-truth");
}

#[test]
fn unilateral_abort_is_found() {
    finds("unilateral-abort.toml", "atomicity");
}

#[test]
fn early_commit_is_found() {
    finds("early-commit.toml", "atomicity");
}

#[test]
fn vote_before_persist_is_found() {
    finds("vote-before-persist.toml", "conservation");
}

#[test]
fn no_presumed_abort_is_found() {
    finds("no-presumed-abort.toml", "termination");
}

#[test]
fn leak_locks_is_found_by_progress_alone() {
    finds("leak-locks.toml", "progress");
}

/// Transfers are judged for progress where the run is quiet, and commit.
#[test]
fn progress_is_judged_where_the_run_is_quiet() {
    for file in ["steady.toml", "lossy.toml"] {
        let o = load(file).run(1);
        let p = o.checks.iter().find(|c| c.name == "progress");
        assert_eq!(p.map(|c| c.verdict.word()), Some("valid"), "{file}");
    }
}

/// The text of a scenario without its name, description, seed, variant and expectation.
fn setup(file: &str) -> String {
    let text = std::fs::read_to_string(path(file)).expect("bundled scenario reads");
    let skip = [
        "name = \"twopc-",
        "description = ",
        "seed = ",
        "variant = ",
        "[check]",
        "only = ",
        "expect = ",
    ];
    let keep = |l: &&str| !skip.iter().any(|p| l.starts_with(p));
    let kept = text.lines().filter(keep).collect::<Vec<_>>().join("\n");
    kept.trim_end().to_string()
}

/// So the correct variant's sweeps of the base scenarios cover every bug scenario too.
#[test]
fn bug_scenarios_are_base_scenarios_with_a_variant() {
    let pairs = [
        ("no-decision-log.toml", "coordinator-crash.toml"),
        ("unilateral-abort.toml", "partition.toml"),
        ("early-commit.toml", "steady.toml"),
        ("vote-before-persist.toml", "participant-crash.toml"),
        ("leak-locks.toml", "steady.toml"),
    ];
    for (bug, base) in pairs {
        assert_eq!(
            setup(bug),
            setup(base),
            "{bug} differs from {base} in more than its variant"
        );
        assert_ne!(load(bug).variant(), "correct");
    }
}

fn blocking_max_ms(o: &RunOutcome) -> f64 {
    let m = o
        .metrics
        .iter()
        .find(|m| m.name == "blocking_ms")
        .expect("blocking_ms reported");
    let MetricValue::Distribution { samples } = &m.value else {
        panic!("blocking_ms is a distribution");
    };
    assert!(!samples.is_empty(), "participants prepared");
    samples.iter().copied().fold(0.0, f64::max)
}

/// A coordinator down in phase 2 leaves participants prepared and blocked
/// far longer than a decision takes in steady state.
#[test]
fn coordinator_crash_shows_blocking() {
    let steady = load("steady.toml").run(1);
    let crash = load("coordinator-crash.toml").run(1);
    let (calm, blocked) = (blocking_max_ms(&steady), blocking_max_ms(&crash));
    assert!(
        blocked > 100.0 && blocked > 5.0 * calm,
        "blocking {blocked} ms vs {calm} ms"
    );
    for name in ["commit_latency_ms", "abort_rate_pct", "txns_aborted"] {
        assert!(
            crash.metrics.iter().any(|m| m.name == name),
            "{name} missing"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let sc = load("lossy.toml");
    let (a, b) = (sc.run(3), sc.run(3));
    assert_eq!(a.trace_hash, b.trace_hash);
    assert_eq!(a.history.lines(), b.history.lines());
}

/// Each bug scenario's `seed` is pinned where it shows the bug (`expect = "invalid"`).
#[test]
fn every_scenario_meets_its_expectation_at_its_seed() {
    let dir = path("");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/twopc lists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 12, "{files:?}");
    for file in files {
        let sc = Registry::builtin().load(&file).expect("valid");
        let o = sc.run(sc.default_seed());
        match sc.expect() {
            Some(expect) => assert_eq!(o.verdict(), expect, "{}", file.display()),
            None => assert!(passes(&o), "{}: {:#?}", file.display(), failures(&o)),
        }
    }
}
