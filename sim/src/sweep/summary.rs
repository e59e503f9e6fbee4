//! A sweep's summary: counts by verdict and failures grouped by signature,
//! computed from the seed rows alone (so a merge of shards computes the
//! same summary as one sweep of the whole range).

use super::row::SeedRow;
use super::seeds::{SeedRange, Shard};
use crate::report::repro_command;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// What was swept: enough to check that shards belong together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepMeta {
    /// The faultline version that ran.
    pub faultline_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario file, as given on the command line.
    pub scenario_file: String,
    /// FNV-1a of the scenario file's text (shards of different files don't merge).
    pub scenario_fnv: String,
    /// Protocol.
    pub protocol: String,
    /// Variant.
    pub variant: String,
    /// The whole seed range, `A..B`.
    pub seeds: String,
    /// `I/N` for one shard; null for the whole range.
    pub shard: Option<String>,
    /// Every seed of the range (or shard) ran: no `--stop-after` or
    /// `--time-limit` cut it short.
    pub complete: bool,
    /// The situations the protocol declares.
    #[serde(default)]
    pub declared_situations: Vec<String>,
    /// The situations the scenario's `[check] require` names: a sweep in
    /// which no seed reached one exits 2.
    #[serde(default)]
    pub required: Vec<String>,
    /// The `--set` and `--variant` arguments the sweep ran with (already
    /// written into the scenario, so into `scenario_fnv`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub overrides: String,
}

/// How many seeds reached one situation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SituationCount {
    /// The situation.
    pub name: String,
    /// Seeds that reached it.
    pub seeds: u64,
    /// The first seeds that did (at most [`FIRST_SEEDS`]).
    pub first_seeds: Vec<u64>,
}

/// Seeds that failed one checker the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The checker.
    pub checker: String,
    /// always (safety) or eventually (liveness).
    pub property: String,
    /// invalid or unknown.
    pub verdict: String,
    /// The protocol variant.
    pub variant: String,
    /// How many seeds.
    pub count: u64,
    /// The first seeds (at most [`FIRST_SEEDS`]).
    pub first_seeds: Vec<u64>,
    /// The command that reproduces the first seed.
    pub repro: String,
    /// Groups with the same verdict on exactly the same seeds are one
    /// finding (several checkers seeing one bug): its number, from 1, in
    /// the order of the groups.
    #[serde(default)]
    pub finding: usize,
}

fn key_of(g: &Group) -> (String, String, String) {
    (g.verdict.clone(), g.checker.clone(), g.property.clone())
}

/// Numbers the findings: a group with the verdict and the seeds of an
/// earlier one joins its finding.
fn number_findings(
    mut groups: Vec<Group>,
    seeds_of: &BTreeMap<(String, String, String), Vec<u64>>,
) -> Vec<Group> {
    let mut findings: Vec<(&str, &[u64])> = Vec::new();
    for g in &mut groups {
        let seeds = seeds_of.get(&key_of(g)).map_or(&[][..], Vec::as_slice);
        let verdict = g.verdict.as_str();
        g.finding = match findings.iter().position(|f| *f == (verdict, seeds)) {
            Some(i) => i + 1,
            None => {
                findings.push((verdict, seeds));
                findings.len()
            }
        };
    }
    groups
}

/// `overrides` as the tail of a command line.
fn repro_args(overrides: &str) -> String {
    match overrides.is_empty() {
        true => String::new(),
        false => format!(" {overrides}"),
    }
}

/// Seeds listed per group.
pub const FIRST_SEEDS: usize = 5;

/// `summary.json` of a sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepSummary {
    /// What was swept.
    #[serde(flatten)]
    pub meta: SweepMeta,
    /// Seeds that ran.
    pub seeds_run: u64,
    /// Seeds by overall verdict.
    pub verdicts: BTreeMap<String, u64>,
    /// Failures by signature (checker, property, verdict, variant).
    pub groups: Vec<Group>,
    /// Seeds whose determinism check failed.
    pub nondeterministic: Vec<u64>,
    /// Per declared situation, the seeds that reached it.
    #[serde(default)]
    pub situations: Vec<SituationCount>,
}

