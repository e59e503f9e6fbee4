//! `faultline sweep`: many seeds of one scenario, in parallel.

use crate::error::Error;
use crate::registry::Registry;
use crate::sweep::seeds::{SeedRange, Shard};
use crate::sweep::{self, output, SweepConfig};
use std::path::PathBuf;
use std::time::Duration;

/// Most seeds one sweep process runs (a row of ~150 bytes each stays in
/// memory until the end): 10 million is ~1.5 GB.
pub const ROWS_MAX: u64 = 10_000_000;

/// Arguments of `sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// Seeds: `N` (1..=N), `A..B` (B excluded) or `A..=B`.
    #[arg(long)]
    pub seeds: SeedRange,
    /// Worker threads (default: all cores). Each seed still gets its own
    /// thread and madsim runtime.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Run only shard `I/N` of the seeds (every N-th, starting at offset I).
    #[arg(long)]
    pub shard: Option<Shard>,
    /// Stop taking new seeds after K failing ones.
    #[arg(long, value_name = "K")]
    pub stop_after: Option<u64>,
    /// Stop after this many wall-clock seconds: no new seed starts and
    /// seeds still running are cut short (not recorded; the sweep is
    /// marked incomplete).
    #[arg(long, value_name = "SECONDS")]
    pub time_limit: Option<f64>,
    /// Run every seed divisible by N twice and compare trace hashes.
    #[arg(long, value_name = "N")]
    pub check_determinism: Option<u64>,
    /// The sweep's folder (default: <reports>/<scenario>/sweep[-shard-I-of-N]).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where report folders go, for the default `--out`.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// No progress display.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub overrides: super::overrides::Overrides,
}

/// Runs `sweep`; the exit code follows the worst verdict, like `run`.
pub fn run(registry: &Registry, args: SweepArgs) -> Result<i32, Error> {
    // As in `run`: a tracing subscriber costs ~15% of a run, so only on request.
    if std::env::var_os("RUST_LOG").is_some() {
        crate::logging::init("warn");
    }
    let (_, scenario) = args.overrides.load(registry, &args.file)?;
    let count = args.seeds.count(args.shard);
    if count > ROWS_MAX {
        return Err(Error::Usage(format!(
            "--seeds {}: this sweep would run {count} seeds; one sweep keeps a row per seed in memory and runs at most {ROWS_MAX}: split it with --shard I/N and `faultline merge` the folders",
            args.seeds
        )));
    }
    if args.check_determinism == Some(0) {
        return Err(Error::Usage(
            "--check-determinism takes a number above 0".into(),
        ));
    }
    super::jobs_within_limit(args.jobs)?;
    let time_limit = match args.time_limit {
        Some(s) if s > 0.0 => Some(Duration::try_from_secs_f64(s).map_err(|_| {
            let s = crate::scenario::limits::show(s);
            Error::Usage(format!("--time-limit {s}: too large for a wall-clock time"))
        })?),
        Some(s) => {
            return Err(Error::Usage(format!(
                "--time-limit {s}: expected seconds > 0"
            )))
        }
        None => None,
    };
    let out = args
        .out
        .unwrap_or_else(|| output::default_dir(&args.reports, scenario.name(), args.shard));
    let cfg = SweepConfig {
        file: args.file,
        range: args.seeds,
        shard: args.shard,
        jobs: args.jobs.unwrap_or_else(sweep::default_jobs),
        stop_after: args.stop_after,
        time_limit,
        determinism_every: args.check_determinism,
        quiet: args.quiet,
        out,
        repro_args: args.overrides.args(),
    };
    let result = sweep::sweep(scenario.as_ref(), &cfg)?;
    result.summary.print(&cfg.out);
    println!(
        "speed: {:.1} seeds/s with {} jobs",
        result.seeds_per_s, cfg.jobs
    );
    Ok(result.summary.exit_code())
}
