//! The command line a user expects: overrides and seeds on every command
//! that runs a scenario, and output a user can act on (end to end, through
//! the `faultline` binary).

mod support;

use std::path::{Path, PathBuf};
use support::{faultline, fresh_dir};

/// Runs `faultline ARGS`; (exit code, stdout + stderr).
fn cli(args: &[&str]) -> (i32, String) {
    let o = faultline().args(args).output().unwrap();
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.code().unwrap(), text)
}

fn dir(name: &str) -> String {
    fresh_dir(name).to_string_lossy().into_owned()
}

/// The arguments after `cargo run --release --` on the line starting `prefix`.
fn repro_args(text: &str, prefix: &str) -> Vec<String> {
    let line = (text.lines().map(str::trim))
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line: {text}"));
    let tail = line.split_once("cargo run --release -- ").unwrap().1;
    tail.split(' ')
        .map(|w| w.trim_matches('\'').to_string())
        .collect()
}

fn trace_hash(text: &str) -> &str {
    text.lines()
        .find_map(|l| l.strip_prefix("trace hash: "))
        .unwrap()
}

#[test]
fn run_takes_set_and_variant_and_its_repro_repeats_them() {
    let out = dir("cli_run_set");
    let args = [
        "run",
        "scenarios/ping/steady.toml",
        "--seed",
        "2",
        "--variant",
        "corrupt-echo",
    ];
    let (code, text) =
        cli(&[&args[..], &["--set", "run.duration_ms=1000", "--out", &out]].concat());
    assert_eq!(code, 1, "corrupt-echo fails: {text}");
    assert!(text.contains("variant corrupt-echo"), "{text}");
    assert!(
        text.contains("simulated: 1500.000 ms"),
        "duration 1000 + converge 500: {text}"
    );
    let repro = repro_args(&text, "repro:");
    assert!(
        repro.ends_with(&[
            "--set".into(),
            "run.duration_ms=1000".into(),
            "--variant".into(),
            "corrupt-echo".into()
        ]),
        "{repro:?}"
    );
    let summary =
        std::fs::read_to_string(Path::new(&out).join("ping-steady/2/summary.json")).unwrap();
    assert!(
        summary.contains("--set run.duration_ms=1000 --variant corrupt-echo"),
        "{summary}"
    );
    let (again, replayed) = cli(&[
        &repro.iter().map(String::as_str).collect::<Vec<_>>()[..],
        &["--no-report"],
    ]
    .concat());
    assert_eq!(
        (again, trace_hash(&replayed)),
        (1, trace_hash(&text)),
        "the repro replays the run"
    );
}

#[test]
fn bad_overrides_are_input_errors() {
    let file = "scenarios/ping/steady.toml";
    let (code, text) = cli(&["run", file, "--set", "network.nope=1", "--no-report"]);
    assert_eq!(code, 3, "{text}");
    assert!(
        text.contains("nope") && text.contains("as edited by --set network.nope=1"),
        "{text}"
    );
    let (code, text) = cli(&["run", file, "--variant", "a", "--set", "protocol.variant=b"]);
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("set twice"), "{text}");
    let (code, text) = cli(&[
        "sweep",
        file,
        "--seeds",
        "3",
        "--variant",
        "nope",
        "--quiet",
    ]);
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("unknown variant \"nope\""), "{text}");
    let (code, text) = cli(&["run", file, "--set", "loss"]);
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("expected KEY=VALUE"), "{text}");
}

#[test]
fn seeds_read_the_same_everywhere_and_an_empty_range_is_an_error() {
    let file = "scenarios/ping/corrupt-echo.toml";
    for (seeds, count) in [("3", 3), ("4..6", 2), ("4..=6", 3)] {
        let out = dir("cli_seeds");
        let (_, text) = cli(&["sweep", file, "--seeds", seeds, "--quiet", "--out", &out]);
        let summary = std::fs::read_to_string(Path::new(&out).join("summary.json")).unwrap();
        assert!(
            summary.contains(&format!("\"seeds_run\": {count}")),
            "{seeds}: {text}"
        );
    }
    for empty in ["0", "5..5", "6..=5"] {
        for cmd in ["sweep", "compare"] {
            let (code, text) = cli(&[cmd, file, "--seeds", empty]);
            assert_eq!(code, 3, "{cmd} --seeds {empty}: {text}");
            assert!(text.contains("the range is empty"), "{text}");
        }
    }
    let out = dir("cli_compare_seeds");
    let (_, text) = cli(&[
        "compare",
        "scenarios/ping/steady.toml",
        "--seeds",
        "4..6",
        "--out",
        &out,
    ]);
    assert!(text.contains("compare: 1 configurations, 2 runs"), "{text}");
}

