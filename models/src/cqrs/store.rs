//! The event store with its transactional outbox.
//!
//! The log is append-only: entry `position` (from 1) is one event of one
//! order's stream. An append names the version it was decided on; the store
//! refuses it with `Conflict` unless that is the stream's current version
//! (optimistic concurrency, as a `UNIQUE(aggregate_id, version)` constraint
//! does). With the event it writes an outbox entry in the same handler, so
//! in the same durable write (Richardson, "Transactional outbox",
//! microservices.io). The relay marks what it has published with a
//! high-water mark: it publishes in position order, so "every entry up to
//! the mark" is the set of published rows.
//!
//! Durable keys: `log/len`, `log/<position>`, `outbox/<position>`,
//! `outbox/published`. A restart reads them back.

use super::domain::{Body, DomainEvent};
use super::event::Event;
use super::layout::Layout;
use super::msg::Msg;
use super::node::Ctx;
use crate::node::NodeId;
use crate::storage::Storage;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The event store.
#[derive(Debug, Clone)]
pub struct Store {
    layout: Arc<Layout>,
    log: Vec<DomainEvent>,
    /// Positions of each order's events, in version order.
    streams: BTreeMap<u64, Vec<u64>>,
    /// Unpublished outbox entries by position.
    outbox: BTreeMap<u64, DomainEvent>,
    published: u64,
}

impl Store {
    /// Restores the store from `storage`.
    pub fn new(layout: Arc<Layout>, storage: &Storage) -> Store {
        let len: u64 = storage.get("log/len").unwrap_or(0);
        let published: u64 = storage.get("outbox/published").unwrap_or(0);
        let mut store = Store {
            layout,
            log: Vec::new(),
            streams: BTreeMap::new(),
            outbox: BTreeMap::new(),
            published,
        };
        for position in 1..=len {
            let event: DomainEvent = storage
                .get(&format!("log/{position}"))
                .unwrap_or_else(|| panic!("log entry {position} of {len} is missing"));
            store.index(event);
            if position > published {
                if let Some(e) = storage.get::<DomainEvent>(&format!("outbox/{position}")) {
                    store.outbox.insert(position, e);
                }
            }
        }
        store
    }

    fn index(&mut self, event: DomainEvent) {
        assert_eq!(
            event.position,
            self.log.len() as u64 + 1,
            "log positions are dense"
        );
        self.streams
            .entry(event.order)
            .or_default()
            .push(event.position);
        self.log.push(event);
    }

    fn stream(&self, order: u64) -> Vec<DomainEvent> {
        let positions = self.streams.get(&order).map(Vec::as_slice).unwrap_or(&[]);
        positions
            .iter()
            .map(|&p| self.log[p as usize - 1])
            .collect()
    }

    /// Announces the role.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_role("store");
    }

    /// A request from a command handler, the relay or a projector.
    pub fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Load { tag, order } => {
                let events = self.stream(order);
                ctx.send(from, Msg::Loaded { tag, events });
            }
            Msg::Append {
                tag,
                order,
                expected,
                body,
            } => self.append(ctx, from, tag, (order, expected, body)),
            Msg::FetchOutbox { after, max } => {
                let from_position = after.max(self.published);
                let events = self.outbox.range(from_position + 1..).take(max as usize);
                let events = events.map(|(_, e)| *e).collect();
                ctx.send(from, Msg::Outbox { events });
            }
            Msg::MarkPublished { upto } => self.mark(ctx, upto),
            Msg::ReadLog { after, max } => {
                let start = (after as usize).min(self.log.len());
                let end = start.saturating_add(max as usize).min(self.log.len());
                let events = self.log[start..end].to_vec();
                let end = self.log.len() as u64;
                ctx.send(from, Msg::LogPage { after, events, end });
            }
            other => panic!("store got {other:?}"),
        }
    }

    fn append(&mut self, ctx: &mut Ctx<'_>, from: NodeId, tag: u64, cmd: (u64, u64, Body)) {
        let (order, expected, body) = cmd;
        let current = self.stream(order).last().map_or(0, |e| e.version);
        if self.layout.variant.checks_version() && expected != current {
            ctx.event(Event::Conflict {
                order,
                expected,
                version: current,
            });
            ctx.send(
                from,
                Msg::Conflict {
                    tag,
                    version: current,
                },
            );
            return;
        }
        // no-expected-version: the version comes from the caller, unchecked.
        let event = DomainEvent {
            order,
            version: expected + 1,
            position: self.log.len() as u64 + 1,
            body,
        };
        self.index(event);
        ctx.persist(&format!("log/{}", event.position), &event);
        if self.layout.variant.uses_outbox() {
            ctx.persist(&format!("outbox/{}", event.position), &event);
            self.outbox.insert(event.position, event);
        }
        ctx.persist("log/len", &event.position);
        ctx.event(Event::Appended(event));
        ctx.send(from, Msg::Appended { tag, event });
    }

    fn mark(&mut self, ctx: &mut Ctx<'_>, upto: u64) {
        assert!(
            upto <= self.log.len() as u64,
            "relay published past the log's end"
        );
        if upto <= self.published {
            return; // a late or duplicated mark
        }
        self.published = upto;
        self.outbox = self.outbox.split_off(&(upto + 1));
        ctx.persist("outbox/published", &upto);
    }
}
