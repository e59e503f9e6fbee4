//! Plots of one run over simulated time: latency (every op as a point,
//! coloured by outcome, with per-bucket p50/p99 lines) and throughput with
//! availability; fault windows shaded behind both.

use super::canvas::{err, DrawResult, Figure};
use super::faults::{shade, TimeChart};
use crate::fault::AppliedFault;
use crate::metrics::{Bucket, OpRow, Outcome};
use plotters::coord::Shift;
use plotters::prelude::*;

/// What the time plots of a run need.
#[derive(Clone, Copy)]
pub struct RunView<'a> {
    /// Title prefix: scenario, variant, seed.
    pub title: &'a str,
    /// Every op.
    pub ops: &'a [OpRow],
    /// The buckets.
    pub buckets: &'a [Bucket],
    /// Applied faults.
    pub timeline: &'a [AppliedFault],
    /// End of the safety phase.
    pub heal_us: u64,
    /// End of the run.
    pub end_us: u64,
}

/// The colour of an outcome.
pub fn outcome_color(o: Outcome) -> RGBColor {
    match o {
        Outcome::Ok => RGBColor(44, 160, 44),
        Outcome::Fail => RGBColor(255, 127, 14),
        _ => RGBColor(214, 39, 40),
    }
}

fn secs(us: u64) -> f64 {
    us as f64 / 1e6
}

/// Latency over time.
pub struct LatencyOverTime<'a>(pub RunView<'a>);

impl Figure for LatencyOverTime<'_> {
    fn size(&self) -> (u32, u32) {
        (1100, 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let v = &self.0;
        let points: Vec<(f64, f64, Outcome)> = v
            .ops
            .iter()
            .filter_map(|o| {
                Some((
                    secs(o.invoke_us),
                    o.latency_us()? as f64 / 1000.0,
                    o.outcome,
                ))
            })
            .collect();
        let y_max = points.iter().map(|p| p.1).fold(1.0, f64::max) * 1.15;
        let (points, stride) = thin(points, (secs(v.end_us), y_max), |p| (p.0, p.1, p.2 as u8));
        let shown = match stride {
            1 => "each op".to_string(),
            k => format!("ops (1 in {k} ok ops shown)"),
        };
        let mut chart = time_chart(
            root,
            &format!("{}: latency of {shown}", v.title),
            v.end_us,
            y_max,
        )?;
        chart
            .configure_mesh()
            .x_desc("invoked at (simulated s)")
            .y_desc("latency (ms)")
            .draw()
            .map_err(err)?;
        shade(&mut chart, v.timeline, (v.heal_us, v.end_us), (0.0, y_max))?;
        for outcome in [Outcome::Ok, Outcome::Fail, Outcome::Info] {
            let c = outcome_color(outcome);
            let pts = points.iter().filter(|p| p.2 == outcome);
            chart
                .draw_series(pts.map(|p| Circle::new((p.0, p.1), 2, c.filled())))
                .map_err(err)?
                .label(outcome.word())
                .legend(move |(x, y)| Circle::new((x + 8, y), 3, c.filled()));
        }
        quantile_lines(&mut chart, v.buckets)?;
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

/// At most this many dots in one plot (an SVG circle is ~90 bytes).
pub const DOTS_MAX: usize = 20_000;

/// `points` thinned for drawing, and the stride of the sampling (1: none).
/// First only the first of the points that fall in the same 2-pixel cell
/// (1/512 of each axis' range) with the same `key` class is kept (dots of
/// radius 2 there would cover each other); then, if more than [`DOTS_MAX`]
/// are left, every stride-th point of class 0 (ok ops) in order, and every
/// point of other classes (fail, info: rare and telling). Deterministic: the
/// same run draws the same dots.
pub fn thin<P>(
    points: Vec<P>,
    (x_max, y_max): (f64, f64),
    key: impl Fn(&P) -> (f64, f64, u8),
) -> (Vec<P>, usize) {
    const CELLS: f64 = 512.0;
    let mut taken = std::collections::BTreeSet::new();
    let cell = |v: f64, max: f64| (v / max.max(1e-9) * CELLS).floor() as i64;
    let points: Vec<P> = points
        .into_iter()
        .filter(|p| {
            let (x, y, class) = key(p);
            taken.insert((cell(x, x_max), cell(y, y_max), class))
        })
        .collect();
    let stride = points.len().div_ceil(DOTS_MAX).max(1);
    let mut seen = 0usize;
    let kept = points
        .into_iter()
        .filter(|p| {
            if key(p).2 != 0 {
                return true;
            }
            seen += 1;
            (seen - 1).is_multiple_of(stride)
        })
        .collect();
    (kept, stride)
}

/// Lines through each bucket's p50 and p99 latency, broken where a bucket
/// had no completed op: a gap (an outage) stays a gap, not a diagonal.
fn quantile_lines<'a, DB: DrawingBackend + 'a>(
    chart: &mut TimeChart<'a, DB>,
    buckets: &[Bucket],
) -> DrawResult {
    for (name, pick, color) in [
        ("p50 per bucket", 0usize, BLACK),
        ("p99 per bucket", 1, RGBColor(120, 0, 120)),
    ] {
        let points: Vec<Option<(f64, f64)>> = buckets
            .iter()
            .map(|b| {
                let q = b.latency.quantiles()?;
                Some((secs(b.start_us + b.end_us) / 2.0, [q.p50, q.p99][pick]))
            })
            .collect();
        let runs: Vec<&[Option<(f64, f64)>]> = points
            .split(Option::is_none)
            .filter(|r| !r.is_empty())
            .collect();
        for (i, run) in runs.iter().enumerate() {
            let line = run.iter().flatten().copied();
            let drawn = chart
                .draw_series(LineSeries::new(line, color.stroke_width(2)))
                .map_err(err)?;
            if i == 0 {
                drawn.label(name).legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2))
                });
            }
            // A bucket alone between gaps would draw nothing as a line.
            if run.len() == 1 {
                let dot = run
                    .iter()
                    .flatten()
                    .map(|p| Circle::new(*p, 2, color.filled()));
                chart.draw_series(dot).map_err(err)?;
            }
        }
    }
    Ok(())
}

