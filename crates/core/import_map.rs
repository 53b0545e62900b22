//! `crosscase import`'s reading of the exports, and `--write-map`: a mapping file with every source and case.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use crosscase_ingest::Diagnostics;
use crosscase_ingest::qda::{self, QdaInput};
use crosscase_model::{KommunRegister, QdaProject};

use crate::commands::{UserError, problems};

/// Reads every export given; returns them with the paths whose content the import record hashes.
pub(crate) fn read_exports(files: &[PathBuf]) -> Result<(Vec<QdaProject>, Vec<PathBuf>)> {
    let mut read = Vec::new();
    let mut inputs = Vec::new();
    for f in files {
        let input = qda::recognise(f).map_err(|d| problems(f, Diagnostics(vec![d])))?;
        let project = match &input {
            QdaInput::QualCoder(path) => {
                crosscase_store::read_qualcoder(path).map_err(|e| UserError(format!("{e}; nothing was written")))?
            }
            other => qda::read_refi(other).map_err(|d| problems(f, d))?,
        };
        let path = match &input {
            QdaInput::Qdpx(p) | QdaInput::Qde(p) | QdaInput::Qdc(p) | QdaInput::QualCoder(p) => p.clone(),
        };
        inputs.push(path);
        read.push(project);
    }
    Ok((read, inputs))
}

/// `crosscase import FILES --write-map OUT`: writes the mapping file and imports nothing. An existing file is not
/// overwritten, since it may hold municipalities filled in by hand.
pub(crate) fn write_map(files: &[PathBuf], map: Option<&Path>, name: Option<String>, out: &Path) -> Result<()> {
    let (read, _) = read_exports(files)?;
    let mut mapping = match map {
        Some(m) => qda::read_mapping(m).map_err(|d| problems(m, Diagnostics(vec![d])))?,
        None => qda::Mapping::default(),
    };
    if name.is_some() {
        mapping.project.name = name;
    }
    let register = KommunRegister::sweden();
    let text = qda::mapping_template(&read, &mapping, &register);
    let (placements, _) = qda::placements(&read, &mapping, &register);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                UserError(format!(
                    "{} exists already; give another file name to --write-map, or remove it first",
                    out.display()
                ))
                .into()
            } else {
                anyhow::Error::new(e).context(format!("cannot write {}", out.display()))
            }
        })?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))?;
    let open = placements.iter().filter(|p| p.municipality.is_none()).count();
    let args: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    eprintln!(
        "Wrote {} ({} sources, {} placed, {} to fill in); nothing was imported. {}Then run: crosscase import {} --db DB --map {}",
        out.display(),
        placements.len(),
        placements.len() - open,
        open,
        if open > 0 {
            "Fill in the empty municipalities (or one under [defaults]). "
        } else {
            ""
        },
        args.join(" "),
        out.display()
    );
    Ok(())
}
