//! The store against real SQLite files in a temporary folder.

use crosscase_model::{Code, Coding, Municipality, Participant, Project, ProjectSettings, Role, Source, SourceKind};

use crate::{ImportRecord, IngestOutcome, SCHEMA_VERSION, Store, StoreError, StreamError};

fn project(codings: usize) -> Project {
    let mut p = Project::empty(ProjectSettings::new("t"));
    p.municipalities.push(Municipality {
        code: "0583".into(),
        name: "Motala".into(),
        line: 2,
    });
    p.participants.push(Participant {
        id: "P1".into(),
        municipality: "0583".into(),
        unit: None,
        role: Role::Employee,
        line: 2,
    });
    for (id, parent) in [("a", None), ("a.b", Some("a"))] {
        p.codes.push(Code {
            id: id.into(),
            parent: parent.map(str::to_string),
            label_sv: id.into(),
            label_en: id.into(),
            description: None,
            colour: None,
            codable: true,
            line: 2,
        });
    }
    p.sources.push(Source {
        id: "S1".into(),
        kind: SourceKind::Interview,
        municipality: "0583".into(),
        unit: None,
        date: None,
        wave: None,
        participants: vec!["P1".into()],
        setting: None,
        duration_minutes: None,
        title: None,
        text: Some("ett två tre fyra".into()),
        line: 2,
    });
    for i in 0..codings {
        p.codings.push(Coding {
            source: "S1".into(),
            code: "a.b".into(),
            coder: "AL".into(),
            start: i as u64,
            end: i as u64 + 1,
            quote: "x".into(),
            memo: None,
            line: 2,
        });
    }
    p
}

fn record(hash: &str) -> ImportRecord {
    ImportRecord {
        origin: "test".into(),
        files: vec![],
        content_hash: hash.into(),
        crosscase_version: "test".into(),
        imported_at: "2026-01-01T00:00:00Z".into(),
        replace_other_content: true,
    }
}

fn count(store: &Store, table: &str) -> u64 {
    store
        .table_counts()
        .unwrap()
        .into_iter()
        .find(|(t, _)| t == table)
        .unwrap()
        .1
}

#[test]
fn ingest_creates_skips_unchanged_and_replaces() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(&tmp.path().join("db.sqlite")).unwrap();
    assert_eq!(
        store.ingest(&project(3), &record("h1")).unwrap().outcome,
        IngestOutcome::Created
    );
    assert_eq!(
        store.ingest(&project(3), &record("h1")).unwrap().outcome,
        IngestOutcome::Unchanged
    );
    assert_eq!(count(&store, "import"), 1);
    assert_eq!(
        store.ingest(&project(2), &record("h2")).unwrap().outcome,
        IngestOutcome::Replaced
    );
    assert_eq!(count(&store, "coding"), 2);
    assert_eq!(count(&store, "code"), 2);
    assert_eq!(count(&store, "import"), 2);
    assert_eq!(store.integrity_check().unwrap(), "ok");

    let corpus = store.load_corpus(None).unwrap();
    assert_eq!(corpus.codings.len(), 2);
    assert_eq!(corpus.codes[1].parent.as_deref(), Some("a"));
    assert_eq!(corpus.sources[0].words, 4);
    assert_eq!(corpus.sources[0].participants, vec![0]);
}

