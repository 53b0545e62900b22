//! Spreadsheets: tables as sheets of one workbook, every text written as text so that nothing runs as a formula.
//!
//! Three kinds of workbook: the export's tidy tables ([`workbook`]), a command's result rows with a sheet per kind
//! of row ([`result_workbook`]), and a feedback pack's `tables.xlsx` ([`pack_workbook`]), which renders the pack
//! model section by section as the page does: every figure with its base, a hidden one as its reason in words,
//! never as a number.

use crosscase_analysis::pack::{
    Figure, Hidden, Pack, PackModel, PrePostTarget, Ratings, RunStamp, Score, Verdict, WaveChange,
};
use crosscase_analysis::{ResultTable, TableCell as ResultCell, joined_integers};
use crosscase_model::{Corpus, DataTable, Language, SurveyDesign, SurveyRecords, Values, stage_label};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use serde_json::Value;

use crate::page::hidden_text;
use crate::text::{BookStrings, Strings, book_strings, strings};

/// One cell of a sheet.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    /// Always stored as text: a value beginning with `=` is shown, never evaluated.
    Text(String),
    /// A number, shown with an Excel number format (`None`: General) but stored exactly.
    Number(f64, Option<&'static str>),
    Bool(bool),
}

/// A sheet: a bold header row (frozen) and rows of cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Whole percentages, as the page shows them.
const PERCENT: &str = "0";
/// Signed whole percentage points.
const POINTS: &str = "+0;-0;0";
/// Means on a survey's scale, one decimal as on the page.
const MEAN: &str = "0.0";
const SIGNED_MEAN: &str = "+0.0;-0.0;0.0";

fn new_book() -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    // A fixed creation time (the zip epoch, as reproducible builds use) instead of the clock, so that the same
    // tables give a byte-identical file.
    let epoch = ExcelDateTime::from_ymd(1980, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&epoch));
    Ok(book)
}

/// A sheet name Excel accepts: none of `[]:*?/\`, at most 31 characters, and unique in the workbook (`name (2)`).
fn sheet_name(name: &str, taken: &mut Vec<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let clean = clean.trim_matches('\'').trim();
    let clean = if clean.is_empty() { "Sheet" } else { clean };
    let mut k = 1;
    loop {
        let suffix = if k == 1 { String::new() } else { format!(" ({k})") };
        let base: String = clean.chars().take(31 - suffix.chars().count()).collect();
        let candidate = format!("{base}{suffix}");
        if !taken.iter().any(|t| t.to_lowercase() == candidate.to_lowercase()) {
            taken.push(candidate.clone());
            return candidate;
        }
        k += 1;
    }
}

/// A workbook of `sheets`, as bytes; the same sheets always give the same bytes.
pub fn sheets_workbook(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = new_book()?;
    let bold = Format::new().set_bold();
    let mut taken = Vec::new();
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(&sheet.name, &mut taken))?;
        for (c, h) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                write_cell(ws, r as u32 + 1, c as u16, cell)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    book.save_to_buffer()
}

fn write_cell(ws: &mut Worksheet, r: u32, c: u16, cell: &Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            ws.write_string(r, c, s)?;
        }
        Cell::Number(x, None) if x.is_finite() => {
            ws.write_number(r, c, *x)?;
        }
        Cell::Number(x, Some(format)) if x.is_finite() => {
            ws.write_number_with_format(r, c, *x, &Format::new().set_num_format(*format))?;
        }
        Cell::Number(..) => {}
        Cell::Bool(b) => {
            ws.write_boolean(r, c, *b)?;
        }
    }
    Ok(())
}

