//! The idea-management part of a feedback pack: the municipality's funnel beside the other municipalities, its time
//! from idea to implementation, and what the figures say in plain words.

use crate::page::ChartRef;
use crosscase_analysis::pack::{IdeaSummary, MedianDays, Pack};
use crosscase_analysis::stats::KaplanMeier;
use crosscase_analysis::{IdeaConfig, time_to_implementation};
use crosscase_charts::{BarGroup, ComparisonBars, Rendered, StepChart, StepCurve, comparison_bars, step_chart};
use crosscase_model::{Idea, IdeaRecords, Language, format, stage_label};

use crate::ReportError;
use crate::html::escape;
use crate::text::Strings;

/// Charts (file name, bytes) and the HTML section that shows them.
pub(crate) struct IdeaSection {
    pub files: Vec<(&'static str, Vec<u8>)>,
    pub html: String,
    pub charts: Vec<ChartRef>,
}

/// The ideas section of a municipality's pack (`name`) from the pack model's figures, or `None` when the project
/// has no idea records; the model decides what is shown (nothing from fewer ideas than the threshold).
pub(crate) fn section(
    pack: &Pack,
    name: &str,
    s: &Strings,
    language: Language,
) -> Result<Option<IdeaSection>, ReportError> {
    let Some(summary) = &pack.idea_summary else {
        return Ok(None);
    };
    let groups: Vec<BarGroup> = pack
        .ideas
        .iter()
        .map(|f| BarGroup {
            label: stage_label(&f.stage, language),
            this: crate::page::figure_text(f.own, s, language),
            others: crate::page::figure_text(f.others, s, language),
        })
        .collect();
    let funnel_chart = comparison_bars(&ComparisonBars {
        title: s.ideas_funnel_title.to_string(),
        subtitle: s.ideas_funnel_subtitle.to_string(),
        this_label: name.to_string(),
        others_label: s.others.to_string(),
        groups: groups.clone(),
    })?;

    // The model's curves: the municipality's and the others' pooled, each where its funnel is shown.
    let x_max = [&summary.own_curve, &summary.others_curve]
        .iter()
        .filter_map(|c| c.as_ref())
        .flat_map(|c| c.last().map(|p| p.0))
        .fold(0.0f64, f64::max)
        .max(1.0);
    let mut curves = Vec::new();
    if let Some(points) = &summary.own_curve {
        curves.push(StepCurve {
            label: name.to_string(),
            points: points.clone(),
            highlight: true,
        });
    }
    if let Some(points) = &summary.others_curve {
        curves.push(StepCurve {
            label: s.others.to_string(),
            points: points.clone(),
            highlight: false,
        });
    }
    let time_chart = time_chart(curves, x_max, s, language)?;

    let mut html = format!("<section class=\"ideas\">\n<h2>{}</h2>\n", escape(s.ideas_title));
    html.push_str(&format!("<p>{}</p>\n", escape(&summary_text(summary, s, language))));
    html.push_str(&format!("<p class=\"muted\">{}</p>\n", escape(s.ideas_funnel_vs_curve)));
    html.push_str(&format!(
        "<p>{}</p>\n",
        escape(&comparison(summary.log_rank_p, s, language))
    ));
    let charts = vec![
        ChartRef::new("ideas-funnel", s.ideas_funnel_title, &funnel_chart),
        ChartRef::new("ideas-time", s.ideas_time_title, &time_chart),
    ];
    for chart in &charts {
        html.push_str(&chart.figure());
    }
    html.push_str(&crate::page::groups_table(s.ideas_stage, name, s.others, &groups));
    html.push_str("</section>\n");
    Ok(Some(IdeaSection {
        files: vec![
            ("ideas-funnel.png", funnel_chart.png),
            ("ideas-funnel.svg", funnel_chart.svg.into_bytes()),
            ("ideas-time.png", time_chart.png),
            ("ideas-time.svg", time_chart.svg.into_bytes()),
        ],
        html,
        charts,
    }))
}

/// Time to implementation of every municipality by name, for the research team (`charts/ideas-time.*`); a
/// municipality with fewer ideas than `threshold` is left out. `None` when the project has no idea records.
pub(crate) fn overview_chart(
    records: &IdeaRecords,
    municipalities: &[(String, String)],
    threshold: u64,
    s: &Strings,
    language: Language,
) -> Result<Option<Rendered>, ReportError> {
    if records.ideas.is_empty() {
        return Ok(None);
    }
    let config = IdeaConfig::default();
    let mut curves = Vec::new();
    let mut x_max = 1.0f64;
    for (code, name) in municipalities {
        let ideas: Vec<&Idea> = records.ideas.iter().filter(|i| &i.municipality == code).collect();
        if (ideas.len() as u64) < threshold {
            continue;
        }
        if let Some(km) = time_to_implementation(records, &ideas, &config) {
            x_max = km.steps.last().map_or(x_max, |s| x_max.max(s.time));
            curves.push(StepCurve {
                label: name.clone(),
                points: implemented_curve(&km),
                highlight: false,
            });
        }
    }
    Ok(Some(time_chart(curves, x_max, s, language)?))
}

/// The share of ideas implemented over the days since submission, one curve per group.
fn time_chart(curves: Vec<StepCurve>, x_max: f64, s: &Strings, language: Language) -> Result<Rendered, ReportError> {
    Ok(step_chart(&StepChart {
        title: s.ideas_time_title.to_string(),
        subtitle: s.ideas_time_subtitle.to_string(),
        x_label: s.ideas_days.to_string(),
        y_label: s.ideas_implemented_share.to_string(),
        x_max,
        x_ticks: day_ticks(x_max, language),
        y_ticks: share_ticks(language),
        curves,
        empty_label: s.suppressed.to_string(),
    })?)
}

fn share_ticks(language: Language) -> Vec<(f64, String)> {
    (0..=5)
        .map(|k| (k as f64 / 5.0, format::percent(k as f64 / 5.0, language)))
        .collect()
}

/// The cumulative share implemented, 1 − S(t), as step corners from day 0.
fn implemented_curve(km: &KaplanMeier) -> Vec<(f64, f64)> {
    std::iter::once((0.0, 0.0))
        .chain(km.steps.iter().map(|s| (s.time, 1.0 - s.survival)))
        .collect()
}

/// About five round tick marks from 0 to `x_max` days.
fn day_ticks(x_max: f64, language: Language) -> Vec<(f64, String)> {
    let raw = x_max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&st| st >= raw)
        .unwrap_or(magnitude * 10.0)
        .max(1.0);
    (0..)
        .map(|k| k as f64 * step)
        .take_while(|&x| x <= x_max + 1e-9)
        .map(|x| (x, format::integer(x as u64, language)))
        .collect()
}

