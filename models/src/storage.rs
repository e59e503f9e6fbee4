//! Durable storage of one node: the only state that survives a crash.

use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A node's durable key/value store, owned by the engine.
///
/// Values written with `sync = false` sit in a volatile write cache until the
/// next synced write; a crash with "lose unsynced writes" drops them, as a
/// real disk without `fsync` would.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Storage {
    synced: BTreeMap<String, Value>,
    unsynced: BTreeMap<String, Value>,
}

impl Storage {
    /// Reads `key`, decoded as `T`; the newest write wins, synced or not.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let value = self.unsynced.get(key).or_else(|| self.synced.get(key))?;
        let decoded = serde_json::from_value(value.clone());
        Some(decoded.unwrap_or_else(|e| panic!("storage key {key:?} does not decode: {e}")))
    }

    /// Writes `key`; a synced write also flushes every earlier unsynced one.
    pub fn put(&mut self, key: String, value: Value, sync: bool) {
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
        let encoded = serde_json::to_value(value).expect("storage values encode as JSON");
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

#[cfg(test)]
mod tests {
    use super::*;

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
