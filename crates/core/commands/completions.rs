//! `crosscase completions`: a shell completion script on stdout.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::args::{Cli, CompletionsArgs};

pub fn run(CompletionsArgs { shell }: CompletionsArgs) -> Result<ExitCode> {
    let mut command = <Cli as clap::CommandFactory>::command();
    // Into memory first: clap_complete panics on a failed write, and a closed pipe is not an error.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "crosscase", &mut script);
    std::io::stdout()
        .write_all(&script)
        .context("cannot write the completion script")?;
    Ok(ExitCode::SUCCESS)
}
