//! The client workload: transfers between accounts on different participants.
//!
//! A transfer picks a debit participant and a different credit participant
//! uniformly, then an account on each: the participant's hot account (its
//! first) with probability `hot_pct`, else a uniform one. Hot accounts make
//! transfers collide on row locks, which no-wait locking turns into aborts.

use super::layout::Layout;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// A client operation of the twopc model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "f", rename_all = "lowercase")]
pub enum Op {
    /// Move `amount` (plus the fee) out of account `from` and `amount` into
    /// `to`. Ok `{"txn": id}` once committed; fail `{"txn": id, "cause":
    /// why}` once aborted (or `{"cause": why}` if it never began).
    Transfer(Transfer),
}

/// The fields of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Transfer {
    /// The debited account.
    pub from: u32,
    /// The credited account, on another participant.
    pub to: u32,
    /// How much moves, before the fee.
    pub amount: i64,
}

/// Draws a transfer for `layout`.
pub fn make_transfer(layout: &Layout, rng: &mut ChaCha8Rng) -> Transfer {
    let n = layout.participants;
    assert!(n >= 2, "a transfer needs two participants");
    let a = rng.gen_range(0..n);
    let b = (a + rng.gen_range(1..n)) % n;
    let from = pick_account(layout, layout.coordinators + a, rng);
    let to = pick_account(layout, layout.coordinators + b, rng);
    let amount = rng.gen_range(1..=layout.params.amount_max);
    Transfer { from, to, amount }
}

fn pick_account(layout: &Layout, participant: usize, rng: &mut ChaCha8Rng) -> u32 {
    let hot = rng.gen_range(0..100) < layout.params.hot_pct;
    let index = if hot {
        0
    } else {
        rng.gen_range(0..layout.params.accounts)
    };
    layout.account(participant, index)
}
