//! One row per client operation: invocation paired with its completion.

use faultline_models::{HistoryView, OpType};
use std::collections::BTreeMap;

/// How an operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Took effect.
    Ok,
    /// Certainly did not take effect.
    Fail,
    /// Unknown: the client timed out.
    Info,
    /// Still in flight when the run ended.
    Pending,
}

impl Outcome {
    /// The word used in files: ok, fail, info, pending.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Fail => "fail",
            Outcome::Info => "info",
            Outcome::Pending => "pending",
        }
    }
}

/// One client operation.
#[derive(Debug, Clone, PartialEq)]
pub struct OpRow {
    /// 0-based index of the op's invoke line in `history.jsonl`.
    pub index: usize,
    /// The client process.
    pub process: u64,
    /// The op's `f` (interned: a String per op was a heap block per op).
    pub f: &'static str,
    /// The node the request went to ("" if none).
    pub node: &'static str,
    /// Invoke time.
    pub invoke_us: u64,
    /// Completion time (None while pending).
    pub complete_us: Option<u64>,
    /// How it ended.
    pub outcome: Outcome,
}

impl OpRow {
    /// Completion minus invocation, for completed ops.
    pub fn latency_us(&self) -> Option<u64> {
        self.complete_us.map(|c| c - self.invoke_us)
    }
}

/// Every op of `history`, in invocation order.
pub fn op_rows(history: &dyn HistoryView) -> Vec<OpRow> {
    let mut rows: Vec<OpRow> = Vec::new();
    let mut open: BTreeMap<u64, usize> = BTreeMap::new();
    let nodes = history.nodes();
    for index in 0..history.len() {
        let Some(op) = history.op(index) else {
            continue;
        };
        if op.kind == OpType::Invoke {
            open.insert(op.process, rows.len());
            rows.push(OpRow {
                index,
                process: op.process,
                f: op.f(),
                node: (op.node())
                    .and_then(|n| nodes.get(n))
                    .map_or("", |n| n.as_str()),
                invoke_us: op.time_us,
                complete_us: None,
                outcome: Outcome::Pending,
            });
        } else if let Some(row) = open.remove(&op.process) {
            let row = &mut rows[row];
            assert!(op.time_us >= row.invoke_us, "completion before invocation");
            row.complete_us = Some(op.time_us);
            row.outcome = match op.kind {
                OpType::Ok => Outcome::Ok,
                OpType::Fail => Outcome::Fail,
                _ => Outcome::Info,
            };
        }
    }
    rows
}
