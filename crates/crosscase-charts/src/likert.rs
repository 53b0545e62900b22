//! Survey items as diverging stacked bars centred on the neutral step (Heiberger and Robbins 2014): disagreement to
//! the left, agreement to the right, a grey neutral split across the centre, and n on every row.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::style::{
    ChartError, Draw, GRID, INK, MARGIN, MUTED, Rendered, SMALL, SUPPRESSED, TEXT, WIDTH, err, fit, font, heading,
    heading_height, left, legend, legend_height, line_height, percent_ticks, render, square, subtitle_lines,
    text_width, wrap,
};

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
    /// A reverse-worded item ("New ideas are often stopped …"), where disagreeing is the favourable answer: its
    /// colours are turned round so that the favourable side has the same colour on every row, while the bar keeps
    /// its place (disagreement left, agreement right) as the axis says.
    pub reversed: bool,
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

/// Draws the chart; its height follows the number of rows.
pub fn likert_chart(c: &LikertChart) -> Result<Rendered, ChartError> {
    render(c)
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

const BAR_H: i32 = 24;
const ROW_GAP: i32 = 14;

struct Layout {
    /// The top of the first row, below the axis labels.
    top: i32,
    /// The centre of the bars and the length of a 100 % half.
    centre: i32,
    half_w: f64,
    /// Each row's label lines and height (label above its bar).
    rows: Vec<(Vec<String>, i32)>,
    height: i32,
}

impl LikertChart {
    fn legend_items(&self) -> Vec<(RGBColor, &str)> {
        palette(self.steps.len())
            .into_iter()
            .zip(self.steps.iter().map(String::as_str))
            .collect()
    }

    fn layout(&self) -> Layout {
        let top = heading_height(subtitle_lines(&self.subtitle, WIDTH).len())
            + legend_height(WIDTH, &self.legend_items())
            + 8
            + line_height(SMALL)
            + 8;
        let widest = |texts: &mut dyn Iterator<Item = &String>| {
            texts
                .map(|t| text_width(t, SMALL, false).ceil() as i32)
                .max()
                .unwrap_or(0)
        };
        let n_w = widest(&mut self.rows.iter().map(|r| &r.n_label)) + 16;
        let end_w = widest(&mut self.rows.iter().flat_map(|r| [&r.low_label, &r.high_label])) + 10;
        let right = WIDTH as i32 - MARGIN - n_w;
        let centre = (MARGIN + right) / 2;
        let half_w = f64::from((right - MARGIN) / 2 - end_w);
        // The item's text stands above its bar, across the chart, so that a whole sentence fits on one line.
        let rows: Vec<(Vec<String>, i32)> = self
            .rows
            .iter()
            .map(|r| {
                let lines = wrap(&r.label, TEXT, false, f64::from(WIDTH as i32 - 2 * MARGIN), 2);
                let h = lines.len() as i32 * line_height(TEXT) + 4 + BAR_H + ROW_GAP;
                (lines, h)
            })
            .collect();
        let height = top + rows.iter().map(|r| r.1).sum::<i32>().max(BAR_H + ROW_GAP) + MARGIN;
        Layout {
            top,
            centre,
            half_w,
            rows,
            height,
        }
    }
}

impl Draw for LikertChart {
    fn size(&self) -> (u32, u32) {
        (WIDTH, self.layout().height as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let Layout {
            top,
            centre,
            half_w,
            rows,
            ..
        } = self.layout();
        let y = heading(root, &self.title, &self.subtitle)?;
        legend(root, y, &self.legend_items(), square)?;
        let colours = palette(self.steps.len());

        // The axis: 0 at the centre, 50 % and 100 % of the answers to either side.
        let labels = self
            .rows
            .iter()
            .flat_map(|r| [r.low_label.as_str(), r.high_label.as_str()]);
        let ticks = percent_ticks(labels, 2);
        let grid_x = |k: i32| centre + (half_w * f64::from(k) / 4.0).round() as i32;
        for k in (-4i32..=4).step_by(2) {
            let x = grid_x(k);
            {
                let label = ticks[(k.unsigned_abs() / 2) as usize].1.clone();
                root.draw(&Text::new(
                    label,
                    (x, top - 8),
                    font(SMALL).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Bottom)),
                ))
                .map_err(err)?;
            }
        }
        let steps = self.steps.len();
        let middle = (steps % 2 == 1).then_some(steps / 2);
        let mut y0 = top;
        let mut centre_segments = Vec::with_capacity(rows.len());
        for (row, (lines, h)) in self.rows.iter().zip(&rows) {
            for (k, line) in lines.iter().enumerate() {
                root.draw(&Text::new(
                    line.clone(),
                    (MARGIN, y0 + k as i32 * line_height(TEXT) + line_height(TEXT) / 2),
                    left(font(TEXT)),
                ))
                .map_err(err)?;
            }
            let y = y0 + lines.len() as i32 * line_height(TEXT) + 4 + BAR_H / 2;
            y0 += h;
            // Grid lines and the centre line behind the bar only, so that they never cross the item's text.
            let (bar_top, bar_bottom) = (y - BAR_H / 2 - 5, y + BAR_H / 2 + 5);
            for k in (-4i32..=4).filter(|&k| k != 0) {
                root.draw(&PathElement::new(
                    vec![(grid_x(k), bar_top), (grid_x(k), bar_bottom)],
                    GRID,
                ))
                .map_err(err)?;
            }
            centre_segments.push((bar_top, bar_bottom));
            root.draw(&Text::new(
                row.n_label.clone(),
                (WIDTH as i32 - MARGIN, y),
                font(SMALL).color(&MUTED).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
            let shares = match &row.shares {
                Ok(s) => s,
                Err(text) => {
                    root.draw(&Rectangle::new(
                        [(centre - 10, y - BAR_H / 2), (centre + 10, y + BAR_H / 2)],
                        SUPPRESSED.filled(),
                    ))
                    .map_err(err)?;
                    root.draw(&Text::new(
                        fit(text, SMALL, false, half_w),
                        (centre + 18, y),
                        left(font(SMALL).color(&MUTED)),
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
                        [(x.round() as i32, y - BAR_H / 2), (x1.round() as i32, y + BAR_H / 2)],
                        colours[if row.reversed { steps - 1 - k } else { k } % colours.len()].filled(),
                    ))
                    .map_err(err)?;
                }
                x = x1;
            }
            let left_edge = f64::from(centre) - below * half_w;
            root.draw(&Text::new(
                row.low_label.clone(),
                (left_edge.round() as i32 - 6, y),
                font(SMALL).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                row.high_label.clone(),
                (x.round() as i32 + 6, y),
                left(font(SMALL)),
            ))
            .map_err(err)?;
        }
        // The centre on top of the bars.
        for (a, b) in centre_segments {
            root.draw(&PathElement::new(vec![(centre, a), (centre, b)], INK.stroke_width(2)))
                .map_err(err)?;
        }
        Ok(())
    }
}
