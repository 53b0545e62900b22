//! `crosscase feedback`: one feedback pack per municipality, the run they come from recorded with them.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use crosscase_model::Language;
use crosscase_report::{FeedbackConfig, WrittenPack};
use crosscase_store::Store;

use super::{feedback_run, problems, progress_bar, require_codings, resolve_municipalities, run_stamp};
use crate::args::{FeedbackArgs, ProjectArgs};

pub fn run(
    FeedbackArgs {
        source: ProjectArgs { db, project },
        out,
        municipalities,
        lang,
        roster,
        privacy_report,
        quotes: quotes_file,
    }: FeedbackArgs,
) -> Result<ExitCode> {
    // A folder this command creates is removed again when it fails, so that bad input leaves nothing behind.
    let created = claim_folder(&out)?;
    let result = (|| -> Result<ExitCode> {
        let roster = roster.load()?;
        // Decided before anything is written: a report that would land in the output folder is refused.
        let report = crate::privacy::report_path(&out, privacy_report.as_deref())?;
        let mut store = Store::open_existing(&db)?;
        // The corpus, the quotes chosen from it, ideas and surveys: all from one snapshot.
        let snapshot = store.snapshot(project.as_deref())?;
        let project = Some(snapshot.name());
        let corpus = snapshot.load_corpus(project)?;
        require_codings(&corpus, &db, "feedback", false)?;
        let municipalities = resolve_municipalities(&corpus, &municipalities)?;
        let quote_choices = match &quotes_file {
            Some(path) => crosscase_ingest::read_quote_choices(path, &corpus).map_err(|d| problems(path, d))?,
            None => Vec::new(),
        };
        let inputs = crate::packs::PackInputs::read(&snapshot, &corpus, &municipalities, &quote_choices)?;
        let language = lang.map_or(corpus.settings.language, Language::from);
        // The packs name the run they come from, so it is recorded first and removed again if they fail.
        let letter_seed = crate::letter_key::letter_seed(&db)?;
        let content_hash = inputs.content_hash.clone();
        let run = snapshot.record_run(&feedback_run(&inputs.rows, &out, &municipalities, language)?)?;
        let config = FeedbackConfig {
            out_dir: out.clone(),
            language,
            municipalities,
            roster: roster.clone(),
            progress: progress_bar(),
            letter_seed,
            run: Some(run_stamp(run, content_hash)),
            quote_choices,
            workshop: None,
        };
        let written = crosscase_report::write_feedback(&inputs.data(&corpus), &config);
        let (packs, left_out) = match written {
            Ok(written) => written,
            Err(e) => {
                let _ = store.delete_run(run);
                return Err(e.into());
            }
        };
        report_packs(&packs);
        // The lists beside the folder belong to the run: if they cannot be written, neither stays.
        let lists = crate::privacy::write_left_out(&left_out, &report, &roster)
            .and_then(|()| crate::privacy::write_quote_list(&packs, &report, &roster));
        if let Err(e) = lists {
            let _ = store.delete_run(run);
            return Err(e);
        }
        eprintln!("Stored as run {run} in {}.", db.display());
        Ok(ExitCode::SUCCESS)
    })();
    if result.is_err() && created {
        let _ = std::fs::remove_dir_all(&out);
    }
    result
}

fn report_packs(packs: &[WrittenPack]) {
    for p in packs {
        eprintln!("  {} {}: {}", p.municipality, p.name, p.index.display());
    }
}

/// Makes the output folder `out` if nothing is at that path (not even a dangling link) and says whether this call
/// made it: only such a folder is removed again when the command fails. `create_dir` claims it atomically, so a
/// folder another process made meanwhile is never taken for ours.
fn claim_folder(out: &Path) -> Result<bool> {
    if std::fs::symlink_metadata(out).is_ok() {
        return Ok(false);
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    match std::fs::create_dir(out) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", out.display())),
    }
}
