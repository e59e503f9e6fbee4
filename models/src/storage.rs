//! Durable storage of one node: the only state that survives a crash.

use crate::fastmap::FastMap;
use serde::{de::DeserializeOwned, Serialize};

/// A stored value: its JSON encoding. Bytes, not a `serde_json::Value` tree,
/// so a write costs one serialisation into one buffer.
pub type Encoded = Vec<u8>;

/// Keys in a [`FastMap`]: a `BTreeMap` of `String`s cost ~540
/// instructions per write in memcmp calls (a cqrs run writes ~56,000
/// times). Iterated only where order cannot matter: a flush applies each
/// cached write once, and [`Storage::keys_under`] sorts.
type Map<V> = FastMap<String, V>;

/// A node's durable key/value store, owned by the engine.
///
/// Values written with `sync = false` sit in a volatile write cache until the
/// next synced write; a crash with "lose unsynced writes" drops them, as a
/// real disk without `fsync` would. A removal is a write like any other
/// (cached until synced).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Storage {
    synced: Map<Encoded>,
    /// `None`: removed, not yet synced.
    unsynced: Map<Option<Encoded>>,
}

impl Storage {
    /// Reads `key`, decoded as `T`; the newest write wins, synced or not.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let value = match self.unsynced.get(key) {
            Some(cached) => cached.as_ref()?,
            None => self.synced.get(key)?,
        };
        let decoded = serde_json::from_slice(value);
        Some(decoded.unwrap_or_else(|e| panic!("storage key {key:?} does not decode: {e}")))
    }

    /// Writes `key`; a synced write also flushes every earlier unsynced one.
    pub fn put(&mut self, key: String, value: Encoded, sync: bool) {
        self.write(key, Some(value), sync);
    }

    /// Removes `key`, as a write: unsynced, a crash may bring it back.
    pub fn remove(&mut self, key: String, sync: bool) {
        self.write(key, None, sync);
    }

    fn write(&mut self, key: String, value: Option<Encoded>, sync: bool) {
        if !sync {
            self.unsynced.insert(key, value);
            return;
        }
        self.flush();
        land(&mut self.synced, key, value);
    }

    fn flush(&mut self) {
        for (key, value) in self.unsynced.drain() {
            land(&mut self.synced, key, value);
        }
    }

    /// Encodes and writes `value` under `key`.
    pub fn put_json<T: Serialize>(&mut self, key: &str, value: &T, sync: bool) {
        let encoded = encode(value);
        self.put(key.to_string(), encoded, sync);
    }

    /// A crash: unsynced writes survive only when `keep_unsynced`.
    pub fn crash(&mut self, keep_unsynced: bool) {
        if keep_unsynced {
            self.flush();
        } else {
            self.unsynced.clear();
        }
    }

    /// The keys that start with `prefix` and hold a value, sorted.
    pub fn keys_under(&self, prefix: &str) -> Vec<&str> {
        let cached = (self.unsynced.iter()).filter_map(|(k, v)| v.as_ref().map(|_| k));
        let synced = (self.synced.keys()).filter(|k| !self.unsynced.contains_key(*k));
        let mut keys: Vec<&str> = (cached.chain(synced))
            .filter(|k| k.starts_with(prefix))
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    /// Number of keys that hold a value, synced or not.
    pub fn len(&self) -> usize {
        self.keys_under("").len()
    }

    /// True when no key holds a value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Makes one write durable.
fn land(synced: &mut Map<Encoded>, key: String, value: Option<Encoded>) {
    match value {
        Some(v) => synced.insert(key, v),
        None => synced.remove(&key),
    };
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
    out.push_str(std::str::from_utf8(&digits[i..]).expect("ASCII digits"));
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
    fn a_removal_is_a_write() {
        let mut s = Storage::default();
        s.put_json("log/1", &1, true);
        s.put_json("log/2", &2, true);
        s.put_json("other", &3, true);
        s.remove("log/1".into(), false);
        assert_eq!(s.get::<i32>("log/1"), None);
        assert_eq!(s.keys_under("log/"), ["log/2"]);
        s.crash(false);
        assert_eq!(
            s.get::<i32>("log/1"),
            Some(1),
            "an unsynced removal is lost"
        );
        s.remove("log/1".into(), false);
        s.put_json("log/3", &4, true);
        s.crash(false);
        assert_eq!(s.keys_under("log/"), ["log/2", "log/3"]);
        assert_eq!(s.len(), 3);
        s.remove("log/2".into(), true);
        s.crash(true);
        assert_eq!(s.keys_under(""), ["log/3", "other"]);
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
