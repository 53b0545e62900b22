//! Survey instruments (`surveys/<id>.toml`) and their responses (`surveys/<id>.csv`), wide (a column per item) or
//! long (`item` and `value` columns), with every problem placed at file, line and column.

use std::collections::HashMap;
use std::path::Path;

use crosscase_model::{Dimension, Instrument, Role, SurveyDesign, SurveyItem, SurveyResponse};
use serde::Deserialize;

use super::csv_table::{csv_error, row_width_problem, sniff_delimiter, unclosed_quote_problem};
use crate::diagnostic::Diagnostic;

/// The folder of survey files inside a project.
pub const SURVEY_DIR: &str = "surveys";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstrumentFile {
    name_sv: String,
    #[serde(default)]
    name_en: Option<String>,
    #[serde(default)]
    design: Option<String>,
    scale: Vec<i64>,
    #[serde(default)]
    labels_sv: Vec<String>,
    #[serde(default)]
    labels_en: Vec<String>,
    #[serde(default)]
    missing: Vec<String>,
    #[serde(default)]
    dimensions: Vec<DimensionFile>,
    #[serde(default)]
    items: Vec<ItemFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DimensionFile {
    id: String,
    label_sv: String,
    #[serde(default)]
    label_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemFile {
    id: String,
    text_sv: String,
    #[serde(default)]
    text_en: Option<String>,
    #[serde(default)]
    dimension: Option<String>,
    #[serde(default)]
    reverse: bool,
}

/// The ids of the instruments in `dir/surveys`, from the names of their `.toml` files, sorted.
pub(crate) fn instrument_ids(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir.join(SURVEY_DIR)) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    ids.sort();
    ids
}

/// Parses an instrument file; `None` (with diagnostics) when it cannot be read as one.
pub(crate) fn parse_instrument(id: &str, path: &Path, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Instrument> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        diags.push(Diagnostic::file(
            path,
            format!("`{id}` cannot name an instrument"),
            "name the file with letters a–z, digits, `-` and `_` only, e.g. surveys/chefsenkat.toml",
        ));
        return None;
    }
    let file: InstrumentFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let (line, column) = e
                .span()
                .map_or((0, None), |span| super::read::line_column(text, span.start));
            diags.push(
                Diagnostic::file(
                    path,
                    format!("the instrument cannot be read: {}", e.message()),
                    "the keys are name_sv, name_en, design, scale, labels_sv, labels_en, missing, [[dimensions]] and [[items]]; see docs/project-format.md",
                )
                .at(line, column),
            );
            return None;
        }
    };
    let design = match file.design.as_deref().map(str::trim) {
        None | Some("waves") => SurveyDesign::Waves,
        Some("pre_post" | "pre-post" | "prepost") => SurveyDesign::PrePost,
        Some(other) => {
            diags.push(
                Diagnostic::file(
                    path,
                    format!("design `{other}` is not known"),
                    "write `design = \"waves\"` for a survey repeated in the project's waves, or `design = \"pre_post\"` for answers before and after a training",
                )
                .field("design"),
            );
            return None;
        }
    };
    let scale = match file.scale.as_slice() {
        &[lo, hi] if (0..=100).contains(&lo) && (0..=100).contains(&hi) => (lo as u8, hi as u8),
        _ => {
            diags.push(
                Diagnostic::file(
                    path,
                    format!("scale = {:?} is not a scale", file.scale),
                    "write the lowest and the highest value, e.g. `scale = [1, 5]` (whole numbers from 0 to 100)",
                )
                .field("scale"),
            );
            return None;
        }
    };
    let labels_en = if file.labels_en.is_empty() {
        file.labels_sv.clone()
    } else {
        file.labels_en
    };
    Some(Instrument {
        id: id.to_string(),
        name_en: file.name_en.unwrap_or_else(|| file.name_sv.clone()),
        name_sv: file.name_sv,
        design,
        scale_min: scale.0,
        scale_max: scale.1,
        labels_sv: file.labels_sv,
        labels_en,
        missing: file.missing,
        dimensions: file
            .dimensions
            .into_iter()
            .map(|d| Dimension {
                label_en: d.label_en.unwrap_or_else(|| d.label_sv.clone()),
                id: d.id,
                label_sv: d.label_sv,
            })
            .collect(),
        items: file
            .items
            .into_iter()
            .map(|i| SurveyItem {
                text_en: i.text_en.unwrap_or_else(|| i.text_sv.clone()),
                id: i.id,
                text_sv: i.text_sv,
                dimension: i.dimension,
                reverse: i.reverse,
            })
            .collect(),
    })
}

