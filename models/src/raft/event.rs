//! The raft model's protocol events, as nodes record them.
//!
//! In `history.jsonl` an event is `"name": "<variant in snake_case>",
//! "data": {<fields>}`, e.g. `{"name":"became_leader","data":{"term":3}}`.
//! Node fields (`leader`, `candidate`, `holder`) are `NodeId`s: indices
//! into the history's node list ("n1" is 0). The lease variants record
//! Raft's events with the fencing token as the term, so the checkers and
//! metrics read both alike.

use crate::node::NodeId;
use serde::{Deserialize, Serialize};

/// Every event a raft-model node records.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "name", content = "data", rename_all = "snake_case")]
pub enum Event {
    /// A server became a candidate for `term` and asked for votes (§5.2).
    ElectionStarted {
        /// The new term.
        term: u64,
    },
    /// A server won `term` (Raft) or was granted lease `term` (the token).
    BecameLeader {
        /// The term won, or the lease's fencing token.
        term: u64,
    },
    /// The leader of `term` (or holder of token `term`) is leader no more:
    /// it saw a higher term, or its lease ran out by its own clock.
    SteppedDown {
        /// The term it led, or its lease's token.
        term: u64,
    },
    /// A server learned, for the first time, who leads `term` (a leader
    /// records it for itself when elected).
    LeaderKnown {
        /// The term (or token).
        term: u64,
        /// Who leads it.
        leader: NodeId,
    },
    /// A server voted for `candidate` in `term`.
    VoteGranted {
        /// The term voted in.
        term: u64,
        /// Who got the vote.
        candidate: NodeId,
    },
    /// The resource accepted a write by `leader` stamped `token`.
    WorkAccepted {
        /// The write's term or fencing token.
        token: u64,
        /// The server that wrote.
        leader: NodeId,
    },
    /// The fenced resource rejected a write stamped `token`, below the
    /// `highest` it had accepted.
    WorkRejected {
        /// The write's term or fencing token.
        token: u64,
        /// The server that wrote.
        leader: NodeId,
        /// The highest token accepted so far.
        highest: u64,
    },
    /// The lock service granted a new lease with `token` to `holder`.
    LockGranted {
        /// The new lease's fencing token.
        token: u64,
        /// The server that holds it.
        holder: NodeId,
    },
}

impl crate::history::Event for Event {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Event as _;

    #[test]
    fn events_keep_their_names_and_fields_in_json() {
        let e = Event::LeaderKnown { term: 3, leader: 1 };
        assert_eq!(e.name(), "leader_known");
        let text = serde_json::to_string(&e).expect("encodes");
        assert_eq!(
            text,
            r#"{"name":"leader_known","data":{"term":3,"leader":1}}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&text).expect("decodes"), e);
    }
}