/// A workbook with one sheet per table (named after it), a bold header row and frozen panes; returned as bytes.
/// The same tables always give the same bytes.
pub fn workbook(tables: &[DataTable]) -> Result<Vec<u8>, XlsxError> {
    let sheets: Vec<Sheet> = tables
        .iter()
        .map(|table| Sheet {
            name: table.name.to_string(),
            header: table.columns.iter().map(|c| c.name.to_string()).collect(),
            rows: (0..table.rows())
                .map(|row| {
                    table
                        .columns
                        .iter()
                        .map(|c| match &c.values {
                            Values::Text(v) => v[row].clone().map_or(Cell::Empty, Cell::Text),
                            Values::Integer(v) => v[row].map_or(Cell::Empty, |n| Cell::Number(n as f64, None)),
                        })
                        .collect()
                })
                .collect(),
        })
        .collect();
    sheets_workbook(&sheets)
}

/// Result rows as a workbook, one sheet per `(name, table)`: the table's columns as headers, numbers as numbers,
/// booleans as booleans and everything else as text.
pub fn result_workbook(tables: &[(String, ResultTable)]) -> Result<Vec<u8>, XlsxError> {
    let sheets: Vec<Sheet> = tables
        .iter()
        .map(|(name, table)| {
            let columns = table.columns();
            let rows = table
                .records()
                .map(|r| {
                    r.iter()
                        .map(|cell| match cell {
                            ResultCell::Null => Cell::Empty,
                            ResultCell::Integer(i) => Cell::Number(*i as f64, None),
                            ResultCell::Float(x) => Cell::Number(*x, None),
                            ResultCell::Bool(b) => Cell::Bool(*b),
                            ResultCell::Text(s) => Cell::Text(s.to_string()),
                            ResultCell::Json(Value::Number(n)) => {
                                n.as_f64().map_or(Cell::Empty, |x| Cell::Number(x, None))
                            }
                            // A spreadsheet has no lists: counts as `3|5|17`, as in CSV.
                            other => Cell::Text(joined_integers(other).unwrap_or_else(|| other.to_value().to_string())),
                        })
                        .collect()
                })
                .collect();
            Sheet {
                name: name.clone(),
                header: columns,
                rows,
            }
        })
        .collect();
    sheets_workbook(&sheets)
}

/// What a pack's workbook is rendered from: the (screened) corpus and surveys for names and labels, and the model.
pub(crate) struct PackBook<'a> {
    pub corpus: &'a Corpus,
    pub surveys: &'a SurveyRecords,
    pub model: &'a PackModel,
    pub pack: &'a Pack,
    pub run: Option<&'a RunStamp>,
    pub language: Language,
}

/// A figure as three cells: its share in whole percent, its count and its base; hidden, its reason in the first
/// cell and nothing in the other two.
fn figure_cells(f: Figure, s: &Strings) -> [Cell; 3] {
    match f {
        Figure::Shown { count, base } if base > 0 => [
            Cell::Number(100.0 * count as f64 / base as f64, Some(PERCENT)),
            Cell::Number(count as f64, None),
            Cell::Number(base as f64, None),
        ],
        Figure::Shown { .. } => [Cell::Text(s.missing.to_string()), Cell::Empty, Cell::Empty],
        Figure::Hidden(h) => [Cell::Text(hidden_text(h, s)), Cell::Empty, Cell::Empty],
    }
}

/// A mean as two cells: the mean and its number of respondents; hidden, its reason and nothing.
fn score_cells(score: Score, s: &Strings) -> [Cell; 2] {
    match score {
        Score::Shown { mean, n } => [Cell::Number(mean, Some(MEAN)), Cell::Number(n as f64, None)],
        Score::Hidden(h) => [Cell::Text(hidden_text(h, s)), Cell::Empty],
    }
}

/// The three headers of a figure of `group`: share, count, base.
fn figure_headers(group: &str, b: &BookStrings) -> [String; 3] {
    [b.share, b.count, b.base].map(|t| t.replace("{group}", group))
}

