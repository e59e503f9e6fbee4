//! A sweep's folder, and merging the folders of shards into one.
//!
//! A sweep writes `seeds.csv` (one row per seed, by seed), `summary.json`
//! (what was swept, counts by verdict, failures grouped by signature) and
//! `failures/seed-<N>.toml` (each failing seed's scenario with its applied
//! fault timeline as an explicit schedule). Every byte follows from the
//! rows and the failing runs, never from timing, so shards merged by
//! [`merge`] give the same folder as one sweep of the whole range.

use super::row::{read_csv, to_csv, SeedRow};
use super::seeds::Shard;
use super::summary::SweepSummary;
use crate::error::Error;
use crate::report::write_atomic;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The failing seeds' scenario files, under a sweep folder.
pub const FAILURES: &str = "failures";

/// `reports/<scenario>/sweep`, or `.../sweep-shard-I-of-N`.
pub fn default_dir(reports: &Path, scenario: &str, shard: Option<Shard>) -> PathBuf {
    let name = match shard {
        Some(s) => format!("sweep-shard-{}-of-{}", s.index, s.count),
        None => "sweep".into(),
    };
    reports.join(scenario).join(name)
}

/// Creates the (fresh, staged) folder's `failures/`.
pub fn prepare(dir: &Path) -> Result<(), Error> {
    let failures = dir.join(FAILURES);
    match std::fs::remove_dir_all(&failures) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(failures, e)),
        _ => std::fs::create_dir_all(&failures).map_err(|e| Error::io(&failures, e)),
    }
}

/// The path of seed `seed`'s failure file.
pub fn failure_path(dir: &Path, seed: u64) -> PathBuf {
    dir.join(FAILURES).join(format!("seed-{seed}.toml"))
}

/// Writes `seeds.csv` and `summary.json`.
pub fn write(dir: &Path, summary: &SweepSummary, rows: &[SeedRow]) -> Result<(), Error> {
    write_atomic(&dir.join("seeds.csv"), &to_csv(rows)?)?;
    let json = serde_json::to_string_pretty(summary)
        .map_err(|e| Error::io(dir, std::io::Error::other(e)))?;
    write_atomic(&dir.join("summary.json"), format!("{json}\n").as_bytes())
}

/// Reads a sweep folder's summary and rows.
pub fn read(dir: &Path) -> Result<(SweepSummary, Vec<SeedRow>), Error> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let summary: SweepSummary = serde_json::from_str(&text)
        .map_err(|e| Error::Usage(format!("{}: not a sweep summary: {e}", path.display())))?;
    Ok((summary, read_csv(&dir.join("seeds.csv"))?))
}

/// Merges the sweep folders `dirs` (shards of one sweep) into `out`, which
/// is replaced whole.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<SweepSummary, Error> {
    let mut parts = Vec::new();
    for d in dirs {
        parts.push(read(d)?);
    }
    let Some((first, _)) = parts.first() else {
        return Err(Error::Usage("merge: no sweep folders given".into()));
    };
    let mut meta = first.meta.clone();
    let same = |s: &SweepSummary| {
        let mut m = s.meta.clone();
        (m.shard, m.complete) = (meta.shard.clone(), meta.complete);
        m == meta
    };
    if let Some((i, _)) = parts.iter().enumerate().find(|(_, (s, _))| !same(s)) {
        return Err(Error::Usage(format!(
            "merge: {} is a sweep of another scenario, file, version or seed range than {}",
            dirs[i].display(),
            dirs[0].display()
        )));
    }
    meta.shard = None;
    meta.complete = covers_all(&parts.iter().map(|(s, _)| s).collect::<Vec<_>>());
    let mut rows: Vec<SeedRow> = parts.iter().flat_map(|(_, r)| r.iter().cloned()).collect();
    rows.sort_by_key(|r| r.seed);
    if let Some(w) = rows.windows(2).find(|w| w[0].seed == w[1].seed) {
        return Err(Error::Usage(format!(
            "merge: seed {} is in two folders",
            w[0].seed
        )));
    }
    let staging = crate::staging::Staging::begin(out)?;
    prepare(staging.dir())?;
    for (dir, (_, part)) in dirs.iter().zip(&parts) {
        copy_failures(dir, staging.dir(), part)?;
    }
    let summary = SweepSummary::of(meta, &rows);
    write(staging.dir(), &summary, &rows)?;
    staging.commit()?;
    Ok(summary)
}

/// True when the parts are complete shards `0..N` of one `N` (or one
/// complete unsharded sweep).
fn covers_all(parts: &[&SweepSummary]) -> bool {
    let ranges: Option<Vec<_>> = parts.iter().map(|s| s.range()).collect();
    let Some(ranges) = ranges else { return false };
    let complete = parts.iter().all(|s| s.meta.complete);
    let shards: BTreeSet<(u64, u64)> = ranges
        .iter()
        .map(|(_, s)| s.map_or((0, 1), |s| (s.index, s.count)))
        .collect();
    let count = shards.first().map_or(0, |s| s.1);
    complete && shards.len() == parts.len() && shards == (0..count).map(|i| (i, count)).collect()
}

fn copy_failures(from: &Path, to: &Path, rows: &[SeedRow]) -> Result<(), Error> {
    for r in rows.iter().filter(|r| r.verdict != "valid") {
        let src = failure_path(from, r.seed);
        match std::fs::read(&src) {
            Ok(bytes) => write_atomic(&failure_path(to, r.seed), &bytes)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(src, e)),
        }
    }
    Ok(())
}
