//! `timeline.html`: every client op of a run as a bar on its process's
//! lane, from invoke to completion, coloured by outcome (ok, fail, info =
//! unknown, pending), with one lane per node below for its protocol events
//! (marks) and its crashes and pauses (bands); network faults shade every
//! lane. Hovering a bar shows the op's invoke and completion lines; the ops
//! and events a violation names are outlined in red, listed at the top, and
//! the page opens scrolled to the first of them.
//!
//! Large histories are cut, not drawn whole: past [`OPS_MAX`] ops the page
//! shows that many around the first violation (and every op a violation
//! names) and says so; past [`EVENTS_MAX`] events likewise.

use super::interactive;
use crate::run::RunOutcome;
use faultline_models::OpType;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Most ops drawn; the rest are counted on the page (all are in `ops.csv`).
pub const OPS_MAX: usize = 5_000;
/// Most protocol events drawn.
pub const EVENTS_MAX: usize = 10_000;

const SCRIPT: &str = include_str!("../../assets/timeline.js");

/// One client op: its lines and how it ended.
struct Op {
    process: u64,
    invoke: usize,
    completion: Option<usize>,
    t0: u64,
    t1: Option<u64>,
    outcome: &'static str,
}

/// A violation as the pages show it: numbered from 1 in checker order.
#[derive(Debug, Clone)]
pub struct Named {
    /// The checker's name.
    pub check: &'static str,
    /// Its message.
    pub message: String,
    /// When, if the checker said.
    pub time_us: Option<u64>,
    /// The history lines it names.
    pub entries: Vec<usize>,
}

impl Named {
    /// The earliest moment the violation points at: its first entry, else its time.
    pub fn first_us(&self, o: &RunOutcome) -> Option<u64> {
        let entries = self.entries.iter().filter_map(|&i| o.history.time_us(i));
        entries.min().or(self.time_us)
    }
}

/// Every violation of the run, in checker order.
pub fn violations(o: &RunOutcome) -> Vec<Named> {
    let mut out = Vec::new();
    for c in &o.checks {
        if let faultline_models::Verdict::Invalid { violations } = &c.verdict {
            out.extend(violations.iter().map(|v| Named {
                check: c.name,
                message: v.message.clone(),
                time_us: v.time_us,
                entries: v.entries.clone(),
            }));
        }
    }
    out
}

/// The page's HTML.
pub fn page(o: &RunOutcome) -> String {
    let title = format!("{} ({}) seed {}: timeline", o.scenario, o.variant, o.seed);
    let body = "<p class=\"note\">One lane per client process (each op a bar from invoke \
                to completion: <span class=\"swatch\" style=\"background:#2ca02c\"></span>ok \
                <span class=\"swatch\" style=\"background:#ff7f0e\"></span>fail \
                <span class=\"swatch\" style=\"background:#9e9e9e\"></span>info (outcome \
                unknown) <span class=\"swatch\" style=\"background:#fff;border-color:#555\"></span>pending) \
                and one per node (protocol events as ticks, crashes and pauses as bands); \
                network faults shade every lane. Hover for details; red outlines are what a \
                violation names. Times are simulated milliseconds.</p>\n\
                <div id=\"shown\" class=\"note\"></div><ol id=\"violations\" class=\"viol\"></ol>\n\
                <div class=\"bar\"><button id=\"zin\">zoom in</button><button id=\"zout\">zoom out\
                </button><span id=\"scale\"></span></div>\n<div id=\"chart\" class=\"scroll\"></div>";
    interactive::page(&title, body, &data(o), SCRIPT)
}

fn ops_of(o: &RunOutcome) -> Vec<Op> {
    let h = &*o.history;
    let mut ops: Vec<Op> = Vec::new();
    let mut open: BTreeMap<u64, usize> = BTreeMap::new();
    for i in 0..h.len() {
        let Some(op) = h.op(i) else { continue };
        if op.kind == OpType::Invoke {
            open.insert(op.process, ops.len());
            ops.push(Op {
                process: op.process,
                invoke: i,
                completion: None,
                t0: op.time_us,
                t1: None,
                outcome: "pending",
            });
        } else if let Some(k) = open.remove(&op.process) {
            let row = &mut ops[k];
            row.completion = Some(i);
            row.t1 = Some(op.time_us);
            row.outcome = match op.kind {
                OpType::Ok => "ok",
                OpType::Fail => "fail",
                _ => "info",
            };
        }
    }
    ops
}

/// The index range of `ops` (in invoke order) to draw: all, or
/// [`OPS_MAX`] around the first violation's moment.
fn shown_range(ops: &[Op], focus_us: Option<u64>) -> std::ops::Range<usize> {
    if ops.len() <= OPS_MAX {
        return 0..ops.len();
    }
    let at = focus_us.map_or(0, |t| ops.partition_point(|op| op.t0 < t));
    let lo = at.saturating_sub(OPS_MAX / 2).min(ops.len() - OPS_MAX);
    lo..lo + OPS_MAX
}

