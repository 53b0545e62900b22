//! Texts of one source exported by two tools' versions (NVivo for Windows and for Mac) that differ only in line
//! endings (CRLF, CR, LF), white space at the ends of lines and of the text, or Unicode normalisation (`å` as one
//! code point or as `a` and a combining ring): the same words, so the exports merge, with the second export's
//! positions moved onto the first one's text.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

/// A text in the form in which two exports are compared, and where each position of the original lands in it.
pub(crate) struct Normalised {
    pub(crate) text: String,
    /// For each position (code point boundary) `0..=n` of the original, the position in `text`.
    map: Vec<u64>,
}

impl Normalised {
    pub(crate) fn new(original: &str) -> Normalised {
        let chars: Vec<char> = original.chars().collect();
        let n = chars.len();
        // Line endings to LF, white space before a line break or the end dropped; `kept` holds (char, original index).
        let mut kept: Vec<(char, usize)> = Vec::with_capacity(n);
        let mut blank: Vec<(char, usize)> = Vec::new();
        for (i, &c) in chars.iter().enumerate() {
            let c = match c {
                '\r' if chars.get(i + 1) == Some(&'\n') => continue,
                '\r' => '\n',
                c => c,
            };
            if c == '\n' {
                blank.clear();
                kept.push((c, i));
            } else if c.is_whitespace() {
                blank.push((c, i));
            } else {
                kept.append(&mut blank);
                kept.push((c, i));
            }
        }
        // Line breaks at the end of the text go too (one export ends with one, the other does not).
        while kept.last().is_some_and(|(c, _)| *c == '\n') {
            kept.pop();
        }
        // NFC over groups of a starter and the combining marks after it, so that each group's position is known.
        let mut text = String::with_capacity(original.len());
        let mut map = vec![u64::MAX; n + 1];
        let mut len = 0u64;
        let mut k = 0;
        while k < kept.len() {
            let mut end = k + 1;
            while end < kept.len() && canonical_combining_class(kept[end].0) != 0 {
                end += 1;
            }
            for &(_, i) in &kept[k..end] {
                map[i] = len;
            }
            for c in kept[k..end].iter().map(|(c, _)| *c).nfc() {
                text.push(c);
                len += 1;
            }
            k = end;
        }
        // Dropped characters land where the next kept one does.
        map[n] = len;
        for i in (0..n).rev() {
            if map[i] == u64::MAX {
                map[i] = map[i + 1];
            }
        }
        // A position inside a group of combining marks lands at the group's start: positions never decrease.
        for i in 1..=n {
            map[i] = map[i].max(map[i - 1]);
        }
        Normalised { text, map }
    }

    /// The position in the normalised text of original position `p`.
    pub(crate) fn to_normalised(&self, p: u64) -> u64 {
        self.map[(p as usize).min(self.map.len() - 1)]
    }

    /// The first original position that lands at normalised position `q`.
    pub(crate) fn to_original(&self, q: u64) -> u64 {
        self.map.partition_point(|&m| m < q) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_mac_texts_compare_equal_and_positions_move() {
        let windows = "Vi har en idésluss.  \r\nTilliten är hög.\r\n";
        let mac = "Vi har en ide\u{301}sluss.\nTilliten är hög.";
        let (a, b) = (Normalised::new(windows), Normalised::new(mac));
        assert_eq!(a.text, b.text);
        assert_eq!(a.text, "Vi har en idésluss.\nTilliten är hög.");
        // "Tilliten" in the Mac text (code points 21..29, after the decomposed é) is 23..31 in the Windows text.
        let (s, e) = (21, 29);
        assert_eq!(mac.chars().skip(s).take(e - s).collect::<String>(), "Tilliten");
        let moved = (
            a.to_original(b.to_normalised(s as u64)),
            a.to_original(b.to_normalised(e as u64)),
        );
        assert_eq!(moved, (23, 31));
        assert_eq!(windows.chars().skip(23).take(8).collect::<String>(), "Tilliten");
        assert_eq!(Normalised::new("a\rb").text, "a\nb");
    }
}
