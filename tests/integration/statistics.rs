//! `crosscase compare` on the demo: participant clusters by default, a warning for `--unit source` where sources
//! repeat participants, and the level of every interval in its rows.

use crate::support::{crosscase, ingest_demo};

fn rows(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn compare_counts_participant_clusters_by_default_and_warns_for_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("store.sqlite");
    ingest_demo(tmp.path(), &db);
    let db = db.to_str().unwrap();
    let args = ["compare", "--db", db, "--format", "json", "--permutations", "99"];
    let run = crosscase(tmp.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let all = rows(&run.stdout);
    let differences: Vec<_> = all.iter().filter(|r| r["kind"] == "difference").collect();
    assert!(!differences.is_empty());
    for r in &differences {
        assert_eq!(r["unit"], "cluster", "{r}");
        let reason = r["reason"].as_str().unwrap();
        assert!(reason.contains("unit: participant clusters"), "{reason}");
    }
    let perm = differences.iter().find(|r| r["test"] == "permutation").unwrap();
    assert!(
        perm["reason"]
            .as_str()
            .unwrap()
            .contains("all sources of a participant move together")
    );
    // Contrasts count clusters, never more than the municipality's sources, and say their level.
    let contrast = all.iter().find(|r| r["kind"] == "contrast").unwrap();
    assert_eq!(
        (contrast["unit"].as_str(), contrast["confidence"].as_f64()),
        (Some("cluster"), Some(0.95))
    );
    let prevalence = all
        .iter()
        .find(|r| {
            r["kind"] == "prevalence" && r["code"] == contrast["code"] && r["municipality"] == contrast["municipality"]
        })
        .unwrap();
    assert!(contrast["n"].as_u64().unwrap() < prevalence["sources_total"].as_u64().unwrap());

    // Sources as units: an explicit choice, with a warning on stderr, and said in every row.
    let run = crosscase(
        tmp.path(),
        &[
            "compare",
            "--db",
            db,
            "--format",
            "json",
            "--permutations",
            "0",
            "--unit",
            "source",
            "--confidence",
            "0.9",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: --unit source") && run.stderr.contains("participants appear in several sources"),
        "{}",
        run.stderr
    );
    let all = rows(&run.stdout);
    let difference = all.iter().find(|r| r["kind"] == "difference").unwrap();
    assert_eq!(difference["unit"], "source");
    assert!(difference["reason"].as_str().unwrap().contains("can reject too often"));
    let contrast = all.iter().find(|r| r["kind"] == "contrast").unwrap();
    assert_eq!(contrast["confidence"].as_f64(), Some(0.9));
}
