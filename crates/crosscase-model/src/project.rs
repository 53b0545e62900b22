//! The records of an interactive-research project: where, who, when, what was said, and how it was coded.

use std::fmt;
use std::str::FromStr;

use crate::date::Date;
use crate::ideas::{Headcount, Idea, IdeaEvent, IdeaStages};
use crate::survey::{Instrument, SurveyResponse};

/// The language of everything a workshop participant sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    Sv,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Sv => "sv",
            Language::En => "en",
        }
    }
}

impl FromStr for Language {
    type Err = String;

    fn from_str(s: &str) -> Result<Language, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sv" | "swedish" | "svenska" => Ok(Language::Sv),
            "en" | "english" | "engelska" => Ok(Language::En),
            other => Err(format!(
                "`{other}` is not a language crosscase writes: use `sv` or `en`"
            )),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Settings from `project.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectSettings {
    pub name: String,
    pub language: Language,
    /// The smallest number of participants behind any figure shown in feedback material.
    pub disclosure_threshold: u32,
    /// Sites are free identifiers rather than Swedish kommunkoder.
    pub free_site_ids: bool,
    /// Where a source was coded by several coders, prevalence counts this coder's codings.
    pub primary_coder: Option<String>,
    /// The stages of the project's idea-management records.
    pub idea_stages: IdeaStages,
}

impl ProjectSettings {
    pub const DEFAULT_DISCLOSURE_THRESHOLD: u32 = 5;

    pub fn new(name: impl Into<String>) -> ProjectSettings {
        ProjectSettings {
            name: name.into(),
            language: Language::Sv,
            disclosure_threshold: Self::DEFAULT_DISCLOSURE_THRESHOLD,
            free_site_ids: false,
            primary_coder: None,
            idea_stages: IdeaStages::default(),
        }
    }
}

/// A municipality (or, with `free_site_ids`, another kind of site) taking part in the project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Municipality {
    /// Four-digit kommunkod, or a free site id.
    pub code: String,
    pub name: String,
    pub line: u64,
}

/// An organisational unit inside a municipality, e.g. a department or a school.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub id: String,
    pub municipality: String,
    pub name: String,
    pub line: u64,
}

/// The role a participant holds in the municipal organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    TopManager,
    MiddleManager,
    FirstLineManager,
    Employee,
    Politician,
    Intermediary,
    Other,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::TopManager,
        Role::MiddleManager,
        Role::FirstLineManager,
        Role::Employee,
        Role::Politician,
        Role::Intermediary,
        Role::Other,
    ];

    /// The identifier used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::TopManager => "top_manager",
            Role::MiddleManager => "middle_manager",
            Role::FirstLineManager => "first_line_manager",
            Role::Employee => "employee",
            Role::Politician => "politician",
            Role::Intermediary => "intermediary",
            Role::Other => "other",
        }
    }

    pub fn label(self, language: Language) -> &'static str {
        match (self, language) {
            (Role::TopManager, Language::Sv) => "högsta chef",
            (Role::MiddleManager, Language::Sv) => "mellanchef",
            (Role::FirstLineManager, Language::Sv) => "första linjens chef",
            (Role::Employee, Language::Sv) => "medarbetare",
            (Role::Politician, Language::Sv) => "politiker",
            (Role::Intermediary, Language::Sv) => "intermediär",
            (Role::Other, Language::Sv) => "annan roll",
            (Role::TopManager, Language::En) => "top manager",
            (Role::MiddleManager, Language::En) => "middle manager",
            (Role::FirstLineManager, Language::En) => "first-line manager",
            (Role::Employee, Language::En) => "employee",
            (Role::Politician, Language::En) => "politician",
            (Role::Intermediary, Language::En) => "intermediary",
            (Role::Other, Language::En) => "other role",
        }
    }
}

impl FromStr for Role {
    type Err = String;

    /// Accepts the file identifiers and the English and Swedish labels.
    fn from_str(s: &str) -> Result<Role, String> {
        let key = s.trim().to_lowercase().replace([' ', '-'], "_");
        let role = match key.as_str() {
            "top_manager" | "högsta_chef" | "hogsta_chef" | "förvaltningschef" => Role::TopManager,
            "middle_manager" | "mellanchef" => Role::MiddleManager,
            "first_line_manager" | "första_linjens_chef" | "forsta_linjens_chef" | "enhetschef" => {
                Role::FirstLineManager
            }
            "employee" | "medarbetare" | "anställd" => Role::Employee,
            "politician" | "politiker" => Role::Politician,
            "intermediary" | "intermediär" | "intermediar" => Role::Intermediary,
            "other" | "annan" | "annan_roll" | "övrig" => Role::Other,
            _ => {
                return Err(format!(
                    "`{}` is not a role: use one of {}",
                    s.trim(),
                    Role::ALL.map(Role::as_str).join(", ")
                ));
            }
        };
        Ok(role)
    }
}

/// A person who took part, known only by a pseudonymous id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    pub id: String,
    pub municipality: String,
    pub unit: Option<String>,
    pub role: Role,
    pub line: u64,
}

/// A named data-collection period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wave {
    pub id: String,
    pub name: String,
    pub start: Date,
    pub end: Date,
    pub line: u64,
}

/// What kind of record a source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    Interview,
    Observation,
    Workshop,
    Document,
}

impl SourceKind {
    pub const ALL: [SourceKind; 4] = [
        SourceKind::Interview,
        SourceKind::Observation,
        SourceKind::Workshop,
        SourceKind::Document,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Interview => "interview",
            SourceKind::Observation => "observation",
            SourceKind::Workshop => "workshop",
            SourceKind::Document => "document",
        }
    }

    pub fn label(self, language: Language) -> &'static str {
        match (self, language) {
            (SourceKind::Interview, Language::Sv) => "intervju",
            (SourceKind::Observation, Language::Sv) => "observation",
            (SourceKind::Workshop, Language::Sv) => "workshop",
            (SourceKind::Document, Language::Sv) => "dokument",
            (SourceKind::Interview, Language::En) => "interview",
            (SourceKind::Observation, Language::En) => "observation",
            (SourceKind::Workshop, Language::En) => "workshop",
            (SourceKind::Document, Language::En) => "document",
        }
    }
}

impl FromStr for SourceKind {
    type Err = String;

    fn from_str(s: &str) -> Result<SourceKind, String> {
        let kind = match s.trim().to_lowercase().as_str() {
            "interview" | "intervju" => SourceKind::Interview,
            "observation" | "field_note" | "fältanteckning" => SourceKind::Observation,
            "workshop" | "workshop_note" => SourceKind::Workshop,
            "document" | "dokument" => SourceKind::Document,
            other => {
                return Err(format!(
                    "`{other}` is not a kind of source: use one of {}",
                    SourceKind::ALL.map(SourceKind::as_str).join(", ")
                ));
            }
        };
        Ok(kind)
    }
}

/// One record of field data: an interview transcript, an observation field note, a workshop note or a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub id: String,
    pub kind: SourceKind,
    pub municipality: String,
    pub unit: Option<String>,
    pub date: Option<Date>,
    pub wave: Option<String>,
    pub participants: Vec<String>,
    /// For observations: where it took place, e.g. "ledningsgruppsmöte".
    pub setting: Option<String>,
    pub duration_minutes: Option<u32>,
    pub title: Option<String>,
    /// The text, when the researchers provide it.
    pub text: Option<String>,
    pub line: u64,
}

/// A code of the codebook; `parent` makes the hierarchy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    pub id: String,
    pub parent: Option<String>,
    pub label_sv: String,
    pub label_en: String,
    pub description: Option<String>,
    /// `#rrggbb`.
    pub colour: Option<String>,
    /// `false` for a folder or category that only groups other codes (REFI-QDA's `isCodable="false"`, QualCoder's
    /// categories); its counts still roll up from its children.
    pub codable: bool,
    pub line: u64,
}

