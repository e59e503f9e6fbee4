//! A fast map with a fixed hash, for lookups on hot paths.
//!
//! It hashes with the Fx hash of rustc plus a final mix: no random seed,
//! so nothing can depend on a process or thread, and cheap for the short
//! keys it holds (storage keys, saga ids, the linearizability search's
//! configurations). std's `HashMap` is disallowed elsewhere because its
//! order leaks into output; users of this one look it up, or iterate it
//! only where order cannot matter (and say why).

#[allow(clippy::disallowed_types)]
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash: rotate, xor a word, multiply.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher(pub(crate) u64);

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

/// A map with the fixed Fx hash. Its iteration order is arbitrary (the
/// same in every run, but not one to show): look it up, or iterate only
/// where order cannot matter.
#[allow(clippy::disallowed_types)]
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

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
