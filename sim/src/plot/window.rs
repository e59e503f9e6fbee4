//! Which stretch of a run a message-flow diagram shows, and the marks on
//! it: by default the span of the first violation's own history entries,
//! opened back to the fault that preceded them (else around the first
//! fault, else the start), and the history entries the violations name.

use crate::run::RunOutcome;
use faultline_models::Verdict;

/// Shown before the earliest entry (or fault) of the first violation.
pub const BEFORE_US: u64 = 100_000;
/// Shown after the latest entry the first violation names.
pub const AFTER_US: u64 = 100_000;
/// How far before a violation's earliest entry a fault may begin and
/// still be taken as its cause (and open the window).
pub const LOOKBACK_MAX_US: u64 = 2_000_000;
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

/// The default window `[from_us, to_us)` of a run's flow diagram: for
/// the first violation (by the earliest moment it points at), from the
/// earliest history entry it names, or from the fault that began before
/// it (at most [`LOOKBACK_MAX_US`] earlier), to the latest entry it names;
/// with [`BEFORE_US`] and [`AFTER_US`] of context. Without a violation, a
/// quiet window from just before the first fault.
pub fn default_window(o: &RunOutcome) -> (u64, u64) {
    let named = crate::report::timeline::violations(o);
    let first = named
        .iter()
        .filter_map(|v| Some((v.first_us(o)?, v)))
        .min_by_key(|(t, _)| *t);
    let (from, to) = match first {
        Some((start, v)) => {
            let times = v.entries.iter().filter_map(|&i| o.history.time_us(i));
            let last = times.chain(v.time_us).max().unwrap_or(start).max(start);
            let fault = o
                .timeline
                .iter()
                .filter(|f| f.effective && f.at_us <= start && start - f.at_us <= LOOKBACK_MAX_US)
                .map(|f| f.at_us)
                .max();
            (
                fault.unwrap_or(start).saturating_sub(BEFORE_US),
                last + AFTER_US,
            )
        }
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
