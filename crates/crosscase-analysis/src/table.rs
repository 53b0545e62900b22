//! Result rows as one table with the same column names in every format: CSV, Parquet, or JSON lines.
//!
//! Rows of different kinds (prevalence, difference, contrast) share one table: the columns are the union of their
//! fields in first-seen order, and a field a row does not have is null. For people rather than programs, a table
//! can be split by kind ([`ResultTable::by_kind`]), given names and labels beside its ids
//! ([`ResultTable::labelled`]) and written as CSV for Swedish Excel ([`ResultTable::write_csv_excel_sv`]).

mod cells;

use std::collections::HashMap;
use std::io::Write;

use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

pub use cells::TableCell;
use cells::{Segment, SegmentBuilder};

use crate::error::AnalysisError;

/// Rows turned into columns in parallel, this many to a [`Segment`].
const SEGMENT_ROWS: usize = 8192;

/// Rows held as typed columns, in order, a segment of consecutive rows at a time (see `table/cells.rs`).
#[derive(Clone, Debug, Default)]
pub struct ResultTable {
    segments: Vec<Segment>,
    /// The union of the rows' fields, in first-seen order.
    columns: Vec<String>,
}

impl PartialEq for ResultTable {
    /// The same rows with the same fields in the same order, however they are split into segments.
    fn eq(&self, other: &ResultTable) -> bool {
        self.len() == other.len()
            && self.columns == other.columns
            && self.rows().zip(other.rows()).all(|(a, b)| a.fields().eq(b.fields()))
    }
}

/// One row of a [`ResultTable`].
#[derive(Clone, Copy)]
pub struct Row<'a> {
    segment: &'a Segment,
    row: usize,
}

impl<'a> Row<'a> {
    /// The row's own fields, in its own order.
    pub fn fields(&self) -> impl Iterator<Item = (&'a str, TableCell<'a>)> + 'a {
        self.segment.fields(self.row)
    }

    /// The row's field `name`; `None` when the row does not have it.
    pub fn get(&self, name: &str) -> Option<TableCell<'a>> {
        self.segment.field(self.row, name)
    }
}

impl ResultTable {
    pub fn new() -> ResultTable {
        ResultTable::default()
    }

    /// Appends rows, each tagged with `kind` as its first field when given.
    /// Rows are turned into columns in parallel (a national comparison has 174,000).
    pub fn extend<T: Serialize + Sync>(&mut self, kind: Option<&str>, rows: &[T]) -> Result<(), AnalysisError> {
        let segments: Vec<Segment> = rows
            .par_chunks(SEGMENT_ROWS)
            .map(|chunk| {
                let mut b = SegmentBuilder::default();
                for r in chunk {
                    if let Some(kind) = kind {
                        b.column("kind").push_str(kind);
                    }
                    b.push_row(r).map_err(|e| AnalysisError::Input(e.0))?;
                }
                Ok(b.finish())
            })
            .collect::<Result<_, AnalysisError>>()?;
        for s in segments {
            self.push_segment(s);
        }
        Ok(())
    }

    fn push_segment(&mut self, segment: Segment) {
        if segment.rows() == 0 {
            return;
        }
        for shape in &segment.shapes {
            for &c in shape {
                let name = &segment.names[c as usize];
                if !self.columns.contains(name) {
                    self.columns.push(name.clone());
                }
            }
        }
        self.segments.push(segment);
    }

    pub fn len(&self) -> usize {
        self.segments.iter().map(Segment::rows).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows, in order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.segments
            .iter()
            .flat_map(|segment| (0..segment.rows()).map(move |row| Row { segment, row }))
    }

