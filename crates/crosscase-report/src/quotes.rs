//! Illustrative quotes for a pack: chosen per theme from the municipality's coded segments, shown with role and
//! wave (never the participant), and screened for personal data first.

use std::collections::{HashMap, HashSet};

use crosscase_model::{Corpus, Language, QuoteChoice, QuoteFacts, QuoteKey, Role, Screen, mask_personal_data};

/// Quotes per theme chosen automatically.
const PER_THEME: usize = 2;
/// At most this many pinned quotes per theme: a pack is not a transcript.
const MAX_PINNED: usize = 5;
/// A quote whose masked part is larger than this share cannot be cleaned: it is left out.
const MAX_MASKED_SHARE: f64 = 1.0 / 3.0;
/// Longer quotes are shortened with an ellipsis.
const MAX_CHARS: usize = 400;

/// A quote ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShownQuote {
    pub theme: usize,
    pub text: String,
    pub attribution: String,
    pub source: String,
    pub start: u64,
    /// Pinned by the researcher's quotes file rather than chosen automatically.
    pub pinned: bool,
}

/// A quote in the researcher's quotes list beside the packs (never in them): what a pack shows, and the other
/// candidates it could show, in the columns the quotes file (`feedback --quotes`) reads back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedQuote {
    pub municipality: String,
    /// Top-level code id.
    pub theme: String,
    pub source: String,
    pub start: u64,
    /// `shown` (chosen automatically), `pin` (pinned), `exclude` (excluded), or empty (a candidate not shown).
    pub action: &'static str,
    pub attribution: String,
    /// Screened: masked where the pack would mask it.
    pub quote: String,
}

/// A quote left out of a pack because it could not be cleaned, for the researcher's report (masked there too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOutQuote {
    pub municipality: String,
    pub source: String,
    pub start: u64,
    pub code: String,
    pub reason: String,
    pub masked_quote: String,
}

/// The screened text of a quote, or why it cannot be shown.
pub(crate) fn screen(quote: &str, screen: &Screen, language: Language) -> Result<String, (String, String)> {
    let found = screen.find(quote);
    if found.is_empty() {
        return Ok(quote.to_string());
    }
    let masked = mask_personal_data(quote, &found, |k| k.mask(language).to_string());
    let hidden: usize = found.iter().map(|f| quote[f.start..f.end].chars().count()).sum();
    let share = hidden as f64 / quote.chars().count().max(1) as f64;
    if share > MAX_MASKED_SHARE {
        let kinds: Vec<&str> = found.iter().map(|f| f.kind.as_str()).collect();
        return Err((
            format!(
                "{:.0} % of the quote is personal data ({})",
                share * 100.0,
                kinds.join(", ")
            ),
            masked,
        ));
    }
    Ok(masked)
}

pub(crate) fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX_CHARS).collect();
    format!("{}…", cut.trim_end())
}

/// How many candidates per municipality and theme are fetched and screened, in the order [`choose`] prefers them:
/// enough that a few left out for personal data still leave two to show.
const CANDIDATES_PER_THEME: usize = 8;

