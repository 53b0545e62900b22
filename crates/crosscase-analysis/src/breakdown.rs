//! Prevalence of every code by any attribute of the sources: municipality, role, unit, wave or kind of source,
//! counted in segments, sources or participants, with row and column percentages and the rate per 1,000 words.

use std::collections::{BTreeMap, BTreeSet};

use crosscase_model::{Corpus, Language};
use serde::Serialize;

use crate::prevalence::counted_codings;

/// What the groups are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attribute {
    Municipality,
    /// The roles of a source's participants: a source with a top manager and an employee is in both groups.
    Role,
    Unit,
    Wave,
    Kind,
}

impl Attribute {
    pub fn as_str(self) -> &'static str {
        match self {
            Attribute::Municipality => "municipality",
            Attribute::Role => "role",
            Attribute::Unit => "unit",
            Attribute::Wave => "wave",
            Attribute::Kind => "kind",
        }
    }
}

/// What one observation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    Segment,
    Source,
    Participant,
}

impl Count {
    pub fn as_str(self) -> &'static str {
        match self {
            Count::Segment => "segment",
            Count::Source => "source",
            Count::Participant => "participant",
        }
    }
}

/// One code in one group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BreakdownRow {
    pub code: String,
    pub attribute: &'static str,
    pub group: String,
    pub unit: &'static str,
    /// Units (of `unit`) with the code in the group.
    pub count: u64,
    /// Units in the group: the N of `column_percent` (segments: all coded segments of the group).
    pub n: u64,
    /// 100 · count / n.
    pub column_percent: Option<f64>,
    /// 100 · count / the code's count over all groups.
    pub row_percent: Option<f64>,
    pub segments: u64,
    pub sources: u64,
    pub participants: u64,
    /// Words in the group's sources with text.
    pub words: u64,
    /// Segments with the code per 1,000 words of the group's texts; `null` when the group has no text.
    pub per_1000_words: Option<f64>,
}

/// Prevalence of every code (sub-codes rolled up) by `attribute`, counted in `unit`. Groups are ordered by name;
/// sources without a value for the attribute (no unit, no wave, no participants for role) are left out.
pub fn breakdown(corpus: &Corpus, attribute: Attribute, unit: Count) -> Vec<BreakdownRow> {
    // Each source's groups.
    let groups_of = |s: &crosscase_model::SourceFacts| -> Vec<String> {
        match attribute {
            Attribute::Municipality => vec![corpus.municipalities[s.municipality as usize].code.clone()],
            Attribute::Role => s
                .participants
                .iter()
                .map(|&p| corpus.participants[p as usize].role.label(Language::En).to_string())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            Attribute::Unit => s.unit.iter().cloned().collect(),
            Attribute::Wave => s.wave.iter().map(|&w| corpus.waves[w as usize].clone()).collect(),
            Attribute::Kind => vec![s.kind.as_str().to_string()],
        }
    };
    let source_groups: Vec<Vec<String>> = corpus.sources.iter().map(groups_of).collect();
    let all_groups: BTreeSet<&String> = source_groups.iter().flatten().collect();
    // Participants in a group: for role, those with the role; otherwise those of the group's sources.
    let participant_in = |p: u32, g: &str| match attribute {
        Attribute::Role => corpus.participants[p as usize].role.label(Language::En) == g,
        _ => true,
    };

    #[derive(Default)]
    struct Tally {
        segments: BTreeSet<(u32, u64, u64)>,
        sources: BTreeSet<u32>,
        participants: BTreeSet<u32>,
    }
    let ancestry = corpus.code_ancestry();
    let c = &corpus.codings;
    let mut tally: BTreeMap<(u32, &str), Tally> = BTreeMap::new();
    let mut group_segments: BTreeMap<&str, BTreeSet<(u32, u64, u64)>> = BTreeMap::new();
    for i in counted_codings(corpus) {
        let s = c.source[i];
        for g in &source_groups[s as usize] {
            group_segments
                .entry(g.as_str())
                .or_default()
                .insert((s, c.start[i], c.end[i]));
            for &code in &ancestry[c.code[i] as usize] {
                let t = tally.entry((code, g.as_str())).or_default();
                t.segments.insert((s, c.start[i], c.end[i]));
                t.sources.insert(s);
                for &p in &corpus.sources[s as usize].participants {
                    if participant_in(p, g) {
                        t.participants.insert(p);
                    }
                }
            }
        }
    }
    // Group totals: sources, participants and words.
    let mut totals: BTreeMap<&str, (u64, BTreeSet<u32>, u64)> = BTreeMap::new();
    for (s, groups) in source_groups.iter().enumerate() {
        for g in groups {
            let t = totals.entry(g.as_str()).or_default();
            t.0 += 1;
            t.2 += corpus.sources[s].words;
            for &p in &corpus.sources[s].participants {
                if participant_in(p, g) {
                    t.1.insert(p);
                }
            }
        }
    }
    let mut rows = Vec::new();
    for (ci, code) in corpus.codes.iter().enumerate() {
        let count_in = |g: &str| {
            tally.get(&(ci as u32, g)).map_or(0, |t| match unit {
                Count::Segment => t.segments.len(),
                Count::Source => t.sources.len(),
                Count::Participant => t.participants.len(),
            }) as u64
        };
        let code_total: u64 = all_groups.iter().map(|g| count_in(g)).sum();
        for g in &all_groups {
            let g = g.as_str();
            let t = tally.get(&(ci as u32, g));
            let (sources_n, participants_n, words) = totals.get(g).map_or((0, 0, 0), |t| (t.0, t.1.len() as u64, t.2));
            let n = match unit {
                Count::Segment => group_segments.get(g).map_or(0, |s| s.len() as u64),
                Count::Source => sources_n,
                Count::Participant => participants_n,
            };
            let count = count_in(g);
            let segments = t.map_or(0, |t| t.segments.len() as u64);
            rows.push(BreakdownRow {
                code: code.id.clone(),
                attribute: attribute.as_str(),
                group: g.to_string(),
                unit: unit.as_str(),
                count,
                n,
                column_percent: (n > 0).then(|| 100.0 * count as f64 / n as f64),
                row_percent: (code_total > 0).then(|| 100.0 * count as f64 / code_total as f64),
                segments,
                sources: t.map_or(0, |t| t.sources.len() as u64),
                participants: t.map_or(0, |t| t.participants.len() as u64),
                words,
                per_1000_words: (words > 0).then(|| 1000.0 * segments as f64 / words as f64),
            });
        }
    }
    rows
}
