//! A service's outbox (choreography): events written durably in the same
//! handler as the local transaction that caused them, and re-sent with
//! jittered backoff until the consumer acknowledges them — at-least-once
//! delivery without a broker (Richardson, "Microservices Patterns", 2018,
//! transactional outbox). Kept under the storage key `outbox`.

use super::backoff::Backoff;
use super::msg::{Order, SagaEvent, Service};
use super::node::Ctx;
use crate::storage::Storage;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most events one outbox holds; more means consumers are gone for good.
pub const OUTBOX_LEN_MAX: usize = 100_000;

/// One event waiting for its acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The saga's order.
    pub order: Order,
    /// The event.
    pub event: SagaEvent,
    /// Its consumer.
    pub to: Service,
    /// Sends so far.
    pub sends: u32,
    /// When to send again (this node's clock).
    pub due_us: u64,
    /// The last backoff delay.
    pub prev_us: u64,
}

/// The outbox of one service.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    pending: BTreeMap<(u64, SagaEvent), Pending>,
}

impl Outbox {
    /// The outbox as last written; everything is due at once.
    pub fn load(storage: &Storage) -> Outbox {
        let list: Vec<Pending> = storage.get("outbox").unwrap_or_default();
        let pending = list
            .into_iter()
            .map(|p| ((p.order.id, p.event), Pending { due_us: 0, ..p }))
            .collect();
        Outbox { pending }
    }

    /// Adds `event`, just sent for the first time, and writes the outbox.
    pub fn add(&mut self, ctx: &mut Ctx<'_>, backoff: &Backoff, p: (Order, SagaEvent, Service)) {
        assert!(self.pending.len() < OUTBOX_LEN_MAX, "outbox full");
        let (order, event, to) = p;
        let prev_us = backoff.delay_us(1, 0, ctx.rng);
        let p = Pending {
            order,
            event,
            to,
            sends: 1,
            due_us: ctx.now_us + backoff.base_us + prev_us,
            prev_us,
        };
        let old = self.pending.insert((order.id, event), p);
        assert!(
            old.is_none(),
            "event {event:?} of saga {} emitted twice",
            order.id
        );
        self.save(ctx);
    }

    /// Removes an acknowledged event; returns it if it was waiting.
    pub fn ack(&mut self, ctx: &mut Ctx<'_>, saga: u64, event: SagaEvent) -> Option<Pending> {
        let p = self.pending.remove(&(saga, event))?;
        self.save(ctx);
        Some(p)
    }

    /// Events due at `now_us`; each is re-armed after a jittered backoff.
    pub fn due(&mut self, now_us: u64, backoff: &Backoff, rng: &mut ChaCha8Rng) -> Vec<Pending> {
        let mut out = Vec::new();
        for p in self.pending.values_mut() {
            if p.due_us > now_us {
                continue;
            }
            out.push(p.clone());
            p.sends += 1;
            p.prev_us = backoff.delay_us(p.sends, p.prev_us, rng);
            p.due_us = now_us + backoff.base_us + p.prev_us;
        }
        out
    }

    fn save(&self, ctx: &mut Ctx<'_>) {
        let list: Vec<&Pending> = self.pending.values().collect();
        ctx.persist("outbox", &list);
    }
}
