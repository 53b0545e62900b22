//! How ideas move from suggestion to practice: the funnel of stages reached, ideas per 100 employees, and the time
//! from submission to implementation as a Kaplan–Meier curve, compared across groups with the log-rank test.
//!
//! Time to implementation is counted in days from submission to the first stage at or beyond `implemented`.
//! Ideas that are still open are censored at the end of follow-up (`observed_until`). By default ideas that were
//! rejected or withdrawn are censored there too rather than at their exit date ([`ExitCensoring`]): they can no longer
//! be implemented, so keeping them in the risk set makes 1 − S(t) the cumulative share of ideas implemented by day t
//! (the cumulative incidence with rejection as a competing event; Fine & Gray's "censoring complete" data), not the
//! share in a world where no idea is ever rejected.

use std::collections::{BTreeMap, HashMap};

use crosscase_model::{Date, Idea, IdeaRecords};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::AnalysisError;
use crate::stats::{KaplanMeier, Observation, kaplan_meier, log_rank, wilson};

/// What ideas are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdeaGrouping {
    Municipality,
    Unit,
    /// Theme codes: an idea with several themes counts in each, so themes are not compared by a test.
    Theme,
    Wave,
}

impl IdeaGrouping {
    pub fn as_str(self) -> &'static str {
        match self {
            IdeaGrouping::Municipality => "municipality",
            IdeaGrouping::Unit => "unit",
            IdeaGrouping::Theme => "theme",
            IdeaGrouping::Wave => "wave",
        }
    }
}

/// Where ideas that were rejected or withdrawn leave the risk set of the time-to-implementation curve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExitCensoring {
    /// At the end of follow-up, as ideas that can no longer be implemented: 1 − S(t) is the cumulative share of all
    /// ideas implemented by day t.
    #[default]
    EndOfFollowUp,
    /// At the date they were rejected or withdrawn, as if they might still have been implemented later (the usual
    /// censoring of a plain Kaplan–Meier analysis).
    ExitDate,
}

impl ExitCensoring {
    pub fn as_str(self) -> &'static str {
        match self {
            ExitCensoring::EndOfFollowUp => "end_of_follow_up",
            ExitCensoring::ExitDate => "exit_date",
        }
    }
}

/// What `analyse_ideas` groups by and how it estimates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IdeaConfig {
    pub grouping: IdeaGrouping,
    /// Confidence level of every interval, e.g. 0.95.
    pub confidence: f64,
    pub exits: ExitCensoring,
}

impl Default for IdeaConfig {
    fn default() -> IdeaConfig {
        IdeaConfig {
            grouping: IdeaGrouping::Municipality,
            confidence: 0.95,
            exits: ExitCensoring::EndOfFollowUp,
        }
    }
}

/// The share of a group's ideas that reached one stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunnelRow {
    pub group_by: &'static str,
    /// The kommunkod, unit id, code id or wave id; `all` for every idea together.
    pub group: String,
    pub ideas: u64,
    /// Employees of the group, where head counts give them.
    pub employees: Option<u64>,
    pub ideas_per_100_employees: Option<f64>,
    pub stage: String,
    /// Stages of progress count from 0; exits come after them.
    pub stage_order: u64,
    /// `progress` or `exit`.
    pub stage_kind: &'static str,
    /// Ideas at this stage or beyond it (for an exit: ideas that ended there).
    pub reached: u64,
    pub share: Option<f64>,
    pub share_low: Option<f64>,
    pub share_high: Option<f64>,
    /// Of the ideas that reached the stage before, the share that reached this one (progress stages after the first).
    pub conversion: Option<f64>,
    pub conversion_low: Option<f64>,
    pub conversion_high: Option<f64>,
    /// The level of the intervals in this row, e.g. 0.95.
    pub confidence: f64,
}

/// One step of a group's curve of time to implementation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SurvivalRow {
    pub group_by: &'static str,
    pub group: String,
    pub days: f64,
    pub at_risk: u64,
    pub implemented: u64,
    pub censored: u64,
    /// Share not yet implemented after `days` (the Kaplan–Meier estimate).
    pub not_implemented: f64,
    /// Greenwood's standard error of `not_implemented`.
    pub std_err: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The level of the intervals in this row, e.g. 0.95.
    pub confidence: f64,
}

/// A group's median time to implementation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MedianRow {
    pub group_by: &'static str,
    pub group: String,
    pub ideas: u64,
    pub implemented: u64,
    pub median_days: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The level of the intervals in this row, e.g. 0.95.
    pub confidence: f64,
    /// Why a value is missing, when one is.
    pub reason: String,
}

