//! Names from the roster in normalised text, word by word: the full name (also "Surname, First name"), with a
//! possessive `-s` or `'s` on its last word, hyphenated parts kept together; a first name or surname alone where the
//! roster marks it as identifying.

use std::collections::HashMap;

use super::normal::Normalised;
use super::{PersonalData, Roster};

/// One way a person's name is written: words and what stands between them.
#[derive(Clone, Debug)]
struct Form {
    person: usize,
    /// A first name or surname alone: not matched as one part of another hyphenated name ("Anna-Lena").
    alone: bool,
    words: Vec<String>,
    /// `gaps[k]` stands between `words[k]` and `words[k + 1]`: `" "`, `"-"` or `", "`.
    gaps: Vec<String>,
}

/// Every form of every roster name, looked up by its first word.
#[derive(Clone, Debug, Default)]
pub(super) struct NameIndex {
    forms: Vec<Form>,
    by_first_word: HashMap<String, Vec<usize>>,
}

/// The words of a normalised name and the gaps between them; `None` when a gap is anything but a space or a dash.
fn split(name: &str) -> Option<(Vec<String>, Vec<String>)> {
    let n = Normalised::new(name.trim());
    let spans = word_spans(&n.text);
    let words: Vec<String> = spans.iter().map(|&(s, e)| n.text[s..e].to_string()).collect();
    let gaps: Vec<String> = spans.windows(2).map(|w| n.text[w[0].1..w[1].0].to_string()).collect();
    if words.is_empty() || gaps.iter().any(|g| g != " " && g != "-") {
        return None;
    }
    Some((words, gaps))
}

/// The byte spans of the words (runs of letters and digits) of a normalised text.
fn word_spans(t: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in t.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, t.len()));
    }
    spans
}

impl NameIndex {
    pub fn new(roster: &Roster) -> NameIndex {
        let mut index = NameIndex::default();
        for (person, p) in roster.people.iter().enumerate() {
            let mut add = |words: Vec<String>, gaps: Vec<String>, alone: bool| {
                // A single letter is no name; it would mask every "i" and "å".
                if words.len() == 1 && words[0].chars().count() < 2 {
                    return;
                }
                index.forms.push(Form {
                    person,
                    alone,
                    words,
                    gaps,
                });
            };
            if let Some((words, gaps)) = split(&p.name) {
                add(words.clone(), gaps.clone(), false);
            }
            let first = split(&p.first_name);
            let surname = split(&p.surname);
            if let (Some((fw, fg)), Some((sw, sg))) = (&first, &surname) {
                // "Larsson, Anna" and "Larsson,Anna" as in lists.
                for comma in [", ", ","] {
                    let mut words = sw.clone();
                    words.extend(fw.iter().cloned());
                    let mut gaps = sg.clone();
                    gaps.push(comma.to_string());
                    gaps.extend(fg.iter().cloned());
                    add(words, gaps, false);
                }
            }
            if p.first_name_identifies
                && let Some((w, g)) = first
            {
                add(w, g, true);
            }
            if p.surname_identifies
                && let Some((w, g)) = surname
            {
                add(w, g, true);
            }
        }
        for (i, f) in index.forms.iter().enumerate() {
            index.by_first_word.entry(f.words[0].clone()).or_default().push(i);
        }
        index
    }

    pub fn find(&self, n: &Normalised, original: &str, found: &mut Vec<(PersonalData, usize, usize, Option<usize>)>) {
        if self.forms.is_empty() {
            return;
        }
        let t = n.text.as_str();
        // Whether the word of the normalised text starting at byte `at` begins with a capital in the original.
        let capital = |at: usize| {
            let (s, _) = n.original(at, at + 1);
            original[s..].chars().next().is_some_and(char::is_uppercase)
        };
        let spans = word_spans(t);
        for w in 0..spans.len() {
            let word = &t[spans[w].0..spans[w].1];
            let stripped = word.strip_suffix('s');
            let candidates = self
                .by_first_word
                .get(word)
                .into_iter()
                .chain(stripped.and_then(|s| self.by_first_word.get(s)))
                .flatten();
            for &f in candidates {
                let form = &self.forms[f];
                if let Some(end) = self.matches(form, t, &spans, w) {
                    // "Anna" in "Anna-Lena" or "Lena-Anna" is part of another name, "Öberg" in "Öberg-modellen" not.
                    let start = spans[w].0;
                    let before = start >= 2 && t[..start].ends_with('-') && w > 0 && spans[w - 1].1 == start - 1;
                    let after =
                        t[end..].starts_with('-') && t[end + 1..].chars().next().is_some_and(char::is_alphanumeric);
                    if form.alone && ((before && capital(spans[w - 1].0)) || (after && capital(end + 1))) {
                        continue;
                    }
                    found.push((PersonalData::RosterName, start, end, Some(form.person)));
                }
            }
        }
    }

    /// Where form `f` written from word `w` on ends, if it is written there.
    fn matches(&self, f: &Form, t: &str, spans: &[(usize, usize)], w: usize) -> Option<usize> {
        let last = f.words.len() - 1;
        let mut end = 0;
        for (k, expected) in f.words.iter().enumerate() {
            let &(s, e) = spans.get(w + k)?;
            if k > 0 && t[spans[w + k - 1].1..s] != f.gaps[k - 1] {
                return None;
            }
            let word = &t[s..e];
            let fits = word == expected || (k == last && word.strip_suffix('s') == Some(expected.as_str()));
            if !fits {
                return None;
            }
            end = e;
        }
        // "Lars'" and "Anna's" keep the apostrophe with the name.
        let rest = &t[end..];
        let after = |n: usize| rest[n..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if rest.starts_with("'s") && after(2) {
            end += 2;
        } else if rest.starts_with('\'') && after(1) {
            end += 1;
        }
        Some(end)
    }
}
