//! How big a failing scenario is: what the shrinker makes smaller.

use super::edit::Draft;
use crate::run::RunOutcome;
use std::fmt;

/// The measures the shrinker reduces, and the ops the run made.
#[derive(Debug, Clone, PartialEq)]
pub struct Size {
    /// `[[faults]]` entries.
    pub faults: usize,
    /// Their summed length in ms (a fault lasting until heal counts to heal).
    pub fault_ms: f64,
    /// Client processes.
    pub clients: u64,
    /// Safety phase.
    pub duration_ms: f64,
    /// Liveness phase.
    pub converge_ms: f64,
    /// Client operations invoked in the run.
    pub ops: usize,
}

impl Size {
    /// Measures `draft` and the run `outcome` it gave.
    pub fn of(draft: &Draft, outcome: &RunOutcome) -> Size {
        let duration_ms = outcome.heal_us as f64 / 1000.0;
        let fault_ms = draft
            .fault_windows()
            .iter()
            .map(|(at, len)| len.unwrap_or(duration_ms - at).max(0.0))
            .sum();
        let ops = outcome
            .history
            .op_lines()
            .filter(|o| o.kind == faultline_models::OpType::Invoke)
            .count();
        Size {
            faults: draft.fault_count(),
            fault_ms,
            clients: draft.get("workload", "clients").map_or(2, |c| c as u64),
            duration_ms,
            converge_ms: (outcome.end_us - outcome.heal_us) as f64 / 1000.0,
            ops,
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} faults ({:.1} ms in all), {} clients, {} ops, {} + {} ms",
            self.faults,
            self.fault_ms.abs(),
            self.clients,
            self.ops,
            self.duration_ms,
            self.converge_ms
        )
    }
}
