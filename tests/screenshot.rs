//! `scripts/screenshot-report.sh` on a fresh run report and a fresh
//! comparison report, in headless Chromium: every image on each index.html
//! displays, and the script fails once a plot is deleted. Skipped (with a
//! message) when `chromium` is not on PATH, unless FAULTLINE_REQUIRE_CHROMIUM
//! is set (CI sets it after installing Chromium), then it fails.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{faultline_out as faultline, fresh_dir as tmp};

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("chromium"))
        .find(|p| p.is_file())
}

/// Runs the script on `dir`; (exit code, output).
fn screenshot(dir: &Path) -> (i32, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/screenshot-report.sh");
    let o = Command::new("bash").arg(script).arg(dir).output().unwrap();
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.code().unwrap_or(-1), text)
}

#[test]
fn report_pages_show_every_image_in_headless_chromium() {
    if chromium().is_none() {
        assert!(
            std::env::var_os("FAULTLINE_REQUIRE_CHROMIUM").is_none(),
            "FAULTLINE_REQUIRE_CHROMIUM is set but chromium is not on PATH"
        );
        println!("skipped: chromium not installed (Debian: apt-get install chromium)");
        return;
    }
    let out = tmp("shots");
    faultline(
        &["run", "scenarios/raft/forget-vote.toml", "--seed", "3"],
        &out,
    );
    faultline(
        &[
            "compare",
            "scenarios/twopc/compare-termination.toml",
            "--seeds",
            "2",
        ],
        &out,
    );
    let run_dir = out.join("raft-forget-vote/3");
    let compare_dir = out.join("compare/twopc-compare-termination");
    for dir in [&run_dir, &compare_dir] {
        let (code, text) = screenshot(dir);
        assert_eq!(code, 0, "{}: {text}", dir.display());
        assert!(text.contains(" 0 broken"), "{text}");
        let shot = std::fs::read(dir.join("screenshot.png")).unwrap();
        assert!(shot.starts_with(b"\x89PNG") && shot.len() > 10_000);
    }
    std::fs::remove_file(run_dir.join("flow.png")).unwrap();
    let (code, text) = screenshot(&run_dir);
    assert_eq!(code, 1, "a deleted plot must fail the check: {text}");
    assert!(text.contains("broken image: flow.png"), "{text}");
}

/// The interactive pages run their script in headless Chromium: each marks
/// its body `data-drawn` once its diagram is built, and the built DOM holds
/// an SVG (a script error would leave neither).
#[test]
fn interactive_pages_draw_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("FAULTLINE_REQUIRE_CHROMIUM").is_none(),
            "FAULTLINE_REQUIRE_CHROMIUM is set but chromium is not on PATH"
        );
        println!("skipped: chromium not installed");
        return;
    };
    let out = tmp("pages_shots");
    faultline(
        &["run", "scenarios/quorum/tied-versions.toml", "--seed", "1"],
        &out,
    );
    let dir = out.join("quorum-tied-versions/1");
    let profile = tmp("pages_profile");
    for page in ["timeline.html", "messages.html", "linear.html"] {
        let o = Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(["--virtual-time-budget=5000", "--dump-dom"])
            .arg(format!(
                "file://{}",
                dir.join(page).canonicalize().unwrap().display()
            ))
            .output()
            .unwrap();
        let dom = String::from_utf8_lossy(&o.stdout);
        assert!(
            dom.contains("data-drawn="),
            "{page}: the script did not finish"
        );
        assert!(dom.contains("<svg"), "{page}: no diagram");
    }
}
