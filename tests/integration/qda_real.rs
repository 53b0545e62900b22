//! The six real exports in `../shared/reference/real-exports` (written by NVivo, QualCoder, MAXQDA, ATLAS.ti and
//! Taguette, not by us; never committed): each imports with the right counts and exact quotes, goes out again as a
//! `.qdpx` that validates against Project.xsd, and comes back with the same codes, codability and codings.
//! The expected quotes are computed here from the files themselves, independently of the importer: NVivo's from
//! its positions in UTF-16 units of the text without its byte-order mark, QualCoder's from its `seltext` column.
//! When the folder is absent (a checkout without the shared material) the test says so and checks nothing else.

use std::path::{Path, PathBuf};

use crate::support::{check_project_xsd, crosscase, repo};

/// The folder of real exports: `CROSSCASE_REAL_EXPORTS`, else `../shared/…` beside the checkout (CI), else two levels
/// up (a git worktree under `wt/`).
fn real_exports() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("CROSSCASE_REAL_EXPORTS").map(PathBuf::from),
        Some(repo().join("../shared/reference/real-exports")),
        Some(repo().join("../../shared/reference/real-exports")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("SOURCES.tsv").is_file())
}

fn counts(db: &Path) -> (i64, i64, i64, i64, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let n = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        n("SELECT count(*) FROM source"),
        n("SELECT count(*) FROM code"),
        n("SELECT count(*) FROM code WHERE codable = 0"),
        n("SELECT count(*) FROM coding"),
        n("SELECT count(DISTINCT coder) FROM coding"),
    )
}

/// (source, quote) of every stored coding, sorted.
fn quotes(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT s.source_id, q.quote FROM coding c JOIN source s ON s.id = c.source_id
             JOIN coding_quote q ON q.coding_id = c.id ORDER BY 1, 2",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn set_sizes(db: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT name, count(*) FROM source_set GROUP BY name ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// An attribute's value in an XML start tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[at..at + tag[at..].find('"')?])
}

