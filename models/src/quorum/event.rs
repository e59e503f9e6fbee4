//! The quorum store's protocol events: what each replica holds, so the
//! convergence and lost-write checkers can follow every replica's state.
//!
//! `stored` is recorded on every applied store (about 1.3 per client op),
//! so it is kept to integers: a variant of 29 bytes, no heap. `via` says
//! how the item arrived, so situations ([`super::situations`]) can tell a
//! delivered hint or a repair from a write.

use super::version::Versioned;
use serde::{Deserialize, Serialize};

/// How an item reached a replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// A client's write or cas, from its coordinator.
    #[default]
    Write,
    /// A read repair (blocking or asynchronous).
    Repair,
    /// A re-sent hint (hinted handoff).
    Hint,
    /// An anti-entropy exchange.
    AntiEntropy,
}

/// A replica's change of state, as recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "name", content = "data", rename_all = "snake_case")]
pub enum Event {
    /// The replica's item for `key` changed to `item` (a write, a read
    /// repair, a hint or an anti-entropy item it applied); the store was
    /// persisted before this was recorded.
    Stored {
        /// The key.
        key: u32,
        /// What the replica holds now.
        item: Versioned,
        /// How it got there (absent in histories written before it was
        /// recorded: read as a write).
        #[serde(default)]
        via: Via,
    },
    /// The replica (re)started holding `items`: what survived on disk
    /// (recorded at every start, so it also replaces what the checkers
    /// knew of the replica before a crash).
    Restored {
        /// Every key the replica holds after the start, by key.
        items: Vec<(u32, Versioned)>,
    },
}

impl crate::history::Event for Event {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Event as _;
    use crate::quorum::version::Version;
    use serde_json::json;

    fn item() -> Versioned {
        Versioned {
            version: Version {
                ts: 3,
                node: 1,
                boot: 2,
            },
            value: 9,
        }
    }

    #[test]
    fn events_keep_their_json_form_and_stay_small() {
        let stored = Event::Stored {
            key: 4,
            item: item(),
            via: Via::Hint,
        };
        assert_eq!(stored.name(), "stored");
        let text = json!({"name": "stored", "data": {"key": 4, "item":
            {"version": {"ts": 3, "node": 1, "boot": 2}, "value": 9}, "via": "hint"}});
        assert_eq!(serde_json::to_value(&stored).unwrap(), text);
        let restored = Event::Restored {
            items: vec![(4, item())],
        };
        assert_eq!(restored.name(), "restored");
        let back: Event = serde_json::from_value(serde_json::to_value(&restored).unwrap()).unwrap();
        assert_eq!(back, restored);
        assert!(std::mem::size_of::<Event>() <= 32);
    }
}
