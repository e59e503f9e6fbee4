//! The sweep's progress display: seeds done, failures so far, seeds per
//! second and time left.
//!
//! On a terminal it is an `indicatif` bar (redrawn in place, rate-limited
//! by indicatif, so a fast sweep does not spend its time drawing); when
//! stderr is not a terminal (CI logs, a Kubernetes pod) it degrades to one
//! plain line every [`LINE_EVERY_S`] seconds and one at the end.
//!
//! This is the only place the sweep reads the wall clock: progress and
//! `--time-limit` are about the person waiting, never about a run, and
//! nothing read here reaches a run or a report file.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Seconds between plain progress lines.
pub const LINE_EVERY_S: u64 = 10;

/// The wall clock, for progress, `--time-limit` and result batching only
/// (see the module doc): none of them reaches a run.
#[allow(clippy::disallowed_methods)]
pub fn wall_now() -> Instant {
    Instant::now()
}

/// Progress of a sweep of `total` seeds.
pub struct Progress {
    total: u64,
    done: u64,
    failures: u64,
    started: Instant,
    last_line: Instant,
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Progress {
    /// A bar on a terminal, plain lines otherwise; `quiet` shows nothing.
    pub fn new(total: u64, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total);
            let style = ProgressStyle::with_template(
                "{bar:30} {pos}/{len} seeds, {msg}, {per_sec}, ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_message("0 failures");
            bar
        });
        let now = wall_now();
        Progress {
            total,
            done: 0,
            failures: 0,
            started: now,
            last_line: now,
            bar,
            quiet,
        }
    }

    /// One seed finished.
    pub fn seed_done(&mut self, failed: bool) {
        self.done += 1;
        self.failures += u64::from(failed);
        if let Some(bar) = &self.bar {
            bar.inc(1);
            if failed {
                bar.set_message(format!("{} failures", self.failures));
            }
        } else if !self.quiet && self.last_line.elapsed() >= Duration::from_secs(LINE_EVERY_S) {
            self.last_line = wall_now();
            eprintln!("{}", self.line());
        }
    }

    /// Seeds per wall second so far.
    pub fn seeds_per_s(&self) -> f64 {
        self.done as f64 / self.started.elapsed().as_secs_f64().max(1e-9)
    }

    /// Wall time since the sweep started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    fn line(&self) -> String {
        let rate = self.seeds_per_s();
        let left = self.total.saturating_sub(self.done) as f64 / rate.max(1e-9);
        format!(
            "sweep: {}/{} seeds, {} failures, {rate:.0} seeds/s, ETA {left:.0}s",
            self.done, self.total, self.failures
        )
    }

    /// Clears the bar and prints the final rate.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.quiet {
            return;
        }
        eprintln!(
            "sweep: {} seeds in {:.2}s wall, {:.1} seeds/s",
            self.done,
            self.elapsed().as_secs_f64(),
            self.seeds_per_s()
        );
    }
}