/// NVivo's quotes, from the archive itself: each selection's positions in UTF-16 units of its text without the BOM.
fn nvivo_quotes(qdpx: &Path) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(qdpx).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let qde = read("project.qde");
    let mut out = Vec::new();
    for chunk in qde.split("<TextSource ").skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap()];
        let name = attr(tag, "name").unwrap().to_string();
        let file = attr(tag, "plainTextPath").unwrap().trim_start_matches("internal://");
        let text = read(&format!("Sources/{file}"));
        let units: Vec<u16> = text.trim_start_matches('\u{feff}').encode_utf16().collect();
        let body = &chunk[..chunk.find("</TextSource>").unwrap()];
        for sel in body.split("<PlainTextSelection ").skip(1) {
            let tag = &sel[..sel.find('>').unwrap()];
            let start: usize = attr(tag, "startPosition").unwrap().parse().unwrap();
            let end: usize = attr(tag, "endPosition").unwrap().parse().unwrap();
            let codings = sel[..sel.find("</PlainTextSelection>").unwrap()]
                .matches("<Coding ")
                .count();
            for _ in 0..codings {
                out.push((name.clone(), String::from_utf16(&units[start..end]).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// QualCoder's quotes: `seltext` of every coding, by the file's name.
fn qualcoder_quotes(qda: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open_with_flags(qda, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stmt = conn
        .prepare("SELECT s.name, c.seltext FROM code_text c JOIN source s ON s.id = c.fid ORDER BY 1, 2")
        .unwrap();
    let mut rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.sort();
    rows
}

/// Exports `db` as `.qdpx`, validates its XML against Project.xsd, and imports it into `back`.
fn round_trip(d: &Path, db: &str, back: &str) {
    let out = format!("{db}.qdpx");
    let run = crosscase(d, &["export", "--db", db, "--qdpx", &out]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(d.join(&out)).unwrap()).unwrap();
    let mut qde = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("project.qde").unwrap(), &mut qde).unwrap();
    let xml = d.join(format!("{db}.qde"));
    std::fs::write(&xml, &qde).unwrap();
    check_project_xsd(&xml, db);
    let run = crosscase(d, &["import", &out, "--db", back]);
    assert_eq!(run.code, 0, "{db}: {}", run.stderr);
}

/// Writes the mapping with `--write-map`, fills in every empty municipality with Motala, and imports with it.
fn import_with_written_map(d: &Path, file: &Path, db: &str) -> crate::support::Run {
    let map = d.join(format!("{db}.map.toml"));
    let run = crosscase(
        d,
        &["import", file.to_str().unwrap(), "--write-map", map.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(&map).unwrap();
    assert!(written.contains("[defaults]"), "{written}");
    std::fs::write(&map, written.replace("municipality = \"\"", "municipality = \"0583\"")).unwrap();
    crosscase(
        d,
        &[
            "import",
            file.to_str().unwrap(),
            "--db",
            db,
            "--map",
            map.to_str().unwrap(),
        ],
    )
}

#[test]
fn real_exports_import_exactly_and_round_trip_valid() {
    let Some(real) = real_exports() else {
        println!(
            "real_exports_import_exactly_and_round_trip_valid: skipped, ../shared/reference/real-exports is not here \
             (set CROSSCASE_REAL_EXPORTS to the folder to run it)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // NVivo for Windows 12.6: no municipalities anywhere, so the first import says how to place the sources.
    let nvivo = real.join("nvivo-win126-oltas0517.qdpx");
    let run = crosscase(d, &["import", nvivo.to_str().unwrap(), "--db", "nvivo.sqlite"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for hint in [
        "2 sources cannot be placed",
        "--write-map",
        "[defaults]",
        "municipality = \"0583\"",
    ] {
        assert!(run.stderr.contains(hint), "{hint}: {}", run.stderr);
    }
    assert!(!d.join("nvivo.sqlite").exists());
    let run = import_with_written_map(d, &nvivo, "nvivo.sqlite");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(counts(&d.join("nvivo.sqlite")), (2, 152, 1, 303, 1));
    assert_eq!(quotes(&d.join("nvivo.sqlite")), nvivo_quotes(&nvivo));
    round_trip(d, "nvivo.sqlite", "nvivo-back.sqlite");
    assert_eq!(counts(&d.join("nvivo-back.sqlite")), (2, 152, 1, 303, 1));
    assert_eq!(quotes(&d.join("nvivo-back.sqlite")), nvivo_quotes(&nvivo));

    // QualCoder 3.6: 230 codes in 55 categories, which are not codable; every quote is QualCoder's own seltext.
    let qualcoder = real.join("qualcoder36-mannheimer.qda");
    let run = import_with_written_map(d, &qualcoder, "qc.sqlite");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(counts(&d.join("qc.sqlite")), (30, 285, 55, 753, 1));
    assert_eq!(quotes(&d.join("qc.sqlite")), qualcoder_quotes(&qualcoder));
    round_trip(d, "qc.sqlite", "qc-back.sqlite");
    assert_eq!(counts(&d.join("qc-back.sqlite")), (30, 285, 55, 753, 1));
    assert_eq!(quotes(&d.join("qc-back.sqlite")), qualcoder_quotes(&qualcoder));

    // MAXQDA 24: ten sources, 307 codes, two sets and no codings; the sets are kept both ways.
    let maxqda = real.join("maxqda24-icls.qdpx");
    let run = import_with_written_map(d, &maxqda, "maxqda.sqlite");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(counts(&d.join("maxqda.sqlite")), (10, 307, 0, 0, 0));
    let sets = vec![("ICLS 2024".to_string(), 5), ("ICLS 2025".to_string(), 5)];
    assert_eq!(set_sizes(&d.join("maxqda.sqlite")), sets);
    round_trip(d, "maxqda.sqlite", "maxqda-back.sqlite");
    assert_eq!(counts(&d.join("maxqda-back.sqlite")), (10, 307, 0, 0, 0));
    assert_eq!(set_sizes(&d.join("maxqda-back.sqlite")), sets);

    // ATLAS.ti 23: three codes and no sources, so no mapping is needed, and the export has no (empty) `<Cases>`.
    let atlas = real.join("atlasti-win23-target.qdpx");
    let run = crosscase(d, &["import", atlas.to_str().unwrap(), "--db", "atlas.sqlite"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(counts(&d.join("atlas.sqlite")), (0, 3, 0, 0, 0));
    round_trip(d, "atlas.sqlite", "atlas-back.sqlite");
    assert_eq!(counts(&d.join("atlas-back.sqlite")), (0, 3, 0, 0, 0));

    // ATLAS.ti 8.4 for macOS: the archive lacks the texts, which is said plainly and nothing is written.
    let mac = real.join("atlasti-mac84-standard-project.qdpx");
    let run = crosscase(d, &["import", mac.to_str().unwrap(), "--db", "mac.sqlite"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("8 problems found"), "{}", run.stderr);
    assert!(run.stderr.contains("is not in the archive"), "{}", run.stderr);
    assert!(!d.join("mac.sqlite").exists());

    // Taguette 1.4.1: a codebook of three codes.
    let taguette = real.join("taguette141-uto-codebook.qdc");
    let run = crosscase(d, &["import", taguette.to_str().unwrap(), "--db", "taguette.sqlite"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(counts(&d.join("taguette.sqlite")), (0, 3, 0, 0, 0));
    round_trip(d, "taguette.sqlite", "taguette-back.sqlite");
    assert_eq!(counts(&d.join("taguette-back.sqlite")), (0, 3, 0, 0, 0));
}
