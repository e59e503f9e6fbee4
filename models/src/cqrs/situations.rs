//! The situations cqrs scenarios are meant to reach ("sometimes"
//! properties, see [`crate::check::situation`]), each a test on the typed
//! events, client operations and fault lines of a history.
//!
//! `redelivered-event-deduplicated` is a projector's `skipped` event: a
//! delivery its checkpoint covered, whatever sent it twice (a relay that
//! republished after a crash, the bus redelivering what a crashed
//! projector had not acknowledged, a duplicating network).

use super::event::Event;
use crate::check::situation::{first_event, Situation};
use crate::check::CheckContext;
use crate::history::{Entry, FaultChange, FaultKind, History, OpEntry, OpType, Val};
use serde_json::Value;
use std::collections::BTreeMap;

/// The cqrs model's situations, in the order `run` lists them.
pub const SITUATIONS: &[Situation<Event>] = &[
    Situation {
        name: "projector-rebuilt",
        description: "a projector reset its read model and rebuilt it from the event store",
        reached: |h, _| first_event(h, |e| matches!(e.event, Event::RebuildDone { .. })),
    },
    Situation {
        name: "redelivered-event-deduplicated",
        description: "a position published again reached a projector that had applied it, which did not apply it twice",
        reached: redelivery_deduplicated,
    },
    Situation {
        name: "relay-resumed-after-crash",
        description: "the outbox relay crashed and, restarted, published outbox entries again",
        reached: relay_resumed,
    },
    Situation {
        name: "conflict-retried",
        description: "a command lost an optimistic-concurrency race, reloaded and then succeeded",
        reached: conflict_retried,
    },
    Situation {
        name: "stale-read",
        description: "a read_order was answered from a read model behind the store at its invocation",
        reached: stale_read,
    },
];

fn redelivery_deduplicated(h: &History<Event>, _: &CheckContext) -> Option<usize> {
    first_event(h, |e| matches!(e.event, Event::Skipped { .. }))
}

fn relay_resumed(h: &History<Event>, _: &CheckContext) -> Option<usize> {
    let relay = h.node_index("relay")?;
    let mut crashed = false;
    for (i, entry) in h.entries.iter().enumerate() {
        match entry {
            Entry::Fault(f) if f.change == FaultChange::Start(FaultKind::Crash) => {
                crashed |= f.nodes.contains(&relay);
            }
            Entry::Event(ev) if crashed && matches!(ev.event, Event::Published { .. }) => {
                return Some(i);
            }
            _ => {}
        }
    }
    None
}

fn version_of(op: &OpEntry) -> Option<u64> {
    op.value().get("version").and_then(Value::as_u64)
}

fn conflict_retried(h: &History<Event>, _: &CheckContext) -> Option<usize> {
    // Order -> (conflict time, the stream's version then).
    let mut lost: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    let mut invoked: BTreeMap<u64, u64> = BTreeMap::new();
    for (i, entry) in h.entries.iter().enumerate() {
        match entry {
            Entry::Event(ev) => {
                if let Event::Conflict { order, version, .. } = ev.event {
                    lost.entry(order).or_insert((ev.time_us, version));
                }
            }
            Entry::Op(op) if op.kind == OpType::Invoke => {
                invoked.insert(op.process, op.time_us);
            }
            Entry::Op(op) if op.kind == OpType::Ok => {
                let order = op.key().and_then(Val::as_u64);
                let Some(&(t, v)) = order.and_then(|o| lost.get(&o)) else {
                    continue;
                };
                let pending = invoked.get(&op.process).is_some_and(|&s| s <= t);
                if pending && version_of(op).is_some_and(|got| got > v) {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn stale_read(h: &History<Event>, _: &CheckContext) -> Option<usize> {
    let mut store: BTreeMap<u64, u64> = BTreeMap::new();
    // Process -> (order read, the store's version then).
    let mut reading: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    for (i, entry) in h.entries.iter().enumerate() {
        match entry {
            Entry::Event(ev) => {
                if let Event::Appended(e) = &ev.event {
                    store.insert(e.order, e.version);
                }
            }
            Entry::Op(op) if op.f() == "read_order" => {
                let Some(o) = op.key().and_then(Val::as_u64) else {
                    continue;
                };
                if op.kind == OpType::Invoke {
                    reading.insert(op.process, (o, store.get(&o).copied().unwrap_or(0)));
                } else if let Some((o, v)) = reading.remove(&op.process) {
                    if op.kind == OpType::Ok && seen_version(op, o) < v {
                        return Some(i);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The version of order `o` a read answer says it reflects.
fn seen_version(op: &OpEntry, o: u64) -> u64 {
    let pairs = op.value().get("seen").and_then(Value::as_array);
    let mine = pairs
        .into_iter()
        .flatten()
        .find_map(|p| (p.get(0)?.as_u64()? == o).then_some(p.get(1)?.as_u64()?));
    mine.unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::super::domain::Body;
    use super::super::timeline::build::{appended, ctx, ev};
    use super::*;
    use crate::check::situation::reached;
    use crate::name::Name;
    use serde_json::json;

    fn when(h: &History<Event>, name: &str) -> Option<usize> {
        let all = reached(SITUATIONS, h, &ctx());
        all.into_iter()
            .find(|r| r.name == name)
            .expect("declared")
            .entry
    }

    fn op(h: &mut History<Event>, kind: OpType, p: u64, t: u64, f: &str, value: Value) {
        let mut e = OpEntry::new(kind, p, t, Name::intern(f).unwrap());
        e.key = Val::from(json!(5));
        e.value = Val::from(value);
        h.push(Entry::Op(e));
    }

    #[test]
    fn a_read_behind_the_store_is_stale_and_one_up_to_date_is_not() {
        let mut h: History<Event> = History::default();
        appended(&mut h, 1, 5, 1, 0, Body::Created { customer: 1 });
        op(&mut h, OpType::Invoke, 0, 2, "read_order", Value::Null);
        op(
            &mut h,
            OpType::Ok,
            0,
            3,
            "read_order",
            json!({"seen": [[5, 1]]}),
        );
        assert_eq!(when(&h, "stale-read"), None);
        op(&mut h, OpType::Invoke, 0, 4, "read_order", Value::Null);
        op(&mut h, OpType::Ok, 0, 5, "read_order", json!({"seen": []}));
        assert_eq!(when(&h, "stale-read"), Some(4));
    }

    #[test]
    fn a_conflict_then_the_losers_later_version_is_a_retry() {
        let mut h: History<Event> = History::default();
        op(&mut h, OpType::Invoke, 1, 1, "pay", Value::Null);
        let conflict = Event::Conflict {
            order: 5,
            expected: 1,
            version: 2,
        };
        ev(&mut h, 2, "store", conflict);
        assert_eq!(when(&h, "conflict-retried"), None);
        op(&mut h, OpType::Ok, 1, 3, "pay", json!({"version": 3}));
        assert_eq!(when(&h, "conflict-retried"), Some(2));
        assert_eq!(when(&h, "projector-rebuilt"), None);
        assert_eq!(when(&h, "relay-resumed-after-crash"), None);
    }
}
