//! What changed between two waves: for each code and municipality, the share of sources with the code in each wave,
//! the change with Newcombe's interval, and a test of whether it is more than chance.

use crosscase_model::Corpus;
use serde::Serialize;

use crate::error::AnalysisError;
use crate::prevalence::counted_codings;
use crate::stats::{chi_square_independence, fisher_exact_2x2, newcombe_difference};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WaveChangeRow {
    pub code: String,
    pub municipality: String,
    pub wave_from: String,
    pub wave_to: String,
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

/// Changes in the share of sources with each code (sub-codes rolled up) between waves `from` and `to`, by
/// municipality. A municipality without sources in one of the waves gets `null` shares and the reason.
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
    let (n_m, n_c) = (corpus.municipalities.len(), corpus.codes.len());
    // totals[m][0|1], with[code][m][0|1] for the two waves.
    let mut totals = vec![[0u64; 2]; n_m];
    for s in &corpus.sources {
        if let Some(k) = s.wave.and_then(|w| [wf, wt].iter().position(|&x| x == w)) {
            totals[s.municipality as usize][k] += 1;
        }
    }
    let ancestry = corpus.code_ancestry();
    let mut has = vec![std::collections::HashSet::new(); n_c];
    for i in counted_codings(corpus) {
        let s = corpus.codings.source[i];
        for &code in &ancestry[corpus.codings.code[i] as usize] {
            has[code as usize].insert(s);
        }
    }
    let mut rows = Vec::with_capacity(n_c * n_m);
    for (ci, code) in corpus.codes.iter().enumerate() {
        let mut with = vec![[0u64; 2]; n_m];
        for &s in &has[ci] {
            let src = &corpus.sources[s as usize];
            if let Some(k) = src.wave.and_then(|w| [wf, wt].iter().position(|&x| x == w)) {
                with[src.municipality as usize][k] += 1;
            }
        }
        for (m, muni) in corpus.municipalities.iter().enumerate() {
            let ([xf, xt], [nf, nt]) = (with[m], totals[m]);
            let share = |x: u64, n: u64| (n > 0).then(|| x as f64 / n as f64);
            let diff = newcombe_difference(xt, nt, xf, nf, confidence);
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
                        "the code is in all or none of the sources of both waves: no change to test".to_string(),
                    ),
                    Some(chi) if chi.min_expected < 5.0 => (
                        "fisher",
                        Some(fisher_exact_2x2(xt, nt - xt, xf, nf - xf)),
                        format!(
                            "2×2 table with an expected count of {:.2}, below 5: Fisher's exact test, two-sided",
                            chi.min_expected
                        ),
                    ),
                    Some(chi) => (
                        "chi_square",
                        Some(chi.p_value),
                        "2×2 table: Pearson's chi-square with Yates' continuity correction".to_string(),
                    ),
                }
            };
            rows.push(WaveChangeRow {
                code: code.id.clone(),
                municipality: muni.code.clone(),
                wave_from: from.to_string(),
                wave_to: to.to_string(),
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
