//! Mutated bundled scenarios (proptest): whatever is done to a file's keys
//! and numbers (extremes, NaN and infinity, strings where numbers go, keys
//! dropped or duplicated), `faultline run` ends within a wall-time bound
//! with a verdict (0, 1, 2), bad input (3) or an engine limit (5): never a
//! panic, an engine error (6), a crash or a hang.
//!
//! The harness adds `[run] events_max` (unless the mutation left no `[run]`
//! table) so that an accepted scenario of a day of simulated time ends in
//! seconds: the cap is part of the property (a run always ends), its
//! default is just too high for a test.

mod support;

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// Values a mutation writes in place of a key's value or a number.
const VALUES: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "1e300",
    "-1e300",
    "1e-300",
    "0",
    "-1",
    "0.5",
    "4294967295",
    "18446744073709551615",
    "9223372036854775807",
    "\"\"",
    "\"../../x\"",
    "\"n99\"",
    "\"leadr\"",
    "\"random-leader\"",
    "[]",
    "[[]]",
    "[\"n1\", \"n1\", \"n1\"]",
    "{}",
    "true",
    "1000",
    "100000",
];

/// Events one fuzzed run may dispatch (a few seconds at most).
const EVENTS_MAX: u64 = 300_000;
/// The wall-time bound on one `faultline run`.
const WALL_S: u64 = 60;

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value of the `i`-th key line.
    SetValue(usize, usize),
    /// Replace the first number on the `i`-th key line.
    SetNumber(usize, usize),
    /// Drop the `i`-th key line.
    Drop(usize),
    /// Write the `i`-th key line twice.
    Duplicate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let v = 0..VALUES.len();
    // Mostly values: a duplicated key is always a syntax error, and a
    // dropped one often a missing field, so those rarely reach a run.
    prop_oneof![
        3 => (any::<usize>(), v.clone()).prop_map(|(i, v)| Mutation::SetValue(i, v)),
        3 => (any::<usize>(), v).prop_map(|(i, v)| Mutation::SetNumber(i, v)),
        1 => any::<usize>().prop_map(Mutation::Drop),
        1 => any::<usize>().prop_map(Mutation::Duplicate),
    ]
}

/// Every bundled scenario file, sorted.
fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(root).unwrap().flatten() {
        if !dir.path().is_dir() {
            continue;
        }
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            if f.path().extension().is_some_and(|e| e == "toml") {
                files.push(f.path());
            }
        }
    }
    files.sort();
    files
}

fn is_key_line(line: &str) -> bool {
    let t = line.trim_start();
    !t.starts_with('#') && !t.starts_with('[') && t.contains('=')
}

/// `text` with `m` applied to its key lines (indices taken modulo their count).
fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let keys: Vec<usize> = (0..lines.len())
        .filter(|&i| is_key_line(&lines[i]))
        .collect();
    if keys.is_empty() {
        return text.to_string();
    }
    let pick = |i: usize| keys[i % keys.len()];
    match *m {
        Mutation::SetValue(i, v) => {
            let at = pick(i);
            let key = lines[at].split('=').next().unwrap_or_default().to_string();
            lines[at] = format!("{key}= {}", VALUES[v]);
        }
        Mutation::SetNumber(i, v) => {
            let at = pick(i);
            let line = &lines[at];
            if let Some(start) = line.find(|c: char| c.is_ascii_digit()) {
                let len = line[start..]
                    .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .unwrap_or(line.len() - start);
                lines[at] = format!("{}{}{}", &line[..start], VALUES[v], &line[start + len..]);
            }
        }
        Mutation::Drop(i) => {
            lines.remove(pick(i));
        }
        Mutation::Duplicate(i) => {
            let at = pick(i);
            let line = lines[at].clone();
            lines.insert(at, line);
        }
    }
    lines.join("\n") + "\n"
}

/// Adds the events cap right under `[run]`, if there is a `[run]`.
fn capped(text: &str) -> String {
    text.replacen("[run]\n", &format!("[run]\nevents_max = {EVENTS_MAX}\n"), 1)
}

/// Runs `faultline run` on `text`; (exit code, stdout + stderr), or a
/// failure message if it did not end within [`WALL_S`] or was killed.
fn run(name: &str, text: &str) -> Result<(i32, String), String> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scenario_fuzz");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    let mut child = support::faultline()
        .args(["run", "--no-report", "--seed", "1"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut waited = Duration::ZERO;
    let step = Duration::from_millis(20);
    while child.try_wait().unwrap().is_none() {
        if waited >= Duration::from_secs(WALL_S) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {WALL_S} s:\n{text}"));
        }
        std::thread::sleep(step);
        waited += step;
    }
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(code) => Ok((code, said)),
        None => Err(format!("killed by a signal:\n{said}\n{text}")),
    }
}

fn check(name: &str, text: &str) -> Result<(), TestCaseError> {
    let (code, said) = run(name, text).map_err(TestCaseError::fail)?;
    prop_assert!(
        [0, 1, 2, 3, 5].contains(&code),
        "exit {code}:\n{said}\n--- scenario:\n{text}"
    );
    prop_assert!(
        !said.contains("panicked"),
        "a panic:\n{said}\n--- scenario:\n{text}"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_mutated_bundled_scenario_ends_cleanly(
        file in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let files = corpus();
        let path = file.get(&files);
        let mut text = std::fs::read_to_string(path).unwrap();
        for m in &mutations {
            text = apply(&text, m);
        }
        check("case", &capped(&text))?;
    }
}
