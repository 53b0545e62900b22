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

/// Columns read beside [`Table::columns`] (which are the columns crosscase writes): `occurrence` says which
/// occurrence of a quote a coding given without offsets means.
fn read_only_columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::Codings => &["occurrence"],
        Table::Codebook => &["codable"],
        _ => &[],
    }
}

/// Other names a column goes by, Swedish ones first (as a Swedish spreadsheet would head them), lower case.
fn aliases(table: Table) -> &'static [(&'static str, &'static str)] {
    match table {
        Table::Municipalities => &[
            ("kommun", "kommunkod"),
            ("kod", "kommunkod"),
            ("municipality", "kommunkod"),
            ("namn", "name"),
            ("kommunnamn", "name"),
        ],
        Table::Units => &[
            ("enhet", "unit_id"),
            ("enhet_id", "unit_id"),
            ("unit", "unit_id"),
            ("kommun", "kommunkod"),
            ("namn", "name"),
        ],
        Table::Participants => &[
            ("deltagare", "participant_id"),
            ("deltagar_id", "participant_id"),
            ("participant", "participant_id"),
            ("kommun", "kommunkod"),
            ("enhet", "unit_id"),
            ("roll", "role"),
            ("befattning", "role"),
        ],
        Table::Waves => &[
            ("våg", "wave_id"),
            ("wave", "wave_id"),
            ("namn", "name"),
            ("början", "start"),
            ("från", "start"),
            ("slut", "end"),
            ("till", "end"),
        ],
        Table::Codebook => &[
            ("kod", "code_id"),
            ("kod_id", "code_id"),
            ("code", "code_id"),
            ("förälder", "parent_id"),
            ("överordnad", "parent_id"),
            ("parent", "parent_id"),
            ("etikett", "label_sv"),
            ("etikett_sv", "label_sv"),
            ("namn", "label_sv"),
            ("etikett_en", "label_en"),
            ("beskrivning", "description"),
            ("färg", "colour"),
            ("color", "colour"),
            ("kodbar", "codable"),
        ],
        Table::Sources => &[
            ("källa", "source_id"),
            ("käll_id", "source_id"),
            ("source", "source_id"),
            ("typ", "kind"),
            ("källtyp", "kind"),
            ("kommun", "kommunkod"),
            ("enhet", "unit_id"),
            ("datum", "date"),
            ("våg", "wave_id"),
            ("wave", "wave_id"),
            ("deltagare", "participants"),
            ("miljö", "setting"),
            ("längd", "duration_min"),
            ("minuter", "duration_min"),
            ("titel", "title"),
            ("textfil", "text_file"),
        ],
        Table::Codings => &[
            ("källa", "source_id"),
            ("käll_id", "source_id"),
            ("source", "source_id"),
            ("kod", "code_id"),
            ("kod_id", "code_id"),
            ("code", "code_id"),
            ("kodare", "coder"),
            ("början", "start"),
            ("från", "start"),
            ("slut", "end"),
            ("till", "end"),
            ("citat", "quote"),
            ("kommentar", "memo"),
            ("anteckning", "memo"),
            ("förekomst", "occurrence"),
        ],
        Table::Ideas => &[
            ("idé", "idea_id"),
            ("idé_id", "idea_id"),
            ("kommun", "kommunkod"),
            ("enhet", "unit_id"),
            ("inlämnad", "submitted"),
            ("våg", "wave_id"),
            ("koder", "codes"),
            ("titel", "title"),
        ],
        Table::IdeaEvents => &[
            ("idé", "idea_id"),
            ("idé_id", "idea_id"),
            ("steg", "stage"),
            ("datum", "date"),
        ],
        Table::Headcounts => &[
            ("kommun", "kommunkod"),
            ("enhet", "unit_id"),
            ("anställda", "employees"),
        ],
        _ => &[],
    }
}

/// The known column a header names, by its own name or an alias.
fn canonical(table: Table, name: &str) -> Option<&'static str> {
    table
        .columns()
        .iter()
        .chain(read_only_columns(table))
        .find(|c| **c == name)
        .copied()
        .or_else(|| aliases(table).iter().find(|(a, _)| *a == name).map(|(_, c)| *c))
}

/// Warnings for header columns crosscase does not read: they are left as they are (a `Kommentar` column beside the
/// data is common), and a name close to a known column is pointed out, since it is then usually a typo.
pub(crate) fn unknown_column_warnings(table: Table, path: &Path, text: &str) -> Vec<Diagnostic> {
    let Some(first_line) = text.lines().find(|l| !l.trim().is_empty()) else {
        return Vec::new();
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(first_line))
        .has_headers(false)
        .from_reader(first_line.as_bytes());
    let Some(Ok(header)) = reader.records().next() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().trim_start_matches('\u{feff}').to_lowercase();
        if name.is_empty() || canonical(table, &name).is_some() {
            continue;
        }
        let close = table
            .columns()
            .iter()
            .chain(read_only_columns(table))
            .find(|c| edit_distance(c, &name) <= 2);
        let help = match close {
            Some(c) => format!("did you mean `{c}`? Rename the column if so; otherwise it is ignored"),
            None => format!(
                "crosscase reads {}; other columns are left as they are",
                table.columns().join(", ")
            ),
        };
        out.push(Diagnostic::file(path, format!("column `{name}` is not read"), help).at(1, Some(i as u64 + 1)));
    }
    out
}

