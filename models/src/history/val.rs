//! A compact JSON value for operation fields.
//!
//! Most operation keys and values are small integers or absent; a
//! `serde_json::Value` is 32 bytes and a `Map` per operation was a heap
//! tree of ~600 bytes. A [`Val`] is 16 bytes: null and integers inline,
//! anything else boxed.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// An operation's key or value: JSON, with null and integers inline.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Val {
    /// JSON null (also: absent).
    #[default]
    Null,
    /// An integer that fits an `i64`.
    Int(i64),
    /// Anything else.
    Json(Box<Value>),
}

impl Val {
    /// Whether it is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    /// The value as a `u64`, if it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Val::Int(i) => u64::try_from(*i).ok(),
            Val::Json(v) => v.as_u64(),
            Val::Null => None,
        }
    }

    /// The value as an `i64`, if it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            Val::Json(v) => v.as_i64(),
            Val::Null => None,
        }
    }

    /// The value as a string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Json(v) => v.as_str(),
            _ => None,
        }
    }

    /// Field `key` of an object value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Val::Json(v) => v.get(key),
            _ => None,
        }
    }

    /// Element `i` of an array value.
    pub fn at(&self, i: usize) -> Option<&Value> {
        match self {
            Val::Json(v) => v.get(i),
            _ => None,
        }
    }

    /// The JSON value (borrowed when boxed).
    pub fn to_value(&self) -> Cow<'_, Value> {
        match self {
            Val::Null => Cow::Owned(Value::Null),
            Val::Int(i) => Cow::Owned(Value::from(*i)),
            Val::Json(v) => Cow::Borrowed(v),
        }
    }

    /// Feeds the value to a hasher (JSON has no `Hash`): by shape and
    /// content, so equal values hash equal.
    pub fn hash_into<H: std::hash::Hasher>(&self, h: &mut H) {
        use std::hash::Hash;
        match self {
            Val::Null => 0u8.hash(h),
            Val::Int(i) => (1u8, *i).hash(h),
            Val::Json(v) => hash_json(v, h),
        }
    }
}

fn hash_json<H: std::hash::Hasher>(v: &Value, h: &mut H) {
    use std::hash::Hash;
    match v {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (2u8, *b).hash(h),
        Value::Number(n) => (3u8, n.as_i64(), n.as_u64(), n.as_f64().map(f64::to_bits)).hash(h),
        Value::String(s) => (4u8, s.as_str()).hash(h),
        Value::Array(a) => {
            (5u8, a.len()).hash(h);
            a.iter().for_each(|x| hash_json(x, h));
        }
        Value::Object(m) => {
            (6u8, m.len()).hash(h);
            for (k, x) in m {
                k.hash(h);
                hash_json(x, h);
            }
        }
    }
}

impl From<Value> for Val {
    fn from(v: Value) -> Val {
        match v {
            Value::Null => Val::Null,
            Value::Number(n) if n.as_i64().is_some() => Val::Int(n.as_i64().unwrap_or_default()),
            other => Val::Json(Box::new(other)),
        }
    }
}

impl From<i64> for Val {
    fn from(i: i64) -> Val {
        Val::Int(i)
    }
}

impl PartialEq<Value> for Val {
    fn eq(&self, other: &Value) -> bool {
        *self.to_value() == *other
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Null => f.write_str("null"),
            Val::Int(i) => write!(f, "{i}"),
            Val::Json(v) => write!(f, "{v}"),
        }
    }
}

impl Serialize for Val {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Val::Null => s.serialize_unit(),
            Val::Int(i) => s.serialize_i64(*i),
            Val::Json(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Val {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Val, D::Error> {
        Value::deserialize(d).map(Val::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_stay_inline_and_compare_with_json() {
        assert_eq!(std::mem::size_of::<Val>(), 16);
        let v = Val::from(json!(7));
        assert_eq!(v, Val::Int(7));
        assert_eq!(v, json!(7));
        assert_eq!(v.as_u64(), Some(7));
        let o = Val::from(json!({"txn": "c1.1"}));
        assert_eq!(o.get("txn"), Some(&json!("c1.1")));
        assert_eq!(o.to_string(), r#"{"txn":"c1.1"}"#);
        assert_eq!(Val::from(json!(u64::MAX)).as_u64(), Some(u64::MAX));
    }
}
