//! The pack model's building blocks and the disclosure audit against planted attacks.

use super::*;

fn shown(key: &str, value: u64) -> PublishedCell {
    PublishedCell {
        key: key.to_string(),
        status: Status::Shown,
        value: Some(value),
        max: None,
    }
}

fn suppressed(key: &str, max: u64) -> PublishedCell {
    PublishedCell {
        key: key.to_string(),
        status: Status::Suppressed,
        value: None,
        max: Some(max),
    }
}

fn unpublished(key: &str) -> PublishedCell {
    PublishedCell {
        key: key.to_string(),
        status: Status::Unpublished,
        value: None,
        max: None,
    }
}

fn sum(total: &str, parts: &[&str]) -> Relation {
    Relation {
        total: total.to_string(),
        parts: parts.iter().map(|p| p.to_string()).collect(),
    }
}

fn pack(letter: &str, cells: Vec<PublishedCell>, relations: Vec<Relation>) -> PublishedFigures {
    PublishedFigures {
        pack: letter.to_string(),
        threshold: 5,
        cells,
        relations,
        run: None,
    }
}

/// (key, low, high, pinned) of every suppressed cell, and the number of conflicts.
fn check(packs: &[PublishedFigures], expected: &[(&str, u64, Option<u64>, bool)], conflicts: usize) {
    let audit = audit_disclosure(packs);
    let got: Vec<(&str, u64, Option<u64>, bool)> = audit
        .cells
        .iter()
        .map(|c| (c.key.as_str(), c.low, c.high, c.pinned))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(audit.conflicts.len(), conflicts, "{:?}", audit.conflicts);
}

#[test]
fn row_minus_visible_cells() {
    // The others' figure in A's pack gives the row total; with B's count hidden alone, it is pinned.
    let packs = [pack(
        "A",
        vec![
            shown("t/A", 16),
            suppressed("t/B", 20),
            shown("t/C", 9),
            shown("t/not-A", 12),
            unpublished("t/all"),
        ],
        vec![sum("t/all", &["t/A", "t/B", "t/C"]), sum("t/all", &["t/A", "t/not-A"])],
    )];
    check(&packs, &[("t/B", 3, Some(3), true)], 0);
}

#[test]
fn two_hidden_cells_of_a_row_protect_each_other() {
    let packs = [pack(
        "A",
        vec![
            shown("t/A", 16),
            suppressed("t/B", 20),
            suppressed("t/C", 30),
            shown("t/not-A", 40),
            unpublished("t/all"),
        ],
        vec![sum("t/all", &["t/A", "t/B", "t/C"]), sum("t/all", &["t/A", "t/not-A"])],
    )];
    check(&packs, &[("t/B", 10, Some(20), false), ("t/C", 20, Some(30), false)], 0);
}

#[test]
fn overall_minus_waves() {
    // The theme's overall count is hidden but both waves are shown and nothing lies between them.
    let packs = [pack(
        "A",
        vec![
            suppressed("t/A", 22),
            shown("w/A/2016", 1),
            shown("w/A/2020", 2),
            PublishedCell {
                max: Some(0),
                ..unpublished("w/A/other")
            },
        ],
        vec![sum("t/A", &["w/A/2016", "w/A/2020", "w/A/other"])],
    )];
    check(&packs, &[("t/A", 3, Some(3), true)], 0);
}

#[test]
fn overall_minus_waves_with_waves_between_is_safe() {
    let packs = [pack(
        "A",
        vec![
            suppressed("t/A", 22),
            shown("w/A/2016", 1),
            shown("w/A/2020", 2),
            PublishedCell {
                max: Some(8),
                ..unpublished("w/A/other")
            },
        ],
        vec![sum("t/A", &["w/A/2016", "w/A/2020", "w/A/other"])],
    )];
    check(&packs, &[("t/A", 3, Some(11), false)], 0);
}

#[test]
fn one_pack_against_another() {
    // B's own pack hides its count, but publishes "the others" beside it; A's pack gives the row total.
    let relations = || {
        vec![
            sum("t/all", &["t/A", "t/B"]),
            sum("t/all", &["t/A", "t/not-A"]),
            sum("t/all", &["t/B", "t/not-B"]),
        ]
    };
    let packs = [
        pack(
            "A",
            vec![shown("t/A", 16), shown("t/not-A", 3), unpublished("t/all")],
            relations(),
        ),
        pack(
            "B",
            vec![suppressed("t/B", 20), shown("t/not-B", 16), unpublished("t/all")],
            relations(),
        ),
    ];
    check(&packs, &[("t/B", 3, Some(3), true)], 0);
}

#[test]
fn a_count_hidden_in_one_pack_and_shown_in_another_is_a_conflict() {
    let packs = [
        pack("A", vec![shown("t/B", 3)], vec![]),
        pack("B", vec![suppressed("t/B", 20)], vec![]),
    ];
    check(&packs, &[], 1);
}

#[test]
fn holm_matches_statsmodels() {
    // statsmodels.stats.multitest.multipletests([0.01, 0.04, 0.03, 0.005], method="holm")[1]
    // = [0.03, 0.06, 0.06, 0.02].
    let got = holm(&[Some(0.01), Some(0.04), Some(0.03), Some(0.005), None]);
    let want = [0.03, 0.06, 0.06, 0.02];
    for (g, w) in got.iter().zip(want) {
        assert!((g.unwrap() - w).abs() < 1e-12, "{got:?}");
    }
    assert_eq!(got[4], None);
}

#[test]
fn verdicts() {
    // (difference, interval, Holm-adjusted p) → verdict.
    let cases = [
        (0.40, 0.16, 0.56, 0.01, Verdict::ClearlyMore),
        (-0.30, -0.50, -0.10, 0.02, Verdict::ClearlyLess),
        // Excludes zero but does not survive the correction over the pack's themes.
        (0.23, 0.001, 0.43, 0.2, Verdict::PerhapsMore),
        (0.23, -0.001, 0.43, 0.2, Verdict::PerhapsMore),
        (-0.05, -0.25, 0.17, 1.0, Verdict::PerhapsLess),
        (0.01, -0.08, 0.09, 1.0, Verdict::AboutTheSame),
        // Equal shares on too little to call them the same: no direction to name.
        (0.0, -0.17, 0.17, 1.0, Verdict::Uncertain),
        (-0.02, -0.20, 0.16, 1.0, Verdict::Uncertain),
        (0.03, -0.15, 0.21, 1.0, Verdict::PerhapsMore),
    ];
    for (d, lo, hi, p, want) in cases {
        assert_eq!(verdict(d, lo, hi, p), want, "{d} [{lo}, {hi}] p={p}");
    }
}

#[test]
fn the_letter_key_is_a_seeded_permutation() {
    let key = letter_key(5, 2026);
    assert_eq!(key, letter_key(5, 2026));
    let mut sorted = key.clone();
    sorted.sort();
    assert_eq!(sorted, ["A", "B", "C", "D", "E"]);
    // Not in kommunkod (corpus) order, for this seed and most others.
    assert_ne!(key, ["A", "B", "C", "D", "E"]);
    let in_order = (0..100u64)
        .filter(|&s| letter_key(5, s) == ["A", "B", "C", "D", "E"])
        .count();
    assert!(in_order <= 3, "{in_order} of 100 seeds give kommunkod order");
    assert_eq!(letter(26), "AA");
}