    /// Every row's cell in each of [`ResultTable::columns`], null where the row does not have the field: the table
    /// as CSV, Parquet and JSON lines write it.
    pub fn records(&self) -> impl Iterator<Item = Vec<TableCell<'_>>> {
        self.segments.iter().flat_map(move |segment| {
            let at = self.positions(segment);
            (0..segment.rows()).map(move |row| {
                at.iter()
                    .map(|c| c.map_or(TableCell::Null, |c| segment.columns[c].cell(row)))
                    .collect()
            })
        })
    }

    /// Where each of the table's columns is in `segment`.
    fn positions(&self, segment: &Segment) -> Vec<Option<usize>> {
        self.columns.iter().map(|name| segment.position(name)).collect()
    }

    /// Calls `f` with each row's cells in the table's columns, without making a list per row.
    fn each_record<E>(
        &self,
        mut f: impl FnMut(&mut dyn Iterator<Item = TableCell<'_>>) -> Result<(), E>,
    ) -> Result<(), E> {
        for segment in &self.segments {
            let at = self.positions(segment);
            for row in 0..segment.rows() {
                let mut cells = at
                    .iter()
                    .map(|c| c.map_or(TableCell::Null, |c| segment.columns[c].cell(row)));
                f(&mut cells)?;
            }
        }
        Ok(())
    }

    /// One table per row kind (the field `kind`, which the tables no longer carry), in first-seen order; rows
    /// without a kind go to a table named `unnamed`.
    pub fn by_kind(&self, unnamed: &str) -> Vec<(String, ResultTable)> {
        let mut tables: Vec<(String, SegmentBuilder)> = Vec::new();
        for segment in &self.segments {
            for row in 0..segment.rows() {
                let kind = match segment.field(row, "kind") {
                    Some(TableCell::Text(k)) => k,
                    _ => unnamed,
                };
                let i = match tables.iter().position(|(k, _)| k == kind) {
                    Some(i) => i,
                    None => {
                        tables.push((kind.to_string(), SegmentBuilder::default()));
                        tables.len() - 1
                    }
                };
                let b = &mut tables[i].1;
                for (name, cell) in segment.fields(row).filter(|(name, _)| *name != "kind") {
                    b.column(name).push_cell(cell);
                }
                b.end_row();
            }
        }
        tables
            .into_iter()
            .map(|(kind, b)| {
                let mut table = ResultTable::new();
                table.push_segment(b.finish());
                (kind, table)
            })
            .collect()
    }

    /// The table without the columns that are null on every row. JSON lines carry every column on every row, so
    /// a table read back from them (a recorded run) has each kind's rows with the other kinds' fields as nulls;
    /// this gives such a kind's table back its own columns.
    pub fn without_null_columns(&self) -> ResultTable {
        let mut used = vec![false; self.columns.len()];
        self.each_record(|cells| {
            for (used, cell) in used.iter_mut().zip(cells) {
                *used |= !cell.is_null();
            }
            Ok::<(), std::convert::Infallible>(())
        })
        .unwrap_or_else(|never| match never {});
        let keep: Vec<&str> = self
            .columns
            .iter()
            .zip(&used)
            .filter(|(_, used)| **used)
            .map(|(c, _)| c.as_str())
            .collect();
        let mut table = ResultTable::new();
        for segment in &self.segments {
            let mut b = SegmentBuilder::default();
            for row in 0..segment.rows() {
                for (name, cell) in segment.fields(row).filter(|(name, _)| keep.contains(name)) {
                    b.column(name).push_cell(cell);
                }
                b.end_row();
            }
            table.push_segment(b.finish());
        }
        table
    }

    /// The table with a name or label beside each id that `labels` knows: `code_label` after `code`,
    /// `municipality_name` after `municipality`, `wave_name` after `wave` (and `wave_from`, `wave_to`), the
    /// instrument's name, a dimension's label, an item's text, and `group_name` after `group` (and `group_a`,
    /// `group_b`) as the row's `group_by` says what a group is. An id without a name gets an empty label.
    pub fn labelled(&self, labels: &Labels) -> ResultTable {
        let mut table = ResultTable::new();
        for segment in &self.segments {
            let mut b = SegmentBuilder::default();
            for row in 0..segment.rows() {
                let text = |k: &str| segment.field(row, k).and_then(|c| c.as_text());
                let instrument = text("instrument").unwrap_or_default();
                let group_names = match text("group_by").or(text("attribute")) {
                    Some("municipality") => Some(&labels.municipalities),
                    Some("unit") => Some(&labels.units),
                    Some("theme") => Some(&labels.codes),
                    Some("wave") => Some(&labels.waves),
                    _ => None,
                };
                for (k, v) in segment.fields(row) {
                    b.column(k).push_cell(v);
                    // A null id gets a null label, so that the label column stays beside its id column.
                    let id = v.as_text().unwrap_or_default();
                    let key = || (instrument.to_string(), id.to_string());
                    let label = match k {
                        "code" => Some(("code_label", labels.codes.get(id))),
                        "municipality" => Some(("municipality_name", labels.municipalities.get(id))),
                        "wave" => Some(("wave_name", labels.waves.get(id))),
                        "wave_from" => Some(("wave_from_name", labels.waves.get(id))),
                        "wave_to" => Some(("wave_to_name", labels.waves.get(id))),
                        "instrument" => Some(("instrument_name", labels.instruments.get(id))),
                        "dimension" => Some(("dimension_label", labels.dimensions.get(&key()))),
                        "item" => Some(("item_text", labels.items.get(&key()))),
                        "target" => match text("target_kind") {
                            Some("item") => Some(("target_label", labels.items.get(&key()))),
                            Some("dimension") => Some(("target_label", labels.dimensions.get(&key()))),
                            _ => None,
                        },
                        "group" => group_names.map(|n| ("group_name", n.get(id))),
                        "group_a" => group_names.map(|n| ("group_a_name", n.get(id))),
                        "group_b" => group_names.map(|n| ("group_b_name", n.get(id))),
                        _ => None,
                    };
                    if let Some((column, name)) = label {
                        let column = b.column(column);
                        match v {
                            TableCell::Text(_) => column.push_str(name.map_or("", String::as_str)),
                            _ => column.push_null(),
                        }
                    }
                }
                b.end_row();
            }
            table.push_segment(b.finish());
        }
        table
    }

    /// The union of the rows' fields, in first-seen order.
    pub fn columns(&self) -> Vec<String> {
        self.columns.clone()
    }

    /// One JSON object per line, every row with every column of the table (those of [`ResultTable::columns`], in
    /// that order, as CSV's header and Parquet have them), null where the row has no value.
    pub fn write_json_lines(&self, mut out: impl Write) -> std::io::Result<()> {
        let keys: Vec<Vec<u8>> = self
            .columns
            .iter()
            .map(|c| {
                let mut key = serde_json::to_vec(c).expect("a string is written as JSON");
                key.push(b':');
                key
            })
            .collect();
        let mut line = Vec::new();
        self.each_record(|cells| {
            line.clear();
            line.push(b'{');
            for (i, (key, cell)) in keys.iter().zip(cells).enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                line.extend_from_slice(key);
                cell.write_json(&mut line);
            }
            line.extend_from_slice(b"}\n");
            out.write_all(&line)
        })?;
        out.flush()
    }

    /// The rows as a DataFrame: integer columns as Int64, other numbers as Float64, text as String, booleans as
    /// Boolean, lists of integers as List(Int64); a missing field is null. A column of mixed kinds is text, with
    /// what is not text written as JSON.
    pub fn to_frame(&self) -> Result<DataFrame, AnalysisError> {
        let mut columns = Vec::new();
        for name in &self.columns {
            let values: Vec<TableCell> = self
                .segments
                .iter()
                .flat_map(|s| {
                    let c = s.position(name);
                    (0..s.rows()).map(move |row| c.map_or(TableCell::Null, |c| s.columns[c].cell(row)))
                })
                .collect();
            let name: PlSmallStr = name.as_str().into();
            let present = || values.iter().filter(|v| !v.is_null());
            let any = present().next().is_some();
            let big_integer = |v: &TableCell| matches!(v, TableCell::Json(Value::Number(n)) if n.is_u64());
            let column = if any && present().all(|v| matches!(v, TableCell::Integer(_)) || big_integer(v)) {
                // An integer above i64::MAX does not fit and is null, as before.
                let v: Vec<Option<i64>> = values
                    .iter()
                    .map(|v| match v {
                        TableCell::Integer(i) => Some(*i),
                        _ => None,
                    })
                    .collect();
                Column::new(name, v)
            } else if any
                && present().all(|v| matches!(v, TableCell::Integer(_) | TableCell::Float(_)) || big_integer(v))
            {
                let v: Vec<Option<f64>> = values
                    .iter()
                    .map(|v| match v {
                        TableCell::Integer(i) => Some(*i as f64),
                        TableCell::Float(x) => Some(*x),
                        TableCell::Json(v) => v.as_f64(),
                        _ => None,
                    })
                    .collect();
                Column::new(name, v)
            } else if any && present().all(|v| matches!(v, TableCell::Bool(_))) {
                let v: Vec<Option<bool>> = values
                    .iter()
                    .map(|v| match v {
                        TableCell::Bool(b) => Some(*b),
                        _ => None,
                    })
                    .collect();
                Column::new(name, v)
            } else if any && present().all(|v| integer_list(v).is_some()) {
                let width = present().map(|v| integer_list(v).map_or(0, |l| l.len())).sum();
                let mut b = ListPrimitiveChunkedBuilder::<Int64Type>::new(name, values.len(), width, DataType::Int64);
                for v in &values {
                    match integer_list(v) {
                        Some(list) => b.append_slice(&list),
                        None => b.append_null(),
                    }
                }
                b.finish().into_column()
            } else {
                let text: Vec<Option<String>> = values
                    .iter()
                    .map(|v| match v {
                        TableCell::Null => None,
                        TableCell::Text(s) => Some(s.to_string()),
                        other => {
                            let mut json = Vec::new();
                            other.write_json(&mut json);
                            Some(String::from_utf8(json).expect("JSON is UTF-8"))
                        }
                    })
                    .collect();
                Column::new(name, text)
            };
            columns.push(column);
        }
        Ok(DataFrame::new_infer_height(columns)?)
    }

    /// CSV with a header, numbers with a decimal point, null as an empty field, a list of integers as its numbers
    /// joined by `|` (`3|5|17`). Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-` or `@`)
    /// is prefixed with `'`.
    pub fn write_csv(&self, out: impl Write) -> Result<(), AnalysisError> {
        let w = csv::Writer::from_writer(out);
        self.write_csv_with(w, csv_field)
    }

    /// CSV as Swedish Excel opens it with a double click: a UTF-8 byte order mark (without it Excel reads the file
    /// as Windows-1252 and garbles å, ä, ö), `;` between fields, a decimal comma, and floating-point numbers rounded
    /// by [`excel_sv_number`]. The columns and the defusing of formulas are those of [`ResultTable::write_csv`].
    pub fn write_csv_excel_sv(&self, mut out: impl Write) -> Result<(), AnalysisError> {
        out.write_all("\u{feff}".as_bytes())?;
        let w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
        self.write_csv_with(w, |cell, field| match cell {
            TableCell::Float(x) => field.extend_from_slice(excel_sv_number(x).as_bytes()),
            other => csv_field(other, field),
        })
    }

    fn write_csv_with<W: Write>(
        &self,
        mut w: csv::Writer<W>,
        text: impl Fn(TableCell<'_>, &mut Vec<u8>),
    ) -> Result<(), AnalysisError> {
        w.write_record(&self.columns).map_err(io)?;
        let mut field = Vec::new();
        self.each_record(|cells| {
            for cell in cells {
                field.clear();
                text(cell, &mut field);
                w.write_field(&field).map_err(io)?;
            }
            w.write_record(std::iter::empty::<&[u8]>()).map_err(io)
        })?;
        w.flush()?;
        Ok(())
    }

    /// Parquet with the column types of [`ResultTable::to_frame`].
    pub fn write_parquet(&self, out: impl Write) -> Result<(), AnalysisError> {
        let mut df = self.to_frame()?;
        ParquetWriter::new(out).finish(&mut df)?;
        Ok(())
    }
}

