//! A coordinator: begins transfers, collects votes, decides, logs the
//! decision, then drives it to every participant until each acknowledges.
//!
//! Durable records (keys of its storage):
//! - `epoch`: its incarnation, bumped (synced) on every start, so
//!   transaction ids are never reused after a crash;
//! - `log/<txn>`: one record per unfinished transaction: its legs per
//!   participant and, once decided, the decision (a key each, so a write
//!   encodes one record, not every unfinished one). A begin record is forced before any
//!   `Prepare` is sent and a commit record before any commit is sent; an
//!   abort record and the removal of a finished transaction are written
//!   lazily, because a transaction the log does not know is aborted
//!   (presumed abort, Mohan, Lindsay & Obermarck, TODS 1986).
//!
//! On restart it reads the log: undecided transactions are aborted
//! (cause `recovery`), decided ones are re-sent until acknowledged.

use super::event::Event;
use super::layout::Layout;
use super::msg::Msg;
use super::txn::{AbortCause, Decision, Leg, TxnId};
use super::Ctx;
use crate::node::{NodeId, Outcome, RequestId, TimerId};
use crate::storage::Storage;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Where the log records are kept: `log/<txn>`.
const LOG_PREFIX: &str = "log/";

/// The coordinator's only timer: prepare timeouts and decision re-sends.
pub const TICK: TimerId = 1;
/// Most unfinished transactions one coordinator holds.
pub const TXNS_MAX: usize = 100_000;

/// The durable log record of one unfinished transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRecord {
    /// Legs per participant.
    pub legs: BTreeMap<NodeId, Vec<Leg>>,
    /// The decision, once made.
    pub decision: Option<Decision>,
}

/// A transaction in progress at its coordinator.
#[derive(Debug, Clone)]
struct Txn {
    client: Option<RequestId>,
    record: LogRecord,
    yes: BTreeSet<NodeId>,
    acked: BTreeSet<NodeId>,
    begun_us: u64,
}

/// One coordinator node.
#[derive(Debug, Clone)]
pub struct Coordinator {
    id: NodeId,
    layout: Arc<Layout>,
    epoch: u32,
    next_seq: u32,
    txns: BTreeMap<TxnId, Txn>,
}

impl Coordinator {
    /// Coordinator `id` of `layout`, restored from `storage`.
    pub fn new(id: NodeId, layout: Arc<Layout>, storage: &Storage) -> Coordinator {
        assert!(layout.is_coordinator(id), "node {id} is no coordinator");
        let epoch = storage.get::<u32>("epoch").unwrap_or(0) + 1;
        let log = (storage.keys_under(LOG_PREFIX).into_iter()).map(|key| {
            let id = &key[LOG_PREFIX.len()..];
            let txn: TxnId = id
                .parse()
                .unwrap_or_else(|e| panic!("log key {key:?}: {e}"));
            let record: LogRecord = storage.get(key).expect("a listed key holds a value");
            (txn, record)
        });
        let txns = log
            .map(|(txn, record)| {
                let t = Txn {
                    client: None,
                    record,
                    yes: BTreeSet::new(),
                    acked: BTreeSet::new(),
                    begun_us: 0,
                };
                (txn, t)
            })
            .collect();
        Coordinator {
            id,
            layout,
            epoch,
            next_seq: 0,
            txns,
        }
    }

    /// Unfinished transactions (for tests and tools).
    pub fn unfinished(&self) -> Vec<TxnId> {
        self.txns.keys().copied().collect()
    }

