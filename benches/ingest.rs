//! Ingest benchmark: `crosscase ingest` on a generated project of 1,000,000 codings (with texts, so every quote is
//! checked against its source), into a durable WAL database (synchronous=FULL). Prints codings per second; the
//! target is 500,000/s on 2 cores. The project is written before the clock starts. In the same run it times SQLite's
//! own copy of the ingested rows into a fresh database of the same schema and durability, and prints ingest's speed
//! as a share of it (target 80 %).
//!
//! Run with `just bench` (or `cargo bench --bench ingest`). Set `CROSSCASE_BENCH_CODINGS` for another size.

use std::process::Command;
use std::time::Instant;

use crosscase_model::KommunRegister;
use crosscase_synth::{ScaleConfig, scale_project};

fn main() {
    let codings: usize = std::env::var("CROSSCASE_BENCH_CODINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temporary folder");
    let project_dir = dir.path().join("project");
    let cfg = ScaleConfig {
        municipalities: 290,
        sources: codings / 100,
        codes: 300,
        codings,
        with_text: true,
        waves: 0,
        seed: 7,
    };
    let project = scale_project(&cfg, &KommunRegister::sweden());
    crosscase_ingest::write_project(&project, &project_dir).expect("write the generated project");
    drop(project);
    let bytes: u64 = walk_size(&project_dir);
    println!(
        "ingest benchmark: {codings} codings, {} sources, {:.0} MB of project files",
        cfg.sources,
        bytes as f64 / 1e6
    );

    let db = dir.path().join("bench.sqlite");
    let mut best = f64::INFINITY;
    for run in 1..=3 {
        let _ = std::fs::remove_file(&db);
        let t = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_crosscase"))
            .args(["ingest", project_dir.to_str().unwrap(), "--db", db.to_str().unwrap()])
            .output()
            .expect("run crosscase ingest");
        let secs = t.elapsed().as_secs_f64();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        println!("  run {run}: {secs:.2} s, {:.0} codings/s", codings as f64 / secs);
        best = best.min(secs);
    }
    println!(
        "  best: {best:.2} s, {:.0} codings per second (target 500000)",
        codings as f64 / best
    );

    // SQLite's own copy of the same rows, in the same run: a fresh database with the ingested one's schema and the
    // same durability (WAL, synchronous=FULL), filled by `INSERT INTO … SELECT` from the attached database in one
    // transaction, timed from the first insert through the commit. Ingest also reads and checks the CSV files and
    // the texts, so this is the speed it could at most reach.
    let mut copy_best = f64::INFINITY;
    for run in 1..=3 {
        let copy = dir.path().join("copy.sqlite");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
        }
        let secs = sqlite_copy(&db, &copy);
        println!(
            "  SQLite's own copy, run {run}: {secs:.2} s, {:.0} codings/s",
            codings as f64 / secs
        );
        copy_best = copy_best.min(secs);
    }
    println!(
        "  ingest against SQLite's own copy: {:.0} against {:.0} codings per second, {:.0} % (target 80 %)",
        codings as f64 / best,
        codings as f64 / copy_best,
        100.0 * copy_best / best
    );
}

/// Copies every table of `from` into a new database at `to` with the same schema (tables first, then indexes and
/// triggers, as a restore would) and returns the seconds the copy took.
fn sqlite_copy(from: &std::path::Path, to: &std::path::Path) -> f64 {
    let conn = rusqlite::Connection::open(to).expect("open the copy");
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")
        .expect("pragmas");
    conn.execute("ATTACH DATABASE ?1 AS src", [from.to_str().unwrap()])
        .expect("attach");
    let schema: Vec<(String, String, String)> = {
        let mut stmt = conn
            .prepare(
                "SELECT type, name, sql FROM src.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' \
                 ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, rowid",
            )
            .expect("read the schema");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("schema rows")
            .collect::<Result<_, _>>()
            .expect("schema")
    };
    let t = Instant::now();
    conn.execute_batch("BEGIN").expect("begin");
    for (kind, _, sql) in schema.iter().filter(|s| s.0 == "table") {
        debug_assert_eq!(kind, "table");
        conn.execute_batch(sql).expect("create a table");
    }
    // Rows before indexes, as ingest's own bulk load does.
    for (_, name, _) in schema.iter().filter(|s| s.0 == "table") {
        conn.execute_batch(&format!("INSERT INTO main.\"{name}\" SELECT * FROM src.\"{name}\""))
            .expect("copy a table");
    }
    for (_, _, sql) in schema.iter().filter(|s| s.0 != "table") {
        conn.execute_batch(sql).expect("create an index or trigger");
    }
    conn.execute_batch("COMMIT").expect("commit");
    t.elapsed().as_secs_f64()
}

fn walk_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        walk_size(&p)
                    } else {
                        e.metadata().map_or(0, |m| m.len())
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
