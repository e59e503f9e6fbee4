//! Which nodes have work they can do now, as a bitset.
//!
//! Nodes take turns in id order, so after every event the engine asks for
//! the lowest node with work. Scanning every slot for it was ~5% of a small
//! raft run; the world keeps this set in step with each slot instead (see
//! `World::refresh_busy`).

use faultline_models::NodeId;

/// A set of node ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusySet {
    words: Vec<u64>,
}

impl BusySet {
    /// An empty set for `n` nodes.
    pub fn new(n: usize) -> Self {
        BusySet {
            words: vec![0; n.div_ceil(64)],
        }
    }

    /// Puts `id` in the set or takes it out.
    pub fn set(&mut self, id: NodeId, busy: bool) {
        let (word, bit) = (id / 64, 1u64 << (id % 64));
        if busy {
            self.words[word] |= bit;
        } else {
            self.words[word] &= !bit;
        }
    }

    /// The lowest id in the set.
    pub fn first(&self) -> Option<NodeId> {
        self.words
            .iter()
            .position(|&w| w != 0)
            .map(|i| i * 64 + self.words[i].trailing_zeros() as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_is_the_lowest_member_across_words() {
        let mut s = BusySet::new(130);
        assert_eq!(s.first(), None);
        s.set(129, true);
        s.set(70, true);
        assert_eq!(s.first(), Some(70));
        s.set(3, true);
        assert_eq!(s.first(), Some(3));
        s.set(3, false);
        s.set(70, false);
        assert_eq!(s.first(), Some(129));
        s.set(129, false);
        assert_eq!(s.first(), None);
    }
}
