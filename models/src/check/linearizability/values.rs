//! Interned register values: the search compares, hashes and copies `u32`
//! ids instead of strings.
//!
//! Every value of a history (and every string an `append` builds during
//! the search) gets one id; equal values get equal ids, so comparing ids
//! is comparing values. A built string is stored as the pair it was built
//! from, with the length and a polynomial hash of its text: finding
//! whether an equal string exists takes a hash lookup, and only a match
//! is confirmed by comparing texts. Appends are memoised by (state, suffix).

use super::cache::FastMap;
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
    /// The first id of a string (plain or built) by the shape of its text;
    /// `next_same` chains the rare others of the same shape.
    strings: FastMap<(u64, u64), Val>,
    /// For each atom, the next string of the same shape, if any.
    next_same: Vec<Option<Val>>,
    appends: FastMap<(Val, Val), Val>,
}

impl Default for Values {
    fn default() -> Self {
        let mut values = Values {
            atoms: Vec::new(),
            scalars: FastMap::default(),
            strings: FastMap::default(),
            next_same: Vec::new(),
            appends: FastMap::default(),
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

    /// The id of the string whose text is `text()`, of `shape`; `make`
    /// builds the atom if it is new.
    fn string(&mut self, shape: Shape, text: impl Fn(&Values) -> String, make: Atom) -> Val {
        let key = (shape.len, shape.hash);
        let first = self.strings.get(&key).copied();
        if let Some(first) = first {
            let wanted = text(self);
            let mut at = Some(first);
            while let Some(id) = at {
                if self.text(id) == wanted {
                    return id;
                }
                at = self.next_same[id.0 as usize];
            }
        }
        let id = self.push(make, shape);
        self.next_same[id.0 as usize] = first;
        self.strings.insert(key, id);
        id
    }

    /// The id of a JSON value.
    pub(crate) fn json(&mut self, value: &Value) -> Val {
        match value {
            Value::Null => Val::NULL,
            Value::String(s) => {
                let owned = s.clone();
                self.string(
                    Shape::of(s),
                    move |_| owned.clone(),
                    Atom::Str(Rc::from(s.as_str())),
                )
            }
            Value::Number(n) => self.scalar(
                n.as_i64()
                    .map_or_else(|| Atom::Other(Rc::from(n.to_string())), Atom::Int),
            ),
            other => self.scalar(Atom::Other(Rc::from(other.to_string()))),
        }
    }

    /// `a` with `b` appended, as strings (null is the empty string).
    pub(crate) fn append(&mut self, a: Val, b: Val) -> Val {
        if let Some(&id) = self.appends.get(&(a, b)) {
            return id;
        }
        let shape = self.atoms[a.0 as usize].1.then(self.atoms[b.0 as usize].1);
        let id = self.string(shape, |v| v.text(a) + &v.text(b), Atom::Cat(a, b));
        self.appends.insert((a, b), id);
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
        assert_eq!(values.append(a, b), ab);
        assert_eq!(values.append(Val::NULL, a), a);
        assert_eq!(values.show(ab), "\"ab\"");
        let c = values.json(&json!("c"));
        let abc = values.append(ab, c);
        let bc = values.append(b, c);
        assert_eq!(values.append(a, bc), abc);
        assert_eq!(values.json(&json!("abc")), abc);
        assert_ne!(values.json(&json!("acb")), abc);
        assert_eq!(values.show(abc), "\"abc\"");
    }
}
