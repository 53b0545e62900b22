//! National-scale comparison benchmark: 290 municipalities, 300 codes, 50,000 sources, 5,000,000 codings.
//! Times `crosscase compare` (prevalence plus differences with 9,999 permutations per code) on a stored project and
//! prints the time, the peak memory, the CPU time over the wall time (2.0 means both cores busy throughout) and
//! codings per second, and the bytes the recorded run adds to the database (target 5 MB). Targets: under 30 s,
//! under 2 GB, on 2 cores. Then times `crosscase feedback` for all 290 municipalities from the same database (target:
//! under 60 s).
//!
//! Run with `just bench` or `cargo bench --bench national`. Set `CROSSCASE_BENCH_CODINGS` for another size.
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
    let (wall, peak_kb, cpu) = measure(exe, &args);
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

    // Feedback packs for every municipality, from the same database.
    let packs = dir.path().join("packs");
    let args = [
        "feedback",
        "--db",
        db.to_str().unwrap(),
        "--out",
        packs.to_str().unwrap(),
    ];
    let (wall, peak_kb, cpu) = measure(exe, &args);
    let written = std::fs::read_dir(&packs).map(|d| d.count()).unwrap_or(0);
    println!("  feedback packs: {written} packs in {wall:.1} s (target 60 s for 290)");
    println!(
        "  peak memory: {:.0} MB, {:.2} cores busy on average",
        peak_kb as f64 / 1024.0,
        cpu / wall
    );
}

/// Runs `crosscase` with `args` and returns the wall time, the peak memory in KB and the CPU time in seconds, read
/// from /proc while the process runs (Linux).
fn measure(exe: &str, args: &[&str]) -> (f64, u64, f64) {
    let t = Instant::now();
    let mut child = Command::new(exe)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run crosscase");
    let (mut peak_kb, mut cpu_ticks) = (0u64, 0u64);
    // Peak memory and CPU time are read from /proc while the process runs (Linux).
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for crosscase") {
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
    assert!(status.success(), "crosscase {} failed", args[0]);
    // Clock ticks are 1/100 s on Linux.
    (wall, peak_kb, cpu_ticks as f64 / 100.0)
}