/// The municipality's ideas in one sentence: how many, per 100 employees, and the median time to implementation.
fn summary_text(summary: &IdeaSummary, s: &Strings, language: Language) -> String {
    if !summary.own_shown {
        return s.ideas_too_few.to_string();
    }
    let mut text = s.ideas_count.replace("{n}", &format::integer(summary.ideas, language));
    if let Some(rate) = summary.per_100_employees {
        text.push(' ');
        text.push_str(&s.ideas_rate.replace("{rate}", &format::decimal(rate, 1, language)));
    }
    text.push(' ');
    match summary.median {
        Some(MedianDays {
            days: median,
            low,
            high,
        }) => {
            let days = |d: Option<f64>| {
                d.map_or(s.ideas_unknown.to_string(), |d| {
                    format!("{} {}", format::integer(d.round() as u64, language), s.ideas_days_word)
                })
            };
            text.push_str(
                &s.ideas_median
                    .replace("{median}", &days(Some(median)))
                    .replace("{low}", &days(low))
                    .replace("{high}", &days(high)),
            );
        }
        None => text.push_str(s.ideas_no_median),
    }
    text
}

/// Whether municipalities differ in how fast ideas are implemented, in plain words with the log-rank p-value.
fn comparison(p_value: Option<f64>, s: &Strings, language: Language) -> String {
    match p_value {
        Some(p_value) => {
            let p = if p_value < 0.001 {
                format!("< {}", format::decimal(0.001, 3, language))
            } else {
                format!("= {}", format::decimal(p_value, 3, language))
            };
            let sentence = if p_value < 0.05 {
                s.ideas_differ
            } else {
                s.ideas_may_be_chance
            };
            sentence.replace("{p}", &p)
        }
        None => s.ideas_no_test.to_string(),
    }
}
