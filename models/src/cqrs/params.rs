//! `[protocol.params]` of the cqrs model, with their defaults and checks.
//!
//! Defaults follow the seed catalogue's order example: a small pool of
//! orders so that concurrent commands meet on one aggregate, a relay that
//! polls its outbox every few milliseconds, a bus that redelivers an
//! unacknowledged message after 200 ms, projectors that spend a couple of
//! milliseconds per read-model write.

use crate::model::ModelError;
use serde::{Deserialize, Serialize};

/// Tunables of the cqrs model; every key is optional, unknown keys are rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Order ids the workload draws from (aggregates `0..orders`).
    pub orders: u64,
    /// Customers; order `o` belongs to customer `o % customers`.
    pub customers: u64,
    /// Bus partitions; order `o`'s events go to partition `o % partitions`.
    pub partitions: u64,
    /// Times a command handler reloads and retries after a version conflict.
    pub retries_max: u32,
    /// A command handler answers `unknown` when a call is unanswered this long.
    pub command_timeout_ms: u64,
    /// How often the relay polls the outbox.
    pub relay_poll_ms: u64,
    /// Most outbox entries the relay publishes in one batch.
    pub relay_batch_max: u64,
    /// The relay (or a dual-writing handler) re-sends an unacknowledged publish after this.
    pub publish_timeout_ms: u64,
    /// The bus redelivers a message not acknowledged for this long.
    pub redeliver_ms: u64,
    /// Time a projector spends writing one event into its read model.
    pub apply_ms: u64,
    /// A projector (by name) that is slower than the others, if any.
    pub slow_projector: Option<String>,
    /// The slow projector's time per event.
    pub slow_apply_ms: u64,
    /// Most events a rebuilding projector reads from the store per page.
    pub rebuild_page_max: u64,
    /// A rebuilding projector re-asks for a page unanswered this long.
    pub rebuild_retry_ms: u64,
    /// command-query-progress: time a quiet window gets to settle before
    /// its operations are judged (see [`super::progress`]).
    pub progress_settle_ms: u64,
    /// command-query-progress: how long after an operation a decision of
    /// its kind must come.
    pub progress_within_ms: u64,
}

/// Largest `progress_settle_ms` / `progress_within_ms` (one hour).
pub const PROGRESS_MS_MAX: u64 = 3_600_000;

impl Default for Params {
    fn default() -> Self {
        Params {
            orders: 32,
            customers: 4,
            partitions: 4,
            retries_max: 3,
            command_timeout_ms: 500,
            relay_poll_ms: 20,
            relay_batch_max: 16,
            publish_timeout_ms: 100,
            redeliver_ms: 200,
            apply_ms: 2,
            slow_projector: None,
            slow_apply_ms: 20,
            rebuild_page_max: 64,
            rebuild_retry_ms: 100,
            progress_settle_ms: 500,
            progress_within_ms: 1_000,
        }
    }
}

/// Largest `orders`, `customers` or `partitions` (they size read models and loops).
pub const POOL_MAX: u64 = 10_000;

impl Params {
    /// Checks ranges; `projectors` are the valid `slow_projector` names.
    pub fn validate(&self, commands: usize, projectors: &[&str]) -> Result<(), ModelError> {
        if commands == 0 {
            return Err(ModelError::Invalid(
                "cqrs needs at least 1 node (command handlers)".into(),
            ));
        }
        for (key, value) in [
            ("orders", self.orders),
            ("customers", self.customers),
            ("partitions", self.partitions),
        ] {
            if value == 0 || value > POOL_MAX {
                return Err(param(
                    key,
                    format!("expected 1..={POOL_MAX}, found {value}"),
                ));
            }
        }
        for (key, value) in [
            ("command_timeout_ms", self.command_timeout_ms),
            ("relay_poll_ms", self.relay_poll_ms),
            ("relay_batch_max", self.relay_batch_max),
            ("publish_timeout_ms", self.publish_timeout_ms),
            ("redeliver_ms", self.redeliver_ms),
            ("rebuild_page_max", self.rebuild_page_max),
            ("rebuild_retry_ms", self.rebuild_retry_ms),
        ] {
            if value == 0 {
                return Err(param(key, format!("expected {key} > 0")));
            }
        }
        for (key, value) in [
            ("progress_settle_ms", self.progress_settle_ms),
            ("progress_within_ms", self.progress_within_ms),
        ] {
            if value == 0 || value > PROGRESS_MS_MAX {
                return Err(param(
                    key,
                    format!("expected 1..={PROGRESS_MS_MAX}, found {value}"),
                ));
            }
        }
        self.validate_slow(projectors)
    }

    fn validate_slow(&self, projectors: &[&str]) -> Result<(), ModelError> {
        match &self.slow_projector {
            Some(name) if !projectors.contains(&name.as_str()) => Err(param(
                "slow_projector",
                format!(
                    "unknown projector {name:?}; expected one of: {}",
                    projectors.join(", ")
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Time projector `name` spends per event, microseconds.
    pub fn apply_us(&self, name: &str) -> u64 {
        let ms = match &self.slow_projector {
            Some(slow) if slow == name => self.slow_apply_ms,
            _ => self.apply_ms,
        };
        ms * 1_000
    }
}

fn param(key: &str, message: String) -> ModelError {
    ModelError::Param {
        key: key.into(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_bad_values_name_their_key() {
        let names = ["proj-orders"];
        assert!(Params::default().validate(2, &names).is_ok());
        let p = Params {
            partitions: 0,
            ..Params::default()
        };
        assert!(
            matches!(p.validate(2, &names), Err(ModelError::Param { key, .. }) if key == "partitions")
        );
        for p in [
            Params {
                progress_settle_ms: 0,
                ..Params::default()
            },
            Params {
                progress_within_ms: PROGRESS_MS_MAX + 1,
                ..Params::default()
            },
        ] {
            let key = if p.progress_settle_ms == 0 {
                "progress_settle_ms"
            } else {
                "progress_within_ms"
            };
            assert!(
                matches!(p.validate(2, &names), Err(ModelError::Param { key: k, .. }) if k == key)
            );
        }
        let p = Params {
            slow_projector: Some("nope".into()),
            ..Params::default()
        };
        assert!(p.validate(2, &names).is_err());
        assert!(Params::default().validate(0, &names).is_err());
    }

    #[test]
    fn the_slow_projector_gets_its_own_apply_time() {
        let p = Params {
            slow_projector: Some("proj-status".into()),
            ..Params::default()
        };
        assert_eq!(p.apply_us("proj-status"), 20_000);
        assert_eq!(p.apply_us("proj-orders"), 2_000);
    }
}
