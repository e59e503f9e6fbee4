//! The raw-series CSV files of a run: `ops.csv` (one row per client
//! operation) and `buckets.csv` (one row per time bucket). Columns are
//! documented in `reports/README.md`; numbers are printed with fixed
//! decimals so the same run gives the same bytes.

use crate::error::Error;
use crate::metrics::{Bucket, OpRow};

/// Column names of `ops.csv`.
pub const OPS_COLUMNS: [&str; 8] = [
    "index",
    "process",
    "f",
    "node",
    "invoke_us",
    "complete_us",
    "outcome",
    "latency_ms",
];

/// Column names of `buckets.csv`.
pub const BUCKETS_COLUMNS: [&str; 12] = [
    "start_us",
    "end_us",
    "invoked",
    "ok",
    "fail",
    "info",
    "throughput_per_s",
    "availability",
    "latency_ms_p50",
    "latency_ms_p99",
    "latency_ms_max",
    "faults",
];

/// Milliseconds from microseconds, three decimals (exact).
pub fn ms3(us: u64) -> String {
    format!("{}.{:03}", us / 1000, us % 1000)
}

/// A float with `d` decimals, or "" for None.
pub fn fixed(v: Option<f64>, d: usize) -> String {
    v.map(|v| format!("{v:.d$}")).unwrap_or_default()
}

fn csv_error(name: &str, e: impl std::fmt::Display) -> Error {
    Error::io(name, std::io::Error::other(e.to_string()))
}

/// Writes `rows` under `header` as CSV bytes.
pub fn csv_bytes<R: AsRef<[String]>>(
    name: &str,
    header: &[&str],
    rows: &[R],
) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(|e| csv_error(name, e))?;
    for row in rows {
        assert_eq!(row.as_ref().len(), header.len(), "{name}: row width");
        w.write_record(row.as_ref())
            .map_err(|e| csv_error(name, e))?;
    }
    w.into_inner().map_err(|e| csv_error(name, e))
}

/// `ops.csv`.
pub fn ops_csv(ops: &[OpRow]) -> Result<Vec<u8>, Error> {
    let rows: Vec<Vec<String>> = ops
        .iter()
        .map(|o| {
            vec![
                o.index.to_string(),
                o.process.to_string(),
                o.f.to_string(),
                o.node.to_string(),
                o.invoke_us.to_string(),
                o.complete_us.map(|c| c.to_string()).unwrap_or_default(),
                o.outcome.word().to_string(),
                o.latency_us().map(ms3).unwrap_or_default(),
            ]
        })
        .collect();
    csv_bytes("ops.csv", &OPS_COLUMNS, &rows)
}

/// `buckets.csv`.
pub fn buckets_csv(buckets: &[Bucket]) -> Result<Vec<u8>, Error> {
    let rows: Vec<Vec<String>> = buckets
        .iter()
        .map(|b| {
            let q = b.latency.quantiles();
            let kinds: Vec<&str> = b.faults.iter().copied().collect();
            vec![
                b.start_us.to_string(),
                b.end_us.to_string(),
                b.invoked.to_string(),
                b.ok.to_string(),
                b.fail.to_string(),
                b.info.to_string(),
                fixed(Some(b.throughput_per_s()), 3),
                fixed(b.availability(), 4),
                fixed(q.as_ref().map(|q| q.p50), 3),
                fixed(q.as_ref().map(|q| q.p99), 3),
                fixed(q.as_ref().map(|q| q.max), 3),
                kinds.join("+"),
            ]
        })
        .collect();
    csv_bytes("buckets.csv", &BUCKETS_COLUMNS, &rows)
}
