//! The binary's side of privacy: the roster a command is given, and where the privacy report of left-out quotes
//! goes (beside the output folder, never in it).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use crosscase_model::{Language, Roster, Screen};

use crate::commands::{UserError, problems};

/// The roster at `path`, or none.
pub(crate) fn roster(path: Option<&Path>) -> Result<Roster> {
    match path {
        Some(path) => crosscase_ingest::read_roster(path).map_err(|d| problems(path, d)),
        None => Ok(Roster::default()),
    }
}

/// Where the privacy report goes: `--privacy-report` if given, otherwise `<out>.privacy-report.csv` beside the
/// output folder. Both are resolved through the real folders (`.`, `fb/`, relative paths, symlinks), and a report
/// that would land inside the output folder is refused. The output folder is created first.
pub(crate) fn report_path(out: &Path, explicit: Option<&Path>) -> Result<PathBuf> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let real_out = std::fs::canonicalize(out).with_context(|| format!("cannot resolve {}", out.display()))?;
    let path = match explicit {
        None => {
            let (Some(parent), Some(name)) = (real_out.parent(), real_out.file_name()) else {
                return Err(UserError(format!(
                    "--out {} has no folder above it for the privacy report; give --privacy-report outside it",
                    out.display()
                ))
                .into());
            };
            let mut name = name.to_owned();
            name.push(".privacy-report.csv");
            parent.join(name)
        }
        Some(p) => {
            let parent = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let Some(name) = p.file_name() else {
                return Err(UserError(format!("--privacy-report {} is not a file name", p.display())).into());
            };
            let real_parent = std::fs::canonicalize(parent)
                .with_context(|| format!("--privacy-report {}: cannot resolve {}", p.display(), parent.display()))?;
            real_parent.join(name)
        }
    };
    if path.starts_with(&real_out) {
        return Err(UserError(format!(
            "--privacy-report {} lies inside the output folder {}; give a path outside it, so that the report never reaches a pack",
            path.display(),
            out.display()
        ))
        .into());
    }
    Ok(path)
}

/// Lists the quotes left out of the packs for the researcher, when there are any; every field is screened again.
pub(crate) fn write_left_out(left_out: &[crosscase_report::LeftOutQuote], path: &Path, roster: &Roster) -> Result<()> {
    if left_out.is_empty() {
        return Ok(());
    }
    let screen = Screen::new(roster.clone());
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    w.write_record(["kommunkod", "source_id", "start", "code", "reason", "masked_quote"])?;
    for q in left_out {
        let start = q.start.to_string();
        let row = [&q.municipality, &q.source, &start, &q.code, &q.reason, &q.masked_quote];
        w.write_record(row.map(|f| crosscase_analysis::defuse_formula(&screen.mask(f, Language::En))))?;
    }
    w.flush()?;
    eprintln!(
        "{} quotes could not be cleaned of personal data and were left out of the packs; they are listed (masked) in {}.",
        left_out.len(),
        path.display()
    );
    Ok(())
}

/// The researcher's quotes list, beside the privacy report (`<out>.quotes.csv`): per pack and theme the quotes
/// shown and the other candidates, in the columns `feedback --quotes` reads back, so that a researcher pins or
/// excludes a quote by editing its `action`. Every field is screened again.
pub(crate) fn write_quote_list(packs: &[crosscase_report::WrittenPack], report: &Path, roster: &Roster) -> Result<()> {
    let name = report.file_name().and_then(|n| n.to_str()).unwrap_or("feedback");
    let stem = name
        .strip_suffix(".privacy-report.csv")
        .or_else(|| name.strip_suffix(".csv"))
        .unwrap_or(name);
    let path = report.with_file_name(format!("{stem}.quotes.csv"));
    let screen = Screen::new(roster.clone());
    let file = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    w.write_record([
        "kommunkod",
        "theme",
        "source_id",
        "start",
        "action",
        "attribution",
        "quote",
    ])?;
    let mut n = 0;
    for q in packs.iter().flat_map(|p| &p.quotes) {
        let start = q.start.to_string();
        let row = [
            &q.municipality,
            &q.theme,
            &q.source,
            &start,
            q.action,
            &q.attribution,
            &q.quote,
        ];
        w.write_record(row.map(|f| crosscase_analysis::defuse_formula(&screen.mask(f, Language::En))))?;
        n += 1;
    }
    w.flush()?;
    eprintln!(
        "The {n} quotes the packs show or could show are listed in {}; set `action` to pin or exclude and give the file to --quotes.",
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the report goes for `out` (relative to `cwd`) and an optional `--privacy-report`. The binary's only unit
    /// test changes the working directory, so that relative forms of `--out` are tried as a user writes them.
    fn check(cwd: &Path, out: &str, explicit: Option<&str>, expected: Result<&str, &str>) {
        let old = std::env::current_dir().unwrap();
        std::env::set_current_dir(cwd).unwrap();
        let got = report_path(Path::new(out), explicit.map(Path::new));
        std::env::set_current_dir(old).unwrap();
        let real = std::fs::canonicalize(cwd).unwrap();
        match (got, expected) {
            (Ok(p), Ok(e)) => {
                let expected = match e.strip_prefix("../") {
                    Some(rest) => real.parent().unwrap().join(rest),
                    None => real.join(e),
                };
                assert_eq!(p, expected, "--out {out}");
            }
            (Err(err), Err(e)) => assert!(err.to_string().contains(e), "--out {out}: {err}"),
            (got, e) => panic!("--out {out} {explicit:?}: {got:?}, expected {e:?}"),
        }
    }

    #[test]
    fn the_report_lies_beside_the_output_folder_however_it_is_written() {
        let tmp = tempfile::tempdir().unwrap();
        let cwd = tmp.path().join("work");
        std::fs::create_dir_all(cwd.join("fb")).unwrap();
        std::fs::create_dir_all(tmp.path().join("elsewhere/real")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("elsewhere/real"), cwd.join("link")).unwrap();
        check(&cwd, "fb", None, Ok("fb.privacy-report.csv"));
        check(&cwd, "fb/", None, Ok("fb.privacy-report.csv"));
        check(&cwd, "./fb/.", None, Ok("fb.privacy-report.csv"));
        check(&cwd, "new/../fb2", None, Ok("fb2.privacy-report.csv"));
        check(&cwd.join("fb"), ".", None, Ok("../fb.privacy-report.csv"));
        check(&cwd, "link/", None, Ok("../elsewhere/real.privacy-report.csv"));
        check(&cwd, "fb", Some("report.csv"), Ok("report.csv"));
        check(&cwd, "fb", Some("fb/r.csv"), Err("inside the output folder"));
        check(&cwd.join("fb"), ".", Some("r.csv"), Err("inside the output folder"));
        check(
            &cwd,
            "link",
            Some("../elsewhere/real/r.csv"),
            Err("inside the output folder"),
        );
    }
}
