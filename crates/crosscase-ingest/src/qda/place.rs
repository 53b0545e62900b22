//! From exchange files to a crosscase [`Project`]: codes get ids from their path of names, sources are placed in
//! municipalities (and units, waves, kinds, dates) from variables, cases, sets or the mapping file, participants come
//! from cases with a role, and every selection is converted to code points and checked against its text.
//! Several files of the same project (two coders' exports) merge: sources by name and identical text, codes by path.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crosscase_model::{
    Code, CodePointIndex, Coding, Date, KommunRegister, Language, Municipality, Participant, Project, ProjectSettings,
    QdaProject, QdaSource, Role, Source, SourceKind, SourceSet, Unit, Wave,
};
use serde::Serialize;

use super::mapping::{Mapping, toml_key};
use super::offsets::{self, Raw};
use super::same_text::Normalised;
use crate::diagnostic::shorten;
use crate::{Diagnostic, Diagnostics};

/// What an import did, printed as one JSON object by `crosscase import --format json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ImportSummary {
    pub files: Vec<String>,
    pub origin: Vec<String>,
    pub sources: u64,
    pub codes: u64,
    pub codings: u64,
    pub coders: u64,
    /// Every selection was checked against its text; this many lie inside it.
    pub selections_checked: u64,
    /// Selections whose positions changed on conversion to code points.
    pub selections_converted: u64,
    /// Zero-length selections, which code nothing and are left out.
    pub selections_empty: u64,
    /// Selections without any coding (annotations), left out.
    pub annotations_left_out: u64,
    /// The unit each source's positions were read in → number of sources.
    pub offset_units: BTreeMap<String, u64>,
    /// kommunkod → number of sources.
    pub municipalities: BTreeMap<String, u64>,
    pub participants: u64,
    /// Sources without plain text (pictures, audio, video), left out.
    pub skipped_sources: Vec<String>,
    /// Things the researcher should know: defaults taken, units chosen from the text.
    pub notes: Vec<String>,
}

/// Keys (lower case) under which tools and researchers name each attribute.
const MUNICIPALITY_KEYS: &[&str] = &[
    "kommun",
    "kommunkod",
    "municipality",
    "kommunnamn",
    "site",
    "kommun_kod",
];
const UNIT_KEYS: &[&str] = &[
    "unit",
    "unit_id",
    "enhet",
    "förvaltning",
    "forvaltning",
    "department",
    "avdelning",
];
const WAVE_KEYS: &[&str] = &[
    "wave",
    "wave_id",
    "våg",
    "vag",
    "omgång",
    "omgang",
    "period",
    "mätomgång",
];
const ROLE_KEYS: &[&str] = &["role", "roll", "befattning", "position"];
const DATE_KEYS: &[&str] = &["date", "datum", "interview date", "intervjudatum"];
const KIND_KEYS: &[&str] = &[
    "kind",
    "source kind",
    "källtyp",
    "kalltyp",
    "typ",
    "type",
    "document type",
];
const SETTING_KEYS: &[&str] = &["setting", "miljö", "miljo", "mötestyp", "motestyp", "meeting"];
const DURATION_KEYS: &[&str] = &["duration_minutes", "duration", "längd", "langd", "minuter", "minutes"];

/// The line crosscase writes at the end of a description to carry what REFI-QDA has no place for.
pub(crate) const MARKER: &str = "crosscase:";

/// Splits a description into its text and the crosscase marker line's JSON object.
pub(crate) fn split_marker(description: Option<&str>) -> (Option<String>, Option<serde_json::Value>) {
    let Some(d) = description else { return (None, None) };
    let (body, last) = match d.trim_end().rsplit_once('\n') {
        Some((body, last)) => (body, last),
        None => ("", d.trim_end()),
    };
    match last.trim().strip_prefix(MARKER).map(|j| serde_json::from_str(j.trim())) {
        Some(Ok(v @ serde_json::Value::Object(_))) => {
            let body = body.trim();
            ((!body.is_empty()).then(|| body.to_string()), Some(v))
        }
        _ => (Some(d.trim().to_string()).filter(|d| !d.is_empty()), None),
    }
}

/// A code id from a name: lower case, words joined by `-`, letters (also å, ä, ö), digits, `-`, `_` and `.` kept.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for word in name.split_whitespace() {
        let w: String = word
            .chars()
            .flat_map(char::to_lowercase)
            .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w);
    }
    if out.is_empty() { "code".into() } else { out }
}

fn key(k: &str) -> String {
    k.trim().to_lowercase().replace('_', " ").replace("  ", " ")
}

fn matches_key(k: &str, keys: &[&str], mapped: Option<&str>) -> bool {
    let k = key(k);
    match mapped {
        Some(m) => k == key(m),
        None => keys.iter().any(|x| key(x) == k),
    }
}

/// One source's attributes, gathered from every place a tool keeps them, strongest first.
#[derive(Default)]
struct Attributes {
    /// Name, value and where it was found (for the mapping file `--write-map` writes).
    pairs: Vec<(String, String, String)>,
    /// Names of cases and sets without a `key: value` form, which may name a municipality, and where they were found.
    names: Vec<(String, String)>,
}

