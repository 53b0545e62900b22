//! Survey instruments by municipality (or role, or all together), per wave: item distributions, means, medians and
//! top-two-box shares with Wilson intervals, dimension indices with Cronbach's α, Kruskal–Wallis across
//! municipalities with pairwise Mann–Whitney tests (Benjamini–Hochberg), and change before and after a training.
//!
//! A respondent's dimension index is the mean of the dimension's items they answered (reverse-coded items turned
//! around), provided they answered at least half of them. α is computed from respondents who answered every item
//! of the dimension.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crosscase_model::{Instrument, SurveyDesign, SurveyRecords, SurveyResponse};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::AnalysisError;
use crate::stats::{
    TIE_TOLERANCE, benjamini_hochberg, cronbach_alpha, kruskal_wallis, mann_whitney, wilcoxon_signed_rank, wilson,
};

/// What responses are grouped by within each wave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SurveyGrouping {
    Municipality,
    Role,
}

impl SurveyGrouping {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyGrouping::Municipality => "municipality",
            SurveyGrouping::Role => "role",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SurveyConfig {
    pub grouping: SurveyGrouping,
    pub confidence: f64,
}

impl Default for SurveyConfig {
    fn default() -> SurveyConfig {
        SurveyConfig {
            grouping: SurveyGrouping::Municipality,
            confidence: 0.95,
        }
    }
}

/// One item in one group and wave.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemRow {
    pub instrument: String,
    pub wave: String,
    pub group_by: &'static str,
    /// A kommunkod or role; `all` for every respondent of the wave.
    pub group: String,
    pub item: String,
    pub dimension: Option<String>,
    /// Respondents with a scale value for the item.
    pub n: u64,
    /// Respondents without one (no answer, or a "don't know" code).
    pub no_answer: u64,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    /// Share in the two highest steps, with its Wilson interval.
    pub top_two: Option<f64>,
    pub top_two_low: Option<f64>,
    pub top_two_high: Option<f64>,
    /// The level of the intervals in this row, e.g. 0.95.
    pub confidence: f64,
    /// The count of each scale step, lowest first (in CSV and spreadsheets, which have no lists, joined by `|`).
    pub distribution: Vec<u64>,
}

/// One dimension index in one group and wave.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IndexRow {
    pub instrument: String,
    pub wave: String,
    pub group_by: &'static str,
    pub group: String,
    pub dimension: String,
    pub items: u64,
    /// Respondents with an index.
    pub n: u64,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub cronbach_alpha: Option<f64>,
    /// Respondents who answered every item, from whom α is computed.
    pub alpha_n: u64,
}

/// A test across groups (Kruskal–Wallis) or between two groups (Mann–Whitney), of an item or a dimension index.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SurveyTestRow {
    pub instrument: String,
    pub wave: String,
    pub group_by: &'static str,
    /// An item id or a dimension id.
    pub target: String,
    pub target_kind: &'static str,
    /// `kruskal_wallis` or `mann_whitney`.
    pub test: &'static str,
    /// The two groups compared, for Mann–Whitney.
    pub group_a: Option<String>,
    pub group_b: Option<String>,
    pub groups: u64,
    pub n: u64,
    pub statistic: Option<f64>,
    pub df: Option<u64>,
    pub p_value: Option<f64>,
    /// Benjamini–Hochberg within the instrument and wave: across every target's Kruskal–Wallis test, and across
    /// every pair of every target for Mann–Whitney.
    pub q_value: Option<f64>,
    pub reason: String,
}

/// Before and after a training, for one group and target.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrePostRow {
    pub instrument: String,
    pub group_by: &'static str,
    pub group: String,
    pub target: String,
    pub target_kind: &'static str,
    /// `paired` (Wilcoxon signed-rank on the respondents who answered both times) or `unpaired` (Mann–Whitney).
    pub design: &'static str,
    pub n_pre: u64,
    pub n_post: u64,
    pub pairs: u64,
    pub mean_pre: Option<f64>,
    pub mean_post: Option<f64>,
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    /// Paired only: respondents whose value improved (rose; fell on a reverse-coded item), their share of the pairs,
    /// and its Wilson interval ("8 of 10").
    pub improved: Option<u64>,
    pub improved_share: Option<f64>,
    pub improved_low: Option<f64>,
    pub improved_high: Option<f64>,
    /// The level of the intervals in this row, e.g. 0.95.
    pub confidence: f64,
    pub reason: String,
}

