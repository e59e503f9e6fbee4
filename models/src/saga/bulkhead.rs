//! A semaphore bulkhead: at most `max` calls to one service in flight, so a
//! slow service cannot tie up every saga (Nygard, "Release It!"; a
//! Resilience4j `SEMAPHORE` bulkhead with no wait). A call is identified by
//! its saga, which has at most one call in flight.

use std::collections::BTreeSet;

/// One service's bulkhead.
#[derive(Debug, Clone)]
pub struct Bulkhead {
    max: usize,
    in_flight: BTreeSet<u64>,
}

impl Bulkhead {
    /// An empty bulkhead admitting `max` concurrent calls.
    pub fn new(max: u32) -> Bulkhead {
        assert!(max >= 1, "a bulkhead admits at least one call");
        Bulkhead {
            max: max as usize,
            in_flight: BTreeSet::new(),
        }
    }

    /// Takes a permit for `saga`'s call; false when full.
    pub fn try_acquire(&mut self, saga: u64) -> bool {
        assert!(
            !self.in_flight.contains(&saga),
            "saga {saga} has a call in flight"
        );
        if self.in_flight.len() >= self.max {
            return false;
        }
        self.in_flight.insert(saga);
        true
    }

    /// Returns `saga`'s permit, if it holds one.
    pub fn release(&mut self, saga: u64) {
        self.in_flight.remove(&saga);
        assert!(self.in_flight.len() <= self.max, "bulkhead over capacity");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_max() {
        let mut b = Bulkhead::new(2);
        assert!(b.try_acquire(1));
        assert!(b.try_acquire(2));
        assert!(!b.try_acquire(3));
        b.release(1);
        assert!(b.try_acquire(3));
    }
}
