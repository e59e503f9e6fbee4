//! The `history.jsonl` file format (see the parent module's doc): written
//! from the typed history, read back into it.

use super::{Entry, Event, EventEntry, FaultChange, FaultEntry, History, OpEntry, OpType, Val};
use serde::Serialize;
use serde_json::{Map, Value};
use std::io::{BufRead, Write};

/// A history line that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct HistoryError {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

#[derive(Serialize)]
struct OpLine<'a> {
    #[serde(rename = "type")]
    kind: OpType,
    process: u64,
    time_us: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<&'a str>,
    f: &'a str,
    #[serde(skip_serializing_if = "Val::is_null")]
    key: &'a Val,
    #[serde(skip_serializing_if = "Val::is_null")]
    value: &'a Val,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    extra: Option<&'a Map<String, Value>>,
}

#[derive(Serialize)]
struct EventLine<'a, E> {
    #[serde(rename = "type")]
    kind: &'static str,
    time_us: u64,
    node: &'a str,
    #[serde(flatten)]
    event: &'a E,
}

#[derive(Serialize)]
struct FaultLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    time_us: u64,
    fault: String,
    nodes: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pairs: Vec<(&'a str, &'a str)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    lose_unsynced: bool,
}

impl<E: Event> History<E> {
    /// Line `index` as JSON text (as in the file).
    pub fn line(&self, index: usize) -> String {
        self.entries
            .get(index)
            .map_or_else(String::new, |e| entry_json(&self.nodes, e))
    }

    /// Writes the history as JSON lines.
    pub fn write_jsonl<W: Write>(&self, mut w: W) -> std::io::Result<()> {
        for entry in &self.entries {
            writeln!(w, "{}", entry_json(&self.nodes, entry))?;
        }
        Ok(())
    }

    /// Reads a history written by [`History::write_jsonl`]; blank lines skip.
    ///
    /// Nodes are numbered in the order the file first names them. A
    /// protocol's events may name nodes by `NodeId` in their data (e.g. a
    /// vote's candidate); to decode those against the right names, read with
    /// [`History::read_jsonl_with_nodes`] and the cluster's node list (a
    /// run's `summary.json` has it).
    pub fn read_jsonl<R: BufRead>(r: R) -> Result<History<E>, HistoryError> {
        Self::read_jsonl_with_nodes(r, Vec::new())
    }

    /// [`History::read_jsonl`] with node indices fixed by `nodes` (names
    /// the file adds beyond them are numbered after them).
    pub fn read_jsonl_with_nodes<R: BufRead>(
        r: R,
        nodes: Vec<crate::name::Name>,
    ) -> Result<History<E>, HistoryError> {
        let mut history = History::with_nodes(nodes);
        for (i, line) in r.lines().enumerate() {
            let err = |message: String| HistoryError {
                line: i + 1,
                message,
            };
            let line = line.map_err(|e| err(e.to_string()))?;
            if line.trim().is_empty() {
                continue;
            }
            let entry = parse_line(&mut history, &line).map_err(err)?;
            history.push(entry);
        }
        Ok(history)
    }

    /// Parses one JSON object as a history line, naming nodes in `self`.
    pub fn parse_object(&mut self, object: Map<String, Value>) -> Result<Entry<E>, String> {
        let kind = object.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "invoke" | "ok" | "fail" | "info" => parse_op(self, object).map(Entry::Op),
            "event" => parse_event(self, object).map(Entry::Event),
            "fault" => parse_fault(self, object).map(|f| Entry::Fault(Box::new(f))),
            other => Err(format!(
                "expected \"type\" to be invoke, ok, fail, info, event or fault, found {other:?}"
            )),
        }
    }
}

/// `entry` as one JSON line (no newline), naming nodes from `nodes`.
pub fn entry_json<E: Event>(nodes: &[crate::name::Name], entry: &Entry<E>) -> String {
    let name = |i: usize| nodes.get(i).map_or("?", |n| n.as_str());
    let text = match entry {
        Entry::Op(op) => serde_json::to_string(&OpLine {
            kind: op.kind,
            process: op.process,
            time_us: op.time_us,
            node: op.node().map(name),
            f: op.f(),
            key: &op.key,
            value: &op.value,
            extra: op.extra.as_deref(),
        }),
        Entry::Event(ev) => serde_json::to_string(&EventLine {
            kind: "event",
            time_us: ev.time_us,
            node: name(ev.node),
            event: &ev.event,
        }),
        Entry::Fault(f) => serde_json::to_string(&FaultLine {
            kind: "fault",
            time_us: f.time_us,
            fault: f.change.label(),
            nodes: f.nodes.iter().map(|&n| name(n)).collect(),
            pairs: f.pairs.iter().map(|&(a, b)| (name(a), name(b))).collect(),
            amount: f.amount,
            lose_unsynced: f.lose_unsynced,
        }),
    };
    text.expect("history lines encode as JSON")
}

fn parse_line<E: Event>(h: &mut History<E>, line: &str) -> Result<Entry<E>, String> {
    match serde_json::from_str::<Value>(line).map_err(|e| e.to_string())? {
        Value::Object(object) => h.parse_object(object),
        other => Err(format!("expected a JSON object, found {other}")),
    }
}

fn take_u64(o: &mut Map<String, Value>, key: &str) -> Result<u64, String> {
    match o.remove(key) {
        Some(v) => v
            .as_u64()
            .ok_or_else(|| format!("expected {key:?} to be a non-negative integer, found {v}")),
        None => Err(format!("missing field {key:?}")),
    }
}

