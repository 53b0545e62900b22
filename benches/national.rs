//! National-scale comparison benchmark: 290 municipalities, 300 codes, 50,000 sources, 5,000,000 codings.
//! Times `crosscase compare` (prevalence plus differences with 9,999 permutations per code) on a stored project and
//! prints the time, the peak memory, the CPU time over the wall time (2.0 means both cores busy throughout) and
//! codings per second, and the bytes the recorded run adds to the database (target 5 MB). Targets: under 30 s,
//! under 2 GB, on 2 cores. Then times `crosscase feedback` for all 290 municipalities from the same database (target:
//! under 60 s).
//!
//! Beside it, the same comparison by the Python program a researcher would write instead (polars, numpy, scipy,
//! statsmodels), with and without permutations, and the ratio of the two times: `CROSSCASE_ANCHOR` names the script
//! (default `../shared/anchors/national_anchor.py`, never committed) and `CROSSCASE_ANCHOR_PYTHON` the interpreter
//! (default `python3`); without them the benchmark says it did not run the anchor. The anchor has no participant
//! clusters, so it runs with `--unit participant`, the closest it has to crosscase's default.
//!
//! After them, where the time of the comparison goes: the steps of `crosscase compare` (load, prevalence, tests,
//! permutations, the result table, recording the run, writing the CSV) called one by one in this process on the same
//! database and timed each, with 9,999 permutations and without (the permutations' time is the difference of two
//! runs of the tests). `CROSSCASE_BENCH_PHASES=0` leaves this out.
//!
//! Run with `just bench` or `cargo bench --bench national`. Set `CROSSCASE_BENCH_CODINGS` for another size, and
//! `CROSSCASE_BENCH_KEEP=1` to keep the generated database (for profiling); the benchmark prints where it is.
//! The project is generated and ingested before the clock starts.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crosscase_analysis::{CountingUnit, DifferenceConfig, ResultTable};
use crosscase_store::{AnalysisRun, Store};
use support::{Measured, measure};

