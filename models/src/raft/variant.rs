//! The raft model's variants: the correct protocol and named real mistakes.

crate::variants! {
    /// Which version of the protocol the nodes run.
    pub enum Variant {
        /// Raft elections; the resource fences writes by term.
        Correct = ("correct", true, "Raft leader election (§5.2, §5.4.1); the resource fences writes by term"),
        /// votedFor is kept in memory only: a restarted voter votes twice in a term.
        ForgetVote = ("forget-vote", false, "votedFor is not persisted, so a voter that restarts can vote again in the same term"),
        /// A voter grants every candidate with an up-to-date log, whatever the term.
        NoTermCheck = ("no-term-check", false, "a voter grants any candidate whose log is up to date, without checking the request's term or whether it already voted in it"),
        /// Every server waits the same election timeout: simultaneous candidates split the vote forever.
        FixedTimeout = ("fixed-timeout", false, "the election timeout is not randomized (always election_timeout_ms_min), so servers that time out together split the vote every round and no leader is elected (Raft §5.2)"),
        /// Leadership is a TTL lock; the resource does not check tokens.
        Lease = ("lease", false, "leader = holder of a TTL lock (SET NX PX style) judged by its own clock; no fencing, so a paused or drifting ex-holder still writes"),
        /// Leadership is a TTL lock; the resource rejects stale fencing tokens.
        LeaseFenced = ("lease-fenced", true, "the same TTL lock, but every write carries the lock's fencing token and the resource rejects stale ones"),
    }
}

impl Variant {
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
