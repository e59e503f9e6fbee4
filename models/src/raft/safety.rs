//! Checker "election-safety": at most one leader per term (Raft §5.2,
//! Figure 3: "at most one leader can be elected in a given term").
//!
//! Reads `became_leader {term}` events. A node elected twice in one term
//! (possible after a restart in a buggy variant) is not a second leader.

use super::event::Event;
use super::timeline::{Mark, Timeline};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::History;
use std::collections::BTreeMap;

/// Most violations one verdict lists.
pub const VIOLATIONS_MAX: usize = 20;

/// The election-safety checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct ElectionSafety;

impl ElectionSafety {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "election-safety",
        property: Property::Always,
        description: "at most one server becomes leader in any term",
    };
}

impl Checker<Event> for ElectionSafety {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, _ctx: &CheckContext) -> Verdict {
        let timeline = Timeline::of(history);
        if timeline.elected.is_empty() {
            return Verdict::Unknown {
                reason: "judged nothing: no server became leader".into(),
            };
        }
        let mut first: BTreeMap<u64, &Mark> = BTreeMap::new();
        let mut violations = Vec::new();
        for m in &timeline.elected {
            let leader = *first.entry(m.term).or_insert(m);
            if leader.node != m.node && violations.len() < VIOLATIONS_MAX {
                violations.push(two_leaders(history, leader, m));
            }
        }
        if violations.is_empty() {
            Verdict::Valid
        } else {
            Verdict::Invalid { violations }
        }
    }
}

fn two_leaders(history: &History<Event>, a: &Mark, b: &Mark) -> Violation {
    let name = |m: &Mark| history.node_name(m.node);
    Violation {
        message: format!(
            "term {} has two leaders: {} (at {}) and {} (at {})",
            a.term,
            name(a),
            crate::check::at_ms(a.time_us),
            name(b),
            crate::check::at_ms(b.time_us)
        ),
        time_us: Some(b.time_us),
        entries: vec![a.index, b.index],
    }
}

#[cfg(test)]
mod tests {
    use super::super::timeline::build::*;
    use super::*;

    fn check(h: &History<Event>) -> Verdict {
        let ctx = CheckContext {
            nodes: vec![],
            heal_us: 0,
            end_us: 100,
        };
        ElectionSafety.check(h, &ctx)
    }

    #[test]
    fn one_leader_per_term_passes() {
        let mut h = history();
        elected(&mut h, 1, N1, 1);
        elected(&mut h, 2, N2, 2);
        elected(&mut h, 3, N2, 2); // re-elected after a restart: same node
        assert_eq!(check(&h), Verdict::Valid);
    }

    #[test]
    fn no_leader_at_all_is_unknown() {
        let mut h = history();
        started(&mut h, 1, N1, 1);
        assert!(matches!(check(&h), Verdict::Unknown { .. }));
    }

    #[test]
    fn two_leaders_in_a_term_fail_and_name_both_lines() {
        let mut h = history();
        elected(&mut h, 1, N1, 3);
        elected(&mut h, 2, N2, 4);
        elected(&mut h, 9, N3, 3);
        let Verdict::Invalid { violations } = check(&h) else {
            panic!("expected invalid");
        };
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].entries, vec![0, 4]);
        assert_eq!(violations[0].time_us, Some(9));
        assert!(violations[0].message.contains("term 3 has two leaders: n1"));
        assert!(violations[0].message.contains("and n3 (at 0.009 ms)"));
    }
}
