//! Placing imported sources in municipalities the way real projects name them (cases and sources named after
//! municipalities, `Kommun: X`), `--write-map` for the rest, projects that share a name ("Untitled"), codes that are
//! not codable and sets on the way there and back, exports of one project from Windows and Mac, and untrusted
//! QualCoder files and folders beside a `.qde`. Every export is written here.

use std::path::Path;

use crate::support::{check_project_xsd, crosscase};

/// A REFI-QDA project XML with these sources (name, text, selections XML) and cases (name, source guids).
fn qde(name: &str, sources: &[(&str, &str, &str)], cases: &[(&str, &[usize])], sets: &[(&str, &[usize])]) -> String {
    let guid = |i: usize| format!("{{50000000-0000-4000-8000-{i:012}}}");
    let sources_xml: String = sources
        .iter()
        .enumerate()
        .map(|(i, (n, t, sel))| {
            format!(
                "<TextSource guid=\"{}\" name=\"{n}\"><PlainTextContent>{t}</PlainTextContent>{sel}</TextSource>\n",
                guid(i)
            )
        })
        .collect();
    let members = |m: &[usize], tag: &str| -> String {
        m.iter()
            .map(|&i| format!("<{tag} targetGUID=\"{}\"/>", guid(i)))
            .collect()
    };
    let cases_xml: String = cases
        .iter()
        .enumerate()
        .map(|(i, (n, m))| {
            format!(
                "<Case guid=\"{{CA000000-0000-4000-8000-{i:012}}}\" name=\"{n}\">{}</Case>",
                members(m, "SourceRef")
            )
        })
        .collect();
    let sets_xml: String = sets
        .iter()
        .enumerate()
        .map(|(i, (n, m))| {
            format!(
                "<Set guid=\"{{5E700000-0000-4000-8000-{i:012}}}\" name=\"{n}\">{}</Set>",
                members(m, "MemberSource")
            )
        })
        .collect();
    let cases_xml = if cases.is_empty() {
        String::new()
    } else {
        format!("<Cases>{cases_xml}</Cases>")
    };
    let sets_xml = if sets.is_empty() {
        String::new()
    } else {
        format!("<Sets>{sets_xml}</Sets>")
    };
    format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="{name}" origin="MAXQDA 24">
<CodeBook><Codes><Code guid="{{C0DE0000-0000-4000-8000-000000000001}}" name="Mappar" isCodable="false"><Code guid="{{C0DE0000-0000-4000-8000-000000000002}}" name="Tillit" isCodable="true"/></Code></Codes></CodeBook>
{cases_xml}<Sources>{sources_xml}</Sources>{sets_xml}</Project>"##
    )
}

fn coded(text: &str, word: &str) -> String {
    let b = text.find(word).unwrap();
    let (s, e) = (text[..b].chars().count(), text[..b + word.len()].chars().count());
    format!(
        r##"<PlainTextSelection guid="{{5E1A0000-0000-4000-8000-{s:012}}}" startPosition="{s}" endPosition="{e}"><Coding guid="{{C0000000-0000-4000-8000-{s:012}}}"><CodeRef targetGUID="{{C0DE0000-0000-4000-8000-000000000002}}"/></Coding></PlainTextSelection>"##
    )
}

