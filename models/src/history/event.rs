//! Protocol events: each protocol's own typed enum.
//!
//! A protocol declares its events once, as an enum with
//! `#[derive(Serialize, Deserialize)]` and
//! `#[serde(tag = "name", content = "data", rename_all = "snake_case")]`;
//! that representation is the `name`/`data` pair of a `history.jsonl` event
//! line, and [`Event::name`] reads the variant's name off serde, so the
//! name in the file, in logs and in checkers cannot drift apart. Checkers
//! `match` on the variants: a renamed or removed field is a compile error,
//! not a checker that silently judges nothing.
//!
//! [`RawEvent`] is the untyped form, for histories of protocols this build
//! does not know (e.g. `faultline check` on a file).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt::Debug;
use std::hash::Hash;

/// A protocol's event type.
pub trait Event:
    Clone + Debug + PartialEq + Hash + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// The event's name, e.g. "became_leader": by default the serde name
    /// of the enum variant (see the module doc).
    fn name(&self) -> &'static str {
        super::event_name::variant_name(self).unwrap_or("event")
    }
}

/// An event of a protocol this build does not know: its name and data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawEvent {
    /// The event's name.
    pub name: crate::name::Name,
    /// The event's data.
    #[serde(default)]
    pub data: Value,
}

impl Hash for RawEvent {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        super::val::Val::Json(Box::new(self.data.clone())).hash_into(state);
    }
}

impl Event for RawEvent {
    fn name(&self) -> &'static str {
        self.name.as_str()
    }
}

/// The event type of a model that records none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "name", content = "data", rename_all = "snake_case")]
pub enum NoEvent {}

impl Event for NoEvent {}
