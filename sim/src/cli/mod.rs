//! The `faultline` command line.
//!
//! Exit codes: 0 valid, 1 invalid (a checker found a violation), 2 unknown
//! (a checker could not decide), 3 bad input (scenario, arguments, history
//! file), 4 I/O, 5 stopped at an engine limit (nothing judged), 6 engine
//! error (a bug in faultline itself; see [`crate::panics`]).

mod bench_cmd;
mod check_cmd;
mod compare_cmd;
pub mod files;
mod merge_cmd;
pub mod overrides;
mod print;
mod run_cmd;
mod shrink_cmd;
mod sweep_cmd;
mod well_formed;

pub use merge_cmd::MergeArgs;
pub use shrink_cmd::ShrinkArgs;
pub use sweep_cmd::SweepArgs;

pub use compare_cmd::CompareArgs;

use crate::error::Error;
use crate::registry::Registry;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Deterministic simulation testing of distributed protocols.
#[derive(Debug, Parser)]
#[command(name = "faultline", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario with one seed, judge it, write its report.
    Run(RunArgs),
    /// Run with every event shown (same as `run --trace`).
    Replay(RunArgs),
    /// Check scenario files without running them.
    Validate {
        /// Scenario files, or folders: every *.toml file under them.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List protocols, variants, operations, checkers and bundled scenarios.
    List,
    /// Measure the engine against a bare event loop, protocols, sweeps,
    /// the checker and memory (release builds only give meaningful figures).
    Bench {
        /// Smaller sizes (a smoke test, not figures to quote).
        #[arg(long)]
        quick: bool,
        /// Where `bench/bench.csv` goes.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// The conformance histories for the checker benchmark.
        #[arg(long, default_value = "../shared/conformance")]
        conformance: PathBuf,
        /// Only these groups (comma-separated): engine, protocol, sweep, checker, memory.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Internal: run one part in this (child) process, print rows as JSON.
        #[arg(long, hide = true, num_args = 1..)]
        child: Vec<String>,
    },
    /// Judge a history file for linearizability against a model.
    Check(check_cmd::CheckArgs),
    /// Run many seeds of a scenario in parallel; group the failures.
    Sweep(SweepArgs),
    /// Minimise a failing run into a small regression scenario.
    Shrink(ShrinkArgs),
    /// Combine the folders of a sharded sweep into one.
    Merge(MergeArgs),
    /// Run scenarios across a matrix of values over seeds; plot side by side.
    Compare(CompareArgs),
}

/// Arguments of `run` and `replay`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file.
    pub file: PathBuf,
    /// The seed (default: the scenario's `seed`, else 1).
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub overrides: overrides::Overrides,
    /// Where report folders go.
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Show the run event by event (filter with RUST_LOG, e.g. faultline=trace).
    #[arg(long)]
    pub trace: bool,
    /// Don't write report files.
    #[arg(long)]
    pub no_report: bool,
    /// Run twice in this process and compare trace hashes; on a difference,
    /// name the first event at which the runs part.
    #[arg(long)]
    pub check_determinism: bool,
    /// Don't draw plots (the CSV and JSON files are still written).
    #[arg(long)]
    pub no_plots: bool,
    /// The message-flow diagram's window, e.g. 1200..1800 (simulated ms);
    /// default: around the first violation, else the first fault.
    #[arg(long, value_name = "FROM..TO", value_parser = run_cmd::parse_window)]
    pub flow_ms: Option<(u64, u64)>,
}

/// The `faultline` command over the bundled protocols: `main_with(Registry::builtin())`.
pub fn main() -> i32 {
    main_with(Registry::builtin())
}

