//! The shared resource that leaders write to (a file, a storage bucket).
//!
//! It records every write as `work_accepted {token, leader}` or
//! `work_rejected {token, leader, highest}`. Fenced (every variant but
//! `lease`), it rejects a token below the highest it has accepted: the
//! fencing token of Kleppmann's "How to do distributed locking" (2016),
//! which makes a stale leader's late write harmless.

use super::event::Event;
use super::layout::Layout;
use super::msg::Msg;
use super::node::Ctx;
use crate::node::NodeId;
use crate::storage::Storage;
use std::sync::Arc;

/// Storage key of the highest token accepted.
pub const KEY_HIGHEST: &str = "highest";

/// The resource node.
#[derive(Debug, Clone)]
pub struct Resource {
    layout: Arc<Layout>,
    highest: u64,
}

impl Resource {
    /// Builds the resource, restoring the highest token from `storage`.
    pub fn new(layout: Arc<Layout>, storage: &Storage) -> Resource {
        Resource {
            layout,
            highest: storage.get(KEY_HIGHEST).unwrap_or(0),
        }
    }

    /// Handles a `Write`.
    pub fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        let Msg::Write { token, leader } = msg else {
            panic!("resource got {msg:?}");
        };
        assert_eq!(from, leader, "a write names its sender");
        assert!(
            self.layout.is_server(leader),
            "write from non-server {leader}"
        );
        if self.layout.variant.fenced() && token < self.highest {
            let highest = self.highest;
            ctx.event(Event::WorkRejected {
                token,
                leader,
                highest,
            });
            return;
        }
        if token > self.highest {
            self.highest = token;
            ctx.persist(KEY_HIGHEST, &self.highest);
        }
        ctx.event(Event::WorkAccepted { token, leader });
    }
}