impl Attributes {
    fn get(&self, keys: &[&str], mapped: Option<&str>) -> Option<&str> {
        self.get_from(keys, mapped).map(|(v, _)| v)
    }

    fn get_from(&self, keys: &[&str], mapped: Option<&str>) -> Option<(&str, &str)> {
        self.pairs
            .iter()
            .find(|(k, v, _)| matches_key(k, keys, mapped) && !v.trim().is_empty())
            .map(|(_, v, from)| (v.trim(), from.as_str()))
    }

    fn extend(&mut self, pairs: &[(String, String)], from: &str) {
        self.pairs
            .extend(pairs.iter().map(|(k, v)| (k.clone(), v.clone(), from.to_string())));
    }
}

/// A municipality named by a case, a set or a source: `Motala`, `0583`, `Motala kommun`, or `Kommun: Motala`.
fn municipality_in_name(name: &str, register: &KommunRegister) -> Option<String> {
    if let Some(code) = resolve_municipality(name, register, false) {
        return Some(code);
    }
    let (k, v) = name.split_once(':')?;
    matches_key(k, MUNICIPALITY_KEYS, None)
        .then(|| resolve_municipality(v, register, false))
        .flatten()
}

/// A municipality that a longer name holds as a word or words (`Intervju Motala 3`, `0583-chef-2`): a guess for the
/// mapping file `--write-map` writes, never used to place a source by itself.
fn municipality_guessed_from(name: &str, register: &KommunRegister) -> Option<String> {
    let words: Vec<&str> = name
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .flat_map(|w| {
            // `0583-chef-2` holds a kommunkod, `Upplands-Bro` is one name: try both.
            std::iter::once(w).chain(w.split('-').filter(move |_| w.contains('-')))
        })
        .filter(|w| !w.is_empty())
        .collect();
    let mut found: BTreeSet<String> = BTreeSet::new();
    for n in (1..=3).rev() {
        for window in words.windows(n) {
            let candidate = window.join(" ");
            let code = if n == 1 && candidate.len() == 4 && candidate.bytes().all(|b| b.is_ascii_digit()) {
                register.get(&candidate).map(|k| k.code.clone())
            } else if candidate.chars().any(char::is_alphabetic) {
                register.find_by_name(&candidate).map(|k| k.code.clone())
            } else {
                None
            };
            found.extend(code);
        }
    }
    (found.len() == 1).then(|| found.into_iter().next()).flatten()
}

/// Where `build_project` placed a source, or why it could not: what `--write-map` writes into the mapping file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    /// The source's name (made unique within its file), the key under `[sources]`.
    pub source: String,
    /// The kommunkod or site id, when placed.
    pub municipality: Option<String>,
    /// Where the municipality came from ("the case `Motala`"), or why none was found.
    pub why: String,
    /// A municipality the source's name seems to hold, when it was not placed otherwise.
    pub guess: Option<String>,
}

/// A case (not a participant) and what a mapping file's `[cases]` line for it could say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseGuess {
    pub name: String,
    /// Number of sources it holds, whole or in part.
    pub sources: usize,
    pub municipality: Option<String>,
}

/// A municipality from what a file says: a kommunkod, a name, "Motala kommun"; a free id when the project allows.
fn resolve_municipality(value: &str, register: &KommunRegister, free: bool) -> Option<String> {
    let v = value.trim();
    let code = v.split_whitespace().next().unwrap_or("");
    if code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()) && register.get(code).is_some() {
        return Some(code.to_string());
    }
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) && register.get(&format!("0{code}")).is_some() {
        return Some(format!("0{code}"));
    }
    let name = v.trim_end_matches(" kommun").trim_end_matches(" stad").trim();
    if let Some(k) = register.find_by_name(v).or_else(|| register.find_by_name(name)) {
        return Some(k.code.clone());
    }
    (free && !v.is_empty()).then(|| v.to_string())
}

/// A date from a DateValue, DateTimeValue or text: the first ten characters as YYYY-MM-DD.
fn parse_date(v: &str) -> Option<Date> {
    v.trim().get(..10).and_then(|d| d.parse().ok())
}

struct Placed {
    municipality: String,
    unit: Option<String>,
    wave: Option<String>,
    kind: SourceKind,
    date: Option<Date>,
    setting: Option<String>,
    duration: Option<u32>,
}

/// Builds one project out of one or more exchange files.
pub fn build_project(
    files: &[QdaProject],
    mapping: &Mapping,
    register: &KommunRegister,
) -> Result<(Project, ImportSummary), Diagnostics> {
    build(files, mapping, register, &mut Vec::new(), &mut Vec::new())
}

/// Where every source of the exchange files would be placed (with the mapping given), and the cases that could place
/// them: the material of the mapping file that `crosscase import --write-map` writes.
pub fn placements(
    files: &[QdaProject],
    mapping: &Mapping,
    register: &KommunRegister,
) -> (Vec<Placement>, Vec<CaseGuess>) {
    let (mut placements, mut cases) = (Vec::new(), Vec::new());
    let _ = build(files, mapping, register, &mut placements, &mut cases);
    (placements, cases)
}

