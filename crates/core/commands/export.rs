//! `crosscase export`: the project's tidy tables (Parquet, CSV or one workbook), or a REFI-QDA archive.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use crosscase_store::Store;

use super::UserError;
use crate::args::{ExportArgs, ExportFormat, ProjectArgs};

pub fn run(
    ExportArgs {
        source: ProjectArgs { db, project },
        out,
        qdpx,
        format,
    }: ExportArgs,
) -> Result<ExitCode> {
    let mut store = Store::open_read_only(&db)?;
    let snapshot = store.snapshot(project.as_deref())?;
    let project = Some(snapshot.name());
    if let Some(archive) = qdpx {
        let p = snapshot.load_project(project)?;
        let ideas = !p.ideas.is_empty() || !snapshot.load_ideas(project)?.ideas.is_empty();
        drop(snapshot);
        let partial = archive.with_extension("qdpx.partial");
        let summary = crosscase_ingest::qda::write_qdpx(&p, &partial).map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            UserError(e)
        })?;
        std::fs::rename(&partial, &archive).with_context(|| format!("cannot write {}", archive.display()))?;
        eprintln!(
            "Wrote {} ({} sources, {} codes, {} codings by {} coders, {} cases).",
            archive.display(),
            summary.sources,
            summary.codes,
            summary.codings,
            summary.coders,
            summary.cases
        );
        if ideas {
            eprintln!("Idea and survey records have no place in REFI-QDA and are not in the archive.");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let out = out.expect("clap requires --out or --qdpx");
    let tables = snapshot.export_tables(project)?;
    drop(snapshot);
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let written = write_tables(&tables, &out, format)?;
    eprintln!("Wrote {} in {}.", written.join(", "), out.display());
    Ok(ExitCode::SUCCESS)
}

/// Writes the tables in `format` into `dir`; returns the file names written.
fn write_tables(tables: &[crosscase_model::DataTable], dir: &Path, format: ExportFormat) -> Result<Vec<String>> {
    let create = |name: &str| -> Result<std::io::BufWriter<std::fs::File>> {
        let path = dir.join(name);
        let file = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(std::io::BufWriter::new(file))
    };
    let mut written = Vec::new();
    match format {
        ExportFormat::Xlsx => {
            let bytes = crosscase_report::workbook(tables).context("cannot build the workbook")?;
            create("crosscase.xlsx")?.write_all(&bytes)?;
            written.push("crosscase.xlsx".to_string());
        }
        ExportFormat::Parquet | ExportFormat::Csv | ExportFormat::Json => {
            for t in tables {
                let ext = match format {
                    ExportFormat::Csv => "csv",
                    ExportFormat::Json => "jsonl",
                    _ => "parquet",
                };
                let name = format!("{}.{ext}", t.name);
                let mut w = create(&name)?;
                match format {
                    ExportFormat::Csv => crosscase_analysis::write_data_table_csv(t, &mut w)?,
                    ExportFormat::Json => crosscase_analysis::write_data_table_json_lines(t, &mut w)?,
                    _ => crosscase_analysis::write_data_table_parquet(t, &mut w)?,
                }
                w.flush().with_context(|| format!("cannot write {name}"))?;
                written.push(name);
            }
        }
    }
    Ok(written)
}