/// The integers of a list cell (also of a JSON array of integers); `None` for anything else.
fn integer_list(cell: &TableCell<'_>) -> Option<Vec<i64>> {
    match cell {
        TableCell::Integers(v) => Some(v.to_vec()),
        TableCell::Json(Value::Array(items)) => items.iter().map(Value::as_i64).collect(),
        _ => None,
    }
}

/// A cell as a standard CSV field: see [`ResultTable::write_csv`].
fn csv_field(cell: TableCell<'_>, field: &mut Vec<u8>) {
    match cell {
        TableCell::Null => {}
        TableCell::Text(s) => {
            if needs_defusing(s) {
                field.push(b'\'');
            }
            field.extend_from_slice(s.as_bytes());
        }
        TableCell::Integers(list) => join_integers(list.iter().copied(), field),
        TableCell::Json(Value::Array(items)) if items.iter().all(|v| v.as_i64().is_some()) => {
            join_integers(items.iter().filter_map(Value::as_i64), field)
        }
        other => other.write_json(field),
    }
}

/// A list of integers as CSV and spreadsheets show it, which have no lists: `3|5|17|10|1`.
fn join_integers(list: impl Iterator<Item = i64>, field: &mut Vec<u8>) {
    for (i, n) in list.enumerate() {
        if i > 0 {
            field.push(b'|');
        }
        TableCell::Integer(n).write_json(field);
    }
}