fn municipalities(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT s.source_id, m.kommunkod FROM source s JOIN municipality m ON m.id = s.municipality_id ORDER BY 1",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn cases_and_sources_named_after_municipalities_place_them() {
    let dir = tempfile::tempdir().unwrap();
    let t = "Tilliten är hög.";
    let sel = coded(t, "Tilliten");
    let x = qde(
        "Studie",
        &[
            ("Intervju 1", t, &sel),
            ("Intervju 2", t, ""),
            ("Kommun: Linköping", t, ""),
            ("0687", t, ""),
            ("Intervju 5", t, ""),
        ],
        &[("Motala", &[0]), ("Kommun: Tranås", &[1])],
        &[("Norrköpings kommun", &[4])],
    );
    std::fs::write(dir.path().join("s.qde"), x).unwrap();
    let run = crosscase(dir.path(), &["import", "s.qde", "--db", "db.sqlite"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = municipalities(&dir.path().join("db.sqlite"));
    let want = [
        ("0687", "0687"),
        ("Intervju 1", "0583"),
        ("Intervju 2", "0687"),
        ("Intervju 5", "0581"),
        ("Kommun: Linköping", "0580"),
    ];
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want);
}

#[test]
fn unplaced_sources_are_all_named_and_write_map_writes_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let t = "Tilliten är hög.";
    let names: Vec<String> = (1..=30).map(|i| format!("Intervju {i}")).collect();
    let mut sources: Vec<(&str, &str, &str)> = names.iter().map(|n| (n.as_str(), t, "")).collect();
    sources.push(("Intervju Motala 31", t, ""));
    std::fs::write(
        dir.path().join("s.qde"),
        qde("Studie", &sources, &[("Anna", &[0, 1])], &[]),
    )
    .unwrap();
    let run = crosscase(dir.path(), &["import", "s.qde", "--db", "db.sqlite"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("31 sources cannot be placed"), "{}", run.stderr);
    // No list stops silently: every one of the 31 is named.
    for n in names.iter().chain([&"Intervju Motala 31".to_string()]) {
        assert!(run.stderr.contains(&format!("`{n}`")), "{n}: {}", run.stderr);
    }
    for hint in ["[defaults]", "municipality = \"0583\"", "--write-map mapping.toml"] {
        assert!(run.stderr.contains(hint), "{hint}: {}", run.stderr);
    }
    assert!(!dir.path().join("db.sqlite").exists());

    let run = crosscase(dir.path(), &["import", "s.qde", "--write-map", "map.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("31 sources, 0 placed, 31 to fill in"),
        "{}",
        run.stderr
    );
    let map = std::fs::read_to_string(dir.path().join("map.toml")).unwrap();
    assert!(
        map.contains("\"Intervju 1\" = { municipality = \"\" }   # fill in (no municipality given)"),
        "{map}"
    );
    assert!(
        map.contains(
            "\"Intervju Motala 31\" = { municipality = \"0583\" }   # unsure: guessed from the name (Motala); check it"
        ),
        "{map}"
    );
    assert!(
        map.contains("# Anna = { municipality = \"\" }   # holds 2 sources"),
        "{map}"
    );
    assert!(map.contains("# municipality = \"0583\""), "{map}");
    // Writing it again does not overwrite what may have been filled in.
    let again = crosscase(dir.path(), &["import", "s.qde", "--write-map", "map.toml"]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);
    // An empty municipality left in the file is named as such.
    let run = crosscase(
        dir.path(),
        &["import", "s.qde", "--db", "db.sqlite", "--map", "map.toml"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("`Intervju 1` (its municipality in the mapping file is empty)"),
        "{}",
        run.stderr
    );
    // Filling in the municipalities alone is enough.
    std::fs::write(
        dir.path().join("map.toml"),
        map.replace("municipality = \"\"", "municipality = \"Tranås\""),
    )
    .unwrap();
    let run = crosscase(
        dir.path(),
        &["import", "s.qde", "--db", "db.sqlite", "--map", "map.toml"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = municipalities(&dir.path().join("db.sqlite"));
    assert_eq!(got.len(), 31);
    assert_eq!(got.iter().filter(|(_, m)| m == "0687").count(), 30);
    // [defaults] alone places everything.
    std::fs::write(dir.path().join("one.toml"), "[defaults]\nmunicipality = \"0583\"\n").unwrap();
    let run = crosscase(
        dir.path(),
        &["import", "s.qde", "--db", "one.sqlite", "--map", "one.toml"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_second_project_of_the_same_name_is_refused_until_named_or_replacing() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.toml");
    std::fs::write(&map, "[defaults]\nmunicipality = \"0583\"\n").unwrap();
    std::fs::write(
        dir.path().join("a.qde"),
        qde("Untitled", &[("A", "Första texten.", "")], &[], &[]),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.qde"),
        qde("Untitled", &[("B", "Andra texten.", "")], &[], &[]),
    )
    .unwrap();
    let import = |file: &str, extra: &[&str]| {
        let mut args = vec!["import", file, "--db", "db.sqlite", "--map", "map.toml"];
        args.extend_from_slice(extra);
        crosscase(dir.path(), &args)
    };
    assert_eq!(import("a.qde", &[]).code, 0);
    let run = import("a.qde", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("unchanged"), "{}", run.stderr);
    let run = import("b.qde", &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("already holds a project named `Untitled` with other content")
            && run.stderr.contains("--name NAME")
            && run.stderr.contains("--replace"),
        "{}",
        run.stderr
    );
    let names = |db: &str| -> Vec<String> {
        let conn = rusqlite::Connection::open(dir.path().join(db)).unwrap();
        let mut stmt = conn.prepare("SELECT name FROM project ORDER BY name").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(names("db.sqlite"), vec!["Untitled".to_string()]);
    assert_eq!(import("b.qde", &["--name", "Andra"]).code, 0);
    assert_eq!(names("db.sqlite"), vec!["Andra".to_string(), "Untitled".to_string()]);
    let run = import("b.qde", &["--replace"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("replaced its earlier data"), "{}", run.stderr);
    assert_eq!(municipalities(&dir.path().join("db.sqlite")).len(), 2);
}

/// Exports `db` and validates the XML against Project.xsd; returns the XML.
fn export_valid(d: &Path, db: &str) -> String {
    let out = format!("{db}.qdpx");
    let run = crosscase(d, &["export", "--db", db, "--qdpx", &out]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(d.join(&out)).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("project.qde").unwrap(), &mut xml).unwrap();
    std::fs::write(d.join("out.qde"), &xml).unwrap();
    check_project_xsd(&d.join("out.qde"), db);
    xml
}

#[test]
fn codability_and_sets_survive_the_round_trip_and_a_codebook_alone_exports_valid() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let t = "Tilliten är hög.";
    let sel = coded(t, "Tilliten");
    let x = qde(
        "Med mängder",
        &[("I1", t, &sel), ("I2", t, "")],
        &[],
        &[("ICLS 2024", &[0, 1]), ("ICLS 2025", &[1])],
    );
    std::fs::write(d.join("s.qde"), x).unwrap();
    std::fs::write(d.join("map.toml"), "[defaults]\nmunicipality = \"0583\"\n").unwrap();
    let run = crosscase(d, &["import", "s.qde", "--db", "db.sqlite", "--map", "map.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xml = export_valid(d, "db.sqlite");
    assert!(xml.contains("name=\"Mappar\" isCodable=\"false\""), "{xml}");
    assert!(xml.contains("name=\"Tillit\" isCodable=\"true\""), "{xml}");
    assert!(xml.contains("<Set "), "{xml}");
    let run = crosscase(d, &["import", "db.sqlite.qdpx", "--db", "back.sqlite"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = |db: &str, sql: &str| -> Vec<String> {
        let conn = rusqlite::Connection::open(d.join(db)).unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let codes = "SELECT code_id || ' ' || codable FROM code ORDER BY code_id";
    let sets =
        "SELECT ss.name || ' ' || s.source_id FROM source_set ss JOIN source s ON s.id = ss.source_id ORDER BY 1";
    assert_eq!(rows("db.sqlite", codes), vec!["mappar 0", "mappar/tillit 1"]);
    assert_eq!(rows("back.sqlite", codes), rows("db.sqlite", codes));
    assert_eq!(
        rows("db.sqlite", sets),
        vec!["ICLS 2024 I1", "ICLS 2024 I2", "ICLS 2025 I2"]
    );
    assert_eq!(rows("back.sqlite", sets), rows("db.sqlite", sets));

    // A codebook alone: no sources, no cases, and still valid (no empty `<Cases>`).
    let qdc = r##"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4.1"><Codes><Code guid="c1" name="Ledarskap" isCodable="true"/></Codes></CodeBook>"##;
    std::fs::write(d.join("bok.qdc"), qdc).unwrap();
    let run = crosscase(d, &["import", "bok.qdc", "--db", "bok.sqlite"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xml = export_valid(d, "bok.sqlite");
    assert!(!xml.contains("<Cases"), "{xml}");
}

#[test]
fn windows_and_mac_exports_of_one_project_merge() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let windows = "Vi har en idésluss.  \r\nTilliten är hög.\r\n";
    let mac = "Vi har en ide\u{301}sluss.\nTilliten är hög.";
    let project = |text: &str, coder: &str, word: &str| {
        let sel = coded(text, word).replace("<Coding ", &format!("<Coding creatingUser=\"{coder}\" "));
        qde("Studie", &[("Intervju 1", text, &sel)], &[], &[]).replace(
            "<CodeBook>",
            &format!("<Users><User guid=\"{coder}\" name=\"{coder}\"/></Users><CodeBook>"),
        )
    };
    // The XML keeps a CR only as a character reference.
    std::fs::write(
        d.join("win.qde"),
        project(windows, "Karin", "Tilliten").replace('\r', "&#13;"),
    )
    .unwrap();
    std::fs::write(d.join("mac.qde"), project(mac, "Ali", "Tilliten")).unwrap();
    std::fs::write(d.join("map.toml"), "[defaults]\nmunicipality = \"0583\"\n").unwrap();
    let run = crosscase(
        d,
        &["import", "win.qde", "mac.qde", "--db", "db.sqlite", "--map", "map.toml"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("only in line endings"), "{}", run.stderr);
    let conn = rusqlite::Connection::open(d.join("db.sqlite")).unwrap();
    let mut stmt = conn
        .prepare("SELECT c.coder, c.start, c.end, q.quote FROM coding c JOIN coding_quote q ON q.coding_id = c.id ORDER BY 1")
        .unwrap();
    let got: Vec<(String, i64, i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        got,
        vec![
            ("Ali".to_string(), 23, 31, "Tilliten".to_string()),
            ("Karin".to_string(), 23, 31, "Tilliten".to_string()),
        ]
    );
    // Other words are still two different projects.
    std::fs::write(
        d.join("other.qde"),
        project("Vi har ingen idésluss.", "Ali", "idésluss"),
    )
    .unwrap();
    let run = crosscase(
        d,
        &[
            "import",
            "win.qde",
            "other.qde",
            "--db",
            "x.sqlite",
            "--map",
            "map.toml",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("the words differ at character 7"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn a_qde_whose_sources_lead_outside_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwd"), "root:x:0:0\n").unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("sources")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("passwd"), d.join("sources/s1.txt")).unwrap();
    let x = r##"<Project name="L" origin="MAXQDA 24"><Sources><TextSource guid="s1" name="A" plainTextPath="internal://s1.txt"/></Sources></Project>"##;
    std::fs::write(d.join("l.qde"), x).unwrap();
    std::fs::write(d.join("map.toml"), "[defaults]\nmunicipality = \"0583\"\n").unwrap();
    let run = crosscase(d, &["import", "l.qde", "--db", "db.sqlite", "--map", "map.toml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("it leads outside the folder"), "{}", run.stderr);
    assert!(!d.join("db.sqlite").exists());
}

/// A QualCoder database with the tables crosscase reads, altered by `sql`.
fn qualcoder(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE project (databaseversion TEXT);
         INSERT INTO project VALUES ('v8');
         CREATE TABLE code_cat (catid INTEGER PRIMARY KEY, name TEXT, supercatid INTEGER, memo TEXT);
         CREATE TABLE code_name (cid INTEGER PRIMARY KEY, name TEXT, catid INTEGER, color TEXT, memo TEXT);
         CREATE TABLE code_text (ctid INTEGER PRIMARY KEY, cid INTEGER, fid INTEGER, pos0 INTEGER, pos1 INTEGER,
                                 owner TEXT, memo TEXT, seltext TEXT);
         INSERT INTO code_cat VALUES (1, 'Organisering', NULL, NULL), (2, 'Kultur', 1, NULL);
         INSERT INTO code_name VALUES (1, 'Tillit', 2, '#ff0000', NULL);",
    )
    .unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn qualcoder_files_with_views_or_category_cycles_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases = [
        (
            "view.qda",
            "CREATE VIEW source AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
             SELECT i AS id, 'x' AS name, 'text' AS fulltext, NULL AS memo, NULL AS owner FROM n;",
            "`source` is a view where QualCoder has a table",
        ),
        (
            "cycle.qda",
            "CREATE TABLE source (id INTEGER PRIMARY KEY, name TEXT, fulltext TEXT, memo TEXT, owner TEXT);
             UPDATE code_cat SET supercatid = 2 WHERE catid = 1;",
            "categories or codes that are their own ancestors: `Organisering` → `Kultur`",
        ),
    ];
    for (file, sql, expected) in cases {
        qualcoder(&d.join(file), sql);
        let run = crosscase(d, &["import", file, "--db", "db.sqlite"]);
        assert_eq!(run.code, 1, "{file}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{file}: {}", run.stderr);
        assert!(!d.join("db.sqlite").exists(), "{file}");
    }
}
