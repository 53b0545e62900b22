//! What changed between two waves: for each code and municipality, the share of participant clusters with the code
//! in each wave, the change with Newcombe's interval, and a test of whether it is more than chance. The same people
//! are interviewed in several waves, and sometimes several times in one: each person (each participant cluster,
//! `crate::clusters`) counts once per wave, with the code when any of their sources of that wave has it.

use crosscase_model::Corpus;
use serde::Serialize;

use crate::clusters::participant_clusters;
use crate::error::AnalysisError;
use crate::prevalence::counted_codings;
use crate::stats::{chi_square_independence, fisher_exact_2x2, newcombe_difference};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WaveChangeRow {
    pub code: String,
    pub municipality: String,
    pub wave_from: String,
    pub wave_to: String,
    /// `cluster`: what `with_*` and `n_*` count (participant clusters with a source in the wave).
    pub unit: &'static str,
    pub with_from: u64,
    pub n_from: u64,
    pub share_from: Option<f64>,
    pub with_to: u64,
    pub n_to: u64,
    pub share_to: Option<f64>,
    /// share_to − share_from.
    pub change: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The level of the intervals in this row, e.g. 0.95.
    pub confidence: f64,
    /// `chi_square`, `fisher`, or `none`.
    pub test: &'static str,
    pub p_value: Option<f64>,
    pub reason: String,
}

/// Changes in the share of participant clusters with each code (sub-codes rolled up) between waves `from` and `to`,
/// by municipality. A municipality without sources in one of the waves gets `null` shares and the reason.
pub fn wave_changes(
    corpus: &Corpus,
    from: &str,
    to: &str,
    confidence: f64,
) -> Result<Vec<WaveChangeRow>, AnalysisError> {
    let wave = |id: &str| {
        corpus
            .waves
            .iter()
            .position(|w| w == id)
            .map(|i| i as u32)
            .ok_or_else(|| {
                AnalysisError::Input(format!(
                    "wave `{id}` is not in the project; its waves are: {}",
                    corpus.waves.join(", ")
                ))
            })
    };
    let (wf, wt) = (wave(from)?, wave(to)?);
    let cells = wave_cells(corpus, wf, wt);
    let mut rows = Vec::with_capacity(corpus.codes.len() * corpus.municipalities.len());
    for (code, cells) in corpus.codes.iter().zip(&cells) {
        for (m, muni) in corpus.municipalities.iter().enumerate() {
            let WaveCell {
                with: [xf, xt],
                n: [nf, nt],
            } = cells[m];
            let share = |x: u64, n: u64| (n > 0).then(|| x as f64 / n as f64);
            let WaveTest {
                change: diff,
                test,
                p_value,
                reason,
            } = cells[m].test(confidence);
            rows.push(WaveChangeRow {
                code: code.id.clone(),
                municipality: muni.code.clone(),
                wave_from: from.to_string(),
                wave_to: to.to_string(),
                unit: "cluster",
                with_from: xf,
                n_from: nf,
                share_from: share(xf, nf),
                with_to: xt,
                n_to: nt,
                share_to: share(xt, nt),
                change: diff.map(|d| d.0),
                ci_low: diff.map(|d| d.1),
                ci_high: diff.map(|d| d.2),
                confidence,
                test,
                p_value,
                reason,
            });
        }
    }
    Ok(rows)
}

/// What the reason of every tested row says about the unit.
const UNIT: &str = "unit: participant clusters, each counted once per wave (with the code when any of its sources in the wave has it); a person seen in both waves is not paired: as people tend to say alike in both waves, this makes the test and the interval cautious";

/// One code in one municipality: participant clusters with the code and with a source, in each of the two waves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WaveCell {
    pub(crate) with: [u64; 2],
    pub(crate) n: [u64; 2],
}

/// A cell's change: Newcombe's interval and the test, or why there is none.
pub(crate) struct WaveTest {
    /// (later − earlier, lower, upper).
    pub(crate) change: Option<(f64, f64, f64)>,
    pub(crate) test: &'static str,
    pub(crate) p_value: Option<f64>,
    pub(crate) reason: String,
}

impl WaveCell {
    /// The change from the first to the second wave: Newcombe's hybrid score interval (method 10) at `confidence`,
    /// Pearson's χ² with Yates' correction, or Fisher's exact test where an expected count is below 5.
    pub(crate) fn test(&self, confidence: f64) -> WaveTest {
        let WaveCell {
            with: [xf, xt],
            n: [nf, nt],
        } = *self;
        let change = newcombe_difference(xt, nt, xf, nf, confidence);
        let (test, p_value, reason) = if nf == 0 || nt == 0 {
            (
                "none",
                None,
                "no sources in one of the waves: there is nothing to compare".to_string(),
            )
        } else {
            match chi_square_independence(&[vec![xt, nt - xt], vec![xf, nf - xf]]) {
                None => (
                    "none",
                    None,
                    "the code is with all or none of the participant clusters of both waves: no change to test"
                        .to_string(),
                ),
                Some(chi) if chi.min_expected < 5.0 => (
                    "fisher",
                    Some(fisher_exact_2x2(xt, nt - xt, xf, nf - xf)),
                    format!(
                        "{UNIT}; 2×2 table with an expected count of {:.2}, below 5: Fisher's exact test, two-sided",
                        chi.min_expected
                    ),
                ),
                Some(chi) => (
                    "chi_square",
                    Some(chi.p_value),
                    format!("{UNIT}; 2×2 table: Pearson's chi-square with Yates' continuity correction"),
                ),
            }
        };
        WaveTest {
            change,
            test,
            p_value,
            reason,
        }
    }
}

/// Per code (codebook order) and municipality, the cluster-wave counts of waves `wf` and `wt` (indices into
/// `Corpus::waves`).
pub(crate) fn wave_cells(corpus: &Corpus, wf: u32, wt: u32) -> Vec<Vec<WaveCell>> {
    let clusters = participant_clusters(corpus);
    let n_m = corpus.municipalities.len();
    let which = |w: Option<u32>| match w {
        Some(w) if w == wf => Some(0),
        Some(w) if w == wt => Some(1),
        _ => None,
    };
    // A cluster-wave is (cluster, 0 | 1); its number is 2 · cluster + k.
    let mut totals = vec![WaveCell::default(); n_m];
    let mut seen = vec![false; 2 * clusters.len()];
    for (si, s) in corpus.sources.iter().enumerate() {
        if let Some(k) = which(s.wave) {
            let cw = 2 * clusters.of_source[si] as usize + k;
            if !std::mem::replace(&mut seen[cw], true) {
                totals[s.municipality as usize].n[k] += 1;
            }
        }
    }
    let ancestry = corpus.code_ancestry();
    let mut has = vec![std::collections::HashSet::new(); corpus.codes.len()];
    for i in counted_codings(corpus) {
        let s = corpus.codings.source[i] as usize;
        if let Some(k) = which(corpus.sources[s].wave) {
            let cw = 2 * clusters.of_source[s] + k as u32;
            for &code in &ancestry[corpus.codings.code[i] as usize] {
                has[code as usize].insert(cw);
            }
        }
    }
    has.iter()
        .map(|has| {
            let mut cells = totals.clone();
            for &cw in has {
                let m = clusters.municipality[cw as usize / 2] as usize;
                cells[m].with[cw as usize % 2] += 1;
            }
            cells
        })
        .collect()
}
