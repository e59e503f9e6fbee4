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

use super::safety::VIOLATIONS_MAX;
use crate::check::{CheckContext, Checker, Property, Verdict, Violation};
use crate::history::{Entry, History};
use serde_json::Value;
use std::collections::BTreeMap;

/// Leader liveness over the named servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderLiveness {
    servers: Vec<String>,
}

/// What each server believes: (term, leader), or None (candidate, down).
type Beliefs = BTreeMap<String, Option<(u64, String)>>;

impl LeaderLiveness {
    /// A checker over `servers` (the raft servers, not helper nodes).
    pub fn new(servers: Vec<String>) -> LeaderLiveness {
        assert!(!servers.is_empty(), "liveness over no servers");
        LeaderLiveness { servers }
    }

    fn agreed(&self, beliefs: &Beliefs) -> bool {
        let mut all = beliefs.values();
        let Some(Some(first)) = all.next() else {
            return false;
        };
        all.all(|b| b.as_ref() == Some(first))
    }

    /// The first instant at or after heal when every server agreed.
    fn converged_at(&self, history: &History, heal_us: u64) -> (Option<u64>, Beliefs) {
        let mut beliefs: Beliefs = self.servers.iter().map(|s| (s.clone(), None)).collect();
        for entry in &history.entries {
            let time_us = entry_time(entry);
            if time_us > heal_us && self.agreed(&beliefs) {
                return (Some(heal_us), beliefs);
            }
            apply(&mut beliefs, entry);
            if time_us >= heal_us && self.agreed(&beliefs) {
                return (Some(time_us), beliefs);
            }
        }
        let at_end = self.agreed(&beliefs).then_some(heal_us);
        (at_end, beliefs)
    }
}

fn entry_time(entry: &Entry) -> u64 {
    match entry {
        Entry::Op(op) => op.time_us,
        Entry::Event(ev) => ev.time_us,
        Entry::Fault(f) => f.time_us,
    }
}

fn apply(beliefs: &mut Beliefs, entry: &Entry) {
    match entry {
        Entry::Event(ev) => {
            let term = ev
                .data
                .get("term")
                .or_else(|| ev.data.get("token"))
                .and_then(Value::as_u64);
            let Some(slot) = beliefs.get_mut(&ev.node) else {
                return;
            };
            match (ev.name.as_str(), term) {
                ("leader_known", Some(t)) => {
                    if let Some(l) = ev.data.get("leader").and_then(Value::as_str) {
                        *slot = Some((t, l.to_string()));
                    }
                }
                ("became_leader", Some(t)) => *slot = Some((t, ev.node.clone())),
                ("election_started", _) => *slot = None,
                ("stepped_down", _) if slot.as_ref().is_some_and(|(_, l)| *l == ev.node) => {
                    *slot = None
                }
                _ => {}
            }
        }
        Entry::Fault(f) if f.fault == "crash" => {
            for n in &f.nodes {
                if let Some(slot) = beliefs.get_mut(n) {
                    *slot = None;
                }
            }
        }
        _ => {}
    }
}

impl Checker for LeaderLiveness {
    fn name(&self) -> &'static str {
        "leader-liveness"
    }

    fn property(&self) -> Property {
        Property::Eventually
    }

    fn describe(&self) -> &'static str {
        "after heal, within the bound, every server knows the same leader of the same term"
    }

    fn check(&self, history: &History, ctx: &CheckContext) -> Verdict {
        let (at, beliefs) = self.converged_at(history, ctx.heal_us);
        if at.is_some() {
            return Verdict::Valid;
        }
        let mut violations: Vec<Violation> = beliefs
            .iter()
            .map(|(s, b)| Violation {
                message: match b {
                    Some((t, l)) => format!("{s} believes {l} leads term {t}"),
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
    use serde_json::json;

    fn check(h: &History) -> Verdict {
        let servers = ["n1", "n2", "n3"].map(String::from).to_vec();
        let ctx = CheckContext {
            nodes: servers.clone(),
            heal_us: 50,
            end_us: 100,
        };
        LeaderLiveness::new(servers).check(h, &ctx)
    }

    fn settled() -> History {
        let mut h = History::default();
        elected(&mut h, 10, "n1", 2); // before heal: still counts
        known(&mut h, 11, "n2", 2, "n1");
        known(&mut h, 11, "n3", 2, "n1");
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
        let mut h = History::default();
        ev(&mut h, 1, "n1", "election_started", json!({ "term": 1 }));
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
        ev(&mut h, 40, "n3", "election_started", json!({ "term": 3 }));
        assert!(first_message(check(&h)).contains("no instant after heal"));
    }

    #[test]
    fn converging_after_heal_then_a_new_election_passes() {
        let mut h = settled();
        ev(&mut h, 40, "n3", "election_started", json!({ "term": 3 }));
        elected(&mut h, 60, "n3", 3);
        known(&mut h, 61, "n1", 3, "n3");
        known(&mut h, 62, "n2", 3, "n3");
        ev(&mut h, 90, "n2", "election_started", json!({ "term": 4 }));
        assert_eq!(check(&h), Verdict::Valid);
    }

    #[test]
    fn a_crashed_server_must_learn_again() {
        let mut h = settled();
        fault(&mut h, 40, "crash", &["n2"]);
        assert!(first_message(check(&h)).contains("no instant after heal"));
        known(&mut h, 70, "n2", 2, "n1");
        assert_eq!(check(&h), Verdict::Valid);
    }

    #[test]
    fn a_leader_that_stepped_down_fails_unless_reelected() {
        let mut h = settled();
        ev(&mut h, 45, "n1", "stepped_down", json!({ "term": 2 }));
        assert!(first_message(check(&h)).contains("no instant after heal"));
        elected(&mut h, 70, "n1", 2); // lease variants: the same token again
        assert_eq!(check(&h), Verdict::Valid);
    }
}
