//! Safety of stock: levels rebuilt from the inventory's `reserved` and
//! `released` events never go negative, no saga releases more than it
//! reserved, and every level the service reports agrees with the rebuilt one
//! (a lost or doubled stock write shows as a mismatch).

use super::event::Event;
use super::facts::Findings;
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict};
use crate::history::History;
use std::collections::BTreeMap;

/// Stock never negative; releases never exceed reservations.
#[derive(Debug, Clone, Copy)]
pub struct StockSafety {
    /// Units of each SKU at start.
    pub stock_per_sku: i64,
}

impl StockSafety {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "stock-safety",
        property: Property::Always,
        description: "stock never goes negative, a saga never releases more than it reserved, and reported stock matches the reservations",
    };
}

impl Checker<Event> for StockSafety {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, _ctx: &CheckContext) -> Verdict {
        let mut level: BTreeMap<u32, i64> = BTreeMap::new();
        let mut held: BTreeMap<u64, i64> = BTreeMap::new();
        let mut found = Findings::default();
        let mut judged = false;
        for (line, ev) in history.indexed_events() {
            let (sign, saga, sku, qty, stock) = match ev.event {
                Event::Reserved {
                    saga,
                    sku,
                    qty,
                    stock,
                } => (-1, saga, sku, qty, stock),
                Event::Released {
                    saga,
                    sku,
                    qty,
                    stock,
                } => (1, saga, sku, qty, stock),
                _ => continue,
            };
            judged = true;
            let qty = i64::from(qty);
            let now = level.entry(sku).or_insert(self.stock_per_sku);
            *now += sign * qty;
            let h = held.entry(saga).or_default();
            *h -= sign * qty;
            let at = Some(ev.time_us);
            if *now < 0 {
                found.add(format!("sku {sku} stock went to {now}"), at, vec![line]);
            }
            if *h < 0 {
                let msg = format!("saga {saga} released {} more units than it reserved", -*h);
                found.add(msg, at, vec![line]);
            }
            if stock != *now {
                let msg = format!(
                    "inventory reports sku {sku} at {stock} but its reservations say {now}"
                );
                found.add(msg, at, vec![line]);
            }
        }
        found.verdict_judged(judged, "no stock was reserved or released")
    }
}
