//! The client ops of a quorum history, per key, and which reads were stale.
//!
//! Every write writes a distinct value, so a read's result names its
//! writer. A read `r` is **stale** when some write `w` was acknowledged
//! before `r` was invoked, yet `r` returned a value whose writer finished
//! before `w` was invoked (or returned nothing): `w` had certainly taken
//! effect, and `r` saw an older state. A linearizable store has no stale
//! reads; the converse does not hold. A write that timed out never
//! "finishes", so it never makes a read stale.

use crate::history::{Entry, History, OpType, Val};
use std::collections::BTreeMap;

/// A write or successful cas: a value that may be in the store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WriteOp {
    /// The value written.
    pub value: u64,
    /// When it was invoked.
    pub invoke_us: u64,
    /// When it was acknowledged (`ok`); `None` if it timed out.
    pub ack_us: Option<u64>,
    /// History indices of its invoke and completion lines.
    pub entries: (usize, Option<usize>),
}

/// A read that completed `ok`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadOp {
    /// The key.
    pub key: u64,
    /// The value read; `None` for absent.
    pub value: Option<u64>,
    /// When it was invoked and when it returned.
    pub span_us: (u64, u64),
    /// History indices of its invoke and ok lines.
    pub entries: (usize, usize),
}

/// One key's writes, with the acknowledged ones indexed by ack time.
#[derive(Debug, Clone, Default)]
pub struct KeyWrites {
    /// Every write that may have taken effect.
    pub writes: Vec<WriteOp>,
    by_value: BTreeMap<u64, usize>,
    /// (ack_us, index of the latest-invoked write acked by then), by ack time.
    acked: Vec<(u64, usize)>,
    /// (ack_us, index) of the acked writes, by ack time then index.
    by_ack: Vec<(u64, usize)>,
}

/// A read that missed an acknowledged write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stale {
    /// The write the read should have seen (or something newer).
    pub missed: WriteOp,
    /// The writer of what it returned, if known.
    pub returned: Option<WriteOp>,
}

impl KeyWrites {
    fn index(&mut self) {
        for (i, w) in self.writes.iter().enumerate() {
            self.by_value.insert(w.value, i);
        }
        let mut acked: Vec<(u64, usize)> = (0..self.writes.len())
            .filter_map(|i| self.writes[i].ack_us.map(|a| (a, i)))
            .collect();
        acked.sort_unstable();
        self.by_ack = acked.clone();
        let mut best: Option<usize> = None;
        for slot in &mut acked {
            let later = |b: usize| self.writes[slot.1].invoke_us > self.writes[b].invoke_us;
            if best.is_none_or(later) {
                best = Some(slot.1);
            }
            slot.1 = best.unwrap_or(slot.1);
        }
        self.acked = acked;
    }

    /// The writer of `value`.
    pub fn writer(&self, value: u64) -> Option<&WriteOp> {
        self.by_value.get(&value).map(|&i| &self.writes[i])
    }

    /// The acked write invoked last among those acked strictly before `t_us`.
    fn latest_invoked_acked_before(&self, t_us: u64) -> Option<&WriteOp> {
        let n = self.acked.partition_point(|&(a, _)| a < t_us);
        n.checked_sub(1).map(|i| &self.writes[self.acked[i].1])
    }

    /// Whether a read invoked at `invoke_us` that returned `value` is stale.
    pub fn stale(&self, invoke_us: u64, value: Option<u64>) -> Option<Stale> {
        let returned = value.and_then(|v| self.writer(v)).copied();
        if value.is_some() && returned.is_none() {
            return None; // a value nobody wrote: linearizability's business
        }
        let done_us = returned.map(|w| w.ack_us);
        let missed = self.latest_invoked_acked_before(invoke_us)?;
        let precedes = match done_us {
            None => true,
            Some(None) => false,
            Some(Some(ack)) => ack < missed.invoke_us,
        };
        precedes.then_some(Stale {
            missed: *missed,
            returned,
        })
    }

    /// The acked write with the latest ack strictly before `t_us` (of
    /// those acked at the same instant, the last written down).
    pub fn last_acked_before(&self, t_us: u64) -> Option<&WriteOp> {
        let n = self.by_ack.partition_point(|&(a, _)| a < t_us);
        n.checked_sub(1).map(|i| &self.writes[self.by_ack[i].1])
    }
}

/// The client ops of a history.
#[derive(Debug, Clone, Default)]
pub struct ClientOps {
    /// Writes by key.
    pub keys: BTreeMap<u64, KeyWrites>,
    /// Reads that returned, in invoke order.
    pub reads: Vec<ReadOp>,
    /// (f, latency in ms) of every op that completed ok or fail.
    pub latencies: Vec<(&'static str, f64)>,
}

impl ClientOps {
    /// Pairs invokes with completions and sorts out reads and writes.
    pub fn parse<E>(history: &History<E>) -> ClientOps {
        let mut open: BTreeMap<u64, usize> = BTreeMap::new();
        let mut pairs = Vec::new();
        for (i, e) in history.entries.iter().enumerate() {
            let Entry::Op(op) = e else { continue };
            match op.kind {
                OpType::Invoke => {
                    if let Some(prev) = open.insert(op.process, i) {
                        pairs.push((prev, None));
                    }
                }
                _ => pairs.extend(open.remove(&op.process).map(|inv| (inv, Some(i)))),
            }
        }
        pairs.extend(open.values().map(|&inv| (inv, None)));
        pairs.sort_unstable();
        let mut ops = ClientOps::default();
        for pair in pairs {
            ops.add(history, pair);
        }
        ops.keys.values_mut().for_each(KeyWrites::index);
        ops
    }

    fn add<E>(&mut self, history: &History<E>, (inv, done): (usize, Option<usize>)) {
        let op_at = |i: usize| match &history.entries[i] {
            Entry::Op(op) => op,
            _ => panic!("entry {i} is not an op"),
        };
        let invoke = op_at(inv);
        let end = done.map(op_at);
        let kind = end.map_or(OpType::Info, |e| e.kind);
        let Some(key) = invoke.key().and_then(Val::as_u64) else {
            return;
        };
        if let (Some(e), OpType::Ok | OpType::Fail) = (end, kind) {
            let ms = (e.time_us - invoke.time_us) as f64 / 1000.0;
            self.latencies.push((invoke.f(), ms));
        }
        let new_value = match invoke.f() {
            "read" => {
                if let (Some(e), OpType::Ok) = (end, kind) {
                    self.reads.push(ReadOp {
                        key,
                        value: e.value().as_u64(),
                        span_us: (invoke.time_us, e.time_us),
                        entries: (inv, done.unwrap_or(inv)),
                    });
                }
                return;
            }
            "write" => invoke.value().as_u64(),
            "cas" => invoke.value().at(1).and_then(serde_json::Value::as_u64),
            _ => None,
        };
        let (Some(value), false) = (new_value, kind == OpType::Fail) else {
            return;
        };
        let ack_us = end.filter(|_| kind == OpType::Ok).map(|e| e.time_us);
        let write = WriteOp {
            value,
            invoke_us: invoke.time_us,
            ack_us,
            entries: (inv, done),
        };
        self.keys.entry(key).or_default().writes.push(write);
    }

    /// Whether `read` is stale (see the module doc).
    pub fn stale(&self, read: &ReadOp) -> Option<Stale> {
        self.keys.get(&read.key)?.stale(read.span_us.0, read.value)
    }
}
