//! The event bus: a durable, partitioned log with one cursor per projector.
//!
//! A published event goes to partition `order % partitions` (like a Kafka
//! topic keyed by aggregate id), so one order's events stay in order while
//! partitions interleave freely. For each (projector, partition) the bus
//! delivers one message at a time and advances the cursor on `Ack`; an
//! unacknowledged message is re-sent after `redeliver_ms`. The bus does not
//! deduplicate: whatever is published twice is delivered twice. It is
//! at-least-once, never exactly-once.
//!
//! Durable keys: `bus/<p>/len`, `bus/<p>/<offset>`, `bus/next/<node>/<p>`.

use super::domain::DomainEvent;
use super::layout::{us, Layout};
use super::msg::Msg;
use super::node::Ctx;
use crate::node::{NodeId, TimerId};
use crate::storage::Storage;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Timer: re-send whatever is overdue.
pub const TIMER_TICK: TimerId = 1;

/// The event bus.
#[derive(Debug, Clone)]
pub struct Bus {
    layout: Arc<Layout>,
    logs: Vec<Vec<DomainEvent>>,
    /// (projector, partition) → next offset to deliver.
    next: BTreeMap<(NodeId, u64), u64>,
    /// (projector, partition) → when the message at `next` was last sent.
    sent_us: BTreeMap<(NodeId, u64), u64>,
}

impl Bus {
    /// Restores the bus from `storage`.
    pub fn new(layout: Arc<Layout>, storage: &Storage) -> Bus {
        let partitions = layout.params.partitions;
        let logs = (0..partitions)
            .map(|p| {
                let len: u64 = storage.get(&format!("bus/{p}/len")).unwrap_or(0);
                (0..len)
                    .map(|o| {
                        storage
                            .get(&format!("bus/{p}/{o}"))
                            .unwrap_or_else(|| panic!("bus entry {p}/{o} is missing"))
                    })
                    .collect()
            })
            .collect();
        let mut next = BTreeMap::new();
        for c in layout.projectors() {
            for p in 0..partitions {
                let at = storage.get(&format!("bus/next/{c}/{p}")).unwrap_or(0);
                next.insert((c, p), at);
            }
        }
        Bus {
            layout,
            logs,
            next,
            sent_us: BTreeMap::new(),
        }
    }

    /// (Re)start delivering.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_role("bus");
        self.tick(ctx);
    }

    fn tick(&mut self, ctx: &mut Ctx<'_>) {
        let keys: Vec<_> = self.next.keys().copied().collect();
        for (c, p) in keys {
            self.pump(ctx, c, p);
        }
        let every_ms = (self.layout.params.redeliver_ms / 2).max(1);
        ctx.set_timer(TIMER_TICK, us(every_ms));
    }

    /// Sends projector `c` the message at its cursor of partition `p`, unless one is in flight.
    fn pump(&mut self, ctx: &mut Ctx<'_>, c: NodeId, p: u64) {
        let offset = self.next[&(c, p)];
        let Some(event) = self.logs[p as usize].get(offset as usize) else {
            return;
        };
        let redeliver_us = us(self.layout.params.redeliver_ms);
        let due = self
            .sent_us
            .get(&(c, p))
            .is_none_or(|&t| ctx.now_us.saturating_sub(t) >= redeliver_us);
        if due {
            let event = *event;
            ctx.send(
                c,
                Msg::Deliver {
                    partition: p,
                    offset,
                    event,
                },
            );
            self.sent_us.insert((c, p), ctx.now_us);
        }
    }

    /// A publish, an acknowledgement or a subscription.
    pub fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Publish { batch, events } => self.publish(ctx, from, batch, &events),
            Msg::Ack { partition, offset } => self.ack(ctx, from, partition, offset),
            Msg::Subscribe => {
                for p in 0..self.layout.params.partitions {
                    self.sent_us.remove(&(from, p));
                    self.pump(ctx, from, p);
                }
            }
            other => panic!("bus got {other:?}"),
        }
    }

    fn publish(&mut self, ctx: &mut Ctx<'_>, from: NodeId, batch: u64, events: &[DomainEvent]) {
        let mut touched = Vec::new();
        for event in events {
            let p = self.layout.partition(event.order);
            let log = &mut self.logs[p as usize];
            ctx.persist(&format!("bus/{p}/{}", log.len()), event);
            log.push(*event);
            ctx.persist(&format!("bus/{p}/len"), &log.len());
            touched.push(p);
        }
        ctx.send(from, Msg::Published { batch });
        touched.sort_unstable();
        touched.dedup();
        let consumers: Vec<NodeId> = self.layout.projectors().collect();
        for p in touched {
            for &c in &consumers {
                self.pump(ctx, c, p);
            }
        }
    }

    fn ack(&mut self, ctx: &mut Ctx<'_>, from: NodeId, p: u64, offset: u64) {
        let Some(next) = self.next.get_mut(&(from, p)) else {
            panic!("ack from {from}, which is no projector, or for partition {p}");
        };
        if offset != *next {
            return; // a stale or duplicated acknowledgement
        }
        assert!(
            (offset as usize) < self.logs[p as usize].len(),
            "ack for an offset never delivered"
        );
        *next += 1;
        ctx.persist(&format!("bus/next/{from}/{p}"), &*next);
        self.sent_us.remove(&(from, p));
        self.pump(ctx, from, p);
    }

    /// Re-send what is overdue.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerId) {
        assert_eq!(timer, TIMER_TICK, "the bus has one timer");
        self.tick(ctx);
    }
}
