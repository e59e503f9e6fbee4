//! The trace hash: a fingerprint of everything a run did, in order.
//!
//! Every event the engine dispatches (deliveries, timers, client requests
//! and replies, faults, protocol events) is folded into a 64-bit hash
//! (FxHash's word step: rotate, xor, multiply; eight bytes at a time, since
//! this is on the hot path). Same scenario + seed + build gives the same hash; tests compare it
//! across processes. Messages are hashed through their `Hash` impl with
//! this (pinned, unkeyed) hasher, so no `Debug` formatting on the hot path.

use std::cell::Cell;
use std::hash::{Hash, Hasher};

/// A pinned, unkeyed word hasher (FxHash's step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceHash(u64);

impl Default for TraceHash {
    fn default() -> Self {
        TraceHash(0xcbf2_9ce4_8422_2325)
    }
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl TraceHash {
    fn word(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(SEED);
    }
}

impl Hasher for TraceHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.word(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.word(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, x: u8) {
        self.word(u64::from(x));
    }

    fn write_u64(&mut self, x: u64) {
        self.word(x);
    }

    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
}

impl TraceHash {
    /// Folds one event: its time, a kind tag, and any hashable payload.
    pub fn record<T: Hash + ?Sized>(&mut self, time_us: u64, tag: u8, payload: &T) {
        self.write_u64(time_us);
        self.write(&[tag]);
        payload.hash(self);
    }

    /// The hash as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

thread_local! {
    static NOW: Cell<(u64, usize)> = const { Cell::new((0, usize::MAX)) };
    static NAMES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Tells the log formatter the node names of the run on this thread.
pub fn set_names(names: &[String]) {
    NAMES.with(|n| *n.borrow_mut() = names.to_vec());
}

/// The name of node `id` in the run on this thread.
pub fn name(id: usize) -> String {
    NAMES.with(|n| {
        n.borrow()
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("node#{id}"))
    })
}

/// Tells the log formatter the simulated time and node of what runs now.
pub fn set_context(time_us: u64, node: usize) {
    NOW.with(|c| c.set((time_us, node)));
}

/// The simulated time and node last set (node `usize::MAX`: the engine).
pub fn context() -> (u64, usize) {
    NOW.with(Cell::get)
}
