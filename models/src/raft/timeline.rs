//! The raft model's protocol events, sorted by kind.
//!
//! Checkers and metrics read these lists rather than the whole history.
//! Each [`Mark`] keeps its index into `History::entries` so violations can
//! point at lines. Building it is one `match` per event: nothing is parsed
//! or cloned.

use super::event::Event;
use crate::history::History;

/// One event of a kind the checkers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// Index into `History::entries`.
    pub index: usize,
    /// Simulated time.
    pub time_us: u64,
    /// The node that recorded it (index into `History::nodes`).
    pub node: usize,
    /// Its term (or fencing token).
    pub term: u64,
    /// The leader it names (`leader_known`, `work_accepted`), if any.
    pub leader: Option<usize>,
}

/// A history's raft events, by kind, each in history order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    /// `election_started`.
    pub started: Vec<Mark>,
    /// `became_leader`.
    pub elected: Vec<Mark>,
    /// `stepped_down`.
    pub stepped_down: Vec<Mark>,
    /// `leader_known`.
    pub known: Vec<Mark>,
}

/// The `work_accepted` events of `history` as marks (term = the write's
/// token), one at a time: a day of fenced work is ~10 per second, and a
/// list of them held beside the history doubled a long run's memory.
pub fn accepted(history: &History<Event>) -> impl Iterator<Item = Mark> + '_ {
    history
        .indexed_events()
        .filter_map(|(index, ev)| match ev.event {
            Event::WorkAccepted { token, leader } => Some(Mark {
                index,
                time_us: ev.time_us,
                node: ev.node,
                term: token,
                leader: Some(leader),
            }),
            _ => None,
        })
}

impl Timeline {
    /// Sorts `history`'s events.
    pub fn of(history: &History<Event>) -> Timeline {
        let mut t = Timeline::default();
        for (index, ev) in history.indexed_events() {
            let mark = |term, leader| Mark {
                index,
                time_us: ev.time_us,
                node: ev.node,
                term,
                leader,
            };
            match ev.event {
                Event::ElectionStarted { term } => t.started.push(mark(term, None)),
                Event::BecameLeader { term } => t.elected.push(mark(term, None)),
                Event::SteppedDown { term } => t.stepped_down.push(mark(term, None)),
                Event::LeaderKnown { term, leader } => t.known.push(mark(term, Some(leader))),
                Event::WorkAccepted { .. }
                | Event::VoteGranted { .. }
                | Event::WorkRejected { .. }
                | Event::LockGranted { .. } => {}
            }
        }
        t
    }
}

#[cfg(test)]
pub mod build {
    //! Hand-built histories for the checkers' and metrics' tests, over the
    //! nodes n1, n2, n3 (indices 0, 1, 2) and "resource" (3).

    use super::super::event::Event;
    use crate::history::{Entry, EventEntry, FaultChange, FaultEntry, History};
    use crate::name::Name;

    /// n1.
    pub const N1: usize = 0;
    /// n2.
    pub const N2: usize = 1;
    /// n3.
    pub const N3: usize = 2;
    /// The resource.
    pub const RESOURCE: usize = 3;

    /// An empty history of n1, n2, n3 and the resource.
    pub fn history() -> History<Event> {
        let names = ["n1", "n2", "n3", "resource"];
        History::with_nodes(names.map(Name::from_static).to_vec())
    }

    /// Appends `event` at `time_us` on `node`.
    pub fn ev(h: &mut History<Event>, time_us: u64, node: usize, event: Event) {
        h.push(Entry::Event(EventEntry {
            time_us,
            node,
            event,
        }));
    }

    /// Appends `election_started`.
    pub fn started(h: &mut History<Event>, time_us: u64, node: usize, term: u64) {
        ev(h, time_us, node, Event::ElectionStarted { term });
    }

    /// Appends `stepped_down`.
    pub fn stepped_down(h: &mut History<Event>, time_us: u64, node: usize, term: u64) {
        ev(h, time_us, node, Event::SteppedDown { term });
    }

    /// Appends `became_leader` plus the leader's own `leader_known`.
    pub fn elected(h: &mut History<Event>, time_us: u64, node: usize, term: u64) {
        ev(h, time_us, node, Event::BecameLeader { term });
        known(h, time_us, node, term, node);
    }

    /// Appends `leader_known`.
    pub fn known(h: &mut History<Event>, time_us: u64, node: usize, term: u64, leader: usize) {
        ev(h, time_us, node, Event::LeaderKnown { term, leader });
    }

    /// Appends a fault line touching `nodes`.
    pub fn fault(h: &mut History<Event>, time_us: u64, change: FaultChange, nodes: &[usize]) {
        let line = FaultEntry::new(time_us, change, nodes.to_vec());
        h.push(Entry::Fault(Box::new(line)));
    }

    /// Appends a fault line cutting (or restoring) the directed `pairs`.
    pub fn cut(
        h: &mut History<Event>,
        time_us: u64,
        change: FaultChange,
        pairs: &[(usize, usize)],
    ) {
        let mut line = FaultEntry::new(time_us, change, vec![]);
        line.pairs = pairs.to_vec();
        h.push(Entry::Fault(Box::new(line)));
    }
}

#[cfg(test)]
mod tests {
    use super::build::*;
    use super::*;

    #[test]
    fn sorts_terms_tokens_and_leaders() {
        let mut h = history();
        elected(&mut h, 5, N1, 2);
        let write = Event::WorkAccepted {
            token: 2,
            leader: N1,
        };
        ev(&mut h, 6, RESOURCE, write);
        let vote = Event::VoteGranted {
            term: 3,
            candidate: N3,
        };
        ev(&mut h, 7, N2, vote);
        let t = Timeline::of(&h);
        assert_eq!(t.elected.len(), 1);
        assert_eq!(t.known[0].leader, Some(N1));
        let work: Vec<_> = accepted(&h).collect();
        assert_eq!((work[0].index, work[0].term), (2, 2));
        assert!(t.started.is_empty(), "a vote is no election");
    }
}
