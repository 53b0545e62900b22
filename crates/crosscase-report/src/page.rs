//! One feedback pack per municipality: `index.html` with its charts beside it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use crosscase_analysis::PrevalenceRow;
use crosscase_analysis::pack::{
    Figure, GroupMatrix, Hidden, Pack, PackConfig, PackInputs, PackModel, PublishedFigures, RunStamp, Verdict,
    group_matrices, pack_model,
};
use crosscase_charts::{BarGroup, ComparisonBars, Heatmap, HeatmapCell, Rendered, comparison_bars, heatmap};
use crosscase_model::{
    Corpus, IdeaRecords, Language, QuoteChoice, QuoteFacts, Roster, Screen, SurveyRecords, WorkshopRecords, format,
};
use rayon::prelude::*;

use crate::html::escape;
use crate::quotes::{self, LeftOutQuote, ListedQuote, ShownQuote};
use crate::slides::{Slide, slides_html};
use crate::text::{Strings, strings};
use crate::{ReportError, create_dir, write_file};

/// What to write and where.
#[derive(Clone, Debug)]
pub struct FeedbackConfig {
    /// Packs go to `<out_dir>/<kommunkod>-<name>/`.
    pub out_dir: PathBuf,
    pub language: Language,
    /// Kommunkoder to write packs for; all municipalities when empty.
    pub municipalities: Vec<String>,
    /// The participants' real names, masked with identity numbers, e-mail addresses and phone numbers in quotes,
    /// labels, item texts and names before anything is drawn; may be empty.
    pub roster: Roster,
    /// Told (packs written, packs in all) each time a pack is done, from whichever thread wrote it.
    pub progress: Option<Progress>,
    /// The seed of the project's letter key: the same seed gives every municipality the same letter in every pack.
    pub letter_seed: u64,
    /// The recorded run the packs' figures come from, named on every page, in `tables.xlsx` and in `figures.json`.
    pub run: Option<RunStamp>,
    /// The researcher's quotes file: segments pinned under a theme or excluded, checked against the project.
    pub quote_choices: Vec<QuoteChoice>,
    /// Slides for a live workshop (`crosscase workshop`): a join slide after the title, one finding per main theme,
    /// and the reactions to each finding shown on its slide as the server reports them.
    pub workshop: Option<WorkshopSlides>,
}

/// What the slides of a live workshop add: how participants join.
#[derive(Clone, Debug)]
pub struct WorkshopSlides {
    /// The code participants type.
    pub join_code: String,
    /// The address participants open, shown as text under the QR code.
    pub join_url: String,
    /// The QR code of `join_url` as an SVG element, made by the caller from the address alone (trusted markup).
    pub qr_svg: String,
}

/// A finding of a pack as a workshop asks about it: the main theme's code id and the conclusion in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackFinding {
    pub theme: String,
    pub text: String,
}

/// A callback for progress; the caller decides whether and how to show it.
#[derive(Clone)]
pub struct Progress(pub std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// What the packs are made of, all read from the store.
#[derive(Clone, Copy, Debug)]
pub struct FeedbackData<'a> {
    pub corpus: &'a Corpus,
    pub prevalence: &'a [PrevalenceRow],
    pub quotes: &'a [QuoteFacts],
    pub ideas: &'a IdeaRecords,
    pub surveys: &'a SurveyRecords,
    /// The earlier workshop of each municipality that had one (`Store::earlier_workshops`): the packs say what it
    /// said.
    pub workshops: &'a WorkshopRecords,
}

/// A pack that was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenPack {
    pub municipality: String,
    pub name: String,
    pub index: PathBuf,
    pub files: Vec<PathBuf>,
    /// The quotes the pack shows and the other candidates, for the researcher's quotes list (never in the pack).
    pub quotes: Vec<ListedQuote>,
    /// One finding per main theme, in the pack's order: what a workshop asks participants to react to.
    pub findings: Vec<PackFinding>,
}

/// The folder name of a municipality's pack: kommunkod and name, reduced to letters, digits and `-` so that no name
/// can reach outside the output folder.
pub fn pack_folder_name(code: &str, name: &str) -> String {
    let slug = |s: &str| -> String {
        let mut out = String::new();
        for ch in s.chars() {
            let mapped = match ch {
                'å' | 'ä' | 'à' | 'á' | 'â' => 'a',
                'Å' | 'Ä' | 'À' | 'Á' | 'Â' => 'A',
                'ö' | 'ø' | 'ó' | 'ò' => 'o',
                'Ö' | 'Ø' | 'Ó' | 'Ò' => 'O',
                'é' | 'è' | 'ë' => 'e',
                'É' | 'È' | 'Ë' => 'E',
                'ü' => 'u',
                'Ü' => 'U',
                c if c.is_ascii_alphanumeric() => c,
                _ => '-',
            };
            if mapped != '-' || !out.ends_with('-') {
                out.push(mapped);
            }
        }
        out.trim_matches('-').to_string()
    };
    let code = slug(code);
    let name = slug(name);
    match (code.is_empty(), name.is_empty()) {
        (false, false) => format!("{code}-{name}"),
        (false, true) => code,
        (true, false) => name,
        (true, true) => "site".to_string(),
    }
}

