//! Shrinking: minimise a failing run into a small regression scenario.
//!
//! The failing run's fault timeline is first *materialised*: `[nemesis]`
//! is replaced by the faults it actually applied, as explicit `[[faults]]`
//! with concrete nodes and times (the fault schedule comes from its own
//! random stream, so this replays the run; `tests/engine_faults.rs` proves
//! it). Then, as long as the same property (checker name) still fails with
//! the same verdict, greedy passes make the scenario smaller:
//!
//! 1. fewer faults, by delta debugging (Zeller & Hildebrandt, "Simplifying
//!    and Isolating Failure-Inducing Input", TSE 2002: try dropping halves,
//!    then quarters, ... of the fault list, and each chunk's complement);
//! 2. shorter fault windows (halving each `for_ms`);
//! 3. fewer clients, and with a shorter safety and liveness phase fewer ops
//!    (halving; faults that would start after the shortened phase go);
//! 4. no background noise (network loss, duplication, reordering, static
//!    clock error), one knob at a time.
//!
//! Each candidate is re-run from its text through the [`Registry`], with
//! the same seed, and kept only if it still fails; passes repeat until one
//! round changes nothing or the run budget is spent. The result reports
//! its size before and after and the number of runs tried.

pub mod edit;
pub mod size;

use crate::error::Error;
use crate::registry::Registry;
use crate::run::RunOutcome;
use crate::scenario::Source;
use edit::Draft;
pub use size::Size;
use std::path::PathBuf;

/// What to shrink towards.
#[derive(Debug, Clone)]
pub struct ShrinkConfig {
    /// The failing seed.
    pub seed: u64,
    /// The property that must keep failing (default: the first checker that
    /// is not valid).
    pub checker: Option<String>,
    /// Candidate runs allowed.
    pub runs_max: usize,
}

/// A shrunk failing scenario.
#[derive(Debug, Clone)]
pub struct Shrunk {
    /// The minimal scenario's text, with `[check] only` and `expect` set.
    pub text: String,
    /// The property that fails.
    pub checker: String,
    /// Its verdict ("invalid", or "unknown").
    pub verdict: &'static str,
    /// Size of the materialised original.
    pub before: Size,
    /// Size of the result.
    pub after: Size,
    /// Runs made, the original included.
    pub runs: usize,
}

/// The shrinker's state: the smallest failing draft so far.
struct Shrinker<'a> {
    registry: &'a Registry,
    path: PathBuf,
    seed: u64,
    checker: String,
    verdict: &'static str,
    best: Draft,
    best_outcome: RunOutcome,
    runs: usize,
    runs_max: usize,
}

/// Shrinks `source`'s run of `cfg.seed`, which must fail.
pub fn shrink(registry: &Registry, source: Source, cfg: &ShrinkConfig) -> Result<Shrunk, Error> {
    let original = registry.load_source(source.clone())?.run(cfg.seed);
    let (checker, verdict) = failing_check(&original, cfg)?;
    let draft = Draft::materialise(&source.text, cfg.seed, &original.timeline)?;
    let mut s = Shrinker {
        registry,
        path: source.path,
        seed: cfg.seed,
        checker,
        verdict,
        best: draft.clone(),
        best_outcome: original,
        runs: 1,
        runs_max: cfg.runs_max.max(2),
    };
    if !s.fails(&draft)? {
        return Err(Error::Usage(format!(
            "seed {}: the materialised fault schedule does not reproduce the {} failure \
             (a fault the timeline cannot express?); nothing to shrink",
            s.seed, s.checker
        )));
    }
    let before = Size::of(&s.best, &s.best_outcome);
    s.minimise()?;
    let after = Size::of(&s.best, &s.best_outcome);
    let mut best = s.best.clone();
    best.expect(&s.checker, s.verdict);
    Ok(Shrunk {
        text: best.text(),
        checker: s.checker,
        verdict: s.verdict,
        before,
        after,
        runs: s.runs,
    })
}

/// The property to keep failing, and its verdict.
fn failing_check(o: &RunOutcome, cfg: &ShrinkConfig) -> Result<(String, &'static str), Error> {
    if let Some(name) = cfg.checker.as_deref() {
        if !o.checks.iter().any(|c| c.name == name) {
            let runs: Vec<&str> = o.checks.iter().map(|c| c.name).collect();
            return Err(Error::Usage(format!(
                "--checker {name}: unknown checker {name:?}; this scenario runs: {}",
                runs.join(", ")
            )));
        }
    }
    let found = o.checks.iter().find(|c| {
        c.verdict.word() != "valid" && cfg.checker.as_deref().is_none_or(|n| n == c.name)
    });
    match found {
        Some(c) => Ok((c.name.to_string(), c.verdict.word())),
        None => Err(Error::Usage(format!(
            "seed {} does not fail{}: nothing to shrink",
            cfg.seed,
            cfg.checker
                .as_ref()
                .map(|c| format!(" checker {c}"))
                .unwrap_or_default()
        ))),
    }
}

