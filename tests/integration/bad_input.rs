//! The bad-input corpus: `tests/bad-input/<case>/` is a project with one thing wrong, as users' files go wrong
//! (Excel encodings and delimiters, missing or extra columns, wrong types, dangling references, duplicates, huge
//! fields, texts changed after coding, …), and `expected.txt` beside it is the exact output of `crosscase validate`.
//! Set `CROSSCASE_BLESS=1` to write the expected files after a deliberate change of messages, then read the diff.

use crate::support::*;

#[test]
fn every_bad_input_gives_its_exact_error_and_changes_nothing() {
    let corpus = repo().join("tests/bad-input");
    let mut cases: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "{} cases", cases.len());

    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("store.sqlite");
    ingest_demo(tmp.path(), &db);
    let before = std::fs::read(&db).unwrap();

    let bless = std::env::var_os("CROSSCASE_BLESS").is_some();
    let mut wrong = Vec::new();
    for case in &cases {
        let name = case.to_str().unwrap();
        let run = crosscase(&corpus, &["validate", name]);
        let got = format!("exit code {}\n{}", run.code, run.stderr);
        let expected_path = corpus.join(name).join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &got).unwrap();
        } else if std::fs::read_to_string(&expected_path).unwrap_or_default() != got {
            wrong.push(format!(
                "--- {name}: expected\n{}\n--- got\n{got}",
                std::fs::read_to_string(&expected_path).unwrap_or_default()
            ));
        }
        assert_eq!(run.code, 1, "{name} must be refused: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("{name}/")),
            "{name}: the message names no file: {}",
            run.stderr
        );

        let ingest = crosscase(&corpus, &["ingest", name, "--db", db.to_str().unwrap()]);
        assert_eq!(ingest.code, 1, "{name}: {}", ingest.stderr);
    }
    assert!(wrong.is_empty(), "{} cases differ:\n{}", wrong.len(), wrong.join("\n"));
    assert!(
        std::fs::read(&db).unwrap() == before,
        "a refused ingest changed the database"
    );
}
