//! Latency distributions, sampled in microseconds.

use crate::scenario::schema::LatencySpec;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal, Normal, Pareto};

/// A validated latency distribution, ready to sample.
#[derive(Debug, Clone)]
pub enum Latency {
    /// Always the same.
    Constant(u64),
    /// Uniform in [min, max] microseconds.
    Uniform(u64, u64),
    /// Normal in milliseconds, truncated at zero.
    Normal(Normal<f64>),
    /// Exponential in milliseconds.
    Exponential(Exp<f64>),
    /// Log-normal in milliseconds.
    Lognormal(LogNormal<f64>),
    /// Pareto in milliseconds.
    Pareto(Pareto<f64>),
}

/// Upper bound on one latency draw: a heavy tail must not stall a run.
pub const LATENCY_US_MAX: u64 = 60_000_000;

impl Latency {
    /// Validates `spec`; the error says which field is out of range.
    pub fn from_spec(spec: &LatencySpec) -> Result<Latency, String> {
        let us = |ms: f64| (ms * 1000.0).round() as u64;
        let nonneg = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "latency {name} must be a finite number >= 0, found {v}"
                ))
            }
        };
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(format!("latency {name} must be > 0, found {v}"))
            }
        };
        Ok(match *spec {
            LatencySpec::Constant { ms } => {
                nonneg("ms", ms)?;
                Latency::Constant(us(ms))
            }
            LatencySpec::Uniform { min_ms, max_ms } => {
                nonneg("min_ms", min_ms)?;
                nonneg("max_ms", max_ms)?;
                if min_ms > max_ms {
                    return Err(format!(
                        "latency min_ms ({min_ms}) must be <= max_ms ({max_ms})"
                    ));
                }
                Latency::Uniform(us(min_ms), us(max_ms))
            }
            LatencySpec::Normal { mean_ms, stddev_ms } => {
                nonneg("mean_ms", mean_ms)?;
                nonneg("stddev_ms", stddev_ms)?;
                Latency::Normal(Normal::new(mean_ms, stddev_ms).map_err(|e| e.to_string())?)
            }
            LatencySpec::Exponential { mean_ms } => {
                positive("mean_ms", mean_ms)?;
                Latency::Exponential(Exp::new(1.0 / mean_ms).map_err(|e| e.to_string())?)
            }
            LatencySpec::Lognormal { median_ms, sigma } => {
                positive("median_ms", median_ms)?;
                nonneg("sigma", sigma)?;
                Latency::Lognormal(
                    LogNormal::new(median_ms.ln(), sigma).map_err(|e| e.to_string())?,
                )
            }
            LatencySpec::Pareto { min_ms, alpha } => {
                positive("min_ms", min_ms)?;
                positive("alpha", alpha)?;
                Latency::Pareto(Pareto::new(min_ms, alpha).map_err(|e| e.to_string())?)
            }
        })
    }

    /// Draws one latency in microseconds, capped at [`LATENCY_US_MAX`].
    pub fn sample_us(&self, rng: &mut ChaCha8Rng) -> u64 {
        let ms = match self {
            Latency::Constant(us) => return *us,
            Latency::Uniform(lo, hi) => return rng.gen_range(*lo..=*hi),
            Latency::Normal(d) => d.sample(rng),
            Latency::Exponential(d) => d.sample(rng),
            Latency::Lognormal(d) => d.sample(rng),
            Latency::Pareto(d) => d.sample(rng),
        };
        ((ms.max(0.0) * 1000.0).round() as u64).min(LATENCY_US_MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::stream;

    fn mean_ms(spec: LatencySpec) -> f64 {
        let lat = Latency::from_spec(&spec).unwrap();
        let mut rng = stream(1, "test");
        let n = 20_000;
        (0..n)
            .map(|_| lat.sample_us(&mut rng) as f64 / 1000.0)
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn distributions_have_their_means() {
        assert_eq!(mean_ms(LatencySpec::Constant { ms: 3.0 }), 3.0);
        assert!(
            (mean_ms(LatencySpec::Uniform {
                min_ms: 1.0,
                max_ms: 9.0
            }) - 5.0)
                .abs()
                < 0.1
        );
        assert!((mean_ms(LatencySpec::Exponential { mean_ms: 4.0 }) - 4.0).abs() < 0.2);
        assert!(
            (mean_ms(LatencySpec::Normal {
                mean_ms: 10.0,
                stddev_ms: 1.0
            }) - 10.0)
                .abs()
                < 0.1
        );
    }

    #[test]
    fn bad_ranges_are_rejected() {
        assert!(Latency::from_spec(&LatencySpec::Uniform {
            min_ms: 5.0,
            max_ms: 1.0
        })
        .is_err());
        assert!(Latency::from_spec(&LatencySpec::Pareto {
            min_ms: 1.0,
            alpha: 0.0
        })
        .is_err());
    }
}
