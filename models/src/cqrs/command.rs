//! A command handler: loads the order's stream, decides, appends with the
//! expected version, retries on conflict.
//!
//! Each attempt has a random 64-bit tag (so answers meant for an earlier
//! incarnation or attempt are dropped) and a timer of the same id: when the
//! store does not answer within `command_timeout_ms` the client is told
//! `unknown`. In `dual-write` the handler, once the store has the event,
//! publishes it to the bus itself and answers only when the bus has it;
//! that publish lives in memory, so a crash before the bus acknowledges
//! loses the event for every read model.

use super::aggregate::{Aggregate, Command};
use super::domain::DomainEvent;
use super::layout::{us, Layout};
use super::msg::Msg;
use super::node::Ctx;
use super::op::Op;
use crate::node::{Outcome, RequestId, TimerId};
use rand::Rng;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Most commands one handler works on at once; more are refused.
pub const PENDING_MAX: usize = 1_024;

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Waiting for `Loaded`.
    Loading,
    /// Waiting for `Appended` or `Conflict`.
    Appending,
    /// `dual-write`: the event is stored; waiting for the bus.
    Publishing(DomainEvent),
}

#[derive(Debug, Clone)]
struct Pending {
    req: RequestId,
    order: u64,
    cmd: Command,
    attempt: u32,
    stage: Stage,
}

/// One command handler (an application server; stateless but for calls in flight).
#[derive(Debug, Clone)]
pub struct CommandHandler {
    layout: Arc<Layout>,
    next_tag: u64,
    pending: BTreeMap<u64, Pending>,
}

impl CommandHandler {
    /// A handler with nothing in flight.
    pub fn new(layout: Arc<Layout>) -> CommandHandler {
        CommandHandler {
            layout,
            next_tag: 0,
            pending: BTreeMap::new(),
        }
    }

