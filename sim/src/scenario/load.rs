//! Reading a scenario file and pointing errors at the right line.

use super::limits::SCENARIO_BYTES_MAX;
use crate::error::Error;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use toml_edit::{ImDocument, Item};

/// A scenario file's text and where it came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file.
    pub path: PathBuf,
    /// Its contents.
    pub text: String,
}

/// One step of a path into the TOML document.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    /// A table key.
    Name(&'a str),
    /// An array index.
    Index(usize),
}

impl Source {
    /// Reads `path` (UTF-8, at most [`SCENARIO_BYTES_MAX`] bytes).
    pub fn read(path: &Path) -> Result<Source, Error> {
        let text = read_text(path, Some(SCENARIO_BYTES_MAX))?;
        Ok(Source {
            path: path.to_path_buf(),
            text,
        })
    }

    /// An error at byte `offset` (None: line 1).
    pub fn error_at(&self, offset: Option<usize>, message: impl Into<String>) -> Error {
        let message = message.into().trim_end().replace('\n', "; ");
        let offset = offset.unwrap_or(0).min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Error::Scenario {
            path: self.path.clone(),
            line,
            column,
            message,
        }
    }

    /// An error at the value found at `path` (or the nearest enclosing key).
    pub fn error_at_key(&self, path: &[Key<'_>], message: impl Into<String>) -> Error {
        self.error_at(locate(&self.text, path), message)
    }

    /// Deserializes the whole file as `T`, mapping serde errors to lines.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Error> {
        toml::from_str(&self.text).map_err(|e| {
            let message = e.message().trim_end().to_string();
            self.error_at(e.span().map(|s| s.start), message)
        })
    }
}

/// Reads `path` as UTF-8 text, of at most `max_bytes` if given. A byte that
/// is not UTF-8 is a bad-input error (exit 3) at its line and column, not
/// an I/O error: the file was read, it is just not text.
pub fn read_text(path: &Path, max_bytes: Option<u64>) -> Result<String, Error> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    let cap = max_bytes.map_or(u64::MAX, |m| m.saturating_add(1));
    (file.take(cap).read_to_end(&mut bytes)).map_err(|e| Error::io(path, e))?;
    if let Some(max) = max_bytes.filter(|&m| bytes.len() as u64 > m) {
        return Err(Error::Usage(format!(
            "{}: larger than {max} bytes, the most a scenario file may be",
            path.display()
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let before = String::from_utf8_lossy(&bytes[..at]);
        Error::Scenario {
            path: path.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            message: format!(
                "not UTF-8 text: byte 0x{:02x} (offset {at}) is not valid UTF-8",
                bytes[at]
            ),
        }
    })
}

/// Byte offset of the key at `path`, or of the deepest part that exists.
pub fn locate(text: &str, path: &[Key<'_>]) -> Option<usize> {
    let doc = ImDocument::parse(text).ok()?;
    let mut node = Nav::Table(doc.as_table());
    let mut found = None;
    for key in path {
        let step = match (key, node) {
            (Key::Name(k), Nav::Table(t)) => t
                .get_key_value(k)
                .map(|(key, item)| (key.span(), nav(item))),
            (Key::Name(k), Nav::Inline(t)) => {
                t.get_key_value(k).map(|(key, v)| (key.span(), nav(v)))
            }
            (Key::Index(i), Nav::Tables(a)) => a.get(*i).map(|t| (t.span(), Nav::Table(t))),
            (Key::Index(i), Nav::Array(a)) => a.get(*i).map(|v| (v.span(), nav_value(v))),
            _ => None,
        };
        let Some((span, next)) = step else { break };
        found = span.map(|s| s.start).or(found);
        node = next;
    }
    found
}

#[derive(Clone, Copy)]
enum Nav<'a> {
    Table(&'a toml_edit::Table),
    Inline(&'a toml_edit::InlineTable),
    Tables(&'a toml_edit::ArrayOfTables),
    Array(&'a toml_edit::Array),
    Leaf,
}

fn nav(item: &Item) -> Nav<'_> {
    match item {
        Item::Table(t) => Nav::Table(t),
        Item::ArrayOfTables(a) => Nav::Tables(a),
        Item::Value(v) => nav_value(v),
        Item::None => Nav::Leaf,
    }
}

fn nav_value(v: &toml_edit::Value) -> Nav<'_> {
    match v {
        toml_edit::Value::InlineTable(t) => Nav::Inline(t),
        toml_edit::Value::Array(a) => Nav::Array(a),
        _ => Nav::Leaf,
    }
}

/// Reads `[protocol] name` without knowing the protocol's parameters.
pub fn probe_protocol(src: &Source) -> Result<String, Error> {
    let doc = ImDocument::parse(src.text.as_str()).map_err(|e| {
        let offset = e.span().map(|s| s.start);
        src.error_at(offset, e.message().trim_end().to_string())
    })?;
    let Some(protocol) = doc.get("protocol") else {
        return Err(src.error_at(
            None,
            "missing table [protocol]; expected e.g. [protocol] name = \"raft\"",
        ));
    };
    match protocol.get("name") {
        Some(Item::Value(toml_edit::Value::String(s))) => Ok(s.value().clone()),
        Some(other) => Err(src.error_at(
            other.span().map(|s| s.start),
            "expected [protocol] name to be a string",
        )),
        None => Err(src.error_at(
            protocol.span().map(|s| s.start),
            "missing field `name` in [protocol]",
        )),
    }
}
