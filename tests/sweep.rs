//! `faultline sweep`, `merge` and `shrink` end to end, on the ping model's
//! buggy `corrupt-echo` variant under random faults.

mod support;

use faultline_sim::registry::Registry;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

const SCENARIO: &str = "scenarios/ping/corrupt-echo.toml";

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn faultline(args: &[&str]) -> Output {
    let out = support::faultline().args(args).output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 2),
        "faultline {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn sweep(seeds: &str, extra: &[&str], out: &Path) -> Output {
    let out = out.to_str().unwrap();
    let mut args = vec!["sweep", SCENARIO, "--seeds", seeds, "--quiet", "--out", out];
    args.extend_from_slice(extra);
    faultline(&args)
}

/// Every file under `dir`, by relative path.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn shards_merged_equal_one_sweep() {
    let whole = tmp("sweep_whole");
    let code = sweep("0..24", &["--jobs", "2"], &whole).status.code();
    let shards: Vec<PathBuf> = (0..3).map(|i| tmp(&format!("sweep_shard{i}"))).collect();
    for (i, dir) in shards.iter().enumerate() {
        sweep("0..24", &["--jobs", "1", "--shard", &format!("{i}/3")], dir);
    }
    let merged = tmp("sweep_merged");
    let mut args = vec!["merge", "--out", merged.to_str().unwrap()];
    args.extend(shards.iter().map(|d| d.to_str().unwrap()));
    let merge = faultline(&args);
    assert_eq!(merge.status.code(), code, "same exit code");
    let (a, b) = (files(&whole), files(&merged));
    assert!(
        a.len() > 3,
        "seeds.csv, summary.json and failure files: {:?}",
        a.keys()
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{} differs after merge", path.display());
    }
    let s = summary(&whole);
    assert_eq!(
        (s["seeds_run"].as_u64(), s["complete"].as_bool()),
        (Some(24), Some(true))
    );
    assert_eq!(s["groups"][0]["checker"], "echo-integrity");
}

#[test]
fn a_failure_file_replays_the_failing_run_without_the_nemesis() {
    let dir = tmp("sweep_replay");
    let out = sweep("0..6", &["--jobs", "2"], &dir);
    assert_eq!(out.status.code(), Some(1), "corrupt-echo fails");
    let s = summary(&dir);
    let seed = s["groups"][0]["first_seeds"][0].as_u64().unwrap();
    let file = dir.join(format!("failures/seed-{seed}.toml"));
    let registry = Registry::builtin();
    let replay_scenario = registry.load(&file).unwrap();
    assert!(!replay_scenario.text().contains("[nemesis]"));
    assert_eq!(replay_scenario.default_seed(), seed, "the seed is pinned");
    let original = registry.load(Path::new(SCENARIO)).unwrap().run(seed);
    let replay = replay_scenario.run(seed);
    let ops =
        |o: &faultline_sim::run::RunOutcome| o.history.op_lines().cloned().collect::<Vec<_>>();
    assert!(original.timeline.iter().filter(|f| f.effective).count() >= 3);
    assert_eq!(ops(&original), ops(&replay), "the same client history");
    assert_eq!(replay.verdict(), "invalid");
}

