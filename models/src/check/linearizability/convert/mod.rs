//! Readers from other checkers' history formats into a Faultline [`History`].
//!
//! - [`Format::Edn`]: Jepsen/Knossos op maps in EDN, either one vector or
//!   list of maps, or one map per form (Porcupine's `kv/*.txt` files);
//! - [`Format::EtcdLog`]: the Jepsen etcd logs of Porcupine's test data;
//! - [`Format::Jsonl`]: Faultline's own JSON lines.
//!
//! Conversion keeps one history entry per event, in the file's order, so
//! entry indices equal Jepsen's `:index`. What `fail` and null reads mean
//! is not decided here but by the [`CheckOptions`](super::CheckOptions)
//! the history is checked with.

pub mod edn;
pub mod knossos;
pub mod porcupine;

use crate::history::History;

/// A history file that cannot be converted.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// The text is not well-formed.
    #[error("line {line}: {message}")]
    Syntax {
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// Well-formed, but not a history.
    #[error("event {index}: {message}")]
    Shape {
        /// 0-based index of the event.
        index: usize,
        /// What was wrong.
        message: String,
    },
}

/// A history file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Faultline's JSON lines.
    Jsonl,
    /// Jepsen/Knossos EDN op maps.
    Edn,
    /// Jepsen's etcd log lines (`INFO  jepsen.util - 3 :invoke :read nil`).
    EtcdLog,
}

impl Format {
    /// Guesses the format from a file name and its text.
    pub fn guess(name: &str, text: &str) -> Format {
        let first = text.trim_start();
        if name.ends_with(".edn") || first.starts_with(['[', '(', ';']) {
            Format::Edn
        } else if name.ends_with(".log") || first.starts_with("INFO") {
            Format::EtcdLog
        } else if first.starts_with("{:") {
            Format::Edn
        } else {
            Format::Jsonl
        }
    }
}

/// Reads `text` in `format` into a history.
pub fn parse(text: &str, format: Format) -> Result<History, ConvertError> {
    match format {
        Format::Jsonl => History::read_jsonl(text.as_bytes()).map_err(|e| ConvertError::Syntax {
            line: e.line,
            message: e.message,
        }),
        Format::Edn => knossos::to_history(text),
        Format::EtcdLog => porcupine::etcd_to_history(text),
    }
}
