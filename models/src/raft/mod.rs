//! Raft leader election, and the TTL-lease "leader election" it is often
//! replaced with, judged by what leadership is for: exclusive work.
//!
//! # The algorithm (Ongaro & Ousterhout, "In Search of an Understandable
//! # Consensus Algorithm", USENIX ATC 2014)
//!
//! Time is divided into numbered *terms*; each term has at most one leader
//! (§5.1). A follower that hears nothing for a randomized *election
//! timeout* becomes a candidate: it increments its term, votes for itself
//! and sends `RequestVote` to every server (§5.2). A server grants at most
//! one vote per term, first come first served, and only to a candidate
//! whose log is at least as *up to date* as its own: later last-entry term
//! wins, then longer log (§5.4.1). A candidate with votes from a majority
//! becomes leader and sends empty `AppendEntries` (heartbeats) to hold off
//! new elections. Any server that sees a higher term adopts it and becomes
//! a follower. `currentTerm` and `votedFor` are persisted before a server
//! answers (Figure 2), so a restart cannot make it vote twice in a term.
//! Randomized timeouts make split votes rare; §9.3 measures how long a
//! cluster is leaderless after the leader crashes, which `downtime_ms`
//! reproduces.
//!
//! This model is election only: logs are static (`Params::log_lengths`)
//! and serve the up-to-date check; nothing is replicated.
//!
//! # Exclusive work and fencing
//!
//! A leader writes periodically to a shared "resource" (see [`work`]),
//! stamping each write with its term. Between checking that it leads and
//! the write landing lies `work_duration_ms` in which it may have been
//! deposed. The fenced resource rejects tokens below the highest it has
//! seen (Kleppmann, "How to do distributed locking", 2016).
//!
//! # Lease variants
//!
//! Instead of voting, servers race for a TTL lock held by a "lock" node
//! (Redis `SET NX PX`, an etcd lease; Gray & Cheriton, "Leases", 1989). A
//! holder believes it leads while its own clock says the lease lasts, so a
//! stop-the-world pause or a drifting clock yields two writers; only the
//! fencing token makes that safe.
//!
//! # Files
//!
//! [`params`], [`variant`], [`layout`] (who is who), [`msg`] (the one
//! message enum), [`event`] (the one event enum), [`node`] (the node enum and the client op), [`server`]
//! (Raft), [`lease`], [`lock`], [`resource`], [`work`]; the checkers
//! [`safety`], [`liveness`], [`fencing`] over a sorted [`timeline`], and
//! [`progress`] (the client's `leader` op answered in quiet windows); the
//! [`situations`] its scenarios are meant to reach; and [`metrics`].

pub(crate) mod event;
pub(crate) mod fencing;
pub(crate) mod layout;
pub(crate) mod lease;
pub(crate) mod liveness;
pub(crate) mod lock;
pub(crate) mod metrics;
pub(crate) mod msg;
pub(crate) mod node;
pub(crate) mod params;
pub(crate) mod progress;
pub(crate) mod resource;
pub(crate) mod safety;
pub(crate) mod server;
pub(crate) mod situations;
pub(crate) mod timeline;
pub(crate) mod variant;
pub(crate) mod work;

#[cfg(test)]
mod tests;

pub use event::Event;
pub use fencing::FencedWork;
pub use layout::Layout;
pub use liveness::LeaderLiveness;
pub use msg::Msg;
pub use node::{Op, RaftNode};
pub use params::Params;
pub use progress::LeaderOpProgress;
pub use safety::ElectionSafety;
pub use variant::Variant;

use crate::check::situation::Situation;
use crate::check::{CheckContext, Checker, CheckerInfo};
use crate::history::History;
use crate::metric::Metric;
use crate::model::{Model, ModelError, NodeSpec, OpInfo};
use crate::node::NodeId;
use crate::storage::Storage;
use layout::server_name;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// The raft model: Raft leader election or a TTL lease, plus a resource.
#[derive(Debug, Clone)]
pub struct RaftModel {
    layout: Arc<Layout>,
}

impl RaftModel {
    /// The cluster layout (variant, server count, params).
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    fn server_names(&self) -> Vec<String> {
        (0..self.layout.servers).map(server_name).collect()
    }
}

impl Model for RaftModel {
    const NAME: &'static str = "raft";
    const DESCRIPTION: &'static str =
        "Raft leader election (or a TTL lease) guarding exclusive writes to a shared resource";
    type Params = Params;
    type Variant = Variant;
    const CHECKERS: &'static [CheckerInfo] = &[
        ElectionSafety::INFO,
        LeaderLiveness::INFO,
        FencedWork::INFO,
        LeaderOpProgress::INFO,
    ];
    /// Roles as announced (`Ctx::set_role`) or laid out (`NodeSpec::role`).
    const ROLES: Option<&'static [&'static str]> =
        Some(&["follower", "candidate", "leader", "resource", "lock"]);
    type Node = RaftNode;
    type Op = Op;
    type Event = Event;

    fn ops() -> &'static [OpInfo] {
        &[OpInfo {
            name: "leader",
            description: "ask a server who leads: ok with {leader, term} if it knows, else fail",
            default_weight: 1,
        }]
    }

    fn new(variant: Variant, servers: usize, params: Params) -> Result<Self, ModelError> {
        params.validate(servers)?;
        let layout = Layout {
            variant,
            servers,
            params,
        };
        Ok(RaftModel {
            layout: Arc::new(layout),
        })
    }

    fn nodes(&self) -> Vec<NodeSpec> {
        let mut nodes: Vec<NodeSpec> = (0..self.layout.servers)
            .map(|id| NodeSpec::server(server_name(id), "follower"))
            .collect();
        nodes.push(NodeSpec::helper("resource", "resource"));
        if self.layout.lock().is_some() {
            nodes.push(NodeSpec::helper("lock", "lock"));
        }
        assert_eq!(
            nodes.len(),
            self.layout.node_count(),
            "layout and node list agree"
        );
        nodes
    }

    fn build(&self, id: NodeId, storage: &Storage) -> RaftNode {
        RaftNode::build(&self.layout, id, storage)
    }

    fn make_op(&mut self, f: &str, _rng: &mut ChaCha8Rng) -> Op {
        assert_eq!(f, "leader", "the raft model has one op, \"leader\"");
        Op::Leader
    }

    fn checkers(&self) -> Vec<Box<dyn Checker<Event>>> {
        vec![
            Box::new(ElectionSafety),
            Box::new(LeaderLiveness::new(self.server_names())),
            Box::new(FencedWork),
            Box::new(LeaderOpProgress::new(&self.layout.params)),
        ]
    }

    fn situations() -> &'static [Situation<Event>] {
        situations::SITUATIONS
    }

    fn metrics(&self, history: &History<Event>, _ctx: &CheckContext) -> Vec<Metric> {
        metrics::metrics(history, &self.layout)
    }
}
