//! Interned register values: the search compares, hashes and copies `u32`
//! ids instead of strings.
//!
//! Every value of a history gets one id; equal values get equal ids, so
//! comparing ids is comparing values. A string an `append` builds during
//! the search is stored as the pair it was built from, with the length and
//! a polynomial hash of its text; if it equals a history value (found by a
//! hash lookup, confirmed by comparing texts) it takes that value's id,
//! else a new one. Two built strings of equal text reached by different
//! appends ("a"+"bc", "ab"+"c") may so get different ids: that only costs
//! the search's memo a missed match (it is sound either way), while every
//! comparison with a value a client saw or wrote stays exact. Appends are memoised by (state,
//! suffix) in a short list per state, walked without hashing.

use crate::fastmap::FastMap;
use serde_json::Value;
use std::rc::Rc;

/// An interned value: an index into [`Values`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Val(u32);

impl Val {
    /// JSON null: no value (an absent key, an unset register).
    pub(crate) const NULL: Val = Val(0);
}

/// A value's content.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Atom {
    Null,
    Int(i64),
    Str(Rc<str>),
    /// Anything else, as its JSON text.
    Other(Rc<str>),
    /// A string built by appending the second value's text to the first's;
    /// kept as a pair so an append costs O(1), not a copy of the string.
    Cat(Val, Val),
}

/// The multiplier of the polynomial string hash.
const HASH_BASE: u64 = 0x100_0000_01b3;

/// Length and polynomial hash of a value's text, so that the hash of a
/// concatenation follows from its parts': `h(a ++ b) = h(a) * base^|b| + h(b)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Shape {
    len: u64,
    hash: u64,
    /// `HASH_BASE^len`.
    pow: u64,
}

impl Shape {
    fn of(text: &str) -> Shape {
        text.bytes().fold(
            Shape {
                len: 0,
                hash: 0,
                pow: 1,
            },
            |s, b| Shape {
                len: s.len + 1,
                hash: s.hash.wrapping_mul(HASH_BASE).wrapping_add(u64::from(b)),
                pow: s.pow.wrapping_mul(HASH_BASE),
            },
        )
    }

    fn then(self, next: Shape) -> Shape {
        Shape {
            len: self.len + next.len,
            hash: self.hash.wrapping_mul(next.pow).wrapping_add(next.hash),
            pow: self.pow.wrapping_mul(next.pow),
        }
    }
}

/// The table of interned values.
#[derive(Debug)]
pub(crate) struct Values {
    atoms: Vec<(Atom, Shape)>,
    /// Ids of the values that are not strings.
    scalars: FastMap<Atom, Val>,
    /// The first id of a history string by the shape of its text;
    /// `next_same` chains the rare others of the same shape. Built strings
    /// are not listed: the table stays small (it is probed per append).
    strings: FastMap<(u64, u64), Val>,
    /// For each atom, the next string of the same shape, if any.
    next_same: Vec<Option<Val>>,
    /// For each atom, its latest memoised append (index + 1 into
    /// `appends`, 0 for none): a short list per value, walked without hashing.
    appends_head: Vec<u32>,
    /// Memoised appends: (suffix, result, the same value's previous entry).
    appends: Vec<(Val, Val, u32)>,
}

impl Default for Values {
    fn default() -> Self {
        let mut values = Values {
            atoms: Vec::new(),
            scalars: FastMap::default(),
            strings: FastMap::default(),
            next_same: Vec::new(),
            appends_head: Vec::new(),
            appends: Vec::new(),
        };
        let null = values.scalar(Atom::Null);
        assert_eq!(null, Val::NULL, "null is the first value");
        values
    }
}

impl Values {
    /// Adds a new atom.
    fn push(&mut self, atom: Atom, shape: Shape) -> Val {
        let id = Val(u32::try_from(self.atoms.len()).expect("fewer than 2^32 distinct values"));
        self.atoms.push((atom, shape));
        self.next_same.push(None);
        self.appends_head.push(0);
        id
    }

    /// The id of a value that is not a string.
    fn scalar(&mut self, atom: Atom) -> Val {
        if let Some(&id) = self.scalars.get(&atom) {
            return id;
        }
        let shape = Shape::of(&self.text_of(&atom));
        let id = self.push(atom.clone(), shape);
        self.scalars.insert(atom, id);
        id
    }

    /// The id of the history string whose text is `text()`, of `shape`, if any.
    fn find_string(&self, shape: Shape, text: impl Fn(&Values) -> String) -> Option<Val> {
        let first = self.strings.get(&(shape.len, shape.hash)).copied()?;
        let wanted = text(self);
        let mut at = Some(first);
        while let Some(id) = at {
            if self.text(id) == wanted {
                return Some(id);
            }
            at = self.next_same[id.0 as usize];
        }
        None
    }

