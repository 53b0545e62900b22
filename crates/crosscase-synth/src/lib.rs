//! Synthetic projects, generated deterministically from a seed: the bundled demo (`data/demo`) and projects of
//! any size for benchmarks and scale tests. No real persons occur in them.
//!
//! Generators return model values; writing them to files is `crosscase-ingest`'s job.

mod demo;
mod ideas;
mod phrases;
mod scale;
mod surveys;

pub use demo::demo_project;
pub use scale::{ScaleConfig, scale_project};
