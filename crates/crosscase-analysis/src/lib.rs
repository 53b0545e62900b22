//! Comparisons of coded material across municipalities, computed in parallel with rayon (sources split for counting,
//! codes for tests), with result tables written as CSV, JSON lines or, through polars, Parquet.
//!
//! This crate does no file IO: it takes a [`crosscase_model::Corpus`] from the store and returns tables, which it can
//! serialise to any writer the caller opens.

mod agreement;
mod breakdown;
mod clusters;
mod cooccurrence;
mod data_table_json;
mod differences;
mod disclosure;
mod error;
mod grouped;
mod ideas;
mod json_rows;
pub mod pack;
mod prevalence;
pub mod stats;
mod survey;
mod table;
mod waves;

pub use agreement::{AgreementRow, agreement};
pub use breakdown::{Attribute, BreakdownRow, Count, breakdown};
pub use clusters::{Clusters, participant_clusters};
pub use cooccurrence::{CooccurrenceRow, cooccurrence};
pub use data_table_json::write_data_table_json_lines;
pub use differences::{
    ContrastRow, CountingUnit, DifferenceConfig, DifferenceRow, Differences, cluster_contrasts, differences,
    permutation_p, repeated_participants,
};
pub use disclosure::{Cell, DisclosedPrevalence, disclose_prevalence};
pub use error::AnalysisError;
pub use ideas::{
    ExitCensoring, Funnel, FunnelRow, IdeaAnalysis, IdeaConfig, IdeaGrouping, LogRankRow, MedianRow, SurvivalRow,
    analyse_ideas, compare_groups, employees, funnel, funnel_rows, idea_groups, implementation_times,
    time_to_implementation,
};
pub use json_rows::rows_from_json_lines;
pub use prevalence::{PrevalenceRow, prevalence};
pub use survey::{
    IndexRow, ItemRow, MixedRow, PrePostRow, SurveyAnalysis, SurveyConfig, SurveyGrouping, SurveyTestRow,
    analyse_survey, dimension_items, index, mixed_methods,
};
pub use table::{
    Labels, ResultTable, Row, TableCell, data_table_frame, defuse_formula, excel_sv_number, joined_integers,
    write_data_table_csv, write_data_table_parquet,
};
pub use waves::{WaveChangeRow, wave_changes};

#[cfg(test)]
mod simulation;
#[cfg(test)]
mod tests;
