//! A participant: a resource manager that prepares, votes and applies
//! decisions, and asks for decisions it is waiting on.
//!
//! Durable records (keys of its storage):
//! - `balances`: the committed balance of every account it owns;
//! - `prepared`: the PREPARED record of every transaction it voted yes on
//!   and has not yet learned the outcome of (legs and peers);
//! - `outcome/<txn>`: how each transaction ended here, so a late or
//!   duplicated `Prepare` is refused and a peer's `Inquire` answered.
//!
//! A commit writes `balances`, `prepared` and `outcome/<txn>` in one synced
//! batch before the `Ack`. An abort is written unsynced: if a crash loses
//! it the PREPARED record comes back, and the coordinator's answer to the
//! inquiry is abort again (presumed abort).

use super::event::Event;
use super::layout::Layout;
use super::ledger::Ledger;
use super::msg::Msg;
use super::txn::{AbortCause, Decision, Leg, TxnId};
use super::variant::Variant;
use super::Ctx;
use crate::node::{NodeId, TimerId};
use crate::storage::Storage;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The participant's only timer: look at waiting transactions.
pub const TICK: TimerId = 1;
/// Most outcomes kept in memory; older ones are read back from storage.
pub const OUTCOMES_CACHED_MAX: usize = 100_000;

/// A PREPARED record: what to apply if told to commit, and whom to ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prepared {
    /// This participant's legs.
    pub legs: Vec<Leg>,
    /// Every participant of the transaction.
    pub peers: Vec<NodeId>,
    /// When this participant started waiting (its clock; not durable).
    #[serde(skip)]
    pub since_us: u64,
    /// When it last asked for the decision (not durable).
    #[serde(skip)]
    pub asked_us: u64,
    /// Whether it has sent an `Inquire` since it (re)started waiting (not
    /// durable).
    #[serde(skip)]
    pub inquired: bool,
}

/// One participant node.
#[derive(Debug, Clone)]
pub struct Participant {
    id: NodeId,
    layout: Arc<Layout>,
    ledger: Ledger,
    prepared: BTreeMap<TxnId, Prepared>,
    outcomes: BTreeMap<TxnId, Decision>,
}

/// `outcome/<txn>`, as `format!("outcome/{txn}")` writes it, built without
/// the formatting machinery: it is made on every outcome read and write.
fn outcome_key(txn: TxnId) -> String {
    txn.key("outcome/")
}

impl Participant {
    /// Participant `id` of `layout`, restored from `storage`.
    pub fn new(id: NodeId, layout: Arc<Layout>, storage: &Storage) -> Participant {
        assert!(!layout.is_coordinator(id), "node {id} is a coordinator");
        let balances = storage
            .get("balances")
            .unwrap_or_else(|| layout.initial_balances(id));
        let prepared: BTreeMap<TxnId, Prepared> = storage.get("prepared").unwrap_or_default();
        let mut ledger = Ledger::new(balances);
        for (txn, p) in &prepared {
            ledger.lock(&layout, *txn, &p.legs);
        }
        Participant {
            id,
            layout,
            ledger,
            prepared,
            outcomes: BTreeMap::new(),
        }
    }

    /// Transactions prepared here and waiting for a decision.
    pub fn in_doubt(&self) -> Vec<TxnId> {
        self.prepared.keys().copied().collect()
    }

    /// The ledger (for tests and tools).
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    fn tick_us(&self) -> u64 {
        let p = &self.layout.params;
        (p.inquiry_ms.min(p.heuristic_abort_ms) * 1_000 / 2).max(1_000)
    }