/// The log-rank test of whether time to implementation differs between the groups.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogRankRow {
    pub group_by: &'static str,
    pub groups: u64,
    pub statistic: Option<f64>,
    pub df: Option<u64>,
    pub p_value: Option<f64>,
    pub reason: String,
}

/// Everything `crosscase ideas` reports for one grouping.
#[derive(Clone, Debug, PartialEq)]
pub struct IdeaAnalysis {
    pub funnel: Vec<FunnelRow>,
    pub survival: Vec<SurvivalRow>,
    pub medians: Vec<MedianRow>,
    pub log_rank: LogRankRow,
}

/// The funnel of a set of ideas: for each stage, how many reached it.
#[derive(Clone, Debug, PartialEq)]
pub struct Funnel {
    pub ideas: u64,
    /// (stage, reached), progress stages in order.
    pub progress: Vec<(String, u64)>,
    /// (stage, ended there), exits in order.
    pub exits: Vec<(String, u64)>,
}

/// Counts, for the given ideas, how many reached each stage. An idea has reached a stage of progress when it has an
/// event at that stage or a later one; every idea has reached the first stage (it was submitted).
pub fn funnel(records: &IdeaRecords, ideas: &[&Idea]) -> Funnel {
    let stages = &records.stages;
    let furthest = furthest_stages(records);
    let mut progress: Vec<(String, u64)> = stages.progress.iter().map(|s| (s.clone(), 0)).collect();
    let mut exits: Vec<(String, u64)> = stages.exits.iter().map(|s| (s.clone(), 0)).collect();
    for idea in ideas {
        let (rank, exit) = furthest.get(idea.id.as_str()).copied().unwrap_or((0, None));
        for p in progress.iter_mut().take(rank + 1) {
            p.1 += 1;
        }
        if let Some(e) = exit {
            exits[e].1 += 1;
        }
    }
    Funnel {
        ideas: ideas.len() as u64,
        progress,
        exits,
    }
}

/// For every idea with events: the furthest stage of progress reached, and the exit it ended in, if any.
fn furthest_stages(records: &IdeaRecords) -> HashMap<&str, (usize, Option<usize>)> {
    let stages = &records.stages;
    let mut out: HashMap<&str, (usize, Option<usize>)> = HashMap::new();
    for e in &records.events {
        let entry = out.entry(e.idea.as_str()).or_insert((0, None));
        if let Some(rank) = stages.rank(&e.stage) {
            entry.0 = entry.0.max(rank);
        } else if let Some(exit) = stages.exits.iter().position(|s| *s == e.stage) {
            entry.1 = Some(exit);
        }
    }
    out
}

/// Time from submission to implementation for each of the given ideas, in days, censored as the module says.
/// `None` when the records have no end of follow-up (no dates at all).
pub fn implementation_times(records: &IdeaRecords, ideas: &[&Idea], exits: ExitCensoring) -> Option<Vec<Observation>> {
    let until = records.observed_until()?;
    let implemented = implementation_dates(records);
    let exited: HashMap<&str, Date> = match exits {
        ExitCensoring::EndOfFollowUp => HashMap::new(),
        ExitCensoring::ExitDate => records
            .events
            .iter()
            .filter(|e| records.stages.is_exit(&e.stage))
            .map(|e| (e.idea.as_str(), e.date))
            .collect(),
    };
    Some(
        ideas
            .iter()
            .map(|idea| {
                let id = idea.id.as_str();
                match implemented.get(id) {
                    Some(&date) => Observation {
                        time: days_between(idea.submitted, date),
                        event: true,
                    },
                    None => Observation {
                        time: days_between(idea.submitted, exited.get(id).copied().unwrap_or(until)).max(0.0),
                        event: false,
                    },
                }
            })
            .collect(),
    )
}

/// The date each idea first reached the `implemented` stage or a stage of progress after it.
fn implementation_dates(records: &IdeaRecords) -> HashMap<&str, Date> {
    let stages = &records.stages;
    let Some(threshold) = stages.rank(&stages.implemented) else {
        return HashMap::new();
    };
    let mut out: HashMap<&str, Date> = HashMap::new();
    for e in &records.events {
        if stages.rank(&e.stage).is_some_and(|r| r >= threshold) {
            out.entry(e.idea.as_str())
                .and_modify(|d| *d = (*d).min(e.date))
                .or_insert(e.date);
        }
    }
    out
}

fn days_between(from: Date, to: Date) -> f64 {
    (to.days_since_epoch() - from.days_since_epoch()) as f64
}

