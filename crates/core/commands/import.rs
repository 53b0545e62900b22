//! `crosscase import`: a coded project from a QDA tool's files, placed into municipalities and stored.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use crosscase_ingest::{Diagnostics, qda};
use crosscase_model::KommunRegister;
use crosscase_store::{ImportRecord, IngestOutcome};

use super::{now, on_full_disk, problems, pseudonymisation};
use crate::args::{ImportArgs, ImportFormat};

/// Reads QDA files, places them into one project, and stores it in one transaction; any problem leaves the database
/// as it was. With `--write-map`, writes the mapping file to fill in instead.
pub fn run(args: ImportArgs) -> Result<ExitCode> {
    let files = &args.files;
    if let Some(out) = &args.write_map {
        crate::import_map::write_map(files, args.map.as_deref(), args.name.clone(), out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let db = args.db.as_deref().expect("clap requires --db without --write-map");
    let privacy = pseudonymisation(&args.privacy)?;
    let (read, mut inputs) = crate::import_map::read_exports(files)?;
    let mut mapping = match &args.map {
        Some(m) => {
            inputs.push(m.to_path_buf());
            qda::read_mapping(m).map_err(|d| problems(m, Diagnostics(vec![d])))?
        }
        None => qda::Mapping::default(),
    };
    if let Some(name) = &args.name {
        mapping.project.name = Some(name.clone());
    }
    let register = KommunRegister::sweden();
    let first = &files[0];
    let (mut project, summary) = qda::build_project(&read, &mapping, &register).map_err(|d| problems(first, d))?;
    drop(read);
    let found = crosscase_model::validate(&project, &register);
    if !found.is_empty() {
        return Err(problems(first, qda::validation_diagnostics(&project, &found, first)));
    }
    let mut input_files = Vec::new();
    for p in &inputs {
        input_files.push(qda::hash_file(p).with_context(|| format!("cannot read {}", p.display()))?);
    }
    let mut content_hash = qda::combined_hash(&input_files);
    if let Some(privacy) = &privacy {
        let mut p = privacy.pseudonymiser();
        let report = p.apply(&mut project);
        for c in &mut project.codings {
            p.remap(c);
        }
        eprintln!(
            "Pseudonymised {} names in {} texts and {} participant ids; masked {} identity numbers, e-mail addresses and phone numbers.",
            report.names_replaced, report.texts_changed, report.participant_ids_replaced, report.other_masked
        );
        content_hash = privacy.mark_input(&mut input_files, &content_hash);
    }
    let record = ImportRecord {
        origin: files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(" + "),
        files: input_files,
        content_hash,
        crosscase_version: env!("CARGO_PKG_VERSION").to_string(),
        imported_at: now(),
        replace_other_content: args.replace,
    };
    let stored = crosscase_store::write_database(db, |store| store.ingest(&project, &record))
        .map_err(|e| on_full_disk(e.into(), db))?;
    for note in &summary.notes {
        eprintln!("note: {note}");
    }
    for s in &summary.skipped_sources {
        eprintln!("note: left out {s}");
    }
    match args.format {
        ImportFormat::Json => {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer(&mut out, &summary)?;
            writeln!(out)?;
        }
        ImportFormat::Text => {}
    }
    let what = match stored.outcome {
        IngestOutcome::Created => "stored",
        IngestOutcome::Replaced => "replaced its earlier data",
        IngestOutcome::Unchanged => "unchanged since the last import; nothing written",
    };
    eprintln!(
        "{}: {what} ({} municipalities, {} sources, {} codes, {} codings by {} coders; {} selections checked, {} converted to code points) in {}.",
        project.settings.name,
        summary.municipalities.len(),
        summary.sources,
        summary.codes,
        summary.codings,
        summary.coders,
        summary.selections_checked,
        summary.selections_converted,
        db.display()
    );
    Ok(ExitCode::SUCCESS)
}
