//! Finding scenario files: under a folder (`validate DIR`), and the bundled
//! `scenarios/` folder from any working directory (`list`, `bench`).

use crate::error::Error;
use std::path::{Path, PathBuf};

/// Deepest folder level searched (a bound, and no loop through a symlink cycle).
const DEPTH_MAX: usize = 16;

/// Every `*.toml` file under `dir`, sorted.
pub fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    walk(dir, DEPTH_MAX, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() && depth > 0 {
            walk(&path, depth - 1, out)?;
        } else if path.is_file() && path.extension().is_some_and(|x| x == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Where the bundled scenarios may be, in the order tried: `./scenarios`;
/// `scenarios` beside the executable or in a folder above it (a binary in
/// a checkout's `target/release/`); the checkout this crate was built from.
pub fn scenario_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("scenarios")];
    if let Ok(exe) = std::env::current_exe() {
        dirs.extend(exe.ancestors().skip(1).take(4).map(|d| d.join("scenarios")));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios"));
    dirs
}

/// The first folder of [`scenario_dirs`] that exists, or every place looked.
pub fn bundled_dir() -> Result<PathBuf, Vec<PathBuf>> {
    let dirs = scenario_dirs();
    match dirs.iter().position(|d| d.is_dir()) {
        // Spelled as found for ./scenarios, resolved elsewhere (no `sim/..`).
        Some(0) => Ok(dirs[0].clone()),
        Some(i) => Ok(std::fs::canonicalize(&dirs[i]).unwrap_or_else(|_| dirs[i].clone())),
        None => Err(dirs),
    }
}
