//! One municipality beside the others: paired horizontal bars per theme.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::style::{
    ChartError, Draw, GRID, MUTED, OKABE_ITO_BLUE, OKABE_ITO_ORANGE, Rendered, SLIDE, SUPPRESSED, err, fit, font,
    heading, render,
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

pub fn comparison_bars(c: &ComparisonBars) -> Result<Rendered, ChartError> {
    render(SLIDE, c)
}

impl Draw for ComparisonBars {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let (w, h) = root.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let margin = 40;
        heading(root, &self.title, &self.subtitle)?;

        // Legend.
        let ly = 140;
        let mut lx = margin;
        for (colour, label) in [
            (OKABE_ITO_BLUE, &self.this_label),
            (OKABE_ITO_ORANGE, &self.others_label),
        ] {
            root.draw(&Rectangle::new([(lx, ly - 12), (lx + 28, ly + 12)], colour.filled()))
                .map_err(err)?;
            root.draw(&Text::new(
                label.clone(),
                (lx + 38, ly),
                font(24.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            lx += 38 + root.estimate_text_size(label, &font(24.0)).map_err(err)?.0 as i32 + 48;
        }

        let top = 190;
        let label_w = 560;
        let x0 = margin + label_w;
        let value_w = 110;
        let bar_max = w - x0 - margin - value_w;
        let n = self.groups.len().max(1) as i32;
        let group_h = ((h - top - margin) / n).min(110);
        let bar_h = (group_h * 2 / 5).max(6);
        let label_font = (f64::from(group_h) * 0.3).clamp(12.0, 26.0);

        // Gridlines at every 20 %.
        for k in 0..=5 {
            let x = x0 + bar_max * k / 5;
            root.draw(&PathElement::new(vec![(x, top - 8), (x, top + n * group_h)], GRID))
                .map_err(err)?;
        }
        for (i, g) in self.groups.iter().enumerate() {
            let y = top + i as i32 * group_h;
            let label = fit(root, &g.label, &font(label_font), (label_w - 20) as u32);
            root.draw(&Text::new(
                label,
                (margin, y + group_h / 2),
                font(label_font).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            for (k, (value, colour)) in [(&g.this, OKABE_ITO_BLUE), (&g.others, OKABE_ITO_ORANGE)]
                .into_iter()
                .enumerate()
            {
                let by = y + group_h / 2 - bar_h + k as i32 * bar_h;
                match value {
                    Ok((v, text)) => {
                        let len = (f64::from(bar_max) * v.clamp(0.0, 1.0)).round() as i32;
                        root.draw(&Rectangle::new(
                            [(x0, by + 2), (x0 + len, by + bar_h - 2)],
                            colour.filled(),
                        ))
                        .map_err(err)?;
                        root.draw(&Text::new(
                            text.clone(),
                            (x0 + len + 10, by + bar_h / 2),
                            font(label_font * 0.85).pos(Pos::new(HPos::Left, VPos::Center)),
                        ))
                        .map_err(err)?;
                    }
                    Err(text) => {
                        root.draw(&Rectangle::new(
                            [(x0, by + 2), (x0 + 24, by + bar_h - 2)],
                            SUPPRESSED.filled(),
                        ))
                        .map_err(err)?;
                        root.draw(&Text::new(
                            text.clone(),
                            (x0 + 34, by + bar_h / 2),
                            font(label_font * 0.85)
                                .color(&MUTED)
                                .pos(Pos::new(HPos::Left, VPos::Center)),
                        ))
                        .map_err(err)?;
                    }
                }
            }
        }
        Ok(())
    }
}
