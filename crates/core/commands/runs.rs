//! `crosscase runs`: what was run, when, by which version, on which data; a run's rows again; older runs deleted.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use crosscase_analysis::ResultTable;
use crosscase_store::{RunSummary, Store};

use super::UserError;
use crate::args::{Format, RunsArgs, RunsCommand};

pub fn run(RunsArgs { command }: RunsArgs) -> Result<ExitCode> {
    match command {
        RunsCommand::List { db } => {
            let store = Store::open_existing(&db)?;
            let runs = store.runs()?;
            let mut o = std::io::stdout().lock();
            writeln!(
                o,
                "{:>5}  {:<10}  {:<20}  {:<16}  {:>8}  {:>10}  {:<8}  {:<12}  seed",
                "id", "kind", "created (UTC)", "project", "rows", "stored", "version", "data hash"
            )?;
            for r in &runs {
                writeln!(
                    o,
                    "{:>5}  {:<10}  {:<20}  {:<16}  {:>8}  {:>10}  {:<8}  {:<12}  {}",
                    r.id,
                    r.kind,
                    r.created_at,
                    r.project_name,
                    r.row_count,
                    size(r.stored_bytes),
                    r.crosscase_version,
                    r.project_hash.get(..12).unwrap_or(&r.project_hash),
                    r.seed.map_or("-".to_string(), |s| s.to_string())
                )?;
            }
            o.flush()?;
            eprintln!("{} runs in {}.", runs.len(), db.display());
            Ok(ExitCode::SUCCESS)
        }
        RunsCommand::Show { id, db } => {
            let store = Store::open_existing(&db)?;
            let r = summary(&store, id, &db)?;
            let mut o = std::io::stdout().lock();
            writeln!(o, "run:        {}", r.id)?;
            writeln!(o, "kind:       {}", r.kind)?;
            writeln!(o, "project:    {}", r.project_name)?;
            writeln!(o, "data hash:  {}", r.project_hash)?;
            writeln!(o, "created:    {}", r.created_at)?;
            writeln!(o, "crosscase:  {}", r.crosscase_version)?;
            writeln!(o, "seed:       {}", r.seed.map_or("-".to_string(), |s| s.to_string()))?;
            writeln!(o, "parameters: {}", r.parameters)?;
            writeln!(o, "rows:       {}", r.row_count)?;
            writeln!(
                o,
                "stored:     {} ({}; {} as JSON lines)",
                size(r.stored_bytes),
                r.result_format,
                size(r.json_bytes)
            )?;
            writeln!(o, "reproduce:  {}", reproduce(&r, &db))?;
            o.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        RunsCommand::Export { id, db, out, format } => {
            // The rows are written beside `--out` and renamed onto it: a terminal or another special file there
            // would be replaced, so only a new or a regular file is taken.
            if std::fs::metadata(&out).is_ok_and(|m| !m.is_file()) {
                return Err(UserError(format!(
                    "--out {} is not a file; give a file name, e.g. --out run.{}",
                    out.display(),
                    match format {
                        Format::Csv => "csv",
                        Format::Json => "jsonl",
                        Format::Parquet => "parquet",
                        Format::Xlsx => "xlsx",
                    }
                ))
                .into());
            }
            let store = Store::open_existing(&db)?;
            summary(&store, id, &db)?;
            let run = store.run(id)?.expect("the summary was found above");
            let partial = out.with_extension("partial");
            let written = write_rows(&run.result, format, &partial);
            if let Err(e) = written {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
            std::fs::rename(&partial, &out).with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!(
                "Wrote the {} rows of run {id} ({}) to {}.",
                run.row_count,
                run.kind,
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        RunsCommand::Prune { db, keep, kind, vacuum } => {
            let mut store = Store::open_existing(&db)?;
            let before = std::fs::metadata(&db).map_or(0, |m| m.len());
            let deleted = store.prune_runs(keep, kind.as_deref())?;
            eprintln!(
                "Deleted {} runs ({}); kept the newest {keep} of each kind{}.",
                deleted.len(),
                if deleted.is_empty() {
                    "none".to_string()
                } else {
                    deleted.iter().map(|id| id.to_string()).collect::<Vec<_>>().join(", ")
                },
                kind.as_deref().map_or(String::new(), |k| format!(" `{k}`"))
            );
            if vacuum {
                store.vacuum()?;
                drop(store);
                let after = std::fs::metadata(&db).map_or(0, |m| m.len());
                eprintln!(
                    "{}: {} before, {} after VACUUM.",
                    db.display(),
                    size(before),
                    size(after)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn summary(store: &Store, id: i64, db: &Path) -> Result<RunSummary> {
    match store.run_summary(id)? {
        Some(r) => Ok(r),
        None => {
            let ids: Vec<String> = store.runs()?.iter().map(|r| r.id.to_string()).collect();
            let known = if ids.is_empty() {
                "it holds no runs yet".to_string()
            } else {
                format!("its runs are {}", ids.join(", "))
            };
            Err(UserError(format!(
                "no run {id} in {}; {known} (see `crosscase runs list --db {}`)",
                db.display(),
                db.display()
            ))
            .into())
        }
    }
}

/// JSON lines as stored (byte for byte), or CSV and Parquet as the command itself writes them.
fn write_rows(json_lines: &str, format: Format, path: &Path) -> Result<()> {
    if format == Format::Json {
        return std::fs::write(path, json_lines).with_context(|| format!("cannot write {}", path.display()));
    }
    let mut table = ResultTable::new();
    let rows = crosscase_analysis::rows_from_json_lines(json_lines).context("the stored rows are not JSON objects")?;
    table.extend(None, &rows)?;
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    match format {
        Format::Csv => table.write_csv(&mut w)?,
        Format::Parquet => table.write_parquet(&mut w)?,
        // A sheet per kind of row, as the command writes it (without names: the run's rows are all that is read).
        // The stored rows carry every column, null where a row has no value, so each sheet keeps only the columns
        // its kind has values in.
        Format::Xlsx => {
            let sheets: Vec<(String, ResultTable)> = table
                .by_kind("rows")
                .into_iter()
                .map(|(kind, t)| (kind, t.without_null_columns()))
                .collect();
            w.write_all(&crosscase_report::result_workbook(&sheets)?)?
        }
        Format::Json => unreachable!("written above"),
    }
    w.flush().with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Parameters whose values are one of a command's fixed choices.
const CHOICES: &[&str] = &["unit", "by", "count", "exits"];

/// The command line that runs the same analysis again: the run's kind with its parameters as options.
fn reproduce(r: &RunSummary, db: &Path) -> String {
    let mut line = format!(
        "crosscase {} --db {} --project {}",
        r.kind,
        quote(&db.display().to_string()),
        quote(&r.project_name)
    );
    if let Ok(serde_json::Value::Object(parameters)) = serde_json::from_str::<serde_json::Value>(&r.parameters) {
        for (name, value) in parameters {
            let value = match value {
                serde_json::Value::Null => continue,
                serde_json::Value::Array(items) if items.is_empty() => continue,
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map_or(v.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(","),
                // Choices (`end_of_follow_up`) are written as clap spells them (`end-of-follow-up`).
                serde_json::Value::String(s) if CHOICES.contains(&name.as_str()) => s.replace('_', "-"),
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            line.push_str(&format!(" --{} {}", name.replace('_', "-"), quote(&value)));
        }
    }
    line
}

/// A shell word: as it is when it is plain, in single quotes otherwise.
fn quote(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./,:=+".contains(&b)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.1} kB", b as f64 / 1e3),
        b => format!("{b} B"),
    }
}