/// Codings read in row-id ranges on several connections are the codings read on one, coders numbered alike; and a
/// reader whose snapshot began before a replacement still reads the version it began with, all of it.
#[test]
fn codings_read_in_parallel_ranges_are_those_read_on_one_connection() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("db.sqlite");
    let mut store = Store::open(&path).unwrap();
    let mut p = project(1_000);
    // Each range meets the coders in another order.
    for (i, c) in p.codings.iter_mut().enumerate() {
        c.coder = ["BK", "AL", "CM"][(i * 7 / 1_000 + i % 2) % 3].into();
    }
    store.ingest(&p, &record("h1")).unwrap();
    let one = crate::load::ReadParts { parts: 1, at_least: 0 };
    let many = crate::load::ReadParts { parts: 3, at_least: 0 };
    let elsewhere = || crate::load::READ_ELSEWHERE.load(std::sync::atomic::Ordering::Relaxed);
    let sequential = store.load_corpus_with(None, one).unwrap();
    assert_eq!(elsewhere(), 0);
    let parallel = store.load_corpus_with(None, many).unwrap();
    assert_eq!(
        elsewhere(),
        2,
        "two of the three ranges read on connections of their own"
    );
    assert_eq!(parallel, sequential);
    assert_eq!(sequential.codings.len(), 1_000);
    assert_eq!(sequential.coders, ["BK", "AL", "CM"]);

    let snapshot = store.snapshot(None).unwrap();
    let mut other = Store::open(&path).unwrap();
    other.ingest(&project(5), &record("h2")).unwrap();
    let old = snapshot.load_corpus_with(None, many).unwrap();
    assert_eq!(
        elsewhere(),
        2,
        "the other connections see another version and leave their ranges"
    );
    assert_eq!(
        old, sequential,
        "the snapshot's version, read on its own connection where the others see another"
    );
    drop(snapshot);
    assert_eq!(store.load_corpus_with(None, many).unwrap().codings.len(), 5);
}

#[test]
fn another_project_of_the_same_name_is_refused_unless_replacing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(&tmp.path().join("db.sqlite")).unwrap();
    let strict = |hash: &str| ImportRecord {
        replace_other_content: false,
        ..record(hash)
    };
    let mut first = project(3);
    first.codes[0].codable = false;
    first.sets.push(crosscase_model::SourceSet {
        name: "Grupp".into(),
        sources: vec!["S1".into()],
    });
    assert_eq!(
        store.ingest(&first, &strict("h1")).unwrap().outcome,
        IngestOutcome::Created
    );
    assert_eq!(
        store.ingest(&first, &strict("h1")).unwrap().outcome,
        IngestOutcome::Unchanged
    );
    let e = store.ingest(&project(2), &strict("h2")).unwrap_err();
    assert!(matches!(&e, StoreError::NameTaken { name } if name == "t"), "{e}");
    assert!(
        e.to_string().contains("--name NAME") && e.to_string().contains("--replace"),
        "{e}"
    );
    assert_eq!(count(&store, "coding"), 3);
    // Codability and sets come back.
    let back = store.load_project(None).unwrap();
    assert_eq!(
        back.codes.iter().map(|c| c.codable).collect::<Vec<_>>(),
        vec![false, true]
    );
    assert_eq!(back.sets, first.sets);
    assert_eq!(
        store.ingest(&project(2), &record("h2")).unwrap().outcome,
        IngestOutcome::Replaced
    );
    assert_eq!(count(&store, "source_set"), 0);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn a_qualcoder_read_that_takes_too_long_or_too_many_steps_is_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("data.qda");
    let conn = rusqlite::Connection::open(&path).unwrap();
    // A real table of many rows stands for a hostile query: both cost time and steps.
    conn.execute_batch(
        "CREATE TABLE source (id INTEGER PRIMARY KEY, name TEXT, fulltext TEXT, memo TEXT, owner TEXT);
         CREATE TABLE code_name (cid INTEGER PRIMARY KEY, name TEXT, catid INTEGER, color TEXT, memo TEXT);
         CREATE TABLE code_text (ctid INTEGER PRIMARY KEY, cid INTEGER, fid INTEGER, pos0 INTEGER, pos1 INTEGER,
                                 owner TEXT, memo TEXT, seltext TEXT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
         INSERT INTO source SELECT i, 'S' || i, 'text', NULL, NULL FROM n;",
    )
    .unwrap();
    drop(conn);
    let no_time = crate::QualCoderLimits {
        time: std::time::Duration::ZERO,
        ..Default::default()
    };
    let e = crate::read_qualcoder_within(&path, no_time).unwrap_err();
    assert!(e.to_string().contains("was stopped after"), "{e}");
    assert!(e.to_string().contains("the limits are 0 s and"), "{e}");
    let few_steps = crate::QualCoderLimits {
        min_steps: 100_000,
        steps_per_byte: 0,
        ..Default::default()
    };
    let e = crate::read_qualcoder_within(&path, few_steps).unwrap_err();
    assert!(e.to_string().contains("100000 steps for a file of this size"), "{e}");
    assert_eq!(crate::read_qualcoder(&path).unwrap().sources.len(), 200_000);
}

