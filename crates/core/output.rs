//! Writing result tables as CSV or as JSON lines, to a file or stdout.

use std::io::Write;

use anyhow::Context;
use serde::Serialize;

/// Writes `rows` as CSV with a header.
pub fn write_csv<T: Serialize>(out: impl Write, rows: &[T]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for r in rows {
        w.serialize(r).context("cannot write CSV")?;
    }
    w.flush()?;
    Ok(())
}

/// Writes one JSON object per row, one per line.
pub fn write_json_lines<T: Serialize>(mut out: impl Write, rows: &[T]) -> anyhow::Result<()> {
    for r in rows {
        serde_json::to_writer(&mut out, r)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
