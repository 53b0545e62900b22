//! The one visual language of crosscase charts: size, font, palette, and rendering to SVG and PNG.
//!
//! Every chart is drawn once, with plotters on its SVG backend; the PNG is that SVG rasterised by resvg at twice its
//! size, with the embedded fonts as the only fonts it knows. So the two files show the same picture, and text is laid
//! out by a real text shaper rather than glyph by glyph.

use std::sync::{Arc, OnceLock};

use crosscase_model::{Language, format};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use resvg::{tiny_skia, usvg};
use skrifa::MetadataProvider;

/// Slide size in pixels. Every PNG is this wide (the SVG rasterised at [`PNG_SCALE`]); its height follows the
/// chart's content.
pub const SLIDE: (u32, u32) = (1920, 1080);

/// The width of every chart's SVG, in SVG pixels; the PNG is [`PNG_SCALE`] times as large.
pub(crate) const WIDTH: u32 = SLIDE.0 / PNG_SCALE;
pub(crate) const PNG_SCALE: u32 = 2;

// Font sizes in SVG pixels (the `font-size` plotters writes). At a width of 960, 18 px is 9.04 pt when the chart is
// printed 17 cm wide; `tests::no_text_below_nine_points` checks every chart against that rule. The sizes are chosen
// so that plotters' size (×1.24, divided back when it writes the SVG) gives back whole numbers.
pub(crate) const TITLE: f64 = 28.0;
pub(crate) const SUBTITLE: f64 = 20.0;
pub(crate) const TEXT: f64 = 19.0;
/// Tick labels, values, legends and notes: the smallest text there is.
pub(crate) const SMALL: f64 = 18.0;

/// The margin around every chart, in SVG pixels.
pub(crate) const MARGIN: i32 = 24;

/// The font family every chart uses; the SVG names it, and the PNG renderer knows only the embedded DejaVu Sans.
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
    /// The SVG's size in pixels (the PNG is twice this), for a page's `width` and `height` attributes.
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart: {0}")]
pub struct ChartError(pub String);

/// Regular text of `size` SVG pixels.
pub(crate) fn font(size: f64) -> TextStyle<'static> {
    // plotters writes `size / 1.24` as the SVG font size.
    (FONT, size * 1.24).into_font().color(&INK)
}

pub(crate) fn bold(size: f64) -> TextStyle<'static> {
    (FONT, size * 1.24, FontStyle::Bold).into_font().color(&INK)
}

/// Text anchored at its left end and vertical centre, the most common placement.
pub(crate) fn left(style: TextStyle<'static>) -> TextStyle<'static> {
    style.pos(Pos::new(HPos::Left, VPos::Center))
}

pub(crate) fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError(format!("{e:?}"))
}

/// The width of `text` in SVG pixels at `size`, from the advance widths of the embedded font. Kerning only ever
/// narrows DejaVu Sans, so this is at most a little wide: text laid out to fit by it does fit.
pub(crate) fn text_width(text: &str, size: f64, is_bold: bool) -> f64 {
    let table = &advances()[usize::from(is_bold)];
    let em: f64 = text
        .chars()
        .map(|c| match table.get(c as usize) {
            Some(&a) => f64::from(a),
            None => advance(font_bytes(is_bold), c),
        })
        .sum();
    em * size
}

fn font_bytes(is_bold: bool) -> &'static [u8] {
    if is_bold { DEJAVU_SANS_BOLD } else { DEJAVU_SANS }
}

/// The advance width of `c` in ems, 0 for a character the font does not have.
fn advance(bytes: &[u8], c: char) -> f64 {
    let Ok(face) = skrifa::FontRef::new(bytes) else {
        return 0.0;
    };
    // At a size of one pixel per em, advances are in ems.
    let metrics = face.glyph_metrics(
        skrifa::instance::Size::new(1.0),
        skrifa::instance::LocationRef::default(),
    );
    let glyph = face.charmap().map(c).unwrap_or_default();
    f64::from(metrics.advance_width(glyph).unwrap_or(0.0))
}

/// The advance widths in ems of the characters up to U+2200 (Latin, punctuation, dashes, bullets and the ellipsis), for
/// the regular and the bold face: layout measures text often, character by character when it shortens it.
fn advances() -> &'static [Vec<f32>; 2] {
    static ADVANCES: OnceLock<[Vec<f32>; 2]> = OnceLock::new();
    ADVANCES.get_or_init(|| {
        [false, true].map(|is_bold| {
            let Ok(face) = skrifa::FontRef::new(font_bytes(is_bold)) else {
                return Vec::new();
            };
            let metrics = face.glyph_metrics(
                skrifa::instance::Size::new(1.0),
                skrifa::instance::LocationRef::default(),
            );
            let charmap = face.charmap();
            (0..0x2200u32)
                .map(|u| {
                    let glyph = char::from_u32(u).and_then(|c| charmap.map(c)).unwrap_or_default();
                    metrics.advance_width(glyph).unwrap_or(0.0)
                })
                .collect()
        })
    })
}

