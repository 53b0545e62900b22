//! One municipality beside the others: paired horizontal bars per theme, on a percent axis.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::style::{
    ChartError, Draw, GRID, INK, MARGIN, MUTED, OKABE_ITO_BLUE, OKABE_ITO_ORANGE, Rendered, SMALL, SUPPRESSED, TEXT,
    WIDTH, err, fit, font, heading, heading_height, left, legend, legend_height, line_height, percent_ticks, render,
    square, subtitle_lines, text_width, wrap,
};

/// One theme: this municipality's value and the others', each a share in 0–1 with its formatted label,
/// or `None` with the text to show instead (suppressed, no data).
#[derive(Clone, Debug, PartialEq)]
pub struct BarGroup {
    pub label: String,
    pub this: Result<(f64, String), String>,
    pub others: Result<(f64, String), String>,
}

/// A bar chart; every string is already in the chart's language.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonBars {
    pub title: String,
    pub subtitle: String,
    pub this_label: String,
    pub others_label: String,
    pub groups: Vec<BarGroup>,
}

/// Draws the chart; its height follows the number of groups.
pub fn comparison_bars(c: &ComparisonBars) -> Result<Rendered, ChartError> {
    render(c)
}

/// The width of the label column and the height of one bar.
const LABEL_W: i32 = 300;
const BAR_H: i32 = 20;
/// Space between groups.
const GROUP_GAP: i32 = 14;

/// Where everything goes; computed once for the size and again for drawing.
struct Layout {
    top: i32,
    x0: i32,
    bar_max: i32,
    /// Each group's label lines and height.
    groups: Vec<(Vec<String>, i32)>,
    height: i32,
}

impl ComparisonBars {
    fn layout(&self) -> Layout {
        let legend_items = self.legend_items();
        let top = heading_height(subtitle_lines(&self.subtitle, WIDTH).len())
            + legend_height(WIDTH, &legend_items)
            + 8
            + line_height(SMALL)
            + 6;
        let x0 = MARGIN + LABEL_W;
        // The value labels stand after the bars' ends: the bars leave room for the widest of them.
        let value_w = self
            .groups
            .iter()
            .flat_map(|g| [&g.this, &g.others])
            .filter_map(|v| v.as_ref().ok())
            .map(|(_, text)| text_width(text, SMALL, false).ceil() as i32 + 10)
            .max()
            .unwrap_or(0)
            .max(text_width("100 %", SMALL, false).ceil() as i32 / 2 + 4);
        let bar_max = WIDTH as i32 - MARGIN - x0 - value_w;
        let groups: Vec<(Vec<String>, i32)> = self
            .groups
            .iter()
            .map(|g| {
                let lines = wrap(&g.label, TEXT, false, f64::from(LABEL_W - 16), 2);
                let h = (2 * BAR_H).max(lines.len() as i32 * line_height(TEXT)) + GROUP_GAP;
                (lines, h)
            })
            .collect();
        let height = top + groups.iter().map(|g| g.1).sum::<i32>().max(2 * BAR_H + GROUP_GAP) + MARGIN;
        Layout {
            top,
            x0,
            bar_max,
            groups,
            height,
        }
    }

    fn legend_items(&self) -> [(RGBColor, &str); 2] {
        [
            (OKABE_ITO_BLUE, self.this_label.as_str()),
            (OKABE_ITO_ORANGE, self.others_label.as_str()),
        ]
    }
}

impl Draw for ComparisonBars {
    fn size(&self) -> (u32, u32) {
        (WIDTH, self.layout().height as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let Layout {
            top,
            x0,
            bar_max,
            groups,
            ..
        } = self.layout();
        let y = heading(root, &self.title, &self.subtitle)?;
        legend(root, y, &self.legend_items(), square)?;
        let bottom = top + groups.iter().map(|g| g.1).sum::<i32>();

        // The value axis: a grid line and a percent label every 20 %, above the bars.
        let labels = self
            .groups
            .iter()
            .flat_map(|g| [&g.this, &g.others])
            .filter_map(|v| v.as_ref().ok())
            .map(|(_, text)| text.as_str());
        for (v, label) in percent_ticks(labels, 5) {
            let x = x0 + (f64::from(bar_max) * v).round() as i32;
            root.draw(&PathElement::new(vec![(x, top - 4), (x, bottom)], GRID))
                .map_err(err)?;
            root.draw(&Text::new(
                label,
                (x, top - 8),
                font(SMALL).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))
            .map_err(err)?;
        }

        let mut y = top;
        for (g, (lines, group_h)) in self.groups.iter().zip(&groups) {
            let middle = y + (group_h - GROUP_GAP) / 2 + GROUP_GAP / 2;
            let first = middle - (lines.len() as i32 - 1) * line_height(TEXT) / 2;
            for (k, line) in lines.iter().enumerate() {
                root.draw(&Text::new(
                    line.clone(),
                    (MARGIN, first + k as i32 * line_height(TEXT)),
                    left(font(TEXT)),
                ))
                .map_err(err)?;
            }
            for (k, (value, colour)) in [(&g.this, OKABE_ITO_BLUE), (&g.others, OKABE_ITO_ORANGE)]
                .into_iter()
                .enumerate()
            {
                let by = middle - BAR_H + k as i32 * BAR_H;
                match value {
                    Ok((v, text)) => {
                        let len = (f64::from(bar_max) * v.clamp(0.0, 1.0)).round() as i32;
                        root.draw(&Rectangle::new(
                            [(x0, by + 1), (x0 + len, by + BAR_H - 1)],
                            colour.filled(),
                        ))
                        .map_err(err)?;
                        root.draw(&Text::new(
                            text.clone(),
                            (x0 + len + 6, by + BAR_H / 2),
                            left(font(SMALL)),
                        ))
                        .map_err(err)?;
                    }
                    Err(text) => {
                        root.draw(&Rectangle::new(
                            [(x0, by + 1), (x0 + 16, by + BAR_H - 1)],
                            SUPPRESSED.filled(),
                        ))
                        .map_err(err)?;
                        let room = f64::from(WIDTH as i32 - MARGIN - x0 - 22);
                        root.draw(&Text::new(
                            fit(text, SMALL, false, room),
                            (x0 + 22, by + BAR_H / 2),
                            left(font(SMALL).color(&MUTED)),
                        ))
                        .map_err(err)?;
                    }
                }
            }
            y += group_h;
        }
        root.draw(&PathElement::new(vec![(x0, top - 4), (x0, bottom)], INK))
            .map_err(err)?;
        Ok(())
    }
}
