//! A protocol as the engine sees it: nodes, workload, checkers, variants.
//!
//! Implement [`Model`] in any crate and register it with the engine's
//! registry to run it with Faultline's network, faults, checkers, sweeps and
//! reports. The bundled protocols use nothing more than this.

use crate::check::situation::Situation;
use crate::check::{CheckContext, Checker, CheckerInfo};
use crate::history::{Event, History};
use crate::metric::Metric;
use crate::node::{Node, NodeId};
use crate::storage::Storage;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

/// One node of the cluster as the model lays it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpec {
    /// Unique name, e.g. "n1" or "resource".
    pub name: String,
    /// The initial role label, e.g. "follower" or "resource".
    pub role: &'static str,
    /// Whether random faults (nemesis) may hit it.
    pub faultable: bool,
    /// Whether client requests may be routed to it.
    pub serves_clients: bool,
}

impl NodeSpec {
    /// A faultable node that serves clients.
    pub fn server(name: String, role: &'static str) -> NodeSpec {
        NodeSpec {
            name,
            role,
            faultable: true,
            serves_clients: true,
        }
    }

    /// A helper node (e.g. a shared resource) that faults and clients skip.
    pub fn helper(name: &str, role: &'static str) -> NodeSpec {
        NodeSpec {
            name: name.to_string(),
            role,
            faultable: false,
            serves_clients: false,
        }
    }
}

/// A named version of the protocol: the correct one or a real mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariantInfo {
    /// Name used in scenario files, e.g. "forget-vote".
    pub name: &'static str,
    /// The mistake (or its absence), in a sentence.
    pub description: &'static str,
    /// False for a buggy variant.
    pub correct: bool,
}

/// A client operation kind the workload can issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpInfo {
    /// Name used in `[workload.mix]`, e.g. "read".
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Weight in the default mix.
    pub default_weight: u32,
}

/// A model rejected its configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// No variant of that name.
    #[error("unknown variant {found:?}; expected one of: {expected}")]
    UnknownVariant {
        /// What the scenario said.
        found: String,
        /// The variants there are, comma-separated.
        expected: String,
    },
    /// A parameter is out of range or inconsistent.
    #[error("{0}")]
    Invalid(String),
    /// The parameter `key` of `[protocol.params]` is out of range.
    #[error("{message}")]
    Param {
        /// The key, e.g. "election_timeout_ms_min".
        key: String,
        /// What was wrong and what was expected.
        message: String,
    },
}

/// A protocol: its nodes, workload, checkers and variants.
pub trait Model: Sized + Send + Sync + 'static {
    /// Name used in scenario files, e.g. "raft".
    const NAME: &'static str;
    /// One sentence on what it is.
    const DESCRIPTION: &'static str;
    /// The protocol's variants (declared with [`crate::variants!`]).
    type Variant: crate::variant::Variant;
    /// The `[protocol.params]` table; unknown keys must be rejected.
    type Params: DeserializeOwned + Serialize + Default + Clone + Debug + Send + Sync;
    /// The node state machine (all roles).
    type Node: Node<Op = Self::Op, Event = Self::Event>;
    /// The protocol's events (its own enum; see [`crate::history::Event`]).
    type Event: Event;
    /// A client operation.
    type Op: Clone + Debug + Serialize + Send + 'static;

    /// The client operations, with default weights.
    fn ops() -> &'static [OpInfo];
    /// Every checker [`Model::checkers`] may build, whatever the variant and
    /// parameters.
    const CHECKERS: &'static [CheckerInfo];
    /// Every role a node of this protocol may ever announce (`Ctx::role`),
    /// so that a fault target naming another (`"leadr"`) is an error when
    /// the scenario loads instead of a fault that never applies. `None`
    /// (the default) means not declared: any role word is accepted;
    /// `Some(&[])` means the nodes announce no role at all.
    const ROLES: Option<&'static [&'static str]> = None;
    /// Builds the model for `variant` with `servers` server nodes.
    fn new(
        variant: Self::Variant,
        servers: usize,
        params: Self::Params,
    ) -> Result<Self, ModelError>;
    /// The cluster layout; `NodeId` indexes this list.
    fn nodes(&self) -> Vec<NodeSpec>;
    /// Builds node `id` from its durable storage (empty on first start).
    fn build(&self, id: NodeId, storage: &Storage) -> Self::Node;
    /// Makes a client operation of kind `f` (one of `ops()`).
    fn make_op(&mut self, f: &str, rng: &mut ChaCha8Rng) -> Self::Op;
    /// Picks the node a client sends `op` to, among `servers`.
    fn route(&self, op: &Self::Op, servers: &[NodeId], rng: &mut ChaCha8Rng) -> NodeId {
        let _ = op;
        servers[rng.gen_range(0..servers.len())]
    }
    /// The checkers to run on every history.
    fn checkers(&self) -> Vec<Box<dyn Checker<Self::Event>>>;
    /// The situations this protocol's scenarios are meant to reach (see
    /// [`crate::check::situation`]); none by default.
    fn situations() -> &'static [Situation<Self::Event>] {
        &[]
    }
    /// Protocol-specific metrics derived from the history.
    fn metrics(&self, history: &History<Self::Event>, ctx: &CheckContext) -> Vec<Metric> {
        let _ = (history, ctx);
        Vec::new()
    }
}

/// Builds model `M` for the variant named `variant` (see [`Model::new`]):
/// for tests and tools that name variants as scenario files do.
pub fn named<M: Model>(variant: &str, servers: usize, params: M::Params) -> Result<M, ModelError> {
    use crate::variant::Variant as _;
    M::new(M::Variant::parse(variant)?, servers, params)
}
