//! The outbox relay: polls the store's outbox, publishes a batch to the
//! bus, and once the bus has it marks it published in the store.
//!
//! One batch is in flight at a time and is re-sent until the bus
//! acknowledges it, so batches reach the bus in position order. The relay
//! marks what the bus has in the store on its next poll (one batched
//! `UPDATE ... SET published_at`), so what it has published lives in memory
//! until then: after a crash, or when a mark is lost, the relay publishes
//! the same entries again. The bus is therefore at-least-once, as with Debezium or
//! any polling publisher (the seed's `OutboxPublisher` marks rows only
//! after its whole loop).

use super::domain::DomainEvent;
use super::event::Event;
use super::layout::{us, Layout};
use super::msg::Msg;
use super::node::Ctx;
use crate::node::TimerId;
use std::sync::Arc;

/// Timer: poll the outbox.
pub const TIMER_POLL: TimerId = 1;
/// Timer: re-send the batch in flight.
pub const TIMER_RESEND: TimerId = 2;

/// The outbox relay.
#[derive(Debug, Clone)]
pub struct Relay {
    layout: Arc<Layout>,
    /// Highest position the bus has acknowledged (memory only).
    published: u64,
    /// `published` is ahead of the mark last sent to the store.
    mark_due: bool,
    in_flight: Option<Vec<DomainEvent>>,
}

impl Relay {
    /// A relay that remembers nothing.
    pub fn new(layout: Arc<Layout>) -> Relay {
        Relay {
            layout,
            published: 0,
            mark_due: false,
            in_flight: None,
        }
    }

    /// (Re)start polling.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_role("relay");
        self.poll(ctx);
    }

    fn poll(&mut self, ctx: &mut Ctx<'_>) {
        if self.mark_due {
            self.mark_due = false;
            let mark = Msg::MarkPublished {
                upto: self.published,
            };
            ctx.send(self.layout.store(), mark);
        }
        if self.in_flight.is_none() {
            let fetch = Msg::FetchOutbox {
                after: self.published,
                max: self.layout.params.relay_batch_max,
            };
            ctx.send(self.layout.store(), fetch);
        }
        ctx.set_timer(TIMER_POLL, us(self.layout.params.relay_poll_ms));
    }

    /// An answer from the store or the bus.
    pub fn on_msg(&mut self, ctx: &mut Ctx<'_>, msg: Msg) {
        match msg {
            Msg::Outbox { events } => self.outbox(ctx, events),
            Msg::Published { batch } => self.published(ctx, batch),
            other => panic!("relay got {other:?}"),
        }
    }

    fn outbox(&mut self, ctx: &mut Ctx<'_>, mut events: Vec<DomainEvent>) {
        if self.in_flight.is_some() {
            return; // an answer to an earlier poll
        }
        events.retain(|e| e.position > self.published);
        if events.is_empty() {
            return;
        }
        assert!(
            events.windows(2).all(|w| w[0].position < w[1].position),
            "outbox entries come in position order"
        );
        self.in_flight = Some(events);
        self.send_batch(ctx);
    }

    fn send_batch(&mut self, ctx: &mut Ctx<'_>) {
        let Some(events) = &self.in_flight else {
            return;
        };
        let batch = events.last().map_or(0, |e| e.position);
        let events = events.clone();
        ctx.send(self.layout.bus(), Msg::Publish { batch, events });
        ctx.set_timer(TIMER_RESEND, us(self.layout.params.publish_timeout_ms));
    }

    fn published(&mut self, ctx: &mut Ctx<'_>, batch: u64) {
        let Some(events) = &self.in_flight else {
            return;
        };
        if events.last().map(|e| e.position) != Some(batch) {
            return; // a duplicate acknowledgement of an earlier batch
        }
        let first = events.first().map_or(batch, |e| e.position);
        self.in_flight = None;
        self.published = batch;
        self.mark_due = true;
        ctx.cancel_timer(TIMER_RESEND);
        ctx.event(Event::Published { first, last: batch });
    }

    /// Poll, or re-send the batch in flight.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerId) {
        match timer {
            TIMER_POLL => self.poll(ctx),
            TIMER_RESEND => self.send_batch(ctx),
            other => panic!("relay has no timer {other}"),
        }
    }
}
