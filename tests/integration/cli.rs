//! The commands on good and broken projects: validate, ingest, compare, init.

use std::path::{Path, PathBuf};

use crate::support::*;

/// Rewrites a CSV file of the project record by record; lines stay where they were (the demo has no multi-line fields).
fn edit_csv(file: &Path, edit: impl Fn(usize, &mut Vec<String>)) {
    let mut r = csv::Reader::from_path(file).unwrap();
    let header = r.headers().unwrap().clone();
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(&header).unwrap();
    for (i, rec) in r.records().enumerate() {
        let mut fields: Vec<String> = rec.unwrap().iter().map(str::to_string).collect();
        // Record i is on line i + 2.
        edit(i + 2, &mut fields);
        w.write_record(&fields).unwrap();
    }
    std::fs::write(file, w.into_inner().unwrap()).unwrap();
}

/// A copy of the demo with one planted error of each kind the foundation names.
fn plant_errors(dir: &Path) {
    copy_demo(dir);
    edit_csv(&dir.join("codings.csv"), |line, f| match line {
        2 => f[1] = "okand.kod".into(),    // unknown code
        3 => f[0] = "0580-I99".into(),     // unknown source
        4 => f[3] = "5000".into(),         // end before start
        5 => f[4] = "99999".into(),        // outside the text
        6 => f[5] = format!("{}!", &f[5]), // quote differs from the text
        _ => {}
    });
    edit_csv(&dir.join("sources.csv"), |line, f| match line {
        3 => f[4] = "2017-05-05".into(), // date outside wave v2016
        4 => f[0] = "0580-I01".into(),   // duplicate id
        _ => {}
    });
    let m = dir.join("municipalities.csv");
    let mut text = std::fs::read_to_string(&m).unwrap();
    text.push_str("9999,Atlantis\n"); // not a kommunkod
    std::fs::write(m, text).unwrap();
}

#[test]
fn validate_lists_every_planted_error_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("broken");
    plant_errors(&dir);
    let run = crosscase(tmp.path(), &["validate", "broken"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(redact(&run.stderr, tmp.path()));
}

#[test]
fn ingest_of_a_broken_project_leaves_the_database_byte_for_byte_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("store.sqlite");
    let ok = crosscase(
        tmp.path(),
        &[
            "ingest",
            repo().join("data/demo").to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let before = std::fs::read(&db).unwrap();

    plant_errors(&tmp.path().join("broken"));
    let run = crosscase(tmp.path(), &["ingest", "broken", "--db", db.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("problems found in broken; nothing was written"),
        "{}",
        run.stderr
    );
    assert!(std::fs::read(&db).unwrap() == before, "the database changed");
    assert_eq!(integrity(&db), "ok");

    // And a broken project never creates a database.
    let fresh = tmp.path().join("fresh.sqlite");
    assert_eq!(
        crosscase(tmp.path(), &["ingest", "broken", "--db", fresh.to_str().unwrap()]).code,
        1
    );
    assert!(!fresh.exists());
}

#[test]
fn second_ingest_of_an_unchanged_project_changes_no_table() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("store.sqlite");
    let demo = repo().join("data/demo");
    let args = ["ingest", demo.to_str().unwrap(), "--db", db.to_str().unwrap()];
    assert_eq!(crosscase(tmp.path(), &args).code, 0);
    let first = table_counts(&db);
    let again = crosscase(tmp.path(), &args);
    assert_eq!(again.code, 0);
    assert!(
        again
            .stderr
            .contains("unchanged since the last ingest; nothing written"),
        "{}",
        again.stderr
    );
    assert_eq!(table_counts(&db), first);
}

#[test]
fn a_changed_project_replaces_its_data_atomically() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    copy_demo(&dir);
    let db = tmp.path().join("store.sqlite");
    let args = ["ingest", "p", "--db", db.to_str().unwrap()];
    assert_eq!(crosscase(tmp.path(), &args).code, 0);
    let before: std::collections::HashMap<_, _> = table_counts(&db).into_iter().collect();

    // Drop the last coding: the project is replaced, not appended to.
    let codings = dir.join("codings.csv");
    let text = std::fs::read_to_string(&codings).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.pop();
    std::fs::write(&codings, lines.join("\n") + "\n").unwrap();
    let run = crosscase(tmp.path(), &args);
    assert!(run.stderr.contains("replaced its earlier data"), "{}", run.stderr);
    let after: std::collections::HashMap<_, _> = table_counts(&db).into_iter().collect();
    assert_eq!(after["coding"], before["coding"] - 1);
    assert_eq!(after["source"], before["source"]);
    assert_eq!(after["project"], 1);
    assert_eq!(after["import"], 2);
    assert_eq!(integrity(&db), "ok");
}

#[test]
fn compare_prints_one_json_object_per_row() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("store.sqlite");
    ingest_demo(tmp.path(), &db);
    let args = [
        "compare",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
        "--permutations",
        "999",
        "--seed",
        "7",
    ];
    let run = crosscase(tmp.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("Stored as run 1"), "{}", run.stderr);
    let rows: Vec<serde_json::Value> = run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    fn of<'a>(rows: &'a [serde_json::Value], kind: &'a str) -> impl Iterator<Item = &'a serde_json::Value> {
        rows.iter().filter(move |r| r["kind"] == kind)
    }
    let of = |kind: &'static str| of(&rows, kind);
    assert_eq!(of("prevalence").count(), 24 * 5);
    let row = of("prevalence")
        .find(|r| r["code"] == "idehantering" && r["municipality"] == "0583")
        .unwrap();
    for key in [
        "code",
        "municipality",
        "segments",
        "sources",
        "source_share",
        "participants",
        "participant_share",
    ] {
        assert!(row.get(key).is_some(), "missing {key}: {row}");
    }
    // Motala's planted idea sluice: idea handling is more common there than anywhere else.
    let share = |m: &str| {
        of("prevalence")
            .find(|r| r["code"] == "idehantering" && r["municipality"] == m)
            .unwrap()["source_share"]
            .as_f64()
            .unwrap()
    };
    for other in ["0580", "0581", "0586", "0687"] {
        assert!(
            share("0583") > share(other),
            "Motala {} vs {other} {}",
            share("0583"),
            share(other)
        );
    }
    // One classical and one permutation row per code, with the documented keys.
    assert_eq!(of("difference").count(), 24 * 2);
    for r in of("difference") {
        for key in [
            "code",
            "test",
            "statistic",
            "df",
            "p_value",
            "q_value",
            "cramers_v",
            "reason",
        ] {
            assert!(r.get(key).is_some(), "missing {key}: {r}");
        }
    }
    let perm = of("difference")
        .find(|r| r["code"] == "idehantering" && r["test"] == "permutation")
        .unwrap();
    assert_eq!(perm["permutations"], 999);
    assert!(perm["p_value"].as_f64().unwrap() >= 1.0 / 1000.0);
    // The same seed gives the same rows, and each run is kept with its parameters.
    let again = crosscase(tmp.path(), &args);
    assert_eq!(again.stdout, run.stdout);
    assert!(again.stderr.contains("Stored as run 2"), "{}", again.stderr);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (params, seed, n): (String, i64, i64) = conn
        .query_row(
            "SELECT parameters, seed, row_count FROM analysis_run WHERE id = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(params.contains("\"permutations\":999"), "{params}");
    assert_eq!((seed, n as usize), (7, rows.len()));

    // Parquet has the same columns; it goes to a file.
    let parquet = tmp.path().join("compare.parquet");
    let run = crosscase(
        tmp.path(),
        &[
            "compare",
            "--db",
            db.to_str().unwrap(),
            "--format",
            "parquet",
            "--permutations",
            "0",
            "--out",
            parquet.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read(&parquet).unwrap().starts_with(b"PAR1"));
}

