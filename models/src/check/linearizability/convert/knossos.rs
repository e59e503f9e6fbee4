//! Jepsen/Knossos EDN histories: op maps with `:process`, `:type`, `:f`,
//! `:value`, and optionally `:key`, `:time` (ns) and `:error`.
//!
//! A client op (integer `:process`) becomes an op line; an op of a
//! non-integer process (`:nemesis`) becomes a fault line named by its `:f`.
//! `time_us` is `:time / 1000` when present, else the event's index; the
//! file's order, not `:time`, is the real-time order.

use super::{edn, ConvertError};
use crate::history::{Entry, FaultChange, FaultEntry, History, OpEntry, OpType};
use crate::name::Name;
use serde_json::{Map, Value};

/// Reads a Knossos/Jepsen EDN history (one collection of maps, or one map per form).
pub fn to_history(text: &str) -> Result<History, ConvertError> {
    let forms = edn::parse_all(text)?;
    let events = match forms.as_slice() {
        [Value::Array(events)] => events.as_slice(),
        _ => forms.as_slice(),
    };
    let entries = events
        .iter()
        .enumerate()
        .map(|(i, e)| to_entry(i, e))
        .collect::<Result<_, _>>()?;
    Ok(History {
        nodes: Vec::new(),
        entries,
    })
}

/// One event map as a history entry.
fn to_entry(index: usize, event: &Value) -> Result<Entry, ConvertError> {
    let shape = |message: String| ConvertError::Shape { index, message };
    let map = event
        .as_object()
        .ok_or_else(|| shape(format!("expected an op map, found {event}")))?;
    let field = |name: &str| map.get(name).unwrap_or(&Value::Null);
    let time_us = field("time").as_u64().map_or(index as u64, |ns| ns / 1000);
    let f = field("f").as_str().unwrap_or("").to_string();
    let Some(process) = field("process").as_u64() else {
        let name = Name::intern(&f).map_err(|e| shape(e.to_string()))?;
        let line = FaultEntry::new(time_us, FaultChange::Other(name), Vec::new());
        return Ok(Entry::Fault(Box::new(line)));
    };
    let kind = match field("type").as_str() {
        Some("invoke") => OpType::Invoke,
        Some("ok") => OpType::Ok,
        Some("fail") => OpType::Fail,
        Some("info") => OpType::Info,
        other => return Err(shape(format!("unknown :type {other:?}"))),
    };
    let mut op = Map::new();
    op.insert("f".to_string(), Value::String(f));
    op.insert("value".to_string(), field("value").clone());
    for extra in ["key", "error"] {
        if let Some(v) = map.get(extra) {
            op.insert(extra.to_string(), v.clone());
        }
    }
    let f = Name::from_static("");
    OpEntry::from_fields(kind, process, time_us, f, op)
        .map(Entry::Op)
        .map_err(|e| shape(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_ops_and_nemesis() {
        let text = "[{:process 0 :type :invoke :f :read :value nil :time 5000}\n\
                    {:process :nemesis :type :info :f :start :value nil}\n\
                    {:process 0 :type :ok :f :read :value 3 :time 9000}]";
        let h = to_history(text).unwrap();
        assert_eq!(h.entries.len(), 3);
        let ops: Vec<_> = h.ops().collect();
        assert_eq!(ops[1].kind, OpType::Ok);
        assert_eq!(ops[1].time_us, 9);
        assert_eq!(ops[1].value(), &Value::from(3));
        let start = FaultChange::Other(Name::from_static("start"));
        assert_eq!(h.faults().next().map(|f| f.change), Some(start));
    }

    #[test]
    fn one_map_per_form_with_keys() {
        let text = "{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n\
                    {:process 0, :type :ok, :f :append, :key \"0\", :value \"x 0 0 y\"}\n";
        let h = to_history(text).unwrap();
        assert_eq!(h.ops().count(), 2);
        assert_eq!(
            h.ops().next().and_then(|o| o.key()),
            Some(&crate::history::Val::from(Value::from("0")))
        );
    }

    #[test]
    fn rejects_unknown_types() {
        let err = to_history("[{:process 0 :type :begin :f :read}]").unwrap_err();
        assert!(err.to_string().contains("begin"), "{err}");
    }
}