/// The segments [`choose`] would look at for these municipalities (all when empty), chosen from the corpus alone:
/// per municipality and top-level theme the best [`CANDIDATES_PER_THEME`] from different sources, by the same order.
/// Only these quotes need to be read from the database, not every coded segment of a national project.
/// Segments pinned in `choices` are added, whoever coded them.
pub fn quote_candidates(corpus: &Corpus, municipalities: &[String], choices: &[QuoteChoice]) -> Vec<QuoteKey> {
    let ancestry = corpus.code_ancestry();
    let root: Vec<u32> = ancestry.iter().map(|a| *a.last().unwrap_or(&0)).collect();
    let wanted: Vec<bool> = corpus
        .municipalities
        .iter()
        .map(|m| municipalities.is_empty() || municipalities.contains(&m.code))
        .collect();
    let primary = corpus
        .settings
        .primary_coder
        .as_deref()
        .map(|p| corpus.coders.iter().position(|c| c == p));
    // The order of source ids, so that sorting compares numbers.
    let mut by_id: Vec<u32> = (0..corpus.sources.len() as u32).collect();
    by_id.sort_by(|&a, &b| corpus.sources[a as usize].id.cmp(&corpus.sources[b as usize].id));
    let mut rank = vec![0u32; corpus.sources.len()];
    for (r, &s) in by_id.iter().enumerate() {
        rank[s as usize] = r as u32;
    }
    let c = &corpus.codings;
    let mut buckets: HashMap<(u32, u32), Vec<u32>> = HashMap::new();
    for i in 0..c.len() {
        let s = c.source[i] as usize;
        let m = corpus.sources[s].municipality;
        if !wanted[m as usize] || c.end[i].saturating_sub(c.start[i]) < 20 {
            continue;
        }
        match primary {
            Some(Some(p)) if c.coder[i] as usize != p => continue,
            Some(None) => continue,
            _ => {}
        }
        buckets.entry((m, root[c.code[i] as usize])).or_default().push(i as u32);
    }
    let mut out = Vec::new();
    for (_, mut list) in buckets {
        let key = |i: u32| {
            let i = i as usize;
            (
                (c.end[i] - c.start[i]).abs_diff(140),
                rank[c.source[i] as usize],
                c.start[i],
            )
        };
        list.sort_unstable_by_key(|&i| key(i));
        let mut sources = HashSet::new();
        for i in list {
            let i = i as usize;
            if sources.insert(c.source[i]) {
                out.push(QuoteKey {
                    source: corpus.sources[c.source[i] as usize].id.clone(),
                    code: corpus.codes[c.code[i] as usize].id.clone(),
                    coder: corpus.coders[c.coder[i] as usize].clone(),
                    start: c.start[i],
                    end: c.end[i],
                });
                if sources.len() == CANDIDATES_PER_THEME {
                    break;
                }
            }
        }
    }
    let pinned: HashSet<(&str, u64)> = choices
        .iter()
        .filter(|q| q.pin)
        .map(|q| (q.source.as_str(), q.start))
        .collect();
    if !pinned.is_empty() {
        for i in 0..c.len() {
            let source = &corpus.sources[c.source[i] as usize];
            if wanted[source.municipality as usize] && pinned.contains(&(source.id.as_str(), c.start[i])) {
                let key = QuoteKey {
                    source: source.id.clone(),
                    code: corpus.codes[c.code[i] as usize].id.clone(),
                    coder: corpus.coders[c.coder[i] as usize].clone(),
                    start: c.start[i],
                    end: c.end[i],
                };
                if !out.contains(&key) {
                    out.push(key);
                }
            }
        }
    }
    out
}

