//! `faultline check`: judges history files end to end, with `run`'s exit codes.

mod support;

use std::path::PathBuf;

fn write(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn check(model: &str, path: &PathBuf) -> (i32, String, String) {
    let out = support::faultline()
        .args(["check", "--model", model])
        .arg(path)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap(),
        text(&out.stdout),
        text(&out.stderr),
    )
}

/// Two writes then a read of the first, after the second finished.
const BAD: &str = r#"{"type":"invoke","process":0,"time_us":0,"f":"write","key":"x","value":1}
{"type":"ok","process":0,"time_us":10,"f":"write","key":"x","value":1}
{"type":"invoke","process":1,"time_us":20,"f":"write","key":"x","value":2}
{"type":"ok","process":1,"time_us":30,"f":"write","key":"x","value":2}
{"type":"invoke","process":0,"time_us":40,"f":"read","key":"x"}
{"type":"ok","process":0,"time_us":50,"f":"read","key":"x","value":1}
"#;

#[test]
fn a_good_history_is_valid() {
    // The read returns 2, the last write: linearizable.
    let good = BAD.replace(
        r#""f":"read","key":"x","value":1}"#,
        r#""f":"read","key":"x","value":2}"#,
    );
    let path = write("check_good.jsonl", &good);
    let (code, stdout, _) = check("kv", &path);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("verdict: VALID"), "{stdout}");
}

#[test]
fn a_stale_read_is_invalid_with_its_window() {
    let path = write("check_bad.jsonl", BAD);
    for model in ["register", "cas-register", "kv"] {
        let (code, stdout, _) = check(model, &path);
        assert_eq!(code, 1, "{model}: {stdout}");
        assert!(stdout.contains("verdict: INVALID"), "{stdout}");
        assert!(stdout.contains("cannot be linearized"), "{stdout}");
        // The window lists the read that cannot be placed and the write it missed.
        assert!(stdout.contains("[5] "), "{stdout}");
        assert!(stdout.contains("[3] "), "{stdout}");
    }
}

#[test]
fn bad_input_names_the_file_and_line() {
    let path = write("check_broken.jsonl", &BAD.replacen("\"ok\"", "\"okay\"", 1));
    let (code, _, stderr) = check("kv", &path);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("check_broken.jsonl:2:"), "{stderr}");
    let path = write(
        "check_unknown_op.jsonl",
        &BAD.replace("\"read\"", "\"frob\""),
    );
    let (code, _, stderr) = check("register", &path);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("check_unknown_op.jsonl:5:"), "{stderr}");
    let (code, _, stderr) = check("queue", &path);
    assert_eq!(code, 3, "{stderr}");
    let missing = PathBuf::from("no/such/history.jsonl");
    assert_eq!(check("kv", &missing).0, 4);
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("check_latin1.jsonl");
    let mut bytes = BAD.as_bytes().to_vec();
    bytes.insert(BAD.find("\n{").unwrap() + 1, 0xe9);
    std::fs::write(&path, bytes).unwrap();
    let (code, _, stderr) = check("kv", &path);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("check_latin1.jsonl:2:1: not UTF-8 text: byte 0xe9"),
        "{stderr}"
    );
}

#[test]
fn conformance_formats_are_read() {
    let edn = "[{:process 0, :type :invoke, :f :write, :value 1}\n\
               {:process 0, :type :ok, :f :write, :value 1}\n\
               {:process 1, :type :invoke, :f :read, :value nil}\n\
               {:process 1, :type :ok, :f :read, :value 0}]\n";
    let path = write("check_knossos.edn", edn);
    assert_eq!(check("cas-register", &path).0, 1);
}

#[test]
fn a_malformed_history_is_bad_input_naming_the_line() {
    let line = |kind: &str, p: u64, t: u64| {
        format!("{{\"type\":\"{kind}\",\"process\":{p},\"time_us\":{t},\"f\":\"read\",\"key\":\"x\"}}\n")
    };
    let cases = [
        (
            "check_ok_first",
            line("ok", 0, 5) + &line("invoke", 0, 6),
            1,
            "before any invoke",
        ),
        (
            "check_busy",
            line("invoke", 0, 1) + &line("invoke", 0, 2),
            2,
            "invokes again while",
        ),
        (
            "check_twice",
            line("invoke", 0, 1) + &line("ok", 0, 2) + &line("ok", 0, 3),
            3,
            "a second completion",
        ),
        (
            "check_backwards",
            line("invoke", 0, 9) + &line("ok", 0, 4),
            2,
            "time goes backwards",
        ),
    ];
    for (name, text, at, expect) in cases {
        let path = write(&format!("{name}.jsonl"), &text);
        let (code, stdout, stderr) = check("register", &path);
        assert_eq!(code, 3, "{name}: {stdout}{stderr}");
        assert!(
            stderr.contains(&format!("{name}.jsonl:{at}: ")),
            "{name}: {stderr}"
        );
        assert!(stderr.contains(expect), "{name}: {stderr}");
    }
}

#[test]
fn an_empty_history_is_unknown_and_says_so() {
    let path = write("check_empty.jsonl", "");
    let (code, stdout, _) = check("kv", &path);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("no client operations"), "{stdout}");
}
