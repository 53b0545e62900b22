//! Charts for comparisons and feedback material, drawn once with plotters as SVG (for print) and rasterised from that
//! SVG by resvg to PNG (for slides, at twice the SVG's size).
//!
//! This crate does no file IO: charts are returned as bytes. Text is laid out and rasterised with DejaVu Sans,
//! embedded from `data/fonts` and the only font the renderer knows, so that å, ä and ö render on a machine with no
//! fonts installed, and the same input gives byte-identical output. Every chart is 960 SVG pixels wide, with no text
//! below 9 pt when it is printed at the 17 cm text width of an A4 page; its height follows its rows.

mod bars;
mod curves;
mod dumbbell;
mod heatmap;
mod likert;
mod scatter;
mod style;
#[cfg(test)]
mod tests;

pub use bars::{BarGroup, ComparisonBars, comparison_bars};
pub use curves::{StepChart, StepCurve, step_chart};
pub use dumbbell::{Dumbbell, DumbbellRow, dumbbell};
pub use heatmap::{Heatmap, HeatmapCell, heatmap};
pub use likert::{LikertChart, LikertRow, likert_chart};
pub use scatter::{Scatter, ScatterPoint, scatter};
pub use style::{ChartError, Rendered, SLIDE};
