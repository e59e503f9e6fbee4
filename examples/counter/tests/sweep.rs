//! The counter's sweeps, from a test and from its own `faultline` binary:
//! the buggy variant is found, the correct one is not flagged.

use faultline_sim::registry::Registry;
use faultline_sim::sweep::seeds::SeedRange;
use faultline_sim::sweep::summary::SweepSummary;
use faultline_sim::sweep::{sweep, SweepConfig};
use std::path::PathBuf;
use std::process::Command;

fn registry() -> Registry {
    let mut registry = Registry::default();
    registry.register::<counter::CounterModel>();
    registry
}

/// Sweeps seeds `1..=seeds` of a scenario file of this crate.
fn sweep_file(file: &str, seeds: u64) -> SweepSummary {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file);
    let scenario = registry().load(&path).unwrap_or_else(|e| panic!("{e}"));
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(scenario.name());
    let mut cfg = SweepConfig::new(
        path,
        SeedRange {
            start: 1,
            end: seeds + 1,
        },
        out,
    );
    cfg.determinism_every = Some(10);
    let summary = sweep(scenario.as_ref(), &cfg)
        .unwrap_or_else(|e| panic!("{e}"))
        .summary;
    assert!(
        summary.nondeterministic.is_empty(),
        "{:?}",
        summary.nondeterministic
    );
    summary
}

#[test]
fn the_count_messages_variant_overcounts() {
    let s = sweep_file("scenarios/count-messages.toml", 50);
    assert!(s.verdicts["invalid"] >= 10, "{:?}", s.verdicts);
    assert!(
        s.groups.iter().all(|g| g.checker == "no-overcount"),
        "{:?}",
        s.groups
    );
}

#[test]
fn the_correct_counter_is_never_flagged() {
    let s = sweep_file("scenarios/duplicates.toml", 500);
    assert_eq!(s.verdicts["valid"], 500, "{:?}", s.groups);
}

fn counter() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_counter"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

#[test]
fn the_binary_is_the_whole_faultline_cli() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-sweep");
    let o = counter()
        .args([
            "sweep",
            "scenarios/count-messages.toml",
            "--seeds",
            "1..=20",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("INVALID no-overcount"), "{stdout}");
    let o = counter()
        .args(["validate", "scenarios/duplicates.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let list =
        String::from_utf8_lossy(&counter().arg("list").output().unwrap().stdout).into_owned();
    assert!(
        list.contains("counter — a replicated grow-only counter"),
        "{list}"
    );
    assert!(list.contains("raft"), "the bundled protocols stay: {list}");
}
