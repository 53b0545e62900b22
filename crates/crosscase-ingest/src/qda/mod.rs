//! Coded projects from QDA tools: REFI-QDA projects (`.qdpx`, a bare `.qde` with its sources folder) and codebooks
//! (`.qdc`), read into [`crosscase_model::QdaProject`] and placed into a crosscase project by [`build_project`];
//! and the writer of `.qdpx` files ([`write_qdpx`]). QualCoder databases are read by `crosscase-store`, which alone
//! speaks SQL, into the same [`crosscase_model::QdaProject`].
//!
//! docs/qda-import.md describes what is read from where.

mod archive;
mod export;
mod mapping;
mod offsets;
mod place;
mod refi;
mod same_text;
mod xml;

use std::path::{Path, PathBuf};

use crosscase_model::{InputFile, Problem, Project, QdaProject, Table};

pub use archive::{MAX_ENTRIES, MAX_RATIO, MAX_TOTAL_BYTES};
pub use export::{ExportSummary, write_qdpx};
pub use mapping::{Mapping, ProjectMap, SourceMap, VariableMap, WaveMap, mapping_template, read_mapping};
pub use place::{CaseGuess, ImportSummary, Placement, build_project, placements};

use crate::{Diagnostic, Diagnostics};

/// What kind of QDA file a path is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QdaInput {
    /// A `.qdpx` archive.
    Qdpx(PathBuf),
    /// A bare `.qde` project file with its sources folder beside it.
    Qde(PathBuf),
    /// A `.qdc` codebook.
    Qdc(PathBuf),
    /// A QualCoder project: the SQLite database (the `data.qda` inside a `.qda` folder).
    QualCoder(PathBuf),
}

/// Recognises a QDA file by its extension and first bytes.
pub fn recognise(path: &Path) -> Result<QdaInput, Diagnostic> {
    if path.is_dir() {
        let db = path.join("data.qda");
        if db.is_file() {
            return Ok(QdaInput::QualCoder(db));
        }
        return Err(Diagnostic::file(
            path,
            "this folder is not a QualCoder project (it has no data.qda)",
            "give a .qdpx, .qde or .qdc file, a QualCoder project folder (.qda), or a native project folder to `crosscase ingest`",
        ));
    }
    // A FIFO would block the read below.
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            return Err(Diagnostic::file(
                path,
                "this is not a regular file (a named pipe or a device)",
                "give a .qdpx, .qde or .qdc file, or a QualCoder project",
            ));
        }
        _ => {}
    }
    let mut head = [0u8; 16];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .map_err(|e| Diagnostic::file(path, format!("cannot read the file: {e}"), "check the path"))?;
    let head = &head[..n];
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if head.starts_with(b"SQLite format 3\0") {
        return Ok(QdaInput::QualCoder(path.to_path_buf()));
    }
    match ext.as_str() {
        "qdpx" => Ok(QdaInput::Qdpx(path.to_path_buf())),
        "qde" => Ok(QdaInput::Qde(path.to_path_buf())),
        "qdc" => Ok(QdaInput::Qdc(path.to_path_buf())),
        _ if head.starts_with(b"PK") => Ok(QdaInput::Qdpx(path.to_path_buf())),
        _ => Err(Diagnostic::file(
            path,
            "crosscase does not know this kind of file",
            "give a REFI-QDA export (.qdpx, or .qde with its sources folder), a codebook (.qdc), or a QualCoder project (.qda)",
        )),
    }
}

/// Reads a REFI-QDA file (not a QualCoder database: see `crosscase_store::read_qualcoder`).
pub fn read_refi(input: &QdaInput) -> Result<QdaProject, Diagnostics> {
    let one = |d: Diagnostic| Diagnostics(vec![d]);
    match input {
        QdaInput::Qdpx(path) => {
            let mut archive = archive::Archive::open(path).map_err(one)?;
            let qde = choose_qde(&archive, path).map_err(one)?;
            let shown = format!("{}!{qde}", path.display());
            let bytes = archive.read(&qde).map_err(one)?;
            let root = refi::parse_xml(&bytes, &shown)?;
            drop(bytes);
            let beside = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let mut texts = refi::TextStore::Archive {
                archive: &mut archive,
                beside,
            };
            let mut project = refi::read_project(&root, &shown, &mut texts)?;
            project.file = path.display().to_string();
            Ok(project)
        }
        QdaInput::Qde(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| one(Diagnostic::file(path, format!("cannot read the file: {e}"), "")))?;
            let shown = path.display().to_string();
            let root = refi::parse_xml(&bytes, &shown)?;
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            refi::read_project(&root, &shown, &mut refi::TextStore::Folder { dir })
        }
        QdaInput::Qdc(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| one(Diagnostic::file(path, format!("cannot read the file: {e}"), "")))?;
            let shown = path.display().to_string();
            let root = refi::parse_xml(&bytes, &shown)?;
            refi::read_codebook(&root, &shown)
        }
        QdaInput::QualCoder(path) => Err(one(Diagnostic::file(
            path,
            "a QualCoder database is read by the store",
            "call crosscase_store::read_qualcoder",
        ))),
    }
}

