//! The protocol events twopc nodes record for the checkers and metrics.
//!
//! Each variant is one `history.jsonl` event line: its serde name is the
//! line's `name` and its fields the `data` object. Fields are declared in
//! name order, as the lines of untyped histories listed them. Lists are
//! boxed slices: an event never grows once recorded, and the largest
//! variant stays at three words plus the transaction id.

use super::txn::{AbortCause, Decision, Leg, TxnId};
use crate::node::NodeId;
use serde::{Deserialize, Serialize};

/// A twopc protocol event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "name", content = "data", rename_all = "snake_case")]
pub enum Event {
    /// Coordinator: a transfer began; its begin record is forced and a
    /// `Prepare` goes to each of `participants` (node ids).
    Begun {
        /// The participants, in node id order.
        participants: Box<[NodeId]>,
        /// The transaction.
        txn: TxnId,
    },
    /// Coordinator: `txn` is decided (and, but for `no-decision-log`,
    /// logged); the client is answered and the participants told.
    Decided {
        /// Why it aborted; `None` for a commit.
        cause: Option<AbortCause>,
        /// Commit or abort.
        decision: Decision,
        /// The transaction.
        txn: TxnId,
    },
    /// Coordinator: every participant acknowledged the decision on `txn`,
    /// which leaves the log.
    Finished {
        /// The transaction.
        txn: TxnId,
    },
    /// Coordinator: asked about `txn`, of which it has no record, it
    /// answered abort (presumed abort). Informational.
    PresumedAbort {
        /// The transaction.
        txn: TxnId,
    },
    /// Coordinator: it restarted as incarnation `epoch` with `txns`
    /// unfinished in its log. Informational.
    Recovered {
        /// The new incarnation.
        epoch: u32,
        /// The log's unfinished transactions.
        txns: Box<[TxnId]>,
    },
    /// Participant: it voted yes on `txn`, its rows locked.
    Prepared {
        /// Its legs of the transaction.
        legs: Box<[Leg]>,
        /// The transaction.
        txn: TxnId,
    },
    /// Participant: it applied its legs of `txn` and released the locks.
    Committed {
        /// The touched accounts' balances afterwards, in leg order.
        balances: Box<[(u32, i64)]>,
        /// The legs applied.
        legs: Box<[Leg]>,
        /// The transaction.
        txn: TxnId,
    },
    /// Participant: its part of `txn` is void (it voted no, was told
    /// abort, refused it as a peer, or gave up).
    Aborted {
        /// Why.
        cause: AbortCause,
        /// The transaction.
        txn: TxnId,
    },
    /// Participant: it acknowledged a commit of `txn` it had no record of,
    /// applying nothing (only buggy variants get there).
    Forgotten {
        /// The decision it was told (commit).
        decision: Decision,
        /// The transaction.
        txn: TxnId,
    },
    /// Participant: told `decision` about `txn`, which ended otherwise
    /// here (`local`): XA's "heuristic mixed". Informational.
    HeuristicConflict {
        /// The decision it was told.
        decision: Decision,
        /// How `txn` ended here.
        local: Decision,
        /// The transaction.
        txn: TxnId,
    },
    /// Participant: it had asked about in-doubt `txn` (`Inquire`) and
    /// then learned `decision` from `from` (the coordinator, or a peer under
    /// cooperative termination). Informational: the termination path ran.
    InquiryAnswered {
        /// The decision it learned.
        decision: Decision,
        /// Who told it (node id).
        from: NodeId,
        /// The transaction.
        txn: TxnId,
    },
    /// Participant: it restarted holding `prepared` in doubt, their rows
    /// locked again. Informational.
    Restored {
        /// The transactions of its PREPARED records.
        prepared: Box<[TxnId]>,
    },
}

impl crate::history::Event for Event {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Event as _;
    use serde_json::json;

    fn txn() -> TxnId {
        TxnId {
            coord: 0,
            epoch: 1,
            seq: 2,
        }
    }

    #[test]
    fn events_keep_the_untyped_names_and_fields() {
        let ev = Event::Decided {
            cause: Some(AbortCause::NoFunds),
            decision: Decision::Abort,
            txn: txn(),
        };
        assert_eq!(ev.name(), "decided");
        let text = serde_json::to_string(&ev).unwrap();
        assert_eq!(
            text,
            r#"{"name":"decided","data":{"cause":"no-funds","decision":"abort","txn":"c1.1.2"}}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), ev);
        let conflict = Event::HeuristicConflict {
            decision: Decision::Commit,
            local: Decision::Abort,
            txn: txn(),
        };
        assert_eq!(conflict.name(), "heuristic_conflict");
    }

    #[test]
    fn lists_serialize_as_arrays() {
        let ev = Event::Committed {
            balances: Box::new([(4, 130)]),
            legs: Box::new([Leg {
                account: 4,
                delta: 30,
            }]),
            txn: txn(),
        };
        let data = &serde_json::to_value(&ev).unwrap()["data"];
        assert_eq!(data["balances"], json!([[4, 130]]));
        assert_eq!(data["legs"], json!([{"account": 4, "delta": 30}]));
        let begun = Event::Begun {
            participants: Box::new([1, 2]),
            txn: txn(),
        };
        assert_eq!(
            serde_json::to_value(&begun).unwrap()["data"]["participants"],
            json!([1, 2])
        );
    }

    #[test]
    fn an_event_stays_small() {
        assert!(std::mem::size_of::<Event>() <= 56);
    }
}
