//! A protocol's own time series (a `Metric` of kind Series) over simulated
//! time, with fault windows shaded.

use super::canvas::{err, DrawResult, Figure};
use super::faults::shade;
use super::timeplots::{thin, time_chart, RunView};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One series metric of a run.
pub struct SeriesOverTime<'a> {
    /// The run.
    pub view: RunView<'a>,
    /// Metric name (unit last).
    pub name: &'a str,
    /// Its description.
    pub description: &'a str,
    /// (time_us, value) points.
    pub points: &'a [(u64, f64)],
}

impl Figure for SeriesOverTime<'_> {
    fn size(&self) -> (u32, u32) {
        (1100, 480)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let v = &self.view;
        let pts: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|&(t, y)| (t as f64 / 1e6, y))
            .collect();
        let y_max = pts.iter().map(|p| p.1).fold(1e-9, f64::max) * 1.15;
        let title = format!("{}: {} ({})", v.title, self.name, self.description);
        let mut chart = time_chart(root, &title, v.end_us, y_max)?;
        chart
            .configure_mesh()
            .x_desc("simulated s")
            .y_desc(self.name)
            .draw()
            .map_err(err)?;
        shade(&mut chart, v.timeline, (v.heal_us, v.end_us), (0.0, y_max))?;
        let blue = RGBColor(31, 119, 180);
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), blue.stroke_width(2)))
            .map_err(err)?;
        let (dots, _) = thin(pts, (v.end_us as f64 / 1e6, y_max), |p| (p.0, p.1, 0));
        chart
            .draw_series(dots.iter().map(|p| Circle::new(*p, 2, blue.filled())))
            .map_err(err)?;
        Ok(())
    }
}
