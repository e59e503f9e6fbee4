//! The raft model's one closed message type.
//!
//! Raft messages follow Figure 2 of the paper, cut down to elections: no
//! entries travel, so AppendEntries is only a heartbeat. Lock messages follow
//! the shape of Redis `SET key NX PX ttl` or an etcd lease grant. Every term
//! and token is a `u64`; times are the sender's own clock in microseconds.

use crate::node::NodeId;

/// Every message any raft-model node sends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Candidate → server: vote for me in `term` (Raft §5.2). `last_log_*`
    /// describe the candidate's log for the up-to-date check (§5.4.1).
    /// Answered by [`Msg::VoteResponse`].
    RequestVote {
        /// The candidate's term.
        term: u64,
        /// Index of the candidate's last log entry (0 = empty log).
        last_log_index: u64,
        /// Term of the candidate's last log entry (0 = empty log).
        last_log_term: u64,
    },
    /// Server → candidate: the answer to a [`Msg::RequestVote`]. `term` is
    /// the voter's current term, for the candidate to update itself. Not answered.
    VoteResponse {
        /// The voter's current term.
        term: u64,
        /// Whether the vote was granted.
        granted: bool,
    },
    /// Leader → server: an empty AppendEntries, asserting leadership of
    /// `term` and resetting election timers. Answered by [`Msg::HeartbeatResponse`].
    Heartbeat {
        /// The leader's term.
        term: u64,
    },
    /// Server → leader: the answer to a [`Msg::Heartbeat`]; a higher `term`
    /// makes a stale leader step down. Not answered.
    HeartbeatResponse {
        /// The follower's current term.
        term: u64,
    },
    /// Server → lock service: grant or renew the lock for `ttl_ms`.
    /// `sent_us` is the sender's clock when it sent this, echoed back.
    /// Answered by [`Msg::Granted`] or [`Msg::Denied`].
    Acquire {
        /// How long the lock should last.
        ttl_ms: u64,
        /// The sender's clock at sending.
        sent_us: u64,
    },
    /// Lock service → server: you hold the lock with fencing `token` for
    /// `ttl_ms` from when you sent the request at `sent_us`. Not answered.
    Granted {
        /// The fencing token: increases with every new lease.
        token: u64,
        /// The lease's length.
        ttl_ms: u64,
        /// Echo of [`Msg::Acquire::sent_us`].
        sent_us: u64,
    },
    /// Lock service → server: `holder` holds the lock with `token`. Not answered.
    Denied {
        /// The current holder.
        holder: NodeId,
        /// The holder's fencing token.
        token: u64,
    },
    /// Leader → resource: the leader's exclusive write, stamped with its
    /// term or fencing `token`. Not answered; the resource records the outcome.
    Write {
        /// The writer's term or fencing token.
        token: u64,
        /// The writer.
        leader: NodeId,
    },
}
