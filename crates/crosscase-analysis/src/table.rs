//! Result rows as one table with the same column names in every format: CSV, Parquet, or JSON lines.
//!
//! Rows of different kinds (prevalence, difference, contrast) share one table: the columns are the union of their
//! fields in first-seen order, and a field a row does not have is null.

use std::io::Write;

use polars::prelude::*;
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
    pub fn extend<T: Serialize>(&mut self, kind: Option<&str>, rows: &[T]) -> Result<(), AnalysisError> {
        for r in rows {
            let Value::Object(fields) = serde_json::to_value(r).map_err(|e| AnalysisError::Input(e.to_string()))?
            else {
                return Err(AnalysisError::Input("a result row is not a record".into()));
            };
            let mut row = serde_json::Map::new();
            if let Some(kind) = kind {
                row.insert("kind".into(), Value::String(kind.into()));
            }
            row.extend(fields);
            self.rows.push(row);
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
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

    /// Parquet with the column types of [`ResultTable::to_frame`].
    pub fn write_parquet(&self, out: impl Write) -> Result<(), AnalysisError> {
        let mut df = self.to_frame()?;
        ParquetWriter::new(out).finish(&mut df)?;
        Ok(())
    }
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
