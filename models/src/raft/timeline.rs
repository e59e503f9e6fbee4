//! The raft model's protocol events, parsed out of a history once.
//!
//! Checkers and metrics read these instead of raw JSON. Each [`Mark`]
//! keeps its index into `History::entries` so violations can point at lines.
//! Events with a missing `term`/`token` are skipped: they are not ours.

use crate::history::{Entry, EventEntry, History};
use serde_json::Value;

/// One parsed event; it borrows its names from the history (parsing runs
/// once per checker per run, and cloning them was most of its cost).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark<'a> {
    /// Index into `History::entries`.
    pub index: usize,
    /// Simulated time.
    pub time_us: u64,
    /// The node that recorded it.
    pub node: &'a str,
    /// Its term (or fencing token).
    pub term: u64,
    /// The leader it names (`leader_known`, `work_*`), if any.
    pub leader: Option<&'a str>,
}

/// A history's raft events, by kind, each in history order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline<'a> {
    /// `election_started`.
    pub started: Vec<Mark<'a>>,
    /// `became_leader`.
    pub elected: Vec<Mark<'a>>,
    /// `stepped_down`.
    pub stepped_down: Vec<Mark<'a>>,
    /// `leader_known`.
    pub known: Vec<Mark<'a>>,
    /// `work_accepted` (term = the write's token).
    pub accepted: Vec<Mark<'a>>,
}

impl<'a> Timeline<'a> {
    /// Parses `history`.
    pub fn of(history: &'a History) -> Timeline<'a> {
        let mut t = Timeline::default();
        for (index, entry) in history.entries.iter().enumerate() {
            let Entry::Event(ev) = entry else { continue };
            let list = match ev.name.as_str() {
                "election_started" => &mut t.started,
                "became_leader" => &mut t.elected,
                "stepped_down" => &mut t.stepped_down,
                "leader_known" => &mut t.known,
                "work_accepted" => &mut t.accepted,
                _ => continue,
            };
            list.extend(mark(index, ev));
        }
        t
    }
}

fn mark(index: usize, ev: &EventEntry) -> Option<Mark<'_>> {
    let term = ev.data.get("term").or_else(|| ev.data.get("token"));
    Some(Mark {
        index,
        time_us: ev.time_us,
        node: &ev.node,
        term: term.and_then(Value::as_u64)?,
        leader: ev.data.get("leader").and_then(Value::as_str),
    })
}

#[cfg(test)]
pub mod build {
    //! Hand-built histories for the checkers' tests.

    use crate::history::{Entry, EventEntry, FaultEntry, History};
    use serde_json::{json, Value};

    /// Appends event `name` at `time_us` on `node`.
    pub fn ev(h: &mut History, time_us: u64, node: &str, name: &str, data: Value) {
        h.push(Entry::Event(EventEntry {
            time_us,
            node: node.into(),
            name: name.into(),
            data,
        }));
    }

    /// Appends `became_leader` plus the leader's own `leader_known`.
    pub fn elected(h: &mut History, time_us: u64, node: &str, term: u64) {
        ev(h, time_us, node, "became_leader", json!({ "term": term }));
        known(h, time_us, node, term, node);
    }

    /// Appends `leader_known`.
    pub fn known(h: &mut History, time_us: u64, node: &str, term: u64, leader: &str) {
        let data = json!({ "term": term, "leader": leader });
        ev(h, time_us, node, "leader_known", data);
    }

    /// Appends a fault.
    pub fn fault(h: &mut History, time_us: u64, fault: &str, nodes: &[&str]) {
        h.push(Entry::Fault(FaultEntry {
            time_us,
            fault: fault.into(),
            nodes: nodes.iter().map(|n| n.to_string()).collect(),
            detail: Value::Null,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::build::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_terms_tokens_and_leaders() {
        let mut h = History::default();
        elected(&mut h, 5, "n1", 2);
        ev(
            &mut h,
            6,
            "resource",
            "work_accepted",
            json!({"token": 2, "leader": "n1"}),
        );
        ev(&mut h, 7, "n2", "election_started", json!({"bad": 1}));
        let t = Timeline::of(&h);
        assert_eq!(t.elected.len(), 1);
        assert_eq!(t.known[0].leader, Some("n1"));
        assert_eq!((t.accepted[0].index, t.accepted[0].term), (2, 2));
        assert!(t.started.is_empty(), "an event without a term is skipped");
    }
}
