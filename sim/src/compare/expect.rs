//! Whether each configuration of a comparison behaved as expected, and the
//! comparison's exit code.
//!
//! A configuration's expected verdict is its scenario's `[check] expect`
//! (an axis may set it per configuration), `valid` when absent. Its result
//! is the worst verdict over its seeds (invalid > unknown > valid), as a
//! sweep's is: a configuration expected `invalid` must show the violation
//! in at least one seed; one expected `valid` must pass every seed. Exit
//! code (as `faultline run`'s): 0 every configuration as expected; 2 the
//! only misses are expected-valid configurations with unknown seeds; 1
//! otherwise (a violation where none was expected, or an expected one not
//! found).

use super::Row;

/// One configuration's expectation and what its seeds gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    /// The verdict expected of the configuration.
    pub expected: String,
    /// The worst verdict over its seeds.
    pub worst: &'static str,
    /// Seeds by verdict: valid, invalid, unknown.
    pub counts: [usize; 3],
    /// Seeds whose verdict differs from the expected one, ascending.
    pub off_seeds: Vec<u64>,
}

const ORDER: [&str; 3] = ["valid", "invalid", "unknown"];

fn rank(verdict: &str) -> usize {
    match verdict {
        "valid" => 0,
        "unknown" => 1,
        _ => 2,
    }
}

impl Expectation {
    /// The expectation `expect` (None: valid) judged on `rows` (one config's).
    pub fn of(expect: Option<&str>, rows: &[&Row]) -> Expectation {
        let expected = expect.unwrap_or("valid").to_string();
        let mut counts = [0; 3];
        let mut worst = "valid";
        for r in rows {
            let i = ORDER.iter().position(|v| *v == r.verdict).unwrap_or(1);
            counts[i] += 1;
            if rank(r.verdict) > rank(worst) {
                worst = ORDER[i];
            }
        }
        let mut off_seeds: Vec<u64> = rows
            .iter()
            .filter(|r| r.verdict != expected)
            .map(|r| r.seed)
            .collect();
        off_seeds.sort_unstable();
        Expectation {
            expected,
            worst,
            counts,
            off_seeds,
        }
    }

    /// The configuration behaved as expected.
    pub fn met(&self) -> bool {
        self.worst == self.expected
    }

    /// 0 met; 2 expected valid but some seed unknown (none invalid); else 1.
    pub fn exit_code(&self) -> i32 {
        match (self.met(), self.expected.as_str(), self.worst) {
            (true, _, _) => 0,
            (false, "valid", "unknown") => 2,
            _ => 1,
        }
    }

    /// What went wrong, in one line ("" when met).
    pub fn miss(&self) -> String {
        if self.met() {
            return String::new();
        }
        let seeds = self.counts.iter().sum::<usize>();
        if self.expected != "valid" && self.worst != self.expected {
            let [v, i, u] = self.counts;
            return format!(
                "expected {}, but no seed of {seeds} was (valid {v}, invalid {i}, unknown {u})",
                self.expected
            );
        }
        let list: Vec<String> = self.off_seeds.iter().take(10).map(u64::to_string).collect();
        format!(
            "expected {}, got {} on {} of {seeds} seeds: {}",
            self.expected,
            self.worst,
            self.off_seeds.len(),
            list.join(", ")
        )
    }
}

/// The comparison's exit code: 1 if any configuration scored 1, else 2 if
/// any scored 2, else 0.
pub fn exit_code(all: &[Expectation]) -> i32 {
    let codes: Vec<i32> = all.iter().map(Expectation::exit_code).collect();
    if codes.contains(&1) {
        1
    } else if codes.contains(&2) {
        2
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::LatencyHistogram;

    fn row(seed: u64, verdict: &'static str) -> Row {
        Row {
            config: 0,
            seed,
            verdict,
            failed: Vec::new(),
            ops: Default::default(),
            latency: LatencyHistogram::new(),
            metrics: Vec::new(),
            trace_hash: String::new(),
        }
    }

    fn judge(expect: Option<&str>, verdicts: &[&'static str]) -> Expectation {
        let rows: Vec<Row> = (1..).zip(verdicts).map(|(s, v)| row(s, v)).collect();
        Expectation::of(expect, &rows.iter().collect::<Vec<_>>())
    }

    #[test]
    fn worst_seed_decides_and_codes_follow_run() {
        assert_eq!(judge(None, &["valid", "valid"]).exit_code(), 0);
        let e = judge(None, &["valid", "invalid", "unknown"]);
        assert_eq!(
            (e.worst, e.exit_code(), e.off_seeds.clone()),
            ("invalid", 1, vec![2, 3])
        );
        assert_eq!(judge(Some("valid"), &["unknown", "valid"]).exit_code(), 2);
        assert_eq!(judge(Some("invalid"), &["valid", "invalid"]).exit_code(), 0);
        let e = judge(Some("invalid"), &["valid", "unknown"]);
        assert_eq!(e.exit_code(), 1);
        assert!(e.miss().contains("no seed of 2"), "{}", e.miss());
        let all = [judge(None, &["unknown"]), judge(None, &["valid"])];
        assert_eq!(exit_code(&all), 2);
    }
}
