//! `crosscase audit --disclosure DIR`: reads the `figures.json` of every pack under a folder and asks what an
//! attacker holding all of them could work out about each suppressed count; and the project's letter key.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use crosscase_analysis::pack::audit_disclosure;

use crate::commands::UserError;

/// Audits the packs under `dir` together; exit 1 when any suppressed count can be pinned.
pub fn audit(dir: &Path) -> Result<ExitCode> {
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

/// The project's letter key, kept beside the project's database as `<database>.letter-key` (with the research team,
/// never in an output folder): created with a random seed on first use and read back afterwards, so the same
/// municipality keeps its letter in every pack, in every output folder and in every later run.
pub fn letter_seed(db: &Path) -> Result<u64> {
    let mut name = db.as_os_str().to_owned();
    name.push(".letter-key");
    let path = PathBuf::from(name);
    if let Ok(text) = std::fs::read_to_string(&path) {
        return text.trim().parse().map_err(|_| {
            UserError(format!(
                "{}: not a letter key (one number expected); delete it to get a new key",
                path.display()
            ))
            .into()
        });
    }
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let seed = h.finish();
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    // Written aside and linked into place, which fails if another process made the key meanwhile: then its key holds.
    let mut aside = path.as_os_str().to_owned();
    aside.push(format!(".{}.tmp", std::process::id()));
    let aside = PathBuf::from(aside);
    std::fs::write(&aside, format!("{seed}\n")).with_context(|| format!("cannot write {}", aside.display()))?;
    let linked = std::fs::hard_link(&aside, &path);
    let _ = std::fs::remove_file(&aside);
    match linked {
        Ok(()) => Ok(seed),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => letter_seed(db),
        Err(e) => Err(anyhow::Error::new(e).context(format!("cannot write {}", path.display()))),
    }
}
