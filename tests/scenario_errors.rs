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

const PING: &str = "[protocol]\nname = \"ping\"\nnodes = 3\n";

/// A ping scenario with `extra` after `[run]` (line 7 is the first of it).
fn ping(extra: &str) -> String {
    format!("{PING}{RUN}\n{extra}")
}

#[test]
fn numbers_that_would_hang_or_overflow_are_rejected_at_their_key() {
    // `extra` starts at line 8: a fault's first key after `kind` is line 11.
    let fault = "[[faults]]\nat_ms = 10\nkind = ";
    let cases: &[(&str, String, usize, &str)] = &[
        (
            "drift_nan",
            format!("{fault}\"drift\"\ntarget = \"n1\"\nppm = nan\n"),
            12,
            "expected |ppm| < 500000, found NaN",
        ),
        (
            "for_huge",
            format!("{fault}\"crash\"\ntarget = \"n1\"\nfor_ms = 1e300\n"),
            12,
            "expected for_ms in [0, 86400000], found 1e300",
        ),
        (
            "every_inf",
            format!("{fault}\"crash\"\ntarget = \"n1\"\nrepeat = 3\nevery_ms = inf\n"),
            13,
            "expected every_ms in (0, 86400000], found inf",
        ),
        (
            "jitter_nan",
            format!("{fault}\"crash\"\ntarget = \"n1\"\njitter_ms = nan\n"),
            12,
            "expected jitter_ms in [0, 86400000], found NaN",
        ),
        (
            "skew_huge",
            format!("{fault}\"skew\"\ntarget = \"n1\"\noffset_ms = 1e300\n"),
            12,
            "expected offset_ms in [-86400000, 86400000], found 1e300",
        ),
        (
            "skew_nan",
            format!("{fault}\"skew\"\ntarget = \"n1\"\noffset_ms = nan\n"),
            12,
            "found NaN",
        ),
        (
            "loss_nan",
            format!("{fault}\"loss\"\nprobability = nan\n"),
            11,
            "expected probability in [0, 1], found NaN",
        ),
        (
            "reorder_huge",
            "[network]\nreorder_ms = 1e300\n".into(),
            9,
            "expected reorder_ms in [0, 60000], found 1e300",
        ),
        (
            "constant_huge",
            "[network]\nlatency = { dist = \"constant\", ms = 1e300 }\n".into(),
            9,
            "expected latency ms in [0, 60000], found 1e300",
        ),
        (
            "uniform_inf",
            "[network]\nlatency = { dist = \"uniform\", min_ms = 1, max_ms = inf }\n".into(),
            9,
            "expected latency max_ms in [0, 60000], found inf",
        ),
        (
            "normal_nan",
            "[network]\nlatency = { dist = \"normal\", mean_ms = nan, stddev_ms = 1 }\n".into(),
            9,
            "found NaN",
        ),
        (
            "sigma_huge",
            "[network]\nlatency = { dist = \"lognormal\", median_ms = 1, sigma = 1e9 }\n".into(),
            9,
            "expected latency sigma in [0, 10]",
        ),
        (
            "timeout_inf",
            "[workload]\ntimeout_ms = inf\n".into(),
            9,
            "expected timeout_ms in (0, 86400000], found inf",
        ),
        (
            "skew_max_nan",
            "[clock]\nskew_ms_max = nan\n".into(),
            9,
            "found NaN",
        ),
        (
            "weight_huge",
            "[workload.mix]\necho = 4000000\n".into(),
            9,
            "expected a weight in [0, 1000000]",
        ),
    ];
    for (name, extra, line, expect) in cases {
        assert_error(name, &ping(extra), *line, expect);
    }
    let text = format!("{PING}\n[run]\nduration_ms = 100\nevents_per_instant_max = 0\n");
    assert_error(
        "events_zero",
        &text,
        7,
        "expected events_per_instant_max in [1, 1000000000000], found 0",
    );
    let text = format!("{PING}\n[run]\nduration_ms = 8.64e7\nconverge_ms = 1\n");
    assert_error(
        "run_too_long",
        &text,
        7,
        "expected duration_ms + converge_ms <= 86400000",
    );
}

/// Runs `text` (written as `name.toml`) with `args`; (exit code, stdout, stderr).
fn run(name: &str, text: &str, args: &[&str]) -> (i32, String, String) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scenario_errors");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    let out = support::faultline()
        .arg("run")
        .arg(&path)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap(), stdout, stderr)
}

#[test]
fn zero_latency_ping_stops_at_the_livelock_guard() {
    let text = format!(
        "{PING}[network]\nlatency = {{ dist = \"constant\", ms = 0 }}\n{RUN}events_per_instant_max = 10000\n"
    );
    let (code, stdout, _) = run("livelock", &text, &["--no-report"]);
    assert_eq!(code, 5, "{stdout}");
    assert!(stdout.contains("verdict: STOPPED"), "{stdout}");
    assert!(stdout.contains("events_per_instant_max"), "{stdout}");
    let text = format!("{PING}{RUN}events_max = 5000\n");
    let (code, stdout, _) = run("events_max", &text, &["--no-report"]);
    assert_eq!(code, 5, "{stdout}");
    assert!(stdout.contains("[run] events_max"), "{stdout}");
}

