//! The situations raft scenarios are meant to reach ("sometimes"
//! properties, see [`crate::check::situation`]): each `reached` reads the
//! typed events and fault lines of a history.
//!
//! A sweep in which none of its seeds reached, say, `split-vote` did not
//! test what Raft's randomized timeouts are for; `[check] require` makes
//! that a finding.

use super::event::Event;
use crate::check::situation::{first_event, Situation};
use crate::check::CheckContext;
use crate::history::{Entry, FaultChange, FaultKind, History};
use std::collections::{BTreeMap, BTreeSet};

/// The raft model's situations, in the order `run` lists them.
pub const SITUATIONS: &[Situation<Event>] = &[
    Situation {
        name: "leader-crashed-and-replaced",
        description: "a leader crashed in office and another server then won a later term",
        reached: leader_crashed_and_replaced,
    },
    Situation {
        name: "candidate-crashed-with-votes-in-flight",
        description: "a candidate crashed after some server had granted it a vote but before it won",
        reached: candidate_crashed_with_votes,
    },
    Situation {
        name: "split-vote",
        description: "an election term ended with no winner and a later election started",
        reached: split_vote,
    },
    Situation {
        name: "deposed-leader-fenced",
        description: "the resource rejected a write whose token was below the newest it had seen",
        reached: |h, _| first_event(h, |e| matches!(e.event, Event::WorkRejected { .. })),
    },
    Situation {
        name: "lease-expired-under-drift",
        description: "the lock service granted the lease to a new holder while some clock was drifting",
        reached: lease_moved_under_drift,
    },
    Situation {
        name: "restarted-node-rejoined-as-follower",
        description: "a server restarted after a crash and learned of another server's leadership before standing for election",
        reached: rejoined_as_follower,
    },
];

/// Nodes a fault line starts (or ends) a crash of.
fn crash_change(entry: &Entry<Event>) -> Option<(bool, &[usize])> {
    let Entry::Fault(f) = entry else { return None };
    match f.change {
        FaultChange::Start(FaultKind::Crash) => Some((true, &f.nodes)),
        FaultChange::End(FaultKind::Crash) => Some((false, &f.nodes)),
        _ => None,
    }
}

fn leader_crashed_and_replaced(h: &History<Event>, _: &CheckContext) -> Option<usize> {
    let mut leading: BTreeMap<usize, u64> = BTreeMap::new();
    let mut crashed_in: Option<(usize, u64)> = None;
    for (i, entry) in h.entries.iter().enumerate() {
        if let Some((true, nodes)) = crash_change(entry) {
            if let Some((&n, &t)) = leading.iter().find(|(n, _)| nodes.contains(n)) {
                crashed_in = crashed_in.or(Some((n, t)));
            }
            leading.retain(|n, _| !nodes.contains(n));
        }
        let Entry::Event(ev) = entry else { continue };
        match ev.event {
            Event::BecameLeader { term } => {
                if crashed_in.is_some_and(|(n, t)| n != ev.node && term > t) {
                    return Some(i);
                }
                leading.insert(ev.node, term);
            }
            Event::SteppedDown { .. } => {
                leading.remove(&ev.node);
            }
            _ => {}
        }
    }
    None
}

fn candidate_crashed_with_votes(h: &History<Event>, _: &CheckContext) -> Option<usize> {
    // Candidate -> (term, votes granted to it so far).
    let mut running: BTreeMap<usize, (u64, u32)> = BTreeMap::new();
    for (i, entry) in h.entries.iter().enumerate() {
        if let Some((true, nodes)) = crash_change(entry) {
            let voted = |n: &usize| running.get(n).is_some_and(|&(_, v)| v > 0);
            if nodes.iter().any(voted) {
                return Some(i);
            }
            running.retain(|n, _| !nodes.contains(n));
        }
        let Entry::Event(ev) = entry else { continue };
        match ev.event {
            Event::ElectionStarted { term } => {
                running.insert(ev.node, (term, 0));
            }
            Event::VoteGranted { term, candidate } if candidate != ev.node => {
                if let Some((t, votes)) = running.get_mut(&candidate) {
                    *votes += u32::from(*t == term);
                }
            }
            Event::BecameLeader { .. } | Event::LeaderKnown { .. } => {
                running.remove(&ev.node);
            }
            _ => {}
        }
    }
    None
}

fn split_vote(h: &History<Event>, _: &CheckContext) -> Option<usize> {
    let mut won: BTreeSet<u64> = BTreeSet::new();
    let mut contested: BTreeSet<u64> = BTreeSet::new();
    for (i, ev) in h.indexed_events() {
        match ev.event {
            Event::ElectionStarted { term } => {
                let lost = contested.range(..term).any(|t| !won.contains(t));
                if lost {
                    return Some(i);
                }
                contested.insert(term);
            }
            Event::BecameLeader { term } => {
                won.insert(term);
            }
            _ => {}
        }
    }
    None
}