/// A pack's `tables.xlsx`: its themes, the change between waves, the surveys' indices and before-and-after figures,
/// the idea funnel and the run, each sheet present where the page has the section.
pub(crate) fn pack_workbook(p: &PackBook<'_>) -> Result<Vec<u8>, XlsxError> {
    let (s, b) = (strings(p.language), book_strings(p.language));
    let mut sheets = vec![themes_sheet(p, s, b)];
    sheets.extend(waves_sheet(p, s, b));
    sheets.extend(survey_sheets(p, s, b));
    sheets.extend(ideas_sheet(p, s, b));
    sheets.extend(last_time_sheet(p, s));
    // The run sheet stays last: it is the one part that differs between two writes of the same figures.
    if let Some(run) = p.run {
        sheets.push(Sheet {
            name: s.xlsx_run.to_string(),
            header: vec![s.run_id.to_string(), s.run_hash.to_string(), s.run_version.to_string()],
            rows: vec![vec![
                Cell::Number(run.id as f64, None),
                Cell::Text(run.content_hash.clone()),
                Cell::Text(run.crosscase_version.clone()),
            ]],
        });
    }
    sheets_workbook(&sheets)
}

fn themes_sheet(p: &PackBook<'_>, s: &Strings, b: &BookStrings) -> Sheet {
    let mut header = vec![s.theme.to_string()];
    header.extend(figure_headers(b.this, b));
    header.extend(figure_headers(b.others, b));
    header.extend([b.conclusion, b.ci_low, b.ci_high, s.xlsx_note].map(String::from));
    let rows = p
        .pack
        .themes
        .iter()
        .map(|t| {
            let mut row = vec![Cell::Text(p.corpus.codes[t.code].label(p.language).to_string())];
            row.extend(figure_cells(t.own, s));
            row.extend(figure_cells(t.others, s));
            let c = &t.conclusion;
            // The interval only where the page states it (a difference it calls clear or uncertain).
            let (verdict, interval) = match c.verdict {
                Verdict::ClearlyMore => (b.verdict_clearly_more, true),
                Verdict::ClearlyLess => (b.verdict_clearly_less, true),
                Verdict::PerhapsMore => (b.verdict_perhaps_more, true),
                Verdict::PerhapsLess => (b.verdict_perhaps_less, true),
                Verdict::AboutTheSame => (b.verdict_same, false),
                Verdict::Uncertain => (b.verdict_uncertain, true),
                Verdict::Hidden => (b.verdict_hidden, false),
                Verdict::NotTested => ("", false),
            };
            row.push(if verdict.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(verdict.to_string())
            });
            for bound in [c.ci_low, c.ci_high] {
                row.push(match bound {
                    Some(x) if interval => Cell::Number(100.0 * x, Some(POINTS)),
                    _ => Cell::Empty,
                });
            }
            row.push(note(&[t.own, t.others], s));
            row
        })
        .collect();
    Sheet {
        name: s.xlsx_themes.to_string(),
        header,
        rows,
    }
}

/// The reason the first hidden figure of a row is hidden, or nothing.
fn note(figures: &[Figure], s: &Strings) -> Cell {
    figures
        .iter()
        .find_map(|f| match f {
            Figure::Hidden(h) => Some(Cell::Text(hidden_text(*h, s))),
            Figure::Shown { base: 0, .. } => Some(Cell::Text(s.missing.to_string())),
            Figure::Shown { .. } => None,
        })
        .unwrap_or(Cell::Empty)
}

