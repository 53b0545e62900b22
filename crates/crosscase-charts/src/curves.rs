//! Step curves over time, such as the cumulative share of ideas implemented (one minus a Kaplan–Meier curve):
//! one highlighted group against the others, with axes whose tick labels the caller has formatted.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::style::{
    Axes, CATEGORICAL, ChartError, Draw, MARGIN, MUTED, OKABE_ITO_BLUE, Rendered, SMALL, TEXT, WIDTH, X_AXIS_HEIGHT,
    Y_TITLE_HEIGHT, bold, draw_axes, err, fit, font, heading, heading_height, left, line_height, render,
    subtitle_lines, text_width,
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

/// Draws the chart: a plot area of fixed proportions under its heading, taller only when the legend needs it.
pub fn step_chart(c: &StepChart) -> Result<Rendered, ChartError> {
    render(c)
}

const PLOT_H: i32 = 420;
/// The legend to the right of the plot: a line sample and the label.
const LEGEND_SAMPLE: i32 = 24 + 36;
const MAX_LEGEND_W: i32 = 340;
const LEGEND_LINE: i32 = 28;

impl StepChart {
    fn top(&self) -> i32 {
        heading_height(subtitle_lines(&self.subtitle, WIDTH).len()) + Y_TITLE_HEIGHT
    }

    /// As wide as the longest label needs, up to `MAX_LEGEND_W`.
    fn legend_w(&self) -> i32 {
        let widest = self
            .curves
            .iter()
            .map(|c| text_width(&c.label, SMALL, c.highlight).ceil() as i32)
            .max()
            .unwrap_or(0);
        (widest + LEGEND_SAMPLE).clamp(160, MAX_LEGEND_W)
    }

    /// The plot is as tall as the legend beside it, and at least `PLOT_H`.
    fn plot_h(&self) -> i32 {
        PLOT_H.max(self.curves.len() as i32 * LEGEND_LINE)
    }
}

impl Draw for StepChart {
    fn size(&self) -> (u32, u32) {
        (WIDTH, (self.top() + self.plot_h() + X_AXIS_HEIGHT + MARGIN) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        heading(root, &self.title, &self.subtitle)?;
        let tick_w = self
            .y_ticks
            .iter()
            .map(|(_, l)| text_width(l, SMALL, false).ceil() as i32)
            .max()
            .unwrap_or(0);
        let top = self.top();
        let (left_x, right, bottom) = (
            MARGIN + tick_w + 14,
            WIDTH as i32 - MARGIN - self.legend_w(),
            top + self.plot_h(),
        );
        let x_of = |x: f64| {
            left_x
                + ((x / self.x_max.max(f64::MIN_POSITIVE)).clamp(0.0, 1.0) * f64::from(right - left_x)).round() as i32
        };
        let y_of = |y: f64| bottom - (y.clamp(0.0, 1.0) * f64::from(bottom - top)).round() as i32;

        draw_axes(
            root,
            &Axes {
                left: left_x,
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
                ((left_x + right) / 2, (top + bottom) / 2),
                font(TEXT).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
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
            let width = if c.highlight { 4 } else { 2 };
            root.draw(&PathElement::new(path, colour_of(*i, c).stroke_width(width)))
                .map_err(err)?;
        }
        // Legend on the right, one line per curve, highlighted curve first.
        let lx = right + 24;
        let mut legend: Vec<(usize, &StepCurve)> = self.curves.iter().enumerate().collect();
        legend.sort_by_key(|(_, c)| !c.highlight);
        for (k, (i, c)) in legend.iter().enumerate() {
            let ly = top + k as i32 * LEGEND_LINE + line_height(SMALL) / 2;
            let width = if c.highlight { 4 } else { 2 };
            root.draw(&PathElement::new(
                vec![(lx, ly), (lx + 28, ly)],
                colour_of(*i, c).stroke_width(width),
            ))
            .map_err(err)?;
            let style = if c.highlight { bold(SMALL) } else { font(SMALL) };
            root.draw(&Text::new(
                fit(&c.label, SMALL, c.highlight, f64::from(self.legend_w() - LEGEND_SAMPLE)),
                (lx + 36, ly),
                left(style),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}
