//! What happened in a run: client operations, protocol events and faults.
//!
//! In memory a history is compact and typed: a protocol's events are its
//! own enum ([`Event`]), nodes are indices into [`History::nodes`], names
//! are interned ([`crate::name::Name`]) and operation fields are inline
//! where small ([`Val`]). Checkers and metrics all read the same typed
//! entries; JSON exists only at the file boundary ([`jsonl`]).
//!
//! # JSON-lines format
//!
//! One JSON object per line, in the order the engine recorded them (which is
//! simulated-time order). Every line has `"type"` and `"time_us"` (simulated
//! microseconds since the run started):
//!
//! - `{"type":"invoke","process":3,"time_us":1200,"node":"n2","f":"write","value":7}`
//!   a client process invokes an operation. Operation fields (`f`, `value`,
//!   and optionally `key` and others) are the model's own and stand flat on
//!   the line.
//! - `{"type":"ok"|"fail"|"info", "process":3, "time_us":..., "f":..., "value":...}`
//!   its completion: `ok` took effect, `fail` certainly did not, `info`
//!   may or may not have (a timeout). `value` is the reply's value.
//! - `{"type":"event","time_us":...,"node":"n1","name":"became_leader","data":{...}}`
//!   a protocol event recorded by a node: `name` and `data` are the serde
//!   form of the protocol's event enum.
//! - `{"type":"fault","time_us":...,"fault":"crash","nodes":["n1"]}` a fault
//!   the engine applied (`crash`, `pause`, `partition`, `one-way`, `skew`,
//!   `drift`, `loss`, `duplicate`), ended (`crash-end`, ...) or the heal
//!   (`heal`); optional `pairs` (cut links, `[["n1","n2"], ...]`), `amount`
//!   (skew ms, drift ppm, probability) and `lose_unsynced`.

mod event;
mod event_name;
mod fault;
pub mod jsonl;
mod op;
mod val;
mod view;

pub use event::{Event, NoEvent, RawEvent};
pub use event_name::variant_name;
pub use fault::{FaultChange, FaultEntry, FaultKind};
pub use jsonl::HistoryError;
pub use op::{OpEntry, OpType};
pub use val::Val;
pub use view::HistoryView;

use crate::name::Name;

/// A protocol event recorded by a node.
#[derive(Debug, Clone, PartialEq)]
pub struct EventEntry<E = RawEvent> {
    /// Simulated time in microseconds.
    pub time_us: u64,
    /// The node that recorded it (index into [`History::nodes`]).
    pub node: usize,
    /// The event.
    pub event: E,
}

/// One history line.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry<E = RawEvent> {
    /// A client operation line.
    Op(OpEntry),
    /// A protocol event.
    Event(EventEntry<E>),
    /// A fault (boxed: rare, and larger than the others).
    Fault(Box<FaultEntry>),
}

impl<E> Entry<E> {
    /// The line's simulated time.
    pub fn time_us(&self) -> u64 {
        match self {
            Entry::Op(op) => op.time_us,
            Entry::Event(ev) => ev.time_us,
            Entry::Fault(f) => f.time_us,
        }
    }
}

/// A whole run's history, in recording order.
#[derive(Debug, Clone, PartialEq)]
pub struct History<E = RawEvent> {
    /// Node names; entries name nodes by index into this list (for a run,
    /// the cluster's `NodeId`s).
    pub nodes: Vec<Name>,
    /// The lines, in order.
    pub entries: Vec<Entry<E>>,
}

impl<E> Default for History<E> {
    fn default() -> Self {
        History {
            nodes: Vec::new(),
            entries: Vec::new(),
        }
    }
}

impl<E> History<E> {
    /// An empty history of a cluster whose nodes are `nodes`.
    pub fn with_nodes(nodes: Vec<Name>) -> History<E> {
        History {
            nodes,
            entries: Vec::new(),
        }
    }

    /// Appends a line.
    pub fn push(&mut self, entry: Entry<E>) {
        self.entries.push(entry);
    }

    /// Node `i`'s name ("?" for an index this history does not know).
    pub fn node_name(&self, i: usize) -> &'static str {
        self.nodes.get(i).map_or("?", |n| n.as_str())
    }

    /// The index of node `name`, if this history knows it.
    pub fn node_index(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| *n == name)
    }

    /// The index of node `name`, added if new (for histories read from files).
    pub fn intern_node(&mut self, name: &str) -> Result<usize, crate::name::TooManyNames> {
        if let Some(i) = self.node_index(name) {
            return Ok(i);
        }
        self.nodes.push(Name::intern(name)?);
        Ok(self.nodes.len() - 1)
    }

    /// Client operation lines, in order.
    pub fn ops(&self) -> impl Iterator<Item = &OpEntry> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Op(op) => Some(op),
            _ => None,
        })
    }

    /// Protocol events, in order.
    pub fn events(&self) -> impl Iterator<Item = &EventEntry<E>> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Event(ev) => Some(ev),
            _ => None,
        })
    }

    /// Protocol events with their entry index, in order.
    pub fn indexed_events(&self) -> impl Iterator<Item = (usize, &EventEntry<E>)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Entry::Event(ev) => Some((i, ev)),
                _ => None,
            })
    }

    /// Faults, in order.
    pub fn faults(&self) -> impl Iterator<Item = &FaultEntry> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Fault(f) => Some(&**f),
            _ => None,
        })
    }

    /// The same history with every event mapped by `f` (e.g. raw events
    /// read from a file, decoded into a protocol's own type).
    pub fn map_events<F, T>(self, mut f: F) -> Result<History<T>, HistoryError>
    where
        F: FnMut(E) -> Result<T, String>,
    {
        let mut entries = Vec::with_capacity(self.entries.len());
        for (i, e) in self.entries.into_iter().enumerate() {
            entries.push(match e {
                Entry::Op(op) => Entry::Op(op),
                Entry::Fault(x) => Entry::Fault(x),
                Entry::Event(ev) => Entry::Event(EventEntry {
                    time_us: ev.time_us,
                    node: ev.node,
                    event: f(ev.event).map_err(|message| HistoryError {
                        line: i + 1,
                        message,
                    })?,
                }),
            });
        }
        Ok(History {
            nodes: self.nodes,
            entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_stay_small() {
        // A typical protocol event of two words.
        #[derive(Clone)]
        #[allow(dead_code)]
        struct Ev(u64, u64);
        assert!(std::mem::size_of::<Entry<Ev>>() <= 88);
    }
}
