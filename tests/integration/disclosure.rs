//! `crosscase audit --disclosure` on the demo's packs, and on the same packs with a leak planted.

use crate::support::*;

#[test]
fn the_demo_packs_pass_the_disclosure_audit_and_a_planted_leak_fails_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = crosscase(&repo(), &["demo", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let feedback = out.join("feedback");
    let audit = crosscase(&repo(), &["audit", "--disclosure", feedback.to_str().unwrap()]);
    assert_eq!(audit.code, 0, "{}\n{}", audit.stdout, audit.stderr);
    assert!(audit.stderr.contains("5 packs"), "{}", audit.stderr);

    // Linköping's main finding is shown with its base, not hidden, and stands out: counted by participant clusters
    // (the default unit, so that repeated interviews of one manager count once), its interval stays above zero
    // after Holm's correction over the pack's main themes.
    let page = std::fs::read_to_string(feedback.join("0580-Linkoping/index.html")).unwrap();
    assert!(
        page.contains(
            "Formell organisering av innovationsarbetet tas tydligt oftare upp hos er: i 95\u{a0}% (21 av 22) av intervjuerna och anteckningarna mot 43\u{a0}% (38 av 88) hos de andra kommunerna."
        ),
        "{page}"
    );
    assert!(page.contains("och det skiljer ut er."), "{page}");
    assert!(!page.contains("så små att de kan bero på slumpen"), "{page}");

    // Plant a leak: show one suppressed count of one pack in that pack (as a careless edit would).
    let path = feedback.join("0583-Motala/figures.json");
    let mut figures: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let cells = figures["cells"].as_array_mut().unwrap();
    let hidden = cells
        .iter_mut()
        .find(|c| c["status"] == "suppressed" && c["key"].as_str().unwrap().starts_with("theme/"))
        .expect("Motala's pack hides some count");
    let key = hidden["key"].as_str().unwrap().to_string();
    // Another pack shows it: the audit must see the same count hidden in one pack and shown in another.
    let other = feedback.join("0580-Linkoping/figures.json");
    let mut theirs: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&other).unwrap()).unwrap();
    theirs["cells"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"key": key, "status": "shown", "value": 2}));
    std::fs::write(&other, serde_json::to_string(&theirs).unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string(&figures).unwrap()).unwrap();
    let audit = crosscase(&repo(), &["audit", "--disclosure", feedback.to_str().unwrap()]);
    assert_eq!(audit.code, 1, "{}\n{}", audit.stdout, audit.stderr);
    assert!(audit.stdout.contains(&key), "{}", audit.stdout);
}

