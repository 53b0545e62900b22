//! Participant clusters: the units that are independent when the same people are interviewed in several waves.
//!
//! A cluster is the set of sources of one participant in one municipality, joined with the clusters of every other
//! participant who shares one of those sources (a group interview); a source without participants is a cluster of
//! its own. Sources of one cluster are alike (the same person speaks in them), so tests and contrasts count clusters,
//! not sources.

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

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

/// The participant clusters of `corpus`, numbered in the order of their first source.
pub fn participant_clusters(corpus: &Corpus) -> Clusters {
    let n = corpus.sources.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    // The first source of each (participant, municipality): later ones join its cluster.
    let mut first: std::collections::HashMap<(u32, u32), u32> = std::collections::HashMap::new();
    for (i, s) in corpus.sources.iter().enumerate() {
        for &p in &s.participants {
            let root = *first.entry((p, s.municipality)).or_insert(i as u32);
            let (a, b) = (find(&mut parent, root), find(&mut parent, i as u32));
            if a != b {
                parent[a.max(b) as usize] = a.min(b);
            }
        }
    }
    let mut number = vec![u32::MAX; n];
    let mut clusters = Clusters {
        of_source: vec![0; n],
        municipality: Vec::new(),
        sources: Vec::new(),
    };
    for i in 0..n {
        let root = find(&mut parent, i as u32) as usize;
        if number[root] == u32::MAX {
            number[root] = clusters.municipality.len() as u32;
            clusters.municipality.push(corpus.sources[i].municipality);
            clusters.sources.push(0);
        }
        let c = number[root];
        clusters.of_source[i] = c;
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
