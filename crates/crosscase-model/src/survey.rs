//! Survey instruments and their responses: manager surveys of innovation capability over waves, and pre/post
//! evaluations of training, on Likert-type scales.

use crate::project::{Language, Role};

/// When an instrument's respondents answered: in the project's waves, or before and after a training.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SurveyDesign {
    /// The `wave` of a response is a wave id of `waves.csv`.
    Waves,
    /// The `wave` of a response is `pre` or `post`.
    PrePost,
}

impl SurveyDesign {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyDesign::Waves => "waves",
            SurveyDesign::PrePost => "pre_post",
        }
    }
}

/// A group of items measuring one thing, e.g. leadership support; its index is the mean of its items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dimension {
    pub id: String,
    pub label_sv: String,
    pub label_en: String,
}

impl Dimension {
    pub fn label(&self, language: Language) -> &str {
        match language {
            Language::Sv => &self.label_sv,
            Language::En => &self.label_en,
        }
    }
}

/// One question of an instrument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyItem {
    pub id: String,
    pub text_sv: String,
    pub text_en: String,
    /// The dimension the item belongs to, if any.
    pub dimension: Option<String>,
    /// Agreement means less of what the dimension measures; the value is turned around (min + max − v) for indices.
    pub reverse: bool,
}

impl SurveyItem {
    pub fn text(&self, language: Language) -> &str {
        match language {
            Language::Sv => &self.text_sv,
            Language::En => &self.text_en,
        }
    }
}

/// A survey instrument, read from `surveys/<id>.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instrument {
    pub id: String,
    pub name_sv: String,
    pub name_en: String,
    pub design: SurveyDesign,
    /// The lowest and highest scale value, e.g. 1 and 5.
    pub scale_min: u8,
    pub scale_max: u8,
    /// A label for each scale step, lowest first.
    pub labels_sv: Vec<String>,
    pub labels_en: Vec<String>,
    /// Answers that are not scale values ("vet ej", "ej svar"), compared without regard to case.
    pub missing: Vec<String>,
    pub dimensions: Vec<Dimension>,
    pub items: Vec<SurveyItem>,
}

impl Instrument {
    pub fn name(&self, language: Language) -> &str {
        match language {
            Language::Sv => &self.name_sv,
            Language::En => &self.name_en,
        }
    }

    pub fn labels(&self, language: Language) -> &[String] {
        match language {
            Language::Sv => &self.labels_sv,
            Language::En => &self.labels_en,
        }
    }

    /// The number of scale steps.
    pub fn steps(&self) -> usize {
        usize::from(self.scale_max.saturating_sub(self.scale_min)) + 1
    }

    /// A value as it counts towards an index: turned around for a reverse-coded item.
    pub fn scored(&self, item: &SurveyItem, value: u8) -> u8 {
        if item.reverse {
            self.scale_min + self.scale_max - value
        } else {
            value
        }
    }

    /// The values counted as agreement in the top-two-box share: the two highest steps.
    pub fn top_two(&self, value: u8) -> bool {
        value + 1 >= self.scale_max
    }

    /// Whether `answer` is one of the instrument's "no answer" codes.
    pub fn is_missing_code(&self, answer: &str) -> bool {
        let answer = answer.trim().to_lowercase();
        self.missing.iter().any(|m| m.trim().to_lowercase() == answer)
    }
}

/// One respondent's answers to one instrument on one occasion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyResponse {
    pub instrument: String,
    /// A pseudonym, the same for the same person across waves or before and after.
    pub respondent: String,
    pub municipality: String,
    pub role: Option<Role>,
    /// A wave id, or `pre` / `post`.
    pub wave: String,
    /// One value per item of the instrument, in its order; `None` for no answer or a "don't know".
    pub values: Vec<Option<u8>>,
    pub line: u64,
}

/// The instruments and responses of a project, as the store gives them to the analyses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SurveyRecords {
    pub instruments: Vec<Instrument>,
    pub responses: Vec<SurveyResponse>,
}

/// A problem in an instrument (line 0: its settings file) or in its responses file (line and column name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyProblem {
    pub line: u64,
    pub field: Option<String>,
    pub message: String,
    pub help: String,
}

impl SurveyProblem {
    fn new(line: u64, field: Option<&str>, message: String, help: impl Into<String>) -> SurveyProblem {
        SurveyProblem {
            line,
            field: field.map(str::to_string),
            message,
            help: help.into(),
        }
    }
}

