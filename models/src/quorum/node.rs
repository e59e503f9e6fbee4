//! A quorum server: a replica of its keys and a coordinator of client
//! requests, plus hints and anti-entropy when switched on.

use super::anti_entropy::{self, ANTI_ENTROPY_TIMER};
use super::coordinator::{Coordinator, Kind};
use super::event::Via;
use super::handoff::{Hints, HANDOFF_TIMER, HINT_TAG};
use super::layout::Layout;
use super::msg::Msg;
use super::replica::{Replica, Rules};
use super::variant::Variant;
use super::version::Versioned;
use super::workload::Op;
use super::{Ctx, Event};
use crate::node::{Node, NodeId, RequestId, TimerId};
use crate::storage::Storage;
use std::sync::Arc;

/// The storage key of the boot counter.
const BOOT_KEY: &str = "boot";

/// One server.
#[derive(Debug)]
pub struct QuorumNode {
    layout: Arc<Layout>,
    boot: u32,
    replica: Replica,
    coordinator: Coordinator,
    hints: Hints,
}

impl QuorumNode {
    /// Server `id` rebuilt from `storage`.
    pub fn new(layout: Arc<Layout>, id: NodeId, storage: &Storage) -> QuorumNode {
        let boot = storage.get::<u32>(BOOT_KEY).unwrap_or(0) + 1;
        let rules = Rules {
            repair_overwrites: layout.variant == Variant::RepairOverwritesNewer,
            ties: layout.variant == Variant::TiedVersions,
        };
        let replica = Replica::restore(storage, layout.keys_of(id), layout.params.fsync, rules);
        QuorumNode {
            coordinator: Coordinator::new(layout.clone(), id, boot),
            layout,
            boot,
            replica,
            hints: Hints::default(),
        }
    }

    /// The replica's items (for tests).
    pub fn replica(&self) -> &Replica {
        &self.replica
    }

    /// Number of hints held (for tests).
    pub fn hints(&self) -> usize {
        self.hints.len()
    }

    fn on_store(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        tag: u64,
        key: u32,
        item: Versioned,
        repair: bool,
    ) {
        assert!(
            self.layout.is_replica(ctx.id, key),
            "store of key {key} at a non-replica"
        );
        let via = match (tag, repair) {
            (HINT_TAG, _) => Via::Hint,
            (_, true) => Via::Repair,
            _ => Via::Write,
        };
        let ack = self.replica.apply(ctx, key, item, via);
        ctx.send(from, Msg::Stored { tag, key, ack });
    }

    fn on_sync(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        items: Vec<(u32, Versioned)>,
        want: &[u32],
    ) {
        self.apply_all(ctx, items);
        let items = anti_entropy::wanted(&self.replica, want);
        if !items.is_empty() {
            ctx.send(from, Msg::Push { items });
        }
    }

    fn apply_all(&mut self, ctx: &mut Ctx<'_>, items: Vec<(u32, Versioned)>) {
        for (key, item) in items {
            if self.layout.is_replica(ctx.id, key) {
                self.replica.apply(ctx, key, item, Via::AntiEntropy);
            }
        }
    }
}

impl Node for QuorumNode {
    type Msg = Msg;
    type Op = Op;
    type Event = Event;

    fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        ctx.persist(BOOT_KEY, &self.boot);
        ctx.set_role("replica");
        self.replica.announce(ctx);
        if self.layout.params.anti_entropy_ms > 0 {
            ctx.set_timer(
                ANTI_ENTROPY_TIMER,
                self.layout.params.anti_entropy_ms * 1000,
            );
        }
        if self.layout.params.hinted_handoff {
            ctx.set_timer(HANDOFF_TIMER, self.layout.params.handoff_ms * 1000);
        }
    }

    fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Query { tag, key } => {
                assert!(
                    self.layout.is_replica(ctx.id, key),
                    "query of key {key} at a non-replica"
                );
                let item = self.replica.get(key).copied();
                ctx.send(from, Msg::Current { tag, key, item });
            }
            Msg::Current { tag, item, .. } => self.coordinator.on_current(ctx, from, tag, item),
            Msg::Store {
                tag,
                key,
                item,
                repair,
            } => self.on_store(ctx, from, tag, key, item, repair),
            Msg::Stored { tag, key, ack } => {
                self.hints.on_stored(from, key, ack.held());
                self.coordinator.on_stored(ctx, from, tag, ack);
            }
            Msg::Digest { entries } => {
                anti_entropy::on_digest(&self.layout, &self.replica, ctx, from, entries)
            }
            Msg::Sync { items, want } => self.on_sync(ctx, from, items, &want),
            Msg::Push { items } => self.apply_all(ctx, items),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerId) {
        match timer {
            ANTI_ENTROPY_TIMER => anti_entropy::tick(&self.layout, &self.replica, ctx),
            HANDOFF_TIMER => {
                self.hints.resend(ctx);
                ctx.set_timer(HANDOFF_TIMER, self.layout.params.handoff_ms * 1000);
            }
            tag if Coordinator::owns_timer(tag) => {
                let hints = self.coordinator.on_timeout(ctx, tag);
                self.hints.add(hints);
            }
            other => panic!("unknown timer {other}"),
        }
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_>, req: RequestId, op: Op) {
        let (kind, key) = match op {
            Op::Read { key } => (Kind::Read, key),
            Op::Write { key, value } => (Kind::Write(value), key),
            Op::Cas { key, value } => (Kind::Cas(value.0, value.1), key),
        };
        assert!(
            key < self.layout.params.keys,
            "op on key {key} outside the workload"
        );
        self.coordinator.start(ctx, req, kind, key);
    }
}
