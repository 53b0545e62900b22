//! A heatmap of codes × municipalities, with one municipality's column highlighted and small groups suppressed.
//!
//! The columns are as wide as their header and their values need, and the row labels take the rest of the width, on
//! two lines where one is too short. When the columns do not fit beside the labels, the chart gives up, in this order:
//! the percent sign in the cells (the legend's scale still says percent), horizontal column headers (they turn
//! upright), the numbers in the cells (the colour remains), and only then its width, which is the one case where the
//! text is smaller than 9 pt when printed 17 cm wide (a research team's overview of very many municipalities).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontTransform;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::style::{
    ChartError, Draw, GRID, INK, MARGIN, Rendered, SMALL, SUPPRESSED, TEXT, WIDTH, bold, err, font, heading,
    heading_height, left, line_height, percent_ticks, render, subtitle_lines, text_width, wrap,
};

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

/// Draws the heatmap; its height follows the number of rows.
pub fn heatmap(h: &Heatmap) -> Result<Rendered, ChartError> {
    render(h)
}

/// Sequential blue scale from near-white to Okabe–Ito blue; light enough at the low end for dark text.
fn shade(v: f64) -> RGBColor {
    let v = v.clamp(0.0, 1.0);
    let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * v).round() as u8;
    RGBColor(lerp(0xF2, 0x00), lerp(0xF7, 0x4C), lerp(0xFB, 0x8C))
}

/// The narrowest a row label column may become before the columns give something up.
const MIN_LABEL_W: i32 = 240;
/// The indent of each level of sub-codes.
const INDENT: i32 = 18;
/// Space on either side of a cell's text.
const CELL_PAD: i32 = 3;
const SWATCH: i32 = 22;

/// How the numbers in the cells are shown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CellText {
    Full,
    WithoutPercent,
    Hidden,
}

struct Layout {
    width: i32,
    top: i32,
    /// Column headers turned upright.
    upright: bool,
    cell_text: CellText,
    label_w: i32,
    /// Left edge and width of every column.
    columns: Vec<(i32, i32)>,
    /// Each row's label lines, top and height.
    rows: Vec<(Vec<String>, i32, i32)>,
    legend_top: i32,
    height: i32,
}

fn header_bold(j: usize, highlight: Option<usize>) -> bool {
    Some(j) == highlight
}

/// A cell's text in the given mode.
fn cell_text(cell: &HeatmapCell, mode: CellText) -> String {
    match (cell, mode) {
        (_, CellText::Hidden) => String::new(),
        (HeatmapCell::Value(_, label), CellText::Full) => label.clone(),
        (HeatmapCell::Value(_, label), CellText::WithoutPercent) => label
            .trim_end_matches('%')
            .trim_end_matches(['\u{a0}', '\u{202f}', ' '])
            .to_string(),
        (HeatmapCell::Suppressed, _) => "•".to_string(),
        (HeatmapCell::Missing, _) => "–".to_string(),
    }
}

impl Heatmap {
    fn header_width(&self, j: usize) -> i32 {
        text_width(&self.columns[j], SMALL, header_bold(j, self.highlight)).ceil() as i32
    }