fn build(
    files: &[QdaProject],
    mapping: &Mapping,
    register: &KommunRegister,
    placements: &mut Vec<Placement>,
    case_guesses: &mut Vec<CaseGuess>,
) -> Result<(Project, ImportSummary), Diagnostics> {
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut summary = ImportSummary::default();
    let vars = &mapping.variables;
    let first = files.first();
    let (_, project_marker) = split_marker(files.iter().find_map(|f| f.description.as_deref()));
    let marker_str = |k: &str| {
        project_marker
            .as_ref()
            .and_then(|m| m.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let name = mapping
        .project
        .name
        .clone()
        .or_else(|| first.map(|f| f.name.clone()).filter(|n| !n.is_empty()))
        .unwrap_or_else(|| "Imported project".to_string());
    let mut settings = ProjectSettings::new(name);
    if let Some(lang) = mapping.project.language.clone().or_else(|| marker_str("language")) {
        match lang.parse::<Language>() {
            Ok(l) => settings.language = l,
            Err(e) => problems.push(Diagnostic::file("(mapping)", e, "write language = \"sv\" or \"en\"")),
        }
    }
    if let Some(t) = mapping.project.disclosure_threshold.or_else(|| {
        project_marker
            .as_ref()
            .and_then(|m| m.get("disclosure_threshold")?.as_u64())
            .map(|t| t as u32)
    }) {
        settings.disclosure_threshold = t;
    }
    settings.free_site_ids = mapping
        .project
        .free_site_ids
        .or_else(|| project_marker.as_ref().and_then(|m| m.get("free_site_ids")?.as_bool()))
        .unwrap_or(false);
    settings.primary_coder = mapping
        .project
        .primary_coder
        .clone()
        .or_else(|| marker_str("primary_coder"));
    let free = settings.free_site_ids;
    let mut project = Project::empty(settings);

    // Codes: ids from the path of names (or the id crosscase wrote), merged across files by id.
    let mut code_ids: Vec<HashMap<String, String>> = Vec::new();
    let mut codes_by_id: HashMap<String, usize> = HashMap::new();
    for f in files {
        let mut ids: HashMap<String, String> = HashMap::new();
        for c in &f.codes {
            let (description, marker) = split_marker(c.description.as_deref());
            let parent = c.parent.as_ref().and_then(|p| ids.get(p)).cloned();
            let marked = marker.as_ref().and_then(|m| m.get("id")?.as_str().map(str::to_string));
            let id = marked.unwrap_or_else(|| match &parent {
                Some(p) => format!("{p}/{}", slug(&c.name)),
                None => slug(&c.name),
            });
            ids.insert(c.guid.clone(), id.clone());
            if codes_by_id.contains_key(&id) {
                continue;
            }
            let label = |k: &str| {
                marker
                    .as_ref()
                    .and_then(|m| m.get(k)?.as_str().map(str::to_string))
                    .unwrap_or_else(|| c.name.clone())
            };
            codes_by_id.insert(id.clone(), project.codes.len());
            project.codes.push(Code {
                id,
                parent,
                label_sv: label("sv"),
                label_en: label("en"),
                description,
                colour: c.colour.clone(),
                codable: c.codable,
                line: project.codes.len() as u64 + 1,
            });
        }
        code_ids.push(ids);
    }

    // Sources, merged by name; the same name with another text is two different projects.
    struct Merged<'a> {
        source: &'a QdaSource,
        /// The source's name, made unique within its file (tools allow the same name in two folders).
        id: String,
        file: usize,
        attributes: Attributes,
        participants: BTreeSet<String>,
    }
    let mut merged: Vec<Merged<'_>> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let names: Vec<Vec<String>> = files.iter().map(unique_names).collect();
    let mut participants: BTreeMap<String, Participant> = BTreeMap::new();
    let mut unit_names: HashMap<String, (String, String)> = HashMap::new();
    let mut wave_cases: HashMap<String, (String, Option<Date>, Option<Date>)> = HashMap::new();
    let mut municipality_names: HashMap<String, String> = HashMap::new();
    for (fi, f) in files.iter().enumerate() {
        summary.files.push(f.file.clone());
        if !f.origin.is_empty() && !summary.origin.contains(&f.origin) {
            summary.origin.push(f.origin.clone());
        }
        summary
            .skipped_sources
            .extend(f.skipped_sources.iter().map(|s| format!("{}: {s}", f.file)));
        let selection_source: HashMap<&str, &str> = f
            .sources
            .iter()
            .flat_map(|s| s.selections.iter().map(move |sel| (sel.guid.as_str(), s.guid.as_str())))
            .collect();
        // Cases: participants (those with a role) and the others, whose variables describe their sources.
        let mut source_attrs: HashMap<&str, Attributes> = HashMap::new();
        let mut mapped_case_attrs: HashMap<&str, Attributes> = HashMap::new();
        let mut source_participants: HashMap<&str, BTreeSet<String>> = HashMap::new();
        for case in &f.cases {
            let has = |keys: &[&str], mapped: Option<&str>| {
                case.variables
                    .iter()
                    .find(|(k, v)| matches_key(k, keys, mapped) && !v.trim().is_empty())
                    .map(|(_, v)| v.trim().to_string())
            };
            let members: BTreeSet<&str> = case
                .sources
                .iter()
                .map(String::as_str)
                .chain(
                    case.selections
                        .iter()
                        .filter_map(|s| selection_source.get(s.as_str()).copied()),
                )
                .collect();
            if let Some(role) = has(ROLE_KEYS, vars.role.as_deref()) {
                let id = case.name.clone().unwrap_or_else(|| case.guid.clone());
                let role = match role.parse::<Role>() {
                    Ok(r) => r,
                    Err(e) => {
                        problems.push(Diagnostic::file(
                            &f.file,
                            format!("case `{id}`: {e}"),
                            "correct the role attribute in the QDA tool, or map it",
                        ));
                        Role::Other
                    }
                };
                let municipality = has(MUNICIPALITY_KEYS, vars.municipality.as_deref())
                    .and_then(|m| resolve_municipality(&m, register, free))
                    .unwrap_or_default();
                participants.entry(id.clone()).or_insert(Participant {
                    id: id.clone(),
                    municipality,
                    unit: has(UNIT_KEYS, vars.unit.as_deref()),
                    role,
                    line: 0,
                });
                for m in members {
                    source_participants.entry(m).or_default().insert(id.clone());
                }
                continue;
            }
            // crosscase's own export marks the cases that stand for a municipality, a unit or a wave; they keep
            // their names and exist even without sources. Other tools' case names are often people's names, so
            // they name a municipality only when they are one's name or kommunkod (`Motala`, `Kommun: Motala`).
            let name = case.name.clone().unwrap_or_default();
            let municipality = || {
                has(MUNICIPALITY_KEYS, vars.municipality.as_deref())
                    .and_then(|m| resolve_municipality(&m, register, free))
            };
            match has(&["crosscase"], None).as_deref() {
                Some("municipality") => {
                    if let Some(code) = municipality() {
                        municipality_names.entry(code).or_insert(name.clone());
                    }
                }
                Some("unit") => {
                    if let (Some(unit), Some(code)) = (has(UNIT_KEYS, vars.unit.as_deref()), municipality()) {
                        unit_names.entry(unit).or_insert((name.clone(), code));
                    }
                }
                Some("wave") => {
                    if let Some(wave) = has(WAVE_KEYS, vars.wave.as_deref()) {
                        let date = |k: &str| has(&[k], None).and_then(|d| parse_date(&d));
                        wave_cases
                            .entry(wave)
                            .or_insert_with(|| (name.clone(), date("wave_start"), date("wave_end")));
                    }
                }
                _ => {}
            }
            // A case holds a source as a whole or through its selections (NVivo's codings whose `CodeRef` is a case).
            let from = format!("the case `{}`", shorten(case.name.as_deref().unwrap_or(&case.guid)));
            let mapped = case.name.as_ref().and_then(|n| mapping.cases.get(n));
            if has(&["crosscase"], None).is_none() {
                case_guesses.push(CaseGuess {
                    name: case.name.clone().unwrap_or_else(|| case.guid.clone()),
                    sources: members.len(),
                    municipality: mapped
                        .and_then(|m| m.municipality.as_deref())
                        .filter(|m| !m.trim().is_empty())
                        .and_then(|m| resolve_municipality(m, register, free))
                        .or_else(municipality)
                        .or_else(|| case.name.as_deref().and_then(|n| municipality_in_name(n, register))),
                });
            }
            for &m in &members {
                if let Some(map) = mapped {
                    let pairs = map_pairs(map);
                    let from = format!("the case `{}` in the mapping file", shorten(&name));
                    mapped_case_attrs.entry(m).or_default().extend(&pairs, &from);
                }
                let a = source_attrs.entry(m).or_default();
                a.extend(&case.variables, &from);
                if let Some(n) = &case.name {
                    match n.split_once(':') {
                        Some((k, v)) => a.pairs.push((k.trim().to_string(), v.trim().to_string(), from.clone())),
                        None => a.names.push((n.clone(), from.clone())),
                    }
                }
            }
        }
        for set in &f.sets {
            let from = format!("the set `{}`", shorten(&set.name));
            for m in &set.sources {
                let a = source_attrs.entry(m.as_str()).or_default();
                match set.name.split_once(':') {
                    Some((k, v)) => a.pairs.push((k.trim().to_string(), v.trim().to_string(), from.clone())),
                    None => a.names.push((set.name.clone(), from.clone())),
                }
            }
        }
        for (s, id) in f.sources.iter().zip(names[fi].iter().cloned()) {
            let mut attributes = Attributes::default();
            if let Some(m) = mapping.sources.get(&id) {
                attributes.extend(&map_pairs(m), "the mapping file");
            }
            if let Some(a) = mapped_case_attrs.remove(s.guid.as_str()) {
                attributes.pairs.extend(a.pairs);
            }
            attributes.extend(&s.variables, "a variable of the source");
            if let Some(a) = source_attrs.remove(s.guid.as_str()) {
                attributes.pairs.extend(a.pairs);
                attributes.names.extend(a.names);
            }
            let mut ps = source_participants.remove(s.guid.as_str()).unwrap_or_default();
            if let Some(m) = mapping.sources.get(&id) {
                ps.extend(m.participants.iter().cloned());
            }
            match by_name.get(&id) {
                Some(&i) => {
                    if merged[i].source.text != s.text {
                        let (a, b) = (Normalised::new(&merged[i].source.text), Normalised::new(&s.text));
                        if a.text == b.text {
                            summary.notes.push(format!(
                                "source `{}`: its text in {} differs from the one in {} only in line endings, white space at the ends of lines or Unicode normalisation; its positions were moved onto the text of {}",
                                shorten(&id),
                                f.file,
                                files[merged[i].file].file,
                                files[merged[i].file].file
                            ));
                        } else {
                            let at = a.text.chars().zip(b.text.chars()).take_while(|(x, y)| x == y).count();
                            let around = |t: &str| t.chars().skip(at.saturating_sub(20)).take(50).collect::<String>();
                            problems.push(Diagnostic::file(
                                &f.file,
                                format!(
                                    "source `{id}` has another text than in {}; the files are not exports of the same project (the words differ at character {at}: \"{}\" against \"{}\")",
                                    files[merged[i].file].file,
                                    around(&a.text).escape_debug(),
                                    around(&b.text).escape_debug()
                                ),
                                "import exports of the same project together, or rename one of the sources",
                            ));
                        }
                    }
                    merged[i].participants.extend(ps);
                }
                None => {
                    by_name.insert(id.clone(), merged.len());
                    merged.push(Merged {
                        source: s,
                        id,
                        file: fi,
                        attributes,
                        participants: ps,
                    });
                }
            }
        }
    }

    // Place every source.
    let mut unplaced: Vec<(String, String)> = Vec::new();
    let mut placed: Vec<Option<Placed>> = Vec::new();
    let mut defaulted_kind = 0;
    for m in &merged {
        let a = &m.attributes;
        let default = &mapping.defaults;
        let municipality = a
            .get_from(MUNICIPALITY_KEYS, vars.municipality.as_deref())
            .map(|(v, from)| (v.to_string(), resolve_municipality(v, register, free), from.to_string()))
            .or_else(|| {
                a.names
                    .iter()
                    .find_map(|(n, from)| municipality_in_name(n, register).map(|c| (n.clone(), Some(c), from.clone())))
            })
            .or_else(|| {
                municipality_in_name(&m.source.name, register)
                    .map(|c| (m.source.name.clone(), Some(c), "the source's name".to_string()))
            })
            .or_else(|| {
                default.municipality.as_ref().map(|d| {
                    let from = "[defaults] in the mapping file".to_string();
                    (d.clone(), resolve_municipality(d, register, free), from)
                })
            });
        let municipality = match municipality {
            Some((_, Some(code), from)) => {
                placements.push(Placement {
                    source: m.id.clone(),
                    municipality: Some(code.clone()),
                    why: from,
                    guess: None,
                });
                code
            }
            Some((value, None, from)) => {
                let why = format!("`{}` from {from} is not a Swedish municipality", shorten(&value));
                placements.push(Placement {
                    source: m.id.clone(),
                    municipality: None,
                    why: why.clone(),
                    guess: municipality_guessed_from(&m.source.name, register),
                });
                unplaced.push((m.id.clone(), why));
                placed.push(None);
                continue;
            }
            None => {
                let why = if mapping.sources.get(&m.id).is_some_and(|s| s.municipality.is_some()) {
                    "its municipality in the mapping file is empty".to_string()
                } else {
                    "no municipality given".to_string()
                };
                placements.push(Placement {
                    source: m.id.clone(),
                    municipality: None,
                    why: why.clone(),
                    guess: municipality_guessed_from(&m.source.name, register),
                });
                unplaced.push((m.id.clone(), why));
                placed.push(None);
                continue;
            }
        };
        let kind = match a.get(KIND_KEYS, vars.kind.as_deref()).or(default.kind.as_deref()) {
            Some(k) => match k.parse::<SourceKind>() {
                Ok(k) => k,
                Err(e) => {
                    problems.push(Diagnostic::file(
                        &files[m.file].file,
                        format!("source `{}`: {e}", m.id),
                        "correct the attribute, or set `kind` for the source in a mapping file",
                    ));
                    SourceKind::Interview
                }
            },
            None => {
                defaulted_kind += 1;
                SourceKind::Interview
            }
        };
        let date = a.get(DATE_KEYS, vars.date.as_deref()).or(default.date.as_deref());
        let date = match date {
            Some(d) => match parse_date(d) {
                Some(d) => Some(d),
                None => {
                    problems.push(Diagnostic::file(
                        &files[m.file].file,
                        format!("source `{}`: the date `{d}` is not YYYY-MM-DD", m.id),
                        "write dates as 2019-03-14",
                    ));
                    None
                }
            },
            None => None,
        };
        placed.push(Some(Placed {
            municipality,
            unit: a
                .get(UNIT_KEYS, vars.unit.as_deref())
                .or(default.unit.as_deref())
                .map(str::to_string),
            wave: a
                .get(WAVE_KEYS, vars.wave.as_deref())
                .or(default.wave.as_deref())
                .map(str::to_string),
            kind,
            date,
            setting: a
                .get(SETTING_KEYS, vars.setting.as_deref())
                .or(default.setting.as_deref())
                .map(str::to_string),
            duration: a
                .get(DURATION_KEYS, vars.duration_minutes.as_deref())
                .and_then(|d| d.parse().ok())
                .or(default.duration_minutes),
        }));
    }
    if defaulted_kind > 0 {
        summary.notes.push(format!(
            "{defaulted_kind} sources say nothing of their kind and were taken as interviews; set `kind` under [defaults] or [sources] in a mapping file if they are not"
        ));
    }
    if !unplaced.is_empty() {
        problems.push(unplaced_diagnostic(files, &unplaced));
        return Err(Diagnostics(problems));
    }

    // Municipalities, units and waves the sources and participants name.
    let mut municipalities: BTreeSet<String> = BTreeSet::new();
    let mut units: BTreeMap<String, String> = BTreeMap::new();
    let mut waves: BTreeMap<String, (Option<Date>, Option<Date>)> = BTreeMap::new();
    for p in placed.iter().flatten() {
        municipalities.insert(p.municipality.clone());
        if let Some(u) = &p.unit {
            units.entry(u.clone()).or_insert_with(|| p.municipality.clone());
        }
        if let Some(w) = &p.wave {
            let e = waves.entry(w.clone()).or_default();
            if let Some(d) = p.date {
                e.0 = Some(e.0.map_or(d, |x: Date| x.min(d)));
                e.1 = Some(e.1.map_or(d, |x: Date| x.max(d)));
            }
        }
    }
    // A participant's municipality: its own attribute, else that of its first source.
    for (m, p) in merged.iter().zip(&placed) {
        let Some(p) = p else { continue };
        for id in &m.participants {
            if let Some(part) = participants.get_mut(id)
                && part.municipality.is_empty()
            {
                part.municipality = p.municipality.clone();
            }
        }
    }
    for p in participants.values() {
        if !p.municipality.is_empty() {
            municipalities.insert(p.municipality.clone());
        }
        if let Some(u) = &p.unit {
            units.entry(u.clone()).or_insert_with(|| p.municipality.clone());
        }
    }
    municipalities.extend(municipality_names.keys().cloned());
    for (id, (_, code)) in &unit_names {
        units.entry(id.clone()).or_insert_with(|| code.clone());
        municipalities.insert(code.clone());
    }
    for id in wave_cases.keys() {
        waves.entry(id.clone()).or_default();
    }
    for code in &municipalities {
        let name = municipality_names
            .get(code)
            .cloned()
            .or_else(|| register.get(code).map(|k| k.name.clone()))
            .unwrap_or_else(|| code.clone());
        project.municipalities.push(Municipality {
            code: code.clone(),
            name,
            line: project.municipalities.len() as u64 + 1,
        });
    }
    for (id, municipality) in &units {
        project.units.push(Unit {
            id: id.clone(),
            municipality: municipality.clone(),
            name: unit_names.get(id).map_or_else(|| id.clone(), |(n, _)| n.clone()),
            line: project.units.len() as u64 + 1,
        });
    }
    for (id, (first, last)) in &waves {
        let from_case = wave_cases.get(id);
        let mapped = mapping.waves.get(id);
        let start = mapped
            .and_then(|w| w.start.parse().ok())
            .or(from_case.and_then(|c| c.1))
            .or(*first);
        let end = mapped
            .and_then(|w| w.end.parse().ok())
            .or(from_case.and_then(|c| c.2))
            .or(*last);
        let name = mapped
            .and_then(|w| w.name.clone())
            .or(from_case.map(|c| c.0.clone()))
            .unwrap_or_else(|| id.clone());
        match (start, end) {
            (Some(start), Some(end)) => project.waves.push(Wave {
                id: id.clone(),
                name,
                start,
                end,
                line: project.waves.len() as u64 + 1,
            }),
            _ => problems.push(Diagnostic::file(
                files.first().map_or("(import)", |f| f.file.as_str()),
                format!("wave `{id}` has no dates: neither its sources nor a mapping give them"),
                format!(
                    "add to a mapping file and run again with --map FILE:\n    [waves.{}]\n    start = \"2019-01-01\"\n    end = \"2019-06-30\"",
                    toml_key(id)
                ),
            )),
        }
    }
    project.participants = participants.into_values().collect();
    for (i, p) in project.participants.iter_mut().enumerate() {
        p.line = i as u64 + 1;
    }

    let by_file: Vec<HashMap<&str, &QdaSource>> = files
        .iter()
        .zip(&names)
        .map(|(f, names)| names.iter().map(String::as_str).zip(&f.sources).collect())
        .collect();
    // Sources and their codings, every selection converted to code points and checked.
    let mut coders: BTreeSet<String> = BTreeSet::new();
    let mut seen_codings: HashSet<(usize, String, String, u64, u64)> = HashSet::new();
    let mut units_used: BTreeMap<String, u64> = BTreeMap::new();
    for (si, (m, p)) in merged.iter().zip(&placed).enumerate() {
        let p = p.as_ref().expect("unplaced sources returned above");
        let s = m.source;
        *summary.municipalities.entry(p.municipality.clone()).or_default() += 1;
        let source_id = m.id.clone();
        project.sources.push(Source {
            id: source_id.clone(),
            kind: p.kind,
            municipality: p.municipality.clone(),
            unit: p.unit.clone(),
            date: p.date,
            wave: p.wave.clone(),
            participants: m.participants.iter().cloned().collect(),
            setting: p.setting.clone(),
            duration_minutes: p.duration,
            title: s.description.clone(),
            text: Some(s.text.clone()),
            line: si as u64 + 1,
        });
        let index = CodePointIndex::new(&s.text);
        // Every file that holds this source adds its codings (two coders' exports).
        for (fi, f) in files.iter().enumerate() {
            let Some(fs) = (if fi == m.file {
                Some(s)
            } else {
                by_file[fi].get(m.id.as_str()).copied()
            }) else {
                continue;
            };
            // The same words with other line endings, white space or normalisation: positions are moved onto the
            // first file's text.
            let remap = if fs.text == s.text {
                None
            } else {
                let (from, to) = (Normalised::new(&fs.text), Normalised::new(&s.text));
                if from.text != to.text {
                    continue;
                }
                Some((from, to))
            };
            let users: HashMap<&str, &str> = f
                .users
                .iter()
                .map(|u| (u.guid.as_str(), u.name.as_deref().unwrap_or(u.guid.as_str())))
                .collect();
            let coder_of = |user: Option<&String>| -> String {
                match user {
                    Some(u) => users.get(u.as_str()).map_or_else(|| u.clone(), |n| n.to_string()),
                    None => "unknown".to_string(),
                }
            };
            let (default_unit, trust) = match f.offset_unit {
                Some(unit) => (unit, offsets::Trust::Known),
                None => offsets::unit_for_origin(&f.origin),
            };
            let raw: Vec<Raw<'_>> = fs
                .selections
                .iter()
                .map(|sel| Raw {
                    start: sel.start,
                    end: sel.end,
                    quote: sel.quote.as_deref(),
                })
                .collect();
            let decision = offsets::decide(&fs.text, default_unit, trust, &raw);
            *units_used.entry(decision.unit.as_str().to_string()).or_default() += 1;
            if let Some(note) = &decision.note {
                summary.notes.push(format!("{}: source `{source_id}`: {note}", f.file));
            }
            for (sel, range) in fs.selections.iter().zip(&decision.ranges) {
                let range = match (range, &remap) {
                    (Some((s, e)), Some((from, to))) => Some((
                        to.to_original(from.to_normalised(*s)),
                        to.to_original(from.to_normalised(*e)),
                    )),
                    (r, _) => *r,
                };
                let Some((start, end)) = range else {
                    problems.push(
                        Diagnostic::file(
                            &f.file,
                            format!(
                                "selection {} of source `{}` ({}..{}) does not lie inside its text of {} characters, counted in {} or any other unit tools use",
                                sel.guid,
                                s.name,
                                sel.start,
                                sel.end,
                                index.len(),
                                decision.unit
                            ),
                            "the text and the codings of this source disagree; export the project again, and check that the text in `sources/` is the one that was coded",
                        )
                        .at(sel.line, None),
                    );
                    continue;
                };
                if sel.codings.is_empty() {
                    summary.annotations_left_out += 1;
                    continue;
                }
                if start == end {
                    summary.selections_empty += 1;
                    continue;
                }
                summary.selections_checked += 1;
                if start as i64 != sel.start || end as i64 != sel.end {
                    summary.selections_converted += 1;
                }
                let quote = index.slice(start, end).unwrap_or_default().to_string();
                for c in &sel.codings {
                    let Some(code) = code_ids[fi].get(&c.code) else {
                        continue;
                    };
                    let coder = coder_of(
                        c.user
                            .as_ref()
                            .or(sel.creating_user.as_ref())
                            .or(fs.creating_user.as_ref()),
                    );
                    if !seen_codings.insert((si, code.clone(), coder.clone(), start, end)) {
                        continue;
                    }
                    coders.insert(coder.clone());
                    project.codings.push(Coding {
                        source: source_id.clone(),
                        code: code.clone(),
                        coder,
                        start,
                        end,
                        quote: quote.clone(),
                        memo: c.memo.clone().or_else(|| sel.memo.clone()),
                        line: sel.line,
                    });
                }
            }
            let len = index.len();
            for c in &fs.whole {
                let Some(code) = code_ids[fi].get(&c.code) else {
                    continue;
                };
                if len == 0 {
                    continue;
                }
                let coder = coder_of(c.user.as_ref().or(fs.creating_user.as_ref()));
                if !seen_codings.insert((si, code.clone(), coder.clone(), 0, len)) {
                    continue;
                }
                coders.insert(coder.clone());
                project.codings.push(Coding {
                    source: source_id.clone(),
                    code: code.clone(),
                    coder,
                    start: 0,
                    end: len,
                    quote: s.text.clone(),
                    memo: c.memo.clone(),
                    line: 0,
                });
            }
        }
    }
    for (i, c) in project.codings.iter_mut().enumerate() {
        c.line = i as u64 + 1;
    }
    // Sets (MAXQDA's, ATLAS.ti's document groups) are kept as they are, merged by name across files.
    let mut sets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (fi, f) in files.iter().enumerate() {
        let ids: HashMap<&str, &str> = f
            .sources
            .iter()
            .zip(&names[fi])
            .map(|(s, n)| (s.guid.as_str(), n.as_str()))
            .collect();
        for set in &f.sets {
            let members = set.sources.iter().filter_map(|g| ids.get(g.as_str()));
            sets.entry(set.name.clone())
                .or_default()
                .extend(members.map(|s| s.to_string()));
        }
    }
    project.sets = sets
        .into_iter()
        .filter(|(_, members)| !members.is_empty())
        .map(|(name, members)| SourceSet {
            name,
            sources: members.into_iter().collect(),
        })
        .collect();
    if summary.selections_empty > 0 {
        summary.notes.push(format!(
            "{} zero-length selections code nothing and were left out",
            summary.selections_empty
        ));
    }
    if summary.annotations_left_out > 0 {
        summary.notes.push(format!(
            "{} selections carry no code (annotations) and were left out",
            summary.annotations_left_out
        ));
    }
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    summary.offset_units = units_used;
    summary.sources = project.sources.len() as u64;
    summary.codes = project.codes.len() as u64;
    summary.codings = project.codings.len() as u64;
    summary.coders = coders.len() as u64;
    summary.participants = project.participants.len() as u64;
    Ok((project, summary))
}

/// At most this many unplaced sources are named in the message; the count says how many more, and `--write-map`
/// writes every one.
const UNPLACED_SHOWN: usize = 50;

fn unplaced_diagnostic(files: &[QdaProject], unplaced: &[(String, String)]) -> Diagnostic {
    let shown: Vec<String> = unplaced
        .iter()
        .take(UNPLACED_SHOWN)
        .map(|(n, why)| format!("`{}` ({why})", shorten(n)))
        .collect();
    let more = unplaced.len().saturating_sub(UNPLACED_SHOWN);
    let file_args = files.iter().map(|f| shell_word(&f.file)).collect::<Vec<_>>().join(" ");
    Diagnostic::file(
        files.first().map_or("(import)", |f| f.file.as_str()),
        format!(
            "{} source{} cannot be placed in a municipality: {}{}",
            unplaced.len(),
            if unplaced.len() == 1 { "" } else { "s" },
            shown.join(", "),
            if more > 0 {
                format!(", and {more} more (the mapping file that --write-map writes lists every one)")
            } else {
                String::new()
            }
        ),
        format!(
            "when every source belongs to one municipality, a mapping file with these two lines is enough (replace 0583 by its kommunkod) and run again with --map FILE:\n    [defaults]\n    municipality = \"0583\"\n  otherwise write a mapping file with every source and case, the municipality filled in where crosscase can tell, with\n    crosscase import {file_args} --write-map mapping.toml\n  fill in the empty municipalities and run again with --map mapping.toml; or give each source a variable `kommun` (a kommunkod or a name) in the QDA tool, or put it in a case or set named like `Kommun: Motala`"
        ),
    )
}

/// A file name as one word for a shell command line, quoted when it needs to be.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || "-_./+:,@".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The pairs a `[sources]` or `[cases]` line of the mapping file gives.
fn map_pairs(m: &super::mapping::SourceMap) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut push = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            pairs.push((k.to_string(), v));
        }
    };
    push("kommun", m.municipality.clone());
    push("unit", m.unit.clone());
    push("wave", m.wave.clone());
    push("kind", m.kind.clone());
    push("date", m.date.clone());
    push("setting", m.setting.clone());
    push("duration_minutes", m.duration_minutes.map(|d| d.to_string()));
    pairs
}

