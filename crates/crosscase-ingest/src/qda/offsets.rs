//! Turning the positions a QDA tool wrote into code points, and deciding per source which unit the tool counted in.
//!
//! The standard says code points; NVivo for Windows and Qt (QualCoder) count UTF-16 units, ATLAS.ti counts a CRLF as
//! one character, Taguette counts UTF-8 bytes. Every unit gives the same positions on ASCII text without CRLF, so
//! the difference shows only on real data. Each source starts from the unit its tool is known to use; the text
//! itself then decides: a unit under which a selection falls outside the text or inside a character is ruled out,
//! stored quotes must match, and a unit that puts clearly more selections on word boundaries wins.

use crosscase_model::{CodePointIndex, OffsetUnit};

/// Maps one unit's positions in one text to code points, with sparse tables (the positions where the unit and code
/// points drift apart), so that a large text costs little.
pub(crate) struct Converter {
    unit: OffsetUnit,
    /// Length of the text in the unit.
    len: u64,
    /// Positions (in the unit) where something longer than one unit per code point starts, and its extra length.
    /// For CRLF-as-one the "extra" is negative: one tool position covers two code points.
    marks: Vec<u64>,
    /// Extra units before and including each mark (prefix sums).
    extra: Vec<u64>,
    /// The length in units of each marked item (to find positions inside it).
    width: Vec<u8>,
}

impl Converter {
    pub fn new(text: &str, unit: OffsetUnit) -> Converter {
        let mut marks = Vec::new();
        let mut extra = Vec::new();
        let mut width = Vec::new();
        let mut total = 0u64;
        let mut pos = 0u64;
        match unit {
            OffsetUnit::CodePoints => pos = text.chars().count() as u64,
            OffsetUnit::Utf16 | OffsetUnit::Utf8Bytes => {
                let units = if unit == OffsetUnit::Utf16 {
                    char::len_utf16
                } else {
                    char::len_utf8
                };
                for c in text.chars() {
                    let w = units(c) as u64;
                    if w > 1 {
                        marks.push(pos);
                        total += w - 1;
                        extra.push(total);
                        width.push(w as u8);
                    }
                    pos += w;
                }
            }
            OffsetUnit::CodePointsCrlfAsOne => {
                let mut prev_cr = false;
                for c in text.chars() {
                    if prev_cr && c == '\n' {
                        // The LF is part of the tool's one line break at `pos - 1`.
                        marks.push(pos - 1);
                        total += 1;
                        extra.push(total);
                        width.push(1);
                    } else {
                        pos += 1;
                    }
                    prev_cr = c == '\r';
                }
            }
        }
        Converter {
            unit,
            len: pos,
            marks,
            extra,
            width,
        }
    }

    /// The code point a position falls on, or `None` when it is outside the text or inside one character.
    pub fn to_code_points(&self, pos: i64) -> Option<u64> {
        if pos < 0 || pos as u64 > self.len {
            return None;
        }
        let pos = pos as u64;
        let k = self.marks.partition_point(|&m| m < pos);
        let before = if k == 0 { 0 } else { self.extra[k - 1] };
        match self.unit {
            OffsetUnit::CodePoints => Some(pos),
            OffsetUnit::CodePointsCrlfAsOne => Some(pos + before),
            OffsetUnit::Utf16 | OffsetUnit::Utf8Bytes => {
                if k > 0 && pos < self.marks[k - 1] + u64::from(self.width[k - 1]) {
                    return None;
                }
                Some(pos - before)
            }
        }
    }
}

/// How much the producing tool's usual unit is to be believed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Trust {
    /// crosscase wrote the file itself: code points, always.
    Certain,
    /// A tool whose unit is known: another unit wins only when it places clearly more selections, matches more
    /// stored quotes, or puts nearly all selections on word boundaries where the usual one puts few.
    Known,
    /// An unknown producer: the standard's code points, unless another unit fits the text better.
    Unknown,
}