/// A list cell as text for CSV and XLSX: its integers joined by `|`; `None` for a cell that is not a list of
/// integers.
pub fn joined_integers(cell: &TableCell<'_>) -> Option<String> {
    let list = integer_list(cell)?;
    let mut field = Vec::new();
    join_integers(list.into_iter(), &mut field);
    Some(String::from_utf8(field).expect("digits are UTF-8"))
}

/// Names and labels of the ids result rows carry, in the project's language, for [`ResultTable::labelled`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Labels {
    /// Code id → label.
    pub codes: HashMap<String, String>,
    /// Kommunkod → name.
    pub municipalities: HashMap<String, String>,
    /// Wave id → name.
    pub waves: HashMap<String, String>,
    /// Unit id → name.
    pub units: HashMap<String, String>,
    /// Instrument id → name.
    pub instruments: HashMap<String, String>,
    /// (instrument, dimension id) → label.
    pub dimensions: HashMap<(String, String), String>,
    /// (instrument, item id) → text.
    pub items: HashMap<(String, String), String>,
}

impl Labels {
    /// The labels of a corpus and its surveys in `language`, with the waves' and units' names `(id, name)`, which
    /// the corpus does not hold.
    pub fn new(
        corpus: &crosscase_model::Corpus,
        surveys: &crosscase_model::SurveyRecords,
        waves: &[(String, String)],
        units: &[(String, String)],
        language: crosscase_model::Language,
    ) -> Labels {
        let mut labels = Labels {
            codes: corpus
                .codes
                .iter()
                .map(|c| (c.id.clone(), c.label(language).to_string()))
                .collect(),
            municipalities: corpus
                .municipalities
                .iter()
                .map(|m| (m.code.clone(), m.name.clone()))
                .collect(),
            waves: waves.iter().cloned().collect(),
            units: units.iter().cloned().collect(),
            ..Labels::default()
        };
        for i in &surveys.instruments {
            labels.instruments.insert(i.id.clone(), i.name(language).to_string());
            for d in &i.dimensions {
                labels
                    .dimensions
                    .insert((i.id.clone(), d.id.clone()), d.label(language).to_string());
            }
            for item in &i.items {
                labels
                    .items
                    .insert((i.id.clone(), item.id.clone()), item.text(language).to_string());
            }
        }
        labels
    }
}

