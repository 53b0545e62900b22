//! Offsets into source texts, counted in Unicode code points as the REFI-QDA standard and crosscase do.

/// Every this many code points the index records a byte offset; a lookup walks at most this many characters.
const STRIDE: usize = 32;

/// Maps code-point offsets of one text to byte offsets. ASCII texts map directly; other texts keep a sparse table
/// (one entry per 32 code points), so indexing a large corpus costs a fraction of its size.
#[derive(Clone, Debug)]
pub struct CodePointIndex<'a> {
    text: &'a str,
    /// Byte offset of code point `i · STRIDE`; empty when the text is ASCII.
    checkpoints: Vec<u32>,
    len: u64,
}

impl<'a> CodePointIndex<'a> {
    pub fn new(text: &'a str) -> CodePointIndex<'a> {
        if text.is_ascii() {
            return CodePointIndex {
                text,
                checkpoints: Vec::new(),
                len: text.len() as u64,
            };
        }
        // A code point starts at every byte that is not a continuation byte (0b10xx_xxxx). Eight bytes are counted at
        // once; only a word in which a checkpoint falls (at most one, as 8 < STRIDE) is walked byte by byte.
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let bytes = text.as_bytes();
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut len = 0usize;
        let mut walk = |at: usize, part: &[u8], len: &mut usize| {
            for (i, &byte) in part.iter().enumerate() {
                if !is_continuation(byte) {
                    if (*len).is_multiple_of(STRIDE) {
                        checkpoints.push((at + i) as u32);
                    }
                    *len += 1;
                }
            }
        };
        let mut chunks = bytes.chunks_exact(8);
        let mut at = 0usize;
        for chunk in &mut chunks {
            let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            let starts = 8 - (w & !(w << 1) & HIGH).count_ones() as usize;
            if len.is_multiple_of(STRIDE) || len % STRIDE + starts > STRIDE {
                walk(at, chunk, &mut len);
            } else {
                len += starts;
            }
            at += 8;
        }
        walk(at, chunks.remainder(), &mut len);
        CodePointIndex {
            text,
            checkpoints,
            len: len as u64,
        }
    }

    /// The number of code points in the text.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The byte offset of code point `cp` (`cp <= len`).
    fn byte(&self, cp: u64) -> usize {
        if self.checkpoints.is_empty() {
            return cp as usize;
        }
        if cp == self.len {
            return self.text.len();
        }
        let cp = cp as usize;
        let start = self.checkpoints[cp / STRIDE] as usize;
        let skip = cp % STRIDE;
        self.text[start..]
            .char_indices()
            .nth(skip)
            .map_or(self.text.len(), |(b, _)| start + b)
    }

    /// The text between code points `start` and `end` (half-open), or `None` when the range is outside the text.
    pub fn slice(&self, start: u64, end: u64) -> Option<&'a str> {
        if start > end || end > self.len {
            return None;
        }
        Some(&self.text[self.byte(start)..self.byte(end)])
    }
}

fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// The number of words in `text`, exactly as `text.split_whitespace().count()` counts them, several times faster:
/// a word starts at a character that is not white space after one that is. In a stretch of text without the lead
/// bytes of the few non-ASCII white-space characters (C2, E1, E2, E3), that depends only on each byte and the byte
/// before it, which the compiler vectorises; other stretches are walked character by character.
pub fn word_count(text: &str) -> usize {
    const STRETCH: usize = 4096;
    let bytes = text.as_bytes();
    let (mut words, mut after_space, mut from) = (0usize, true, 0usize);
    while from < bytes.len() {
        let mut to = (from + STRETCH).min(bytes.len());
        while !text.is_char_boundary(to) {
            to += 1;
        }
        let stretch = &bytes[from..to];
        // Written as comparisons combined with `|`, without branches, so that it runs on 16 or 32 bytes at a time.
        let maybe_space = stretch
            .iter()
            .fold(false, |any, &b| any | (b == 0xC2) | (b.wrapping_sub(0xE1) < 3));
        if maybe_space {
            for c in text[from..to].chars() {
                let space = c.is_whitespace();
                words += usize::from(!space && after_space);
                after_space = space;
            }
        } else {
            // A continuation byte neither starts a word nor is white space, and here no multi-byte character is.
            words += usize::from(starts_word(stretch[0]) && after_space);
            // Byte counters for 255 pairs at a time, again without branches.
            for (bytes, before) in stretch[1..].chunks(255).zip(stretch.chunks(255)) {
                let mut n = 0u8;
                for (&b, &p) in bytes.iter().zip(before) {
                    n += u8::from(starts_word(b) & is_ascii_space(p));
                }
                words += usize::from(n);
            }
            after_space = is_ascii_space(stretch[stretch.len() - 1]);
        }
        from = to;
    }
    words
}

/// White space among ASCII characters, as `char::is_whitespace` has it: space, and tab to carriage return (vertical
/// tab included).
fn is_ascii_space(b: u8) -> bool {
    (b == b' ') | (b.wrapping_sub(b'\t') < 5)
}

/// A byte that starts a character that is not ASCII white space.
fn starts_word(b: u8) -> bool {
    !is_ascii_space(b) & !is_continuation(b)
}

