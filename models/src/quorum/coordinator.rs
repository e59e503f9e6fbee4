//! The coordinator of client requests (Dynamo §4.5): whichever server the
//! client picked runs the request against the key's N replicas.
//!
//! - **read**: `Query` all N, wait for R `Current`s, take the newest. With
//!   blocking repair, write it back (`Store`, repair) until W replicas are
//!   known to hold it, then answer; with async repair, answer at once and
//!   repair stale replicas, late repliers included, in the background.
//! - **write**: `Query` all N, wait for R, pick the version one above the
//!   newest seen (and above any this node issued for the key), `Store` on
//!   all N and answer after W `Stored`s. In `lww-wall-clock` the version is
//!   the node's clock and there is no query.
//! - **cas**: as a write, but after the query compare the newest value with
//!   the expected one; a mismatch answers `fail`. Not atomic: two
//!   concurrent cas ops can both succeed (a quorum is not consensus).
//!
//! A request lives until its timeout, so late replies still repair; at the
//! timeout an unanswered client gets `fail` (nothing was stored yet) or
//! `info` (some replica may hold it), and with hinted handoff the replicas
//! that never acknowledged a write get a hint.

use super::layout::Layout;
use super::msg::Msg;
use super::version::{newest, version_of, Version, Versioned};
use super::Ctx;
use crate::node::{NodeId, Outcome, RequestId};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Most requests a coordinator keeps open (each lives until its timeout).
pub const REQUESTS_MAX: usize = 1_000_000;

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Read the key.
    Read,
    /// Write the value.
    Write(u64),
    /// Compare with the first, set the second.
    Cas(Option<u64>, u64),
}

#[derive(Debug)]
struct Request {
    req: Option<RequestId>,
    kind: Kind,
    key: u32,
    answers: BTreeMap<NodeId, Option<Versioned>>,
    /// The read's result or the write's item, once decided.
    decided: Option<Option<Versioned>>,
    /// The item being stored (write, cas, blocking repair).
    store: Option<Versioned>,
    holders: BTreeSet<NodeId>,
}

/// A hint for replica `.0`: it should hold `.2` for key `.1`.
pub type Hint = (NodeId, u32, Versioned);

/// A server's open requests.
#[derive(Debug)]
pub struct Coordinator {
    layout: Arc<Layout>,
    id: NodeId,
    boot: u32,
    next_tag: u64,
    requests: BTreeMap<u64, Request>,
    issued: BTreeMap<u32, u64>,
}

impl Coordinator {
    /// A coordinator with no requests, for server `id` in its `boot`th life.
    pub fn new(layout: Arc<Layout>, id: NodeId, boot: u32) -> Coordinator {
        assert!(boot < 1 << 20, "boot count {boot} overflows the tag space");
        Coordinator {
            layout,
            id,
            boot,
            next_tag: 0,
            requests: BTreeMap::new(),
            issued: BTreeMap::new(),
        }
    }

    /// True when `tag` names one of this coordinator's timers.
    pub fn owns_timer(tag: u64) -> bool {
        tag < 1 << 60
    }

    /// A client asks for `kind` on `key`.
    pub fn start(&mut self, ctx: &mut Ctx<'_>, req: RequestId, kind: Kind, key: u32) {
        assert!(self.requests.len() < REQUESTS_MAX, "too many open requests");
        self.next_tag += 1;
        let tag = (u64::from(self.boot) << 40) | self.next_tag;
        let request = Request {
            req: Some(req),
            kind,
            key,
            answers: BTreeMap::new(),
            decided: None,
            store: None,
            holders: BTreeSet::new(),
        };
        self.requests.insert(tag, request);
        let timeout_us = self.layout.params.request_timeout_ms * 1000;
        ctx.set_timer(tag, timeout_us);
        let lww = self.layout.variant == super::variant::Variant::LwwWallClock;
        if let (Kind::Write(value), true) = (kind, lww) {
            let item = Versioned {
                version: self.version(key, ctx.now_us),
                value,
            };
            self.begin_store(ctx, tag, item);
            return;
        }
        for to in self.layout.replicas(key) {
            ctx.send(to, Msg::Query { tag, key });
        }
    }

    /// A replica answered a `Query`.
    pub fn on_current(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        tag: u64,
        item: Option<Versioned>,
    ) {
        let Some(r) = self.requests.get_mut(&tag) else {
            return;
        };
        assert!(
            self.layout.is_replica(from, r.key),
            "answer from a non-replica"
        );
        if r.answers.insert(from, item).is_some() {
            return; // a duplicate
        }
        if let Some(result) = r.decided {
            let stale = version_of(item.as_ref()) < version_of(result.as_ref());
            if r.kind == Kind::Read && stale {
                self.repair(ctx, tag, from);
            }
            return;
        }
        if r.answers.len() >= self.layout.params.r {
            self.decide(ctx, tag);
        }
    }

    /// R replicas answered: what the request does next.
    fn decide(&mut self, ctx: &mut Ctx<'_>, tag: u64) {
        let Some(r) = self.requests.get_mut(&tag) else {
            return;
        };
        let found = newest(r.answers.values().map(Option::as_ref));
        r.decided = Some(found);
        let (kind, key) = (r.kind, r.key);
        let seen_ts = match self.layout.variant {
            super::variant::Variant::LwwWallClock => ctx.now_us,
            _ => found.map_or(0, |f| f.version.ts),
        };
        let value = match kind {
            Kind::Read => return self.decide_read(ctx, tag, found),
            Kind::Cas(expected, _) if found.map(|f| f.value) != expected => {
                return self.answer(ctx, tag, Outcome::Fail, None);
            }
            Kind::Write(value) | Kind::Cas(_, value) => value,
        };
        let version = self.version(key, seen_ts);
        self.begin_store(ctx, tag, Versioned { version, value });
    }