    /// Start or restart: bump the epoch, finish what the log holds.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_role("coordinator");
        ctx.persist("epoch", &self.epoch);
        let pending = self.unfinished();
        if self.epoch > 1 {
            let txns = pending.clone().into_boxed_slice();
            ctx.event(Event::Recovered {
                epoch: self.epoch,
                txns,
            });
        }
        for txn in pending {
            match self.txns[&txn].record.decision {
                None => self.decide(ctx, txn, Decision::Abort, Some(AbortCause::Recovery)),
                Some(_) => self.send_decision(ctx, txn),
            }
        }
        ctx.set_timer(TICK, self.layout.params.retry_ms * 1_000);
    }

    /// A client asks for a transfer: begin it and send `Prepare`s.
    pub fn on_transfer(&mut self, ctx: &mut Ctx<'_>, req: RequestId, t: super::op::Transfer) {
        assert!(
            self.txns.len() < TXNS_MAX,
            "coordinator {} is overloaded",
            self.id
        );
        self.next_seq += 1;
        let txn = TxnId {
            coord: self.id,
            epoch: self.epoch,
            seq: self.next_seq,
        };
        let legs = self.layout.legs(&t);
        let peers: Vec<NodeId> = legs.keys().copied().collect();
        let record = LogRecord {
            legs: legs.clone(),
            decision: None,
        };
        let txn_state = Txn {
            client: Some(req),
            record,
            yes: BTreeSet::new(),
            acked: BTreeSet::new(),
            begun_us: ctx.now_us,
        };
        self.txns.insert(txn, txn_state);
        self.write_log(ctx, txn, true);
        let participants = peers.as_slice().into();
        ctx.event(Event::Begun { participants, txn });
        for (p, legs) in legs {
            let peers = peers.clone();
            ctx.send(p, Msg::Prepare { txn, legs, peers });
        }
    }

    /// A message arrives.
    pub fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Vote { txn, no } => self.on_vote(ctx, from, txn, no),
            Msg::Ack { txn } => self.on_ack(ctx, from, txn),
            Msg::Inquire { txn } => self.on_inquire(ctx, from, txn),
            Msg::Prepare { .. } | Msg::Decision { .. } => {
                panic!("coordinator {} got {msg:?} from {from}", self.id)
            }
        }
    }

    fn on_vote(&mut self, ctx: &mut Ctx<'_>, from: NodeId, txn: TxnId, no: Option<AbortCause>) {
        let presumes = self.layout.variant.presumes_abort();
        let Some(t) = self.txns.get_mut(&txn) else {
            if no.is_none() && presumes {
                presume_abort(ctx, from, txn);
            }
            return;
        };
        assert!(
            t.record.legs.contains_key(&from),
            "{txn}: a vote from a stranger"
        );
        if let Some(decision) = t.record.decision {
            if !t.acked.contains(&from) {
                ctx.send(from, Msg::Decision { txn, decision });
            }
            return;
        }
        if let Some(cause) = no {
            return self.decide(ctx, txn, Decision::Abort, Some(cause));
        }
        t.yes.insert(from);
        let needed = self.layout.variant.yes_votes_to_commit(t.record.legs.len());
        if t.yes.len() >= needed {
            self.decide(ctx, txn, Decision::Commit, None);
        }
    }

    fn on_ack(&mut self, ctx: &mut Ctx<'_>, from: NodeId, txn: TxnId) {
        let Some(t) = self.txns.get_mut(&txn) else {
            return; // finished already, or forgotten
        };
        if t.record.decision.is_none() {
            return; // acks a peer's abort before we decided: we will send ours
        }
        t.acked.insert(from);
        if t.acked.len() == t.record.legs.len() {
            self.txns.remove(&txn);
            self.write_log(ctx, txn, false);
            ctx.event(Event::Finished { txn });
        }
    }

    fn on_inquire(&mut self, ctx: &mut Ctx<'_>, from: NodeId, txn: TxnId) {
        match self.txns.get(&txn).map(|t| t.record.decision) {
            Some(Some(decision)) => ctx.send(from, Msg::Decision { txn, decision }),
            Some(None) => {} // still collecting votes
            None if self.layout.variant.presumes_abort() => presume_abort(ctx, from, txn),
            None => {} // no-presumed-abort: silent about what it does not know
        }
    }

    /// Decides `txn`, logs it, answers the client and tells the participants.
    fn decide(&mut self, ctx: &mut Ctx<'_>, txn: TxnId, d: Decision, cause: Option<AbortCause>) {
        let needed = self
            .layout
            .variant
            .yes_votes_to_commit(self.txns[&txn].record.legs.len());
        let t = self.txns.get_mut(&txn).expect("decide a known txn");
        assert!(t.record.decision.is_none(), "{txn} is decided twice");
        assert!(
            d == Decision::Abort || t.yes.len() >= needed,
            "{txn}: commit without the votes"
        );
        t.record.decision = Some(d);
        let client = t.client.take();
        self.write_log(ctx, txn, d == Decision::Commit);
        ctx.event(Event::Decided {
            cause,
            decision: d,
            txn,
        });
        if let Some(req) = client {
            let outcome = match d {
                Decision::Commit => Outcome::Ok,
                Decision::Abort => Outcome::Fail,
            };
            ctx.reply(req, outcome, &json!({ "txn": txn, "cause": cause }));
        }
        self.send_decision(ctx, txn);
    }

    fn send_decision(&self, ctx: &mut Ctx<'_>, txn: TxnId) {
        let t = &self.txns[&txn];
        let decision = t.record.decision.expect("send a decided txn");
        for &p in t.record.legs.keys().filter(|p| !t.acked.contains(p)) {
            ctx.send(p, Msg::Decision { txn, decision });
        }
    }

    /// Writes `txn`'s log record (removes it once finished), unless the
    /// variant keeps no log.
    fn write_log(&self, ctx: &mut Ctx<'_>, txn: TxnId, sync: bool) {
        if !self.layout.variant.logs_decisions() {
            return;
        }
        let key = txn.key(LOG_PREFIX);
        match (self.txns.get(&txn), sync) {
            (Some(t), true) => ctx.persist(&key, &t.record),
            (Some(t), false) => ctx.persist_unsynced(&key, &t.record),
            (None, true) => ctx.forget(&key),
            (None, false) => ctx.forget_unsynced(&key),
        }
    }

    /// The tick: time out slow prepares, re-send unacknowledged decisions.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerId) {
        assert_eq!(timer, TICK, "coordinators have one timer");
        let p = &self.layout.params;
        let timeout_us = p.prepare_timeout_ms * 1_000;
        ctx.set_timer(TICK, p.retry_ms * 1_000);
        for txn in self.unfinished() {
            let t = &self.txns[&txn];
            if t.record.decision.is_some() {
                self.send_decision(ctx, txn);
            } else if ctx.now_us.saturating_sub(t.begun_us) >= timeout_us {
                self.decide(ctx, txn, Decision::Abort, Some(AbortCause::PrepareTimeout));
            }
        }
    }
}

/// Answers a question about a transaction this coordinator has no record
/// of: it never logged a commit for it, so it is aborted.
fn presume_abort(ctx: &mut Ctx<'_>, to: NodeId, txn: TxnId) {
    ctx.event(Event::PresumedAbort { txn });
    let decision = Decision::Abort;
    ctx.send(to, Msg::Decision { txn, decision });
}