/// The project XML of an archive: `project.qde` by the standard, but tools name it after the project.
fn choose_qde(archive: &archive::Archive, path: &Path) -> Result<String, Diagnostic> {
    let mut qdes: Vec<&str> = archive.names().filter(|n| n.to_lowercase().ends_with(".qde")).collect();
    qdes.sort_unstable();
    if let Some(p) = qdes.iter().find(|n| n.eq_ignore_ascii_case("project.qde")) {
        return Ok((*p).to_string());
    }
    let top: Vec<&str> = qdes.iter().copied().filter(|n| !n.contains('/')).collect();
    match (top.as_slice(), qdes.as_slice()) {
        ([one], _) | ([], [one]) => Ok((*one).to_string()),
        ([], []) => Err(Diagnostic::file(
            path,
            "the archive holds no project file (.qde)",
            "a .qdpx holds project.qde and a sources folder; export the project again with \"REFI-QDA project\"",
        )),
        _ => Err(Diagnostic::file(
            path,
            format!("the archive holds several project files: {}", qdes.join(", ")),
            "export one project per .qdpx",
        )),
    }
}

/// The model's problems with an imported project, named by record rather than by a line of a file that does not
/// exist.
pub fn validation_diagnostics(project: &Project, problems: &[Problem], file: &Path) -> Diagnostics {
    let nth = |line: u64| line.checked_sub(1).map(|i| i as usize);
    let what = |p: &Problem| -> String {
        let i = nth(p.line);
        let found = match p.table {
            Table::Municipalities => i
                .and_then(|i| project.municipalities.get(i))
                .map(|m| format!("municipality `{}`", m.code)),
            Table::Units => i.and_then(|i| project.units.get(i)).map(|u| format!("unit `{}`", u.id)),
            Table::Participants => i
                .and_then(|i| project.participants.get(i))
                .map(|x| format!("participant `{}`", x.id)),
            Table::Waves => i.and_then(|i| project.waves.get(i)).map(|w| format!("wave `{}`", w.id)),
            Table::Codebook => i.and_then(|i| project.codes.get(i)).map(|c| format!("code `{}`", c.id)),
            Table::Sources => i
                .and_then(|i| project.sources.get(i))
                .map(|s| format!("source `{}`", s.id)),
            Table::Codings => i.and_then(|i| project.codings.get(i)).map(|c| {
                format!(
                    "coding of `{}` by {} in source `{}` at {}..{}",
                    c.code, c.coder, c.source, c.start, c.end
                )
            }),
            _ => None,
        };
        found.unwrap_or_else(|| "the project".to_string())
    };
    Diagnostics(
        problems
            .iter()
            .map(|p| Diagnostic::file(file, format!("{}: {}", what(p), p.message), p.help.clone()))
            .collect(),
    )
}

/// Size and SHA-256 of an input file, for the import record.
pub fn hash_file(path: &Path) -> std::io::Result<InputFile> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut f = std::fs::File::open(path)?;
    let bytes = std::io::copy(&mut f, &mut hasher)?;
    Ok(InputFile {
        path: path.display().to_string(),
        sha256: crate::native::hex(&hasher.finalize()),
        bytes,
    })
}

/// One hash over several input files: equal when the same files are imported again.
pub fn combined_hash(files: &[InputFile]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"crosscase import\n");
    for f in files {
        hasher.update(f.sha256.as_bytes());
        hasher.update(b"\n");
    }
    crate::native::hex(&hasher.finalize())
}

#[cfg(test)]
mod tests;