/// The folder name of every municipality's pack, in corpus order, unique even where two sites' ids and names make
/// the same name ("S/1" and "S-1"), also on file systems that ignore case: a later site whose name is taken gets
/// `-2`, `-3`, … in corpus order, so that no pack is written into another's folder.
pub fn pack_folder_names(municipalities: &[crosscase_model::Municipality]) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    municipalities
        .iter()
        .map(|me| {
            let base = pack_folder_name(&me.code, &me.name);
            let mut name = base.clone();
            let mut k = 1;
            while !taken.insert(name.to_lowercase()) {
                k += 1;
                name = format!("{base}-{k}");
            }
            name
        })
        .collect()
}

/// More municipalities than this are not shown one column each in a pack's heatmap (their columns would be too narrow
/// to read); the pack then sets its municipality beside all the others together, theme by theme.
const MAX_HEATMAP_COLUMNS: usize = 16;

/// The labels of the codes as heatmap rows, indented by depth.
pub(crate) fn code_rows(corpus: &Corpus, language: Language) -> Vec<(usize, String)> {
    corpus
        .code_depth()
        .into_iter()
        .zip(&corpus.codes)
        .map(|(d, c)| (d, c.label(language).to_string()))
        .collect()
}

/// The pack model of a project: every figure of every pack, disclosure-checked once.
pub(crate) fn model(data: &FeedbackData<'_>, letter_seed: u64) -> PackModel {
    pack_model(
        &PackInputs {
            corpus: data.corpus,
            prevalence: data.prevalence,
            ideas: data.ideas,
            surveys: data.surveys,
            workshops: data.workshops,
        },
        &PackConfig {
            threshold: data.corpus.settings.disclosure_threshold,
            letter_seed,
            max_heatmap_columns: MAX_HEATMAP_COLUMNS,
        },
    )
}

/// Why a figure is hidden, in words.
pub(crate) fn hidden_text(h: Hidden, s: &Strings) -> String {
    match h {
        Hidden::TooFewPeople => s.suppressed.to_string(),
        Hidden::ProtectsAnother => s.suppressed_protects.to_string(),
        Hidden::NoData => s.missing.to_string(),
    }
}

/// A figure as a share with its base, "73 % (16 av 22)", or why it is hidden.
pub(crate) fn figure_text(f: Figure, s: &Strings, language: Language) -> Result<(f64, String), String> {
    match f {
        Figure::Shown { count, base } if base > 0 => {
            let v = count as f64 / base as f64;
            Ok((
                v,
                format!(
                    "{} ({} {} {})",
                    format::percent(v, language),
                    format::integer(count, language),
                    s.of,
                    format::integer(base, language)
                ),
            ))
        }
        Figure::Shown { .. } => Err(s.missing.to_string()),
        Figure::Hidden(h) => Err(hidden_text(h, s)),
    }
}

pub(crate) fn heatmap_cell(f: Figure, language: Language) -> HeatmapCell {
    match f {
        Figure::Shown { count, base } if base > 0 => {
            let v = count as f64 / base as f64;
            HeatmapCell::Value(v, format::percent(v, language))
        }
        Figure::Hidden(Hidden::TooFewPeople | Hidden::ProtectsAnother) => HeatmapCell::Suppressed,
        _ => HeatmapCell::Missing,
    }
}

/// A municipality's share beside the pooled share of all other municipalities, for each main theme.
pub(crate) fn bar_groups(corpus: &Corpus, pack: &Pack, s: &Strings, language: Language) -> Vec<BarGroup> {
    pack.themes
        .iter()
        .map(|t| BarGroup {
            label: corpus.codes[t.code].label(language).to_string(),
            this: figure_text(t.own, s, language),
            others: figure_text(t.others, s, language),
        })
        .collect()
}

