//! Scaling benchmark: time and peak memory of `crosscase ingest` and `crosscase compare` (with 9,999 permutations
//! per code and without) at 1×, 2× and 4× the national size (5,000,000 codings and 50,000 sources; the 290
//! municipalities and 300 codes stay), so that growth is seen to be linear. Prints a table, then each figure's
//! growth against 1× and the memory each further million codings adds. Targets: peak memory under 2 GB at 1×, and
//! memory growing no faster than the codings.
//!
//! The permutation test draws tables per municipality and code, so its work does not grow with the codings; the
//! comparison without permutations shows the part that does.
//!
//! Peak memory is the high-water mark of the crosscase process's resident set (see `support::measure`); the project
//! is generated and written before the clocks start, and each size's files are removed before the next is made.
//! Run with `cargo bench --bench scaling` (`just bench` runs it last). Set `CROSSCASE_BENCH_CODINGS` for another 1×
//! (e.g. 500000 for a quick run) and `CROSSCASE_BENCH_FACTORS` for other multiples (default `1,2,4`).

mod support;

use std::process::Command;
use std::time::Instant;

use support::{Measured, measure};

struct Row {
    factor: usize,
    codings: usize,
    setup: f64,
    ingest: Measured,
    compare: Measured,
    quick: Measured,
}

fn main() {
    let base = support::env_number("CROSSCASE_BENCH_CODINGS", 5_000_000);
    let factors: Vec<usize> = std::env::var("CROSSCASE_BENCH_FACTORS")
        .unwrap_or_else(|_| "1,2,4".into())
        .split(',')
        .map(|f| {
            f.trim()
                .parse()
                .expect("CROSSCASE_BENCH_FACTORS: whole numbers separated by commas")
        })
        .collect();
    let exe = env!("CARGO_BIN_EXE_crosscase");
    println!("scaling benchmark: {base} codings at 1×, factors {factors:?}, 290 municipalities, 300 codes");
    let mut rows = Vec::new();
    for &factor in &factors {
        let codings = base * factor;
        let dir = tempfile::tempdir().expect("temporary folder");
        let t = Instant::now();
        let project_dir = support::write_generated(&support::national_config(codings), dir.path());
        let setup = t.elapsed().as_secs_f64();
        let db = dir.path().join("scaling.sqlite");
        let ingest =
            measure(Command::new(exe).args(["ingest", project_dir.to_str().unwrap(), "--db", db.to_str().unwrap()]));
        std::fs::remove_dir_all(&project_dir).expect("remove the generated project");
        let compare = |permutations: &str| {
            let out = dir.path().join(format!("compare-{permutations}.csv"));
            measure(Command::new(exe).args([
                "compare",
                "--db",
                db.to_str().unwrap(),
                "--permutations",
                permutations,
                "--out",
                out.to_str().unwrap(),
            ]))
        };
        let row = Row {
            factor,
            codings,
            setup,
            ingest,
            compare: compare("9999"),
            quick: compare("0"),
        };
        println!(
            "  {factor}×: generated and written in {setup:.0} s; ingest {:.1} s, compare {:.1} s, without permutations {:.1} s",
            row.ingest.wall, row.compare.wall, row.quick.wall
        );
        rows.push(row);
    }

    println!();
    println!(
        "  {:>6} {:>11} {:>9} | {:>9} {:>8} | {:>11} {:>8} {:>6} | {:>11} {:>8}",
        "size", "codings", "setup s", "ingest s", "peak MB", "compare s", "peak MB", "cores", "no-perm s", "peak MB"
    );
    for r in &rows {
        println!(
            "  {:>5}× {:>11} {:>9.0} | {:>9.1} {:>8.0} | {:>11.1} {:>8.0} {:>6.2} | {:>11.1} {:>8.0}",
            r.factor,
            r.codings,
            r.setup,
            r.ingest.wall,
            r.ingest.peak_mb(),
            r.compare.wall,
            r.compare.peak_mb(),
            r.compare.cores(),
            r.quick.wall,
            r.quick.peak_mb()
        );
    }
    let Some(first) = rows.first() else { return };
    println!();
    println!(
        "  growth against {}× (the codings grow by the first column):",
        first.factor
    );
    for r in &rows[1..] {
        let grow = r.factor as f64 / first.factor as f64;
        let ratio = |a: f64, b: f64| a / b;
        println!(
            "  {grow:>4.1}×: ingest time {:.2}×, memory {:.2}×; compare time {:.2}×, memory {:.2}×; without permutations time {:.2}×, memory {:.2}×",
            ratio(r.ingest.wall, first.ingest.wall),
            ratio(r.ingest.peak_mb(), first.ingest.peak_mb()),
            ratio(r.compare.wall, first.compare.wall),
            ratio(r.compare.peak_mb(), first.compare.peak_mb()),
            ratio(r.quick.wall, first.quick.wall),
            ratio(r.quick.peak_mb(), first.quick.peak_mb()),
        );
    }
    println!("  memory added per further million codings (constant when growth is linear):");
    for pair in rows.windows(2) {
        let millions = (pair[1].codings - pair[0].codings) as f64 / 1e6;
        let per = |a: &Measured, b: &Measured| (b.peak_mb() - a.peak_mb()) / millions;
        println!(
            "  {}× to {}×: ingest {:.0} MB, compare {:.0} MB, without permutations {:.0} MB",
            pair[0].factor,
            pair[1].factor,
            per(&pair[0].ingest, &pair[1].ingest),
            per(&pair[0].compare, &pair[1].compare),
            per(&pair[0].quick, &pair[1].quick),
        );
    }
}
