//! The researcher's quotes file (`feedback --quotes FILE`): which coded segments a pack quotes under a theme
//! (`pin`) and which it never quotes (`exclude`). Its columns are those of the quotes list `feedback` writes beside
//! the packs, so a researcher edits that list's `action` column and gives it back.

use std::collections::HashMap;
use std::path::Path;

use crosscase_model::{Corpus, QuoteChoice};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::text_file::decode_utf8;

/// The columns a quotes file must have; others (the quote, its attribution) are read past.
const COLUMNS: [&str; 5] = ["kommunkod", "theme", "source_id", "start", "action"];

/// Reads a quotes file and checks every line against the project: the municipality (kommunkod, with or without
/// its leading zero, or name), the theme (a top-level code id), and a coded segment of that municipality starting
/// at `start` in `source_id` under that theme. Lines whose `action` is empty or `shown` are the list's own record of
/// what was chosen and change nothing.
pub fn read_quote_choices(path: &Path, corpus: &Corpus) -> Result<Vec<QuoteChoice>, Diagnostics> {
    let one = |d: Diagnostic| Diagnostics(vec![d]);
    let bytes = std::fs::read(path).map_err(|e| {
        one(Diagnostic::file(
            path,
            format!("the quotes file cannot be read: {e}"),
            "give the path of the quotes CSV (feedback writes one beside the packs to start from)",
        ))
    })?;
    let text = decode_utf8(path, bytes).map_err(one)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| {
            one(Diagnostic::file(
                path,
                format!("the quotes file cannot be read: {e}"),
                "",
            ))
        })?
        .clone();
    let mut at = [0usize; 5];
    for (k, name) in COLUMNS.iter().enumerate() {
        at[k] = header.iter().position(|h| h.trim() == *name).ok_or_else(|| {
            one(Diagnostic::file(
                path,
                format!("the quotes file has no column `{name}`"),
                format!(
                    "the columns are {}, as in the quotes list feedback writes",
                    COLUMNS.join(", ")
                ),
            )
            .at(1, None))
        })?;
    }

    let municipality = |value: &str| -> Option<usize> {
        let code = if value.len() == 3 && value.bytes().all(|b| b.is_ascii_digit()) {
            format!("0{value}")
        } else {
            value.to_string()
        };
        corpus
            .municipalities
            .iter()
            .position(|m| m.code == code || m.name.eq_ignore_ascii_case(value))
    };
    let code_index: HashMap<&str, usize> = corpus
        .codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let ancestry = corpus.code_ancestry();
    let source_index: HashMap<&str, usize> = corpus
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    // The themes under which each (source, start) is coded.
    let mut segments: HashMap<(u32, u64), Vec<u32>> = HashMap::new();
    let c = &corpus.codings;
    for i in 0..c.len() {
        let roots = segments.entry((c.source[i], c.start[i])).or_default();
        roots.extend(ancestry[c.code[i] as usize].iter().copied());
    }

    let mut choices = Vec::new();
    let mut problems = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let record = record.map_err(|e| {
            one(Diagnostic::file(path, format!("the quotes file cannot be read: {e}"), "").at(line, None))
        })?;
        let get = |k: usize| record.get(at[k]).map_or("", str::trim);
        let problem = |k: usize, message: String, help: &str| {
            Diagnostic::file(path, message, help)
                .at(line, Some(at[k] as u64 + 1))
                .field(COLUMNS[k])
        };
        let pin = match get(4).to_lowercase().as_str() {
            "pin" => true,
            "exclude" => false,
            "" | "shown" => continue,
            other => {
                problems.push(problem(
                    4,
                    format!("`{other}` is not an action"),
                    "write `pin` to quote this segment, `exclude` never to quote it, or leave it empty",
                ));
                continue;
            }
        };
        let Some(m) = municipality(get(0)) else {
            problems.push(problem(
                0,
                format!("municipality `{}` is not in the project", get(0)),
                "give the kommunkod (e.g. 0583) or the name of one of the project's municipalities",
            ));
            continue;
        };
        let theme = match code_index.get(get(1)) {
            Some(&t) if corpus.codes[t].parent.is_none() => t,
            Some(_) => {
                problems.push(problem(
                    1,
                    format!("`{}` is not a main theme", get(1)),
                    "give the id of a top-level code: packs quote per main theme",
                ));
                continue;
            }
            None => {
                problems.push(problem(
                    1,
                    format!("theme `{}` is not in the codebook", get(1)),
                    "give a top-level code id of codebook.csv",
                ));
                continue;
            }
        };
        let Some(&source) = source_index.get(get(2)) else {
            problems.push(problem(
                2,
                format!("source `{}` is not in the project", get(2)),
                "give a source_id of sources.csv",
            ));
            continue;
        };
        if corpus.sources[source].municipality as usize != m {
            problems.push(problem(
                2,
                format!("source `{}` is not from {}", get(2), corpus.municipalities[m].name),
                "a pack quotes only its own municipality's sources: correct the kommunkod or the source",
            ));
            continue;
        }
        let Ok(start) = get(3).parse::<u64>() else {
            problems.push(problem(
                3,
                format!("`{}` is not a position", get(3)),
                "give the segment's start as a whole number, as in the quotes list",
            ));
            continue;
        };
        if !segments
            .get(&(source as u32, start))
            .is_some_and(|roots| roots.contains(&(theme as u32)))
        {
            problems.push(problem(
                3,
                format!(
                    "no segment of source `{}` starting at {start} is coded under `{}`",
                    get(2),
                    get(1)
                ),
                "copy the line from the quotes list feedback writes, or correct the start or the theme",
            ));
            continue;
        }
        choices.push(QuoteChoice {
            municipality: corpus.municipalities[m].code.clone(),
            theme: corpus.codes[theme].id.clone(),
            source: corpus.sources[source].id.clone(),
            start,
            pin,
        });
    }
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    Ok(choices)
}
