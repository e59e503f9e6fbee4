//! Interned names: node names and operation names in a history.
//!
//! A history holds millions of lines that name a handful of nodes and
//! operations; a `String` per line was a heap block each. A [`Name`] is a
//! `&'static str`: the engine's names are interned once per run (a lock per
//! node, not per line) and a name parsed from a file is interned on read.
//! Interned text is never freed, so the interner is bounded
//! ([`INTERNED_BYTES_MAX`]); only names land in it, never values.
//!
//! Equality, order and hashing are by text, never by address, so two
//! interners (or a `'static` literal and an interned copy) agree, and
//! nothing about a run depends on where a name happens to live.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Mutex, OnceLock, PoisonError};

/// Most bytes of distinct names a process interns; past it, [`Name::intern`]
/// fails (a history file with millions of distinct node names is not one).
pub const INTERNED_BYTES_MAX: usize = 16 << 20;

/// A node's or an operation's name: a copyable `&'static str`.
#[derive(Clone, Copy, Default)]
pub struct Name(&'static str);

struct Interner {
    set: BTreeSet<&'static str>,
    bytes: usize,
}

fn interner() -> &'static Mutex<Interner> {
    static INTERNER: OnceLock<Mutex<Interner>> = OnceLock::new();
    INTERNER.get_or_init(|| {
        Mutex::new(Interner {
            set: BTreeSet::new(),
            bytes: 0,
        })
    })
}

/// The interner is full: too many distinct names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("more than {INTERNED_BYTES_MAX} bytes of distinct names")]
pub struct TooManyNames;

impl Name {
    /// A name for a literal; no interning needed.
    pub const fn from_static(s: &'static str) -> Name {
        Name(s)
    }

    /// The interned copy of `s`.
    pub fn intern(s: &str) -> Result<Name, TooManyNames> {
        let mut i = interner().lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(&found) = i.set.get(s) {
            return Ok(Name(found));
        }
        if i.bytes + s.len() > INTERNED_BYTES_MAX {
            return Err(TooManyNames);
        }
        let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
        i.bytes += s.len();
        i.set.insert(leaked);
        Ok(Name(leaked))
    }

    /// The text.
    pub const fn as_str(&self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl std::borrow::Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        std::ptr::eq(self.0, other.0) || self.0 == other.0
    }
}
impl Eq for Name {}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}
impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}
impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.0 == other.as_str()
    }
}
impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.0
    }
}
impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.0
    }
}
impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.0
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        self.0.cmp(other.0)
    }
}

impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Name, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Name::intern(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_names_equal_literals_and_share_storage() {
        let a = Name::intern("node-x").unwrap();
        let b = Name::intern(&String::from("node-x")).unwrap();
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_eq!(a, Name::from_static("node-x"));
        assert_eq!(a, "node-x");
        assert!(Name::from_static("a") < Name::from_static("b"));
    }

    #[test]
    fn names_round_trip_through_json() {
        let n: Name = serde_json::from_str("\"n7\"").unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"n7\"");
    }
}