fn data(o: &RunOutcome) -> Value {
    let h = &*o.history;
    let named = violations(o);
    let focus = named.iter().filter_map(|v| v.first_us(o)).min();
    let ops = ops_of(o);
    let range = shown_range(&ops, focus);
    let (from_us, to_us) = match (ops.get(range.start), range.end.checked_sub(1)) {
        (Some(first), Some(last)) if range.len() < ops.len() => {
            let end = ops[range.clone()].iter().filter_map(|op| op.t1).max();
            (first.t0, end.unwrap_or(ops[last].t0).max(ops[last].t0))
        }
        _ => (0, o.end_us),
    };
    let mut named_lines: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, v) in named.iter().enumerate() {
        for &e in &v.entries {
            named_lines.entry(e).or_default().push(k + 1);
        }
    }
    let marks = |lines: &[usize]| -> Vec<usize> {
        let mut m: Vec<usize> = lines
            .iter()
            .filter_map(|l| named_lines.get(l))
            .flatten()
            .copied()
            .collect();
        m.sort_unstable();
        m.dedup();
        m
    };
    let mut processes: Vec<u64> = ops.iter().map(|op| op.process).collect();
    processes.sort_unstable();
    processes.dedup();
    let lane_of: BTreeMap<u64, usize> =
        processes.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let shown_ops: Vec<Value> = ops
        .iter()
        .enumerate()
        .filter(|(i, op)| {
            range.contains(i)
                || !marks(&[op.invoke]).is_empty()
                || op.completion.is_some_and(|c| !marks(&[c]).is_empty())
        })
        .map(|(_, op)| {
            let lines: Vec<usize> = std::iter::once(op.invoke).chain(op.completion).collect();
            let node = h
                .op(op.invoke)
                .and_then(|e| e.node())
                .map(|n| h.nodes()[n].as_str());
            json!({
                "lane": lane_of[&op.process], "t0": op.t0, "t1": op.t1, "o": op.outcome,
                "f": h.op(op.invoke).map_or("", |e| e.f()), "node": node,
                "a": h.line(op.invoke), "r": op.completion.map(|c| h.line(c)),
                "v": marks(&lines),
            })
        })
        .collect();
    let (events, events_total) = events(o, (from_us, to_us), &marks);
    let names = crate::plot::canvas::colour_index(events.iter().filter_map(|e| e["name"].as_str()));
    let event_colors: serde_json::Map<String, Value> = names
        .iter()
        .map(|(n, &i)| {
            (
                n.to_string(),
                Value::from(crate::plot::canvas::palette_hex(i)),
            )
        })
        .collect();
    json!({
        "end_us": o.end_us, "heal_us": o.heal_us, "from_us": from_us, "to_us": to_us,
        "processes": processes, "nodes": o.nodes,
        "ops": shown_ops, "ops_total": ops.len(),
        "events": events, "events_total": events_total, "event_colors": event_colors,
        "faults": super::faults_json(o),
        "violations": named.iter().map(|v| json!({
            "check": v.check, "message": v.message, "time_us": v.time_us,
            "first_us": v.first_us(o),
        })).collect::<Vec<_>>(),
    })
}

/// Protocol events in `[from_us, to_us]` (at most [`EVENTS_MAX`], plus every
/// named one), and how many the run recorded.
fn events(
    o: &RunOutcome,
    (from_us, to_us): (u64, u64),
    marks: &dyn Fn(&[usize]) -> Vec<usize>,
) -> (Vec<Value>, usize) {
    let h = &*o.history;
    let mut out = Vec::new();
    let mut total = 0;
    for i in 0..h.len() {
        let Some(name) = h.event_name(i) else {
            continue;
        };
        total += 1;
        let Some((node, t)) = h.place(i) else {
            continue;
        };
        let v = marks(&[i]);
        let inside = (from_us..=to_us).contains(&t) && out.len() < EVENTS_MAX;
        if inside || !v.is_empty() {
            out.push(json!({ "n": node, "t": t, "name": name, "line": h.line(i), "v": v }));
        }
    }
    (out, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(t0: u64) -> Op {
        Op {
            process: 0,
            invoke: 0,
            completion: None,
            t0,
            t1: None,
            outcome: "pending",
        }
    }

    #[test]
    fn a_large_history_is_cut_around_the_first_violation() {
        let few: Vec<Op> = (0..10).map(op).collect();
        assert_eq!(shown_range(&few, Some(5)), 0..10);
        let many: Vec<Op> = (0..(3 * OPS_MAX as u64)).map(|t| op(t * 10)).collect();
        let r = shown_range(&many, Some(7_000 * 10));
        assert_eq!(r.len(), OPS_MAX);
        assert!(
            r.contains(&7_000) && r.start == 7_000 - OPS_MAX / 2,
            "{r:?}"
        );
        assert_eq!(shown_range(&many, None), 0..OPS_MAX);
        assert_eq!(shown_range(&many, Some(u64::MAX)).end, many.len());
    }
}
