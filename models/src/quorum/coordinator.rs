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
//! **What an acknowledgement means.** Versions are unique per write
//! ([`super::version`]: a coordinator's counter, its id and its boot), so
//! a replica's `Stored` answer names either exactly the version it was
//! sent or a strictly newer item it kept. Both count towards W, as in the
//! ABD register, where a server acknowledges a write whether or not its
//! tag was newer: with R + W > N every later read quorum meets the W
//! holders and sees this version or a newer one, and a newer one was
//! stored before this write was acknowledged, so it belongs to a write
//! concurrent with this one, which linearizes after it (last writer wins).
//! An acknowledged write can therefore have been stored nowhere, and that
//! is no lost write: `linearizable` and `no-lost-writes` judge exactly
//! this. With R + W <= N nothing is promised: a write whose version query
//! missed a finished write gets a lower version, loses to it and is
//! acknowledged anyway, and reads return the older write from then on
//! (the same happens to such a write that did reach a stale replica: the
//! next repair or anti-entropy exchange overwrites it). What counting an
//! equal version from a *different* write does is shown by
//! `tied-versions`.
//!
//! A request lives until its timeout, so late replies still repair; at the
//! timeout an unanswered client gets `fail` (nothing was stored yet) or
//! `info` (some replica may hold it), and with hinted handoff the replicas
//! that never acknowledged a write get a hint.

use super::layout::Layout;
use super::msg::{Ack, Msg};
use super::variant::Variant;
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
        let timeout_us = match self.layout.variant {
            Variant::TimeoutUnits => self.layout.params.request_timeout_ms,
            _ => self.layout.params.request_timeout_ms * 1000,
        };
        ctx.set_timer(tag, timeout_us);
        let lww = self.layout.variant == Variant::LwwWallClock;
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
            Variant::LwwWallClock => ctx.now_us,
            _ => found.map_or(0, |f| f.version.ts),
        };
        let value = match kind {
            Kind::Read => return self.decide_read(ctx, tag, found),
            Kind::Cas(expected, _) if found.map(|f| f.value) != expected => {
                return self.refuse_cas(ctx, tag, found.map(|f| f.value));
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

    /// A replica answered a `Store` of this coordinator's request: it
    /// counts towards W when it holds exactly the item's version (stored
    /// now or before) or a strictly newer one (see the module doc).
    pub fn on_stored(&mut self, ctx: &mut Ctx<'_>, from: NodeId, tag: u64, ack: Ack) {
        let Some(r) = self.requests.get_mut(&tag) else {
            return;
        };
        let Some(item) = r.store else {
            return; // an asynchronous repair's answer: nothing waits for it
        };
        let tied = self.layout.variant == Variant::TiedVersions;
        let counts = match ack {
            Ack::Stored(v) if tied => v >= item.version,
            Ack::Stored(v) => {
                assert_eq!(
                    v,
                    item.version,
                    "replica n{} acked another version",
                    from + 1
                );
                true
            }
            Ack::Newer(held) => {
                assert!(
                    held.version > item.version,
                    "a newer item that is not newer"
                );
                true
            }
        };
        if counts {
            r.holders.insert(from);
            self.maybe_done(ctx, tag);
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

    /// Answers a cas whose compare failed: `fail` with `[the value found]`
    /// (a timeout's `fail` carries nothing, so the two can be told apart).
    fn refuse_cas(&mut self, ctx: &mut Ctx<'_>, tag: u64, found: Option<u64>) {
        let Some(r) = self.requests.get_mut(&tag) else {
            return;
        };
        if let Some(req) = r.req.take() {
            ctx.reply(req, Outcome::Fail, &[found]);
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
            Variant::LwwWallClock => seen_ts.max(*last + 1),
            _ => seen_ts.max(*last) + 1,
        };
        *last = ts;
        if self.layout.variant == Variant::TiedVersions {
            return Version {
                ts,
                node: 0,
                boot: 0,
            };
        }
        Version {
            ts,
            node: self.id as u32,
            boot: self.boot,
        }
    }
}
