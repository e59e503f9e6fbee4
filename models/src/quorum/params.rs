//! `[protocol.params]` of the quorum store, and their validation.

use crate::model::ModelError;
use serde::{Deserialize, Serialize};

/// What a read does about replicas that answered with an older version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadRepair {
    /// Write the newest version back until W replicas hold it, then answer
    /// (the write-back phase of Attiya, Bar-Noy & Dolev's register).
    Blocking,
    /// Answer at once; repair stale replicas in the background (Dynamo §5).
    Async,
    /// Never repair.
    Off,
}

/// `[protocol.params]` of `quorum`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Replicas per key (Dynamo's N); at most the number of servers.
    pub n: usize,
    /// Replies a read (and a write's version query) waits for.
    pub r: usize,
    /// Acknowledgements a write waits for.
    pub w: usize,
    /// Number of keys the workload uses (keys are 0..keys).
    pub keys: u32,
    /// Read repair mode: "blocking", "async" or "off".
    pub read_repair: ReadRepair,
    /// Replicas fsync a write before acknowledging it; false leaves it in the write cache.
    pub fsync: bool,
    /// A coordinator keeps a hint for each replica that did not acknowledge
    /// a write in time and re-sends it every `handoff_ms` until it does.
    pub hinted_handoff: bool,
    /// Hint re-send interval.
    pub handoff_ms: u64,
    /// Period of the anti-entropy digest exchange with a random peer; 0 = off.
    pub anti_entropy_ms: u64,
    /// A coordinator gives up on a request after this long.
    pub request_timeout_ms: u64,
    /// Convergence checker: a version some replica held this long before
    /// the end must be on every replica by the end.
    pub convergence_grace_ms: f64,
    /// Progress checker: time after a fault ends before ops are judged.
    pub progress_settle_ms: f64,
    /// Progress checker: the longest an op may wait for some op of its kind to succeed.
    pub progress_within_ms: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            n: 3,
            r: 2,
            w: 2,
            keys: 5,
            read_repair: ReadRepair::Blocking,
            fsync: true,
            hinted_handoff: false,
            handoff_ms: 200,
            anti_entropy_ms: 0,
            request_timeout_ms: 500,
            convergence_grace_ms: 500.0,
            progress_settle_ms: 200.0,
            progress_within_ms: 1000.0,
        }
    }
}

/// Largest checker bound (ms): beyond it nothing could be judged anyway.
pub const PROGRESS_MS_MAX: f64 = 3_600_000.0;

/// Most keys a run may use.
pub const KEYS_MAX: u32 = 100_000;

impl Params {
    /// Checks ranges against a cluster of `servers` nodes.
    pub fn validate(&self, servers: usize) -> Result<(), ModelError> {
        let bad = |key: &str, message: String| {
            Err(ModelError::Param {
                key: key.into(),
                message,
            })
        };
        if self.n == 0 || self.n > servers {
            return bad(
                "n",
                format!("expected 1 <= n <= nodes ({servers}), found {}", self.n),
            );
        }
        for (key, v) in [("r", self.r), ("w", self.w)] {
            if v == 0 || v > self.n {
                return bad(
                    key,
                    format!("expected 1 <= {key} <= n ({}), found {v}", self.n),
                );
            }
        }
        if self.keys == 0 || self.keys > KEYS_MAX {
            return bad(
                "keys",
                format!("expected 1..={KEYS_MAX} keys, found {}", self.keys),
            );
        }
        for (key, v) in [
            ("handoff_ms", self.handoff_ms),
            ("request_timeout_ms", self.request_timeout_ms),
        ] {
            if v == 0 {
                return bad(key, format!("expected {key} > 0"));
            }
        }
        for (key, v) in [
            ("convergence_grace_ms", self.convergence_grace_ms),
            ("progress_settle_ms", self.progress_settle_ms),
            ("progress_within_ms", self.progress_within_ms),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= PROGRESS_MS_MAX) {
                return bad(
                    key,
                    format!("expected 0 < {key} <= {PROGRESS_MS_MAX}, found {v}"),
                );
            }
        }
        Ok(())
    }

    /// True when every read quorum meets every write quorum (R + W > N).
    pub fn strict_quorums(&self) -> bool {
        self.r + self.w > self.n
    }
}
