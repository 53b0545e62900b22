//! `crosscase ingest`: a project folder validated and stored in the database.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use crosscase_ingest::{CODING_BATCH, Diagnostics, Pseudonymisation, ReadFiles};
use crosscase_model::{InputFile, SourceTexts};
use crosscase_store::{ImportRecord, IngestOutcome, IngestSummary, StreamError};

use super::{now, on_full_disk, problems, pseudonymisation};
use crate::args::IngestArgs;

pub fn run(IngestArgs { dir, db, privacy }: IngestArgs) -> Result<ExitCode> {
    let privacy = pseudonymisation(&privacy)?;
    ingest(&dir, &db, privacy.as_ref())?;
    Ok(ExitCode::SUCCESS)
}

/// Lets glibc's malloc grow its heaps in large steps; called before the threads that read and write start.
///
/// A thread's heap otherwise grows a few pages at a time, each step an `mprotect` call that takes the process's
/// memory-map lock for writing, which every other thread's page faults then wait for: for a project of a million
/// codings, 25,500 calls while the texts (113 MB) are read, and the threads blocked in the kernel 1,370 times. With
/// 64 MiB of padding, a thread's heap (at most 64 MiB) is made writable whole when it is made, and the main heap grows
/// 64 MiB at a time: 22 calls, 111 blocks, and ingest 5–7 % faster (medians of the ratios of 12 alternating pairs of runs). It
/// reserves address space only: memory becomes resident when it is used, as before.
fn pad_heaps() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: mallopt sets one of malloc's parameters (under malloc's own lock) and touches no memory of ours.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
}

/// Validates and stores the project in `dir` and returns its name. The store checks and writes the codings as
/// they are read, in one transaction that commits only when every coding passed: a project with a problem leaves
/// the database as it was (and a database this command would have created never appears).
pub(super) fn ingest(dir: &Path, db: &Path, privacy: Option<&Pseudonymisation>) -> Result<String> {
    pad_heaps();
    let imported_at = now();
    let record = |files: Vec<InputFile>, content_hash: String| ImportRecord {
        origin: dir.display().to_string(),
        files,
        content_hash,
        crosscase_version: env!("CARGO_PKG_VERSION").to_string(),
        imported_at: imported_at.clone(),
        replace_other_content: true,
    };
    let (name, summary) = match privacy {
        None => {
            // The store begins writing once the tables are read and checked, each source as soon as its text is
            // read, while codings.csv is read and parsed on another thread.
            let tables = crosscase_ingest::open_tables(dir).map_err(|d| problems(dir, d))?;
            let texts = SourceTexts::new(tables.project().sources.len());
            // Asked for at the commit, or before writing when a stored project has the same name. The files are
            // missing only when reading found a problem, and then nothing is stored.
            let record = || {
                let read = tables.read_files().cloned().unwrap_or(ReadFiles {
                    files: Vec::new(),
                    content_hash: String::new(),
                });
                record(read.files, read.content_hash)
            };
            let summary = store(dir, db, |store| {
                store.ingest_streaming(
                    tables.project(),
                    Some(&texts),
                    &record,
                    tables.expected_codings(),
                    |sink| tables.stream(&texts, CODING_BATCH, &mut |w| eprintln!("warning: {w}"), sink),
                    |_| {},
                )
            })?;
            (tables.project().settings.name.clone(), summary)
        }
        Some(privacy) => {
            // The store gets a pseudonymised copy, so the texts are all read (and pseudonymised) before it writes;
            // codings are still checked against the texts as the files have them.
            let opened = crosscase_ingest::open_project(dir).map_err(|d| problems(dir, d))?;
            for w in opened.warnings() {
                eprintln!("warning: {w}");
            }
            let mut header = opened.project().clone();
            let mut pseudonymiser = privacy.pseudonymiser();
            let report = pseudonymiser.apply(&mut header);
            eprintln!(
                "Pseudonymised {} names in {} texts and {} participant ids; masked {} identity numbers, e-mail addresses and phone numbers.",
                report.names_replaced, report.texts_changed, report.participant_ids_replaced, report.other_masked
            );
            let record = || {
                let mut files = opened.files();
                let content_hash = privacy.mark_input(&mut files, opened.content_hash());
                record(files, content_hash)
            };
            // The pseudonymiser moves each coding with its pseudonymised text.
            let sources = &opened.project().sources;
            let summary = store(dir, db, |store| {
                store.ingest_streaming(
                    &header,
                    None,
                    &record,
                    opened.coding_rows(),
                    |sink| opened.stream_codings(CODING_BATCH, sink),
                    |row| {
                        if let Some(source) = sources.get(row.source as usize) {
                            pseudonymiser.remap_row(&source.id, row);
                        }
                    },
                )
            })?;
            (opened.project().settings.name.clone(), summary)
        }
    };
    let what = match summary.outcome {
        IngestOutcome::Created => "stored",
        IngestOutcome::Replaced => "replaced its earlier data",
        IngestOutcome::Unchanged => "unchanged since the last ingest; nothing written",
    };
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

/// Runs a streaming ingest on the database at `db` (see `write_database`: a database this command creates appears
/// only when the project is stored), with the reader's problems reported against `dir`.
fn store(
    dir: &Path,
    db: &Path,
    mut ingest: impl FnMut(&mut crosscase_store::Store) -> Result<IngestSummary, StreamError<Diagnostics>>,
) -> Result<IngestSummary> {
    crosscase_store::write_database(db, |store| {
        ingest(store).map_err(|e| match e {
            StreamError::Read(d) => problems(dir, d),
            StreamError::Store(e) => anyhow::Error::from(e),
        })
    })
    .map_err(|e| on_full_disk(e, db))
}