/// A floating-point result as Swedish Excel reads it: a decimal comma, at most four decimals (trailing zeros
/// dropped), and three significant digits in scientific notation below 0.001 so that small p-values keep their
/// size ("9,62E-09"). Not finite: empty.
pub fn excel_sv_number(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let text = if x != 0.0 && x.abs() < 1e-3 {
        // Rust writes `9.62e-9`; Excel writes and reads `9,62E-09`.
        let t = format!("{x:.2e}");
        let (mantissa, exponent) = t.split_once('e').unwrap_or((&t, "0"));
        let exponent: i32 = exponent.parse().unwrap_or(0);
        format!(
            "{mantissa}E{}{:02}",
            if exponent < 0 { "-" } else { "+" },
            exponent.abs()
        )
    } else {
        let t = format!("{x:.4}");
        let t = t.trim_end_matches('0').trim_end_matches('.');
        if t == "-0" { "0".to_string() } else { t.to_string() }
    };
    text.replace('.', ",")
}

fn io(e: csv::Error) -> AnalysisError {
    match e.into_kind() {
        // Kept as an IO error, so that a closed pipe can be told from a real failure.
        csv::ErrorKind::Io(e) => AnalysisError::Io(e),
        other => AnalysisError::Input(format!("cannot write CSV: {other:?}")),
    }
}

