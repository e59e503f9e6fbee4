//! Client operation lines: an invocation or a completion, compactly.

use super::val::Val;
use crate::name::Name;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The type of an operation line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpType {
    /// Start of an operation.
    Invoke,
    /// Completed and took effect.
    Ok,
    /// Completed and certainly did not take effect.
    Fail,
    /// Outcome unknown (timed out).
    Info,
}

/// Marks "no node" in [`OpEntry::node`] (an `Option<u32>` would be 8 bytes).
const NO_NODE: u32 = u32::MAX;

/// One line of a client operation: an invocation or a completion.
///
/// The operation's fields are `f`, `key` and `value`, and rarely others
/// (`extra`, e.g. a transfer's `from`, `to`, `amount`), as in Jepsen.
#[derive(Debug, Clone, PartialEq)]
pub struct OpEntry {
    /// Invoke, ok, fail or info.
    pub kind: OpType,
    node: u32,
    /// The client process; one operation at a time per process.
    pub process: u64,
    /// Simulated time in microseconds.
    pub time_us: u64,
    /// The operation's function name, e.g. "read".
    pub f: Name,
    /// The operation's key, if it has one (null: none).
    pub key: Val,
    /// The operation's value (the reply's, on a completion).
    pub value: Val,
    /// Any other fields, in name order.
    pub extra: Option<Box<Map<String, Value>>>,
}

impl OpEntry {
    /// A line of `f` with no key, value or other fields.
    pub fn new(kind: OpType, process: u64, time_us: u64, f: Name) -> OpEntry {
        OpEntry {
            kind,
            node: NO_NODE,
            process,
            time_us,
            f,
            key: Val::Null,
            value: Val::Null,
            extra: None,
        }
    }

    /// A line from an operation's JSON fields (`f`, `key`, `value`, others);
    /// `f` is used when the fields carry none.
    pub fn from_fields(
        kind: OpType,
        process: u64,
        time_us: u64,
        f: Name,
        fields: Map<String, Value>,
    ) -> Result<OpEntry, crate::name::TooManyNames> {
        let mut op = OpEntry::new(kind, process, time_us, f);
        for (k, v) in fields {
            match k.as_str() {
                "f" => {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    op.f = Name::intern(&text)?;
                }
                "key" => op.key = Val::from(v),
                "value" => op.value = Val::from(v),
                _ => {
                    op.extra.get_or_insert_with(Default::default).insert(k, v);
                }
            }
        }
        Ok(op)
    }

    /// The node (index into [`super::History::nodes`]) the request went to.
    pub fn node(&self) -> Option<usize> {
        (self.node != NO_NODE).then_some(self.node as usize)
    }

    /// Sets the node the request went to.
    pub fn with_node(mut self, node: Option<usize>) -> OpEntry {
        self.node = node.map_or(NO_NODE, |n| u32::try_from(n).expect("node index fits u32"));
        self
    }

    /// The operation's function name.
    pub fn f(&self) -> &'static str {
        self.f.as_str()
    }

    /// The operation's `value` (null when absent).
    pub fn value(&self) -> &Val {
        &self.value
    }

    /// The operation's `key`, if it has one.
    pub fn key(&self) -> Option<&Val> {
        (!self.key.is_null()).then_some(&self.key)
    }

    /// Field `name`: `key`, `value`, or one of the others.
    pub fn field(&self, name: &str) -> Option<Value> {
        match name {
            "f" => Some(Value::from(self.f())),
            "key" => self.key().map(|k| k.to_value().into_owned()),
            "value" => Some(self.value.to_value().into_owned()),
            other => self.extra.as_ref()?.get(other).cloned(),
        }
    }

    /// Hashes the line into the trace (JSON values have no `Hash`).
    pub fn hash_into<H: std::hash::Hasher>(&self, h: &mut H) {
        use std::hash::Hash;
        (self.kind, self.node, self.process, self.time_us, self.f).hash(h);
        self.key.hash_into(h);
        self.value.hash_into(h);
        if let Some(extra) = &self.extra {
            Val::Json(Box::new(Value::Object((**extra).clone()))).hash_into(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_op_line_is_small() {
        assert!(std::mem::size_of::<OpEntry>() <= 80);
    }
}
