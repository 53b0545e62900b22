//! The main job on the bundled demo, and the demo files against their generator.

use crate::support::*;

#[test]
fn demo_runs_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = crosscase(&repo(), &["demo", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("crosscase.sqlite"), "{}", run.stdout);

    let db = out.join("crosscase.sqlite");
    // The `.sqlite` file alone holds everything, the recorded runs included: a user may copy just that file.
    assert!(
        !out.join("crosscase.sqlite-wal").exists(),
        "the demo left a WAL file beside the database"
    );
    let copy = tmp.path().join("copy.sqlite");
    std::fs::copy(&db, &copy).unwrap();
    let copied: std::collections::HashMap<String, i64> = table_counts(&copy).into_iter().collect();
    assert_eq!(
        copied["analysis_run"], 4,
        "compare, ideas, surveys and feedback: {copied:?}"
    );
    assert_eq!(integrity(&db), "ok");
    let counts: std::collections::HashMap<String, i64> = table_counts(&db).into_iter().collect();
    assert_eq!(counts["municipality"], 5);
    assert_eq!(counts["wave"], 3);
    assert_eq!(counts["import"], 1);
    assert!(counts["source"] >= 80 && counts["coding"] > 300, "{counts:?}");

    for f in ["heatmap.png", "heatmap.svg", "bars-0583.png", "bars-0583.svg"] {
        let meta = std::fs::metadata(out.join("charts").join(f)).unwrap();
        assert!(meta.len() > 1000, "{f} is {} bytes", meta.len());
    }
    let packs: Vec<_> = std::fs::read_dir(out.join("feedback"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    // Five packs and the index linking them.
    assert_eq!(packs.len(), 6, "{packs:?}");
    assert!(packs.iter().any(|p| p == "index.html"), "{packs:?}");
    let page = std::fs::read_to_string(out.join("feedback/0687-Tranas/index.html")).unwrap();
    assert!(page.contains("<h1>Återkoppling till Tranås</h1>"), "{page}");
    assert!(page.contains("src=\"heatmap.png\"") && page.contains("src=\"heatmap.svg\""));
    // Other municipalities are letters in a pack; no participant id reaches it.
    assert!(!page.contains("Linköping") && !page.contains("Motala"));
    assert!(!page.contains("P0687-"));
    // How the themes changed between the first and the last wave. In Motala fewer than the threshold of people took
    // part in idea management in the first wave, so the pack says that instead of showing a share from too few people.
    let motala = std::fs::read_to_string(out.join("feedback/0583-Motala/index.html")).unwrap();
    let waves = &motala[motala.find("Förändring mellan vågorna").expect("a section on waves")..];
    let row = &waves[waves.find("Idéhantering").unwrap()..];
    assert!(
        row[..row.find("</tr>").unwrap()].contains("visas inte: för få personer"),
        "{row}"
    );
    let svg = std::fs::read_to_string(out.join("feedback/0687-Tranas/heatmap.svg")).unwrap();
    assert!(
        svg.contains("Tranås") && !svg.contains("Mjölby"),
        "peers must be anonymous"
    );

    // The comparison: a prevalence row for each of 5 municipalities × 24 codes, then the tests and contrasts.
    let csv = std::fs::read_to_string(out.join("compare/compare.csv")).unwrap();
    assert!(csv.starts_with("kind,code,municipality,segments,sources,source_share,participants,participant_share"));
    assert_eq!(csv.lines().filter(|l| l.starts_with("prevalence,")).count(), 5 * 24);
    assert_eq!(csv.lines().filter(|l| l.starts_with("contrast,")).count(), 5 * 24);
    assert_eq!(
        csv.lines()
            .filter(|l| l.starts_with("difference,") && l.contains(",permutation,"))
            .count(),
        24
    );
    // The idea records, the surveys and the packs: a run each (with the comparison's), and their charts in every pack.
    assert_eq!(counts["analysis_run"], 4);
    assert_eq!(counts["instrument"], 2);
    assert!(counts["survey_answer"] > 2000, "{counts:?}");
    let survey = std::fs::read_to_string(out.join("compare/survey.csv")).unwrap();
    // About eight of ten participants improved their knowledge after the training: 40 of 49 pairs.
    let knowledge = survey
        .lines()
        .find(|l| l.starts_with("pre_post,utbildning,,municipality,all,") && l.contains(",kunskap,dimension,"))
        .unwrap();
    assert!(
        knowledge.contains(",paired,50,49,49,") && knowledge.contains(",40,0.816"),
        "{knowledge}"
    );
    assert!(
        out.join("charts/mixed-chefsenkat-strukturer-organisering.png")
            .is_file()
    );
    // Where the municipality stands out, in plain words, and the figures as a workbook.
    assert!(page.contains("<h2>Där ni skiljer ut er</h2>"), "{page}");
    let mjolby = std::fs::read_to_string(out.join("feedback/0586-Mjolby/index.html")).unwrap();
    assert!(
        mjolby.contains(
            "<li>Tid och resurser tas tydligt oftare upp hos er: i 91\u{a0}% (20 av 22) av intervjuerna och anteckningarna mot 35\u{a0}% (31 av 88) hos de andra kommunerna."
        ),
        "{mjolby}"
    );
    let book = std::fs::read(out.join("feedback/0687-Tranas/tables.xlsx")).unwrap();
    assert!(book.starts_with(b"PK"));
    assert!(
        page.contains("<h2>Enkätsvar</h2>") && page.contains("src=\"survey-1.png\""),
        "{page}"
    );
    let likert = std::fs::read_to_string(out.join("feedback/0583-Motala/survey-1.svg")).unwrap();
    assert!(
        likert.contains("Instämmer helt") && likert.contains("Det finns en tydlig väg för att lämna och pröva idéer.")
    );
    // Reverse-worded items are marked, and the page says their colours are turned round.
    assert!(likert.contains("(omvänt"), "{likert}");
    let motala = std::fs::read_to_string(out.join("feedback/0583-Motala/index.html")).unwrap();
    assert!(motala.contains("i diagrammet har de färgerna vända"), "{motala}");
    let before_after = std::fs::read_to_string(out.join("feedback/0583-Motala/survey-2.svg")).unwrap();
    assert!(before_after.contains("Före och efter utbildningen") && before_after.contains("förbättrade sig"));
    assert!(
        counts["idea"] > 300 && counts["idea_event"] > counts["idea"],
        "{counts:?}"
    );
    assert_eq!(counts["headcount"], 20);
    let mut ideas = csv::Reader::from_path(out.join("compare/ideas.csv")).unwrap();
    let header = ideas.headers().unwrap().clone();
    let field = |row: &csv::StringRecord, name: &str| row[header.iter().position(|h| h == name).unwrap()].to_string();
    let rows: Vec<csv::StringRecord> = ideas.records().map(Result::unwrap).collect();
    let log_rank: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[0] == "log_rank").collect();
    assert_eq!(log_rank.len(), 1);
    // Motala's planted idea sluice makes the municipalities differ.
    assert_eq!(
        (field(log_rank[0], "groups"), field(log_rank[0], "df")),
        ("5".into(), "4".into())
    );
    assert!(field(log_rank[0], "p_value").parse::<f64>().unwrap() < 0.001);
    let motala = rows
        .iter()
        .find(|r| &r[0] == "median" && field(r, "group") == "0583")
        .unwrap();
    assert!(field(motala, "median_days").parse::<f64>().unwrap() > 0.0);
    assert!(rows.iter().filter(|r| &r[0] == "survival").count() > 300);
    assert!(page.contains("<h2>Idéer från förslag till praktik</h2>"), "{page}");
    assert!(page.contains("src=\"ideas-funnel.png\"") && page.contains("src=\"ideas-time.png\""));
    let motala = std::fs::read_to_string(out.join("feedback/0583-Motala/index.html")).unwrap();
    assert!(motala.contains("Er kommun har tagit emot 96 idéer."), "{motala}");
    // Waves by the names of waves.csv, never by their ids, in the text and in the charts.
    assert!(motala.contains("i Våg 1 (2016) och i Våg 3 (2019)"), "{motala}");
    for file in ["index.html", "survey-1.svg", "survey-2.svg"] {
        let text = std::fs::read_to_string(out.join("feedback/0583-Motala").join(file)).unwrap();
        assert!(
            !["v2016", "v2018", "v2019"].iter().any(|id| text.contains(id)),
            "{file}: {text}"
        );
    }
    let time = std::fs::read_to_string(out.join("feedback/0583-Motala/ideas-time.svg")).unwrap();
    assert!(time.contains("Tid från idé till införande") && time.contains("De andra kommunerna"));
    assert!(
        !time.contains("Linköping") && !time.contains("Tranås"),
        "peers must be anonymous"
    );

    // The same packs in English.
    let english = tmp.path().join("en");
    let run = crosscase(
        &repo(),
        &[
            "feedback",
            "--db",
            db.to_str().unwrap(),
            "--out",
            english.to_str().unwrap(),
            "--lang",
            "en",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(english.join("0583-Motala/index.html")).unwrap();
    assert!(page.contains("<h2>Ideas from suggestion to practice</h2>"), "{page}");
    assert!(page.contains("Your municipality received 96 ideas. That is 2.7 ideas per 100 employees."));
    assert!(
        page.contains("<h2>Survey answers</h2>") && page.contains("Structures for innovation"),
        "{page}"
    );
    let likert = std::fs::read_to_string(english.join("0583-Motala/survey-1.svg")).unwrap();
    assert!(
        likert.contains("Strongly agree")
            && likert.contains("There is a clear route for submitting and testing ideas.")
    );
    let funnel = std::fs::read_to_string(english.join("0583-Motala/ideas-funnel.svg")).unwrap();
    assert!(funnel.contains("How far the ideas have come") && funnel.contains("implemented"));
    for f in ["ideas-funnel.png", "ideas-time.png"] {
        assert!(std::fs::metadata(english.join("0583-Motala").join(f)).unwrap().len() > 1000);
    }
}

#[test]
fn same_input_gives_byte_identical_output() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        let run = crosscase(&repo(), &["demo", "--out", out.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    for f in [
        "feedback/0583-Motala/heatmap.png",
        "feedback/0583-Motala/bars.svg",
        "feedback/0583-Motala/index.html",
        "feedback/0583-Motala/ideas-time.png",
        "feedback/0583-Motala/tables.xlsx",
        "feedback/0583-Motala/ideas-funnel.svg",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn committed_demo_matches_its_generator() {
    let tmp = tempfile::tempdir().unwrap();
    crosscase_ingest::write_project(&crosscase_synth::demo_project(), tmp.path()).unwrap();
    let committed = repo().join("data/demo");
    let mut files = vec![];
    collect(tmp.path(), tmp.path(), &mut files);
    assert!(files.len() > 100);
    for rel in files {
        let fresh = std::fs::read(tmp.path().join(&rel)).unwrap();
        let kept = std::fs::read(committed.join(&rel)).unwrap_or_default();
        assert!(
            fresh == kept,
            "data/demo/{rel} differs from the generator: run `crosscase synth --demo --out data/demo`"
        );
    }
}

fn collect(base: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(base, &p, out);
        } else {
            out.push(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn demo_project_reads_back_as_generated() {
    let loaded = crosscase_ingest::read_project(&repo().join("data/demo")).unwrap();
    assert_eq!(loaded.project, crosscase_synth::demo_project());
    let p = &loaded.project;
    let interviews = p
        .sources
        .iter()
        .filter(|s| s.kind == crosscase_model::SourceKind::Interview)
        .count();
    let observations = p
        .sources
        .iter()
        .filter(|s| s.kind == crosscase_model::SourceKind::Observation)
        .count();
    assert!(
        interviews >= 60 && observations >= 20,
        "{interviews} interviews, {observations} observations"
    );
    let coders: std::collections::BTreeSet<&str> = p.codings.iter().map(|c| c.coder.as_str()).collect();
    assert_eq!(coders.len(), 2);
}
