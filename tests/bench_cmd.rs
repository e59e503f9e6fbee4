//! `faultline bench`: runs its groups, measures memory in a child process,
//! and writes a CSV whose rows match the table. Figures are not asserted
//! (timing belongs to the benchmark, not to tests); their presence is.

mod support;

use std::path::PathBuf;

#[test]
fn quick_bench_writes_engine_and_memory_rows() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench_out");
    let _ = std::fs::remove_dir_all(&out);
    let run = support::faultline()
        .args(["bench", "--quick", "--only", "engine,memory", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}");
    let mut csv = csv::Reader::from_path(out.join("bench/bench.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let groups: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert!(
        groups.contains(&"engine") && groups.contains(&"memory"),
        "{groups:?}"
    );
    assert!(!groups.contains(&"sweep"), "--only leaves the others out");
    for r in &rows {
        let value: f64 = r[2].parse().unwrap();
        assert!(value > 0.0, "{r:?}");
    }
    let engine = rows
        .iter()
        .find(|r| r[1].starts_with("ping/pong delivered"))
        .unwrap();
    let ratio: f64 = engine[5].parse().unwrap();
    assert!(ratio > 0.0 && ratio < 1.0, "engine / bare loop: {ratio}");
    assert_eq!(
        rows.len(),
        stdout.lines().count() - 2,
        "table and CSV agree"
    );
}

#[test]
fn an_unknown_group_is_a_clear_error() {
    let run = support::faultline()
        .args(["bench", "--only", "engine,speed"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(3), "bad input");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("unknown group \"speed\""), "{stderr}");
}