    fn layout(&self) -> Layout {
        let n_cols = self.columns.len();
        let column = |j: usize| self.cells.iter().filter_map(move |r| r.get(j));
        let widest = |j: usize, mode: CellText| {
            column(j)
                .map(|c| text_width(&cell_text(c, mode), SMALL, false))
                .fold(0.0f64, f64::max)
                .ceil() as i32
        };
        let header_w = |j: usize| self.header_width(j);
        let all_percent = self
            .cells
            .iter()
            .flatten()
            .all(|c| !matches!(c, HeatmapCell::Value(_, l) if !l.ends_with('%')));
        let room = WIDTH as i32 - 2 * MARGIN - MIN_LABEL_W;
        let upright_w = line_height(SMALL) + 4;
        let mut modes = vec![(false, CellText::Full)];
        if all_percent {
            modes.push((false, CellText::WithoutPercent));
        }
        modes.push((true, CellText::Full));
        if all_percent {
            modes.push((true, CellText::WithoutPercent));
        }
        modes.push((true, CellText::Hidden));
        let widths = |upright: bool, mode: CellText| -> Vec<i32> {
            (0..n_cols)
                .map(|j| {
                    let header = if upright { upright_w } else { header_w(j) + 2 * CELL_PAD };
                    header.max(widest(j, mode) + 2 * CELL_PAD).max(SWATCH + 4)
                })
                .collect()
        };
        let (upright, cell_mode, col_widths) = modes
            .iter()
            .map(|&(upright, mode)| (upright, mode, widths(upright, mode)))
            .find(|(_, _, w)| w.iter().sum::<i32>() <= room)
            .unwrap_or_else(|| (true, CellText::Hidden, widths(true, CellText::Hidden)));
        let grid_w: i32 = col_widths.iter().sum();
        // The label column takes what the grid leaves, beyond its minimum only when the chart is not wider than a page.
        let width = (2 * MARGIN + MIN_LABEL_W + grid_w).max(WIDTH as i32);
        let label_w = width - 2 * MARGIN - grid_w;
        // Upright headers stand as high as the longest of them; a header that fits its column stays flat.
        let header_h = (0..n_cols)
            .filter(|&j| upright && header_w(j) + 2 * CELL_PAD > col_widths[j])
            .map(|j| header_w(j) + 12)
            .max()
            .unwrap_or(0)
            .max(line_height(SMALL) + 10);
        let top = heading_height(subtitle_lines(&self.subtitle, width as u32).len()) + header_h;
        let mut x = MARGIN + label_w;
        let columns = col_widths
            .iter()
            .map(|&w| {
                let c = (x, w);
                x += w;
                c
            })
            .collect();
        let mut y = top;
        let rows = self
            .rows
            .iter()
            .map(|(indent, label)| {
                let room = label_w - 12 - INDENT * *indent as i32;
                let lines = wrap(label, TEXT, *indent == 0, f64::from(room.max(40)), 2);
                let h = lines.len() as i32 * line_height(TEXT) + 10;
                let row = (lines, y, h);
                y += h;
                row
            })
            .collect();
        let legend_top = y + 18;
        let height = legend_top + SWATCH + 8 + line_height(SMALL) + MARGIN;
        Layout {
            width,
            top,
            upright,
            cell_text: cell_mode,
            label_w,
            columns,
            rows,
            legend_top,
            height,
        }
    }
}