impl Code {
    pub fn label(&self, language: Language) -> &str {
        match language {
            Language::Sv => &self.label_sv,
            Language::En => &self.label_en,
        }
    }
}

/// A coded segment: `code` applied by `coder` to the code points `start..end` of a source's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coding {
    pub source: String,
    pub code: String,
    pub coder: String,
    /// Offset in Unicode code points, inclusive.
    pub start: u64,
    /// Offset in Unicode code points, exclusive.
    pub end: u64,
    pub quote: String,
    pub memo: Option<String>,
    pub line: u64,
}

/// A checked coding as a streaming ingest hands it to the store: its source and code by their position in the
/// project's lists, and its coder by the order in which coders first appeared, so that a million codings stream
/// without an allocation each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodingRow {
    /// Position in `Project::sources`.
    pub source: u32,
    /// Position in `Project::codes`.
    pub code: u32,
    /// Position in the coders named so far (see [`CodingBatch::new_coders`]).
    pub coder: u32,
    /// Offset in Unicode code points, inclusive.
    pub start: u64,
    /// Offset in Unicode code points, exclusive.
    pub end: u64,
    /// The quote as the file gives it, kept only for a source without a text (the store derives the others).
    pub quote: Option<String>,
    pub memo: Option<String>,
    pub line: u64,
}

/// Rows of codings, in file order, and the coders that rows of this batch name for the first time, in the order of
/// their numbers: a coder's number is the count of coders named in earlier batches and earlier in this one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodingBatch {
    pub rows: Vec<CodingRow>,
    pub new_coders: Vec<String>,
}

impl CodingBatch {
    pub fn with_capacity(rows: usize) -> CodingBatch {
        CodingBatch {
            rows: Vec::with_capacity(rows),
            new_coders: Vec::new(),
        }
    }

    /// Empties the batch, keeping what it allocated, so that it can be filled again.
    pub fn clear(&mut self) {
        self.rows.clear();
        self.new_coders.clear();
    }
}

