//! The database under faults and concurrency: an ingest killed at any moment, and several processes at once.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crosscase_model::KommunRegister;
use crosscase_synth::{ScaleConfig, scale_project};

use crate::support::*;

/// A generated project with texts, written to `dir`; `seed` makes versions that differ.
fn generated(dir: &Path, name: &str, codings: usize, seed: u64) {
    let cfg = ScaleConfig {
        municipalities: 20,
        sources: codings / 50,
        codes: 30,
        codings,
        with_text: true,
        waves: 0,
        seed,
    };
    let mut project = scale_project(&cfg, &KommunRegister::sweden());
    project.settings.name = name.into();
    crosscase_ingest::write_project(&project, dir).unwrap();
}

/// (content hash of the project, its codings), straight from the file.
fn state(db: &Path, name: &str) -> (String, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let hash: String = conn
        .query_row("SELECT content_hash FROM project WHERE name = ?1", [name], |r| r.get(0))
        .unwrap();
    let codings: i64 = conn
        .query_row(
            "SELECT count(*) FROM coding c JOIN source s ON s.id = c.source_id JOIN project p ON p.id = s.project_id
             WHERE p.name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap();
    (hash, codings)
}

fn ingest(cwd: &Path, dir: &str, db: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_crosscase"))
        .args(["ingest", dir, "--db", db.to_str().unwrap()])
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// SIGKILL an ingest at 50 different moments: after each, the database passes integrity_check and holds exactly the
/// old or exactly the new version of the project, never a mix.
#[test]
fn an_ingest_killed_at_any_moment_leaves_the_old_or_the_new_data() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    generated(&a, "kill", 40_000, 1);
    generated(&b, "kill", 30_000, 2);
    let db = tmp.path().join("kill.sqlite");

    // How long a whole ingest of each version takes here, to spread the kills over it.
    let mut versions = Vec::new();
    let mut longest = Duration::ZERO;
    for dir in ["b", "a"] {
        let t = Instant::now();
        let out = ingest(tmp.path(), dir, &db).wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        longest = longest.max(t.elapsed());
        versions.push(state(&db, "kill"));
    }
    // The database now holds version a; each round ingests the version it does not hold.
    let mut landed = 0;
    for round in 0..50u32 {
        let held = state(&db, "kill");
        let next = if held == versions[1] { "b" } else { "a" };
        let delay = longest.mul_f64(f64::from(round) / 45.0);
        let mut child = ingest(tmp.path(), next, &db);
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(integrity(&db), "ok", "round {round}, killed after {delay:?}");
        let now = state(&db, "kill");
        assert!(
            now == versions[0] || now == versions[1],
            "round {round}: a mix of versions: {now:?}"
        );
        if now != held {
            landed += 1;
        }
    }
    // Late kills let some ingests finish; early ones never do: both outcomes were exercised.
    assert!(landed > 0 && landed < 50, "{landed} of 50 ingests landed");
}

/// Two ingests of different projects into one database at once, with comparisons reading meanwhile: all succeed.
#[test]
fn concurrent_ingests_and_comparisons_all_succeed() {
    let tmp = tempfile::tempdir().unwrap();
    generated(&tmp.path().join("one"), "one", 30_000, 3);
    generated(&tmp.path().join("two"), "two", 30_000, 4);
    let db = tmp.path().join("shared.sqlite");
    // A small project is there first, so that comparisons have something to read from the start.
    ingest_demo(tmp.path(), &db);
    let demo_name = "Innovationsledning i kommuner (demo)";

    let writers = [ingest(tmp.path(), "one", &db), ingest(tmp.path(), "two", &db)];
    let mut readers = Vec::new();
    for _ in 0..4 {
        readers.push(
            Command::new(env!("CARGO_BIN_EXE_crosscase"))
                .args([
                    "compare",
                    "--db",
                    db.to_str().unwrap(),
                    "--project",
                    demo_name,
                    "--permutations",
                    "99",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        std::thread::sleep(Duration::from_millis(150));
    }
    for child in writers.into_iter().chain(readers) {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("locked"), "{stderr}");
    }
    assert_eq!(integrity(&db), "ok");
    assert_eq!(state(&db, "one").1, 30_000);
    assert_eq!(state(&db, "two").1, 30_000);
    let runs: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM analysis_run", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 4);
}
