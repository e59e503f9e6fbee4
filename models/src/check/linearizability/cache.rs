//! The search's memo of seen (linearized set, state) pairs, and the fast
//! lookup-only map the value table uses.
//!
//! A hash set with a fixed, fast hasher (the Fx hash of rustc, with a
//! final mix): the set is
//! only ever asked "seen before?", never iterated, so no order leaks out of
//! it, and the hash has no random seed, so runs are reproducible anyway.

// Lookup only, never iterated (see above).
#[allow(clippy::disallowed_types)]
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// The Fx hash: rotate, xor a word, multiply.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut tail = [0; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.add(u64::from_le_bytes(tail));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// Mixes high bits into low ones (murmur3's fmix64): the table picks
    /// buckets by the low bits, which the multiply alone leaves weak.
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// A map with the fixed Fx hash, for lookups only: never iterate it.
#[allow(clippy::disallowed_types)]
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A set that is only looked up (see the module doc).
#[derive(Debug)]
pub(crate) struct Seen<T> {
    #[allow(clippy::disallowed_types)]
    set: HashSet<T, BuildHasherDefault<FxHasher>>,
}

impl<T: Hash + Eq + Clone> Seen<T> {
    /// An empty set.
    pub(crate) fn new() -> Seen<T> {
        Seen {
            set: Default::default(),
        }
    }

    /// Adds a copy of `key` unless it is there; true if it was new.
    /// Looks up before cloning, since most keys the search meets are old.
    pub(crate) fn insert(&mut self, key: &T) -> bool {
        if self.set.contains(key) {
            return false;
        }
        self.set.insert(key.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_keys() {
        let mut seen = Seen::new();
        assert!(seen.insert(&(vec![1u64], "a".to_string())));
        assert!(!seen.insert(&(vec![1u64], "a".to_string())));
        assert!(seen.insert(&(vec![1u64], "b".to_string())));
        assert!(!seen.insert(&(vec![1u64], "b".to_string())));
    }

    #[test]
    fn hash_is_fixed() {
        let mut h = FxHasher::default();
        "abc".hash(&mut h);
        let mut g = FxHasher::default();
        "abc".hash(&mut g);
        assert_eq!(h.finish(), g.finish());
        assert_ne!(h.finish(), 0);
    }
}
