//! End-to-end tests: the real `crosscase` binary on real project folders and a real SQLite file on disk.
//!
//! One test binary for the whole package, since every test binary links polars.

mod bad_input;
mod browser;
mod cli;
mod conclusions;
mod concurrency;
mod demo;
mod disclosure;
mod native_input;
mod privacy;
mod qda;
mod qda_placement;
mod qda_real;
mod quotes;
mod robustness;
mod runs;
mod statistics;
mod support;
mod tables;
mod tidy;
mod workshop;
