//! `faultline shrink`: minimise a failing run into a regression scenario.

use crate::error::Error;
use crate::registry::Registry;
use crate::report::write_file;
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
    /// Overwrite a file of the same name (default: write beside it under
    /// a new name, NAME-2.toml, ...).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub overrides: super::overrides::Overrides,
}

/// Most `-N` suffixes tried for a free file name.
const NAMES_MAX: u32 = 1000;

/// Runs `shrink`: exit 0 when a minimal failing scenario was written.
pub fn run(registry: &Registry, args: ShrinkArgs) -> Result<i32, Error> {
    // As in `run`: a tracing subscriber costs ~15% of a run, so only on request.
    if std::env::var_os("RUST_LOG").is_some() {
        crate::logging::init("warn");
    }
    let (source, scenario) = args.overrides.load(registry, &args.file)?;
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
            "Shrunk by `faultline shrink` from {}{} seed {seed}: {} is {}.",
            args.file.display(),
            args.overrides.args(),
            shrunk.checker,
            shrunk.verdict
        ),
    );
    let header = format!(
        "# Shrunk by `faultline shrink` ({} runs tried).\n# before: {}\n# after:  {}\n",
        shrunk.runs, shrunk.before, shrunk.after
    );
    let text = draft.text();
    let body: Vec<&str> = text.lines().skip_while(|l| l.starts_with('#')).collect();
    let bytes = format!("{header}{}\n", body.join("\n"));
    let Some(path) = free_path(&args.out, &stem, args.force, bytes.as_bytes())? else {
        print(&shrunk, None);
        return Ok(0);
    };
    write_file(&path, bytes.as_bytes())?;
    print(&shrunk, Some(&path));
    Ok(0)
}

/// Where to write: `DIR/STEM.toml`, or with `force` over it; else the
/// first free `STEM-N.toml` (a pinned regression file is never replaced by
/// accident). None when a file there already holds exactly `bytes`.
fn free_path(dir: &Path, stem: &str, force: bool, bytes: &[u8]) -> Result<Option<PathBuf>, Error> {
    let first = dir.join(format!("{stem}.toml"));
    if force {
        return Ok(Some(first));
    }
    for n in 1..=NAMES_MAX {
        let path = match n {
            1 => first.clone(),
            n => dir.join(format!("{stem}-{n}.toml")),
        };
        match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if n > 1 {
                    println!(
                        "note: {} exists; writing a new file (--force overwrites)",
                        first.display()
                    );
                }
                return Ok(Some(path));
            }
            Err(e) => return Err(Error::io(&path, e)),
            Ok(old) if old == bytes => {
                println!("unchanged: {} already holds this scenario", path.display());
                return Ok(None);
            }
            Ok(_) => {}
        }
    }
    Err(Error::Usage(format!(
        "{}: {stem}.toml and {stem}-2.toml .. {stem}-{NAMES_MAX}.toml all exist; use --force or another --out",
        dir.display()
    )))
}

fn print(s: &shrink::Shrunk, path: Option<&Path>) {
    println!("property: {} stays {}", s.checker, s.verdict);
    println!("before: {}", s.before);
    println!("after:  {}", s.after);
    println!("runs tried: {}", s.runs);
    if let Some(path) = path {
        println!("wrote: {}", path.display());
        println!("check: cargo run --release -- run {}", path.display());
    }
}
