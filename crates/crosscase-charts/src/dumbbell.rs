//! Before and after on one line per row: a dot for each, joined, so that the change reads at a glance.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::style::{
    ChartError, Draw, GRID, MUTED, OKABE_ITO_BLUE, OKABE_ITO_ORANGE, Rendered, SLIDE, err, fit, font, heading, render,
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

pub fn dumbbell(c: &Dumbbell) -> Result<Rendered, ChartError> {
    render(SLIDE, c)
}

impl Draw for Dumbbell {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let (w, h) = root.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let margin = 40;
        heading(root, &self.title, &self.subtitle)?;
        let mut lx = margin;
        for (colour, label) in [
            (OKABE_ITO_ORANGE, &self.before_label),
            (OKABE_ITO_BLUE, &self.after_label),
        ] {
            root.draw(&Circle::new((lx + 12, 140), 12, colour.filled()))
                .map_err(err)?;
            root.draw(&Text::new(
                label.clone(),
                (lx + 34, 140),
                font(24.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            lx += 34 + root.estimate_text_size(label, &font(24.0)).map_err(err)?.0 as i32 + 48;
        }
        let top = 200;
        let (left, right) = (margin + 560, w - margin - 380);
        let bottom = h - margin - 60;
        let span = (self.x_max - self.x_min).max(f64::MIN_POSITIVE);
        let x_of = |x: f64| left + (((x - self.x_min) / span).clamp(0.0, 1.0) * f64::from(right - left)).round() as i32;
        for (x, label) in &self.x_ticks {
            let px = x_of(*x);
            root.draw(&PathElement::new(vec![(px, top - 10), (px, bottom)], GRID))
                .map_err(err)?;
            root.draw(&Text::new(
                label.clone(),
                (px, bottom + 12),
                font(22.0).pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(err)?;
        }
        let n = self.rows.len().max(1) as i32;
        let row_h = ((bottom - top) / n).min(90);
        let label_font = (f64::from(row_h) * 0.32).clamp(12.0, 24.0);
        for (i, row) in self.rows.iter().enumerate() {
            let y = top + i as i32 * row_h + row_h / 2;
            root.draw(&Text::new(
                fit(root, &row.label, &font(label_font), (left - margin - 30) as u32),
                (margin, y),
                font(label_font).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            match &row.values {
                Ok((before, after)) => {
                    let (a, b) = (x_of(*before), x_of(*after));
                    root.draw(&PathElement::new(vec![(a, y), (b, y)], MUTED.stroke_width(4)))
                        .map_err(err)?;
                    root.draw(&Circle::new((a, y), 11, OKABE_ITO_ORANGE.filled()))
                        .map_err(err)?;
                    root.draw(&Circle::new((b, y), 11, OKABE_ITO_BLUE.filled()))
                        .map_err(err)?;
                }
                Err(text) => {
                    root.draw(&Text::new(
                        text.clone(),
                        (left, y),
                        font(label_font * 0.9)
                            .color(&MUTED)
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                    ))
                    .map_err(err)?;
                }
            }
            root.draw(&Text::new(
                fit(root, &row.note, &font(label_font * 0.9), 340),
                (right + 30, y),
                font(label_font * 0.9)
                    .color(&MUTED)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}