/// The columns every responses file has besides the items.
const FIXED: [&str; 4] = ["respondent", "kommunkod", "role", "wave"];

/// Parses an instrument's responses. Returns the responses and, for messages about them, the 1-based column of each
/// named column.
pub(crate) fn parse_responses(
    instrument: &Instrument,
    path: &Path,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<SurveyResponse>, HashMap<String, u64>) {
    let mut columns = HashMap::new();
    let Some(first_line) = text.lines().find(|l| !l.trim().is_empty()) else {
        diags.push(Diagnostic::file(
            path,
            "the file is empty",
            "write the header line: respondent, kommunkod, role, wave and one column per item",
        ));
        return (Vec::new(), columns);
    };
    if let Some(d) = unclosed_quote_problem(path, text) {
        diags.push(d);
        return (Vec::new(), columns);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(first_line))
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            diags.push(csv_error(path, &e));
            return (Vec::new(), columns);
        }
    };
    let item_index: HashMap<String, usize> = instrument
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.id.to_lowercase(), i))
        .collect();
    let before = diags.len();
    // For each header position: a fixed column, `item`/`value` (long format), or an item (wide format).
    let mut item_at: Vec<(usize, usize)> = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().trim_start_matches('\u{feff}').to_lowercase();
        if columns.insert(name.clone(), i as u64 + 1).is_some() {
            diags.push(
                Diagnostic::file(
                    path,
                    format!("column `{name}` appears twice in the header"),
                    "remove one of them",
                )
                .at(1, Some(i as u64 + 1)),
            );
        } else if let Some(&item) = item_index.get(&name) {
            item_at.push((i, item));
        } else if !FIXED.contains(&name.as_str()) && name != "item" && name != "value" {
            diags.push(
                Diagnostic::file(
                    path,
                    format!("`{name}` is not an item of instrument `{}`", instrument.id),
                    format!(
                        "the columns are respondent, kommunkod, role, wave and the items {}; or, in long form, item and value",
                        instrument.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                )
                .at(1, Some(i as u64 + 1)),
            );
        }
    }
    let long = columns.contains_key("item") || columns.contains_key("value");
    let mut required: Vec<&str> = vec!["respondent", "kommunkod", "wave"];
    if long {
        required.extend(["item", "value"]);
    }
    for r in required {
        if !columns.contains_key(r) && diags.len() == before {
            diags.push(
                Diagnostic::file(
                    path,
                    format!("the required column `{r}` is missing"),
                    "the header must name respondent, kommunkod and wave, and either one column per item or item and value",
                )
                .at(1, None),
            );
        }
    }
    if diags.len() > before {
        return (Vec::new(), columns);
    }
    let at = |name: &str| columns.get(name).map(|&c| c as usize - 1);
    let (respondent, kommunkod, role, wave, item_col, value_col) = (
        at("respondent"),
        at("kommunkod"),
        at("role"),
        at("wave"),
        at("item"),
        at("value"),
    );
    let mut responses: Vec<SurveyResponse> = Vec::new();
    // In long form: (respondent, wave) → position in `responses`, and the (position, item) pairs that have a row.
    let mut open: HashMap<(String, String), usize> = HashMap::new();
    let mut answered: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                diags.push(csv_error(path, &e));
                break;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            diags.push(row_width_problem(path, line, record.len(), header.len()));
            continue;
        }
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim();
        let problem = |i: usize, message: String, help: &str| {
            Diagnostic::file(path, message, help)
                .at(line, Some(i as u64 + 1))
                .field(header.get(i).unwrap_or("").trim().to_lowercase())
        };
        let role_value = get(role);
        let role_parsed = if role_value.is_empty() {
            None
        } else {
            match role_value.parse::<Role>() {
                Ok(r) => Some(r),
                Err(msg) => {
                    diags.push(problem(
                        role.unwrap_or(0),
                        msg,
                        "roles may also be written in Swedish, e.g. mellanchef, or left empty",
                    ));
                    None
                }
            }
        };
        let value_of = |i: usize, answer: &str, diags: &mut Vec<Diagnostic>| match parse_answer(instrument, answer) {
            Ok(v) => v,
            Err((message, help)) => {
                diags.push(problem(i, message, &help));
                None
            }
        };
        let key = (get(respondent).to_string(), get(wave).to_lowercase());
        if long {
            let item_name = get(item_col).to_lowercase();
            let Some(&item) = item_index.get(&item_name) else {
                diags.push(problem(
                    item_col.unwrap_or(0),
                    format!("`{item_name}` is not an item of instrument `{}`", instrument.id),
                    "use the item ids of the instrument file",
                ));
                continue;
            };
            let value = value_of(value_col.unwrap_or(0), get(value_col), diags);
            let position = *open.entry(key.clone()).or_insert_with(|| {
                responses.push(new_response(instrument, &key, get(kommunkod), role_parsed, line));
                responses.len() - 1
            });
            if !answered.insert((position, item)) {
                diags.push(problem(
                    item_col.unwrap_or(0),
                    format!(
                        "respondent `{}` answered item `{item_name}` twice in `{}`",
                        key.0, key.1
                    ),
                    "keep one row per respondent, wave and item",
                ));
                continue;
            }
            responses[position].values[item] = value;
        } else {
            let mut response = new_response(instrument, &key, get(kommunkod), role_parsed, line);
            for &(column, item) in &item_at {
                response.values[item] = value_of(column, get(Some(column)), diags);
            }
            responses.push(response);
        }
    }
    (responses, columns)
}