/// What the earlier workshop answered per finding, as the page shows it: the distribution only where at least the
/// threshold answered. The comments stay on the page, screened, and are not repeated here.
fn last_time_sheet(p: &PackBook<'_>, s: &Strings) -> Option<Sheet> {
    let last = p.pack.last_time.as_ref()?;
    let threshold = u64::from(p.corpus.settings.disclosure_threshold).max(1);
    let mut header = vec![s.theme.to_string(), s.xlsx_answered.to_string()];
    header.extend(s.last_time_ratings.map(String::from));
    header.push(s.xlsx_note.to_string());
    let rows = last
        .findings
        .iter()
        .map(|f| {
            let theme = f.code.map_or(f.theme.as_str(), |c| p.corpus.codes[c].label(p.language));
            let mut row = vec![Cell::Text(theme.to_string()), Cell::Number(f.answered as f64, None)];
            match &f.ratings {
                Ratings::Shown { counts, unrated } => {
                    row.extend(counts.iter().chain([unrated]).map(|&n| Cell::Number(n as f64, None)));
                    row.push(Cell::Empty);
                }
                Ratings::TooFewAnswered => {
                    row.extend((0..6).map(|_| Cell::Empty));
                    row.push(Cell::Text(
                        s.last_time_too_few
                            .replace("{k}", &crosscase_model::format::integer(threshold, p.language)),
                    ));
                }
            }
            row
        })
        .collect();
    Some(Sheet {
        name: s.xlsx_last_time.to_string(),
        header,
        rows,
    })
}

fn waves_sheet(p: &PackBook<'_>, s: &Strings, b: &BookStrings) -> Option<Sheet> {
    let (from, to) = p.model.waves.clone()?;
    if p.pack.waves.is_empty() {
        return None;
    }
    let mut header = vec![s.theme.to_string()];
    header.extend(figure_headers(&b.first_wave.replace("{wave}", &from), b));
    header.extend(figure_headers(&b.last_wave.replace("{wave}", &to), b));
    header.extend([s.xlsx_wave_change, b.conclusion].map(String::from));
    let rows = p
        .pack
        .waves
        .iter()
        .map(|w| {
            let mut row = vec![Cell::Text(p.corpus.codes[w.code].label(p.language).to_string())];
            row.extend(figure_cells(w.first, s));
            row.extend(figure_cells(w.last, s));
            row.push(match w.first.share().zip(w.last.share()) {
                Some((a, z)) => Cell::Number(100.0 * (z - a), Some(POINTS)),
                None => Cell::Empty,
            });
            row.push(Cell::Text(
                match w.change {
                    Some(WaveChange::Up) => s.waves_up,
                    Some(WaveChange::Down) => s.waves_down,
                    Some(WaveChange::Unclear) => s.waves_unclear,
                    None => s.waves_hidden,
                }
                .to_string(),
            ));
            row
        })
        .collect();
    Some(Sheet {
        name: s.xlsx_waves.to_string(),
        header,
        rows,
    })
}

