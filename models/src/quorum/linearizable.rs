//! `linearizable` for the quorum store: the generic checker
//! ([`LinearizabilityChecker`], a map of cas-registers), except that a
//! history in which no read, write or cas completed `ok` is `unknown`, not
//! `valid`: ops that only failed or timed out are trivially linearizable,
//! and a store that answers nothing must not pass for a correct one.

use super::event::Event;
use crate::check::linearizability::{LinearizabilityChecker, SpecKind};
use crate::check::{CheckContext, Checker, CheckerInfo, Verdict};
use crate::history::{History, OpType};

/// Linearizability of the client ops, unknown on a history with no `ok`.
pub struct Linearizable {
    inner: LinearizabilityChecker,
}

impl Linearizable {
    /// What it judges (the generic checker's name and text).
    pub const INFO: CheckerInfo = LinearizabilityChecker::INFO;

    /// The checker over a map of cas-registers.
    pub fn new() -> Linearizable {
        Linearizable {
            inner: LinearizabilityChecker::new(SpecKind::Kv),
        }
    }
}

impl Default for Linearizable {
    fn default() -> Self {
        Linearizable::new()
    }
}

impl Checker<Event> for Linearizable {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, ctx: &CheckContext) -> Verdict {
        if !history.ops().any(|op| op.kind == OpType::Ok) {
            return Verdict::Unknown {
                reason: "judged nothing: no read, write or cas completed ok".into(),
            };
        }
        self.inner.check(history, ctx)
    }
}