/// Checks an instrument on its own: its scale, labels, items and dimensions.
pub fn check_instrument(instrument: &Instrument) -> Vec<SurveyProblem> {
    let mut problems = Vec::new();
    let mut push = |field: &str, message: String, help: &str| {
        problems.push(SurveyProblem::new(0, Some(field), message, help));
    };
    if instrument.scale_min >= instrument.scale_max {
        push(
            "scale",
            format!(
                "the scale runs from {} to {}, which is no scale",
                instrument.scale_min, instrument.scale_max
            ),
            "write the lowest and the highest value, e.g. `scale = [1, 5]`",
        );
    } else {
        for (field, labels) in [
            ("labels_sv", &instrument.labels_sv),
            ("labels_en", &instrument.labels_en),
        ] {
            // English labels left out default to the Swedish ones, which are reported already.
            let repeated = field == "labels_en" && instrument.labels_en == instrument.labels_sv;
            if !repeated && !labels.is_empty() && labels.len() != instrument.steps() {
                push(
                    field,
                    format!(
                        "{} labels for a scale of {} steps ({} to {})",
                        labels.len(),
                        instrument.steps(),
                        instrument.scale_min,
                        instrument.scale_max
                    ),
                    "give one label per scale step, lowest first",
                );
            }
        }
    }
    if instrument.items.is_empty() {
        push(
            "items",
            "the instrument has no items".into(),
            "add [[items]] with id, text_sv and text_en",
        );
    }
    let mut seen = std::collections::HashSet::new();
    for d in &instrument.dimensions {
        if !seen.insert(d.id.as_str()) {
            push(
                "dimensions",
                format!("dimension `{}` is listed twice", d.id),
                "give every dimension its own id",
            );
        }
    }
    let mut items = std::collections::HashSet::new();
    for item in &instrument.items {
        if item.id.trim().is_empty() || !items.insert(item.id.to_lowercase()) {
            push(
                "items",
                format!("item `{}` is empty or listed twice", item.id),
                "give every item its own id; it is the column name in the responses file",
            );
        }
        if let Some(d) = &item.dimension
            && !seen.contains(d.as_str())
        {
            push(
                "items",
                format!("item `{}` belongs to dimension `{d}`, which is not listed", item.id),
                "add the dimension under [[dimensions]], or correct the item's dimension",
            );
        }
    }
    problems
}

/// Checks the responses of one instrument against the project: municipalities, waves (or `pre`/`post`), and that
/// no respondent answers twice on one occasion.
pub fn check_responses(
    project: &crate::Project,
    instrument: &Instrument,
    responses: &[&SurveyResponse],
) -> Vec<SurveyProblem> {
    let mut problems = Vec::new();
    let municipalities: std::collections::HashSet<&str> =
        project.municipalities.iter().map(|m| m.code.as_str()).collect();
    let mut first: std::collections::HashMap<(&str, &str), u64> = std::collections::HashMap::new();
    for r in responses {
        if r.respondent.trim().is_empty() {
            problems.push(SurveyProblem::new(
                r.line,
                Some("respondent"),
                "`respondent` is empty".into(),
                "give every respondent a pseudonym, the same in every wave",
            ));
        }
        if !municipalities.contains(r.municipality.as_str()) {
            problems.push(SurveyProblem::new(
                r.line,
                Some("kommunkod"),
                format!("municipality `{}` is not in municipalities.csv", r.municipality),
                format!(
                    "add `{}` to municipalities.csv, or correct the kommunkod",
                    r.municipality
                ),
            ));
        }
        match instrument.design {
            SurveyDesign::Waves if !project.waves.iter().any(|w| w.id == r.wave) => problems.push(SurveyProblem::new(
                r.line,
                Some("wave"),
                format!("wave `{}` is not in waves.csv", r.wave),
                "use a wave_id of waves.csv; a training evaluation uses `pre` and `post` with `design = \"pre_post\"`",
            )),
            SurveyDesign::PrePost if r.wave != "pre" && r.wave != "post" => problems.push(SurveyProblem::new(
                r.line,
                Some("wave"),
                format!("`{}` is neither `pre` nor `post`", r.wave),
                "an instrument with `design = \"pre_post\"` has answers from before (`pre`) and after (`post`)",
            )),
            _ => {}
        }
        if let Some(&line) = first.get(&(r.respondent.as_str(), r.wave.as_str())) {
            problems.push(SurveyProblem::new(
                r.line,
                Some("respondent"),
                format!(
                    "respondent `{}` answered twice in `{}` (first on line {line})",
                    r.respondent, r.wave
                ),
                "keep one row per respondent and wave, or give the second person their own pseudonym",
            ));
        } else {
            first.insert((r.respondent.as_str(), r.wave.as_str()), r.line);
        }
    }
    problems
}
