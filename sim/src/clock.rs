//! Per-node clocks: a node's `now` is true simulated time with an offset and
//! a drift rate applied. Skew faults step the offset; drift faults change
//! the rate from the moment they apply.

/// One node's clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeClock {
    /// Offset in microseconds at `anchor_us` of true time.
    offset_us: i64,
    /// Rate error in parts per million (positive: runs fast).
    drift_ppm: f64,
    /// True time at which the current drift rate started.
    anchor_us: u64,
}

impl NodeClock {
    /// A clock with a static offset and drift from true time zero.
    pub fn new(offset_us: i64, drift_ppm: f64) -> NodeClock {
        assert!(
            drift_ppm.abs() < 500_000.0,
            "drift {drift_ppm} ppm is beyond any real clock"
        );
        NodeClock {
            offset_us,
            drift_ppm,
            anchor_us: 0,
        }
    }

    /// The node's reading at true time `true_us` (never below zero).
    pub fn local_us(&self, true_us: u64) -> u64 {
        let since = true_us.saturating_sub(self.anchor_us) as f64;
        let drifted = (since * self.drift_ppm / 1e6).round() as i64;
        (true_us as i64 + self.offset_us + drifted).max(0) as u64
    }

    /// True duration for a timer of `local_us` on this clock.
    pub fn true_duration_us(&self, local_us: u64) -> u64 {
        (local_us as f64 * 1e6 / (1e6 + self.drift_ppm)).round() as u64
    }

    /// Steps the clock by `delta_us` at true time `true_us`.
    pub fn step(&mut self, delta_us: i64) {
        self.offset_us += delta_us;
    }

    /// Changes the drift rate from true time `true_us` on, keeping the reading continuous.
    pub fn set_drift(&mut self, true_us: u64, drift_ppm: f64) {
        let reading = self.local_us(true_us) as i64;
        self.anchor_us = true_us;
        self.drift_ppm = drift_ppm;
        self.offset_us = reading - true_us as i64;
    }

    /// The current drift rate.
    pub fn drift_ppm(&self) -> f64 {
        self.drift_ppm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_shifts_now() {
        let mut c = NodeClock::new(0, 0.0);
        c.step(-5_000);
        assert_eq!(c.local_us(10_000), 5_000);
        assert_eq!(c.local_us(1_000), 0);
    }

    #[test]
    fn drift_is_continuous_and_scales_timers() {
        let mut c = NodeClock::new(100, 0.0);
        c.set_drift(1_000_000, 100_000.0);
        assert_eq!(c.local_us(1_000_000), 1_000_100);
        assert_eq!(c.local_us(2_000_000), 2_100_100);
        assert_eq!(c.true_duration_us(110_000), 100_000);
    }
}
