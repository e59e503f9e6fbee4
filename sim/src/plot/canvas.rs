//! Rendering one figure to PNG and SVG, with a font bundled in the binary.
//!
//! Text goes through plotters' `ab_glyph` backend and a subset of DejaVu
//! Sans compiled in (`sim/assets/`, license beside it): no fontconfig, no
//! system fonts, only the Rust toolchain. PNGs are encoded with the `png`
//! crate from plotters' RGB buffer; both files are written atomically and
//! are byte-identical for the same data.

use crate::error::Error;
use crate::report::write_atomic;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use std::path::{Path, PathBuf};
use std::sync::Once;

/// DejaVu Sans, cut to printable ASCII, Latin-1 and a few symbols.
static FONT_TTF: &[u8] = include_bytes!("../../assets/DejaVuSans-subset.ttf");

/// A plotting error, as text (plotters' errors are generic over backends).
pub type DrawResult = Result<(), String>;

/// Maps any displayable error into [`DrawResult`]'s error.
pub fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A figure that can draw itself on any plotters backend.
pub trait Figure {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws on `root` (already filled white).
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> DrawResult;
}

fn fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for family in ["sans-serif", "serif", "monospace"] {
            for style in [FontStyle::Normal, FontStyle::Bold, FontStyle::Italic] {
                if register_font(family, style, FONT_TTF).is_err() {
                    panic!("the bundled font does not parse");
                }
            }
        }
    });
}

/// The figure as PNG bytes.
pub fn png_bytes<F: Figure>(fig: &F) -> Result<Vec<u8>, String> {
    fonts();
    let (w, h) = fig.size();
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        fig.draw(&root)?;
        root.present().map_err(err)?;
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Default);
    enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let mut writer = enc.write_header().map_err(err)?;
    writer.write_image_data(&rgb).map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(out)
}

/// The figure as SVG text.
pub fn svg_text<F: Figure>(fig: &F) -> Result<String, String> {
    fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, fig.size()).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        fig.draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Writes `<dir>/<stem>.png` and `<dir>/<stem>.svg`; returns both paths.
pub fn save<F: Figure>(fig: &F, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, Error> {
    let plot_error = |e: String| Error::io(dir.join(stem), std::io::Error::other(e));
    let png = dir.join(format!("{stem}.png"));
    write_atomic(&png, &png_bytes(fig).map_err(plot_error)?)?;
    let svg = dir.join(format!("{stem}.svg"));
    write_atomic(&svg, svg_text(fig).map_err(plot_error)?.as_bytes())?;
    Ok(vec![png, svg])
}

/// A colour from a fixed palette of 20 distinct colours, by index (wraps).
/// Diagrams index it by a name's position in a sorted list of names, so a
/// name keeps its colour across windows of one run.
pub fn palette(i: usize) -> RGBColor {
    const COLORS: [RGBColor; 20] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
        RGBColor(57, 59, 121),
        RGBColor(0, 128, 128),
        RGBColor(128, 0, 0),
        RGBColor(230, 171, 2),
        RGBColor(102, 166, 30),
        RGBColor(231, 41, 138),
        RGBColor(0, 0, 0),
        RGBColor(166, 118, 29),
        RGBColor(106, 61, 154),
        RGBColor(251, 128, 114),
    ];
    COLORS[i % COLORS.len()]
}

/// [`palette`]'s colour `i` as CSS hex, for the interactive pages.
pub fn palette_hex(i: usize) -> String {
    let RGBColor(r, g, b) = palette(i);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Each name of `names` (sorted, deduplicated) with its [`palette`] index.
pub fn colour_index<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> std::collections::BTreeMap<&'a str, usize> {
    let set: std::collections::BTreeSet<&str> = names.into_iter().collect();
    set.into_iter().enumerate().map(|(i, n)| (n, i)).collect()
}
