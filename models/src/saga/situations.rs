//! The situations saga scenarios are meant to reach ("sometimes"
//! properties, see [`crate::check::situation`]): the recovery paths that
//! only rejections and faults open.

use super::event::Event;
use crate::check::situation::{first_event, Situation};
use crate::check::CheckContext;
use crate::history::{Entry, History};
use std::collections::BTreeSet;

/// The situations, in the order `run` lists them.
pub const SITUATIONS: &[Situation<Event>] = &[
    Situation {
        name: "compensation-ran",
        description: "a service undid a step it had run (order cancelled, stock released, payment refunded or shipment cancelled)",
        reached: |h, _| first_event(h, |e| undoes(&e.event)),
    },
    Situation {
        name: "retry-deduplicated",
        description: "a forward step arrived again and its idempotency key returned the recorded result without a second effect",
        reached: |h, _| first_event(h, |e| matches!(e.event, Event::Deduplicated { .. })),
    },
    Situation {
        name: "orchestrator-recovered",
        description: "a restarted orchestrator found a saga in its log and resumed it mid-way",
        reached: |h, _| first_event(h, |e| matches!(e.event, Event::SagaRecovered { .. })),
    },
    Situation {
        name: "saga-compensated",
        description: "a saga ended compensated after undoing at least one step that had taken effect",
        reached: compensated_after_undo,
    },
];

/// Whether `e` is the effect of a compensation.
fn undoes(e: &Event) -> bool {
    matches!(
        e,
        Event::OrderCancelled { .. }
            | Event::Released { .. }
            | Event::Refunded { .. }
            | Event::ShipmentCancelled { .. }
    )
}

/// The first `saga_compensated` of a saga a compensation had undone
/// something for.
fn compensated_after_undo(h: &History<Event>, _: &CheckContext) -> Option<usize> {
    let mut undone: BTreeSet<u64> = BTreeSet::new();
    for (i, entry) in h.entries.iter().enumerate() {
        let Entry::Event(ev) = entry else { continue };
        match ev.event {
            Event::SagaCompensated { saga } if undone.contains(&saga) => return Some(i),
            ref e if undoes(e) => {
                undone.extend(e.saga());
            }
            _ => {}
        }
    }
    None
}
