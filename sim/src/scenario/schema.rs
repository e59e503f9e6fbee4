//! The scenario file's schema, as serde reads it. Unknown keys are rejected
//! everywhere; `scenarios/README.md` documents every key with an example.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole scenario file; `P` is the protocol's own `[protocol.params]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(
    deny_unknown_fields,
    bound(deserialize = "P: Deserialize<'de> + Default")
)]
pub struct ScenarioFile<P> {
    /// Name used for report folders; defaults to the file stem.
    pub name: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Seed used when `--seed` is not given.
    pub seed: Option<u64>,
    /// The protocol, its variant, size and parameters.
    pub protocol: ProtocolSpec<P>,
    /// The network's latency and message faults.
    #[serde(default)]
    pub network: NetworkSpec,
    /// Static clock skew and drift per node.
    #[serde(default)]
    pub clock: ClockSpec,
    /// Client processes and their operations.
    #[serde(default)]
    pub workload: WorkloadSpec,
    /// Phase lengths.
    pub run: RunSpec,
    /// An explicit fault schedule.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    /// Random faults drawn from the seed.
    pub nemesis: Option<NemesisSpec>,
    /// Which checkers run, and what verdict is expected.
    #[serde(default)]
    pub check: CheckSpec,
    /// The matrix `faultline compare` runs this scenario over (ignored by `run`).
    pub compare: Option<CompareSpec>,
}

/// `[protocol]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(
    deny_unknown_fields,
    bound(deserialize = "P: Deserialize<'de> + Default")
)]
pub struct ProtocolSpec<P> {
    /// Registered protocol name, e.g. "raft".
    pub name: String,
    /// Variant name; "correct" by default.
    #[serde(default = "correct")]
    pub variant: String,
    /// Number of server nodes.
    pub nodes: usize,
    /// The protocol's parameters.
    #[serde(default)]
    pub params: P,
}

fn correct() -> String {
    "correct".to_string()
}

/// A latency distribution, in milliseconds.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum LatencySpec {
    /// Always `ms`.
    Constant {
        /// The latency.
        ms: f64,
    },
    /// Uniform in `[min_ms, max_ms]`.
    Uniform {
        /// Lower bound.
        min_ms: f64,
        /// Upper bound.
        max_ms: f64,
    },
    /// Normal, truncated at zero.
    Normal {
        /// Mean.
        mean_ms: f64,
        /// Standard deviation.
        stddev_ms: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean.
        mean_ms: f64,
    },
    /// Log-normal with the given median and shape `sigma` (heavy tail).
    Lognormal {
        /// Median.
        median_ms: f64,
        /// Shape (standard deviation of the log).
        sigma: f64,
    },
    /// Pareto with scale `min_ms` and tail index `alpha` (heavier tail).
    Pareto {
        /// Scale: the smallest latency.
        min_ms: f64,
        /// Tail index; smaller is heavier.
        alpha: f64,
    },
}

impl Default for LatencySpec {
    fn default() -> Self {
        LatencySpec::Uniform {
            min_ms: 1.0,
            max_ms: 10.0,
        }
    }
}

/// `[network]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// Default one-way latency.
    #[serde(default)]
    pub latency: LatencySpec,
    /// Probability a message is lost.
    #[serde(default)]
    pub loss: f64,
    /// Probability a message is delivered twice.
    #[serde(default)]
    pub duplicate: f64,
    /// Probability a message is held back by up to `reorder_ms` extra.
    #[serde(default)]
    pub reorder: f64,
    /// The extra delay bound for reordered messages.
    #[serde(default = "default_reorder_ms")]
    pub reorder_ms: f64,
    /// Per-link overrides, applied in order (later wins).
    #[serde(default)]
    pub links: Vec<LinkSpec>,
}

fn default_reorder_ms() -> f64 {
    50.0
}

/// `[[network.links]]`: overrides for messages from `from` to `to`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    /// Sender names, or ["*"] for all.
    pub from: Vec<String>,
    /// Receiver names, or ["*"] for all.
    pub to: Vec<String>,
    /// Also apply to the reverse direction.
    #[serde(default)]
    pub both_ways: bool,
    /// Latency on this link.
    pub latency: Option<LatencySpec>,
    /// Loss probability on this link.
    pub loss: Option<f64>,
    /// Duplication probability on this link.
    pub duplicate: Option<f64>,
}

/// `[clock]`: each node gets a static offset and drift drawn from the seed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSpec {
    /// Offsets are uniform in `[-skew_ms_max, skew_ms_max]`.
    #[serde(default)]
    pub skew_ms_max: f64,
    /// Drift rates are uniform in `[-drift_ppm_max, drift_ppm_max]`.
    #[serde(default)]
    pub drift_ppm_max: f64,
}

/// `[workload]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// Concurrent client processes (each has one op in flight at a time).
    #[serde(default = "default_clients")]
    pub clients: usize,
    /// Ops per second per client, on average (exponential gaps).
    #[serde(default = "default_rate")]
    pub rate_per_s: f64,
    /// A request unanswered after this long is recorded as `info`.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: f64,
    /// Op name → weight; empty uses the protocol's default mix.
    #[serde(default)]
    pub mix: BTreeMap<String, u32>,
}

fn default_clients() -> usize {
    2
}
fn default_rate() -> f64 {
    10.0
}
fn default_timeout_ms() -> f64 {
    1000.0
}

impl Default for WorkloadSpec {
    fn default() -> Self {
        WorkloadSpec {
            clients: 2,
            rate_per_s: 10.0,
            timeout_ms: 1000.0,
            mix: BTreeMap::new(),
        }
    }
}

