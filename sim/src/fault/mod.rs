//! Faults are data: one enum ([`FaultAction`]), scheduled from the scenario
//! or drawn by the [`nemesis`], applied in one place (`world::faults`).
//!
//! A planned fault names its targets abstractly ("the leader", "a random
//! follower"); they are resolved when it applies, from the roles the nodes
//! announced. What was actually done is kept as an [`AppliedFault`] with
//! concrete node names: the run's fault timeline, which can be written back
//! as an explicit `[[faults]]` schedule that reproduces the run.

pub mod nemesis;
pub mod target;

pub use target::Target;

use faultline_models::{FaultKind, NodeId};
use serde::Serialize;

/// How to split the cluster for a symmetric partition.
#[derive(Debug, Clone, PartialEq)]
pub enum Split {
    /// Cut the targets off from everyone else.
    Isolate(Target),
    /// A random majority and minority.
    Majority,
    /// Two random halves (as even as possible).
    Halves,
    /// Two halves that both reach one random bridge node.
    Bridge,
    /// Each node reaches only its ring neighbours (in a random ring).
    Ring,
    /// Explicit groups.
    Groups(Vec<Vec<NodeId>>),
    /// Explicit blocked directed pairs (how timelines are written back).
    Pairs(Vec<(NodeId, NodeId)>),
}

/// One fault.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultAction {
    /// Kill nodes; undo restarts them from durable storage.
    Crash {
        /// Whom.
        target: Target,
        /// Also drop writes not yet synced.
        lose_unsynced: bool,
    },
    /// Stop-the-world pause; undo resumes.
    Pause(Target),
    /// A symmetric partition.
    Partition(Split),
    /// Drop messages from `from` to `to` only.
    OneWay {
        /// Senders.
        from: Target,
        /// Receivers.
        to: Target,
    },
    /// Step the targets' clocks by `offset_us`; undo steps back.
    Skew {
        /// Whom.
        target: Target,
        /// The step.
        offset_us: i64,
    },
    /// Set the targets' drift; undo restores the old rate.
    Drift {
        /// Whom.
        target: Target,
        /// Parts per million.
        ppm: f64,
    },
    /// Extra message loss on every link.
    Loss(f64),
    /// Extra message duplication on every link.
    Duplicate(f64),
}

impl FaultAction {
    /// The kind's name as written in scenario files.
    pub fn kind(&self) -> FaultKind {
        match self {
            FaultAction::Crash { .. } => FaultKind::Crash,
            FaultAction::Pause(_) => FaultKind::Pause,
            FaultAction::Partition(_) => FaultKind::Partition,
            FaultAction::OneWay { .. } => FaultKind::OneWay,
            FaultAction::Skew { .. } => FaultKind::Skew,
            FaultAction::Drift { .. } => FaultKind::Drift,
            FaultAction::Loss(_) => FaultKind::Loss,
            FaultAction::Duplicate(_) => FaultKind::Duplicate,
        }
    }
}

/// The fault kinds scenario files may name.
pub const KINDS: &[&str] = &[
    "crash",
    "pause",
    "partition",
    "one-way",
    "skew",
    "drift",
    "loss",
    "duplicate",
];

/// A fault at a time, optionally undone after a while.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedFault {
    /// When it applies (true simulated microseconds).
    pub at_us: u64,
    /// How long until undone; None: at heal.
    pub for_us: Option<u64>,
    /// What.
    pub action: FaultAction,
}

/// A fault as applied, with concrete nodes: one line of the fault timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedFault {
    /// When it applied.
    pub at_us: u64,
    /// When it was undone (at its end or at heal), if it was.
    pub until_us: Option<u64>,
    /// The kind, as in scenario files.
    pub kind: FaultKind,
    /// The nodes it hit (crash, pause, skew, drift), by name.
    pub nodes: Vec<String>,
    /// Blocked directed links (partition, one-way), by name.
    pub pairs: Vec<(String, String)>,
    /// Skew offset, drift ppm, or loss/duplicate probability.
    pub amount: Option<f64>,
    /// For crashes: unsynced writes were lost.
    pub lose_unsynced: bool,
    /// False when no node matched the target (nothing happened).
    pub effective: bool,
}