#[test]
fn stop_after_and_determinism_sampling() {
    let dir = tmp("sweep_stop");
    sweep("0..200", &["--jobs", "1", "--stop-after", "1"], &dir);
    let s = summary(&dir);
    assert_eq!(s["complete"], false);
    assert!(s["seeds_run"].as_u64().unwrap() < 200);
    let dir = tmp("sweep_det");
    let out = sweep("0..4", &["--check-determinism", "2"], &dir);
    let csv = String::from_utf8(std::fs::read(dir.join("seeds.csv")).unwrap()).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "determinism").unwrap();
    let sampled: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(col).unwrap())
        .collect();
    assert_eq!(sampled, ["same", "", "same", ""], "{csv}");
    assert!(summary(&dir)["nondeterministic"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn shrink_writes_a_smaller_scenario_that_still_fails() {
    let dir = tmp("shrink_out");
    let out = faultline(&[
        "shrink",
        SCENARIO,
        "--seed",
        "1",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("runs tried: "), "{stdout}");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let scenario = Registry::builtin().load(&file).unwrap();
    assert_eq!(scenario.expect(), Some("invalid"));
    let shrunk = scenario.run(scenario.default_seed());
    assert_eq!(shrunk.verdict(), "invalid", "{stdout}");
    let original = Registry::builtin()
        .load(Path::new(SCENARIO))
        .unwrap()
        .run(3);
    let invoked = |o: &faultline_sim::run::RunOutcome| o.history.op_lines().count();
    assert!(invoked(&shrunk) < invoked(&original), "{stdout}");
    assert!(shrunk.timeline.len() < original.timeline.len(), "{stdout}");
}

/// For every buggy Raft scenario: a sweep finds a failing seed within a
/// few seeds, and shrink brings it to a handful of faults that still fail.
#[test]
fn raft_bugs_are_found_and_shrink_to_a_handful_of_faults() {
    use faultline_sim::shrink::{shrink, ShrinkConfig};
    use faultline_sim::sweep::{seeds::SeedRange, sweep, SweepConfig};
    let registry = Registry::builtin();
    for name in ["forget-vote", "no-term-check", "lease-pause", "lease-drift"] {
        let file = PathBuf::from(format!("scenarios/raft/{name}.toml"));
        let scenario = registry.load(&file).unwrap();
        let cfg = SweepConfig {
            file: file.clone(),
            range: SeedRange { start: 0, end: 200 },
            shard: None,
            jobs: 2,
            stop_after: Some(1),
            time_limit: None,
            determinism_every: None,
            quiet: true,
            out: tmp(&format!("raft_sweep_{name}")),
            repro_args: String::new(),
        };
        let found = sweep(scenario.as_ref(), &cfg).unwrap().summary;
        let seed = found
            .groups
            .iter()
            .flat_map(|g| g.first_seeds.clone())
            .min();
        let seed = seed.unwrap_or_else(|| panic!("{name}: no failure in 200 seeds"));
        let source = faultline_sim::scenario::Source::read(&file).unwrap();
        let shrink_cfg = ShrinkConfig {
            seed,
            checker: None,
            runs_max: 200,
        };
        let shrunk = shrink(&registry, source.clone(), &shrink_cfg).unwrap();
        assert!(
            shrunk.after.faults <= 5,
            "{name} seed {seed}: {}",
            shrunk.after
        );
        let again = registry
            .load_source(faultline_sim::scenario::Source {
                text: shrunk.text.clone(),
                ..source
            })
            .unwrap()
            .run(seed);
        assert_eq!(again.verdict(), "invalid", "{name} seed {seed}");
        println!(
            "{name}: seed {seed}; {} -> {}; {} runs",
            shrunk.before, shrunk.after, shrunk.runs
        );
    }
}

/// A seed that would run for hours (a zero-latency livelock with the guard
/// raised out of reach) is cut short by `--time-limit`, not waited for.
#[test]
#[allow(clippy::disallowed_methods)] // the test's own wall time, not a run's
fn time_limit_stops_a_seed_that_is_still_running() {
    let dir = tmp("sweep_stuck");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("stuck.toml");
    let text = "[protocol]\nname = \"ping\"\nnodes = 3\n[network]\nlatency = { dist = \"constant\", ms = 0 }\n[run]\nduration_ms = 1000\nevents_per_instant_max = 1000000000000\nevents_max = 1000000000000\n";
    std::fs::write(&file, text).unwrap();
    let out_dir = dir.join("out");
    let started = std::time::Instant::now();
    let out = support::faultline()
        .arg("sweep")
        .arg(&file)
        .args([
            "--seeds",
            "1..3",
            "--jobs",
            "1",
            "--time-limit",
            "0.5",
            "--quiet",
            "--out",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        started.elapsed().as_secs() < 20,
        "the sweep waited for the seed"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cut short"), "{stderr}");
    let s = summary(&out_dir);
    assert_eq!(s["complete"], false);
    assert_eq!(s["seeds_run"], 0);
}
