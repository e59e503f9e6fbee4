//! Safety of money: no order is charged twice; refunds never exceed charges.
//!
//! Checked at every `charged` and `refunded` event, in history order.

use super::event::Event;
use super::facts::{signed, Findings};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict};
use crate::history::History;
use std::collections::BTreeMap;

/// No customer charged twice for one order; refunds never exceed charges.
#[derive(Debug, Clone, Copy)]
pub struct PaymentSafety;

#[derive(Default)]
struct Account {
    charges: u32,
    charged: i64,
    refunded: i64,
    lines: Vec<usize>,
}

impl PaymentSafety {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "payment-safety",
        property: Property::Always,
        description: "no customer is charged twice for one order, and refunds never exceed charges",
    };
}

impl Checker<Event> for PaymentSafety {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, _ctx: &CheckContext) -> Verdict {
        let mut accounts: BTreeMap<u64, Account> = BTreeMap::new();
        let mut found = Findings::default();
        let mut judged = false;
        for (line, ev) in history.indexed_events() {
            match ev.event {
                Event::Charged {
                    saga,
                    customer,
                    amount,
                } => {
                    let a = accounts.entry(saga).or_default();
                    a.charges += 1;
                    judged = true;
                    a.charged += signed(amount);
                    a.lines.push(line);
                    if a.charges == 2 {
                        let msg = format!("customer {customer} charged twice for order {saga}");
                        found.add(msg, Some(ev.time_us), a.lines.clone());
                    }
                }
                Event::Refunded { saga, amount, .. } => {
                    let a = accounts.entry(saga).or_default();
                    a.refunded += signed(amount);
                    a.lines.push(line);
                    if a.refunded > a.charged {
                        let msg = format!(
                            "order {saga}: refunded {} but charged {}",
                            a.refunded, a.charged
                        );
                        found.add(msg, Some(ev.time_us), a.lines.clone());
                    }
                }
                _ => {}
            }
        }
        found.verdict_judged(judged, "no customer was charged")
    }
}
