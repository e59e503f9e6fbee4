//! The protocol events of a history, parsed once for the checkers and
//! metrics.
//!
//! Events (name: data), by the node that records them:
//! - coordinator `begun`: `{txn, participants}` — a transfer began;
//! - coordinator `decided`: `{txn, decision, cause}` — the decision is made
//!   (and, but for `no-decision-log`, logged);
//! - coordinator `finished`: `{txn}` — every participant acknowledged;
//! - coordinator `presumed_abort`, `recovered`: informational;
//! - participant `prepared`: `{txn, legs}` — voted yes, rows locked;
//! - participant `committed`: `{txn, legs, balances}` — legs applied,
//!   `balances` the touched accounts' new balances;
//! - participant `aborted`: `{txn, cause}` — its part is void (voted no,
//!   told so, refused as a peer, or gave up);
//! - participant `forgotten`: `{txn, decision}` — it acknowledged a commit
//!   it had no record of, applying nothing;
//! - participant `heuristic_conflict`, `restored`: informational.

use super::txn::{Decision, Leg, TxnId};
use crate::history::{Entry, EventEntry, History};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;

/// Where and when an event was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// Index of its line in the history.
    pub index: usize,
    /// Simulated time.
    pub time_us: u64,
}

/// How a participant's part of a transaction ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Local {
    /// Its legs were applied.
    Committed {
        /// The legs.
        legs: Vec<Leg>,
        /// The touched accounts' balances afterwards.
        balances: Vec<(u32, i64)>,
    },
    /// Its part was voided, for this cause.
    Aborted(String),
    /// It acknowledged a commit without a record of the transaction.
    Forgotten,
}

impl Local {
    /// Whether legs were applied.
    pub fn applied(&self) -> bool {
        matches!(self, Local::Committed { .. })
    }

    /// In words, for violation messages.
    pub fn describe(&self) -> String {
        match self {
            Local::Committed { .. } => "committed".into(),
            Local::Aborted(cause) => format!("aborted ({cause})"),
            Local::Forgotten => {
                "acknowledged the commit with no record of it, applying nothing".into()
            }
        }
    }
}

/// One participant's end of one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// When.
    pub at: Mark,
    /// The participant's name.
    pub node: String,
    /// The transaction.
    pub txn: TxnId,
    /// How it ended.
    pub local: Local,
}

/// The coordinator's decision on a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// When.
    pub at: Mark,
    /// Commit or abort.
    pub decision: Decision,
    /// Why it aborted, if it did.
    pub cause: Option<String>,
}

/// Every twopc event of a history, by kind.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Begun transactions and their participants' names.
    pub begun: BTreeMap<TxnId, (Mark, Vec<String>)>,
    /// Decisions per transaction, in order (the first one counts).
    pub decided: BTreeMap<TxnId, Vec<Decided>>,
    /// Transactions every participant acknowledged.
    pub finished: BTreeMap<TxnId, Mark>,
    /// (participant, transaction) prepared, in order.
    pub prepared: Vec<(Mark, String, TxnId)>,
    /// Participants' outcomes, in order.
    pub outcomes: Vec<Outcome>,
}

fn field<T: DeserializeOwned>(ev: &EventEntry, key: &str) -> Option<T> {
    T::deserialize(ev.data.get(key)?).ok()
}

impl Timeline {
    /// Parses `history`; events of other protocols or malformed ones are skipped.
    pub fn of(history: &History) -> Timeline {
        let mut t = Timeline::default();
        for (index, entry) in history.entries.iter().enumerate() {
            if let Entry::Event(ev) = entry {
                let at = Mark {
                    index,
                    time_us: ev.time_us,
                };
                t.add(at, ev);
            }
        }
        t
    }

    fn add(&mut self, at: Mark, ev: &EventEntry) {
        let txn = ev.data.get("txn").and_then(Value::as_str).map(str::parse);
        let Some(Ok(txn)) = txn else {
            return;
        };
        let node = || ev.node.clone();
        match ev.name.as_str() {
            "begun" => {
                let names = field(ev, "participants").unwrap_or_default();
                self.begun.insert(txn, (at, names));
            }
            "decided" => self.add_decided(at, txn, ev),
            "finished" => {
                self.finished.insert(txn, at);
            }
            "prepared" => self.prepared.push((at, node(), txn)),
            "committed" | "aborted" | "forgotten" => {
                let local = local(ev);
                self.outcomes.push(Outcome {
                    at,
                    node: node(),
                    txn,
                    local,
                });
            }
            _ => {}
        }
    }

    fn add_decided(&mut self, at: Mark, txn: TxnId, ev: &EventEntry) {
        let Some(decision) = field(ev, "decision") else {
            return;
        };
        let cause = ev
            .data
            .get("cause")
            .and_then(Value::as_str)
            .map(String::from);
        let d = Decided {
            at,
            decision,
            cause,
        };
        self.decided.entry(txn).or_default().push(d);
    }

    /// The coordinator's first decision on `txn`, if any.
    pub fn decision(&self, txn: TxnId) -> Option<&Decided> {
        self.decided.get(&txn).and_then(|d| d.first())
    }

    /// Every participant outcome, grouped by transaction.
    pub fn outcomes_by_txn(&self) -> BTreeMap<TxnId, Vec<&Outcome>> {
        let mut by: BTreeMap<TxnId, Vec<&Outcome>> = BTreeMap::new();
        for o in &self.outcomes {
            by.entry(o.txn).or_default().push(o);
        }
        by
    }
}

fn local(ev: &EventEntry) -> Local {
    match ev.name.as_str() {
        "committed" => Local::Committed {
            legs: field(ev, "legs").unwrap_or_default(),
            balances: field(ev, "balances").unwrap_or_default(),
        },
        "aborted" => Local::Aborted(field(ev, "cause").unwrap_or_default()),
        _ => Local::Forgotten,
    }
}
