//! Query-side metrics: stale reads and read-your-writes violations.
//!
//! A read is *stale* when some order it covers had a newer version in the
//! store when the read was invoked than the read model reflected (`seen`).
//! It violates *read-your-writes* when its own client process had already
//! been told `ok` for a write of a covered order at a version the read does
//! not reflect. Both are allowed in CQRS (reads are eventually consistent);
//! these metrics say how often they happen.

use super::event::Event;
use super::timeline;
use crate::history::{Entry, History, OpEntry, OpType, Val};
use serde_json::Value;
use std::collections::BTreeMap;

/// One completed read, judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadJudged {
    /// When it completed.
    pub time_us: u64,
    /// Behind the store at its invocation.
    pub stale: bool,
    /// Behind the process's own acknowledged write.
    pub ryw_violation: bool,
}

/// Each order's versions as the store appended them: (time, version).
struct StoreVersions(BTreeMap<u64, Vec<(u64, u64)>>);

impl StoreVersions {
    fn of(history: &History<Event>) -> StoreVersions {
        let mut appends: BTreeMap<u64, Vec<(u64, u64)>> = BTreeMap::new();
        for a in timeline::appended(history) {
            let e = a.data;
            appends
                .entry(e.order)
                .or_default()
                .push((a.time_us, e.version));
        }
        StoreVersions(appends)
    }

    /// `order`'s highest version appended by `time_us`.
    fn at(&self, order: u64, time_us: u64) -> u64 {
        let appends = self.0.get(&order).map(Vec::as_slice).unwrap_or(&[]);
        let upto = appends.iter().filter(|(t, _)| *t <= time_us);
        upto.map(|(_, v)| *v).max().unwrap_or(0)
    }
}

/// Judges every `ok` read of `history`; `orders` and `customers` are the pools.
pub fn judge_reads(history: &History<Event>, orders: u64, customers: u64) -> Vec<ReadJudged> {
    let store = StoreVersions::of(history);
    let mut invoked: BTreeMap<u64, &OpEntry> = BTreeMap::new();
    let mut acked: BTreeMap<u64, BTreeMap<u64, u64>> = BTreeMap::new();
    let mut out = Vec::new();
    for entry in &history.entries {
        let Entry::Op(op) = entry else { continue };
        if op.kind == OpType::Invoke {
            invoked.insert(op.process, op);
            continue;
        }
        let Some(inv) = invoked.remove(&op.process) else {
            continue;
        };
        if op.kind != OpType::Ok {
            continue;
        }
        let covered = covered_orders(inv, orders, customers);
        if covered.is_empty() {
            record_write(&mut acked, op);
            continue;
        }
        let seen = seen_of(op.value());
        let mine = acked.get(&op.process);
        let behind = |o: &u64, v: u64| seen.get(o).copied().unwrap_or(0) < v;
        let own = |o: &u64| mine.and_then(|m| m.get(o)).copied().unwrap_or(0);
        out.push(ReadJudged {
            time_us: op.time_us,
            stale: covered.iter().any(|o| behind(o, store.at(*o, inv.time_us))),
            ryw_violation: covered.iter().any(|o| behind(o, own(o))),
        });
    }
    out
}

/// The orders a read covers (empty for writes and rebuilds).
fn covered_orders(inv: &OpEntry, orders: u64, customers: u64) -> Vec<u64> {
    let key = inv.key().and_then(Val::as_u64);
    match (inv.f(), key) {
        ("read_order", Some(o)) => vec![o],
        ("read_customer", Some(c)) => (0..orders).filter(|o| o % customers == c).collect(),
        ("read_status", _) => (0..orders).collect(),
        _ => Vec::new(),
    }
}

fn record_write(acked: &mut BTreeMap<u64, BTreeMap<u64, u64>>, op: &OpEntry) {
    let v = op.value();
    let (Some(order), Some(version)) = (
        v.get("order").and_then(Value::as_u64),
        v.get("version").and_then(Value::as_u64),
    ) else {
        return;
    };
    let slot = acked
        .entry(op.process)
        .or_default()
        .entry(order)
        .or_insert(0);
    *slot = (*slot).max(version);
}

fn seen_of(value: &Val) -> BTreeMap<u64, u64> {
    let pairs = value.get("seen").and_then(Value::as_array);
    pairs
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p.get(0)?.as_u64()?, p.get(1)?.as_u64()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::domain::Body;
    use super::super::timeline::build::appended;
    use super::*;
    use crate::name::Name;
    use serde_json::json;

    fn op(h: &mut History<Event>, kind: OpType, process: u64, time_us: u64, fields: Value) {
        let Value::Object(fields) = fields else {
            unreachable!()
        };
        let f = Name::from_static("?");
        let op = OpEntry::from_fields(kind, process, time_us, f, fields).unwrap();
        h.push(Entry::Op(op));
    }

    #[test]
    fn a_read_behind_the_store_is_stale_and_behind_its_own_write_violates_ryw() {
        let mut h = History::default();
        op(
            &mut h,
            OpType::Invoke,
            1,
            0,
            json!({"f": "create", "key": 5}),
        );
        appended(&mut h, 5, 5, 1, 1, Body::Created { customer: 1 });
        op(
            &mut h,
            OpType::Ok,
            1,
            9,
            json!({"f": "create", "key": 5,
            "value": {"order": 5, "version": 1, "position": 1}}),
        );
        op(
            &mut h,
            OpType::Invoke,
            2,
            10,
            json!({"f": "read_order", "key": 5}),
        );
        op(
            &mut h,
            OpType::Ok,
            2,
            12,
            json!({"f": "read_order", "key": 5,
            "value": {"row": null, "seen": []}}),
        );
        op(
            &mut h,
            OpType::Invoke,
            1,
            20,
            json!({"f": "read_customer", "key": 1}),
        );
        op(
            &mut h,
            OpType::Ok,
            1,
            22,
            json!({"f": "read_customer", "key": 1,
            "value": {"row": null, "seen": [[1, 1]]}}),
        );
        op(&mut h, OpType::Invoke, 2, 30, json!({"f": "read_status"}));
        op(
            &mut h,
            OpType::Ok,
            2,
            32,
            json!({"f": "read_status", "value": {"seen": [[5, 1]]}}),
        );
        let judged = judge_reads(&h, 8, 4);
        let flags: Vec<_> = judged.iter().map(|j| (j.stale, j.ryw_violation)).collect();
        assert_eq!(flags, vec![(true, false), (true, true), (false, false)]);
    }
}