impl Draw for Heatmap {
    fn size(&self) -> (u32, u32) {
        let l = self.layout();
        (l.width as u32, l.height as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let l = self.layout();
        heading(root, &self.title, &self.subtitle)?;
        let grid_left = MARGIN + l.label_w;
        let grid_right = l.columns.last().map_or(grid_left, |&(x, w)| x + w);
        let bottom = l.rows.last().map_or(l.top, |r| r.1 + r.2);

        for (j, name) in self.columns.iter().enumerate() {
            let (x, w) = l.columns[j];
            let style = if header_bold(j, self.highlight) {
                bold(SMALL)
            } else {
                font(SMALL)
            };
            let fits_flat = self.header_width(j) + 2 * CELL_PAD <= w;
            if l.upright && !fits_flat {
                // Turned a quarter left, reading upwards, its start just above the grid.
                root.draw(&Text::new(
                    name.clone(),
                    (x + w / 2, l.top - 8),
                    style
                        .transform(FontTransform::Rotate270)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(err)?;
            } else {
                root.draw(&Text::new(
                    name.clone(),
                    (x + w / 2, l.top - 8),
                    style.pos(Pos::new(HPos::Center, VPos::Bottom)),
                ))
                .map_err(err)?;
            }
        }
        for (i, ((indent, _), (lines, y, h))) in self.rows.iter().zip(&l.rows).enumerate() {
            let style = if *indent == 0 { bold(TEXT) } else { font(TEXT) };
            let x = MARGIN + INDENT * *indent as i32;
            let first = y + h / 2 - (lines.len() as i32 - 1) * line_height(TEXT) / 2;
            for (k, line) in lines.iter().enumerate() {
                root.draw(&Text::new(
                    line.clone(),
                    (x, first + k as i32 * line_height(TEXT)),
                    left(style.clone()),
                ))
                .map_err(err)?;
            }
            for (j, cell) in self.cells.get(i).into_iter().flatten().enumerate() {
                let Some(&(cx, w)) = l.columns.get(j) else { break };
                let rect = [(cx + 1, y + 1), (cx + w - 1, y + h - 1)];
                let fill = match cell {
                    HeatmapCell::Value(v, _) => shade(*v),
                    HeatmapCell::Suppressed => SUPPRESSED,
                    HeatmapCell::Missing => WHITE,
                };
                root.draw(&Rectangle::new(rect, fill.filled())).map_err(err)?;
                let text = cell_text(cell, l.cell_text);
                if !text.is_empty() {
                    let dark = matches!(cell, HeatmapCell::Value(v, _) if *v > 0.55);
                    let colour = if dark { WHITE } else { INK };
                    root.draw(&Text::new(
                        text,
                        (cx + w / 2, y + h / 2),
                        font(SMALL).color(&colour).pos(Pos::new(HPos::Center, VPos::Center)),
                    ))
                    .map_err(err)?;
                }
            }
            root.draw(&PathElement::new(vec![(MARGIN, y + h), (grid_right, y + h)], GRID))
                .map_err(err)?;
        }
        if let Some(&(cx, w)) = self.highlight.and_then(|j| l.columns.get(j)) {
            let rect = [(cx - 1, l.top - 2), (cx + w + 1, bottom + 2)];
            root.draw(&Rectangle::new(rect, INK.stroke_width(3))).map_err(err)?;
        }

        // Legend: the colour scale from 0 to 100 %, then suppressed and missing cells.
        let ly = l.legend_top;
        for k in 0..=10 {
            let v = f64::from(k) / 10.0;
            let lx = MARGIN + k * SWATCH;
            root.draw(&Rectangle::new(
                [(lx, ly), (lx + SWATCH - 1, ly + SWATCH)],
                shade(v).filled(),
            ))
            .map_err(err)?;
        }
        let labels = self.cells.iter().flatten().filter_map(|c| match c {
            HeatmapCell::Value(_, label) => Some(label.as_str()),
            _ => None,
        });
        let ticks = percent_ticks(labels, 1);
        let scale_end = MARGIN + 11 * SWATCH;
        for (x, label, anchor) in [(MARGIN, &ticks[0].1, HPos::Left), (scale_end, &ticks[1].1, HPos::Right)] {
            root.draw(&Text::new(
                label.clone(),
                (x, ly + SWATCH + 4),
                font(SMALL).pos(Pos::new(anchor, VPos::Top)),
            ))
            .map_err(err)?;
        }
        let sx = scale_end + 36;
        root.draw(&Rectangle::new(
            [(sx, ly), (sx + SWATCH, ly + SWATCH)],
            SUPPRESSED.filled(),
        ))
        .map_err(err)?;
        let suppressed = format!("• {}", self.suppressed_label);
        root.draw(&Text::new(
            suppressed.clone(),
            (sx + SWATCH + 8, ly + SWATCH / 2),
            left(font(SMALL)),
        ))
        .map_err(err)?;
        let mx = sx + SWATCH + 8 + text_width(&suppressed, SMALL, false).ceil() as i32 + 28;
        root.draw(&Text::new(
            format!("– {}", self.missing_label),
            (mx, ly + SWATCH / 2),
            left(font(SMALL)),
        ))
        .map_err(err)?;
        Ok(())
    }
}
