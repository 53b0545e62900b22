//! Reading one CSV table of the native format: delimiter detection, header mapping and field access by column name.

use std::collections::HashMap;
use std::path::Path;

use crosscase_model::Table;

use crate::diagnostic::Diagnostic;

/// A CSV file read into memory, with its header mapped to the table's known columns.
pub(crate) struct CsvTable {
    /// For each known column, its index in the file's header.
    index: HashMap<&'static str, usize>,
}

pub(crate) struct CsvRow {
    pub(crate) line: u64,
    /// Bytes, not strings: the whole file was checked to be UTF-8 already, and delimiters are ASCII, so every field
    /// is UTF-8 too; checking each record again would be a third pass over the data.
    pub(crate) fields: csv::ByteRecord,
}

impl CsvTable {
    /// Parses `text` (already decoded) as the file of `table`, handing each well-formed row to `on_row` and
    /// collecting header and row-shape problems in `diags`. Rows are streamed, not kept, so large files stay cheap.
    pub(crate) fn parse(
        table: Table,
        path: &Path,
        text: &str,
        diags: &mut Vec<Diagnostic>,
        mut on_row: impl FnMut(&CsvTable, &CsvRow, &mut Vec<Diagnostic>),
    ) -> Option<CsvTable> {
        let Some(first_line) = text.lines().find(|l| !l.trim().is_empty()) else {
            diags.push(Diagnostic::file(
                path,
                "the file is empty",
                format!(
                    "write the header line `{}`, even when there are no rows",
                    table.columns().join(",")
                ),
            ));
            return None;
        };
        if let Some(d) = unclosed_quote_problem(path, text) {
            diags.push(d);
            return None;
        }
        let delimiter = sniff_delimiter(first_line);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                diags.push(csv_error(path, &e));
                return None;
            }
        };

        let before = diags.len();
        let mut index = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}').to_lowercase();
            match table.columns().iter().find(|c| **c == name) {
                Some(known) => {
                    if index.insert(*known, i).is_some() {
                        diags.push(
                            Diagnostic::file(
                                path,
                                format!("column `{name}` appears twice in the header"),
                                "remove one of them",
                            )
                            .at(1, Some(i as u64 + 1)),
                        );
                    }
                }
                None if name.is_empty() && header.len() > 1 => diags.push(
                    Diagnostic::file(
                        path,
                        format!("column {} of the header has no name", i + 1),
                        "name the column, or delete it (an empty column at the end is often left by Excel)",
                    )
                    .at(1, Some(i as u64 + 1)),
                ),
                None => {
                    let help = if header.len() == 1 && (name.contains('\t') || name.contains('|')) {
                        "the file seems to use tabs or `|` between fields; save it with commas or semicolons"
                            .to_string()
                    } else {
                        format!(
                            "the columns of {} are: {}",
                            table.file_name(),
                            table.columns().join(", ")
                        )
                    };
                    diags.push(
                        Diagnostic::file(path, format!("unknown column `{name}`"), help).at(1, Some(i as u64 + 1)),
                    );
                }
            }
        }
        for required in table.required_columns() {
            if !index.contains_key(required) && diags.len() == before {
                diags.push(
                    Diagnostic::file(
                        path,
                        format!("the required column `{required}` is missing"),
                        format!("the header must name at least: {}", table.required_columns().join(", ")),
                    )
                    .at(1, None),
                );
            }
        }
        if diags.len() > before {
            return None;
        }

        let this = CsvTable { index };
        let mut row = CsvRow {
            line: 0,
            fields: csv::ByteRecord::new(),
        };
        loop {
            match reader.read_byte_record(&mut row.fields) {
                Ok(false) => break,
                Ok(true) => {
                    let record = &row.fields;
                    let line = record.position().map_or(0, |p| p.line());
                    if record.len() == 1 && record[0].trim_ascii().is_empty() {
                        continue;
                    }
                    if record.len() != header.len() {
                        diags.push(row_width_problem(path, line, record.len(), header.len()));
                        continue;
                    }
                    row.line = line;
                    on_row(&this, &row, diags);
                }
                Err(e) => {
                    diags.push(csv_error(path, &e));
                    break;
                }
            }
        }
        Some(this)
    }

    /// The 1-based column number of a known column, for messages.
    pub(crate) fn column_of(&self, field: &str) -> Option<u64> {
        self.index.get(field).map(|&i| i as u64 + 1)
    }

    /// The position of a known column in this file, for reading many rows without looking the name up each time.
    pub(crate) fn position(&self, field: &str) -> Option<usize> {
        self.index.get(field).copied()
    }

    /// The raw bytes at `position` in `row` (empty when the file lacks the column).
    pub(crate) fn bytes_at<'r>(&self, row: &'r CsvRow, position: Option<usize>) -> &'r [u8] {
        position.and_then(|i| row.fields.get(i)).unwrap_or(b"")
    }

    /// The trimmed text at `position` in `row`.
    pub(crate) fn str_at<'r>(&self, row: &'r CsvRow, position: Option<usize>) -> &'r str {
        std::str::from_utf8(self.bytes_at(row, position)).unwrap_or("").trim()
    }

    /// The trimmed value of `field` in `row`, or "" when the file lacks the column.
    pub(crate) fn get<'r>(&self, row: &'r CsvRow, field: &str) -> &'r str {
        self.str_at(row, self.position(field))
    }

    /// `None` for an empty field.
    pub(crate) fn get_opt(&self, row: &CsvRow, field: &str) -> Option<String> {
        let v = self.get(row, field);
        (!v.is_empty()).then(|| v.to_string())
    }

    /// A diagnostic placed at `field` of `row`.
    pub(crate) fn problem(
        &self,
        path: &Path,
        line: u64,
        field: &str,
        message: String,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::file(path, message, help)
            .at(line, self.column_of(field))
            .field(field)
    }
}

