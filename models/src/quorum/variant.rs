//! The correct store and its named mistakes.

crate::variants! {
    /// Which version of the protocol runs.
    pub enum Variant {
        /// Versions from a quorum version query; repairs only move versions forward.
        Correct = ("correct", true, "logical versions from a version query; repairs never move a replica backwards; writes wait for W acks"),
        /// Versions are the coordinator's (skewed) wall clock, as in Cassandra's
        /// client timestamps: a later write from a slower clock loses.
        LwwWallClock = ("lww-wall-clock", false, "versions are the coordinator's skewed wall clock: a later write can lose to an earlier one"),
        /// A replica applies a read repair even over a newer version it holds.
        RepairOverwritesNewer = ("repair-overwrites-newer", false, "a replica applies a read repair even when it holds a newer version"),
        /// A write is acknowledged after the first replica stored it, not W.
        SloppyAck = ("sloppy-ack", false, "a write is acknowledged as soon as one replica stored it, before W did"),
        /// Versions are the bare counter "newest seen + 1", with no
        /// coordinator tie-break: two concurrent writes can share one, and a
        /// replica holding the other write's value acknowledges it as stored.
        TiedVersions = ("tied-versions", false, "versions are newest-seen + 1 without a tie-break: concurrent writes tie, and a replica holding the other value of that version acknowledges it as stored"),
        /// The request timer is armed in the wrong unit (milliseconds as
        /// microseconds): every request gives up before any reply arrives.
        TimeoutUnits = ("timeout-units", false, "the request timeout is armed in microseconds, not milliseconds: every request gives up before a quorum can answer"),
    }
}
