//! REFI-QDA import benchmark: `crosscase import` of a generated `.qdpx` of about 100 MB (deflated, as tools write
//! it), into a durable WAL database. Prints the archive's size and the time; the target is under 10 s.
//!
//! The project looks like a large interview study: hour-long interviews of about 60 KB of text each (words drawn
//! at random from a vocabulary with Swedish letters, and an emoji now and then, so that the text compresses about as
//! much as real text does, and UTF-16 and code points differ), about 100 codings per interview on word boundaries,
//! two coders. The archive is written before the clock starts.
//!
//! Run with `just bench` (or `cargo bench --bench qdpx`). Set `CROSSCASE_BENCH_QDPX_MB` for another size.

use std::process::Command;
use std::time::Instant;

use crosscase_model::{Code, Coding, KommunRegister, Municipality, Project, ProjectSettings, Rng, Source, SourceKind};

const TEXT_BYTES: usize = 60_000;

fn vocabulary(rng: &mut Rng) -> Vec<String> {
    const LETTERS: &[char] = &[
        'a', 'e', 'n', 'r', 't', 's', 'l', 'i', 'd', 'o', 'm', 'k', 'g', 'v', 'ä', 'h', 'f', 'u', 'p', 'å', 'ö', 'b',
        'c', 'y', 'j',
    ];
    (0..4_000)
        .map(|_| {
            let n = rng.range(2, 11);
            (0..n).map(|_| *rng.pick(LETTERS)).collect()
        })
        .collect()
}

fn interview(rng: &mut Rng, words: &[String]) -> (String, Vec<(u64, u64)>) {
    let mut text = String::with_capacity(TEXT_BYTES + 100);
    let mut chars = 0u64;
    let mut boundaries = Vec::new();
    while text.len() < TEXT_BYTES {
        let w: &str = if rng.chance(0.002) {
            "😀"
        } else {
            rng.pick(words).as_str()
        };
        boundaries.push(chars);
        text.push_str(w);
        chars += w.chars().count() as u64;
        let sep = if rng.chance(0.05) { ".\r\n" } else { " " };
        text.push_str(sep);
        chars += sep.chars().count() as u64;
    }
    let mut spans = Vec::new();
    for _ in 0..100 {
        let i = rng.below(boundaries.len() as u64 - 40) as usize;
        let j = i + rng.range(3, 38) as usize;
        spans.push((boundaries[i], boundaries[j] - 1));
    }
    (text, spans)
}

fn main() {
    let target_mb: f64 = std::env::var("CROSSCASE_BENCH_QDPX_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100.0);
    let dir = tempfile::tempdir().expect("temporary folder");
    let register = KommunRegister::sweden();
    let mut rng = Rng::new(11);
    let words = vocabulary(&mut rng);
    // About 34 KB of archive per interview, measured on a small archive.
    let sources = ((target_mb * 1e6) / 34_000.0).ceil() as usize;
    let mut project = Project::empty(ProjectSettings::new("QDPX benchmark"));
    for k in register.all() {
        project.municipalities.push(Municipality {
            code: k.code.clone(),
            name: k.name.clone(),
            line: 0,
        });
    }
    for i in 0..300 {
        project.codes.push(Code {
            id: format!("k{i}"),
            parent: (i >= 30).then(|| format!("k{}", i % 30)),
            label_sv: format!("Kod {i}"),
            label_en: format!("Code {i}"),
            description: None,
            colour: None,
            codable: true,
            line: 0,
        });
    }
    for s in 0..sources {
        let (text, spans) = interview(&mut rng, &words);
        let id = format!("Intervju {s:05}");
        for (n, &(a, b)) in spans.iter().enumerate() {
            project.codings.push(Coding {
                source: id.clone(),
                code: format!("k{}", rng.below(300)),
                coder: if n % 2 == 0 { "Karin" } else { "Ali" }.to_string(),
                start: a,
                end: b,
                quote: String::new(),
                memo: None,
                line: 0,
            });
        }
        project.sources.push(Source {
            id,
            kind: SourceKind::Interview,
            municipality: register.all()[s % register.all().len()].code.clone(),
            unit: None,
            date: None,
            wave: None,
            participants: Vec::new(),
            setting: None,
            duration_minutes: Some(60),
            title: None,
            text: Some(text),
            line: 0,
        });
    }
    let qdpx = dir.path().join("bench.qdpx");
    crosscase_ingest::qda::write_qdpx(&project, &qdpx).expect("write the archive");
    let bytes = std::fs::metadata(&qdpx).expect("archive").len();
    println!(
        "qdpx import benchmark: {:.0} MB archive, {} sources ({:.0} MB of text), {} codings",
        bytes as f64 / 1e6,
        project.sources.len(),
        project
            .sources
            .iter()
            .map(|s| s.text.as_ref().map_or(0, String::len))
            .sum::<usize>() as f64
            / 1e6,
        project.codings.len()
    );
    drop(project);

    let db = dir.path().join("bench.sqlite");
    let mut best = f64::INFINITY;
    for run in 1..=3 {
        let _ = std::fs::remove_file(&db);
        let t = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_crosscase"))
            .args(["import", qdpx.to_str().unwrap(), "--db", db.to_str().unwrap()])
            .output()
            .expect("run crosscase import");
        let secs = t.elapsed().as_secs_f64();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        println!("  run {run}: {secs:.2} s");
        best = best.min(secs);
    }
    println!("  best: {best:.2} s (target under 10 s)");
}