#[test]
fn counts_and_sizes_that_would_exhaust_memory_are_rejected() {
    let text = format!("{PING}[protocol.params]\noutstanding = 4294967295\n{RUN}");
    assert_error(
        "outstanding",
        &text,
        5,
        "expected outstanding at most 10000",
    );
    let nemesis = "[nemesis]\nkinds = [\"crash\"]\ninterval_ms_min = 0\nduration_ms_min = 0\n";
    assert_error(
        "nemesis_unbounded",
        &ping(nemesis),
        10,
        "unboundedly many from [nemesis]",
    );
    let text = "[protocol]\nname = \"ping\"\nnodes = 1000\n[run]\nduration_ms = 60000\n[nemesis]\nkinds = [\"partition\"]\ninterval_ms_min = 500\n";
    assert_error(
        "partitions_of_1000",
        text,
        8,
        "the limit is 10000000 per run",
    );
    let text = format!("{PING}[run]\nduration_ms = 86000000\n[nemesis]\nkinds = [\"crash\"]\ninterval_ms_min = 1\nduration_ms_min = 0\n");
    assert_error(
        "nemesis_too_busy",
        &text,
        8,
        "the limit is 100000 faults per run",
    );
}

#[test]
fn argument_errors_exit_3_and_help_exits_0() {
    let code = |args: &[&str]| {
        support::faultline()
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code(&["run", "--bogus"]), Some(3));
    assert_eq!(code(&["sweep", "x.toml", "--seeds", "abc"]), Some(3));
    assert_eq!(code(&["frobnicate"]), Some(3));
    assert_eq!(code(&[]), Some(3));
    assert_eq!(code(&["--help"]), Some(0));
    assert_eq!(code(&["run", "--help"]), Some(0));
    assert_eq!(code(&["--version"]), Some(0));
}

#[test]
fn a_file_that_is_not_utf8_is_bad_input_at_its_first_bad_byte() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scenario_errors");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("latin1.toml");
    std::fs::write(&path, b"[protocol]\nname = \"pi\xffng\"\n").unwrap();
    let out = support::faultline()
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("latin1.toml:2:11: not UTF-8 text: byte 0xff"),
        "{stderr}"
    );
    let path = dir.join("huge.toml");
    std::fs::write(&path, vec![b'#'; 5 << 20]).unwrap();
    let out = support::faultline()
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than 4194304 bytes"));
}

#[test]
fn a_name_that_is_not_one_folder_is_rejected_at_its_key() {
    for (case, name, why) in [
        ("name_up", "../../x", "it starts with '.'"),
        ("name_abs", "/tmp/x", "it contains '/'"),
        ("name_sep", "a/b", "it contains '/'"),
        ("name_empty", "", "it is empty"),
        ("name_ctrl", "a\\u0007b", "it contains '\\u{7}'"),
    ] {
        let text = format!("name = \"{name}\"\n{PING}{RUN}");
        assert_error(case, &text, 1, why);
    }
    let out = support::faultline()
        .args([
            "compare",
            "scenarios/ping/steady.toml",
            "--name",
            "../x",
            "--seeds",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--name: \"../x\" cannot name a report folder"));
}

