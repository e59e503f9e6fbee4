//! The situations quorum scenarios are meant to reach ("sometimes"
//! properties, [`crate::check::situation`]): each is read off the typed
//! history, the ops' completions and the replicas' `stored` events with
//! the way the item arrived ([`Via`]).

use super::event::{Event, Via};
use crate::check::situation::{first_event, first_op, Situation};
use crate::history::{History, OpEntry, OpType};

/// The store's situations, in the order `run` lists them.
pub const SITUATIONS: &[Situation<Event>] = &[
    Situation {
        name: "cas-succeeded",
        description: "a compare-and-set found the expected value and was acknowledged",
        reached: |h, _| first_op(h, |op| op.f == "cas" && op.kind == OpType::Ok),
    },
    Situation {
        name: "cas-conflict",
        description: "a compare-and-set failed because the key held another value",
        reached: |h, _| first_op(h, cas_conflict),
    },
    Situation {
        name: "read-repair-applied",
        description: "a read repair brought a stale replica up to the newest version",
        reached: |h, _| stored_via(h, Via::Repair),
    },
    Situation {
        name: "hint-delivered",
        description: "a replica that missed a write stored it from a re-sent hint (hinted handoff)",
        reached: |h, _| stored_via(h, Via::Hint),
    },
    Situation {
        name: "anti-entropy-repaired",
        description: "an anti-entropy exchange gave a replica a version it lacked",
        reached: |h, _| stored_via(h, Via::AntiEntropy),
    },
];

/// A cas `fail` that names the value found: the compare failed (a timeout's
/// `fail` carries nothing).
pub fn cas_conflict(op: &OpEntry) -> bool {
    op.f == "cas" && op.kind == OpType::Fail && op.value().at(0).is_some()
}

fn stored_via(h: &History<Event>, via: Via) -> Option<usize> {
    first_event(
        h,
        |ev| matches!(ev.event, Event::Stored { via: v, .. } if v == via),
    )
}