/// The text between code points `start` and `end` of `text`, for one-off lookups.
pub fn slice_code_points(text: &str, start: u64, end: u64) -> Option<&str> {
    CodePointIndex::new(text).slice(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, start: u64, end: u64, expected: Option<&str>) {
        assert_eq!(
            CodePointIndex::new(text).slice(start, end),
            expected,
            "{text:?} {start}..{end}"
        );
    }

    #[test]
    fn slices_by_code_points() {
        check("hello", 1, 3, Some("el"));
        check("hello", 0, 5, Some("hello"));
        check("hello", 5, 5, Some(""));
        check("hello", 4, 6, None);
        check("hello", 3, 2, None);
        check("Tranås är bra", 4, 8, Some("ås ä"));
        check("Tranås är bra", 0, 13, Some("Tranås är bra"));
        check("Tranås är bra", 0, 14, None);
        // A code point outside the Basic Multilingual Plane is one position, not two.
        check("a😀b", 1, 2, Some("😀"));
        check("a😀b", 2, 3, Some("b"));
        assert_eq!(CodePointIndex::new("a😀b").len(), 3);
    }

    #[test]
    fn word_count_agrees_with_split_whitespace() {
        for text in [
            "",
            " ",
            "ett",
            "  två  ord ",
            "tab\tnl\nvt\u{0B}ff\u{0C}cr\r",
            "nbsp\u{A0}nel\u{85}em\u{2003}ideographic\u{3000}slut",
            "\u{1680}ogham\u{2028}ls\u{2029}ps\u{202F}nnbsp\u{205F}mmsp “citat” – tankstreck… ‘ja’\u{2060}",
            "å ä ö 😀 \u{200B}zero-width-is-not-space",
        ] {
            assert_eq!(word_count(text), text.split_whitespace().count(), "{text:?}");
        }
        // Long texts, so that stretches end inside words, inside characters and next to white space of every kind.
        let alphabet = [
            "a", "å", " ", "\n", "😀", "\u{A0}", "\u{2003}", "–", "”", "\u{3000}", "ord", "\r\n",
        ];
        let mut rng = crate::Rng::new(9);
        for len in [1, 100, 5000, 20_000] {
            for _ in 0..20 {
                let text: String = (0..len).map(|_| *rng.pick(&alphabet)).collect();
                assert_eq!(word_count(&text), text.split_whitespace().count());
                let ascii: String = (0..len)
                    .map(|_| *rng.pick(&["a", " ", "å", "ö", "\t", "ord", "😀"]))
                    .collect();
                assert_eq!(word_count(&ascii), ascii.split_whitespace().count());
            }
        }
    }

    #[test]
    fn agrees_with_char_iteration_for_every_length_and_mix() {
        // Lengths across the eight-byte words and the checkpoints, with one- to four-byte characters mixed in.
        let alphabet = ['a', 'å', ' ', '€', '😀', 'Ö', '\n'];
        let mut rng = crate::Rng::new(5);
        for len in 0..300 {
            let text: String = (0..len).map(|_| *rng.pick(&alphabet)).collect();
            let chars: Vec<char> = text.chars().collect();
            let idx = CodePointIndex::new(&text);
            assert_eq!(idx.len(), chars.len() as u64);
            for s in 0..=chars.len() {
                let e = (s + 37).min(chars.len());
                let expected: String = chars[s..e].iter().collect();
                assert_eq!(
                    idx.slice(s as u64, e as u64),
                    Some(expected.as_str()),
                    "{len}: {s}..{e}"
                );
            }
            assert_eq!(idx.slice(0, chars.len() as u64 + 1), None);
        }
    }

    #[test]
    fn agrees_with_char_iteration_across_checkpoints() {
        let text: String = (0..500).map(|i| ['a', 'å', 'ö', '😀', ' '][i % 5]).collect();
        let chars: Vec<char> = text.chars().collect();
        let idx = CodePointIndex::new(&text);
        for (s, e) in [
            (0, 500),
            (31, 33),
            (32, 64),
            (63, 65),
            (100, 101),
            (499, 500),
            (250, 250),
        ] {
            let expected: String = chars[s..e].iter().collect();
            assert_eq!(idx.slice(s as u64, e as u64), Some(expected.as_str()), "{s}..{e}");
        }
    }
}

/// A source's text as read for a streaming ingest, with its word count (counted where it was read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceText {
    /// The source has no text.
    None,
    Text {
        text: String,
        words: u64,
    },
    /// The text could not be read; the reader reports why.
    Unreadable,
}

/// The texts of a project's sources while they are read, one slot a source in the order of `Project::sources`: the
/// reader fills each slot once, and a store that writes the sources takes each text when it is there, waiting for it
/// if need be, so that writing begins while the texts are still being read. [`SourceTexts::close`] marks every slot
/// still empty as unreadable, so that nobody waits for a text that will not come.
#[derive(Debug)]
pub struct SourceTexts {
    slots: Vec<std::sync::OnceLock<SourceText>>,
}

impl SourceTexts {
    pub fn new(sources: usize) -> SourceTexts {
        SourceTexts {
            slots: (0..sources).map(|_| std::sync::OnceLock::new()).collect(),
        }
    }

    /// Fills slot `i`; a slot already filled keeps what it has.
    pub fn set(&self, i: usize, text: SourceText) {
        if let Some(slot) = self.slots.get(i) {
            let _ = slot.set(text);
        }
    }

    /// The text of source `i`, waiting until it is read; a slot out of range is unreadable.
    pub fn wait(&self, i: usize) -> &SourceText {
        self.slots.get(i).map_or(&SourceText::Unreadable, |slot| slot.wait())
    }

    /// The text of source `i` if it is read and readable.
    pub fn text(&self, i: usize) -> Option<&str> {
        match self.slots.get(i).and_then(|slot| slot.get()) {
            Some(SourceText::Text { text, .. }) => Some(text),
            _ => None,
        }
    }

    /// Marks every slot still empty as unreadable.
    pub fn close(&self) {
        for slot in &self.slots {
            let _ = slot.set(SourceText::Unreadable);
        }
    }
}