/// The index of each dimension (instruments over the waves) and the before-and-after figures (trainings), one
/// sheet each, where the project has such instruments.
fn survey_sheets(p: &PackBook<'_>, s: &Strings, b: &BookStrings) -> Vec<Sheet> {
    let language = p.language;
    let mut indices = Vec::new();
    let mut pre_post = Vec::new();
    let (mut any_waves, mut any_pre_post) = (false, false);
    for f in &p.pack.surveys {
        let Some(instrument) = p.surveys.instruments.get(f.instrument) else {
            continue;
        };
        let name = Cell::Text(instrument.name(language).to_string());
        let text = |t: &Option<String>| t.clone().map_or(Cell::Empty, Cell::Text);
        let why = |h: Hidden| match h {
            Hidden::NoData => s.survey_none.to_string(),
            _ => s.survey_too_few.to_string(),
        };
        match instrument.design {
            SurveyDesign::Waves => {
                any_waves = true;
                if let Some(h) = f.hidden {
                    let mut row = vec![name.clone(), text(&f.wave), Cell::Text(why(h))];
                    row.resize(11, Cell::Empty);
                    indices.push(row);
                    continue;
                }
                for d in &f.dimensions {
                    let label = instrument
                        .dimensions
                        .get(d.dimension)
                        .map_or(String::new(), |x| x.label(language).to_string());
                    let mut row = vec![name.clone(), text(&f.wave), Cell::Text(label)];
                    row.extend(score_cells(d.own, s));
                    row.extend(score_cells(d.others, s));
                    row.push(text(&f.previous_wave));
                    match d.previous {
                        Some(prev) => row.extend(score_cells(prev, s)),
                        None => row.extend([Cell::Empty, Cell::Empty]),
                    }
                    row.push(d.change.map_or(Cell::Empty, |x| Cell::Number(x, Some(SIGNED_MEAN))));
                    indices.push(row);
                }
            }
            SurveyDesign::PrePost => {
                any_pre_post = true;
                if let Some(h) = f.hidden {
                    let mut row = vec![name.clone(), Cell::Empty, Cell::Text(why(h))];
                    row.resize(7, Cell::Empty);
                    pre_post.push(row);
                    continue;
                }
                for r in &f.pre_post {
                    let (part, label) = match r.target {
                        PrePostTarget::Dimension(d) => (
                            b.dimension,
                            instrument.dimensions.get(d).map(|x| x.label(language).to_string()),
                        ),
                        PrePostTarget::Item(i) => {
                            (b.item, instrument.items.get(i).map(|x| x.text(language).to_string()))
                        }
                    };
                    let mut row = vec![
                        name.clone(),
                        Cell::Text(part.to_string()),
                        Cell::Text(label.unwrap_or_default()),
                    ];
                    let [before, n] = score_cells(r.before, s);
                    let [after, _] = score_cells(r.after, s);
                    row.extend([before, after, n]);
                    row.push(match r.improved {
                        Figure::Shown { count, .. } => Cell::Number(count as f64, None),
                        // A handful who improved is given as "fewer than" the threshold, as on the page, whenever
                        // the pairs are shown.
                        Figure::Hidden(Hidden::TooFewPeople) if matches!(r.before, Score::Shown { .. }) => {
                            Cell::Text(b.fewer_than.replace("{t}", &p.model.threshold.to_string()))
                        }
                        Figure::Hidden(h) => Cell::Text(hidden_text(h, s)),
                    });
                    pre_post.push(row);
                }
            }
        }
    }
    let mut sheets = Vec::new();
    if any_waves {
        let mut header = vec![b.instrument.to_string(), b.wave.to_string(), b.dimension.to_string()];
        for group in [b.this, b.others] {
            header.extend([b.index, b.respondents].map(|t| t.replace("{group}", group)));
        }
        header.push(b.previous_wave.to_string());
        header.extend([b.index, b.respondents].map(|t| t.replace("{group}", b.previous_wave)));
        header.push(b.change.to_string());
        sheets.push(Sheet {
            name: b.survey_indices.to_string(),
            header,
            rows: indices,
        });
    }
    if any_pre_post {
        sheets.push(Sheet {
            name: b.prepost.to_string(),
            header: [
                b.instrument,
                b.part,
                b.target,
                s.prepost_before,
                s.prepost_after,
                b.pairs,
                b.improved,
            ]
            .map(String::from)
            .into_iter()
            .collect(),
            rows: pre_post,
        });
    }
    sheets
}

fn ideas_sheet(p: &PackBook<'_>, s: &Strings, b: &BookStrings) -> Option<Sheet> {
    if p.pack.ideas.is_empty() {
        return None;
    }
    let mut header = vec![s.ideas_stage.to_string()];
    header.extend(figure_headers(b.this, b));
    header.extend(figure_headers(b.others, b));
    header.push(s.xlsx_note.to_string());
    let rows = p
        .pack
        .ideas
        .iter()
        .map(|f| {
            let mut row = vec![Cell::Text(stage_label(&f.stage, p.language))];
            row.extend(figure_cells(f.own, s));
            row.extend(figure_cells(f.others, s));
            row.push(note(&[f.own, f.others], s));
            row
        })
        .collect();
    Some(Sheet {
        name: s.xlsx_ideas.to_string(),
        header,
        rows,
    })
}