fn lease_moved_under_drift(h: &History<Event>, _: &CheckContext) -> Option<usize> {
    let mut drifting = 0u32;
    let mut holder: Option<usize> = None;
    for (i, entry) in h.entries.iter().enumerate() {
        match entry {
            Entry::Fault(f) => match f.change {
                FaultChange::Start(FaultKind::Drift) => drifting += 1,
                FaultChange::End(FaultKind::Drift) => drifting = drifting.saturating_sub(1),
                FaultChange::Heal => drifting = 0,
                _ => {}
            },
            Entry::Event(ev) => {
                if let Event::LockGranted { holder: new, .. } = ev.event {
                    if drifting > 0 && holder.is_some_and(|old| old != new) {
                        return Some(i);
                    }
                    holder = Some(new);
                }
            }
            Entry::Op(_) => {}
        }
    }
    None
}

fn rejoined_as_follower(h: &History<Event>, _: &CheckContext) -> Option<usize> {
    let mut down: BTreeSet<usize> = BTreeSet::new();
    let mut restarted: BTreeSet<usize> = BTreeSet::new();
    for (i, entry) in h.entries.iter().enumerate() {
        match (crash_change(entry), entry) {
            (Some((true, nodes)), _) => {
                down.extend(nodes);
                restarted.retain(|n| !nodes.contains(n));
            }
            (Some((false, nodes)), _) => {
                let back = nodes.iter().filter(|n| down.contains(n));
                restarted.extend(back.copied().collect::<Vec<_>>());
                down.retain(|n| !nodes.contains(n));
            }
            (None, Entry::Fault(f)) if f.change == FaultChange::Heal => {
                restarted.append(&mut down);
            }
            (None, Entry::Event(ev)) => match ev.event {
                Event::LeaderKnown { leader, .. }
                    if leader != ev.node && restarted.contains(&ev.node) =>
                {
                    return Some(i);
                }
                Event::ElectionStarted { .. } | Event::BecameLeader { .. } => {
                    restarted.remove(&ev.node);
                }
                _ => {}
            },
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::timeline::build::*;
    use super::*;
    use crate::check::situation::reached;

    fn ctx() -> CheckContext {
        CheckContext {
            nodes: vec![],
            heal_us: 100,
            end_us: 200,
        }
    }

    fn when(h: &History<Event>, name: &str) -> Option<usize> {
        let all = reached(SITUATIONS, h, &ctx());
        all.into_iter()
            .find(|r| r.name == name)
            .expect("declared")
            .entry
    }

    #[test]
    fn a_crashed_leader_replaced_in_a_later_term_is_reached() {
        let mut h = history();
        elected(&mut h, 1, N1, 1);
        assert_eq!(when(&h, "leader-crashed-and-replaced"), None);
        fault(&mut h, 5, FaultChange::Start(FaultKind::Crash), &[N1]);
        started(&mut h, 6, N2, 2);
        elected(&mut h, 9, N2, 2);
        assert_eq!(when(&h, "leader-crashed-and-replaced"), Some(4));
        assert_eq!(when(&h, "split-vote"), None, "term 2 was won");
    }

    #[test]
    fn a_term_without_winner_then_a_new_election_is_a_split_vote() {
        let mut h = history();
        started(&mut h, 1, N1, 2);
        started(&mut h, 1, N2, 2);
        assert_eq!(when(&h, "split-vote"), None);
        started(&mut h, 9, N3, 3);
        assert_eq!(when(&h, "split-vote"), Some(2));
    }

    #[test]
    fn a_candidate_crashing_with_a_vote_and_a_restart_rejoining() {
        let mut h = history();
        started(&mut h, 1, N1, 2);
        let vote = Event::VoteGranted {
            term: 2,
            candidate: N1,
        };
        ev(&mut h, 2, N2, vote);
        fault(&mut h, 3, FaultChange::Start(FaultKind::Crash), &[N1]);
        assert_eq!(when(&h, "candidate-crashed-with-votes-in-flight"), Some(2));
        elected(&mut h, 5, N2, 3);
        fault(&mut h, 7, FaultChange::End(FaultKind::Crash), &[N1]);
        assert_eq!(when(&h, "restarted-node-rejoined-as-follower"), None);
        known(&mut h, 8, N1, 3, N2);
        assert_eq!(when(&h, "restarted-node-rejoined-as-follower"), Some(6));
    }

    #[test]
    fn a_lease_moving_while_a_clock_drifts_and_a_rejected_write() {
        let mut h = history();
        let grant = |holder| Event::LockGranted { token: 1, holder };
        ev(&mut h, 1, RESOURCE, grant(N1));
        fault(&mut h, 2, FaultChange::Start(FaultKind::Drift), &[N1]);
        ev(&mut h, 3, RESOURCE, grant(N1));
        assert_eq!(when(&h, "lease-expired-under-drift"), None, "renewal");
        ev(&mut h, 4, RESOURCE, grant(N2));
        assert_eq!(when(&h, "lease-expired-under-drift"), Some(3));
        let rejected = Event::WorkRejected {
            token: 1,
            leader: N1,
            highest: 2,
        };
        assert_eq!(when(&h, "deposed-leader-fenced"), None);
        ev(&mut h, 5, RESOURCE, rejected);
        assert_eq!(when(&h, "deposed-leader-fenced"), Some(4));
    }
}
