//! Hinted handoff (Dynamo §4.6), simplified: the coordinator itself keeps
//! the hint for a replica that did not acknowledge a write before the
//! request's timeout, and re-sends it every `handoff_ms` until the replica
//! answers with that version or a newer one. Hints live in memory: a
//! coordinator crash loses them (anti-entropy is the backstop). Hints do not
//! count towards W (no sloppy quorum), so they never weaken reads.

use super::coordinator::Hint;
use super::msg::Msg;
use super::version::{Version, Versioned};
use super::Ctx;
use crate::node::NodeId;
use std::collections::BTreeMap;

/// The tag of re-sent hints (no request has it: request tags are below 2^60).
pub const HINT_TAG: u64 = u64::MAX - 2;
/// The timer that re-sends hints.
pub const HANDOFF_TIMER: u64 = u64::MAX - 1;

/// Hints held by one coordinator: (replica, key) → the newest item owed.
#[derive(Debug, Default)]
pub struct Hints {
    owed: BTreeMap<(NodeId, u32), Versioned>,
}

impl Hints {
    /// Adds hints, keeping the newest item per (replica, key).
    pub fn add(&mut self, hints: Vec<Hint>) {
        for (to, key, item) in hints {
            let slot = self.owed.entry((to, key)).or_insert(item);
            if slot.version < item.version {
                *slot = item;
            }
        }
    }

    /// Number of hints held.
    pub fn len(&self) -> usize {
        self.owed.len()
    }

    /// Re-sends every hint.
    pub fn resend(&self, ctx: &mut Ctx<'_>) {
        for (&(to, key), &item) in &self.owed {
            let store = Msg::Store {
                tag: HINT_TAG,
                key,
                item,
                repair: false,
            };
            ctx.send(to, store);
        }
    }

    /// `from` acknowledged holding `held` for `key`: drop hints it covers.
    pub fn on_stored(&mut self, from: NodeId, key: u32, held: Version) {
        if let Some(item) = self.owed.get(&(from, key)) {
            if held >= item.version {
                self.owed.remove(&(from, key));
            }
        }
    }
}
