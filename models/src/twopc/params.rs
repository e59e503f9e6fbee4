//! `[protocol.params]` of the twopc model, with their defaults and checks.

use crate::model::ModelError;
use serde::{Deserialize, Serialize};

/// Tunables of the twopc model; every key is optional, unknown keys are rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// How many of the `protocol.nodes` are coordinators (the rest are participants).
    pub coordinators: usize,
    /// Customer accounts per participant (each participant also keeps one fee ledger).
    pub accounts: u32,
    /// Starting balance of every customer account.
    pub initial_balance: i64,
    /// Transfer amounts are uniform in `1..=amount_max`.
    pub amount_max: i64,
    /// Fee of every transfer, credited to the fee ledger of a third
    /// participant; 0 = no fee leg (two participants per transfer).
    pub fee: i64,
    /// Percent of account picks that choose a participant's hot account (its first).
    pub hot_pct: u32,
    /// The coordinator aborts a transaction whose votes are not all in by then.
    pub prepare_timeout_ms: u64,
    /// The coordinator re-sends an unacknowledged decision this often.
    pub retry_ms: u64,
    /// A prepared participant asks for the decision after waiting this long, and again as often.
    pub inquiry_ms: u64,
    /// A prepared participant also asks the other participants (cooperative termination).
    pub cooperative_termination: bool,
    /// `unilateral-abort` only: a prepared participant aborts on its own after this long.
    pub heuristic_abort_ms: u64,
    /// Checker `progress`: a transfer is judged only this long after the
    /// last fault ended (recovery, in-doubt rows unlocked).
    pub progress_settle_ms: u64,
    /// Checker `progress`: a judged transfer must be followed by some
    /// committed transfer within this long.
    pub progress_within_ms: u64,
}

/// Default of `progress_settle_ms` (see [`super::progress`] for why).
pub const PROGRESS_SETTLE_MS: u64 = 500;
/// Default of `progress_within_ms` (see [`super::progress`] for why).
pub const PROGRESS_WITHIN_MS: u64 = 2_000;

impl Default for Params {
    fn default() -> Self {
        Params {
            coordinators: 1,
            accounts: 8,
            initial_balance: 100,
            amount_max: 60,
            fee: 1,
            hot_pct: 20,
            prepare_timeout_ms: 300,
            retry_ms: 100,
            inquiry_ms: 200,
            cooperative_termination: true,
            heuristic_abort_ms: 500,
            progress_settle_ms: PROGRESS_SETTLE_MS,
            progress_within_ms: PROGRESS_WITHIN_MS,
        }
    }
}

impl Params {
    /// Participants per transfer: debit, credit and (with a fee) the fee ledger.
    pub fn legs(&self) -> usize {
        if self.fee > 0 {
            3
        } else {
            2
        }
    }

    /// Checks ranges and consistency for a cluster of `nodes` nodes.
    pub fn validate(&self, nodes: usize) -> Result<(), ModelError> {
        let err = |key: &str, message: String| {
            Err(ModelError::Param {
                key: key.into(),
                message,
            })
        };
        if self.coordinators == 0 || self.coordinators > 64 {
            return err("coordinators", "expected 1..=64 coordinators".into());
        }
        let participants = nodes.saturating_sub(self.coordinators);
        if participants < self.legs() {
            return err(
                "coordinators",
                format!(
                    "{nodes} nodes leave {participants} participants; a transfer needs {} \
                     (raise protocol.nodes, or set fee = 0 for two-leg transfers)",
                    self.legs()
                ),
            );
        }
        if self.accounts == 0 || self.accounts > 10_000 {
            return err("accounts", "expected 1..=10000 accounts".into());
        }
        if self.initial_balance < 0 || self.amount_max < 1 || self.fee < 0 {
            return err(
                "amount_max",
                "expected initial_balance >= 0, amount_max >= 1 and fee >= 0".into(),
            );
        }
        if self.hot_pct > 100 {
            return err("hot_pct", "expected a percentage, 0..=100".into());
        }
        self.validate_times()
    }

    fn validate_times(&self) -> Result<(), ModelError> {
        let times = [
            ("prepare_timeout_ms", self.prepare_timeout_ms),
            ("retry_ms", self.retry_ms),
            ("inquiry_ms", self.inquiry_ms),
            ("heuristic_abort_ms", self.heuristic_abort_ms),
            ("progress_settle_ms", self.progress_settle_ms),
            ("progress_within_ms", self.progress_within_ms),
        ];
        for (key, ms) in times {
            if ms == 0 || ms > 600_000 {
                return Err(ModelError::Param {
                    key: key.into(),
                    message: format!("expected {key} in 1..=600000, found {ms}"),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_for_one_coordinator_and_three_participants() {
        assert!(Params::default().validate(4).is_ok());
        assert!(Params::default().validate(3).is_err());
        let two_legs = Params {
            fee: 0,
            ..Params::default()
        };
        assert!(two_legs.validate(3).is_ok());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let parsed: Result<Params, _> = toml_like("{\"retry_ms\": 5, \"nope\": 1}");
        assert!(parsed.is_err());
    }

    #[test]
    fn a_zero_progress_bound_is_named() {
        let p = Params {
            progress_within_ms: 0,
            ..Params::default()
        };
        let Err(ModelError::Param { key, .. }) = p.validate(4) else {
            panic!("a zero bound must be refused")
        };
        assert_eq!(key, "progress_within_ms");
    }

    fn toml_like(json: &str) -> Result<Params, serde_json::Error> {
        serde_json::from_str(json)
    }
}
