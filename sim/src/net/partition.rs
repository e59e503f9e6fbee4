//! Partitions as counted blocks on directed links, so that overlapping
//! partitions heal independently.

use faultline_models::NodeId;

/// The set of blocked directed links; each block is counted.
#[derive(Debug, Clone)]
pub struct Partitions {
    n: usize,
    blocked: Vec<u32>,
}

impl Partitions {
    /// No partitions among `n` nodes.
    pub fn new(n: usize) -> Partitions {
        Partitions {
            n,
            blocked: vec![0; n * n],
        }
    }

    /// Whether `from` → `to` is cut.
    pub fn is_blocked(&self, from: NodeId, to: NodeId) -> bool {
        self.blocked[from * self.n + to] > 0
    }

    /// Blocks every pair in `pairs` (once more).
    pub fn block(&mut self, pairs: &[(NodeId, NodeId)]) {
        for &(from, to) in pairs {
            assert!(from != to, "a node cannot be cut from itself");
            self.blocked[from * self.n + to] += 1;
        }
    }

    /// Undoes one `block(pairs)`.
    pub fn unblock(&mut self, pairs: &[(NodeId, NodeId)]) {
        for &(from, to) in pairs {
            let count = &mut self.blocked[from * self.n + to];
            assert!(
                *count > 0,
                "unblocking link {from}->{to} that is not blocked"
            );
            *count -= 1;
        }
    }

    /// Removes every block.
    pub fn clear(&mut self) {
        self.blocked.iter_mut().for_each(|c| *c = 0);
    }
}

/// Directed pairs that cut every group off from every other group.
pub fn between_groups(groups: &[Vec<NodeId>]) -> Vec<(NodeId, NodeId)> {
    let mut pairs = Vec::new();
    for (i, a) in groups.iter().enumerate() {
        for (j, b) in groups.iter().enumerate() {
            if i != j {
                pairs.extend(
                    a.iter()
                        .flat_map(|&x| b.iter().filter(move |&&y| y != x).map(move |&y| (x, y))),
                );
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Directed pairs that drop everything from `from` to `to` (one way).
pub fn one_way(from: &[NodeId], to: &[NodeId]) -> Vec<(NodeId, NodeId)> {
    let mut pairs: Vec<_> = from
        .iter()
        .flat_map(|&x| to.iter().filter(move |&&y| y != x).map(move |&y| (x, y)))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_partitions_heal_independently() {
        let mut p = Partitions::new(3);
        let a = between_groups(&[vec![0], vec![1, 2]]);
        let b = one_way(&[0], &[1]);
        p.block(&a);
        p.block(&b);
        p.unblock(&a);
        assert!(p.is_blocked(0, 1));
        assert!(!p.is_blocked(1, 0));
        assert!(!p.is_blocked(0, 2));
    }

    #[test]
    fn one_way_blocks_one_direction() {
        let mut p = Partitions::new(2);
        p.block(&one_way(&[0], &[1]));
        assert!(p.is_blocked(0, 1));
        assert!(!p.is_blocked(1, 0));
    }
}
