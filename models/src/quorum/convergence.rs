//! Convergence (eventually): by the end of the run, every replica of a key
//! holds the same version. Replica states are rebuilt from the `stored` and
//! `restored` events the replicas record (see [`super::replica`]).

use super::layout::{server_name, Layout};
use super::replica::{RestoredData, StoredData, RESTORED_EVENT, STORED_EVENT};
use super::version::Versioned;
use crate::check::{CheckContext, Checker, Property, Verdict, Violation};
use crate::history::{Entry, History};
use std::collections::BTreeMap;
use std::sync::Arc;

/// At most this many diverged keys are reported.
const REPORTED_MAX: usize = 8;

/// What each server holds at the end: server name → key → (item, history index).
pub type Holdings = BTreeMap<String, BTreeMap<u32, (Versioned, usize)>>;

/// Replays the replicas' events up to `end_us`.
pub fn holdings(history: &History, end_us: u64) -> Holdings {
    let mut held: Holdings = BTreeMap::new();
    for (i, e) in history.entries.iter().enumerate() {
        let Entry::Event(ev) = e else { continue };
        if ev.time_us > end_us {
            break;
        }
        let node = held.entry(ev.node.clone()).or_default();
        if ev.name == STORED_EVENT {
            let d: StoredData = serde_json::from_value(ev.data.clone())
                .unwrap_or_else(|e| panic!("entry {i}: bad stored event: {e}"));
            node.insert(d.key, (d.item, i));
        } else if ev.name == RESTORED_EVENT {
            let d: RestoredData = serde_json::from_value(ev.data.clone())
                .unwrap_or_else(|e| panic!("entry {i}: bad restored event: {e}"));
            *node = d
                .items
                .into_iter()
                .map(|(k, item)| (k, (item, i)))
                .collect();
        }
    }
    held
}

/// The newest item any replica of each key holds at the end, with the
/// history index of the event that put it there.
pub fn newest_per_key(layout: &Layout, held: &Holdings) -> BTreeMap<u32, (Versioned, usize)> {
    let mut newest: BTreeMap<u32, (Versioned, usize)> = BTreeMap::new();
    for k in 0..layout.params.keys {
        for r in layout.replicas(k) {
            let Some(&(item, at)) = held.get(&server_name(r)).and_then(|m| m.get(&k)) else {
                continue;
            };
            let slot = newest.entry(k).or_insert((item, at));
            if slot.0.version < item.version {
                *slot = (item, at);
            }
        }
    }
    newest
}

/// All replicas of a key agree by the end of the run.
pub struct Convergence {
    layout: Arc<Layout>,
}

impl Convergence {
    /// The checker for `layout`.
    pub fn new(layout: Arc<Layout>) -> Convergence {
        Convergence { layout }
    }

    fn diverged(&self, held: &Holdings, key: u32) -> Option<Violation> {
        let mut seen = Vec::new();
        let mut entries = Vec::new();
        for r in self.layout.replicas(key) {
            let name = server_name(r);
            let item = held.get(&name).and_then(|m| m.get(&key));
            entries.extend(item.map(|i| i.1));
            seen.push((name, item.map(|i| (i.0.value, i.0.version.ts))));
        }
        if seen.iter().all(|s| s.1 == seen[0].1) {
            return None;
        }
        let text: Vec<String> = seen
            .iter()
            .map(|(n, i)| match i {
                Some((v, ts)) => format!("{n}={v}@{ts}"),
                None => format!("{n}=absent"),
            })
            .collect();
        Some(Violation {
            message: format!(
                "key {key}: replicas disagree at the end: {}",
                text.join(", ")
            ),
            time_us: None,
            entries,
        })
    }
}

impl Checker for Convergence {
    fn name(&self) -> &'static str {
        "convergence"
    }
    fn property(&self) -> Property {
        Property::Eventually
    }
    fn describe(&self) -> &'static str {
        "by the end of the run (after heal, reads and anti-entropy) all replicas of a key hold the same version"
    }
    fn check(&self, history: &History, ctx: &CheckContext) -> Verdict {
        let held = holdings(history, ctx.end_us);
        let violations: Vec<Violation> = (0..self.layout.params.keys)
            .filter_map(|k| self.diverged(&held, k))
            .take(REPORTED_MAX)
            .collect();
        if violations.is_empty() {
            Verdict::Valid
        } else {
            Verdict::Invalid { violations }
        }
    }
}