/// Levenshtein distance, for suggestions between short names.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(here + 1);
            prev = here;
        }
    }
    row[b.len()]
}

/// Line numbers from byte offsets, for files with CR or CRLF line breaks: the csv crate counts only LF, so in a file
/// saved with CR alone every record would be on line 1. `None` for LF files, where the csv crate's count is right.
pub(crate) struct LineIndex(Vec<usize>);

impl LineIndex {
    pub(crate) fn new(text: &str) -> Option<LineIndex> {
        let bytes = text.as_bytes();
        memchr::memchr(b'\r', bytes)?;
        let mut starts = vec![0];
        let mut at = 0;
        while let Some(i) = memchr::memchr2(b'\r', b'\n', &bytes[at..]) {
            let i = at + i;
            let next = if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i + 2
            } else {
                i + 1
            };
            starts.push(next);
            at = next;
        }
        Some(LineIndex(starts))
    }

    /// The 1-based line of the record that the csv crate says starts at byte `offset`: it may point at the line
    /// break before the record (the LF of a CRLF), so line breaks there are stepped over first.
    pub(crate) fn line(&self, bytes: &[u8], mut offset: usize) -> u64 {
        while matches!(bytes.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        self.0.partition_point(|&s| s <= offset) as u64
    }
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
            match canonical(table, &name) {
                // The guard records the column; it is true when the column was already there.
                Some(known) if index.insert(known, i).is_some() => {
                    diags.push(
                        Diagnostic::file(
                            path,
                            if known == name {
                                format!("column `{name}` appears twice in the header")
                            } else {
                                format!("column `{name}` (another name for `{known}`) appears twice in the header")
                            },
                            "remove one of them",
                        )
                        .at(1, Some(i as u64 + 1)),
                    );
                }
                Some(_) => {}
                None if name.is_empty() && header.len() > 1 => diags.push(
                    Diagnostic::file(
                        path,
                        format!("column {} of the header has no name", i + 1),
                        "name the column, or delete it (an empty column at the end is often left by Excel)",
                    )
                    .at(1, Some(i as u64 + 1)),
                ),
                // A file of one column that looks delimited otherwise is read wrongly as a whole; any other unknown
                // column is left alone (and warned about by `unknown_column_warnings`).
                None if header.len() == 1 && (name.contains('\t') || name.contains('|')) => {
                    diags.push(
                        Diagnostic::file(
                            path,
                            format!("unknown column `{name}`"),
                            "the file seems to use tabs or `|` between fields; save it with commas or semicolons",
                        )
                        .at(1, Some(i as u64 + 1)),
                    );
                }
                None => {}
            }
        }
        for required in table.required_columns() {
            // Codings given by their quotes need no offsets, nor the columns for them (but one offset column alone
            // means the other one is missing).
            let by_quote = table == Table::Codings
                && matches!(*required, "start" | "end")
                && index.contains_key("quote")
                && !index.contains_key("start")
                && !index.contains_key("end");
            if !index.contains_key(required) && diags.len() == before && !by_quote {
                let names: Vec<String> = header
                    .iter()
                    .map(|n| n.trim().trim_start_matches('\u{feff}').to_lowercase())
                    .collect();
                let typo = names
                    .iter()
                    .enumerate()
                    .find(|(_, n)| canonical(table, n).is_none() && edit_distance(required, n) <= 2);
                let help = format!("the header must name at least: {}", table.required_columns().join(", "));
                let (help, column) = match typo {
                    Some((i, n)) => (
                        format!("is column `{n}` meant? Rename it `{required}`; {help}"),
                        Some(i as u64 + 1),
                    ),
                    None => (help, None),
                };
                diags.push(
                    Diagnostic::file(path, format!("the required column `{required}` is missing"), help).at(1, column),
                );
            }
        }
        if diags.len() > before {
            return None;
        }

        let this = CsvTable { index };
        let lines = LineIndex::new(text);
        let mut row = CsvRow {
            line: 0,
            fields: csv::ByteRecord::new(),
        };
        loop {
            match reader.read_byte_record(&mut row.fields) {
                Ok(false) => break,
                Ok(true) => {
                    let record = &row.fields;
                    let line = match (&lines, record.position()) {
                        (Some(lines), Some(p)) => lines.line(text.as_bytes(), p.byte() as usize),
                        (None, Some(p)) => p.line(),
                        (_, None) => 0,
                    };
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
                    let mut d = csv_error(path, &e);
                    if let (Some(lines), Some(p)) = (&lines, e.position()) {
                        d.line = lines.line(text.as_bytes(), p.byte() as usize);
                    }
                    diags.push(d);
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
    if memchr::memchr_iter(b'"', text.as_bytes()).count().is_multiple_of(2) {
        return None;
    }
    let (mut open, mut line, mut opened_on) = (false, 1u64, 0u64);
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => {
                open = !open;
                if open {
                    opened_on = line;
                }
            }
            // CRLF, CR and LF each end one line.
            b'\n' => line += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => line += 1,
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
    // A CSV error ends the reading; its line is right for LF files (see `LineIndex` for the others).
    Diagnostic::file(
        path,
        format!("the CSV cannot be read: {e}"),
        "check the quoting around this line",
    )
    .at(line, None)
}
