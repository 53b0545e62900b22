//! The survey part of a feedback pack: how the municipality's managers answered each item (diverging bars), its
//! dimension indices beside the other municipalities and the change since the wave before, and what changed before
//! and after a training.

use crosscase_analysis::pack::{Figure, Hidden, ItemAnswers, PrePostTarget, Score, SurveyFigures};
use crosscase_charts::{Dumbbell, DumbbellRow, LikertChart, LikertRow, Rendered, dumbbell, likert_chart};
use crosscase_model::{Instrument, Language, SurveyDesign, SurveyRecords, format};

use crate::ReportError;
use crate::html::escape;
use crate::page::ChartRef;
use crate::text::Strings;

/// Charts (file name, bytes) and the HTML that shows them.
pub(crate) struct SurveySection {
    pub files: Vec<(String, Vec<u8>)>,
    pub html: String,
    pub charts: Vec<ChartRef>,
}

/// The survey section of a municipality's pack (`name`), or `None` when the project has no instruments. `waves` are the
/// project's waves in time order, as (id, name); `figures` are the pack model's figures of this pack, one per
/// instrument. No figure from fewer respondents than `threshold` is shown.
#[allow(clippy::too_many_arguments)]
pub(crate) fn section(
    records: &SurveyRecords,
    figures: &[SurveyFigures],
    waves: &[(&str, &str)],
    name: &str,
    threshold: u64,
    s: &Strings,
    language: Language,
) -> Result<Option<SurveySection>, ReportError> {
    if records.instruments.is_empty() {
        return Ok(None);
    }
    let mut files = Vec::new();
    let mut charts = Vec::new();
    let mut html = format!("<section class=\"survey\">\n<h2>{}</h2>\n", escape(s.survey_title));
    for (k, instrument) in records.instruments.iter().enumerate() {
        html.push_str(&format!("<h3>{}</h3>\n", escape(instrument.name(language))));
        let (part, title) = match instrument.design {
            SurveyDesign::Waves => (
                waves_part(instrument, figures.get(k), waves, name, threshold, s, language)?,
                s.survey_items_title,
            ),
            SurveyDesign::PrePost => (
                pre_post_part(instrument, figures.get(k), threshold, s, language)?,
                s.prepost_title,
            ),
        };
        if let Some(chart) = part.chart {
            let stem = format!("survey-{}", k + 1);
            let figure = ChartRef::new(&stem, title, &chart);
            html.push_str(&figure.figure());
            charts.push(figure);
            files.push((format!("{stem}.png"), chart.png));
            files.push((format!("{stem}.svg"), chart.svg.into_bytes()));
        }
        html.push_str(&part.html);
    }
    html.push_str("</section>\n");
    Ok(Some(SurveySection { files, html, charts }))
}

/// A chart as (PNG, SVG bytes) and HTML.
struct Part {
    chart: Option<Rendered>,
    html: String,
}

