//! The linearizability checker against Porcupine's and Knossos's test data.
//!
//! Reads every history listed in `shared/conformance/{knossos,porcupine}/MANIFEST.md`
//! (beside the repository, or where `FAULTLINE_CONFORMANCE` points), converts
//! it, checks it with the semantics its project uses and asserts the
//! manifest's verdict. A missing directory is a failure, not a skip.
//! `cargo test -p faultline-models --release --test conformance -- --nocapture`
//! prints the table of verdicts and times.

use faultline_models::check::linearizability::{
    analyze, check_history, convert, Analysis, CheckOptions, SpecKind,
};
use faultline_models::History;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the conformance data is.
fn conformance_dir() -> PathBuf {
    let dir = std::env::var_os("FAULTLINE_CONFORMANCE").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/conformance"
            ))
        },
        PathBuf::from,
    );
    assert!(
        dir.join("knossos/MANIFEST.md").is_file() && dir.join("porcupine/MANIFEST.md").is_file(),
        "conformance data not found at {}: put shared/ beside the repository \
         or set FAULTLINE_CONFORMANCE to the conformance directory",
        dir.display()
    );
    dir
}

/// One history and the verdict its manifest expects.
#[derive(Debug)]
struct Case {
    /// Path relative to the conformance directory.
    path: String,
    /// True for linearizable.
    linearizable: bool,
}

/// The histories listed in `<project>/MANIFEST.md` with a verdict.
fn manifest_cases(dir: &Path, project: &str) -> Vec<Case> {
    let text = std::fs::read_to_string(dir.join(project).join("MANIFEST.md")).unwrap();
    let mut cases = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(file), Some(verdict)) = (cells.get(1), cells.iter().rev().nth(1)) else {
            continue;
        };
        if !file.ends_with(".edn") && !file.ends_with(".log") && !file.ends_with(".txt") {
            continue;
        }
        let linearizable = if verdict.starts_with("valid") || verdict.starts_with("linearizable") {
            true
        } else if verdict.starts_with("invalid") || verdict.starts_with("NOT linearizable") {
            false
        } else {
            continue;
        };
        cases.push(Case {
            path: format!("{project}/{file}"),
            linearizable,
        });
    }
    cases
}

/// The spec and options each project checks a file with.
fn setup(path: &str) -> (SpecKind, CheckOptions) {
    if path.starts_with("porcupine/kv/") {
        (SpecKind::Kv, CheckOptions::porcupine_kv())
    } else if path.starts_with("porcupine/") {
        (SpecKind::CasRegister, CheckOptions::porcupine_etcd())
    } else if path.contains("/multi-register/") {
        (SpecKind::MultiRegister, CheckOptions::knossos(json!(0)))
    } else if path.contains("/mutex/") {
        (SpecKind::Mutex, CheckOptions::knossos(json!(null)))
    } else {
        (SpecKind::CasRegister, CheckOptions::knossos(json!(0)))
    }
}

fn load(dir: &Path, path: &str) -> History {
    let text = std::fs::read_to_string(dir.join(path)).unwrap();
    convert::parse(&text, convert::Format::guess(path, &text))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Checks `history`, timing the checker itself (not a simulated run).
#[allow(clippy::disallowed_methods)]
fn timed_check(history: &History, kind: SpecKind, opts: &CheckOptions) -> (&'static str, Duration) {
    let start = std::time::Instant::now();
    let verdict = check_history(history, kind, opts);
    (verdict.word(), start.elapsed())
}

#[test]
fn every_manifest_verdict_is_reproduced() {
    let dir = conformance_dir();
    let knossos = manifest_cases(&dir, "knossos");
    let porcupine = manifest_cases(&dir, "porcupine");
    assert_eq!(knossos.len(), 122, "knossos manifest rows with a verdict");
    assert_eq!(
        porcupine.len(),
        108,
        "porcupine manifest rows with a verdict"
    );
    let mut wrong = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    println!("| file | expected | actual | ms |\n|---|---|---|---|");
    for case in knossos.iter().chain(&porcupine) {
        let history = load(&dir, &case.path);
        let (kind, opts) = setup(&case.path);
        let (actual, took) = timed_check(&history, kind, &opts);
        let expected = if case.linearizable {
            "valid"
        } else {
            "invalid"
        };
        let ms = took.as_secs_f64() * 1e3;
        println!("| {} | {expected} | {actual} | {ms:.2} |", case.path);
        if actual != expected {
            wrong.push(format!("{}: expected {expected}, got {actual}", case.path));
        }
        slowest = slowest.max((took, case.path.clone()));
    }
    println!("slowest: {} in {:?}", slowest.1, slowest.0);
    assert!(wrong.is_empty(), "verdicts differ:\n{}", wrong.join("\n"));
    if !cfg!(debug_assertions) {
        assert!(slowest.0 < Duration::from_secs(2), "too slow: {slowest:?}");
    }
}

/// The op Knossos reports for a failing history, by its `:index`.
#[test]
fn knossos_failing_ops_are_found() {
    let dir = conformance_dir();
    let cases = [
        ("bad-analysis.edn", 14),
        ("cas-failure.edn", 491),
        ("immediate-failure.edn", 3),
        ("rethink-fail-minimal.edn", 4),
        ("rethink-fail-smaller.edn", 217),
    ];
    for (file, index) in cases {
        let path = format!("knossos/cas-register/bad/{file}");
        let history = load(&dir, &path);
        let (kind, opts) = setup(&path);
        let Analysis::NotLinearizable(failures) = analyze(&history, kind, &opts) else {
            panic!("{path} must not be linearizable");
        };
        let failure = &failures[0];
        println!("{path}: {failure:?}");
        assert_eq!(failure.op.completion, Some(index), "{path}");
        assert!(failure.entries().contains(&index), "{path}");
    }
}

/// As in Knossos's timeout tests: a tiny budget gives unknown, not a guess.
#[test]
fn a_tiny_budget_is_unknown() {
    let dir = conformance_dir();
    let path = "knossos/cas-register/good/memstress3-12.edn";
    let history = load(&dir, path);
    let (kind, opts) = setup(path);
    let tiny = CheckOptions {
        steps_max: 10,
        ..opts
    };
    assert_eq!(check_history(&history, kind, &tiny).word(), "unknown");
}

/// The memo only prunes: emptied at every round (a budget of 0 bytes), the
/// checker reaches the same verdicts (on histories where the redone work
/// fits in the step budget: etcd_099 does not, and ends unknown).
#[test]
fn a_memo_budget_keeps_verdicts() {
    let dir = conformance_dir();
    let cases = [
        ("porcupine/kv/c10-ok.txt", "valid"),
        ("porcupine/kv/c10-bad.txt", "invalid"),
        ("porcupine/jepsen/etcd_085.log", "invalid"),
    ];
    for (path, expected) in cases {
        let history = load(&dir, path);
        let (kind, opts) = setup(path);
        let no_memo = CheckOptions {
            memo_bytes_max: 0,
            ..opts
        };
        assert_eq!(
            check_history(&history, kind, &no_memo).word(),
            expected,
            "{path}"
        );
    }
}
