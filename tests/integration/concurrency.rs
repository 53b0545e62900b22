//! Several processes on one database file at once: a new database raced for by a valid and a failing ingest, readers
//! held between their statements while a replacement commits, and a short soak of replacements and readers.
//! Every reader's output must equal the old or the new version's, bit for bit, or be a clean refusal.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

const PROJECT: &str = "Innovationsledning i kommuner (demo)";

/// The demo (version A), the demo without its last 200 codings (version B, another valid project of the same name),
/// and the demo whose very last coding names a code the codebook lacks (valid until the end of codings.csv).
struct Versions {
    a: PathBuf,
    b: PathBuf,
    failing: PathBuf,
}

fn versions(root: &Path) -> Versions {
    let v = Versions {
        a: root.join("a"),
        b: root.join("b"),
        failing: root.join("failing"),
    };
    copy_demo(&v.a);
    copy_demo(&v.b);
    copy_demo(&v.failing);
    let codings = std::fs::read_to_string(v.a.join("codings.csv")).unwrap();
    let lines: Vec<&str> = codings.lines().collect();
    std::fs::write(v.b.join("codings.csv"), lines[..lines.len() - 200].join("\n") + "\n").unwrap();
    let mut last: Vec<String> = lines.last().unwrap().split(',').map(String::from).collect();
    last[1] = "no.such.code".into();
    let failing = lines[..lines.len() - 1].join("\n") + "\n" + &last.join(",") + "\n";
    std::fs::write(v.failing.join("codings.csv"), failing).unwrap();
    v
}

fn spawn(args: &[&str], pause: Option<&Path>) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crosscase"));
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(dir) = pause {
        cmd.env("CROSSCASE_TEST_PAUSE_AFTER_LOAD_STEP", dir);
    }
    cmd.spawn().unwrap()
}

fn run(args: &[&str]) -> Output {
    spawn(args, None).wait_with_output().unwrap()
}

fn ingest(dir: &Path, db: &Path) -> Output {
    run(&["ingest", dir.to_str().unwrap(), "--db", db.to_str().unwrap()])
}

fn ok(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

fn compare_args(db: &Path) -> Vec<String> {
    [
        "compare",
        "--db",
        db.to_str().unwrap(),
        "--permutations",
        "99",
        "--format",
        "json",
    ]
    .map(String::from)
    .to_vec()
}

fn content_hash(db: &Path) -> String {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT content_hash FROM project WHERE name = ?1", [PROJECT], |r| {
            r.get(0)
        })
        .unwrap()
}

/// The hash a recorded run says it read.
fn run_hash(db: &Path, run: i64) -> String {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT project_hash FROM analysis_run WHERE id = ?1", [run], |r| {
            r.get(0)
        })
        .unwrap()
}

/// The run id in "Stored as run N in …".
fn stored_run(stderr: &str) -> i64 {
    let rest = stderr
        .split("Stored as run ")
        .nth(1)
        .unwrap_or_else(|| panic!("{stderr}"));
    rest.split(' ').next().unwrap().parse().unwrap()
}

