//! Which stretch of a run a message-flow diagram shows, and the marks on
//! it: by default the window around the first invariant violation (else
//! around the first fault, else the start), and the history entries the
//! violations name.

use crate::run::RunOutcome;
use faultline_models::Verdict;

/// Shown before the first violation.
pub const BEFORE_VIOLATION_US: u64 = 500_000;
/// Shown after the first violation.
pub const AFTER_VIOLATION_US: u64 = 100_000;
/// Length of the window when nothing was violated.
pub const QUIET_WINDOW_US: u64 = 500_000;

/// A violation drawn on the diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// The checker.
    pub check: &'static str,
    /// Its message.
    pub message: String,
    /// When, if the checker said.
    pub time_us: Option<u64>,
    /// (node, time) of each history entry it names.
    pub points: Vec<(String, u64)>,
}

/// Every violation of the run, with the places of the entries it names.
pub fn marks(o: &RunOutcome) -> Vec<Mark> {
    let mut out = Vec::new();
    for c in &o.checks {
        let Verdict::Invalid { violations } = &c.verdict else {
            continue;
        };
        for v in violations {
            let points = v
                .entries
                .iter()
                .filter_map(|&i| {
                    let (node, time_us) = o.history.place(i)?;
                    Some((o.history.nodes().get(node)?.to_string(), time_us))
                })
                .collect();
            out.push(Mark {
                check: c.name,
                message: v.message.clone(),
                time_us: v.time_us,
                points,
            });
        }
    }
    out
}

/// The default window `[from_us, to_us)` of a run's flow diagram.
pub fn default_window(o: &RunOutcome) -> (u64, u64) {
    let first_violation = marks(o)
        .iter()
        .filter_map(|m| m.time_us.or_else(|| m.points.iter().map(|p| p.1).min()))
        .min();
    let (from, to) = match first_violation {
        Some(t) => (
            t.saturating_sub(BEFORE_VIOLATION_US),
            t + AFTER_VIOLATION_US,
        ),
        None => {
            let fault = o.timeline.iter().find(|f| f.effective).map(|f| f.at_us);
            let start = fault.map_or(0, |t| t.saturating_sub(QUIET_WINDOW_US / 5));
            (start, start + QUIET_WINDOW_US)
        }
    };
    (
        from.min(o.end_us),
        to.min(o.end_us).max(from.min(o.end_us) + 1),
    )
}
