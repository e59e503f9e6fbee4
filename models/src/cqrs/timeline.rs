//! The cqrs events of a history, where they stand: typed reads for the
//! checkers and metrics.
//!
//! Each [`Mark`] borrows one event's data together with its index into
//! `History::entries` (so violations can point at lines), its time and its
//! node. Nothing is decoded or copied: a pass is a scan of the entries, and
//! every checker and metric makes its own.

use super::domain::DomainEvent;
use super::event::{Applied, Event};
use crate::history::History;

/// One event's data, where it stands in the history.
#[derive(Debug, PartialEq)]
pub struct Mark<'a, T> {
    /// Index into `History::entries`.
    pub index: usize,
    /// Simulated time.
    pub time_us: u64,
    /// The node that recorded it (index into `History::nodes`).
    pub node: usize,
    /// The event's data.
    pub data: &'a T,
}

impl<T> Clone for Mark<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Mark<'_, T> {}

/// Every cqrs event, in history order.
pub fn marks(history: &History<Event>) -> impl Iterator<Item = Mark<'_, Event>> {
    history.indexed_events().map(|(index, ev)| Mark {
        index,
        time_us: ev.time_us,
        node: ev.node,
        data: &ev.event,
    })
}

/// Every `appended`: the store's log in append order.
pub fn appended(history: &History<Event>) -> impl Iterator<Item = Mark<'_, DomainEvent>> {
    marks(history).filter_map(|m| match m.data {
        Event::Appended(e) => Some(m.with(e)),
        _ => None,
    })
}

/// Every `applied`, in order; `node` is the projector.
pub fn applied(history: &History<Event>) -> impl Iterator<Item = Mark<'_, Applied>> {
    marks(history).filter_map(|m| match m.data {
        Event::Applied(a) => Some(m.with(a)),
        _ => None,
    })
}

impl<'a> Mark<'a, Event> {
    /// The same place with part of the event as data.
    pub fn with<T>(self, data: &'a T) -> Mark<'a, T> {
        Mark {
            index: self.index,
            time_us: self.time_us,
            node: self.node,
            data,
        }
    }
}

#[cfg(test)]
pub mod build {
    //! Hand-built histories for the checkers' and metrics' tests.

    use super::super::domain::{Body, DomainEvent};
    use super::super::event::{Applied, Event, Source};
    use super::super::views::{Row, RowKey};
    use crate::check::CheckContext;
    use crate::history::{Entry, EventEntry, History};

    /// A check context ending at 10 us.
    pub fn ctx() -> CheckContext {
        CheckContext {
            nodes: vec![],
            heal_us: 0,
            end_us: 10,
        }
    }

    /// Appends `event` at `time_us` on `node`.
    pub fn ev(h: &mut History<Event>, time_us: u64, node: &str, event: Event) {
        let node = h.intern_node(node).unwrap();
        h.push(Entry::Event(EventEntry {
            time_us,
            node,
            event,
        }));
    }

    /// The store appends `body` as `order`'s `version` at `position`.
    pub fn appended(
        h: &mut History<Event>,
        time_us: u64,
        order: u64,
        version: u64,
        position: u64,
        body: Body,
    ) {
        let e = DomainEvent {
            order,
            version,
            position,
            body,
        };
        ev(h, time_us, "store", Event::Appended(e));
    }

    /// `projector` applies `order`'s `version` from the bus, writing `rows`.
    pub fn applied(
        h: &mut History<Event>,
        time_us: u64,
        projector: &str,
        ov: (u64, u64),
        rows: Option<(RowKey, Row)>,
    ) {
        let a = Applied {
            order: ov.0,
            version: ov.1,
            position: ov.1,
            generation: 0,
            source: Source::Bus,
            rows,
        };
        ev(h, time_us, projector, Event::Applied(a));
    }
}
