//! The saga model's variants: two correct styles and named real mistakes.

use crate::model::VariantInfo;

/// Which version of the system the nodes run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Orchestrated, with a durable saga log, timeouts, retries and
    /// idempotent services.
    Correct,
    /// Choreographed by events with an outbox and idempotent consumers.
    Choreography,
    /// The payment service charges every request it receives.
    NonIdempotentCharge,
    /// The orchestrator keeps its sagas in memory only.
    NoSagaLog,
    /// A compensation that fails is logged and never retried.
    CompensateOnce,
    /// No per-step timeout: a lost request or reply is waited on forever.
    NoTimeout,
}

/// The variants as listed by `Model::variants`, correct first.
pub const VARIANTS: &[VariantInfo] = &[
    VariantInfo {
        name: "correct",
        description: "orchestrated saga: durable saga log, per-step timeouts, retries with backoff and jitter, circuit breaker and bulkhead, idempotent steps and compensations retried until done",
        correct: true,
    },
    VariantInfo {
        name: "choreography",
        description: "the same flow choreographed by events: each service reacts to the previous one's event; outbox re-sends until acked; consumers idempotent",
        correct: true,
    },
    VariantInfo {
        name: "non-idempotent-charge",
        description: "the payment service ignores the idempotency key: a charge retried after a lost or slow reply charges the customer again",
        correct: false,
    },
    VariantInfo {
        name: "no-saga-log",
        description: "the orchestrator keeps saga state in memory: a crash loses in-flight sagas and leaves their reservations and charges behind",
        correct: false,
    },
    VariantInfo {
        name: "compensate-once",
        description: "a compensation that fails (times out) is logged and skipped, never retried; the saga is reported compensated anyway",
        correct: false,
    },
    VariantInfo {
        name: "no-timeout",
        description: "steps have no timeout: a request or reply lost to a partition is waited on forever",
        correct: false,
    },
];

impl Variant {
    /// The variant named `name`, if any.
    pub fn parse(name: &str) -> Option<Variant> {
        let v = match name {
            "correct" => Variant::Correct,
            "choreography" => Variant::Choreography,
            "non-idempotent-charge" => Variant::NonIdempotentCharge,
            "no-saga-log" => Variant::NoSagaLog,
            "compensate-once" => Variant::CompensateOnce,
            "no-timeout" => Variant::NoTimeout,
            _ => return None,
        };
        Some(v)
    }

    /// Whether an orchestrator drives the saga (all but choreography).
    pub fn orchestrated(self) -> bool {
        self != Variant::Choreography
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_variant_parses_and_correct_is_first() {
        for v in VARIANTS {
            assert!(Variant::parse(v.name).is_some(), "{}", v.name);
        }
        assert_eq!(VARIANTS[0].name, "correct");
        assert_eq!(Variant::parse("nope"), None);
    }
}
