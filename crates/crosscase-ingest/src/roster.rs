//! The participant roster: the real names behind pseudonyms, kept outside the database, read to find them.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::text_file::decode_utf8;

/// The names in a roster CSV: the column `name` (one name per row; other columns are ignored).
pub fn read_roster(path: &Path) -> Result<Vec<String>, Diagnostics> {
    let one = |d: Diagnostic| Diagnostics(vec![d]);
    let bytes = std::fs::read(path).map_err(|e| {
        one(Diagnostic::file(
            path,
            format!("the roster cannot be read: {e}"),
            "give the path of the roster CSV",
        ))
    })?;
    let text = decode_utf8(path, bytes).map_err(one)?;
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
        .map_err(|e| one(Diagnostic::file(path, format!("the roster cannot be read: {e}"), "")))?;
    let Some(column) = header.iter().position(|h| h.trim().eq_ignore_ascii_case("name")) else {
        return Err(one(Diagnostic::file(
            path,
            "the roster has no column `name`",
            "name the column with the participants' names `name`",
        )
        .at(1, None)));
    };
    let mut names = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| one(Diagnostic::file(path, format!("the roster cannot be read: {e}"), "")))?;
        if let Some(name) = record.get(column).map(str::trim).filter(|n| !n.is_empty()) {
            names.push(name.to_string());
        }
    }
    Ok(names)
}
