//! One model of what every feedback pack of a project shows, computed once: each figure of each section (themes and
//! the heatmap, waves, ideas, surveys, quotes per theme) either shown with its count and base or hidden with its
//! reason, the conclusions the page draws from them, and what the municipality's earlier workshop said.
//!
//! Disclosure control is applied here, once, over all sections and all packs together: primary suppression (fewer
//! people than the threshold behind a figure), then secondary suppression until no suppressed count can be worked out
//! from what any pack publishes (checked with the same interval bounds as `crosscase audit --disclosure`). The report
//! crate only localises and renders this model.

mod bounds;
mod figures;
mod idea_summary;
mod last_time;
mod matrices;
mod surveys;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use crosscase_model::{Corpus, IdeaRecords, Rng, SurveyRecords, WorkshopRecords};
use serde::Serialize;

pub use bounds::{Range, Sum, propagate};
pub use figures::{
    AuditedCell, DisclosureAudit, PublishedCell, PublishedFigures, Relation, RunStamp, Status, audit_disclosure,
};
pub use idea_summary::{IdeaSummary, MedianDays};
pub use last_time::{LastTime, LastTimeFinding, Ratings};
pub use matrices::{GroupBy, GroupColumn, GroupMatrix, group_matrices};
pub use surveys::{DimensionFigures, ItemAnswers, ItemFigures, PrePostFigures, PrePostTarget, Score, SurveyFigures};

use crate::differences::ContrastRow;
use crate::ideas::funnel;
use crate::prevalence::{PrevalenceRow, counted_codings};
use crate::stats::fisher_exact_2x2;

/// The knobs of the pack model.
#[derive(Clone, Debug)]
pub struct PackConfig {
    /// Fewer people than this behind a figure: it is hidden.
    pub threshold: u32,
    /// The seed of the project's letter key (which letter stands for which municipality).
    pub letter_seed: u64,
    /// A pack shows each other municipality as a column of its heatmap up to this many municipalities.
    pub max_heatmap_columns: usize,
}

/// Why a figure is hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hidden {
    /// Fewer people than the threshold behind it.
    TooFewPeople,
    /// Hidden so that another hidden figure cannot be worked out from it.
    ProtectsAnother,
    /// Nothing to count (no sources).
    NoData,
}

/// A count as a pack may show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// `count` of `base` (sources with the theme of all sources, ideas at a stage of all ideas).
    Shown {
        count: u64,
        base: u64,
    },
    Hidden(Hidden),
}

impl Figure {
    pub fn share(&self) -> Option<f64> {
        match *self {
            Figure::Shown { count, base } if base > 0 => Some(count as f64 / base as f64),
            _ => None,
        }
    }

    pub fn is_shown(&self) -> bool {
        matches!(self, Figure::Shown { base, .. } if *base > 0)
    }
}

/// What a pack says about one theme, beside the other municipalities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The difference survives Holm's correction over the pack's themes and its interval excludes zero.
    ClearlyMore,
    ClearlyLess,
    /// The interval is wide and does not rule the difference out (or it does not survive the correction).
    PerhapsMore,
    PerhapsLess,
    /// The interval lies within ±10 percentage points.
    AboutTheSame,
    /// The shares are about equal (within `NO_DIRECTION_WITHIN`) but the interval is too wide to call them the
    /// same: neither "perhaps more" nor "perhaps less" would be true to the figures.
    Uncertain,
    /// The theme's figure (or the others') is hidden: nothing can be said.
    Hidden,
    /// No comparison is possible (no sources on one side).
    NotTested,
}

/// Differences within this many percentage points either way (the whole interval) are "about the same".
pub const SAME_WITHIN: f64 = 0.10;
/// A difference smaller than this (under 2.5 percentage points, which rounds to at most 2) points no way: an uncertain
/// difference this small is "about as often, but uncertain", not "perhaps more" or "perhaps less".
pub const NO_DIRECTION_WITHIN: f64 = 0.025;
/// The family-wise error rate of the pack's "stands out" claims.
pub const ALPHA: f64 = 0.05;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Conclusion {
    pub verdict: Verdict,
    pub difference: Option<f64>,
    /// Newcombe's 95 % interval of the difference.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Fisher's exact test of this municipality against the rest, two-sided.
    pub p_value: Option<f64>,
    /// Holm-adjusted over the pack's main themes (as statsmodels' `multipletests(method="holm")`).
    pub p_holm: Option<f64>,
}

