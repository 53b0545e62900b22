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

    // Linköping's main finding is shown with its base, not hidden. Counted by participant clusters (the default
    // unit, so that repeated interviews of one manager count once) its interval still reaches below zero, so the page
    // calls it uncertain, in the direction of the figures it shows, and never small.
    let page = std::fs::read_to_string(feedback.join("0580-Linkoping/index.html")).unwrap();
    assert!(
        page.contains("Formell organisering av innovationsarbetet kanske tas upp oftare hos er (73\u{a0}% (16 av 22)"),
        "{page}"
    );
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
