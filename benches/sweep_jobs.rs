//! How a sweep scales with `--jobs`: seeds per wall second with 1 worker
//! and with 2 (the bar: 2 jobs ≥ 1.7× 1 job on 1,000 seeds).
//!
//! `cargo bench --bench sweep_jobs [-- SCENARIO [SEEDS]]`; default
//! `scenarios/raft/steady.toml` when it exists, else
//! `scenarios/ping/faults.toml`, and 1000 seeds. A benchmark, not a test:
//! the ratio depends on what else the machine is doing.

use faultline_sim::registry::Registry;
use faultline_sim::sweep::{self, seeds::SeedRange, SweepConfig};
use std::path::{Path, PathBuf};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let raft = Path::new("scenarios/raft/steady.toml");
    let default = if raft.exists() {
        raft
    } else {
        Path::new("scenarios/ping/faults.toml")
    };
    let file = args.first().map_or(default.to_path_buf(), PathBuf::from);
    let seeds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let scenario = Registry::builtin().load(&file).expect("a valid scenario");
    let out = std::env::temp_dir().join("faultline-bench-sweep");
    let rate = |jobs: usize| {
        let cfg = SweepConfig {
            file: file.clone(),
            range: SeedRange {
                start: 0,
                end: seeds,
            },
            shard: None,
            jobs,
            stop_after: None,
            time_limit: None,
            determinism_every: None,
            quiet: true,
            out: out.join(jobs.to_string()),
        };
        let r = sweep::sweep(scenario.as_ref(), &cfg).expect("the sweep runs");
        println!(
            "{}: {seeds} seeds, --jobs {jobs}: {:.1} seeds/s",
            file.display(),
            r.seeds_per_s
        );
        r.seeds_per_s
    };
    let one = rate(1);
    let two = rate(2);
    println!(
        "speedup --jobs 2 / --jobs 1: {:.2}x (target >= 1.7x)",
        two / one
    );
}
