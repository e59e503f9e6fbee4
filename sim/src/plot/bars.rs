//! Bars with a spread: per configuration, the median as a bar and the
//! minimum and maximum across seeds as a whisker.

use super::canvas::{err, palette, DrawResult, Figure};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One bar: label, min, median, max.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The configuration.
    pub label: String,
    /// Smallest across seeds.
    pub min: f64,
    /// Median across seeds.
    pub median: f64,
    /// Largest across seeds.
    pub max: f64,
}

impl Bar {
    /// The bar of `values` (empty: all zero).
    pub fn of(label: &str, values: &[f64]) -> Bar {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let pick = |i: usize| v.get(i).copied().unwrap_or(0.0);
        Bar {
            label: label.to_string(),
            min: pick(0),
            median: pick(v.len().saturating_sub(1) / 2),
            max: pick(v.len().saturating_sub(1)),
        }
    }
}

/// A bar chart with whiskers.
pub struct Bars {
    /// Title.
    pub title: String,
    /// What y is, unit included.
    pub y_label: String,
    /// One bar per configuration.
    pub bars: Vec<Bar>,
    /// Fixed top of the y axis (e.g. 1 for fractions); else from the data.
    pub y_max: Option<f64>,
    /// What a bar is, for the x axis caption; a bar of one value per
    /// configuration (a rate) has no spread, so no whisker is drawn or named.
    pub shows: Shows,
}

/// What one bar of [`Bars`] stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Shows {
    /// The median across seeds, with a min..max whisker.
    SeedSpread,
    /// One value per configuration, said in words (e.g. "fraction of its seeds invalid").
    Value(String),
}

impl Figure for Bars {
    fn size(&self) -> (u32, u32) {
        (160 + 110 * self.bars.len().max(3) as u32, 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let n = self.bars.len().max(1) as f64;
        let top = self.bars.iter().map(|b| b.max).fold(1e-9, f64::max) * 1.15;
        let labels: Vec<String> = self.bars.iter().map(|b| b.label.clone()).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(60)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..self.y_max.unwrap_or(top))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(self.bars.len().max(2))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() > 0.01 || i < 0.0 {
                    String::new()
                } else {
                    labels.get(i as usize).cloned().unwrap_or_default()
                }
            })
            .x_desc(match &self.shows {
                Shows::SeedSpread => {
                    "configuration (bar: median; whisker: min..max across seeds)".to_string()
                }
                Shows::Value(what) => format!("configuration (bar: {what})"),
            })
            .y_desc(&self.y_label)
            .draw()
            .map_err(err)?;
        for (i, b) in self.bars.iter().enumerate() {
            let x = i as f64;
            let c = palette(i);
            let rect = Rectangle::new([(x - 0.3, 0.0), (x + 0.3, b.median)], c.mix(0.7).filled());
            chart.draw_series(std::iter::once(rect)).map_err(err)?;
            if self.shows != Shows::SeedSpread {
                continue;
            }
            let whisker = [(x, b.min), (x, b.max)];
            chart
                .draw_series(LineSeries::new(whisker, BLACK.stroke_width(2)))
                .map_err(err)?;
            for v in [b.min, b.max] {
                let cap = [(x - 0.1, v), (x + 0.1, v)];
                chart
                    .draw_series(LineSeries::new(cap, BLACK.stroke_width(2)))
                    .map_err(err)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Bar;

    #[test]
    fn bar_spread_is_min_lower_median_max() {
        let b = Bar::of("x", &[3.0, 1.0, 2.0, 10.0]);
        assert_eq!((b.min, b.median, b.max), (1.0, 2.0, 10.0));
        assert_eq!(Bar::of("y", &[]).max, 0.0);
    }
}