#[test]
fn a_sweep_repro_and_its_failure_files_carry_the_overrides() {
    let out = dir("cli_sweep_set");
    let args = [
        "sweep",
        "scenarios/ping/steady.toml",
        "--seeds",
        "1..=4",
        "--quiet",
    ];
    let (code, text) = cli(&[&args[..], &["--variant", "corrupt-echo", "--out", &out]].concat());
    assert_eq!(code, 1, "{text}");
    let failures = Path::new(&out).join("failures");
    assert!(
        text.contains(&format!("failures: {}", failures.display())),
        "{text}"
    );
    assert!(
        repro_args(&text, "repro:").ends_with(&["--variant".into(), "corrupt-echo".into()]),
        "{text}"
    );
    let first = std::fs::read_dir(&failures)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let replay = std::fs::read_to_string(&first).unwrap();
    assert!(replay.contains("variant = \"corrupt-echo\""), "{replay}");
}

#[test]
fn more_violations_than_printed_are_counted() {
    let out = dir("cli_more");
    let (code, text) = cli(&[
        "run",
        "scenarios/raft/fixed-timeout.toml",
        "--no-plots",
        "--out",
        &out,
    ]);
    assert_eq!(code, 1, "{text}");
    let summary = PathBuf::from(&out).join("raft-fixed-timeout/1/summary.json");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    let n = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["violations"].as_array().map_or(0, Vec::len))
        .max()
        .unwrap();
    assert!(n > 3, "{n}");
    let line = format!("+{} more, see {}", n - 3, summary.display());
    assert!(text.contains(&line), "{line:?} in {text}");
    let (_, text) = cli(&["run", "scenarios/raft/fixed-timeout.toml", "--no-report"]);
    assert!(
        text.contains(&format!(
            "+{} more (in summary.json when run without --no-report)",
            n - 3
        )),
        "{text}"
    );
}

#[test]
fn shrink_never_overwrites_and_names_an_unknown_checker() {
    let out = dir("cli_shrink");
    let shrink = [
        "shrink",
        "scenarios/ping/corrupt-echo.toml",
        "--seed",
        "1",
        "--out",
        &out,
    ];
    let (code, text) = cli(&shrink);
    assert_eq!(code, 0, "{text}");
    let first = Path::new(&out).join("ping-corrupt-echo-echo-integrity-seed1.toml");
    let (_, text) = cli(&shrink);
    assert!(
        text.contains(&format!("unchanged: {} already holds", first.display())),
        "{text}"
    );
    std::fs::write(&first, "# edited by hand\n").unwrap();
    let (_, text) = cli(&shrink);
    let second = Path::new(&out).join("ping-corrupt-echo-echo-integrity-seed1-2.toml");
    assert!(
        text.contains(&format!("wrote: {}", second.display())),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(&first).unwrap(),
        "# edited by hand\n",
        "kept"
    );
    let (_, text) = cli(&[&shrink[..], &["--force"]].concat());
    assert!(
        text.contains(&format!("wrote: {}", first.display())),
        "{text}"
    );
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap()
    );
    let (code, text) = cli(&[&shrink[..], &["--checker", "echo-integrty"]].concat());
    assert_eq!(code, 3, "{text}");
    assert!(
        text.contains("unknown checker \"echo-integrty\"; this scenario runs: echo-integrity"),
        "{text}"
    );
}

#[test]
fn validate_takes_folders() {
    let (code, text) = cli(&["validate", "scenarios/ping", "scenarios/regressions"]);
    assert_eq!(code, 0, "{text}");
    let files = |d: &str| {
        std::fs::read_dir(d)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "toml")
            })
            .count()
    };
    let oks = text.lines().filter(|l| l.starts_with("ok: ")).count();
    assert_eq!(
        oks,
        files("scenarios/ping") + files("scenarios/regressions"),
        "{text}"
    );
    let empty = dir("cli_validate_empty");
    std::fs::create_dir_all(&empty).unwrap();
    let (code, text) = cli(&["validate", &empty]);
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("no *.toml scenario files"), "{text}");
}

#[test]
fn list_finds_the_bundled_scenarios_from_any_directory() {
    let elsewhere = fresh_dir("cli_list_cwd");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let o = faultline()
        .arg("list")
        .current_dir(&elsewhere)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    let steady = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/raft/steady.toml");
    assert!(text.contains(&steady.display().to_string()), "{text}");
}

#[test]
fn bench_says_why_it_skips_the_conformance_rows() {
    let out = dir("cli_bench");
    let (code, text) = cli(&[
        "bench",
        "--quick",
        "--only",
        "checker",
        "--conformance",
        "/no/such/dir",
        "--out",
        &out,
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("skipping 4 of 4 conformance rows: not under /no/such/dir"),
        "{text}"
    );
}
