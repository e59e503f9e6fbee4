//! `faultline merge`: combine the folders of a sharded sweep.

use crate::error::Error;
use crate::sweep::output;
use std::path::PathBuf;

/// Arguments of `merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Sweep folders, one per shard.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The merged folder (default: <reports>/<scenario>/sweep).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where report folders go, for the default `--out`.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
}

/// Runs `merge`; the exit code is the merged sweep's.
pub fn run(args: MergeArgs) -> Result<i32, Error> {
    let out = match args.out {
        Some(out) => out,
        None => {
            let (first, _) = output::read(&args.dirs[0])?;
            output::default_dir(&args.reports, &first.meta.scenario, None)
        }
    };
    let summary = output::merge(&args.dirs, &out)?;
    if !summary.meta.complete {
        println!(
            "note: the shards do not cover the whole range (missing, stopped early, or not all 0..N)"
        );
    }
    summary.print(&out);
    Ok(summary.exit_code())
}
