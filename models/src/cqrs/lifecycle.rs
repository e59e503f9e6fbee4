//! Checker `order-lifecycle`: every order's stream, in the store's log
//! order, is a life the order's rules allow: created once (for customer
//! `order % customers`), then items while open, then at most one of paid
//! (its total, which is more than 0) or cancelled, then nothing; and every
//! refusal a client got ("nothing to pay", ...) was true of its order at
//! some instant while the command was in flight ([`super::refusals`]).
//!
//! The other checkers compare the projections with the store, and so pass
//! a store full of events the domain forbids as long as every projection
//! reflects them faithfully: an aggregate that forgets its total (every
//! `pay` charges 0) or a stream that is paid and then takes more items.
//! The rules are replayed here on their own, not through
//! [`super::aggregate::Aggregate`], so that a mistake there cannot agree
//! with itself.

use super::domain::Body;
use super::event::Event;
use super::refusals::untrue_refusals;
use super::timeline;
use super::versions::{nothing_appended, verdict_of, VIOLATIONS_MAX};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::History;
use std::collections::BTreeMap;

/// The `order-lifecycle` checker.
pub struct OrderLifecycle {
    /// Customers: order `o` belongs to `o % customers`.
    pub customers: u64,
}

impl OrderLifecycle {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "order-lifecycle",
        property: Property::Always,
        description: "each order's stream is created once for its customer, takes items while open, and is paid its total (> 0) or cancelled at most once, then nothing; every refusal was true while its command was in flight",
    };
}

/// What the log has said of one order so far (this checker's own replay
/// of the rules, shared with [`super::refusals`]).
#[derive(Default, Clone, Copy)]
pub(super) struct Life {
    pub(super) created: bool,
    pub(super) closed: bool,
    pub(super) total: u64,
}

impl Life {
    /// The life after `body`, whether or not the rules allowed it.
    pub(super) fn apply(&mut self, body: &Body) {
        match *body {
            Body::Created { .. } => self.created = true,
            Body::ItemAdded { amount } => self.total += amount,
            Body::Paid { .. } | Body::Cancelled => self.closed = true,
        }
    }
}

/// Why `body` cannot follow `life` for `order`, if it cannot.
fn refused(life: Life, order: u64, body: &Body, customers: u64) -> Option<String> {
    match *body {
        Body::Created { .. } if life.created => Some("created twice".into()),
        Body::Created { customer } if customers > 0 && customer != order % customers => Some(
            format!("created for customer {customer}, not {}", order % customers),
        ),
        Body::Created { .. } => None,
        _ if !life.created => Some(format!("{body:?} before it was created")),
        _ if life.closed => Some(format!("{body:?} after it was closed")),
        Body::Paid { amount } if amount != life.total => {
            Some(format!("paid {amount}, its total is {}", life.total))
        }
        Body::Paid { .. } if life.total == 0 => Some("paid with nothing in it".into()),
        Body::ItemAdded { .. } | Body::Paid { .. } | Body::Cancelled => None,
    }
}

impl Checker<Event> for OrderLifecycle {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, _ctx: &CheckContext) -> Verdict {
        if let Some(unknown) = nothing_appended(history) {
            return unknown;
        }
        let mut lives: BTreeMap<u64, Life> = BTreeMap::new();
        let mut violations = Vec::new();
        for a in timeline::appended(history) {
            let e = a.data;
            let life = lives.entry(e.order).or_default();
            if let Some(why) = refused(*life, e.order, &e.body, self.customers) {
                if violations.len() < VIOLATIONS_MAX {
                    violations.push(Violation {
                        message: format!("order {} version {}: {why}", e.order, e.version),
                        time_us: Some(a.time_us),
                        entries: vec![a.index],
                    });
                }
            }
            life.apply(&e.body);
        }
        let room = VIOLATIONS_MAX.saturating_sub(violations.len());
        violations.extend(untrue_refusals(history, room));
        verdict_of(violations)
    }
}

#[cfg(test)]
mod tests {
    use super::super::timeline::build::{appended, ctx};
    use super::*;

    fn check(h: &History<Event>) -> Verdict {
        OrderLifecycle { customers: 4 }.check(h, &ctx())
    }

    fn message(v: Verdict) -> String {
        let Verdict::Invalid { violations } = v else {
            panic!("expected invalid, got {v:?}")
        };
        violations[0].message.clone()
    }

    #[test]
    fn nothing_appended_is_unknown() {
        assert!(matches!(
            check(&History::default()),
            Verdict::Unknown { .. }
        ));
    }

    #[test]
    fn a_whole_life_passes() {
        let mut h = History::default();
        appended(&mut h, 1, 7, 1, 1, Body::Created { customer: 3 });
        appended(&mut h, 2, 7, 2, 2, Body::ItemAdded { amount: 5 });
        appended(&mut h, 3, 7, 3, 3, Body::ItemAdded { amount: 2 });
        appended(&mut h, 4, 7, 4, 4, Body::Paid { amount: 7 });
        appended(&mut h, 5, 8, 1, 5, Body::Created { customer: 0 });
        appended(&mut h, 6, 8, 2, 6, Body::Cancelled);
        assert_eq!(check(&h), Verdict::Valid);
    }

    #[test]
    fn a_wrong_charge_fails() {
        let mut h = History::default();
        appended(&mut h, 1, 7, 1, 1, Body::Created { customer: 3 });
        appended(&mut h, 2, 7, 2, 2, Body::ItemAdded { amount: 5 });
        appended(&mut h, 3, 7, 3, 3, Body::Paid { amount: 0 });
        assert!(message(check(&h)).contains("total is 5"));
    }

    #[test]
    fn events_after_close_or_before_create_fail() {
        let mut h = History::default();
        appended(&mut h, 1, 7, 1, 1, Body::Created { customer: 3 });
        appended(&mut h, 2, 7, 2, 2, Body::Cancelled);
        appended(&mut h, 3, 7, 3, 3, Body::ItemAdded { amount: 1 });
        assert!(message(check(&h)).contains("after it was closed"));
        let mut h = History::default();
        appended(&mut h, 1, 7, 1, 1, Body::Cancelled);
        assert!(message(check(&h)).contains("before it was created"));
    }

    #[test]
    fn a_second_create_or_the_wrong_customer_fails() {
        let mut h = History::default();
        appended(&mut h, 1, 7, 1, 1, Body::Created { customer: 3 });
        appended(&mut h, 2, 7, 2, 2, Body::Created { customer: 3 });
        assert!(message(check(&h)).contains("created twice"));
        let mut h = History::default();
        appended(&mut h, 1, 7, 1, 1, Body::Created { customer: 1 });
        assert!(message(check(&h)).contains("not 3"));
    }
}
