//! Charts for the research team: every municipality by name, still under disclosure control.

use std::path::{Path, PathBuf};

use crosscase_analysis::PrevalenceRow;
use crosscase_charts::{ComparisonBars, Heatmap, comparison_bars, heatmap};
use crosscase_model::{Corpus, IdeaRecords};

use crate::page::{bar_groups, code_rows, disclosed, heatmap_cell};
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
) -> Result<OverviewCharts, ReportError> {
    let language = corpus.settings.language;
    let s = strings(language);
    let disclosed = disclosed(corpus, rows);
    create_dir(dir)?;
    let heat = heatmap(&Heatmap {
        title: s.overview_title.to_string(),
        subtitle: s.overview_subtitle.to_string(),
        rows: code_rows(corpus, language),
        columns: corpus.municipalities.iter().map(|m| m.name.clone()).collect(),
        cells: disclosed
            .cells
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
            groups: bar_groups(corpus, rows, &disclosed, m, s, language),
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
