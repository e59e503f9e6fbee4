//! Porcupine's test data: Jepsen etcd logs and kv histories.
//!
//! An etcd log line reads `INFO  jepsen.util - <process> <type> <f> <value>`
//! with tabs or runs of spaces between fields; the value is EDN (`nil`, `3`,
//! `[1 2]`, `:timed-out`). Each line becomes one op entry, `time_us` being
//! its line number. Check these with
//! [`CheckOptions::porcupine_etcd`](super::super::CheckOptions::porcupine_etcd):
//! there a failed cas did run and saw another value.
//!
//! The kv histories are EDN maps, one per line: see [`kv_to_history`].

use super::{edn, knossos, ConvertError};
use crate::history::{Entry, History, OpEntry, OpType};
use serde_json::{Map, Value};

/// Reads a Jepsen etcd log.
pub fn etcd_to_history(text: &str) -> Result<History, ConvertError> {
    let mut history = History::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let syntax = |message: String| ConvertError::Syntax {
            line: i + 1,
            message,
        };
        history.push(etcd_line(i as u64, line).map_err(syntax)?);
    }
    Ok(history)
}

/// One etcd log line as an op entry.
fn etcd_line(line_no: u64, line: &str) -> Result<Entry, String> {
    let (_, rest) = line
        .split_once(" - ")
        .ok_or_else(|| format!("expected \"jepsen.util - <process> ...\", found {line:?}"))?;
    let mut fields = rest.split_whitespace();
    let mut next = |what: &str| fields.next().ok_or_else(|| format!("missing {what}"));
    let process = next("process")?;
    let process: u64 = process
        .parse()
        .map_err(|_| format!("bad process {process:?}"))?;
    let kind = match next("type")? {
        ":invoke" => OpType::Invoke,
        ":ok" => OpType::Ok,
        ":fail" => OpType::Fail,
        ":info" => OpType::Info,
        other => return Err(format!("unknown type {other:?}")),
    };
    let f = next("f")?.trim_start_matches(':').to_string();
    let value_text: Vec<&str> = fields.collect();
    let value = match edn::parse_all(&value_text.join(" "))
        .map_err(|e| e.to_string())?
        .as_slice()
    {
        [] => Value::Null,
        [v] => v.clone(),
        more => return Err(format!("expected one value, found {}", more.len())),
    };
    let mut op = Map::new();
    op.insert("f".to_string(), Value::String(f));
    op.insert("value".to_string(), value);
    let f = crate::name::Name::from_static("");
    OpEntry::from_fields(kind, process, line_no, f, op)
        .map(Entry::Op)
        .map_err(|e| e.to_string())
}

/// Reads a Porcupine kv history (`{:process 0, :type :invoke, :f :append,
/// :key "0", :value "x 0 0 y"}` per line); check it with
/// [`CheckOptions::porcupine_kv`](super::super::CheckOptions::porcupine_kv).
pub fn kv_to_history(text: &str) -> Result<History, ConvertError> {
    knossos::to_history(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tabs_and_spaces() {
        let text = "INFO  jepsen.util - 4\t:invoke\t:cas\t[1 2]\n\
                    INFO  jepsen.util - 4   :fail   :cas    [1 2]\n\
                    INFO  jepsen.util - 2\t:info\t:write\t:timed-out\n";
        let h = etcd_to_history(text).unwrap();
        let ops: Vec<_> = h.ops().collect();
        assert_eq!(ops.len(), 3);
        assert_eq!(ops[0].value(), &serde_json::json!([1, 2]));
        assert_eq!(ops[1].kind, OpType::Fail);
        assert_eq!(ops[2].value(), &Value::from("timed-out"));
    }

    #[test]
    fn bad_lines_name_the_line() {
        let err = etcd_to_history("\nINFO  jepsen.util - x :invoke :read nil").unwrap_err();
        assert!(matches!(err, ConvertError::Syntax { line: 2, .. }), "{err}");
    }
}
