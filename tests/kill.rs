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
//! answers `invalid` in some seed, or a pinned scenario (`expect =
//! "invalid"`) fails in none, or, against the unmutated code's sweep (the
//! baseline file, written by the first run when it does not exist), a
//! scenario that never failed is valid in fewer seeds, or a situation
//! some seed reached is reached by none: a mutant that makes a code path
//! dead (a lease variant running plain Raft) changes what the scenarios
//! test even when every verdict holds. Ignored by default: it only means something against a mutant.

use faultline_sim::registry::{LoadedScenario, Registry};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
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

/// What a sweep of seeds 1..=SEEDS of one scenario showed.
#[derive(Default, Serialize, Deserialize)]
struct Seen {
    valid: u64,
    invalid: u64,
    /// The situations some seed reached.
    reached: BTreeSet<String>,
}

/// Sweeps 1..=SEEDS on two threads.
fn sweep(s: &dyn LoadedScenario) -> Seen {
    let next = Mutex::new(1u64);
    let seen = Mutex::new(Seen::default());
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
                let o = s.run(seed);
                let mut c = seen.lock().unwrap();
                if o.verdict() == "valid" {
                    c.valid += 1;
                } else if o.verdict() == "invalid" {
                    c.invalid += 1;
                }
                c.reached.extend(o.reached().map(str::to_string));
            });
        }
    });
    seen.into_inner().unwrap()
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
    let mut now = BTreeMap::new();
    let mut slipped = Vec::new();
    for f in files(&protocol) {
        let s = registry.load(&f).unwrap_or_else(|e| panic!("{e}"));
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let pinned = s.expect() == Some("invalid");
        // A correct variant pinned invalid is a weak configuration (R=1/W=1).
        let is_correct = !pinned && correct.contains(&s.variant());
        let seen = sweep(s.as_ref());
        if is_correct && seen.invalid > 0 {
            let i = seen.invalid;
            slipped.push(format!("{name}: correct variant invalid in {i} seeds"));
        }
        if pinned && seen.invalid == 0 {
            slipped.push(format!("{name}: pinned bug found in no seed"));
        }
        now.insert(name, seen);
    }
    let baseline = std::env::var("FAULTLINE_KILL_BASELINE").map(PathBuf::from);
    if let Ok(path) = baseline {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let before: BTreeMap<String, Seen> = serde_json::from_str(&text).unwrap();
                for (name, seen) in &now {
                    let Some(b) = before.get(name) else { continue };
                    let correct_run = b.invalid == 0;
                    if correct_run && seen.valid < b.valid {
                        let (v, bv) = (seen.valid, b.valid);
                        slipped.push(format!("{name}: valid in {v} seeds, {bv} before"));
                    }
                    // A code path no seed takes any more is a test lost.
                    for lost in b.reached.difference(&seen.reached) {
                        slipped.push(format!("{name}: no seed reaches {lost} any more"));
                    }
                }
            }
            Err(_) => std::fs::write(&path, serde_json::to_string(&now).unwrap()).unwrap(),
        }
    }
    assert!(slipped.is_empty(), "{}", slipped.join("\n"));
}