/// Writes one pack per municipality, in parallel. Returns the packs and the quotes left out because they could not be
/// cleaned of personal data (for a report kept outside the packs).
pub fn write_feedback(
    data: &FeedbackData<'_>,
    config: &FeedbackConfig,
) -> Result<(Vec<WrittenPack>, Vec<LeftOutQuote>), ReportError> {
    // The data boundary of the packs: every label, description, item text and name is screened once, here.
    let screen = Screen::new(config.roster.clone());
    let (corpus, surveys, ideas) = (
        screen.screened(data.corpus, config.language),
        screen.screened(data.surveys, config.language),
        screen.screened(data.ideas, config.language),
    );
    let data = &FeedbackData {
        corpus: &corpus,
        surveys: &surveys,
        ideas: &ideas,
        ..*data
    };
    let FeedbackData { corpus, .. } = *data;
    let model = model(data, config.letter_seed);
    let selected: Vec<usize> = (0..corpus.municipalities.len())
        .filter(|&i| config.municipalities.is_empty() || config.municipalities.contains(&corpus.municipalities[i].code))
        .collect();
    create_dir(&config.out_dir)?;
    let done = AtomicUsize::new(0);
    // Each pack quotes its own municipality only: the quotes are sorted out once, not scanned again for every pack.
    let mut quotes_by_municipality: HashMap<&str, Vec<&QuoteFacts>> = HashMap::new();
    for q in data.quotes {
        quotes_by_municipality
            .entry(q.municipality.as_str())
            .or_default()
            .push(q);
    }
    let written: Vec<(WrittenPack, Vec<LeftOutQuote>)> = selected
        .par_iter()
        .map(|&m| {
            let quotes = quotes_by_municipality
                .get(corpus.municipalities[m].code.as_str())
                .map_or(&[][..], Vec::as_slice);
            let written = write_pack(data, quotes, &model, m, config);
            if let Some(Progress(report)) = &config.progress {
                report(done.fetch_add(1, Ordering::Relaxed) + 1, selected.len());
            }
            written
        })
        .collect::<Result<_, _>>()?;
    let mut packs = Vec::with_capacity(written.len());
    let mut left_out = Vec::new();
    for (pack, left) in written {
        packs.push(pack);
        left_out.extend(left);
    }
    let index = config.out_dir.join("index.html");
    write_file(&index, index_html(&corpus.settings.name, &packs, config))?;
    Ok((packs, left_out))
}

/// The findings of one municipality's pack in `language`, as [`write_feedback`] writes them into
/// [`WrittenPack::findings`], without drawing or writing anything: the same screened labels, the same pack model and
/// the same sentences. `None` when the project has no such municipality.
pub fn pack_findings(
    data: &FeedbackData<'_>,
    roster: &Roster,
    letter_seed: u64,
    language: Language,
    kommunkod: &str,
) -> Option<Vec<PackFinding>> {
    let screen = Screen::new(roster.clone());
    let corpus = screen.screened(data.corpus, language);
    let data = &FeedbackData {
        corpus: &corpus,
        ..*data
    };
    let m = corpus.municipalities.iter().position(|m| m.code == kommunkod)?;
    let model = model(data, letter_seed);
    let pack = model.pack(m)?;
    let s = strings(language);
    Some(
        theme_conclusions(&corpus, pack, s, language)
            .into_iter()
            .map(|(theme, text)| PackFinding {
                theme: corpus.codes[theme].id.clone(),
                text,
            })
            .collect(),
    )
}

/// The code × municipality matrix exactly as the packs' heatmaps disclose it (the same pack model, primary and
/// secondary suppression applied once): `cells[code][municipality]`, in corpus order.
pub fn disclosed_matrix(data: &FeedbackData<'_>, letter_seed: u64) -> Vec<Vec<Figure>> {
    model(data, letter_seed).heatmap
}

/// The code × municipality matrix of [`disclosed_matrix`] and the matrices by role, unit and wave, disclosed together
/// with everything the packs publish (`crosscase_analysis::pack::group_matrices`), for `crosscase serve`.
pub fn disclosed_matrices(
    data: &FeedbackData<'_>,
    letter_seed: u64,
) -> Result<(Vec<Vec<Figure>>, Vec<GroupMatrix>), crosscase_analysis::AnalysisError> {
    let model = model(data, letter_seed);
    let inputs = PackInputs {
        corpus: data.corpus,
        prevalence: data.prevalence,
        ideas: data.ideas,
        surveys: data.surveys,
        workshops: data.workshops,
    };
    let groups = group_matrices(&inputs, &model)?;
    Ok((model.heatmap, groups))
}

