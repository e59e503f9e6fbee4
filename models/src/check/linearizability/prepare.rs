//! From a [`History`] to the operations the search orders.
//!
//! Each invocation is paired with its process's next completion. What the
//! pair becomes depends on the completion and on [`CheckOptions`]:
//!
//! | completion | becomes |
//! |---|---|
//! | `ok` | a completed op: it took effect between invoke and ok |
//! | `fail`, [`FailSemantics::DidNotHappen`] | nothing (dropped) |
//! | `fail` of a cas, [`FailSemantics::CompareFailed`] | a completed cas whose compare failed |
//! | `fail` of anything else, [`FailSemantics::CompareFailed`] | nothing (dropped) |
//! | `info`, or none by the end | a pending op: it took effect at some moment after its invoke, or never |
//!
//! Reads whose result is unknown (pending, or null under [`NilRead::Unknown`])
//! cannot constrain anything and are dropped. Operations are then split into
//! partitions by `key` (P-compositionality): linearizability of the whole is
//! linearizability of every key on its own.

use super::model::{Input, Micro, Output, Values};
use super::{CheckOptions, FailSemantics, NilRead, SpecKind};
use crate::history::{Entry, History, OpEntry, OpType};
use serde_json::Value;
use std::collections::BTreeMap;
use std::rc::Rc;

/// One operation to order.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    /// What was asked.
    pub(crate) input: Input,
    /// What was answered.
    pub(crate) output: Output,
    /// Index into `History::entries` of the invoke line.
    pub(crate) invoke: usize,
    /// Index of the completion line; `None` while pending (also for `info`).
    pub(crate) completion: Option<usize>,
    /// Index of the `info` line of a pending op, if any.
    pub(crate) info: Option<usize>,
}

impl Op {
    /// True when the op may have taken effect at any time after its invoke, or never.
    pub(crate) fn pending(&self) -> bool {
        self.completion.is_none()
    }
}

/// The operations on one key, in invoke order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Partition {
    /// The key, as text; `None` for unkeyed ops.
    pub(crate) key: Option<String>,
    /// Its operations.
    pub(crate) ops: Vec<Op>,
}

/// Pairs invokes with completions and splits the ops into partitions.
pub(crate) fn prepare<E>(
    history: &History<E>,
    kind: SpecKind,
    opts: &CheckOptions,
    values: &mut Values,
) -> Result<Vec<Partition>, String> {
    let mut open: BTreeMap<u64, usize> = BTreeMap::new();
    let mut pairs: Vec<(usize, Option<usize>)> = Vec::new();
    for (i, entry) in history.entries.iter().enumerate() {
        let Entry::Op(op) = entry else { continue };
        if op.kind == OpType::Invoke {
            if let Some(earlier) = open.insert(op.process, i) {
                pairs.push((earlier, None));
            }
        } else if let Some(inv) = open.remove(&op.process) {
            pairs.push((inv, Some(i)));
        }
    }
    pairs.extend(open.values().map(|&inv| (inv, None)));
    pairs.sort_unstable();
    let mut parts: BTreeMap<Option<String>, Vec<Op>> = BTreeMap::new();
    for (inv, done) in pairs {
        if let Some(op) = build_op(history, (inv, done), kind, opts, values)? {
            let key = partition_key(op_at(history, inv), kind);
            parts.entry(key).or_default().push(op);
        }
    }
    Ok(parts
        .into_iter()
        .map(|(key, ops)| Partition { key, ops })
        .collect())
}

/// The op line at `index`; callers only pass indices of op lines.
fn op_at<E>(history: &History<E>, index: usize) -> &OpEntry {
    match &history.entries[index] {
        Entry::Op(op) => op,
        _ => panic!("entry {index} is not an op line"),
    }
}

/// The partition an op belongs to: its key, except for multi-register
/// transactions, which span keys.
fn partition_key(op: &OpEntry, kind: SpecKind) -> Option<String> {
    if kind == SpecKind::MultiRegister {
        return None;
    }
    op.key().map(|k| match k.as_str() {
        Some(s) => s.to_string(),
        None => k.to_string(),
    })
}

