//! The cqrs model's variants: the correct system and named real mistakes.
//!
//! Each buggy variant is a mistake from the seed catalogue's naive CQRS and
//! outbox examples: a command handler that saves and then publishes in a
//! second step; projections whose handlers simply increment on every
//! message; a consumer that commits its offset before the write it stands
//! for; an event store that computes the new version from the caller's
//! `expectedVersion` without checking it; a command handler that handles
//! only the store's success reply, so a command that loses an
//! optimistic-concurrency race hangs to its timeout instead of reloading.

crate::variants! {
    /// Which version of the system the nodes run.
    pub enum Variant {
        /// Transactional outbox, idempotent projectors, checkpoint with the read model.
        Correct = ("correct", true, "events enter a transactional outbox with the append; a relay publishes them at least once; projectors skip what their checkpoint covers and save checkpoint and read model in one write"),
        /// The handler appends, then publishes to the bus itself; no outbox.
        DualWrite = ("dual-write", false, "the command handler appends to the store and then publishes to the bus in a separate step (no outbox): a crash in between loses the event"),
        /// Projectors apply every delivery, redeliveries included.
        NonIdempotentProjector = ("non-idempotent-projector", false, "projectors apply every delivery without checking its position, so a redelivered event is counted twice"),
        /// Projectors save (and acknowledge) the checkpoint, then write the read model.
        CheckpointFirst = ("checkpoint-first", false, "projectors save and acknowledge the checkpoint before writing the read model; a crash in between skips the event"),
        /// The handler only handles the store's success reply; a conflict is dropped.
        DropConflict = ("drop-conflict", false, "the command handler acts on the store's `appended` reply only: a `conflict` reply is dropped, so the losing command neither reloads nor retries and its client gets `unknown` at the command timeout"),
        /// The store appends at `expected + 1` without checking the stream's version.
        NoExpectedVersion = ("no-expected-version", false, "the event store appends at the caller's expected version + 1 without checking it, so concurrent commands both append from the same version"),
    }
}

impl Variant {
    /// Whether the store writes an outbox entry with every append.
    pub fn uses_outbox(self) -> bool {
        self != Variant::DualWrite
    }

    /// Whether projectors skip events their checkpoint already covers.
    pub fn idempotent(self) -> bool {
        self != Variant::NonIdempotentProjector
    }

    /// Whether projectors save the checkpoint before the read model.
    pub fn checkpoint_first(self) -> bool {
        self == Variant::CheckpointFirst
    }

    /// Whether the command handler reloads and retries after a conflict.
    pub fn retries_conflicts(self) -> bool {
        self != Variant::DropConflict
    }

    /// Whether the store rejects an append whose expected version is stale.
    pub fn checks_version(self) -> bool {
        self != Variant::NoExpectedVersion
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

    #[test]
    fn each_buggy_variant_breaks_exactly_one_rule() {
        let c = Variant::Correct;
        assert!(c.uses_outbox() && c.idempotent() && !c.checkpoint_first() && c.checks_version());
        assert!(!Variant::DualWrite.uses_outbox());
        assert!(!Variant::NonIdempotentProjector.idempotent());
        assert!(Variant::CheckpointFirst.checkpoint_first());
        assert!(!Variant::NoExpectedVersion.checks_version());
    }
}