/// The unit a tool is known to write, from `Project/@origin`, and how sure that is.
pub(crate) fn unit_for_origin(origin: &str) -> (OffsetUnit, Trust) {
    let o = origin.to_lowercase();
    if o.starts_with("crosscase") {
        (OffsetUnit::CodePoints, Trust::Certain)
    } else if o.contains("nvivo") || o.contains("qualcoder") {
        (OffsetUnit::Utf16, Trust::Known)
    } else if o.contains("atlas") {
        (OffsetUnit::CodePointsCrlfAsOne, Trust::Known)
    } else if o.contains("taguette") {
        (OffsetUnit::Utf8Bytes, Trust::Known)
    } else if o.contains("maxqda") || o.starts_with("qc ") {
        (OffsetUnit::CodePoints, Trust::Known)
    } else {
        (OffsetUnit::CodePoints, Trust::Unknown)
    }
}

/// One selection to place: its raw positions and, when the tool stored it, its quote.
pub(crate) struct Raw<'a> {
    pub start: i64,
    pub end: i64,
    pub quote: Option<&'a str>,
}

/// How one unit fares on one source's selections.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Fit {
    placed: usize,
    quotes_matching: usize,
    boundaries: usize,
}

/// The decision for one source.
#[derive(Debug)]
pub(crate) struct Decision {
    pub unit: OffsetUnit,
    /// Code-point ranges, in the order of the input; `None` for a selection that cannot be placed.
    pub ranges: Vec<Option<(u64, u64)>>,
    /// Why another unit than the tool's usual one was taken.
    pub note: Option<String>,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Whether code point `p` is at a word boundary.
fn boundary(index: &CodePointIndex<'_>, p: u64) -> bool {
    if p == 0 || p >= index.len() {
        return true;
    }
    let around = index.slice(p - 1, p + 1).unwrap_or("");
    let mut cs = around.chars();
    match (cs.next(), cs.next()) {
        (Some(a), Some(b)) => !(is_word(a) && is_word(b)),
        _ => true,
    }
}

fn place(text_index: &CodePointIndex<'_>, conv: &Converter, raw: &[Raw<'_>]) -> (Vec<Option<(u64, u64)>>, Fit) {
    let mut fit = Fit {
        placed: 0,
        quotes_matching: 0,
        boundaries: 0,
    };
    let ranges = raw
        .iter()
        .map(|r| {
            let range = match (conv.to_code_points(r.start), conv.to_code_points(r.end)) {
                (Some(s), Some(e)) if s <= e => Some((s, e)),
                _ => None,
            };
            if let Some((s, e)) = range {
                fit.placed += 1;
                if boundary(text_index, s) && boundary(text_index, e) {
                    fit.boundaries += 1;
                }
                if let Some(q) = r.quote
                    && text_index.slice(s, e) == Some(q)
                {
                    fit.quotes_matching += 1;
                }
            }
            range
        })
        .collect();
    (ranges, fit)
}

