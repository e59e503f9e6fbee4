//! A transaction's identity, its legs and how it ended.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A transaction id, unique across coordinator restarts: the owning
/// coordinator's node id, the coordinator's incarnation (`epoch`, bumped
/// durably on every start) and a sequence number within that incarnation.
/// Written as `c1.2.17` (coordinator `c1`, epoch 2, 17th transaction), in
/// histories and in durable records alike; in memory it is these three
/// numbers, so checkers compare and order ids without parsing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TxnId {
    /// Node id of the coordinator that owns the transaction.
    pub coord: usize,
    /// The coordinator's incarnation when it began the transaction.
    pub epoch: u32,
    /// Sequence number within the incarnation, from 1.
    pub seq: u32,
}

impl fmt::Display for TxnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c{}.{}.{}", self.coord + 1, self.epoch, self.seq)
    }
}

impl TxnId {
    /// The storage key `prefix` + this id (`outcome/c1.2.17`), built
    /// without the formatter: keys are written on every decision.
    pub(crate) fn key(self, prefix: &str) -> String {
        use crate::storage::push_decimal;
        let mut key = String::with_capacity(prefix.len() + 24);
        key.push_str(prefix);
        key.push('c');
        push_decimal(&mut key, self.coord as u64 + 1);
        key.push('.');
        push_decimal(&mut key, u64::from(self.epoch));
        key.push('.');
        push_decimal(&mut key, u64::from(self.seq));
        key
    }
}

impl FromStr for TxnId {
    type Err = String;
    fn from_str(s: &str) -> Result<TxnId, String> {
        let bad = || format!("expected a transaction id like c1.2.17, found {s:?}");
        let rest = s.strip_prefix('c').ok_or_else(bad)?;
        let mut parts = rest.split('.');
        let (Some(coord), Some(epoch), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let coord: usize = coord.parse().map_err(|_| bad())?;
        Ok(TxnId {
            coord: coord.checked_sub(1).ok_or_else(bad)?,
            epoch: epoch.parse().map_err(|_| bad())?,
            seq: seq.parse().map_err(|_| bad())?,
        })
    }
}

impl Serialize for TxnId {
    /// As its text, built without the formatter (`collect_str` through
    /// `Display` was ~17% of a twopc run: participants write their
    /// prepared map, keyed by id, on every vote and decision).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.key(""))
    }
}

impl<'de> Deserialize<'de> for TxnId {
    /// From its text, borrowed from the input where the input allows.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TxnId, D::Error> {
        d.deserialize_str(TxnIdText)
    }
}

struct TxnIdText;

impl Visitor<'_> for TxnIdText {
    type Value = TxnId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a transaction id like c1.2.17")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<TxnId, E> {
        s.parse().map_err(E::custom)
    }
}

/// One change a transaction makes at one participant: add `delta` (negative
/// for a debit) to `account`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Leg {
    /// Global account number (see `Layout::owner`).
    pub account: u32,
    /// Signed change to the balance.
    pub delta: i64,
}

/// The outcome of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Every leg is applied at every participant.
    Commit,
    /// No leg is applied anywhere.
    Abort,
}

impl Decision {
    /// "commit" or "abort".
    pub fn word(self) -> &'static str {
        match self {
            Decision::Commit => "commit",
            Decision::Abort => "abort",
        }
    }
}

/// Why a transaction (or one participant's part of it) aborted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AbortCause {
    /// The debited account lacks the funds.
    NoFunds,
    /// A row was locked by another transaction (no-wait locking).
    LockConflict,
    /// The participant had already aborted the transaction.
    AlreadyAborted,
    /// Not every vote arrived within `prepare_timeout_ms`.
    PrepareTimeout,
    /// The coordinator restarted and found the transaction undecided.
    Recovery,
    /// The coordinator had no record of it (presumed abort).
    Presumed,
    /// The participant learned an abort decision.
    Decision,
    /// A peer that never voted refused it (cooperative termination).
    Cooperative,
    /// The participant gave up waiting and aborted on its own (buggy).
    Heuristic,
}

impl AbortCause {
    /// The cause as written in histories, e.g. "lock-conflict".
    pub fn word(self) -> &'static str {
        match self {
            AbortCause::NoFunds => "no-funds",
            AbortCause::LockConflict => "lock-conflict",
            AbortCause::AlreadyAborted => "already-aborted",
            AbortCause::PrepareTimeout => "prepare-timeout",
            AbortCause::Recovery => "recovery",
            AbortCause::Presumed => "presumed",
            AbortCause::Decision => "decision",
            AbortCause::Cooperative => "cooperative",
            AbortCause::Heuristic => "heuristic",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txn_ids_round_trip_through_json() {
        let t = TxnId {
            coord: 0,
            epoch: 2,
            seq: 17,
        };
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"c1.2.17\"");
        assert_eq!(serde_json::from_str::<TxnId>(&json).unwrap(), t);
        assert!("c0.1.1".parse::<TxnId>().is_err());
        assert!("x1.1.1".parse::<TxnId>().is_err());
        assert!(serde_json::from_str::<TxnId>("7").is_err());
    }

    #[test]
    fn txn_ids_key_durable_maps() {
        let t = TxnId {
            coord: 1,
            epoch: 1,
            seq: 3,
        };
        let log = std::collections::BTreeMap::from([(t, 5)]);
        let value = serde_json::to_value(&log).unwrap();
        assert_eq!(value, serde_json::json!({"c2.1.3": 5}));
        let back: std::collections::BTreeMap<TxnId, i32> = serde_json::from_value(value).unwrap();
        assert_eq!(back, log);
    }

    #[test]
    fn causes_serialize_as_their_words() {
        for c in [AbortCause::NoFunds, AbortCause::PrepareTimeout] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.word());
        }
    }
}
