//! A Dynamo-style replicated key-value store with quorums and read repair.
//!
//! # The algorithm (DeCandia et al., "Dynamo: Amazon's Highly Available
//! # Key-value Store", SOSP 2007, §4.5–4.7)
//!
//! Each key lives on N servers, its preference list ([`layout`]). Any
//! server coordinates a client's request ([`coordinator`]): a read asks
//! all N replicas and answers after R replies with the newest version; a
//! write stores on all N and answers after W acknowledgements. With
//! R + W > N every read quorum meets every write quorum. Versions
//! ([`version`]) are per-key logical timestamps with a node tie-break; a
//! write first asks a read quorum for the newest timestamp, so a write that
//! begins after another finished always wins. Stale replicas are fixed by
//! **read repair**, either blocking (write the newest back to W replicas
//! before answering: then reads and writes are linearizable, the
//! multi-writer register of Attiya, Bar-Noy & Dolev, "Sharing memory
//! robustly in message-passing systems", JACM 1995) or asynchronous
//! (Dynamo's: cheaper, but two reads in sequence can see new then old).
//! Optional [`handoff`] (hinted handoff) and [`anti_entropy`] (a digest
//! exchange) repair replicas that missed writes.
//!
//! Compare-and-set runs as "read a quorum, compare, write": not atomic, so
//! two concurrent cas ops on a key can both succeed. That is why the
//! default workload mix has no cas; a mix with cas shows the finding.
//!
//! # What an acknowledgement promises
//!
//! Versions are unique per write, and a replica answers a `Store` with
//! exactly the version it holds or the newer item it kept
//! ([`msg::Ack`]); both count towards W, as in ABD. With R + W > N an
//! acknowledged write is linearizable and never lost, even when a
//! concurrent newer write superseded it everywhere before it landed (see
//! [`coordinator`] for why); with R + W <= N nothing is promised.
//!
//! # What is checked
//!
//! - `linearizable` (always): the client ops against a map of
//!   cas-registers ([`linearizable`]; unknown when no op completed ok).
//!   Expected to fail with R + W <= N, with async or no read repair, with
//!   cas in the mix, and for the buggy variants.
//! - `no-lost-writes` (always; only when R + W > N): see [`lost_writes`].
//! - `convergence` (eventually): see [`convergence`].
//! - `progress`: reads and writes succeed in fault-free stretches; see
//!   [`progress`].
//! - both safety checkers of replica state read the replicas' `stored`
//!   and `restored` events ([`event`]).
//! - situations ([`situations`]): a cas that succeeded or failed on its
//!   compare, a read repair, a delivered hint, an anti-entropy repair.
//! - metrics ([`metrics`]): latency per op, stale reads, and PBS
//!   t-visibility (Bailis et al., VLDB 2012).
//!
//! # Variants
//!
//! `lww-wall-clock` (versions from the coordinator's skewed clock),
//! `repair-overwrites-newer` (a replica applies a repair over a newer
//! version), `sloppy-ack` (a write acknowledged after one replica, not W),
//! `tied-versions` (versions without a tie-break, and an equal version of
//! another value acknowledged as stored), `timeout-units` (the request
//! timeout armed in µs: safe, but nothing ever succeeds). Each has a
//! scenario under `scenarios/quorum/` that pins it to one checker.

pub(crate) mod anti_entropy;
pub(crate) mod client_ops;
pub(crate) mod convergence;
pub(crate) mod coordinator;
pub(crate) mod event;
pub(crate) mod handoff;
pub(crate) mod layout;
pub(crate) mod linearizable;
pub(crate) mod lost_writes;
pub(crate) mod metrics;
pub(crate) mod msg;
pub(crate) mod node;
pub(crate) mod params;
pub(crate) mod progress;
pub(crate) mod replica;
pub(crate) mod situations;
pub(crate) mod variant;
pub(crate) mod version;
pub(crate) mod workload;

#[cfg(test)]
mod tests;

