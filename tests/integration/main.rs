//! End-to-end tests: the real `crosscase` binary on real project folders and a real SQLite file on disk.
//!
//! One test binary for the whole package, since every test binary links polars.

mod bad_input;
mod browser;
mod cli;
mod demo;
mod disclosure;
mod qda;
mod robustness;
mod support;
mod tidy;
