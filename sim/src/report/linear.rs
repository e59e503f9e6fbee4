//! `linear.html`: why a history is not linearizable, drawn as Knossos's
//! `linear.svg` and Porcupine's visualisation do. For each failing key:
//! one lane per client process that touched the key, each op a bar from
//! invoke to completion with the node that served it; the longest
//! linearizable prefix the search found, numbered in linearization order
//! and joined by a line through legal linearization points; the op that
//! cannot be placed in red; the ops concurrent with it outlined. A table
//! below lists the same candidate order.
//!
//! The checker's verdict carries only text and history lines, so this page
//! runs the same analysis again on the run's client ops (the check reads
//! nothing else, and is deterministic) and draws it only when its failure
//! names exactly the lines the verdict named: the page can never explain a
//! different failure from the one judged.

use super::interactive;
use crate::run::RunOutcome;
use faultline_models::check::linearizability::{
    analyze, Analysis, CheckOptions, Failure, OpRef, SpecKind,
};
use faultline_models::history::{Entry, History, NoEvent};
use faultline_models::Verdict;
use serde_json::{json, Value};

/// The checker this page explains.
pub const CHECKER: &str = "linearizable";
/// Most prefix ops drawn (the last ones, next to the op that cannot be placed).
pub const PREFIX_SHOWN: usize = 24;

const SCRIPT: &str = include_str!("../../assets/linear.js");

/// The page, when the run has a linearizability violation this page can
/// explain; else None.
pub fn page(o: &RunOutcome) -> Option<String> {
    let judged: Vec<Vec<usize>> = o
        .checks
        .iter()
        .filter(|c| c.name == CHECKER)
        .filter_map(|c| match &c.verdict {
            Verdict::Invalid { violations } => Some(
                violations
                    .iter()
                    .map(|v| v.entries.clone())
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .next()?;
    let (ops_only, lines) = client_ops(o);
    let Analysis::NotLinearizable(failures) =
        analyze(&ops_only, SpecKind::Kv, &CheckOptions::default())
    else {
        return None;
    };
    let failures: Vec<Failure> = failures.iter().map(|f| remap(f, &lines)).collect();
    let same = failures.len() == judged.len()
        && failures.iter().zip(&judged).all(|(f, e)| &f.entries() == e);
    if !same {
        return None;
    }
    let title = format!(
        "{} ({}) seed {}: not linearizable",
        o.scenario, o.variant, o.seed
    );
    let keys: Vec<Value> = failures.iter().map(|f| key_json(o, f)).collect();
    let body = "<p class=\"note\">For each key that cannot be linearized: one lane per client \
                process, each op a bar from invoke to completion (labelled with the node that \
                served it). Numbers are the longest linearizable prefix the search found, in \
                linearization order (the line joins legal linearization points); the red op is \
                the one no order can place after that prefix; outlined ops were concurrent with \
                it. Hover for the history lines. Times are simulated milliseconds.</p>\n\
                <div id=\"keys\"></div>";
    Some(interactive::page(
        &title,
        body,
        &json!({ "keys": keys }),
        SCRIPT,
    ))
}

/// The run's op lines as a history of their own, and each one's line
/// number in the run's history.
fn client_ops(o: &RunOutcome) -> (History<NoEvent>, Vec<usize>) {
    let h = &*o.history;
    let mut out = History::with_nodes(h.nodes().to_vec());
    let mut lines = Vec::new();
    for i in 0..h.len() {
        if let Some(op) = h.op(i) {
            out.push(Entry::Op(op.clone()));
            lines.push(i);
        }
    }
    (out, lines)
}

fn remap(f: &Failure, lines: &[usize]) -> Failure {
    let at = |r: &OpRef| OpRef {
        invoke: lines[r.invoke],
        completion: r.completion.map(|c| lines[c]),
    };
    Failure {
        key: f.key.clone(),
        op: at(&f.op),
        prefix: f.prefix.iter().map(at).collect(),
        state: f.state.clone(),
        concurrent: f.concurrent.iter().map(at).collect(),
    }
}

fn key_json(o: &RunOutcome, f: &Failure) -> Value {
    let skip = f.prefix.len().saturating_sub(PREFIX_SHOWN);
    let mut ops: Vec<Value> = f.prefix[skip..]
        .iter()
        .enumerate()
        .map(|(i, r)| op_json(o, r, "prefix", Some(skip + i + 1)))
        .collect();
    ops.push(op_json(o, &f.op, "stuck", None));
    let placed = |r: &OpRef| f.prefix.iter().any(|p| p == r);
    ops.extend(
        f.concurrent
            .iter()
            .filter(|r| !placed(r))
            .map(|r| op_json(o, r, "concurrent", None)),
    );
    for r in f.concurrent.iter().filter(|r| placed(r)) {
        if let Some(op) = ops.iter_mut().find(|v| v["invoke"] == r.invoke) {
            op["concurrent"] = Value::Bool(true);
        }
    }
    json!({
        "key": f.key, "state": f.state, "prefix_len": f.prefix.len(), "prefix_skipped": skip,
        "ops": ops,
    })
}

fn op_json(o: &RunOutcome, r: &OpRef, role: &str, order: Option<usize>) -> Value {
    let h = &*o.history;
    let invoke = h.op(r.invoke);
    let done = r.completion.and_then(|c| h.op(c));
    let node = invoke
        .and_then(|op| op.node())
        .map(|n| h.nodes()[n].as_str());
    let outcome = done.map_or("pending", |d| match d.kind {
        faultline_models::OpType::Ok => "ok",
        faultline_models::OpType::Fail => "fail",
        _ => "info",
    });
    json!({
        "role": role, "order": order, "concurrent": role == "concurrent",
        "invoke": r.invoke, "process": invoke.map(|op| op.process),
        "f": invoke.map(|op| op.f()), "value": invoke.map(|op| op.value().to_value().into_owned()),
        "result": done.map(|d| d.value().to_value().into_owned()), "o": outcome, "node": node,
        "t0": invoke.map(|op| op.time_us), "t1": done.map(|d| d.time_us),
        "a": h.line(r.invoke), "r": r.completion.map(|c| h.line(c)),
    })
}