#[test]
fn init_writes_a_project_that_validates() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(crosscase(tmp.path(), &["init", "p", "--name", "Mitt projekt"]).code, 0);
    let run = crosscase(tmp.path(), &["validate", "p"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A second init refuses to overwrite.
    assert_eq!(crosscase(tmp.path(), &["init", "p"]).code, 2);
}

#[test]
fn errors_name_the_file_and_exit_with_the_documented_codes() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("not.sqlite"),
        "this is not a database, just text that is long enough to matter",
    )
    .unwrap();
    let run = crosscase(tmp.path(), &["compare", "--db", "not.sqlite"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("not.sqlite is not a crosscase database"),
        "{}",
        run.stderr
    );

    let run = crosscase(tmp.path(), &["compare", "--db", "missing.sqlite"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("does not exist; run `crosscase ingest"),
        "{}",
        run.stderr
    );

    let run = crosscase(tmp.path(), &["validate", "nowhere"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("nowhere: no project folder here"), "{}", run.stderr);

    // A path the user gave that cannot be: a file where a folder should be. Named once with the OS's words, exit 1.
    std::fs::write(tmp.path().join("afile"), "").unwrap();
    let run = crosscase(tmp.path(), &["init", "afile/p"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr.matches("Not a directory").count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("afile/p"), "{}", run.stderr);

    assert_eq!(crosscase(tmp.path(), &["frobnicate"]).code, 2);
}

/// The complete example in docs/project-format.md is a valid project: each "`file`:" line is followed by its content.
#[test]
fn the_documented_example_project_validates() {
    let doc = std::fs::read_to_string(repo().join("docs/project-format.md")).unwrap();
    let example = doc
        .split("## A complete small example")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("example");
    let mut lines = example.lines();
    let mut written = 0;
    while let Some(line) = lines.next() {
        let Some(name) = line
            .strip_prefix('`')
            .and_then(|l| l.split('`').next())
            .filter(|_| line.ends_with(':') || line.contains("` ("))
        else {
            continue;
        };
        let fence = lines.by_ref().find(|l| !l.trim().is_empty()).unwrap();
        assert!(fence.starts_with("```"), "{name}: {fence}");
        let body: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut content = body.join("\n");
        if !name.ends_with(".txt") {
            content.push('\n');
        }
        std::fs::write(path, content).unwrap();
        written += 1;
    }
    assert_eq!(written, 11);
    let run = crosscase(tmp.path(), &["validate", "example"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("2 municipalities, 2 sources, 2 codes, 1 codings"),
        "{}",
        run.stderr
    );
}

/// A project whose only problem is in codings.csv is found out while the store is already writing (codings stream
/// into an open transaction): the transaction is rolled back, an existing database stays byte-for-byte the same,
/// and a database the command created is removed.
#[test]
fn a_problem_found_while_streaming_codings_rolls_everything_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    copy_demo(&dir);
    let db = tmp.path().join("store.sqlite");
    ingest_demo(tmp.path(), &db);
    let before = std::fs::read(&db).unwrap();

    // The last coding's quote no longer matches its text; rename the project so that it would be a new one.
    edit_csv(&dir.join("codings.csv"), |_, f| {
        if f[0] == "0687-W03" {
            f[5] = format!("{}?", f[5]);
        }
    });
    let toml = std::fs::read_to_string(dir.join("project.toml"))
        .unwrap()
        .replace("(demo)", "(kopia)");
    std::fs::write(dir.join("project.toml"), toml).unwrap();

    let run = crosscase(tmp.path(), &["ingest", "p", "--db", db.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("codings.csv") && run.stderr.contains("the quote differs"),
        "{}",
        run.stderr
    );
    assert!(std::fs::read(&db).unwrap() == before, "the database changed");
    assert_eq!(
        table_counts(&db).into_iter().find(|(t, _)| t == "project").unwrap().1,
        1
    );

    let fresh = tmp.path().join("fresh.sqlite");
    assert_eq!(
        crosscase(tmp.path(), &["ingest", "p", "--db", fresh.to_str().unwrap()]).code,
        1
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        !left.iter().any(|n| n.to_string_lossy().starts_with("fresh")),
        "{left:?}"
    );
}

#[test]
fn agreement_cooccurrence_and_wave_changes_on_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("store.sqlite");
    ingest_demo(tmp.path(), &db);
    let json = |args: &[&str]| -> Vec<serde_json::Value> {
        let run = crosscase(tmp.path(), args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let db = db.to_str().unwrap();

    // The second coder coded a subset: agreement per code and pooled, at both levels, with the documented keys.
    let rows = json(&["agreement", "--db", db, "--format", "json"]);
    assert_eq!(rows.len(), 2 * 24 + 2);
    let pooled = rows
        .iter()
        .find(|r| r["code"].is_null() && r["level"] == "document")
        .unwrap();
    for key in [
        "coders",
        "units",
        "percent_agreement",
        "cohen_kappa",
        "brennan_prediger",
        "krippendorff_alpha",
    ] {
        assert!(pooled.get(key).is_some(), "missing {key}: {pooled}");
    }
    assert_eq!(pooled["coders"], 2);
    let kappa = pooled["cohen_kappa"].as_f64().unwrap();
    assert!(
        (0.6..1.0).contains(&kappa),
        "the demo's coders mostly agree: κ = {kappa}"
    );

    let rows = json(&["cooccur", "--db", db, "--format", "json", "--within", "100"]);
    assert!(rows.iter().any(|r| r["municipality"].is_null()) && rows.iter().any(|r| r["municipality"] == "0583"));
    assert!(
        rows.iter()
            .all(|r| r["within_chars"] == 100 && r["same_source"].as_u64().unwrap() > 0)
    );

    let rows = json(&[
        "compare",
        "--db",
        db,
        "--format",
        "json",
        "--permutations",
        "0",
        "--waves",
        "v2016,v2019",
    ]);
    let change = rows
        .iter()
        .find(|r| r["kind"] == "wave_change" && r["code"] == "idehantering" && r["municipality"] == "0583")
        .unwrap();
    // Motala's idea sluice came in 2018: idea handling rises from the first wave to the last.
    assert!(change["change"].as_f64().unwrap() > 0.3, "{change}");
    assert!(change["ci_low"].as_f64().unwrap() > 0.0, "{change}");

    let run = crosscase(tmp.path(), &["compare", "--db", db, "--waves", "v2016,v2020"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("wave `v2020` is not in the project; its waves are: v2016, v2018, v2019"),
        "{}",
        run.stderr
    );
}

#[test]
fn export_writes_the_same_tables_in_every_format_and_defuses_formulas() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    copy_demo(&dir);
    // A label a spreadsheet would run as a formula.
    edit_csv(&dir.join("codebook.csv"), |line, f| {
        if line == 2 {
            f[3] = "=HYPERLINK(\"http://example.invalid\")".into();
        }
    });
    let db = tmp.path().join("store.sqlite");
    assert_eq!(
        crosscase(tmp.path(), &["ingest", "p", "--db", db.to_str().unwrap()]).code,
        0
    );
    let db = db.to_str().unwrap();
    for format in ["parquet", "csv", "json", "xlsx"] {
        let run = crosscase(tmp.path(), &["export", "--db", db, "--to", format, "--format", format]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let tables = [
        "project",
        "municipalities",
        "units",
        "participants",
        "waves",
        "sources",
        "source_participants",
        "codes",
        "codings",
        "ideas",
        "idea_events",
        "headcounts",
        "instruments",
        "survey_items",
        "survey_responses",
        "analysis_runs",
    ];
    for t in tables {
        let parquet = std::fs::read(tmp.path().join("parquet").join(format!("{t}.parquet"))).unwrap();
        assert!(parquet.starts_with(b"PAR1"), "{t}");
        // The same rows and columns as JSON lines: every column in every row, missing values null.
        let csv_text = std::fs::read_to_string(tmp.path().join("csv").join(format!("{t}.csv"))).unwrap();
        let mut csv = ::csv::Reader::from_reader(csv_text.as_bytes());
        let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_string).collect();
        let json = std::fs::read_to_string(tmp.path().join("json").join(format!("{t}.jsonl"))).unwrap();
        let objects: Vec<serde_json::Map<String, serde_json::Value>> =
            json.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(objects.len(), csv.records().count(), "{t}");
        for o in &objects {
            assert_eq!(o.keys().cloned().collect::<Vec<_>>(), header, "{t}");
        }
    }
    let codings = std::fs::read_to_string(tmp.path().join("csv/codings.csv")).unwrap();
    assert!(codings.starts_with("source_id,municipality,code,coder,start,end,quote,memo,wave_id,kind\n"));
    assert_eq!(codings.lines().count(), 1 + 556);
    // Every quote in the export is the text at its offsets, derived by the database.
    let first = codings.lines().nth(1).unwrap();
    assert!(
        first.contains(",273,362,Cheferna frågar mest efter kostnader"),
        "{first}"
    );
    let ideas = std::fs::read_to_string(tmp.path().join("csv/ideas.csv")).unwrap();
    assert!(ideas.starts_with("idea_id,kommunkod,unit_id,submitted,wave_id,codes,title\n"));
    assert_eq!(ideas.lines().count(), 1 + 366);
    let codes = std::fs::read_to_string(tmp.path().join("csv/codes.csv")).unwrap();
    assert!(
        codes.contains(",\"'=HYPERLINK(\"\"http://example.invalid\"\")\","),
        "{codes}"
    );
    let xlsx = std::fs::read(tmp.path().join("xlsx/crosscase.xlsx")).unwrap();
    assert!(xlsx.starts_with(b"PK"));
}

#[test]
fn audit_finds_planted_personal_data_and_repeats_none_of_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    copy_demo(&dir);
    // Appended after the coded text, so no coding's offsets move.
    let text = dir.join("texts/0583-I01.txt");
    let mut t = std::fs::read_to_string(&text).unwrap();
    t.push_str("\nAnteckning: ring Karin Ek på 070-123 45 67 eller mejla karin.ek@motala.se, pnr 811218-9876.\n");
    std::fs::write(&text, t).unwrap();
    std::fs::write(
        tmp.path().join("roster.csv"),
        "participant_id,name\nP0583-01,Karin Ek\n",
    )
    .unwrap();
    let db = tmp.path().join("store.sqlite");
    assert_eq!(
        crosscase(tmp.path(), &["ingest", "p", "--db", db.to_str().unwrap()]).code,
        0
    );
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.html"), "<p>Kontakt: 811218-9876</p>").unwrap();

    let run = crosscase(
        tmp.path(),
        &["audit", "--db", "store.sqlite", "out", "--roster", "roster.csv"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    for kind in [
        "personal identity number",
        "e-mail address",
        "phone number",
        "name from the roster",
    ] {
        assert!(
            run.stdout.contains(&format!("source `0583-I01` text: {kind}")),
            "{kind}: {}",
            run.stdout
        );
    }
    assert!(
        run.stdout.contains("out/notes.html:1: personal identity number"),
        "{}",
        run.stdout
    );
    for secret in ["811218-9876", "karin.ek@motala.se", "070-123 45 67", "Karin Ek"] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "the audit repeated {secret}"
        );
    }
    // The bundled demo has none.
    let clean = crosscase(tmp.path(), &["audit", "--db", "store.sqlite"]);
    assert_eq!(clean.code, 1, "the planted text is still in the database");
    let demo_db = tmp.path().join("demo.sqlite");
    ingest_demo(tmp.path(), &demo_db);
    let run = crosscase(tmp.path(), &["audit", "--db", "demo.sqlite"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn pseudonymised_ingest_replaces_names_and_keeps_every_quote_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    copy_demo(&dir);
    // A name of the same length as the words it replaces, so the project stays valid as the files have it.
    let text_path = dir.join("texts/0580-I01.txt");
    let text = std::fs::read_to_string(&text_path).unwrap();
    assert!(text.contains("Cheferna frågar"));
    std::fs::write(&text_path, text.replace("Cheferna frågar", "Karin Ek frågar")).unwrap();
    edit_csv(&dir.join("codings.csv"), |_, f| {
        if f[0] == "0580-I01" {
            f[5] = f[5].replace("Cheferna frågar", "Karin Ek frågar");
        }
    });
    std::fs::write(
        tmp.path().join("roster.csv"),
        "participant_id,name\nP0580-01,Karin Ek\n",
    )
    .unwrap();
    let (plain, hidden) = (tmp.path().join("plain.sqlite"), tmp.path().join("hidden.sqlite"));
    assert_eq!(
        crosscase(tmp.path(), &["ingest", "p", "--db", plain.to_str().unwrap()]).code,
        0
    );
    let run = crosscase(
        tmp.path(),
        &[
            "ingest",
            "p",
            "--db",
            hidden.to_str().unwrap(),
            "--pseudonymise",
            "roster.csv",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Pseudonymised 1 names in 1 texts"),
        "{}",
        run.stderr
    );
    assert!(
        tmp.path().join("roster.key").is_file(),
        "the key is created beside the roster"
    );

    let quotes = |db: &std::path::Path| -> Vec<(String, String)> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT s.source_id, q.quote FROM coding c JOIN coding_quote q ON q.coding_id = c.id
                 JOIN source s ON s.id = c.source_id ORDER BY c.id",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let (before, after) = (quotes(&plain), quotes(&hidden));
    assert_eq!(before.len(), after.len());
    let mut renamed = 0;
    for ((source, old), (_, new)) in before.iter().zip(&after) {
        if old.contains("Karin Ek") {
            renamed += 1;
            assert!(new.starts_with("Person-") && !new.contains("Karin"), "{new}");
            assert_eq!(new.split_once(' ').unwrap().1, old.strip_prefix("Karin Ek ").unwrap());
        } else {
            // Every other quote, also later in the same text, still lies exactly at its (moved) offsets.
            assert_eq!(old, new, "a quote in {source} moved off its text");
        }
    }
    assert!(renamed >= 1);
    let audit = crosscase(
        tmp.path(),
        &["audit", "--db", "hidden.sqlite", "--roster", "roster.csv"],
    );
    assert_eq!(audit.code, 0, "{}{}", audit.stdout, audit.stderr);
    let audit = crosscase(tmp.path(), &["audit", "--db", "plain.sqlite", "--roster", "roster.csv"]);
    assert_eq!(audit.code, 1);

    // The same key gives the same pseudonyms: a second database from the same files is identical in content.
    let again = tmp.path().join("again.sqlite");
    let run = crosscase(
        tmp.path(),
        &[
            "ingest",
            "p",
            "--db",
            again.to_str().unwrap(),
            "--pseudonymise",
            "roster.csv",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(quotes(&again), after);
    // A key file that is not a key is refused.
    std::fs::write(tmp.path().join("bad.key"), "not a key").unwrap();
    let run = crosscase(
        tmp.path(),
        &[
            "ingest",
            "p",
            "--db",
            again.to_str().unwrap(),
            "--pseudonymise",
            "roster.csv",
            "--key",
            "bad.key",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("bad.key is not a crosscase key"), "{}", run.stderr);
}

#[test]
fn feedback_quotes_are_masked_and_no_personal_data_reaches_the_packs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    copy_demo(&dir);
    // A coded quote of exactly 140 characters, the length quotes are chosen by, full of personal data.
    let mut quote =
        "Karin Ek sa att idéslussen fick många förslag; ring 070-123 45 67 eller skriv till karin.ek@motala.se om"
            .to_string();
    while quote.chars().count() < 140 {
        quote.push_str(" x");
    }
    let quote: String = quote.chars().take(139).collect::<String>() + ".";
    let text_path = dir.join("texts/0583-I01.txt");
    let text = std::fs::read_to_string(&text_path).unwrap();
    let start = text.chars().count() + 1;
    std::fs::write(&text_path, format!("{text}\n{quote}")).unwrap();
    let mut codings = std::fs::read_to_string(dir.join("codings.csv")).unwrap();
    codings.push_str(&format!(
        "0583-I01,idehantering.idesluss,AL,{start},{},\"{quote}\",\n",
        start + 140
    ));
    std::fs::write(dir.join("codings.csv"), codings).unwrap();
    std::fs::write(tmp.path().join("roster.csv"), "name\nKarin Ek\n").unwrap();
    let db = tmp.path().join("store.sqlite");
    assert_eq!(
        crosscase(tmp.path(), &["ingest", "p", "--db", db.to_str().unwrap()]).code,
        0
    );

    let run = crosscase(
        tmp.path(),
        &[
            "feedback",
            "--db",
            "store.sqlite",
            "--out",
            "fb",
            "--roster",
            "roster.csv",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(tmp.path().join("fb/0583-Motala/index.html")).unwrap();
    assert!(
        page.contains("[namn] sa att idéslussen fick många förslag; ring [telefon] eller skriv till [e-post]"),
        "{page}"
    );
    // Whatever file the packs hold, none contains the name, the number or the address.
    let mut files = vec![tmp.path().join("fb")];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for secret in ["Karin Ek", "070-123 45 67", "karin.ek@motala.se"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in {}",
                path.display()
            );
        }
    }
    // In English the masks are English.
    let run = crosscase(
        tmp.path(),
        &[
            "feedback",
            "--db",
            "store.sqlite",
            "--out",
            "fb-en",
            "--lang",
            "en",
            "--roster",
            "roster.csv",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(tmp.path().join("fb-en/0583-Motala/index.html")).unwrap();
    assert!(
        page.contains("[name] sa att") && page.contains("[phone]") && page.contains("Voices from interviews"),
        "{page}"
    );
}

#[test]
fn ideas_reports_funnel_curves_and_test_as_json_and_stores_its_run() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("store.sqlite");
    ingest_demo(tmp.path(), &db);
    let db = db.to_str().unwrap();
    let json = |extra: &[&str]| -> Vec<serde_json::Value> {
        let mut args = vec!["ideas", "--db", db, "--format", "json"];
        args.extend_from_slice(extra);
        let run = crosscase(tmp.path(), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let rows = json(&[]);
    let of = |kind: &str| rows.iter().filter(|r| r["kind"] == kind).collect::<Vec<_>>();
    // Five municipalities and the network, seven stages each.
    assert_eq!(of("funnel").len(), 6 * 7);
    assert_eq!(of("median").len(), 6);
    let submitted = of("funnel")
        .into_iter()
        .find(|r| r["group"] == "0583" && r["stage"] == "submitted")
        .unwrap();
    assert_eq!(submitted["ideas"], 96);
    assert_eq!(submitted["employees"], 3600);
    assert_eq!(submitted["share"], 1.0);
    let implemented = of("funnel")
        .into_iter()
        .find(|r| r["group"] == "0583" && r["stage"] == "implemented")
        .unwrap();
    let share = implemented["share"].as_f64().unwrap();
    let (low, high) = (
        implemented["share_low"].as_f64().unwrap(),
        implemented["share_high"].as_f64().unwrap(),
    );
    assert!(low < share && share < high, "{implemented}");
    // Every survival step has its numbers; the curve never rises.
    let motala: Vec<f64> = of("survival")
        .iter()
        .filter(|r| r["group"] == "0583")
        .map(|r| r["not_implemented"].as_f64().unwrap())
        .collect();
    assert!(motala.windows(2).all(|w| w[1] <= w[0]) && motala.len() > 40);
    let test = of("log_rank")[0];
    assert_eq!(test["df"], 4);
    assert!(test["p_value"].as_f64().unwrap() < 0.001);

    // By theme: ideas count in each of their themes, and the overlapping groups are not tested.
    let rows = json(&["--by", "theme"]);
    let test = rows.iter().find(|r| r["kind"] == "log_rank").unwrap();
    assert!(test["p_value"].is_null() && test["reason"].as_str().unwrap().contains("overlap"));
    // Censoring rejected ideas at their exit leaves fewer at risk, so the curve drops at least as far.
    let exit_date = json(&["--exits", "exit-date"]);
    let last = |rows: &[serde_json::Value]| {
        rows.iter()
            .rfind(|r| r["kind"] == "survival" && r["group"] == "all")
            .unwrap()["not_implemented"]
            .as_f64()
            .unwrap()
    };
    assert!(last(&exit_date) < last(&json(&[])));

    let counts: std::collections::HashMap<String, i64> = table_counts(Path::new(db)).into_iter().collect();
    assert_eq!(counts["analysis_run"], 4);
    let conn = rusqlite::Connection::open(db).unwrap();
    let parameters: String = conn
        .query_row("SELECT parameters FROM analysis_run WHERE id = 3", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        parameters,
        r#"{"by":"municipality","confidence":0.95,"exits":"exit_date"}"#
    );
}

#[test]
fn ideas_without_records_says_what_to_add() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    copy_demo(&dir);
    for f in ["ideas.csv", "idea_events.csv", "headcounts.csv"] {
        std::fs::remove_file(dir.join(f)).unwrap();
    }
    let db = tmp.path().join("store.sqlite");
    assert_eq!(
        crosscase(tmp.path(), &["ingest", "p", "--db", db.to_str().unwrap()]).code,
        0
    );
    let run = crosscase(tmp.path(), &["ideas", "--db", db.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("the project has no idea records: add ideas.csv"),
        "{}",
        run.stderr
    );
    // Feedback packs of such a project simply have no ideas section.
    let out = tmp.path().join("packs");
    let run = crosscase(
        tmp.path(),
        &["feedback", "--db", db.to_str().unwrap(), "--out", out.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(out.join("0583-Motala/index.html")).unwrap();
    assert!(!page.contains("ideas-funnel") && page.contains("heatmap.png"));
}

#[test]
fn survey_reports_items_indices_tests_and_change_and_stores_its_run() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("store.sqlite");
    ingest_demo(tmp.path(), &db);
    let db = db.to_str().unwrap();
    let charts = tmp.path().join("charts");
    let run = crosscase(
        tmp.path(),
        &[
            "survey",
            "--db",
            db,
            "--format",
            "json",
            "--codes",
            "organisering",
            "--charts",
            charts.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<serde_json::Value> = run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let of = |kind: &str| rows.iter().filter(|r| r["kind"] == kind).collect::<Vec<_>>();
    // The manager survey: 12 items in two waves for five municipalities and all together; the training: 5 items
    // before and after.
    assert_eq!(of("item").len(), 12 * 2 * 6 + 5 * 2 * 6);
    let motala = |wave: &str| {
        of("index")
            .into_iter()
            .find(|r| r["group"] == "0583" && r["wave"] == wave && r["dimension"] == "strukturer")
            .unwrap()["mean"]
            .as_f64()
            .unwrap()
    };
    // Motala's planted idea sluice: structures for innovation rise from 2018 to 2019.
    assert!(
        motala("v2019") - motala("v2018") > 0.8,
        "{} → {}",
        motala("v2018"),
        motala("v2019")
    );
    let test = of("test")
        .into_iter()
        .find(|r| r["test"] == "kruskal_wallis" && r["target"] == "strukturer" && r["wave"] == "v2019")
        .unwrap();
    assert_eq!(test["df"], 4);
    let pairs = of("test")
        .into_iter()
        .filter(|r| r["test"] == "mann_whitney" && r["target"] == "strukturer" && r["wave"] == "v2019")
        .count();
    assert_eq!(pairs, 10);
    let knowledge = of("pre_post")
        .into_iter()
        .find(|r| r["group"] == "all" && r["target"] == "kunskap")
        .unwrap();
    assert_eq!(knowledge["design"], "paired");
    let share = knowledge["improved_share"].as_f64().unwrap();
    assert!(share > 0.7, "{knowledge}");
    assert_eq!(of("mixed").len(), 5 * 4);
    assert!(charts.join("mixed-chefsenkat-strukturer-organisering.svg").is_file());

    // One instrument by role; an unknown instrument or code says what there is.
    let run = crosscase(
        tmp.path(),
        &[
            "survey",
            "--db",
            db,
            "--instrument",
            "chefsenkat",
            "--by",
            "role",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(r#""group":"top_manager""#));
    let run = crosscase(tmp.path(), &["survey", "--db", db, "--instrument", "okand"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("its instruments are: chefsenkat, utbildning"),
        "{}",
        run.stderr
    );
    let run = crosscase(tmp.path(), &["survey", "--db", db, "--codes", "nope"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("`nope` not in the codebook"), "{}", run.stderr);
    let counts: std::collections::HashMap<String, i64> = table_counts(Path::new(db)).into_iter().collect();
    assert_eq!(counts["analysis_run"], 2);
}

/// A small project of free sites with hostile names and small groups, written for the pack tests below.
fn write_small_hostile_project(dir: &Path) {
    let files: &[(&str, &str)] = &[
        (
            "project.toml",
            "name = \"Små grupper\"\nfree_site_ids = true\ndisclosure_threshold = 5\n",
        ),
        (
            "municipalities.csv",
            "kommunkod,name\n../S1,<script>alert(1)</script>\nS2,=cmd|' /C calc'!A0\n",
        ),
        (
            "codebook.csv",
            "code_id,parent_id,label_sv,label_en\nk,,=Kultur,=Culture\n",
        ),
        (
            "participants.csv",
            "participant_id,kommunkod,role\nP1,../S1,employee\nP2,../S1,employee\nP3,../S1,employee\nP4,../S1,employee\nP5,../S1,employee\nP6,../S1,employee\nQ1,S2,employee\n",
        ),
        (
            "sources.csv",
            "source_id,kind,kommunkod,participants\nI1,interview,../S1,P1|P2|P3\nI2,interview,../S1,P4|P5|P6\nI3,interview,S2,Q1\n",
        ),
        ("codings.csv", "source_id,code_id,coder,start,end,quote\n"),
        ("waves.csv", "wave_id,name,start,end\nv1,Våg 1,2018-01-01,2018-12-31\n"),
        (
            "surveys/enkat.toml",
            "name_sv = \"Enkät\"\nscale = [1, 5]\n[[dimensions]]\nid = \"d\"\nlabel_sv = \"Del\"\n[[items]]\nid = \"q1\"\ntext_sv = \"Alla svarar\"\ndimension = \"d\"\n[[items]]\nid = \"q2\"\ntext_sv = \"Tre svarar\"\ndimension = \"d\"\n",
        ),
        (
            "surveys/enkat.csv",
            "respondent,kommunkod,wave,q1,q2\nR1,../S1,v1,4,4\nR2,../S1,v1,3,2\nR3,../S1,v1,5,5\nR4,../S1,v1,2,\nR5,../S1,v1,4,\nR6,../S1,v1,3,\nR7,S2,v1,1,1\n",
        ),
        (
            "surveys/kurs.toml",
            "name_sv = \"Kurs\"\ndesign = \"pre_post\"\nscale = [1, 5]\n[[dimensions]]\nid = \"d\"\nlabel_sv = \"Kunskap\"\n[[items]]\nid = \"q1\"\ntext_sv = \"Jag kan\"\ndimension = \"d\"\n",
        ),
        (
            "surveys/kurs.csv",
            "respondent,kommunkod,wave,q1\nU1,../S1,pre,2\nU2,../S1,pre,2\nU3,../S1,pre,3\nU4,../S1,pre,3\nU5,../S1,pre,4\nU6,../S1,pre,4\nU1,../S1,post,4\nU2,../S1,post,4\nU3,../S1,post,3\nU4,../S1,post,3\nU5,../S1,post,4\nU6,../S1,post,3\n",
        ),
    ];
    std::fs::create_dir_all(dir.join("surveys")).unwrap();
    for (name, content) in files {
        std::fs::write(dir.join(name), content).unwrap();
    }
}

#[test]
fn packs_keep_small_groups_and_hostile_names_harmless() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    write_small_hostile_project(&dir);
    let db = tmp.path().join("store.sqlite");
    let run = crosscase(tmp.path(), &["ingest", "p", "--db", db.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = tmp.path().join("packs");
    let run = crosscase(
        tmp.path(),
        &["feedback", "--db", db.to_str().unwrap(), "--out", out.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Every pack stays inside the output folder, whatever the site ids say.
    let mut packs: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    packs.sort();
    assert_eq!(packs, ["S1-script-alert-1-script", "S2-cmd-C-calc-A0", "index.html"]);
    assert!(!tmp.path().join("S1").exists());
    let page = std::fs::read_to_string(out.join("S1-script-alert-1-script/index.html")).unwrap();
    // Names are text, never markup.
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>"),
        "{page}"
    );
    // The item only three answered shows neither its answers nor their number.
    let likert = std::fs::read_to_string(out.join("S1-script-alert-1-script/survey-1.svg")).unwrap();
    assert!(likert.contains("n &lt; 5") && likert.contains("n = 6"), "{likert}");
    assert!(!likert.contains("n = 3"));
    // Two of six improved: a group below the threshold, given as "fewer than".
    let change = std::fs::read_to_string(out.join("S1-script-alert-1-script/survey-2.svg")).unwrap();
    // (The note may wrap onto a second line between its words.)
    assert!(change.contains("färre än 5 av 6"), "{change}");
    assert!(!change.contains("2 av 6") && !page.contains("2 av 6"));
    // One respondent in S2: nothing of theirs is shown.
    let small = std::fs::read_to_string(out.join("S2-cmd-C-calc-A0/index.html")).unwrap();
    assert!(small.contains("Svaren visas inte"), "{small}");
    assert!(!out.join("S2-cmd-C-calc-A0/survey-1.png").exists());
    let book = std::fs::read(out.join("S1-script-alert-1-script/tables.xlsx")).unwrap();
    assert!(book.starts_with(b"PK"));
}

/// The counts a text states: `n = 3`, `3 av 6` / `3 of 6`, `3 svarande` and the like.
fn stated_counts(text: &str) -> Vec<(u64, String)> {
    const NOUNS: &[&str] = &[
        "svarande",
        "respondenter",
        "respondents",
        "deltagare",
        "participants",
        "personer",
        "people",
        "källor",
        "sources",
        "intervjuer",
        "interviews",
        "idéer",
        "ideas",
        "svar",
        "answers",
    ];
    let mut plain = String::new();
    let mut in_tag = false;
    for ch in text.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                plain.push(' ');
            }
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let plain = plain.replace("n=", "n = ").replace("&lt;", "<");
    let tokens: Vec<String> = plain
        .split_whitespace()
        .map(|t| {
            t.trim_matches(|c: char| matches!(c, ',' | '.' | ':' | ';' | '(' | ')'))
                .to_lowercase()
        })
        .collect();
    let number = |t: &str| t.parse::<u64>().ok();
    let mut found = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let next = |k: usize| tokens.get(i + k).map(String::as_str).unwrap_or("");
        let context = tokens[i.saturating_sub(3)..(i + 4).min(tokens.len())].join(" ");
        if t == "n"
            && next(1) == "="
            && let Some(n) = number(next(2))
        {
            found.push((n, context.clone()));
        }
        if let Some(n) = number(t) {
            if (next(1) == "av" || next(1) == "of") && number(next(2)).is_some() {
                found.push((n, context.clone()));
                found.push((number(next(2)).unwrap(), context.clone()));
            }
            if NOUNS.contains(&next(1)) {
                found.push((n, context));
            }
        }
    }
    found
}

/// No count below the threshold in any page, chart text or workbook of a project built to hold small groups. PNG
/// charts are drawn from the same description as their SVG twins, so the SVG text stands for both.
#[test]
fn no_count_below_the_threshold_reaches_any_pack_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    write_small_hostile_project(&dir);
    let db = tmp.path().join("store.sqlite");
    assert_eq!(
        crosscase(tmp.path(), &["ingest", "p", "--db", db.to_str().unwrap()]).code,
        0
    );
    let out = tmp.path().join("packs");
    for lang in ["sv", "en"] {
        let packs = out.join(lang);
        let run = crosscase(
            tmp.path(),
            &[
                "feedback",
                "--db",
                db.to_str().unwrap(),
                "--out",
                packs.to_str().unwrap(),
                "--lang",
                lang,
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let mut checked = 0;
        for entry in std::fs::read_dir(&packs).unwrap() {
            let entry = entry.unwrap().path();
            // The index beside the packs is checked as a file of its own; each pack is a folder.
            let files: Vec<PathBuf> = if entry.is_dir() {
                std::fs::read_dir(&entry).unwrap().map(|f| f.unwrap().path()).collect()
            } else {
                vec![entry]
            };
            for path in files {
                let ext = path.extension().unwrap().to_string_lossy().into_owned();
                let texts: Vec<String> = match ext.as_str() {
                    "html" | "svg" => vec![std::fs::read_to_string(&path).unwrap()],
                    "png" => {
                        assert!(
                            path.with_extension("svg").is_file(),
                            "{} has no SVG twin",
                            path.display()
                        );
                        continue;
                    }
                    "xlsx" => {
                        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
                        let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
                        names
                            .iter()
                            .filter(|n| n.starts_with("xl/") && n.ends_with(".xml"))
                            .map(|n| {
                                let mut s = String::new();
                                std::io::Read::read_to_string(&mut zip.by_name(n).unwrap(), &mut s).unwrap();
                                s
                            })
                            .collect()
                    }
                    "json" => {
                        // The pack's published figures for `audit --disclosure`: a suppressed cell carries no value
                        // (its `value` is null).
                        let figures: serde_json::Value =
                            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                        for cell in figures["cells"].as_array().unwrap() {
                            if cell["status"] == "suppressed" {
                                assert!(cell["value"].is_null(), "{}: {cell}", path.display());
                            }
                        }
                        continue;
                    }
                    other => panic!("unexpected file {} ({other})", path.display()),
                };
                for text in texts {
                    for (n, context) in stated_counts(&text) {
                        assert!(n == 0 || n >= 5, "{}: a count of {n} in `{context}`", path.display());
                        checked += 1;
                    }
                }
            }
        }
        // The scanner did find the counts the packs state (so it can fail).
        assert!(checked >= 3, "{lang}: only {checked} counts found");
    }
    // The scanner itself sees small counts where they are.
    let planted = "<text>n = 3</text><p>2 av 6 förbättrade sig</p><td>4 respondents</td>";
    let small: Vec<u64> = stated_counts(planted).into_iter().map(|(n, _)| n).collect();
    assert_eq!(small, [3, 2, 6, 4]);
}

/// The conventions every command follows, as a table run against the real binary: (name, command line, exit code);
/// each error's standard error is a snapshot (`snapshots/integration__cli__conventions-<name>.snap`), with the
/// temporary folder redacted. `{db}` is the ingested demo, `{tmp}` the temporary folder.
#[test]
fn every_command_follows_the_conventions() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("demo.sqlite");
    ingest_demo(tmp.path(), &db);
    // An empty project, as `init` writes it, ingests without error; the commands that need codings say so.
    assert_eq!(crosscase(tmp.path(), &["init", "empty"]).code, 0);
    assert_eq!(
        crosscase(tmp.path(), &["ingest", "empty", "--db", "empty.sqlite"]).code,
        0
    );
    let cases: &[(&str, &[&str], i32)] = &[
        // Municipalities by kommunkod with or without the leading zero, or by name in any case, with commas.
        (
            "feedback-by-code-and-name",
            &[
                "feedback",
                "--db",
                "{db}",
                "--out",
                "{tmp}/fb",
                "--municipality",
                "583,mjolby",
            ],
            0,
        ),
        (
            "feedback-unknown-municipality",
            &[
                "feedback",
                "--db",
                "{db}",
                "--out",
                "{tmp}/fb2",
                "--municipality",
                "Atlantis",
            ],
            1,
        ),
        // `--out` for where results go, in every command that writes files; `export --to` still works.
        (
            "export-out",
            &["export", "--db", "{db}", "--out", "{tmp}/exp", "--format", "csv"],
            0,
        ),
        (
            "export-to",
            &["export", "--db", "{db}", "--to", "{tmp}/exp2", "--format", "csv"],
            0,
        ),
        ("charts-out", &["charts", "--db", "{db}", "--out", "{tmp}/charts"], 0),
        (
            "charts-in-english",
            &["charts", "--db", "{db}", "--out", "{tmp}/charts-en", "--lang", "en"],
            0,
        ),
        // Binary formats never go to a terminal or a pipe unasked: xlsx needs --out.
        (
            "compare-xlsx-without-out",
            &["compare", "--db", "{db}", "--permutations", "0", "--format", "xlsx"],
            2,
        ),
        // A database that is not there is named, with what to do.
        (
            "compare-missing-database",
            &["compare", "--db", "{tmp}/missing.sqlite"],
            1,
        ),
        (
            "feedback-missing-database",
            &["feedback", "--db", "{tmp}/missing.sqlite", "--out", "{tmp}/fb3"],
            1,
        ),
        // Empty input: what is missing, and nothing written.
        (
            "feedback-empty-project",
            &["feedback", "--db", "{tmp}/empty.sqlite", "--out", "{tmp}/fb4"],
            1,
        ),
        (
            "compare-empty-project",
            &["compare", "--db", "{tmp}/empty.sqlite", "--permutations", "0"],
            1,
        ),
        ("survey-empty-project", &["survey", "--db", "{tmp}/empty.sqlite"], 1),
        ("ideas-empty-project", &["ideas", "--db", "{tmp}/empty.sqlite"], 1),
        (
            "serve-empty-project",
            &["serve", "--db", "{tmp}/empty.sqlite", "--listen", "127.0.0.1:0"],
            1,
        ),
        (
            "workshop-empty-project",
            &[
                "workshop",
                "--db",
                "{tmp}/empty.sqlite",
                "--municipality",
                "0583",
                "--listen",
                "127.0.0.1:0",
            ],
            1,
        ),
        // Values that cannot be used are named with an example of one that can.
        (
            "compare-waves-not-two",
            &["compare", "--db", "{db}", "--permutations", "0", "--waves", "v2016"],
            1,
        ),
        (
            "compare-confidence-out-of-range",
            &["compare", "--db", "{db}", "--confidence", "95"],
            1,
        ),
        (
            "runs-export-unknown-run",
            &["runs", "export", "999", "--db", "{db}", "--out", "{tmp}/run.csv"],
            1,
        ),
        (
            "runs-export-to-a-device",
            &[
                "runs",
                "export",
                "1",
                "--db",
                "{db}",
                "--out",
                "/dev/null",
                "--format",
                "parquet",
            ],
            1,
        ),
        // An OS error is said once, with the path.
        (
            "feedback-out-under-a-file",
            &["feedback", "--db", "{db}", "--out", "{db}/fb"],
            1,
        ),
        // Usage errors exit with 2 and show the usage.
        ("compare-without-db", &["compare"], 2),
        ("completions-unknown-shell", &["completions", "tcsh"], 2),
        ("completions-bash", &["completions", "bash"], 0),
    ];
    for &(name, args, code) in cases {
        let (db, dir) = (db.display().to_string(), tmp.path().display().to_string());
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("{db}", &db).replace("{tmp}", &dir))
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = crosscase(tmp.path(), &args);
        assert_eq!(run.code, code, "{name}: crosscase {}\n{}", args.join(" "), run.stderr);
        if code != 0 {
            insta::assert_snapshot!(format!("conventions-{name}"), redact(&run.stderr, tmp.path()));
        }
    }
    let packs: Vec<String> = std::fs::read_dir(tmp.path().join("fb"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.ends_with(".html"))
        .collect();
    let mut packs = packs;
    packs.sort();
    assert_eq!(packs, ["0583-Motala", "0586-Mjolby"]);
    assert!(
        ["fb2", "fb3", "fb4"].iter().all(|d| !tmp.path().join(d).exists()),
        "nothing written for an unknown municipality, a missing database or an empty project"
    );
    assert!(
        tmp.path().join("exp").join("codings.csv").is_file() && tmp.path().join("exp2").join("codings.csv").is_file()
    );
    // Charts in the language asked for, the project's own (Swedish) otherwise.
    let svg = |dir: &str| std::fs::read_to_string(tmp.path().join(dir).join("heatmap.svg")).unwrap();
    assert_ne!(svg("charts"), svg("charts-en"), "--lang en changes the charts' words");
    let script = crosscase(tmp.path(), &["completions", "bash"]).stdout;
    assert!(script.contains("crosscase") && script.contains("feedback") && script.contains("--municipality"));

    // One JSON shape from every command that writes a table: each line has every column of the CSV header, in its
    // order, with null where the row has no value.
    for command in [
        &["compare", "--permutations", "0"][..],
        &["cooccur"],
        &["agreement"],
        &["ideas"],
        &["survey"],
    ] {
        let db = db.display().to_string();
        let with = |format: &str| {
            let mut args: Vec<&str> = command.to_vec();
            args.extend(["--db", db.as_str(), "--format", format]);
            let run = crosscase(tmp.path(), &args);
            assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
            run.stdout
        };
        let csv = with("csv");
        let header: Vec<String> = ::csv::Reader::from_reader(csv.as_bytes())
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let json = with("json");
        assert!(json.lines().count() > 0, "{command:?}");
        for line in json.lines() {
            let row: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line).unwrap();
            assert_eq!(row.keys().cloned().collect::<Vec<_>>(), header, "{command:?}: {line}");
        }
        if command[0] == "survey" {
            // A distribution is a list of counts in JSON, and `a|b|c` in CSV.
            assert!(json.contains("\"distribution\":["), "{}", &json[..300.min(json.len())]);
        }
    }

    // Every command's help gives an example, and every option and argument says what it is.
    let top = crosscase(tmp.path(), &["--help"]).stdout;
    let commands: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 18, "{commands:?}");
    let documented = |args: &[&str]| {
        let help = crosscase(tmp.path(), args);
        assert_eq!(help.code, 0, "{args:?}");
        let lines: Vec<&str> = help.stdout.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            // An option or argument: its name (single spaces inside), then its help after two or more spaces, or on
            // the next line, indented further (clap's layout when some help is long).
            let t = line.trim_start();
            if line.starts_with("  ") && (t.starts_with('-') || t.starts_with('<') || t.starts_with('[')) {
                let inline = t.split_once("  ").is_some_and(|(_, help)| !help.trim().is_empty());
                let indent = line.len() - t.len();
                let below = lines.get(i + 1).is_some_and(|next| {
                    let n = next.trim_start();
                    next.len() - n.len() > indent && !n.is_empty() && !n.starts_with('-')
                });
                assert!(inline || below, "{args:?}: `{t}` has no help text");
            }
        }
        help.stdout
    };
    for command in commands {
        let help = documented(&[command, "--help"]);
        assert!(
            help.contains("Example:\n  crosscase "),
            "{command} --help has no example:\n{help}"
        );
    }
    for sub in [
        ["workshop", "summarise"],
        ["workshop", "export"],
        ["workshop", "close"],
        ["runs", "list"],
        ["runs", "show"],
        ["runs", "export"],
        ["runs", "prune"],
    ] {
        documented(&[sub[0], sub[1], "--help"]);
    }
}
