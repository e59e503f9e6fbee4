//! Fault windows drawn behind time plots: one shaded band per applied fault
//! (colour by kind), labelled with its kind and nodes where there is room,
//! and a dashed line at heal.

use super::canvas::{err, DrawResult};
use crate::fault::AppliedFault;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// A chart whose x axis is simulated seconds.
pub type TimeChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The colour of a fault kind.
pub fn color(kind: &str) -> RGBColor {
    match kind {
        "crash" => RGBColor(214, 39, 40),
        "pause" => RGBColor(148, 103, 189),
        "partition" => RGBColor(31, 119, 180),
        "one-way" => RGBColor(23, 190, 207),
        "skew" | "drift" => RGBColor(188, 189, 34),
        _ => RGBColor(127, 127, 127),
    }
}

/// A fault's label: its kind and the nodes it hit (or the cut links).
pub fn label(f: &AppliedFault) -> String {
    let mut nodes: Vec<&str> = f.nodes.iter().map(String::as_str).collect();
    if nodes.is_empty() {
        let mut cut: Vec<&str> = f.pairs.iter().map(|(a, _)| a.as_str()).collect();
        cut.sort_unstable();
        cut.dedup();
        nodes = cut;
    }
    if nodes.len() > 3 {
        format!("{} {}+{}", f.kind, nodes[..2].join(","), nodes.len() - 2)
    } else {
        format!("{} {}", f.kind, nodes.join(","))
    }
}

/// Shades every effective fault of `timeline` over `y` (data units) and
/// marks heal; labels faults at the top when they are far enough apart.
pub fn shade<DB: DrawingBackend>(
    chart: &mut TimeChart<'_, DB>,
    timeline: &[AppliedFault],
    (heal_us, end_us): (u64, u64),
    (y0, y1): (f64, f64),
) -> DrawResult {
    let s = |us: u64| us as f64 / 1e6;
    let x_span = s(end_us).max(1e-6);
    let mut last_label_x = f64::NEG_INFINITY;
    for f in timeline.iter().filter(|f| f.effective) {
        let (a, b) = (s(f.at_us), s(f.until_us.unwrap_or(heal_us).max(f.at_us)));
        let band = Rectangle::new(
            [(a, y0), (b.max(a + x_span / 500.0), y1)],
            color(f.kind.as_str()).mix(0.18).filled(),
        );
        chart.draw_series(std::iter::once(band)).map_err(err)?;
        if a - last_label_x >= x_span / 12.0 {
            last_label_x = a;
            let style = ("sans-serif", 12)
                .into_font()
                .color(&color(f.kind.as_str()));
            let text = Text::new(label(f), (a, y1), style);
            chart.draw_series(std::iter::once(text)).map_err(err)?;
        }
    }
    let dash = DashedLineSeries::new(
        [(s(heal_us), y0), (s(heal_us), y1)],
        6,
        4,
        BLACK.mix(0.6).stroke_width(1),
    );
    chart.draw_series(dash).map_err(err)?;
    let style = ("sans-serif", 12).into_font().color(&BLACK.mix(0.7));
    let heal = Text::new("heal", (s(heal_us), y1), style);
    chart.draw_series(std::iter::once(heal)).map_err(err)?;
    Ok(())
}
