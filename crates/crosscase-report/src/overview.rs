//! Charts for the research team: every municipality by name, still under disclosure control.

use std::path::{Path, PathBuf};

use crosscase_analysis::{MixedRow, PrevalenceRow};
use crosscase_charts::{ComparisonBars, Heatmap, Scatter, ScatterPoint, comparison_bars, heatmap, scatter};
use crosscase_model::{Corpus, IdeaRecords, Language, SurveyRecords, format};

use crate::page::{FeedbackData, bar_groups, code_rows, heatmap_cell};
use crate::text::strings;
use crate::{ReportError, create_dir, write_file};

/// The charts that were written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverviewCharts {
    pub heatmap: Vec<PathBuf>,
    pub bars: Vec<PathBuf>,
    /// Time to implementation by municipality, when the project has idea records.
    pub ideas: Vec<PathBuf>,
}

impl OverviewCharts {
    /// Every file written.
    pub fn len(&self) -> usize {
        self.heatmap.len() + self.bars.len() + self.ideas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Writes `heatmap.{png,svg}`, `bars-<kommunkod>.{png,svg}` and, with idea records, `ideas-time.{png,svg}` into
/// `dir`.
pub fn write_overview_charts(
    corpus: &Corpus,
    rows: &[PrevalenceRow],
    ideas: &IdeaRecords,
    dir: &Path,
    language: Language,
) -> Result<OverviewCharts, ReportError> {
    let s = strings(language);
    // The same disclosure model as the packs, so the research team's charts hide exactly what the packs hide (the
    // letter key plays no part here: municipalities are named).
    let surveys = SurveyRecords::default();
    let model = crate::page::model(
        &FeedbackData {
            corpus,
            prevalence: rows,
            quotes: &[],
            ideas,
            surveys: &surveys,
            workshops: &crosscase_model::WorkshopRecords::default(),
        },
        0,
    );
    create_dir(dir)?;
    let heat = heatmap(&Heatmap {
        title: s.overview_title.to_string(),
        subtitle: s.overview_subtitle.to_string(),
        rows: code_rows(corpus, language),
        columns: corpus.municipalities.iter().map(|m| m.name.clone()).collect(),
        cells: model
            .heatmap
            .iter()
            .map(|r| r.iter().map(|&c| heatmap_cell(c, language)).collect())
            .collect(),
        highlight: None,
        suppressed_label: s.suppressed.to_string(),
        missing_label: s.missing.to_string(),
    })?;
    let mut out = OverviewCharts {
        heatmap: Vec::new(),
        bars: Vec::new(),
        ideas: Vec::new(),
    };
    for (name, bytes) in [
        ("heatmap.png", heat.png.as_slice()),
        ("heatmap.svg", heat.svg.as_bytes()),
    ] {
        write_file(&dir.join(name), bytes)?;
        out.heatmap.push(dir.join(name));
    }
    for (m, muni) in corpus.municipalities.iter().enumerate() {
        let bars = comparison_bars(&ComparisonBars {
            title: format!("{} – {}", muni.name, s.bars_title),
            subtitle: s.bars_subtitle.to_string(),
            this_label: muni.name.clone(),
            others_label: s.others.to_string(),
            groups: model
                .pack(m)
                .map(|p| bar_groups(corpus, p, s, language))
                .unwrap_or_default(),
        })?;
        let stem = format!("bars-{}", crate::pack_folder_name(&muni.code, ""));
        for (ext, bytes) in [("png", bars.png.as_slice()), ("svg", bars.svg.as_bytes())] {
            let path = dir.join(format!("{stem}.{ext}"));
            write_file(&path, bytes)?;
            out.bars.push(path);
        }
    }
    let names: Vec<(String, String)> = corpus
        .municipalities
        .iter()
        .map(|m| (m.code.clone(), m.name.clone()))
        .collect();
    let threshold = u64::from(corpus.settings.disclosure_threshold);
    if let Some(chart) = crate::ideas::overview_chart(ideas, &names, threshold, s, language)? {
        for (name, bytes) in [
            ("ideas-time.png", chart.png.as_slice()),
            ("ideas-time.svg", chart.svg.as_bytes()),
        ] {
            write_file(&dir.join(name), bytes)?;
            out.ideas.push(dir.join(name));
        }
    }
    Ok(out)
}

/// One scatter chart per instrument, dimension and code of `rows` (`crosscase survey --codes`): each municipality by
/// its mean index and its share of sources with the code, named, for the research team. Municipalities with fewer
/// respondents than the disclosure threshold are left out. Written as `mixed-<instrument>-<dimension>-<code>.*`.
pub fn write_mixed_charts(
    corpus: &Corpus,
    surveys: &SurveyRecords,
    rows: &[MixedRow],
    dir: &Path,
) -> Result<Vec<PathBuf>, ReportError> {
    let language = corpus.settings.language;
    let s = strings(language);
    let threshold = u64::from(corpus.settings.disclosure_threshold);
    let mut keys: Vec<(&str, &str, &str)> = Vec::new();
    for r in rows {
        let key = (r.instrument.as_str(), r.dimension.as_str(), r.code.as_str());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let mut written = Vec::new();
    if !keys.is_empty() {
        create_dir(dir)?;
    }
    for (instrument_id, dimension_id, code_id) in keys {
        let Some(instrument) = surveys.instruments.iter().find(|i| i.id == instrument_id) else {
            continue;
        };
        let dimension = instrument
            .dimensions
            .iter()
            .find(|d| d.id == dimension_id)
            .map_or(dimension_id, |d| d.label(language));
        let code = corpus
            .codes
            .iter()
            .find(|c| c.id == code_id)
            .map_or(code_id, |c| c.label(language));
        let points = rows
            .iter()
            .filter(|r| r.instrument == instrument_id && r.dimension == dimension_id && r.code == code_id)
            .filter(|r| r.index_n >= threshold)
            .filter_map(|r| {
                let name = corpus
                    .municipalities
                    .iter()
                    .find(|m| m.code == r.municipality)
                    .map_or(r.municipality.clone(), |m| m.name.clone());
                Some(ScatterPoint {
                    label: name,
                    x: r.index_mean?,
                    y: r.source_share?,
                    highlight: false,
                })
            })
            .collect();
        let (lo, hi) = (f64::from(instrument.scale_min), f64::from(instrument.scale_max));
        let chart = scatter(&Scatter {
            title: s.mixed_title.replace("{dimension}", dimension).replace("{code}", code),
            subtitle: s.mixed_subtitle.to_string(),
            x_label: s.mixed_x.replace("{dimension}", dimension),
            y_label: s.mixed_y.replace("{code}", code),
            x_range: (lo, hi),
            y_range: (0.0, 1.0),
            x_ticks: (instrument.scale_min..=instrument.scale_max)
                .map(|v| (f64::from(v), v.to_string()))
                .collect(),
            y_ticks: (0..=5)
                .map(|k| (k as f64 / 5.0, format::percent(k as f64 / 5.0, language)))
                .collect(),
            points,
        })?;
        let stem = format!(
            "mixed-{}",
            crate::pack_folder_name(&format!("{instrument_id}-{dimension_id}"), code_id)
        );
        for (ext, bytes) in [("png", chart.png.as_slice()), ("svg", chart.svg.as_bytes())] {
            let path = dir.join(format!("{stem}.{ext}"));
            write_file(&path, bytes)?;
            written.push(path);
        }
    }
    Ok(written)
}
