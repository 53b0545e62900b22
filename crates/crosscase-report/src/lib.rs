//! Feedback material for workshops: per-municipality pages with charts, in Swedish or English.
//!
//! This crate writes files (pages, charts); it never prints. Other municipalities appear only as anonymous
//! letters, and every figure passes disclosure control first.

mod html;
mod ideas;
mod last_time;
mod overview;
mod page;
mod published;
mod quotes;
mod slides;
mod survey;
mod text;
mod waves;
mod xlsx;

pub use overview::{OverviewCharts, write_mixed_charts, write_overview_charts};
pub use page::{
    FeedbackConfig, FeedbackData, PackFinding, Progress, WorkshopSlides, WrittenPack, disclosed_matrices,
    disclosed_matrix, pack_findings, pack_folder_name, write_feedback,
};
pub use published::{PublishedError, read_published};
pub use quotes::{LeftOutQuote, ListedQuote, quote_candidates};
pub use xlsx::{result_workbook, workbook};

/// Errors while writing feedback material.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Chart(#[from] crosscase_charts::ChartError),
}

pub(crate) fn write_file(path: &std::path::Path, bytes: impl AsRef<[u8]>) -> Result<(), ReportError> {
    std::fs::write(path, bytes).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn create_dir(path: &std::path::Path) -> Result<(), ReportError> {
    std::fs::create_dir_all(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}
