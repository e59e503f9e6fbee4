//! A participant's resource manager: account balances and row locks.
//!
//! Locking is no-wait: a prepare that finds a row locked by another
//! transaction is refused at once (the participant votes no), so no
//! transaction ever waits for another and deadlock cannot happen (Bernstein,
//! Hadzilacos & Goodman, "Concurrency Control and Recovery in Database
//! Systems", §3.11). Fee ledgers are only ever credited, and credits
//! commute, so they take no row lock.

use super::layout::Layout;
use super::txn::{AbortCause, Leg, TxnId};
use std::collections::BTreeMap;

/// Balances and the locks held on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    balances: BTreeMap<u32, i64>,
    locks: BTreeMap<u32, TxnId>,
}

impl Ledger {
    /// A ledger with `balances` and no locks.
    pub fn new(balances: BTreeMap<u32, i64>) -> Ledger {
        Ledger {
            balances,
            locks: BTreeMap::new(),
        }
    }

    /// The balances, for the durable record.
    pub fn balances(&self) -> &BTreeMap<u32, i64> {
        &self.balances
    }

    /// Number of rows locked.
    pub fn locked(&self) -> usize {
        self.locks.len()
    }

    /// Whether `legs` of `txn` may be prepared: rows free, funds there.
    pub fn check(&self, layout: &Layout, txn: TxnId, legs: &[Leg]) -> Result<(), AbortCause> {
        for leg in legs {
            let holder = self.locks.get(&leg.account);
            if !layout.is_ledger(leg.account) && holder.is_some_and(|&h| h != txn) {
                return Err(AbortCause::LockConflict);
            }
        }
        for leg in legs {
            if self.balance(leg.account) + leg.delta < 0 {
                return Err(AbortCause::NoFunds);
            }
        }
        Ok(())
    }

    /// Locks the rows of `legs` for `txn` (after a successful `check`).
    pub fn lock(&mut self, layout: &Layout, txn: TxnId, legs: &[Leg]) {
        for leg in legs.iter().filter(|l| !layout.is_ledger(l.account)) {
            let before = self.locks.insert(leg.account, txn);
            assert!(
                before.is_none_or(|h| h == txn),
                "{txn} locks account {} held by {before:?}",
                leg.account
            );
        }
    }

    /// Releases every lock `txn` holds.
    pub fn release(&mut self, txn: TxnId) {
        self.locks.retain(|_, holder| *holder != txn);
    }

    /// Applies `legs` of `txn` and releases its locks; returns the new
    /// balances of the touched accounts.
    pub fn apply(&mut self, layout: &Layout, txn: TxnId, legs: &[Leg]) -> Vec<(u32, i64)> {
        let mut after = Vec::with_capacity(legs.len());
        for leg in legs {
            let held = self.locks.get(&leg.account) == Some(&txn);
            assert!(
                held || layout.is_ledger(leg.account),
                "{txn} commits account {} without its lock",
                leg.account
            );
            let balance = self.balances.entry(leg.account).or_insert(0);
            *balance += leg.delta;
            assert!(*balance >= 0, "{txn} overdraws account {}", leg.account);
            after.push((leg.account, *balance));
        }
        self.release(txn);
        after
    }

    fn balance(&self, account: u32) -> i64 {
        self.balances.get(&account).copied().unwrap_or(0)
    }
}