/// Everything `crosscase survey` reports for one instrument.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SurveyAnalysis {
    pub items: Vec<ItemRow>,
    pub indices: Vec<IndexRow>,
    pub tests: Vec<SurveyTestRow>,
    pub pre_post: Vec<PrePostRow>,
}

/// A respondent's values as they count: scored (reverse-coded items turned around) for indices.
fn scored(instrument: &Instrument, r: &SurveyResponse, item: usize) -> Option<f64> {
    r.values[item].map(|v| f64::from(instrument.scored(&instrument.items[item], v)))
}

/// The items of each dimension, by position.
pub fn dimension_items(instrument: &Instrument) -> Vec<(String, Vec<usize>)> {
    instrument
        .dimensions
        .iter()
        .map(|d| {
            let items = (0..instrument.items.len())
                .filter(|&i| instrument.items[i].dimension.as_deref() == Some(d.id.as_str()))
                .collect();
            (d.id.clone(), items)
        })
        .collect()
}

/// A respondent's index on a dimension: the mean of the items answered, when at least half were.
pub fn index(instrument: &Instrument, r: &SurveyResponse, items: &[usize]) -> Option<f64> {
    let values: Vec<f64> = items.iter().filter_map(|&i| scored(instrument, r, i)).collect();
    (!items.is_empty() && 2 * values.len() >= items.len()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The median, averaging the middle two of an even count, as R's `median`.
fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    Some(if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    })
}

/// The group key of a response.
fn group_of(r: &SurveyResponse, grouping: SurveyGrouping) -> Option<String> {
    match grouping {
        SurveyGrouping::Municipality => Some(r.municipality.clone()),
        SurveyGrouping::Role => r.role.map(|role| role.as_str().to_string()),
    }
}

/// The occasions of an instrument's responses, in order: waves as given in `wave_order`, or pre before post.
fn occasions(instrument: &Instrument, responses: &[&SurveyResponse], wave_order: &[String]) -> Vec<String> {
    let present: BTreeSet<&str> = responses.iter().map(|r| r.wave.as_str()).collect();
    match instrument.design {
        SurveyDesign::PrePost => ["pre", "post"]
            .iter()
            .filter(|w| present.contains(*w))
            .map(|w| w.to_string())
            .collect(),
        SurveyDesign::Waves => wave_order
            .iter()
            .filter(|w| present.contains(w.as_str()))
            .cloned()
            .collect(),
    }
}

/// Analyses one instrument. `wave_order` gives the project's waves in time order.
pub fn analyse_survey(
    records: &SurveyRecords,
    instrument_id: &str,
    wave_order: &[String],
    config: &SurveyConfig,
) -> Result<SurveyAnalysis, AnalysisError> {
    let Some(instrument) = records.instruments.iter().find(|i| i.id == instrument_id) else {
        let known: Vec<&str> = records.instruments.iter().map(|i| i.id.as_str()).collect();
        return Err(AnalysisError::Input(if known.is_empty() {
            "the project has no survey instruments: add surveys/<id>.toml and surveys/<id>.csv (see docs/project-format.md) and ingest it again".to_string()
        } else {
            format!(
                "instrument `{instrument_id}` is not in the project; its instruments are: {}",
                known.join(", ")
            )
        }));
    };
    if !(0.5..1.0).contains(&config.confidence) {
        return Err(AnalysisError::Input(format!(
            "confidence {} must lie between 0.5 and 1, e.g. 0.95",
            config.confidence
        )));
    }
    let responses: Vec<&SurveyResponse> = records
        .responses
        .iter()
        .filter(|r| r.instrument == instrument.id)
        .collect();
    let dims = dimension_items(instrument);
    let mut analysis = SurveyAnalysis::default();
    for wave in occasions(instrument, &responses, wave_order) {
        let in_wave: Vec<&SurveyResponse> = responses.iter().copied().filter(|r| r.wave == wave).collect();
        let mut groups: BTreeMap<String, Vec<&SurveyResponse>> = BTreeMap::new();
        for r in &in_wave {
            if let Some(g) = group_of(r, config.grouping) {
                groups.entry(g).or_default().push(r);
            }
        }
        let mut all_groups: Vec<(String, Vec<&SurveyResponse>)> = groups.clone().into_iter().collect();
        all_groups.push(("all".to_string(), in_wave.clone()));
        let described: Vec<(Vec<ItemRow>, Vec<IndexRow>)> = all_groups
            .par_iter()
            .map(|(group, members)| describe(instrument, &wave, config, group, members, &dims))
            .collect();
        for (items, indices) in described {
            analysis.items.extend(items);
            analysis.indices.extend(indices);
        }
        analysis
            .tests
            .extend(compare(instrument, &wave, config.grouping, &groups, &dims));
    }
    if instrument.design == SurveyDesign::PrePost {
        analysis.pre_post = pre_post(instrument, &responses, config, &dims);
    }
    Ok(analysis)
}

