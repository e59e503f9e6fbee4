//! The twopc model's variants: the correct protocol and named real mistakes.

crate::variants! {
    /// Which version of the protocol the nodes run.
    pub enum Variant {
        /// Presumed-abort 2PC with a durable decision log and durable PREPARED records.
        Correct = ("correct", true, "presumed-abort 2PC (Gray & Lamport §2): forced PREPARED before a yes vote, forced commit record before any commit is sent, decisions retried until acked, recovery from the log, cooperative termination"),
        /// The coordinator keeps its decisions in memory only.
        NoDecisionLog = ("no-decision-log", false, "the coordinator keeps decisions in memory only; after a crash it answers inquiries about a transaction it committed with \"abort\" (presumed), deciding again, differently"),
        /// A prepared participant that waits too long aborts on its own.
        UnilateralAbort = ("unilateral-abort", false, "a prepared participant that hears no decision within heuristic_abort_ms aborts on its own (a \"heuristic\" decision) and releases its locks"),
        /// The coordinator commits once a majority of participants voted yes.
        EarlyCommit = ("early-commit", false, "the coordinator commits once a majority of the participants voted yes, without waiting for the rest"),
        /// A participant votes yes before its PREPARED record is fsynced.
        VoteBeforePersist = ("vote-before-persist", false, "a participant votes yes while its PREPARED record is still in the write cache; a crash that loses it forgets the transaction and its locks"),
        /// The coordinator says nothing about a transaction it has no record of.
        NoPresumedAbort = ("no-presumed-abort", false, "a coordinator asked about a transaction it has no record of stays silent instead of answering abort (presumed abort); a participant whose abort was lost in a crash stays in doubt forever"),
        /// A participant told to abort keeps its row locks.
        LeakLocks = ("leak-locks", false, "a participant that aborts a prepared transaction voids it but never releases its row locks; the locked accounts refuse every later transfer"),
    }
}

impl Variant {
    /// Whether the coordinator writes its log (begin and decision records).
    pub fn logs_decisions(self) -> bool {
        self != Variant::NoDecisionLog
    }

    /// Yes votes the coordinator needs, of `participants`, before committing.
    pub fn yes_votes_to_commit(self, participants: usize) -> usize {
        assert!(
            participants >= 2,
            "a transfer has at least two participants"
        );
        if self == Variant::EarlyCommit {
            participants / 2 + 1
        } else {
            participants
        }
    }

    /// Whether a participant fsyncs its PREPARED record before voting yes.
    pub fn syncs_prepared(self) -> bool {
        self != Variant::VoteBeforePersist
    }

    /// Whether a coordinator answers abort about a transaction it has no
    /// record of.
    pub fn presumes_abort(self) -> bool {
        self != Variant::NoPresumedAbort
    }

    /// Whether a participant releases its row locks when it aborts.
    pub fn releases_on_abort(self) -> bool {
        self != Variant::LeakLocks
    }

    /// Whether a prepared participant may abort without being told to.
    pub fn aborts_unilaterally(self) -> bool {
        self == Variant::UnilateralAbort
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
    fn only_early_commit_settles_for_a_majority() {
        assert_eq!(Variant::Correct.yes_votes_to_commit(3), 3);
        assert_eq!(Variant::EarlyCommit.yes_votes_to_commit(3), 2);
        assert_eq!(Variant::EarlyCommit.yes_votes_to_commit(2), 2);
    }
}
