//! `[protocol.params]` of the saga model: retries, per-service resilience
//! settings and behaviour, the catalogue, with their defaults and checks.
//!
//! Defaults follow the "Full Resilience" Resilience4j example of the seed
//! documents, scaled to simulated seconds: a count-based breaker window of
//! 10 calls, at least 5 before judging, opening at 50% failures, 3 trial
//! calls when half-open; a semaphore bulkhead of 25 concurrent calls; 3
//! attempts with exponential backoff (multiplier 2) and full jitter.

use crate::model::ModelError;
use serde::{Deserialize, Serialize};

/// How a retry's backoff is randomised (Brooker, "Exponential Backoff And
/// Jitter", AWS Architecture Blog, 2015).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Jitter {
    /// The capped exponential delay itself.
    None,
    /// Uniform in `[0, capped]`.
    Full,
    /// `capped / 2` plus uniform in `[0, capped / 2]`.
    Equal,
    /// Uniform in `[base, 3 × previous delay]`, capped.
    Decorrelated,
}

/// One service's behaviour and the orchestrator's protection of calls to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceParams {
    /// Per-step timeout of the orchestrator's calls to this service.
    pub timeout_ms: u64,
    /// Chance a forward step is rejected (card declined, out of stock...).
    pub reject_rate: f64,
    /// Chance a reply is slow.
    pub slow_rate: f64,
    /// A slow reply is delayed uniformly in `[0, slow_ms_max]`.
    pub slow_ms_max: u64,
    /// Circuit breaker: calls in the count-based sliding window.
    pub breaker_window: u32,
    /// Circuit breaker: calls in the window before the rate is judged.
    pub breaker_calls_min: u32,
    /// Circuit breaker: failure rate (0..=1) that opens the circuit.
    pub breaker_failure_rate: f64,
    /// Circuit breaker: how long it stays open before half-open.
    pub breaker_open_ms: u64,
    /// Circuit breaker: trial calls permitted while half-open.
    pub breaker_half_open_calls: u32,
    /// Bulkhead: most concurrent calls in flight to this service.
    pub bulkhead_calls_max: u32,
}

impl Default for ServiceParams {
    fn default() -> Self {
        ServiceParams {
            timeout_ms: 200,
            reject_rate: 0.05,
            slow_rate: 0.0,
            slow_ms_max: 0,
            breaker_window: 10,
            breaker_calls_min: 5,
            breaker_failure_rate: 0.5,
            breaker_open_ms: 1_000,
            breaker_half_open_calls: 3,
            bulkhead_calls_max: 25,
        }
    }
}

/// Tunables of the saga model; every key is optional, unknown keys are rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Attempts of a compensatable forward step before the saga compensates.
    pub max_attempts: u32,
    /// Backoff before the first retry (doubles per retry).
    pub backoff_ms_base: u64,
    /// Cap on any backoff.
    pub backoff_ms_max: u64,
    /// How backoff is randomised.
    pub jitter: Jitter,
    /// Distinct stock-keeping units.
    pub skus: u32,
    /// Units of each SKU in stock at start.
    pub stock_per_sku: i64,
    /// Most units one order asks for.
    pub qty_max: u32,
    /// Most an order costs.
    pub amount_max: u64,
    /// Sagas started this long before the run ends must have ended.
    pub settle_ms: u64,
    /// Checker `saga-progress`: an order is judged only this long after the
    /// last fault ended.
    pub progress_settle_ms: u64,
    /// Checker `saga-progress`: a judged order must be followed by some
    /// completed saga within this long.
    pub progress_within_ms: u64,
    /// The order service.
    pub order: ServiceParams,
    /// The inventory service.
    pub inventory: ServiceParams,
    /// The payment service.
    pub payment: ServiceParams,
    /// The shipping service.
    pub shipping: ServiceParams,
}

/// Default of `progress_settle_ms` (see [`super::progress`] for why).
pub const PROGRESS_SETTLE_MS: u64 = 500;
/// Default of `progress_within_ms` (see [`super::progress`] for why).
pub const PROGRESS_WITHIN_MS: u64 = 2_000;

