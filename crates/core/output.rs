//! Writing result tables as the user asked: CSV, Parquet or JSON lines, to a file or stdout.

use std::io::{IsTerminal, Write};

use anyhow::{Context, Result};
use crosscase_analysis::ResultTable;

use crate::args::{Format, OutputArgs};
use crate::commands::UserError;

/// Writes a result table as the user asked: a file, or stdout.
pub fn write_table(table: &ResultTable, output: &OutputArgs) -> Result<()> {
    match &output.out {
        Some(path) => {
            let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            write_format(table, output.format, &mut w)?;
            w.flush().with_context(|| format!("cannot write {}", path.display()))?;
        }
        None if output.format == Format::Parquet && std::io::stdout().is_terminal() => {
            return Err(UserError("Parquet is binary: give a file with --out FILE".into()).into());
        }
        None => write_format(table, output.format, std::io::stdout().lock())?,
    }
    Ok(())
}

fn write_format(table: &ResultTable, format: Format, out: impl Write) -> Result<()> {
    match format {
        Format::Csv => table.write_csv(out)?,
        Format::Parquet => table.write_parquet(out)?,
        Format::Json => table.write_json_lines(out)?,
    }
    Ok(())
}
