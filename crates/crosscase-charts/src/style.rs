//! The one visual language of crosscase charts: size, font, palette, and rendering to SVG and PNG.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

/// Slide size: 1920 × 1080.
pub const SLIDE: (u32, u32) = (1920, 1080);

/// The font family every chart uses; registered from the embedded DejaVu Sans.
pub(crate) const FONT: &str = "DejaVu Sans";

static DEJAVU_SANS: &[u8] = include_bytes!("../../../data/fonts/DejaVuSans.ttf");
static DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../../../data/fonts/DejaVuSans-Bold.ttf");

/// Okabe–Ito: distinguishable with every common form of colour blindness.
pub(crate) const OKABE_ITO_BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub(crate) const OKABE_ITO_ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// The other Okabe–Ito colours, for curves beside a highlighted one (blue), in the order they are taken.
pub(crate) const CATEGORICAL: [RGBColor; 6] = [
    OKABE_ITO_ORANGE,
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(crate) const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub(crate) const SUPPRESSED: RGBColor = RGBColor(0xD9, 0xD9, 0xD9);
pub(crate) const GRID: RGBColor = RGBColor(0xE5, 0xE5, 0xE5);

/// A chart in both formats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub svg: String,
    pub png: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart: {0}")]
pub struct ChartError(pub String);

fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The fonts are embedded at build time and known to be valid; a failure would show as missing text.
        let _ = register_font(FONT, FontStyle::Normal, DEJAVU_SANS);
        let _ = register_font(FONT, FontStyle::Bold, DEJAVU_SANS_BOLD);
    });
}

pub(crate) fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

pub(crate) fn bold(size: f64) -> TextStyle<'static> {
    (FONT, size, FontStyle::Bold).into_font().color(&INK)
}

pub(crate) fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError(format!("{e:?}"))
}

/// A picture that can be drawn on any plotters backend.
pub(crate) trait Draw {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>;
}

/// Draws the same picture on an SVG and a PNG backend.
pub(crate) fn render(size: (u32, u32), chart: &impl Draw) -> Result<Rendered, ChartError> {
    register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        chart.draw(&root)?;
        root.present().map_err(err)?;
    }
    let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        chart.draw(&root)?;
        root.present().map_err(err)?;
    }
    let mut png_bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png_bytes, size.0, size.1);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(err)?;
        writer.write_image_data(&pixels).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(Rendered { svg, png: png_bytes })
}

/// The title and subtitle every chart has at its top left.
pub(crate) fn heading<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<(), ChartError> {
    root.draw(&Text::new(title.to_string(), (40, 24), bold(40.0)))
        .map_err(err)?;
    root.draw(&Text::new(subtitle.to_string(), (40, 76), font(24.0).color(&MUTED)))
        .map_err(err)?;
    Ok(())
}

/// A plot area in pixels, with its ticks already placed: `(pixel, label)`.
pub(crate) struct Axes<'a> {
    pub left: i32,
    pub right: i32,
    pub top: i32,
    pub bottom: i32,
    pub x_ticks: Vec<(i32, &'a str)>,
    pub y_ticks: Vec<(i32, &'a str)>,
    pub x_label: &'a str,
    pub y_label: &'a str,
}

/// Grid lines at every tick, the tick labels, the two axis lines and the axis titles (the y title above the plot).
pub(crate) fn draw_axes<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, a: &Axes) -> Result<(), ChartError> {
    for &(px, label) in &a.x_ticks {
        root.draw(&PathElement::new(vec![(px, a.top), (px, a.bottom)], GRID))
            .map_err(err)?;
        root.draw(&Text::new(
            label.to_string(),
            (px, a.bottom + 12),
            font(22.0).pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(err)?;
    }
    for &(py, label) in &a.y_ticks {
        root.draw(&PathElement::new(vec![(a.left, py), (a.right, py)], GRID))
            .map_err(err)?;
        root.draw(&Text::new(
            label.to_string(),
            (a.left - 14, py),
            font(22.0).pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(err)?;
    }
    root.draw(&PathElement::new(
        vec![(a.left, a.top), (a.left, a.bottom), (a.right, a.bottom)],
        INK,
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        a.x_label.to_string(),
        ((a.left + a.right) / 2, a.bottom + 52),
        font(24.0).pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        fit(root, a.y_label, &font(24.0), (a.right - a.left) as u32),
        (a.left, a.top - 36),
        font(24.0).color(&MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
    ))
    .map_err(err)?;
    Ok(())
}

/// Shortens `text` with an ellipsis until it fits `max_width` pixels in `style`.
pub(crate) fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_width: u32,
) -> String {
    let width = |t: &str| area.estimate_text_size(t, style).map(|(w, _)| w).unwrap_or(0);
    if width(text) <= max_width {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let candidate: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if width(&candidate) <= max_width {
            return candidate;
        }
    }
    "…".to_string()
}
