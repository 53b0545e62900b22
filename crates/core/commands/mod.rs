//! The subcommands, one module each: each turns its arguments (`crate::args`) into the libraries' calls, opens
//! files and prints. What is shared between them is here: the error kind for the user's data, how problems are
//! printed, the labels for people, the records of runs, and which municipalities `--municipality` means.

mod agreement;
mod audit;
mod charts;
mod compare;
mod completions;
mod cooccur;
mod demo;
mod export;
mod feedback;
mod ideas;
mod import;
mod ingest;
mod init;
mod runs;
mod serve;
mod survey;
mod synth;
mod validate;
mod workshop;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use crosscase_analysis::ResultTable;
use crosscase_ingest::Diagnostics;
use crosscase_model::Language;
use crosscase_store::AnalysisRun;

use crate::args::{Cli, Command, CsvDialect, Format, OutputArgs, PseudonymiseArgs};

/// A problem in the user's data or files: exit code 1.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init(args) => init::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Ingest(args) => ingest::run(args),
        Command::Import(args) => import::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Cooccur(args) => cooccur::run(args),
        Command::Agreement(args) => agreement::run(args),
        Command::Ideas(args) => ideas::run(args),
        Command::Survey(args) => survey::run(args),
        Command::Export(args) => export::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Charts(args) => charts::run(args),
        Command::Feedback(args) => feedback::run(args),
        Command::Workshop(args) => workshop::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Runs(args) => runs::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Synth(args) => synth::run(args),
    }
}

/// The time now, as the records of imports and runs give it (RFC 3339, UTC).
fn now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    crosscase_model::utc_timestamp(seconds)
}

/// Prints every problem and returns the error that ends the command with exit code 1.
pub(crate) fn problems(dir: &Path, Diagnostics(diags): Diagnostics) -> anyhow::Error {
    const SHOWN: usize = 200;
    let mut err = std::io::stderr().lock();
    for d in diags.iter().take(SHOWN) {
        let _ = writeln!(err, "error: {d}");
    }
    if diags.len() > SHOWN {
        let _ = writeln!(err, "… and {} more problems.", diags.len() - SHOWN);
    }
    UserError(format!(
        "{} problem{} found in {}; nothing was written",
        diags.len(),
        if diags.len() == 1 { "" } else { "s" },
        dir.display()
    ))
    .into()
}

/// Whether the output is for people (XLSX, or CSV for Swedish Excel), which show names and labels next to ids.
fn for_people(output: &OutputArgs) -> bool {
    output.format == Format::Xlsx || output.csv_dialect == CsvDialect::ExcelSv
}

/// The names and labels of the project's ids in its own language, when the output is for people.
fn labels(
    snapshot: &crosscase_store::Snapshot<'_>,
    corpus: &crosscase_model::Corpus,
    surveys: &crosscase_model::SurveyRecords,
    output: &OutputArgs,
) -> Result<Option<crosscase_analysis::Labels>> {
    if !for_people(output) {
        return Ok(None);
    }
    let names = snapshot.wave_and_unit_names(Some(snapshot.name()))?;
    Ok(Some(crosscase_analysis::Labels::new(
        corpus,
        surveys,
        &names.waves,
        &names.units,
        corpus.settings.language,
    )))
}

/// A run to keep in the database with its parameters, seed and rows.
fn analysis_run(
    kind: &str,
    parameters: serde_json::Value,
    seed: Option<u64>,
    table: &ResultTable,
) -> Result<AnalysisRun> {
    let mut result = Vec::new();
    table.write_json_lines(&mut result)?;
    Ok(AnalysisRun {
        kind: kind.to_string(),
        parameters: parameters.to_string(),
        seed,
        crosscase_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: now(),
        row_count: table.len() as u64,
        result: String::from_utf8(result).context("result rows are not UTF-8")?,
    })
}

/// Records the run that `run` makes (an analysis command's parameters, seed and rows, from [`analysis_run`]) while
/// the table is rendered as the output asks, then writes the output, so that a file or stdout gets the rows only
/// once the run is stored.
fn record_and_write(
    snapshot: crosscase_store::Snapshot<'_>,
    run: impl FnOnce() -> Result<AnalysisRun>,
    table: &ResultTable,
    output: &OutputArgs,
    labels: Option<&crosscase_analysis::Labels>,
    db: &Path,
) -> Result<()> {
    let (run, rendered) = snapshot.record_run_beside(run, || crate::output::render_table(table, output, labels));
    let (run, rendered) = (run?, rendered?);
    crate::output::write_rendered(&rendered, output)?;
    eprintln!("Stored as run {run} in {}.", db.display());
    Ok(())
}

