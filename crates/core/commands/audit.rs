//! `crosscase audit`: personal data in the database and output folders, or (`--disclosure`) what the packs under a
//! folder give away together about each suppressed count.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use crosscase_analysis::pack::audit_disclosure;
use crosscase_ingest::audit::Audit;
use crosscase_model::{Language, Screen};
use crosscase_store::Store;

use super::{UserError, problems};
use crate::args::{AuditArgs, RosterArgs};

pub fn run(args: AuditArgs) -> Result<ExitCode> {
    if let Some(dir) = &args.disclosure {
        return disclosure(dir);
    }
    let db = args
        .db
        .as_deref()
        .ok_or_else(|| UserError("audit needs --db (or --disclosure DIR)".to_string()))?;
    personal_data(db, &args.dirs, &args.roster)
}

/// Scans the database and `paths` (folders or files) for personal data and prints where each finding is, masked;
/// exits with 1 when anything is found.
fn personal_data(db: &Path, paths: &[PathBuf], roster: &RosterArgs) -> Result<ExitCode> {
    let screen = Screen::new(roster.load()?);
    for path in paths {
        if !path.exists() {
            return Err(UserError(format!(
                "{} does not exist; give a folder or file crosscase wrote",
                path.display()
            ))
            .into());
        }
    }
    let store = Store::open_read_only(db)?;
    let mut audit = Audit::default();
    for (place, text) in store.text_fields()? {
        // A field's key (a participant id, a source id) may itself be a name.
        let place = screen.mask(&place, Language::En);
        audit.text(&format!("{}: {place}", db.display()), &text, &screen);
    }
    drop(store);
    for path in paths {
        audit
            .path(path, &screen)
            .map_err(|d| problems(path, crosscase_ingest::Diagnostics(vec![d])))?;
    }
    for f in &audit.findings {
        println!("{}: {} {}", f.place, f.kind.as_str(), f.context);
    }
    if !audit.not_scanned.is_empty() {
        eprintln!("Not scanned ({}):", audit.not_scanned.len());
        for (place, why) in audit.not_scanned.iter().take(10) {
            eprintln!("  {place}: {why}");
        }
    }
    if audit.findings.is_empty() {
        eprintln!("No personal data found ({} files read).", audit.files_scanned);
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{} pieces of personal data found; remove or pseudonymise them before sharing.",
            audit.findings.len()
        );
        Ok(ExitCode::from(1))
    }
}

/// Audits the packs under `dir` together; exit 1 when any suppressed count can be pinned.
fn disclosure(dir: &Path) -> Result<ExitCode> {
    let packs = crosscase_report::read_published(dir).map_err(|e| {
        if e.is_users() {
            anyhow::Error::from(UserError(e.to_string()))
        } else {
            anyhow::Error::from(e)
        }
    })?;
    let audit = audit_disclosure(&packs);
    let mut out = std::io::stdout().lock();
    let bound = |h: Option<u64>| h.map_or("∞".to_string(), |h| h.to_string());
    for c in audit.cells.iter().filter(|c| c.pinned) {
        writeln!(out, "pinned\t{}\t{}\t{}", c.key, c.low, bound(c.high))?;
    }
    for c in &audit.conflicts {
        writeln!(out, "conflict\t{c}")?;
    }
    let narrowest = audit
        .cells
        .iter()
        .filter(|c| !c.pinned)
        .filter_map(|c| c.high.map(|h| h - c.low))
        .min();
    eprintln!(
        "{} packs, {} suppressed counts, threshold {}; the narrowest range an attacker reaches is {} wide.",
        packs.len(),
        audit.cells.len(),
        audit.threshold,
        narrowest.map_or("unbounded".to_string(), |w| w.to_string())
    );
    if audit.leaks() == 0 {
        eprintln!("No suppressed count can be worked out from what the packs publish.");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{} suppressed counts can be worked out (lines `pinned`: key, lowest, highest) or the packs disagree \
             (lines `conflict`); do not share these packs.",
            audit.leaks()
        );
        Ok(ExitCode::from(1))
    }
}