/// One main theme in a pack.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThemeFigures {
    /// Index into the corpus' codes.
    pub code: usize,
    pub own: Figure,
    pub others: Figure,
    pub conclusion: Conclusion,
    /// Quotes may be shown under this theme.
    pub quotes: bool,
}

/// One main theme in the first and the last wave.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WaveFigures {
    pub code: usize,
    pub first: Figure,
    pub last: Figure,
    /// Newcombe's 95 % interval of last − first in participant clusters, each counted once per wave
    /// (`crate::waves::wave_cells`), only when both are shown.
    pub ci: Option<(f64, f64)>,
    /// The test of the same change (Fisher's exact test or χ² with Yates' correction), only when both are shown.
    pub p_value: Option<f64>,
    /// What the pack says of the change; `None` when either figure is hidden.
    pub change: Option<WaveChange>,
}

/// What a pack says about a main theme between the first and the last wave.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaveChange {
    /// The clusters' interval lies above zero, their test has p < `ALPHA`, and the source shares shown rose.
    Up,
    /// The same, downwards.
    Down,
    /// Anything else, including no interval (the theme in none or all of the sources).
    Unclear,
}

impl WaveChange {
    fn of(first: Figure, last: Figure, ci: Option<(f64, f64)>, p_value: Option<f64>) -> WaveChange {
        let significant = p_value.is_some_and(|p| p < ALPHA);
        let shown = first.share().zip(last.share()).map_or(0.0, |(a, b)| b - a);
        match ci {
            Some((low, _)) if low > 0.0 && significant && shown > 0.0 => WaveChange::Up,
            Some((_, high)) if high < 0.0 && significant && shown < 0.0 => WaveChange::Down,
            _ => WaveChange::Unclear,
        }
    }
}

/// One stage of the idea funnel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageFigures {
    pub stage: String,
    pub own: Figure,
    pub others: Figure,
}

/// Everything one municipality's pack shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pack {
    /// Index into the corpus' municipalities.
    pub municipality: usize,
    pub letter: String,
    pub themes: Vec<ThemeFigures>,
    pub waves: Vec<WaveFigures>,
    pub ideas: Vec<StageFigures>,
    /// The ideas in words and as curves over time; `None` when the project has no idea records.
    pub idea_summary: Option<IdeaSummary>,
    /// Per survey instrument (the records' order): its dimension indices or its before-and-after figures.
    pub surveys: Vec<SurveyFigures>,
    /// What the municipality's earlier workshop said, when it had one.
    pub last_time: Option<LastTime>,
    /// The machine-readable record of what the pack publishes, for `crosscase audit --disclosure`.
    pub figures: PublishedFigures,
}

impl Pack {
    pub fn theme(&self, code: usize) -> Option<&ThemeFigures> {
        self.themes.iter().find(|t| t.code == code)
    }
}

/// The model of all packs of a project.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PackModel {
    pub threshold: u32,
    /// Per municipality (corpus order): its letter, the same in every pack and section.
    pub letters: Vec<String>,
    /// Code × municipality: the heatmap's cells.
    pub heatmap: Vec<Vec<Figure>>,
    /// The names of the first and the last wave, when there are two or more.
    pub waves: Option<(String, String)>,
    pub packs: Vec<Pack>,
    /// (instrument, kommunkod, wave) whose answers may be shown: enough respondents.
    survey_shown: HashSet<(String, String, String)>,
}

impl PackModel {
    /// Whether the answers of `municipality` to `instrument` in `wave` may be shown, on their own or pooled into
    /// "the other municipalities" (a pooled figure includes only groups that could be shown alone, so that no pooled
    /// figure minus shown figures leaves a small group).
    pub fn survey_shown(&self, instrument: &str, municipality: &str, wave: &str) -> bool {
        self.survey_shown
            .contains(&(instrument.to_string(), municipality.to_string(), wave.to_string()))
    }

    pub fn pack(&self, municipality: usize) -> Option<&Pack> {
        self.packs.iter().find(|p| p.municipality == municipality)
    }
}

