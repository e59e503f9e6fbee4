//! The raft model's variants: the correct protocol and named real mistakes.

use crate::model::VariantInfo;

/// Which version of the protocol the nodes run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Raft elections; the resource fences writes by term.
    Correct,
    /// votedFor is kept in memory only: a restarted voter votes twice in a term.
    ForgetVote,
    /// A voter grants every candidate with an up-to-date log, whatever the term.
    NoTermCheck,
    /// Leadership is a TTL lock; the resource does not check tokens.
    Lease,
    /// Leadership is a TTL lock; the resource rejects stale fencing tokens.
    LeaseFenced,
}

/// The variants as listed by `Model::variants`, correct first.
pub const VARIANTS: &[VariantInfo] = &[
    VariantInfo {
        name: "correct",
        description: "Raft leader election (§5.2, §5.4.1); the resource fences writes by term",
        correct: true,
    },
    VariantInfo {
        name: "forget-vote",
        description: "votedFor is not persisted, so a voter that restarts can vote again in the same term",
        correct: false,
    },
    VariantInfo {
        name: "no-term-check",
        description: "a voter grants any candidate whose log is up to date, without checking the request's term or whether it already voted in it",
        correct: false,
    },
    VariantInfo {
        name: "lease",
        description: "leader = holder of a TTL lock (SET NX PX style) judged by its own clock; no fencing, so a paused or drifting ex-holder still writes",
        correct: false,
    },
    VariantInfo {
        name: "lease-fenced",
        description: "the same TTL lock, but every write carries the lock's fencing token and the resource rejects stale ones",
        correct: true,
    },
];

impl Variant {
    /// The variant named `name`, if any.
    pub fn parse(name: &str) -> Option<Variant> {
        let v = match name {
            "correct" => Variant::Correct,
            "forget-vote" => Variant::ForgetVote,
            "no-term-check" => Variant::NoTermCheck,
            "lease" => Variant::Lease,
            "lease-fenced" => Variant::LeaseFenced,
            _ => return None,
        };
        Some(v)
    }

    /// Whether leadership comes from the lock service instead of Raft votes.
    pub fn uses_lease(self) -> bool {
        matches!(self, Variant::Lease | Variant::LeaseFenced)
    }

    /// Whether the resource rejects writes with a token below the highest seen.
    pub fn fenced(self) -> bool {
        self != Variant::Lease
    }

    /// Whether this variant's bug can put two leaders in one term.
    pub fn allows_split_brain(self) -> bool {
        matches!(self, Variant::ForgetVote | Variant::NoTermCheck)
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
