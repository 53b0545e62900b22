//! The figures behind a pack's words and curve about ideas: how many ideas, per 100 employees, the median time to
//! implementation with its interval, the share implemented over time (this municipality and the others pooled),
//! and the log-rank test across municipalities. What is shown follows the funnel's disclosure: a side whose funnel
//! is hidden gets no curve and no words.

use crosscase_model::{Idea, IdeaRecords};
use serde::Serialize;

use crate::ideas::{IdeaConfig, IdeaGrouping, compare_groups, employees, idea_groups, time_to_implementation};
use crate::stats::KaplanMeier;

/// The median days to implementation with its interval's ends (`None`: not reached within the data).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MedianDays {
    pub days: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// One municipality's ideas in a pack, beside the other municipalities.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IdeaSummary {
    /// Whether this municipality's figures are shown (its funnel is); when not, nothing below about it is either.
    pub own_shown: bool,
    /// The municipality's ideas.
    pub ideas: u64,
    /// Ideas per 100 employees, where head counts are known.
    pub per_100_employees: Option<f64>,
    /// The median time to implementation, where the curve reaches one half.
    pub median: Option<MedianDays>,
    /// The share implemented, 1 − S(t) of Kaplan–Meier, as step corners from day 0: this municipality's.
    pub own_curve: Option<Vec<(f64, f64)>>,
    /// The same for the other municipalities' ideas pooled, when their funnel is shown.
    pub others_curve: Option<Vec<(f64, f64)>>,
    /// The log-rank test of time to implementation across municipalities (the same in every pack).
    pub log_rank_p: Option<f64>,
}

/// The cumulative share implemented, 1 − S(t), as step corners from day 0.
fn implemented(km: &KaplanMeier) -> Vec<(f64, f64)> {
    std::iter::once((0.0, 0.0))
        .chain(km.steps.iter().map(|s| (s.time, 1.0 - s.survival)))
        .collect()
}

/// The log-rank test of time to implementation across municipalities, with the packs' defaults; `None` when there
/// is no test (fewer than two groups with ideas, or no idea records).
pub(super) fn log_rank_p(records: &IdeaRecords) -> Option<f64> {
    if records.ideas.is_empty() {
        return None;
    }
    let config = IdeaConfig::default();
    compare_groups(records, &config, &idea_groups(records, config.grouping)).p_value
}

/// The summary of `municipality`'s pack (kommunkod), with the packs' defaults (municipalities, 95 % intervals,
/// exits followed to the end), with the log-rank p of [`log_rank_p`]; `None` when the project has no idea records.
pub(super) fn idea_summary(
    records: &IdeaRecords,
    municipality: &str,
    own_shown: bool,
    others_shown: bool,
    log_rank_p: Option<f64>,
) -> Option<IdeaSummary> {
    if records.ideas.is_empty() {
        return None;
    }
    let (mine, others): (Vec<&Idea>, Vec<&Idea>) = records.ideas.iter().partition(|i| i.municipality == municipality);
    let config = IdeaConfig::default();
    let km_mine = own_shown
        .then(|| time_to_implementation(records, &mine, &config))
        .flatten();
    let km_others = others_shown
        .then(|| time_to_implementation(records, &others, &config))
        .flatten();
    let per_100_employees = mine
        .first()
        .and_then(|i| employees(records, IdeaGrouping::Municipality, &i.municipality))
        .map(|e| 100.0 * mine.len() as f64 / e as f64);
    let median = km_mine.as_ref().and_then(|k| {
        k.median.map(|days| MedianDays {
            days,
            low: k.median_lower,
            high: k.median_upper,
        })
    });
    Some(IdeaSummary {
        own_shown,
        ideas: mine.len() as u64,
        per_100_employees,
        median,
        own_curve: km_mine.as_ref().map(implemented),
        others_curve: km_others.as_ref().map(implemented),
        log_rank_p,
    })
}