/// `index.html` beside the packs: every pack written, by name, with its page, slides and tables.
fn index_html(project: &str, packs: &[WrittenPack], config: &FeedbackConfig) -> String {
    let (out_dir, language) = (&config.out_dir, config.language);
    let s = strings(language);
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"project\">{}</p>\n<p>{}</p>\n<table>\n<tbody>\n",
        language.as_str(),
        escape(s.index_title),
        escape(s.index_title),
        escape(project),
        escape(s.index_intro)
    );
    for pack in packs {
        // The pack's folder as a link: its name is made of ASCII letters, digits and dashes (`pack_folder_name`).
        let folder = pack
            .index
            .parent()
            .and_then(|d| d.strip_prefix(out_dir).ok())
            .map(|d| escape(&d.to_string_lossy()))
            .unwrap_or_default();
        h.push_str(&format!(
            "<tr><td>{}</td><td><a href=\"{folder}/index.html\">{}</a></td><td><a href=\"{folder}/slides.html\">{}</a></td><td><a href=\"{folder}/tables.xlsx\">{}</a></td></tr>\n",
            escape(&pack.name),
            escape(s.index_page),
            escape(s.slides_link),
            escape(s.index_tables)
        ));
    }
    h.push_str("</tbody>\n</table>\n");
    h.push_str(&run_footer(config.run.as_ref(), s));
    h.push_str("</body>\n</html>\n");
    h
}

