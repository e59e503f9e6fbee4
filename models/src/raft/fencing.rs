//! Checker "fenced-work": the resource's accepted writes are in
//! non-decreasing token order and no token is used by two leaders.
//!
//! This is the end-to-end property leadership exists for: exclusive access
//! to a shared resource. It fails for the unfenced lease variant when an
//! ex-holder's write lands after a newer holder's (Kleppmann, "How to do
//! distributed locking", 2016), and for any variant that elects two
//! leaders in one term (both write with the same term).

use super::event::Event;
use super::safety::VIOLATIONS_MAX;
use super::timeline::{accepted, Mark};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::History;
use std::collections::BTreeMap;

/// The fenced-work checker.
#[derive(Debug, Clone, Copy, Default)]
pub struct FencedWork;

impl FencedWork {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "fenced-work",
        property: Property::Always,
        description:
            "accepted writes carry non-decreasing tokens, and each token belongs to one leader",
    };
}

impl Checker<Event> for FencedWork {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, _ctx: &CheckContext) -> Verdict {
        let mut owner: BTreeMap<u64, Mark> = BTreeMap::new();
        let mut highest: Option<Mark> = None;
        let mut violations = Vec::new();
        let mut judged = 0usize;
        for w in accepted(history) {
            judged += 1;
            let w = &w;
            if let Some(h) = highest.filter(|h| w.term < h.term) {
                violations.push(out_of_order(history, &h, w));
            }
            let first = *owner.entry(w.term).or_insert(*w);
            if first.leader != w.leader {
                violations.push(shared_token(history, &first, w));
            }
            if highest.is_none_or(|h| h.term < w.term) {
                highest = Some(*w);
            }
        }
        violations.truncate(VIOLATIONS_MAX);
        if judged == 0 {
            return Verdict::Unknown {
                reason: "judged nothing: the resource accepted no write".into(),
            };
        }
        if violations.is_empty() {
            Verdict::Valid
        } else {
            Verdict::Invalid { violations }
        }
    }
}

fn who(history: &History<Event>, m: &Mark) -> &'static str {
    m.leader.map_or("?", |l| history.node_name(l))
}

fn out_of_order(history: &History<Event>, highest: &Mark, late: &Mark) -> Violation {
    let who = |m| who(history, m);
    Violation {
        message: format!(
            "write with token {} by {} accepted at {} after token {} by {}",
            late.term,
            who(late),
            crate::check::at_ms(late.time_us),
            highest.term,
            who(highest)
        ),
        time_us: Some(late.time_us),
        entries: vec![highest.index, late.index],
    }
}

fn shared_token(history: &History<Event>, first: &Mark, other: &Mark) -> Violation {
    let who = |m| who(history, m);
    Violation {
        message: format!(
            "token {} used by two leaders: {} and {}",
            first.term,
            who(first),
            who(other)
        ),
        time_us: Some(other.time_us),
        entries: vec![first.index, other.index],
    }
}

#[cfg(test)]
mod tests {
    use super::super::timeline::build::*;
    use super::*;

    fn write(h: &mut History<Event>, t: u64, token: u64, leader: usize) {
        ev(h, t, RESOURCE, Event::WorkAccepted { token, leader });
    }

    fn check(h: &History<Event>) -> Verdict {
        let ctx = CheckContext {
            nodes: vec![],
            heal_us: 0,
            end_us: 100,
        };
        FencedWork.check(h, &ctx)
    }

    #[test]
    fn ordered_single_owner_tokens_pass() {
        let mut h = history();
        write(&mut h, 1, 1, N1);
        write(&mut h, 2, 1, N1);
        write(&mut h, 3, 3, N2);
        let rejected = Event::WorkRejected {
            token: 1,
            leader: N1,
            highest: 3,
        };
        ev(&mut h, 4, RESOURCE, rejected);
        assert_eq!(check(&h), Verdict::Valid);
    }

    #[test]
    fn no_accepted_write_is_unknown() {
        let mut h = history();
        elected(&mut h, 1, N1, 1);
        assert!(matches!(check(&h), Verdict::Unknown { .. }));
    }

    #[test]
    fn a_late_stale_write_fails() {
        let mut h = history();
        write(&mut h, 1, 1, N1);
        write(&mut h, 2, 2, N2);
        write(&mut h, 3, 1, N1);
        let Verdict::Invalid { violations } = check(&h) else {
            panic!("expected invalid");
        };
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].entries, vec![1, 2]);
        let expected = "write with token 1 by n1 accepted at 0.003 ms after token 2 by n2";
        assert_eq!(violations[0].message, expected);
    }

    #[test]
    fn a_token_shared_by_two_leaders_fails() {
        let mut h = history();
        write(&mut h, 1, 5, N1);
        write(&mut h, 2, 5, N3);
        let Verdict::Invalid { violations } = check(&h) else {
            panic!("expected invalid");
        };
        assert!(violations[0].message.contains("two leaders: n1 and n3"));
    }
}
