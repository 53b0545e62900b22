//! Prevalence of every code by any attribute of the sources: municipality, role, unit, wave or kind of source,
//! counted in segments, sources or participants, with row and column percentages and the rate per 1,000 words.

use std::collections::{BTreeMap, BTreeSet};

use crosscase_model::{Corpus, Language, Role};
use serde::Serialize;

use crate::error::AnalysisError;
use crate::grouped::{Cell, Groups, grouped_counts};

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

/// Prevalence of every code (sub-codes rolled up) by `attribute`, counted in `unit`. Groups are ordered by name
/// (waves by date); sources without a value for the attribute (no unit, no wave, no participants for role) are left
/// out.
pub fn breakdown(corpus: &Corpus, attribute: Attribute, unit: Count) -> Result<Vec<BreakdownRow>, AnalysisError> {
    let groups = groups(corpus, attribute);
    let counts = grouped_counts(corpus, &groups)?;
    let mut rows = Vec::with_capacity(corpus.codes.len() * groups.names.len());
    for (ci, code) in corpus.codes.iter().enumerate() {
        let cell = |g: usize| counts.cell(ci, g);
        let count_of = |cell: Cell| match unit {
            Count::Segment => cell.segments,
            Count::Source => cell.sources,
            Count::Participant => cell.participants,
        };
        let code_total: u64 = (0..groups.names.len()).map(|g| count_of(cell(g))).sum();
        for (g, name) in groups.names.iter().enumerate() {
            let (cell, total) = (cell(g), counts.totals[g]);
            let n = match unit {
                Count::Segment => total.segments,
                Count::Source => total.sources,
                Count::Participant => total.participants,
            };
            let count = count_of(cell);
            rows.push(BreakdownRow {
                code: code.id.clone(),
                attribute: attribute.as_str(),
                group: name.clone(),
                unit: unit.as_str(),
                count,
                n,
                column_percent: (n > 0).then(|| 100.0 * count as f64 / n as f64),
                row_percent: (code_total > 0).then(|| 100.0 * count as f64 / code_total as f64),
                segments: cell.segments,
                sources: cell.sources,
                participants: cell.participants,
                words: total.words,
                per_1000_words: (total.words > 0).then(|| 1000.0 * cell.segments as f64 / total.words as f64),
            });
        }
    }
    Ok(rows)
}

/// The groups of an attribute and which sources and participants belong to each.
pub(crate) fn groups(corpus: &Corpus, attribute: Attribute) -> Groups {
    let role = |p: u32| corpus.participants[p as usize].role;
    let names: Vec<String> = match attribute {
        Attribute::Municipality => corpus.municipalities.iter().map(|m| m.code.clone()).collect(),
        Attribute::Role => {
            let present: BTreeSet<Role> = corpus
                .sources
                .iter()
                .flat_map(|s| s.participants.iter().map(|&p| role(p)))
                .collect();
            present.into_iter().map(|r| r.label(Language::En).to_string()).collect()
        }
        Attribute::Unit => corpus
            .sources
            .iter()
            .filter_map(|s| s.unit.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        Attribute::Wave => corpus.waves.clone(),
        Attribute::Kind => corpus
            .sources
            .iter()
            .map(|s| s.kind.as_str().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    };
    let index: BTreeMap<&str, u32> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i as u32)).collect();
    let mut groups = Groups {
        names: names.clone(),
        sources: Vec::new(),
        participants: Vec::new(),
    };
    for (i, s) in corpus.sources.iter().enumerate() {
        let i = i as u32;
        let group = match attribute {
            Attribute::Municipality => Some(s.municipality),
            Attribute::Unit => s.unit.as_deref().map(|u| index[u]),
            Attribute::Wave => s.wave,
            Attribute::Kind => Some(index[s.kind.as_str()]),
            Attribute::Role => None,
        };
        match group {
            Some(g) => {
                groups.sources.push((i, g));
                groups.participants.extend(s.participants.iter().map(|&p| (i, p, g)));
            }
            None if attribute == Attribute::Role => {
                let roles: BTreeSet<u32> = s
                    .participants
                    .iter()
                    .map(|&p| index[role(p).label(Language::En)])
                    .collect();
                groups.sources.extend(roles.iter().map(|&g| (i, g)));
                groups.participants.extend(
                    s.participants
                        .iter()
                        .map(|&p| (i, p, index[role(p).label(Language::En)])),
                );
            }
            None => {}
        }
    }
    groups
}