/// Shortens `text` with an ellipsis until it fits `max_width` SVG pixels.
pub(crate) fn fit(text: &str, size: f64, is_bold: bool, max_width: f64) -> String {
    if text_width(text, size, is_bold) <= max_width {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let candidate: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if text_width(&candidate, size, is_bold) <= max_width {
            return candidate;
        }
    }
    "…".to_string()
}

/// Breaks `text` into at most `max_lines` lines of whole words that fit `max_width`; the last line is shortened
/// with an ellipsis if the words run out of lines. A word longer than a line is shortened on its own line.
pub(crate) fn wrap(text: &str, size: f64, is_bold: bool, max_width: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut words = text.split_whitespace().peekable();
    while let Some(word) = words.next() {
        if lines.len() == max_lines {
            // No line left: the rest goes onto the last line, which is then shortened.
            let last = lines.last_mut().expect("max_lines is at least one");
            last.push(' ');
            last.push_str(word);
            for w in words.by_ref() {
                last.push(' ');
                last.push_str(w);
            }
            *last = fit(last, size, is_bold, max_width);
            break;
        }
        let mut line = word.to_string();
        while let Some(next) = words.peek() {
            let longer = format!("{line} {next}");
            if text_width(&longer, size, is_bold) > max_width {
                break;
            }
            line = longer;
            words.next();
        }
        lines.push(fit(&line, size, is_bold, max_width));
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// The height of a line of text of `size`, in SVG pixels.
pub(crate) fn line_height(size: f64) -> i32 {
    (size * 1.25).ceil() as i32
}

/// A picture that can be drawn on any plotters backend, at a size that follows from its content.
pub(crate) trait Draw {
    /// Width and height in SVG pixels.
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>;
}

/// Draws the chart as SVG and rasterises that SVG to a PNG at [`PNG_SCALE`].
pub(crate) fn render(chart: &impl Draw) -> Result<Rendered, ChartError> {
    let size = chart.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        chart.draw(&root)?;
        root.present().map_err(err)?;
    }
    let png = rasterise(&svg)?;
    Ok(Rendered {
        svg,
        png,
        width: size.0,
        height: size.1,
    })
}

/// The embedded fonts as the only fonts the renderer knows: no system font can change a chart.
pub(crate) fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(DEJAVU_SANS.to_vec());
            db.load_font_data(DEJAVU_SANS_BOLD.to_vec());
            db.set_sans_serif_family(FONT);
            Arc::new(db)
        })
        .clone()
}