#[test]
fn a_newer_schema_is_refused_with_the_version_needed() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("db.sqlite");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    drop(conn);
    let e = Store::open(&path).err().unwrap();
    assert!(
        matches!(e, StoreError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains(&format!("schema version {}", SCHEMA_VERSION + 1)),
        "{e}"
    );
}

#[test]
fn a_file_that_is_not_sqlite_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("notes.txt");
    std::fs::write(
        &path,
        "Det här är inte en databas utan anteckningar från ett möte i Motala.",
    )
    .unwrap();
    let e = Store::open(&path).err().unwrap();
    assert!(matches!(e, StoreError::NotADatabase { .. }), "{e}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "Det här är inte en databas utan anteckningar från ett möte i Motala."
    );
}

#[test]
fn several_projects_need_a_name() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(&tmp.path().join("db.sqlite")).unwrap();
    store.ingest(&project(1), &record("h1")).unwrap();
    let mut other = project(1);
    other.settings.name = "u".into();
    store.ingest(&other, &record("h2")).unwrap();
    assert!(matches!(
        store.load_corpus(None),
        Err(StoreError::AmbiguousProject { .. })
    ));
    assert!(matches!(
        store.load_corpus(Some("v")),
        Err(StoreError::UnknownProject { .. })
    ));
    assert_eq!(store.load_corpus(Some("u")).unwrap().settings.name, "u");
}

#[test]
fn quotes_are_derived_from_the_text_by_code_points() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("db.sqlite");
    let mut store = Store::open(&path).unwrap();
    let mut p = project(0);
    p.sources[0].text = Some("Idéslussen i Tranås 😀 fungerar".into());
    for (s, e, q) in [
        (0, 10, "Idéslussen"),
        (13, 19, "Tranås"),
        (20, 21, "😀"),
        (22, 30, "fungerar"),
    ] {
        p.codings.push(Coding {
            source: "S1".into(),
            code: "a".into(),
            coder: "AL".into(),
            start: s,
            end: e,
            quote: q.into(),
            memo: None,
            line: 2,
        });
    }
    store.ingest(&p, &record("h")).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let stored: Option<String> = conn
        .query_row("SELECT quote FROM coding LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, None, "a quote derivable from the text is not stored twice");
    let quotes: Vec<String> = conn
        .prepare("SELECT quote FROM coding_quote ORDER BY coding_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(quotes, ["Idéslussen", "Tranås", "😀", "fungerar"]);
}

#[test]
fn a_version_1_database_is_backed_up_and_migrated_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("old.sqlite");
    {
        // A database as crosscase with schema version 1 left it, with a project in it.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(crate::schema::V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO project (name, language, disclosure_threshold, free_site_ids, content_hash) VALUES ('old', 'sv', 5, 0, 'h')",
            [],
        )
        .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(store.project_names().unwrap(), ["old"]);
    // The copy taken before migrating still has version 1 and the data.
    let backup = rusqlite::Connection::open(path.with_extension("v1.bak")).unwrap();
    assert_eq!(
        backup
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        1
    );
    assert_eq!(
        backup
            .query_row("SELECT name FROM project", [], |r| r.get::<_, String>(0))
            .unwrap(),
        "old"
    );
    // The new table works.
    let run = crate::AnalysisRun {
        kind: "compare".into(),
        parameters: "{\"seed\":1}".into(),
        seed: Some(1),
        crosscase_version: "test".into(),
        created_at: "2026-01-01T00:00:00Z".into(),
        row_count: 0,
        result: String::new(),
    };
    let id = store.record_run(None, &run).unwrap();
    assert_eq!(store.run(id).unwrap(), Some(run));
    // The migrated project has no idea records and the default stages (version 3).
    let ideas = store.load_ideas(None).unwrap();
    assert_eq!(ideas, crosscase_model::IdeaRecords::default());
    // A read-only open of an older database says it must be migrated first.
    let tmp2 = tempfile::tempdir().unwrap();
    let old = tmp2.path().join("v1.sqlite");
    let c = rusqlite::Connection::open(&old).unwrap();
    c.execute_batch(crate::schema::V1).unwrap();
    c.pragma_update(None, "user_version", 1).unwrap();
    drop(c);
    assert!(matches!(
        Store::open_read_only(&old),
        Err(StoreError::NeedsMigration { .. })
    ));
}

