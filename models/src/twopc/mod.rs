//! Two-phase commit: a bank-transfer system with a recovering coordinator.
//!
//! # The protocol (Gray & Lamport, "Consensus on Transaction Commit", ACM
//! # TODS 2006, §2; presumed abort after Mohan, Lindsay & Obermarck, 1986)
//!
//! Coordinators `c1..` serve clients; participants `p1..` are resource
//! managers that own accounts (see [`layout`]). A client asks a coordinator
//! for a transfer; the transfer has one leg per participant it touches:
//! the debit (amount plus fee), the credit, and the fee credited to a third
//! participant's fee ledger.
//!
//! 1. **Begin.** The coordinator forces a begin record to its log, then
//!    sends `Prepare` with each participant's legs.
//! 2. **Prepare.** A participant checks its rows are free (no-wait
//!    locking: a locked row means a no vote, so there are no deadlocks) and
//!    the debited account has the funds, locks the rows, forces a PREPARED
//!    record, and only then votes yes. Any no vote, or a vote missing after
//!    `prepare_timeout_ms`, makes the coordinator abort.
//! 3. **Decide.** With every yes vote the coordinator forces a commit
//!    record, answers the client, and sends `Decision` to every participant,
//!    re-sending every `retry_ms` until each one `Ack`s; then the
//!    transaction is finished and leaves the log. Aborts are logged lazily:
//!    a transaction the log does not know is aborted (presumed abort).
//! 4. **Apply.** A participant applies a commit (balances, outcome, the
//!    PREPARED record's removal in one synced write) or voids an abort,
//!    releases its locks and acks.
//! 5. **Termination.** A prepared participant cannot decide alone: it holds
//!    its locks and every `inquiry_ms` sends `Inquire` to the coordinator
//!    and, with `cooperative_termination`, to the other participants. A
//!    peer that knows the outcome tells it; a peer that never voted refuses
//!    the transaction for good and answers abort. A coordinator with no
//!    record of the transaction answers abort.
//! 6. **Recovery.** A restarted coordinator bumps its durable epoch (so
//!    transaction ids stay unique), aborts the undecided transactions of
//!    its log and re-sends the decided ones. A restarted participant
//!    re-locks the rows of its PREPARED records and asks about them.
//!
//! Messages: [`msg::Msg`]. Durable records: [`coordinator`] (`epoch`,
//! `log`) and [`participant`] (`balances`, `prepared`, `outcome/<txn>`).
//! Events recorded for the checkers: [`event::Event`], sorted for them by
//! [`timeline`].
//!
//! # Checkers and metrics
//!
//! [`atomicity::Atomicity`] (always), [`conservation::Conservation`]
//! (always), [`client_truth::ClientTruth`] (always) and
//! [`termination::Termination`] (eventually), [`progress::Progress`]
//! (progress: transfers commit in quiet windows); [`situations`] names the
//! fault paths a scenario should reach; [`metrics`] reports
//! blocking time, commit latency and aborts by cause.
//!
//! # Variants and the invariant each one breaks
//!
//! - `no-decision-log`: the coordinator keeps its decisions in memory. It
//!   decides commit, one participant applies it, the coordinator crashes;
//!   restarted, it has no record, so the other participant's inquiry gets
//!   "abort": atomicity, client truth and conservation break.
//! - `unilateral-abort`: a prepared participant gives up after
//!   `heuristic_abort_ms` and aborts (XA's heuristic rollback). If the
//!   coordinator had decided commit (its `Decision` lost, partitioned
//!   away, or the coordinator down), the others commit: atomicity breaks.
//! - `early-commit`: the coordinator commits once a majority voted yes. A
//!   late no vote (no funds, locked row) means that participant already
//!   aborted: atomicity and conservation break. Needs three legs
//!   (`fee > 0`): a majority of two is both.
//! - `vote-before-persist`: the PREPARED record sits in the write cache
//!   when the yes vote leaves. A crash that loses unsynced writes makes
//!   the participant forget the transaction and its locks; told to commit,
//!   it has nothing to apply: conservation and atomicity break.
//! - `no-presumed-abort`: a coordinator with no record of a transaction
//!   does not answer inquiries about it. A participant whose abort (written
//!   lazily) was lost in a crash comes back prepared, after the coordinator
//!   forgot the finished transaction; without cooperative termination it
//!   stays in doubt, its rows locked: termination breaks.
//! - `leak-locks`: a participant that aborts a prepared transaction never
//!   releases its row locks. Every abort locks two more accounts for good
//!   until every transfer is refused: progress breaks, safety holds.

pub(crate) mod atomicity;
pub(crate) mod client_truth;
pub(crate) mod conservation;
pub(crate) mod coordinator;
pub(crate) mod event;
pub(crate) mod layout;
pub(crate) mod ledger;
pub(crate) mod metrics;
pub(crate) mod msg;
pub(crate) mod node;
pub(crate) mod op;
pub(crate) mod params;
pub(crate) mod participant;
pub(crate) mod progress;
pub(crate) mod situations;
pub(crate) mod termination;
pub(crate) mod timeline;
pub(crate) mod txn;
pub(crate) mod variant;

