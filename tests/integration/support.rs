//! Helpers: running the binary, copying the demo, reading the database.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `crosscase` with `args` in `cwd`.
pub fn crosscase(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_crosscase"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run crosscase");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Ingests the bundled demo into `db`, asserting that it succeeds.
pub fn ingest_demo(cwd: &Path, db: &Path) {
    let demo = repo().join("data/demo");
    let run = crosscase(cwd, &["ingest", demo.to_str().unwrap(), "--db", db.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// Copies the bundled demo project into `dest`.
pub fn copy_demo(dest: &Path) {
    copy_dir(&repo().join("data/demo"), dest);
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Row counts of every table.
pub fn table_counts(db: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let n = conn
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect()
}

pub fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap()
}

/// Replaces the temporary folder in output so snapshots are stable.
pub fn redact(s: &str, dir: &Path) -> String {
    s.replace(&dir.display().to_string(), "[TMP]")
}

/// Whether a check that needs an external program (Chromium, xmllint) runs here.
///
/// `cargo test --workspace` must pass on a machine with only the Rust toolchain, so such a check runs when its
/// program is on `PATH` and is skipped otherwise, with a line on the real standard error (past the test harness's
/// capture) that says what was not checked and how to run it. `.ci/run` installs the programs and sets
/// `CROSSCASE_EXTERNAL_CHECKS=1`, which turns a missing program into a failure instead of a skip.
pub fn external_tool(program: &str, check: &str, install: &str) -> bool {
    let found = Command::new(program)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    if found {
        return true;
    }
    let required = std::env::var_os("CROSSCASE_EXTERNAL_CHECKS").is_some_and(|v| v == "1");
    assert!(
        !required,
        "CROSSCASE_EXTERNAL_CHECKS=1 but `{program}` is not on PATH: {install}"
    );
    let note = format!(
        "note: not checked here: {check} (`{program}` is not installed). \
         {install}, then run `CROSSCASE_EXTERNAL_CHECKS=1 cargo test --test integration`, as .ci/run does.\n"
    );
    // Written to the process's standard error directly, so the harness does not swallow it for a passing test.
    let _ = std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes());
    false
}

/// Validates a REFI-QDA project file against the standard's `Project.xsd` with xmllint, where xmllint is installed
/// (see [`external_tool`]); `what` names the file in a failure.
pub fn check_project_xsd(xml: &Path, what: &str) {
    if !external_tool(
        "xmllint",
        "the .qdpx export against REFI-QDA's Project.xsd",
        "Install Debian's `libxml2-utils`",
    ) {
        return;
    }
    let xsd = repo().join("data/reference/refi-qda/Project.xsd");
    let lint = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(xml)
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&lint.stderr)
    );
}

/// A cell as a workbook stores it.
#[derive(Clone, Debug, PartialEq)]
pub enum XlsxCell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
}

/// The sheets of an XLSX file, in order, each as its name and its rows of cells (by column letter, gaps empty).
/// A small reader of the parts rust_xlsxwriter writes (shared strings, numbers, booleans), so that a test sees what
/// a spreadsheet program sees: whether a cell is text or a number.
pub fn read_xlsx(path: &Path) -> Vec<(String, Vec<Vec<XlsxCell>>)> {
    let mut book = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut part = |name: &str| -> Option<String> {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut book.by_name(name).ok()?, &mut s).unwrap();
        Some(s)
    };
    let unescape = |s: &str| {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
    };
    // The text between `<tag ...>` and `</tag>`, for every occurrence.
    fn elements<'a>(xml: &'a str, tag: &str) -> Vec<(&'a str, &'a str)> {
        let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
        let mut out = Vec::new();
        let mut rest = xml;
        while let Some(i) = rest.find(&open) {
            let after = &rest[i + open.len()..];
            // `<c` must not match `<cols`.
            if !after.starts_with([' ', '>', '/']) {
                rest = after;
                continue;
            }
            let end = after.find('>').unwrap();
            let attrs = &after[..end];
            if attrs.ends_with('/') {
                out.push((attrs, ""));
                rest = &after[end + 1..];
            } else {
                let body_end = after.find(&close).unwrap();
                out.push((attrs, &after[end + 1..body_end]));
                rest = &after[body_end + close.len()..];
            }
        }
        out
    }
    let attr = |attrs: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let i = attrs.find(&key)? + key.len();
        Some(attrs[i..].split('"').next()?.to_string())
    };
    let shared: Vec<String> = part("xl/sharedStrings.xml")
        .map(|xml| {
            elements(&xml, "si")
                .into_iter()
                .map(|(_, body)| elements(body, "t").into_iter().map(|(_, t)| unescape(t)).collect())
                .collect()
        })
        .unwrap_or_default();
    let workbook = part("xl/workbook.xml").unwrap();
    let names: Vec<String> = elements(&workbook, "sheet")
        .into_iter()
        .map(|(a, _)| unescape(&attr(a, "name").unwrap()))
        .collect();
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            // rust_xlsxwriter names the parts sheet1.xml, sheet2.xml, … in the workbook's order.
            let xml = part(&format!("xl/worksheets/sheet{}.xml", i + 1)).unwrap();
            let rows = elements(&xml, "row")
                .into_iter()
                .map(|(_, row)| {
                    let mut cells = Vec::new();
                    for (a, body) in elements(row, "c") {
                        let reference = attr(a, "r").unwrap();
                        let column = reference
                            .chars()
                            .take_while(char::is_ascii_uppercase)
                            .fold(0usize, |n, ch| n * 26 + (ch as usize - 'A' as usize + 1))
                            - 1;
                        let value = elements(body, "v").first().map(|(_, v)| v.to_string());
                        let cell = match (attr(a, "t").as_deref(), value) {
                            (_, None) => XlsxCell::Empty,
                            (Some("s"), Some(v)) => XlsxCell::Text(shared[v.parse::<usize>().unwrap()].clone()),
                            (Some("b"), Some(v)) => XlsxCell::Bool(v == "1"),
                            (Some("str"), Some(v)) => XlsxCell::Text(unescape(&v)),
                            (_, Some(v)) => XlsxCell::Number(v.parse().unwrap()),
                        };
                        cells.resize(column, XlsxCell::Empty);
                        cells.push(cell);
                    }
                    cells
                })
                .collect();
            (name, rows)
        })
        .collect()
}
