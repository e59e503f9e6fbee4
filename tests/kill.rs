//! The mutation-testing kill test (README, "Mutation score"): sweeps every
//! bundled scenario of one protocol over seeds 1..=40 and fails if the
//! code under test lets a verdict slip. `cargo mutants` runs it against
//! each mutant of the correct variants' code:
//!
//! ```text
//! FAULTLINE_KILL=raft FAULTLINE_KILL_BASELINE=/tmp/kill-raft.json \
//!   cargo mutants --in-place --workspace --profile release -f models/src/raft/server.rs \
//!   --test-package faultline -- --test kill -- --ignored
//! ```
//!
//! A mutant is killed when a correct-variant scenario that is not pinned
//! answers `invalid` in some seed or `valid` in fewer seeds than the
//! unmutated code did (the baseline file, written by the first run when it
//! does not exist), or a pinned scenario (`expect = "invalid"`) no longer
//! fails in any seed. Ignored by default: it only means something against a mutant.

use faultline_sim::registry::{LoadedScenario, Registry};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const SEEDS: u64 = 40;

fn files(protocol: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(protocol);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    out.sort();
    out
}

/// Valid and invalid seeds of 1..=SEEDS, on two threads.
fn sweep(s: &dyn LoadedScenario) -> (u64, u64) {
    let next = Mutex::new(1u64);
    let counts = Mutex::new((0u64, 0u64));
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let seed = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n - 1
                };
                if seed > SEEDS {
                    break;
                }
                let verdict = s.run(seed).verdict();
                let mut c = counts.lock().unwrap();
                if verdict == "valid" {
                    c.0 += 1;
                } else if verdict == "invalid" {
                    c.1 += 1;
                }
            });
        }
    });
    counts.into_inner().unwrap()
}

#[test]
#[ignore = "run by cargo mutants with FAULTLINE_KILL=<protocol> (see the module doc)"]
fn verdicts_hold_on_every_bundled_scenario() {
    let protocol = std::env::var("FAULTLINE_KILL").expect("FAULTLINE_KILL=<protocol>");
    let registry = Registry::builtin();
    let correct: Vec<&str> = (registry.protocols().iter())
        .filter(|p| p.name == protocol)
        .flat_map(|p| p.variants.iter().filter(|v| v.correct).map(|v| v.name))
        .collect();
    let mut valid = BTreeMap::new();
    let mut slipped = Vec::new();
    for f in files(&protocol) {
        let s = registry.load(&f).unwrap_or_else(|e| panic!("{e}"));
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let pinned = s.expect() == Some("invalid");
        // A correct variant pinned invalid is a weak configuration (R=1/W=1).
        let is_correct = !pinned && correct.contains(&s.variant());
        if !is_correct && !pinned {
            continue;
        }
        let (v, i) = sweep(s.as_ref());
        if is_correct && i > 0 {
            slipped.push(format!("{name}: correct variant invalid in {i} seeds"));
        }
        if pinned && i == 0 {
            slipped.push(format!("{name}: pinned bug found in no seed"));
        }
        if is_correct {
            valid.insert(name, v);
        }
    }
    let baseline = std::env::var("FAULTLINE_KILL_BASELINE").map(PathBuf::from);
    if let Ok(path) = baseline {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let before: BTreeMap<String, u64> = serde_json::from_str(&text).unwrap();
                for (name, v) in &valid {
                    let b = before.get(name).copied().unwrap_or(0);
                    if *v < b {
                        slipped.push(format!("{name}: valid in {v} seeds, {b} before"));
                    }
                }
            }
            Err(_) => std::fs::write(&path, serde_json::to_string(&valid).unwrap()).unwrap(),
        }
    }
    assert!(slipped.is_empty(), "{}", slipped.join("\n"));
}
