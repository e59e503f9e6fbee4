//! The cqrs model's protocol events, parsed out of a history once.
//!
//! Checkers and metrics read these instead of raw JSON; each mark keeps its
//! index into `History::entries` so violations can point at lines. Events
//! that do not parse are skipped: they are not ours. Marks borrow names and
//! rows from the history: five checkers and metrics parse it per run, and
//! cloning the rows was a third of a 60 s run's time.

use super::event::Event;
use crate::history::{Entry, EventEntry, History};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The store appended an event (`appended`).
#[derive(Debug, Clone, PartialEq)]
pub struct Appended {
    /// Index into `History::entries`.
    pub index: usize,
    /// Simulated time.
    pub time_us: u64,
    /// The event.
    pub event: Event,
}

/// A projector wrote an event into its read model (`applied`).
#[derive(Debug, Clone, PartialEq)]
pub struct Applied<'a> {
    /// Index into `History::entries`.
    pub index: usize,
    /// Simulated time.
    pub time_us: u64,
    /// The projector's node name.
    pub projector: &'a str,
    /// The order.
    pub order: u64,
    /// Its version.
    pub version: u64,
    /// Its log position.
    pub position: u64,
    /// "bus" or "rebuild".
    pub source: &'a str,
    /// The rows written, by key (null = removed).
    pub rows: &'a Map<String, Value>,
}

/// A projector started (`rebuild_started`) or finished (`rebuild_done`) a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildMark<'a> {
    /// Index into `History::entries`.
    pub index: usize,
    /// Simulated time.
    pub time_us: u64,
    /// The projector's node name.
    pub projector: &'a str,
    /// The generation being built.
    pub generation: u64,
}

/// One parsed event, in history order.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark<'a> {
    /// `appended`.
    Appended(Appended),
    /// `applied`.
    Applied(Applied<'a>),
    /// `rebuild_started`.
    RebuildStarted(RebuildMark<'a>),
    /// `rebuild_done`.
    RebuildDone(RebuildMark<'a>),
    /// `conflict` (store refused a stale append).
    Conflict,
    /// `published` by the relay: positions `first..=last`.
    Published(u64, u64),
}

/// A history's cqrs events in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline<'a> {
    /// The marks, in history order.
    pub marks: Vec<Mark<'a>>,
}

impl<'a> Timeline<'a> {
    /// Parses `history`.
    pub fn of(history: &'a History) -> Timeline<'a> {
        let marks = history
            .entries
            .iter()
            .enumerate()
            .filter_map(|(index, entry)| match entry {
                Entry::Event(ev) => parse(index, ev),
                _ => None,
            })
            .collect();
        Timeline { marks }
    }

    /// Every `appended`, in order.
    pub fn appended(&self) -> impl Iterator<Item = &Appended> {
        self.marks.iter().filter_map(|m| match m {
            Mark::Appended(a) => Some(a),
            _ => None,
        })
    }

    /// Every `applied`, in order.
    pub fn applied(&self) -> impl Iterator<Item = &Applied<'a>> {
        self.marks.iter().filter_map(|m| match m {
            Mark::Applied(a) => Some(a),
            _ => None,
        })
    }
}

fn parse(index: usize, ev: &EventEntry) -> Option<Mark<'_>> {
    let u = |k: &str| ev.data.get(k).and_then(Value::as_u64);
    let rebuild = || RebuildMark {
        index,
        time_us: ev.time_us,
        projector: &ev.node,
        generation: u("generation").unwrap_or(0),
    };
    Some(match ev.name.as_str() {
        "appended" => Mark::Appended(Appended {
            index,
            time_us: ev.time_us,
            event: Event::deserialize(&ev.data).ok()?,
        }),
        "applied" => Mark::Applied(Applied {
            index,
            time_us: ev.time_us,
            projector: &ev.node,
            order: u("order")?,
            version: u("version")?,
            position: u("position")?,
            source: ev.data.get("source")?.as_str()?,
            rows: ev.data.get("rows")?.as_object()?,
        }),
        "rebuild_started" => Mark::RebuildStarted(rebuild()),
        "rebuild_done" => Mark::RebuildDone(rebuild()),
        "conflict" => Mark::Conflict,
        "published" => Mark::Published(u("first")?, u("last")?),
        _ => return None,
    })
}

#[cfg(test)]
pub mod build {
    //! Hand-built histories for the checkers' and metrics' tests.

    use super::super::event::{Body, Event};
    use crate::check::CheckContext;
    use crate::history::{Entry, EventEntry, History};
    use serde_json::{json, Value};

    /// A check context ending at 10 us.
    pub fn ctx() -> CheckContext {
        CheckContext {
            nodes: vec![],
            heal_us: 0,
            end_us: 10,
        }
    }

    /// Appends event `name` at `time_us` on `node`.
    pub fn ev(h: &mut History, time_us: u64, node: &str, name: &str, data: Value) {
        h.push(Entry::Event(EventEntry {
            time_us,
            node: node.into(),
            name: name.into(),
            data,
        }));
    }

    /// The store appends `body` as `order`'s `version` at `position`.
    pub fn appended(
        h: &mut History,
        time_us: u64,
        order: u64,
        version: u64,
        position: u64,
        body: Body,
    ) {
        let e = Event {
            order,
            version,
            position,
            body,
        };
        ev(
            h,
            time_us,
            "store",
            "appended",
            serde_json::to_value(e).unwrap(),
        );
    }

    /// `projector` applies `order`'s `version`, writing `rows`.
    pub fn applied(h: &mut History, time_us: u64, projector: &str, ov: (u64, u64), rows: Value) {
        let data = json!({"order": ov.0, "version": ov.1, "position": ov.1,
            "generation": 0, "source": "bus", "rows": rows});
        ev(h, time_us, projector, "applied", data);
    }
}
