//! A pack's section on how the themes changed between the first and the last wave of data collection: the share of
//! the municipality's sources with each main theme in both waves, and the change in plain words where its interval
//! excludes zero. A wave in which fewer people took part than the threshold shows no figures.

use std::collections::HashSet;

use crosscase_analysis::WaveChangeRow;
use crosscase_model::{Column, Corpus, DataTable, Language, Values, format};

use crate::html::escape;
use crate::text::Strings;

pub(crate) struct WaveSection {
    pub html: String,
    pub sheet: DataTable,
}

/// The changes of every code between the first and the last wave, for all municipalities; `None` with fewer than two
/// waves. Computed once for all packs.
pub(crate) fn changes(corpus: &Corpus) -> Option<Vec<WaveChangeRow>> {
    let (first, last) = (corpus.waves.first()?, corpus.waves.last()?);
    if first == last {
        return None;
    }
    crosscase_analysis::wave_changes(corpus, first, last, 0.95).ok()
}

/// People who took part in the municipality's sources of a wave.
fn people(corpus: &Corpus, m: usize, wave: &str) -> usize {
    let Some(w) = corpus.waves.iter().position(|x| x == wave) else {
        return 0;
    };
    corpus
        .sources
        .iter()
        .filter(|s| s.municipality as usize == m && s.wave == Some(w as u32))
        .flat_map(|s| s.participants.iter().copied())
        .collect::<HashSet<u32>>()
        .len()
}

pub(crate) fn section(
    corpus: &Corpus,
    changes: &[WaveChangeRow],
    m: usize,
    s: &Strings,
    language: Language,
) -> Option<WaveSection> {
    let code = &corpus.municipalities[m].code;
    let depth = corpus.code_depth();
    let threshold = corpus.settings.disclosure_threshold as usize;
    let mine: Vec<&WaveChangeRow> = changes.iter().filter(|r| &r.municipality == code).collect();
    let first = mine.first()?;
    let (from, to) = (first.wave_from.clone(), first.wave_to.clone());
    let enough = people(corpus, m, &from) >= threshold && people(corpus, m, &to) >= threshold;
    let mut labels = Vec::new();
    let mut shares = (Vec::new(), Vec::new());
    let mut points = Vec::new();
    let mut notes = Vec::new();
    let mut rows = String::new();
    for c in corpus
        .codes
        .iter()
        .zip(&depth)
        .filter(|(_, d)| **d == 0)
        .map(|(c, _)| c)
    {
        let Some(r) = mine.iter().find(|r| r.code == c.id) else {
            continue;
        };
        let label = c.label(language).to_string();
        let (a, b, change, note) = match (enough, r.share_from, r.share_to) {
            (false, ..) => (None, None, None, s.suppressed.to_string()),
            (true, Some(a), Some(b)) => {
                let sure = r.ci_low.is_some_and(|l| l > 0.0) || r.ci_high.is_some_and(|h| h < 0.0);
                let words = match (sure, b > a) {
                    (false, _) => s.waves_unclear,
                    (true, true) => s.waves_up,
                    (true, false) => s.waves_down,
                };
                (Some(a), Some(b), Some(b - a), words.to_string())
            }
            _ => (None, None, None, s.missing.to_string()),
        };
        let shown = |v: Option<f64>| {
            v.map_or_else(
                || "<span class=\"muted\">–</span>".to_string(),
                |v| escape(&format::percent(v, language)),
            )
        };
        let delta = change.map_or_else(String::new, |d| {
            let pp = (d * 100.0).round() as i64;
            format!(
                "{}{} {}",
                if pp > 0 {
                    "+"
                } else if pp < 0 {
                    "−"
                } else {
                    "±"
                },
                pp.abs(),
                s.waves_points
            )
        });
        rows.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
            escape(&label),
            shown(a),
            shown(b),
            escape(&delta),
            escape(&note)
        ));
        labels.push(Some(label));
        shares.0.push(a.map(|v| (v * 100.0).round() as i64));
        shares.1.push(b.map(|v| (v * 100.0).round() as i64));
        points.push(change.map(|d| (d * 100.0).round() as i64));
        notes.push(Some(note));
    }
    if labels.is_empty() {
        return None;
    }
    let intro = s.waves_intro.replace("{from}", &from).replace("{to}", &to);
    let mut html = format!(
        "<section class=\"waves\">\n<h2>{}</h2>\n<p class=\"muted\">{}</p>\n",
        escape(s.waves_title),
        escape(&intro)
    );
    if !enough {
        html.push_str(&format!("<p class=\"muted\">{}</p>\n", escape(s.waves_too_few)));
    }
    html.push_str(&format!(
        "<table>\n<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th></th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n</section>\n",
        escape(s.theme),
        escape(&from),
        escape(&to),
        escape(s.waves_change)
    ));
    let sheet = DataTable {
        name: s.xlsx_waves,
        columns: vec![
            Column {
                name: s.theme,
                values: Values::Text(labels),
            },
            Column {
                name: s.xlsx_wave_from,
                values: Values::Integer(shares.0),
            },
            Column {
                name: s.xlsx_wave_to,
                values: Values::Integer(shares.1),
            },
            Column {
                name: s.xlsx_wave_change,
                values: Values::Integer(points),
            },
            Column {
                name: s.xlsx_note,
                values: Values::Text(notes),
            },
        ],
    };
    Some(WaveSection { html, sheet })
}