    /// Start or restart: re-lock in-doubt rows (done in `new`), start waiting.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_role("participant");
        for p in self.prepared.values_mut() {
            p.since_us = ctx.now_us;
            p.asked_us = ctx.now_us;
        }
        if !self.prepared.is_empty() {
            let prepared = self.in_doubt().into_boxed_slice();
            ctx.event(Event::Restored { prepared });
        }
        ctx.set_timer(TICK, self.tick_us());
    }

    /// A message arrives.
    pub fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Prepare { txn, legs, peers } => self.on_prepare(ctx, txn, legs, peers),
            Msg::Decision { txn, decision } => self.on_decision(ctx, from, txn, decision),
            Msg::Inquire { txn } => self.on_inquire(ctx, from, txn),
            Msg::Vote { .. } | Msg::Ack { .. } => {
                panic!("participant {} got {msg:?} from {from}", self.id)
            }
        }
    }

    fn outcome(&self, ctx: &Ctx<'_>, txn: TxnId) -> Option<Decision> {
        let cached = self.outcomes.get(&txn).copied();
        cached.or_else(|| ctx.storage.get(&outcome_key(txn)))
    }

    fn remember(&mut self, ctx: &mut Ctx<'_>, txn: TxnId, decision: Decision, sync: bool) {
        if self.outcomes.len() >= OUTCOMES_CACHED_MAX {
            self.outcomes.clear();
        }
        self.outcomes.insert(txn, decision);
        ctx.persist_unsynced("prepared", &self.prepared);
        if sync {
            ctx.persist(&outcome_key(txn), &decision);
        } else {
            ctx.persist_unsynced(&outcome_key(txn), &decision);
        }
    }

    fn on_prepare(&mut self, ctx: &mut Ctx<'_>, txn: TxnId, legs: Vec<Leg>, peers: Vec<NodeId>) {
        assert!(
            !legs.is_empty() && peers.contains(&self.id),
            "{txn}: a prepare for someone else"
        );
        match self.outcome(ctx, txn) {
            Some(Decision::Abort) => return vote(ctx, txn, Some(AbortCause::AlreadyAborted)),
            Some(Decision::Commit) => return, // a duplicate from long ago
            None => {}
        }
        if self.prepared.contains_key(&txn) {
            return vote(ctx, txn, None); // a duplicate: vote again
        }
        if let Err(cause) = self.ledger.check(&self.layout, txn, &legs) {
            self.remember(ctx, txn, Decision::Abort, false);
            ctx.event(Event::Aborted { cause, txn });
            return vote(ctx, txn, Some(cause));
        }
        self.ledger.lock(&self.layout, txn, &legs);
        let prepared_legs = legs.as_slice().into();
        ctx.event(Event::Prepared {
            legs: prepared_legs,
            txn,
        });
        let now_us = ctx.now_us;
        let record = Prepared {
            legs,
            peers,
            since_us: now_us,
            asked_us: now_us,
            inquired: false,
        };
        self.prepared.insert(txn, record);
        if self.layout.variant.syncs_prepared() {
            ctx.persist("prepared", &self.prepared);
        } else {
            ctx.persist_unsynced("prepared", &self.prepared);
        }
        vote(ctx, txn, None);
    }

    fn on_decision(&mut self, ctx: &mut Ctx<'_>, from: NodeId, txn: TxnId, decision: Decision) {
        if let Some(record) = self.prepared.get(&txn) {
            if record.inquired {
                ctx.event(Event::InquiryAnswered {
                    decision,
                    from,
                    txn,
                });
            }
            self.finish(ctx, txn, decision, AbortCause::Decision);
        } else if let Some(local) = self.outcome(ctx, txn) {
            // A commit after a local abort breaks atomicity (XA's "heuristic
            // mixed"); an abort after a commit is a stale presumed abort.
            if (local, decision) == (Decision::Abort, Decision::Commit) {
                let correct = self.layout.variant == Variant::Correct;
                assert!(!correct, "{txn}: told to commit a transaction aborted here");
                ctx.event(Event::HeuristicConflict {
                    decision,
                    local,
                    txn,
                });
            }
        } else if decision == Decision::Abort {
            self.remember(ctx, txn, Decision::Abort, false);
            let cause = AbortCause::Decision;
            ctx.event(Event::Aborted { cause, txn });
        } else {
            assert_ne!(
                self.layout.variant,
                Variant::Correct,
                "{txn}: told to commit a transaction never prepared here"
            );
            self.remember(ctx, txn, Decision::Commit, true);
            ctx.event(Event::Forgotten { decision, txn });
        }
        ctx.send(txn.coord, Msg::Ack { txn });
    }

    /// Applies `decision` to prepared `txn` and makes the outcome durable.
    fn finish(&mut self, ctx: &mut Ctx<'_>, txn: TxnId, decision: Decision, cause: AbortCause) {
        let record = self.prepared.remove(&txn).expect("finish a prepared txn");
        match decision {
            Decision::Commit => {
                let after = self.ledger.apply(&self.layout, txn, &record.legs);
                ctx.persist_unsynced("balances", self.ledger.balances());
                self.remember(ctx, txn, decision, true);
                ctx.event(Event::Committed {
                    balances: after.into_boxed_slice(),
                    legs: record.legs.into_boxed_slice(),
                    txn,
                });
            }
            Decision::Abort => {
                if self.layout.variant.releases_on_abort() {
                    self.ledger.release(txn);
                }
                self.remember(ctx, txn, decision, false);
                ctx.event(Event::Aborted { cause, txn });
            }
        }
    }

    fn on_inquire(&mut self, ctx: &mut Ctx<'_>, from: NodeId, txn: TxnId) {
        if let Some(decision) = self.outcome(ctx, txn) {
            ctx.send(from, Msg::Decision { txn, decision });
        } else if !self.prepared.contains_key(&txn) {
            // Never voted, so no commit can exist: refuse it for good.
            self.remember(ctx, txn, Decision::Abort, false);
            let cause = AbortCause::Cooperative;
            ctx.event(Event::Aborted { cause, txn });
            let decision = Decision::Abort;
            ctx.send(from, Msg::Decision { txn, decision });
        }
    }

    /// The tick: ask about long-waiting transactions (or, buggy, give up on them).
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerId) {
        assert_eq!(timer, TICK, "participants have one timer");
        ctx.set_timer(TICK, self.tick_us());
        let p = &self.layout.params;
        let (inquiry_us, heuristic_us) = (p.inquiry_ms * 1_000, p.heuristic_abort_ms * 1_000);
        let cooperative = p.cooperative_termination;
        for txn in self.in_doubt() {
            let waited_us = ctx.now_us.saturating_sub(self.prepared[&txn].since_us);
            if self.layout.variant.aborts_unilaterally() && waited_us >= heuristic_us {
                self.finish(ctx, txn, Decision::Abort, AbortCause::Heuristic);
                continue;
            }
            let record = self.prepared.get_mut(&txn).expect("in doubt");
            if ctx.now_us.saturating_sub(record.asked_us) < inquiry_us {
                continue;
            }
            record.asked_us = ctx.now_us;
            record.inquired = true;
            ctx.send(txn.coord, Msg::Inquire { txn });
            let peers = record
                .peers
                .iter()
                .filter(|&&p| cooperative && p != self.id);
            for &peer in peers {
                ctx.send(peer, Msg::Inquire { txn });
            }
        }
    }
}

fn vote(ctx: &mut Ctx<'_>, txn: TxnId, no: Option<AbortCause>) {
    ctx.send(txn.coord, Msg::Vote { txn, no });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_key_is_the_formatted_txn() {
        for (coord, epoch, seq) in [
            (0, 0, 0),
            (0, 1, 1),
            (2, 9, 10),
            (9, 4_000_000_000, u32::MAX),
        ] {
            let txn = TxnId { coord, epoch, seq };
            assert_eq!(outcome_key(txn), format!("outcome/{txn}"));
        }
    }
}
