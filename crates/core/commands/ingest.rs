//! `crosscase ingest`: a project folder validated and stored in the database.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use crosscase_ingest::{CODING_BATCH, Pseudonymisation};
use crosscase_store::{ImportRecord, IngestOutcome, StreamError};

use super::{now, on_full_disk, problems, pseudonymisation};
use crate::args::IngestArgs;

pub fn run(IngestArgs { dir, db, privacy }: IngestArgs) -> Result<ExitCode> {
    let privacy = pseudonymisation(&privacy)?;
    ingest(&dir, &db, privacy.as_ref())?;
    Ok(ExitCode::SUCCESS)
}

/// Validates and stores the project in `dir` and returns its name. The store checks and writes the codings as
/// they are read, in one transaction that commits only when every coding passed: a project with a problem leaves
/// the database as it was (and a database this command would have created never appears).
pub(super) fn ingest(dir: &Path, db: &Path, privacy: Option<&Pseudonymisation>) -> Result<String> {
    let opened = crosscase_ingest::open_project(dir).map_err(|d| problems(dir, d))?;
    for w in opened.warnings() {
        eprintln!("warning: {w}");
    }
    // The store gets a pseudonymised copy; codings are still checked against the texts as the files have them.
    let mut header = None;
    let mut pseudonymiser = None;
    if let Some(privacy) = privacy {
        let mut copy = opened.project().clone();
        let mut p = privacy.pseudonymiser();
        let report = p.apply(&mut copy);
        eprintln!(
            "Pseudonymised {} names in {} texts and {} participant ids; masked {} identity numbers, e-mail addresses and phone numbers.",
            report.names_replaced, report.texts_changed, report.participant_ids_replaced, report.other_masked
        );
        header = Some(copy);
        pseudonymiser = Some(p);
    }
    // Asked for when the store needs it: codings.csv is hashed after it is parsed, while the store still writes.
    let imported_at = now();
    let record = || {
        let mut files = opened.files();
        let mut content_hash = opened.content_hash().to_string();
        if let Some(privacy) = privacy {
            content_hash = privacy.mark_input(&mut files, &content_hash);
        }
        ImportRecord {
            origin: dir.display().to_string(),
            files,
            content_hash,
            crosscase_version: env!("CARGO_PKG_VERSION").to_string(),
            imported_at: imported_at.clone(),
            replace_other_content: true,
        }
    };
    // A database this command creates appears only when the project is stored (see `write_database`).
    let summary = crosscase_store::write_database(db, |store| {
        // `header` is what is stored of everything but the codings (the project as read, or its pseudonymised
        // copy), and the pseudonymiser moves each coding with its pseudonymised text.
        let sources = &opened.project().sources;
        store
            .ingest_streaming(
                header.as_ref().unwrap_or(opened.project()),
                &record,
                opened.coding_rows(),
                |sink| opened.stream_codings(CODING_BATCH, sink),
                |row| {
                    if let (Some(p), Some(source)) = (&pseudonymiser, sources.get(row.source as usize)) {
                        p.remap_row(&source.id, row);
                    }
                },
            )
            .map_err(|e| match e {
                StreamError::Read(d) => problems(dir, d),
                StreamError::Store(e) => anyhow::Error::from(e),
            })
    })
    .map_err(|e| on_full_disk(e, db))?;
    let what = match summary.outcome {
        IngestOutcome::Created => "stored",
        IngestOutcome::Replaced => "replaced its earlier data",
        IngestOutcome::Unchanged => "unchanged since the last ingest; nothing written",
    };
    let name = opened.project().settings.name.clone();
    eprintln!(
        "{name}: {what} ({} municipalities, {} sources, {} codes, {} codings) in {}.",
        summary.municipalities,
        summary.sources,
        summary.codes,
        summary.codings,
        db.display()
    );
    Ok(name)
}
