//! The determinism guard: run one seed twice in one process and compare.
//!
//! Both runs keep a trail (the trace hash after every event, see
//! [`crate::trace`]), so when their final hashes differ the guard names the
//! first event at which they parted: its number, simulated time, kind and
//! node on each side. That event, or what led to it, is where
//! nondeterminism (a std `HashMap` walk, a wall clock, an unseeded RNG)
//! reached the run. madsim's own `check_determinism` only compares RNG call
//! counts; this compares everything the trace hashes (../shared/MADSIM.md).

use crate::registry::LoadedScenario;
use crate::run::{RunOptions, RunOutcome};
use crate::trace::{first_difference, Divergence, TrailStep};
use crate::world::node_task::tag;
use std::fmt;

/// Two runs of one seed that should have been equal and were not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nondeterminism {
    /// The seed.
    pub seed: u64,
    /// The two trace hashes.
    pub hashes: (String, String),
    /// Where the trails first differ (None: the trails agree though the
    /// hashes do not, e.g. a trail hit its length bound).
    pub divergence: Option<Divergence>,
    /// Node names, to print steps.
    pub nodes: Vec<String>,
}

/// Runs `scenario` with `seed` twice; returns the first run and whether the
/// second matched it.
pub fn check(scenario: &dyn LoadedScenario, seed: u64) -> (RunOutcome, Result<(), Nondeterminism>) {
    check_with(scenario, seed, RunOptions::default())
}

/// [`check`] with options for both runs (a trail is always kept).
pub fn check_with(
    scenario: &dyn LoadedScenario,
    seed: u64,
    opts: RunOptions,
) -> (RunOutcome, Result<(), Nondeterminism>) {
    let opts = RunOptions {
        trail: true,
        ..opts
    };
    let mut first = scenario.run_with(seed, opts);
    let mut second = scenario.run_with(seed, opts);
    let (a, b) = (first.trail.take(), second.trail.take());
    if first.trace_hash == second.trace_hash {
        return (first, Ok(()));
    }
    let divergence = match (a, b) {
        (Some(a), Some(b)) => first_difference(&a, &b),
        _ => None,
    };
    let err = Nondeterminism {
        seed,
        hashes: (first.trace_hash.clone(), second.trace_hash.clone()),
        divergence,
        nodes: first.nodes.clone(),
    };
    (first, Err(err))
}

/// The name of a trace tag.
pub fn tag_name(t: u8) -> &'static str {
    match t {
        tag::DELIVER => "deliver",
        tag::TIMER => "timer",
        tag::REQUEST => "client request",
        tag::SEND => "send",
        tag::EVENT => "protocol event",
        tag::OP => "client op",
        tag::FAULT => "fault",
        tag::START => "node start",
        tag::PERSIST => "persist",
        tag::FORGET => "forget",
        _ => "unknown",
    }
}

impl Nondeterminism {
    fn step(&self, s: Option<TrailStep>) -> String {
        let Some(s) = s else {
            return "the run had ended".into();
        };
        let node = self.nodes.get(s.node).map_or("the engine", String::as_str);
        format!(
            "{} on {node} at {:.6}s",
            tag_name(s.tag),
            s.time_us as f64 / 1e6
        )
    }
}

impl fmt::Display for Nondeterminism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "NOT deterministic: seed {} gave trace hashes {} and {}",
            self.seed, self.hashes.0, self.hashes.1
        )?;
        match &self.divergence {
            Some(d) => write!(
                f,
                "; first differing event #{}: run 1 {}, run 2 {}",
                d.index,
                self.step(d.a),
                self.step(d.b)
            ),
            None => write!(f, "; the per-event trails agree (trail bound reached?)"),
        }
    }
}