impl SweepSummary {
    /// Summarises `rows` (sorted by seed).
    pub fn of(meta: SweepMeta, rows: &[SeedRow]) -> SweepSummary {
        let mut verdicts: BTreeMap<String, u64> = ["valid", "invalid", "unknown"]
            .iter()
            .map(|v| (v.to_string(), 0))
            .collect();
        let mut groups: BTreeMap<(String, String, String), Group> = BTreeMap::new();
        let mut seeds_of: BTreeMap<(String, String, String), Vec<u64>> = BTreeMap::new();
        for r in rows {
            *verdicts.entry(r.verdict.clone()).or_default() += 1;
            for (checker, property, verdict) in r.failing_checks() {
                let key = (
                    verdict.to_string(),
                    checker.to_string(),
                    property.to_string(),
                );
                let g = groups.entry(key).or_insert_with(|| Group {
                    checker: checker.into(),
                    property: property.into(),
                    verdict: verdict.into(),
                    variant: meta.variant.clone(),
                    count: 0,
                    first_seeds: vec![],
                    finding: 0,
                    repro: repro_command(
                        Path::new(&meta.scenario_file),
                        r.seed,
                        &repro_args(&meta.overrides),
                    ),
                });
                g.count += 1;
                seeds_of.entry(key_of(g)).or_default().push(r.seed);
                if g.first_seeds.len() < FIRST_SEEDS {
                    g.first_seeds.push(r.seed);
                }
            }
        }
        let situations = (meta.declared_situations.iter())
            .map(|name| {
                let seeds: Vec<u64> = (rows.iter())
                    .filter(|r| r.reached.split_whitespace().any(|s| s == name))
                    .map(|r| r.seed)
                    .collect();
                SituationCount {
                    name: name.clone(),
                    seeds: seeds.len() as u64,
                    first_seeds: seeds.into_iter().take(FIRST_SEEDS).collect(),
                }
            })
            .collect();
        SweepSummary {
            situations,
            seeds_run: rows.len() as u64,
            verdicts,
            groups: number_findings(groups.into_values().collect(), &seeds_of),
            nondeterministic: rows
                .iter()
                .filter(|r| r.determinism == "differs")
                .map(|r| r.seed)
                .collect(),
            meta,
        }
    }

    /// Exit code like `run`, for the worst seed: 6 if any hit an engine
    /// error (a bug in faultline), else 1 if any seed was invalid
    /// (or not deterministic), else 5 if any stopped at an engine limit,
    /// else 2 if any was unknown or no seed reached a required situation,
    /// else 0.
    pub fn exit_code(&self) -> i32 {
        let n = |v: &str| self.verdicts.get(v).copied().unwrap_or(0);
        if n(super::pool::ENGINE_ERROR) > 0 {
            crate::panics::EXIT_CODE
        } else if n("invalid") > 0 || !self.nondeterministic.is_empty() {
            1
        } else if n("stopped") > 0 {
            5
        } else if n("unknown") > 0 || !self.required_never_reached().is_empty() {
            2
        } else {
            0
        }
    }

    /// Required situations that no seed reached.
    pub fn required_never_reached(&self) -> Vec<&str> {
        (self.meta.required.iter())
            .filter(|r| !self.situations.iter().any(|s| s.name == **r && s.seeds > 0))
            .map(String::as_str)
            .collect()
    }

    /// The seed range and shard it covers.
    pub fn range(&self) -> Option<(SeedRange, Option<Shard>)> {
        let range = self.meta.seeds.parse().ok()?;
        let shard = match &self.meta.shard {
            Some(s) => Some(s.parse().ok()?),
            None => None,
        };
        Some((range, shard))
    }

    /// Prints the summary for a person.
    pub fn print(&self, out_dir: &Path) {
        let m = &self.meta;
        let shard = m
            .shard
            .as_ref()
            .map(|s| format!(" shard {s}"))
            .unwrap_or_default();
        println!(
            "sweep: {} ({}) variant {}, seeds {}{shard}: {} run{}",
            m.scenario,
            m.scenario_file,
            m.variant,
            m.seeds,
            self.seeds_run,
            if m.complete { "" } else { " (stopped early)" }
        );
        let counts: Vec<String> = self
            .verdicts
            .iter()
            .map(|(v, n)| format!("{n} {v}"))
            .collect();
        println!("verdicts: {}", counts.join(", "));
        self.print_findings();
        if !self.groups.is_empty() {
            println!(
                "failures: {} (a scenario per failing seed: `run` on one replays it without the nemesis, `shrink` minimises it)",
                out_dir.join(super::output::FAILURES).display()
            );
        }
        self.print_situations();
        if !self.nondeterministic.is_empty() {
            println!("NOT deterministic: seeds {:?}", self.nondeterministic);
        }
        println!("rows: {}", out_dir.join("seeds.csv").display());
    }