/// `draft` with `clients = 0` when its run is no longer than the client
/// timeout: clients stop issuing `timeout_ms` before the end, so they would
/// run nothing, which validation rejects as a contradiction. Zero clients
/// run the same events.
fn without_idle_clients(draft: &Draft) -> Draft {
    let timeout_ms = draft.get("workload", "timeout_ms").unwrap_or(1000.0);
    let run_ms = draft.get("run", "duration_ms").unwrap_or(0.0)
        + draft.get("run", "converge_ms").unwrap_or(5000.0);
    let clients = draft.get("workload", "clients").unwrap_or(2.0);
    if clients > 0.0 && timeout_ms >= run_ms {
        return draft.with("workload", "clients", 0);
    }
    draft.clone()
}

impl Shrinker<'_> {
    /// Runs `draft`; if the property still fails, keeps it as the best.
    fn fails(&mut self, draft: &Draft) -> Result<bool, Error> {
        if self.runs >= self.runs_max {
            return Ok(false);
        }
        self.runs += 1;
        let draft = &without_idle_clients(draft);
        let source = Source {
            path: self.path.clone(),
            text: draft.text(),
        };
        // A candidate the validator rejects (e.g. a fault outside the
        // shortened run) simply does not fail.
        let Ok(scenario) = self.registry.load_source(source) else {
            return Ok(false);
        };
        let outcome = scenario.run(self.seed);
        let still = outcome
            .checks
            .iter()
            .any(|c| c.name == self.checker && c.verdict.word() == self.verdict);
        if still {
            self.best = draft.clone();
            self.best_outcome = outcome;
        }
        Ok(still)
    }

    /// Repeats every pass until a round changes nothing.
    fn minimise(&mut self) -> Result<(), Error> {
        for _round in 0..self.runs_max {
            let start = self.best.text();
            self.fewer_faults()?;
            self.shorter_faults()?;
            self.halve("workload", "clients", 2.0, 1.0, true)?;
            self.shorter_run()?;
            self.quiet_background()?;
            if self.best.text() == start || self.runs >= self.runs_max {
                break;
            }
        }
        Ok(())
    }

    /// Delta debugging over the fault list.
    fn fewer_faults(&mut self) -> Result<(), Error> {
        let all: Vec<usize> = (0..self.best.fault_count()).collect();
        if all.is_empty() || self.fails(&self.best.keep_faults(&[]))? {
            return Ok(());
        }
        let mut chunks = 2;
        let mut keep = all;
        while keep.len() >= 2 && self.runs < self.runs_max {
            let base = self.best.clone();
            let size = keep.len().div_ceil(chunks);
            let mut reduced = false;
            for part in keep.clone().chunks(size) {
                let rest: Vec<usize> = keep.iter().copied().filter(|i| !part.contains(i)).collect();
                if self.fails(&base.keep_faults(&rest))? {
                    // `best` now numbers its faults 0..rest.len().
                    keep = (0..rest.len()).collect();
                    chunks = (chunks - 1).max(2);
                    reduced = true;
                    break;
                }
            }
            if !reduced {
                if chunks >= keep.len() {
                    break;
                }
                chunks = (chunks * 2).min(keep.len());
            }
        }
        Ok(())
    }

    /// Halves each fault's window while the failure persists.
    fn shorter_faults(&mut self) -> Result<(), Error> {
        for i in 0..self.best.fault_count() {
            let heal_ms = self.best_outcome.heal_us as f64 / 1000.0;
            while let Some(&(at, len)) = self.best.fault_windows().get(i) {
                let len = len.unwrap_or(heal_ms - at);
                let shorter = (len / 2.0).floor();
                if shorter < 1.0 || !self.fails(&self.best.with_fault_length(i, shorter))? {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Halves `table.key` (default `default`) towards `floor` while it fails.
    fn halve(
        &mut self,
        table: &str,
        key: &str,
        default: f64,
        floor: f64,
        int: bool,
    ) -> Result<(), Error> {
        loop {
            let now = self.best.get(table, key).unwrap_or(default);
            let half = if int {
                (now / 2.0).floor()
            } else {
                (now / 2.0).round()
            };
            let next = half.max(floor);
            if next >= now {
                return Ok(());
            }
            let draft = if int {
                self.best.with(table, key, next as i64)
            } else {
                self.best.with(table, key, next)
            };
            if !self.fails(&draft)? {
                return Ok(());
            }
        }
    }

    /// Halves the safety phase, then the liveness phase.
    fn shorter_run(&mut self) -> Result<(), Error> {
        loop {
            let now = self.best_outcome.heal_us as f64 / 1000.0;
            let next = (now / 2.0).round();
            if next < 1.0 || next >= now || !self.fails(&self.best.with_duration(next))? {
                break;
            }
        }
        let converge_ms = (self.best_outcome.end_us - self.best_outcome.heal_us) as f64 / 1000.0;
        self.halve("run", "converge_ms", converge_ms, 1.0, false)
    }

    /// Turns off background loss, duplication, reordering and clock error.
    fn quiet_background(&mut self) -> Result<(), Error> {
        for (table, key) in [
            ("network", "loss"),
            ("network", "duplicate"),
            ("network", "reorder"),
            ("clock", "skew_ms_max"),
            ("clock", "drift_ppm_max"),
        ] {
            if self.best.get(table, key).is_some_and(|v| v != 0.0) {
                self.fails(&self.best.with(table, key, 0.0))?;
            }
        }
        Ok(())
    }
}
