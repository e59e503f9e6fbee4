//! Bad scenario files get a clear error naming file, line and column, and
//! exit code 3, without a panic and without writing a report.

mod support;

use std::path::PathBuf;

fn validate(name: &str, text: &str) -> (i32, String) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scenario_errors");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    let out = support::faultline()
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap(), stderr)
}

fn assert_error(name: &str, text: &str, line: usize, expect: &str) {
    let (code, stderr) = validate(name, text);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains(&format!("{name}.toml:{line}:")),
        "expected line {line}: {stderr}"
    );
    assert!(stderr.contains(expect), "expected {expect:?} in: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one error, said once: {stderr}");
}

const RUN: &str = "\n[run]\nduration_ms = 100\n";

#[test]
fn wrong_type() {
    assert_error(
        "wrong_type",
        &format!("[protocol]\nname = \"ping\"\nnodes = \"five\"\n{RUN}"),
        3,
        "expected usize",
    );
}

#[test]
fn unknown_key() {
    assert_error(
        "unknown_key",
        &format!("[protocol]\nname = \"ping\"\nnodes = 3\ncolour = 1\n{RUN}"),
        4,
        "unknown field `colour`",
    );
}

#[test]
fn unknown_key_in_params() {
    let text =
        format!("[protocol]\nname = \"ping\"\nnodes = 3\n[protocol.params]\nretries = 1\n{RUN}");
    assert_error("unknown_param", &text, 5, "unknown field `retries`");
}

#[test]
fn missing_field() {
    assert_error(
        "missing_field",
        "[protocol]\nname = \"ping\"\nnodes = 3\n",
        1,
        "missing field `run`",
    );
}

#[test]
fn bad_range() {
    let text = format!("[protocol]\nname = \"ping\"\nnodes = 3\n\n[network]\nlatency = {{ dist = \"uniform\", min_ms = 9, max_ms = 1 }}\n{RUN}");
    assert_error("bad_range", &text, 6, "min_ms (9) must be <= max_ms (1)");
}

#[test]
fn bad_param_range() {
    let text =
        format!("[protocol]\nname = \"ping\"\nnodes = 3\n\n[protocol.params]\nretry_ms = 0\n{RUN}");
    assert_error("bad_param", &text, 6, "expected retry_ms > 0");
}

#[test]
fn unknown_protocol() {
    assert_error(
        "unknown_protocol",
        &format!("[protocol]\nname = \"pong\"\nnodes = 3\n{RUN}"),
        2,
        "unknown protocol \"pong\"; expected one of:",
    );
}

#[test]
fn unknown_variant() {
    let text = format!("[protocol]\nname = \"ping\"\nvariant = \"nope\"\nnodes = 3\n{RUN}");
    assert_error(
        "unknown_variant",
        &text,
        3,
        "unknown variant \"nope\"; expected one of: correct",
    );
}

#[test]
fn unknown_node_in_a_fault() {
    let text = format!("[protocol]\nname = \"ping\"\nnodes = 3\n{RUN}\n[[faults]]\nat_ms = 10\nkind = \"crash\"\ntarget = \"n9\"\n");
    assert_error("unknown_node", &text, 11, "unknown node \"n9\"");
}

#[test]
fn unknown_fault_kind() {
    let text = format!("[protocol]\nname = \"ping\"\nnodes = 3\n{RUN}\n[[faults]]\nat_ms = 10\nkind = \"meteor\"\n");
    assert_error("unknown_kind", &text, 10, "unknown fault kind \"meteor\"");
}

#[test]
fn fault_after_the_safety_phase() {
    let text = format!("[protocol]\nname = \"ping\"\nnodes = 3\n{RUN}\n[[faults]]\nat_ms = 500\nkind = \"crash\"\ntarget = \"n1\"\n");
    assert_error("late_fault", &text, 9, "before the end of the safety phase");
}

#[test]
fn unknown_operation_in_the_mix() {
    let text = format!("[protocol]\nname = \"ping\"\nnodes = 3\n{RUN}\n[workload.mix]\nfly = 1\n");
    assert_error("unknown_op", &text, 9, "unknown operation \"fly\"");
}

#[test]
fn toml_syntax_error() {
    assert_error("syntax", "[protocol\nname = 1\n", 1, "");
}

#[test]
fn missing_file_is_an_io_error() {
    let out = support::faultline()
        .args(["run", "no/such/file.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.toml"));
}

#[test]
fn a_bad_scenario_writes_no_report() {
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bad_report");
    let _ = std::fs::remove_dir_all(&out_dir);
    let (_, _) = validate(
        "for_run",
        &format!("[protocol]\nname = \"ping\"\nnodes = 0\n{RUN}"),
    );
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scenario_errors/for_run.toml");
    let out = support::faultline()
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        !out_dir.exists(),
        "no report folder for a scenario that did not load"
    );
}
