//! Rebuilding a projector from the event store ("events are the source of
//! truth": the seed catalogue's cure for a corrupted read model).
//!
//! A rebuild bumps the projector's generation, clears its rows and
//! checkpoint, and pages through the store's log from position 0, applying
//! each event (idempotently, as deliveries are). Meanwhile bus deliveries
//! are left unacknowledged; when the last page is in, the projector
//! subscribes again and the bus re-sends them, and the checkpoint skips
//! what the rebuild already covered. The cursor is saved with every page,
//! so a crash mid-rebuild resumes where it stopped.

use super::domain::DomainEvent;
use super::event::{Event, Source};
use super::msg::Msg;
use super::node::Ctx;
use super::projector::{Dirty, Projector, Rebuild, TIMER_APPLY, TIMER_REBUILD};
use super::views;
use crate::node::{Outcome, RequestId};
use serde_json::{json, Value};

impl Projector {
    /// Starts a rebuild on behalf of client request `req`.
    pub(super) fn start_rebuild(&mut self, ctx: &mut Ctx<'_>, req: RequestId) {
        if self.rebuild.is_some() {
            ctx.reply(req, Outcome::Fail, &json!({"error": "rebuild in progress"}));
            return;
        }
        let p = &self.layout.params;
        for key in views::all_keys(self.model, p.orders, p.customers) {
            ctx.persist(&key.storage_key(), &Value::Null);
        }
        for order in 0..p.orders {
            ctx.persist(&crate::storage::numbered_key("cp/", order), &0u64);
        }
        self.rows.clear();
        self.checkpoint.clear();
        self.queue.clear();
        self.busy = None;
        ctx.cancel_timer(TIMER_APPLY);
        self.generation += 1;
        ctx.persist("gen", &self.generation);
        ctx.persist("rebuild", &Some(0u64));
        self.rebuild = Some(Rebuild {
            cursor: 0,
            req: Some(req),
        });
        ctx.event(Event::RebuildStarted {
            generation: self.generation,
        });
        self.request_page(ctx);
    }

    /// Asks the store for the next page.
    pub(super) fn request_page(&mut self, ctx: &mut Ctx<'_>) {
        let Some(r) = self.rebuild else { return };
        let read = Msg::ReadLog {
            after: r.cursor,
            max: self.layout.params.rebuild_page_max,
        };
        ctx.send(self.layout.store(), read);
        ctx.set_timer(TIMER_REBUILD, self.layout.params.rebuild_retry_ms * 1_000);
    }

    /// A page of the log arrives.
    pub(super) fn log_page(
        &mut self,
        ctx: &mut Ctx<'_>,
        after: u64,
        events: &[DomainEvent],
        end: u64,
    ) {
        let Some(mut r) = self.rebuild.filter(|r| r.cursor == after) else {
            return; // late or duplicated
        };
        assert!(
            events.iter().zip(after + 1..).all(|(e, p)| e.position == p),
            "a log page is the run of positions after `after`"
        );
        let mut dirty = Dirty::default();
        for event in events {
            if self.should_apply(event) {
                self.apply(ctx, event, Source::Rebuild, &mut dirty);
            }
        }
        self.persist_dirty(ctx, dirty);
        r.cursor += events.len() as u64;
        if r.cursor < end && !events.is_empty() {
            ctx.persist("rebuild", &Some(r.cursor));
            self.rebuild = Some(r);
            self.request_page(ctx);
            return;
        }
        self.finish_rebuild(ctx, r);
    }

    fn finish_rebuild(&mut self, ctx: &mut Ctx<'_>, r: Rebuild) {
        self.rebuild = None;
        ctx.persist("rebuild", &None::<u64>);
        ctx.cancel_timer(TIMER_REBUILD);
        ctx.event(Event::RebuildDone {
            generation: self.generation,
            events: r.cursor,
        });
        if let Some(req) = r.req {
            let answer = json!({ "generation": self.generation, "events": r.cursor });
            ctx.reply(req, Outcome::Ok, &answer);
        }
        ctx.send(self.layout.bus(), Msg::Subscribe);
    }
}
