//! Whom a fault hits, resolved when it applies.

use faultline_models::NodeId;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// A fault's target.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// These nodes.
    Nodes(Vec<NodeId>),
    /// Every live node that announced this role (e.g. "leader").
    Role(String),
    /// One random faultable node.
    Random,
    /// One random live node with this role (e.g. "random-follower").
    RandomRole(String),
    /// Every faultable node.
    All,
}

/// What target resolution may see of the cluster.
pub struct View<'a> {
    /// Each node's current role, if it announced one.
    pub roles: &'a [Option<&'static str>],
    /// Which nodes faults may hit.
    pub faultable: &'a [bool],
    /// Which nodes are up (not crashed).
    pub alive: &'a [bool],
}

impl Target {
    /// Parses a target word: a node name, "random", "all", "random-<role>" or a role.
    pub fn parse(word: &str, names: &[String]) -> Target {
        if let Some(id) = names.iter().position(|n| n == word) {
            return Target::Nodes(vec![id]);
        }
        match word {
            "random" => Target::Random,
            "all" => Target::All,
            _ => match word.strip_prefix("random-") {
                Some(role) => Target::RandomRole(role.to_string()),
                None => Target::Role(word.to_string()),
            },
        }
    }

    /// The nodes this target means now.
    pub fn resolve(&self, view: &View<'_>, rng: &mut ChaCha8Rng) -> Vec<NodeId> {
        let n = view.faultable.len();
        let pick = |ids: Vec<NodeId>, rng: &mut ChaCha8Rng| {
            ids.choose(rng).map(|&i| vec![i]).unwrap_or_default()
        };
        let with_role = |role: &str| {
            (0..n)
                .filter(|&i| view.alive[i] && view.roles[i] == Some(role))
                .collect::<Vec<_>>()
        };
        match self {
            Target::Nodes(ids) => ids.clone(),
            Target::Role(role) => with_role(role),
            Target::Random => pick((0..n).filter(|&i| view.faultable[i]).collect(), rng),
            Target::RandomRole(role) => pick(with_role(role), rng),
            Target::All => (0..n).filter(|&i| view.faultable[i]).collect(),
        }
    }
}
