//! Illustrative quotes for a pack: chosen per theme from the municipality's coded segments, shown with role and
//! wave (never the participant), and screened for personal data first.

use std::collections::{HashMap, HashSet};

use crosscase_model::{Corpus, Language, QuoteFacts, QuoteKey, Role, Screen, mask_personal_data};

/// Quotes per theme and how many a theme may have.
const PER_THEME: usize = 2;
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

fn shorten(text: &str) -> String {
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
pub fn quote_candidates(corpus: &Corpus, municipalities: &[String]) -> Vec<QuoteKey> {
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
    out
}

/// Up to two quotes per top-level theme for municipality `m`, from different sources, preferring the primary
/// coder's segments and quotes of a readable length; quotes that cannot be cleaned go to `left_out`.
pub(crate) fn choose(
    corpus: &Corpus,
    quotes: &[&QuoteFacts],
    m: usize,
    personal_data: &Screen,
    language: Language,
    left_out: &mut Vec<LeftOutQuote>,
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
    for (theme, _) in corpus.codes.iter().enumerate().filter(|(i, _)| depth[*i] == 0) {
        let mut candidates: Vec<&QuoteFacts> = quotes
            .iter()
            .copied()
            .filter(|q| &q.municipality == code && primary.is_none_or(|p| q.coder == p))
            .filter(|q| {
                index
                    .get(q.code.as_str())
                    .is_some_and(|&c| ancestry[c].contains(&(theme as u32)))
            })
            .filter(|q| q.quote.chars().count() >= 20)
            .collect();
        candidates.sort_by_key(|q| (q.quote.chars().count().abs_diff(140), q.source.clone(), q.start));
        let mut sources = HashSet::new();
        let mut taken = 0;
        for q in candidates {
            if taken == PER_THEME {
                break;
            }
            if !sources.insert(q.source.as_str()) {
                continue;
            }
            match screen(&q.quote, personal_data, language) {
                Ok(text) => {
                    shown.push(ShownQuote {
                        theme,
                        text: shorten(&text),
                        attribution: personal_data.mask(&attribution(q, language, &safe_role), language),
                    });
                    taken += 1;
                }
                Err((reason, masked)) => left_out.push(LeftOutQuote {
                    municipality: q.municipality.clone(),
                    source: q.source.clone(),
                    start: q.start,
                    code: q.code.clone(),
                    reason,
                    masked_quote: masked,
                }),
            }
        }
    }
    shown
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
