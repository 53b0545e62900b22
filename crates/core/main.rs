//! The `crosscase` command: glue that parses arguments, opens files, calls the libraries and prints.
//!
//! Exit codes: 0 success (also when stdout is closed early), 1 problems found in the user's data or files,
//! 2 usage or internal error.

mod args;
mod commands;
mod import_map;
mod letter_key;
mod output;
mod packs;
mod privacy;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            let store_error = e.chain().find_map(|c| c.downcast_ref::<crosscase_store::StoreError>());
            if store_error.is_some_and(crosscase_store::StoreError::is_disk_full) {
                // SQLite's own words repeat themselves; say once what happened and what to do.
                let context: Vec<String> = e
                    .chain()
                    .take_while(|c| c.downcast_ref::<crosscase_store::StoreError>().is_none())
                    .map(|c| c.to_string())
                    .collect();
                let context = if context.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", context.join(": "))
                };
                eprintln!(
                    "error: {context}the disk is full; nothing was stored. Free some space, or give --db a path on \
                     another disk, and run the command again."
                );
                return ExitCode::from(1);
            }
            eprintln!("error: {}", message(&e));
            match e.downcast_ref::<commands::UserError>() {
                Some(_) => ExitCode::from(1),
                None if e
                    .downcast_ref::<crosscase_store::StoreError>()
                    .is_some_and(user_store_error) =>
                {
                    ExitCode::from(1)
                }
                None if user_io_error(&e) => ExitCode::from(1),
                None => ExitCode::from(2),
            }
        }
    }
}

/// The error and its causes, joined by ": ", each said once: a cause whose words its error already repeats (an OS
/// error quoted in the message that wraps it) is left out.
fn message(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if parts.last().is_some_and(|p| p.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// OS errors about a path the user gave (missing, a file where a folder should be or the other way round, no
/// permission, a read-only or full disk): the user can mend them, so they are problems in the user's files.
fn user_io_error(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::*;
    e.chain().filter_map(|c| c.downcast_ref::<std::io::Error>()).any(|io| {
        matches!(
            io.kind(),
            NotFound
                | PermissionDenied
                | NotADirectory
                | IsADirectory
                | ReadOnlyFilesystem
                | StorageFull
                | FileTooLarge
                | InvalidFilename
        )
    })
}

/// Store errors caused by what the user pointed at, rather than by crosscase.
fn user_store_error(e: &crosscase_store::StoreError) -> bool {
    use crosscase_store::StoreError::*;
    matches!(
        e,
        NotADatabase { .. }
            | Missing { .. }
            | NewerSchema { .. }
            | NeedsMigration { .. }
            | UnknownProject { .. }
            | AmbiguousProject { .. }
            | NoProject
            | NameTaken { .. }
            | Create { .. }
    )
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
