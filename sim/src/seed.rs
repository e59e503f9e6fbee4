//! The one documented derivation of every random stream from a run's seed.
//!
//! Each consumer draws from its own ChaCha8 stream, so that, e.g., protocol
//! code drawing one more number does not shift the fault schedule (which is
//! what makes shrinking a failing run possible):
//!
//! `stream(seed, label) = ChaCha8Rng::seed_from_u64(splitmix64(seed ^ fnv1a64(label)))`
//!
//! Labels: `"net"` (latency, loss, duplication), `"faults"` (nemesis and
//! random fault targets), `"clients"` (workload), `"clock"` (static skew),
//! `"node/<id>"` (a node's RNG, kept across its restarts), `"madsim"` (the
//! madsim runtime's own seed).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// FNV-1a, 64 bit: a pinned, portable string hash.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// SplitMix64's finaliser: spreads the bits of `x`.
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The 64-bit sub-seed of `seed` for `label`.
pub fn subseed(seed: u64, label: &str) -> u64 {
    splitmix64(seed ^ fnv1a64(label.as_bytes()))
}

/// The random stream of `seed` for `label`.
pub fn stream(seed: u64, label: &str) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(subseed(seed, label))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_pinned_and_independent() {
        let a: u64 = stream(42, "net").gen();
        let b: u64 = stream(42, "net").gen();
        let c: u64 = stream(42, "faults").gen();
        let d: u64 = stream(43, "net").gen();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        // Pinned: FNV-1a's published test vector; changing the derivation
        // would break every recorded repro command.
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
