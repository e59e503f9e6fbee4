//! The twopc protocol's one message enum.

use super::txn::{AbortCause, Decision, Leg, TxnId};
use crate::node::NodeId;

/// Every message of the protocol. Coordinator → participant: `Prepare`,
/// `Decision`; participant → coordinator: `Vote`, `Ack`, `Inquire`;
/// participant → participant (cooperative termination): `Inquire`, `Decision`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Phase 1, coordinator → participant: validate these legs of `txn`, lock
    /// their rows and make a PREPARED record durable. Answered by `Vote`.
    Prepare {
        /// The transaction.
        txn: TxnId,
        /// This participant's legs.
        legs: Vec<Leg>,
        /// Every participant of `txn`, for cooperative termination.
        peers: Vec<NodeId>,
    },
    /// Phase 1, participant → coordinator: the answer to `Prepare`. A yes
    /// vote is a promise to commit if told to, so it is sent only once the
    /// PREPARED record is durable. Answered by `Decision` (once decided; a
    /// yes vote for a transaction the coordinator does not know gets `abort`).
    Vote {
        /// The transaction.
        txn: TxnId,
        /// `None` is yes; `Some(cause)` is no, and why.
        no: Option<AbortCause>,
    },
    /// Phase 2, coordinator → participant (re-sent until acknowledged), or a
    /// peer's answer to `Inquire`: the outcome of `txn`. Answered by `Ack` to
    /// the transaction's coordinator.
    Decision {
        /// The transaction.
        txn: TxnId,
        /// Commit or abort.
        decision: Decision,
    },
    /// Phase 2, participant → coordinator: the decision on `txn` is durably
    /// applied here; stop re-sending it. Not answered.
    Ack {
        /// The transaction.
        txn: TxnId,
    },
    /// Termination protocol, a prepared (uncertain) participant → the
    /// coordinator or a peer: what was decided on `txn`? Answered by
    /// `Decision` if the receiver knows (a coordinator with no record
    /// presumes abort; a peer that never voted aborts), else not at all.
    Inquire {
        /// The transaction.
        txn: TxnId,
    },
}