/// Source names made unique within a file: a second `Intervju 3` becomes `Intervju 3 (2)`.
fn unique_names(f: &QdaProject) -> Vec<String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    f.sources
        .iter()
        .map(|s| {
            let n = seen.entry(s.name.as_str()).or_default();
            *n += 1;
            if *n == 1 {
                s.name.clone()
            } else {
                format!("{} ({n})", s.name)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_markers() {
        assert_eq!(slug("Tillit & ledarskap"), "tillit-ledarskap");
        assert_eq!(slug("  Öppen innovation "), "öppen-innovation");
        assert_eq!(slug("!!"), "code");
        let (d, m) = split_marker(Some("Om tillit.\n\ncrosscase: {\"id\":\"a.b\"}"));
        assert_eq!(d.as_deref(), Some("Om tillit."));
        assert_eq!(m.unwrap()["id"], "a.b");
        let (d, m) = split_marker(Some("crosscase: ingen json"));
        assert_eq!((d.as_deref(), m), (Some("crosscase: ingen json"), None));
    }

    #[test]
    fn municipalities_from_what_files_say() {
        let r = KommunRegister::sweden();
        for (v, want) in [
            ("0583", Some("0583")),
            ("583", Some("0583")),
            ("Motala", Some("0583")),
            ("motala kommun", Some("0583")),
            ("0583 Motala", Some("0583")),
            ("Gotham", None),
        ] {
            assert_eq!(resolve_municipality(v, &r, false).as_deref(), want, "{v}");
        }
        assert_eq!(resolve_municipality("Gotham", &r, true).as_deref(), Some("Gotham"));
    }
}
