//! Reading back what was published: every pack's `figures.json` under a folder, for `crosscase audit --disclosure`.

use std::path::{Path, PathBuf};

use crosscase_analysis::pack::PublishedFigures;

#[derive(Debug, thiserror::Error)]
pub enum PublishedError {
    #[error("{} is not a folder", path.display())]
    NotAFolder { path: PathBuf },
    #[error("no figures.json under {}: write the packs with `crosscase feedback` (or `crosscase demo`) first", path.display())]
    NoPacks { path: PathBuf },
    #[error("cannot read {}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error(
        "{}:{line}:{column}: not a pack's figures file: {message}; write the packs again with this version of crosscase",
        path.display()
    )]
    NotFigures {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl PublishedError {
    /// Whether the user can mend it (a wrong folder, packs not written, a damaged file) rather than a failing disk.
    pub fn is_users(&self) -> bool {
        !matches!(self, PublishedError::Read { .. })
    }
}

/// Every `figures.json` under `dir`, sorted so that what is read does not depend on the file system's order.
fn figure_files(dir: &Path) -> Result<Vec<PathBuf>, PublishedError> {
    let read = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PublishedError::Read { path, source }
    };
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(read(&d))? {
            let entry = entry.map_err(read(&d))?;
            let path = entry.path();
            // Links are not followed, so that a link to a folder above cannot make the walk go round.
            if entry.file_type().map_err(read(&path))?.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "figures.json") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The published figures of every pack under `dir` (each pack's `figures.json`, in path order).
pub fn read_published(dir: &Path) -> Result<Vec<PublishedFigures>, PublishedError> {
    if !dir.is_dir() {
        return Err(PublishedError::NotAFolder {
            path: dir.to_path_buf(),
        });
    }
    let files = figure_files(dir)?;
    if files.is_empty() {
        return Err(PublishedError::NoPacks {
            path: dir.to_path_buf(),
        });
    }
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).map_err(|source| PublishedError::Read {
                path: f.clone(),
                source,
            })?;
            serde_json::from_str(&text).map_err(|e| PublishedError::NotFigures {
                path: f.clone(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })
        })
        .collect()
}