#[test]
fn contradictions_are_rejected_at_the_key_that_contradicts() {
    let f = "[[faults]]\nat_ms = 1\nkind = ";
    // `extra` starts at line 8; the kind is on line 10.
    let cases: &[(&str, String, usize, &str)] = &[
        (
            "split_and_groups",
            format!("{f}\"partition\"\nsplit = \"halves\"\ngroups = [[\"n1\"], [\"n2\"]]\n"),
            12,
            "takes one of `split`, `groups` or `pairs`",
        ),
        (
            "overlapping_groups",
            format!("{f}\"partition\"\ngroups = [[\"n1\", \"n2\"], [\"n2\", \"n3\"]]\n"),
            11,
            "node \"n2\" is in two groups",
        ),
        (
            "three_name_pair",
            format!("{f}\"partition\"\npairs = [[\"n1\", \"n2\", \"n3\"]]\n"),
            11,
            "found 3 names",
        ),
        (
            "loss_with_target",
            format!("{f}\"loss\"\ntarget = \"n1\"\nprobability = 0.5\n"),
            11,
            "a loss fault takes no `target`",
        ),
        (
            "crash_with_probability",
            format!("{f}\"crash\"\ntarget = \"n1\"\nprobability = 0.5\n"),
            12,
            "a crash fault takes no `probability`",
        ),
        (
            "pause_lose_unsynced",
            format!("{f}\"pause\"\ntarget = \"n1\"\nlose_unsynced = true\n"),
            12,
            "a pause fault takes no `lose_unsynced`",
        ),
        (
            "aimed_halves",
            format!("{f}\"partition\"\nsplit = \"halves\"\ntarget = \"n1\"\n"),
            12,
            "goes with split = \"isolate\" only",
        ),
        (
            "every_without_repeat",
            format!("{f}\"crash\"\ntarget = \"n1\"\nevery_ms = 10\n"),
            12,
            "it needs repeat > 1",
        ),
        (
            "role_nobody_has",
            format!("{f}\"crash\"\ntarget = \"leadr\"\n"),
            11,
            "no node of this protocol ever has the role \"leadr\"",
        ),
        (
            "nemesis_role",
            "[nemesis]\nkinds = [\"crash\"]\ntargets = [\"random-leader\"]\n".into(),
            10,
            "ever has the role \"leader\"",
        ),
        (
            "nemesis_lose_unsynced",
            "[nemesis]\nkinds = [\"pause\"]\nlose_unsynced = true\n".into(),
            10,
            "lose_unsynced is for crashes",
        ),
        (
            "only_nothing",
            "[check]\nonly = []\n".into(),
            9,
            "check.only = [] runs no checker",
        ),
        (
            "all_weights_zero",
            "[workload.mix]\necho = 0\n".into(),
            8,
            "every weight in [workload.mix] is 0",
        ),
        (
            "timeout_past_the_run",
            "[workload]\ntimeout_ms = 100000\n".into(),
            9,
            "expected timeout_ms below the run's length",
        ),
    ];
    for (name, extra, line, expect) in cases {
        assert_error(name, &ping(extra), *line, expect);
    }
}

#[test]
fn validate_checks_every_compare_configuration() {
    let text = format!("{PING}{RUN}\n[compare]\nseeds = 2\n[[compare.axes]]\nset = [\"network.loss\"]\nvalues = [0.1, 2.0]\n");
    assert_error(
        "compare_bad_value",
        &text,
        10,
        "[compare] configuration \"2.0\": expected network.loss to be a probability",
    );
    let text = format!("{PING}{RUN}\n[compare]\nseeds = 0\n");
    assert_error(
        "compare_no_seeds",
        &text,
        9,
        "expected [compare] seeds in [1, 100000], found 0",
    );
}

#[test]
fn absurd_command_line_numbers_are_bad_input() {
    let run = |args: &[&str]| {
        let out = support::faultline().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        (out.status.code(), stderr)
    };
    let sweep = [
        "sweep",
        "scenarios/ping/steady.toml",
        "--seeds",
        "0..2",
        "--quiet",
    ];
    let (code, stderr) = run(&[&sweep[..], &["--time-limit", "1e300"]].concat());
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("--time-limit 1e300: too large"), "{stderr}");
    let (code, _) = run(&[&sweep[..], &["--time-limit", "nan"]].concat());
    assert_eq!(code, Some(3));
    let (code, stderr) = run(&[&sweep[..], &["--jobs", "100000"]].concat());
    assert_eq!(code, Some(3));
    assert!(
        stderr.contains("expected 1..=1024 worker threads"),
        "{stderr}"
    );
    let (code, _) = run(&[
        "sweep",
        "scenarios/ping/steady.toml",
        "--seeds",
        "0..100000000",
    ]);
    assert_eq!(
        code,
        Some(3),
        "a sweep of more seeds than one process keeps rows for"
    );
}

/// Every protocol time (`*_ms`, `*_ms_*` in `[protocol.params]`, nested
/// tables included) is held to a day: beyond, no timer fires in any run,
/// and near `u64::MAX` ms the microseconds overflow (raft with
/// `election_timeout_ms_max = 9e18` was a false liveness violation).
#[test]
fn protocol_times_beyond_a_day_are_rejected_at_their_key() {
    let cases = [
        (
            "raft",
            "election_timeout_ms_max = 9000000000000000000",
            "election_timeout_ms_max",
        ),
        (
            "quorum",
            "request_timeout_ms = 100000000000",
            "request_timeout_ms",
        ),
        ("cqrs", "apply_ms = 86400001", "apply_ms"),
        ("twopc", "retry_ms = 1000000000000", "retry_ms"),
        ("saga", "backoff_ms_max = 100000000000", "backoff_ms_max"),
        (
            "saga",
            "[protocol.params.payment]\ntimeout_ms = 1000000000000",
            "payment.timeout_ms",
        ),
    ];
    for (i, (protocol, line, key)) in cases.iter().enumerate() {
        let header = match line.starts_with('[') {
            true => "",
            false => "[protocol.params]\n",
        };
        let text = format!("[protocol]\nname = \"{protocol}\"\nnodes = 3\n{header}{line}\n{RUN}");
        let at = 4 + header.lines().count() + line.lines().count() - 1;
        assert_error(
            &format!("protocol_time_{i}"),
            &text,
            at,
            &format!("{key}: expected a time between 0 and 86400000 ms (a day)"),
        );
    }
}
