//! The livelock guard: events counted per simulated instant and per run,
//! against the caps of `[run]`. Reaching one stops the run (verdict
//! STOPPED, exit 5) with a reason that names the key to raise.

use crate::world::event::EVENTS_PENDING_MAX;
use std::sync::atomic::{AtomicBool, Ordering};

/// Events between two looks at the cancel flag (a relaxed load is cheap,
/// but not free on the engine's hottest path).
pub const CANCEL_EVERY: u64 = 4096;

/// Events dispatched so far, and the caps.
#[derive(Debug, Clone, Default)]
pub struct EventCounts {
    /// Events at the current instant (the current one included).
    pub instant: u64,
    /// Events in the run.
    pub total: u64,
    /// `[run] events_per_instant_max`.
    pub instant_max: u64,
    /// `[run] events_max`.
    pub total_max: u64,
    /// Set from outside to end the run (`RunOptions::cancel`).
    pub cancel: Option<&'static AtomicBool>,
}

impl EventCounts {
    /// Counts with these caps.
    pub fn new(instant_max: u64, total_max: u64) -> EventCounts {
        assert!(instant_max > 0 && total_max > 0, "validated: caps >= 1");
        EventCounts {
            instant: 0,
            total: 0,
            instant_max,
            total_max,
            cancel: None,
        }
    }

    /// The same, ended early once `cancel` is set.
    pub fn with_cancel(self, cancel: Option<&'static AtomicBool>) -> EventCounts {
        EventCounts { cancel, ..self }
    }

    /// Why the run must stop at `now_us`, if it must: an event past a cap,
    /// or an event dropped by a full queue (`overflowed`).
    pub fn exceeded(&self, now_us: u64, overflowed: bool) -> Option<String> {
        let at = now_us as f64 / 1e6;
        if self.instant > self.instant_max {
            return Some(format!(
                "{} events at {at:.6} s of simulated time without time moving on ([run] events_per_instant_max): a livelock, e.g. messages or timers with zero delay answering each other; raise it if the burst is legitimate",
                self.instant_max
            ));
        }
        if self.total > self.total_max {
            return Some(format!(
                "the run dispatched {} events by {at:.3} s of simulated time ([run] events_max): raise it, or shorten the run",
                self.total_max
            ));
        }
        let every = self.total.is_multiple_of(CANCEL_EVERY);
        if every && self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Some(crate::run::CANCELLED.to_string());
        }
        overflowed.then(|| format!(
            "more than {EVENTS_PENDING_MAX} events were pending at {at:.3} s of simulated time (messages and timers queued and not yet due): the protocol or the load floods the network"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cap_names_its_key() {
        let mut c = EventCounts::new(2, 5);
        (c.instant, c.total) = (2, 5);
        assert_eq!(c.exceeded(0, false), None);
        c.instant = 3;
        assert!(c
            .exceeded(0, false)
            .unwrap()
            .contains("events_per_instant_max"));
        (c.instant, c.total) = (1, 6);
        assert!(c.exceeded(0, false).unwrap().contains("[run] events_max"));
        c.total = 1;
        assert!(c.exceeded(0, true).unwrap().contains("pending"));
        static CANCEL: AtomicBool = AtomicBool::new(true);
        let mut c = EventCounts::new(2, u64::MAX).with_cancel(Some(&CANCEL));
        c.total = CANCEL_EVERY;
        assert_eq!(c.exceeded(0, false).as_deref(), Some(crate::run::CANCELLED));
    }
}