/// The quotes of municipality `m`'s pack per top-level theme: the segments the researcher pinned there
/// (`choices`, in their order, at most [`MAX_PINNED`]), or else up to two chosen automatically from different
/// sources, preferring the primary coder's segments and quotes of a readable length, never one the researcher
/// excluded and never the same words twice. Quotes that cannot be cleaned go to `left_out`; what was shown and what
/// else could have been goes to `listed`, for the researcher's quotes list.
#[allow(clippy::too_many_arguments)]
pub(crate) fn choose(
    corpus: &Corpus,
    quotes: &[&QuoteFacts],
    m: usize,
    choices: &[QuoteChoice],
    personal_data: &Screen,
    language: Language,
    left_out: &mut Vec<LeftOutQuote>,
    listed: &mut Vec<ListedQuote>,
) -> Vec<ShownQuote> {
    let code = &corpus.municipalities[m].code;
    let ancestry = corpus.code_ancestry();
    let index: std::collections::HashMap<&str, usize> = corpus
        .codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let primary = corpus.settings.primary_coder.as_deref();
    let depth = corpus.code_depth();
    // A role held by fewer people in the municipality than the threshold could point at someone: say "participant".
    let threshold = corpus.settings.disclosure_threshold as usize;
    let safe_role = |role: Role| {
        corpus
            .participants
            .iter()
            .filter(|p| p.municipality as usize == m && p.role == role)
            .count()
            >= threshold
    };
    let mut shown = Vec::new();
    for (theme, theme_code) in corpus.codes.iter().enumerate().filter(|(i, _)| depth[*i] == 0) {
        let mine = |q: &QuoteChoice| &q.municipality == code && q.theme == theme_code.id;
        let pins: Vec<&QuoteChoice> = choices.iter().filter(|q| q.pin && mine(q)).take(MAX_PINNED).collect();
        let excluded: HashSet<(&str, u64)> = choices
            .iter()
            .filter(|q| !q.pin && mine(q))
            .map(|q| (q.source.as_str(), q.start))
            .collect();
        let under_theme = |q: &&QuoteFacts| {
            &q.municipality == code
                && index
                    .get(q.code.as_str())
                    .is_some_and(|&c| ancestry[c].contains(&(theme as u32)))
        };
        let mut candidates: Vec<&QuoteFacts> = quotes
            .iter()
            .copied()
            .filter(under_theme)
            .filter(|q| primary.is_none_or(|p| q.coder == p))
            .filter(|q| q.quote.chars().count() >= 20)
            .collect();
        candidates.sort_by_key(|q| (q.quote.chars().count().abs_diff(140), q.source.clone(), q.start));
        // Pinned segments first, in the file's order; with pins, nothing is chosen automatically.
        let pinned: Vec<&QuoteFacts> = pins
            .iter()
            .filter_map(|p| {
                quotes
                    .iter()
                    .copied()
                    .filter(under_theme)
                    .find(|q| q.source == p.source && q.start == p.start)
            })
            .collect();
        let mut texts: HashSet<String> = HashSet::new();
        let mut sources: HashSet<String> = HashSet::new();
        let list = |q: &QuoteFacts, action: &'static str, text: String| ListedQuote {
            municipality: code.clone(),
            theme: theme_code.id.clone(),
            source: q.source.clone(),
            start: q.start,
            action,
            attribution: personal_data.mask(&attribution(q, language, &safe_role), language),
            quote: text,
        };
        for q in &pinned {
            match screen(&q.quote, personal_data, language) {
                // The same words from another source (a phrase many people use) are shown once.
                Ok(text) if texts.insert(shorten(&text)) => {
                    let listed_quote = list(q, "pin", shorten(&text));
                    shown.push(ShownQuote {
                        theme,
                        text: listed_quote.quote.clone(),
                        attribution: listed_quote.attribution.clone(),
                        source: q.source.clone(),
                        start: q.start,
                        pinned: true,
                    });
                    listed.push(listed_quote);
                }
                Ok(_) => {}
                Err((reason, masked)) => left_out.push(left(q, reason, masked)),
            }
        }
        let mut taken = 0;
        for q in candidates {
            let seen = |l: &ListedQuote| l.theme == theme_code.id && l.source == q.source && l.start == q.start;
            if pinned.iter().any(|p| p.source == q.source && p.start == q.start) || listed.iter().any(seen) {
                continue;
            }
            let text = match screen(&q.quote, personal_data, language) {
                Ok(text) => shorten(&text),
                Err((reason, masked)) => {
                    left_out.push(left(q, reason, masked));
                    continue;
                }
            };
            if excluded.contains(&(q.source.as_str(), q.start)) {
                listed.push(list(q, "exclude", text));
                continue;
            }
            let wanted = pinned.is_empty() && taken < PER_THEME && !sources.contains(&q.source);
            if wanted && texts.insert(text.clone()) {
                sources.insert(q.source.clone());
                let listed_quote = list(q, "shown", text);
                shown.push(ShownQuote {
                    theme,
                    text: listed_quote.quote.clone(),
                    attribution: listed_quote.attribution.clone(),
                    source: q.source.clone(),
                    start: q.start,
                    pinned: false,
                });
                listed.push(listed_quote);
                taken += 1;
            } else {
                listed.push(list(q, "", text));
            }
        }
    }
    shown
}

fn left(q: &QuoteFacts, reason: String, masked_quote: String) -> LeftOutQuote {
    LeftOutQuote {
        municipality: q.municipality.clone(),
        source: q.source.clone(),
        start: q.start,
        code: q.code.clone(),
        reason,
        masked_quote,
    }
}

/// Role(s) and wave, never the person: e.g. "mellanchef, Våg 2 (2018)". A role too few people hold is not named.
fn attribution(q: &QuoteFacts, language: Language, safe_role: &dyn Fn(Role) -> bool) -> String {
    let who = if q.roles.is_empty() {
        q.kind.label(language).to_string()
    } else if q.roles.iter().any(|&r| !safe_role(r)) {
        match language {
            Language::Sv => "deltagare".to_string(),
            Language::En => "participant".to_string(),
        }
    } else {
        q.roles
            .iter()
            .map(|r| r.label(language))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    match &q.wave {
        Some(w) => format!("{who}, {w}"),
        None => who,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screens_quotes_masking_or_leaving_them_out() {
        let roster = Screen::new(crosscase_model::Roster::from_names(&["Karin Ek".to_string()]));
        assert_eq!(
            screen("Vi testade idéslussen i våras.", &roster, Language::Sv),
            Ok("Vi testade idéslussen i våras.".into())
        );
        assert_eq!(
            screen(
                "Som Karin Ek sa, vi behöver mer tid för att utveckla arbetet.",
                &roster,
                Language::Sv
            ),
            Ok("Som [namn] sa, vi behöver mer tid för att utveckla arbetet.".into())
        );
        let (reason, masked) = screen("Karin Ek, 811218-9876", &roster, Language::En).unwrap_err();
        assert!(reason.contains("personal data"), "{reason}");
        assert_eq!(masked, "[name], [identity number]");
    }
}
