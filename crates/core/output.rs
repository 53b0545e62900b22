//! Writing result tables as the user asked: CSV (for programs, or for Swedish Excel), Parquet, JSON lines or XLSX,
//! to a file or stdout.

use std::io::{IsTerminal, Write};

use anyhow::{Context, Result, anyhow};
use crosscase_analysis::{Labels, ResultTable};

use crate::args::{CsvDialect, Format, OutputArgs};

/// Refuses, before anything is computed or recorded, an output that cannot be written: `--csv-dialect` with
/// another format, XLSX without `--out`, and Parquet or XLSX to a terminal (stdout, or an `--out` such as
/// `/dev/tty`), which would only fill the screen with bytes. These are usage errors (exit 2) naming what to change.
pub fn check_output(output: &OutputArgs) -> Result<()> {
    if output.csv_dialect == CsvDialect::ExcelSv && output.format != Format::Csv {
        return Err(anyhow!(
            "--csv-dialect excel-sv is a kind of CSV: use it with --format csv (the default)"
        ));
    }
    let (kind, extension) = match output.format {
        Format::Parquet => ("Parquet", "parquet"),
        Format::Xlsx => ("XLSX", "xlsx"),
        Format::Csv | Format::Json => return Ok(()),
    };
    match &output.out {
        None if output.format == Format::Xlsx => Err(anyhow!(
            "XLSX is a workbook file: give one with --out FILE, e.g. --out results.xlsx"
        )),
        None if std::io::stdout().is_terminal() => Err(anyhow!(
            "{kind} is binary and stdout is a terminal: give a file with --out FILE, e.g. --out results.{extension}"
        )),
        // An existing terminal device (`/dev/tty`, `/dev/stdout` on a terminal); opened for reading only, so that
        // nothing is created or truncated before the command has run.
        Some(path) if std::fs::File::open(path).is_ok_and(|f| f.is_terminal()) => Err(anyhow!(
            "{kind} is binary and {} is a terminal: give a file with --out FILE, e.g. --out results.{extension}",
            path.display()
        )),
        _ => Ok(()),
    }
}

/// Writes a result table as the user asked: a file, or stdout. `labels` name the ids in XLSX and in the `excel-sv`
/// CSV, which are for people; the standard CSV, Parquet and JSON lines stay as programs read them.
pub fn write_table(table: &ResultTable, output: &OutputArgs, labels: Option<&Labels>) -> Result<()> {
    write_rendered(&render_table(table, output, labels)?, output)
}

/// The bytes [`write_table`] writes, made without touching the output, so that a command can make them while it
/// records its run and write them only once the run is stored.
pub fn render_table(table: &ResultTable, output: &OutputArgs, labels: Option<&Labels>) -> Result<Vec<u8>> {
    check_output(output)?;
    let for_people = output.format == Format::Xlsx || output.csv_dialect == CsvDialect::ExcelSv;
    let labelled = labels.filter(|_| for_people).map(|l| table.labelled(l));
    let table = labelled.as_ref().unwrap_or(table);
    let mut bytes = Vec::new();
    write_format(table, output, &mut bytes)?;
    Ok(bytes)
}

/// Writes what [`render_table`] made to the file of `--out`, or stdout.
pub fn write_rendered(bytes: &[u8], output: &OutputArgs) -> Result<()> {
    match &output.out {
        Some(path) => {
            let mut file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            file.write_all(bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
        }
    }
    Ok(())
}

fn write_format(table: &ResultTable, output: &OutputArgs, mut out: impl Write) -> Result<()> {
    match (output.format, output.csv_dialect) {
        (Format::Csv, CsvDialect::Standard) => table.write_csv(out)?,
        (Format::Csv, CsvDialect::ExcelSv) => table.write_csv_excel_sv(out)?,
        (Format::Parquet, _) => table.write_parquet(out)?,
        (Format::Json, _) => table.write_json_lines(out)?,
        (Format::Xlsx, _) => {
            // One sheet per kind of row (prevalence, difference, contrast, …), each with the columns its rows have
            // values in, so that no sheet mixes columns of different rows; `runs export` makes the same sheets
            // from the stored rows, which carry every column.
            let sheets: Vec<_> = table
                .by_kind("rows")
                .into_iter()
                .map(|(kind, t)| (kind, t.without_null_columns()))
                .collect();
            let book = crosscase_report::result_workbook(&sheets)?;
            out.write_all(&book)?;
            out.flush()?;
        }
    }
    Ok(())
}
