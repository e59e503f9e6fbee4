//! Latency histograms: HdrHistogram (Gil Tene's High Dynamic Range
//! Histogram) over simulated microseconds, three significant digits.
//!
//! Why a histogram and not the raw samples: it takes constant memory per
//! operation type however long the run, its quantiles are within 0.1 % of
//! the exact ones, and two histograms add up exactly, so `faultline compare`
//! merges the latency of every seed of a configuration without keeping
//! every sample.

use crate::stats::Quantiles;
use hdrhistogram::Histogram;

/// Significant decimal digits kept (relative error at most 10^-3).
const SIGNIFICANT_DIGITS: u8 = 3;

/// A latency histogram in simulated microseconds.
#[derive(Debug, Clone)]
pub struct LatencyHistogram {
    h: Histogram<u64>,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram::new()
    }
}

impl LatencyHistogram {
    /// An empty, auto-resizing histogram.
    pub fn new() -> Self {
        let h = Histogram::new(SIGNIFICANT_DIGITS).expect("3 significant digits are valid");
        LatencyHistogram { h }
    }

    /// Records one latency.
    pub fn record_us(&mut self, us: u64) {
        // `record` grows an auto-resizing histogram (`saturating_record`
        // would clamp to its initial range).
        self.h
            .record(us)
            .expect("an auto-resizing histogram takes any u64");
    }

    /// Adds every sample of `other`.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        self.h
            .add(&other.h)
            .expect("auto-resizing histograms always add");
    }

    /// Number of samples.
    pub fn len(&self) -> u64 {
        self.h.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.h.is_empty()
    }

    /// p50/p90/p99/p99.9/max in milliseconds, or None when empty.
    pub fn quantiles(&self) -> Option<Quantiles> {
        if self.h.is_empty() {
            return None;
        }
        let ms = |us: u64| us as f64 / 1000.0;
        let q = |p: f64| ms(self.h.value_at_quantile(p));
        Some(Quantiles {
            p50: q(0.5),
            p90: q(0.9),
            p99: q(0.99),
            p999: q(0.999),
            max: ms(self.h.max()),
        })
    }

    /// The CDF as (milliseconds, fraction of samples at or below), one point
    /// per distinct recorded bucket, ascending.
    pub fn cdf_ms(&self) -> Vec<(f64, f64)> {
        let total = self.h.len().max(1) as f64;
        let mut seen = 0u64;
        let mut out = Vec::new();
        for v in self.h.iter_recorded() {
            seen += v.count_since_last_iteration();
            out.push((v.value_iterated_to() as f64 / 1000.0, seen as f64 / total));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::LatencyHistogram;

    #[test]
    fn quantiles_are_within_a_thousandth_and_merge_adds() {
        let mut a = LatencyHistogram::new();
        (1..=1000u64).for_each(|ms| a.record_us(ms * 1000));
        let q = a.quantiles().unwrap();
        assert!((q.p50 - 500.0).abs() <= 0.5, "{q:?}");
        assert!((q.p99 - 990.0).abs() <= 1.0, "{q:?}");
        assert!((q.max - 1000.0).abs() <= 1.0, "{q:?}");
        let mut b = LatencyHistogram::new();
        b.record_us(5_000_000);
        a.merge(&b);
        assert_eq!(a.len(), 1001);
        let cdf = a.cdf_ms();
        assert_eq!(cdf.last().unwrap().1, 1.0);
        assert!(cdf.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
        assert!(LatencyHistogram::new().quantiles().is_none());
    }
}
