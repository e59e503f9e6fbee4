//! Every checker pinned: each checker of each protocol, and each buggy
//! variant, has a bundled scenario (outside `scenarios/regressions/`, which
//! pin single seeds) with `[check] only` and `expect = "invalid"` that
//! fails within seeds 1..=40. Switching any checker off, or making it
//! blind, fails this test: a verdict that cannot fail is no verdict.

use faultline_sim::registry::{LoadedScenario, Registry};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Seeds each pinned scenario gets to show its bug.
const SEEDS: u64 = 40;

fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() && p.file_name().is_some_and(|n| n != "regressions") {
            scenario_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

fn pinned(registry: &Registry) -> Vec<Box<dyn LoadedScenario>> {
    let mut files = Vec::new();
    scenario_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
        &mut files,
    );
    files.sort();
    (files.iter())
        .map(|f| {
            registry
                .load(f)
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
        })
        .filter(|s| s.expect() == Some("invalid"))
        .collect()
}

/// The first seed in 1..=SEEDS whose run is invalid.
fn first_failing(s: &dyn LoadedScenario) -> Option<u64> {
    (1..=SEEDS).find(|&seed| s.run(seed).verdict() == "invalid")
}

#[test]
fn every_pinned_scenario_fails_within_40_seeds() {
    let registry = Registry::builtin();
    let scenarios = pinned(&registry);
    let next = Mutex::new(0usize);
    let missed = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n - 1
                };
                let Some(s) = scenarios.get(i) else { break };
                if first_failing(s.as_ref()).is_none() {
                    missed.lock().unwrap().push(s.path().display().to_string());
                }
            });
        }
    });
    let missed = missed.into_inner().unwrap();
    assert!(
        missed.is_empty(),
        "expect = \"invalid\" but valid in every seed 1..={SEEDS}:\n{}",
        missed.join("\n")
    );
}

#[test]
fn every_checker_and_every_buggy_variant_has_a_pinned_scenario() {
    let registry = Registry::builtin();
    let scenarios = pinned(&registry);
    let mut gaps = Vec::new();
    for p in registry.protocols() {
        let mine: Vec<&dyn LoadedScenario> = (scenarios.iter())
            .map(|s| s.as_ref())
            .filter(|s| s.protocol() == p.name && s.only().is_some())
            .collect();
        let buggy = |s: &dyn LoadedScenario| {
            p.variants
                .iter()
                .any(|v| v.name == s.variant() && !v.correct)
        };
        for c in p.checkers {
            let found = mine
                .iter()
                .any(|s| buggy(*s) && s.only().is_some_and(|o| o.len() == 1 && o[0] == c.name));
            if !found {
                gaps.push(format!("{} checker {}", p.name, c.name));
            }
        }
        for v in p.variants.iter().filter(|v| !v.correct) {
            if !mine.iter().any(|s| s.variant() == v.name) {
                gaps.push(format!("{} variant {}", p.name, v.name));
            }
        }
    }
    assert!(
        gaps.is_empty(),
        "no bundled scenario with a buggy variant, [check] only = [that checker] \
         and expect = \"invalid\" for:\n{}",
        gaps.join("\n")
    );
}