    /// A read has its R answers; `found` is the newest.
    fn decide_read(&mut self, ctx: &mut Ctx<'_>, tag: u64, found: Option<Versioned>) {
        use super::params::ReadRepair;
        let Some(r) = self.requests.get_mut(&tag) else {
            return;
        };
        let value = found.map(|f| f.value);
        let stale: Vec<NodeId> = r
            .answers
            .iter()
            .filter(|(_, i)| version_of(i.as_ref()) < version_of(found.as_ref()))
            .map(|(&n, _)| n)
            .collect();
        match (self.layout.params.read_repair, found) {
            (ReadRepair::Off, _) => self.answer(ctx, tag, Outcome::Ok, value),
            (ReadRepair::Async, _) | (ReadRepair::Blocking, None) => {
                self.answer(ctx, tag, Outcome::Ok, value);
                stale.into_iter().for_each(|n| self.repair(ctx, tag, n));
            }
            (ReadRepair::Blocking, Some(item)) => {
                let holders = r.answers.keys().filter(|n| !stale.contains(n)).copied();
                r.holders = holders.collect();
                self.begin_store(ctx, tag, item);
            }
        }
    }

    /// Sends the request's decided item to `to` as a read repair.
    fn repair(&mut self, ctx: &mut Ctx<'_>, tag: u64, to: NodeId) {
        if self.layout.params.read_repair == super::params::ReadRepair::Off {
            return;
        }
        let Some(r) = self.requests.get(&tag) else {
            return;
        };
        if let Some(Some(item)) = r.decided {
            let key = r.key;
            ctx.send(
                to,
                Msg::Store {
                    tag,
                    key,
                    item,
                    repair: true,
                },
            );
        }
    }

    /// Stores `item` on every replica not yet known to hold it.
    fn begin_store(&mut self, ctx: &mut Ctx<'_>, tag: u64, item: Versioned) {
        let Some(r) = self.requests.get_mut(&tag) else {
            return;
        };
        r.store = Some(item);
        let repair = r.kind == Kind::Read;
        let key = r.key;
        for to in self.layout.replicas(key) {
            if !r.holders.contains(&to) {
                ctx.send(
                    to,
                    Msg::Store {
                        tag,
                        key,
                        item,
                        repair,
                    },
                );
            }
        }
        self.maybe_done(ctx, tag);
    }

    /// A replica acknowledged a `Store` of this coordinator's request.
    pub fn on_stored(&mut self, ctx: &mut Ctx<'_>, from: NodeId, tag: u64, held: Versioned) {
        let Some(r) = self.requests.get_mut(&tag) else {
            return;
        };
        if let Some(item) = r.store {
            if held.version >= item.version {
                r.holders.insert(from);
                self.maybe_done(ctx, tag);
            }
        }
    }

    /// Answers the client once enough replicas hold the stored item.
    fn maybe_done(&mut self, ctx: &mut Ctx<'_>, tag: u64) {
        let Some(r) = self.requests.get(&tag) else {
            return;
        };
        let (Some(item), Some(_)) = (r.store, r.req) else {
            return;
        };
        let needed = match r.kind {
            Kind::Read => self.layout.params.w,
            _ => self.layout.write_acks(),
        };
        if r.holders.len() >= needed {
            let value = (r.kind == Kind::Read).then_some(item.value);
            self.answer(ctx, tag, Outcome::Ok, value);
        }
    }

    /// Replies to the client, once.
    fn answer(&mut self, ctx: &mut Ctx<'_>, tag: u64, outcome: Outcome, value: Option<u64>) {
        let Some(r) = self.requests.get_mut(&tag) else {
            return;
        };
        if let Some(req) = r.req.take() {
            ctx.reply(req, outcome, &value);
        }
    }

    /// The request's timeout: answer if still unanswered, return hints, forget it.
    pub fn on_timeout(&mut self, ctx: &mut Ctx<'_>, tag: u64) -> Vec<Hint> {
        let Some(r) = self.requests.remove(&tag) else {
            return Vec::new();
        };
        if let Some(req) = r.req {
            let outcome = match (r.kind, r.store) {
                (Kind::Write(_) | Kind::Cas(..), None) => Outcome::Fail,
                _ => Outcome::Unknown,
            };
            ctx.reply(req, outcome, &());
        }
        match (r.kind, r.store, self.layout.params.hinted_handoff) {
            (Kind::Write(_) | Kind::Cas(..), Some(item), true) => self
                .layout
                .replicas(r.key)
                .into_iter()
                .filter(|n| !r.holders.contains(n))
                .map(|n| (n, r.key, item))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A new version for `key`: above `seen_ts` and above every one this node
    /// issued for the key (in `lww-wall-clock`, `seen_ts` is the clock).
    fn version(&mut self, key: u32, seen_ts: u64) -> Version {
        let last = self.issued.entry(key).or_insert(0);
        let ts = match self.layout.variant {
            super::variant::Variant::LwwWallClock => seen_ts.max(*last + 1),
            _ => seen_ts.max(*last) + 1,
        };
        *last = ts;
        Version {
            ts,
            node: self.id as u32,
            boot: self.boot,
        }
    }
}
