//! Fault lines: what the engine (or the unit-test cluster) did to the
//! cluster, typed, so that the engine and [`crate::testkit`] write the same
//! kinds and a checker's `match` on them is checked by the compiler.

use crate::name::Name;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A kind of fault, as scenario files name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Nodes killed; their end restarts them from durable storage.
    Crash,
    /// Nodes stopped the world; their end resumes them.
    Pause,
    /// Links cut both ways.
    Partition,
    /// Links cut one way.
    OneWay,
    /// Clocks stepped by `amount` ms.
    Skew,
    /// Clock rates changed to `amount` ppm.
    Drift,
    /// Extra loss of probability `amount` on every link.
    Loss,
    /// Extra duplication of probability `amount` on every link.
    Duplicate,
}

impl FaultKind {
    /// Every kind, in declaration order.
    pub const ALL: [FaultKind; 8] = [
        FaultKind::Crash,
        FaultKind::Pause,
        FaultKind::Partition,
        FaultKind::OneWay,
        FaultKind::Skew,
        FaultKind::Drift,
        FaultKind::Loss,
        FaultKind::Duplicate,
    ];

    /// The name scenario files use, e.g. "one-way".
    pub const fn as_str(self) -> &'static str {
        match self {
            FaultKind::Crash => "crash",
            FaultKind::Pause => "pause",
            FaultKind::Partition => "partition",
            FaultKind::OneWay => "one-way",
            FaultKind::Skew => "skew",
            FaultKind::Drift => "drift",
            FaultKind::Loss => "loss",
            FaultKind::Duplicate => "duplicate",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a fault line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultChange {
    /// A fault began (`"fault": "crash"`).
    Start(FaultKind),
    /// A fault ended (`"fault": "crash-end"`): restart, resume, links
    /// restored, clock stepped back, rate restored, loss removed.
    End(FaultKind),
    /// The safety phase ended: every fault undone, every node up.
    Heal,
    /// A fault line of an external history that Faultline does not model
    /// (e.g. a Jepsen nemesis op); checkers of Faultline's runs never see it.
    Other(Name),
}

impl FaultChange {
    /// The `fault` field's text.
    pub fn label(&self) -> String {
        match self {
            FaultChange::Start(k) => k.as_str().to_string(),
            FaultChange::End(k) => format!("{k}-end"),
            FaultChange::Heal => "heal".to_string(),
            FaultChange::Other(n) => n.to_string(),
        }
    }

    /// Reads the `fault` field's text.
    pub fn parse(s: &str) -> Result<FaultChange, crate::name::TooManyNames> {
        if s == "heal" {
            return Ok(FaultChange::Heal);
        }
        if let Some(k) = FaultKind::parse(s) {
            return Ok(FaultChange::Start(k));
        }
        match s.strip_suffix("-end").and_then(FaultKind::parse) {
            Some(k) => Ok(FaultChange::End(k)),
            None => Name::intern(s).map(FaultChange::Other),
        }
    }
}

/// A fault the engine applied or ended.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultEntry {
    /// Simulated time in microseconds.
    pub time_us: u64,
    /// What happened.
    pub change: FaultChange,
    /// The nodes it touched (crash, pause, skew, drift), as indices into
    /// [`super::History::nodes`].
    pub nodes: Vec<usize>,
    /// The directed links it cut or restored (partition, one-way).
    pub pairs: Vec<(usize, usize)>,
    /// Skew in ms, drift in ppm, loss or duplication probability.
    pub amount: Option<f64>,
    /// For a crash: writes not yet synced were lost.
    pub lose_unsynced: bool,
}

impl FaultEntry {
    /// A line of `change` touching `nodes`, with no links or amount.
    pub fn new(time_us: u64, change: FaultChange, nodes: Vec<usize>) -> FaultEntry {
        FaultEntry {
            time_us,
            change,
            nodes,
            pairs: Vec::new(),
            amount: None,
            lose_unsynced: false,
        }
    }

    /// Whether this line cut or restored the link from `a` to `b`.
    pub fn cuts(&self, a: usize, b: usize) -> bool {
        self.pairs.contains(&(a, b))
    }
}
