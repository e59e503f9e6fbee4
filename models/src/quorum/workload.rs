//! The client workload: reads, writes and compare-and-sets on `keys` keys.
//!
//! Every write (and every cas's new value) writes a value no other op in
//! the run writes (a counter), so a read's result names the one op that
//! wrote it; the lost-write checker and the staleness metrics rely on it.
//! A cas expects the value last generated for its key, which is the current
//! value whenever the key's ops did not overlap.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::BTreeMap;

/// A client operation, as it appears in the history (`f`, `key`, `value`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "f", rename_all = "lowercase")]
pub enum Op {
    /// Read `key`; the ok's `value` is the value read (null when absent).
    Read {
        /// The key.
        key: u32,
    },
    /// Write `value` to `key`.
    Write {
        /// The key.
        key: u32,
        /// The value.
        value: u64,
    },
    /// Set `key` to `value.1` if it holds `value.0` (null = absent); a
    /// compare failure is `fail`.
    Cas {
        /// The key.
        key: u32,
        /// `[expected, new]`.
        value: (Option<u64>, u64),
    },
}

impl Op {
    /// The key the op touches.
    pub fn key(&self) -> u32 {
        match *self {
            Op::Read { key } | Op::Write { key, .. } | Op::Cas { key, .. } => key,
        }
    }
}

/// Makes ops; owned by one run's model, so its counter is per run.
#[derive(Debug, Default)]
pub struct Generator {
    next_value: u64,
    last: BTreeMap<u32, u64>,
}

impl Generator {
    /// The next op of kind `f` over `keys` keys.
    pub fn make(&mut self, f: &str, keys: u32, rng: &mut ChaCha8Rng) -> Op {
        assert!(keys > 0, "the workload has keys");
        let key = rng.gen_range(0..keys);
        if f == "read" {
            return Op::Read { key };
        }
        self.next_value += 1;
        let value = self.next_value;
        let expected = self.last.insert(key, value);
        match f {
            "write" => Op::Write { key, value },
            "cas" => Op::Cas {
                key,
                value: (expected, value),
            },
            other => panic!("quorum has no op {other:?}"),
        }
    }
}
