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
        wave_names: vec![],
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

/// `municipalities` × `participants` participants in two waves, with 0–`most` sources in each (at least one in all;
/// with `one_wave`, all of a person's sources in one of the two). For every code each participant draws a propensity
/// from U(0, 1) that holds in both waves, so nothing changes between them.
fn null_two_waves(seed: u64, participants: u32, most: u64, one_wave: bool, codes: u32) -> Corpus {
    let mut rng = Rng::new(seed);
    let mut corpus = null_corpus(seed, 4, participants, 0);
    corpus.sources.clear();
    corpus.waves = vec!["v1".into(), "v2".into()];
    let mut owner = Vec::new();
    for p in 0..corpus.participants.len() as u32 {
        let (first, second) = loop {
            let mut pair = (rng.below(most + 1), rng.below(most + 1));
            if one_wave {
                if rng.chance(0.5) {
                    pair.1 = 0;
                } else {
                    pair.0 = 0;
                }
            }
            if pair != (0, 0) {
                break pair;
            }
        };
        for wave in std::iter::repeat_n(0, first as usize).chain(std::iter::repeat_n(1, second as usize)) {
            owner.push(p);
            corpus.sources.push(SourceFacts {
                id: format!("s{}", corpus.sources.len()),
                kind: SourceKind::Interview,
                municipality: corpus.participants[p as usize].municipality,
                unit: None,
                wave: Some(wave),
                participants: vec![p],
                words: 0,
                chars: 100,
            });
        }
    }
    for c in 0..codes {
        let propensity: Vec<f64> = (0..corpus.participants.len()).map(|_| rng.unit()).collect();
        for (s, &p) in owner.iter().enumerate() {
            if rng.chance(propensity[p as usize]) {
                corpus.codings.source.push(s as u32);
                corpus.codings.code.push(c);
                corpus.codings.coder.push(0);
                corpus.codings.start.push(0);
                corpus.codings.end.push(10);
            }
        }
    }
    corpus.codes = (0..codes).map(|c| code(&format!("c{c}"), None)).collect();
    corpus
}

/// The share of (code, municipality) rows whose change is significant at 5 %: with participant clusters as
/// `wave_changes` tests, and with every source as a unit of its own (the earlier default), with the same tests.
fn wave_rejection_rates(corpus: &Corpus) -> (f64, f64, f64) {
    let rows = crate::wave_changes(corpus, "v1", "v2", 0.95).unwrap();
    let tested: Vec<_> = rows.iter().filter(|r| r.p_value.is_some()).collect();
    let rate = |n: usize| n as f64 / tested.len() as f64;
    let rejected = tested.iter().filter(|r| r.p_value.unwrap() < 0.05).count();
    // What a pack calls a change: the interval excludes zero and the test agrees.
    let named = tested
        .iter()
        .filter(|r| r.p_value.unwrap() < 0.05 && (r.ci_low.unwrap() > 0.0 || r.ci_high.unwrap() < 0.0))
        .count();
    let (mut source_rejected, mut source_tested) = (0usize, 0usize);
    for c in 0..corpus.codes.len() as u32 {
        for m in 0..corpus.municipalities.len() as u32 {
            let (mut x, mut n) = ([0u64; 2], [0u64; 2]);
            let mut has = std::collections::HashSet::new();
            for i in 0..corpus.codings.source.len() {
                if corpus.codings.code[i] == c {
                    has.insert(corpus.codings.source[i]);
                }
            }
            for (si, s) in corpus.sources.iter().enumerate() {
                if s.municipality == m {
                    let k = s.wave.unwrap() as usize;
                    n[k] += 1;
                    x[k] += has.contains(&(si as u32)) as u64;
                }
            }
            let cell = crate::waves::WaveCell { with: x, n };
            if let Some(p) = cell.test(0.95).p_value {
                source_tested += 1;
                source_rejected += (p < 0.05) as usize;
            }
        }
    }
    (
        rate(rejected),
        rate(named),
        source_rejected as f64 / source_tested as f64,
    )
}

#[test]
fn the_change_between_waves_keeps_its_level_when_the_same_people_are_in_both() {
    // 4 municipalities × 25 participants and 150 codes: 600 rows of (code, municipality), so the Monte Carlo standard
    // error of a 5 % rate is about 0.9 percentage points. People in both waves with up to three sources in each,
    // and people in one wave only with up to four there.
    for (one_wave, most, seed) in [(false, 3, 1), (false, 5, 2), (true, 4, 3), (true, 6, 4)] {
        let corpus = null_two_waves(20_261_203 + seed, 25, most, one_wave, 150);
        let (rejected, named, sources) = wave_rejection_rates(&corpus);
        let rates = format!(
            "one wave {one_wave}, up to {most} sources: clusters reject {rejected:.4} (named as a change {named:.4}); sources as units reject {sources:.4}"
        );
        assert!(rejected <= 0.075 && named <= rejected, "{rates}");
        // Several sources of one person in one wave counted as independent: far above the nominal level.
        if one_wave {
            assert!(sources > 0.09, "{rates}");
        }
    }
}