#[cfg(test)]
mod coverage_tests;
#[cfg(test)]
mod tests;

pub use event::Event;
pub use layout::Layout;
pub use msg::Msg;
pub use node::TwoPcNode;
pub use op::{Op, Transfer};
pub use params::Params;
pub use variant::Variant;

use crate::check::{CheckContext, Checker, CheckerInfo, Verdict, Violation};
use crate::history::History;
use crate::metric::Metric;
use crate::model::{Model, ModelError, NodeSpec, OpInfo};
use crate::node::NodeId;
use crate::storage::Storage;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// A twopc handler's context.
type Ctx<'a> = crate::node::Ctx<'a, Msg, Event>;

/// Most violations one verdict lists.
pub const VIOLATIONS_MAX: usize = 20;

/// Valid if there are no violations, else invalid with them.
fn verdict_of(violations: Vec<Violation>) -> Verdict {
    if violations.is_empty() {
        Verdict::Valid
    } else {
        Verdict::Invalid { violations }
    }
}

/// As [`verdict_of`], but unknown with `nothing` (what was missing) when
/// the checker had nothing to judge: a checker never passes on nothing.
fn judged_verdict(violations: Vec<Violation>, judged: bool, nothing: &str) -> Verdict {
    if !judged {
        assert!(violations.is_empty(), "violations without anything judged");
        return Verdict::Unknown {
            reason: format!("judged nothing: {nothing}"),
        };
    }
    verdict_of(violations)
}

/// The twopc model: coordinators, participants, transfers.
#[derive(Debug, Clone)]
pub struct TwoPcModel {
    layout: Arc<Layout>,
}

impl TwoPcModel {
    /// The cluster layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
}

fn all_checkers(params: &Params) -> Vec<Box<dyn Checker<Event>>> {
    vec![
        Box::new(atomicity::Atomicity),
        Box::new(conservation::Conservation),
        Box::new(client_truth::ClientTruth),
        Box::new(termination::Termination),
        Box::new(progress::Progress::of(params)),
    ]
}

impl Model for TwoPcModel {
    const NAME: &'static str = "twopc";
    const DESCRIPTION: &'static str =
        "two-phase commit (presumed abort) of bank transfers across participants owning accounts";
    type Params = Params;
    type Variant = Variant;
    const CHECKERS: &'static [CheckerInfo] = &[
        atomicity::Atomicity::INFO,
        conservation::Conservation::INFO,
        client_truth::ClientTruth::INFO,
        termination::Termination::INFO,
        progress::Progress::INFO,
    ];
    /// Roles as announced (`Ctx::set_role`) or laid out (`NodeSpec::role`).
    const ROLES: Option<&'static [&'static str]> = Some(&["coordinator", "participant"]);
    type Node = TwoPcNode;
    type Event = Event;
    type Op = Op;

    fn ops() -> &'static [OpInfo] {
        &[OpInfo {
            name: "transfer",
            description: "move an amount (plus fee) between accounts on different participants: ok {txn} once committed, fail {txn, cause} once aborted",
            default_weight: 1,
        }]
    }

    fn new(variant: Variant, nodes: usize, params: Params) -> Result<Self, ModelError> {
        params.validate(nodes)?;
        let layout = Layout {
            variant,
            coordinators: params.coordinators,
            participants: nodes - params.coordinators,
            params,
        };
        Ok(TwoPcModel {
            layout: Arc::new(layout),
        })
    }

    fn nodes(&self) -> Vec<NodeSpec> {
        let l = &self.layout;
        (0..l.node_count())
            .map(|id| {
                let mut spec = NodeSpec::server(l.name(id), "participant");
                if l.is_coordinator(id) {
                    spec.role = "coordinator";
                } else {
                    spec.serves_clients = false;
                }
                spec
            })
            .collect()
    }

    fn build(&self, id: NodeId, storage: &Storage) -> TwoPcNode {
        TwoPcNode::build(&self.layout, id, storage)
    }

    fn make_op(&mut self, f: &str, rng: &mut ChaCha8Rng) -> Op {
        assert_eq!(f, "transfer", "the twopc model has one op, \"transfer\"");
        Op::Transfer(op::make_transfer(&self.layout, rng))
    }

    fn checkers(&self) -> Vec<Box<dyn Checker<Event>>> {
        all_checkers(&self.layout.params)
    }

    fn situations() -> &'static [crate::check::situation::Situation<Event>] {
        situations::SITUATIONS
    }

    fn metrics(&self, history: &History<Event>, _ctx: &CheckContext) -> Vec<Metric> {
        metrics::metrics(history)
    }
}
