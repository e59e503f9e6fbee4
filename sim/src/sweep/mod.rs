//! Seed sweeps: one scenario, many seeds, all cores, one report.
//!
//! How the pieces fit: [`seeds`] parses the range and picks a shard's
//! seeds; [`pool`] runs them on `jobs` worker threads, each seed on a fresh
//! thread with its own madsim runtime (parallelism only across runs, see
//! ../shared/ARCHITECTURE.md); every result becomes a [`row::SeedRow`] and,
//! for a failing seed, a scenario file with the run's applied fault
//! timeline as an explicit schedule (which replays the failure without the
//! random nemesis); [`summary`] counts verdicts and groups failures by
//! signature (checker, property, verdict, variant); [`output`] writes the
//! folder and merges the folders of shards run on many machines into the
//! same bytes one machine would have written; [`progress`] shows the person
//! waiting how it goes. The folder is written into a hidden sibling and
//! renamed into place when the sweep ends ([`crate::staging`]). This is the madsim/FoundationDB practice of
//! "simulate many seeds, print the one command that reproduces a failure".

pub mod output;
pub mod pool;
pub mod progress;
pub mod row;
pub mod seeds;
pub mod summary;

use crate::error::Error;
use crate::registry::LoadedScenario;
use crate::seed::fnv1a64;
use crate::shrink::edit::Draft;
use pool::Done;
use progress::Progress;
use row::SeedRow;
use seeds::{SeedRange, Shard};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use summary::{SweepMeta, SweepSummary};

/// What to sweep and how.
#[derive(Debug, Clone)]
pub struct SweepConfig {
    /// The scenario file, as the user named it (for repro commands).
    pub file: PathBuf,
    /// The seeds.
    pub range: SeedRange,
    /// Only this shard of them.
    pub shard: Option<Shard>,
    /// Worker threads.
    pub jobs: usize,
    /// Stop taking seeds after this many failing ones.
    pub stop_after: Option<u64>,
    /// Stop after this much wall time (no new seeds; running ones cancelled).
    pub time_limit: Option<Duration>,
    /// Run every seed divisible by this twice and compare trace hashes.
    pub determinism_every: Option<u64>,
    /// No progress display.
    pub quiet: bool,
    /// The sweep's folder.
    pub out: PathBuf,
    /// The overrides (`--set`, `--variant`) as arguments, for repro commands.
    pub repro_args: String,
}

impl SweepConfig {
    /// Every seed of `range` of `file` on all cores into folder `out`,
    /// quietly, with no stop, time limit or determinism check (set the
    /// fields to change that): the sweep a `#[test]` runs.
    pub fn new(file: impl Into<PathBuf>, range: SeedRange, out: impl Into<PathBuf>) -> SweepConfig {
        SweepConfig {
            file: file.into(),
            range,
            shard: None,
            jobs: default_jobs(),
            stop_after: None,
            time_limit: None,
            determinism_every: None,
            quiet: true,
            out: out.into(),
            repro_args: String::new(),
        }
    }
}

/// A finished sweep.
#[derive(Debug, Clone)]
pub struct SweepResult {
    /// What `summary.json` says.
    pub summary: SweepSummary,
    /// Seeds per wall second (not written to any file).
    pub seeds_per_s: f64,
}

/// Sweeps `scenario` as `cfg` says and writes the sweep's folder.
pub fn sweep(scenario: &dyn LoadedScenario, cfg: &SweepConfig) -> Result<SweepResult, Error> {
    let staging = crate::staging::Staging::begin(&cfg.out)?;
    let dir = staging.dir();
    output::prepare(dir)?;
    let total = cfg.range.count(cfg.shard);
    let seed_at = |i: u64| cfg.range.nth(cfg.shard, i);
    let work = pool::Work {
        scenario,
        seed_at: &seed_at,
        jobs: cfg.jobs,
        determinism_every: cfg.determinism_every,
        stop_after: cfg.stop_after,
        time_limit: cfg.time_limit,
    };
    let stop = AtomicBool::new(false);
    let mut progress = Progress::new(total, cfg.quiet);
    let mut rows = Vec::new();
    let mut error = None;
    let mut cut_short = Vec::new();
    pool::run(&work, &stop, |done| {
        if done.cancelled {
            cut_short.push(done.row.seed);
            return;
        }
        progress.seed_done(done.row.verdict != "valid");
        if let Err(e) = record(scenario, cfg, dir, &done) {
            error.get_or_insert(e);
            stop.store(true, Ordering::Relaxed);
        }
        rows.push(done.row);
    });
    progress.finish();
    if !cut_short.is_empty() {
        cut_short.sort_unstable();
        eprintln!(
            "--time-limit: seeds {cut_short:?} were still running and were cut short (not recorded)"
        );
    }
    if let Some(e) = error {
        return Err(e);
    }
    rows.sort_by_key(|r: &SeedRow| r.seed);
    let meta = meta(scenario, cfg, rows.len() as u64 == total);
    let summary = SweepSummary::of(meta, &rows);
    output::write(dir, &summary, &rows)?;
    staging.commit()?;
    Ok(SweepResult {
        summary,
        seeds_per_s: progress.seeds_per_s(),
    })
}

/// Writes a failing seed's replay file into `dir` and reports panics and
/// nondeterminism.
fn record(
    scenario: &dyn LoadedScenario,
    cfg: &SweepConfig,
    dir: &std::path::Path,
    done: &Done,
) -> Result<(), Error> {
    let seed = done.row.seed;
    if let Some(panic) = &done.panic {
        eprintln!("seed {seed}: {panic}");
        return Ok(());
    }
    if let Some(n) = &done.nondeterminism {
        eprintln!("{n}");
    }
    let Some(timeline) = &done.timeline else {
        return Ok(());
    };
    let draft = Draft::materialise(scenario.text(), seed, timeline)?;
    let path = output::failure_path(dir, seed);
    let header = format!(
        "# Seed {seed} of {} failed: {}.\n# Its applied faults as an explicit schedule: \
         `faultline run` on this file replays the failure\n# without the nemesis; \
         `faultline shrink` on it minimises it.\n",
        cfg.file.display(),
        done.row.failing,
    );
    crate::report::write_atomic(&path, format!("{header}{}", draft.text()).as_bytes())
}

fn meta(scenario: &dyn LoadedScenario, cfg: &SweepConfig, complete: bool) -> SweepMeta {
    SweepMeta {
        faultline_version: env!("CARGO_PKG_VERSION").into(),
        scenario: scenario.name().into(),
        scenario_file: cfg.file.display().to_string(),
        scenario_fnv: format!("{:016x}", fnv1a64(scenario.text().as_bytes())),
        protocol: scenario.protocol().into(),
        variant: scenario.variant().into(),
        seeds: cfg.range.to_string(),
        shard: cfg.shard.map(|s| s.to_string()),
        complete,
        declared_situations: scenario
            .situations()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        required: scenario.required().to_vec(),
        overrides: cfg.repro_args.trim_start().to_string(),
    }
}

/// Default worker count: the machine's cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