/// A chart over `[0, end]` seconds × `[0, y_max]` with a title.
pub fn time_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    end_us: u64,
    y_max: f64,
) -> Result<TimeChart<'a, DB>, String> {
    ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..secs(end_us).max(1e-3), 0.0..y_max)
        .map_err(err)
}

/// Draws the series labels at `position`.
pub fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut TimeChart<'a, DB>,
    position: SeriesLabelPosition,
) -> DrawResult {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(err)
}

/// Throughput (ok ops per second) and availability per bucket.
pub struct ThroughputOverTime<'a>(pub RunView<'a>);

impl Figure for ThroughputOverTime<'_> {
    fn size(&self) -> (u32, u32) {
        (1100, 700)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let v = &self.0;
        let (top, bottom) = root.split_vertically(360);
        let mid = |b: &Bucket| secs(b.start_us + b.end_us) / 2.0;
        let tput: Vec<(f64, f64)> = v
            .buckets
            .iter()
            .map(|b| (mid(b), b.throughput_per_s()))
            .collect();
        let y_max = tput.iter().map(|p| p.1).fold(1.0, f64::max) * 1.2;
        let title = format!(
            "{}: throughput (ok ops per simulated s, per bucket)",
            v.title
        );
        let mut chart = time_chart(&top, &title, v.end_us, y_max)?;
        chart
            .configure_mesh()
            .y_desc("ok ops / s")
            .draw()
            .map_err(err)?;
        shade(&mut chart, v.timeline, (v.heal_us, v.end_us), (0.0, y_max))?;
        let blue = RGBColor(31, 119, 180);
        chart
            .draw_series(
                AreaSeries::new(tput, 0.0, blue.mix(0.3)).border_style(blue.stroke_width(2)),
            )
            .map_err(err)?;
        availability_panel(&bottom, v)
    }
}

/// The lower panel of [`ThroughputOverTime`].
fn availability_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    v: &RunView<'_>,
) -> DrawResult {
    let mid = |b: &Bucket| secs(b.start_us + b.end_us) / 2.0;
    let avail: Vec<Option<(f64, f64)>> = v
        .buckets
        .iter()
        .map(|b| Some((mid(b), b.availability()?)))
        .collect();
    let title = format!(
        "{}: availability (fraction of completed ops that were ok)",
        v.title
    );
    let mut chart = time_chart(area, &title, v.end_us, 1.05)?;
    chart
        .configure_mesh()
        .x_desc("simulated s")
        .y_desc("availability")
        .draw()
        .map_err(err)?;
    shade(&mut chart, v.timeline, (v.heal_us, v.end_us), (0.0, 1.05))?;
    let green = outcome_color(Outcome::Ok);
    // One line per run of buckets that had completions: no line across gaps.
    for run in avail.split(Option::is_none) {
        let line = run.iter().flatten().copied();
        chart
            .draw_series(LineSeries::new(line, green.stroke_width(2)))
            .map_err(err)?;
    }
    let dots = avail
        .iter()
        .flatten()
        .map(|p| Circle::new(*p, 3, green.filled()));
    chart.draw_series(dots).map_err(err)?;
    Ok(())
}