fn describe(
    instrument: &Instrument,
    wave: &str,
    config: &SurveyConfig,
    group: &str,
    members: &[&SurveyResponse],
    dims: &[(String, Vec<usize>)],
) -> (Vec<ItemRow>, Vec<IndexRow>) {
    let mut items = Vec::new();
    for (i, item) in instrument.items.iter().enumerate() {
        let values: Vec<u8> = members.iter().filter_map(|r| r.values[i]).collect();
        let as_f64: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
        let n = values.len() as u64;
        let top = values.iter().filter(|&&v| instrument.top_two(v)).count() as u64;
        let ci = wilson(top, n, config.confidence);
        let mut counts = vec![0u64; instrument.steps()];
        for &v in &values {
            counts[usize::from(v - instrument.scale_min)] += 1;
        }
        items.push(ItemRow {
            instrument: instrument.id.clone(),
            wave: wave.to_string(),
            group_by: config.grouping.as_str(),
            group: group.to_string(),
            item: item.id.clone(),
            dimension: item.dimension.clone(),
            n,
            no_answer: members.len() as u64 - n,
            mean: mean(&as_f64),
            median: median(&as_f64),
            top_two: (n > 0).then(|| top as f64 / n as f64),
            top_two_low: ci.map(|c| c.0),
            top_two_high: ci.map(|c| c.1),
            confidence: config.confidence,
            distribution: counts,
        });
    }
    let mut indices = Vec::new();
    for (dimension, dim_items) in dims {
        let values: Vec<f64> = members.iter().filter_map(|r| index(instrument, r, dim_items)).collect();
        let complete: Vec<Vec<f64>> = members
            .iter()
            .filter_map(|r| {
                dim_items
                    .iter()
                    .map(|&i| scored(instrument, r, i))
                    .collect::<Option<Vec<f64>>>()
            })
            .collect();
        indices.push(IndexRow {
            instrument: instrument.id.clone(),
            wave: wave.to_string(),
            group_by: config.grouping.as_str(),
            group: group.to_string(),
            dimension: dimension.clone(),
            items: dim_items.len() as u64,
            n: values.len() as u64,
            mean: mean(&values),
            median: median(&values),
            cronbach_alpha: cronbach_alpha(&complete),
            alpha_n: complete.len() as u64,
        });
    }
    (items, indices)
}

/// What a test or a change is about: one item, or a dimension index.
enum Target<'a> {
    Item(usize),
    Dimension(&'a [usize]),
}

impl Target<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Target::Item(_) => "item",
            Target::Dimension(_) => "dimension",
        }
    }

    /// A respondent's value: the answer to the item, or their index on the dimension.
    fn value(&self, instrument: &Instrument, r: &SurveyResponse) -> Option<f64> {
        match self {
            Target::Item(i) => r.values[*i].map(f64::from),
            Target::Dimension(items) => index(instrument, r, items),
        }
    }
}

/// Every target of an instrument with its id: its items, then its dimensions.
fn targets<'a>(instrument: &Instrument, dims: &'a [(String, Vec<usize>)]) -> Vec<(String, Target<'a>)> {
    let items = instrument
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.id.clone(), Target::Item(i)));
    let dimensions = dims.iter().map(|(d, items)| (d.clone(), Target::Dimension(items)));
    items.chain(dimensions).collect()
}