/// An answer as a scale value: `None` for an empty cell or a "no answer" code; an error (message, help) otherwise.
fn parse_answer(instrument: &Instrument, answer: &str) -> Result<Option<u8>, (String, String)> {
    if answer.is_empty() || instrument.is_missing_code(answer) {
        return Ok(None);
    }
    match answer.parse::<i64>() {
        Ok(v) if (i64::from(instrument.scale_min)..=i64::from(instrument.scale_max)).contains(&v) => Ok(Some(v as u8)),
        Ok(v) => Err((
            format!(
                "{v} is outside the scale {} to {}",
                instrument.scale_min, instrument.scale_max
            ),
            "correct the value, or leave the cell empty for no answer".to_string(),
        )),
        Err(_) => Err((format!("`{answer}` is not a scale value"), missing_help(instrument))),
    }
}

fn missing_help(instrument: &Instrument) -> String {
    if instrument.missing.is_empty() {
        "write a whole number on the scale, or leave the cell empty for no answer; codes such as \"vet ej\" can be listed under `missing` in the instrument".to_string()
    } else {
        format!(
            "write a whole number on the scale, one of {}, or leave the cell empty",
            instrument
                .missing
                .iter()
                .map(|m| format!("\"{m}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// A response with no answers yet.
fn new_response(
    instrument: &Instrument,
    key: &(String, String),
    municipality: &str,
    role: Option<Role>,
    line: u64,
) -> SurveyResponse {
    SurveyResponse {
        instrument: instrument.id.clone(),
        respondent: key.0.clone(),
        municipality: municipality.to_string(),
        role,
        wave: key.1.clone(),
        values: vec![None; instrument.items.len()],
        line,
    }
}
