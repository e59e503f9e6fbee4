//! The TTL lock service of the lease variants.
//!
//! One lock, like a Redis key set with `SET lock me NX PX ttl` or an etcd
//! lease: a request wins if the lock is free, expired by the service's own
//! clock, or already held by the requester (a renewal). Each new lease gets
//! the next fencing token, so tokens increase with every change of holder.
//! The last token is persisted so a restarted service never reuses one.

use super::event::Event;
use super::layout::{us, Layout};
use super::msg::Msg;
use super::node::Ctx;
use crate::node::NodeId;
use crate::storage::Storage;
use std::sync::Arc;

/// Storage key of the last token handed out.
pub const KEY_LAST_TOKEN: &str = "last_token";

/// Who holds the lock, with which token, until when (service clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Holder {
    node: NodeId,
    token: u64,
    expires_us: u64,
}

/// The lock service node.
#[derive(Debug, Clone)]
pub struct LockService {
    layout: Arc<Layout>,
    holder: Option<Holder>,
    last_token: u64,
}

impl LockService {
    /// Builds the service, restoring the last token from `storage`.
    pub fn new(layout: Arc<Layout>, storage: &Storage) -> LockService {
        LockService {
            layout,
            holder: None,
            last_token: storage.get(KEY_LAST_TOKEN).unwrap_or(0),
        }
    }

    /// Handles an `Acquire`.
    pub fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        assert!(
            self.layout.is_server(from),
            "lock request from non-server {from}"
        );
        let Msg::Acquire { ttl_ms, sent_us } = msg else {
            panic!("lock service got {msg:?}");
        };
        let now_us = ctx.now_us;
        let reply = match self.holder {
            Some(h) if h.expires_us > now_us && h.node != from => Msg::Denied {
                holder: h.node,
                token: h.token,
            },
            held => {
                let token = match held {
                    Some(h) if h.expires_us > now_us => h.token, // a renewal
                    _ => self.next_token(ctx, from),
                };
                assert!(
                    token <= self.last_token,
                    "token {token} was never handed out"
                );
                let expires_us = now_us + us(ttl_ms);
                self.holder = Some(Holder {
                    node: from,
                    token,
                    expires_us,
                });
                Msg::Granted {
                    token,
                    ttl_ms,
                    sent_us,
                }
            }
        };
        ctx.send(from, reply);
    }

    /// Hands out the next fencing token to `node`'s new lease.
    fn next_token(&mut self, ctx: &mut Ctx<'_>, node: NodeId) -> u64 {
        self.last_token += 1;
        ctx.persist(KEY_LAST_TOKEN, &self.last_token);
        ctx.event(Event::LockGranted {
            token: self.last_token,
            holder: node,
        });
        self.last_token
    }
}
