//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

pub mod probe;

use faultline_sim::registry::Registry;
use faultline_sim::run::RunOutcome;
use faultline_sim::scenario::Source;
use std::path::PathBuf;
use std::process::Command;

/// Runs an in-memory scenario of the probe protocol.
pub fn run_probe(toml: &str, seed: u64) -> RunOutcome {
    let mut registry = Registry::default();
    registry.register::<probe::Probe>();
    let source = Source {
        path: PathBuf::from("probe.toml"),
        text: toml.to_string(),
    };
    registry
        .load_source(source)
        .expect("probe scenario is valid")
        .run(seed)
}

/// The `faultline` binary cargo built for these tests.
pub fn faultline() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// (time_us, node, data) of every event named `name`.
pub fn events(o: &RunOutcome, name: &str) -> Vec<(u64, String, serde_json::Value)> {
    let h = &o.history;
    (0..h.len())
        .filter(|&i| h.event_name(i) == Some(name))
        .map(|i| {
            let line: serde_json::Value =
                serde_json::from_str(&h.line(i)).expect("event lines are JSON");
            let node = line["node"].as_str().unwrap_or_default().to_string();
            (
                line["time_us"].as_u64().unwrap_or_default(),
                node,
                line["data"].clone(),
            )
        })
        .collect()
}

/// Beats received by `to` from node index `from` between `t0` and `t1`.
pub fn beats(o: &RunOutcome, from: u64, to: &str, t0: u64, t1: u64) -> usize {
    events(o, "beat")
        .iter()
        .filter(|(t, n, d)| *t >= t0 && *t < t1 && n == to && d["from"] == from)
        .count()
}

/// Loads a bundled scenario file, optionally with its variant replaced.
pub fn load(path: &str, variant: Option<&str>) -> Box<dyn faultline_sim::registry::LoadedScenario> {
    let registry = Registry::builtin();
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut source = Source::read(&full).unwrap_or_else(|e| panic!("{e}"));
    if let Some(v) = variant {
        let old = source
            .text
            .lines()
            .find(|l| l.starts_with("variant = "))
            .map(str::to_string);
        // Another variant is judged by every checker: a pinned file's
        // `[check] only` and `expect` are about its own variant's bug.
        source.text = (source.text.lines())
            .filter(|l| !l.starts_with("only = ") && !l.starts_with("expect = "))
            .map(|l| format!("{l}\n"))
            .collect();
        let new = format!("variant = {v:?}");
        source.text = match old {
            Some(old) => source.text.replacen(&old, &new, 1),
            None => source
                .text
                .replacen("[protocol]\n", &format!("[protocol]\n{new}\n"), 1),
        };
    }
    registry
        .load_source(source)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The first seed in `1..=seeds` whose run is not valid, with its outcome.
pub fn first_failure(path: &str, variant: Option<&str>, seeds: u64) -> Option<RunOutcome> {
    let scenario = load(path, variant);
    (1..=seeds)
        .map(|seed| scenario.run(seed))
        .find(|o| o.verdict() != "valid")
}

/// Asserts every seed in `1..=seeds` is valid, naming the first that is not.
pub fn assert_all_valid(path: &str, variant: Option<&str>, seeds: u64) {
    if let Some(o) = first_failure(path, variant, seeds) {
        let failed: Vec<_> = o
            .checks
            .iter()
            .filter(|c| c.verdict.word() != "valid")
            .map(|c| (c.name, c.verdict.clone()))
            .collect();
        panic!(
            "{path} ({variant:?}) seed {} is {}: {failed:?}",
            o.seed,
            o.verdict()
        );
    }
}

/// Asserts a failure of checker `checker` is found within `seeds` seeds; returns the seed.
pub fn assert_found(path: &str, checker: &str, seeds: u64) -> u64 {
    let o = first_failure(path, None, seeds)
        .unwrap_or_else(|| panic!("{path}: no failure in {seeds} seeds"));
    let c = o
        .checks
        .iter()
        .find(|c| c.name == checker)
        .expect("checker ran");
    assert_eq!(
        c.verdict.word(),
        "invalid",
        "{path} seed {} failed, but not {checker}",
        o.seed
    );
    o.seed
}

/// A fresh (removed if present) directory `name` under cargo's test tmp dir.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Runs `faultline ARGS --out OUT`, asserts it judged (exit code 0..=2:
/// no input or I/O error) and returns its stdout.
pub fn faultline_out(args: &[&str], out: &std::path::Path) -> String {
    let o = faultline()
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.code().unwrap() <= 2,
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout
}
