//! The trace hash: a fingerprint of everything a run did, in order.
//!
//! Every event the engine dispatches (deliveries, timers, client requests
//! and replies, faults, protocol events) is folded into a 64-bit hash
//! (FxHash's word step: rotate, xor, multiply; eight bytes at a time, since
//! this is on the hot path). Same scenario + seed + build gives the same hash; tests compare it
//! across processes. Messages are hashed through their `Hash` impl with
//! this (pinned, unkeyed) hasher, so no `Debug` formatting on the hot path.
//!
//! When asked (`faultline run --check-determinism`, sampled sweep seeds), a
//! run also keeps a *trail*: the hash after every event with its time, kind
//! and node, so that two runs that should be equal can be compared event by
//! event and the first difference named ([`first_difference`]). Without the
//! trail, recording costs one predictable branch more.

use std::cell::Cell;
use std::hash::{Hash, Hasher};

/// A pinned, unkeyed word hasher (FxHash's step), optionally keeping a
/// trail of every event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceHash(u64, Option<Vec<TrailStep>>);

impl Default for TraceHash {
    fn default() -> Self {
        TraceHash(0xcbf2_9ce4_8422_2325, None)
    }
}

/// One event of a trail: what was hashed and the hash after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailStep {
    /// Simulated time of the event.
    pub time_us: u64,
    /// Its kind (`world::node_task::tag`).
    pub tag: u8,
    /// The node it ran on (`usize::MAX`: the engine).
    pub node: usize,
    /// The trace hash after folding it in.
    pub hash: u64,
}

/// Bound on a trail's length: past it, steps are no longer kept (the hash
/// still is), so a huge run asked for a trail cannot exhaust memory.
pub const TRAIL_STEPS_MAX: usize = 20_000_000;

/// Where two trails first part: the index and each side's step there
/// (None: that trail ended).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// 0-based event number.
    pub index: usize,
    /// The first trail's step.
    pub a: Option<TrailStep>,
    /// The second trail's step.
    pub b: Option<TrailStep>,
}

/// The first event at which trails `a` and `b` differ, if any.
pub fn first_difference(a: &[TrailStep], b: &[TrailStep]) -> Option<Divergence> {
    let index = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or_else(|| (a.len() != b.len()).then(|| a.len().min(b.len())))?;
    Some(Divergence {
        index,
        a: a.get(index).copied(),
        b: b.get(index).copied(),
    })
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
        if let Some(trail) = &mut self.1 {
            if trail.len() < TRAIL_STEPS_MAX {
                trail.push(TrailStep {
                    time_us,
                    tag,
                    node: context().1,
                    hash: self.0,
                });
            }
        }
    }

    /// A hasher that keeps a trail of every event.
    pub fn with_trail() -> TraceHash {
        TraceHash(TraceHash::default().0, Some(Vec::new()))
    }

    /// Takes the trail, if one was kept.
    pub fn take_trail(&mut self) -> Option<Vec<TrailStep>> {
        self.1.take()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn step(time_us: u64, hash: u64) -> TrailStep {
        TrailStep {
            time_us,
            tag: 1,
            node: 0,
            hash,
        }
    }

    #[test]
    fn first_difference_names_the_first_differing_step() {
        let a = [step(1, 10), step(2, 20), step(3, 30)];
        let b = [step(1, 10), step(2, 21), step(3, 31)];
        let d = first_difference(&a, &b).expect("they differ");
        assert_eq!((d.index, d.a, d.b), (1, Some(a[1]), Some(b[1])));
        assert_eq!(first_difference(&a, &a), None);
        let short = first_difference(&a, &a[..2]).expect("lengths differ");
        assert_eq!((short.index, short.b), (2, None));
    }

    #[test]
    fn the_trail_does_not_change_the_hash() {
        let (mut plain, mut trailed) = (TraceHash::default(), TraceHash::with_trail());
        for t in 0..5u64 {
            plain.record(t, 2, &(t, "x"));
            trailed.record(t, 2, &(t, "x"));
        }
        assert_eq!(plain.hex(), trailed.hex());
        let trail = trailed.take_trail().expect("kept");
        assert_eq!(trail.len(), 5);
        assert_eq!(trail[4].hash, plain.finish());
    }
}
