//! `faultline run` and `faultline replay`.

use super::{print, RunArgs};
use crate::error::Error;
use crate::registry::Registry;
use crate::report;

/// Runs (or replays) one seed, prints its summary, writes its report and plots.
pub fn run(registry: &Registry, args: RunArgs, replay: bool) -> Result<i32, Error> {
    let trace = args.trace || replay;
    // Without --trace or RUST_LOG no subscriber is installed: madsim enters
    // a span at every task poll, and a registry costs ~15% of a run.
    if trace || std::env::var_os("RUST_LOG").is_some() {
        crate::logging::init(if trace { "faultline=debug" } else { "warn" });
    }
    let (_, scenario) = args.overrides.load(registry, &args.file)?;
    let seed = args.seed.unwrap_or_else(|| scenario.default_seed());
    println!("seed: {seed}");
    let outcome = if args.check_determinism {
        let (outcome, same) = crate::determinism::check(scenario.as_ref(), seed);
        same.map_err(|e| Error::Usage(e.to_string()))?;
        println!(
            "determinism: two runs gave trace hash {}",
            outcome.trace_hash
        );
        outcome
    } else {
        scenario.run(seed)
    };
    let dir = match args.no_report {
        true => None,
        false => Some(write_report(scenario.as_ref(), &outcome, &args)?),
    };
    print::summary(&outcome, &args.file, &args.overrides.args(), dir.as_deref());
    Ok(outcome.exit_code())
}

/// Writes the run's folder whole (see [`crate::staging`]); returns it.
fn write_report(
    scenario: &dyn crate::registry::LoadedScenario,
    outcome: &crate::run::RunOutcome,
    args: &RunArgs,
) -> Result<std::path::PathBuf, Error> {
    let target = report::run_dir(&args.out, &outcome.scenario, outcome.seed);
    let staging = crate::staging::Staging::begin(&target)?;
    let dir = staging.dir();
    let repro_args = args.overrides.args();
    report::write_run(outcome, &args.file, &repro_args, dir)?;
    let mut plots = Vec::new();
    if !args.no_plots {
        plots = crate::plot::write_run(scenario, outcome, dir, args.flow_ms)?;
    }
    let description = scenario.description();
    report::write_run_index(outcome, &args.file, &repro_args, description, dir, &plots)?;
    staging.commit()
}

/// Parses `FROM..TO` in simulated milliseconds into microseconds.
pub fn parse_window(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("expected FROM..TO in milliseconds (e.g. 1200..1800), found {text:?}");
    let (a, b) = text.split_once("..").ok_or_else(bad)?;
    let ms = |s: &str| s.trim().parse::<f64>().ok().filter(|v| *v >= 0.0);
    let (a, b) = (ms(a).ok_or_else(bad)?, ms(b).ok_or_else(bad)?);
    if a >= b {
        return Err(bad());
    }
    Ok(((a * 1000.0).round() as u64, (b * 1000.0).round() as u64))
}