/// A whole project as read from its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    pub settings: ProjectSettings,
    pub municipalities: Vec<Municipality>,
    pub units: Vec<Unit>,
    pub participants: Vec<Participant>,
    pub waves: Vec<Wave>,
    pub codes: Vec<Code>,
    pub sources: Vec<Source>,
    pub codings: Vec<Coding>,
    /// Idea-management records (optional files of the native format).
    pub ideas: Vec<Idea>,
    pub idea_events: Vec<IdeaEvent>,
    pub headcounts: Vec<Headcount>,
    /// Survey instruments (`surveys/<id>.toml`) and their responses (`surveys/<id>.csv`).
    pub instruments: Vec<Instrument>,
    pub survey_responses: Vec<SurveyResponse>,
    /// Named groups of sources from a QDA tool (MAXQDA's and ATLAS.ti's sets), kept for the way back.
    pub sets: Vec<SourceSet>,
}

/// A named group of sources, as QDA tools keep them (REFI-QDA's `Set` with `MemberSource`s).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceSet {
    pub name: String,
    /// Source ids.
    pub sources: Vec<String>,
}

impl Project {
    pub fn empty(settings: ProjectSettings) -> Project {
        Project {
            settings,
            municipalities: Vec::new(),
            units: Vec::new(),
            participants: Vec::new(),
            waves: Vec::new(),
            codes: Vec::new(),
            sources: Vec::new(),
            codings: Vec::new(),
            ideas: Vec::new(),
            idea_events: Vec::new(),
            headcounts: Vec::new(),
            instruments: Vec::new(),
            survey_responses: Vec::new(),
            sets: Vec::new(),
        }
    }
}

/// The tables of a project, each of which lives in one file of the native format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Settings,
    Municipalities,
    Units,
    Participants,
    Waves,
    Codebook,
    Sources,
    Codings,
    SourceText,
    Ideas,
    IdeaEvents,
    Headcounts,
}

impl Table {
    /// The files a project may leave out altogether: the idea-management records.
    pub const OPTIONAL_CSV: [Table; 3] = [Table::Ideas, Table::IdeaEvents, Table::Headcounts];

    pub const CSV: [Table; 7] = [
        Table::Municipalities,
        Table::Units,
        Table::Participants,
        Table::Waves,
        Table::Codebook,
        Table::Sources,
        Table::Codings,
    ];

    /// The file this table is read from in the native project format.
    pub fn file_name(self) -> &'static str {
        match self {
            Table::Settings => "project.toml",
            Table::Municipalities => "municipalities.csv",
            Table::Units => "units.csv",
            Table::Participants => "participants.csv",
            Table::Waves => "waves.csv",
            Table::Codebook => "codebook.csv",
            Table::Sources => "sources.csv",
            Table::Codings => "codings.csv",
            Table::SourceText => "texts/",
            Table::Ideas => "ideas.csv",
            Table::IdeaEvents => "idea_events.csv",
            Table::Headcounts => "headcounts.csv",
        }
    }

    /// The columns of the table's CSV file, in the order crosscase writes them.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Settings | Table::SourceText => &[],
            Table::Municipalities => &["kommunkod", "name"],
            Table::Units => &["unit_id", "kommunkod", "name"],
            Table::Participants => &["participant_id", "kommunkod", "unit_id", "role"],
            Table::Waves => &["wave_id", "name", "start", "end"],
            Table::Codebook => &["code_id", "parent_id", "label_sv", "label_en", "description", "colour"],
            Table::Sources => &[
                "source_id",
                "kind",
                "kommunkod",
                "unit_id",
                "date",
                "wave_id",
                "participants",
                "setting",
                "duration_min",
                "title",
                "text_file",
            ],
            Table::Codings => &["source_id", "code_id", "coder", "start", "end", "quote", "memo"],
            Table::Ideas => &[
                "idea_id",
                "kommunkod",
                "unit_id",
                "submitted",
                "wave_id",
                "codes",
                "title",
            ],
            Table::IdeaEvents => &["idea_id", "stage", "date"],
            Table::Headcounts => &["kommunkod", "unit_id", "employees"],
        }
    }

    /// The columns a file must have; the others may be left out.
    pub fn required_columns(self) -> &'static [&'static str] {
        match self {
            Table::Settings | Table::SourceText => &[],
            Table::Municipalities => &["kommunkod"],
            Table::Units => &["unit_id", "kommunkod"],
            Table::Participants => &["participant_id", "kommunkod", "role"],
            Table::Waves => &["wave_id", "start", "end"],
            Table::Codebook => &["code_id", "label_sv"],
            Table::Sources => &["source_id", "kind", "kommunkod"],
            Table::Codings => &["source_id", "code_id", "coder", "start", "end"],
            Table::Ideas => &["idea_id", "kommunkod", "submitted"],
            Table::IdeaEvents => &["idea_id", "stage", "date"],
            Table::Headcounts => &["kommunkod", "employees"],
        }
    }
}

/// One file a project was read from, recorded with its import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// Path relative to the project folder (or the imported file's name), with `/` separators.
    pub path: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    pub bytes: u64,
}
