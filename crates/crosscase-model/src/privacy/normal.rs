//! The form of a text that the screen matches on: Unicode NFC, lower case, every run of white space as one space,
//! dashes as `-` and apostrophes as `'`, with a map from each byte back to the original text.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

/// A normalised text and, for each of its bytes, the original byte range of the character (with its combining
/// marks) or white space run it came from.
pub(crate) struct Normalised {
    pub text: String,
    from: Vec<u32>,
    to: Vec<u32>,
}

impl Normalised {
    pub fn new(original: &str) -> Normalised {
        let mut n = Normalised {
            text: String::with_capacity(original.len()),
            from: Vec::with_capacity(original.len()),
            to: Vec::with_capacity(original.len()),
        };
        let mut chars = original.char_indices().peekable();
        let mut group = String::new();
        while let Some((start, c)) = chars.next() {
            if ignorable(c) {
                continue;
            }
            if c.is_whitespace() {
                let mut end = start + c.len_utf8();
                while let Some(&(i, w)) = chars.peek() {
                    if !(w.is_whitespace() || ignorable(w)) {
                        break;
                    }
                    end = i + w.len_utf8();
                    chars.next();
                }
                n.push(' ', start, end);
                continue;
            }
            // A character with the combining marks that follow it, composed together.
            group.clear();
            group.push(c);
            let mut end = start + c.len_utf8();
            while let Some(&(i, m)) = chars.peek() {
                if canonical_combining_class(m) == 0 {
                    break;
                }
                group.push(m);
                end = i + m.len_utf8();
                chars.next();
            }
            if group.len() == c.len_utf8() && c.is_ascii() {
                n.push(fold(c.to_ascii_lowercase()), start, end);
            } else {
                let composed: String = group.nfc().collect();
                for l in composed.chars().flat_map(char::to_lowercase) {
                    n.push(fold(l), start, end);
                }
            }
        }
        n
    }

    fn push(&mut self, c: char, start: usize, end: usize) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.from.push(start as u32);
            self.to.push(end as u32);
        }
    }

    /// The original byte range behind the normalised range `start..end` (not empty).
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (self.from[start] as usize, self.to[end - 1] as usize)
    }
}

/// Characters that do not show: soft hyphens, zero-width spaces and joiners, the byte order mark.
fn ignorable(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

/// One form for the characters that people and word processors use interchangeably.
fn fold(c: char) -> char {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe63}' | '\u{ff0d}' => '-',
        '\u{2018}' | '\u{2019}' | '\u{02bc}' | '\u{00b4}' | '`' => '\'',
        '\u{ff20}' => '@',
        '\u{ff0b}' => '+',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_maps_back() {
        let text = "A\u{30a}sa  O\u{308}berg\r\n– 070";
        let n = Normalised::new(text);
        assert_eq!(n.text, "åsa öberg - 070");
        let s = n.text.find("öberg").unwrap();
        let (a, b) = n.original(s, s + "öberg".len());
        assert_eq!(&text[a..b], "O\u{308}berg");
        let s = n.text.find("- 070").unwrap();
        let (a, b) = n.original(s, n.text.len());
        assert_eq!(&text[a..b], "– 070");
    }
}
