//! The search's memo of seen (linearized set, state) pairs: an open
//! table hashed with the fixed [`FxHasher`], looked up only, never
//! iterated.

use crate::fastmap::FxHasher;
use std::hash::{Hash, Hasher};

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
}
