//! `faultline shrink`: minimise a failing run into a regression scenario.

use crate::error::Error;
use crate::registry::Registry;
use crate::report::write_file;
use crate::scenario::Source;
use crate::shrink::{self, ShrinkConfig};
use std::path::{Path, PathBuf};

/// Arguments of `shrink`.
#[derive(Debug, clap::Args)]
pub struct ShrinkArgs {
    /// The scenario file (e.g. a sweep's failures/seed-N.toml).
    pub file: PathBuf,
    /// The failing seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The property that must keep failing (default: the first failing checker).
    #[arg(long)]
    pub checker: Option<String>,
    /// Candidate runs allowed.
    #[arg(long, default_value_t = 400)]
    pub runs_max: usize,
    /// Folder for the minimal scenario.
    #[arg(long, default_value = "scenarios/regressions")]
    pub out: PathBuf,
}

/// Runs `shrink`: exit 0 when a minimal failing scenario was written.
pub fn run(registry: &Registry, args: ShrinkArgs) -> Result<i32, Error> {
    // As in `run`: a tracing subscriber costs ~15% of a run, so only on request.
    if std::env::var_os("RUST_LOG").is_some() {
        crate::logging::init("warn");
    }
    let source = Source::read(&args.file)?;
    let scenario = registry.load_source(source.clone())?;
    let seed = args.seed.unwrap_or_else(|| scenario.default_seed());
    let name = scenario.name().to_string();
    let cfg = ShrinkConfig {
        seed,
        checker: args.checker,
        runs_max: args.runs_max,
    };
    let shrunk = shrink::shrink(registry, source, &cfg)?;
    let stem = format!("{name}-{}-seed{seed}", shrunk.checker);
    let mut draft = shrink::edit::Draft::parse(&shrunk.text)?;
    draft.set_top("name", &stem);
    draft.set_top(
        "description",
        &format!(
            "Shrunk by `faultline shrink` from {} seed {seed}: {} is {}.",
            args.file.display(),
            shrunk.checker,
            shrunk.verdict
        ),
    );
    let path = args.out.join(format!("{stem}.toml"));
    let header = format!(
        "# Shrunk by `faultline shrink` ({} runs tried).\n# before: {}\n# after:  {}\n",
        shrunk.runs, shrunk.before, shrunk.after
    );
    let text = draft.text();
    let body: Vec<&str> = text.lines().skip_while(|l| l.starts_with('#')).collect();
    write_file(&path, format!("{header}{}\n", body.join("\n")).as_bytes())?;
    print(&shrunk, &path);
    Ok(0)
}

fn print(s: &shrink::Shrunk, path: &Path) {
    println!("property: {} stays {}", s.checker, s.verdict);
    println!("before: {}", s.before);
    println!("after:  {}", s.after);
    println!("runs tried: {}", s.runs);
    println!("wrote: {}", path.display());
    println!("check: cargo run --release -- run {}", path.display());
}
