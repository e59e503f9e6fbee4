//! `messages.html`: the message diagram of a window, interactive. Nodes
//! are columns, time runs down, each message is an arrow from its send to
//! its arrival with the message's fields (its `Debug` text) as a tooltip
//! and, where there is room, as a label along the arrow. Every message
//! type keeps one colour for the whole run (its place among the run's
//! sorted type names, [`crate::world::recorder::Recorder::kinds`]).
//! Filters: by node, by an id found in the fields (key, transaction, saga,
//! order...) and by message type. Faults are bands and stripes labelled
//! with what they do; the violations are listed above the diagram and
//! drawn as numbered red lines, with the entries they name circled.

use super::interactive;
use crate::plot::canvas::{colour_index, palette_hex};
use crate::plot::window::Mark;
use crate::run::RunOutcome;
use crate::world::recorder::{MessageFate, Recorder};
use serde_json::{json, Value};

const SCRIPT: &str = include_str!("../../assets/messages.js");

fn fate(f: MessageFate) -> &'static str {
    match f {
        MessageFate::Delivered => "delivered",
        MessageFate::Lost => "lost",
        MessageFate::Partitioned => "partitioned",
        MessageFate::DeadNode => "receiver down",
        MessageFate::InFlight => "in flight at the end",
    }
}

/// The page's HTML for messages `recorder` kept in `window_us`.
pub fn page(o: &RunOutcome, recorder: &Recorder, marks: &[Mark], window_us: (u64, u64)) -> String {
    let title = format!(
        "{} ({}) seed {}: messages {:.3}-{:.3} ms",
        o.scenario,
        o.variant,
        o.seed,
        window_us.0 as f64 / 1000.0,
        window_us.1 as f64 / 1000.0
    );
    let body = "<p class=\"note\">Nodes are columns, simulated time runs down. Each arrow \
                is one message from its send to its arrival (a dot at the head; a red \u{d7} \
                where it died: lost, cut by a partition, or its receiver down). Hover an \
                arrow for its fields. Crashes and pauses are bands on a node's line, network \
                faults stripes across. Another window: <code>faultline run FILE --seed N \
                --flow-ms FROM..TO</code>.</p>\n<ol id=\"violations\" class=\"viol\"></ol>\n\
                <div class=\"bar\" id=\"filters\"></div>\n<p id=\"shown\" class=\"note\"></p>\n\
                <div id=\"chart\" class=\"scroll\"></div>";
    interactive::page(&title, body, &data(o, recorder, marks, window_us), SCRIPT)
}

fn data(o: &RunOutcome, recorder: &Recorder, marks: &[Mark], window_us: (u64, u64)) -> Value {
    let colours = colour_index(recorder.kinds.iter().map(String::as_str));
    let kinds: Vec<Value> = colours
        .iter()
        .map(|(name, &i)| json!({ "name": name, "color": palette_hex(i) }))
        .collect();
    let messages: Vec<Value> = recorder
        .records
        .iter()
        .map(|m| {
            json!([
                m.send_us,
                m.arrive_us,
                m.from,
                m.to,
                colours.get(m.label.as_str()).copied().unwrap_or(0),
                m.body,
                fate(m.fate)
            ])
        })
        .collect();
    let node = |name: &str| o.nodes.iter().position(|n| n == name);
    let violations: Vec<Value> = marks
        .iter()
        .map(|m| {
            let points: Vec<Value> = m
                .points
                .iter()
                .filter_map(|(n, t)| Some(json!([node(n)?, t])))
                .collect();
            let first = m.points.iter().map(|p| p.1).min().or(m.time_us);
            json!({ "check": m.check, "message": m.message, "time_us": m.time_us.or(first), "points": points })
        })
        .collect();
    json!({
        "nodes": o.nodes, "from_us": window_us.0, "to_us": window_us.1, "heal_us": o.heal_us,
        "kinds": kinds, "messages": messages, "dropped": recorder.dropped,
        "faults": super::faults_json(o), "violations": violations,
    })
}