/// `A`, `B`, … `Z`, `AA`, …
pub fn letter(i: usize) -> String {
    let mut n = i + 1;
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The project's letter key: a random permutation of the municipalities (Fisher–Yates on the model's SplitMix64
/// stream), so that letters follow neither kommunkod nor name order.
pub fn letter_key(municipalities: usize, seed: u64) -> Vec<String> {
    let mut order: Vec<usize> = (0..municipalities).collect();
    let mut rng = Rng::stream(seed, 0x6c65_7474_6572);
    for i in (1..order.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    // order[k] is the municipality with the k-th letter.
    let mut letters = vec![String::new(); municipalities];
    for (k, &m) in order.iter().enumerate() {
        letters[m] = letter(k);
    }
    letters
}

/// Each municipality against all the others, per code, on participant clusters (the default unit of `compare`): the
/// only place the pack model takes contrasts from; their Newcombe intervals and the Holm-corrected Fisher p-values of
/// their cluster counts decide what a pack says stands out.
fn stand_out_contrasts(corpus: &Corpus) -> Vec<ContrastRow> {
    // Participant clusters as units, as the default comparison: repeated interviews of one person count once.
    crate::differences::cluster_contrasts(corpus, 0.95)
}

/// Holm's step-down adjustment, as statsmodels' `multipletests(method="holm")` and R's `p.adjust("holm")`.
pub fn holm(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some_and(f64::is_finite)).collect();
    idx.sort_by(|&a, &b| p[a].unwrap_or(0.0).total_cmp(&p[b].unwrap_or(0.0)));
    let m = idx.len();
    let mut out = vec![None; p.len()];
    let mut running = 0.0f64;
    for (k, &i) in idx.iter().enumerate() {
        let adjusted = ((m - k) as f64 * p[i].unwrap_or(1.0)).min(1.0);
        running = running.max(adjusted);
        out[i] = Some(running);
    }
    out
}

/// Per code, the sources with the code and the sources in all, summed over every municipality's prevalence row.
fn code_totals(rows: &[PrevalenceRow]) -> HashMap<&str, (u64, u64)> {
    let mut totals: HashMap<&str, (u64, u64)> = HashMap::new();
    for r in rows {
        let e = totals.entry(r.code.as_str()).or_default();
        (e.0, e.1) = (e.0 + r.sources, e.1 + r.sources_total);
    }
    totals
}

/// The share of a municipality's sources with the code minus the share of all other municipalities' sources: the
/// difference of the two figures a pack shows for a theme. `totals` are the code's sums from [`code_totals`].
fn shown_difference(row: &PrevalenceRow, totals: (u64, u64)) -> Option<f64> {
    let (with, total) = (row.sources, row.sources_total);
    let (rest_with, rest_total) = (totals.0 - with, totals.1 - total);
    (total > 0 && rest_total > 0).then(|| with as f64 / total as f64 - rest_with as f64 / rest_total as f64)
}

/// The verdict on one theme from its difference, the interval of its contrast and its Holm-adjusted p-value.
pub fn verdict(difference: f64, ci_low: f64, ci_high: f64, p_holm: f64) -> Verdict {
    // "Clearly" only where the interval lies on the side the difference is on: the packs show source-level shares
    // while the interval counts participant clusters, and the two must not point different ways.
    if p_holm < ALPHA && difference > 0.0 && ci_low > 0.0 {
        Verdict::ClearlyMore
    } else if p_holm < ALPHA && difference < 0.0 && ci_high < 0.0 {
        Verdict::ClearlyLess
    } else if ci_low >= -SAME_WITHIN && ci_high <= SAME_WITHIN {
        Verdict::AboutTheSame
    } else if difference.abs() < NO_DIRECTION_WITHIN {
        Verdict::Uncertain
    } else if difference > 0.0 {
        Verdict::PerhapsMore
    } else {
        Verdict::PerhapsLess
    }
}

// ---- the disclosure tables -------------------------------------------------------------------------------------

/// Where a count is published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// In every pack (a heatmap column), or only in its own pack when the heatmap pools the others.
    Heatmap(usize),
    /// Only in this municipality's pack.
    Pack(usize),
    /// Nowhere: a total or remainder of the structure.
    Nowhere,
}

#[derive(Clone, Debug)]
struct Cell {
    key: String,
    value: u64,
    max: Option<u64>,
    hidden: Option<Hidden>,
    place: Place,
    /// Information lost when this cell is hidden (its count, weighted; a finding of its pack weighs far more).
    cost: f64,
}

/// One connected table: its cells, its sums and "if a is hidden, b is hidden" links.
#[derive(Clone, Debug, Default)]
struct Table {
    cells: Vec<Cell>,
    sums: Vec<Sum>,
    links: Vec<(usize, usize)>,
}

impl Table {
    fn add(&mut self, cell: Cell) -> usize {
        self.cells.push(cell);
        self.cells.len() - 1
    }