/// A cell that would start a spreadsheet formula is written as text.
pub fn defuse_formula(s: &str) -> String {
    if needs_defusing(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn needs_defusing(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err()
}

/// A data table (see [`crosscase_model::DataTable`]) as a DataFrame: integer columns as Int64, text as String.
pub fn data_table_frame(table: &crosscase_model::DataTable) -> Result<DataFrame, AnalysisError> {
    let columns = table
        .columns
        .iter()
        .map(|c| match &c.values {
            crosscase_model::Values::Integer(v) => Column::new(c.name.into(), v.as_slice()),
            crosscase_model::Values::Text(v) => Column::new(c.name.into(), v.as_slice()),
        })
        .collect();
    Ok(DataFrame::new_infer_height(columns)?)
}

/// A data table as Parquet.
pub fn write_data_table_parquet(table: &crosscase_model::DataTable, out: impl Write) -> Result<(), AnalysisError> {
    let mut df = data_table_frame(table)?;
    ParquetWriter::new(out).finish(&mut df)?;
    Ok(())
}

/// A data table as CSV with a header; missing values are empty, and text that a spreadsheet would run as a formula
/// is prefixed with `'`.
pub fn write_data_table_csv(table: &crosscase_model::DataTable, out: impl Write) -> Result<(), AnalysisError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(table.columns.iter().map(|c| c.name)).map_err(io)?;
    for row in 0..table.rows() {
        let fields = table.columns.iter().map(|c| match (&c.values, c.values.text(row)) {
            (crosscase_model::Values::Text(_), Some(s)) => defuse_formula(&s),
            (_, v) => v.unwrap_or_default(),
        });
        w.write_record(fields).map_err(io)?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_swedish_excel() {
        let check = |x: f64, expected: &str| assert_eq!(excel_sv_number(x), expected, "{x}");
        check(0.0, "0");
        check(0.36363636363636365, "0,3636");
        check(3.0277777777777777, "3,0278");
        check(1.0, "1");
        check(-0.07990314769975787, "-0,0799");
        check(-0.00001, "-1,00E-05");
        check(9.621501892053256e-9, "9,62E-09");
        check(11400.5, "11400,5");
        check(-0.00004, "-4,00E-05");
        check(f64::NAN, "");
    }

    #[test]
    fn excel_sv_csv_and_labels() {
        let mut t = ResultTable::new();
        #[derive(Serialize)]
        struct Row {
            code: &'static str,
            municipality: &'static str,
            share: f64,
            n: u64,
            note: &'static str,
        }
        t.extend(
            Some("prevalence"),
            &[Row {
                code: "kultur",
                municipality: "0583",
                share: 0.5,
                n: 3,
                note: "=1+1",
            }],
        )
        .unwrap();
        let mut labels = Labels::default();
        labels.codes.insert("kultur".into(), "Kultur".into());
        labels.municipalities.insert("0583".into(), "Motala".into());
        let mut out = Vec::new();
        t.labelled(&labels).write_csv_excel_sv(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\u{feff}kind;code;code_label;municipality;municipality_name;share;n;note\nprevalence;kultur;Kultur;0583;Motala;0,5;3;'=1+1\n"
        );
        let split = t.by_kind("rows");
        assert_eq!(split.len(), 1);
        assert_eq!(split[0].0, "prevalence");
        assert_eq!(split[0].1.columns(), ["code", "municipality", "share", "n", "note"]);
    }

    #[derive(Serialize)]
    struct Prevalence {
        code: &'static str,
        municipality: &'static str,
        share: Option<f64>,
    }

    #[derive(Serialize)]
    struct Difference {
        code: &'static str,
        p_value: Option<f64>,
        reason: &'static str,
    }

    #[derive(Serialize)]
    struct Item {
        item: &'static str,
        n: u64,
        distribution: Vec<u64>,
    }

    fn output(table: &ResultTable) -> (String, String, String) {
        let mut json = Vec::new();
        table.write_json_lines(&mut json).unwrap();
        let mut csv = Vec::new();
        table.write_csv(&mut csv).unwrap();
        let mut excel = Vec::new();
        table.write_csv_excel_sv(&mut excel).unwrap();
        (
            String::from_utf8(json).unwrap(),
            String::from_utf8(csv).unwrap(),
            String::from_utf8(excel).unwrap(),
        )
    }

    /// JSON lines carry every column of the table on every row, in the order of CSV's header, null where a row has
    /// no value; CSV has the same columns.
    #[test]
    fn every_json_line_has_the_columns_of_the_csv_header() {
        let check = |table: ResultTable, json: &str, csv: &str| {
            let (got_json, got_csv, _) = output(&table);
            assert_eq!(got_json, json);
            assert_eq!(got_csv, csv);
            let header: Vec<&str> = got_csv.lines().next().unwrap_or_default().split(',').collect();
            for line in got_json.lines() {
                let row: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
                assert_eq!(row.keys().map(String::as_str).collect::<Vec<_>>(), header, "{line}");
            }
        };
        let prevalence = [
            Prevalence {
                code: "kultur",
                municipality: "0583",
                share: Some(0.5),
            },
            Prevalence {
                code: "skola",
                municipality: "0580",
                share: None,
            },
        ];
        let difference = [Difference {
            code: "kultur",
            p_value: Some(0.04),
            reason: "=χ²",
        }];

        // One kind: each row's own fields, a None as null.
        let mut t = ResultTable::new();
        t.extend(Some("prevalence"), &prevalence).unwrap();
        check(
            t,
            concat!(
                "{\"kind\":\"prevalence\",\"code\":\"kultur\",\"municipality\":\"0583\",\"share\":0.5}\n",
                "{\"kind\":\"prevalence\",\"code\":\"skola\",\"municipality\":\"0580\",\"share\":null}\n",
            ),
            "kind,code,municipality,share\nprevalence,kultur,0583,0.5\nprevalence,skola,0580,\n",
        );

        // Two kinds: the union of their fields in first-seen order, the other kind's fields as nulls.
        let mut t = ResultTable::new();
        t.extend(Some("prevalence"), &prevalence[..1]).unwrap();
        t.extend(Some("difference"), &difference).unwrap();
        check(
            t,
            concat!(
                "{\"kind\":\"prevalence\",\"code\":\"kultur\",\"municipality\":\"0583\",\"share\":0.5,\"p_value\":null,\"reason\":null}\n",
                "{\"kind\":\"difference\",\"code\":\"kultur\",\"municipality\":null,\"share\":null,\"p_value\":0.04,\"reason\":\"=χ²\"}\n",
            ),
            "kind,code,municipality,share,p_value,reason\nprevalence,kultur,0583,0.5,,\ndifference,kultur,,,0.04,'=χ²\n",
        );

        // The other order of kinds: the columns follow.
        let mut t = ResultTable::new();
        t.extend(Some("difference"), &difference).unwrap();
        t.extend(Some("prevalence"), &prevalence[1..]).unwrap();
        check(
            t,
            concat!(
                "{\"kind\":\"difference\",\"code\":\"kultur\",\"p_value\":0.04,\"reason\":\"=χ²\",\"municipality\":null,\"share\":null}\n",
                "{\"kind\":\"prevalence\",\"code\":\"skola\",\"p_value\":null,\"reason\":null,\"municipality\":\"0580\",\"share\":null}\n",
            ),
            "kind,code,p_value,reason,municipality,share\ndifference,kultur,0.04,'=χ²,,\nprevalence,skola,,,0580,\n",
        );

        // Rows without a kind, given as maps with fields of their own (as a stored run is read back).
        let rows: Vec<serde_json::Map<String, Value>> = [
            serde_json::json!({"a": 1, "b": true}),
            serde_json::json!({"c": "x", "a": 2.5}),
            serde_json::json!({}),
        ]
        .into_iter()
        .map(|v| v.as_object().unwrap().clone())
        .collect();
        let mut t = ResultTable::new();
        t.extend(None, &rows).unwrap();
        check(
            t,
            "{\"a\":1,\"b\":true,\"c\":null}\n{\"a\":2.5,\"b\":null,\"c\":\"x\"}\n{\"a\":null,\"b\":null,\"c\":null}\n",
            "a,b,c\n1,true,\n2.5,,x\n,,\n",
        );

        // No rows: no JSON lines, and a CSV header without columns (written as one empty field).
        check(ResultTable::new(), "", "\"\"\n");
    }

    /// A list of counts (a survey item's distribution) is an array in JSON lines, a List(Int64) column in Parquet,
    /// and its counts joined by `|` in CSV, in the CSV for Swedish Excel and in the tables split by kind.
    #[test]
    fn a_distribution_is_a_list_in_json_and_parquet_and_joined_in_csv() {
        let mut t = ResultTable::new();
        let items = [
            Item {
                item: "q1",
                n: 36,
                distribution: vec![3, 5, 17, 10, 1],
            },
            Item {
                item: "q2",
                n: 0,
                distribution: vec![0, 0],
            },
        ];
        t.extend(Some("item"), &items).unwrap();
        t.extend(
            Some("index"),
            &[Prevalence {
                code: "c",
                municipality: "0583",
                share: Some(0.25),
            }],
        )
        .unwrap();
        let (json, csv, excel) = output(&t);
        let rows: Vec<Value> = json.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let distributions: Vec<&Value> = rows.iter().map(|r| &r["distribution"]).collect();
        assert_eq!(
            distributions,
            [
                &serde_json::json!([3, 5, 17, 10, 1]),
                &serde_json::json!([0, 0]),
                &Value::Null
            ]
        );
        assert_eq!(
            csv,
            "kind,item,n,distribution,code,municipality,share\nitem,q1,36,3|5|17|10|1,,,\nitem,q2,0,0|0,,,\nindex,,,,c,0583,0.25\n"
        );
        assert_eq!(
            excel,
            "\u{feff}kind;item;n;distribution;code;municipality;share\nitem;q1;36;3|5|17|10|1;;;\nitem;q2;0;0|0;;;\nindex;;;;c;0583;0,25\n"
        );
        let items = &t.by_kind("rows")[0].1;
        assert_eq!(items.columns(), ["item", "n", "distribution"]);
        let cells: Vec<Option<String>> = items.records().map(|r| joined_integers(&r[2])).collect();
        assert_eq!(cells, [Some("3|5|17|10|1".to_string()), Some("0|0".to_string())]);

        // Parquet, read back with polars.
        let mut parquet = Vec::new();
        t.write_parquet(&mut parquet).unwrap();
        let df = ParquetReader::new(std::io::Cursor::new(parquet)).finish().unwrap();
        let column = df.column("distribution").unwrap();
        assert_eq!(column.dtype(), &DataType::List(Box::new(DataType::Int64)));
        let list = column.list().unwrap();
        let lists: Vec<Option<Vec<i64>>> = (0..list.len())
            .map(|i| {
                list.get_as_series(i)
                    .map(|s| s.i64().unwrap().into_no_null_iter().collect())
            })
            .collect();
        assert_eq!(lists, [Some(vec![3, 5, 17, 10, 1]), Some(vec![0, 0]), None]);
        assert_eq!(df.column("n").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("share").unwrap().dtype(), &DataType::Float64);
    }

    /// The columns keep every value as serde_json would have written it: integers and floats apart even in one
    /// column, integers above i64::MAX, floats that are not finite (null), nested values, a field given twice.
    #[test]
    fn cells_are_written_as_serde_json_writes_them() {
        let check = |rows: Value, json: &str, csv: &str| {
            let rows: Vec<serde_json::Map<String, Value>> = rows
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_object().unwrap().clone())
                .collect();
            let mut t = ResultTable::new();
            t.extend(None, &rows).unwrap();
            let (got_json, got_csv, _) = output(&t);
            assert_eq!((got_json.as_str(), got_csv.as_str()), (json, csv), "{rows:?}");
        };
        check(
            serde_json::json!([{"x": 1}, {"x": 1.0}, {"x": u64::MAX}, {"x": -3}]),
            "{\"x\":1}\n{\"x\":1.0}\n{\"x\":18446744073709551615}\n{\"x\":-3}\n",
            "x\n1\n1.0\n18446744073709551615\n-3\n",
        );
        check(
            serde_json::json!([{"x": "a"}, {"x": 2}, {"x": false}, {"x": null}]),
            "{\"x\":\"a\"}\n{\"x\":2}\n{\"x\":false}\n{\"x\":null}\n",
            // The csv crate quotes a record of one empty field, so that it is not a blank line.
            "x\na\n2\nfalse\n\"\"\n",
        );
        check(
            serde_json::json!([{"x": {"y": [1, 2.5]}, "l": ["a", 1]}, {"x": [], "l": [1, -2]}]),
            "{\"x\":{\"y\":[1,2.5]},\"l\":[\"a\",1]}\n{\"x\":[],\"l\":[1,-2]}\n",
            "x,l\n\"{\"\"y\"\":[1,2.5]}\",\"[\"\"a\"\",1]\"\n,1|-2\n",
        );
        check(
            serde_json::json!([{"t": "citat \"så\"\n\t\\ åäö"}]),
            "{\"t\":\"citat \\\"så\\\"\\n\\t\\\\ åäö\"}\n",
            "t\n\"citat \"\"så\"\"\n\t\\ åäö\"\n",
        );

        #[derive(Serialize)]
        struct Floats {
            nan: f64,
            infinite: f32,
            small: f32,
        }
        let mut t = ResultTable::new();
        t.extend(
            None,
            &[Floats {
                nan: f64::NAN,
                infinite: f32::INFINITY,
                small: 0.1,
            }],
        )
        .unwrap();
        let (json, _, _) = output(&t);
        assert_eq!(
            json,
            format!(
                "{}\n",
                serde_json::to_value(Floats {
                    nan: f64::NAN,
                    infinite: f32::INFINITY,
                    small: 0.1
                })
                .unwrap()
            )
        );

        // A row that is not a record.
        assert!(ResultTable::new().extend(None, &[1, 2]).is_err());
    }

    /// Splitting by kind keeps each kind's own columns, in first-seen order, with nulls where its rows have them;
    /// dropping the columns that are null throughout gives a stored run's kinds their columns back.
    #[test]
    fn tables_by_kind_keep_their_own_columns() {
        let mut t = ResultTable::new();
        t.extend(
            Some("prevalence"),
            &[Prevalence {
                code: "a",
                municipality: "0583",
                share: None,
            }],
        )
        .unwrap();
        t.extend(
            Some("difference"),
            &[Difference {
                code: "a",
                p_value: None,
                reason: "r",
            }],
        )
        .unwrap();
        let split = t.by_kind("rows");
        let columns: Vec<(&str, Vec<String>)> = split.iter().map(|(k, t)| (k.as_str(), t.columns())).collect();
        assert_eq!(
            columns,
            [
                ("prevalence", vec!["code".into(), "municipality".into(), "share".into()]),
                ("difference", vec!["code".into(), "p_value".into(), "reason".into()]),
            ]
        );
        // Read back from JSON lines, every row has every column; the kind's own come back where they have values.
        let mut json = Vec::new();
        t.write_json_lines(&mut json).unwrap();
        let rows: Vec<serde_json::Map<String, Value>> = json
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        let mut back = ResultTable::new();
        back.extend(None, &rows).unwrap();
        let columns: Vec<(String, Vec<String>)> = back
            .by_kind("rows")
            .into_iter()
            .map(|(k, t)| (k, t.without_null_columns().columns()))
            .collect();
        assert_eq!(
            columns,
            [
                (
                    "prevalence".to_string(),
                    vec!["code".to_string(), "municipality".into()]
                ),
                ("difference".to_string(), vec!["code".to_string(), "reason".into()]),
            ]
        );
    }

    /// A table of many segments (rows are turned into columns 8,192 at a time) is the same table.
    #[test]
    fn segments_join_into_one_table() {
        let rows: Vec<Prevalence> = (0..20_000)
            .map(|i| Prevalence {
                code: if i % 2 == 0 { "a" } else { "b" },
                municipality: "0583",
                share: (i % 3 != 0).then_some(i as f64 / 7.0),
            })
            .collect();
        let mut t = ResultTable::new();
        t.extend(Some("prevalence"), &rows).unwrap();
        assert_eq!(t.len(), 20_000);
        let mut json = Vec::new();
        t.write_json_lines(&mut json).unwrap();
        let expected: String = rows
            .iter()
            .map(|r| {
                let mut row = serde_json::Map::new();
                row.insert("kind".into(), "prevalence".into());
                row.extend(serde_json::to_value(r).unwrap().as_object().unwrap().clone());
                format!("{}\n", Value::Object(row))
            })
            .collect();
        assert_eq!(String::from_utf8(json).unwrap(), expected);
        assert_eq!(t.to_frame().unwrap().height(), 20_000);
    }
}