/// The diverging bars of the items and the table of dimension indices from the pack model's figures: the model
/// decides what is shown, this only words and draws it.
fn waves_part(
    instrument: &Instrument,
    figures: Option<&SurveyFigures>,
    waves: &[(&str, &str)],
    name: &str,
    threshold: u64,
    s: &Strings,
    language: Language,
) -> Result<Part, ReportError> {
    let wave_name = |id: &str| waves.iter().find(|w| w.0 == id).map_or(id, |w| w.1).to_string();
    let (Some(figures), Some(latest)) = (figures, figures.and_then(|f| f.wave.as_deref())) else {
        return Ok(Part {
            chart: None,
            html: format!("<p class=\"muted\">{}</p>\n", escape(s.survey_none)),
        });
    };
    if figures.hidden.is_some() {
        return Ok(Part {
            chart: None,
            html: format!("<p class=\"muted\">{}</p>\n", escape(s.survey_too_few)),
        });
    }
    let previous = figures.previous_wave.as_deref();
    let labels = instrument.labels(language);
    let steps: Vec<String> = (0..instrument.steps())
        .map(|k| {
            labels
                .get(k)
                .cloned()
                .unwrap_or_else(|| (instrument.scale_min as usize + k).to_string())
        })
        .collect();
    let rows: Vec<LikertRow> = figures
        .items
        .iter()
        .map(|f| {
            let item = &instrument.items[f.item];
            let label = if f.reverse {
                format!("{} {}", item.text(language), s.survey_reversed_mark)
            } else {
                item.text(language).to_string()
            };
            match &f.answers {
                ItemAnswers::Shown {
                    shares, n, low, high, ..
                } => LikertRow {
                    label,
                    shares: Ok(shares.clone()),
                    n_label: format!("n = {}", format::integer(*n, language)),
                    low_label: format::percent(*low, language),
                    high_label: format::percent(*high, language),
                    reversed: f.reverse,
                },
                // Not even the number of answers is shown below the threshold.
                ItemAnswers::Hidden(_) => LikertRow {
                    label,
                    shares: Err(s.suppressed.to_string()),
                    n_label: format!("n < {threshold}"),
                    low_label: String::new(),
                    high_label: String::new(),
                    reversed: f.reverse,
                },
            }
        })
        .collect();
    let chart = likert_chart(&LikertChart {
        title: format!("{} – {}", instrument.name(language), name),
        subtitle: s.survey_items_subtitle.replace("{wave}", &wave_name(latest)),
        steps,
        rows,
    })?;

    // Dimension indices: this municipality, the others together, and the change since the wave before.
    let mut html = String::new();
    if instrument.items.iter().any(|i| i.reverse) {
        html.push_str(&format!("<p class=\"muted\">{}</p>\n", escape(s.survey_reversed_note)));
    }
    html.push_str(&format!(
        "<table>\n<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        escape(s.survey_dimension),
        escape(name),
        escape(s.others),
        escape(
            &s.survey_change
                .replace("{wave}", &previous.map_or("–".to_string(), wave_name))
        )
    ));
    let shown = |score: &Score| -> Result<f64, String> {
        match score {
            Score::Shown { mean, .. } => Ok(*mean),
            Score::Hidden(Hidden::NoData) => Err(s.missing.to_string()),
            Score::Hidden(_) => Err(s.suppressed.to_string()),
        }
    };
    for d in &figures.dimensions {
        let this = shown(&d.own);
        let other = shown(&d.others);
        let change = match (&d.previous, &this) {
            (None, _) => Err("–".to_string()),
            (Some(_), Err(e)) => Err(e.clone()),
            (Some(before), Ok(a)) => shown(before).map(|b| a - b),
        };
        let cell = |v: &Result<f64, String>, signed: bool| match v {
            Ok(x) if signed && *x > 0.0 => format!("+{}", format::decimal(*x, 1, language)),
            Ok(x) => format::decimal(*x, 1, language),
            Err(text) => format!("<span class=\"muted\">{}</span>", escape(text)),
        };
        html.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
            escape(instrument.dimensions[d.dimension].label(language)),
            cell(&this, false),
            cell(&other, false),
            cell(&change, true)
        ));
    }
    html.push_str("</tbody>\n</table>\n");
    html.push_str(&format!(
        "<p class=\"muted\">{}</p>\n",
        escape(
            &s.survey_index_note
                .replace("{min}", &instrument.scale_min.to_string())
                .replace("{max}", &instrument.scale_max.to_string())
        )
    ));
    Ok(Part {
        chart: Some(chart),
        html,
    })
}

/// The before-and-after chart and text from the pack model's figures: the model decides what is shown, this only
/// words and draws it.
fn pre_post_part(
    instrument: &Instrument,
    figures: Option<&SurveyFigures>,
    threshold: u64,
    s: &Strings,
    language: Language,
) -> Result<Part, ReportError> {
    let mut rows = Vec::new();
    let mut text = Vec::new();
    // The dimensions first (and in the text), then each item, as the model lists them.
    for row in figures.map_or(&[][..], |f| &f.pre_post[..]) {
        let (label, is_dimension) = match row.target {
            PrePostTarget::Dimension(d) => (instrument.dimensions[d].label(language).to_string(), true),
            PrePostTarget::Item(i) => (instrument.items[i].text(language).to_string(), false),
        };
        let (Score::Shown { mean: before, n }, Score::Shown { mean: after, .. }) = (row.before, row.after) else {
            rows.push(DumbbellRow {
                label,
                values: Err(s.suppressed.to_string()),
                note: String::new(),
            });
            continue;
        };
        // A handful who improved would be a group smaller than the threshold: the model hides it, and it is given
        // as "fewer than".
        let note = match row.improved {
            Figure::Shown { count, .. } => s.prepost_improved.replace("{k}", &format::integer(count, language)),
            Figure::Hidden(_) => s.prepost_improved_few.to_string(),
        }
        .replace("{t}", &format::integer(threshold, language))
        .replace("{n}", &format::integer(n, language));
        if is_dimension {
            text.push(format!("{label}: {note}."));
        }
        rows.push(DumbbellRow {
            label,
            values: Ok((before, after)),
            note,
        });
    }
    if text.is_empty() {
        return Ok(Part {
            chart: None,
            html: format!("<p class=\"muted\">{}</p>\n", escape(s.survey_too_few)),
        });
    }
    let chart = dumbbell(&Dumbbell {
        title: format!("{} – {}", s.prepost_title, instrument.name(language)),
        subtitle: s.prepost_subtitle.to_string(),
        before_label: s.prepost_before.to_string(),
        after_label: s.prepost_after.to_string(),
        x_min: f64::from(instrument.scale_min),
        x_max: f64::from(instrument.scale_max),
        x_ticks: (instrument.scale_min..=instrument.scale_max)
            .map(|v| (f64::from(v), v.to_string()))
            .collect(),
        rows,
    })?;
    Ok(Part {
        chart: Some(chart),
        html: format!("<p>{}</p>\n", escape(&text.join(" "))),
    })
}
