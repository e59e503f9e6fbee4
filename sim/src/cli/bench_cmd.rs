//! `faultline bench`.

use crate::bench::{self, Sizes};
use crate::error::Error;
use crate::registry::Registry;
use std::path::{Path, PathBuf};

/// The benchmark groups, in the order they run.
const GROUPS: [&str; 5] = ["engine", "protocol", "sweep", "checker", "memory"];

/// Runs every benchmark (or the `only` groups), prints the table, writes the CSV.
pub fn run(
    registry: &Registry,
    quick: bool,
    out: &Path,
    conformance: &Path,
    only: &[String],
) -> Result<i32, Error> {
    if let Some(bad) = only.iter().find(|g| !GROUPS.contains(&g.as_str())) {
        return Err(Error::Usage(format!(
            "--only: unknown group {bad:?}; expected some of {}",
            GROUPS.join(", ")
        )));
    }
    let wanted = |g: &str| only.is_empty() || only.iter().any(|o| o == g);
    let sizes = if quick {
        Sizes {
            messages: 100_000,
            sweep_seeds: 100,
            memory_seeds: 200,
        }
    } else {
        Sizes::default()
    };
    let mut rows = Vec::new();
    if wanted("engine") {
        rows.extend(bench::engine_throughput(registry, sizes.messages)?);
    }
    if wanted("protocol") {
        rows.extend(bench::protocol_runs(&bundled())?);
    }
    if wanted("sweep") {
        let seeds = sizes.sweep_seeds.to_string();
        rows.extend(bench::child::spawn(&["sweep", &seeds])?);
    }
    if wanted("checker") {
        let conformance = conformance.display().to_string();
        rows.extend(bench::child::spawn(&["checker", &conformance])?);
    }
    if wanted("memory") {
        let seeds = sizes.memory_seeds.to_string();
        rows.extend(bench::child::spawn(&["memory", &seeds])?);
    }
    bench::print(&rows);
    let csv = out.join("bench").join("bench.csv");
    bench::write_csv(&rows, &csv)?;
    println!("csv: {}", csv.display());
    Ok(0)
}

/// The bundled scenarios (not the regressions), or none, saying where it looked.
fn bundled() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let root = match super::files::bundled_dir() {
        Ok(root) => root,
        Err(looked) => {
            let looked: Vec<String> = looked.iter().map(|d| d.display().to_string()).collect();
            eprintln!(
                "bench: skipping the protocol rows: no scenarios folder in {}",
                looked.join(", ")
            );
            return files;
        }
    };
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return files;
    };
    for dir in dirs
        .flatten()
        .map(|d| d.path())
        .filter(|p| p.is_dir() && !p.ends_with("regressions"))
    {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        files.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml")),
        );
    }
    files.sort();
    files
}