/// Every file under `dir` with its bytes, by path relative to `dir`.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A valid ingest and one that fails at its last coding, both into a database that does not exist yet, started in
/// varying order and spacing, 20 times: the valid one succeeds and its data is there afterwards, the failing one
/// says what is wrong, and nothing else is left in the folder (no -wal, -shm or temporary file).
#[test]
fn a_failing_ingest_never_removes_a_new_database_that_another_ingest_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let v = versions(tmp.path());
    let reference = tmp.path().join("reference.sqlite");
    ok(&ingest(&v.a, &reference));
    let hash = content_hash(&reference);

    let mut failing_finished_last = 0;
    for round in 0..20u64 {
        let folder = tmp.path().join(format!("race{round}"));
        std::fs::create_dir(&folder).unwrap();
        let db = folder.join("shared.sqlite");
        let ingest_into = |dir: &Path| spawn(&["ingest", dir.to_str().unwrap(), "--db", db.to_str().unwrap()], None);
        let pause = Duration::from_millis(round % 5 * 15);
        let (mut good, mut bad) = if round % 2 == 0 {
            let good = ingest_into(&v.a);
            std::thread::sleep(pause);
            (good, ingest_into(&v.failing))
        } else {
            let bad = ingest_into(&v.failing);
            std::thread::sleep(pause);
            (ingest_into(&v.a), bad)
        };
        // Which one ends last: the dangerous order is the failing one ending after the valid one stored.
        let mut good_done = false;
        loop {
            if !good_done && good.try_wait().unwrap().is_some() {
                good_done = true;
            }
            if bad.try_wait().unwrap().is_some() {
                if good_done {
                    failing_finished_last += 1;
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let (good, bad) = (good.wait_with_output().unwrap(), bad.wait_with_output().unwrap());
        let stderr = ok(&good);
        assert!(
            stderr.contains("stored") || stderr.contains("replaced"),
            "round {round}: {stderr}"
        );
        let bad_stderr = String::from_utf8_lossy(&bad.stderr);
        assert_eq!(bad.status.code(), Some(1), "round {round}: {bad_stderr}");
        assert!(bad_stderr.contains("no.such.code"), "round {round}: {bad_stderr}");
        assert!(
            bad_stderr.contains("nothing was written"),
            "round {round}: {bad_stderr}"
        );
        assert_eq!(names_in(&folder), ["shared.sqlite"], "round {round}");
        assert_eq!(integrity(&db), "ok", "round {round}");
        assert_eq!(
            content_hash(&db),
            hash,
            "round {round}: the valid ingest's data is gone"
        );
        let counts: BTreeMap<String, i64> = table_counts(&db).into_iter().collect();
        assert_eq!(counts["coding"], 556, "round {round}");
    }
    eprintln!("new-file race: 20 rounds, the failing ingest ended after the valid one in {failing_finished_last}");
}

/// Runs `args` with the pause point set, waits until it is held between its statements, lets `meanwhile` commit,
/// releases it and returns its output.
fn held(args: &[&str], pause: &Path, meanwhile: impl FnOnce()) -> Output {
    std::fs::create_dir_all(pause).unwrap();
    let mut reader = spawn(args, Some(pause));
    let started = Instant::now();
    while !pause.join("paused").exists() {
        assert!(
            reader.try_wait().unwrap().is_none(),
            "the reader ended before its pause point"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the reader never reached its pause point"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    meanwhile();
    std::fs::write(pause.join("release"), "").unwrap();
    reader.wait_with_output().unwrap()
}

/// Every file `export --format csv` wrote but the analysis runs (which differ between databases), with its bytes.
fn exported(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = tree(dir);
    files.remove(Path::new("analysis_runs.csv"));
    files
}

/// Every file `feedback` wrote, with the number of the run it records left out (the run's content hash stays):
/// the same figures recorded in another database get another run number.
fn written_packs(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for (path, bytes) in tree(dir) {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name == "figures.json" {
            let mut figures: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            figures["run"]["id"] = serde_json::Value::Null;
            files.insert(path, serde_json::to_vec(&figures).unwrap());
        } else if name == "index.html" {
            let page = String::from_utf8(bytes).unwrap();
            let number = |marker: &str, page: &str| {
                let (before, after) = page.split_once(marker)?;
                let digits = after.find(|c: char| !c.is_ascii_digit())?;
                Some(format!("{before}{marker}N{}", &after[digits..]))
            };
            let page = number("från körning ", &page)
                .or_else(|| number("from run ", &page))
                .expect("the page names no run");
            files.insert(path, page.into_bytes());
        } else if name == "tables.xlsx" {
            // Every part of the workbook but the run sheet's, which is the last sheet.
            let mut book = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            let sheets = book
                .file_names()
                .filter(|n| n.as_ref().is_ok_and(|n| n.starts_with("xl/worksheets/sheet")))
                .count();
            for i in 0..book.len() {
                let mut part = book.by_index(i).unwrap();
                let part_name = part.name().unwrap().to_string();
                if part_name == format!("xl/worksheets/sheet{sheets}.xml") {
                    continue;
                }
                let mut content = Vec::new();
                std::io::Read::read_to_end(&mut part, &mut content).unwrap();
                files.insert(path.join(part_name), content);
            }
        } else {
            files.insert(path, bytes);
        }
    }
    files
}

/// `compare`, `export` and `feedback` held between two of their statements while the other version replaces the
/// project (in both directions for compare and export): each gives exactly the output of the version it started
/// reading, and `compare` records that version's hash. Without one read transaction the statements after the pause
/// read the new version's rows (or fail on their row ids).
#[test]
fn a_reader_held_while_a_replacement_commits_reads_one_version() {
    let tmp = tempfile::tempdir().unwrap();
    let v = versions(tmp.path());
    // What each version gives when nothing else happens; the packs (slow in a debug build) of one municipality.
    let feedback_args = |db: &Path, packs: &Path| {
        [
            "feedback",
            "--db",
            db.to_str().unwrap(),
            "--out",
            packs.to_str().unwrap(),
            "--municipality",
            "0580",
        ]
        .map(String::from)
    };
    let mut expected = BTreeMap::new();
    for (name, dir) in [("a", &v.a), ("b", &v.b)] {
        let db = tmp.path().join(format!("{name}.sqlite"));
        ok(&ingest(dir, &db));
        let compare = run(&compare_args(&db).iter().map(String::as_str).collect::<Vec<_>>());
        ok(&compare);
        let export = tmp.path().join(format!("{name}-export"));
        ok(&run(&[
            "export",
            "--db",
            db.to_str().unwrap(),
            "--out",
            export.to_str().unwrap(),
            "--format",
            "csv",
        ]));
        expected.insert(name, (content_hash(&db), compare.stdout, exported(&export)));
    }
    assert_ne!(
        expected["a"].1, expected["b"].1,
        "the versions must differ in what compare prints"
    );
    assert_ne!(
        expected["a"].2, expected["b"].2,
        "the versions must differ in what export writes"
    );
    // Version B's pack of 0580 differs from A's in its charts, page and workbook (checked once by hand; not rerun here
    // because a pack takes many seconds in a debug build).
    let packs_a = tmp.path().join("a-packs");
    ok(&run(&feedback_args(&tmp.path().join("a.sqlite"), &packs_a)
        .each_ref()
        .map(String::as_str)));

    let db = tmp.path().join("shared.sqlite");
    ok(&ingest(&v.a, &db));
    // The letter key lives beside a project's database: the shared database of the same project gets A's key, so
    // that the same version gives the same packs.
    std::fs::copy(
        tmp.path().join("a.sqlite.letter-key"),
        tmp.path().join("shared.sqlite.letter-key"),
    )
    .unwrap();
    let rounds = [
        ("a", "b", &v.b),
        ("b", "a", &v.a),
        ("a", "b", &v.b),
        ("b", "a", &v.a),
        ("a", "b", &v.b),
    ];
    for (round, (from, to, dir)) in rounds.into_iter().enumerate() {
        assert_eq!(content_hash(&db), expected[from].0);
        let pause = tmp.path().join(format!("pause{round}"));
        let replace = || {
            let stderr = ok(&ingest(dir, &db));
            assert!(stderr.contains("replaced its earlier data"), "{stderr}");
            assert_eq!(
                content_hash(&db),
                expected[to].0,
                "the replacement committed while the reader was held"
            );
        };
        let step = match round {
            0 | 1 => {
                let args = compare_args(&db);
                let out = held(&args.iter().map(String::as_str).collect::<Vec<_>>(), &pause, replace);
                let stderr = ok(&out);
                assert!(
                    out.stdout == expected[from].1,
                    "round {round}: compare mixed versions or read the new one"
                );
                assert_eq!(run_hash(&db, stored_run(&stderr)), expected[from].0, "round {round}");
                "municipalities"
            }
            2 | 3 => {
                let export = tmp.path().join(format!("held{round}-export"));
                let args = [
                    "export",
                    "--db",
                    db.to_str().unwrap(),
                    "--out",
                    export.to_str().unwrap(),
                    "--format",
                    "csv",
                ];
                ok(&held(&args, &pause, replace));
                assert!(
                    exported(&export) == expected[from].2,
                    "round {round}: export mixed versions"
                );
                "project table"
            }
            _ => {
                let packs = tmp.path().join(format!("held{round}-packs"));
                ok(&held(
                    &feedback_args(&db, &packs).each_ref().map(String::as_str),
                    &pause,
                    replace,
                ));
                assert!(
                    written_packs(&packs) == written_packs(&packs_a),
                    "round {round}: feedback mixed versions or read the new one"
                );
                "municipalities"
            }
        };
        assert_eq!(
            std::fs::read_to_string(pause.join("paused")).unwrap(),
            step,
            "round {round}"
        );
    }
}

/// For about eight seconds, one process after another replaces the project with the other version while two
/// readers run `compare` in a loop: every compare prints exactly version A's or version B's rows (or refuses
/// cleanly), and the run it records carries the hash of the version it printed.
#[test]
fn replacements_and_readers_in_a_short_soak_never_mix_versions() {
    let tmp = tempfile::tempdir().unwrap();
    let v = versions(tmp.path());
    let mut by_hash = BTreeMap::new();
    for (name, dir) in [("a", &v.a), ("b", &v.b)] {
        let db = tmp.path().join(format!("{name}.sqlite"));
        ok(&ingest(dir, &db));
        let out = run(&compare_args(&db).iter().map(String::as_str).collect::<Vec<_>>());
        ok(&out);
        by_hash.insert(content_hash(&db), out.stdout);
    }
    let db = tmp.path().join("shared.sqlite");
    ok(&ingest(&v.a, &db));

    let until = Instant::now() + Duration::from_secs(8);
    let (replacements, reads) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let mut n = 0;
            while Instant::now() < until {
                let dir = if n % 2 == 0 { &v.b } else { &v.a };
                ok(&ingest(dir, &db));
                n += 1;
            }
            n
        });
        let readers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut seen = Vec::new();
                    while Instant::now() < until {
                        let out = run(&compare_args(&db).iter().map(String::as_str).collect::<Vec<_>>());
                        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                        assert!(!stderr.contains("panicked"), "{stderr}");
                        if out.status.success() {
                            seen.push((out.stdout, stored_run(&stderr)));
                        } else {
                            assert!(out.stdout.is_empty() && stderr.starts_with("error:"), "{stderr}");
                            seen.push((Vec::new(), -1));
                        }
                    }
                    seen
                })
            })
            .collect();
        let reads: Vec<_> = readers.into_iter().flat_map(|r| r.join().unwrap()).collect();
        (writer.join().unwrap(), reads)
    });
    let refused = reads.iter().filter(|(_, run)| *run < 0).count();
    for (stdout, run) in reads.iter().filter(|(_, run)| *run >= 0) {
        let hash = run_hash(&db, *run);
        assert!(
            by_hash.get(&hash) == Some(stdout),
            "run {run} printed rows that are not those of the version it recorded"
        );
    }
    assert!(
        replacements >= 2 && reads.len() >= 2,
        "{replacements} replacements, {} reads",
        reads.len()
    );
    assert_eq!(integrity(&db), "ok");
    eprintln!(
        "soak: {replacements} replacements, {} reads, {refused} refused",
        reads.len()
    );
}
