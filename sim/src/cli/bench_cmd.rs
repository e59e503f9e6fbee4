//! `faultline bench`.

use crate::bench::{self, Sizes};
use crate::error::Error;
use crate::registry::Registry;
use std::path::{Path, PathBuf};

/// Runs every benchmark, prints the table, writes the CSV.
pub fn run(registry: &Registry, quick: bool, out: &Path, conformance: &Path) -> Result<i32, Error> {
    let sizes = if quick {
        Sizes {
            messages: 100_000,
            sweep_seeds: 100,
            memory_seeds: 200,
        }
    } else {
        Sizes::default()
    };
    let mut rows = bench::engine_throughput(registry, sizes.messages)?;
    rows.extend(bench::protocol_runs(registry, &bundled())?);
    rows.extend(bench::sweep_scaling(registry, sizes.sweep_seeds)?);
    rows.extend(bench::checker_speed(registry, conformance));
    rows.extend(bench::memory(registry, sizes.memory_seeds)?);
    bench::print(&rows);
    let csv = out.join("bench").join("bench.csv");
    bench::write_csv(&rows, &csv)?;
    println!("csv: {}", csv.display());
    Ok(0)
}

fn bundled() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(dirs) = std::fs::read_dir("scenarios") else {
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