fn write_pack(
    data: &FeedbackData<'_>,
    quotes: &[&QuoteFacts],
    model: &PackModel,
    m: usize,
    config: &FeedbackConfig,
) -> Result<(WrittenPack, Vec<LeftOutQuote>), ReportError> {
    let FeedbackData { corpus, surveys, .. } = *data;
    let language = config.language;
    let s = strings(language);
    let me = &corpus.municipalities[m];
    let dir = config.out_dir.join(&pack_folder_names(&corpus.municipalities)[m]);
    create_dir(&dir)?;

    let pack = model.pack(m).expect("the model has a pack for every municipality");
    let groups = bar_groups(corpus, pack, s, language);
    let (rows_shown, columns, cells, subtitle) = if corpus.municipalities.len() <= MAX_HEATMAP_COLUMNS {
        // This municipality first, then the others by their letter in the project's key.
        let mut others: Vec<usize> = (0..corpus.municipalities.len()).filter(|&i| i != m).collect();
        others.sort_by(|&a, &b| {
            let (x, y) = (&model.letters[a], &model.letters[b]);
            x.len().cmp(&y.len()).then(x.cmp(y))
        });
        let order: Vec<usize> = std::iter::once(m).chain(others).collect();
        let columns: Vec<String> = order
            .iter()
            .map(|&i| {
                if i == m {
                    me.name.clone()
                } else {
                    model.letters[i].clone()
                }
            })
            .collect();
        let cells = (0..corpus.codes.len())
            .map(|ci| {
                order
                    .iter()
                    .map(|&i| heatmap_cell(model.heatmap[ci][i], language))
                    .collect()
            })
            .collect();
        (code_rows(corpus, language), columns, cells, s.heatmap_subtitle)
    } else {
        // Too many municipalities for a column each: the main themes, this municipality beside all the others.
        let cell = |v: &Result<(f64, String), String>| match v {
            Ok((v, text)) => HeatmapCell::Value(*v, text.clone()),
            Err(e) if e == s.suppressed => HeatmapCell::Suppressed,
            Err(_) => HeatmapCell::Missing,
        };
        let cells = groups.iter().map(|g| vec![cell(&g.this), cell(&g.others)]).collect();
        let rows_shown = groups.iter().map(|g| (0, g.label.clone())).collect();
        (
            rows_shown,
            vec![me.name.clone(), s.others.to_string()],
            cells,
            s.heatmap_subtitle_pooled,
        )
    };
    let heat = heatmap(&Heatmap {
        title: s.heatmap_title.to_string(),
        subtitle: subtitle.to_string(),
        rows: rows_shown,
        columns,
        cells,
        highlight: Some(0),
        suppressed_label: s.suppressed.to_string(),
        missing_label: s.missing.to_string(),
    })?;
    let bars = comparison_bars(&ComparisonBars {
        title: s.bars_title.to_string(),
        subtitle: s.bars_subtitle.to_string(),
        this_label: me.name.clone(),
        others_label: s.others.to_string(),
        groups: groups.clone(),
    })?;

    let page_charts = [
        ChartRef::new("bars", s.bars_title, &bars),
        ChartRef::new("heatmap", s.heatmap_title, &heat),
    ];
    let mut files = Vec::new();
    for (name, bytes) in [
        ("heatmap.png", heat.png.as_slice()),
        ("heatmap.svg", heat.svg.as_bytes()),
        ("bars.png", bars.png.as_slice()),
        ("bars.svg", bars.svg.as_bytes()),
    ] {
        let path = dir.join(name);
        write_file(&path, bytes)?;
        files.push(path);
    }
    let threshold = u64::from(corpus.settings.disclosure_threshold);
    let idea_section = crate::ideas::section(pack, &me.name, s, language)?;
    if let Some(section) = &idea_section {
        for (name, bytes) in &section.files {
            let path = dir.join(name);
            write_file(&path, bytes)?;
            files.push(path);
        }
    }
    let waves: Vec<(&str, &str)> = (0..corpus.waves.len())
        .map(|i| (corpus.waves[i].as_str(), corpus.wave_name(i)))
        .collect();
    let survey_section = crate::survey::section(surveys, &pack.surveys, &waves, &me.name, threshold, s, language)?;
    if let Some(section) = &survey_section {
        for (name, bytes) in &section.files {
            let path = dir.join(name);
            write_file(&path, bytes)?;
            files.push(path);
        }
    }
    // Quotes only where enough people took part that none of them can be recognised.
    let mut left_out = Vec::new();
    let mut listed = Vec::new();
    // The model allows quotes under a theme only where its figure is shown and enough people took part.
    let shown = if pack.themes.iter().any(|t| t.quotes) {
        let screen = Screen::new(config.roster.clone());
        let mut chosen = quotes::choose(
            corpus,
            quotes,
            m,
            &config.quote_choices,
            &screen,
            language,
            &mut left_out,
            &mut listed,
        );
        chosen.retain(|q| pack.theme(q.theme).is_some_and(|t| t.quotes));
        // A theme the model gives no quotes lists none for the researcher either: its people are too few.
        let allowed: Vec<&str> = (0..corpus.codes.len())
            .filter(|&t| pack.theme(t).is_some_and(|t| t.quotes))
            .map(|t| corpus.codes[t].id.as_str())
            .collect();
        listed.retain(|q| allowed.contains(&q.theme.as_str()));
        Some(chosen)
    } else {
        None
    };
    let wave_section = crate::waves::section(corpus, model, pack, s, language);
    // What the municipality's earlier workshop said, its comments screened as the quotes are.
    let last_time_section = pack.last_time.as_ref().map(|last| {
        let screen = Screen::new(config.roster.clone());
        crate::last_time::section(corpus, last, &me.code, &screen, s, language, &mut left_out)
    });
    // The figures of the page as a workbook for facilitators who rework them, rendered from the model.
    let path = dir.join("tables.xlsx");
    let book = crate::xlsx::pack_workbook(&crate::xlsx::PackBook {
        corpus,
        surveys,
        model,
        pack,
        run: config.run.as_ref(),
        language,
    })
    .map_err(|e| ReportError::Io {
        path: path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    write_file(&path, book)?;
    files.push(path);
    // What the pack publishes, machine-readable, for `crosscase audit --disclosure`.
    let path = dir.join("figures.json");
    let figures = PublishedFigures {
        run: config.run.clone(),
        ..pack.figures.clone()
    };
    let json = serde_json::to_vec_pretty(&figures).map_err(|e| ReportError::Io {
        path: path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    write_file(&path, json)?;
    files.push(path);
    let index = dir.join("index.html");
    // Every chart's SVG, for print.
    let svg_links: String = files
        .iter()
        .filter_map(|f| f.file_name().and_then(|n| n.to_str()))
        .filter(|n| n.ends_with(".svg"))
        .map(|n| format!("<a href=\"{n}\">{n}</a>"))
        .collect::<Vec<_>>()
        .join(", ");
    let conclusion_lines = conclusions(corpus, pack, s, language);
    let findings: Vec<PackFinding> = theme_conclusions(corpus, pack, s, language)
        .into_iter()
        .map(|(theme, text)| PackFinding {
            theme: corpus.codes[theme].id.clone(),
            text,
        })
        .collect();
    // The slides: the same parts as the page, one finding per screen.
    let mut slides = vec![Slide::Title {
        name: me.name.clone(),
        project: corpus.settings.name.clone(),
    }];
    match &config.workshop {
        // A workshop asks about each main theme on its own, so each gets a slide with its reactions.
        Some(w) => {
            slides.push(Slide::Join(w.clone()));
            // Numbered as the participants' phones number them, so that the room knows which one to answer.
            slides.extend(findings.iter().enumerate().map(|(k, f)| {
                Slide::Finding {
                    heading: s
                        .finding_heading
                        .replace("{k}", &(k + 1).to_string())
                        .replace("{n}", &findings.len().to_string()),
                    text: f.text.clone(),
                    reactions: Some(k),
                }
            }));
        }
        None => slides.extend(conclusion_lines.iter().map(|line| Slide::Finding {
            heading: s.stand_out_title.to_string(),
            text: line.clone(),
            reactions: None,
        })),
    }
    slides.extend(last_time_section.as_ref().map(|l| Slide::Section(l.html.clone())));
    slides.extend(page_charts.iter().cloned().map(Slide::Chart));
    slides.extend(wave_section.as_ref().map(|w| Slide::Section(w.html.clone())));
    for charts in [
        survey_section.as_ref().map(|x| &x.charts),
        idea_section.as_ref().map(|x| &x.charts),
    ]
    .into_iter()
    .flatten()
    {
        slides.extend(charts.iter().cloned().map(Slide::Chart));
    }
    for theme in shown.as_deref().unwrap_or_default().chunk_by(|a, b| a.theme == b.theme) {
        for part in theme.chunks(crate::slides::QUOTES_PER_SLIDE) {
            slides.push(Slide::Quotes {
                theme: corpus.codes[part[0].theme].label(language).to_string(),
                quotes: part.iter().map(|q| (q.text.clone(), q.attribution.clone())).collect(),
            });
        }
    }
    slides.push(Slide::Discuss);
    let path = dir.join("slides.html");
    let title = format!("{} {}", s.feedback_title, me.name);
    write_file(&path, slides_html(&title, language.as_str(), &slides, s))?;
    files.push(path);

    let standing_out = stand_out(&conclusion_lines, pack, s, language);
    let extra: String = [
        last_time_section.map(|s| s.html),
        wave_section.map(|s| s.html),
        survey_section.map(|s| s.html),
        idea_section.map(|s| s.html),
    ]
    .into_iter()
    .flatten()
    .collect();
    write_file(
        &index,
        page_html(
            corpus,
            &PageParts {
                name: &me.name,
                charts: &page_charts,
                groups: &groups,
                shown: shown.as_deref(),
                findings: &standing_out,
                sections: &extra,
                end: &page_end(&svg_links, config.run.as_ref(), s),
            },
            language,
        ),
    )?;
    files.push(index.clone());
    Ok((
        WrittenPack {
            municipality: me.code.clone(),
            name: me.name.clone(),
            index,
            files,
            quotes: listed,
            findings,
        },
        left_out,
    ))
}

/// Signed whole percentage points, "+16", "−4", "0".
fn signed_points(x: f64, language: Language) -> String {
    let pp = (x * 100.0).round();
    let text = format::decimal(pp.abs(), 0, language);
    if pp > 0.0 {
        format!("+{text}")
    } else if pp < 0.0 {
        format!("−{text}")
    } else {
        text
    }
}

/// What the pack concludes about each main theme, in plain words: "clearly more/less" only where the difference
/// survives Holm's correction over the pack's themes, "perhaps, but uncertain" where the interval is wide, "about the
/// same" where the whole interval lies within ±10 points, and hidden themes named as hidden.
pub(crate) fn conclusions(corpus: &Corpus, pack: &Pack, s: &Strings, language: Language) -> Vec<String> {
    let mut clear = Vec::new();
    let mut perhaps = Vec::new();
    let mut same = Vec::new();
    let mut hidden = Vec::new();
    for t in &pack.themes {
        let theme = corpus.codes[t.code].label(language);
        let c = &t.conclusion;
        let fill = |template: &str| {
            let text = |f: Figure| figure_text(f, s, language).map(|x| x.1).unwrap_or_default();
            template
                .replace("{theme}", theme)
                .replace("{this}", &text(t.own))
                .replace("{others}", &text(t.others))
                .replace(
                    "{low}",
                    &c.ci_low.map_or_else(String::new, |x| signed_points(x, language)),
                )
                .replace(
                    "{high}",
                    &c.ci_high.map_or_else(String::new, |x| signed_points(x, language)),
                )
        };
        match c.verdict {
            Verdict::ClearlyMore => clear.push(fill(s.stand_out_more)),
            Verdict::ClearlyLess => clear.push(fill(s.stand_out_less)),
            Verdict::PerhapsMore => perhaps.push(fill(s.perhaps_more)),
            Verdict::PerhapsLess => perhaps.push(fill(s.perhaps_less)),
            Verdict::Uncertain => perhaps.push(fill(s.uncertain_same)),
            Verdict::AboutTheSame => same.push(theme.to_string()),
            Verdict::Hidden => hidden.push(fill(s.theme_hidden)),
            Verdict::NotTested => {}
        }
    }
    let mut lines = Vec::new();
    if clear.is_empty() {
        lines.push(s.stand_out_none.to_string());
    }
    lines.extend(clear);
    lines.extend(perhaps);
    if !same.is_empty() {
        lines.push(s.about_the_same.replace("{themes}", &same.join(", ")));
    }
    lines.extend(hidden);
    lines
}

/// One conclusion per main theme that was tested or hidden, with the theme's index: what stands out in plain words,
/// as [`conclusions`] says it, and for a theme about as common as elsewhere a sentence of its own.
pub(crate) fn theme_conclusions(corpus: &Corpus, pack: &Pack, s: &Strings, language: Language) -> Vec<(usize, String)> {
    pack.themes
        .iter()
        .filter_map(|t| {
            let theme = corpus.codes[t.code].label(language);
            let c = &t.conclusion;
            let text = |f: Figure| figure_text(f, s, language).map(|x| x.1).unwrap_or_default();
            let template = match c.verdict {
                Verdict::ClearlyMore => s.stand_out_more,
                Verdict::ClearlyLess => s.stand_out_less,
                Verdict::PerhapsMore => s.perhaps_more,
                Verdict::PerhapsLess => s.perhaps_less,
                Verdict::Uncertain => s.uncertain_same,
                Verdict::AboutTheSame => s.about_the_same_one,
                Verdict::Hidden => s.theme_hidden,
                Verdict::NotTested => return None,
            };
            let line = template
                .replace("{theme}", theme)
                .replace("{this}", &text(t.own))
                .replace("{others}", &text(t.others))
                .replace(
                    "{low}",
                    &c.ci_low.map_or_else(String::new, |x| signed_points(x, language)),
                )
                .replace(
                    "{high}",
                    &c.ci_high.map_or_else(String::new, |x| signed_points(x, language)),
                );
            Some((t.code, line))
        })
        .collect()
}

fn stand_out(lines: &[String], pack: &Pack, s: &Strings, language: Language) -> String {
    let mut h = format!(
        "<section class=\"stand-out finding\">\n<h2>{}</h2>\n<ul>\n",
        escape(s.stand_out_title)
    );
    for line in lines {
        h.push_str(&format!("<li>{}</li>\n", escape(line)));
    }
    let tested = pack.themes.iter().filter(|t| t.conclusion.p_holm.is_some()).count();
    h.push_str(&format!(
        "</ul>\n<p class=\"muted\">{}</p>\n</section>\n",
        escape(
            &s.stand_out_method
                .replace("{k}", &format::integer(tested as u64, language))
        )
    ));
    h
}

/// A table of this municipality beside the others, a row per group (theme, stage), with suppressed or missing
/// values in words.
pub(crate) fn groups_table(first: &str, name: &str, others: &str, groups: &[BarGroup]) -> String {
    let cell = |v: &Result<(f64, String), String>| match v {
        Ok((_, text)) => escape(text),
        Err(text) => format!("<span class=\"muted\">{}</span>", escape(text)),
    };
    let mut h = format!(
        "<table>\n<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        escape(first),
        escape(name),
        escape(others)
    );
    for g in groups {
        h.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
            escape(&g.label),
            cell(&g.this),
            cell(&g.others)
        ));
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// A chart as the page and the slides show it: its file stem, its title, and its size in SVG pixels.
#[derive(Clone, Debug)]
pub(crate) struct ChartRef {
    pub stem: String,
    pub title: String,
    pub width: u32,
    pub height: u32,
}

impl ChartRef {
    pub(crate) fn new(stem: impl Into<String>, title: &str, chart: &Rendered) -> ChartRef {
        ChartRef {
            stem: stem.into(),
            title: title.to_string(),
            width: chart.width,
            height: chart.height,
        }
    }

    /// The chart's two images: the PNG on screen and the SVG (vector text) in print, switched by the stylesheet.
    pub(crate) fn images(&self) -> String {
        let (stem, w, h) = (&self.stem, self.width, self.height);
        format!(
            "<img class=\"screen\" src=\"{stem}.png\" alt=\"{}\" width=\"{w}\" height=\"{h}\">\n<img class=\"print\" src=\"{stem}.svg\" alt=\"\" width=\"{w}\" height=\"{h}\">\n",
            escape(&self.title)
        )
    }

    pub(crate) fn figure(&self) -> String {
        format!("<figure>\n{}</figure>\n", self.images())
    }
}

const CSS: &str = "
:root { --ink: #222; --muted: #666; --blue: #0072b2; --orange: #e69f00; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', 'Segoe UI', Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px; line-height: 1.45; }
h1 { font-size: 2rem; margin: 0 0 .2rem; }
.project { color: var(--muted); margin: 0 0 1.5rem; }
figure { margin: 1.5rem 0; }
figure img { width: 100%; height: auto; border: 1px solid #ddd; }
img.print { display: none; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ddd; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.how { background: #f4f8fb; border-left: 4px solid var(--blue); padding: .8rem 1.2rem; }
.muted { color: var(--muted); }
blockquote { margin: .6rem 0 .9rem; padding: .4rem 1rem; border-left: 4px solid var(--orange); background: #fdf8ee; }
blockquote p { margin: 0 0 .3rem; }
blockquote footer { color: var(--muted); font-size: .9rem; }
@page { size: A4; margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  figure { break-inside: avoid; page-break-inside: avoid; }
  .how, blockquote { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  .screen-only, img.screen { display: none; }
  img.print { display: block; }
  figure img { border: none; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  li, tr { break-inside: avoid; }
}
";

/// The page's close: the links to every chart's SVG and, when the pack
/// comes from a recorded run, the run it names.
fn page_end(svg_links: &str, run: Option<&RunStamp>, s: &Strings) -> String {
    format!(
        "<p class=\"screen-only muted\">{}: {}</p>\n{}",
        escape(s.svg_link),
        svg_links,
        run_footer(run, s)
    )
}

/// The run the figures were recorded as, when they were.
fn run_footer(run: Option<&RunStamp>, s: &Strings) -> String {
    let Some(run) = run else {
        return String::new();
    };
    let hash: String = run.content_hash.chars().take(12).collect();
    format!(
        "<footer class=\"muted run\">{}</footer>\n",
        escape(
            &s.run_footer
                .replace("{id}", &run.id.to_string())
                .replace("{hash}", &hash)
                .replace("{version}", &run.crosscase_version)
        )
    )
}

/// The parts of a pack's page, each rendered already except the quotes.
struct PageParts<'a> {
    name: &'a str,
    /// The main themes' bars first, then the heatmap of every theme.
    charts: &'a [ChartRef],
    groups: &'a [BarGroup],
    shown: Option<&'a [ShownQuote]>,
    findings: &'a str,
    sections: &'a str,
    end: &'a str,
}

fn page_html(corpus: &Corpus, parts: &PageParts<'_>, language: Language) -> String {
    let PageParts {
        name,
        charts,
        groups,
        shown,
        findings,
        sections,
        end,
    } = *parts;
    let s = strings(language);
    let mut h = String::new();
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        language.as_str(),
        escape(s.feedback_title),
        escape(name)
    ));
    h.push_str(&format!("<h1>{} {}</h1>\n", escape(s.feedback_title), escape(name)));
    h.push_str(&format!("<p class=\"project\">{}</p>\n", escape(&corpus.settings.name)));
    h.push_str(&format!(
        "<p class=\"screen-only\"><a href=\"slides.html\">{}</a></p>\n",
        escape(s.slides_link)
    ));
    h.push_str(&format!(
        "<section class=\"how\">\n<h2>{}</h2>\n<ul>\n",
        escape(s.how_to_read_title)
    ));
    for line in s.how_to_read {
        h.push_str(&format!("<li>{}</li>\n", escape(line)));
    }
    h.push_str("</ul>\n</section>\n");
    // The main themes first, what stands out in them, their figures; then the details (the heatmap of every theme)
    // and the other sections. Text between the charts lets a printed page fill before a chart moves to the next.
    let (main, details) = charts.split_at(charts.len().min(1));
    for chart in main {
        h.push_str(&chart.figure());
    }
    h.push_str(findings);
    h.push_str(&format!("<h2>{}</h2>\n", escape(s.table_title)));
    h.push_str(&groups_table(s.theme, name, s.others, groups));
    for chart in details {
        h.push_str(&chart.figure());
    }
    h.push_str(sections);
    h.push_str(&format!(
        "<section class=\"quotes\">\n<h2>{}</h2>\n",
        escape(s.quotes_title)
    ));
    match shown {
        None => h.push_str(&format!("<p class=\"muted\">{}</p>\n", escape(s.no_quotes))),
        Some(shown) => {
            h.push_str(&format!("<p class=\"muted\">{}</p>\n", escape(s.quotes_intro)));
            let mut theme = None;
            for q in shown {
                if theme != Some(q.theme) {
                    theme = Some(q.theme);
                    h.push_str(&format!("<h3>{}</h3>\n", escape(corpus.codes[q.theme].label(language))));
                }
                h.push_str(&format!(
                    "<blockquote><p>{}</p><footer>{}</footer></blockquote>\n",
                    escape(&q.text),
                    escape(&q.attribution)
                ));
            }
        }
    }
    h.push_str("</section>\n");
    h.push_str(end);
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_stay_inside() {
        assert_eq!(pack_folder_name("0580", "Linköping"), "0580-Linkoping");
        assert_eq!(pack_folder_name("0687", "Tranås"), "0687-Tranas");
        assert_eq!(pack_folder_name("../x", "a/b<script>"), "x-a-b-script");
        assert_eq!(pack_folder_name("..", ".."), "site");
        let site = |code: &str, name: &str| crosscase_model::Municipality {
            code: code.into(),
            name: name.into(),
            line: 0,
        };
        assert_eq!(
            pack_folder_names(&[
                site("S/1", "Skola"),
                site("S-1", "Skola"),
                site("s-1", "skola"),
                site("S2", "")
            ]),
            ["S-1-Skola", "S-1-Skola-2", "s-1-skola-3", "S2"]
        );
    }
}
