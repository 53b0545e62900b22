//! Prevalence on small corpora whose counts are worked out by hand in the comments.

use crosscase_model::{
    Code, CodingColumns, Corpus, Municipality, ParticipantFacts, ProjectSettings, Role, SourceFacts, SourceKind,
};

use crate::{Cell, disclose_prevalence, prevalence};

pub(crate) fn code(id: &str, parent: Option<&str>) -> Code {
    Code {
        id: id.into(),
        parent: parent.map(str::to_string),
        label_sv: id.into(),
        label_en: id.into(),
        description: None,
        colour: None,
        codable: true,
        line: 0,
    }
}

pub(crate) fn source(id: &str, municipality: u32, participants: Vec<u32>) -> SourceFacts {
    SourceFacts {
        id: id.into(),
        kind: SourceKind::Interview,
        municipality,
        unit: None,
        wave: None,
        participants,
        words: 0,
        chars: 100,
    }
}

/// Two municipalities; A has sources s0 (p0), s1 (p1, p2), s2 (no participant); B has s3 (p3).
/// Codings (source, code, coder, start, end):
///   s0 child AL 0..5, s0 parent AL 0..5 (same segment: once for the parent), s0 child AL 10..20,
///   s1 child BK 0..5 and s1 child AL 3..8 (AL is primary and coded s1: BK's coding is not counted),
///   s3 parent BK 0..4 (only BK coded s3: counted).
fn corpus() -> Corpus {
    let mut settings = ProjectSettings::new("t");
    settings.primary_coder = Some("AL".into());
    Corpus {
        settings,
        municipalities: vec![
            Municipality {
                code: "0001".into(),
                name: "A".into(),
                line: 0,
            },
            Municipality {
                code: "0002".into(),
                name: "B".into(),
                line: 0,
            },
        ],
        waves: vec![],
        wave_names: vec![],
        codes: vec![
            code("parent", None),
            code("child", Some("parent")),
            code("unused", None),
        ],
        participants: (0..4)
            .map(|i| ParticipantFacts {
                id: format!("p{i}"),
                municipality: u32::from(i == 3),
                unit: None,
                role: Role::Employee,
            })
            .collect(),
        sources: vec![
            source("s0", 0, vec![0]),
            source("s1", 0, vec![1, 2]),
            source("s2", 0, vec![]),
            source("s3", 1, vec![3]),
        ],
        coders: vec!["AL".into(), "BK".into()],
        codings: CodingColumns {
            source: vec![0, 0, 0, 1, 1, 3],
            code: vec![1, 0, 1, 1, 1, 0],
            coder: vec![0, 0, 0, 1, 0, 1],
            start: vec![0, 0, 10, 0, 3, 0],
            end: vec![5, 5, 20, 5, 8, 4],
        },
    }
}

/// code, municipality, segments, sources, source share, participants, participant share.
type Counts = (String, String, u64, u64, Option<f64>, u64, Option<f64>);

#[test]
fn counts_roll_up_and_follow_the_primary_coder() {
    let rows = prevalence(&corpus()).unwrap();
    let got: Vec<Counts> = rows
        .iter()
        .map(|r| {
            (
                r.code.clone(),
                r.municipality.clone(),
                r.segments,
                r.sources,
                r.source_share,
                r.participants,
                r.participant_share,
            )
        })
        .collect();
    let row = |c: &str, m: &str, seg, src, ss, par, ps| (c.to_string(), m.to_string(), seg, src, ss, par, ps);
    assert_eq!(
        got,
        vec![
            // parent in A: segments s0 0..5, s0 10..20, s1 3..8 = 3; sources s0, s1 of 3; participants p0, p1, p2 of 3.
            row("parent", "0001", 3, 2, Some(2.0 / 3.0), 3, Some(1.0)),
            row("parent", "0002", 1, 1, Some(1.0), 1, Some(1.0)),
            // child in A: the same three segments (the parent's own coding of 0..5 shares its segment).
            row("child", "0001", 3, 2, Some(2.0 / 3.0), 3, Some(1.0)),
            row("child", "0002", 0, 0, Some(0.0), 0, Some(0.0)),
            row("unused", "0001", 0, 0, Some(0.0), 0, Some(0.0)),
            row("unused", "0002", 0, 0, Some(0.0), 0, Some(0.0)),
        ]
    );
    assert_eq!(rows[0].sources_total, 3);
    assert_eq!(rows[0].participants_total, 3);
}

#[test]
fn a_municipality_without_sources_has_undefined_shares_not_nan() {
    let mut c = corpus();
    c.municipalities.push(Municipality {
        code: "0003".into(),
        name: "C".into(),
        line: 0,
    });
    let rows = prevalence(&c).unwrap();
    let r = rows
        .iter()
        .find(|r| r.municipality == "0003" && r.code == "parent")
        .unwrap();
    assert_eq!((r.sources_total, r.source_share, r.participant_share), (0, None, None));
}

#[test]
fn small_groups_are_suppressed() {
    let rows = prevalence(&corpus()).unwrap();
    let codes: Vec<String> = ["parent", "child", "unused"].map(String::from).to_vec();
    let ms: Vec<String> = ["0001", "0002"].map(String::from).to_vec();
    // Threshold 3: A has 3 participants (parent: 3 with the code, shown by itself); B has 1 in all (suppressed).
    // With B's the only suppressed cell, A's would give B's away beside the network's share: it is suppressed too.
    let d = disclose_prevalence(&rows, &codes, &ms, 3);
    assert_eq!(d.cells[0], vec![Cell::Suppressed, Cell::Suppressed]);
    assert_eq!(d.cells[2], vec![Cell::Suppressed, Cell::Suppressed]);
    // Threshold 4: A's 3 participants are too few as well.
    let d = disclose_prevalence(&rows, &codes, &ms, 4);
    assert_eq!(d.cells[0], vec![Cell::Suppressed, Cell::Suppressed]);
}

