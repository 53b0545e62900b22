//! Charts for comparisons and feedback material, drawn with plotters as SVG (for print) and PNG (for slides).
//!
//! This crate does no file IO: charts are returned as bytes. Text is drawn with DejaVu Sans, embedded from
//! `data/fonts`, so that å, ä and ö render on a machine with no fonts installed, and the same input gives
//! byte-identical output.

mod bars;
mod curves;
mod dumbbell;
mod heatmap;
mod likert;
mod scatter;
mod style;

pub use bars::{BarGroup, ComparisonBars, comparison_bars};
pub use curves::{StepChart, StepCurve, step_chart};
pub use dumbbell::{Dumbbell, DumbbellRow, dumbbell};
pub use heatmap::{Heatmap, HeatmapCell, heatmap};
pub use likert::{LikertChart, LikertRow, likert_chart};
pub use scatter::{Scatter, ScatterPoint, scatter};
pub use style::{ChartError, Rendered, SLIDE};
