//! Figure 5 of `faultline bench`: the linearizability checker's speed on
//! the largest conformance histories (Porcupine's etcd logs and 50-client
//! key-value histories) and on the history of a quorum run of about 10,000
//! ops (`scenarios/quorum/bench.toml`). Only the check is timed: parsing
//! the files and running the scenario are not.

use super::wall::timed;
use super::{row, Row};
use crate::registry::Registry;
use crate::scenario::Source;
use faultline_models::check::linearizability::{check_history, convert, CheckOptions, SpecKind};
use faultline_models::history::{Entry, History, OpType};
use faultline_models::Verdict;
use std::path::Path;

/// The scenario whose history is checked: 40 clients, 10 keys, 3 s.
pub(crate) const QUORUM_BENCH: &str = "scenarios/quorum/bench.toml";

/// The conformance histories timed, with the semantics their project uses.
fn cases() -> [(&'static str, SpecKind, CheckOptions); 4] {
    [
        (
            "porcupine/jepsen/etcd_002.log",
            SpecKind::CasRegister,
            CheckOptions::porcupine_etcd(),
        ),
        (
            "porcupine/jepsen/etcd_007.log",
            SpecKind::CasRegister,
            CheckOptions::porcupine_etcd(),
        ),
        (
            "porcupine/kv/c50-ok.txt",
            SpecKind::Kv,
            CheckOptions::porcupine_kv(),
        ),
        (
            "porcupine/kv/c50-bad.txt",
            SpecKind::Kv,
            CheckOptions::porcupine_kv(),
        ),
    ]
}

/// 5: the checker on the conformance histories found under `conformance`
/// (missing ones are skipped, saying so on stderr) and on a quorum run's history.
pub fn checker_speed(registry: &Registry, conformance: &Path) -> Vec<Row> {
    let mut rows = Vec::new();
    let missing: Vec<&str> = (cases().iter())
        .map(|c| c.0)
        .filter(|f| !conformance.join(f).is_file())
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "bench: skipping {} of {} conformance rows: not under {} ({}); point --conformance at the conformance histories",
            missing.len(),
            cases().len(),
            conformance.display(),
            missing.join(", ")
        );
    }
    for (file, kind, opts) in cases() {
        let Ok(text) = std::fs::read_to_string(conformance.join(file)) else {
            continue;
        };
        let history = match convert::parse(&text, convert::Format::guess(file, &text)) {
            Ok(history) => history,
            Err(e) => {
                eprintln!("bench: skipping the conformance row {file}: {e}");
                continue;
            }
        };
        let lines = format!("{} lines", history.entries.len());
        rows.push(timed_check(file, &lines, &history, kind, &opts));
    }
    let quorum = quorum_history(registry);
    if quorum.is_none() {
        eprintln!(
            "bench: skipping the {QUORUM_BENCH} row: it did not load from the working directory"
        );
    }
    if let Some(history) = quorum {
        let ops = format!("{} ops", invokes(&history));
        let opts = CheckOptions::default();
        rows.push(timed_check(
            QUORUM_BENCH,
            &ops,
            &history,
            SpecKind::Kv,
            &opts,
        ));
    }
    rows
}

/// One timed check of `history`, named by `what` and its `size`.
fn timed_check(
    what: &str,
    size: &str,
    history: &History,
    kind: SpecKind,
    opts: &CheckOptions,
) -> Row {
    let (secs, verdict): (f64, Verdict) = timed(|| check_history(history, kind, opts));
    let name = format!("linearizability {what} ({}, {size})", verdict.word());
    let mut r = row("checker", name, secs * 1000.0, "ms");
    r.target = "< 100 ms".into();
    r.met = Some(secs < 0.1);
    r
}

/// The history of seed 1 of [`QUORUM_BENCH`], if the file is there.
fn quorum_history(registry: &Registry) -> Option<History> {
    let source = Source::read(Path::new(QUORUM_BENCH)).ok()?;
    let scenario = registry.load_source(source).ok()?;
    let run = scenario.run(1);
    // The run's events are its protocol's type; the checker reads only ops,
    // so the file form (raw events) serves.
    let mut jsonl = Vec::new();
    run.history.write_jsonl(&mut jsonl).ok()?;
    History::read_jsonl(jsonl.as_slice()).ok()
}

/// The number of ops (invocations) in `history`.
fn invokes(history: &History) -> usize {
    history
        .entries
        .iter()
        .filter(|e| matches!(e, Entry::Op(op) if op.kind == OpType::Invoke))
        .count()
}
