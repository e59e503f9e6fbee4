//! The raft model's metrics, after the Raft paper's §9.3 experiment.
//!
//! - `downtime_ms`: for each fault that hits the sitting leader, the time
//!   from the fault until every other server knows a leader of a higher
//!   term (the paper's Figure 16 measures the same gap after crashing the
//!   leader). Faults that repair ("heal", "restart", "resume", "recover")
//!   are not losses; a loss the run never recovers from gives no sample.
//!   The sitting leader is the winner of the highest term so far, unless it
//!   stepped down or was crashed since; each leadership counts once.
//! - `terms`: distinct terms that started an election or had a leader.
//! - `split_votes`: terms that started an election but elected nobody.
//! - `leader_changes`: elections won by a different node than the
//!   previous winner (the first election counts).

use super::timeline::Timeline;
use crate::history::{Entry, FaultEntry, History};
use crate::metric::Metric;
use serde_json::Value;
use std::collections::BTreeSet;

/// Fault kinds that repair rather than harm.
pub const REPAIRS: &[&str] = &["heal", "restart", "resume", "recover"];

/// All raft metrics of `history`, whose servers are `servers`.
pub fn metrics(history: &History, servers: &[String]) -> Vec<Metric> {
    let t = Timeline::of(history);
    let started: BTreeSet<u64> = t.started.iter().map(|m| m.term).collect();
    let elected: BTreeSet<u64> = t.elected.iter().map(|m| m.term).collect();
    let terms = started.union(&elected).count() as u64;
    let split = started.difference(&elected).count() as u64;
    vec![
        Metric::distribution(
            "downtime_ms",
            "from a fault hitting the leader until every other server knows a newer leader",
            downtime_ms(history, &t, servers),
        ),
        Metric::count(
            "terms",
            "distinct terms that started an election or had a leader",
            terms,
        ),
        Metric::count(
            "split_votes",
            "terms that started an election but elected nobody",
            split,
        ),
        Metric::count(
            "leader_changes",
            "elections won by a different node than the previous winner",
            leader_changes(&t),
        ),
    ]
}

fn leader_changes(t: &Timeline) -> u64 {
    let mut previous: Option<&str> = None;
    let mut changes = 0;
    for m in &t.elected {
        if previous != Some(m.node) {
            changes += 1;
        }
        previous = Some(m.node);
    }
    changes
}

/// One sample per leadership lost to a fault, in history order.
fn downtime_ms(history: &History, t: &Timeline, servers: &[String]) -> Vec<f64> {
    let mut sitting: Option<(&str, u64)> = None;
    let mut samples = Vec::new();
    for (index, entry) in history.entries.iter().enumerate() {
        match entry {
            Entry::Event(ev) => {
                let term = ev.data.get("term").and_then(Value::as_u64);
                let node = ev.node.as_str();
                match (ev.name.as_str(), term) {
                    ("became_leader", Some(term)) if sitting.is_none_or(|s| s.1 <= term) => {
                        sitting = Some((node, term));
                    }
                    ("stepped_down", Some(term)) if sitting == Some((node, term)) => sitting = None,
                    _ => {}
                }
            }
            Entry::Fault(f) if hits(f, sitting) => {
                let (leader, term) = sitting.take().expect("hits() needs a leader");
                if let Some(done_us) = recovered_us(t, servers, leader, term, index) {
                    samples.push(done_us.saturating_sub(f.time_us) as f64 / 1_000.0);
                }
            }
            _ => {}
        }
    }
    samples
}

fn hits(f: &FaultEntry, sitting: Option<(&str, u64)>) -> bool {
    let harmful = !REPAIRS.contains(&f.fault.as_str());
    harmful && sitting.is_some_and(|(leader, _)| f.nodes.iter().any(|n| n == leader))
}

/// When every server but `leader` knew a leader above `term`, after entry `after`.
fn recovered_us(
    t: &Timeline,
    servers: &[String],
    leader: &str,
    term: u64,
    after: usize,
) -> Option<u64> {
    let mut done_us = 0;
    for s in servers.iter().filter(|s| s.as_str() != leader) {
        let first = t
            .known
            .iter()
            .find(|k| k.node == s.as_str() && k.term > term && k.index > after)?;
        done_us = done_us.max(first.time_us);
    }
    Some(done_us)
}

#[cfg(test)]
mod tests {
    use super::super::timeline::build::*;
    use super::*;
    use crate::metric::MetricValue;
    use serde_json::json;

    fn servers() -> Vec<String> {
        ["n1", "n2", "n3"].map(String::from).to_vec()
    }

    fn get(ms: &[Metric], name: &str) -> MetricValue {
        ms.iter().find(|m| m.name == name).unwrap().value.clone()
    }

    #[test]
    fn downtime_runs_from_leader_fault_to_last_follower_knowing() {
        let mut h = History::default();
        ev(&mut h, 0, "n1", "election_started", json!({ "term": 1 }));
        elected(&mut h, 1_000, "n1", 1);
        fault(&mut h, 5_000, "crash", &["n2"]); // not the leader: no sample
        fault(&mut h, 10_000, "crash", &["n1"]);
        fault(&mut h, 10_500, "pause", &["n1"]); // same loss: counted once
        ev(
            &mut h,
            200_000,
            "n3",
            "election_started",
            json!({ "term": 2 }),
        );
        ev(
            &mut h,
            300_000,
            "n2",
            "election_started",
            json!({ "term": 3 }),
        );
        elected(&mut h, 301_000, "n2", 3);
        known(&mut h, 312_000, "n3", 3, "n2");
        fault(&mut h, 400_000, "restart", &["n2"]); // a repair: no sample
        let ms = metrics(&h, &servers());
        assert_eq!(
            get(&ms, "downtime_ms"),
            MetricValue::Distribution {
                samples: vec![302.0]
            }
        );
        assert_eq!(get(&ms, "terms"), MetricValue::Count { value: 3 });
        assert_eq!(get(&ms, "split_votes"), MetricValue::Count { value: 1 });
        assert_eq!(get(&ms, "leader_changes"), MetricValue::Count { value: 2 });
    }

    #[test]
    fn an_unrecovered_loss_gives_no_sample() {
        let mut h = History::default();
        elected(&mut h, 1_000, "n1", 1);
        ev(&mut h, 2_000, "n1", "stepped_down", json!({ "term": 1 }));
        fault(&mut h, 3_000, "partition", &["n1"]); // no longer leader
        elected(&mut h, 4_000, "n2", 2);
        fault(&mut h, 5_000, "partition", &["n2"]);
        known(&mut h, 6_000, "n1", 3, "n3"); // n3 itself never knows
        let ms = metrics(&h, &servers());
        assert_eq!(
            get(&ms, "downtime_ms"),
            MetricValue::Distribution { samples: vec![] }
        );
    }
}