#[test]
fn idea_records_are_stored_and_read_back() {
    use crosscase_model::{Date, Headcount, Idea, IdeaEvent};
    let date = |s: &str| s.parse::<Date>().unwrap();
    let mut p = project(1);
    p.settings.idea_stages.exits = vec!["nej".into()];
    p.settings.idea_stages.observed_until = Some(date("2019-12-31"));
    p.ideas.push(Idea {
        id: "I1".into(),
        municipality: "0583".into(),
        unit: None,
        submitted: date("2019-01-02"),
        wave: None,
        // Twice the same theme is stored once.
        codes: vec!["a.b".into(), "a".into(), "a".into()],
        title: Some("Nyckelfri hemtjänst".into()),
        line: 2,
    });
    p.idea_events.push(IdeaEvent {
        idea: "I1".into(),
        stage: "assessed".into(),
        date: date("2019-02-01"),
        line: 2,
    });
    p.headcounts.push(Headcount {
        municipality: "0583".into(),
        unit: None,
        employees: 3600,
        line: 2,
    });
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(&tmp.path().join("s.sqlite")).unwrap();
    store.ingest(&p, &record("h1")).unwrap();
    let got = store.load_ideas(None).unwrap();
    assert_eq!(got.stages, p.settings.idea_stages);
    // Themes come back in codebook order, once each; lines are not stored.
    assert_eq!(got.ideas[0].codes, ["a", "a.b"]);
    assert_eq!(got.ideas[0].title.as_deref(), Some("Nyckelfri hemtjänst"));
    assert_eq!((got.events[0].stage.as_str(), got.events[0].line), ("assessed", 0));
    assert_eq!(got.headcounts[0].employees, 3600);
    // Replacing the project removes its idea records with it.
    let mut changed = p.clone();
    changed.ideas.clear();
    changed.idea_events.clear();
    store.ingest(&changed, &record("h2")).unwrap();
    assert!(store.load_ideas(None).unwrap().ideas.is_empty());
    assert_eq!(
        (
            count(&store, "idea_event"),
            count(&store, "idea_code"),
            count(&store, "headcount")
        ),
        (0, 0, 1)
    );
}

