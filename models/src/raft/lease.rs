//! A server that leads by holding a TTL lock (the lease variants).
//!
//! Every `lease_renew_ms` the server sends `Acquire` to the lock service,
//! stamped with its own clock. A `Granted` reply makes it leader until
//! `sent_us + ttl` by its own clock: measuring from the send, not the reply,
//! is the conservative choice (the service started the TTL later). This is
//! how Redis `SET NX PX` locks and many etcd-lease leader elections work,
//! and why they are unsafe without fencing: the server's belief rests on its
//! clock and on not being paused between checking and acting (Kleppmann,
//! "How to do distributed locking", 2016; Gray & Cheriton, "Leases", 1989).
//!
//! The events mirror Raft's so the generic checkers and metrics apply:
//! `became_leader {term: token}`, `stepped_down {term: token}` and
//! `leader_known {term: token, leader}` (learned from `Denied` replies).

use super::event::Event;
use super::layout::{server_name, us, Layout};
use super::msg::Msg;
use super::node::Ctx;
use super::work::{Work, TIMER_WORK, TIMER_WRITE};
use crate::node::{NodeId, Outcome, RequestId, TimerId};
use rand::Rng;
use serde_json::json;
use std::sync::Arc;

/// Timer: time to ask the lock service again (acquire or renew).
pub const TIMER_ACQUIRE: TimerId = 3;

/// A lease this server holds, by its own clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// The lock's fencing token.
    pub token: u64,
    /// Until when (own clock) the server believes it holds the lock.
    pub valid_until_us: u64,
}

/// A server of the lease variants.
#[derive(Debug, Clone)]
pub struct LeaseServer {
    id: NodeId,
    layout: Arc<Layout>,
    lease: Option<Lease>,
    led_token: Option<u64>,
    known: Option<(u64, NodeId)>,
    work: Work,
}

impl LeaseServer {
    /// Builds lease server `id`; it keeps nothing durable.
    pub fn new(id: NodeId, layout: Arc<Layout>) -> LeaseServer {
        assert!(layout.is_server(id) && layout.variant.uses_lease());
        LeaseServer {
            id,
            layout,
            lease: None,
            led_token: None,
            known: None,
            work: Work::default(),
        }
    }

    /// Starts as a follower; the first acquire comes after a random delay.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_role("follower");
        let first_us = ctx.rng.gen_range(0..us(self.layout.params.lease_renew_ms));
        ctx.set_timer(TIMER_ACQUIRE, first_us);
        self.work.start(ctx, &self.layout);
    }

    /// Handles a reply of the lock service.
    pub fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        assert_eq!(
            Some(from),
            self.layout.lock(),
            "lease server hears only the lock"
        );
        match msg {
            Msg::Granted {
                token,
                ttl_ms,
                sent_us,
            } => self.step_granted(ctx, token, sent_us + us(ttl_ms)),
            Msg::Denied { holder, token } => self.step_denied(ctx, holder, token),
            other => panic!("lease server {} got {other:?}", self.id),
        }
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerId) {
        self.maybe_step_down(ctx);
        match timer {
            TIMER_ACQUIRE => self.acquire(ctx),
            TIMER_WORK => {
                let token = self.lease.map(|l| l.token);
                self.work.on_check(ctx, &self.layout, token);
            }
            TIMER_WRITE => self.work.on_write(ctx, &self.layout),
            other => panic!("lease server {} has no timer {other}", self.id),
        }
    }

    /// Answers "leader" with the newest holder this server knows of.
    pub fn on_client(&mut self, ctx: &mut Ctx<'_>, req: RequestId) {
        let (outcome, leader, term) = match self.known {
            Some((token, holder)) => (Outcome::Ok, Some(server_name(holder)), token),
            None => (Outcome::Fail, None, 0),
        };
        ctx.reply(req, outcome, &json!({ "leader": leader, "term": term }));
    }

    fn acquire(&mut self, ctx: &mut Ctx<'_>) {
        let lock = self.layout.lock().expect("lease variants have a lock");
        let msg = Msg::Acquire {
            ttl_ms: self.layout.params.lease_ttl_ms,
            sent_us: ctx.now_us,
        };
        ctx.send(lock, msg);
        ctx.set_timer(TIMER_ACQUIRE, us(self.layout.params.lease_renew_ms));
    }

    fn step_granted(&mut self, ctx: &mut Ctx<'_>, token: u64, valid_until_us: u64) {
        if valid_until_us <= ctx.now_us {
            return; // expired in flight, by our clock
        }
        let renewal = self.lease.is_some_and(|l| l.token == token);
        self.lease = Some(Lease {
            token,
            valid_until_us,
        });
        if !renewal {
            self.become_leader(ctx, token);
        }
    }

    fn step_denied(&mut self, ctx: &mut Ctx<'_>, holder: NodeId, token: u64) {
        assert_ne!(
            holder, self.id,
            "the lock denied a server in favour of itself"
        );
        self.note_leader(ctx, holder, token);
        if self.lease.is_some_and(|l| l.token < token) {
            self.step_down(ctx); // the lock moved on without us
        }
    }

    fn become_leader(&mut self, ctx: &mut Ctx<'_>, token: u64) {
        assert!(self.led_token.unwrap_or(0) <= token, "token went backwards");
        ctx.set_role("leader");
        ctx.event(Event::BecameLeader { term: token });
        self.led_token = Some(token);
        self.note_leader(ctx, self.id, token);
    }

    /// Steps down if the lease has run out by this server's own clock.
    fn maybe_step_down(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let expired = self.lease.is_some_and(|l| ctx.now_us >= l.valid_until_us);
        if expired {
            self.step_down(ctx);
        }
        expired
    }

    fn step_down(&mut self, ctx: &mut Ctx<'_>) {
        let lease = self.lease.take().expect("step_down without a lease");
        ctx.set_role("follower");
        ctx.event(Event::SteppedDown { term: lease.token });
    }

    /// Records `leader_known` the first time this server hears of `token`.
    fn note_leader(&mut self, ctx: &mut Ctx<'_>, holder: NodeId, token: u64) {
        if self.known.is_some_and(|(t, _)| t >= token) {
            return;
        }
        self.known = Some((token, holder));
        ctx.event(Event::LeaderKnown {
            term: token,
            leader: holder,
        });
    }
}
