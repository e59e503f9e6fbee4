//! Latency distributions, sampled in microseconds.

use crate::scenario::limits::{positive, us, within, ALPHA_MAX, LATENCY_MS_MAX, SIGMA_MAX};
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
pub const LATENCY_US_MAX: u64 = LATENCY_MS_MAX as u64 * 1000;

impl Latency {
    /// Validates `spec`; the error says which field is out of range. Every
    /// millisecond parameter is at most [`LATENCY_MS_MAX`] (a draw could not
    /// exceed it anyway), NaN and infinities are rejected.
    pub fn from_spec(spec: &LatencySpec) -> Result<Latency, String> {
        let ms = |name: &str, v: f64| within(&format!("latency {name}"), v, 0.0, LATENCY_MS_MAX);
        let pos = |name: &str, v: f64| positive(&format!("latency {name}"), v, LATENCY_MS_MAX);
        Ok(match *spec {
            LatencySpec::Constant { ms: v } => Latency::Constant(us(ms("ms", v)?)),
            LatencySpec::Uniform { min_ms, max_ms } => {
                let (lo, hi) = (ms("min_ms", min_ms)?, ms("max_ms", max_ms)?);
                if lo > hi {
                    return Err(format!(
                        "latency min_ms ({min_ms}) must be <= max_ms ({max_ms})"
                    ));
                }
                Latency::Uniform(us(lo), us(hi))
            }
            LatencySpec::Normal { mean_ms, stddev_ms } => {
                let (mean, sd) = (ms("mean_ms", mean_ms)?, ms("stddev_ms", stddev_ms)?);
                Latency::Normal(Normal::new(mean, sd).map_err(|e| e.to_string())?)
            }
            LatencySpec::Exponential { mean_ms } => {
                let mean = pos("mean_ms", mean_ms)?;
                Latency::Exponential(Exp::new(1.0 / mean).map_err(|e| e.to_string())?)
            }
            LatencySpec::Lognormal { median_ms, sigma } => {
                let median = pos("median_ms", median_ms)?;
                let sigma = within("latency sigma", sigma, 0.0, SIGMA_MAX)?;
                Latency::Lognormal(LogNormal::new(median.ln(), sigma).map_err(|e| e.to_string())?)
            }
            LatencySpec::Pareto { min_ms, alpha } => {
                let min = pos("min_ms", min_ms)?;
                let alpha = positive("latency alpha", alpha, ALPHA_MAX)?;
                Latency::Pareto(Pareto::new(min, alpha).map_err(|e| e.to_string())?)
            }
        })
    }

    /// Draws one latency in microseconds, capped at [`LATENCY_US_MAX`].
    pub fn sample_us(&self, rng: &mut ChaCha8Rng) -> u64 {
        let ms = match self {
            Latency::Constant(us) => return (*us).min(LATENCY_US_MAX),
            Latency::Uniform(lo, hi) => return rng.gen_range(*lo..=*hi).min(LATENCY_US_MAX),
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
        for bad in [f64::NAN, f64::INFINITY, 1e300, -1.0] {
            assert!(Latency::from_spec(&LatencySpec::Constant { ms: bad }).is_err());
            let normal = LatencySpec::Normal {
                mean_ms: 1.0,
                stddev_ms: bad,
            };
            assert!(Latency::from_spec(&normal).is_err());
        }
    }

    #[test]
    fn every_draw_is_capped() {
        let mut rng = stream(1, "test");
        let lat = Latency::Uniform(LATENCY_US_MAX, LATENCY_US_MAX * 2);
        assert_eq!(lat.sample_us(&mut rng), LATENCY_US_MAX);
        assert_eq!(
            Latency::Constant(u64::MAX).sample_us(&mut rng),
            LATENCY_US_MAX
        );
    }
}