#[test]
fn survey_records_are_stored_and_read_back() {
    use crosscase_model::{Dimension, Instrument, SurveyDesign, SurveyItem, SurveyResponse};
    let mut p = project(1);
    p.instruments.push(Instrument {
        id: "chef".into(),
        name_sv: "Chefsenkät".into(),
        name_en: "Manager survey".into(),
        design: SurveyDesign::PrePost,
        scale_min: 1,
        scale_max: 4,
        labels_sv: vec!["a".into(), "b".into(), "c".into(), "d".into()],
        labels_en: vec!["A".into(), "B".into(), "C".into(), "D".into()],
        missing: vec!["vet ej".into()],
        dimensions: vec![Dimension {
            id: "kultur".into(),
            label_sv: "Kultur".into(),
            label_en: "Culture".into(),
        }],
        items: ["q1", "q2"]
            .iter()
            .map(|id| SurveyItem {
                id: id.to_string(),
                text_sv: format!("{id} sv"),
                text_en: format!("{id} en"),
                dimension: Some("kultur".into()),
                reverse: *id == "q2",
            })
            .collect(),
    });
    for (wave, values) in [("pre", [Some(2), None]), ("post", [Some(4), Some(1)])] {
        p.survey_responses.push(SurveyResponse {
            instrument: "chef".into(),
            respondent: "R1".into(),
            municipality: "0583".into(),
            role: Some(Role::Employee),
            wave: wave.into(),
            values: values.to_vec(),
            line: 2,
        });
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(&tmp.path().join("s.sqlite")).unwrap();
    store.ingest(&p, &record("h1")).unwrap();
    let got = store.load_surveys(None).unwrap();
    assert_eq!(got.instruments, p.instruments);
    let lines_cleared: Vec<SurveyResponse> = p
        .survey_responses
        .iter()
        .map(|r| SurveyResponse { line: 0, ..r.clone() })
        .collect();
    assert_eq!(got.responses, lines_cleared);
    // A no-answer has no row; replacing the project removes its survey with it.
    assert_eq!(count(&store, "survey_answer"), 3);
    let mut changed = p.clone();
    changed.instruments.clear();
    changed.survey_responses.clear();
    store.ingest(&changed, &record("h2")).unwrap();
    assert_eq!((count(&store, "instrument"), count(&store, "survey_answer")), (0, 0));
}

fn new_workshop(kommunkod: &str, code: &str) -> crate::NewWorkshop {
    crate::NewWorkshop {
        project_name: "t".into(),
        kommunkod: kommunkod.into(),
        language: "sv".into(),
        join_code: code.into(),
        created_at: "2026-01-01T10:00:00Z".into(),
        run_id: None,
        content_hash: "h".into(),
        wave: Some("W2".into()),
        secret: "s".into(),
        findings: vec![
            crate::WorkshopFinding {
                theme_code: "a".into(),
                text: "Theme a is discussed more.".into(),
            },
            crate::WorkshopFinding {
                theme_code: "a.b".into(),
                text: "Theme a.b about the same.".into(),
            },
        ],
    }
}

fn reaction(workshop_id: i64, finding: usize, respondent: &str, rating: Option<u8>) -> crate::Reaction {
    crate::Reaction {
        workshop_id,
        finding,
        respondent: respondent.into(),
        rating,
        comment: Some(format!("comment by {respondent}")),
        received_at: "2026-01-01T10:05:00Z".into(),
    }
}

#[test]
fn a_version_6_database_is_migrated_to_workshops() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("v6.sqlite");
    {
        // A database as schema version 6 left it: the current schema without version 7's tables.
        drop(Store::open(&path).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE reaction; DROP TABLE workshop_finding; DROP TABLE workshop;
             INSERT INTO project (name, language, disclosure_threshold, free_site_ids, content_hash) VALUES ('t', 'sv', 5, 0, 'h');",
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 6).unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert!(
        path.with_extension("v6.bak").is_file(),
        "the version 6 file is kept aside"
    );
    let (w, created) = store.open_workshop(&new_workshop("0583", "ABC234")).unwrap();
    assert!(created);
    assert_eq!(w.findings.len(), 2);
    assert_eq!(store.project_names().unwrap(), ["t"]);
}

#[test]
fn workshops_resume_until_closed_and_keep_every_reaction() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("w.sqlite");
    let mut store = Store::open(&path).unwrap();
    let (w, created) = store.open_workshop(&new_workshop("0583", "ABC234")).unwrap();
    assert!(created);
    // Opening again resumes the same workshop with the same code, whatever code the caller drew now.
    let (again, created) = store.open_workshop(&new_workshop("0583", "XYZ789")).unwrap();
    assert!(!created);
    assert_eq!((again.id, again.join_code.as_str()), (w.id, "ABC234"));
    // Another municipality has its own.
    let (other, _) = store.open_workshop(&new_workshop("0580", "QQQ222")).unwrap();
    assert_ne!(other.id, w.id);
    let ids = store
        .add_reactions(&[
            reaction(w.id, 0, "r1", Some(4)),
            reaction(w.id, 1, "r1", None),
            reaction(w.id, 0, "r1", Some(2)),
        ])
        .unwrap();
    assert_eq!(ids.len(), 3);
    // A finding the workshop does not have is refused, and nothing of that batch is stored.
    assert!(matches!(
        store.add_reactions(&[reaction(w.id, 0, "r2", Some(1)), reaction(w.id, 7, "r2", Some(1))]),
        Err(StoreError::Invalid { .. })
    ));
    let all = store.reactions(w.id).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(
        (all[1].theme_code.as_str(), all[1].wave.as_deref()),
        ("a.b", Some("W2"))
    );
    let latest = crate::latest_reactions(&all);
    assert_eq!(
        latest
            .iter()
            .map(|r| (r.reaction.finding, r.reaction.rating))
            .collect::<Vec<_>>(),
        [(1, None), (0, Some(2))]
    );
    // A second connection (another process) sees them: they are committed.
    let reader = Store::open(&path).unwrap();
    assert_eq!(reader.reactions(w.id).unwrap().len(), 3);
    assert!(store.close_workshop(w.id, "2026-01-01T12:00:00Z").unwrap());
    assert!(!store.close_workshop(w.id, "2026-01-01T12:00:00Z").unwrap());
    assert!(store.join_code_taken("ABC234").unwrap());
    let (next, created) = store.open_workshop(&new_workshop("0583", "NEW234")).unwrap();
    assert!(created);
    assert_eq!(next.join_code, "NEW234");
    assert_eq!(store.workshops().unwrap().len(), 3);
}

