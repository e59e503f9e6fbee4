//! One seed's line of a sweep: `seeds.csv`.

use crate::error::Error;
use crate::run::RunOutcome;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What one seed of a sweep gave. Only facts of the simulated run: the same
/// seed gives the same row on any machine, so shards merge byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedRow {
    /// The seed.
    pub seed: u64,
    /// Overall verdict: valid, invalid, unknown or stopped (at an engine limit).
    pub verdict: String,
    /// Checkers that were not valid, as `checker/property/verdict`, space-separated.
    pub failing: String,
    /// Client ops invoked.
    pub ops: u64,
    /// Faults applied (effective ones).
    pub faults: u64,
    /// The run's trace hash.
    pub trace_hash: String,
    /// Determinism check: empty (not sampled), `same` or `differs`.
    pub determinism: String,
    /// The protocol's situations this seed reached, space-separated.
    #[serde(default)]
    pub reached: String,
}

impl SeedRow {
    /// The row of a finished run.
    pub fn of(o: &RunOutcome) -> SeedRow {
        let failing: Vec<String> = o
            .checks
            .iter()
            .filter(|c| c.verdict.word() != "valid")
            .map(|c| {
                let property = format!("{:?}", c.property).to_lowercase();
                format!("{}/{property}/{}", c.name, c.verdict.word())
            })
            .collect();
        SeedRow {
            seed: o.seed,
            verdict: o.checks_verdict().to_string(),
            failing: failing.join(" "),
            ops: o
                .history
                .op_lines()
                .filter(|e| e.kind == faultline_models::OpType::Invoke)
                .count() as u64,
            faults: o.timeline.iter().filter(|f| f.effective).count() as u64,
            trace_hash: o.trace_hash.clone(),
            determinism: String::new(),
            reached: o.reached().collect::<Vec<_>>().join(" "),
        }
    }

    /// `(checker, property, verdict)` of each failing checker.
    pub fn failing_checks(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.failing.split_whitespace().filter_map(|f| {
            let mut parts = f.splitn(3, '/');
            Some((parts.next()?, parts.next()?, parts.next()?))
        })
    }
}

/// `rows` as CSV bytes, header first.
pub fn to_csv(rows: &[SeedRow]) -> Result<Vec<u8>, Error> {
    let io = |e: csv::Error| Error::io("seeds.csv", std::io::Error::other(e));
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(io)?;
    }
    w.into_inner()
        .map_err(|e| Error::io("seeds.csv", std::io::Error::other(e.to_string())))
}

/// Reads a `seeds.csv`.
pub fn read_csv(path: &Path) -> Result<Vec<SeedRow>, Error> {
    let mut r =
        csv::Reader::from_path(path).map_err(|e| Error::io(path, std::io::Error::other(e)))?;
    r.deserialize()
        .map(|row| row.map_err(|e| Error::io(path, std::io::Error::other(e))))
        .collect()
}