    /// Adds `<prefix>/all`, the unpublished total of `parts` (one cell per municipality), with its sum.
    fn add_total(&mut self, prefix: &str, parts: &[usize], max: Option<u64>) -> (usize, u64) {
        let value: u64 = parts.iter().map(|&i| self.cells[i].value).sum();
        let total = self.add(Cell {
            key: format!("{prefix}/all"),
            value,
            max,
            hidden: None,
            place: Place::Nowhere,
            cost: 0.0,
        });
        self.sums.push(Sum {
            total,
            parts: parts.to_vec(),
        });
        (total, value)
    }

    /// Adds `<prefix>/not-<letter>`, "the others" beside `part` in its pack: the total less `part`, with the sum that
    /// ties them and the link that hides one with the other. Returns the new cell.
    fn add_rest(
        &mut self,
        prefix: &str,
        (total, total_value): (usize, u64),
        part: usize,
        pack: (usize, &str),
        max: Option<u64>,
    ) -> usize {
        let value = total_value - self.cells[part].value;
        let rest = self.add(Cell {
            key: format!("{prefix}/not-{}", pack.1),
            value,
            max,
            hidden: None,
            place: Place::Pack(pack.0),
            cost: value as f64 + 1.0,
        });
        self.sums.push(Sum {
            total,
            parts: vec![part, rest],
        });
        self.links.push((part, rest));
        rest
    }

    fn shown(&self, i: usize) -> bool {
        self.cells[i].hidden.is_none() && self.cells[i].place != Place::Nowhere
    }

