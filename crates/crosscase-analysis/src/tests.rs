//! Prevalence on small corpora whose counts are worked out by hand in the comments.

use crosscase_model::{
    Code, CodingColumns, Corpus, Municipality, ParticipantFacts, ProjectSettings, Role, SourceFacts, SourceKind,
};

use crate::{Cell, disclose_prevalence, prevalence};

fn code(id: &str, parent: Option<&str>) -> Code {
    Code {
        id: id.into(),
        parent: parent.map(str::to_string),
        label_sv: id.into(),
        label_en: id.into(),
        description: None,
        colour: None,
        line: 0,
    }
}

fn source(id: &str, municipality: u32, participants: Vec<u32>) -> SourceFacts {
    SourceFacts {
        id: id.into(),
        kind: SourceKind::Interview,
        municipality,
        unit: None,
        wave: None,
        participants,
        words: 0,
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
    // Threshold 3: A has 3 participants (parent: 3 with the code, shown); B has 1 in all (suppressed).
    let d = disclose_prevalence(&rows, &codes, &ms, 3);
    assert_eq!(d.cells[0], vec![Cell::Shown(2.0 / 3.0), Cell::Suppressed]);
    assert_eq!(d.cells[2], vec![Cell::Shown(0.0), Cell::Suppressed]);
    // Threshold 4: A's 3 participants are too few as well.
    let d = disclose_prevalence(&rows, &codes, &ms, 4);
    assert_eq!(d.cells[0], vec![Cell::Suppressed, Cell::Suppressed]);
}
