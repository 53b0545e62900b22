//! The participant roster: the real names behind pseudonyms, kept outside the database, read to find them.
//!
//! Columns (docs/project-format.md): `name` (required, the full name), `first_name` and `surname` (optional; by
//! default all but the last word of `name` and its last word), and `identifying` (optional): `first`, `surname`,
//! `both` or empty, saying which part of the name points at the person on its own, so that the screen masks it alone
//! too. Other columns are ignored.

use std::path::Path;

use crosscase_model::{Roster, RosterPerson};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::text_file::decode_utf8;

/// The people of a roster CSV (comma or semicolon separated).
pub fn read_roster(path: &Path) -> Result<Roster, Diagnostics> {
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
        .map_err(|e| one(Diagnostic::file(path, format!("the roster cannot be read: {e}"), "")))?
        .clone();
    let find = |name: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let Some(column) = find("name") else {
        return Err(one(Diagnostic::file(
            path,
            "the roster has no column `name`",
            "name the column with the participants' names `name`",
        )
        .at(1, None)));
    };
    let (first_column, surname_column, identifying_column) = (find("first_name"), find("surname"), find("identifying"));
    let mut people = Vec::new();
    let mut problems = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let record = record.map_err(|e| one(Diagnostic::file(path, format!("the roster cannot be read: {e}"), "")))?;
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).map(str::trim).filter(|v| !v.is_empty());
        let Some(name) = get(Some(column)) else { continue };
        let mut person = RosterPerson::new(name);
        if let Some(f) = get(first_column) {
            person.first_name = f.to_string();
        }
        if let Some(s) = get(surname_column) {
            person.surname = s.to_string();
        }
        match get(identifying_column).map(str::to_lowercase).as_deref() {
            None | Some("no") | Some("none") => {}
            Some("first") | Some("first_name") => person.first_name_identifies = true,
            Some("surname") => person.surname_identifies = true,
            Some("both") => {
                person.first_name_identifies = true;
                person.surname_identifies = true;
            }
            Some(other) => problems.push(
                Diagnostic::file(
                    path,
                    format!("`{other}` is not a value of `identifying`"),
                    "write `first`, `surname`, `both` or leave it empty",
                )
                .at(line, identifying_column.map(|c| c as u64 + 1))
                .field("identifying"),
            ),
        }
        people.push(person);
    }
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    Ok(Roster { people })
}
