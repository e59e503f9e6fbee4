//! An optional recorder of message sends and deliveries in a time window,
//! for message-flow diagrams.
//!
//! Off unless a run asks ([`crate::run::RunOptions::record_messages`]):
//! runs are deterministic, so the report step re-runs a seed with it on
//! rather than slowing every run. When off, the hot path pays one `None`
//! check per send and per delivery.

use faultline_models::NodeId;
use serde::Serialize;
use std::collections::BTreeMap;

/// Most messages kept; later sends in the window are counted, not kept.
pub const RECORDS_MAX: usize = 20_000;

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
        if now_us < self.from_us || now_us >= self.to_us {
            return;
        }
        if self.records.len() >= RECORDS_MAX {
            self.dropped += 1;
            return;
        }
        let label = label(msg);
        let record = |arrive_us, fate| MessageRecord {
            send_us: now_us,
            arrive_us,
            from,
            to,
            label: label.clone(),
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
fn label(msg: &dyn std::fmt::Debug) -> String {
    let text = format!("{msg:?}");
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    text[..end].to_string()
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
        assert_eq!(r.records[0].fate, MessageFate::InFlight);
        assert_eq!(r.records[1].fate, MessageFate::DeadNode);
        assert_eq!(r.records[2].fate, MessageFate::Lost);
    }
}
