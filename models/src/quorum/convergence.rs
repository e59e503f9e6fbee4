//! Convergence (eventually): by the end of the run, every replica of a key
//! holds the newest version some replica of it held `convergence_grace_ms`
//! before the end (or a newer one). Clients keep writing in the liveness
//! phase, so replicas may still disagree at the very end about a write in
//! flight; what they must not do is stay behind a version that had long
//! reached one of them (a replica nobody repairs, a dead hint, a tie
//! nobody resolves: another value under the same version counts as
//! behind). Replica states are rebuilt from the `stored` and
//! `restored` events the replicas record (see [`super::replica`]).
//!
//! A key's replicas are the servers [`Layout::is_replica`] names, not the
//! preference list the coordinators store on ([`Layout::replicas`]): a
//! store that writes to fewer replicas than it should leaves one absent,
//! which is a divergence. A run in which no replica ever held anything
//! judged nothing: `unknown`.

use super::event::Event;
use super::layout::{server_name, Layout};
use super::version::Versioned;
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::{Entry, History};
use crate::node::NodeId;
use std::collections::BTreeMap;
use std::sync::Arc;

/// At most this many diverged keys are reported.
const REPORTED_MAX: usize = 8;

/// What one server holds: key → (item, index of the history line that put it there).
pub type Held = BTreeMap<u32, (Versioned, usize)>;

/// What each server holds at the end, indexed by the server's `NodeId`.
#[derive(Debug, Clone, Default)]
pub struct Holdings {
    servers: Vec<Held>,
}

impl Holdings {
    /// What server `id` holds (nothing for a server that recorded nothing).
    pub fn of(&self, id: NodeId) -> Option<&Held> {
        self.servers.get(id)
    }
}

/// The server each history node is, by name ("n1" is server 0), so a
/// history read from a file, whose nodes are numbered as they appear,
/// is judged as one recorded by a run.
fn servers_of(layout: &Layout, history: &History<Event>) -> Vec<Option<NodeId>> {
    let names: Vec<String> = (0..layout.servers).map(server_name).collect();
    history
        .nodes
        .iter()
        .map(|n| names.iter().position(|s| *n == s.as_str()))
        .collect()
}

/// Replays the replicas' events up to `end_us`.
pub fn holdings(layout: &Layout, history: &History<Event>, end_us: u64) -> Holdings {
    let server_of = servers_of(layout, history);
    let mut held = Holdings {
        servers: vec![Held::new(); layout.servers],
    };
    for (i, e) in history.entries.iter().enumerate() {
        let Entry::Event(ev) = e else { continue };
        if ev.time_us > end_us {
            break;
        }
        let Some(&Some(server)) = server_of.get(ev.node) else {
            continue;
        };
        let node = &mut held.servers[server];
        match &ev.event {
            Event::Stored { key, item, .. } => {
                node.insert(*key, (*item, i));
            }
            Event::Restored { items } => {
                *node = items.iter().map(|&(k, item)| (k, (item, i))).collect();
            }
        }
    }
    held
}

/// The servers that replicate `key`, by membership.
pub fn members(layout: &Layout, key: u32) -> Vec<NodeId> {
    (0..layout.servers)
        .filter(|&s| layout.is_replica(s, key))
        .collect()
}

/// The newest item any replica of each key holds at the end, with the
/// history index of the event that put it there.
pub fn newest_per_key(layout: &Layout, held: &Holdings) -> BTreeMap<u32, (Versioned, usize)> {
    let mut newest: BTreeMap<u32, (Versioned, usize)> = BTreeMap::new();
    for k in 0..layout.params.keys {
        for r in members(layout, k) {
            let Some(&(item, at)) = held.of(r).and_then(|m| m.get(&k)) else {
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

/// All replicas of a key catch up by the end of the run.
pub struct Convergence {
    layout: Arc<Layout>,
    grace_us: u64,
}

impl Convergence {
    /// The checker for `layout`.
    pub fn new(layout: Arc<Layout>) -> Convergence {
        let grace_us = (layout.params.convergence_grace_ms * 1000.0).round() as u64;
        Convergence { layout, grace_us }
    }

    /// `key`'s replicas at the end, if one of them lacks `settled` (the
    /// newest item some replica held `grace` before the end): it holds an
    /// older version, nothing, or another value of the same version.
    fn diverged(&self, held: &Holdings, settled: &Versioned, key: u32) -> Option<Violation> {
        let mut seen = Vec::new();
        let mut entries = Vec::new();
        let mut behind = false;
        for r in members(&self.layout, key) {
            let item = held.of(r).and_then(|m| m.get(&key));
            entries.extend(item.map(|i| i.1));
            behind |= item.is_none_or(|i| {
                i.0.version < settled.version
                    || (i.0.version == settled.version && i.0.value != settled.value)
            });
            seen.push(match item {
                Some((i, _)) => format!("{}={}@{}", server_name(r), i.value, i.version.ts),
                None => format!("{}=absent", server_name(r)),
            });
        }
        behind.then(|| Violation {
            message: format!(
                "key {key}: a replica lacks {}@{}, held {} ms before the end: {}",
                settled.value,
                settled.version.ts,
                self.grace_us as f64 / 1000.0,
                seen.join(", ")
            ),
            time_us: None,
            entries,
        })
    }
}

impl Convergence {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "convergence",
        property: Property::Eventually,
        description: "by the end of the run (after heal, reads and anti-entropy) every replica of a key holds the newest version some replica held convergence_grace_ms before the end, or a newer one",
    };
}

impl Checker<Event> for Convergence {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, ctx: &CheckContext) -> Verdict {
        let held = holdings(&self.layout, history, ctx.end_us);
        if newest_per_key(&self.layout, &held).is_empty() {
            return Verdict::Unknown {
                reason: "judged nothing: no replica holds any key at the end".into(),
            };
        }
        let cutoff_us = ctx.end_us.saturating_sub(self.grace_us);
        let settled = newest_per_key(&self.layout, &holdings(&self.layout, history, cutoff_us));
        let violations: Vec<Violation> = (settled.iter())
            .filter_map(|(&k, s)| self.diverged(&held, &s.0, k))
            .take(REPORTED_MAX)
            .collect();
        if violations.is_empty() {
            Verdict::Valid
        } else {
            Verdict::Invalid { violations }
        }
    }
}
