//! `crosscase runs`: listing, showing, exporting and pruning recorded runs, against the real binary and database.

use std::path::Path;

use crate::support::{crosscase, ingest_demo};

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The demo ingested, then four runs: compare as JSON lines and as CSV (the same parameters), compare with another
/// seed, ideas.
fn recorded(tmp: &Path) -> (std::path::PathBuf, Vec<u8>, String) {
    let db = tmp.join("p.sqlite");
    ingest_demo(tmp, &db);
    let json = tmp.join("compare.jsonl");
    let compare = ["compare", "--db", arg(&db), "--permutations", "99"];
    let run = crosscase(
        tmp,
        &[&compare[..], &["--format", "json", "--out", arg(&json)]].concat(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("Stored as run 1"), "{}", run.stderr);
    let csv = crosscase(tmp, &compare);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let other = crosscase(tmp, &[&compare[..], &["--seed", "2"]].concat());
    assert_eq!(other.code, 0, "{}", other.stderr);
    let ideas = crosscase(tmp, &["ideas", "--db", arg(&db)]);
    assert_eq!(ideas.code, 0, "{}", ideas.stderr);
    assert!(ideas.stderr.contains("Stored as run 4"), "{}", ideas.stderr);
    (db, std::fs::read(&json).unwrap(), csv.stdout)
}

#[test]
fn runs_are_listed_shown_exported_and_pruned() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let (db, json, csv) = recorded(tmp);
    let hash: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT content_hash FROM project", [], |r| r.get(0))
        .unwrap();
    // The comparison's JSON lines, every column on every row, are stored as columns, not as compressed text.
    let format: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT result_format FROM analysis_run WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(format, "columns-zstd");

    // list: one line per run, oldest first, with kind, version, data hash and seed.
    let list = crosscase(tmp, &["runs", "list", "--db", arg(&db)]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let lines: Vec<Vec<&str>> = list
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let rows = json.iter().filter(|&&b| b == b'\n').count().to_string();
    let version = env!("CARGO_PKG_VERSION");
    let expected: [(&str, &str, &str); 4] = [
        ("1", "compare", "1"),
        ("2", "compare", "1"),
        ("3", "compare", "2"),
        ("4", "ideas", "-"),
    ];
    assert_eq!(lines.len(), 4, "{}", list.stdout);
    for (line, (id, kind, seed)) in lines.iter().zip(expected) {
        assert_eq!(
            (line[0], line[1], *line.last().unwrap()),
            (id, kind, seed),
            "{}",
            list.stdout
        );
        assert!(line.contains(&version), "{}", list.stdout);
        assert!(line.contains(&&hash[..12]), "{}", list.stdout);
    }
    assert!(
        list.stdout.lines().nth(1).unwrap().contains(&format!(" {rows} ")),
        "{}",
        list.stdout
    );

    // show: the parameters, the data hash and a command line that gives the same rows again.
    let show = crosscase(tmp, &["runs", "show", "1", "--db", arg(&db)]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    let field = |name: &str| {
        show.stdout
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {}", show.stdout))
            .trim()
            .to_string()
    };
    assert_eq!(field("data hash:"), hash);
    assert_eq!(field("seed:"), "1");
    assert_eq!(field("rows:"), rows);
    assert_eq!(field("crosscase:"), version);
    let parameters: serde_json::Value = serde_json::from_str(&field("parameters:")).unwrap();
    assert_eq!(parameters["permutations"], 99);
    let reproduce = field("reproduce:");
    let words = shell_words(&reproduce);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    assert_eq!(words[..2], ["crosscase", "compare"], "{reproduce}");
    let again = tmp.join("again.jsonl");
    let rerun = crosscase(
        tmp,
        &[&words[1..], &["--format", "json", "--out", arg(&again)]].concat(),
    );
    assert_eq!(rerun.code, 0, "{reproduce}: {}", rerun.stderr);
    same(
        &std::fs::read_to_string(&again).unwrap(),
        std::str::from_utf8(&json).unwrap(),
    );

    // export: JSON lines byte for byte as the command wrote them, CSV as the command prints it, Parquet.
    let out = tmp.join("run1.jsonl");
    let export = crosscase(
        tmp,
        &[
            "runs",
            "export",
            "1",
            "--db",
            arg(&db),
            "--format",
            "json",
            "--out",
            arg(&out),
        ],
    );
    assert_eq!(export.code, 0, "{}", export.stderr);
    same(
        &std::fs::read_to_string(&out).unwrap(),
        std::str::from_utf8(&json).unwrap(),
    );
    let out = tmp.join("run2.csv");
    let export = crosscase(tmp, &["runs", "export", "2", "--db", arg(&db), "--out", arg(&out)]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    same(&std::fs::read_to_string(&out).unwrap(), &csv);
    let out = tmp.join("run4.parquet");
    let export = crosscase(
        tmp,
        &[
            "runs",
            "export",
            "4",
            "--db",
            arg(&db),
            "--format",
            "parquet",
            "--out",
            arg(&out),
        ],
    );
    assert_eq!(export.code, 0, "{}", export.stderr);
    let parquet = std::fs::read(&out).unwrap();
    assert!(
        parquet.starts_with(b"PAR1") && parquet.ends_with(b"PAR1"),
        "not Parquet"
    );

    // prune: the newest run of each kind stays.
    let prune = crosscase(tmp, &["runs", "prune", "--db", arg(&db), "--keep", "1", "--vacuum"]);
    assert_eq!(prune.code, 0, "{}", prune.stderr);
    assert!(prune.stderr.contains("Deleted 3 runs (1, 2, 3)"), "{}", prune.stderr);
    let list = crosscase(tmp, &["runs", "list", "--db", arg(&db)]);
    let ids: Vec<&str> = list
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    // Run 5 was the reproduction above, the newest compare.
    assert_eq!(ids, ["4", "5"], "{}", list.stdout);
    assert_eq!(crate::support::integrity(&db), "ok");
}

#[test]
fn runs_report_bad_input_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let db = tmp.join("p.sqlite");
    ingest_demo(tmp, &db);
    // No runs yet.
    let show = crosscase(tmp, &["runs", "show", "7", "--db", arg(&db)]);
    assert_eq!(show.code, 1, "{}", show.stderr);
    assert!(
        show.stderr.contains("no run 7 in") && show.stderr.contains("it holds no runs yet"),
        "{}",
        show.stderr
    );
    let compare = crosscase(tmp, &["compare", "--db", arg(&db), "--permutations", "0"]);
    assert_eq!(compare.code, 0, "{}", compare.stderr);
    let out = tmp.join("x.csv");
    let export = crosscase(tmp, &["runs", "export", "99", "--db", arg(&db), "--out", arg(&out)]);
    assert_eq!(export.code, 1, "{}", export.stderr);
    assert!(
        export.stderr.contains("no run 99 in") && export.stderr.contains("its runs are 1 (see `crosscase runs list"),
        "{}",
        export.stderr
    );
    assert!(!out.exists() && !out.with_extension("partial").exists());
    let missing = tmp.join("nothing.sqlite");
    let list = crosscase(tmp, &["runs", "list", "--db", arg(&missing)]);
    assert_eq!(list.code, 1, "{}", list.stderr);
    assert!(list.stderr.contains("does not exist"), "{}", list.stderr);
    assert!(!missing.exists());
    // Usage errors: exit 2.
    for args in [
        &["runs", "prune", "--db", arg(&db)][..],
        &["runs", "show", "one", "--db", arg(&db)],
        &["runs", "prune", "--db", arg(&db), "--keep", "-1"],
    ] {
        let run = crosscase(tmp, args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    }
    // A failed command keeps the runs.
    let list = crosscase(tmp, &["runs", "list", "--db", arg(&db)]);
    assert_eq!(list.stdout.lines().count(), 2, "{}", list.stdout);
}

/// Splits a command line into words as a POSIX shell does, for the plain words and single quotes it is made of.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let (mut word, mut quoted, mut any) = (String::new(), false, false);
    for c in line.chars() {
        match c {
            '\'' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => (word, any) = (word + &c.to_string(), true),
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// Asserts that two outputs are the same bytes, naming the first line that differs.
fn same(actual: &str, expected: &str) {
    if let Some((i, (a, e))) = actual
        .lines()
        .zip(expected.lines())
        .enumerate()
        .find(|(_, (a, e))| a != e)
    {
        panic!("line {}: {a:?}, expected {e:?}", i + 1);
    }
    assert_eq!(actual.len(), expected.len(), "the same lines, but not the same length");
    assert!(actual == expected);
}

/// Each pack names the recorded run its figures come from (page footer, `figures.json`, the workbook's run sheet),
/// `runs list` shows that run, and packs that cannot be written leave no run behind.
#[test]
fn packs_name_the_run_they_come_from() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let db = tmp.join("p.sqlite");
    ingest_demo(tmp, &db);
    let hash: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT content_hash FROM project", [], |r| r.get(0))
        .unwrap();
    let out = tmp.join("packs");
    let feedback = crosscase(
        tmp,
        &[
            "feedback",
            "--db",
            arg(&db),
            "--municipality",
            "0583",
            "--out",
            arg(&out),
        ],
    );
    assert_eq!(feedback.code, 0, "{}", feedback.stderr);
    assert!(feedback.stderr.contains("Stored as run 1 in"), "{}", feedback.stderr);

    let pack = out.join("0583-Motala");
    let figures: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pack.join("figures.json")).unwrap()).unwrap();
    assert_eq!(figures["run"]["id"], 1);
    assert_eq!(figures["run"]["content_hash"], hash.as_str());
    assert_eq!(figures["run"]["crosscase_version"], env!("CARGO_PKG_VERSION"));
    let page = std::fs::read_to_string(pack.join("index.html")).unwrap();
    assert!(
        page.contains(&format!("körning 1 i projektets databas (innehåll {}", &hash[..12])),
        "the page does not name its run"
    );
    let mut book = zip::ZipArchive::new(std::fs::File::open(pack.join("tables.xlsx")).unwrap()).unwrap();
    let mut workbook = String::new();
    std::io::Read::read_to_string(&mut book.by_name("xl/workbook.xml").unwrap(), &mut workbook).unwrap();
    assert!(workbook.contains("name=\"Körning\""), "{workbook}");

    let list = crosscase(tmp, &["runs", "list", "--db", arg(&db)]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    let row: Vec<&str> = list.stdout.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!((row[0], row[1]), ("1", "feedback"), "{}", list.stdout);
    assert!(list.stdout.contains(&hash[..12]), "{}", list.stdout);

    // `runs show` gives the command that writes the same packs again; run it and compare the figures.
    let show = crosscase(tmp, &["runs", "show", "1", "--db", arg(&db)]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    let line = show.stdout.lines().find_map(|l| l.strip_prefix("reproduce:")).unwrap();
    let words = shell_words(line.trim());
    assert_eq!(words[..2], ["crosscase", "feedback"], "{line}");
    let words: Vec<&str> = words[1..].iter().map(String::as_str).collect();
    let again = crosscase(tmp, &words);
    assert_eq!(again.code, 0, "{line}: {}", again.stderr);
    assert!(again.stderr.contains("Stored as run 2 in"), "{}", again.stderr);
    let figures_again: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pack.join("figures.json")).unwrap()).unwrap();
    assert_eq!(figures_again["cells"], figures["cells"]);
    assert_eq!(figures_again["run"]["id"], 2);

    // An output folder that cannot be made: the command fails and the run recorded for it is removed again.
    std::fs::write(tmp.join("file"), "").unwrap();
    let failed = crosscase(
        tmp,
        &[
            "feedback",
            "--db",
            arg(&db),
            "--out",
            arg(&tmp.join("file").join("packs")),
        ],
    );
    assert_ne!(failed.code, 0, "{}", failed.stderr);
    let list = crosscase(tmp, &["runs", "list", "--db", arg(&db)]);
    assert_eq!(
        list.stdout.lines().filter(|l| l.contains("feedback")).count(),
        2,
        "{}",
        list.stdout
    );
}
