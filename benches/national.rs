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
//! Run with `just bench` or `cargo bench --bench national`. Set `CROSSCASE_BENCH_CODINGS` for another size, and
//! `CROSSCASE_BENCH_KEEP=1` to keep the generated database (for profiling); the benchmark prints where it is.
//! The project is generated and ingested before the clock starts.

use std::process::Command;
use std::time::{Duration, Instant};

use crosscase_model::KommunRegister;
use crosscase_synth::{ScaleConfig, scale_project};

fn main() {
    let codings: usize = std::env::var("CROSSCASE_BENCH_CODINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000_000);
    let sources = (codings / 100).max(290);
    let dir = tempfile::tempdir().expect("temporary folder");
    let project_dir = dir.path().join("project");
    let db = dir.path().join("national.sqlite");
    let cfg = ScaleConfig {
        municipalities: 290,
        sources,
        codes: 300,
        codings,
        with_text: false,
        waves: 0,
        seed: 11,
    };
    let t = Instant::now();
    let project = scale_project(&cfg, &KommunRegister::sweden());
    crosscase_ingest::write_project(&project, &project_dir).expect("write the generated project");
    drop(project);
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
    let (wall, peak_kb, cpu) = measure(Command::new(exe).args(args));
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
    let (without_permutations, _, _) = measure(Command::new(exe).args([
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
    let (wall, peak_kb, cpu) = measure(Command::new(exe).args(args));
    let written = std::fs::read_dir(&packs).map(|d| d.count()).unwrap_or(0);
    println!("  feedback packs: {written} packs in {wall:.1} s (target 60 s for 290)");
    println!(
        "  peak memory: {:.0} MB, {:.2} cores busy on average",
        peak_kb as f64 / 1024.0,
        cpu / wall
    );
    if std::env::var_os("CROSSCASE_BENCH_KEEP").is_some() {
        println!("  kept: {}", dir.keep().join("national.sqlite").display());
    }
}

/// The Python anchor on the same database, with 9,999 permutations and without, beside crosscase's times.
fn anchor(db: &std::path::Path, dir: &std::path::Path, with_permutations: f64, without_permutations: f64) {
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
        let (wall, peak_kb, cpu) = measure(Command::new(&python).args([
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

/// Runs `command` and returns the wall time, the peak memory in KB and the CPU time in seconds, read from /proc
/// while the process runs (Linux).
fn measure(command: &mut Command) -> (f64, u64, f64) {
    let t = Instant::now();
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the benchmarked program");
    let (mut peak_kb, mut cpu_ticks) = (0u64, 0u64);
    // Peak memory and CPU time are read from /proc while the process runs (Linux).
    // Standard error is collected on its own thread, so that a chatty program never blocks on a full pipe.
    let stderr = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut e, &mut s).ok();
            s
        })
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the benchmarked program") {
            break status;
        }
        let pid = child.id();
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status"))
            && let Some(kb) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
        {
            peak_kb = peak_kb.max(kb.parse().unwrap_or(0));
        }
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // Fields after the command name: utime and stime are the 12th and 13th.
            let fields: Vec<&str> = s.rsplit(')').next().unwrap_or("").split_whitespace().collect();
            let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            cpu_ticks = cpu_ticks.max(ticks(11) + ticks(12));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let wall = t.elapsed().as_secs_f64();
    let stderr = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    assert!(status.success(), "{program} failed: {stderr}");
    // Clock ticks are 1/100 s on Linux.
    (wall, peak_kb, cpu_ticks as f64 / 100.0)
}
