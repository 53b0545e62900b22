//! A pack's section on how the themes changed between the first and the last wave of data collection: the share of
//! the municipality's sources with each main theme in both waves, and the change in plain words as the pack model
//! judges it (`WaveChange`: participant clusters as the unit, each person once per wave). A wave in which fewer
//! people took part than the threshold shows no figures.

use crosscase_analysis::pack::{Figure, Pack, PackModel, WaveChange};
use crosscase_model::{Corpus, Language};

use crate::html::escape;
use crate::page::figure_text;
use crate::text::Strings;

pub(crate) struct WaveSection {
    pub html: String,
}

/// The waves section of a pack, from the model: a theme whose figure is hidden, or a wave with too few people,
/// shows no wave figures. `None` with fewer than two waves.
pub(crate) fn section(
    corpus: &Corpus,
    model: &PackModel,
    pack: &Pack,
    s: &Strings,
    language: Language,
) -> Option<WaveSection> {
    let (from, to) = model.waves.clone()?;
    if pack.waves.is_empty() {
        return None;
    }
    let mut rows = String::new();
    let mut any_hidden = false;
    for w in &pack.waves {
        let label = corpus.codes[w.code].label(language).to_string();
        let (a, b) = (w.first.share(), w.last.share());
        let note = match w.change {
            Some(WaveChange::Up) => s.waves_up,
            Some(WaveChange::Down) => s.waves_down,
            Some(WaveChange::Unclear) => s.waves_unclear,
            None => {
                any_hidden = true;
                s.waves_hidden
            }
        }
        .to_string();
        let shown = |f: Figure| match figure_text(f, s, language) {
            Ok((_, text)) => escape(&text),
            Err(_) => "<span class=\"muted\">–</span>".to_string(),
        };
        let change = a.zip(b).map(|(a, b)| b - a);
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
            shown(w.first),
            shown(w.last),
            escape(&delta),
            escape(&note)
        ));
    }
    let intro = s.waves_intro.replace("{from}", &from).replace("{to}", &to);
    let mut html = format!(
        "<section class=\"waves finding\">\n<h2>{}</h2>\n<p class=\"muted\">{}</p>\n",
        escape(s.waves_title),
        escape(&intro)
    );
    if any_hidden {
        html.push_str(&format!("<p class=\"muted\">{}</p>\n", escape(s.waves_too_few)));
    }
    html.push_str(&format!(
        "<table>\n<thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th></th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n</section>\n",
        escape(s.theme),
        escape(&from),
        escape(&to),
        escape(s.waves_change)
    ));
    Some(WaveSection { html })
}
