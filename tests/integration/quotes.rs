//! The researcher's say over the packs' quotes: `feedback` lists the quotes shown and the other candidates beside
//! the packs (never in them), and `feedback --quotes` reads that list back with some quotes pinned or excluded.

use std::path::Path;

use crate::support::*;

fn read_list(path: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "kommunkod",
            "theme",
            "source_id",
            "start",
            "action",
            "attribution",
            "quote"
        ]
    );
    r.records().map(Result::unwrap).collect()
}

fn write_list(path: &Path, rows: &[csv::StringRecord]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record([
        "kommunkod",
        "theme",
        "source_id",
        "start",
        "action",
        "attribution",
        "quote",
    ])
    .unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// The page's text with its markup's escapes undone, for finding a quote in it.
fn page_text(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

#[test]
fn the_researcher_pins_and_excludes_quotes_through_the_list_feedback_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("demo.sqlite");
    ingest_demo(tmp.path(), &db);
    let out = tmp.path().join("packs");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let run = crosscase(tmp.path(), &["feedback", "--db", &s(&db), "--out", &s(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list_path = tmp.path().join("packs.quotes.csv");
    assert!(run.stderr.contains("packs.quotes.csv"), "{}", run.stderr);
    let rows = read_list(&list_path);
    // Nothing of the list reaches the packs' folder.
    assert!(
        !std::fs::read_dir(&out)
            .unwrap()
            .any(|e| e.unwrap().path().ends_with("packs.quotes.csv"))
    );

    let motala = |r: &&csv::StringRecord| &r[0] == "0583";
    let page = page_text(&out.join("0583-Motala/index.html"));
    for r in rows.iter().filter(motala) {
        // What the list says is shown is on the page, and no two shown quotes of a theme have the same words.
        if &r[4] == "shown" {
            assert!(page.contains(&r[6]), "{:?} is not on the page", &r[6]);
        }
    }
    let shown: Vec<&csv::StringRecord> = rows.iter().filter(motala).filter(|r| &r[4] == "shown").collect();
    let mut words: Vec<(&str, &str)> = shown.iter().map(|r| (&r[1], &r[6])).collect();
    words.sort();
    words.dedup();
    assert_eq!(words.len(), shown.len(), "the same words twice under one theme");

    // Pin a candidate that was not shown (words no shown quote has), and exclude a quote that was shown under
    // another theme.
    let pin = rows
        .iter()
        .filter(motala)
        .find(|r| r[4].is_empty() && !shown.iter().any(|s| s[6] == r[6]) && !page.contains(&r[6]))
        .expect("Motala has a candidate not shown")
        .clone();
    let exclude = shown
        .iter()
        .find(|r| r[1] != pin[1])
        .copied()
        .expect("a shown quote under another theme")
        .clone();
    let edited: Vec<csv::StringRecord> = rows
        .iter()
        .map(|r| {
            let mut fields: Vec<String> = r.iter().map(str::to_string).collect();
            if *r == pin {
                fields[4] = "pin".into();
            } else if *r == exclude {
                fields[4] = "exclude".into();
            }
            csv::StringRecord::from(fields)
        })
        .collect();
    let choices = tmp.path().join("choices.csv");
    write_list(&choices, &edited);
    let again = tmp.path().join("again");
    let run = crosscase(
        tmp.path(),
        &[
            "feedback",
            "--db",
            &s(&db),
            "--out",
            &s(&again),
            "--quotes",
            &s(&choices),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = page_text(&again.join("0583-Motala/index.html"));
    assert!(
        page.contains(&pin[6]),
        "the pinned quote {:?} is not on the page",
        &pin[6]
    );
    // The demo's participants share phrases: the excluded words may come back from another source, never from it.
    if rows.iter().filter(motala).filter(|o| o[6] == exclude[6]).count() == 1 {
        assert!(
            !page.contains(&exclude[6]),
            "the excluded quote {:?} is on the page",
            &exclude[6]
        );
    }
    let listed = read_list(&tmp.path().join("again.quotes.csv"));
    let action = |r: &csv::StringRecord| {
        listed
            .iter()
            .find(|l| l[0] == r[0] && l[1] == r[1] && l[2] == r[2] && l[3] == r[3])
            .map(|l| l[4].to_string())
    };
    assert_eq!(action(&pin).as_deref(), Some("pin"));
    assert_eq!(action(&exclude).as_deref(), Some("exclude"));
    // A pinned theme shows only what was pinned.
    assert!(
        !listed
            .iter()
            .any(|l| l[0] == pin[0] && l[1] == pin[1] && &l[4] == "shown")
    );
    // Other municipalities' packs are as before.
    assert_eq!(
        std::fs::read_to_string(out.join("0580-Linkoping/index.html"))
            .unwrap()
            .lines()
            .count(),
        std::fs::read_to_string(again.join("0580-Linkoping/index.html"))
            .unwrap()
            .lines()
            .count()
    );
}

#[test]
fn a_wrong_line_in_the_quotes_file_is_named_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("demo.sqlite");
    ingest_demo(tmp.path(), &db);
    let choices = tmp.path().join("choices.csv");
    std::fs::write(
        &choices,
        "kommunkod,theme,source_id,start,action\n\
         583,ledarstod,0583-I01,0,\n\
         Motala,ledarstod,0580-I08,441,pin\n\
         0583,nosuchtheme,0583-I01,0,exclude\n\
         0583,ledarstod,0583-I01,12345678,pin\n\
         0583,ledarstod,0583-I01,0,keep\n",
    )
    .unwrap();
    let out = tmp.path().join("packs");
    let run = crosscase(
        tmp.path(),
        &[
            "feedback",
            "--db",
            db.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quotes",
            choices.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    for expected in [
        "choices.csv:3",
        "is not from Motala",
        "choices.csv:4",
        "theme `nosuchtheme` is not in the codebook",
        "choices.csv:5",
        "no segment of source `0583-I01` starting at 12345678",
        "choices.csv:6",
        "`keep` is not an action",
    ] {
        assert!(run.stderr.contains(expected), "{expected}: {}", run.stderr);
    }
    // Line 2 (no action) is the list's own record and no problem.
    assert!(!run.stderr.contains("choices.csv:2"), "{}", run.stderr);
    assert!(!out.join("0583-Motala").exists());
    let runs = crosscase(tmp.path(), &["runs", "list", "--db", db.to_str().unwrap()]);
    assert!(!runs.stdout.contains("feedback"), "{}", runs.stdout);
}