    fn ranges(&self) -> Vec<Range> {
        self.cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if self.shown(i) {
                    Range::point(c.value)
                } else {
                    Range::unknown(c.max)
                }
            })
            .collect()
    }

    /// Secondary suppression: hides the cheapest shown cell that shares a sum with a suppressed cell an attacker can
    /// still pin, until none can be pinned (a greedy approximation of sdcTable's minimal-cost suppression).
    fn protect(&mut self, threshold: u64) {
        for _ in 0..=self.cells.len() {
            loop {
                let mut changed = false;
                for &(a, b) in &self.links {
                    if self.cells[a].hidden.is_some() && self.cells[b].hidden.is_none() {
                        self.cells[b].hidden = Some(Hidden::ProtectsAnother);
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
            let mut ranges = self.ranges();
            propagate(&mut ranges, &self.sums);
            let Some(u) = (0..self.cells.len()).find(|&i| {
                self.cells[i].hidden.is_some() && self.cells[i].place != Place::Nowhere && ranges[i].pinned(threshold)
            }) else {
                return;
            };
            let candidate = self
                .sums
                .iter()
                .filter(|s| s.total == u || s.parts.contains(&u))
                .flat_map(|s| std::iter::once(s.total).chain(s.parts.iter().copied()))
                .filter(|&i| self.shown(i))
                .min_by(|&a, &b| self.cells[a].cost.total_cmp(&self.cells[b].cost).then(a.cmp(&b)));
            match candidate {
                Some(c) => self.cells[c].hidden = Some(Hidden::ProtectsAnother),
                // Nothing left to hide beside it: the audit will say so.
                None => return,
            }
        }
    }

    fn figure(&self, i: usize, base: u64) -> Figure {
        match self.cells[i].hidden {
            Some(h) => Figure::Hidden(h),
            None if base == 0 => Figure::Hidden(Hidden::NoData),
            None => Figure::Shown {
                count: self.cells[i].value,
                base,
            },
        }
    }
}

/// A code's table: (code, table, its municipalities' cells, the others' cells, the waves' cells).
type CodeTable = (usize, Table, Vec<usize>, Vec<usize>, Vec<(usize, usize)>);

/// Counts of one municipality in one wave.
#[derive(Clone, Debug, Default)]
struct WaveCount {
    sources: HashSet<u32>,
    participants: HashSet<u32>,
}

/// What the pack model is computed from.
#[derive(Clone, Copy, Debug)]
pub struct PackInputs<'a> {
    pub corpus: &'a Corpus,
    pub prevalence: &'a [PrevalenceRow],
    pub ideas: &'a IdeaRecords,
    pub surveys: &'a SurveyRecords,
    /// The earlier workshop of each municipality that had one.
    pub workshops: &'a WorkshopRecords,
}

/// Computes the model of every pack of the project.
pub fn pack_model(inputs: &PackInputs<'_>, config: &PackConfig) -> PackModel {
    let PackInputs {
        corpus,
        prevalence: rows,
        ideas,
        surveys,
        workshops,
    } = *inputs;
    let threshold = u64::from(config.threshold);
    let n_m = corpus.municipalities.len();
    let letters = letter_key(n_m, config.letter_seed);
    let depth = corpus.code_depth();
    let top: Vec<usize> = (0..corpus.codes.len()).filter(|&c| depth[c] == 0).collect();
    let per_letter = n_m <= config.max_heatmap_columns;
    // The rows by (code, municipality) and the first row of each municipality, looked up rather than searched: a
    // national project has 290 × 300 rows.
    let mut by_cell: HashMap<(&str, &str), &PrevalenceRow> = HashMap::with_capacity(rows.len());
    let mut by_municipality: HashMap<&str, &PrevalenceRow> = HashMap::new();
    for r in rows {
        by_cell.entry((r.code.as_str(), r.municipality.as_str())).or_insert(r);
        by_municipality.entry(r.municipality.as_str()).or_insert(r);
    }
    let row = |c: usize, m: usize| -> Option<&PrevalenceRow> {
        by_cell
            .get(&(corpus.codes[c].id.as_str(), corpus.municipalities[m].code.as_str()))
            .copied()
    };
    let first_row = |m: usize| by_municipality.get(corpus.municipalities[m].code.as_str());
    let base: Vec<u64> = (0..n_m).map(|m| first_row(m).map_or(0, |r| r.sources_total)).collect();
    let people: Vec<u64> = (0..n_m)
        .map(|m| first_row(m).map_or(0, |r| r.participants_total))
        .collect();
    let totals = code_totals(rows);
    let all_sources: u64 = base.iter().sum();

    // Conclusions first: a theme where a pack stands out is costly to hide.
    let contrasts = stand_out_contrasts(corpus);
    let mut contrast_of: HashMap<(&str, &str), &ContrastRow> = HashMap::with_capacity(contrasts.len());
    for r in &contrasts {
        contrast_of
            .entry((r.code.as_str(), r.municipality.as_str()))
            .or_insert(r);
    }
    let mut conclusions: Vec<Vec<Conclusion>> = Vec::with_capacity(n_m);
    for m in 0..n_m {
        let found: Vec<Option<&ContrastRow>> = top
            .iter()
            .map(|&c| {
                contrast_of
                    .get(&(corpus.codes[c].id.as_str(), corpus.municipalities[m].code.as_str()))
                    .copied()
            })
            .collect();
        let p: Vec<Option<f64>> = found
            .iter()
            .map(|r| {
                r.filter(|r| r.n > 0 && r.rest_n > 0).map(|r| {
                    fisher_exact_2x2(
                        r.with_code,
                        r.n - r.with_code,
                        r.rest_with_code,
                        r.rest_n - r.rest_with_code,
                    )
                })
            })
            .collect();
        let adjusted = holm(&p);
        conclusions.push(
            found
                .iter()
                .zip(p.iter().zip(&adjusted))
                .map(|(r, (&p, &q))| {
                    let (d, lo, hi) = r.map_or((None, None, None), |r| (r.difference, r.ci_low, r.ci_high));
                    // The direction a participant reads is that of the shares the pack shows (sources).
                    let shown = r.and_then(|r| {
                        let own = by_cell.get(&(r.code.as_str(), r.municipality.as_str()))?;
                        shown_difference(own, *totals.get(r.code.as_str())?)
                    });
                    let verdict = match (shown, lo, hi, q) {
                        (Some(d), Some(lo), Some(hi), Some(q)) => verdict(d, lo, hi, q),
                        _ => Verdict::NotTested,
                    };
                    Conclusion {
                        verdict,
                        difference: d,
                        ci_low: lo,
                        ci_high: hi,
                        p_value: p,
                        p_holm: q,
                    }
                })
                .collect(),
        );
    }
    let stands_out =
        |m: usize, k: usize| matches!(conclusions[m][k].verdict, Verdict::ClearlyMore | Verdict::ClearlyLess);

    // Sources and participants per (main theme, municipality, wave), and per (municipality, wave).
    let waves = (corpus.waves.len() >= 2).then(|| (0u32, corpus.waves.len() as u32 - 1));
    let mut wave_totals: HashMap<(usize, u32), WaveCount> = HashMap::new();
    let mut wave_with: HashMap<(usize, usize, u32), WaveCount> = HashMap::new();
    if let Some((wf, wl)) = waves {
        for (si, s) in corpus.sources.iter().enumerate() {
            if let Some(w) = s.wave.filter(|w| *w == wf || *w == wl) {
                let e = wave_totals.entry((s.municipality as usize, w)).or_default();
                e.sources.insert(si as u32);
                e.participants.extend(s.participants.iter().copied());
            }
        }
        let ancestry = corpus.code_ancestry();
        for i in counted_codings(corpus) {
            let si = corpus.codings.source[i];
            let s = &corpus.sources[si as usize];
            let Some(w) = s.wave.filter(|w| *w == wf || *w == wl) else {
                continue;
            };
            let root = *ancestry[corpus.codings.code[i] as usize].last().unwrap_or(&0) as usize;
            let e = wave_with.entry((root, s.municipality as usize, w)).or_default();
            e.sources.insert(si);
            e.participants.extend(s.participants.iter().copied());
        }
    }
    let wave_change = waves.map(|(wf, wl)| crate::waves::wave_cells(corpus, wf, wl));
    let wave_n = |m: usize, w: u32| {
        wave_totals
            .get(&(m, w))
            .map_or((0, 0), |e| (e.sources.len() as u64, e.participants.len() as u64))
    };
    let wave_x = |c: usize, m: usize, w: u32| {
        wave_with
            .get(&(c, m, w))
            .map_or((0, 0), |e| (e.sources.len() as u64, e.participants.len() as u64))
    };

    // Primary suppression of a theme cell: the municipality below the threshold, or 1 … threshold − 1 people with
    // the theme (zero is shown: it names nobody). Sources without registered people count only with the municipality.
    let primary = |people_total: u64, people_with: u64| -> Option<Hidden> {
        (people_total < threshold || (people_with > 0 && people_with < threshold)).then_some(Hidden::TooFewPeople)
    };

    // One table per code.
    let mut tables: Vec<CodeTable> = Vec::new();
    for c in 0..corpus.codes.len() {
        let mut t = Table::default();
        let key = &corpus.codes[c].id;
        let k_top = top.iter().position(|&x| x == c);
        let xs: Vec<usize> = (0..n_m)
            .map(|m| {
                let r = row(c, m);
                let (value, with_people) = r.map_or((0, 0), |r| (r.sources, r.participants));
                let hidden = if base[m] == 0 {
                    None
                } else {
                    primary(people[m], with_people)
                };
                let finding = k_top.is_some_and(|k| stands_out(m, k));
                t.add(Cell {
                    key: format!("theme/{key}/{}", letters[m]),
                    value,
                    max: Some(base[m]),
                    hidden,
                    place: if per_letter { Place::Heatmap(m) } else { Place::Pack(m) },
                    cost: value as f64 + 1.0 + if finding { 1e6 } else { 0.0 },
                })
            })
            .collect();
        let mut others = Vec::new();
        let mut wave_cells = Vec::new();
        if k_top.is_some() {
            let prefix = format!("theme/{key}");
            let total = t.add_total(&prefix, &xs, Some(all_sources));
            for m in 0..n_m {
                let o = t.add_rest(&prefix, total, xs[m], (m, &letters[m]), Some(all_sources - base[m]));
                others.push(o);
                if let Some((wf, wl)) = waves {
                    let mut parts = Vec::new();
                    for w in [wf, wl] {
                        let (n_w, people_w) = wave_n(m, w);
                        let (x_w, with_w) = wave_x(c, m, w);
                        let hidden = if n_w == 0 { None } else { primary(people_w, with_w) };
                        let i = t.add(Cell {
                            key: format!("wave/{key}/{}/{}", letters[m], corpus.waves[w as usize]),
                            value: x_w,
                            max: Some(n_w),
                            hidden,
                            place: Place::Pack(m),
                            // Wave figures are the first to go when something must be hidden.
                            cost: (x_w as f64 + 1.0) * 0.1,
                        });
                        t.links.push((xs[m], i));
                        parts.push(i);
                    }
                    let shown_sum: u64 = parts.iter().map(|&i| t.cells[i].value).sum();
                    let n_rest = base[m].saturating_sub(wave_n(m, wf).0 + wave_n(m, wl).0);
                    let rest = t.add(Cell {
                        key: format!("wave/{key}/{}/other", letters[m]),
                        value: t.cells[xs[m]].value.saturating_sub(shown_sum),
                        max: Some(n_rest),
                        hidden: None,
                        place: Place::Nowhere,
                        cost: 0.0,
                    });
                    parts.push(rest);
                    t.sums.push(Sum {
                        total: xs[m],
                        parts: parts.clone(),
                    });
                    wave_cells.push((parts[0], parts[1]));
                }
            }
        }
        t.protect(threshold);
        tables.push((c, t, xs, others, wave_cells));
    }

    // Ideas: one table, stages in rows, municipalities in columns.
    let municipality_ideas: Vec<Vec<&crosscase_model::Idea>> = (0..n_m)
        .map(|m| {
            ideas
                .ideas
                .iter()
                .filter(|i| i.municipality == corpus.municipalities[m].code)
                .collect()
        })
        .collect();
    let funnels: Vec<crate::ideas::Funnel> = municipality_ideas.iter().map(|v| funnel(ideas, v)).collect();
    // The log-rank test across municipalities is the same in every pack: computed once.
    let log_rank_p = idea_summary::log_rank_p(ideas);
    let stages: Vec<String> = ideas.stages.progress.clone();
    let mut idea_table = Table::default();
    let mut idea_cells: Vec<Vec<(usize, usize)>> = vec![Vec::new(); stages.len()];
    if !ideas.ideas.is_empty() {
        for (k, stage) in stages.iter().enumerate() {
            let xs: Vec<usize> = (0..n_m)
                .map(|m| {
                    let value = funnels[m].progress.get(k).map_or(0, |p| p.1);
                    let n = funnels[m].ideas;
                    idea_table.add(Cell {
                        key: format!("ideas/{stage}/{}", letters[m]),
                        value,
                        max: if k == 0 { None } else { Some(n) },
                        hidden: (n < threshold).then_some(Hidden::TooFewPeople),
                        place: Place::Pack(m),
                        cost: value as f64 + 1.0,
                    })
                })
                .collect();
            let prefix = format!("ideas/{stage}");
            let total = idea_table.add_total(&prefix, &xs, None);
            for m in 0..n_m {
                let o = idea_table.add_rest(&prefix, total, xs[m], (m, &letters[m]), None);
                idea_cells[k].push((xs[m], o));
            }
        }
        // A municipality's funnel is shown whole or not at all, and so is "the others" beside it.
        #[allow(clippy::needless_range_loop)]
        for m in 0..n_m {
            for k in 1..stages.len() {
                for (a, b) in [(0, k), (k, 0)] {
                    idea_table.links.push((idea_cells[a][m].0, idea_cells[b][m].0));
                    idea_table.links.push((idea_cells[a][m].1, idea_cells[b][m].1));
                }
            }
        }
        idea_table.protect(threshold);
    }

    // Surveys: a group's answers are shown (alone or pooled) only with enough respondents.
    let mut survey_count: HashMap<(String, String, String), HashSet<&str>> = HashMap::new();
    for r in &surveys.responses {
        survey_count
            .entry((r.instrument.clone(), r.municipality.clone(), r.wave.clone()))
            .or_default()
            .insert(r.respondent.as_str());
    }
    let survey_shown: HashSet<(String, String, String)> = survey_count
        .into_iter()
        .filter(|(_, v)| v.len() as u64 >= threshold)
        .map(|(k, _)| k)
        .collect();
    let is_survey_shown = |instrument: &str, municipality: &str, wave: &str| {
        survey_shown.contains(&(instrument.to_string(), municipality.to_string(), wave.to_string()))
    };

    // The heatmap and the packs.
    let mut heatmap = vec![vec![Figure::Hidden(Hidden::NoData); n_m]; corpus.codes.len()];
    for (c, t, xs, _, _) in &tables {
        for m in 0..n_m {
            heatmap[*c][m] = t.figure(xs[m], base[m]);
        }
    }
    let packs = (0..n_m)
        .map(|m| {
            let mut themes = Vec::new();
            let mut wave_figures = Vec::new();
            for (k, &c) in top.iter().enumerate() {
                let (_, t, xs, others, wave_cells) = &tables[c];
                let own = t.figure(xs[m], base[m]);
                let other = t.figure(others[m], all_sources - base[m]);
                let mut conclusion = conclusions[m][k];
                if !own.is_shown() || !other.is_shown() {
                    conclusion.verdict = Verdict::Hidden;
                }
                themes.push(ThemeFigures {
                    code: c,
                    own,
                    others: other,
                    conclusion,
                    quotes: own.is_shown() && people[m] >= threshold,
                });
                if let (Some((wf, wl)), Some(&(a, b))) = (waves, wave_cells.get(m)) {
                    let first = t.figure(a, wave_n(m, wf).0);
                    let last = t.figure(b, wave_n(m, wl).0);
                    // The interval and test count each person once per wave (participant clusters), as every
                    // "stands out" does; the figures shown count sources.
                    let (ci, p_value, change) = match (first, last, &wave_change) {
                        (Figure::Shown { .. }, Figure::Shown { .. }, Some(cells)) => {
                            let test = cells[c][m].test(0.95);
                            let ci = test.change.map(|d| (d.1, d.2));
                            (ci, test.p_value, Some(WaveChange::of(first, last, ci, test.p_value)))
                        }
                        _ => (None, None, None),
                    };
                    wave_figures.push(WaveFigures {
                        code: c,
                        first,
                        last,
                        ci,
                        p_value,
                        change,
                    });
                }
            }
            let idea_figures = if ideas.ideas.is_empty() {
                Vec::new()
            } else {
                let others_n: u64 = (0..n_m).filter(|&o| o != m).map(|o| funnels[o].ideas).sum();
                stages
                    .iter()
                    .enumerate()
                    .map(|(k, stage)| {
                        let (a, b) = idea_cells[k][m];
                        StageFigures {
                            stage: stage.clone(),
                            own: idea_table.figure(a, funnels[m].ideas),
                            others: idea_table.figure(b, others_n),
                        }
                    })
                    .collect()
            };
            let figures = published(m, &letters, config.threshold, &tables, &idea_table);
            let survey_figures = surveys::survey_figures(
                surveys,
                &corpus.waves,
                &corpus.municipalities[m].code,
                threshold,
                &is_survey_shown,
            );
            Pack {
                municipality: m,
                letter: letters[m].clone(),
                themes,
                waves: wave_figures,
                idea_summary: idea_summary::idea_summary(
                    ideas,
                    &corpus.municipalities[m].code,
                    idea_figures.first().is_some_and(|f| f.own.is_shown()),
                    idea_figures.first().is_some_and(|f| f.others.is_shown()),
                    log_rank_p,
                ),
                ideas: idea_figures,
                surveys: survey_figures,
                last_time: workshops
                    .of(&corpus.municipalities[m].code)
                    .map(|w| last_time::last_time(corpus, w, threshold)),
                figures,
            }
        })
        .collect();
    PackModel {
        threshold: config.threshold,
        letters,
        heatmap,
        waves: waves.map(|(a, b)| {
            (
                corpus.wave_name(a as usize).to_string(),
                corpus.wave_name(b as usize).to_string(),
            )
        }),
        packs,
        survey_shown,
    }
}

/// What pack `m` publishes: its cells (shown with value, suppressed with what bounds them) and the relations they
/// take part in, with the unpublished totals those relations name.
fn published(m: usize, letters: &[String], threshold: u32, tables: &[CodeTable], ideas: &Table) -> PublishedFigures {
    let mut cells = Vec::new();
    let mut relations = Vec::new();
    for t in tables.iter().map(|x| &x.1).chain(std::iter::once(ideas)) {
        let here = |i: usize| match t.cells[i].place {
            Place::Heatmap(_) => true,
            Place::Pack(p) => p == m,
            Place::Nowhere => false,
        };
        let mut named = vec![false; t.cells.len()];
        for s in &t.sums {
            let members = || std::iter::once(s.total).chain(s.parts.iter().copied());
            // A relation is this pack's to publish when it holds one of its own cells.
            let own = members().any(|i| match t.cells[i].place {
                Place::Heatmap(p) | Place::Pack(p) => p == m,
                Place::Nowhere => false,
            });
            if own {
                for i in members() {
                    named[i] = true;
                }
                relations.push(Relation {
                    total: t.cells[s.total].key.clone(),
                    parts: s.parts.iter().map(|&i| t.cells[i].key.clone()).collect(),
                });
            }
        }
        for (i, c) in t.cells.iter().enumerate() {
            if here(i) {
                let shown = c.hidden.is_none();
                cells.push(PublishedCell {
                    key: c.key.clone(),
                    status: if shown { Status::Shown } else { Status::Suppressed },
                    value: shown.then_some(c.value),
                    max: (!shown).then_some(c.max).flatten(),
                });
            } else if named[i] {
                cells.push(PublishedCell {
                    key: c.key.clone(),
                    status: Status::Unpublished,
                    value: None,
                    max: c.max,
                });
            }
        }
    }
    PublishedFigures {
        pack: letters[m].clone(),
        threshold,
        cells,
        relations,
        run: None,
    }
}