/// A file with an unclosed double quote, placed at the line where the quote opens.
pub(crate) fn unclosed_quote_problem(path: &Path, text: &str) -> Option<Diagnostic> {
    unclosed_quote(text).map(|line| {
        Diagnostic::file(
            path,
            "a double quote opened on this line is never closed, so the rest of the file would be read as one field",
            "close the quote, or double a quote that belongs inside a field (\"\")",
        )
        .at(line, None)
    })
}

/// A row whose number of fields differs from the header's.
pub(crate) fn row_width_problem(path: &Path, line: u64, fields: usize, header: usize) -> Diagnostic {
    Diagnostic::file(
        path,
        format!("this row has {fields} fields but the header has {header}"),
        "put a text containing the delimiter in double quotes, and check that no field is missing or extra",
    )
    .at(line, None)
}

/// The line of a double quote that is never closed, if any. In CSV every quote pairs with another (a quote inside a
/// field is doubled), so an odd count means an open field runs to the end of the file.
fn unclosed_quote(text: &str) -> Option<u64> {
    // Each quote flips between open and closed, so the file ends open exactly when it has an odd number of quotes;
    // counting them is fast, and only a broken file is walked line by line.
    if memchr::memchr_iter(b'"', text.as_bytes()).count() % 2 == 0 {
        return None;
    }
    let (mut open, mut line, mut opened_on) = (false, 1u64, 0u64);
    for b in text.bytes() {
        match b {
            b'"' => {
                open = !open;
                if open {
                    opened_on = line;
                }
            }
            b'\n' => line += 1,
            _ => {}
        }
    }
    open.then_some(opened_on)
}

/// Swedish Excel writes semicolons, most other tools commas; the header line tells which.
pub(crate) fn sniff_delimiter(header: &str) -> u8 {
    let count = |c: char| header.chars().filter(|&x| x == c).count();
    if count(';') > count(',') { b';' } else { b',' }
}

pub(crate) fn csv_error(path: &Path, e: &csv::Error) -> Diagnostic {
    let line = e.position().map_or(0, |p| p.line());
    Diagnostic::file(
        path,
        format!("the CSV cannot be read: {e}"),
        "check the quoting around this line",
    )
    .at(line, None)
}
