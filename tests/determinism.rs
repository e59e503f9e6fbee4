//! Same scenario + seed = the same run, bit for bit, across processes.

mod support;

use std::path::{Path, PathBuf};

fn run(scenario: &str, seed: u64, out: &Path) -> (String, i32) {
    let output = support::faultline()
        .args(["run", scenario, "--seed", &seed.to_string()])
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let hash = stdout
        .lines()
        .find_map(|l| l.strip_prefix("trace hash: "))
        .unwrap_or_else(|| panic!("no trace hash in: {stdout}"));
    (hash.to_string(), output.status.code().unwrap())
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const SCENARIO: &str = "scenarios/ping/faults.toml";

#[test]
fn same_seed_same_hash_and_files_in_two_processes() {
    let (a, b) = (tmp("det_a"), tmp("det_b"));
    let (hash_a, code_a) = run(SCENARIO, 7, &a);
    let (hash_b, code_b) = run(SCENARIO, 7, &b);
    assert_eq!(hash_a, hash_b);
    assert_eq!(code_a, code_b);
    for file in [
        "summary.json",
        "history.jsonl",
        "faults.toml",
        "metrics.csv",
    ] {
        let read = |dir: &Path| std::fs::read(dir.join("ping-faults/7").join(file)).unwrap();
        assert_eq!(read(&a), read(&b), "{file} differs between identical runs");
    }
}

#[test]
fn different_seeds_differ() {
    let dir = tmp("det_c");
    let (h7, _) = run(SCENARIO, 7, &dir);
    let (h8, _) = run(SCENARIO, 8, &dir);
    assert_ne!(h7, h8);
}

#[test]
fn check_determinism_flag_runs_twice_in_one_process() {
    let out = support::faultline()
        .args([
            "run",
            SCENARIO,
            "--seed",
            "3",
            "--no-report",
            "--check-determinism",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("determinism: two runs gave trace hash"),
        "{stdout}"
    );
}

/// Sweeps run seeds back to back on their worker threads; each must match
/// a run of the same seed on a fresh thread, under crashes, restarts,
/// pauses and partitions (madsim's own lifecycle calls).
#[test]
fn seeds_run_back_to_back_on_one_thread_match_fresh_runs() {
    use faultline_sim::registry::Registry;
    use faultline_sim::run::RunOptions;
    let registry = Registry::builtin();
    for file in [
        "scenarios/raft/partitions.toml",
        "scenarios/quorum/crash-no-fsync.toml",
        "scenarios/raft/lease-fenced-pause.toml",
    ] {
        let scenario = registry.load(Path::new(file)).unwrap();
        let opts = RunOptions {
            this_thread: true,
            ..RunOptions::default()
        };
        let back_to_back: Vec<String> = (1..=12)
            .map(|seed| scenario.run_with(seed, opts).trace_hash)
            .collect();
        for (seed, hash) in (1..=12).zip(&back_to_back) {
            assert_eq!(&scenario.run(seed).trace_hash, hash, "{file} seed {seed}");
        }
    }
}

/// The flow diagram's re-run keeps no history (a second copy of a long
/// run's history doubled the report's peak memory) yet hashes every line:
/// its trace hash is still the judged run's.
#[test]
fn an_unjudged_run_keeps_no_history_and_the_same_hash() {
    use faultline_sim::registry::Registry;
    use faultline_sim::run::RunOptions;
    let registry = Registry::builtin();
    let scenario = registry
        .load(Path::new("scenarios/quorum/crash-no-fsync.toml"))
        .unwrap();
    let judged = scenario.run(3);
    let opts = RunOptions {
        unjudged: true,
        record_messages: Some((0, judged.end_us)),
        ..RunOptions::default()
    };
    let again = scenario.run_with(3, opts);
    assert!(judged.history.len() > 100 && !judged.checks.is_empty());
    assert!(again.history.is_empty() && again.checks.is_empty());
    assert!(again.messages.is_some_and(|m| !m.records.is_empty()));
    assert_eq!(again.trace_hash, judged.trace_hash);
}