/// `[run]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Safety phase: workload under faults.
    pub duration_ms: f64,
    /// Liveness phase after heal: the convergence bound.
    #[serde(default = "default_converge_ms")]
    pub converge_ms: f64,
    /// Most history lines a run keeps; past it the run stops (exit 5).
    #[serde(default = "default_history_entries_max")]
    pub history_entries_max: u64,
    /// Most events dispatched at one simulated instant; past it the run
    /// stops as a livelock (exit 5).
    #[serde(default = "default_events_per_instant_max")]
    pub events_per_instant_max: u64,
    /// Most events one run dispatches; past it the run stops (exit 5).
    #[serde(default = "default_events_max")]
    pub events_max: u64,
}

fn default_events_per_instant_max() -> u64 {
    super::limits::EVENTS_PER_INSTANT_MAX_DEFAULT
}
fn default_events_max() -> u64 {
    super::limits::EVENTS_MAX_DEFAULT
}

fn default_converge_ms() -> f64 {
    5000.0
}

/// About 90 bytes a line: ~1 GB of history, several times a 60 s run of
/// any bundled scenario, and far below what would exhaust a machine.
pub const HISTORY_ENTRIES_MAX_DEFAULT: u64 = 10_000_000;
/// The most `history_entries_max` may be set to.
pub const HISTORY_ENTRIES_MAX_LIMIT: u64 = 1_000_000_000;

fn default_history_entries_max() -> u64 {
    HISTORY_ENTRIES_MAX_DEFAULT
}

/// `[[faults]]`: one scheduled fault (optionally repeated).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// When, from the start of the run.
    pub at_ms: f64,
    /// How long until it is undone; absent: until heal.
    pub for_ms: Option<f64>,
    /// crash | pause | partition | one-way | skew | drift | loss | duplicate.
    pub kind: String,
    /// Whom: a node name, a role ("leader"), "random", or "random-<role>".
    pub target: Option<String>,
    /// Explicit node names (instead of `target`).
    pub nodes: Option<Vec<String>>,
    /// For partitions: isolate | majority | halves | bridge | ring.
    pub split: Option<String>,
    /// For partitions: explicit groups of node names.
    pub groups: Option<Vec<Vec<String>>>,
    /// For partitions: explicit blocked directed links [from, to] (a list,
    /// so that a pair of three names is an error rather than truncated).
    pub pairs: Option<Vec<Vec<String>>>,
    /// For one-way partitions: senders whose messages are dropped...
    pub from: Option<Vec<String>>,
    /// ...towards these receivers.
    pub to: Option<Vec<String>>,
    /// For crashes: also lose writes not yet synced.
    #[serde(default)]
    pub lose_unsynced: bool,
    /// For skew: clock jump.
    pub offset_ms: Option<f64>,
    /// For drift: rate error in parts per million.
    pub ppm: Option<f64>,
    /// For loss/duplicate: the probability while it lasts.
    pub probability: Option<f64>,
    /// Repeat the fault this many times in all.
    pub repeat: Option<u32>,
    /// Period between repeats.
    pub every_ms: Option<f64>,
    /// Each occurrence is shifted by a uniform draw in [0, jitter_ms).
    pub jitter_ms: Option<f64>,
}

/// `[nemesis]`: random faults drawn from the seed during the safety phase.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NemesisSpec {
    /// Fault kinds to draw from (as in `[[faults]] kind`).
    pub kinds: Vec<String>,
    /// Targets to draw from; default ["random"].
    #[serde(default = "default_targets")]
    pub targets: Vec<String>,
    /// Quiet gap between faults: lower bound.
    #[serde(default = "default_gap_min")]
    pub interval_ms_min: f64,
    /// Quiet gap between faults: upper bound.
    #[serde(default = "default_gap_max")]
    pub interval_ms_max: f64,
    /// Fault length: lower bound.
    #[serde(default = "default_gap_min")]
    pub duration_ms_min: f64,
    /// Fault length: upper bound.
    #[serde(default = "default_gap_max")]
    pub duration_ms_max: f64,
    /// For crashes: lose unsynced writes.
    #[serde(default)]
    pub lose_unsynced: bool,
}

fn default_targets() -> Vec<String> {
    vec!["random".to_string()]
}
fn default_gap_min() -> f64 {
    500.0
}
fn default_gap_max() -> f64 {
    2000.0
}

/// `[check]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// Only these checkers (by name); default all of the protocol's.
    pub only: Option<Vec<String>>,
    /// Expected overall verdict for regression files: valid | invalid | unknown.
    pub expect: Option<String>,
    /// Situations (the protocol's `sometimes` properties) the scenario is
    /// meant to reach: a run that misses one is UNKNOWN, a
    /// sweep in which no seed reached one of them exits 2.
    pub require: Option<Vec<String>>,
}

/// `[compare]`: configurations for `faultline compare`, the cartesian
/// product of its axes, each run over seeds `1..=seeds`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CompareSpec {
    /// Seeds per configuration (default 10).
    #[serde(default = "default_compare_seeds")]
    pub seeds: u64,
    /// The axes.
    #[serde(default)]
    pub axes: Vec<AxisSpec>,
}

fn default_compare_seeds() -> u64 {
    10
}

/// `[[compare.axes]]`: keys of the scenario set together to each of `values`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AxisSpec {
    /// Name in plots and the CSV; default: the last key of `set`.
    pub name: Option<String>,
    /// Dotted key paths, e.g. "protocol.params.election_timeout_ms_max".
    pub set: Vec<String>,
    /// One entry per point: a value (one key) or an array (one per key).
    pub values: Vec<toml::Value>,
    /// Labels of the points; default: the values joined by "-".
    pub labels: Option<Vec<String>>,
}