/// Decides the unit of one source's selections and converts them.
pub(crate) fn decide(text: &str, default: OffsetUnit, trust: Trust, raw: &[Raw<'_>]) -> Decision {
    let index = CodePointIndex::new(text);
    let (ranges, fit) = place(&index, &Converter::new(text, default), raw);
    let mut best = (default, ranges, fit);
    // Nothing can differ on ASCII text without CRLF.
    if trust == Trust::Certain || (text.is_ascii() && !text.contains("\r\n")) {
        return Decision {
            unit: default,
            ranges: best.1,
            note: None,
        };
    }
    let quotes = raw.iter().filter(|r| r.quote.is_some()).count();
    for unit in OffsetUnit::ALL {
        if unit == default {
            continue;
        }
        let (ranges, f) = place(&index, &Converter::new(text, unit), raw);
        let b = &best.2;
        let better = if f.placed != b.placed {
            f.placed > b.placed
        } else if quotes > 0 {
            f.quotes_matching > b.quotes_matching
        } else if trust == Trust::Known {
            // Nearly all on word boundaries where the tool's unit puts at most half.
            raw.len() >= 3 && f.boundaries * 10 >= raw.len() * 9 && b.boundaries * 2 <= raw.len()
        } else {
            // Clearly more on word boundaries: a quarter of the selections, and at least three.
            let gain = f.boundaries.saturating_sub(b.boundaries);
            gain >= 3 && gain * 4 >= raw.len()
        };
        if better {
            best = (unit, ranges, f);
        }
    }
    let note = (best.0 != default).then(|| {
        let f = best.2;
        let why = if quotes > 0 {
            format!("{} of {quotes} stored quotes match", f.quotes_matching)
        } else {
            format!("{} of {} selections fall on word boundaries", f.boundaries, raw.len())
        };
        format!(
            "positions read as {} rather than the tool's usual {default}: {why}",
            best.0
        )
    });
    Decision {
        unit: best.0,
        ranges: best.1,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code points of `needle`'s first occurrence, and its positions in `unit`.
    fn positions(text: &str, needle: &str, unit: OffsetUnit) -> (i64, i64) {
        let byte = text.find(needle).unwrap();
        let count = |s: &str| -> i64 {
            match unit {
                OffsetUnit::CodePoints => s.chars().count() as i64,
                OffsetUnit::Utf16 => s.encode_utf16().count() as i64,
                OffsetUnit::Utf8Bytes => s.len() as i64,
                OffsetUnit::CodePointsCrlfAsOne => s.replace("\r\n", "\n").chars().count() as i64,
            }
        };
        (count(&text[..byte]), count(&text[..byte + needle.len()]))
    }

    #[test]
    fn converts_every_unit() {
        let text = "Åsa 😀 sa:\r\nVi 🎉🎉 testar\r\nnya idéer.";
        for unit in OffsetUnit::ALL {
            let conv = Converter::new(text, unit);
            for needle in ["Åsa", "sa:", "Vi", "testar", "nya idéer", "😀", "\r\nnya"] {
                let (s, e) = positions(text, needle, unit);
                let (cs, ce) = (conv.to_code_points(s).unwrap(), conv.to_code_points(e).unwrap());
                assert_eq!(
                    crosscase_model::slice_code_points(text, cs, ce),
                    Some(needle),
                    "{unit}: {needle}"
                );
            }
        }
        // Inside a surrogate pair or a multi-byte character; past the end.
        assert_eq!(Converter::new("a😀b", OffsetUnit::Utf16).to_code_points(2), None);
        assert_eq!(Converter::new("aåb", OffsetUnit::Utf8Bytes).to_code_points(2), None);
        assert_eq!(Converter::new("ab", OffsetUnit::CodePoints).to_code_points(3), None);
        assert_eq!(Converter::new("ab", OffsetUnit::CodePoints).to_code_points(-1), None);
    }

    #[test]
    fn the_text_decides_when_the_origin_is_wrong() {
        // Written as UTF-16 units, but the file claims a tool that counts code points.
        let text = "Hej 😀😀😀 alla. Vi pratar om 🎉 innovation i kommunen och 🎉 om ledarskap.\r\nSlut 😀 här.";
        let words = ["alla", "innovation", "kommunen", "ledarskap", "Slut", "här"];
        let raw: Vec<(i64, i64)> = words.iter().map(|w| positions(text, w, OffsetUnit::Utf16)).collect();
        let raw: Vec<Raw<'_>> = raw
            .iter()
            .map(|&(start, end)| Raw {
                start,
                end,
                quote: None,
            })
            .collect();
        let d = decide(text, OffsetUnit::CodePoints, Trust::Unknown, &raw);
        assert_eq!(d.unit, OffsetUnit::Utf16, "{d:?}");
        assert!(d.note.unwrap().contains("word boundaries"));
        let index = CodePointIndex::new(text);
        for (w, r) in words.iter().zip(&d.ranges) {
            let (s, e) = r.unwrap();
            assert_eq!(index.slice(s, e), Some(*w));
        }
        // The usual unit, when it fits, stays.
        let d = decide(text, OffsetUnit::Utf16, Trust::Known, &raw);
        assert_eq!((d.unit, d.note), (OffsetUnit::Utf16, None));
        // A known tool's unit gives way only to a unit that puts nearly all on boundaries.
        let d = decide(text, OffsetUnit::CodePoints, Trust::Known, &raw);
        assert_eq!(d.unit, OffsetUnit::Utf16, "{d:?}");
    }

    #[test]
    fn stored_quotes_settle_it() {
        let text = "ö😀 ab cd";
        let (s, e) = positions(text, "ab", OffsetUnit::Utf8Bytes);
        let raw = [Raw {
            start: s,
            end: e,
            quote: Some("ab"),
        }];
        let d = decide(text, OffsetUnit::Utf16, Trust::Known, &raw);
        assert_eq!(d.unit, OffsetUnit::Utf8Bytes);
    }
}
