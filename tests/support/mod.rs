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
    o.history
        .events()
        .filter(|e| e.name == name)
        .map(|e| (e.time_us, e.node.clone(), e.data.clone()))
        .collect()
}

/// Beats received by `to` from node index `from` between `t0` and `t1`.
pub fn beats(o: &RunOutcome, from: u64, to: &str, t0: u64, t1: u64) -> usize {
    events(o, "beat")
        .iter()
        .filter(|(t, n, d)| *t >= t0 && *t < t1 && n == to && d["from"] == from)
        .count()
}
