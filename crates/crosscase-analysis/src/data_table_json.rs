//! A tidy export table as JSON lines: one object per row with every column, in the table's order, missing values as
//! null, the same shape as a command's JSON output.

use std::io::Write;

use crosscase_model::{DataTable, Values};
use serde_json::{Map, Value};

use crate::error::AnalysisError;

/// Writes `table` as JSON lines: integers as numbers, text as strings, missing values as null.
pub fn write_data_table_json_lines(table: &DataTable, mut out: impl Write) -> Result<(), AnalysisError> {
    for row in 0..table.rows() {
        let mut object = Map::with_capacity(table.columns.len());
        for c in &table.columns {
            let value = match &c.values {
                Values::Text(v) => v[row].clone().map_or(Value::Null, Value::String),
                Values::Integer(v) => v[row].map_or(Value::Null, Value::from),
            };
            object.insert(c.name.to_string(), value);
        }
        serde_json::to_writer(&mut out, &object).map_err(|e| match e.io_error_kind() {
            // A full disk or a closed pipe stays an IO error, which the binary reports as such.
            Some(_) => AnalysisError::Io(e.into()),
            None => AnalysisError::Input(e.to_string()),
        })?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crosscase_model::Column;

    #[test]
    fn every_row_has_every_column_with_nulls() {
        let table = DataTable {
            name: "t",
            columns: vec![
                Column {
                    name: "id",
                    values: Values::Text(vec![Some("a".into()), Some("b\"c".into())]),
                },
                Column {
                    name: "n",
                    values: Values::Integer(vec![None, Some(-3)]),
                },
            ],
        };
        let mut out = Vec::new();
        write_data_table_json_lines(&table, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"id\":\"a\",\"n\":null}\n{\"id\":\"b\\\"c\",\"n\":-3}\n"
        );
    }
}
