//! Survey items as diverging stacked bars centred on the neutral step (Heiberger and Robbins 2014): disagreement to
//! the left, agreement to the right, a grey neutral split across the centre, and n on every row.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::style::{ChartError, Draw, GRID, INK, MUTED, Rendered, SLIDE, SUPPRESSED, err, fit, font, heading, render};

/// One item: the share of answers in each scale step (lowest first, summing to 1), or why it is not shown.
#[derive(Clone, Debug, PartialEq)]
pub struct LikertRow {
    pub label: String,
    pub shares: Result<Vec<f64>, String>,
    /// The number of answers, formatted, e.g. `n = 24`.
    pub n_label: String,
    /// The shares below and above the neutral step, formatted, shown at the ends of the bar.
    pub low_label: String,
    pub high_label: String,
}

/// A diverging stacked bar chart; every string is already in the chart's language.
#[derive(Clone, Debug, PartialEq)]
pub struct LikertChart {
    pub title: String,
    pub subtitle: String,
    /// One label per scale step, lowest first.
    pub steps: Vec<String>,
    /// Rows in the order drawn (the caller sorts them, e.g. by agreement).
    pub rows: Vec<LikertRow>,
}

pub fn likert_chart(c: &LikertChart) -> Result<Rendered, ChartError> {
    render(SLIDE, c)
}

/// A colour-blind-safe diverging palette (ColorBrewer BrBG) with a grey neutral, for `steps` steps.
fn palette(steps: usize) -> Vec<RGBColor> {
    const BROWN: [RGBColor; 3] = [
        RGBColor(0x8C, 0x51, 0x0A),
        RGBColor(0xD8, 0xB3, 0x65),
        RGBColor(0xF6, 0xE8, 0xC3),
    ];
    const TEAL: [RGBColor; 3] = [
        RGBColor(0xC7, 0xEA, 0xE5),
        RGBColor(0x5A, 0xB4, 0xAC),
        RGBColor(0x01, 0x66, 0x5E),
    ];
    let half = steps / 2;
    let pick = |side: &[RGBColor; 3], k: usize| -> RGBColor {
        // k counts outwards from the centre: 0 is the palest shade used.
        let start = 3usize.saturating_sub(half);
        side[(start + k).min(2)]
    };
    let mut out = Vec::with_capacity(steps);
    for k in (0..half).rev() {
        out.push(pick(&[BROWN[2], BROWN[1], BROWN[0]], k));
    }
    if steps % 2 == 1 {
        out.push(RGBColor(0xBD, 0xBD, 0xBD));
    }
    for k in 0..half {
        out.push(pick(&TEAL, k));
    }
    out
}

impl Draw for LikertChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let (w, h) = root.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let margin = 40;
        heading(root, &self.title, &self.subtitle)?;
        let colours = palette(self.steps.len());
        // Legend: one swatch per step, lowest first.
        let mut lx = margin;
        for (label, colour) in self.steps.iter().zip(&colours) {
            root.draw(&Rectangle::new([(lx, 128), (lx + 26, 152)], colour.filled()))
                .map_err(err)?;
            root.draw(&Text::new(
                label.clone(),
                (lx + 34, 140),
                font(20.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            lx += 34 + root.estimate_text_size(label, &font(20.0)).map_err(err)?.0 as i32 + 30;
        }

        let top = 190;
        let label_w = 620;
        let n_w = 130;
        let (left, right) = (margin + label_w, w - margin - n_w);
        let centre = (left + right) / 2;
        let half_w = f64::from((right - left) / 2 - 70);
        let n = self.rows.len().max(1) as i32;
        let row_h = ((h - top - margin) / n).min(90);
        let bar_h = (row_h * 3 / 5).max(8);
        let label_font = (f64::from(row_h) * 0.3).clamp(12.0, 24.0);
        for k in -4..=4 {
            let x = centre + (half_w * f64::from(k) / 4.0) as i32;
            root.draw(&PathElement::new(vec![(x, top - 6), (x, top + n * row_h)], GRID))
                .map_err(err)?;
        }
        let steps = self.steps.len();
        let middle = (steps % 2 == 1).then_some(steps / 2);
        for (i, row) in self.rows.iter().enumerate() {
            let y = top + i as i32 * row_h + row_h / 2;
            let label = fit(root, &row.label, &font(label_font), (label_w - 20) as u32);
            root.draw(&Text::new(
                label,
                (margin, y),
                font(label_font).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                row.n_label.clone(),
                (w - margin, y),
                font(label_font * 0.85)
                    .color(&MUTED)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
            let shares = match &row.shares {
                Ok(s) => s,
                Err(text) => {
                    root.draw(&Rectangle::new(
                        [(centre - 12, y - bar_h / 2), (centre + 12, y + bar_h / 2)],
                        SUPPRESSED.filled(),
                    ))
                    .map_err(err)?;
                    root.draw(&Text::new(
                        text.clone(),
                        (centre + 24, y),
                        font(label_font * 0.85)
                            .color(&MUTED)
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                    ))
                    .map_err(err)?;
                    continue;
                }
            };
            // The left edge of the bar: everything below the centre (and half of the neutral) lies left of it.
            let below: f64 = shares.iter().take(steps / 2).sum::<f64>() + middle.map_or(0.0, |m| shares[m] / 2.0);
            let mut x = f64::from(centre) - below * half_w;
            for (k, share) in shares.iter().enumerate() {
                let x1 = x + share * half_w;
                if *share > 0.0 {
                    root.draw(&Rectangle::new(
                        [(x.round() as i32, y - bar_h / 2), (x1.round() as i32, y + bar_h / 2)],
                        colours[k].filled(),
                    ))
                    .map_err(err)?;
                }
                x = x1;
            }
            let left_edge = f64::from(centre) - below * half_w;
            root.draw(&Text::new(
                row.low_label.clone(),
                (left_edge as i32 - 10, y),
                font(label_font * 0.85).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                row.high_label.clone(),
                (x as i32 + 10, y),
                font(label_font * 0.85).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
        }
        root.draw(&PathElement::new(
            vec![(centre, top - 10), (centre, top + n * row_h)],
            INK.stroke_width(2),
        ))
        .map_err(err)?;
        Ok(())
    }
}
