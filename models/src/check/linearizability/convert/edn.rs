//! A small reader for EDN (extensible data notation), enough for Jepsen and
//! Knossos histories: nil, booleans, numbers, strings, characters,
//! keywords, symbols, lists, vectors, sets, maps, `;` comments, `#_`
//! discards and tagged values.
//!
//! Values become JSON: keywords and symbols become strings without the
//! colon (`:invoke` → `"invoke"`), lists and sets become arrays, map keys
//! become their string form, a tag is dropped in favour of its value.

use super::ConvertError;
use serde_json::{Map, Number, Value};

/// Collections nest at most this deep.
pub const DEPTH_MAX: usize = 64;

/// Reads every top-level form of `text`.
pub fn parse_all(text: &str) -> Result<Vec<Value>, ConvertError> {
    let mut reader = Reader {
        text: text.as_bytes(),
        pos: 0,
    };
    let mut forms = Vec::new();
    while reader.skip_space() {
        if let Some(form) = reader.form(0)? {
            forms.push(form);
        }
    }
    Ok(forms)
}

/// A cursor over EDN text.
struct Reader<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    /// An error at the cursor's line.
    fn err(&self, message: impl Into<String>) -> ConvertError {
        let line = 1 + self.text[..self.pos.min(self.text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        ConvertError::Syntax {
            line,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    /// Skips whitespace, commas and comments; false at the end of the text.
    fn skip_space(&mut self) -> bool {
        while let Some(b) = self.peek() {
            match b {
                b';' => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                b',' => self.pos += 1,
                _ if b.is_ascii_whitespace() => self.pos += 1,
                _ => return true,
            }
        }
        false
    }

    /// Reads one form; `None` for a `#_` discard.
    fn form(&mut self, depth: usize) -> Result<Option<Value>, ConvertError> {
        if depth > DEPTH_MAX {
            return Err(self.err(format!("nested deeper than {DEPTH_MAX}")));
        }
        let Some(b) = self.peek() else {
            return Err(self.err("unexpected end of input"));
        };
        match b {
            b'(' | b'[' => self.seq(depth).map(Some),
            b'{' => self.map(depth).map(Some),
            b'"' => self.string().map(Some),
            b'#' => self.dispatch(depth),
            b'\\' => self.character().map(Some),
            b')' | b']' | b'}' => Err(self.err(format!("unexpected {:?}", b as char))),
            _ => self.atom().map(Some),
        }
    }

    /// The next form that is not a discard, or an error at `close`/the end.
    fn required(&mut self, depth: usize) -> Result<Value, ConvertError> {
        loop {
            if !self.skip_space() {
                return Err(self.err("unexpected end of input"));
            }
            if let Some(v) = self.form(depth)? {
                return Ok(v);
            }
        }
    }

    /// Forms up to the closing byte `close`, which is consumed.
    fn items(&mut self, close: u8, depth: usize) -> Result<Vec<Value>, ConvertError> {
        let mut items = Vec::new();
        loop {
            if !self.skip_space() {
                return Err(self.err(format!("missing {:?}", close as char)));
            }
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(items);
            }
            items.extend(self.form(depth + 1)?);
        }
    }

    /// `( ... )` or `[ ... ]`.
    fn seq(&mut self, depth: usize) -> Result<Value, ConvertError> {
        let close = if self.peek() == Some(b'(') {
            b')'
        } else {
            b']'
        };
        self.pos += 1;
        self.items(close, depth).map(Value::Array)
    }

    /// `{ k v ... }`.
    fn map(&mut self, depth: usize) -> Result<Value, ConvertError> {
        self.pos += 1;
        let items = self.items(b'}', depth)?;
        if items.len() % 2 != 0 {
            return Err(self.err("a map needs an even number of forms"));
        }
        let mut map = Map::new();
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            let key = match k {
                Value::String(s) => s,
                other => other.to_string(),
            };
            map.insert(key, v);
        }
        Ok(Value::Object(map))
    }

    /// `#{...}` set, `#_` discard, or `#tag value`.
    fn dispatch(&mut self, depth: usize) -> Result<Option<Value>, ConvertError> {
        self.pos += 1;
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                self.items(b'}', depth).map(|v| Some(Value::Array(v)))
            }
            Some(b'_') => {
                self.pos += 1;
                self.required(depth + 1).map(|_| None)
            }
            _ => {
                self.atom()?;
                self.required(depth + 1).map(Some)
            }
        }
    }

    /// A string literal with escapes.
    fn string(&mut self) -> Result<Value, ConvertError> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err("unterminated string"));
            };
            self.pos += 1;
            match b {
                b'"' => break,
                b'\\' => out.push(self.escape()?),
                _ => out.push(b),
            }
        }
        String::from_utf8(out)
            .map(Value::String)
            .map_err(|_| self.err("string is not UTF-8"))
    }

    /// The byte an escape after `\` stands for (`\uXXXX` is kept as written).
    fn escape(&mut self) -> Result<u8, ConvertError> {
        let b = self.peek().ok_or_else(|| self.err("unterminated string"))?;
        self.pos += 1;
        Ok(match b {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            other => other,
        })
    }

    /// `\c`, `\newline`, ...: a one-character string.
    fn character(&mut self) -> Result<Value, ConvertError> {
        self.pos += 1;
        let token = self.token();
        let c = match token {
            "newline" => "\n",
            "space" => " ",
            "tab" => "\t",
            other => other,
        };
        Ok(Value::String(c.to_string()))
    }

    /// The bytes up to the next delimiter.
    fn token(&mut self) -> &str {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| !b.is_ascii_whitespace() && !b"()[]{}\",;".contains(&b))
        {
            self.pos += 1;
        }
        std::str::from_utf8(&self.text[start..self.pos]).unwrap_or("")
    }

    /// nil, true, false, a number, a keyword or a symbol.
    fn atom(&mut self) -> Result<Value, ConvertError> {
        let token = self.token().to_string();
        if token.is_empty() {
            return Err(self.err("expected a form"));
        }
        Ok(match token.as_str() {
            "nil" => Value::Null,
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            t if t.starts_with(':') => Value::String(t[1..].to_string()),
            t => number(t).unwrap_or_else(|| Value::String(t.to_string())),
        })
    }
}