#[test]
fn a_lone_suppressed_cell_takes_the_smallest_shown_one_with_it() {
    let row = |code: &str, municipality: &str, participants: u64, total: u64, share: f64| crate::PrevalenceRow {
        code: code.into(),
        municipality: municipality.into(),
        segments: 0,
        sources: 0,
        source_share: Some(share),
        participants,
        participant_share: None,
        sources_total: 10,
        participants_total: total,
    };
    // Threshold 5. Code a: M2 has 2 participants with it (suppressed); M3 is the smallest of the others (8 in all).
    // Code b: nothing suppressed, nothing more hidden. Code c: two suppressed already, so neither stands alone.
    let rows = vec![
        row("a", "M1", 6, 20, 0.3),
        row("a", "M2", 2, 12, 0.2),
        row("a", "M3", 5, 8, 0.6),
        row("b", "M1", 7, 20, 0.4),
        row("b", "M2", 6, 12, 0.5),
        row("b", "M3", 5, 8, 0.6),
        row("c", "M1", 9, 20, 0.5),
        row("c", "M2", 1, 12, 0.1),
        row("c", "M3", 3, 8, 0.4),
    ];
    let codes: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    let ms: Vec<String> = ["M1", "M2", "M3"].map(String::from).to_vec();
    let d = disclose_prevalence(&rows, &codes, &ms, 5);
    assert_eq!(d.cells[0], vec![Cell::Shown(0.3), Cell::Suppressed, Cell::Suppressed]);
    assert_eq!(d.cells[1], vec![Cell::Shown(0.4), Cell::Shown(0.5), Cell::Shown(0.6)]);
    assert_eq!(d.cells[2], vec![Cell::Shown(0.5), Cell::Suppressed, Cell::Suppressed]);
}

mod differences {
    use crate::differences::differences_of_rows as differences;
    use crate::stats::LnFactorials;
    use crate::{CountingUnit, DifferenceConfig, PrevalenceRow, permutation_p};

    fn rows(code: &str, with: &[u64], total: &[u64]) -> Vec<PrevalenceRow> {
        with.iter()
            .zip(total)
            .enumerate()
            .map(|(i, (&w, &t))| PrevalenceRow {
                code: code.into(),
                municipality: format!("{:04}", i + 1),
                segments: w,
                sources: w,
                source_share: (t > 0).then(|| w as f64 / t as f64),
                participants: w,
                participant_share: (t > 0).then(|| w as f64 / t as f64),
                sources_total: t,
                participants_total: t,
            })
            .collect()
    }

    /// The exact permutation p-value by enumerating every table with the same margins.
    fn exact_p(totals: &[u64; 3], with: &[u64; 3]) -> f64 {
        let n: u64 = totals.iter().sum();
        let k: u64 = with.iter().sum();
        let lf = LnFactorials::new(n as usize);
        let t = |x: &[u64; 3]| (0..3).map(|i| (x[i] * x[i]) as f64 / totals[i] as f64).sum::<f64>();
        let observed = t(with);
        let mut p = 0.0;
        for x1 in 0..=totals[0] {
            for x2 in 0..=totals[1] {
                let Some(x3) = k.checked_sub(x1 + x2).filter(|&x3| x3 <= totals[2]) else {
                    continue;
                };
                let prob = (lf.ln_choose(totals[0], x1) + lf.ln_choose(totals[1], x2) + lf.ln_choose(totals[2], x3)
                    - lf.ln_choose(n, k))
                .exp();
                if t(&[x1, x2, x3]) >= observed - 1e-9 {
                    p += prob;
                }
            }
        }
        p
    }

    #[test]
    fn permutation_p_agrees_with_exact_enumeration_within_monte_carlo_error() {
        for (totals, with) in [
            ([6u64, 8, 10], [5u64, 2, 1]),
            ([12, 12, 12], [4, 6, 5]),
            ([3, 4, 30], [3, 0, 5]),
        ] {
            let exact = exact_p(&totals, &with);
            let lf = LnFactorials::new(100);
            let (p, se) = permutation_p(&totals, &with, 200_000, crosscase_model::Rng::new(11), &lf);
            assert!(
                (p - exact).abs() < 4.0 * se + 1e-5,
                "{totals:?} {with:?}: {p} ± {se} vs exact {exact}"
            );
        }
    }

    /// Drawing the small side of the table as a random subset of the items gives the same p-values as the exact
    /// enumeration: with few items with the code, with few without it (then the statistic of the items without it
    /// is compared), and on tables where `permutation_p` itself takes that way (one item without the code).
    #[test]
    fn permutation_p_from_the_small_side_agrees_with_exact_enumeration() {
        use crate::differences::permutation_p_few;
        for (totals, with) in [
            ([6u64, 8, 10], [2u64, 0, 1]),
            ([6, 8, 10], [6, 6, 9]),
            ([3, 4, 30], [3, 0, 5]),
            ([12, 12, 12], [11, 12, 4]),
            ([5, 9, 7], [5, 9, 6]),
        ] {
            let exact = exact_p(&totals, &with);
            let (p, se) = permutation_p_few(&totals, &with, 200_000, crosscase_model::Rng::new(5));
            assert!(
                (p - exact).abs() < 4.0 * se + 1e-5,
                "{totals:?} {with:?}: {p} ± {se} vs exact {exact}"
            );
            let lf = LnFactorials::new(100);
            let (q, se) = permutation_p(&totals, &with, 200_000, crosscase_model::Rng::new(6), &lf);
            assert!((q - exact).abs() < 4.0 * se + 1e-5, "{totals:?} {with:?}: {q} ± {se}");
        }
    }

