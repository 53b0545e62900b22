//! The native project format: a folder with `project.toml`, one CSV file per table and source texts as `.txt`.
//!
//! The format is documented in `docs/project-format.md`.

mod csv_table;
mod quotes;
mod read;
mod surveys;
mod write;

pub use read::{
    CODING_BATCH, LoadedProject, OpenedProject, ProjectTables, ReadFiles, open_project, open_tables, read_project,
};
pub(crate) use read::{hex, line_column};
pub use surveys::SURVEY_DIR;
pub use write::{folder_is_free, init_project, write_project};

/// Separates the participant ids in the `participants` column of `sources.csv`.
pub const LIST_SEPARATOR: char = '|';

/// Where a source's text is looked for when `text_file` is empty.
pub fn default_text_path(source_id: &str) -> String {
    format!("texts/{source_id}.txt")
}

#[cfg(test)]
mod tests;