/// `t` as a number, if it is one (`N` and `M` suffixes are ignored).
fn number(t: &str) -> Option<Value> {
    let first = t.bytes().find(|b| *b != b'-' && *b != b'+')?;
    if !first.is_ascii_digit() {
        return None;
    }
    let t = t.trim_end_matches(['N', 'M']);
    if let Ok(i) = t.parse::<i64>() {
        return Some(Value::Number(i.into()));
    }
    t.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_knossos_history() {
        let text = "; a comment\n[{:process 0, :type :invoke, :f :cas, :value [1 2]}\n \
                    {:process :nemesis :type :info :f :start :value nil}]";
        let forms = parse_all(text).unwrap();
        assert_eq!(
            forms,
            vec![json!([
                {"process": 0, "type": "invoke", "f": "cas", "value": [1, 2]},
                {"process": "nemesis", "type": "info", "f": "start", "value": null}
            ])]
        );
    }

    #[test]
    fn reads_strings_sets_tags_and_discards() {
        let forms = parse_all(r#"("a \"b\"" #{1} #inst "x" #_ 7 -3 2.5 \c)"#).unwrap();
        assert_eq!(forms, vec![json!(["a \"b\"", [1], "x", -3, 2.5, "c"])]);
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse_all("[1\n 2\n").unwrap_err();
        assert!(matches!(err, ConvertError::Syntax { line: 3, .. }), "{err}");
        assert!(parse_all("{:a}").is_err());
        assert!(parse_all(")").is_err());
    }
}
