//! Codings given by their quote: where a quote lies in its source's text, and what to say when it lies nowhere, or
//! in several places, or only once both are written in the same Unicode normalisation (`å` as one code point or as
//! `a` and a combining ring, which look the same).

use unicode_normalization::UnicodeNormalization;

/// At most this many places are listed when a quote occurs several times.
const SHOWN: usize = 10;

/// Byte offsets where `quote` starts in `text`, overlapping occurrences included.
fn occurrences(text: &str, quote: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(quote) {
        let at = from + i;
        out.push(at);
        from = at + text[at..].chars().next().map_or(1, char::len_utf8);
    }
    out
}

/// Code points before byte `b`.
fn code_points(text: &str, b: usize) -> u64 {
    text[..b].chars().count() as u64
}

/// `start..end` in code points of each occurrence.
fn ranges(text: &str, quote: &str, at: &[usize]) -> Vec<(u64, u64)> {
    let len = quote.chars().count() as u64;
    at.iter()
        .map(|&b| {
            let s = code_points(text, b);
            (s, s + len)
        })
        .collect()
}

fn list(ranges: &[(u64, u64)]) -> String {
    let mut shown: Vec<String> = ranges.iter().take(SHOWN).map(|(s, e)| format!("{s}..{e}")).collect();
    if ranges.len() > SHOWN {
        shown.push(format!("and {} more", ranges.len() - SHOWN));
    }
    shown.join(", ")
}

/// Whether `a` and `b` are the same text once both are in Unicode normalisation form C.
pub(crate) fn same_after_normalisation(a: &str, b: &str) -> bool {
    a != b && a.nfc().eq(b.nfc())
}

/// Where `quote` lies in `text`: the `occurrence`-th place (1-based), or the only one. Otherwise a message and what
/// to do.
pub(crate) fn locate(
    text: &str,
    source: &str,
    quote: &str,
    occurrence: Option<u64>,
) -> Result<(u64, u64), (String, String)> {
    let at = occurrences(text, quote);
    let found = ranges(text, quote, &at);
    match (found.len(), occurrence) {
        (0, _) => Err(not_found(text, source, quote)),
        (1, None | Some(1)) => Ok(found[0]),
        (n, Some(k)) if k >= 1 && k <= n as u64 => Ok(found[k as usize - 1]),
        (n, Some(k)) => Err((
            format!("occurrence {k} of the quote is asked for, but it occurs {n} times in the text of source `{source}` (at {})", list(&found)),
            "write an occurrence from 1 (the first) to the number of times the quote occurs, or give start and end".into(),
        )),
        (n, None) => Err((
            format!(
                "the quote occurs {n} times in the text of source `{source}`: at {}",
                list(&found)
            ),
            "say which with a column `occurrence` (1 for the first, 2 for the second, …), give start and end, or quote more of the text".into(),
        )),
    }
}

/// Why a quote was not found, with what is close: the same text in another Unicode normalisation.
fn not_found(text: &str, source: &str, quote: &str) -> (String, String) {
    let nfc_quote: String = quote.nfc().collect();
    let nfc_text: String = text.nfc().collect();
    let normalised = occurrences(&nfc_text, &nfc_quote);
    if !normalised.is_empty() {
        let found = ranges(&nfc_text, &nfc_quote, &normalised);
        return (
            format!(
                "the quote does not occur in the text of source `{source}` as written, but it does once both are in the same Unicode normalisation (NFC), at {}: they differ only in how letters such as å are encoded (one code point, or a letter and a combining mark), which looks the same",
                list(&found)
            ),
            "save the text file and codings.csv in the same normalisation (NFC, as most editors write), or copy the quote from the text file".into(),
        );
    }
    (
        format!("the quote does not occur in the text of source `{source}`"),
        "copy the quote exactly from the text file (spaces and line breaks included), or give start and end".into(),
    )
}

/// What to add to the message of a quote that differs from the text at its offsets: where the quote does occur, or
/// that the two differ only in Unicode normalisation.
pub(crate) fn mismatch_note(text: &str, at_offsets: &str, quote: &str) -> String {
    if same_after_normalisation(quote, at_offsets) {
        return "; they differ only in Unicode normalisation (how letters such as å are encoded), which looks the same: save both files in the same normalisation (NFC)".into();
    }
    let at = occurrences(text, quote);
    match at.len() {
        0 => "; the quote occurs nowhere in the text".into(),
        _ => format!("; the quote occurs at {}", list(&ranges(text, quote, &at))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, quote: &str, occurrence: Option<u64>, expected: Result<(u64, u64), &str>) {
        let got = locate(text, "I1", quote, occurrence).map_err(|(m, _)| m);
        match expected {
            Ok(r) => assert_eq!(got, Ok(r), "{quote}"),
            Err(part) => {
                let m = got.expect_err(quote);
                assert!(m.contains(part), "{quote}: {m}");
            }
        }
    }

    #[test]
    fn quotes_are_found_counted_and_explained() {
        let t = "Idéerna lämnas i idéslussen. Idéerna bedöms.";
        check(t, "lämnas", None, Ok((8, 14)));
        check(
            t,
            "Idéerna",
            None,
            Err("occurs 2 times in the text of source `I1`: at 0..7, 29..36"),
        );
        check(t, "Idéerna", Some(2), Ok((29, 36)));
        check(
            t,
            "Idéerna",
            Some(3),
            Err("occurrence 3 of the quote is asked for, but it occurs 2 times"),
        );
        check(t, "saknas", None, Err("does not occur in the text of source `I1`"));
        // `é` as `e` and a combining acute accent.
        check(
            t,
            "ide\u{301}slussen",
            None,
            Err("same Unicode normalisation (NFC), at 17..27"),
        );
        check("aaa", "aa", Some(2), Ok((1, 3)));
        assert!(mismatch_note(t, "idéslussen", "ide\u{301}slussen").contains("differ only in Unicode normalisation"));
        assert_eq!(mismatch_note(t, "Idéerna", "bedöms"), "; the quote occurs at 37..43");
    }
}
