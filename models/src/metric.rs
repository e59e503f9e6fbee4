//! Protocol-specific metrics that models derive from a history.
//!
//! The report code shows these without knowing which protocol made them.

use serde::Serialize;

/// A metric's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum MetricValue {
    /// A count of something over the run.
    Count {
        /// The count.
        value: u64,
    },
    /// A sample of a distribution (shown as quantiles and a CDF).
    Distribution {
        /// The samples, in the order they happened.
        samples: Vec<f64>,
    },
    /// A time series: (simulated microseconds, value).
    Series {
        /// The points, in time order.
        points: Vec<(u64, f64)>,
    },
}

/// A named metric, e.g. "leaderless_ms" (unit last in the name).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    /// Name with unit last.
    pub name: String,
    /// One sentence on what it measures.
    pub description: String,
    /// The data.
    #[serde(flatten)]
    pub value: MetricValue,
}

impl Metric {
    /// A count metric.
    pub fn count(name: &str, description: &str, value: u64) -> Metric {
        Metric {
            name: name.into(),
            description: description.into(),
            value: MetricValue::Count { value },
        }
    }

    /// A distribution metric.
    pub fn distribution(name: &str, description: &str, samples: Vec<f64>) -> Metric {
        let value = MetricValue::Distribution { samples };
        Metric {
            name: name.into(),
            description: description.into(),
            value,
        }
    }
}

/// The `q`-quantile (0..=1) of `samples` by nearest rank; None when empty.
pub fn quantile(samples: &[f64], q: f64) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn nearest_rank_quantiles() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&s, 0.5), Some(50.0));
        assert_eq!(quantile(&s, 0.99), Some(99.0));
        assert_eq!(quantile(&s, 1.0), Some(100.0));
        assert_eq!(quantile(&[], 0.5), None);
    }
}