/// (content hash the pack is made from) → (kommunkod, workshop, finding answers) the pack says "last time".
#[test]
fn earlier_workshops_are_the_newest_held_on_another_version() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(&tmp.path().join("w.sqlite")).unwrap();
    let open = |store: &mut Store, kommunkod: &str, code: &str, hash: &str| {
        let (w, _) = store
            .open_workshop(&crate::NewWorkshop {
                content_hash: hash.into(),
                ..new_workshop(kommunkod, code)
            })
            .unwrap();
        store.close_workshop(w.id, "2026-01-01T12:00:00Z").unwrap();
        w.id
    };
    let first = open(&mut store, "0583", "AAA222", "h1");
    let second = open(&mut store, "0583", "BBB222", "h2");
    let elsewhere = open(&mut store, "0580", "CCC222", "h1");
    store
        .add_reactions(&[
            reaction(first, 0, "r1", Some(3)),
            reaction(second, 0, "r1", Some(4)),
            reaction(second, 0, "r1", Some(5)),
            reaction(second, 0, "r2", None),
            reaction(second, 1, "r2", Some(1)),
        ])
        .unwrap();
    let check = |hash: &str, expected: &[(&str, i64, Vec<usize>)]| {
        let records = store.earlier_workshops("t", hash).unwrap();
        let got: Vec<(&str, i64, Vec<usize>)> = records
            .workshops
            .iter()
            .map(|w| {
                (
                    w.kommunkod.as_str(),
                    w.id,
                    w.findings.iter().map(|f| f.reactions.len()).collect(),
                )
            })
            .collect();
        assert_eq!(got, expected, "from {hash}");
    };
    // The pack of version h2 is the second workshop's own: "last time" is the first.
    check("h2", &[("0580", elsewhere, vec![0, 0]), ("0583", first, vec![1, 0])]);
    // After the next ingest (h3), the newest: each respondent's latest answer per finding.
    check("h3", &[("0580", elsewhere, vec![0, 0]), ("0583", second, vec![2, 1])]);
    check("h1", &[("0583", second, vec![2, 1])]);
    let records = store.earlier_workshops("t", "h3").unwrap();
    let w = records.of("0583").unwrap();
    assert_eq!(w.held_on, "2026-01-01");
    assert_eq!(
        w.findings[0].reactions.iter().map(|r| r.rating).collect::<Vec<_>>(),
        [Some(5), None]
    );
    assert_eq!(w.findings[0].reactions[0].comment.as_deref(), Some("comment by r1"));
    assert!(
        store
            .earlier_workshops("other project", "h3")
            .unwrap()
            .workshops
            .is_empty()
    );
}

/// A stored coding: source and code row ids, coder, start, end, quote and memo.
type StoredCoding = (i64, i64, String, i64, i64, Option<String>, Option<String>);

