//! `crosscase init`: an empty, valid project folder to fill in.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::args::InitArgs;

pub fn run(InitArgs { dir, name, lang }: InitArgs) -> Result<ExitCode> {
    crosscase_ingest::init_project(&dir, &name, lang.into())
        .with_context(|| format!("cannot write the project skeleton in {}", dir.display()))?;
    eprintln!(
        "Wrote an empty project in {}; fill in the CSV files and run `crosscase validate {}`.",
        dir.display(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
