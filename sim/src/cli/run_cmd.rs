//! `faultline run` and `faultline replay`.

use super::{print, RunArgs};
use crate::error::Error;
use crate::registry::Registry;
use crate::report;

pub fn run(registry: &Registry, args: RunArgs, replay: bool) -> Result<i32, Error> {
    let trace = args.trace || replay;
    // Without --trace or RUST_LOG no subscriber is installed: madsim enters
    // a span at every task poll, and a registry costs ~15% of a run.
    if trace || std::env::var_os("RUST_LOG").is_some() {
        crate::logging::init(if trace { "faultline=debug" } else { "warn" });
    }
    let scenario = registry.load(&args.file)?;
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
    let dir = if args.no_report {
        None
    } else {
        Some(report::write_run(&outcome, &args.file, &args.out)?)
    };
    print::summary(&outcome, &args.file, dir.as_deref());
    Ok(outcome.exit_code())
}