/// The audit over a project built to be hard for disclosure control: twelve small municipalities (eight sources
/// each), four waves, thin themes. It passes on what crosscase publishes, and fails on each known attack planted
/// into the published figures: a row total minus its visible cells, a theme's figure as the sum of its waves, and
/// one pack against another.
#[test]
fn the_audit_passes_a_hard_project_and_catches_each_planted_attack() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let project = dir.join("project");
    let db = dir.join("hard.sqlite");
    let feedback = dir.join("feedback");
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    for args in [
        vec![
            "synth",
            "--out",
            &s(&project),
            "--municipalities",
            "12",
            "--sources",
            "96",
            "--codes",
            "40",
        ],
        vec!["ingest", "--db", &s(&db), &s(&project)],
        vec!["feedback", "--db", &s(&db), "--out", &s(&feedback)],
    ] {
        let mut args = args;
        if args[0] == "synth" {
            args.extend(["--codings", "700", "--waves", "4", "--seed", "7"]);
        }
        let run = crosscase(&repo(), &args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    let audit = |what: &str| {
        let run = crosscase(&repo(), &["audit", "--disclosure", &s(&feedback)]);
        (run.code, format!("{what}:\n{}\n{}", run.stdout, run.stderr))
    };
    let (code, said) = audit("as published");
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("12 packs"), "{said}");

    let packs: Vec<std::path::PathBuf> = std::fs::read_dir(&feedback)
        .unwrap()
        .map(|e| e.unwrap().path().join("figures.json"))
        .filter(|p| p.exists())
        .collect();
    let read = |p: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let status = |f: &serde_json::Value, key: &str| -> Option<String> {
        f["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == key)
            .map(|c| c["status"].as_str().unwrap().to_string())
    };
    let show = |f: &mut serde_json::Value, key: &str, value: u64| {
        let cells = f["cells"].as_array_mut().unwrap();
        cells.retain(|c| c["key"] != key);
        cells.push(serde_json::json!({"key": key, "status": "shown", "value": value}));
    };
    // Each attack is planted into a fresh copy of one pack's figures, then undone.
    let mut planted = 0;
    let plant = |path: &std::path::Path, figures: &serde_json::Value, what: &str, finding: &str| {
        let original = std::fs::read(path).unwrap();
        std::fs::write(path, serde_json::to_string(figures).unwrap()).unwrap();
        let (code, said) = audit(what);
        std::fs::write(path, original).unwrap();
        assert_eq!(code, 1, "{said}");
        assert!(said.contains(finding), "{said}");
    };

    // A row total minus its visible cells: every suppressed cell of a row but one made visible (as 0).
    'row: for path in &packs {
        let f = read(path);
        for r in f["relations"].as_array().unwrap() {
            let total = r["total"].as_str().unwrap();
            let parts: Vec<&str> = r["parts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            let hidden: Vec<&str> = parts
                .iter()
                .copied()
                .filter(|p| status(&f, p).as_deref() == Some("suppressed"))
                .collect();
            if !total.ends_with("/all") || hidden.len() < 2 {
                continue;
            }
            let mut g = f.clone();
            for p in &hidden[1..] {
                show(&mut g, p, 0);
            }
            // The row's total published too (as a careless "all municipalities" column would): one more than the
            // visible cells, so the last hidden cell is 1.
            let visible: u64 = parts
                .iter()
                .filter_map(|p| {
                    g["cells"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|c| c["key"] == *p && c["status"] == "shown")
                })
                .map(|c| c["value"].as_u64().unwrap())
                .sum();
            show(&mut g, total, visible + 1);
            plant(path, &g, "row minus visible cells", "pinned\t");
            planted += 1;
            break 'row;
        }
    }
    // A theme's figure as the sum of its waves: the wave cells of a suppressed figure made visible.
    'waves: for path in &packs {
        let f = read(path);
        for r in f["relations"].as_array().unwrap() {
            let total = r["total"].as_str().unwrap();
            let parts: Vec<&str> = r["parts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            if !parts.iter().all(|p| p.starts_with("wave/")) || status(&f, total).as_deref() != Some("suppressed") {
                continue;
            }
            let mut g = f.clone();
            for p in &parts {
                show(&mut g, p, 1);
            }
            plant(path, &g, "overall minus waves", "pinned\t");
            planted += 1;
            break 'waves;
        }
    }
    // One pack against another: a count one pack hides, shown in another.
    'packs: for (i, path) in packs.iter().enumerate() {
        let f = read(path);
        for c in f["cells"].as_array().unwrap() {
            if c["status"] != "suppressed" || !c["key"].as_str().unwrap().starts_with("theme/") {
                continue;
            }
            let other = &packs[(i + 1) % packs.len()];
            let mut g = read(other);
            show(&mut g, c["key"].as_str().unwrap(), 2);
            // The audit names the cell shown in one pack and hidden in another.
            plant(
                other,
                &g,
                "one pack against another",
                "is suppressed in one pack and shown in another",
            );
            planted += 1;
            break 'packs;
        }
    }
    assert_eq!(planted, 3, "each attack found a place to be planted");
    let (code, said) = audit("restored");
    assert_eq!(code, 0, "{said}");
}
