//! Checker "leader-liveness": after heal, within the convergence bound, the
//! cluster settles on one leader that every server knows (Raft §5.2:
//! elections eventually succeed when timeouts are randomized and the
//! network is whole).
//!
//! The rule: there is an instant in `[heal_us, end_us]` at which every
//! server's latest knowledge names the same leader for the same term.
//! A server's knowledge is set by `leader_known` / `became_leader`, and
//! cleared by `election_started` (it is a candidate), by `stepped_down` of
//! itself as leader, and by a crash (a fault entry naming it). A leader
//! elected before heal that stays in office counts (the instant is heal
//! itself). A network that stays lossy after heal may trigger a fresh
//! election later; that is not a liveness failure once the cluster has
//! converged. The lease variants record the same events with the fencing
//! token as the term, so the same rule applies to them.

use super::event::Event;
use super::safety::VIOLATIONS_MAX;
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::{Entry, FaultChange, FaultKind, History};

/// Leader liveness over the named servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderLiveness {
    /// Sorted by name, as violations list them.
    servers: Vec<String>,
}

/// What each server believes, by its place in `LeaderLiveness::servers`:
/// (term, leader), or None (candidate, down, or never heard of).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Beliefs {
    /// History node index -> place in `of`, for the servers.
    place: Vec<Option<usize>>,
    /// Each server's belief.
    of: Vec<Option<(u64, usize)>>,
}

impl Beliefs {
    /// Nobody knows anything yet; `servers` named as in `history`.
    fn new(servers: &[String], history: &History<Event>) -> Beliefs {
        let mut place = vec![None; history.nodes.len()];
        for (i, s) in servers.iter().enumerate() {
            if let Some(n) = history.node_index(s) {
                place[n] = Some(i);
            }
        }
        Beliefs {
            place,
            of: vec![None; servers.len()],
        }
    }

    fn slot(&mut self, node: usize) -> Option<&mut Option<(u64, usize)>> {
        let i = (*self.place.get(node)?)?;
        Some(&mut self.of[i])
    }

    fn agreed(&self) -> bool {
        let mut all = self.of.iter();
        let Some(Some(first)) = all.next() else {
            return false;
        };
        all.all(|b| b.as_ref() == Some(first))
    }

    fn apply(&mut self, entry: &Entry<Event>) {
        match entry {
            Entry::Event(ev) => {
                let node = ev.node;
                let Some(slot) = self.slot(node) else {
                    return;
                };
                match ev.event {
                    Event::LeaderKnown { term, leader } => *slot = Some((term, leader)),
                    Event::BecameLeader { term } => *slot = Some((term, node)),
                    Event::ElectionStarted { .. } => *slot = None,
                    Event::SteppedDown { .. } => {
                        if slot.is_some_and(|(_, l)| l == node) {
                            *slot = None;
                        }
                    }
                    Event::VoteGranted { .. }
                    | Event::WorkAccepted { .. }
                    | Event::WorkRejected { .. }
                    | Event::LockGranted { .. } => {}
                }
            }
            Entry::Fault(f) => match f.change {
                FaultChange::Start(FaultKind::Crash) => {
                    for &n in &f.nodes {
                        if let Some(slot) = self.slot(n) {
                            *slot = None;
                        }
                    }
                }
                // A paused, cut-off or skewed server keeps what it knew.
                FaultChange::Start(
                    FaultKind::Pause
                    | FaultKind::Partition
                    | FaultKind::OneWay
                    | FaultKind::Skew
                    | FaultKind::Drift
                    | FaultKind::Loss
                    | FaultKind::Duplicate,
                )
                | FaultChange::End(_)
                | FaultChange::Heal
                | FaultChange::Other(_) => {}
            },
            Entry::Op(_) => {}
        }
    }
}

impl LeaderLiveness {
    /// A checker over `servers` (the raft servers, not helper nodes).
    pub fn new(mut servers: Vec<String>) -> LeaderLiveness {
        assert!(!servers.is_empty(), "liveness over no servers");
        servers.sort();
        servers.dedup();
        LeaderLiveness { servers }
    }