/// The SVG as an RGB PNG at [`PNG_SCALE`] times its size, on white.
pub(crate) fn rasterise(svg: &str) -> Result<Vec<u8>, ChartError> {
    let options = usvg::Options {
        font_family: FONT.to_string(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(err)?;
    let scale = PNG_SCALE as f32;
    let (w, h) = (
        (tree.size().width() * scale).round() as u32,
        (tree.size().height() * scale).round() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or_else(|| ChartError(format!("a {w} × {h} image")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    // The background is opaque white, so every pixel is opaque and premultiplied colour is the colour itself.
    let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
    for pixel in pixmap.data().chunks_exact(4) {
        rgb.extend_from_slice(&pixel[..3]);
    }
    let mut png_bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png_bytes, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(err)?;
        writer.write_image_data(&rgb).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(png_bytes)
}

/// The height the heading takes for `subtitle` lines, from the top of the chart to where the content may start.
pub(crate) fn heading_height(subtitle_lines: usize) -> i32 {
    MARGIN + line_height(TITLE) + 6 + subtitle_lines as i32 * line_height(SUBTITLE) + 16
}

/// The subtitle broken into lines of the chart's width (two at most).
pub(crate) fn subtitle_lines(subtitle: &str, width: u32) -> Vec<String> {
    if subtitle.trim().is_empty() {
        return Vec::new();
    }
    wrap(subtitle, SUBTITLE, false, f64::from(width as i32 - 2 * MARGIN), 2)
}

/// Draws the title and subtitle at the top left; returns the y where the content starts.
pub(crate) fn heading<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<i32, ChartError> {
    let width = root.dim_in_pixel().0;
    let max = f64::from(width as i32 - 2 * MARGIN);
    let mut y = MARGIN + line_height(TITLE) / 2;
    root.draw(&Text::new(fit(title, TITLE, true, max), (MARGIN, y), left(bold(TITLE))))
        .map_err(err)?;
    y += line_height(TITLE) / 2 + 6;
    let lines = subtitle_lines(subtitle, width);
    for line in &lines {
        root.draw(&Text::new(
            line.clone(),
            (MARGIN, y + line_height(SUBTITLE) / 2),
            left(font(SUBTITLE).color(&MUTED)),
        ))
        .map_err(err)?;
        y += line_height(SUBTITLE);
    }
    Ok(heading_height(lines.len()))
}

/// A horizontal legend of swatches and labels, wrapped onto more lines when it is wider than the chart; returns its
/// height. `swatch` draws one swatch centred at the point given.
pub(crate) fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    top: i32,
    items: &[(RGBColor, &str)],
    swatch: impl Fn(&DrawingArea<DB, Shift>, (i32, i32), RGBColor) -> Result<(), ChartError>,
) -> Result<i32, ChartError> {
    let rows = legend_rows(root.dim_in_pixel().0, items);
    let line = line_height(SMALL) + 8;
    for (r, row) in rows.iter().enumerate() {
        let y = top + r as i32 * line + line / 2;
        for &(x, k) in row {
            let (colour, label) = items[k];
            swatch(root, (x + 11, y), colour)?;
            root.draw(&Text::new(label.to_string(), (x + 30, y), left(font(SMALL))))
                .map_err(err)?;
        }
    }
    Ok(rows.len() as i32 * line)
}

/// The height `legend` takes.
pub(crate) fn legend_height(width: u32, items: &[(RGBColor, &str)]) -> i32 {
    legend_rows(width, items).len() as i32 * (line_height(SMALL) + 8)
}

/// Where each legend item starts, row by row: `(x, index)`.
fn legend_rows(width: u32, items: &[(RGBColor, &str)]) -> Vec<Vec<(i32, usize)>> {
    let mut rows: Vec<Vec<(i32, usize)>> = vec![Vec::new()];
    let mut x = MARGIN;
    for (k, (_, label)) in items.iter().enumerate() {
        let w = 30 + text_width(label, SMALL, false).ceil() as i32;
        if x > MARGIN && x + w > width as i32 - MARGIN {
            rows.push(Vec::new());
            x = MARGIN;
        }
        rows.last_mut().expect("there is a row").push((x, k));
        x += w + 28;
    }
    rows
}

/// A square swatch for [`legend`].
pub(crate) fn square<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    colour: RGBColor,
) -> Result<(), ChartError> {
    root.draw(&Rectangle::new([(x - 10, y - 10), (x + 10, y + 10)], colour.filled()))
        .map_err(err)
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

/// The space below the plot area that [`draw_axes`] fills: tick labels and the x axis title.
pub(crate) const X_AXIS_HEIGHT: i32 = 8 + 24 + 8 + 24;
/// The space above the plot area that [`draw_axes`] fills with the y axis title.
pub(crate) const Y_TITLE_HEIGHT: i32 = 36;

/// Grid lines at every tick, the tick labels, the two axis lines and the axis titles (the y title above the plot).
pub(crate) fn draw_axes<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, a: &Axes) -> Result<(), ChartError> {
    for &(px, label) in &a.x_ticks {
        root.draw(&PathElement::new(vec![(px, a.top), (px, a.bottom)], GRID))
            .map_err(err)?;
        root.draw(&Text::new(
            label.to_string(),
            (px, a.bottom + 8),
            font(SMALL).pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(err)?;
    }
    for &(py, label) in &a.y_ticks {
        root.draw(&PathElement::new(vec![(a.left, py), (a.right, py)], GRID))
            .map_err(err)?;
        root.draw(&Text::new(
            label.to_string(),
            (a.left - 10, py),
            font(SMALL).pos(Pos::new(HPos::Right, VPos::Center)),
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
        ((a.left + a.right) / 2, a.bottom + 40),
        font(TEXT).pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(err)?;
    let width = root.dim_in_pixel().0 as i32;
    root.draw(&Text::new(
        fit(
            a.y_label,
            TEXT,
            false,
            f64::from(width - MARGIN - a.left.min(MARGIN + 80)),
        ),
        (MARGIN, a.top - Y_TITLE_HEIGHT / 2 - 4),
        left(font(TEXT).color(&MUTED)),
    ))
    .map_err(err)?;
    Ok(())
}

/// Tick labels from 0 to 100 % in `intervals` equal steps, written the way `labels` (the chart's own value labels)
/// write a percentage: `20 %` with a no-break space in Swedish, `20%` in English. With no percentage among them,
/// Swedish.
pub(crate) fn percent_ticks<'a>(mut labels: impl Iterator<Item = &'a str>, intervals: u32) -> Vec<(f64, String)> {
    let language = match labels.find(|l| l.contains('%')) {
        Some(l) if !l.contains("\u{a0}%") && !l.contains(" %") => Language::En,
        _ => Language::Sv,
    };
    (0..=intervals)
        .map(|k| {
            let v = f64::from(k) / f64::from(intervals);
            (v, format::percent(v, language))
        })
        .collect()
}