    #[test]
    fn picks_fisher_for_a_small_2x2_table_and_says_why() {
        let d = differences(
            &rows("c", &[3, 1], &[4, 4]),
            &DifferenceConfig {
                permutations: 999,
                unit: CountingUnit::Source,
                ..Default::default()
            },
        );
        let fisher = &d.tests[0];
        assert_eq!(fisher.test, "fisher");
        // Fisher's tea-tasting table [[3,1],[1,3]]: two-sided p = 34/70.
        assert!((fisher.p_value.unwrap() - 34.0 / 70.0).abs() < 1e-12);
        assert!(fisher.reason.contains("below 5"), "{}", fisher.reason);
        assert_eq!(d.tests[1].test, "permutation");
        assert_eq!(d.contrasts.len(), 2);
        assert!((d.contrasts[0].difference.unwrap() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn uses_chi_square_with_yates_on_a_large_2x2_table() {
        let d = differences(
            &rows("c", &[10, 30], &[30, 70]),
            &DifferenceConfig {
                permutations: 0,
                unit: CountingUnit::Source,
                ..Default::default()
            },
        );
        assert_eq!(d.tests.len(), 1);
        assert_eq!(d.tests[0].test, "chi_square");
        assert!((d.tests[0].statistic.unwrap() - 0.446_428_571_428_571_4).abs() < 1e-12);
        assert!(d.tests[0].reason.contains("Yates"));
    }

    #[test]
    fn degenerate_tables_get_a_defined_answer_and_a_reason() {
        let cfg = DifferenceConfig {
            permutations: 99,
            unit: CountingUnit::Source,
            ..Default::default()
        };
        let none = |with: &[u64], total: &[u64]| differences(&rows("c", with, total), &cfg).tests;
        let t = none(&[0, 0, 0], &[5, 6, 7]);
        assert_eq!((t.len(), t[0].test, t[0].p_value), (1, "none", None));
        assert!(t[0].reason.contains("no source has the code"));
        assert!(none(&[5, 6], &[5, 6])[0].reason.contains("every source has the code"));
        assert!(
            none(&[2, 0], &[5, 0])[0]
                .reason
                .contains("fewer than two municipalities")
        );
        // A municipality without sources has no share and no interval, rather than NaN.
        let d = differences(&rows("c", &[2, 3, 0], &[5, 6, 0]), &cfg);
        assert_eq!((d.contrasts[2].share, d.contrasts[2].ci_low), (None, None));
        assert_eq!(d.tests[0].municipalities, 2);
    }

    #[test]
    fn results_are_the_same_whatever_the_order_codes_run_in() {
        let mut all = rows("a", &[9, 2, 4], &[20, 20, 20]);
        all.extend(rows("b", &[1, 8, 4], &[20, 20, 20]));
        let cfg = DifferenceConfig {
            permutations: 2_000,
            seed: 5,
            unit: CountingUnit::Source,
            confidence: 0.95,
        };
        let first = differences(&all, &cfg);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let single = pool.install(|| differences(&all, &cfg));
        assert_eq!(first, single);
        // q-values are the BH adjustment of the two codes' p-values within each family.
        let perm: Vec<_> = first.tests.iter().filter(|t| t.test == "permutation").collect();
        assert_eq!(perm.len(), 2);
        assert!(perm.iter().all(|t| t.q_value.unwrap() >= t.p_value.unwrap()));
    }
}

mod agreement {
    use crosscase_model::{CodingColumns, Corpus, Municipality, ProjectSettings};

    use super::{code, source};
    use crate::agreement;

    /// Two sources of 100 characters, coders A (0) and B (1), codes X (0) and Y (1):
    /// source 0: A codes X on 0..50, B codes X on 20..50; source 1: both code Y on 0..30 and nothing else.
    fn corpus() -> Corpus {
        Corpus {
            settings: ProjectSettings::new("t"),
            municipalities: vec![Municipality {
                code: "0001".into(),
                name: "A".into(),
                line: 0,
            }],
            waves: vec![],
            wave_names: vec![],
            codes: vec![code("x", None), code("y", None)],
            participants: vec![],
            sources: vec![source("s0", 0, vec![]), source("s1", 0, vec![])],
            coders: vec!["A".into(), "B".into()],
            codings: CodingColumns {
                source: vec![0, 0, 1, 1],
                code: vec![0, 0, 1, 1],
                coder: vec![0, 1, 0, 1],
                start: vec![0, 20, 0, 0],
                end: vec![50, 50, 30, 30],
            },
        }
    }

    #[test]
    fn document_and_character_agreement_worked_by_hand() {
        let rows = agreement(&corpus()).unwrap();
        let get = |code: Option<&str>, level: &str| {
            rows.iter()
                .find(|r| r.code.as_deref() == code && r.level == level)
                .unwrap()
                .clone()
        };
        // Document level, code x: both coders have x in s0 and not in s1: full agreement; κ = 1 (p_e = 0.5).
        let d = get(Some("x"), "document");
        assert_eq!(
            (d.units, d.coders, d.percent_agreement, d.cohen_kappa),
            (2, 2, Some(1.0), Some(1.0))
        );
        assert_eq!(d.krippendorff_alpha, Some(1.0));
        // Character level, code x over 200 characters: A alone on 0..20 (20), both on 20..50 (30), neither on the
        // other 150. p_o = 180/200 = 0.9; p_e = (50/200)(30/200) + (150/200)(170/200) = 0.675; κ = 0.225/0.325.
        let c = get(Some("x"), "character");
        assert_eq!(c.units, 200);
        let close = |a: Option<f64>, b: f64| assert!((a.unwrap() - b).abs() < 1e-12, "{a:?} vs {b}");
        close(c.percent_agreement, 0.9);
        close(c.cohen_kappa, 0.225 / 0.325);
        close(c.brennan_prediger, 0.8);
        // Krippendorff: each unit gives its two ordered pairs: o_11 = 2·30, o_00 = 2·150, o_01 = o_10 = 20;
        // n_1 = 80, n_0 = 320, n = 400; α = 1 − (n − 1)(o_01 + o_10) / (2 n_0 n_1) = 1 − 399 · 40 / 51200.
        close(c.krippendorff_alpha, 1.0 - 399.0 * 40.0 / 51_200.0);
        // Pooled: two codes × two sources at document level.
        assert_eq!(get(None, "document").units, 4);
        assert_eq!(get(None, "character").units, 400);
    }

    #[test]
    fn pooled_agreement_counts_the_codes_coders_apply_not_their_parents() {
        // Code y becomes a child of x, and nobody applies x itself in source 1: the rolled-up x row counts s1 (y),
        // but the pool holds only what was applied: x in s0 and s1, y in s0 and s1, each unit valued by that code
        // alone. Old pooling (x rolled up plus y) counted y's codings in s1 twice.
        let mut c = corpus();
        c.codes = vec![code("x", None), code("y", Some("x"))];
        let rows = agreement(&c).unwrap();
        let get = |code: Option<&str>, level: &str| {
            rows.iter()
                .find(|r| r.code.as_deref() == code && r.level == level)
                .unwrap()
                .clone()
        };
        // x rolled up: present for both coders in s0 and in s1.
        assert_eq!(get(Some("x"), "document").percent_agreement, Some(1.0));
        // Pooled: 2 applied codes × 2 sources, at character level 2 × 200 characters.
        assert_eq!(get(None, "document").units, 4);
        assert_eq!(get(None, "character").units, 400);
        // Only y is applied: the pool is y's units alone, not x's rolled-up copy of them.
        c.codings.code = vec![1, 1, 1, 1];
        let rows = agreement(&c).unwrap();
        let pooled = rows
            .iter()
            .find(|r| r.code.is_none() && r.level == "character")
            .unwrap();
        let y = rows
            .iter()
            .find(|r| r.code.as_deref() == Some("y") && r.level == "character")
            .unwrap();
        assert_eq!((pooled.units, pooled.percent_agreement), (y.units, y.percent_agreement));
    }

    #[test]
    fn a_single_coder_gets_a_clear_message() {
        let mut c = corpus();
        c.codings.coder = vec![0, 0, 0, 0];
        c.coders.truncate(1);
        let e = agreement(&c).unwrap_err().to_string();
        assert!(
            e.contains("only one coder (A)") && e.contains("two coders on the same source"),
            "{e}"
        );
    }
}

mod cooccurrence {
    use crosscase_model::{CodingColumns, Corpus, Municipality, ProjectSettings};

    use super::{code, source};
    use crate::cooccurrence;

    #[test]
    fn counts_overlaps_nearby_segments_and_shared_sources() {
        // Codes: x, y, and x.1 (a child of x). Source 0 (municipality A): x 0..10, y 5..15, y 40..50, x.1 0..10.
        // Source 1 (municipality B): y 0..10. Source 2 (B): x 0..5, y 100..110.
        let corpus = Corpus {
            settings: ProjectSettings::new("t"),
            municipalities: vec![
                Municipality {
                    code: "0001".into(),
                    name: "A".into(),
                    line: 0,
                },
                Municipality {
                    code: "0002".into(),
                    name: "B".into(),
                    line: 0,
                },
            ],
            waves: vec![],
            wave_names: vec![],
            codes: vec![code("x", None), code("y", None), code("x.1", Some("x"))],
            participants: vec![],
            sources: vec![
                source("s0", 0, vec![]),
                source("s1", 1, vec![]),
                source("s2", 1, vec![]),
            ],
            coders: vec!["A".into()],
            codings: CodingColumns {
                source: vec![0, 0, 0, 0, 1, 2, 2],
                code: vec![0, 1, 1, 2, 1, 0, 1],
                coder: vec![0; 7],
                start: vec![0, 5, 40, 0, 0, 0, 100],
                end: vec![10, 15, 50, 10, 10, 5, 110],
            },
        };
        let rows = cooccurrence(&corpus, 30);
        let find = |a: &str, b: &str, m: Option<&str>| {
            rows.iter()
                .find(|r| r.code_a == a && r.code_b == b && r.municipality.as_deref() == m)
                .cloned()
        };
        // x (with x.1 rolled up: its 0..10 is the same segment as x's) and y overall:
        // s0: x 0..10 overlaps y 5..15; y 40..50 starts 30 after x ends (within 30, not overlapping); s2: 95 apart.
        let xy = find("x", "y", None).unwrap();
        assert_eq!((xy.overlapping, xy.within, xy.same_source), (1, 2, 2));
        assert_eq!((xy.sources_a, xy.sources_b), (2, 3));
        assert_eq!(xy.jaccard, Some(2.0 / 3.0));
        // Segments: x has s0 0..10 and s2 0..5; y has three.
        assert_eq!((xy.segments_a, xy.segments_b), (2, 4));
        assert_eq!(xy.c_coefficient, Some(1.0 / 5.0));
        // x.1 pairs with y but never with its own parent x.
        assert!(find("y", "x.1", None).is_some());
        assert!(find("x", "x.1", None).is_none());
        // By municipality: in B, x and y share s2 but are 95 characters apart.
        let b = find("x", "y", Some("0002")).unwrap();
        assert_eq!((b.overlapping, b.within, b.same_source), (0, 0, 1));
    }

    #[test]
    fn the_c_coefficient_stays_within_0_and_1_when_a_segment_overlaps_several() {
        // One long x segment 0..100 over three y segments 0..10, 20..30, 40..50, and a y segment 200..210 alone.
        // Counting pairs, n12 = 3 and c = 3 / (1 + 4 − 3) = 1.5. Counting co-occurring segments once each, x's one
        // segment and y's three: n12 = (1 + 3) / 2 = 2, c = 2 / (1 + 4 − 2) = 2/3.
        let corpus = Corpus {
            settings: ProjectSettings::new("t"),
            municipalities: vec![Municipality {
                code: "0001".into(),
                name: "A".into(),
                line: 0,
            }],
            waves: vec![],
            wave_names: vec![],
            codes: vec![code("x", None), code("y", None)],
            participants: vec![],
            sources: vec![source("s0", 0, vec![])],
            coders: vec!["A".into()],
            codings: CodingColumns {
                source: vec![0; 5],
                code: vec![0, 1, 1, 1, 1],
                coder: vec![0; 5],
                start: vec![0, 0, 20, 40, 200],
                end: vec![100, 10, 30, 50, 210],
            },
        };
        let rows = cooccurrence(&corpus, 0);
        let xy = rows.iter().find(|r| r.municipality.is_none()).unwrap();
        assert_eq!((xy.overlapping, xy.overlapping_a, xy.overlapping_b), (3, 1, 3));
        assert_eq!(xy.c_coefficient, Some(2.0 / 3.0));
        // Without the lone y segment every segment co-occurs: c = 1, not 3 / (1 + 3 − 3) = 3.
        let mut all = corpus.clone();
        for column in [&mut all.codings.start, &mut all.codings.end] {
            column.pop();
        }
        all.codings.source.pop();
        all.codings.code.pop();
        all.codings.coder.pop();
        let rows = cooccurrence(&all, 0);
        assert_eq!(rows[0].c_coefficient, Some(1.0));
    }
}

#[test]
fn breakdown_counts_in_the_chosen_unit_with_its_n() {
    use crate::{Attribute, Count, breakdown};
    let c = corpus();
    // By municipality in sources: A has 3 sources, 2 with `parent`; B has 1 source with it.
    let rows = breakdown(&c, Attribute::Municipality, Count::Source).unwrap();
    let get = |rows: &[crate::BreakdownRow], code: &str, group: &str| {
        rows.iter()
            .find(|r| r.code == code && r.group == group)
            .unwrap()
            .clone()
    };
    let a = get(&rows, "parent", "0001");
    assert_eq!((a.count, a.n), (2, 3));
    assert!((a.column_percent.unwrap() - 200.0 / 3.0).abs() < 1e-12);
    // Row percent: 2 of the code's 3 sources are in A.
    assert!((a.row_percent.unwrap() - 200.0 / 3.0).abs() < 1e-12);
    // In segments, A's N is every distinct coded segment there (s0 0..5, s0 10..20, s1 3..8).
    let rows = breakdown(&c, Attribute::Municipality, Count::Segment).unwrap();
    let a = get(&rows, "parent", "0001");
    assert_eq!((a.count, a.n, a.column_percent), (3, 3, Some(100.0)));
    // By role: every participant is an employee; the source without participants (s2) is in no role group.
    let rows = breakdown(&c, Attribute::Role, Count::Participant).unwrap();
    let e = get(&rows, "parent", "employee");
    assert_eq!((e.count, e.n), (4, 4));
    assert!(rows.iter().all(|r| r.group == "employee"));
    // No words in these sources: the rate is undefined, not NaN.
    assert_eq!(e.per_1000_words, None);
}

mod ideas {
    use crosscase_model::{Date, Headcount, Idea, IdeaEvent, IdeaRecords, IdeaStages};

    use crate::{ExitCensoring, IdeaConfig, IdeaGrouping, analyse_ideas, funnel, implementation_times};

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn idea(id: &str, municipality: &str, submitted: &str, codes: &[&str]) -> Idea {
        Idea {
            id: id.into(),
            municipality: municipality.into(),
            unit: Some(format!("{municipality}-U")),
            submitted: date(submitted),
            wave: None,
            codes: codes.iter().map(|c| c.to_string()).collect(),
            title: None,
            line: 0,
        }
    }

    fn event(idea: &str, stage: &str, on: &str) -> IdeaEvent {
        IdeaEvent {
            idea: idea.into(),
            stage: stage.into(),
            date: date(on),
            line: 0,
        }
    }

    /// Municipality A: a1 implemented after 10 days (and spread), a2 implemented after 30 days without a "tested"
    /// event, a3 rejected after assessment, a4 still open. B: b1 assessed only, b2 withdrawn.
    /// Follow-up ends 2020-03-01; head counts: A 200 employees, B's two units 30 + 20.
    fn records() -> IdeaRecords {
        IdeaRecords {
            stages: IdeaStages {
                observed_until: Some(date("2020-03-01")),
                ..IdeaStages::default()
            },
            ideas: vec![
                idea("a1", "A", "2020-01-01", &["t1"]),
                idea("a2", "A", "2020-01-01", &["t1", "t2"]),
                idea("a3", "A", "2020-01-11", &["t2"]),
                idea("a4", "A", "2020-02-20", &[]),
                idea("b1", "B", "2020-01-01", &["t1"]),
                idea("b2", "B", "2020-01-31", &[]),
            ],
            events: vec![
                event("a1", "assessed", "2020-01-05"),
                event("a1", "tested", "2020-01-08"),
                event("a1", "implemented", "2020-01-11"),
                event("a1", "spread", "2020-02-01"),
                event("a2", "implemented", "2020-01-31"),
                event("a3", "assessed", "2020-01-12"),
                event("a3", "rejected", "2020-01-20"),
                event("b1", "assessed", "2020-01-10"),
                event("b2", "withdrawn", "2020-02-05"),
            ],
            headcounts: vec![
                Headcount {
                    municipality: "A".into(),
                    unit: None,
                    employees: 200,
                    line: 0,
                },
                Headcount {
                    municipality: "B".into(),
                    unit: Some("B-U".into()),
                    employees: 30,
                    line: 0,
                },
                Headcount {
                    municipality: "B".into(),
                    unit: Some("B-X".into()),
                    employees: 20,
                    line: 0,
                },
            ],
        }
    }

    #[test]
    fn funnel_counts_an_idea_at_every_stage_it_passed() {
        let r = records();
        let a: Vec<&Idea> = r.ideas.iter().filter(|i| i.municipality == "A").collect();
        let f = funnel(&r, &a);
        let reached: Vec<u64> = f.progress.iter().map(|p| p.1).collect();
        // submitted 4; assessed a1, a2 (implemented implies it), a3; tested a1, a2; implemented a1, a2; spread a1.
        assert_eq!(reached, [4, 3, 2, 2, 1]);
        assert_eq!(f.exits, [("rejected".to_string(), 1), ("withdrawn".to_string(), 0)]);
    }

    #[test]
    fn rejected_and_open_ideas_are_followed_to_the_end() {
        let r = records();
        let a: Vec<&Idea> = r.ideas.iter().filter(|i| i.municipality == "A").collect();
        let times = |exits| -> Vec<(f64, bool)> {
            implementation_times(&r, &a, exits)
                .unwrap()
                .iter()
                .map(|o| (o.time, o.event))
                .collect()
        };
        // a1 10 days, a2 30 days; a3 (rejected) censored at 2020-03-01: 50 days; a4 open: 10 days.
        assert_eq!(
            times(ExitCensoring::EndOfFollowUp),
            [(10.0, true), (30.0, true), (50.0, false), (10.0, false)]
        );
        // Censored at its rejection instead, a3 leaves after 9 days.
        assert_eq!(
            times(ExitCensoring::ExitDate),
            [(10.0, true), (30.0, true), (9.0, false), (10.0, false)]
        );
    }

    #[test]
    fn analysis_by_municipality_worked_by_hand() {
        let r = records();
        let a = analyse_ideas(&r, &IdeaConfig::default()).unwrap();
        let row = |group: &str, stage: &str| {
            a.funnel
                .iter()
                .find(|f| f.group == group && f.stage == stage)
                .unwrap()
                .clone()
        };
        let implemented = row("A", "implemented");
        assert_eq!((implemented.ideas, implemented.reached), (4, 2));
        assert_eq!(implemented.share, Some(0.5));
        assert_eq!(implemented.conversion, Some(1.0)); // both tested ideas were implemented
        assert_eq!(implemented.ideas_per_100_employees, Some(2.0)); // 4 ideas, 200 employees
        assert_eq!(row("B", "submitted").employees, Some(50)); // B's units summed
        assert_eq!(row("B", "withdrawn").reached, 1);
        assert_eq!(row("all", "implemented").reached, 2);
        assert_eq!(row("all", "submitted").employees, Some(250));
        // A: times 10 (event), 10 (censored), 30 (event), 50 (censored). At day 10 four at risk, one implemented:
        // S = 3/4; at day 30 two at risk: S = 3/4 · 1/2 = 3/8; the median is 30 days.
        let a_median = a.medians.iter().find(|m| m.group == "A").unwrap();
        assert_eq!((a_median.implemented, a_median.median_days), (2, Some(30.0)));
        let steps: Vec<(f64, u64, f64)> = a
            .survival
            .iter()
            .filter(|s| s.group == "A")
            .map(|s| (s.days, s.at_risk, s.not_implemented))
            .collect();
        assert_eq!(steps, [(10.0, 4, 0.75), (30.0, 2, 0.375), (50.0, 1, 0.375)]);
        // B implemented nothing: its median is not reached, and says why.
        let b_median = a.medians.iter().find(|m| m.group == "B").unwrap();
        assert_eq!(b_median.median_days, None);
        assert!(b_median.reason.contains("fewer than half"));
        assert_eq!(a.log_rank.df, Some(1));
        assert!(a.log_rank.p_value.unwrap() > 0.0 && a.log_rank.p_value.unwrap() < 1.0);
    }

    #[test]
    fn themes_overlap_and_are_not_tested_and_no_ideas_is_a_clear_message() {
        let r = records();
        let config = IdeaConfig {
            grouping: IdeaGrouping::Theme,
            ..IdeaConfig::default()
        };
        let a = analyse_ideas(&r, &config).unwrap();
        assert_eq!(a.log_rank.p_value, None);
        assert!(a.log_rank.reason.contains("overlap"));
        // a2 has both themes and counts in both.
        let t1 = a
            .funnel
            .iter()
            .find(|f| f.group == "t1" && f.stage == "submitted")
            .unwrap();
        let t2 = a
            .funnel
            .iter()
            .find(|f| f.group == "t2" && f.stage == "submitted")
            .unwrap();
        assert_eq!((t1.ideas, t2.ideas), (3, 2));
        let err = analyse_ideas(&IdeaRecords::default(), &IdeaConfig::default()).unwrap_err();
        assert!(err.to_string().contains("no idea records"));
    }
}

mod survey {
    use crosscase_model::{Dimension, Instrument, Role, SurveyDesign, SurveyItem, SurveyRecords, SurveyResponse};

    use crate::{SurveyConfig, SurveyGrouping, analyse_survey};

    fn instrument(design: SurveyDesign) -> Instrument {
        let item = |id: &str, reverse| SurveyItem {
            id: id.into(),
            text_sv: id.into(),
            text_en: id.into(),
            dimension: Some("d".into()),
            reverse,
        };
        Instrument {
            id: "s".into(),
            name_sv: "s".into(),
            name_en: "s".into(),
            design,
            scale_min: 1,
            scale_max: 5,
            labels_sv: Vec::new(),
            labels_en: Vec::new(),
            missing: Vec::new(),
            dimensions: vec![Dimension {
                id: "d".into(),
                label_sv: "d".into(),
                label_en: "d".into(),
            }],
            items: vec![item("q1", false), item("q2", true)],
        }
    }

    fn response(who: &str, municipality: &str, wave: &str, values: [Option<u8>; 2]) -> SurveyResponse {
        SurveyResponse {
            instrument: "s".into(),
            respondent: who.into(),
            municipality: municipality.into(),
            role: Some(Role::MiddleManager),
            wave: wave.into(),
            values: values.to_vec(),
            line: 0,
        }
    }

    /// A: R1 (5, 1), R2 (4, 2), R3 (2, no answer); B: R4 (1, 5), R5 (3, 3).
    /// q2 is reverse-coded, so R1's index is (5 + 5) / 2 = 5, R2's (4 + 4) / 2 = 4, R3's 2 (one of two items is
    /// enough), R4's (1 + 1) / 2 = 1, R5's 3.
    fn records() -> SurveyRecords {
        SurveyRecords {
            instruments: vec![instrument(SurveyDesign::Waves)],
            responses: vec![
                response("R1", "A", "w1", [Some(5), Some(1)]),
                response("R2", "A", "w1", [Some(4), Some(2)]),
                response("R3", "A", "w1", [Some(2), None]),
                response("R4", "B", "w1", [Some(1), Some(5)]),
                response("R5", "B", "w1", [Some(3), Some(3)]),
            ],
        }
    }

    #[test]
    fn items_and_indices_worked_by_hand() {
        let a = analyse_survey(&records(), "s", &["w1".into()], &SurveyConfig::default()).unwrap();
        let item = |group: &str, id: &str| a.items.iter().find(|r| r.group == group && r.item == id).unwrap();
        let q1 = item("A", "q1");
        assert_eq!(
            (q1.n, q1.no_answer, q1.mean, q1.median),
            (3, 0, Some(11.0 / 3.0), Some(4.0))
        );
        // Top two box: 4 and 5 on a 1–5 scale; R1 and R2.
        assert_eq!(q1.top_two, Some(2.0 / 3.0));
        assert_eq!(q1.distribution, [0, 1, 0, 1, 1]);
        let q2 = item("A", "q2");
        assert_eq!((q2.n, q2.no_answer, q2.median), (2, 1, Some(1.5)));
        let index = |group: &str| a.indices.iter().find(|r| r.group == group).unwrap();
        assert_eq!((index("A").n, index("A").mean), (3, Some(11.0 / 3.0)));
        assert_eq!(index("B").mean, Some(2.0));
        assert_eq!(index("all").n, 5);
        // α from A's two complete respondents: scored (5, 5) and (4, 4) are perfectly consistent.
        assert_eq!((index("A").alpha_n, index("A").cronbach_alpha), (2, Some(1.0)));
        // One Kruskal–Wallis and one Mann–Whitney pair per item and per dimension.
        let tests: Vec<_> = a.tests.iter().filter(|t| t.target == "d").collect();
        assert_eq!(tests.len(), 2);
        assert_eq!(
            (tests[0].test, tests[0].groups, tests[0].df),
            ("kruskal_wallis", 2, Some(1))
        );
        let pair = tests[1];
        assert_eq!(
            (pair.group_a.as_deref(), pair.group_b.as_deref()),
            (Some("A"), Some("B"))
        );
        // U of A's indices (5, 4, 2) against B's (1, 3): pairs with A ahead 2 + 2 + 1 = 5.
        assert_eq!(pair.statistic, Some(5.0));
        // One BH family per test within the instrument and wave: the Kruskal–Wallis rows of q1, q2 and d together
        // (as R's p.adjust(p, "BH") on their three p-values), and so the Mann–Whitney rows.
        for test in ["kruskal_wallis", "mann_whitney"] {
            let rows: Vec<_> = a
                .tests
                .iter()
                .filter(|t| t.test == test && t.group_by == "municipality")
                .collect();
            assert_eq!(rows.len(), 3);
            let q = crate::stats::benjamini_hochberg(&rows.iter().map(|r| r.p_value).collect::<Vec<_>>());
            assert_eq!(rows.iter().map(|r| r.q_value).collect::<Vec<_>>(), q);
            assert!(rows.iter().all(|r| r.q_value.is_some()));
        }
        let q1 = item("A", "q1");
        assert_eq!(q1.confidence, 0.95);
    }

    #[test]
    fn identical_answers_have_no_rank_test_and_no_q_value() {
        let records = SurveyRecords {
            instruments: vec![instrument(SurveyDesign::Waves)],
            responses: vec![
                response("R1", "A", "w1", [Some(3), Some(1)]),
                response("R2", "A", "w1", [Some(3), Some(2)]),
                response("R4", "B", "w1", [Some(3), Some(5)]),
                response("R5", "B", "w1", [Some(3), Some(3)]),
            ],
        };
        let a = analyse_survey(&records, "s", &["w1".into()], &SurveyConfig::default()).unwrap();
        for test in ["kruskal_wallis", "mann_whitney"] {
            let t = a.tests.iter().find(|t| t.target == "q1" && t.test == test).unwrap();
            assert_eq!((t.statistic, t.p_value, t.q_value), (None, None, None), "{test}");
            assert!(t.reason.contains("every answer is the same"), "{}", t.reason);
        }
    }

    #[test]
    fn grouping_by_role_and_unknown_instruments() {
        let config = SurveyConfig {
            grouping: SurveyGrouping::Role,
            confidence: 0.95,
        };
        let a = analyse_survey(&records(), "s", &["w1".into()], &config).unwrap();
        assert!(a.items.iter().all(|r| r.group == "middle_manager" || r.group == "all"));
        let err = analyse_survey(&records(), "x", &[], &config).unwrap_err();
        assert!(err.to_string().contains("its instruments are: s"), "{err}");
        let err = analyse_survey(&SurveyRecords::default(), "x", &[], &config).unwrap_err();
        assert!(err.to_string().contains("no survey instruments"), "{err}");
    }

    #[test]
    fn before_and_after_paired_and_unpaired() {
        // Paired: P1 2 → 4, P2 3 → 3, P3 1 → 2 on the index (q2 reverse: value 6 − index).
        let paired = SurveyRecords {
            instruments: vec![instrument(SurveyDesign::PrePost)],
            responses: vec![
                response("P1", "A", "pre", [Some(2), Some(4)]),
                response("P2", "A", "pre", [Some(3), Some(3)]),
                response("P3", "A", "pre", [Some(1), Some(5)]),
                response("P1", "A", "post", [Some(4), Some(2)]),
                response("P2", "A", "post", [Some(3), Some(3)]),
                response("P3", "A", "post", [Some(2), Some(4)]),
            ],
        };
        let a = analyse_survey(&paired, "s", &[], &SurveyConfig::default()).unwrap();
        let row = a.pre_post.iter().find(|r| r.group == "A" && r.target == "d").unwrap();
        assert_eq!((row.design, row.pairs), ("paired", 3));
        assert_eq!((row.mean_pre, row.mean_post), (Some(2.0), Some(3.0)));
        // Two of three improved ("2 of 3"); P2 did not change.
        assert_eq!((row.improved, row.improved_share), (Some(2), Some(2.0 / 3.0)));
        assert!(row.improved_low.unwrap() < 2.0 / 3.0 && row.improved_high.unwrap() > 2.0 / 3.0);
        // Wilcoxon drops the zero difference: differences 2 and 1, both positive, so min(W+, W−) = 0.
        assert_eq!(row.statistic, Some(0.0));
        assert_eq!(row.confidence, 0.95);
        // q2 is reverse-coded: P1 answers 4 → 2 and P3 5 → 4, a fall in the raw answer and so an improvement.
        let q2 = a.pre_post.iter().find(|r| r.group == "A" && r.target == "q2").unwrap();
        assert_eq!((q2.mean_pre, q2.mean_post), (Some(4.0), Some(3.0)));
        assert_eq!(q2.improved, Some(2));
        // Unpaired: nobody answered both times, so the groups are compared by Mann–Whitney.
        let mut unpaired = paired.clone();
        for r in unpaired.responses.iter_mut().filter(|r| r.wave == "post") {
            r.respondent.push('x');
        }
        let a = analyse_survey(&unpaired, "s", &[], &SurveyConfig::default()).unwrap();
        let row = a.pre_post.iter().find(|r| r.group == "A" && r.target == "d").unwrap();
        assert_eq!((row.design, row.pairs, row.improved), ("unpaired", 0, None));
        assert!(row.p_value.is_some() && row.reason.contains("no respondent answered both"));
    }
}

#[test]
fn participant_clusters_hold_the_sources_of_the_same_people() {
    // s0 (p0), s1 (p1, p2), s2 (no participant), s3 (p3): four clusters of one source each.
    let c = crate::participant_clusters(&corpus());
    assert_eq!(
        (c.of_source.clone(), c.sources.clone(), c.municipality.clone()),
        (vec![0, 1, 2, 3], vec![1; 4], vec![0, 0, 0, 1])
    );
    // p0 also in s2, the group p2 and p1 (in another order) again in s4, and p2 alone in s5: s0 and s2 join, s1 and s4
    // join, s5 is p2's own interview and a cluster of its own; s3 stays alone.
    let mut corpus = corpus();
    corpus.sources[2].participants = vec![0];
    corpus.sources.push(source("s4", 0, vec![2, 1]));
    corpus.sources.push(source("s5", 0, vec![2]));
    let c = crate::participant_clusters(&corpus);
    assert_eq!(c.of_source, vec![0, 1, 0, 2, 1, 3]);
    assert_eq!((c.sources.clone(), c.repeated()), (vec![2, 2, 1, 1], 2));
}
