//! Durable storage of one node: the only state that survives a crash.

use serde::{de::DeserializeOwned, Serialize};
use std::collections::BTreeMap;

/// A stored value: its JSON encoding. Bytes, not a `serde_json::Value` tree,
/// so a write costs one serialisation into one buffer.
pub type Encoded = Vec<u8>;

/// A node's durable key/value store, owned by the engine.
///
/// Values written with `sync = false` sit in a volatile write cache until the
/// next synced write; a crash with "lose unsynced writes" drops them, as a
/// real disk without `fsync` would.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Storage {
    synced: BTreeMap<String, Encoded>,
    unsynced: BTreeMap<String, Encoded>,
}

impl Storage {
    /// Reads `key`, decoded as `T`; the newest write wins, synced or not.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let value = self.unsynced.get(key).or_else(|| self.synced.get(key))?;
        let decoded = serde_json::from_slice(value);
        Some(decoded.unwrap_or_else(|e| panic!("storage key {key:?} does not decode: {e}")))
    }

    /// Writes `key`; a synced write also flushes every earlier unsynced one.
    pub fn put(&mut self, key: String, value: Encoded, sync: bool) {
        if sync {
            let cached = std::mem::take(&mut self.unsynced);
            self.synced.extend(cached);
            self.synced.insert(key, value);
        } else {
            self.unsynced.insert(key, value);
        }
    }

    /// Encodes and writes `value` under `key`.
    pub fn put_json<T: Serialize>(&mut self, key: &str, value: &T, sync: bool) {
        let encoded = encode(value);
        self.put(key.to_string(), encoded, sync);
    }

    /// A crash: unsynced writes survive only when `keep_unsynced`.
    pub fn crash(&mut self, keep_unsynced: bool) {
        let cached = std::mem::take(&mut self.unsynced);
        if keep_unsynced {
            self.synced.extend(cached);
        }
    }

    /// Number of keys, synced or not.
    pub fn len(&self) -> usize {
        self.synced
            .keys()
            .chain(self.unsynced.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    }

    /// True when nothing was ever written.
    pub fn is_empty(&self) -> bool {
        self.synced.is_empty() && self.unsynced.is_empty()
    }
}

/// The JSON encoding of `value`, as [`Storage::put`] takes it.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Encoded {
    serde_json::to_vec(value).expect("storage values encode as JSON")
}

/// `format!("{prefix}{n}")`, built without the formatting machinery: keys
/// like `outcome/<txn>` or `cp/<order>` are made on every read and write.
pub(crate) fn numbered_key(prefix: &str, n: u64) -> String {
    let mut key = String::with_capacity(prefix.len() + 20);
    key.push_str(prefix);
    push_decimal(&mut key, n);
    key
}

/// Appends `n` in decimal, as `write!(out, "{n}")` would.
pub(crate) fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[i..].iter().map(|&d| char::from(d)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_keys_match_format() {
        for n in [0, 1, 9, 10, 12_345, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(numbered_key("cp/", n), format!("cp/{n}"));
        }
    }

    #[test]
    fn crash_drops_only_unsynced_writes() {
        let mut s = Storage::default();
        s.put_json("a", &1, true);
        s.put_json("b", &2, false);
        s.crash(false);
        assert_eq!(s.get::<i32>("a"), Some(1));
        assert_eq!(s.get::<i32>("b"), None);
    }

    #[test]
    fn synced_write_flushes_the_cache() {
        let mut s = Storage::default();
        s.put_json("b", &2, false);
        s.put_json("a", &1, true);
        s.crash(false);
        assert_eq!(s.get::<i32>("b"), Some(2));
    }
}
