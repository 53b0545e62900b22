//! A pack's section on what the municipality's earlier workshop said about each finding ("what you told us last
//! time"), rendered from the pack model's `LastTime`: how the ratings fell where enough answered, and the comments,
//! screened for personal data as quotes are (masked, or left out when too much of one is personal data).

use crosscase_analysis::pack::{LastTime, Ratings};
use crosscase_model::{Corpus, Language, Screen, format};

use crate::html::escape;
use crate::quotes::{self, LeftOutQuote};
use crate::text::Strings;

pub(crate) struct LastTimeSection {
    pub html: String,
}

/// The section, from the model; comments that cannot be cleaned go to `left_out` (for the researcher's report).
pub(crate) fn section(
    corpus: &Corpus,
    last: &LastTime,
    kommunkod: &str,
    screen: &Screen,
    s: &Strings,
    language: Language,
    left_out: &mut Vec<LeftOutQuote>,
) -> LastTimeSection {
    let threshold = u64::from(corpus.settings.disclosure_threshold).max(1);
    let mut h = format!(
        "<section class=\"last-time finding\">\n<h2>{}</h2>\n<p class=\"muted\">{}</p>\n",
        escape(s.last_time_title),
        escape(&s.last_time_intro.replace("{date}", &last.held_on))
    );
    for (k, f) in last.findings.iter().enumerate() {
        let theme = f.code.map_or(f.theme.as_str(), |c| corpus.codes[c].label(language));
        h.push_str(&format!("<h3>{}</h3>\n", escape(theme)));
        h.push_str(&format!(
            "<p class=\"finding-text\">{}</p>\n",
            escape(&screen.mask(&f.text, language))
        ));
        match &f.ratings {
            Ratings::Shown { counts, unrated } => {
                h.push_str("<table class=\"ratings\">\n<thead><tr>");
                for head in s.last_time_ratings {
                    h.push_str(&format!("<th class=\"num\">{}</th>", escape(head)));
                }
                h.push_str("</tr></thead>\n<tbody><tr>");
                for n in counts.iter().chain(std::iter::once(unrated)) {
                    h.push_str(&format!("<td class=\"num\">{}</td>", format::integer(*n, language)));
                }
                h.push_str("</tr></tbody>\n</table>\n");
                h.push_str(&format!(
                    "<p class=\"muted\">{}</p>\n",
                    escape(
                        &s.last_time_answered
                            .replace("{n}", &format::integer(f.answered, language))
                    )
                ));
            }
            Ratings::TooFewAnswered => h.push_str(&format!(
                "<p class=\"muted too-few\">{}</p>\n",
                escape(
                    &s.last_time_too_few
                        .replace("{k}", &format::integer(threshold, language))
                )
            )),
        }
        let mut shown = Vec::new();
        let mut dropped = 0u64;
        for comment in &f.comments {
            match quotes::screen(comment, screen, language) {
                Ok(clean) => shown.push(quotes::shorten(&clean)),
                Err((reason, masked_quote)) => {
                    dropped += 1;
                    left_out.push(LeftOutQuote {
                        municipality: kommunkod.to_string(),
                        source: format!("workshop {}, finding {}", last.workshop, k + 1),
                        start: 0,
                        code: f.theme.clone(),
                        reason,
                        masked_quote,
                    });
                }
            }
        }
        if shown.is_empty() && dropped == 0 {
            h.push_str(&format!("<p class=\"muted\">{}</p>\n", escape(s.last_time_no_comments)));
        }
        for comment in &shown {
            h.push_str(&format!("<blockquote><p>{}</p></blockquote>\n", escape(comment)));
        }
        if dropped > 0 {
            h.push_str(&format!(
                "<p class=\"muted\">{}</p>\n",
                escape(&s.last_time_left_out.replace("{n}", &format::integer(dropped, language)))
            ));
        }
    }
    h.push_str("</section>\n");
    LastTimeSection { html: h }
}
