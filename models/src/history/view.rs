//! A history whose event type is erased: what the engine's reports, plots
//! and sweeps need of any protocol's history.

use super::{Entry, Event, FaultEntry, History, OpEntry};
use std::fmt::Debug;

/// Read access to a history of any protocol.
pub trait HistoryView: Debug + Send + Sync {
    /// Number of lines.
    fn len(&self) -> usize;
    /// Whether there are no lines.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Node names, by index.
    fn nodes(&self) -> &[crate::name::Name];
    /// Line `i`'s simulated time.
    fn time_us(&self, i: usize) -> Option<u64>;
    /// Line `i` as JSON text.
    fn line(&self, i: usize) -> String;
    /// Line `i`'s event name, if it is an event.
    fn event_name(&self, i: usize) -> Option<&'static str>;
    /// Line `i`'s node (an op's server, an event's recorder, a fault's
    /// first node) and time.
    fn place(&self, i: usize) -> Option<(usize, u64)>;
    /// Line `i` if it is an op line.
    fn op(&self, i: usize) -> Option<&OpEntry>;
    /// Line `i` if it is a fault line.
    fn fault(&self, i: usize) -> Option<&FaultEntry>;
    /// Op lines, in order.
    fn op_lines(&self) -> Box<dyn Iterator<Item = &OpEntry> + '_>;
    /// Fault lines, in order.
    fn fault_lines(&self) -> Box<dyn Iterator<Item = &FaultEntry> + '_>;
    /// Writes the JSON-lines file.
    fn write_jsonl(&self, w: &mut dyn std::io::Write) -> std::io::Result<()>;

    /// Every line as JSON text (e.g. to compare two runs' histories).
    fn lines(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.line(i)).collect()
    }

    /// The event lines as JSON text.
    fn event_lines(&self) -> Vec<String> {
        (0..self.len())
            .filter(|&i| self.event_name(i).is_some())
            .map(|i| self.line(i))
            .collect()
    }
}

impl<E: Event> HistoryView for History<E> {
    fn len(&self) -> usize {
        self.entries.len()
    }
    fn nodes(&self) -> &[crate::name::Name] {
        &self.nodes
    }
    fn time_us(&self, i: usize) -> Option<u64> {
        self.entries.get(i).map(Entry::time_us)
    }
    fn line(&self, i: usize) -> String {
        History::line(self, i)
    }
    fn event_name(&self, i: usize) -> Option<&'static str> {
        match self.entries.get(i)? {
            Entry::Event(ev) => Some(ev.event.name()),
            _ => None,
        }
    }
    fn place(&self, i: usize) -> Option<(usize, u64)> {
        match self.entries.get(i)? {
            Entry::Op(op) => Some((op.node()?, op.time_us)),
            Entry::Event(ev) => Some((ev.node, ev.time_us)),
            Entry::Fault(f) => Some((*f.nodes.first()?, f.time_us)),
        }
    }
    fn op(&self, i: usize) -> Option<&OpEntry> {
        match self.entries.get(i)? {
            Entry::Op(op) => Some(op),
            _ => None,
        }
    }
    fn fault(&self, i: usize) -> Option<&FaultEntry> {
        match self.entries.get(i)? {
            Entry::Fault(f) => Some(f),
            _ => None,
        }
    }
    fn op_lines(&self) -> Box<dyn Iterator<Item = &OpEntry> + '_> {
        Box::new(self.ops())
    }
    fn fault_lines(&self) -> Box<dyn Iterator<Item = &FaultEntry> + '_> {
        Box::new(self.faults())
    }
    fn write_jsonl(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        History::write_jsonl(self, w)
    }
}
