//! Domain types of crosscase and their validation: projects, municipalities, sources, codebooks and codings.
//!
//! This crate does no IO and knows nothing of SQLite, polars, plotters or clap.
//! Readers (`crosscase-ingest`) build a [`Project`] from files; the store and the analyses take it from here.

mod corpus;
mod data_table;
mod date;
pub mod format;
mod ideas;
mod kommun;
pub mod privacy;
mod project;
mod qda;
mod random;
mod survey;
mod text;
mod validate;
mod workshop;

pub use corpus::{CodingColumns, Corpus, ParticipantFacts, QuoteChoice, QuoteFacts, QuoteKey, SourceFacts};
pub use data_table::{Column, DataTable, Values};
pub use date::{Date, DateError, utc_timestamp};
pub use ideas::{Headcount, Idea, IdeaEvent, IdeaRecords, IdeaStages, stage_label};
pub use kommun::{Kommun, KommunRegister};
pub use privacy::{
    Finding, PersonalData, Roster, RosterPerson, Screen, ScreenedFields, find_personal_data, mask_personal_data,
};
pub use project::{
    Code, Coding, CodingBatch, CodingRow, InputFile, Language, Municipality, Participant, Project, ProjectSettings,
    Role, Source, SourceKind, SourceSet, Table, Unit, Wave,
};
pub use qda::{OffsetUnit, QdaCase, QdaCode, QdaCoding, QdaProject, QdaSelection, QdaSet, QdaSource, QdaUser};
pub use random::Rng;
pub use survey::{
    Dimension, Instrument, SurveyDesign, SurveyItem, SurveyProblem, SurveyRecords, SurveyResponse, check_instrument,
    check_responses,
};
pub use text::{CodePointIndex, SourceText, SourceTexts, slice_code_points, word_count};
pub use validate::{Checked, CodingChecker, CodingParts, Problem, QuoteKeeping, validate};
pub use workshop::{PastFinding, PastReaction, PastWorkshop, WorkshopRecords};
