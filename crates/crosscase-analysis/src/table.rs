//! Result rows as one table with the same column names in every format: CSV, Parquet, or JSON lines.
//!
//! Rows of different kinds (prevalence, difference, contrast) share one table: the columns are the union of their
//! fields in first-seen order, and a field a row does not have is null. For people rather than programs, a table
//! can be split by kind ([`ResultTable::by_kind`]), given names and labels beside its ids
//! ([`ResultTable::labelled`]) and written as CSV for Swedish Excel ([`ResultTable::write_csv_excel_sv`]).

use std::collections::HashMap;
use std::io::Write;

use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::error::AnalysisError;

/// Rows held as JSON objects, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResultTable {
    rows: Vec<serde_json::Map<String, Value>>,
}

impl ResultTable {
    pub fn new() -> ResultTable {
        ResultTable::default()
    }

    /// Appends rows, each tagged with `kind` as its first field when given.
    /// Rows are turned into records in parallel (a national comparison has 174,000).
    pub fn extend<T: Serialize + Sync>(&mut self, kind: Option<&str>, rows: &[T]) -> Result<(), AnalysisError> {
        let records: Vec<serde_json::Map<String, Value>> = rows
            .par_iter()
            .map(|r| {
                let Value::Object(fields) = serde_json::to_value(r).map_err(|e| AnalysisError::Input(e.to_string()))?
                else {
                    return Err(AnalysisError::Input("a result row is not a record".into()));
                };
                let mut row = serde_json::Map::with_capacity(fields.len() + 1);
                if let Some(kind) = kind {
                    row.insert("kind".into(), Value::String(kind.into()));
                }
                row.extend(fields);
                Ok(row)
            })
            .collect::<Result<_, _>>()?;
        self.rows.extend(records);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows, each with its own fields in order.
    pub fn rows(&self) -> &[serde_json::Map<String, Value>] {
        &self.rows
    }

    /// One table per row kind (the field `kind`, which the tables no longer carry), in first-seen order; rows
    /// without a kind go to a table named `unnamed`.
    pub fn by_kind(&self, unnamed: &str) -> Vec<(String, ResultTable)> {
        let mut tables: Vec<(String, ResultTable)> = Vec::new();
        for r in &self.rows {
            let kind = match r.get("kind") {
                Some(Value::String(k)) => k.clone(),
                _ => unnamed.to_string(),
            };
            let mut row = r.clone();
            row.shift_remove("kind");
            match tables.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, t)) => t.rows.push(row),
                None => tables.push((kind, ResultTable { rows: vec![row] })),
            }
        }
        tables
    }

    /// The table with a name or label beside each id that `labels` knows: `code_label` after `code`,
    /// `municipality_name` after `municipality`, `wave_name` after `wave` (and `wave_from`, `wave_to`), the
    /// instrument's name, a dimension's label, an item's text, and `group_name` after `group` (and `group_a`,
    /// `group_b`) as the row's `group_by` says what a group is. An id without a name gets an empty label.
    pub fn labelled(&self, labels: &Labels) -> ResultTable {
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let text = |k: &str| r.get(k).and_then(Value::as_str);
                let instrument = text("instrument").unwrap_or_default();
                let group_names = match text("group_by").or(text("attribute")) {
                    Some("municipality") => Some(&labels.municipalities),
                    Some("unit") => Some(&labels.units),
                    Some("theme") => Some(&labels.codes),
                    Some("wave") => Some(&labels.waves),
                    _ => None,
                };
                let mut row = serde_json::Map::new();
                for (k, v) in r {
                    row.insert(k.clone(), v.clone());
                    // A null id gets a null label, so that the label column stays beside its id column.
                    let id = v.as_str().unwrap_or_default();
                    let key = (instrument.to_string(), id.to_string());
                    let label = match k.as_str() {
                        "code" => Some(("code_label", labels.codes.get(id))),
                        "municipality" => Some(("municipality_name", labels.municipalities.get(id))),
                        "wave" => Some(("wave_name", labels.waves.get(id))),
                        "wave_from" => Some(("wave_from_name", labels.waves.get(id))),
                        "wave_to" => Some(("wave_to_name", labels.waves.get(id))),
                        "instrument" => Some(("instrument_name", labels.instruments.get(id))),
                        "dimension" => Some(("dimension_label", labels.dimensions.get(&key))),
                        "item" => Some(("item_text", labels.items.get(&key))),
                        "target" => match text("target_kind") {
                            Some("item") => Some(("target_label", labels.items.get(&key))),
                            Some("dimension") => Some(("target_label", labels.dimensions.get(&key))),
                            _ => None,
                        },
                        "group" => group_names.map(|n| ("group_name", n.get(id))),
                        "group_a" => group_names.map(|n| ("group_a_name", n.get(id))),
                        "group_b" => group_names.map(|n| ("group_b_name", n.get(id))),
                        _ => None,
                    };
                    if let Some((column, name)) = label {
                        let value = match v {
                            Value::String(_) => Value::String(name.cloned().unwrap_or_default()),
                            _ => Value::Null,
                        };
                        row.insert(column.to_string(), value);
                    }
                }
                row
            })
            .collect();
        ResultTable { rows }
    }

    /// The union of the rows' fields, in first-seen order.
    pub fn columns(&self) -> Vec<String> {
        let mut cols: Vec<String> = Vec::new();
        for r in &self.rows {
            for k in r.keys() {
                if !cols.contains(k) {
                    cols.push(k.clone());
                }
            }
        }
        cols
    }

    /// One JSON object per line; each row carries only its own fields.
    pub fn write_json_lines(&self, mut out: impl Write) -> std::io::Result<()> {
        for r in &self.rows {
            serde_json::to_writer(&mut out, r)?;
            out.write_all(b"\n")?;
        }
        out.flush()
    }

    /// The rows as a DataFrame: integer columns as Int64, other numbers as Float64, text as String, booleans as
    /// Boolean; a missing field is null.
    pub fn to_frame(&self) -> Result<DataFrame, AnalysisError> {
        let mut columns = Vec::new();
        for name in self.columns() {
            let values: Vec<&Value> = self.rows.iter().map(|r| r.get(&name).unwrap_or(&Value::Null)).collect();
            let present = || values.iter().filter(|v| !v.is_null());
            let column = if present().all(|v| v.is_i64() || v.is_u64()) && present().next().is_some() {
                Column::new(
                    name.as_str().into(),
                    values.iter().map(|v| v.as_i64()).collect::<Vec<_>>(),
                )
            } else if present().all(|v| v.is_number()) && present().next().is_some() {
                Column::new(
                    name.as_str().into(),
                    values.iter().map(|v| v.as_f64()).collect::<Vec<_>>(),
                )
            } else if present().all(|v| v.is_boolean()) && present().next().is_some() {
                Column::new(
                    name.as_str().into(),
                    values.iter().map(|v| v.as_bool()).collect::<Vec<_>>(),
                )
            } else {
                let text: Vec<Option<String>> = values
                    .iter()
                    .map(|v| match v {
                        Value::Null => None,
                        Value::String(s) => Some(s.clone()),
                        other => Some(other.to_string()),
                    })
                    .collect();
                Column::new(name.as_str().into(), text)
            };
            columns.push(column);
        }
        Ok(DataFrame::new_infer_height(columns)?)
    }

    /// CSV with a header, numbers with a decimal point, null as an empty field. Text that a spreadsheet would run
    /// as a formula (starting with `=`, `+`, `-` or `@`) is prefixed with `'`.
    pub fn write_csv(&self, out: impl Write) -> Result<(), AnalysisError> {
        let mut w = csv::Writer::from_writer(out);
        let cols = self.columns();
        w.write_record(&cols).map_err(io)?;
        for r in &self.rows {
            let fields = cols.iter().map(|c| match r.get(c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => defuse_formula(s),
                Some(v) => v.to_string(),
            });
            w.write_record(fields).map_err(io)?;
        }
        w.flush()?;
        Ok(())
    }

    /// CSV as Swedish Excel opens it with a double click: a UTF-8 byte order mark (without it Excel reads the file
    /// as Windows-1252 and garbles å, ä, ö), `;` between fields, a decimal comma, and floating-point numbers rounded
    /// by [`excel_sv_number`]. The columns and the defusing of formulas are those of [`ResultTable::write_csv`].
    pub fn write_csv_excel_sv(&self, mut out: impl Write) -> Result<(), AnalysisError> {
        out.write_all("\u{feff}".as_bytes())?;
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
        let cols = self.columns();
        w.write_record(&cols).map_err(io)?;
        for r in &self.rows {
            let fields = cols.iter().map(|c| match r.get(c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => defuse_formula(s),
                Some(Value::Number(n)) if n.is_f64() => excel_sv_number(n.as_f64().unwrap_or(f64::NAN)),
                Some(v) => v.to_string(),
            });
            w.write_record(fields).map_err(io)?;
        }
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
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    }
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
}
