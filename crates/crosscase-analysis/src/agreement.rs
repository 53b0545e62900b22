//! Intercoder agreement wherever two or more coders coded the same sources: at document level (is a code present in
//! a source or not) and at character level (is each character of a source coded with a code or not), per code
//! (with sub-codes rolled up to their parents, as in prevalence) and pooled over all codes.

use std::collections::{BTreeMap, HashMap};

use crosscase_model::Corpus;
use serde::Serialize;

use crate::error::AnalysisError;
use crate::stats::nominal_agreement;

/// Agreement on one code, or on all codes pooled (`code` is `None`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgreementRow {
    pub code: Option<String>,
    /// `document` or `character`.
    pub level: &'static str,
    /// Coders who coded at least one source that another coder coded too.
    pub coders: usize,
    /// Pairable units: sources (document level) or characters (character level), times codes when pooled.
    pub units: u64,
    pub percent_agreement: Option<f64>,
    /// Only when exactly two coders coded the shared sources of this row (over the units both coded).
    pub cohen_kappa: Option<f64>,
    pub brennan_prediger: Option<f64>,
    pub krippendorff_alpha: Option<f64>,
}

/// For one source and code: each coder's coded ranges.
type PerCoder = Vec<Vec<(u64, u64)>>;

/// A pattern of values, one per coder (`None`: the coder did not code this source), with its weight.
type Units = HashMap<Vec<Option<u32>>, u64>;

/// Agreement per code and pooled, at both levels. An error names the reason when no source was coded by two coders.
///
/// Conventions: a coder "coded" a source when they made at least one coding in it; a coder who did not code a source
/// contributes a missing value there. Character level needs the source text's length: sources without a text are
/// left out of it. A statistic that is undefined for the data (e.g. κ when every unit has the same value) is `null`.
pub fn agreement(corpus: &Corpus) -> Result<Vec<AgreementRow>, AnalysisError> {
    let c = &corpus.codings;
    let n_coders = corpus.coders.len();
    let ancestry = corpus.code_ancestry();
    // Per source: which coders coded it, and per (code, coder) the intervals.
    let mut coded_by: Vec<Vec<bool>> = vec![vec![false; n_coders]; corpus.sources.len()];
    let mut intervals: HashMap<(u32, u32), PerCoder> = HashMap::new();
    // The same without rolling up: what the pooled rows count, so that a coding is not counted again for each
    // ancestor of its code.
    let mut direct: HashMap<(u32, u32), PerCoder> = HashMap::new();
    let mut applied = vec![false; corpus.codes.len()];
    for i in 0..c.len() {
        let (s, coder) = (c.source[i], c.coder[i] as usize);
        coded_by[s as usize][coder] = true;
        applied[c.code[i] as usize] = true;
        direct
            .entry((s, c.code[i]))
            .or_insert_with(|| vec![Vec::new(); n_coders])[coder]
            .push((c.start[i], c.end[i]));
        for &code in &ancestry[c.code[i] as usize] {
            intervals.entry((s, code)).or_insert_with(|| vec![Vec::new(); n_coders])[coder]
                .push((c.start[i], c.end[i]));
        }
    }
    let shared: Vec<usize> = (0..corpus.sources.len())
        .filter(|&s| coded_by[s].iter().filter(|&&b| b).count() >= 2)
        .collect();
    if shared.is_empty() {
        let who = if n_coders == 1 {
            format!("only one coder ({})", corpus.coders[0])
        } else {
            format!("{n_coders} coders")
        };
        return Err(AnalysisError::Input(format!(
            "{who} coded the project, and no source was coded by two coders: agreement needs at least two coders on the same source"
        )));
    }
    let mut rows = Vec::new();
    let mut pooled_doc: Units = HashMap::new();
    let mut pooled_char: Units = HashMap::new();
    let units_of = |map: &HashMap<(u32, u32), PerCoder>, ci: usize| -> (Units, Units) {
        let mut doc: Units = HashMap::new();
        let mut chars: Units = HashMap::new();
        for &s in &shared {
            let coders = &coded_by[s];
            let by_coder = map.get(&(s as u32, ci as u32));
            let present = |k: usize| by_coder.is_some_and(|v| !v[k].is_empty());
            let pattern: Vec<Option<u32>> = (0..n_coders)
                .map(|k| coders[k].then(|| u32::from(present(k))))
                .collect();
            *doc.entry(pattern).or_default() += 1;
            let len = corpus.sources[s].chars;
            if len > 0 {
                for (pattern, weight) in character_patterns(coders, by_coder, len) {
                    *chars.entry(pattern).or_default() += weight;
                }
            }
        }
        (doc, chars)
    };
    for (ci, code) in corpus.codes.iter().enumerate() {
        let (doc, chars) = units_of(&intervals, ci);
        rows.push(row(Some(code.id.clone()), "document", &doc));
        rows.push(row(Some(code.id.clone()), "character", &chars));
        // Pooled over the codes coders apply themselves, each unit valued by that code alone.
        if applied[ci] {
            let (doc, chars) = units_of(&direct, ci);
            for (pattern, w) in doc {
                *pooled_doc.entry(pattern).or_default() += w;
            }
            for (pattern, w) in chars {
                *pooled_char.entry(pattern).or_default() += w;
            }
        }
    }
    rows.push(row(None, "document", &pooled_doc));
    rows.push(row(None, "character", &pooled_char));
    Ok(rows)
}

fn row(code: Option<String>, level: &'static str, units: &Units) -> AgreementRow {
    // Sorted, so that floating-point sums come out the same on every run.
    let sorted: BTreeMap<&Vec<Option<u32>>, u64> = units.iter().map(|(k, &v)| (k, v)).collect();
    let list: Vec<(Vec<Option<u32>>, u64)> = sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect();
    let s = nominal_agreement(&list, 2);
    AgreementRow {
        code,
        level,
        coders: s.coders,
        units: s.units,
        percent_agreement: s.percent_agreement,
        cohen_kappa: s.cohen_kappa,
        brennan_prediger: s.brennan_prediger,
        krippendorff_alpha: s.krippendorff_alpha,
    }
}

/// For one source and code: runs of characters with the same coverage pattern, as (pattern, number of characters).
fn character_patterns(
    coders: &[bool],
    by_coder: Option<&Vec<Vec<(u64, u64)>>>,
    len: u64,
) -> Vec<(Vec<Option<u32>>, u64)> {
    let mut cuts: Vec<u64> = vec![0, len];
    if let Some(v) = by_coder {
        for iv in v {
            for &(s, e) in iv {
                cuts.push(s.min(len));
                cuts.push(e.min(len));
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::with_capacity(cuts.len());
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let covered = |k: usize| by_coder.is_some_and(|v| v[k].iter().any(|&(s, e)| s <= a && b <= e));
        let pattern = (0..coders.len())
            .map(|k| coders[k].then(|| u32::from(covered(k))))
            .collect();
        out.push((pattern, b - a));
    }
    out
}
