//! The search's memo of seen (linearized set, state) pairs, and the fast
//! lookup-only map the value table uses.
//!
//! Both hash with a fixed, fast hasher (the Fx hash of rustc, with a
//! final mix) and are only ever looked up, never iterated, so no order
//! leaks out of them; the hash has no random seed, so runs are
//! reproducible anyway.

// Lookup only, never iterated (see above).
#[allow(clippy::disallowed_types)]
use std::collections::HashMap;
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

/// One configuration in a [`Memo`].
#[derive(Debug)]
struct Entry<T> {
    /// The key's first word index (see [`Linearized::key`](super::linearized::Linearized::key)).
    start: u32,
    /// Where its words sit in `Memo::words`, and how many.
    at: u32,
    len: u32,
    state: T,
}

/// The search's memo of explored (linearized set, state) configurations:
/// an open-addressing table (linear probing, at most half full) of indices
/// into a list of entries whose words sit in one arena, so an entry costs
/// no allocation of its own. Only ever asked "seen before?": never
/// iterated, so no order leaks out of it.
#[derive(Debug)]
pub(crate) struct Memo<T> {
    /// (hash, entry index + 1), index 0 for an empty slot; a probe looks
    /// at an entry only when the hashes agree. The length is a power of two.
    slots: Vec<(u64, u32)>,
    entries: Vec<Entry<T>>,
    words: Vec<u64>,
}

impl<T: Hash + Eq + Clone> Memo<T> {
    /// An empty memo.
    pub(crate) fn new() -> Memo<T> {
        Memo {
            slots: vec![(0, 0); 64],
            entries: Vec::new(),
            words: Vec::new(),
        }
    }

    /// Bytes held (table, entries and words), for the memory budget.
    pub(crate) fn bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<(u64, u32)>()
            + self.entries.capacity() * std::mem::size_of::<Entry<T>>()
            + self.words.capacity() * 8
    }

    /// Forgets everything (the memo only prunes: the search stays correct).
    pub(crate) fn clear(&mut self) {
        *self = Memo::new();
    }

    /// Records the configuration (set key `start`, `words`, `set_hash`;
    /// `state`) unless it is there; true if it was new.
    pub(crate) fn insert(
        &mut self,
        (start, words, set_hash): (usize, &[u64], u64),
        state: &T,
    ) -> bool {
        let mut h = FxHasher(set_hash);
        state.hash(&mut h);
        let hash = h.finish();
        let mask = self.slots.len() - 1;
        let mut slot = hash as usize & mask;
        while let (h, Some(i)) = (self.slots[slot].0, self.slots[slot].1.checked_sub(1)) {
            if h == hash && self.holds(i as usize, start, words, state) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        let index = u32::try_from(self.entries.len() + 1).expect("fewer than 2^32 memo entries");
        self.slots[slot] = (hash, index);
        let small = |n: usize| u32::try_from(n).expect("memo words fit in u32 indices");
        self.entries.push(Entry {
            start: small(start),
            at: small(self.words.len()),
            len: small(words.len()),
            state: state.clone(),
        });
        self.words.extend_from_slice(words);
        if 2 * self.entries.len() > self.slots.len() {
            self.grow();
        }
        true
    }

    /// True when entry `i` is the configuration given.
    fn holds(&self, i: usize, start: usize, words: &[u64], state: &T) -> bool {
        let e = &self.entries[i];
        let at = e.at as usize;
        e.start as usize == start
            && e.state == *state
            && self.words[at..at + e.len as usize] == *words
    }

    /// Doubles the table and re-places every entry by its stored hash.
    fn grow(&mut self) {
        let mut slots = vec![(0u64, 0u32); 2 * self.slots.len()];
        let mask = slots.len() - 1;
        for &(hash, index) in self.slots.iter().filter(|s| s.1 != 0) {
            let mut slot = hash as usize & mask;
            while slots[slot].1 != 0 {
                slot = (slot + 1) & mask;
            }
            slots[slot] = (hash, index);
        }
        self.slots = slots;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_keys() {
        let mut memo = Memo::new();
        for round in 0..2 {
            for i in 0..1000u64 {
                let fresh = memo.insert((i as usize % 3, &[i, 7][..], i % 5), &"a");
                assert_eq!(fresh, round == 0, "entry {i}, round {round}");
            }
        }
        assert!(memo.insert((0, &[1, 7][..], 1), &"b"));
        assert!(memo.insert((0, &[1][..], 1), &"a"));
        assert!(memo.insert((2, &[1, 7][..], 1), &"a"));
        let full = memo.bytes();
        memo.clear();
        assert!(memo.bytes() < full);
        assert!(memo.insert((0, &[1, 7][..], 1), &"a"));
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
