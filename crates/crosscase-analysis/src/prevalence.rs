//! Prevalence of each code (parents rolled up) in each municipality: segments, sources and participants.

use crosscase_model::Corpus;
use serde::Serialize;

use crate::error::AnalysisError;
use crate::grouped::{Groups, grouped_counts};

/// One code in one municipality. Codes with no codings there still get a row, with zeros.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrevalenceRow {
    pub code: String,
    /// Kommunkod.
    pub municipality: String,
    /// Distinct coded segments (source, start, end) with the code or one of its descendants.
    pub segments: u64,
    /// Sources with at least one such segment.
    pub sources: u64,
    /// `sources / sources_total`; `null` when the municipality has no sources.
    pub source_share: Option<f64>,
    /// Participants of those sources.
    pub participants: u64,
    /// `participants / participants_total`; `null` when no participant is linked to the municipality's sources.
    pub participant_share: Option<f64>,
    /// The municipality's sources: the N of `source_share`.
    pub sources_total: u64,
    /// Participants linked to any of the municipality's sources: the N of `participant_share`.
    pub participants_total: u64,
}

/// The codings that count for prevalence: where the primary coder coded a source, only theirs; elsewhere all.
/// Without a primary coder that is every coding, and no list of millions of positions is made.
pub(crate) fn counted_codings(corpus: &Corpus) -> Counted {
    let c = &corpus.codings;
    let primary = corpus
        .settings
        .primary_coder
        .as_deref()
        .and_then(|name| corpus.coders.iter().position(|x| x == name))
        .map(|i| i as u32);
    let Some(primary) = primary else {
        return Counted::All(0..c.len());
    };
    let mut by_primary = vec![false; corpus.sources.len()];
    for i in 0..c.len() {
        if c.coder[i] == primary {
            by_primary[c.source[i] as usize] = true;
        }
    }
    Counted::Listed(
        (0..c.len())
            .filter(|&i| !by_primary[c.source[i] as usize] || c.coder[i] == primary)
            .collect::<Vec<_>>()
            .into_iter(),
    )
}

/// The positions of the codings that count, in stored order.
#[derive(Clone)]
pub(crate) enum Counted {
    All(std::ops::Range<usize>),
    Listed(std::vec::IntoIter<usize>),
}

impl Iterator for Counted {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        match self {
            Counted::All(r) => r.next(),
            Counted::Listed(l) => l.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Counted::All(r) => r.size_hint(),
            Counted::Listed(l) => l.size_hint(),
        }
    }
}

/// Counts per (code, municipality) for every code of the codebook and every municipality of the project,
/// in codebook order and then kommunkod order.
pub fn prevalence(corpus: &Corpus) -> Result<Vec<PrevalenceRow>, AnalysisError> {
    let mut groups = Groups {
        names: corpus.municipalities.iter().map(|m| m.code.clone()).collect(),
        sources: Vec::with_capacity(corpus.sources.len()),
        participants: Vec::new(),
    };
    for (i, s) in corpus.sources.iter().enumerate() {
        groups.sources.push((i as u32, s.municipality));
        for &p in &s.participants {
            groups.participants.push((i as u32, p, s.municipality));
        }
    }
    let counts = grouped_counts(corpus, &groups)?;
    let share = |n: u64, total: u64| (total > 0).then(|| n as f64 / total as f64);
    let mut rows = Vec::with_capacity(corpus.codes.len() * corpus.municipalities.len());
    for (ci, code) in corpus.codes.iter().enumerate() {
        for (mi, m) in corpus.municipalities.iter().enumerate() {
            let cell = counts.cell(ci, mi);
            let total = counts.totals[mi];
            rows.push(PrevalenceRow {
                code: code.id.clone(),
                municipality: m.code.clone(),
                segments: cell.segments,
                sources: cell.sources,
                source_share: share(cell.sources, total.sources),
                participants: cell.participants,
                participant_share: share(cell.participants, total.participants),
                sources_total: total.sources,
                participants_total: total.participants,
            });
        }
    }
    Ok(rows)
}
