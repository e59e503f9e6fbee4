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
        /// The inventory releases stock on every release request.
        NonIdempotentRelease = ("non-idempotent-release", false, "the inventory ignores the idempotency key on releases: a release retried after a lost reply puts the units back twice"),
        /// Forward steps are retried until they succeed, never compensated.
        UnboundedRetries = ("unbounded-retries", false, "a failing forward step is retried until it succeeds (the unlimited default retry policy of several workflow engines): max_attempts is never reached, the saga holds its reservation and charge while it hammers the failing service"),
        /// The breaker's open period is taken in the wrong unit.
        BreakerStuckOpen = ("breaker-stuck-open", false, "the circuit breaker reads breaker_open_ms as seconds: a circuit that opened stays open for the rest of the run, every call to that service fails fast, compensations included, so no saga completes and those needing that service never end"),
    }
}

impl Variant {
    /// Whether an orchestrator drives the saga (all but choreography).
    pub fn orchestrated(self) -> bool {
        self != Variant::Choreography
    }

    /// Whether a forward step that failed `max_attempts` times compensates.
    pub fn bounded_retries(self) -> bool {
        self != Variant::UnboundedRetries
    }

    /// How many microseconds one unit of `breaker_open_ms` is.
    pub fn breaker_open_unit_us(self) -> u64 {
        if self == Variant::BreakerStuckOpen {
            1_000_000 // the bug: milliseconds read as seconds
        } else {
            1_000
        }
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
