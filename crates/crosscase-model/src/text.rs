//! Offsets into source texts, counted in Unicode code points as the REFI-QDA standard and crosscase do.

/// Maps code-point offsets of one text to byte offsets, in constant time per lookup.
#[derive(Clone, Debug)]
pub struct CodePointIndex<'a> {
    text: &'a str,
    /// Byte offset of each code point, plus the text's length; empty when the text is ASCII.
    byte_of: Vec<u32>,
}

impl<'a> CodePointIndex<'a> {
    pub fn new(text: &'a str) -> CodePointIndex<'a> {
        let byte_of = if text.is_ascii() {
            Vec::new()
        } else {
            let mut v: Vec<u32> = text.char_indices().map(|(b, _)| b as u32).collect();
            v.push(text.len() as u32);
            v
        };
        CodePointIndex { text, byte_of }
    }

    /// The number of code points in the text.
    pub fn len(&self) -> u64 {
        if self.byte_of.is_empty() {
            self.text.len() as u64
        } else {
            (self.byte_of.len() - 1) as u64
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The text between code points `start` and `end` (half-open), or `None` when the range is outside the text.
    pub fn slice(&self, start: u64, end: u64) -> Option<&'a str> {
        if start > end || end > self.len() {
            return None;
        }
        if self.byte_of.is_empty() {
            return Some(&self.text[start as usize..end as usize]);
        }
        let (s, e) = (self.byte_of[start as usize], self.byte_of[end as usize]);
        Some(&self.text[s as usize..e as usize])
    }
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
}
