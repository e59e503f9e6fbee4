//! The twopc model's variants: the correct protocol and named real mistakes.

use crate::model::VariantInfo;

/// Which version of the protocol the nodes run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Presumed-abort 2PC with a durable decision log and durable PREPARED records.
    Correct,
    /// The coordinator keeps its decisions in memory only.
    NoDecisionLog,
    /// A prepared participant that waits too long aborts on its own.
    UnilateralAbort,
    /// The coordinator commits once a majority of participants voted yes.
    EarlyCommit,
    /// A participant votes yes before its PREPARED record is fsynced.
    VoteBeforePersist,
}

/// The variants as listed by `Model::variants`, correct first.
pub const VARIANTS: &[VariantInfo] = &[
    VariantInfo {
        name: "correct",
        description: "presumed-abort 2PC (Gray & Lamport §2): forced PREPARED before a yes vote, forced commit record before any commit is sent, decisions retried until acked, recovery from the log, cooperative termination",
        correct: true,
    },
    VariantInfo {
        name: "no-decision-log",
        description: "the coordinator keeps decisions in memory only; after a crash it answers inquiries about a transaction it committed with \"abort\" (presumed), deciding again, differently",
        correct: false,
    },
    VariantInfo {
        name: "unilateral-abort",
        description: "a prepared participant that hears no decision within heuristic_abort_ms aborts on its own (a \"heuristic\" decision) and releases its locks",
        correct: false,
    },
    VariantInfo {
        name: "early-commit",
        description: "the coordinator commits once a majority of the participants voted yes, without waiting for the rest",
        correct: false,
    },
    VariantInfo {
        name: "vote-before-persist",
        description: "a participant votes yes while its PREPARED record is still in the write cache; a crash that loses it forgets the transaction and its locks",
        correct: false,
    },
];

impl Variant {
    /// The variant named `name`, if any.
    pub fn parse(name: &str) -> Option<Variant> {
        let v = match name {
            "correct" => Variant::Correct,
            "no-decision-log" => Variant::NoDecisionLog,
            "unilateral-abort" => Variant::UnilateralAbort,
            "early-commit" => Variant::EarlyCommit,
            "vote-before-persist" => Variant::VoteBeforePersist,
            _ => return None,
        };
        Some(v)
    }

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

    /// Whether a prepared participant may abort without being told to.
    pub fn aborts_unilaterally(self) -> bool {
        self == Variant::UnilateralAbort
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

    #[test]
    fn only_early_commit_settles_for_a_majority() {
        assert_eq!(Variant::Correct.yes_votes_to_commit(3), 3);
        assert_eq!(Variant::EarlyCommit.yes_votes_to_commit(3), 2);
        assert_eq!(Variant::EarlyCommit.yes_votes_to_commit(2), 2);
    }
}