/// The Kaplan–Meier curve of time to implementation for the given ideas.
pub fn time_to_implementation(records: &IdeaRecords, ideas: &[&Idea], config: &IdeaConfig) -> Option<KaplanMeier> {
    kaplan_meier(&implementation_times(records, ideas, config.exits)?, config.confidence)
}

/// The groups of `grouping` with their ideas, in the order of their keys. Ideas without a unit (or wave) are in no
/// unit (or wave) group.
pub fn idea_groups(records: &IdeaRecords, grouping: IdeaGrouping) -> BTreeMap<String, Vec<&Idea>> {
    let mut groups: BTreeMap<String, Vec<&Idea>> = BTreeMap::new();
    for idea in &records.ideas {
        let keys: Vec<&str> = match grouping {
            IdeaGrouping::Municipality => vec![idea.municipality.as_str()],
            IdeaGrouping::Unit => idea.unit.as_deref().into_iter().collect(),
            IdeaGrouping::Theme => idea.codes.iter().map(String::as_str).collect(),
            IdeaGrouping::Wave => idea.wave.as_deref().into_iter().collect(),
        };
        for key in keys {
            groups.entry(key.to_string()).or_default().push(idea);
        }
    }
    groups
}

/// Employees of a group from the head counts: a municipality's own row, or else the sum of its units' rows; a unit's
/// own row. Themes and waves have none.
pub fn employees(records: &IdeaRecords, grouping: IdeaGrouping, group: &str) -> Option<u64> {
    let heads = &records.headcounts;
    match grouping {
        IdeaGrouping::Municipality => heads
            .iter()
            .find(|h| h.municipality == group && h.unit.is_none())
            .map(|h| u64::from(h.employees))
            .or_else(|| {
                let units: Vec<u64> = heads
                    .iter()
                    .filter(|h| h.municipality == group && h.unit.is_some())
                    .map(|h| u64::from(h.employees))
                    .collect();
                (!units.is_empty()).then(|| units.iter().sum())
            }),
        IdeaGrouping::Unit => heads
            .iter()
            .find(|h| h.unit.as_deref() == Some(group))
            .map(|h| u64::from(h.employees)),
        IdeaGrouping::Theme | IdeaGrouping::Wave => None,
    }
}

/// Funnel rows of one group.
pub fn funnel_rows(
    records: &IdeaRecords,
    grouping: IdeaGrouping,
    group: &str,
    ideas: &[&Idea],
    employees: Option<u64>,
    confidence: f64,
) -> Vec<FunnelRow> {
    let f = funnel(records, ideas);
    let per_100 = employees.map(|e| 100.0 * f.ideas as f64 / e as f64);
    let share = |x: u64, n: u64| {
        let ci = wilson(x, n, confidence);
        ((n > 0).then(|| x as f64 / n as f64), ci.map(|c| c.0), ci.map(|c| c.1))
    };
    let row = |stage: &str, order: usize, kind: &'static str, reached: u64, previous: Option<u64>| {
        let (s, sl, sh) = share(reached, f.ideas);
        let (c, cl, ch) = previous.map_or((None, None, None), |p| share(reached, p));
        FunnelRow {
            group_by: grouping.as_str(),
            group: group.to_string(),
            ideas: f.ideas,
            employees,
            ideas_per_100_employees: per_100,
            stage: stage.to_string(),
            stage_order: order as u64,
            stage_kind: kind,
            reached,
            share: s,
            share_low: sl,
            share_high: sh,
            confidence,
            conversion: c,
            conversion_low: cl,
            conversion_high: ch,
        }
    };
    let mut rows = Vec::new();
    for (i, (stage, reached)) in f.progress.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| f.progress[p].1);
        rows.push(row(stage, i, "progress", *reached, previous));
    }
    for (j, (stage, ended)) in f.exits.iter().enumerate() {
        rows.push(row(stage, f.progress.len() + j, "exit", *ended, None));
    }
    rows
}

