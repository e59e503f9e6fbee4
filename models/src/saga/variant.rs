//! The saga model's variants: two correct styles and named real mistakes.

crate::variants! {
    /// Which version of the system the nodes run.
    pub enum Variant {
        /// Orchestrated, with a durable saga log, timeouts, retries and
        /// idempotent services.
        Correct = ("correct", true, "orchestrated saga: durable saga log, per-step timeouts, retries with backoff and jitter, circuit breaker and bulkhead, idempotent steps and compensations retried until done"),
        /// Choreographed by events with an outbox and idempotent consumers.
        Choreography = ("choreography", true, "the same flow choreographed by events: each service reacts to the previous one's event; outbox re-sends until acked; consumers idempotent"),
        /// The payment service charges every request it receives.
        NonIdempotentCharge = ("non-idempotent-charge", false, "the payment service ignores the idempotency key: a charge retried after a lost or slow reply charges the customer again"),
        /// The orchestrator keeps its sagas in memory only.
        NoSagaLog = ("no-saga-log", false, "the orchestrator keeps saga state in memory: a crash loses in-flight sagas and leaves their reservations and charges behind"),
        /// A compensation that fails is logged and never retried.
        CompensateOnce = ("compensate-once", false, "a compensation that fails (times out) is logged and skipped, never retried; the saga is reported compensated anyway"),
        /// No per-step timeout: a lost request or reply is waited on forever.
        NoTimeout = ("no-timeout", false, "steps have no timeout: a request or reply lost to a partition is waited on forever"),
    }
}

impl Variant {
    /// Whether an orchestrator drives the saga (all but choreography).
    pub fn orchestrated(self) -> bool {
        self != Variant::Choreography
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variant::Variant as _;

    #[test]
    fn every_listed_variant_parses_and_correct_is_first() {
        for v in Variant::INFOS {
            assert!(Variant::parse(v.name).is_ok(), "{}", v.name);
        }
        assert_eq!(Variant::INFOS[0].name, "correct");
        assert!(Variant::parse("nope").is_err());
    }
}
