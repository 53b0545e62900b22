//! Ingest benchmark: `crosscase ingest` on a generated project of 1,000,000 codings (with texts, so every quote is
//! checked against its source), into a durable WAL database (synchronous=FULL). Prints codings per second; the
//! target is 500,000/s on 2 cores. The project is written before the clock starts.
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
