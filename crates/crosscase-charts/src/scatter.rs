//! Municipalities placed on two measures at once, each point labelled: e.g. a survey index against how often a theme
//! occurs in the interviews (mixed methods).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::{
    Axes, ChartError, Draw, MARGIN, OKABE_ITO_BLUE, OKABE_ITO_ORANGE, Rendered, SMALL, WIDTH, X_AXIS_HEIGHT,
    Y_TITLE_HEIGHT, bold, draw_axes, err, font, heading, heading_height, left, render, subtitle_lines, text_width,
};

#[derive(Clone, Debug, PartialEq)]
pub struct ScatterPoint {
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub highlight: bool,
}

/// A labelled scatter chart; every string is already in the chart's language.
#[derive(Clone, Debug, PartialEq)]
pub struct Scatter {
    pub title: String,
    pub subtitle: String,
    pub x_label: String,
    pub y_label: String,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String)>,
    pub points: Vec<ScatterPoint>,
}

/// Draws the chart: a plot area of fixed proportions under its heading.
pub fn scatter(c: &Scatter) -> Result<Rendered, ChartError> {
    render(c)
}

/// The plot area's height: a little less than its width, so that neither measure looks stretched.
const PLOT_H: i32 = 480;

impl Scatter {
    fn top(&self) -> i32 {
        heading_height(subtitle_lines(&self.subtitle, WIDTH).len()) + Y_TITLE_HEIGHT
    }
}

impl Draw for Scatter {
    fn size(&self) -> (u32, u32) {
        (WIDTH, (self.top() + PLOT_H + X_AXIS_HEIGHT + MARGIN) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        heading(root, &self.title, &self.subtitle)?;
        let tick_w = self
            .y_ticks
            .iter()
            .map(|(_, l)| text_width(l, SMALL, false).ceil() as i32)
            .max()
            .unwrap_or(0);
        // Labels stand to the right of their points: the plot leaves room for the widest.
        let label_w = self
            .points
            .iter()
            .map(|p| text_width(&p.label, SMALL, p.highlight).ceil() as i32)
            .max()
            .unwrap_or(0)
            .min(200);
        let top = self.top();
        let (left_x, right, bottom) = (MARGIN + tick_w + 14, WIDTH as i32 - MARGIN - label_w - 16, top + PLOT_H);
        let scale = |v: f64, (lo, hi): (f64, f64), a: i32, b: i32| {
            let t = ((v - lo) / (hi - lo).max(f64::MIN_POSITIVE)).clamp(0.0, 1.0);
            a + (t * f64::from(b - a)).round() as i32
        };
        let x_of = |x: f64| scale(x, self.x_range, left_x, right);
        let y_of = |y: f64| scale(y, self.y_range, bottom, top);
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
        for p in &self.points {
            let (px, py) = (x_of(p.x), y_of(p.y));
            let colour = if p.highlight { OKABE_ITO_BLUE } else { OKABE_ITO_ORANGE };
            root.draw(&Circle::new((px, py), if p.highlight { 8 } else { 6 }, colour.filled()))
                .map_err(err)?;
            let style = if p.highlight { bold(SMALL) } else { font(SMALL) };
            root.draw(&Text::new(p.label.clone(), (px + 11, py), left(style)))
                .map_err(err)?;
        }
        Ok(())
    }
}
