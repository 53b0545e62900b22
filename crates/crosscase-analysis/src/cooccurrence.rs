//! Which codes go together: for every pair of codes, how often they overlap, share a source, or come within a few
//! characters of each other; overall and by municipality.

use std::collections::{BTreeMap, HashSet};

use crosscase_model::Corpus;
use serde::Serialize;

use crate::prevalence::counted_codings;

/// One pair of codes, overall (`municipality` is `None`) or in one municipality.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CooccurrenceRow {
    pub code_a: String,
    pub code_b: String,
    pub municipality: Option<String>,
    /// Pairs of segments (one with each code) in the same source whose ranges overlap.
    pub overlapping: u64,
    /// Pairs of segments in the same source at most `within_chars` characters apart (overlapping ones included).
    pub within: u64,
    pub within_chars: u64,
    /// Sources with both codes.
    pub same_source: u64,
    pub sources_a: u64,
    pub sources_b: u64,
    /// same_source / (sources_a + sources_b − same_source).
    pub jaccard: Option<f64>,
    pub segments_a: u64,
    pub segments_b: u64,
    /// Segments with `code_a` that overlap at least one segment with `code_b`, and the other way round.
    pub overlapping_a: u64,
    pub overlapping_b: u64,
    /// ATLAS.ti's c-coefficient n12 / (n1 + n2 − n12) on segments, with n12 the co-occurring segments counted once
    /// each, (overlapping_a + overlapping_b) / 2: the same as ATLAS.ti's pair count where each segment overlaps at
    /// most one of the other code, and never above 1 where a segment overlaps several.
    pub c_coefficient: Option<f64>,
}

#[derive(Default, Clone, Copy)]
struct PairCounts {
    overlapping: u64,
    within: u64,
    same_source: u64,
    /// Segments of the lower-numbered code overlapping one of the other, and the other way round.
    covered_low: u64,
    covered_high: u64,
}

#[derive(Default)]
struct Scope {
    pairs: BTreeMap<(u32, u32), PairCounts>,
    sources: BTreeMap<u32, u64>,
    segments: BTreeMap<u32, u64>,
}

/// Co-occurrence of every pair of codes that occur together at least once (same source), with sub-codes rolled up to
/// their parents; a code and its own ancestor are not paired. Codings follow the primary-coder rule of prevalence.
pub fn cooccurrence(corpus: &Corpus, within_chars: u64) -> Vec<CooccurrenceRow> {
    let c = &corpus.codings;
    let ancestry = corpus.code_ancestry();
    let is_ancestor = |a: u32, b: u32| ancestry[a as usize].contains(&b) || ancestry[b as usize].contains(&a);
    // Segments of each source: (start, end, code), rolled up and without repeats.
    let mut by_source: Vec<Vec<(u64, u64, u32)>> = vec![Vec::new(); corpus.sources.len()];
    for i in counted_codings(corpus) {
        for &code in &ancestry[c.code[i] as usize] {
            by_source[c.source[i] as usize].push((c.start[i], c.end[i], code));
        }
    }
    let mut overall = Scope::default();
    let mut local: Vec<Scope> = (0..corpus.municipalities.len()).map(|_| Scope::default()).collect();
    for (s, segments) in by_source.iter_mut().enumerate() {
        if segments.is_empty() {
            continue;
        }
        segments.sort_unstable();
        segments.dedup();
        let m = corpus.sources[s].municipality as usize;
        let codes: Vec<u32> = segments
            .iter()
            .map(|x| x.2)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for scope in [&mut overall, &mut local[m]] {
            for &code in &codes {
                *scope.sources.entry(code).or_default() += 1;
            }
            for seg in segments.iter() {
                *scope.segments.entry(seg.2).or_default() += 1;
            }
            for (i, &a) in codes.iter().enumerate() {
                for &b in &codes[i + 1..] {
                    if !is_ancestor(a, b) {
                        scope.pairs.entry((a.min(b), a.max(b))).or_default().same_source += 1;
                    }
                }
            }
            // Each segment counts once per other code it overlaps, however many segments of that code it overlaps.
            let mut covered: HashSet<(usize, u32)> = HashSet::new();
            // Segments are sorted by start: a later one can only be near if it starts within reach of this one's end.
            for (i, &(s1, e1, a)) in segments.iter().enumerate() {
                for (j, &(s2, e2, b)) in segments.iter().enumerate().skip(i + 1) {
                    if s2 > e1.saturating_add(within_chars) {
                        break;
                    }
                    if a == b || is_ancestor(a, b) {
                        continue;
                    }
                    let counts = scope.pairs.entry((a.min(b), a.max(b))).or_default();
                    counts.within += 1;
                    if s2 < e1 && s1 < e2 {
                        counts.overlapping += 1;
                        for (seg, code, other) in [(i, a, b), (j, b, a)] {
                            if covered.insert((seg, other)) {
                                if code < other {
                                    counts.covered_low += 1;
                                } else {
                                    counts.covered_high += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    let mut rows = Vec::new();
    let scopes = std::iter::once((None, &overall)).chain(
        local
            .iter()
            .enumerate()
            .map(|(m, sc)| (Some(corpus.municipalities[m].code.clone()), sc)),
    );
    for (municipality, scope) in scopes {
        for (&(a, b), counts) in &scope.pairs {
            if counts.same_source == 0 {
                continue;
            }
            let get = |map: &BTreeMap<u32, u64>, k: u32| map.get(&k).copied().unwrap_or(0);
            let (sa, sb) = (get(&scope.sources, a), get(&scope.sources, b));
            let (ga, gb) = (get(&scope.segments, a), get(&scope.segments, b));
            let ratio = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
            rows.push(CooccurrenceRow {
                code_a: corpus.codes[a as usize].id.clone(),
                code_b: corpus.codes[b as usize].id.clone(),
                municipality: municipality.clone(),
                overlapping: counts.overlapping,
                within: counts.within,
                within_chars,
                same_source: counts.same_source,
                sources_a: sa,
                sources_b: sb,
                jaccard: ratio(counts.same_source, sa + sb - counts.same_source),
                segments_a: ga,
                segments_b: gb,
                overlapping_a: counts.covered_low,
                overlapping_b: counts.covered_high,
                c_coefficient: c_coefficient(counts.covered_low + counts.covered_high, ga + gb),
            });
        }
    }
    rows
}

/// n12 / (n1 + n2 − n12) with n12 = covered / 2, in whole numbers: covered / (2 (n1 + n2) − covered). `None` when
/// neither code has a segment.
fn c_coefficient(covered: u64, segments: u64) -> Option<f64> {
    let denominator = 2 * segments - covered.min(2 * segments);
    (denominator > 0).then(|| covered as f64 / denominator as f64)
}
