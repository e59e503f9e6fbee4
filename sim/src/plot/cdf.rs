//! Cumulative distribution plots: one or several CDFs overlaid (latency per
//! op type, a protocol's distribution metric, or one line per compared
//! configuration, as in the Raft paper's Figure 16).

use super::canvas::{err, palette, DrawResult, Figure};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A CDF figure.
pub struct Cdf {
    /// Title.
    pub title: String,
    /// What x is, unit included.
    pub x_label: String,
    /// (label, points (x, fraction ≤ x) ascending), one line each.
    pub series: Vec<(String, Vec<(f64, f64)>)>,
}

/// Positive x spanning more than this ratio is drawn on a log axis.
pub const LOG_RATIO_MIN: f64 = 50.0;

impl Cdf {
    /// Whether x is drawn on a log scale: all x positive and spanning
    /// more than [`LOG_RATIO_MIN`] (long tails, as in Raft's Figure 16).
    pub fn log_x(&self) -> bool {
        let xs = || self.series.iter().flat_map(|(_, p)| p.iter().map(|p| p.0));
        let lo = xs().fold(f64::INFINITY, f64::min);
        let hi = xs().fold(0.0, f64::max);
        lo > 0.0 && hi / lo > LOG_RATIO_MIN
    }
}

/// The empirical CDF of `samples`: one point per sample, ascending.
pub fn ecdf(samples: &[f64]) -> Vec<(f64, f64)> {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len().max(1) as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &v)| (v, (i + 1) as f64 / n))
        .collect()
}

/// Turns CDF points into a staircase that starts at fraction 0.
fn steps(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2 + 1);
    let mut prev = 0.0;
    if let Some(first) = points.first() {
        out.push((first.0, 0.0));
    }
    for &(x, y) in points {
        out.push((x, prev));
        out.push((x, y));
        prev = y;
    }
    out
}

impl Figure for Cdf {
    fn size(&self) -> (u32, u32) {
        (900, 560)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let log = self.log_x();
        let tx = |x: f64| if log { x.log10() } else { x };
        let xs = || {
            self.series
                .iter()
                .flat_map(|(_, pts)| pts.iter().map(|p| tx(p.0)))
        };
        let x_max = xs().fold(1e-3, f64::max);
        let x_min = if log {
            xs().fold(f64::INFINITY, f64::min).floor()
        } else {
            0.0
        };
        let x_max = if log { x_max.ceil() } else { x_max * 1.05 };
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x_min..x_max, 0.0..1.02)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(if log {
                format!("{} (log scale)", self.x_label)
            } else {
                self.x_label.clone()
            })
            .x_label_formatter(&|x| {
                if log {
                    format!("{}", trim(10f64.powf(*x)))
                } else {
                    format!("{}", trim(*x))
                }
            })
            .y_desc("fraction at or below")
            .draw()
            .map_err(err)?;
        for (i, (label, pts)) in self.series.iter().enumerate() {
            let c = palette(i);
            let n = pts.len();
            chart
                .draw_series(LineSeries::new(
                    steps(pts).into_iter().map(|(x, y)| (tx(x), y)),
                    c.stroke_width(2),
                ))
                .map_err(err)?
                .label(format!("{label} (n={n})"))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], c.stroke_width(2)));
        }
        super::timeplots::legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}

/// A tick value without noise digits.
fn trim(x: f64) -> f64 {
    let digits = 10f64.powi(3 - x.abs().max(1e-9).log10().ceil() as i32);
    (x * digits).round() / digits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdf_ends_at_one_and_steps_start_at_zero() {
        let c = ecdf(&[3.0, 1.0, 2.0, f64::NAN]);
        assert_eq!(c, vec![(1.0, 1.0 / 3.0), (2.0, 2.0 / 3.0), (3.0, 1.0)]);
        let s = steps(&c);
        assert_eq!(s[0], (1.0, 0.0));
        assert_eq!(*s.last().unwrap(), (3.0, 1.0));
    }
}
