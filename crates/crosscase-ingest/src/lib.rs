//! Readers of the formats crosscase takes in, and the writer of its own native project format.
//!
//! Only this crate parses input formats. Every reader collects all problems it can find and returns
//! them as [`Diagnostic`]s that name file, line and column, what is wrong and what to do.

pub mod audit;
mod diagnostic;
mod key;
pub mod native;
mod pseudonymisation;
mod pseudonymise;
pub mod qda;
mod quote_choices;
mod roster;
mod safe_file;
mod text_file;

pub use diagnostic::{Diagnostic, Diagnostics, shorten};
pub use key::{KeyError, PseudonymKey, hex, load_or_create_key};
pub use native::{
    CODING_BATCH, LoadedProject, OpenedProject, ProjectTables, ReadFiles, folder_is_free, init_project, open_project,
    open_tables, read_project, write_project,
};
pub use pseudonymisation::{Pseudonymisation, PseudonymisationError};
pub use pseudonymise::{PseudonymReport, Pseudonymiser, hmac_sha256};
pub use quote_choices::read_quote_choices;
pub use roster::read_roster;
