//! The orchestrator's saga log: where each saga is, written durably before
//! every call, so a restarted orchestrator resumes or compensates from it.
//!
//! Storage layout: `active` holds the ids of the sagas in flight; `saga/<id>`
//! holds a [`Saga`]. A saga's record is written before its id joins
//! `active`, and leaves `active` when the saga ends. In the `no-saga-log`
//! variant nothing is written and a crash forgets every saga in flight.

use super::msg::{Action, Order};
use super::node::Ctx;
use crate::storage::Storage;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which way a saga is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Running forward steps.
    Forward,
    /// Undoing completed steps, last first.
    Compensating,
}

/// What a saga waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Wait {
    /// The reply to its current call.
    Reply,
    /// Its backoff timer, to retry the current step.
    Backoff,
}

/// One saga's place, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saga {
    /// The order (its id is the saga id).
    pub order: Order,
    /// Forward or compensating.
    pub phase: Phase,
    /// Forward: the step running; compensating: the step being undone.
    pub step: usize,
    /// Attempts made at the current step.
    pub attempt: u32,
    /// The previous backoff delay (for decorrelated jitter).
    pub prev_delay_us: u64,
    /// What it waits for.
    pub wait: Wait,
}

impl Saga {
    /// A new saga at its first step.
    pub fn new(order: Order) -> Saga {
        Saga {
            order,
            phase: Phase::Forward,
            step: 0,
            attempt: 0,
            prev_delay_us: 0,
            wait: Wait::Backoff,
        }
    }

    /// The action of the current step.
    pub fn action(&self) -> Action {
        match self.phase {
            Phase::Forward => Action::FORWARD[self.step],
            Phase::Compensating => Action::compensation(self.step),
        }
    }

    /// Moves to `phase` at `step`, with no attempts made yet.
    pub fn go_to(&mut self, phase: Phase, step: usize) {
        assert!(step < Action::FORWARD.len(), "step {step} out of range");
        assert!(
            phase == Phase::Forward || step < 4,
            "Confirm is never undone"
        );
        self.phase = phase;
        self.step = step;
        self.attempt = 0;
        self.prev_delay_us = 0;
    }
}

/// Reads and writes the log (or, when not `durable`, does nothing).
#[derive(Debug, Clone, Copy)]
pub struct SagaLog {
    /// False in the `no-saga-log` variant.
    pub durable: bool,
}

impl SagaLog {
    /// The sagas in flight at the last write.
    pub fn load(&self, storage: &Storage) -> BTreeMap<u64, Saga> {
        let ids: Vec<u64> = storage.get("active").unwrap_or_default();
        ids.into_iter()
            .map(|id| {
                let saga: Saga = storage
                    .get(&key(id))
                    .unwrap_or_else(|| panic!("active saga {id} has no record"));
                assert_eq!(saga.order.id, id, "saga record under the wrong key");
                (id, saga)
            })
            .collect()
    }

    /// Writes `saga`'s record.
    pub fn save(&self, ctx: &mut Ctx<'_>, saga: &Saga) {
        if self.durable {
            ctx.persist(&key(saga.order.id), saga);
        }
    }

    /// Writes the set of sagas in flight.
    pub fn save_active(&self, ctx: &mut Ctx<'_>, sagas: &BTreeMap<u64, Saga>) {
        if self.durable {
            let ids: Vec<u64> = sagas.keys().copied().collect();
            ctx.persist("active", &ids);
        }
    }
}

fn key(id: u64) -> String {
    crate::storage::numbered_key("saga/", id)
}
