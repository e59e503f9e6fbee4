//! The physical-limit reference: the ping/pong workload on a minimal
//! single-threaded discrete-event loop (no async, a `BinaryHeap` of events,
//! a ChaCha RNG), as the benchmark issue prescribes.

use crate::seed::stream;
use rand::Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// (time, seq, from, to, is_ping).
type Delivery = (u64, u64, usize, usize, bool);

/// Delivers `target` messages among `nodes` nodes, each keeping
/// `outstanding` pings in flight, latency uniform in [lo, hi] us; returns
/// (messages delivered, simulated microseconds).
pub fn ping_pong(
    nodes: usize,
    outstanding: usize,
    (lo, hi): (u64, u64),
    target: u64,
    seed: u64,
) -> (u64, u64) {
    let mut rng = stream(seed, "baseline");
    let mut heap: BinaryHeap<Reverse<Delivery>> = BinaryHeap::new();
    let mut seq = 0u64;
    let peer = |from: usize, rng: &mut rand_chacha::ChaCha8Rng| {
        let to = rng.gen_range(0..nodes - 1);
        if to >= from {
            to + 1
        } else {
            to
        }
    };
    for from in 0..nodes {
        for _ in 0..outstanding {
            seq += 1;
            let to = peer(from, &mut rng);
            heap.push(Reverse((rng.gen_range(lo..=hi), seq, from, to, true)));
        }
    }
    let (mut delivered, mut now) = (0u64, 0u64);
    while delivered < target {
        let Some(Reverse((t, _, from, to, ping))) = heap.pop() else {
            break;
        };
        now = t;
        delivered += 1;
        seq += 1;
        let (dest, next_ping) = if ping {
            (from, false)
        } else {
            (peer(to, &mut rng), true)
        };
        heap.push(Reverse((
            now + rng.gen_range(lo..=hi),
            seq,
            to,
            dest,
            next_ping,
        )));
    }
    (delivered, now)
}

#[cfg(test)]
mod tests {
    #[test]
    fn delivers_what_it_is_asked() {
        let (n, t) = super::ping_pong(5, 4, (1000, 10_000), 10_000, 1);
        assert_eq!(n, 10_000);
        // 20 in flight at ~5.5 ms each: ~3,600 deliveries per simulated second.
        assert!((2_000_000..4_000_000).contains(&t), "{t}");
    }
}