fn compare(
    instrument: &Instrument,
    wave: &str,
    grouping: SurveyGrouping,
    groups: &BTreeMap<String, Vec<&SurveyResponse>>,
    dims: &[(String, Vec<usize>)],
) -> Vec<SurveyTestRow> {
    let mut rows = Vec::new();
    for (target, t) in targets(instrument, dims) {
        let kind = t.kind();
        let samples: Vec<(&String, Vec<f64>)> = groups
            .iter()
            .map(|(g, members)| {
                (
                    g,
                    members
                        .iter()
                        .filter_map(|r| t.value(instrument, r))
                        .collect::<Vec<f64>>(),
                )
            })
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let row = |test: &'static str, a: Option<&String>, b: Option<&String>| SurveyTestRow {
            instrument: instrument.id.clone(),
            wave: wave.to_string(),
            group_by: grouping.as_str(),
            target: target.clone(),
            target_kind: kind,
            test,
            group_a: a.cloned(),
            group_b: b.cloned(),
            groups: 0,
            n: 0,
            statistic: None,
            df: None,
            p_value: None,
            q_value: None,
            reason: String::new(),
        };
        let all: Vec<Vec<f64>> = samples.iter().map(|(_, v)| v.clone()).collect();
        let mut kw = row("kruskal_wallis", None, None);
        kw.groups = samples.len() as u64;
        kw.n = all.iter().map(|v| v.len() as u64).sum();
        match kruskal_wallis(&all) {
            Some((t, df)) => {
                kw.statistic = Some(t.statistic);
                kw.df = Some(df);
                kw.p_value = Some(t.p_value);
            }
            None if samples.len() < 2 => kw.reason = "fewer than two groups have answers".into(),
            None => kw.reason = IDENTICAL.into(),
        }
        rows.push(kw);
        let mut pairs = Vec::new();
        for a in 0..samples.len() {
            for b in a + 1..samples.len() {
                let mut r = row("mann_whitney", Some(samples[a].0), Some(samples[b].0));
                r.groups = 2;
                r.n = (samples[a].1.len() + samples[b].1.len()) as u64;
                match mann_whitney(&samples[a].1, &samples[b].1) {
                    Some(t) => {
                        r.statistic = Some(t.statistic);
                        r.p_value = Some(t.p_value);
                    }
                    None => r.reason = IDENTICAL.into(),
                }
                pairs.push(r);
            }
        }
        rows.extend(pairs);
    }
    // One family per test within the instrument and wave; rows without a p-value are not in it.
    for test in ["kruskal_wallis", "mann_whitney"] {
        let idx: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].test == test).collect();
        let q = benjamini_hochberg(&idx.iter().map(|&i| rows[i].p_value).collect::<Vec<_>>());
        for (k, &i) in idx.iter().enumerate() {
            rows[i].q_value = q[k];
        }
    }
    rows
}

/// Why a rank test has no p-value when both samples have answers.
const IDENTICAL: &str = "every answer is the same, so there is nothing to rank";

/// Before and after, for every municipality (or role) and all together.
fn pre_post(
    instrument: &Instrument,
    responses: &[&SurveyResponse],
    config: &SurveyConfig,
    dims: &[(String, Vec<usize>)],
) -> Vec<PrePostRow> {
    let mut groups: BTreeMap<String, Vec<&SurveyResponse>> = BTreeMap::new();
    for r in responses {
        if let Some(g) = group_of(r, config.grouping) {
            groups.entry(g).or_default().push(r);
        }
    }
    groups.insert("all".to_string(), responses.to_vec());
    let mut rows = Vec::new();
    for (group, members) in &groups {
        for (target, t) in targets(instrument, dims) {
            rows.push(change(instrument, config, group, members, &target, &t));
        }
    }
    rows
}

