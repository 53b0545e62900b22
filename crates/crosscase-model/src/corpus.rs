//! The indexed facts that analyses need, as integer columns: what the store hands to `crosscase-analysis`.
//!
//! Texts and quotes are left out so that a national project of millions of codings fits in memory.

use crate::project::{Code, Municipality, ProjectSettings, Role, SourceKind};

/// A source reduced to what comparisons group by.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceFacts {
    pub id: String,
    pub kind: SourceKind,
    /// Index into [`Corpus::municipalities`].
    pub municipality: u32,
    pub unit: Option<String>,
    /// Index into [`Corpus::waves`].
    pub wave: Option<u32>,
    /// Indices into [`Corpus::participants`].
    pub participants: Vec<u32>,
    /// Words in the text, 0 when there is none.
    pub words: u64,
    /// Length of the text in code points, 0 when there is none.
    pub chars: u64,
}

/// A participant reduced to what comparisons group by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParticipantFacts {
    pub id: String,
    /// Index into [`Corpus::municipalities`].
    pub municipality: u32,
    pub unit: Option<String>,
    pub role: Role,
}

/// Codings as parallel columns; row `i` is one coding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodingColumns {
    /// Index into [`Corpus::sources`].
    pub source: Vec<u32>,
    /// Index into [`Corpus::codes`].
    pub code: Vec<u32>,
    /// Index into [`Corpus::coders`].
    pub coder: Vec<u32>,
    pub start: Vec<u64>,
    pub end: Vec<u64>,
}

impl CodingColumns {
    pub fn len(&self) -> usize {
        self.source.len()
    }

    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }
}

/// One project's coded material, indexed for analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Corpus {
    pub settings: ProjectSettings,
    /// Ordered by kommunkod.
    pub municipalities: Vec<Municipality>,
    /// Wave ids, ordered by start date.
    pub waves: Vec<String>,
    /// The waves' names as `waves.csv` gives them (e.g. "Våg 2 (2018)"), in the order of `waves`; may be empty, then
    /// [`Corpus::wave_name`] falls back to the id.
    pub wave_names: Vec<String>,
    /// In codebook order; `parent` holds the parent's code id.
    pub codes: Vec<Code>,
    pub participants: Vec<ParticipantFacts>,
    pub sources: Vec<SourceFacts>,
    pub coders: Vec<String>,
    pub codings: CodingColumns,
}

impl Corpus {
    /// What participants read for wave `i`: its name, or its id when the project gave none.
    pub fn wave_name(&self, i: usize) -> &str {
        self.wave_names
            .get(i)
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.waves[i])
    }

    /// For each code, the indices of itself and all its ancestors, so that counts roll up to parents.
    pub fn code_ancestry(&self) -> Vec<Vec<u32>> {
        let index: std::collections::HashMap<&str, u32> = self
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i as u32))
            .collect();
        self.codes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut chain = vec![i as u32];
                let mut parent = c.parent.as_deref();
                // The codebook is validated to be a tree; the bound guards against a corrupted store.
                while let Some(p) = parent.filter(|_| chain.len() <= self.codes.len()) {
                    let Some(&pi) = index.get(p) else { break };
                    chain.push(pi);
                    parent = self.codes[pi as usize].parent.as_deref();
                }
                chain
            })
            .collect()
    }

    /// The depth of each code in the hierarchy, 0 for top-level codes.
    pub fn code_depth(&self) -> Vec<usize> {
        self.code_ancestry().iter().map(|a| a.len() - 1).collect()
    }
}

/// Which coded segment a quote is: what feedback packs ask the store for, once they have chosen candidates.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QuoteKey {
    pub source: String,
    pub code: String,
    pub coder: String,
    pub start: u64,
    pub end: u64,
}

/// The researcher's say over a pack's quotes (`feedback --quotes FILE`): a coded segment pinned under a theme of a
/// municipality's pack, or excluded from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuoteChoice {
    /// Kommunkod.
    pub municipality: String,
    /// A top-level code id.
    pub theme: String,
    pub source: String,
    /// Where the segment starts in its source, as the codings give it.
    pub start: u64,
    pub pin: bool,
}

/// A coded segment as feedback material may quote it: never with the participant, only role and wave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuoteFacts {
    /// Kommunkod.
    pub municipality: String,
    pub code: String,
    pub coder: String,
    pub source: String,
    pub kind: SourceKind,
    pub start: u64,
    pub quote: String,
    /// The roles of the source's participants, distinct and ordered.
    pub roles: Vec<Role>,
    /// The wave's name.
    pub wave: Option<String>,
}
