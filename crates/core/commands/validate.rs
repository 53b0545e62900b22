//! `crosscase validate`: every problem of a project folder, with file, line and column.

use std::process::ExitCode;

use anyhow::Result;

use super::problems;
use crate::args::ValidateArgs;

pub fn run(ValidateArgs { dir }: ValidateArgs) -> Result<ExitCode> {
    let loaded = crosscase_ingest::read_project(&dir).map_err(|d| problems(&dir, d))?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let p = &loaded.project;
    eprintln!(
        "{}: no problems ({} municipalities, {} sources, {} codes, {} codings).",
        dir.display(),
        p.municipalities.len(),
        p.sources.len(),
        p.codes.len(),
        p.codings.len()
    );
    Ok(ExitCode::SUCCESS)
}
