//! Idea-management records: ideas submitted through a municipality's "idea sluice", the stages each idea reached,
//! and head counts for rates.

use crate::date::Date;
use crate::project::Language;

/// The stages an idea moves through, configurable per project in `project.toml` (`[ideas]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdeaStages {
    /// The stages of progress, in order; reaching one means having passed the ones before it.
    pub progress: Vec<String>,
    /// Stages that end an idea without progress (rejected, withdrawn).
    pub exits: Vec<String>,
    /// The stage of progress that counts as "in practice": the event of the time-to-implementation analysis.
    pub implemented: String,
    /// When the records were collected: ideas not yet implemented are followed up to this date. When `None`, the
    /// latest date in the records is used.
    pub observed_until: Option<Date>,
}

impl Default for IdeaStages {
    fn default() -> IdeaStages {
        IdeaStages {
            progress: ["submitted", "assessed", "tested", "implemented", "spread"]
                .map(str::to_string)
                .to_vec(),
            exits: ["rejected", "withdrawn"].map(str::to_string).to_vec(),
            implemented: "implemented".to_string(),
            observed_until: None,
        }
    }
}

impl IdeaStages {
    /// The position of a stage of progress.
    pub fn rank(&self, stage: &str) -> Option<usize> {
        self.progress.iter().position(|s| s == stage)
    }

    pub fn is_exit(&self, stage: &str) -> bool {
        self.exits.iter().any(|s| s == stage)
    }

    /// Every stage, progress first.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.progress.iter().chain(&self.exits).map(String::as_str)
    }
}

/// How a stage is called in feedback material: the standard stages in Swedish and English, others by their id.
pub fn stage_label(stage: &str, language: Language) -> String {
    let known = match (stage, language) {
        ("submitted", Language::Sv) => "inlämnad",
        ("assessed", Language::Sv) => "bedömd",
        ("tested", Language::Sv) => "testad",
        ("implemented", Language::Sv) => "införd",
        ("spread", Language::Sv) => "spridd",
        ("rejected", Language::Sv) => "avslagen",
        ("withdrawn", Language::Sv) => "återtagen",
        ("submitted", Language::En) => "submitted",
        ("assessed", Language::En) => "assessed",
        ("tested", Language::En) => "tested",
        ("implemented", Language::En) => "implemented",
        ("spread", Language::En) => "spread",
        ("rejected", Language::En) => "rejected",
        ("withdrawn", Language::En) => "withdrawn",
        _ => return stage.replace('_', " "),
    };
    known.to_string()
}

/// An idea as submitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idea {
    pub id: String,
    pub municipality: String,
    pub unit: Option<String>,
    pub submitted: Date,
    /// The wave it belongs to: given, or the wave whose period holds the submission date.
    pub wave: Option<String>,
    /// Theme codes from the project's codebook.
    pub codes: Vec<String>,
    pub title: Option<String>,
    pub line: u64,
}

/// An idea reaching a stage on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdeaEvent {
    pub idea: String,
    pub stage: String,
    pub date: Date,
    pub line: u64,
}

/// The number of employees of a municipality, or of one of its units, for ideas per 100 employees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Headcount {
    pub municipality: String,
    pub unit: Option<String>,
    pub employees: u32,
    pub line: u64,
}

/// The idea records of a project, as the store gives them to the analyses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdeaRecords {
    pub stages: IdeaStages,
    pub ideas: Vec<Idea>,
    pub events: Vec<IdeaEvent>,
    pub headcounts: Vec<Headcount>,
}

impl IdeaRecords {
    /// The end of follow-up: the configured date, or the latest date in the records.
    pub fn observed_until(&self) -> Option<Date> {
        self.stages.observed_until.or_else(|| {
            let submitted = self.ideas.iter().map(|i| i.submitted);
            let events = self.events.iter().map(|e| e.date);
            submitted.chain(events).max()
        })
    }
}