pub use convergence::Convergence;
pub use event::Event;
pub use layout::Layout;
pub use linearizable::Linearizable;
pub use lost_writes::LostWrites;
pub use msg::Msg;
pub use node::QuorumNode;
pub use params::{Params, ReadRepair};
pub use progress::Progress;
pub use variant::Variant;
pub use workload::Op;

use crate::check::situation::Situation;
use crate::check::{CheckContext, Checker, CheckerInfo};
use crate::history::History;
use crate::metric::Metric;
use crate::model::{Model, ModelError, NodeSpec, OpInfo};
use crate::node::NodeId;
use crate::storage::Storage;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;
use workload::Generator;

/// A quorum handler's context: the store's messages and events.
type Ctx<'a> = crate::node::Ctx<'a, Msg, Event>;

/// The quorum model.
#[derive(Debug)]
pub struct QuorumModel {
    layout: Arc<Layout>,
    generator: Generator,
}

impl QuorumModel {
    /// The cluster layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    fn all_checkers(&self, strict: bool) -> Vec<Box<dyn Checker<Event>>> {
        let mut checkers: Vec<Box<dyn Checker<Event>>> = vec![Box::new(Linearizable::new())];
        if strict {
            checkers.push(Box::new(LostWrites::new(self.layout.clone())));
        }
        checkers.push(Box::new(Convergence::new(self.layout.clone())));
        checkers.push(Box::new(Progress::new(&self.layout.params)));
        checkers
    }
}

const OPS: &[OpInfo] = &[
    OpInfo {
        name: "read",
        description: "read a key: ok with its value (null when absent)",
        default_weight: 1,
    },
    OpInfo {
        name: "write",
        description: "write a fresh value to a key: ok after W acks, fail if no version could be chosen, info on timeout",
        default_weight: 1,
    },
    OpInfo {
        name: "cas",
        description: "compare-and-set [expected, new]: fail when the value differs; not atomic across coordinators (off by default)",
        default_weight: 0,
    },
];

impl Model for QuorumModel {
    const NAME: &'static str = "quorum";
    const DESCRIPTION: &'static str =
        "Dynamo-style replicated key-value store: N/R/W quorums, read repair, hinted handoff, anti-entropy";
    type Params = Params;
    type Variant = Variant;
    const CHECKERS: &'static [CheckerInfo] = &[
        Linearizable::INFO,
        LostWrites::INFO,
        Convergence::INFO,
        Progress::INFO,
    ];
    /// Roles as announced (`Ctx::set_role`) or laid out (`NodeSpec::role`).
    const ROLES: Option<&'static [&'static str]> = Some(&["replica"]);
    type Node = QuorumNode;
    type Op = Op;
    type Event = Event;

    fn ops() -> &'static [OpInfo] {
        OPS
    }
    fn new(variant: Variant, servers: usize, params: Params) -> Result<Self, ModelError> {
        params.validate(servers)?;
        let layout = Layout {
            variant,
            servers,
            params,
        };
        Ok(QuorumModel {
            layout: Arc::new(layout),
            generator: Generator::default(),
        })
    }
    fn nodes(&self) -> Vec<NodeSpec> {
        (0..self.layout.servers)
            .map(|id| NodeSpec::server(layout::server_name(id), "replica"))
            .collect()
    }
    fn build(&self, id: NodeId, storage: &Storage) -> QuorumNode {
        QuorumNode::new(self.layout.clone(), id, storage)
    }
    fn make_op(&mut self, f: &str, rng: &mut ChaCha8Rng) -> Op {
        self.generator.make(f, self.layout.params.keys, rng)
    }
    fn checkers(&self) -> Vec<Box<dyn Checker<Event>>> {
        self.all_checkers(self.layout.params.strict_quorums())
    }
    fn situations() -> &'static [Situation<Event>] {
        situations::SITUATIONS
    }
    fn metrics(&self, history: &History<Event>, _ctx: &CheckContext) -> Vec<Metric> {
        metrics::metrics(history)
    }
}