impl Default for Params {
    fn default() -> Self {
        Params {
            max_attempts: 3,
            backoff_ms_base: 50,
            backoff_ms_max: 1_000,
            jitter: Jitter::Full,
            skus: 4,
            stock_per_sku: 100,
            qty_max: 3,
            amount_max: 500,
            settle_ms: 2_000,
            progress_settle_ms: PROGRESS_SETTLE_MS,
            progress_within_ms: PROGRESS_WITHIN_MS,
            order: ServiceParams::default(),
            inventory: ServiceParams::default(),
            payment: ServiceParams::default(),
            shipping: ServiceParams::default(),
        }
    }
}

fn param(key: &str, message: String) -> Result<(), ModelError> {
    Err(ModelError::Param {
        key: key.into(),
        message,
    })
}

impl Params {
    /// Checks ranges and consistency.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.max_attempts == 0 {
            return param("max_attempts", "expected max_attempts >= 1".into());
        }
        if self.backoff_ms_base == 0 || self.backoff_ms_max < self.backoff_ms_base {
            return param(
                "backoff_ms_base",
                format!(
                    "expected 0 < backoff_ms_base ({}) <= backoff_ms_max ({})",
                    self.backoff_ms_base, self.backoff_ms_max
                ),
            );
        }
        if self.skus == 0 || self.qty_max == 0 || self.amount_max == 0 || self.stock_per_sku < 0 {
            return param(
                "skus",
                "expected skus, qty_max and amount_max >= 1 and stock_per_sku >= 0".into(),
            );
        }
        if self.settle_ms == 0 {
            return param("settle_ms", "expected settle_ms > 0".into());
        }
        let bounds = [
            ("progress_settle_ms", self.progress_settle_ms),
            ("progress_within_ms", self.progress_within_ms),
        ];
        for (key, ms) in bounds {
            if ms == 0 || ms > 600_000 {
                return param(key, format!("expected {key} in 1..=600000, found {ms}"));
            }
        }
        let services = [
            ("order", &self.order),
            ("inventory", &self.inventory),
            ("payment", &self.payment),
            ("shipping", &self.shipping),
        ];
        for (name, s) in services {
            s.validate(name)?;
        }
        Ok(())
    }
}

impl ServiceParams {
    fn validate(&self, name: &str) -> Result<(), ModelError> {
        let rates = [
            ("reject_rate", self.reject_rate),
            ("slow_rate", self.slow_rate),
            ("breaker_failure_rate", self.breaker_failure_rate),
        ];
        for (key, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return param(
                    &format!("{name}.{key}"),
                    format!("expected 0..=1, found {rate}"),
                );
            }
        }
        if self.timeout_ms == 0 || self.bulkhead_calls_max == 0 || self.breaker_half_open_calls == 0
        {
            return param(
                &format!("{name}.timeout_ms"),
                "expected timeout_ms, bulkhead_calls_max and breaker_half_open_calls >= 1".into(),
            );
        }
        if self.breaker_calls_min == 0 || self.breaker_calls_min > self.breaker_window {
            return param(
                &format!("{name}.breaker_calls_min"),
                format!(
                    "expected 1 <= breaker_calls_min ({}) <= breaker_window ({})",
                    self.breaker_calls_min, self.breaker_window
                ),
            );
        }
        if self.breaker_open_ms == 0 || self.breaker_failure_rate == 0.0 {
            return param(
                &format!("{name}.breaker_open_ms"),
                "expected breaker_open_ms > 0 and breaker_failure_rate > 0".into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Params::default().validate(), Ok(()));
    }

    #[test]
    fn bad_keys_are_named() {
        let mut p = Params::default();
        p.payment.reject_rate = 1.5;
        match p.validate() {
            Err(ModelError::Param { key, .. }) => assert_eq!(key, "payment.reject_rate"),
            other => panic!("expected a Param error, got {other:?}"),
        }
        let p = Params {
            max_attempts: 0,
            ..Params::default()
        };
        assert!(p.validate().is_err());
        let p = Params {
            progress_settle_ms: 0,
            ..Params::default()
        };
        match p.validate() {
            Err(ModelError::Param { key, .. }) => assert_eq!(key, "progress_settle_ms"),
            other => panic!("expected a Param error, got {other:?}"),
        }
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let bad: Result<Params, _> = serde_json::from_str(r#"{"payment":{"rate":1}}"#);
        assert!(bad.is_err());
        let ok: Params = serde_json::from_str(r#"{"jitter":"decorrelated"}"#).unwrap();
        assert_eq!(ok.jitter, Jitter::Decorrelated);
    }
}
