//! An optional recorder of message sends and deliveries in a time window,
//! for message-flow diagrams.
//!
//! Off unless a run asks ([`crate::run::RunOptions::record_messages`]):
//! runs are deterministic, so the report step re-runs a seed with it on
//! rather than slowing every run. When off, the hot path pays one `None`
//! check per send and per delivery.

use faultline_models::NodeId;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Most messages kept; later sends in the window are counted, not kept.
pub const RECORDS_MAX: usize = 20_000;

/// Longest message body kept (its `Debug` text), in bytes; longer ones end in "...".
pub const BODY_BYTES_MAX: usize = 400;

/// What became of a recorded message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageFate {
    /// Handed to the receiver.
    Delivered,
    /// Lost to random loss at send.
    Lost,
    /// Cut by a partition (at send or on arrival).
    Partitioned,
    /// The receiver was down on arrival.
    DeadNode,
    /// Still in flight when the run ended.
    InFlight,
}

/// One message (one copy of a duplicated one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageRecord {
    /// When it was sent.
    pub send_us: u64,
    /// When it arrives (None: dropped at send).
    pub arrive_us: Option<u64>,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// The message's variant name (its `Debug` text up to the first field).
    pub label: String,
    /// The message's `Debug` text, fields and all (at most [`BODY_BYTES_MAX`]).
    pub body: String,
    /// What became of it.
    pub fate: MessageFate,
}

/// Records messages sent in `[from_us, to_us)`.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    /// Window start.
    pub from_us: u64,
    /// Window end.
    pub to_us: u64,
    /// What was recorded, in send order.
    pub records: Vec<MessageRecord>,
    /// Sends in the window beyond [`RECORDS_MAX`].
    pub dropped: u64,
    /// The variant name of every message sent in the whole run, in or out of
    /// the window: a diagram colours by the position in this sorted set, so a
    /// message type keeps its colour whatever window is drawn.
    pub kinds: BTreeSet<String>,
    /// Records still in flight by (arrival, from, to): an arrival finds its
    /// record in O(log n) instead of scanning every record, which made long
    /// runs quadratic (each arrival after the window scanned 20,000 records).
    in_flight: BTreeMap<(u64, NodeId, NodeId), Vec<usize>>,
}

impl Recorder {
    /// A recorder for `[from_us, to_us)`.
    pub fn new(from_us: u64, to_us: u64) -> Recorder {
        assert!(from_us <= to_us, "recording window ends before it starts");
        Recorder {
            from_us,
            to_us,
            ..Recorder::default()
        }
    }

    /// A send at `now_us`; `arrivals` are the scheduled arrival times
    /// (none: dropped at send with `fate`).
    pub fn sent(
        &mut self,
        now_us: u64,
        (from, to): (NodeId, NodeId),
        msg: &dyn std::fmt::Debug,
        arrivals: &[u64],
        fate: MessageFate,
    ) {
        let label = label(msg);
        if !self.kinds.contains(&label) {
            self.kinds.insert(label.clone());
        }
        if now_us < self.from_us || now_us >= self.to_us {
            return;
        }
        if self.records.len() >= RECORDS_MAX {
            self.dropped += 1;
            return;
        }
        let body = body(msg);
        let record = |arrive_us, fate| MessageRecord {
            send_us: now_us,
            arrive_us,
            from,
            to,
            label: label.clone(),
            body: body.clone(),
            fate,
        };
        if arrivals.is_empty() {
            self.records.push(record(None, fate));
        }
        for &at in arrivals {
            self.in_flight
                .entry((at, from, to))
                .or_default()
                .push(self.records.len());
            self.records.push(record(Some(at), MessageFate::InFlight));
        }
    }

    /// A recorded message from `from` to `to` arriving at `now_us` met `fate`.
    pub fn arrived(&mut self, now_us: u64, (from, to): (NodeId, NodeId), fate: MessageFate) {
        if self.in_flight.is_empty() {
            return;
        }
        let key = (now_us, from, to);
        let Some(waiting) = self.in_flight.get_mut(&key) else {
            return;
        };
        // The latest send first, as duplicates of one instant are alike.
        if let Some(i) = waiting.pop() {
            self.records[i].fate = fate;
        }
        if waiting.is_empty() {
            self.in_flight.remove(&key);
        }
    }
}

/// The variant name of a message: its `Debug` text up to the first field.
/// Formatting stops at the first character that is not part of a name, so
/// naming every message of a run costs little more than its first word.
fn label(msg: &dyn std::fmt::Debug) -> String {
    let mut name = NameOnly(String::new());
    let _ = std::fmt::write(&mut name, format_args!("{msg:?}"));
    name.0
}

/// A writer that keeps a leading identifier and refuses the rest.
struct NameOnly(String);

impl std::fmt::Write for NameOnly {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = s
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        self.0.push_str(&s[..end]);
        if end < s.len() || self.0.len() > 64 {
            return Err(std::fmt::Error);
        }
        Ok(())
    }
}

/// A message's `Debug` text, cut at [`BODY_BYTES_MAX`] (on a char boundary).
fn body(msg: &dyn std::fmt::Debug) -> String {
    let mut text = format!("{msg:?}");
    if text.len() > BODY_BYTES_MAX {
        let mut end = BODY_BYTES_MAX;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("...");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    #[allow(dead_code)]
    enum M {
        Vote { term: u64 },
    }

    #[test]
    fn records_only_the_window_and_matches_arrivals() {
        let mut r = Recorder::new(100, 200);
        r.sent(
            50,
            (0, 1),
            &M::Vote { term: 1 },
            &[60],
            MessageFate::InFlight,
        );
        r.sent(
            150,
            (0, 1),
            &M::Vote { term: 2 },
            &[170, 180],
            MessageFate::InFlight,
        );
        r.sent(160, (1, 0), &M::Vote { term: 2 }, &[], MessageFate::Lost);
        r.arrived(180, (0, 1), MessageFate::DeadNode);
        r.arrived(60, (0, 1), MessageFate::Delivered);
        assert_eq!(r.records.len(), 3);
        assert_eq!(r.records[0].label, "Vote");
        assert_eq!(r.records[0].body, "Vote { term: 2 }");
        assert_eq!(r.kinds.iter().collect::<Vec<_>>(), ["Vote"]);
        assert_eq!(r.records[0].fate, MessageFate::InFlight);
        assert_eq!(r.records[1].fate, MessageFate::DeadNode);
        assert_eq!(r.records[2].fate, MessageFate::Lost);
    }
}
