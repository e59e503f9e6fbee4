//! The virtual network Faultline owns: per-link latency, loss, duplication,
//! reordering, and partitions (any set of blocked directed links).
//!
//! madsim's own `Endpoint` is not used: it stalls senders for >= 1 ms of
//! simulated time and only checks partitions at send time
//! (`../shared/MADSIM.md`). Here a message's fate is decided at send time
//! (loss, duplication, latency) and partitions are checked again at delivery,
//! so a partition also cuts messages already in flight.

mod latency;
mod link;
mod partition;

pub use latency::{Latency, LATENCY_US_MAX};
pub use link::Fate;
pub use link::{LinkConfig, NetConfig};
pub use partition::{between_groups, one_way, Partitions};
