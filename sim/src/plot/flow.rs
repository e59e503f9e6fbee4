//! The message-flow diagram: nodes as vertical lines, time running down,
//! each message an arrow from its send to its arrival (a dot marks the
//! head; red crosses mark messages lost, cut by a partition or sent to a
//! down node), crash and pause windows as thick bands on the node's line,
//! partitions as shaded stripes, and the run's violations as red lines with
//! the history entries they name circled.

use super::canvas::{err, palette, DrawResult, Figure};
use super::faults::{color, label};
use super::window::Mark;
use crate::fault::AppliedFault;
use crate::world::recorder::{MessageFate, MessageRecord};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeSet;

/// Messages drawn with their label beside them (more would be unreadable).
pub const LABELLED_MAX: usize = 60;

/// A flow diagram of `[from_us, to_us)`.
pub struct Flow<'a> {
    /// Title.
    pub title: String,
    /// Node names, by id.
    pub nodes: &'a [String],
    /// The recorded messages.
    pub messages: &'a [MessageRecord],
    /// Every message type of the run (colours are by place in this set).
    pub kinds: &'a BTreeSet<String>,
    /// Applied faults.
    pub timeline: &'a [AppliedFault],
    /// Violations to mark.
    pub marks: &'a [Mark],
    /// The window.
    pub window_us: (u64, u64),
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// y of a time: milliseconds, negated so that time runs down.
fn y(us: u64) -> f64 {
    -(us as f64 / 1000.0)
}

impl Figure for Flow<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 1100)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let n = self.nodes.len().max(1) as f64;
        let (a, b) = self.window_us;
        let names = self.nodes.to_vec();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.7..n - 0.3, y(b)..y(a))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(self.nodes.len().max(2))
            .x_label_formatter(&|x| node_name(&names, *x))
            .y_label_formatter(&|v| format!("{:.0}", (-v).max(0.0)))
            .y_desc("simulated ms (time runs down)")
            .draw()
            .map_err(err)?;
        self.faults(&mut chart)?;
        for i in 0..self.nodes.len() {
            let line = [(i as f64, y(a)), (i as f64, y(b))];
            chart
                .draw_series(LineSeries::new(line, BLACK.stroke_width(2)))
                .map_err(err)?;
        }
        self.messages(&mut chart)?;
        self.violations(&mut chart)?;
        super::timeplots::legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}

fn node_name(names: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 0.01 || i < 0.0 {
        return String::new();
    }
    names.get(i as usize).cloned().unwrap_or_default()
}

