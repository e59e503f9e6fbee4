//! A node's armed timers, re-armed without a heap entry per arming.
//!
//! Protocols re-arm timers far more often than they fire them (a raft
//! follower resets its election timer at every heartbeat). An entry per
//! arming left the event heap full of stale entries, each pushed and
//! popped for nothing. Instead, each arming takes its place in the queue's
//! order as a key (time, sequence number) drawn when it is armed, and one
//! queued entry stands for a timer: a re-arm to a later time queues nothing,
//! and when the standing entry comes due early it queues the current
//! arming under that arming's own key. Events therefore come out in exactly
//! the order an entry per arming gave, and runs keep their trace hashes.

use faultline_models::TimerId;
use std::collections::BTreeMap;

/// The queue order of an event: (time in µs, sequence number).
pub type Key = (u64, u64);

/// One arming of a timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Armed {
    /// Handed to the node with the firing, checked again when handled.
    pub generation: u64,
    /// Where it fires in the queue's order.
    pub key: Key,
}

#[derive(Debug, Default)]
struct State {
    armed: Option<Armed>,
    /// The queued entry that stands for this timer, if any.
    queued: Option<Key>,
}

/// What a due timer entry means.
#[derive(Debug, PartialEq, Eq)]
pub enum Due {
    /// The armed timer fires: hand it to the node.
    Fire(u64),
    /// The timer was re-armed later: queue this key for it instead.
    Requeue(Key),
    /// Stale (cancelled, superseded, or from before a crash): nothing.
    Nothing,
}

/// A node's timers.
#[derive(Debug, Default)]
pub struct Timers {
    by_id: BTreeMap<TimerId, State>,
}

impl Timers {
    /// Arms `timer` at `key`; true if the caller must queue an entry for it.
    pub fn arm(&mut self, timer: TimerId, armed: Armed) -> bool {
        let state = self.by_id.entry(timer).or_default();
        state.armed = Some(armed);
        // A standing entry due no later than this arming will requeue it.
        if state.queued.is_some_and(|q| q <= armed.key) {
            return false;
        }
        state.queued = Some(armed.key);
        true
    }

    /// True while `timer` is armed by the arming that drew `generation`.
    pub fn is_armed(&self, timer: TimerId, generation: u64) -> bool {
        self.by_id
            .get(&timer)
            .and_then(|s| s.armed)
            .is_some_and(|a| a.generation == generation)
    }

    /// Cancels `timer` (its queued entry, if any, comes due as stale).
    pub fn disarm(&mut self, timer: TimerId) {
        if let Some(state) = self.by_id.get_mut(&timer) {
            state.armed = None;
            if state.queued.is_none() {
                self.by_id.remove(&timer);
            }
        }
    }

    /// The entry for `timer` with `key` came due.
    pub fn due(&mut self, timer: TimerId, key: Key) -> Due {
        let Some(state) = self.by_id.get_mut(&timer) else {
            return Due::Nothing;
        };
        if state.queued != Some(key) {
            return Due::Nothing;
        }
        state.queued = None;
        match state.armed {
            Some(a) if a.key == key => Due::Fire(a.generation),
            Some(a) => {
                debug_assert!(a.key > key, "an earlier arming has its own entry");
                state.queued = Some(a.key);
                Due::Requeue(a.key)
            }
            None => {
                self.by_id.remove(&timer);
                Due::Nothing
            }
        }
    }

    /// The crash: every timer is gone; queued entries come due as stale.
    pub fn clear(&mut self) {
        self.by_id.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn armed(generation: u64, at: u64, seq: u64) -> Armed {
        Armed {
            generation,
            key: (at, seq),
        }
    }

    #[test]
    fn a_later_rearm_rides_on_the_standing_entry() {
        let mut t = Timers::default();
        assert!(t.arm(7, armed(1, 100, 1)));
        assert!(!t.arm(7, armed(2, 150, 5)), "later: no entry");
        assert_eq!(t.due(7, (100, 1)), Due::Requeue((150, 5)));
        assert_eq!(t.due(7, (150, 5)), Due::Fire(2));
        assert!(t.is_armed(7, 2));
        t.disarm(7);
        assert!(!t.is_armed(7, 2));
    }

    #[test]
    fn an_earlier_rearm_queues_its_own_entry_and_orphans_the_old() {
        let mut t = Timers::default();
        assert!(t.arm(7, armed(1, 100, 1)));
        assert!(t.arm(7, armed(2, 50, 3)), "earlier: its own entry");
        assert_eq!(t.due(7, (50, 3)), Due::Fire(2));
        t.disarm(7);
        assert_eq!(t.due(7, (100, 1)), Due::Nothing);
    }

    #[test]
    fn cancelled_and_crashed_timers_come_due_as_nothing() {
        let mut t = Timers::default();
        t.arm(1, armed(1, 100, 1));
        t.disarm(1);
        assert_eq!(t.due(1, (100, 1)), Due::Nothing);
        t.arm(2, armed(2, 100, 2));
        t.clear();
        assert!(t.arm(2, armed(3, 200, 9)), "after a crash: a fresh entry");
        assert_eq!(t.due(2, (100, 2)), Due::Nothing);
        assert_eq!(t.due(2, (200, 9)), Due::Fire(3));
    }
}
