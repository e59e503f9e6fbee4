//! Checker "leader-liveness": by the end of the run one leader is elected
//! and known to every server (Raft §5.2: elections eventually succeed when
//! timeouts are randomized and the network is whole).
//!
//! Judged at the end, so a leader elected before heal that stayed in office
//! counts. Let T be the highest term of any `became_leader` and L the node
//! elected in it. Then: every server has a `leader_known {term: T, leader:
//! L}`; L's last word on T is `became_leader`, not `stepped_down`; and no
//! server started an election for a term above T (which would mean a later
//! election that elected nobody). The lease variants record the same events
//! with the fencing token as the term, so the same rule applies to them.

use super::safety::VIOLATIONS_MAX;
use super::timeline::{Mark, Timeline};
use crate::check::{CheckContext, Checker, Property, Verdict, Violation};
use crate::history::History;

/// The leader-liveness checker, over the named servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderLiveness {
    servers: Vec<String>,
}

impl LeaderLiveness {
    /// A checker requiring every one of `servers` to know the final leader.
    pub fn new(servers: Vec<String>) -> LeaderLiveness {
        assert!(!servers.is_empty(), "liveness over no servers");
        LeaderLiveness { servers }
    }

    fn judge(&self, t: &Timeline, last: &Mark) -> Vec<Violation> {
        let leader = last.node.as_str();
        let mut violations = Vec::new();
        for s in &self.servers {
            let knows = t.known.iter().any(|k| {
                &k.node == s && k.term == last.term && k.leader.as_deref() == Some(leader)
            });
            if !knows {
                violations.push(Violation {
                    message: format!("{s} never learned that {leader} leads term {}", last.term),
                    time_us: None,
                    entries: vec![last.index],
                });
            }
        }
        violations.extend(stepped_down(t, last));
        violations.extend(
            t.started
                .iter()
                .filter(|m| m.term > last.term)
                .map(|m| Violation {
                    message: format!(
                        "{} started an election for term {} that elected nobody",
                        m.node, m.term
                    ),
                    time_us: Some(m.time_us),
                    entries: vec![m.index],
                }),
        );
        violations.truncate(VIOLATIONS_MAX);
        violations
    }
}

/// A violation if the last leader stepped down after its last election.
fn stepped_down(t: &Timeline, last: &Mark) -> Option<Violation> {
    let since = |m: &&Mark| m.node == last.node && m.term == last.term;
    let elected = t.elected.iter().filter(since).map(|m| m.index).max()?;
    let down = t
        .stepped_down
        .iter()
        .filter(since)
        .find(|m| m.index > elected)?;
    Some(Violation {
        message: format!(
            "the last leader {} stepped down from term {} and nobody took over",
            last.node, last.term
        ),
        time_us: Some(down.time_us),
        entries: vec![elected, down.index],
    })
}

impl Checker for LeaderLiveness {
    fn name(&self) -> &'static str {
        "leader-liveness"
    }

    fn property(&self) -> Property {
        Property::Eventually
    }

    fn describe(&self) -> &'static str {
        "after heal, one leader holds the highest term and every server knows it"
    }

    fn check(&self, history: &History, ctx: &CheckContext) -> Verdict {
        let timeline = Timeline::of(history);
        let top = timeline.elected.iter().map(|m| m.term).max();
        let Some(last) = top.and_then(|t| timeline.elected.iter().find(|m| m.term == t)) else {
            let message = "no leader was ever elected".to_string();
            return Verdict::invalid(message, Some(ctx.end_us), Vec::new());
        };
        let violations = self.judge(&timeline, last);
        if violations.is_empty() {
            Verdict::Valid
        } else {
            Verdict::Invalid { violations }
        }
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

    fn messages(v: Verdict) -> Vec<String> {
        match v {
            Verdict::Invalid { violations } => violations.into_iter().map(|v| v.message).collect(),
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
        assert_eq!(messages(check(&h)), vec!["no leader was ever elected"]);
    }

    #[test]
    fn a_server_that_never_learned_fails() {
        let mut h = settled();
        h.entries.pop();
        assert_eq!(
            messages(check(&h)),
            vec!["n3 never learned that n1 leads term 2"]
        );
    }

    #[test]
    fn a_later_fruitless_election_fails() {
        let mut h = settled();
        ev(&mut h, 90, "n3", "election_started", json!({ "term": 3 }));
        assert!(messages(check(&h))[0].contains("term 3 that elected nobody"));
    }

    #[test]
    fn a_leader_that_stepped_down_fails_unless_reelected() {
        let mut h = settled();
        ev(&mut h, 60, "n1", "stepped_down", json!({ "term": 2 }));
        assert!(messages(check(&h))[0].contains("stepped down"));
        elected(&mut h, 70, "n1", 2); // lease variants: the same token again
        assert_eq!(check(&h), Verdict::Valid);
    }
}
