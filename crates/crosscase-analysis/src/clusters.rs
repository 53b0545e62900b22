//! Participant clusters: the units that are independent enough when the same people are interviewed in several waves.
//!
//! A cluster is the set of sources of one municipality with the same participants: the interviews of one person, or
//! the sessions of one group (the same set of people); a source without participants is a cluster of its own.
//! Sources of one cluster are alike (the same people speak in them), so tests and contrasts count clusters, not
//! sources. A group session is not joined with its members' own interviews: joining every source that shares anyone
//! would chain a municipality's people into one cluster (in the demo, workshops join 95 sources into 5), and leave
//! nothing to compare.

use crosscase_model::Corpus;

use crate::prevalence::counted_codings;

/// The clusters of a corpus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clusters {
    /// For each source, its cluster.
    pub of_source: Vec<u32>,
    /// For each cluster, its municipality (index into `Corpus::municipalities`).
    pub municipality: Vec<u32>,
    /// For each cluster, its number of sources.
    pub sources: Vec<u32>,
}

impl Clusters {
    pub fn len(&self) -> usize {
        self.municipality.len()
    }

    pub fn is_empty(&self) -> bool {
        self.municipality.is_empty()
    }

    /// Clusters with more than one source: where sources are not independent.
    pub fn repeated(&self) -> usize {
        self.sources.iter().filter(|&&n| n > 1).count()
    }
}

/// The participant clusters of `corpus`, numbered in the order of their first source.
pub fn participant_clusters(corpus: &Corpus) -> Clusters {
    let n = corpus.sources.len();
    let mut number: std::collections::HashMap<(Vec<u32>, u32), u32> = std::collections::HashMap::new();
    let mut clusters = Clusters {
        of_source: Vec::with_capacity(n),
        municipality: Vec::new(),
        sources: Vec::new(),
    };
    for s in &corpus.sources {
        let mut people = s.participants.clone();
        people.sort_unstable();
        people.dedup();
        let next = clusters.municipality.len() as u32;
        let c = if people.is_empty() {
            next
        } else {
            *number.entry((people, s.municipality)).or_insert(next)
        };
        if c == next {
            clusters.municipality.push(s.municipality);
            clusters.sources.push(0);
        }
        clusters.of_source.push(c);
        clusters.sources[c as usize] += 1;
    }
    clusters
}

/// Per code (in codebook order) and municipality: clusters with the code (in any of their sources, sub-codes rolled
/// up, codings counted as for prevalence), and clusters in all per municipality.
pub(crate) fn cluster_counts(corpus: &Corpus, clusters: &Clusters) -> (Vec<Vec<u64>>, Vec<u64>) {
    let words = clusters.len().div_ceil(64);
    let mut bits = vec![0u64; corpus.codes.len() * words];
    let ancestry = corpus.code_ancestry();
    let c = &corpus.codings;
    for i in counted_codings(corpus) {
        let cluster = clusters.of_source[c.source[i] as usize] as usize;
        for &code in &ancestry[c.code[i] as usize] {
            bits[code as usize * words + cluster / 64] |= 1 << (cluster % 64);
        }
    }
    let m = corpus.municipalities.len();
    let mut totals = vec![0u64; m];
    for &mi in &clusters.municipality {
        totals[mi as usize] += 1;
    }
    let with = (0..corpus.codes.len())
        .map(|code| {
            let mut with = vec![0u64; m];
            for (w, &word) in bits[code * words..(code + 1) * words].iter().enumerate() {
                let mut word = word;
                while word != 0 {
                    let cluster = w * 64 + word.trailing_zeros() as usize;
                    with[clusters.municipality[cluster] as usize] += 1;
                    word &= word - 1;
                }
            }
            with
        })
        .collect();
    (with, totals)
}
