//! Municipalities placed on two measures at once, each point labelled: e.g. a survey index against how often a theme
//! occurs in the interviews (mixed methods).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::style::{
    Axes, ChartError, Draw, OKABE_ITO_BLUE, OKABE_ITO_ORANGE, Rendered, SLIDE, bold, draw_axes, err, font, heading,
    render,
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

pub fn scatter(c: &Scatter) -> Result<Rendered, ChartError> {
    render(SLIDE, c)
}

impl Draw for Scatter {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let (w, h) = root.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let margin = 40;
        heading(root, &self.title, &self.subtitle)?;
        let (left, right, top, bottom) = (margin + 140, w - margin - 200, 170, h - margin - 100);
        let scale = |v: f64, (lo, hi): (f64, f64), a: i32, b: i32| {
            let t = ((v - lo) / (hi - lo).max(f64::MIN_POSITIVE)).clamp(0.0, 1.0);
            a + (t * f64::from(b - a)).round() as i32
        };
        let x_of = |x: f64| scale(x, self.x_range, left, right);
        let y_of = |y: f64| scale(y, self.y_range, bottom, top);
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
        for p in &self.points {
            let (px, py) = (x_of(p.x), y_of(p.y));
            let colour = if p.highlight { OKABE_ITO_BLUE } else { OKABE_ITO_ORANGE };
            root.draw(&Circle::new(
                (px, py),
                if p.highlight { 14 } else { 11 },
                colour.filled(),
            ))
            .map_err(err)?;
            let style = if p.highlight { bold(22.0) } else { font(22.0) };
            root.draw(&Text::new(
                p.label.clone(),
                (px + 18, py),
                style.pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}