/// The whole `faultline` command line over `registry`: parses the process
/// arguments, runs, and returns the exit code. A user's own binary is the
/// full CLI (`run`, `sweep`, `shrink`, `compare`, `replay`, `list`, ...) for
/// their protocols with
///
/// ```no_run
/// // src/main.rs of your crate:
/// let mut registry = faultline_sim::registry::Registry::builtin(); // or ::default(): only yours
/// // registry.register::<MyModel>();
/// std::process::exit(faultline_sim::cli::main_with(registry));
/// ```
///
/// A panic (never a protocol's: a run turns those into its `no-panic`
/// finding) is an engine error: exit 6 with its message.
pub fn main_with(registry: Registry) -> i32 {
    restore_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return argument_error(&e),
    };
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| command(cli, &registry)));
    ran.unwrap_or_else(|panic| {
        let e = crate::panics::engine_error(panic.as_ref());
        eprintln!("error: {e}");
        eprintln!("  please report it, with the command and the scenario file");
        crate::panics::EXIT_CODE
    })
}

/// Rust ignores SIGPIPE, so `faultline run X | head` made the next
/// println! panic with a backtrace. With the default action the process
/// ends quietly when its reader goes away, as command-line tools do.
fn restore_sigpipe() {
    // SAFETY: setting a signal's action to SIG_DFL has no other effect; it
    // runs first thing in main_with, before the command starts any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Prints clap's message; `--help` and `--version` exit 0, every argument
/// error 3 (bad input, as the README's table says; clap's own 2 would read
/// as an unknown verdict).
fn argument_error(e: &clap::Error) -> i32 {
    let _ = e.print();
    if e.use_stderr() {
        3
    } else {
        0
    }
}

fn command(cli: Cli, registry: &Registry) -> i32 {
    let result = match cli.command {
        Command::Run(args) => run_cmd::run(registry, args, false),
        Command::Replay(args) => run_cmd::run(registry, args, true),
        Command::Validate { files } => validate(registry, &files),
        Command::Bench {
            quick,
            out,
            conformance,
            only,
            child,
        } => {
            if child.is_empty() {
                bench_cmd::run(registry, quick, &out, &conformance, &only)
            } else {
                crate::bench::child::run(registry, &child)
            }
        }
        Command::List => {
            print::list(registry);
            Ok(0)
        }
        Command::Check(args) => check_cmd::check(args),
        Command::Sweep(args) => sweep_cmd::run(registry, args),
        Command::Shrink(args) => shrink_cmd::run(registry, args),
        Command::Merge(args) => merge_cmd::run(args),
        Command::Compare(args) => compare_cmd::run(registry, args),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        e.exit_code()
    })
}

/// Most worker threads `--jobs` may ask for (each runs seeds one at a time
/// on its own stack; more than the cores only adds switching).
pub const JOBS_MAX: usize = 1024;

/// Checks `--jobs`: 1..=[`JOBS_MAX`].
fn jobs_within_limit(jobs: Option<usize>) -> Result<(), Error> {
    match jobs {
        Some(n) if n == 0 || n > JOBS_MAX => Err(Error::Usage(format!(
            "--jobs {n}: expected 1..={JOBS_MAX} worker threads"
        ))),
        _ => Ok(()),
    }
}

fn validate(registry: &Registry, given: &[PathBuf]) -> Result<i32, Error> {
    let mut files = Vec::new();
    for path in given {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let found = files::toml_files(path)?;
        if found.is_empty() {
            return Err(Error::Usage(format!(
                "{}: a folder with no *.toml scenario files under it",
                path.display()
            )));
        }
        files.extend(found);
    }
    let mut code = 0;
    for f in &files {
        let loaded = registry
            .load(f)
            .and_then(|s| Ok((s, compare_cmd::check_matrix(registry, f)?)));
        match loaded {
            Ok((s, 0)) => println!("ok: {} ({} / {})", f.display(), s.protocol(), s.variant()),
            Ok((s, n)) => println!(
                "ok: {} ({} / {}; [compare]: {n} configurations)",
                f.display(),
                s.protocol(),
                s.variant()
            ),
            Err(e) => {
                eprintln!("error: {e}");
                code = code.max(e.exit_code());
            }
        }
    }
    Ok(code)
}
