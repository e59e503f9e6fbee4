//! A leader's periodic exclusive work, the thing leadership protects.
//!
//! Every `work_interval_ms` the node asks its owner whether it leads (Raft:
//! its role; lease: its own clock against the lease). If so it starts a
//! write that reaches the network `work_duration_ms` later, without checking
//! again: that gap is the window in which a GC pause, a slow disk or a
//! drifting clock lets an ex-leader write (Kleppmann, "How to do distributed
//! locking", 2016). The write carries the term or fencing token.

use super::layout::{us, Layout};
use super::msg::Msg;
use super::node::Ctx;
use crate::node::TimerId;

/// Timer: time to check leadership and maybe start a write.
pub const TIMER_WORK: TimerId = 10;
/// Timer: the started write lands (is sent to the resource).
pub const TIMER_WRITE: TimerId = 11;

/// The write in flight, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Work {
    pending_token: Option<u64>,
}

impl Work {
    /// Arms the first check.
    pub fn start(&mut self, ctx: &mut Ctx<'_>, layout: &Layout) {
        ctx.set_timer(TIMER_WORK, us(layout.params.work_interval_ms));
    }

    /// At a check: starts a write stamped `token` if the owner leads and no
    /// write is in flight (one can be, if the node was paused); re-arms.
    pub fn on_check(&mut self, ctx: &mut Ctx<'_>, layout: &Layout, token: Option<u64>) {
        if let (Some(token), None) = (token, self.pending_token) {
            self.pending_token = Some(token);
            ctx.set_timer(TIMER_WRITE, us(layout.params.work_duration_ms));
        }
        ctx.set_timer(TIMER_WORK, us(layout.params.work_interval_ms));
    }

    /// The write lands: it goes to the resource, leadership unchecked.
    pub fn on_write(&mut self, ctx: &mut Ctx<'_>, layout: &Layout) {
        let token = self
            .pending_token
            .take()
            .expect("the write timer is armed only with a write pending");
        let leader = ctx.id;
        assert!(layout.is_server(leader), "only servers write");
        ctx.send(layout.resource(), Msg::Write { token, leader });
    }
}