/// Funnel, curves, medians and the log-rank test for every group of `grouping`, and for all ideas together (group
/// `all`). Groups are worked on in parallel.
pub fn analyse_ideas(records: &IdeaRecords, config: &IdeaConfig) -> Result<IdeaAnalysis, AnalysisError> {
    let IdeaConfig {
        grouping, confidence, ..
    } = *config;
    if records.ideas.is_empty() {
        return Err(AnalysisError::Input(
            "the project has no idea records: add ideas.csv and idea_events.csv (see docs/project-format.md) and ingest it again"
                .into(),
        ));
    }
    if !(0.5..1.0).contains(&confidence) {
        return Err(AnalysisError::Input(format!(
            "confidence {confidence} must lie between 0.5 and 1, e.g. 0.95"
        )));
    }
    let groups = idea_groups(records, grouping);
    let all: Vec<&Idea> = records.ideas.iter().collect();
    let network_employees = records
        .ideas
        .iter()
        .map(|i| i.municipality.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|m| employees(records, IdeaGrouping::Municipality, m))
        .sum::<Option<u64>>();
    let mut work: Vec<(String, Vec<&Idea>, Option<u64>)> = groups
        .iter()
        .map(|(k, v)| (k.clone(), v.clone(), employees(records, grouping, k)))
        .collect();
    work.push(("all".to_string(), all, network_employees));
    let per_group: Vec<(Vec<FunnelRow>, Vec<SurvivalRow>, MedianRow)> = work
        .par_iter()
        .map(|(group, ideas, employees)| {
            let funnel = funnel_rows(records, grouping, group, ideas, *employees, confidence);
            let km = time_to_implementation(records, ideas, config);
            let (survival, median) = curve_rows(confidence, grouping, group, ideas.len() as u64, km.as_ref());
            (funnel, survival, median)
        })
        .collect();
    let mut analysis = IdeaAnalysis {
        funnel: Vec::new(),
        survival: Vec::new(),
        medians: Vec::new(),
        log_rank: compare_groups(records, config, &groups),
    };
    for (f, s, m) in per_group {
        analysis.funnel.extend(f);
        analysis.survival.extend(s);
        analysis.medians.push(m);
    }
    Ok(analysis)
}

fn curve_rows(
    confidence: f64,
    grouping: IdeaGrouping,
    group: &str,
    ideas: u64,
    km: Option<&KaplanMeier>,
) -> (Vec<SurvivalRow>, MedianRow) {
    let Some(km) = km else {
        return (
            Vec::new(),
            MedianRow {
                group_by: grouping.as_str(),
                group: group.to_string(),
                ideas,
                implemented: 0,
                median_days: None,
                ci_low: None,
                ci_high: None,
                confidence,
                reason: "no ideas with dates".into(),
            },
        );
    };
    let survival = km
        .steps
        .iter()
        .map(|s| SurvivalRow {
            group_by: grouping.as_str(),
            group: group.to_string(),
            days: s.time,
            at_risk: s.at_risk,
            implemented: s.events,
            censored: s.censored,
            not_implemented: s.survival,
            std_err: s.std_err,
            ci_low: s.lower,
            ci_high: s.upper,
            confidence,
        })
        .collect();
    let reason = if km.median.is_none() {
        "fewer than half of the ideas were implemented during follow-up, so the median is not reached"
    } else if km.median_lower.is_none() || km.median_upper.is_none() {
        "a limit of the interval is not reached during follow-up, or is undefined because the curve falls to 0 (the log-scale interval has no limits there, R's NA)"
    } else {
        ""
    };
    (
        survival,
        MedianRow {
            group_by: grouping.as_str(),
            group: group.to_string(),
            ideas,
            implemented: km.events,
            median_days: km.median,
            ci_low: km.median_lower,
            ci_high: km.median_upper,
            confidence,
            reason: reason.into(),
        },
    )
}

/// The log-rank test across the groups of `config.grouping`.
pub fn compare_groups(records: &IdeaRecords, config: &IdeaConfig, groups: &BTreeMap<String, Vec<&Idea>>) -> LogRankRow {
    let grouping = config.grouping;
    let none = |reason: &str| LogRankRow {
        group_by: grouping.as_str(),
        groups: groups.len() as u64,
        statistic: None,
        df: None,
        p_value: None,
        reason: reason.to_string(),
    };
    if grouping == IdeaGrouping::Theme {
        return none(
            "an idea may have several themes, so the theme groups overlap and are not tested against each other",
        );
    }
    if groups.len() < 2 {
        return none("only one group has ideas; the test needs two or more");
    }
    let observations: Option<Vec<Vec<Observation>>> = groups
        .values()
        .map(|ideas| implementation_times(records, ideas, config.exits))
        .collect();
    match observations.as_deref().and_then(log_rank) {
        Some(lr) => LogRankRow {
            group_by: grouping.as_str(),
            groups: groups.len() as u64,
            statistic: Some(lr.statistic),
            df: Some(lr.df),
            p_value: Some(lr.p_value),
            reason: String::new(),
        },
        None => none("no idea was implemented during follow-up, so there is nothing to compare"),
    }
}
