//! A heatmap of codes × municipalities, with one municipality's column highlighted and small groups suppressed.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::style::{ChartError, Draw, GRID, INK, Rendered, SLIDE, SUPPRESSED, bold, err, fit, font, heading, render};

/// What a cell shows.
#[derive(Clone, Debug, PartialEq)]
pub enum HeatmapCell {
    /// A share in 0–1 and its label, already formatted for the chart's language.
    Value(f64, String),
    /// Hidden by disclosure control.
    Suppressed,
    Missing,
}

/// A heatmap; every string is already in the chart's language.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    pub title: String,
    pub subtitle: String,
    /// Row labels; a leading indent level per row draws sub-codes under their parents.
    pub rows: Vec<(usize, String)>,
    pub columns: Vec<String>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<HeatmapCell>>,
    pub highlight: Option<usize>,
    /// Legend text for suppressed cells.
    pub suppressed_label: String,
    pub missing_label: String,
}

pub fn heatmap(h: &Heatmap) -> Result<Rendered, ChartError> {
    render(SLIDE, h)
}

/// Sequential blue scale from near-white to Okabe–Ito blue; light enough at the low end for dark text.
fn shade(v: f64) -> RGBColor {
    let v = v.clamp(0.0, 1.0);
    let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * v).round() as u8;
    RGBColor(lerp(0xF2, 0x00), lerp(0xF7, 0x4C), lerp(0xFB, 0x8C))
}

impl Draw for Heatmap {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let (w, h) = root.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let margin = 40;
        heading(root, &self.title, &self.subtitle)?;

        let top = 170;
        let legend_h = 60;
        let label_w = 620;
        let n_rows = self.rows.len().max(1) as i32;
        let n_cols = self.columns.len().max(1) as i32;
        let grid_w = w - margin * 2 - label_w;
        let cell_w = grid_w / n_cols;
        let cell_h = ((h - top - legend_h - margin) / n_rows).clamp(8, 80);
        let row_font = (f64::from(cell_h) * 0.55).clamp(10.0, 26.0);
        let x0 = margin + label_w;

        // Column headers, wrapped to the cell width.
        for (j, name) in self.columns.iter().enumerate() {
            let cx = x0 + j as i32 * cell_w + cell_w / 2;
            let style = if Some(j) == self.highlight {
                bold(24.0)
            } else {
                font(22.0)
            };
            let label = fit(root, name, &style, (cell_w - 8) as u32);
            root.draw(&Text::new(
                label,
                (cx, top - 16),
                style.pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))
            .map_err(err)?;
        }
        for (i, (indent, label)) in self.rows.iter().enumerate() {
            let y = top + i as i32 * cell_h;
            let style = if *indent == 0 { bold(row_font) } else { font(row_font) };
            let x = margin + 28 * *indent as i32;
            let text = fit(root, label, &style, (label_w - 16 - 28 * *indent as i32).max(40) as u32);
            root.draw(&Text::new(
                text,
                (x, y + cell_h / 2),
                style.pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            for (j, cell) in self.cells[i].iter().enumerate() {
                let cx = x0 + j as i32 * cell_w;
                let rect = [(cx + 1, y + 1), (cx + cell_w - 1, y + cell_h - 1)];
                let (fill, label) = match cell {
                    HeatmapCell::Value(v, label) => (shade(*v), label.clone()),
                    HeatmapCell::Suppressed => (SUPPRESSED, "•".to_string()),
                    HeatmapCell::Missing => (WHITE, "–".to_string()),
                };
                root.draw(&Rectangle::new(rect, fill.filled())).map_err(err)?;
                let dark = matches!(cell, HeatmapCell::Value(v, _) if *v > 0.55);
                let colour = if dark { WHITE } else { INK };
                root.draw(&Text::new(
                    label,
                    (cx + cell_w / 2, y + cell_h / 2),
                    font(row_font).color(&colour).pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(err)?;
            }
            root.draw(&PathElement::new(
                vec![(margin, y + cell_h), (x0 + n_cols * cell_w, y + cell_h)],
                GRID,
            ))
            .map_err(err)?;
        }
        if let Some(j) = self.highlight {
            let cx = x0 + j as i32 * cell_w;
            let rect = [(cx - 2, top - 2), (cx + cell_w + 2, top + n_rows * cell_h + 2)];
            root.draw(&Rectangle::new(rect, INK.stroke_width(4))).map_err(err)?;
        }

        // Legend: the colour scale, suppressed and missing cells.
        let ly = h - margin - 20;
        for k in 0..=10 {
            let v = f64::from(k) / 10.0;
            let lx = margin + k * 36;
            root.draw(&Rectangle::new([(lx, ly - 14), (lx + 34, ly + 14)], shade(v).filled()))
                .map_err(err)?;
        }
        root.draw(&Text::new(
            "0",
            (margin, ly + 18),
            font(18.0).pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            "100",
            (margin + 10 * 36 + 34, ly + 18),
            font(18.0).pos(Pos::new(HPos::Right, VPos::Top)),
        ))
        .map_err(err)?;
        let sx = margin + 11 * 36 + 40;
        root.draw(&Rectangle::new(
            [(sx, ly - 14), (sx + 34, ly + 14)],
            SUPPRESSED.filled(),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            format!("• {}", self.suppressed_label),
            (sx + 44, ly),
            font(20.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        let mx = sx
            + 44
            + root
                .estimate_text_size(&format!("• {}", self.suppressed_label), &font(20.0))
                .map_err(err)?
                .0 as i32
            + 40;
        root.draw(&Text::new(
            format!("– {}", self.missing_label),
            (mx, ly),
            font(20.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        Ok(())
    }
}