/// The op for an invoke and its completion, `None` if it cannot matter.
fn build_op<E>(
    history: &History<E>,
    (inv, done): (usize, Option<usize>),
    kind: SpecKind,
    opts: &CheckOptions,
    values: &mut Values,
) -> Result<Option<Op>, String> {
    let invoke = op_at(history, inv);
    let completion = done.map(|i| op_at(history, i));
    let where_ = |m: String| format!("entry {inv} ({:?}): {m}", invoke.f());
    let input = parse_input(invoke, completion, values).map_err(where_)?;
    if !kind.accepts(&input) {
        return Err(where_(format!(
            "not an operation of the {} model",
            kind.name()
        )));
    }
    let kind_done = completion.map(|c| c.kind);
    let (output, completed) = match kind_done {
        Some(OpType::Ok) => (ok_output(&input, completion, opts, values), done),
        Some(OpType::Fail) => match (opts.fail, &input) {
            (FailSemantics::CompareFailed, Input::Cas(..)) => (Output::CasFailed, done),
            _ => return Ok(None),
        },
        _ => (Output::Unknown, None),
    };
    if input.is_read() && output == Output::Unknown {
        return Ok(None);
    }
    let info = if completed.is_none() { done } else { None };
    Ok(Some(Op {
        input,
        output,
        invoke: inv,
        completion: completed,
        info,
    }))
}

/// A completed op's output.
fn ok_output(
    input: &Input,
    completion: Option<&OpEntry>,
    opts: &CheckOptions,
    values: &mut Values,
) -> Output {
    match (input, completion) {
        (Input::Read, Some(c)) => match (c.value().is_null(), opts.nil_read) {
            (true, NilRead::Unknown) => Output::Unknown,
            _ => Output::Read(values.json(&c.value().to_value())),
        },
        _ => Output::Done,
    }
}

/// The op's input; arguments come from the invoke, or from the completion
/// when the invoke has none (Knossos replaces the invoke's value with the ok's).
fn parse_input(
    invoke: &OpEntry,
    completion: Option<&OpEntry>,
    values: &mut Values,
) -> Result<Input, String> {
    let arg = match (invoke.value(), completion) {
        (v, Some(c)) if v.is_null() => c.value().to_value(),
        (v, _) => v.to_value(),
    };
    let arg = &*arg;
    match invoke.f() {
        "read" | "get" => Ok(Input::Read),
        "write" | "put" => Ok(Input::Write(values.json(arg))),
        "append" => Ok(Input::Append(values.json(arg))),
        "cas" => parse_cas(arg, values),
        "acquire" | "lock" => Ok(Input::Acquire),
        "release" | "unlock" => Ok(Input::Release),
        "txn" => {
            let ok = completion.filter(|c| c.kind == OpType::Ok);
            parse_txn(
                &ok.map_or(invoke.value(), OpEntry::value).to_value(),
                values,
            )
        }
        other => Err(format!("unknown operation {other:?}")),
    }
}

/// `[expected, new]`.
fn parse_cas(arg: &Value, values: &mut Values) -> Result<Input, String> {
    match arg.as_array().map(Vec::as_slice) {
        Some([expected, new]) => Ok(Input::Cas(values.json(expected), values.json(new))),
        _ => Err(format!("cas value must be [expected, new], found {arg}")),
    }
}

/// `[[f, key, value], ...]` with f "read" or "write"; a read of null is unknown.
fn parse_txn(arg: &Value, values: &mut Values) -> Result<Input, String> {
    let micros = arg
        .as_array()
        .ok_or_else(|| format!("txn value must be a list, found {arg}"))?;
    let parse = |m: &Value| -> Result<Micro, String> {
        let bad = || format!("txn micro-op must be [f, key, value], found {m}");
        let [f, key, val] = m.as_array().map(Vec::as_slice).ok_or_else(bad)? else {
            return Err(bad());
        };
        let key: Rc<str> = match key {
            Value::String(s) => Rc::from(s.as_str()),
            other => Rc::from(other.to_string()),
        };
        let write = match f.as_str() {
            Some("write") => true,
            Some("read") => false,
            _ => return Err(bad()),
        };
        let val = (!val.is_null() || write).then(|| values.json(val));
        Ok(Micro { write, key, val })
    };
    micros
        .iter()
        .map(parse)
        .collect::<Result<_, _>>()
        .map(Input::Txn)
}
