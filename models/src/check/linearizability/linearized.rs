//! The set of linearized ops, kept so that the memo key is small.
//!
//! Ops are numbered in invoke order, and the search linearizes them
//! roughly in that order: at any moment every op below some watermark
//! `low` is linearized and the linearized ops above it lie in a narrow
//! window (ops concurrent with the search's frontier). So the set is
//! named, exactly, by `low`'s word index and the words from there to the
//! last non-zero one: a few words even for a history of 100,000 ops,
//! where a full bitset would be kilobytes per memo entry. Its hash is the
//! XOR of a fixed random word per member (Zobrist hashing), kept up to
//! date at each insert and removal, so hashing a key costs O(1).

/// A set of op ids with a compact, canonical key (see the module doc).
#[derive(Debug, Clone)]
pub(crate) struct Linearized {
    words: Vec<u64>,
    /// The smallest id not in the set.
    low: usize,
    /// One past the last non-zero word.
    end: usize,
    /// XOR of [`zobrist`] of the members.
    hash: u64,
}

/// The Zobrist word of op `id` (splitmix64 of the id).
fn zobrist(id: usize) -> u64 {
    let mut z = (id as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Linearized {
    /// The empty set of ids below `n`.
    pub(crate) fn new(n: usize) -> Linearized {
        Linearized {
            words: vec![0; n.div_ceil(64).max(1)],
            low: 0,
            end: 0,
            hash: 0,
        }
    }

    /// True when `id` is in the set.
    fn has(&self, id: usize) -> bool {
        self.words[id / 64] & (1 << (id % 64)) != 0
    }

    /// Adds `id`, which must be absent.
    pub(crate) fn insert(&mut self, id: usize) {
        assert!(!self.has(id), "op {id} linearized twice");
        self.words[id / 64] |= 1 << (id % 64);
        self.hash ^= zobrist(id);
        self.end = self.end.max(id / 64 + 1);
        // Past the run of members from `low`, a word at a time.
        while let Some(&word) = self.words.get(self.low / 64) {
            let room = 64 - self.low % 64;
            let run = (!(word >> (self.low % 64))).trailing_zeros() as usize;
            self.low += run;
            if run < room {
                break;
            }
        }
    }

    /// Removes `id`, which must be present.
    pub(crate) fn remove(&mut self, id: usize) {
        assert!(self.has(id), "op {id} undone but not linearized");
        self.words[id / 64] &= !(1 << (id % 64));
        self.hash ^= zobrist(id);
        self.low = self.low.min(id);
        while self.end > 0 && self.words[self.end - 1] == 0 {
            self.end -= 1;
        }
    }

    /// The set's key: the index of its first word that is not all ones
    /// (every id below is a member), the words from there to the last
    /// non-zero one, and the hash. Equal sets have equal keys.
    pub(crate) fn key(&self) -> (usize, &[u64], u64) {
        let start = (self.low / 64).min(self.end);
        (start, &self.words[start..self.end], self.hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(ids: &[usize]) -> (usize, Vec<u64>, u64) {
        let mut set = Linearized::new(300);
        for &id in ids {
            set.insert(id);
        }
        let (start, words, hash) = set.key();
        (start, words.to_vec(), hash)
    }

    #[test]
    fn equal_sets_have_equal_keys_whatever_the_order() {
        let ids: Vec<usize> = (0..200).chain([230, 290]).collect();
        let mut rev = ids.clone();
        rev.reverse();
        assert_eq!(key_of(&ids), key_of(&rev));
        let (start, words, _) = key_of(&ids);
        assert_eq!(start, 3);
        assert_eq!(words.len(), 2);
        assert_ne!(key_of(&ids), key_of(&ids[1..]));
    }

    #[test]
    fn removal_restores_the_key() {
        let mut set = Linearized::new(300);
        let before = {
            set.insert(1);
            let (s, w, h) = set.key();
            (s, w.to_vec(), h)
        };
        set.insert(0);
        set.insert(299);
        set.remove(299);
        set.remove(0);
        let (s, w, h) = set.key();
        assert_eq!((s, w.to_vec(), h), before);
        set.remove(1);
        assert_eq!(set.key(), (0, &[][..], 0));
    }
}
