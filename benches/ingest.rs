//! Ingest benchmark: a generated project of 1,000,000 codings (with texts, so every quote is checked) is read,
//! validated and stored in a durable WAL database. Prints codings per second; the target is 500,000/s on 2 cores.
//!
//! Run with `just bench` (or `cargo bench --bench ingest`). Set `CROSSCASE_BENCH_CODINGS` for another size.

use std::time::Instant;

use crosscase_model::KommunRegister;
use crosscase_store::{ImportRecord, Store};
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
    let t0 = Instant::now();
    let loaded = crosscase_ingest::read_project(&project_dir).expect("the generated project is valid");
    let read = t0.elapsed();
    let mut store = Store::open(&db).expect("open database");
    let record = ImportRecord {
        origin: project_dir.display().to_string(),
        files: loaded.files.clone(),
        content_hash: loaded.content_hash.clone(),
        crosscase_version: "bench".into(),
        imported_at: "1970-01-01T00:00:00Z".into(),
    };
    let t1 = Instant::now();
    let summary = store.ingest(&loaded.project, &record).expect("ingest");
    let write = t1.elapsed();
    let total = t0.elapsed();
    assert_eq!(summary.codings as usize, codings);
    println!("  read + validate: {:>6.2} s", read.as_secs_f64());
    println!(
        "  store (WAL, synchronous=FULL, one transaction): {:>6.2} s",
        write.as_secs_f64()
    );
    println!("  total: {:>6.2} s", total.as_secs_f64());
    println!(
        "  codings per second: {:.0} (target 500000)",
        codings as f64 / total.as_secs_f64()
    );
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
