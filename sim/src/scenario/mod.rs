//! Scenario files: TOML, parsed with serde (unknown keys rejected), then
//! validated against the protocol's model into a [`Scenario`] the engine
//! runs. Every error names the file, line and column, what was found and
//! what was expected. The format is documented in `scenarios/README.md`.

mod budget;
pub mod builder;
mod fault_keys;
pub mod limits;
mod load;
mod resolve;
mod resolve_faults;
pub mod schema;

pub use load::{locate, probe_protocol, read_text, Key, Source};
pub use resolve::Scenario;
