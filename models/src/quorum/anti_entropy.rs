//! Anti-entropy: every `anti_entropy_ms` a server sends a random peer the
//! versions of the keys both replicate (`Digest`); the peer answers with
//! its newer items and the keys it lacks (`Sync`), which the first server
//! `Push`es. A push-pull digest exchange in the spirit of Dynamo's Merkle
//! tree synchronisation (§4.7), without the tree: the digests are small here.

use super::layout::Layout;
use super::msg::Msg;
use super::replica::Replica;
use super::version::Version;
use super::Ctx;
use crate::node::NodeId;
use rand::Rng;

/// The timer of the periodic exchange.
pub const ANTI_ENTROPY_TIMER: u64 = u64::MAX;

/// Sends a digest of the shared keys to a random peer and re-arms the timer.
pub fn tick(layout: &Layout, replica: &Replica, ctx: &mut Ctx<'_>) {
    let period_us = layout.params.anti_entropy_ms * 1000;
    assert!(period_us > 0, "anti-entropy runs only when enabled");
    ctx.set_timer(ANTI_ENTROPY_TIMER, period_us);
    if layout.servers < 2 {
        return;
    }
    let mut peer = ctx.rng.gen_range(0..layout.servers - 1);
    if peer >= ctx.id {
        peer += 1;
    }
    let entries = replica
        .items()
        .iter()
        .filter(|(&k, _)| layout.is_replica(peer, k))
        .map(|(&k, i)| (k, i.version))
        .collect::<Vec<_>>();
    ctx.send(peer, Msg::Digest { entries });
}

/// A peer's digest: answer with what is newer here and what is newer there.
pub fn on_digest(
    layout: &Layout,
    replica: &Replica,
    ctx: &mut Ctx<'_>,
    from: NodeId,
    entries: Vec<(u32, Version)>,
) {
    let theirs: std::collections::BTreeMap<u32, Version> = entries.into_iter().collect();
    let items = replica
        .items()
        .iter()
        .filter(|(&k, i)| layout.is_replica(from, k) && theirs.get(&k) < Some(&i.version))
        .map(|(&k, &i)| (k, i))
        .collect::<Vec<_>>();
    let want = theirs
        .iter()
        .filter(|(&k, &v)| {
            layout.is_replica(ctx.id, k) && replica.get(k).map(|i| i.version) < Some(v)
        })
        .map(|(&k, _)| k)
        .collect::<Vec<_>>();
    if !items.is_empty() || !want.is_empty() {
        ctx.send(from, Msg::Sync { items, want });
    }
}

/// The items of `want` this replica holds, for a `Push`.
pub fn wanted(replica: &Replica, want: &[u32]) -> Vec<(u32, super::version::Versioned)> {
    want.iter()
        .filter_map(|&k| replica.get(k).map(|&i| (k, i)))
        .collect()
}
