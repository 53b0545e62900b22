//! `crosscase runs`: what was run, when, by which version, on which data; a run's rows again; older runs deleted.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use crosscase_analysis::ResultTable;
use crosscase_store::{RunSummary, Store};

use crate::args::Format;
use crate::commands::UserError;

/// What `crosscase runs` does.
#[derive(clap::Subcommand, Debug)]
pub enum RunsCommand {
    /// Every recorded run, oldest first: id, kind, when, project, rows, bytes stored, version, data hash, seed.
    List {
        /// The project database (an SQLite file that `ingest` or `import` wrote).
        #[arg(long)]
        db: PathBuf,
    },
    /// One run: its parameters and seed, the data it read, and the command that reproduces it.
    Show {
        /// The run's id, as `crosscase runs list` shows it.
        id: i64,
        /// The project database (an SQLite file that `ingest` or `import` wrote).
        #[arg(long)]
        db: PathBuf,
    },
    /// A run's rows, as the command wrote them.
    Export {
        /// The run's id, as `crosscase runs list` shows it.
        id: i64,
        /// The project database (an SQLite file that `ingest` or `import` wrote).
        #[arg(long)]
        db: PathBuf,
        /// The file to write the rows into.
        #[arg(long)]
        out: PathBuf,
        /// csv, json (JSON lines, byte for byte as the command wrote them), parquet or xlsx (xlsx: a workbook with a sheet
        /// per kind of row).
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
    },
    /// Deletes all but the newest K runs of each project and kind (compare, survey, …).
    Prune {
        /// The project database (an SQLite file that `ingest` or `import` wrote).
        #[arg(long)]
        db: PathBuf,
        /// How many runs of each kind to keep.
        #[arg(long, value_name = "K")]
        keep: u64,
        /// Only prune runs of this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Then give the space back to the file system (rewrites the database; takes as long as copying it).
        #[arg(long)]
        vacuum: bool,
    },
}

pub fn run(command: RunsCommand) -> Result<ExitCode> {
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
    let rows = json_lines
        .lines()
        .map(|line| match exact_row(line) {
            Some(row) => Ok(row),
            None => serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(line),
        })
        .collect::<Result<Vec<_>, _>>()
        .context("the stored rows are not JSON objects")?;
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

/// A row as serde_json wrote it, with its floats read by the standard library, which rounds correctly: serde_json's
/// own float parser (without its `float_roundtrip` feature, which would rebuild polars) can be one bit off, and the
/// CSV and Parquet of a run must hold the values the command wrote (floats inside arrays, which no run has, are
/// still read by serde_json). `None` for anything but an object written without white space.
fn exact_row(line: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let b = line.as_bytes();
    let mut row = serde_json::Map::new();
    let mut at = 1;
    if b.first() != Some(&b'{') {
        return None;
    }
    if line == "{}" {
        return Some(row);
    }
    loop {
        let end = literal_end(b, at)?;
        let key: String = serde_json::from_str(&line[at..end]).ok()?;
        if b.get(end) != Some(&b':') {
            return None;
        }
        let start = end + 1;
        let end = literal_end(b, start)?;
        let literal = &line[start..end];
        let value = match literal.as_bytes()[0] {
            b'-' | b'0'..=b'9' if literal.bytes().any(|c| matches!(c, b'.' | b'e' | b'E')) => {
                serde_json::Value::from(literal.parse::<f64>().ok()?)
            }
            _ => serde_json::from_str(literal).ok()?,
        };
        row.insert(key, value);
        match b.get(end) {
            Some(b',') => at = end + 1,
            Some(b'}') if end + 1 == b.len() => return Some(row),
            _ => return None,
        }
    }
}

/// Where the JSON value starting at `at` ends: a string, an array or object, or a bare word or number.
fn literal_end(b: &[u8], at: usize) -> Option<usize> {
    let (mut depth, mut i, mut in_string) = (0usize, at, false);
    while i < b.len() {
        match (in_string, b[i]) {
            (true, b'\\') => i += 1,
            (true, b'"') => {
                in_string = false;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            (true, _) => {}
            (false, b'"') => in_string = true,
            (false, b'[' | b'{') => depth += 1,
            (false, b']' | b'}') if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            (false, b',' | b'}') if depth == 0 => return (i > at).then_some(i),
            _ => {}
        }
        i += 1;
    }
    (!in_string && depth == 0 && i > at).then_some(i)
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
