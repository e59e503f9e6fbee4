//! `[protocol.params]` of the raft model, with their defaults and checks.

use crate::model::ModelError;
use serde::{Deserialize, Serialize};

/// Tunables of the raft model; every key is optional, unknown keys are rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Lower bound of the randomized election timeout (Raft §5.2).
    pub election_timeout_ms_min: u64,
    /// Upper bound (exclusive) of the randomized election timeout.
    pub election_timeout_ms_max: u64,
    /// How often a leader sends empty AppendEntries (heartbeats).
    pub heartbeat_ms: u64,
    /// Initial log length per server (all entries of term 1); empty = all 0.
    pub log_lengths: Vec<u64>,
    /// Lease variants: how long a granted lock lasts.
    pub lease_ttl_ms: u64,
    /// Lease variants: how often a server (re)asks the lock service.
    pub lease_renew_ms: u64,
    /// How often a leader checks its leadership and starts a write.
    pub work_interval_ms: u64,
    /// Time from that check to the write reaching the network (the pause window).
    pub work_duration_ms: u64,
    /// leader-op-progress: time a quiet window gets to settle before its
    /// `leader` ops are judged (see [`super::progress`]).
    pub progress_settle_ms: u64,
    /// leader-op-progress: how long after a `leader` op some ok one must come.
    pub progress_within_ms: u64,
}

/// Largest `progress_settle_ms` / `progress_within_ms` (one hour).
pub const PROGRESS_MS_MAX: u64 = 3_600_000;

impl Default for Params {
    fn default() -> Self {
        Params {
            election_timeout_ms_min: 150,
            election_timeout_ms_max: 300,
            heartbeat_ms: 50,
            log_lengths: Vec::new(),
            lease_ttl_ms: 1_000,
            lease_renew_ms: 300,
            work_interval_ms: 100,
            work_duration_ms: 20,
            progress_settle_ms: 500,
            progress_within_ms: 1_000,
        }
    }
}

impl Params {
    /// Checks ranges and consistency for a cluster of `servers` servers.
    pub fn validate(&self, servers: usize) -> Result<(), ModelError> {
        if servers == 0 {
            return Err(ModelError::Invalid("raft needs at least 1 server".into()));
        }
        let err = |key: &str, m: String| {
            Err(ModelError::Param {
                key: key.into(),
                message: m,
            })
        };
        if self.election_timeout_ms_min == 0
            || self.election_timeout_ms_min >= self.election_timeout_ms_max
        {
            return err(
                "election_timeout_ms_min",
                format!(
                    "election_timeout_ms_min ({}) must be > 0 and < election_timeout_ms_max ({})",
                    self.election_timeout_ms_min, self.election_timeout_ms_max
                ),
            );
        }
        if self.heartbeat_ms == 0 || self.heartbeat_ms >= self.election_timeout_ms_min {
            return err(
                "heartbeat_ms",
                format!(
                    "heartbeat_ms ({}) must be > 0 and < election_timeout_ms_min ({})",
                    self.heartbeat_ms, self.election_timeout_ms_min
                ),
            );
        }
        if !self.log_lengths.is_empty() && self.log_lengths.len() != servers {
            return err(
                "log_lengths",
                format!(
                    "log_lengths has {} entries; expected none or one per server ({servers})",
                    self.log_lengths.len()
                ),
            );
        }
        self.validate_lease_and_work()
    }

    fn validate_lease_and_work(&self) -> Result<(), ModelError> {
        let err = |key: &str, m: String| {
            Err(ModelError::Param {
                key: key.into(),
                message: m,
            })
        };
        if self.lease_renew_ms == 0 || self.lease_renew_ms >= self.lease_ttl_ms {
            return err(
                "lease_renew_ms",
                format!(
                    "lease_renew_ms ({}) must be > 0 and < lease_ttl_ms ({})",
                    self.lease_renew_ms, self.lease_ttl_ms
                ),
            );
        }
        if self.work_interval_ms == 0 || self.work_duration_ms >= self.work_interval_ms {
            return err(
                "work_duration_ms",
                format!(
                    "work_duration_ms ({}) must be < work_interval_ms ({}), which must be > 0",
                    self.work_duration_ms, self.work_interval_ms
                ),
            );
        }
        self.validate_progress()
    }

    fn validate_progress(&self) -> Result<(), ModelError> {
        for (key, value) in [
            ("progress_settle_ms", self.progress_settle_ms),
            ("progress_within_ms", self.progress_within_ms),
        ] {
            if value == 0 || value > PROGRESS_MS_MAX {
                return Err(ModelError::Param {
                    key: key.into(),
                    message: format!("{key} must be in 1..={PROGRESS_MS_MAX}, found {value}"),
                });
            }
        }
        Ok(())
    }

    /// Node `server`'s initial log length.
    pub fn log_length(&self, server: usize) -> u64 {
        self.log_lengths.get(server).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(p: Params, servers: usize) -> String {
        match p.validate(servers) {
            Err(ModelError::Invalid(m) | ModelError::Param { message: m, .. }) => m,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Params::default().validate(3), Ok(()));
    }

    #[test]
    fn each_bad_key_is_named() {
        let d = Params::default;
        let cases = [
            (
                Params {
                    election_timeout_ms_max: 150,
                    ..d()
                },
                "election_timeout_ms_min",
            ),
            (
                Params {
                    heartbeat_ms: 150,
                    ..d()
                },
                "heartbeat_ms",
            ),
            (
                Params {
                    log_lengths: vec![1, 2],
                    ..d()
                },
                "log_lengths",
            ),
            (
                Params {
                    lease_renew_ms: 1_000,
                    ..d()
                },
                "lease_renew_ms",
            ),
            (
                Params {
                    work_duration_ms: 100,
                    ..d()
                },
                "work_duration_ms",
            ),
            (
                Params {
                    progress_settle_ms: 0,
                    ..d()
                },
                "progress_settle_ms",
            ),
            (
                Params {
                    progress_within_ms: PROGRESS_MS_MAX + 1,
                    ..d()
                },
                "progress_within_ms",
            ),
        ];
        for (p, key) in cases {
            assert!(invalid(p, 3).contains(key), "{key}");
        }
        assert!(invalid(d(), 0).contains("server"));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let bad: Result<Params, _> = serde_json::from_str(r#"{"heartbeat":5}"#);
        assert!(bad.is_err());
        let ok: Params = serde_json::from_str(r#"{"heartbeat_ms":5}"#).unwrap();
        assert_eq!(ok.election_timeout_ms_min, 150);
    }
}
