//! The cqrs model's protocol events: what its nodes record in the history
//! for the checkers and metrics (not the orders' domain events, which are
//! [`super::domain`]; one of these, `appended`, carries one).
//!
//! In `history.jsonl` an event is `{"name": "applied", "data": {...}}`:
//! the names and fields are the serde form of [`Event`].

use super::domain::DomainEvent;
use super::views::{Row, RowKey};
use serde::{Deserialize, Serialize};

/// A cqrs protocol event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "name", content = "data", rename_all = "snake_case")]
pub enum Event {
    /// The store appended this domain event to its log (and, unless the
    /// variant is `dual-write`, to its outbox, in the same durable write).
    Appended(DomainEvent),
    /// The store refused an append decided on a stale version of the
    /// stream (optimistic concurrency); the handler reloads and retries.
    Conflict {
        /// The order.
        order: u64,
        /// The version the handler decided on.
        expected: u64,
        /// The stream's current version.
        version: u64,
    },
    /// The bus acknowledged the relay's batch of outbox positions
    /// `first..=last` (after a relay crash, positions are published again).
    Published {
        /// The batch's first position.
        first: u64,
        /// The batch's last position.
        last: u64,
    },
    /// A projector wrote a domain event into its read model.
    Applied(Applied),
    /// A projector was delivered an event its checkpoint already covers (a
    /// redelivery, a duplicate, or one a rebuild read first) and
    /// acknowledged it without applying it again.
    Skipped {
        /// The order.
        order: u64,
        /// The event's version in the order's stream.
        version: u64,
        /// Its position in the store's log.
        position: u64,
        /// The read model's generation.
        generation: u64,
    },
    /// A projector cleared its read model and checkpoint to rebuild them
    /// from the store's log as generation `generation`.
    RebuildStarted {
        /// The generation being built.
        generation: u64,
    },
    /// A projector finished rebuilding generation `generation`.
    RebuildDone {
        /// The generation built.
        generation: u64,
        /// Log entries it read.
        events: u64,
    },
}

impl crate::history::Event for Event {}

/// Where a projector got the event it applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Delivered by the bus.
    Bus,
    /// Read from the store's log during a rebuild.
    Rebuild,
}

/// What an `applied` event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Applied {
    /// The order.
    pub order: u64,
    /// The event's version in the order's stream.
    pub version: u64,
    /// Its position in the store's log.
    pub position: u64,
    /// The read model's generation (bumped by each rebuild).
    pub generation: u64,
    /// Bus delivery or rebuild.
    pub source: Source,
    /// The row written and its new value, if the event touches this read
    /// model (in the file: `"rows": {"order/5": {...}}` or `{}`).
    #[serde(with = "one_row")]
    pub rows: Option<(RowKey, Row)>,
}

/// `Option<(RowKey, Row)>` as a JSON object of at most one row.
mod one_row {
    use super::{Row, RowKey};
    use serde::de::Error;
    use serde::ser::SerializeMap;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(row: &Option<(RowKey, Row)>, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(usize::from(row.is_some())))?;
        if let Some((key, value)) = row {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<(RowKey, Row)>, D::Error> {
        let rows = BTreeMap::<RowKey, Row>::deserialize(d)?;
        if rows.len() > 1 {
            return Err(D::Error::custom(
                "a projector writes at most one row per event",
            ));
        }
        Ok(rows.into_iter().next())
    }
}

#[cfg(test)]
mod tests {
    use super::super::domain::Body;
    use super::super::views::StatusRow;
    use super::*;
    use crate::history::Event as _;
    use serde_json::json;

    #[test]
    fn the_file_form_keeps_the_old_names_and_fields() {
        let applied = Event::Applied(Applied {
            order: 3,
            version: 1,
            position: 4,
            generation: 0,
            source: Source::Bus,
            rows: Some((RowKey::Status, Row::Status(StatusRow::default()))),
        });
        let form = json!({"name": "applied", "data": {"order": 3, "version": 1, "position": 4,
            "generation": 0, "source": "bus",
            "rows": {"status": {"open": 0, "paid": 0, "cancelled": 0}}}});
        assert_eq!(serde_json::to_value(&applied).unwrap(), form);
        assert_eq!(serde_json::from_value::<Event>(form).unwrap(), applied);
        assert_eq!(applied.name(), "applied");
        let appended = Event::Appended(DomainEvent {
            order: 3,
            version: 1,
            position: 4,
            body: Body::Created { customer: 3 },
        });
        let data = json!({"order": 3, "version": 1, "position": 4,
            "body": {"kind": "created", "customer": 3}});
        assert_eq!(serde_json::to_value(&appended).unwrap()["data"], data);
        let done = Event::RebuildDone {
            generation: 2,
            events: 9,
        };
        assert_eq!(done.name(), "rebuild_done");
    }
}
