//! The project's letter key: which letter stands for which other municipality in a pack's comparisons.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::commands::UserError;

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
