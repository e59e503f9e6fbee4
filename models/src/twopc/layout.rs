//! Who is who: coordinators first, then participants, and which participant
//! owns which account.
//!
//! Node ids `0..coordinators` are coordinators `c1, c2, ...`; the rest are
//! participants `p1, p2, ...`. Participant `k` (0-based) owns the global
//! accounts `k*(accounts+1) ..= k*(accounts+1) + accounts`: `accounts`
//! customer accounts (the first is its hot account) and, last, its fee
//! ledger, which transfers only ever credit.

use super::op::Transfer;
use super::params::Params;
use super::txn::Leg;
use super::variant::Variant;
use crate::node::NodeId;
use std::collections::BTreeMap;

/// The cluster's shape, shared by every node and checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The variant the nodes run.
    pub variant: Variant,
    /// Number of coordinator nodes.
    pub coordinators: usize,
    /// Number of participant nodes.
    pub participants: usize,
    /// The parameters.
    pub params: Params,
}

impl Layout {
    /// All nodes.
    pub fn node_count(&self) -> usize {
        self.coordinators + self.participants
    }

    /// Whether `id` is a coordinator.
    pub fn is_coordinator(&self, id: NodeId) -> bool {
        id < self.coordinators
    }

    /// The name of node `id`: `c1..` then `p1..`.
    pub fn name(&self, id: NodeId) -> String {
        assert!(id < self.node_count(), "node {id} is not in the layout");
        if self.is_coordinator(id) {
            format!("c{}", id + 1)
        } else {
            format!("p{}", id - self.coordinators + 1)
        }
    }

    /// The participants' node ids.
    pub fn participant_ids(&self) -> std::ops::Range<NodeId> {
        self.coordinators..self.node_count()
    }

    fn stride(&self) -> u32 {
        self.params.accounts + 1
    }

    /// The participant node that owns `account`.
    pub fn owner(&self, account: u32) -> NodeId {
        let k = (account / self.stride()) as usize;
        assert!(k < self.participants, "account {account} has no owner");
        self.coordinators + k
    }

    /// Customer account `index` (0 = hot) of participant node `id`.
    pub fn account(&self, id: NodeId, index: u32) -> u32 {
        assert!(
            index < self.params.accounts,
            "customer account {index} out of range"
        );
        self.first_account(id) + index
    }

    /// The fee ledger of participant node `id`.
    pub fn ledger(&self, id: NodeId) -> u32 {
        self.first_account(id) + self.params.accounts
    }

    fn first_account(&self, id: NodeId) -> u32 {
        assert!(
            !self.is_coordinator(id) && id < self.node_count(),
            "{id} is no participant"
        );
        (id - self.coordinators) as u32 * self.stride()
    }

    /// Whether `account` is a fee ledger (credited without a row lock).
    pub fn is_ledger(&self, account: u32) -> bool {
        account % self.stride() == self.params.accounts
    }

    /// Every account participant `id` owns, with its starting balance.
    pub fn initial_balances(&self, id: NodeId) -> BTreeMap<u32, i64> {
        let customers =
            (0..self.params.accounts).map(|i| (self.account(id, i), self.params.initial_balance));
        customers.chain([(self.ledger(id), 0)]).collect()
    }

    /// The sum of every starting balance in the cluster.
    pub fn initial_total(&self) -> i64 {
        let per = i64::from(self.params.accounts) * self.params.initial_balance;
        per * self.participants as i64
    }

    /// The legs of `t` grouped by participant: debit amount plus fee, credit
    /// amount, and the fee to the ledger of a third participant.
    pub fn legs(&self, t: &Transfer) -> BTreeMap<NodeId, Vec<Leg>> {
        let (a, b) = (self.owner(t.from), self.owner(t.to));
        assert_ne!(a, b, "a transfer spans two participants");
        let fee = self.params.fee;
        let mut legs: BTreeMap<NodeId, Vec<Leg>> = BTreeMap::new();
        let mut add = |id: NodeId, account: u32, delta: i64| {
            legs.entry(id).or_default().push(Leg { account, delta });
        };
        add(a, t.from, -(t.amount + fee));
        add(b, t.to, t.amount);
        if fee > 0 {
            let third: Vec<NodeId> = self
                .participant_ids()
                .filter(|&p| p != a && p != b)
                .collect();
            let c = third[(t.from + t.to) as usize % third.len()];
            add(c, self.ledger(c), fee);
        }
        let sum: i64 = legs.values().flatten().map(|l| l.delta).sum();
        assert_eq!(sum, 0, "a transfer moves money, it does not make it");
        legs
    }
}
