//! The cqrs model's one message enum.
//!
//! Command handlers talk to the store (`Load`, `Append`); the relay drains
//! the store's outbox into the bus (`FetchOutbox`, `Publish`,
//! `MarkPublished`); the bus pushes to projectors (`Deliver`, `Ack`,
//! `Subscribe`); a rebuilding projector pages through the store's log
//! (`ReadLog`). Every request carries what its answer echoes, so late and
//! duplicated answers are recognised and dropped.

use super::domain::{Body, DomainEvent};

/// A cqrs message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Command handler → store: send me order `order`'s stream.
    /// Answered by `Loaded`.
    Load {
        /// The handler's attempt id, echoed.
        tag: u64,
        /// The order.
        order: u64,
    },
    /// Store → command handler: the stream of `order`, in version order.
    Loaded {
        /// The attempt id of the `Load`.
        tag: u64,
        /// The stream's events.
        events: Vec<DomainEvent>,
    },
    /// Command handler → store: append `body` to `order`'s stream, which
    /// the handler read at version `expected`. Answered by `Appended` or
    /// `Conflict`.
    Append {
        /// The handler's attempt id, echoed.
        tag: u64,
        /// The order.
        order: u64,
        /// The version the decision was made on.
        expected: u64,
        /// The new event.
        body: Body,
    },
    /// Store → command handler: the event is stored (and in the outbox).
    Appended {
        /// The attempt id of the `Append`.
        tag: u64,
        /// The stored event with its version and position.
        event: DomainEvent,
    },
    /// Store → command handler: the stream is at `version`, not the
    /// expected one; nothing was stored. The handler reloads and retries.
    Conflict {
        /// The attempt id of the `Append`.
        tag: u64,
        /// The stream's current version.
        version: u64,
    },
    /// Relay → store: outbox entries with position above `after` (and
    /// above the published mark), at most `max`. Answered by `Outbox`.
    FetchOutbox {
        /// The relay's own published mark.
        after: u64,
        /// Most entries wanted.
        max: u64,
    },
    /// Store → relay: unpublished outbox entries in position order.
    Outbox {
        /// The entries.
        events: Vec<DomainEvent>,
    },
    /// Relay → store: every entry up to `upto` is on the bus. No answer;
    /// a lost mark makes the relay publish those entries again.
    MarkPublished {
        /// Highest published position.
        upto: u64,
    },
    /// Relay (or, in `dual-write`, a command handler) → bus: append these
    /// events to their partitions. Answered by `Published`.
    Publish {
        /// The sender's id for this batch, echoed.
        batch: u64,
        /// The events, in position order.
        events: Vec<DomainEvent>,
    },
    /// Bus → publisher: the batch is durably on the bus.
    Published {
        /// The batch id of the `Publish`.
        batch: u64,
    },
    /// Bus → projector: message `offset` of `partition`. Answered by
    /// `Ack`; re-sent until acknowledged.
    Deliver {
        /// The bus partition.
        partition: u64,
        /// Offset within the partition.
        offset: u64,
        /// The event.
        event: DomainEvent,
    },
    /// Projector → bus: `offset` of `partition` is handled; send the next.
    Ack {
        /// The bus partition.
        partition: u64,
        /// The handled offset.
        offset: u64,
    },
    /// Projector → bus: (re)started or rebuilt; re-send everything not
    /// acknowledged now. No answer but the deliveries.
    Subscribe,
    /// Rebuilding projector → store: log entries after position `after`,
    /// at most `max`. Answered by `LogPage`.
    ReadLog {
        /// Position already read.
        after: u64,
        /// Most entries wanted.
        max: u64,
    },
    /// Store → projector: log entries after `after`, and the log's length.
    LogPage {
        /// The `after` of the `ReadLog`.
        after: u64,
        /// The entries, in position order.
        events: Vec<DomainEvent>,
        /// The log's length when answered.
        end: u64,
    },
}