    /// The id of the history string `text`, added if new.
    fn string(&mut self, text: &str) -> Val {
        let shape = Shape::of(text);
        if let Some(id) = self.find_string(shape, |_| text.to_string()) {
            return id;
        }
        let key = (shape.len, shape.hash);
        let first = self.strings.get(&key).copied();
        let id = self.push(Atom::Str(Rc::from(text)), shape);
        self.next_same[id.0 as usize] = first;
        self.strings.insert(key, id);
        id
    }

    /// The id of a JSON value.
    pub(crate) fn json(&mut self, value: &Value) -> Val {
        // A history value made after a built string of equal text would
        // not share its id (built strings are not listed).
        assert!(
            self.appends.is_empty(),
            "history values come before appends"
        );
        match value {
            Value::Null => Val::NULL,
            Value::String(s) => self.string(s),
            Value::Number(n) => self.scalar(
                n.as_i64()
                    .map_or_else(|| Atom::Other(Rc::from(n.to_string())), Atom::Int),
            ),
            other => self.scalar(Atom::Other(Rc::from(other.to_string()))),
        }
    }

    /// `a` with `b` appended, as strings (null is the empty string).
    pub(crate) fn append(&mut self, a: Val, b: Val) -> Val {
        let mut at = self.appends_head[a.0 as usize];
        while let Some(i) = at.checked_sub(1) {
            let (suffix, result, previous) = self.appends[i as usize];
            if suffix == b {
                return result;
            }
            at = previous;
        }
        let shape = self.atoms[a.0 as usize].1.then(self.atoms[b.0 as usize].1);
        let id = self
            .find_string(shape, |v| v.text(a) + &v.text(b))
            .unwrap_or_else(|| self.push(Atom::Cat(a, b), shape));
        let head = &mut self.appends_head[a.0 as usize];
        self.appends.push((b, id, *head));
        *head = u32::try_from(self.appends.len()).expect("fewer than 2^32 appends");
        id
    }

    /// The text of a non-string atom, for concatenation.
    fn text_of(&self, atom: &Atom) -> String {
        match atom {
            Atom::Null => String::new(),
            Atom::Int(i) => i.to_string(),
            Atom::Str(s) | Atom::Other(s) => s.to_string(),
            Atom::Cat(a, b) => self.text(*a) + &self.text(*b),
        }
    }

    /// The value as text for concatenation (null is empty).
    fn text(&self, v: Val) -> String {
        let mut pieces = Vec::new();
        let mut at = v;
        while let Atom::Cat(a, b) = &self.atoms[at.0 as usize].0 {
            pieces.push(*b);
            at = *a;
        }
        let mut out = self.text_of(&self.atoms[at.0 as usize].0);
        for piece in pieces.iter().rev() {
            out += &self.text(*piece);
        }
        out
    }

    /// The value as JSON text, for reports.
    pub(crate) fn show(&self, v: Val) -> String {
        match &self.atoms[v.0 as usize].0 {
            Atom::Null => "null".to_string(),
            Atom::Int(i) => i.to_string(),
            Atom::Str(_) | Atom::Cat(..) => Value::String(self.text(v)).to_string(),
            Atom::Other(s) => s.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_values_share_ids() {
        let mut values = Values::default();
        assert_eq!(values.json(&json!(null)), Val::NULL);
        let a = values.json(&json!(3));
        assert_eq!(values.json(&json!(3)), a);
        assert_ne!(values.json(&json!("3")), a);
        let pair = values.json(&json!([1, 2]));
        assert_eq!(values.show(pair), "[1,2]");
    }

    #[test]
    fn appends_build_interned_strings() {
        let mut values = Values::default();
        let ab = values.json(&json!("ab"));
        let a = values.json(&json!("a"));
        let b = values.json(&json!("b"));
        let c = values.json(&json!("c"));
        let abc = values.json(&json!("abc"));
        assert_eq!(values.append(a, b), ab);
        assert_eq!(values.append(Val::NULL, a), a);
        assert_eq!(values.show(ab), "\"ab\"");
        assert_eq!(values.append(ab, c), abc);
        let bc = values.append(b, c);
        assert_eq!(values.append(a, bc), abc);
        let (ca, cab) = (values.append(c, a), values.append(c, ab));
        let ca_b = values.append(ca, b);
        assert_eq!(values.append(ca, b), ca_b, "appends are memoised");
        assert_ne!(ca_b, abc);
        assert_eq!(values.show(ca_b), values.show(cab));
        assert_eq!(values.show(bc), "\"bc\"");
    }
}
