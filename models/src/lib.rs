//! Faultline's models: what is simulated and what must hold.
//!
//! A protocol is a set of sans-I/O state machines ([`node::Node`]) bundled
//! with its workload, checkers and buggy variants as a [`model::Model`]. The
//! engine (crate `faultline-sim`) delivers messages, fires timers, injects
//! faults and records a [`history::History`]; the model's
//! [`check::Checker`]s judge that history afterwards. Nothing here knows of
//! madsim, async or clocks: time is handed in as `now_us`, randomness as a
//! seeded ChaCha RNG.

pub mod check;
pub mod cqrs;
pub(crate) mod fastmap;
pub mod history;
pub mod metric;
pub mod model;
pub mod name;
pub mod node;
pub mod ping;
pub mod quorum;
pub mod raft;
pub mod saga;
pub mod storage;
pub mod testkit;
pub mod twopc;
pub mod variant;

pub use check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
pub use history::{
    Entry, Event, EventEntry, FaultChange, FaultEntry, FaultKind, History, HistoryView, NoEvent,
    OpEntry, OpType, RawEvent, Val,
};
pub use metric::{Metric, MetricValue};
pub use model::{Model, ModelError, NodeSpec, OpInfo, VariantInfo};
pub use name::Name;
pub use node::{Ctx, Node, NodeId, Outcome, RequestId, TimerId};
pub use storage::Storage;
pub use variant::Variant;
