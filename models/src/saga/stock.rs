//! Safety of stock: levels rebuilt from the inventory's `reserved` and
//! `released` events never go negative, no saga releases more than it
//! reserved, and every level the service reports agrees with the rebuilt one
//! (a lost or doubled stock write shows as a mismatch).

use super::facts::{int, saga_events, Findings};
use crate::check::{CheckContext, Checker, Property, Verdict};
use crate::history::History;
use std::collections::BTreeMap;

/// Stock never negative; releases never exceed reservations.
#[derive(Debug, Clone, Copy)]
pub struct StockSafety {
    /// Units of each SKU at start.
    pub stock_per_sku: i64,
}

impl Checker for StockSafety {
    fn name(&self) -> &'static str {
        "stock-safety"
    }
    fn property(&self) -> Property {
        Property::Always
    }
    fn describe(&self) -> &'static str {
        "stock never goes negative, a saga never releases more than it reserved, and reported stock matches the reservations"
    }
    fn check(&self, history: &History, _ctx: &CheckContext) -> Verdict {
        let mut level: BTreeMap<i64, i64> = BTreeMap::new();
        let mut held: BTreeMap<u64, i64> = BTreeMap::new();
        let mut found = Findings::default();
        for (line, ev, saga) in saga_events(history) {
            let sign = match ev.name.as_str() {
                "reserved" => -1,
                "released" => 1,
                _ => continue,
            };
            let (sku, qty) = (int(ev, "sku"), int(ev, "qty"));
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
            if int(ev, "stock") != *now {
                let msg = format!(
                    "inventory reports sku {sku} at {} but its reservations say {now}",
                    int(ev, "stock")
                );
                found.add(msg, at, vec![line]);
            }
        }
        found.verdict()
    }
}
