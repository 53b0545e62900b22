//! Errors of the analyses.

#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("the computation failed in polars: {0}")]
    Polars(#[from] polars::error::PolarsError),
    #[error("{0}")]
    Input(String),
    #[error("cannot write the results: {0}")]
    Io(#[from] std::io::Error),
}
