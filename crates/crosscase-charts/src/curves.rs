//! Step curves over time, such as the cumulative share of ideas implemented (one minus a Kaplan–Meier curve):
//! one highlighted group against the others, with axes whose tick labels the caller has formatted.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::style::{
    Axes, CATEGORICAL, ChartError, Draw, MUTED, OKABE_ITO_BLUE, Rendered, SLIDE, bold, draw_axes, err, fit, font,
    heading, render,
};

/// One curve: `(x, y)` corners of a step function that holds each `y` until the next `x`.
#[derive(Clone, Debug, PartialEq)]
pub struct StepCurve {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    /// Drawn thick in blue; the others take the categorical palette in turn.
    pub highlight: bool,
}

/// A chart of step curves; every string is already in the chart's language.
#[derive(Clone, Debug, PartialEq)]
pub struct StepChart {
    pub title: String,
    pub subtitle: String,
    pub x_label: String,
    pub y_label: String,
    /// The x axis runs from 0 to `x_max`; the y axis from 0 to 1.
    pub x_max: f64,
    /// Tick positions with their labels.
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String)>,
    pub curves: Vec<StepCurve>,
    /// Shown instead of the curves when there are none.
    pub empty_label: String,
}

pub fn step_chart(c: &StepChart) -> Result<Rendered, ChartError> {
    render(SLIDE, c)
}

impl Draw for StepChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let (w, h) = root.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let margin = 40;
        heading(root, &self.title, &self.subtitle)?;

        // Legend on the right, one line per curve, highlighted curve first.
        let legend_w = 420;
        let (left, top) = (margin + 130, 150);
        let (right, bottom) = (w - margin - legend_w, h - margin - 90);
        let x_of = |x: f64| {
            left + ((x / self.x_max.max(f64::MIN_POSITIVE)).clamp(0.0, 1.0) * f64::from(right - left)).round() as i32
        };
        let y_of = |y: f64| bottom - (y.clamp(0.0, 1.0) * f64::from(bottom - top)).round() as i32;

        draw_axes(
            root,
            &Axes {
                left,
                right,
                top,
                bottom,
                x_ticks: self.x_ticks.iter().map(|(x, l)| (x_of(*x), l.as_str())).collect(),
                y_ticks: self.y_ticks.iter().map(|(y, l)| (y_of(*y), l.as_str())).collect(),
                x_label: &self.x_label,
                y_label: &self.y_label,
            },
        )?;

        if self.curves.is_empty() {
            root.draw(&Text::new(
                self.empty_label.clone(),
                ((left + right) / 2, (top + bottom) / 2),
                font(28.0).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(err)?;
            return Ok(());
        }

        // The others first, so that the highlighted curve is drawn on top of them.
        let mut order: Vec<(usize, &StepCurve)> = self.curves.iter().enumerate().collect();
        order.sort_by_key(|(_, c)| c.highlight);
        let colour_of = |i: usize, c: &StepCurve| {
            if c.highlight {
                OKABE_ITO_BLUE
            } else {
                let others = self.curves[..i].iter().filter(|c| !c.highlight).count();
                CATEGORICAL[others % CATEGORICAL.len()]
            }
        };
        for (i, c) in &order {
            let mut path = Vec::with_capacity(c.points.len() * 2);
            let mut last_y = None;
            for &(x, y) in &c.points {
                if let Some(prev) = last_y {
                    path.push((x_of(x), y_of(prev)));
                }
                path.push((x_of(x), y_of(y)));
                last_y = Some(y);
            }
            let width = if c.highlight { 6 } else { 3 };
            root.draw(&PathElement::new(path, colour_of(*i, c).stroke_width(width)))
                .map_err(err)?;
        }
        let lx = right + 40;
        let line_h = ((bottom - top) / self.curves.len().max(1) as i32).min(44);
        let mut legend: Vec<(usize, &StepCurve)> = self.curves.iter().enumerate().collect();
        legend.sort_by_key(|(_, c)| !c.highlight);
        for (k, (i, c)) in legend.iter().enumerate() {
            let ly = top + k as i32 * line_h + line_h / 2;
            let width = if c.highlight { 6 } else { 3 };
            root.draw(&PathElement::new(
                vec![(lx, ly), (lx + 40, ly)],
                colour_of(*i, c).stroke_width(width),
            ))
            .map_err(err)?;
            let style = if c.highlight { bold(24.0) } else { font(22.0) };
            root.draw(&Text::new(
                fit(root, &c.label, &style, (legend_w - 100) as u32),
                (lx + 52, ly),
                style.pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}