/// The stored codings of a project, as the table holds them.
fn stored_codings(store: &Store) -> Vec<StoredCoding> {
    let mut stmt = store
        .conn
        .prepare("SELECT source_id, code_id, coder, start, end, quote, memo FROM coding ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// Rows streamed in batches, coders named in the batch that first uses them, store what the whole codings store;
/// a row naming a coder no batch has named stops the ingest and leaves nothing behind.
#[test]
fn streamed_rows_store_what_whole_codings_store() {
    use crosscase_model::{CodingBatch, CodingRow};
    let tmp = tempfile::tempdir().unwrap();
    let mut whole = project(0);
    let mut no_text = whole.sources[0].clone();
    no_text.id = "S2".into();
    no_text.text = None;
    whole.sources.push(no_text);
    let coding = |source: &str, coder: &str, start: u64, quote: &str, memo: Option<&str>| Coding {
        source: source.into(),
        code: "a.b".into(),
        coder: coder.into(),
        start,
        end: start + 3,
        quote: quote.into(),
        memo: memo.map(str::to_string),
        line: 2,
    };
    whole.codings = vec![
        coding("S1", "AL", 0, "ett", None),
        coding("S2", "BE", 0, "hej", Some("anteckning")),
        coding("S1", "BE", 4, "två", None),
        coding("S2", "AL", 4, "där", None),
    ];
    let mut a = Store::open(&tmp.path().join("a.sqlite")).unwrap();
    a.ingest(&whole, &record("h")).unwrap();

    let row = |source: u32, coder: u32, start: u64, quote: Option<&str>, memo: Option<&str>| CodingRow {
        source,
        code: 1,
        coder,
        start,
        end: start + 3,
        quote: quote.map(str::to_string),
        memo: memo.map(str::to_string),
        line: 2,
    };
    let batches = vec![
        CodingBatch {
            rows: vec![row(0, 0, 0, None, None), row(1, 1, 0, Some("hej"), Some("anteckning"))],
            new_coders: vec!["AL".into(), "BE".into()],
        },
        CodingBatch {
            rows: vec![row(0, 1, 4, None, None), row(1, 0, 4, Some("där"), None)],
            new_coders: vec![],
        },
    ];
    let header = Project {
        codings: Vec::new(),
        ..whole.clone()
    };
    let stream = |store: &mut Store, batches: Vec<CodingBatch>| {
        store.ingest_streaming::<()>(
            &header,
            None,
            &|| record("h"),
            4,
            |sink| {
                for batch in batches {
                    if sink(batch).is_none() {
                        break;
                    }
                }
                Ok(4)
            },
            |_| {},
        )
    };
    let mut b = Store::open(&tmp.path().join("b.sqlite")).unwrap();
    let summary = stream(&mut b, batches.clone()).unwrap();
    assert_eq!((summary.outcome, summary.codings), (IngestOutcome::Created, 4));
    assert_eq!(stored_codings(&b), stored_codings(&a));
    assert_eq!(stored_codings(&b)[1].5.as_deref(), Some("hej"));
    assert_eq!(stored_codings(&b)[0].5, None);
    let hash = |s: &Store| -> String {
        s.conn
            .query_row("SELECT content_hash FROM project", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(hash(&b), "h");
    assert_eq!(count(&b, "import"), 1);

    let mut bad = batches;
    bad[1].rows[0].coder = 2;
    let mut c = Store::open(&tmp.path().join("c.sqlite")).unwrap();
    let failed = stream(&mut c, bad);
    assert!(
        matches!(&failed, Err(StreamError::Store(StoreError::Invalid { message })) if message.contains("coder number 2")),
        "{failed:?}"
    );
    assert_eq!((count(&c, "project"), count(&c, "coding")), (0, 0));
}

/// With texts streamed in, each source is written with the text and word count of its slot; a reader that fails
/// (its text unreadable) is the error reported, not the store's failure to write that source, and nothing is stored.
#[test]
fn sources_are_written_from_their_slots_and_the_readers_problem_comes_first() {
    use crosscase_model::{SourceText, SourceTexts};
    let tmp = tempfile::tempdir().unwrap();
    let mut header = project(0);
    header.sources[0].text = None;
    let ingest = |store: &mut Store, slot: SourceText, read: Result<u64, &'static str>| {
        let texts = SourceTexts::new(1);
        store.ingest_streaming(
            &header,
            Some(&texts),
            &|| record("h"),
            0,
            |_| {
                texts.set(0, slot);
                read
            },
            |_| {},
        )
    };
    let slot = SourceText::Text {
        text: "ett två tre".into(),
        words: 3,
    };
    let mut a = Store::open(&tmp.path().join("a.sqlite")).unwrap();
    ingest(&mut a, slot, Ok(0)).unwrap();
    let (text, words): (String, i64) = a
        .conn
        .query_row("SELECT text, words FROM source", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((text.as_str(), words), ("ett två tre", 3));

    let mut b = Store::open(&tmp.path().join("b.sqlite")).unwrap();
    let failed = ingest(&mut b, SourceText::Unreadable, Err("the text is not UTF-8"));
    assert!(
        matches!(failed, Err(StreamError::Read("the text is not UTF-8"))),
        "{failed:?}"
    );
    assert_eq!(count(&b, "project"), 0);
}