    /// (Re)start: draw a fresh tag space.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_role("command");
        self.next_tag = ctx.rng.gen::<u64>() >> 1;
    }

    /// A client command arrives.
    pub fn on_client(&mut self, ctx: &mut Ctx<'_>, req: RequestId, op: Op) {
        let Some((order, cmd)) = self.command_of(&op) else {
            ctx.reply(req, Outcome::Fail, &json!({"error": "not a command"}));
            return;
        };
        if self.pending.len() >= PENDING_MAX {
            ctx.reply(req, Outcome::Fail, &json!({"error": "overloaded"}));
            return;
        }
        let p = Pending {
            req,
            order,
            cmd,
            attempt: 0,
            stage: Stage::Loading,
        };
        self.load(ctx, p);
    }

    fn command_of(&self, op: &Op) -> Option<(u64, Command)> {
        let customer = |o| self.layout.customer(o);
        Some(match *op {
            Op::Create { key } => (
                key,
                Command::Create {
                    customer: customer(key),
                },
            ),
            Op::AddItem { key, value } => (key, Command::AddItem { amount: value }),
            Op::Pay { key } => (key, Command::Pay),
            Op::Cancel { key } => (key, Command::Cancel),
            _ => return None,
        })
    }

    fn load(&mut self, ctx: &mut Ctx<'_>, mut p: Pending) {
        self.next_tag += 1;
        let tag = self.next_tag;
        p.stage = Stage::Loading;
        ctx.send(
            self.layout.store(),
            Msg::Load {
                tag,
                order: p.order,
            },
        );
        ctx.set_timer(tag, us(self.layout.params.command_timeout_ms));
        self.pending.insert(tag, p);
    }

    /// A message from the store or the bus.
    pub fn on_msg(&mut self, ctx: &mut Ctx<'_>, msg: Msg) {
        match msg {
            Msg::Loaded { tag, events } => self.loaded(ctx, tag, &events),
            Msg::Appended { tag, event } => self.appended(ctx, tag, event),
            Msg::Conflict { tag, .. } => self.conflict(ctx, tag),
            Msg::Published { batch } => {
                if let Some(p) = self.take_in(ctx, batch, |s| matches!(s, Stage::Publishing(_))) {
                    let Stage::Publishing(event) = p.stage else {
                        unreachable!("take_in matched Publishing")
                    };
                    reply_ok(ctx, p.req, &event);
                }
            }
            other => panic!("command handler got {other:?}"),
        }
    }

    /// Removes attempt `tag` if it is in a stage `want` accepts.
    fn take_in(
        &mut self,
        ctx: &mut Ctx<'_>,
        tag: u64,
        want: impl Fn(&Stage) -> bool,
    ) -> Option<Pending> {
        if !self.pending.get(&tag).is_some_and(|p| want(&p.stage)) {
            return None; // late, duplicated, or from an earlier attempt
        }
        ctx.cancel_timer(tag);
        self.pending.remove(&tag)
    }

    fn loaded(&mut self, ctx: &mut Ctx<'_>, tag: u64, events: &[DomainEvent]) {
        let Some(p) = self
            .pending
            .get_mut(&tag)
            .filter(|p| p.stage == Stage::Loading)
        else {
            return;
        };
        assert!(
            events.iter().all(|e| e.order == p.order),
            "store answered with another order's stream"
        );
        let expected = events.last().map_or(0, |e| e.version);
        let aggregate = Aggregate::of(events.iter().map(|e| &e.body));
        match aggregate.decide(p.cmd) {
            Ok(body) => {
                p.stage = Stage::Appending;
                let order = p.order;
                let append = Msg::Append {
                    tag,
                    order,
                    expected,
                    body,
                };
                ctx.send(self.layout.store(), append);
            }
            Err(error) => {
                let req = p.req;
                ctx.cancel_timer(tag);
                self.pending.remove(&tag);
                ctx.reply(req, Outcome::Fail, &json!({ "error": error }));
            }
        }
    }

    fn appended(&mut self, ctx: &mut Ctx<'_>, tag: u64, event: DomainEvent) {
        let Some(mut p) = self.take_in(ctx, tag, |s| *s == Stage::Appending) else {
            return;
        };
        assert_eq!(event.order, p.order, "store appended to another order");
        if self.layout.variant.uses_outbox() {
            reply_ok(ctx, p.req, &event);
            return;
        }
        // dual-write: the second, separate step.
        p.stage = Stage::Publishing(event);
        self.pending.insert(tag, p);
        self.publish(ctx, tag, event);
    }

    fn publish(&mut self, ctx: &mut Ctx<'_>, tag: u64, event: DomainEvent) {
        let msg = Msg::Publish {
            batch: tag,
            events: vec![event],
        };
        ctx.send(self.layout.bus(), msg);
        ctx.set_timer(tag, us(self.layout.params.publish_timeout_ms));
    }

    fn conflict(&mut self, ctx: &mut Ctx<'_>, tag: u64) {
        if !self.layout.variant.retries_conflicts() {
            return;
        }
        let Some(mut p) = self.take_in(ctx, tag, |s| *s == Stage::Appending) else {
            return;
        };
        if p.attempt >= self.layout.params.retries_max {
            ctx.reply(p.req, Outcome::Fail, &json!({ "error": "conflict" }));
            return;
        }
        p.attempt += 1;
        self.load(ctx, p);
    }

    /// Attempt `tag` timed out (or, publishing, its publish is due again).
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, tag: TimerId) {
        let Some(p) = self.pending.get(&tag) else {
            return;
        };
        if let Stage::Publishing(event) = p.stage {
            self.publish(ctx, tag, event);
            return;
        }
        let req = p.req;
        self.pending.remove(&tag);
        ctx.reply(req, Outcome::Unknown, &json!({ "error": "timeout" }));
    }
}

fn reply_ok(ctx: &mut Ctx<'_>, req: RequestId, event: &DomainEvent) {
    let value = json!({
        "order": event.order,
        "version": event.version,
        "position": event.position,
    });
    ctx.reply(req, Outcome::Ok, &value);
}
