//! Benchmark parts that run in a child process of `faultline bench`.
//!
//! Peak RSS (`VmHWM`) only grows, so read in the bench process after the
//! engine benchmark's million messages it would report that run's peak, not
//! the part's; and the checker, allocation-heavy, ran ~30% slower on the
//! heap the protocol runs left behind than in a fresh process (c50-ok:
//! 101 ms against 78 ms); sweeps likewise. Such parts therefore run as
//! `faultline bench --child PART...` in a fresh process, which prints its
//! rows as JSON lines; the one `faultline bench` invocation still measures
//! everything and prints one table.

use super::Row;
use crate::error::Error;
use crate::registry::Registry;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `part` in a child process and returns its rows.
pub fn spawn(part: &[&str]) -> Result<Vec<Row>, Error> {
    let exe = std::env::current_exe().map_err(|e| Error::io(Path::new("faultline"), e))?;
    let output = Command::new(&exe)
        .arg("bench")
        .arg("--child")
        .args(part)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::io(&exe, e))?;
    if !output.status.success() {
        return Err(Error::Usage(format!(
            "benchmark part {part:?} failed ({})",
            output.status
        )));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .map_err(|e| Error::Usage(format!("benchmark part {part:?} printed {l:?}: {e}")))
        })
        .collect()
}

fn count(text: &str) -> Result<u64, Error> {
    text.parse()
        .map_err(|_| Error::Usage(format!("--child: not a seed count: {text}")))
}

/// The child's side: runs `part` and prints its rows as JSON lines.
pub fn run(registry: &Registry, part: &[String]) -> Result<i32, Error> {
    let parts: Vec<&str> = part.iter().map(String::as_str).collect();
    let rows = match parts.as_slice() {
        ["memory", seeds] => super::memory(registry, count(seeds)?)?,
        ["protocol", file] => super::protocol_run(registry, Path::new(file))?,
        ["sweep", seeds] => super::sweep_scaling(registry, count(seeds)?)?,
        ["checker", conformance] => super::checker_speed(registry, Path::new(conformance)),
        _ => return Err(Error::Usage(format!("--child: unknown part {part:?}"))),
    };
    for r in rows {
        let line = serde_json::to_string(&r).map_err(|e| Error::Usage(e.to_string()))?;
        println!("{line}");
    }
    Ok(0)
}
