//! E-mail addresses in normalised text, also written with the simple obfuscations people use in transcripts:
//! `namn (at) kommun.se`, `namn[at]kommun.se`, `namn.efternamn at kommun.se`, `kommun(dot)se`.

use super::PersonalData;

fn local_char(c: char) -> bool {
    c.is_alphanumeric() || "._%+-'".contains(c)
}

fn label_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// The ways of writing `@`; the plain word `at` counts only between a local part with a dot, an underscore or a
/// digit in it and a domain, where it cannot be ordinary English.
const AT: [(&str, bool); 9] = [
    ("@", false),
    (" (at) ", false),
    ("(at)", false),
    (" [at] ", false),
    ("[at]", false),
    (" {at} ", false),
    ("{at}", false),
    (" (a) ", false),
    (" at ", true),
];

const DOT: [&str; 7] = [".", " (dot) ", "(dot)", " [dot] ", "[dot]", " dot ", " punkt "];

pub(super) fn emails(t: &str, found: &mut Vec<(PersonalData, usize, usize)>) {
    for (marker, strict) in AT {
        for (at, _) in t.match_indices(marker) {
            // The local part ends right before the marker.
            let local_start = t[..at]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| local_char(c))
                .last()
                .map(|(i, _)| i);
            let Some(s) = local_start else { continue };
            let local = t[s..at].trim_start_matches(['.', '\'', '-']);
            if local.is_empty() {
                continue;
            }
            let s = at - local.len();
            if strict && !local.chars().any(|c| c == '.' || c == '_' || c.is_ascii_digit()) {
                continue;
            }
            if let Some(e) = domain_end(t, at + marker.len()) {
                found.push((PersonalData::Email, s, e));
            }
        }
    }
}

/// The end of a domain of at least two labels whose last (the top-level domain) is two or more letters.
fn domain_end(t: &str, start: usize) -> Option<usize> {
    let mut at = start;
    let mut labels = 0;
    let mut end = None;
    loop {
        let len: usize = t[at..].chars().take_while(|&c| label_char(c)).map(char::len_utf8).sum();
        if len == 0 {
            break;
        }
        let last_label = &t[at..at + len];
        labels += 1;
        at += len;
        if labels >= 2 && last_label.len() >= 2 && last_label.chars().all(|c| c.is_ascii_alphabetic()) {
            end = Some(at);
        }
        match DOT.iter().find(|d| t[at..].starts_with(**d)) {
            Some(d) if t[at + d.len()..].chars().next().is_some_and(label_char) => at += d.len(),
            _ => break,
        }
    }
    end
}
