//! Before and after on one line per row: a dot for each, joined, so that the change reads at a glance.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::style::{
    ChartError, Draw, GRID, MARGIN, MUTED, OKABE_ITO_BLUE, OKABE_ITO_ORANGE, Rendered, SMALL, TEXT, WIDTH, err, fit,
    font, heading, heading_height, left, legend, legend_height, line_height, render, subtitle_lines, text_width, wrap,
};

/// One row: the values before and after (on the chart's axis), or why they are not shown.
#[derive(Clone, Debug, PartialEq)]
pub struct DumbbellRow {
    pub label: String,
    pub values: Result<(f64, f64), String>,
    /// Shown at the right, e.g. `8 of 10 improved`.
    pub note: String,
}

/// A dumbbell chart; every string is already in the chart's language.
#[derive(Clone, Debug, PartialEq)]
pub struct Dumbbell {
    pub title: String,
    pub subtitle: String,
    pub before_label: String,
    pub after_label: String,
    pub x_min: f64,
    pub x_max: f64,
    pub x_ticks: Vec<(f64, String)>,
    pub rows: Vec<DumbbellRow>,
}

/// Draws the chart; its height follows the number of rows.
pub fn dumbbell(c: &Dumbbell) -> Result<Rendered, ChartError> {
    render(c)
}

const LABEL_W: i32 = 300;
/// The widest the notes at the right may take.
const MAX_NOTE_W: i32 = 220;
const DOT: i32 = 8;

struct Layout {
    top: i32,
    /// The axis from `left` to `right`, and where the notes start.
    left: i32,
    right: i32,
    note_x: i32,
    /// Per row: the label's lines, the note's lines (wrapped, never cut short) and the row's height.
    rows: Vec<(Vec<String>, Vec<String>, i32)>,
    height: i32,
}

impl Dumbbell {
    fn legend_items(&self) -> [(RGBColor, &str); 2] {
        [
            (OKABE_ITO_ORANGE, self.before_label.as_str()),
            (OKABE_ITO_BLUE, self.after_label.as_str()),
        ]
    }

    fn layout(&self) -> Layout {
        let top = heading_height(subtitle_lines(&self.subtitle, WIDTH).len())
            + legend_height(WIDTH, &self.legend_items())
            + 12;
        let note_w = self
            .rows
            .iter()
            .map(|r| text_width(&r.note, SMALL, false).ceil() as i32)
            .max()
            .unwrap_or(0)
            .min(MAX_NOTE_W);
        let note_x = WIDTH as i32 - MARGIN - note_w;
        let (left, right) = (MARGIN + LABEL_W + DOT, note_x - 24);
        let rows: Vec<(Vec<String>, Vec<String>, i32)> = self
            .rows
            .iter()
            .map(|r| {
                let lines = wrap(&r.label, TEXT, false, f64::from(LABEL_W - 16), 2);
                // A note says how many improved: it is wrapped, not shortened, so that no figure is cut off.
                let notes = wrap(&r.note, SMALL, false, f64::from(note_w), 4);
                let h = (lines.len() as i32 * line_height(TEXT))
                    .max(notes.len() as i32 * line_height(SMALL))
                    .max(2 * DOT + 4)
                    + 12;
                (lines, notes, h)
            })
            .collect();
        let height = top + rows.iter().map(|r| r.2).sum::<i32>().max(40) + 8 + line_height(SMALL) + MARGIN;
        Layout {
            top,
            left,
            right,
            note_x,
            rows,
            height,
        }
    }
}

impl Draw for Dumbbell {
    fn size(&self) -> (u32, u32) {
        (WIDTH, self.layout().height as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let l = self.layout();
        let y = heading(root, &self.title, &self.subtitle)?;
        legend(root, y, &self.legend_items(), |root, (x, y), colour| {
            root.draw(&Circle::new((x, y), DOT, colour.filled())).map_err(err)
        })?;
        let bottom = l.top + l.rows.iter().map(|r| r.2).sum::<i32>().max(40);
        let span = (self.x_max - self.x_min).max(f64::MIN_POSITIVE);
        let x_of =
            |x: f64| l.left + (((x - self.x_min) / span).clamp(0.0, 1.0) * f64::from(l.right - l.left)).round() as i32;
        for (x, label) in &self.x_ticks {
            let px = x_of(*x);
            root.draw(&PathElement::new(vec![(px, l.top), (px, bottom)], GRID))
                .map_err(err)?;
            root.draw(&Text::new(
                label.clone(),
                (px, bottom + 8),
                font(SMALL).pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(err)?;
        }
        let mut y0 = l.top;
        for (row, (lines, notes, h)) in self.rows.iter().zip(&l.rows) {
            let y = y0 + h / 2;
            let first = y - (lines.len() as i32 - 1) * line_height(TEXT) / 2;
            for (k, line) in lines.iter().enumerate() {
                root.draw(&Text::new(
                    line.clone(),
                    (MARGIN, first + k as i32 * line_height(TEXT)),
                    left(font(TEXT)),
                ))
                .map_err(err)?;
            }
            y0 += h;
            match &row.values {
                Ok((before, after)) => {
                    let (a, b) = (x_of(*before), x_of(*after));
                    root.draw(&PathElement::new(vec![(a, y), (b, y)], MUTED.stroke_width(3)))
                        .map_err(err)?;
                    root.draw(&Circle::new((a, y), DOT, OKABE_ITO_ORANGE.filled()))
                        .map_err(err)?;
                    root.draw(&Circle::new((b, y), DOT, OKABE_ITO_BLUE.filled()))
                        .map_err(err)?;
                }
                Err(text) => {
                    root.draw(&Text::new(
                        fit(text, SMALL, false, f64::from(l.right - l.left)),
                        (l.left, y),
                        left(font(SMALL).color(&MUTED)),
                    ))
                    .map_err(err)?;
                }
            }
            let first = y - (notes.len() as i32 - 1) * line_height(SMALL) / 2;
            for (k, line) in notes.iter().enumerate() {
                root.draw(&Text::new(
                    line.clone(),
                    (l.note_x, first + k as i32 * line_height(SMALL)),
                    left(font(SMALL).color(&MUTED)),
                ))
                .map_err(err)?;
            }
        }
        Ok(())
    }
}
