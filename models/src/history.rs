//! What happened in a run: client operations, protocol events and faults.
//!
//! # JSON-lines format
//!
//! One JSON object per line, in the order the engine recorded them (which is
//! simulated-time order). Every line has `"type"` and `"time_us"` (simulated
//! microseconds since the run started):
//!
//! - `{"type":"invoke","process":3,"time_us":1200,"node":"n2","f":"write","value":7}`
//!   a client process invokes an operation. Operation fields (`f`, `value`,
//!   and optionally `key`) are the model's own and stand flat on the line.
//! - `{"type":"ok"|"fail"|"info", "process":3, "time_us":..., "f":..., "value":...}`
//!   its completion: `ok` took effect, `fail` certainly did not, `info`
//!   may or may not have (a timeout). `value` is the reply's value.
//! - `{"type":"event","time_us":...,"node":"n1","name":"became_leader","data":{...}}`
//!   a protocol event recorded by a node.
//! - `{"type":"fault","time_us":...,"fault":"partition","nodes":["n1"],"detail":{...}}`
//!   a fault the engine applied (or healed: `"fault":"heal"`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::io::{BufRead, Write};

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

/// One line of a client operation: an invocation or a completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpEntry {
    /// Invoke, ok, fail or info.
    #[serde(rename = "type")]
    pub kind: OpType,
    /// The client process; one operation at a time per process.
    pub process: u64,
    /// Simulated time in microseconds.
    pub time_us: u64,
    /// The node the request went to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// The operation's fields: at least `f`; usually `value`, maybe `key`.
    #[serde(flatten)]
    pub op: Map<String, Value>,
}

impl OpEntry {
    /// The operation's function name (`f`), or "" when absent.
    pub fn f(&self) -> &str {
        self.op.get("f").and_then(Value::as_str).unwrap_or("")
    }

    /// The operation's `value`, or null.
    pub fn value(&self) -> &Value {
        self.op.get("value").unwrap_or(&Value::Null)
    }

    /// The operation's `key`, if it has one.
    pub fn key(&self) -> Option<&Value> {
        self.op.get("key")
    }
}

/// A protocol event recorded by a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEntry {
    /// Simulated time in microseconds.
    pub time_us: u64,
    /// The node's name.
    pub node: String,
    /// The event's name, e.g. "became_leader".
    pub name: String,
    /// The event's data.
    pub data: Value,
}

/// A fault the engine applied or healed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultEntry {
    /// Simulated time in microseconds.
    pub time_us: u64,
    /// The fault kind, e.g. "crash", "restart", "partition", "heal".
    pub fault: String,
    /// The nodes it touched.
    #[serde(default)]
    pub nodes: Vec<String>,
    /// Kind-specific details.
    #[serde(default)]
    pub detail: Value,
}

/// One history line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Entry {
    /// A client operation line.
    Op(OpEntry),
    /// A protocol event.
    Event(EventEntry),
    /// A fault.
    Fault(FaultEntry),
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Line {
    Event(EventEntry),
    Fault(FaultEntry),
}

/// A whole run's history, in recording order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// The lines, in order.
    pub entries: Vec<Entry>,
}

/// A history line that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct HistoryError {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

impl History {
    /// Appends a line.
    pub fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    /// Client operation lines, in order.
    pub fn ops(&self) -> impl Iterator<Item = &OpEntry> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Op(op) => Some(op),
            _ => None,
        })
    }

    /// Protocol events, in order.
    pub fn events(&self) -> impl Iterator<Item = &EventEntry> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Event(ev) => Some(ev),
            _ => None,
        })
    }

    /// Faults, in order.
    pub fn faults(&self) -> impl Iterator<Item = &FaultEntry> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Fault(f) => Some(f),
            _ => None,
        })
    }

    /// Writes the history as JSON lines.
    pub fn write_jsonl<W: Write>(&self, mut w: W) -> std::io::Result<()> {
        for entry in &self.entries {
            let line = match entry {
                Entry::Op(op) => serde_json::to_string(op),
                Entry::Event(ev) => serde_json::to_string(&Line::Event(ev.clone())),
                Entry::Fault(f) => serde_json::to_string(&Line::Fault(f.clone())),
            };
            writeln!(w, "{}", line.map_err(std::io::Error::other)?)?;
        }
        Ok(())
    }

    /// Reads a history written by [`History::write_jsonl`]; blank lines skip.
    pub fn read_jsonl<R: BufRead>(r: R) -> Result<History, HistoryError> {
        let mut history = History::default();
        for (i, line) in r.lines().enumerate() {
            let err = |message: String| HistoryError {
                line: i + 1,
                message,
            };
            let line = line.map_err(|e| err(e.to_string()))?;
            if line.trim().is_empty() {
                continue;
            }
            history.push(parse_line(&line).map_err(err)?);
        }
        Ok(history)
    }
}

fn parse_line(line: &str) -> Result<Entry, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
    let parsed = match kind {
        "invoke" | "ok" | "fail" | "info" => serde_json::from_value(value).map(Entry::Op),
        "event" | "fault" => serde_json::from_value::<Line>(value).map(|l| match l {
            Line::Event(e) => Entry::Event(e),
            Line::Fault(f) => Entry::Fault(f),
        }),
        other => {
            return Err(format!(
                "expected \"type\" to be invoke, ok, fail, info, event or fault, found {other:?}"
            ))
        }
    };
    parsed.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_round_trips_every_kind() {
        let text = r#"{"type":"invoke","process":1,"time_us":5,"node":"n1","f":"write","value":3}
{"type":"info","process":1,"time_us":9,"f":"write","value":3}
{"type":"event","time_us":7,"node":"n2","name":"became_leader","data":{"term":2}}
{"type":"fault","time_us":8,"fault":"crash","nodes":["n2"],"detail":null}
"#;
        let h = History::read_jsonl(text.as_bytes()).unwrap();
        assert_eq!(h.entries.len(), 4);
        let mut out = Vec::new();
        h.write_jsonl(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), text);
    }

    #[test]
    fn bad_type_names_the_line() {
        let err = History::read_jsonl("\n{\"type\":\"oops\"}".as_bytes()).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("oops"));
    }
}