impl Flow<'_> {
    fn id(&self, name: &str) -> Option<f64> {
        self.nodes.iter().position(|n| n == name).map(|i| i as f64)
    }

    fn faults<DB: DrawingBackend>(&self, chart: &mut Chart<'_, DB>) -> DrawResult {
        let (a, b) = self.window_us;
        let n = self.nodes.len() as f64;
        for f in self.timeline.iter().filter(|f| f.effective) {
            let until = f.until_us.unwrap_or(b).min(b);
            if f.at_us >= b || until < a {
                continue;
            }
            let (top, bottom) = (y(f.at_us.max(a)), y(until));
            let c = color(f.kind.as_str());
            if f.nodes.is_empty() {
                let stripe = Rectangle::new([(-0.7, top), (n - 0.3, bottom)], c.mix(0.10).filled());
                chart.draw_series(std::iter::once(stripe)).map_err(err)?;
            }
            for x in f.nodes.iter().filter_map(|name| self.id(name)) {
                let band =
                    Rectangle::new([(x - 0.06, top), (x + 0.06, bottom)], c.mix(0.45).filled());
                chart.draw_series(std::iter::once(band)).map_err(err)?;
            }
            let text = Text::new(
                label(f),
                (-0.68, top),
                ("sans-serif", 12).into_font().color(&c),
            );
            chart.draw_series(std::iter::once(text)).map_err(err)?;
        }
        Ok(())
    }

    fn messages<DB: DrawingBackend>(&self, chart: &mut Chart<'_, DB>) -> DrawResult {
        let colours = super::canvas::colour_index(self.kinds.iter().map(String::as_str));
        let shown: BTreeSet<&str> = self.messages.iter().map(|m| m.label.as_str()).collect();
        let labelled = self.messages.len() <= LABELLED_MAX;
        for (kind, &i) in colours.iter().filter(|(k, _)| shown.contains(*k)) {
            let c = palette(i);
            let mine = self.messages.iter().filter(|m| m.label == *kind);
            chart
                .draw_series(
                    mine.clone()
                        .map(|m| PathElement::new(arrow(m), c.stroke_width(1))),
                )
                .map_err(err)?
                .label(*kind)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], c.stroke_width(2)));
            chart
                .draw_series(mine.clone().map(|m| head(m, c)))
                .map_err(err)?;
            if labelled {
                let style = ("sans-serif", 11).into_font().color(&c);
                let texts = mine.map(|m| {
                    let [s, e] = arrow(m);
                    Text::new(
                        m.label.clone(),
                        ((s.0 + e.0) / 2.0, (s.1 + e.1) / 2.0),
                        style.clone(),
                    )
                });
                chart.draw_series(texts).map_err(err)?;
            }
        }
        Ok(())
    }

    fn violations<DB: DrawingBackend>(&self, chart: &mut Chart<'_, DB>) -> DrawResult {
        let (a, b) = self.window_us;
        let n = self.nodes.len() as f64;
        let red = RGBColor(200, 0, 0);
        // ms per text line (16 px of the plot's ~1000 px height), so labels
        // of violations close in time stack instead of overprinting.
        let line_ms = (b - a) as f64 / 1000.0 * 16.0 / 1000.0;
        let mut next_free = f64::NEG_INFINITY;
        for (k, m) in self.marks.iter().enumerate() {
            if let Some(t) = m.time_us.filter(|t| (a..b).contains(t)) {
                let line = DashedLineSeries::new(
                    [(-0.7, y(t)), (n - 0.3, y(t))],
                    8,
                    4,
                    red.stroke_width(2),
                );
                chart.draw_series(line).map_err(err)?;
                let at_ms = (t as f64 / 1000.0).max(next_free);
                next_free = at_ms + line_ms;
                // ~7 px per character at 12 px across the ~900 px plot.
                let text = truncate(&format!("V{} {}: {}", k + 1, m.check, m.message), 125);
                let t = Text::new(
                    text,
                    (-0.68, -at_ms),
                    ("sans-serif", 12).into_font().color(&red),
                );
                chart.draw_series(std::iter::once(t)).map_err(err)?;
            }
            let points = m.points.iter().filter(|p| (a..b).contains(&p.1));
            let circles = points.filter_map(|(node, t)| {
                Some(Circle::new((self.id(node)?, y(*t)), 9, red.stroke_width(3)))
            });
            chart.draw_series(circles).map_err(err)?;
        }
        Ok(())
    }
}

/// `text` cut to `chars` characters, ending in "..." when cut.
fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(chars.saturating_sub(3)).collect();
    out.push_str("...");
    out
}

/// The arrow's two ends: send point and arrival (or, if dropped at send,
/// a short stub towards the receiver).
fn arrow(m: &MessageRecord) -> [(f64, f64); 2] {
    let (x0, x1) = (m.from as f64, m.to as f64);
    match m.arrive_us {
        Some(t) => [(x0, y(m.send_us)), (x1, y(t))],
        None => [(x0, y(m.send_us)), (x0 + (x1 - x0) * 0.25, y(m.send_us))],
    }
}

/// A dot at a delivered arrow's head; a red cross where a message died.
fn head<DB: DrawingBackend>(m: &MessageRecord, c: RGBColor) -> DynElement<'static, DB, (f64, f64)> {
    let [_, end] = arrow(m);
    match m.fate {
        MessageFate::Delivered | MessageFate::InFlight => {
            Circle::new(end, 3, c.filled()).into_dyn()
        }
        _ => Cross::new(end, 5, RGBColor(200, 0, 0).stroke_width(2)).into_dyn(),
    }
}