fn take_node<E>(h: &mut History<E>, o: &mut Map<String, Value>) -> Result<Option<usize>, String> {
    match o.remove("node") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => h.intern_node(&s).map(Some).map_err(|e| e.to_string()),
        Some(other) => Err(format!("expected \"node\" to be a string, found {other}")),
    }
}

fn parse_op<E>(h: &mut History<E>, mut o: Map<String, Value>) -> Result<OpEntry, String> {
    let kind: OpType =
        serde_json::from_value(o.remove("type").unwrap_or_default()).map_err(|e| e.to_string())?;
    let process = take_u64(&mut o, "process")?;
    let time_us = take_u64(&mut o, "time_us")?;
    let node = take_node(h, &mut o)?;
    if !o.contains_key("f") {
        return Err("missing field \"f\"".into());
    }
    let f = crate::name::Name::from_static("");
    let op = OpEntry::from_fields(kind, process, time_us, f, o).map_err(|e| e.to_string())?;
    Ok(op.with_node(node))
}

fn parse_event<E: Event>(
    h: &mut History<E>,
    mut o: Map<String, Value>,
) -> Result<EventEntry<E>, String> {
    let time_us = take_u64(&mut o, "time_us")?;
    let node = take_node(h, &mut o)?.ok_or("missing field \"node\"")?;
    let mut pair = Map::new();
    pair.insert(
        "name".into(),
        o.remove("name").ok_or("missing field \"name\"")?,
    );
    pair.extend(o.remove("data").map(|d| ("data".to_string(), d)));
    let event = serde_json::from_value(Value::Object(pair)).map_err(|e| e.to_string())?;
    Ok(EventEntry {
        time_us,
        node,
        event,
    })
}

fn parse_fault<E>(h: &mut History<E>, mut o: Map<String, Value>) -> Result<FaultEntry, String> {
    let time_us = take_u64(&mut o, "time_us")?;
    let label = match o.remove("fault") {
        Some(Value::String(s)) => s,
        _ => return Err("expected \"fault\" to be a string".into()),
    };
    let change = FaultChange::parse(&label).map_err(|e| e.to_string())?;
    // Files written before typed faults kept these under "detail".
    if let Some(Value::Object(detail)) = o.remove("detail") {
        for (k, v) in detail {
            o.entry(k).or_insert(v);
        }
    }
    let names = |v: &Value| -> Result<Vec<String>, String> {
        serde_json::from_value(v.clone()).map_err(|e| format!("\"nodes\": {e}"))
    };
    let mut nodes = Vec::new();
    for n in names(o.get("nodes").unwrap_or(&Value::Array(vec![])))? {
        nodes.push(h.intern_node(&n).map_err(|e| e.to_string())?);
    }
    let pairs: Vec<(String, String)> = match o.get("pairs") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("\"pairs\": {e}"))?,
    };
    let mut cut = Vec::new();
    for (a, b) in pairs {
        let a = h.intern_node(&a).map_err(|e| e.to_string())?;
        cut.push((a, h.intern_node(&b).map_err(|e| e.to_string())?));
    }
    Ok(FaultEntry {
        time_us,
        change,
        nodes,
        pairs: cut,
        amount: o.get("amount").and_then(Value::as_f64),
        lose_unsynced: o.get("lose_unsynced").and_then(Value::as_bool) == Some(true),
    })
}

#[cfg(test)]
mod tests {
    use crate::history::{History, RawEvent};

    #[test]
    fn jsonl_round_trips_every_kind() {
        let text = r#"{"type":"invoke","process":1,"time_us":5,"node":"n1","f":"write","value":3}
{"type":"info","process":1,"time_us":9,"f":"write","value":3}
{"type":"event","time_us":7,"node":"n2","name":"became_leader","data":{"term":2}}
{"type":"fault","time_us":8,"fault":"crash","nodes":["n2"],"lose_unsynced":true}
{"type":"fault","time_us":9,"fault":"partition-end","nodes":[],"pairs":[["n1","n2"]]}
{"type":"invoke","process":2,"time_us":10,"f":"transfer","amount":5,"from":1,"to":2}
"#;
        let h = History::<RawEvent>::read_jsonl(text.as_bytes()).unwrap();
        assert_eq!(h.entries.len(), 6);
        let mut out = Vec::new();
        h.write_jsonl(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), text);
    }

    #[test]
    fn a_node_list_fixes_the_indices() {
        let text = r#"{"type":"event","time_us":7,"node":"n2","name":"x","data":null}"#;
        let names = ["n1", "n2"].map(crate::name::Name::from_static).to_vec();
        let h = History::<RawEvent>::read_jsonl_with_nodes(text.as_bytes(), names).unwrap();
        assert_eq!(h.events().next().unwrap().node, 1);
        let h = History::<RawEvent>::read_jsonl(text.as_bytes()).unwrap();
        assert_eq!(h.events().next().unwrap().node, 0, "first named");
    }

    #[test]
    fn old_fault_details_still_read() {
        let text = r#"{"type":"fault","time_us":8,"fault":"skew","nodes":["n2"],"detail":{"amount":5.0,"pairs":[],"lose_unsynced":false}}"#;
        let h = History::<RawEvent>::read_jsonl(text.as_bytes()).unwrap();
        assert_eq!(h.faults().next().unwrap().amount, Some(5.0));
    }

    #[test]
    fn bad_type_names_the_line() {
        let err = History::<RawEvent>::read_jsonl("\n{\"type\":\"oops\"}".as_bytes()).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("oops"));
    }
}
