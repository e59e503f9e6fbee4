//! Every scenario pinned in `scenarios/regressions/` still gives the verdict
//! its `[check] expect` names, with the seed its `seed` names.

use faultline_sim::registry::Registry;
use std::path::{Path, PathBuf};

fn regression_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_regression_gives_its_expected_verdict() {
    let registry = Registry::builtin();
    let files = regression_files();
    assert!(!files.is_empty(), "no regression scenarios");
    let mut wrong = Vec::new();
    for file in &files {
        let scenario = registry
            .load(file)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let expect = scenario
            .expect()
            .unwrap_or_else(|| panic!("{}: no [check] expect", file.display()))
            .to_string();
        let seed = scenario.default_seed();
        let outcome = scenario.run(seed);
        if outcome.verdict() != expect {
            wrong.push(format!(
                "{} seed {seed}: expected {expect}, got {}",
                file.display(),
                outcome.verdict()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