fn main() {
    let codings = support::env_number("CROSSCASE_BENCH_CODINGS", 5_000_000);
    let cfg = support::national_config(codings);
    let sources = cfg.sources;
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("national.sqlite");
    let t = Instant::now();
    let project_dir = support::write_generated(&cfg, dir.path());
    let exe = env!("CARGO_BIN_EXE_crosscase");
    let out = Command::new(exe)
        .args(["ingest", project_dir.to_str().unwrap(), "--db", db.to_str().unwrap()])
        .output()
        .expect("run crosscase ingest");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    println!(
        "national benchmark: {codings} codings, {sources} sources, 300 codes, 290 municipalities (set up in {:.0} s)",
        t.elapsed().as_secs_f64()
    );
    let result = dir.path().join("compare.csv");
    let args = [
        "compare",
        "--db",
        db.to_str().unwrap(),
        "--permutations",
        "9999",
        "--out",
        result.to_str().unwrap(),
    ];
    let db_before = std::fs::metadata(&db).expect("the database").len();
    let Measured { wall, peak_kb, cpu } = measure(Command::new(exe).args(args));
    let with_permutations = wall;
    let db_after = std::fs::metadata(&db).expect("the database").len();
    let rows = std::fs::read_to_string(&result).map(|s| s.lines().count()).unwrap_or(0);
    println!("  compare (prevalence + differences, 9,999 permutations per code): {wall:.1} s (target 30 s)");
    println!("  peak memory: {:.0} MB (target 2048 MB)", peak_kb as f64 / 1024.0);
    println!("  CPU time: {cpu:.1} s, {:.2} cores busy on average", cpu / wall);
    println!("  codings per second: {:.0}", codings as f64 / wall);
    println!("  rows written: {rows}");
    let (stored, json): (i64, i64) = rusqlite::Connection::open(&db)
        .and_then(|c| {
            c.query_row(
                "SELECT length(result), result_json_bytes FROM analysis_run ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .expect("the recorded run");
    println!(
        "  the recorded run adds {} bytes to the database ({:.1} MB, target 5 MB); its rows: {stored} bytes stored, {json} bytes as JSON lines",
        db_after.saturating_sub(db_before),
        db_after.saturating_sub(db_before) as f64 / 1e6
    );

    let quick = dir.path().join("compare-quick.csv");
    let Measured {
        wall: without_permutations,
        ..
    } = measure(Command::new(exe).args([
        "compare",
        "--db",
        db.to_str().unwrap(),
        "--permutations",
        "0",
        "--out",
        quick.to_str().unwrap(),
    ]));
    println!("  compare without permutations: {without_permutations:.1} s");
    anchor(&db, dir.path(), with_permutations, without_permutations);

    // Feedback packs for every municipality, from the same database.
    let packs = dir.path().join("packs");
    let args = [
        "feedback",
        "--db",
        db.to_str().unwrap(),
        "--out",
        packs.to_str().unwrap(),
    ];
    let Measured { wall, peak_kb, cpu } = measure(Command::new(exe).args(args));
    let written = std::fs::read_dir(&packs).map(|d| d.count()).unwrap_or(0);
    println!("  feedback packs: {written} packs in {wall:.1} s (target 60 s for 290)");
    println!(
        "  peak memory: {:.0} MB, {:.2} cores busy on average",
        peak_kb as f64 / 1024.0,
        cpu / wall
    );
    if support::env_number("CROSSCASE_BENCH_PHASES", 1) != 0 {
        for permutations in [9_999, 0] {
            phases(&db, &dir.path().join("phases.csv"), permutations);
        }
    }
    if std::env::var_os("CROSSCASE_BENCH_KEEP").is_some() {
        println!("  kept: {}", dir.keep().join("national.sqlite").display());
    }
}

/// The Python anchor on the same database, with 9,999 permutations and without, beside crosscase's times.
fn anchor(db: &Path, dir: &Path, with_permutations: f64, without_permutations: f64) {
    let script = std::env::var("CROSSCASE_ANCHOR").unwrap_or_else(|_| "../shared/anchors/national_anchor.py".into());
    let python = std::env::var("CROSSCASE_ANCHOR_PYTHON").unwrap_or_else(|_| "python3".into());
    let ready = std::path::Path::new(&script).is_file()
        && Command::new(&python)
            .args(["-c", "import polars, numpy, scipy, statsmodels"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !ready {
        println!(
            "  Python anchor not run: {script} with {python} and polars, numpy, scipy, statsmodels is needed (set CROSSCASE_ANCHOR and CROSSCASE_ANCHOR_PYTHON)"
        );
        return;
    }
    for (permutations, ours) in [("9999", with_permutations), ("0", without_permutations)] {
        let out = dir.join(format!("anchor-{permutations}.csv"));
        let Measured { wall, peak_kb, cpu } = measure(Command::new(&python).args([
            script.as_str(),
            db.to_str().unwrap(),
            out.to_str().unwrap(),
            "--permutations",
            permutations,
            "--unit",
            "participant",
            "--reader",
            "sqlite3",
        ]));
        println!(
            "  Python anchor, {permutations} permutations (--unit participant): {wall:.1} s, {:.0} MB, {:.2} cores busy; crosscase is {:.1}× faster",
            peak_kb as f64 / 1024.0,
            cpu / wall,
            wall / ours
        );
    }
}

/// Times the steps of `crosscase compare` one by one, in this process, on `db` (the run it records stays in the
/// database, as the command's does) and prints each step's seconds and share.
fn phases(db: &Path, csv: &Path, permutations: u64) {
    let cfg = DifferenceConfig {
        unit: CountingUnit::Cluster,
        permutations,
        ..DifferenceConfig::default()
    };
    let mut steps: Vec<(&str, f64)> = Vec::new();
    let step = |steps: &mut Vec<(&str, f64)>, name, t: Instant| steps.push((name, t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let mut store = Store::open_existing(db).expect("open the database");
    let snapshot = store.snapshot(None).expect("a read snapshot");
    let corpus = snapshot.load_corpus(Some(snapshot.name())).expect("load the corpus");
    step(&mut steps, "load from SQLite into a Corpus", t);

    let t = Instant::now();
    let prevalence = crosscase_analysis::prevalence(&corpus).expect("prevalence");
    step(&mut steps, "prevalence (counting in source order)", t);

    let t = Instant::now();
    let clusters = crosscase_analysis::participant_clusters(&corpus);
    step(&mut steps, "  participant clusters (also inside the tests below)", t);
    drop(clusters);

    let t = Instant::now();
    let quick = DifferenceConfig { permutations: 0, ..cfg };
    let mut differences = crosscase_analysis::differences(&corpus, &prevalence, &quick);
    let tests = t.elapsed().as_secs_f64();
    steps.push(("tests, contrasts, BH (clusters, tables, χ²/Fisher, Newcombe)", tests));
    if permutations > 0 {
        let t = Instant::now();
        differences = crosscase_analysis::differences(&corpus, &prevalence, &cfg);
        let with = t.elapsed().as_secs_f64();
        steps.push((
            "permutations (tests with them less tests without)",
            (with - tests).max(0.0),
        ));
    }

    let t = Instant::now();
    let mut table = ResultTable::new();
    table.extend(Some("prevalence"), &prevalence).expect("prevalence rows");
    table
        .extend(Some("difference"), &differences.tests)
        .expect("difference rows");
    table
        .extend(Some("contrast"), &differences.contrasts)
        .expect("contrast rows");
    step(&mut steps, "result table", t);

    let t = Instant::now();
    let mut result = Vec::new();
    table.write_json_lines(&mut result).expect("JSON lines");
    let run = AnalysisRun {
        kind: "compare".into(),
        parameters: serde_json::json!({
            "unit": cfg.unit.as_str(),
            "permutations": cfg.permutations,
            "seed": cfg.seed,
            "confidence": cfg.confidence,
        })
        .to_string(),
        seed: Some(cfg.seed),
        crosscase_version: env!("CARGO_PKG_VERSION").into(),
        created_at: "2000-01-01T00:00:00Z".into(),
        row_count: table.len() as u64,
        result: String::from_utf8(result).expect("UTF-8 rows"),
    };
    snapshot.record_run(&run).expect("record the run");
    step(&mut steps, "recording the run (JSON lines, columns, zstd, SQLite)", t);

    let t = Instant::now();
    let file = std::fs::File::create(csv).expect("create the CSV");
    let mut w = std::io::BufWriter::new(file);
    table.write_csv(&mut w).expect("write the CSV");
    std::io::Write::flush(&mut w).expect("write the CSV");
    step(&mut steps, "writing the CSV", t);

    // The clusters are counted again inside the tests, so their line is a part of the tests' and not added.
    let total: f64 = steps
        .iter()
        .filter(|(name, _)| !name.starts_with(' '))
        .map(|(_, s)| s)
        .sum();
    println!(
        "  where the time goes, {permutations} permutations per code (steps called in this process, {total:.1} s in all):"
    );
    for (name, secs) in &steps {
        println!("    {name:<64} {secs:>6.2} s  {:>4.0} %", 100.0 * secs / total);
    }
}