/// The run `feedback` records: the prevalence rows the packs' figures are computed from, with the output folder,
/// municipalities and language asked for (named as the command's options, so that `runs show` can give the command
/// again); with the content hash and version, that makes the packs reproducible.
pub(crate) fn feedback_run(
    rows: &[crosscase_analysis::PrevalenceRow],
    out: &Path,
    municipalities: &[String],
    language: Language,
) -> Result<AnalysisRun> {
    let mut table = ResultTable::new();
    table.extend(Some("prevalence"), rows)?;
    let parameters = serde_json::json!({
        "out": out.display().to_string(),
        "municipality": municipalities,
        "lang": language.as_str(),
    });
    analysis_run("feedback", parameters, None, &table)
}

pub(crate) fn run_stamp(id: i64, content_hash: String) -> crosscase_analysis::pack::RunStamp {
    crosscase_analysis::pack::RunStamp {
        id,
        content_hash,
        crosscase_version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// An error, naming what is missing, when the project has nothing for `command` to work on: no municipalities,
/// sources or codes (an empty project, as `init` writes one, ingests without error), and, when `codings` says the
/// command is about nothing else, no codings (texts not yet coded). Packs and charts also show surveys and ideas,
/// so they are made without codings.
pub(crate) fn require_codings(corpus: &crosscase_model::Corpus, db: &Path, command: &str, codings: bool) -> Result<()> {
    let missing = [
        (corpus.municipalities.is_empty(), "municipalities"),
        (corpus.sources.is_empty(), "sources"),
        (corpus.codes.is_empty(), "codes"),
        (codings && corpus.codings.is_empty(), "codings"),
    ];
    let missing: Vec<&str> = missing.iter().filter(|m| m.0).map(|m| m.1).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(UserError(format!(
        "the project `{}` in {} has no {}: `{command}` has nothing to work on; fill in the project's CSV files and \
         run `crosscase ingest` again",
        corpus.settings.name,
        db.display(),
        missing.join(", no ")
    ))
    .into())
}

/// The municipalities asked for by `--municipality`, as kommunkoder: each given as its kommunkod (the leading zero
/// may be left out: `583` is 0583) or its name (case and the dots on å, ä, ö do not matter: `mjolby` is Mjölby).
pub(crate) fn resolve_municipalities(corpus: &crosscase_model::Corpus, wanted: &[String]) -> Result<Vec<String>> {
    let fold = |s: &str| -> String {
        s.trim()
            .to_lowercase()
            .chars()
            .map(|c| match c {
                'å' | 'ä' | 'á' | 'à' => 'a',
                'ö' | 'ø' | 'ó' => 'o',
                'é' | 'è' => 'e',
                'ü' => 'u',
                c => c,
            })
            .collect()
    };
    let mut found = Vec::with_capacity(wanted.len());
    let mut unknown = Vec::new();
    let mut ambiguous = Vec::new();
    let ms = &corpus.municipalities;
    for w in wanted {
        let w = w.trim();
        let padded =
            (!w.is_empty() && w.len() < 4 && w.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{w:0>4}"));
        // The code as given, then with the leading zeros, then the name as written (case aside), then the name
        // without the dots on å, ä, ö, but only when that leaves one municipality (Habo and Håbo are both real).
        let folded: Vec<&crosscase_model::Municipality> = ms.iter().filter(|m| fold(&m.name) == fold(w)).collect();
        let hit = ms
            .iter()
            .find(|m| m.code == w)
            .or_else(|| padded.as_ref().and_then(|p| ms.iter().find(|m| &m.code == p)))
            .or_else(|| ms.iter().find(|m| m.name.to_lowercase() == w.to_lowercase()))
            .or_else(|| (folded.len() == 1).then(|| folded[0]));
        match hit {
            Some(m) if !found.contains(&m.code) => found.push(m.code.clone()),
            Some(_) => {}
            None if folded.len() > 1 => ambiguous.push(format!(
                "{w} ({})",
                folded
                    .iter()
                    .map(|m| format!("{} {}", m.code, m.name))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
            None => unknown.push(w.to_string()),
        }
    }
    if !ambiguous.is_empty() {
        return Err(UserError(format!(
            "--municipality {} could be more than one municipality; give its kommunkod or its name as written",
            ambiguous.join(", ")
        ))
        .into());
    }
    if unknown.is_empty() {
        return Ok(found);
    }
    let known: Vec<String> = corpus
        .municipalities
        .iter()
        .map(|m| format!("{} {}", m.code, m.name))
        .collect();
    Err(UserError(format!(
        "--municipality {} is not in the project; give a kommunkod or a name of one of: {}",
        unknown.join(", "),
        known.join(", ")
    ))
    .into())
}

/// A progress bar for writing packs, drawn on stderr when it is a terminal (and nothing otherwise).
fn progress_bar() -> Option<crosscase_report::Progress> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    Some(crosscase_report::Progress(std::sync::Arc::new(|done, total| {
        const WIDTH: usize = 30;
        let filled = WIDTH * done / total.max(1);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\rFeedback packs [{}{}] {done}/{total}",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled)
        );
        if done == total {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    })))
}

/// Names the database a full disk stopped, so that the message says which file and where.
fn on_full_disk(e: anyhow::Error, db: &Path) -> anyhow::Error {
    let full = e
        .chain()
        .filter_map(|c| c.downcast_ref::<crosscase_store::StoreError>())
        .any(crosscase_store::StoreError::is_disk_full);
    if full {
        e.context(format!("cannot store the project in {}", db.display()))
    } else {
        e
    }
}

/// What `--pseudonymise ROSTER` and `--key KEY` ask for: nothing without a roster; the key defaults to the
/// roster's name with the extension `.key`. A key file made here is announced, since it must be kept.
fn pseudonymisation(args: &PseudonymiseArgs) -> Result<Option<crosscase_ingest::Pseudonymisation>> {
    use crosscase_ingest::{KeyError, PseudonymisationError};
    let Some(roster) = &args.pseudonymise else {
        return Ok(None);
    };
    let key = args.key.clone().unwrap_or_else(|| roster.with_extension("key"));
    let loaded = crosscase_ingest::Pseudonymisation::load(roster, &key).map_err(|e| match e {
        PseudonymisationError::Roster { path, problems: found } => problems(&path, found),
        PseudonymisationError::Key(e @ KeyError::NotAKey { .. }) => UserError(e.to_string()).into(),
        e => anyhow::Error::from(e),
    })?;
    if loaded.key_created {
        eprintln!(
            "Created the pseudonymisation key {}: keep it with the roster, outside the database; the same key gives the same pseudonyms in every import.",
            key.display()
        );
    }
    Ok(Some(loaded))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(municipalities: &[(&str, &str)]) -> crosscase_model::Corpus {
        crosscase_model::Corpus {
            settings: crosscase_model::ProjectSettings::new("t"),
            municipalities: municipalities
                .iter()
                .map(|&(code, name)| crosscase_model::Municipality {
                    code: code.into(),
                    name: name.into(),
                    line: 0,
                })
                .collect(),
            waves: vec![],
            wave_names: vec![],
            codes: vec![],
            participants: vec![],
            sources: vec![],
            coders: vec![],
            codings: Default::default(),
        }
    }

    fn resolve(c: &crosscase_model::Corpus, wanted: &[&str]) -> std::result::Result<Vec<String>, String> {
        let wanted: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
        resolve_municipalities(c, &wanted).map_err(|e| e.to_string())
    }

    #[test]
    fn municipalities_are_found_by_code_name_or_folded_name_and_never_guessed() {
        let c = corpus(&[
            ("0305", "Håbo"),
            ("0583", "Motala"),
            ("0586", "Mjölby"),
            ("0643", "Habo"),
            ("12", "Site 12"),
        ]);
        assert_eq!(resolve(&c, &["583", "0586", " motala "]).unwrap(), ["0583", "0586"]);
        assert_eq!(resolve(&c, &["mjolby"]).unwrap(), ["0586"]);
        // Habo and Håbo fold alike: each is found as written, and the folded form alone is refused as ambiguous.
        assert_eq!(resolve(&c, &["Habo"]).unwrap(), ["0643"]);
        assert_eq!(resolve(&c, &["håbo"]).unwrap(), ["0305"]);
        let both = corpus(&[("0305", "Håbo"), ("0643", "Habo")]);
        let err = resolve(&both, &["HÅBÖ"]).unwrap_err();
        assert!(err.contains("0305 Håbo or 0643 Habo"), "{err}");
        // A free site id is matched as given before it is padded.
        assert_eq!(resolve(&c, &["12"]).unwrap(), ["12"]);
        let err = resolve(&c, &["Atlantis"]).unwrap_err();
        assert!(err.contains("Atlantis is not in the project"), "{err}");
    }
}
