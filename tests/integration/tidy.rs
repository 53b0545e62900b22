//! Architecture invariants that are checked rather than hoped for (rust-analyzer keeps such "tidy" tests).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// The allowed dependency edges between crosscase's own crates: a DAG with the model at the bottom.
const ALLOWED: &[(&str, &[&str])] = &[
    ("crosscase-model", &[]),
    ("crosscase-synth", &["crosscase-model"]),
    ("crosscase-store", &["crosscase-model"]),
    ("crosscase-ingest", &["crosscase-model"]),
    ("crosscase-analysis", &["crosscase-model"]),
    ("crosscase-charts", &["crosscase-model"]),
    (
        "crosscase-report",
        &["crosscase-model", "crosscase-charts", "crosscase-analysis"],
    ),
    // The workshop server reads and writes through the store and screens with the model; the packs it shows are
    // made by the binary through the report crate, so the server links no polars.
    ("crosscase-serve", &["crosscase-model", "crosscase-store"]),
];

#[test]
fn crate_dependencies_form_the_documented_dag() {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut actual: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for pkg in meta["packages"].as_array().unwrap() {
        let name = pkg["name"].as_str().unwrap().to_string();
        let deps = pkg["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().unwrap().to_string())
            .filter(|d| d.starts_with("crosscase"))
            .collect();
        actual.insert(name, deps);
    }
    for (krate, allowed) in ALLOWED {
        let deps = actual
            .get(*krate)
            .unwrap_or_else(|| panic!("{krate} is not in the workspace"));
        let allowed: BTreeSet<String> = allowed.iter().map(|s| s.to_string()).collect();
        assert!(
            deps.is_subset(&allowed),
            "{krate} depends on {deps:?}; allowed: {allowed:?}"
        );
    }
    // The binary is glue: it reaches SQLite, data frames and threads only through the libraries.
    let binary = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "crosscase")
        .unwrap();
    let external: BTreeSet<&str> = binary["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"].is_null())
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    for banned in ["rusqlite", "polars", "rayon"] {
        assert!(
            !external.contains(banned),
            "the binary depends on {banned}: {external:?}"
        );
    }
    // Every library is listed here: a new crate is a decision to write down.
    let libraries: BTreeSet<&String> = actual.keys().filter(|k| k.as_str() != "crosscase").collect();
    assert_eq!(libraries.len(), ALLOWED.len(), "{libraries:?}");
}

/// Only the store speaks SQL, only the binary prints, analysis and charts do no file IO, and the binary is glue.
#[test]
fn crate_boundaries_hold_in_the_sources() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crates");
    let rules: &[(&str, &[&str])] = &[
        (
            "crosscase-model",
            &[
                "rusqlite",
                "polars",
                "plotters",
                "clap",
                "std::fs",
                "println!",
                "eprintln!",
            ],
        ),
        (
            "crosscase-analysis",
            &["rusqlite", "std::fs", "File::", "println!", "eprintln!"],
        ),
        (
            "crosscase-charts",
            &["rusqlite", "std::fs", "File::", "println!", "eprintln!"],
        ),
        ("crosscase-ingest", &["rusqlite", "println!", "eprintln!"]),
        ("crosscase-report", &["rusqlite", "println!", "eprintln!"]),
        ("crosscase-synth", &["rusqlite", "std::fs", "println!", "eprintln!"]),
        ("crosscase-store", &["polars", "plotters", "println!", "eprintln!"]),
        (
            "crosscase-serve",
            &[
                "rusqlite",
                "polars",
                "plotters",
                "std::fs",
                "File::",
                "println!",
                "eprintln!",
            ],
        ),
    ];
    // The binary is glue (crates/core has no src folder): no SQL, no threads, no walking folders, no data frames.
    let glue: &[&str] = &["rusqlite", "thread::", "rayon", "read_dir", "walkdir", "polars"];
    let rules: Vec<(&str, &[&str], std::path::PathBuf)> = rules
        .iter()
        .map(|(krate, banned)| (*krate, *banned, root.join(krate).join("src")))
        .chain([("crosscase (the binary)", glue, root.join("core"))])
        .collect();
    for (krate, banned, dir) in &rules {
        for file in rust_files(dir) {
            // Comments may name what a crate stays away from; code may not use it.
            let text: String = std::fs::read_to_string(&file)
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for b in banned.iter() {
                assert!(
                    !text.contains(b),
                    "{} uses `{b}`, which is not {krate}'s business",
                    file.display()
                );
            }
        }
    }
}

fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// The workspace denies `unsafe_code` rather than forbidding it so that one function may allow it: the `mallopt`
/// call of `crosscase ingest` (ARCHITECTURE.md, Decisions on dependencies). A second allowance is a decision to write
/// down there, and here.
#[test]
fn unsafe_code_is_allowed_in_one_place() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut allowed = Vec::new();
    for dir in ["crates", "tests", "benches", "fuzz"] {
        let dir = root.join(dir);
        if !dir.is_dir() {
            continue;
        }
        // Build output (a fuzz target folder) is not the project's code.
        for file in rust_files(&dir)
            .into_iter()
            .filter(|f| !f.components().any(|c| c.as_os_str() == "target"))
        {
            let text = std::fs::read_to_string(&file).unwrap();
            let n = text.matches(concat!("allow(", "unsafe_code)")).count()
                + text.matches(concat!("expect(", "unsafe_code)")).count();
            if n > 0 {
                allowed.push((file.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"), n));
            }
        }
    }
    assert_eq!(allowed, [("crates/core/commands/ingest.rs".to_string(), 1)]);
}
