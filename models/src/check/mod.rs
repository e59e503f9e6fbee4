//! The checker interface and verdicts.
//!
//! A checker judges a finished run's [`History`] for one named property.
//! `Always` properties must hold at every point of the run (safety);
//! `Eventually` properties must hold by the end of the liveness phase, which
//! starts when faults heal (see [`CheckContext`]); `Progress` properties
//! must hold in every stretch with no fault in force ([`progress`]).

use crate::history::{History, RawEvent};
use serde::Serialize;

pub mod linearizability;
pub mod progress;
pub mod situation;
pub mod windows;

/// When a property must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Property {
    /// At every moment of the run (safety).
    Always,
    /// Within the convergence bound after heal (liveness).
    Eventually,
    /// In every quiet window, within a bound (see [`progress`]).
    Progress,
}

/// An instant of simulated time as violation messages write it:
/// milliseconds with three decimals ("419.140 ms"), the one unit of every
/// message, console line and report page.
pub fn at_ms(us: u64) -> String {
    format!("{}.{:03} ms", us / 1000, us % 1000)
}

/// One way a property was broken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// What went wrong, in words.
    pub message: String,
    /// When (simulated microseconds), if it has a moment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_us: Option<u64>,
    /// Indices into `History::entries` of the lines involved.
    pub entries: Vec<usize>,
}

/// A checker's judgement.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "lowercase")]
pub enum Verdict {
    /// The property held.
    Valid,
    /// The property was broken; at least one violation.
    Invalid {
        /// The violations found (bounded by the checker).
        violations: Vec<Violation>,
    },
    /// The history cannot decide (e.g. too little happened, or a search bound was hit).
    Unknown {
        /// Why not.
        reason: String,
    },
}

impl Verdict {
    /// The verdict's word: "valid", "invalid" or "unknown".
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid { .. } => "invalid",
            Verdict::Unknown { .. } => "unknown",
        }
    }

    /// An invalid verdict with one violation.
    pub fn invalid(message: String, time_us: Option<u64>, entries: Vec<usize>) -> Verdict {
        Verdict::Invalid {
            violations: vec![Violation {
                message,
                time_us,
                entries,
            }],
        }
    }
}

/// Facts about the run that checkers need besides the history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckContext {
    /// Node names, indexed by `NodeId`.
    pub nodes: Vec<String>,
    /// When faults stopped and the network healed.
    pub heal_us: u64,
    /// When the run ended (heal + convergence bound, or earlier if asked).
    pub end_us: u64,
}

/// What a checker judges, known without building it (for `faultline list`
/// and for validating `[check] only`): each checker type has one as a
/// `const`, and its model lists them in [`crate::Model::CHECKERS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckerInfo {
    /// The property's name, e.g. "election-safety".
    pub name: &'static str,
    /// Safety or liveness.
    pub property: Property,
    /// One sentence on what must hold.
    pub description: &'static str,
}

/// Judges one property of a history of events `E`.
pub trait Checker<E = RawEvent>: Send + Sync {
    /// What it judges.
    fn info(&self) -> &'static CheckerInfo;
    /// The property's name, e.g. "election-safety".
    fn name(&self) -> &'static str {
        self.info().name
    }
    /// Safety or liveness.
    fn property(&self) -> Property {
        self.info().property
    }
    /// One sentence on what must hold.
    fn describe(&self) -> &'static str {
        self.info().description
    }
    /// Judges `history`.
    fn check(&self, history: &History<E>, ctx: &CheckContext) -> Verdict;
}