    /// The first instant at or after heal when every server agreed.
    fn converged_at(&self, history: &History<Event>, heal_us: u64) -> (Option<u64>, Beliefs) {
        let mut beliefs = Beliefs::new(&self.servers, history);
        for entry in &history.entries {
            let time_us = entry.time_us();
            if time_us > heal_us && beliefs.agreed() {
                return (Some(heal_us), beliefs);
            }
            beliefs.apply(entry);
            if time_us >= heal_us && beliefs.agreed() {
                return (Some(time_us), beliefs);
            }
        }
        let at_end = beliefs.agreed().then_some(heal_us);
        (at_end, beliefs)
    }
}

impl LeaderLiveness {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "leader-liveness",
        property: Property::Eventually,
        description:
            "after heal, within the bound, every server knows the same leader of the same term",
    };
}

impl Checker<Event> for LeaderLiveness {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, ctx: &CheckContext) -> Verdict {
        let (at, beliefs) = self.converged_at(history, ctx.heal_us);
        if at.is_some() {
            return Verdict::Valid;
        }
        let mut violations: Vec<Violation> = self
            .servers
            .iter()
            .zip(&beliefs.of)
            .map(|(s, b)| Violation {
                message: match b {
                    Some((t, l)) => {
                        format!("{s} believes {} leads term {t}", history.node_name(*l))
                    }
                    None => format!("{s} knows no leader"),
                },
                time_us: Some(ctx.end_us),
                entries: Vec::new(),
            })
            .collect();
        violations.insert(
            0,
            Violation {
                message:
                    "no instant after heal at which every server knew the same leader; at the end:"
                        .into(),
                time_us: Some(ctx.end_us),
                entries: Vec::new(),
            },
        );
        violations.truncate(VIOLATIONS_MAX);
        Verdict::Invalid { violations }
    }
}

#[cfg(test)]
mod tests {
    use super::super::timeline::build::*;
    use super::*;

    fn check(h: &History<Event>) -> Verdict {
        let servers = ["n1", "n2", "n3"].map(String::from).to_vec();
        let ctx = CheckContext {
            nodes: servers.clone(),
            heal_us: 50,
            end_us: 100,
        };
        LeaderLiveness::new(servers).check(h, &ctx)
    }

    fn settled() -> History<Event> {
        let mut h = history();
        elected(&mut h, 10, N1, 2); // before heal: still counts
        known(&mut h, 11, N2, 2, N1);
        known(&mut h, 11, N3, 2, N1);
        h
    }

    fn first_message(v: Verdict) -> String {
        match v {
            Verdict::Invalid { violations } => violations[0].message.clone(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_stable_leader_known_to_all_passes() {
        assert_eq!(check(&settled()), Verdict::Valid);
    }

    #[test]
    fn no_leader_fails() {
        let mut h = history();
        started(&mut h, 1, N1, 1);
        assert!(first_message(check(&h)).contains("no instant after heal"));
    }

    #[test]
    fn a_server_that_never_learned_fails() {
        let mut h = settled();
        h.entries.pop();
        assert!(first_message(check(&h)).contains("no instant after heal"));
    }

    #[test]
    fn an_election_before_heal_that_never_settles_fails() {
        let mut h = settled();
        started(&mut h, 40, N3, 3);
        assert!(first_message(check(&h)).contains("no instant after heal"));
    }

    #[test]
    fn converging_after_heal_then_a_new_election_passes() {
        let mut h = settled();
        started(&mut h, 40, N3, 3);
        elected(&mut h, 60, N3, 3);
        known(&mut h, 61, N1, 3, N3);
        known(&mut h, 62, N2, 3, N3);
        started(&mut h, 90, N2, 4);
        assert_eq!(check(&h), Verdict::Valid);
    }

    #[test]
    fn a_crashed_server_must_learn_again() {
        let mut h = settled();
        fault(&mut h, 40, FaultChange::Start(FaultKind::Pause), &[N2]);
        assert_eq!(check(&h), Verdict::Valid, "a paused server still knows");
        fault(&mut h, 40, FaultChange::Start(FaultKind::Crash), &[N2]);
        assert!(first_message(check(&h)).contains("no instant after heal"));
        known(&mut h, 70, N2, 2, N1);
        assert_eq!(check(&h), Verdict::Valid);
    }

    #[test]
    fn a_leader_that_stepped_down_fails_unless_reelected() {
        let mut h = settled();
        stepped_down(&mut h, 45, N1, 2);
        assert!(first_message(check(&h)).contains("no instant after heal"));
        elected(&mut h, 70, N1, 2); // lease variants: the same token again
        assert_eq!(check(&h), Verdict::Valid);
    }
}
