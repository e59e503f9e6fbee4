//! Faultline's engine: runs [`faultline_models`] protocols on madsim over a
//! network that Faultline owns, injects faults, records the history, runs
//! the checkers and writes reports.
//!
//! How the pieces fit: [`scenario`] parses and validates a TOML file;
//! [`registry`] maps its protocol name to a [`Model`](faultline_models::Model);
//! [`run`] builds a [`world`] on a madsim runtime (one madsim node per model
//! node, one driver task that owns time and delivery through [`net`] and
//! [`fault`]), then judges the history and hands a [`run::RunOutcome`] to
//! [`report`]. [`sweep`] runs many seeds in parallel (and merges shards of
//! a sweep run on many machines); [`shrink`] minimises a failing run into a
//! regression scenario; [`determinism`] runs a seed twice and names the
//! first event at which the runs part.

#[cfg(not(madsim))]
compile_error!(
    "faultline must be built with `--cfg madsim`. In your own crate, put \
     `[build] rustflags = [\"--cfg\", \"madsim\"]` in .cargo/config.toml beside \
     its Cargo.toml (faultline's own does this). A RUSTFLAGS environment \
     variable replaces that setting: unset it, or use RUSTFLAGS=\"--cfg madsim\"."
);

pub mod bench;
pub mod cli;
pub mod clock;
pub mod compare;
pub mod determinism;
pub mod error;
pub mod fault;
pub mod logging;
pub mod metrics;
pub mod net;
pub mod panics;
pub mod plot;
pub mod registry;
pub mod report;
pub mod run;
pub mod scenario;
pub mod seed;
pub mod shrink;
pub mod staging;
pub mod stats;
pub mod sweep;
pub mod trace;
pub mod verdict;
pub mod world;

pub use error::Error;