fn change(
    instrument: &Instrument,
    config: &SurveyConfig,
    group: &str,
    members: &[&SurveyResponse],
    target: &str,
    t: &Target<'_>,
) -> PrePostRow {
    let by_respondent = |wave: &str| -> HashMap<&str, f64> {
        members
            .iter()
            .filter(|r| r.wave == wave)
            .filter_map(|r| t.value(instrument, r).map(|v| (r.respondent.as_str(), v)))
            .collect()
    };
    let (pre, post) = (by_respondent("pre"), by_respondent("post"));
    let mut paired: Vec<(f64, f64)> = pre
        .iter()
        .filter_map(|(who, &a)| post.get(who).map(|&b| (a, b)))
        .collect();
    paired.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)));
    let mut pre_values: Vec<f64> = pre.values().copied().collect();
    let mut post_values: Vec<f64> = post.values().copied().collect();
    pre_values.sort_by(f64::total_cmp);
    post_values.sort_by(f64::total_cmp);
    let mut row = PrePostRow {
        instrument: instrument.id.clone(),
        group_by: config.grouping.as_str(),
        group: group.to_string(),
        target: target.to_string(),
        target_kind: t.kind(),
        design: if paired.is_empty() { "unpaired" } else { "paired" },
        n_pre: pre_values.len() as u64,
        n_post: post_values.len() as u64,
        pairs: paired.len() as u64,
        mean_pre: None,
        mean_post: None,
        statistic: None,
        p_value: None,
        improved: None,
        improved_share: None,
        improved_low: None,
        improved_high: None,
        confidence: config.confidence,
        reason: String::new(),
    };
    if paired.is_empty() {
        row.mean_pre = mean(&pre_values);
        row.mean_post = mean(&post_values);
        match mann_whitney(&post_values, &pre_values) {
            Some(t) => {
                row.statistic = Some(t.statistic);
                row.p_value = Some(t.p_value);
                row.reason = "no respondent answered both before and after, so the two groups are compared".into();
            }
            None if pre_values.is_empty() || post_values.is_empty() => {
                row.reason = "answers are missing before or after".into()
            }
            None => row.reason = IDENTICAL.into(),
        }
        return row;
    }
    row.mean_pre = mean(&paired.iter().map(|p| p.0).collect::<Vec<_>>());
    row.mean_post = mean(&paired.iter().map(|p| p.1).collect::<Vec<_>>());
    let differences: Vec<f64> = paired.iter().map(|(a, b)| b - a).collect();
    // Means and the test are on the answers as given; "improved" means better, so on a reverse-coded item (where a
    // higher answer is worse) a fall. Indices are already scored.
    let better = match t {
        Target::Item(i) if instrument.items[*i].reverse => -1.0,
        _ => 1.0,
    };
    let improved = differences.iter().filter(|&&d| better * d > TIE_TOLERANCE).count() as u64;
    let n = differences.len() as u64;
    let ci = wilson(improved, n, config.confidence);
    row.improved = Some(improved);
    row.improved_share = Some(improved as f64 / n as f64);
    row.improved_low = ci.map(|c| c.0);
    row.improved_high = ci.map(|c| c.1);
    match wilcoxon_signed_rank(&differences) {
        Some((t, _)) => {
            row.statistic = Some(t.statistic);
            row.p_value = Some(t.p_value);
            row.reason = "the means and the test use only respondents who answered both before and after".into();
        }
        None => row.reason = "no respondent changed, so there is nothing to test".into(),
    }
    row
}

/// A municipality placed by a survey index and by how often a code occurs in its qualitative material.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MixedRow {
    pub instrument: String,
    pub wave: String,
    pub dimension: String,
    pub municipality: String,
    pub index_mean: Option<f64>,
    pub index_n: u64,
    pub code: String,
    /// Share of the municipality's sources with the code (sub-codes rolled up).
    pub source_share: Option<f64>,
    pub sources_total: u64,
}

/// For every municipality with survey answers in `wave` (or the last wave when `None`): its mean index on each
/// dimension beside its share of sources with each of `codes`.
pub fn mixed_methods(
    analysis: &SurveyAnalysis,
    prevalence: &[crate::PrevalenceRow],
    codes: &[String],
    wave: Option<&str>,
) -> Vec<MixedRow> {
    let by_municipality: Vec<&IndexRow> = analysis
        .indices
        .iter()
        .filter(|r| r.group_by == SurveyGrouping::Municipality.as_str() && r.group != "all")
        .collect();
    let Some(wave) = wave
        .map(str::to_string)
        .or_else(|| by_municipality.last().map(|r| r.wave.clone()))
    else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for index in by_municipality.iter().filter(|r| r.wave == wave) {
        for code in codes {
            let p = prevalence
                .iter()
                .find(|p| &p.code == code && p.municipality == index.group);
            rows.push(MixedRow {
                instrument: index.instrument.clone(),
                wave: wave.clone(),
                dimension: index.dimension.clone(),
                municipality: index.group.clone(),
                index_mean: index.mean,
                index_n: index.n,
                code: code.clone(),
                source_share: p.and_then(|p| p.source_share),
                sources_total: p.map_or(0, |p| p.sources_total),
            });
        }
    }
    rows
}