    /// One line per finding: the checkers that failed the same way on the
    /// same seeds together, then the command that reproduces its first seed.
    fn print_findings(&self) {
        let last = self.groups.iter().map(|g| g.finding).max().unwrap_or(0);
        for finding in 1..=last {
            let mine: Vec<&Group> = (self.groups.iter())
                .filter(|g| g.finding == finding)
                .collect();
            let Some(g) = mine.first() else { continue };
            let checkers: Vec<String> = (mine.iter())
                .map(|g| format!("{} ({})", g.checker, g.property))
                .collect();
            let same = if mine.len() > 1 {
                ", the same seeds"
            } else {
                ""
            };
            println!(
                "  {} {} variant {}: {} seeds{same}, first {:?}",
                g.verdict.to_uppercase(),
                checkers.join(" + "),
                g.variant,
                g.count,
                g.first_seeds
            );
            println!("    repro: {}", g.repro);
        }
    }

    fn print_situations(&self) {
        if self.situations.is_empty() || self.seeds_run == 0 {
            return;
        }
        let n = self.seeds_run;
        let counts: Vec<String> = (self.situations.iter())
            .map(|s| format!("{} {}/{n}", s.name, s.seeds))
            .collect();
        println!(
            "situations (seeds that reached each): {}",
            counts.join(", ")
        );
        let never: Vec<&str> = (self.situations.iter())
            .filter(|s| s.seeds == 0)
            .map(|s| s.name.as_str())
            .collect();
        if !never.is_empty() {
            println!(
                "  never reached in any of {n} seeds: {} (what no seed reached, no seed tested)",
                never.join(", ")
            );
        }
        let unmet = self.required_never_reached();
        if !unmet.is_empty() {
            println!(
                "  UNKNOWN: [check] require names {} but no seed reached it",
                unmet.join(", ")
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seed: u64, verdict: &str, reached: &str) -> SeedRow {
        SeedRow {
            seed,
            verdict: verdict.into(),
            failing: String::new(),
            ops: 1,
            faults: 0,
            trace_hash: String::new(),
            determinism: String::new(),
            reached: reached.into(),
        }
    }

    fn meta(required: &[&str]) -> SweepMeta {
        SweepMeta {
            faultline_version: String::new(),
            scenario: "s".into(),
            scenario_file: "s.toml".into(),
            scenario_fnv: String::new(),
            protocol: "p".into(),
            variant: "correct".into(),
            seeds: "1..4".into(),
            shard: None,
            complete: true,
            declared_situations: vec!["crash".into(), "split".into(), "never".into()],
            required: required.iter().map(|s| s.to_string()).collect(),
            overrides: String::new(),
        }
    }

    fn failing(seed: u64, failing: &str) -> SeedRow {
        SeedRow {
            failing: failing.into(),
            ..row(seed, "invalid", "")
        }
    }

    #[test]
    fn checkers_failing_on_the_same_seeds_are_one_finding() {
        let rows = [
            failing(1, "a/always/invalid b/always/invalid"),
            failing(2, "a/always/invalid b/always/invalid c/always/invalid"),
            failing(3, "c/always/invalid"),
        ];
        let mut m = meta(&[]);
        m.overrides = "--variant x".into();
        let s = SweepSummary::of(m, &rows);
        let findings: Vec<(&str, usize)> = (s.groups.iter())
            .map(|g| (g.checker.as_str(), g.finding))
            .collect();
        assert_eq!(findings, [("a", 1), ("b", 1), ("c", 2)]);
        assert!(
            s.groups[0].repro.ends_with("--seed 1 --variant x"),
            "{}",
            s.groups[0].repro
        );
    }

    #[test]
    fn situations_are_counted_per_seed_and_a_required_one_no_seed_reached_is_unknown() {
        let rows = [
            row(1, "valid", "crash split"),
            row(2, "valid", ""),
            row(3, "valid", "crash"),
        ];
        let s = SweepSummary::of(meta(&["crash"]), &rows);
        let counts: Vec<(&str, u64, &[u64])> = (s.situations.iter())
            .map(|c| (c.name.as_str(), c.seeds, c.first_seeds.as_slice()))
            .collect();
        assert_eq!(
            counts,
            [
                ("crash", 2, &[1, 3][..]),
                ("split", 1, &[1][..]),
                ("never", 0, &[][..])
            ]
        );
        // A seed that misses a required situation is no failure by itself.
        assert_eq!(s.exit_code(), 0);
        let s = SweepSummary::of(meta(&["crash", "never"]), &rows);
        assert_eq!(s.required_never_reached(), ["never"]);
        assert_eq!(s.exit_code(), 2);
    }
}
