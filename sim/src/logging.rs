//! Logs through `tracing`, filtered by `RUST_LOG`, stamped with simulated
//! time (not wall time) and the node that was running.

use crate::trace;
use std::fmt;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::EnvFilter;

struct SimTime;

impl FormatTime for SimTime {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        let (us, node) = trace::context();
        let secs = us / 1_000_000;
        let micros = us % 1_000_000;
        if node == usize::MAX {
            write!(w, "{secs:>4}.{micros:06}s {:<6}", "engine")
        } else {
            write!(w, "{secs:>4}.{micros:06}s {:<6}", trace::name(node))
        }
    }
}

/// Installs the subscriber. `default` is the filter used when `RUST_LOG` is unset.
pub fn init(default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_timer(SimTime)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}
