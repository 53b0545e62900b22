//! Simulation under a true null with repeated participants: no municipality differs, and each participant's sources
//! share the participant's own propensity to carry a code. The default comparison (participant clusters) must reject
//! about 5 % of codes at the 5 % level; the old default (sources as units) rejects far more.

use crosscase_model::{
    CodingColumns, Corpus, Municipality, ParticipantFacts, ProjectSettings, Rng, Role, SourceFacts, SourceKind,
};

use crate::tests::code;
use crate::{CountingUnit, DifferenceConfig, differences, prevalence};

/// `municipalities` × `participants` participants, each with 1–5 sources (uniform); for every code each participant
/// draws a propensity from U(0, 1) and each of their sources has the code with that probability.
fn null_corpus(seed: u64, municipalities: u32, participants: u32, codes: u32) -> Corpus {
    let mut rng = Rng::new(seed);
    let mut sources = Vec::new();
    let mut people = Vec::new();
    let mut owner = Vec::new();
    for m in 0..municipalities {
        for _ in 0..participants {
            let p = people.len() as u32;
            people.push(ParticipantFacts {
                id: format!("p{p}"),
                municipality: m,
                unit: None,
                role: Role::Employee,
            });
            for _ in 0..1 + rng.below(5) {
                owner.push(p);
                sources.push(SourceFacts {
                    id: format!("s{}", sources.len()),
                    kind: SourceKind::Interview,
                    municipality: m,
                    unit: None,
                    wave: None,
                    participants: vec![p],
                    words: 0,
                    chars: 100,
                });
            }
        }
    }
    let mut codings = CodingColumns::default();
    for c in 0..codes {
        let propensity: Vec<f64> = (0..people.len()).map(|_| rng.unit()).collect();
        for (s, &p) in owner.iter().enumerate() {
            if rng.chance(propensity[p as usize]) {
                codings.source.push(s as u32);
                codings.code.push(c);
                codings.coder.push(0);
                codings.start.push(0);
                codings.end.push(10);
            }
        }
    }
    Corpus {
        settings: ProjectSettings::new("null"),
        municipalities: (0..municipalities)
            .map(|m| Municipality {
                code: format!("{:04}", m + 1),
                name: format!("M{m}"),
                line: 0,
            })
            .collect(),
        waves: vec![],
        codes: (0..codes).map(|c| code(&format!("c{c}"), None)).collect(),
        participants: people,
        sources,
        coders: vec!["AL".into()],
        codings,
    }
}

/// The share of codes whose test of kind `test` has p < 0.05.
fn rejection_rate(corpus: &Corpus, unit: CountingUnit, classical: bool) -> f64 {
    let rows = prevalence(corpus).unwrap();
    let cfg = DifferenceConfig {
        unit,
        permutations: 999,
        seed: 3,
        confidence: 0.95,
    };
    let d = differences(corpus, &rows, &cfg);
    let tests: Vec<_> = d
        .tests
        .iter()
        .filter(|t| (t.test == "permutation") != classical && t.test != "none")
        .collect();
    tests.iter().filter(|t| t.p_value.unwrap() < 0.05).count() as f64 / tests.len() as f64
}

#[test]
fn the_default_comparison_keeps_its_level_when_participants_repeat_and_the_source_level_test_does_not() {
    // 4 municipalities × 20 participants with 1–5 sources each (about 240 sources), 600 codes: the Monte Carlo
    // standard error of a 5 % rejection rate is √(0.05 · 0.95 / 600) ≈ 0.9 percentage points.
    let corpus = null_corpus(20_261_202, 4, 20, 600);
    let repeated = corpus.sources.len() - corpus.participants.len();
    assert!(repeated > 100, "{repeated} repeated sources");
    let cluster_permutation = rejection_rate(&corpus, CountingUnit::Cluster, false);
    let cluster_classical = rejection_rate(&corpus, CountingUnit::Cluster, true);
    let source_permutation = rejection_rate(&corpus, CountingUnit::Source, false);
    let source_classical = rejection_rate(&corpus, CountingUnit::Source, true);
    let rates = format!(
        "cluster: permutation {cluster_permutation:.4}, classical {cluster_classical:.4}; source: permutation {source_permutation:.4}, classical {source_classical:.4}"
    );
    // Within three standard errors of 5 %, and at most the 7.5 %.
    for rate in [cluster_permutation, cluster_classical] {
        assert!((0.023..=0.075).contains(&rate), "{rates}");
    }
    // Sources of one participant counted as independent: far above the nominal level.
    for rate in [source_permutation, source_classical] {
        assert!(rate > 0.15, "{rates}");
    }
}
