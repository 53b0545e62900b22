//! The rows of a recorded run in compact form: JSON lines taken apart into columns, then compressed with zstd.
//!
//! A run's rows arrive as JSON lines (one object per line, as `--format json` prints them) and must come back as the
//! same bytes. They are split into one column per field name: a tag per cell (null, false, true, unsigned or negative
//! integer, float, text, other JSON), integers as varints, floats as their 8 bytes (shares are ratios of small counts
//! and recur, which zstd finds as repeated 8-byte strings; splitting the bytes into planes, as Parquet's
//! BYTE_STREAM_SPLIT does, hid those repeats and came out 3.4 times larger), text through a dictionary per column
//! (the same code and municipality ids recur on every row). Each row keeps its own fields in its own order (a
//! "shape"), so a field that a row does not have stays absent rather than becoming null.
//! Floats are written back the way serde_json writes them (shortest round trip), which is how the rows were
//! written; after encoding, the rows are decoded again and compared with the input, and anything that would not
//! come back byte for byte is kept as compressed text instead ([`TEXT`]).

use std::collections::HashMap;

use crate::error::StoreError;

/// Columns, compressed with zstd.
pub(crate) const COLUMNS: &str = "columns-zstd";
/// The JSON lines themselves, compressed with zstd (for rows that the columns cannot give back exactly).
pub(crate) const TEXT: &str = "jsonl-zstd";
/// The JSON lines uncompressed (runs recorded before schema version 5; never written now).
pub(crate) const PLAIN: &str = "jsonl";

/// zstd's level. Measured on the 42.4 MB of JSON lines of a comparison of 290 municipalities and 300 codes (8.8 MB as
/// columns): level 3 gives 0.94 MB in 0.5 s, level 9 0.75 MB in 1.3 s (debug build).
const LEVEL: i32 = 9;

const MAGIC: &[u8; 4] = b"CCR2";

/// Encodes JSON lines compactly; returns the format's name and the bytes.
pub(crate) fn encode(json_lines: &str) -> Result<(&'static str, Vec<u8>), StoreError> {
    if let Some(columns) = Columns::split(json_lines) {
        let raw = columns.to_bytes();
        // The rows given back one at a time and compared with the input as they come, rather than joined into a
        // second copy of it (the JSON lines of a national comparison are over 100 MB).
        let mut rest = json_lines.as_bytes();
        let same = join_rows(&raw, |row| match rest.strip_prefix(row) {
            Some(after) => {
                rest = after;
                true
            }
            None => false,
        });
        if same.is_some() && rest.is_empty() {
            return Ok((COLUMNS, compress(&raw)?));
        }
    }
    Ok((TEXT, compress(json_lines.as_bytes())?))
}

/// The JSON lines that [`encode`] was given.
pub(crate) fn decode(format: &str, bytes: &[u8]) -> Result<String, StoreError> {
    let corrupt = |what: &str| StoreError::CorruptRun {
        message: format!("{what} (format {format})"),
    };
    match format {
        PLAIN => String::from_utf8(bytes.to_vec()).map_err(|_| corrupt("the rows are not UTF-8")),
        TEXT => String::from_utf8(decompress(bytes)?).map_err(|_| corrupt("the rows are not UTF-8")),
        COLUMNS => join(&decompress(bytes)?).ok_or_else(|| corrupt("the stored columns are damaged")),
        other => Err(StoreError::CorruptRun {
            message: format!("unknown format `{other}` of the stored rows; a newer crosscase wrote it"),
        }),
    }
}

fn compress(bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    zstd::bulk::compress(bytes, LEVEL).map_err(|e| StoreError::CorruptRun {
        message: format!("cannot compress the rows: {e}"),
    })
}

fn decompress(bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    zstd::stream::decode_all(bytes).map_err(|e| StoreError::CorruptRun {
        message: format!("cannot decompress the stored rows: {e}"),
    })
}

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const UNSIGNED: u8 = 3;
const NEGATIVE: u8 = 4;
const FLOAT: u8 = 5;
const STRING: u8 = 6;
const RAW: u8 = 7;

/// One field's cells, in row order, over the rows that have the field.
#[derive(Default)]
struct Column<'a> {
    tags: Vec<u8>,
    integers: Vec<u8>,
    floats: Vec<u64>,
    dictionary: Vec<&'a str>,
    entries: HashMap<&'a str, u32, Fx>,
    /// The last text and its entry: ids repeat on consecutive rows (a code's rows, a kind's).
    last: Option<(&'a str, u32)>,
    strings: Vec<u8>,
    raw: Vec<u8>,
}

/// JSON lines taken apart: field names, row shapes, and a column per field.
#[derive(Default)]
struct Columns<'a> {
    /// Field names as they stand between the quotes (still escaped).
    keys: Vec<&'a str>,
    key_index: HashMap<&'a str, u32>,
    shapes: Vec<Vec<u32>>,
    shape_index: HashMap<Vec<u32>, u32>,
    /// The previous row's shape: rows of one kind have the same fields in the same order.
    last_shape: Option<u32>,
    row_shapes: Vec<u8>,
    rows: u64,
    columns: Vec<Column<'a>>,
}

impl<'a> Columns<'a> {
    /// Splits rows written by serde_json (no white space between tokens); `None` when a line is not such an object.
    fn split(text: &'a str) -> Option<Columns<'a>> {
        let mut c = Columns::default();
        if text.is_empty() {
            return Some(c);
        }
        let body = text.strip_suffix('\n')?;
        for line in body.split('\n') {
            c.add_row(line)?;
        }
        Some(c)
    }

    fn add_row(&mut self, line: &'a str) -> Option<()> {
        let b = line.as_bytes();
        let mut at = 0;
        if b.first() != Some(&b'{') {
            return None;
        }
        at += 1;
        let mut shape = Vec::new();
        if b.get(at) == Some(&b'}') {
            at += 1;
        } else {
            loop {
                // The field the previous row had at this place, when this row's is the same (compared as bytes).
                let expected = self
                    .last_shape
                    .and_then(|s| self.shapes[s as usize].get(shape.len()))
                    .map(|&k| (k, self.keys[k as usize]))
                    .filter(|(_, key)| {
                        b.get(at) == Some(&b'"')
                            && b[at + 1..].starts_with(key.as_bytes())
                            && b.get(at + 1 + key.len()) == Some(&b'"')
                    });
                let (key, next) = match expected {
                    Some((_, key)) => (key, at + key.len() + 2),
                    None => string_literal(line, at)?,
                };
                at = next;
                if b.get(at) != Some(&b':') {
                    return None;
                }
                at += 1;
                let known = expected.map(|(k, _)| k).or_else(|| self.key_index.get(key).copied());
                let k = match known {
                    Some(k) => k,
                    None => {
                        let k = self.keys.len() as u32;
                        self.keys.push(key);
                        self.key_index.insert(key, k);
                        self.columns.push(Column::default());
                        k
                    }
                };
                shape.push(k);
                at = self.columns[k as usize].add_cell(line, at)?;
                match b.get(at) {
                    Some(b',') => at += 1,
                    Some(b'}') => {
                        at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        if at != b.len() {
            return None;
        }
        let s = match self.last_shape {
            Some(s) if self.shapes[s as usize] == shape => s,
            _ => match self.shape_index.get(&shape) {
                Some(&s) => s,
                None => {
                    let s = self.shapes.len() as u32;
                    self.shapes.push(shape.clone());
                    self.shape_index.insert(shape, s);
                    s
                }
            },
        };
        self.last_shape = Some(s);
        varint(&mut self.row_shapes, s as u64);
        self.rows += 1;
        Some(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        varint(&mut out, self.rows);
        varint(&mut out, self.keys.len() as u64);
        for k in &self.keys {
            bytes(&mut out, k.as_bytes());
        }
        varint(&mut out, self.shapes.len() as u64);
        for s in &self.shapes {
            varint(&mut out, s.len() as u64);
            for &k in s {
                varint(&mut out, k as u64);
            }
        }
        bytes(&mut out, &self.row_shapes);
        for c in &self.columns {
            bytes(&mut out, &c.tags);
            bytes(&mut out, &c.integers);
            varint(&mut out, c.floats.len() as u64);
            for f in &c.floats {
                out.extend_from_slice(&f.to_le_bytes());
            }
            varint(&mut out, c.dictionary.len() as u64);
            for s in &c.dictionary {
                bytes(&mut out, s.as_bytes());
            }
            bytes(&mut out, &c.strings);
            bytes(&mut out, &c.raw);
        }
        out
    }
}

impl<'a> Column<'a> {
    /// Reads the value at `at` into the column; returns where it ends.
    fn add_cell(&mut self, line: &'a str, at: usize) -> Option<usize> {
        let b = line.as_bytes();
        let literal = |word: &str| line[at..].starts_with(word).then_some(at + word.len());
        let (tag, end) = match *b.get(at)? {
            b'n' => (NULL, literal("null")?),
            b'f' => (FALSE, literal("false")?),
            b't' => (TRUE, literal("true")?),
            b'"' => {
                let (s, end) = string_literal(line, at)?;
                let i = match self.last {
                    Some((last, i)) if last == s => i,
                    _ => {
                        let next = self.dictionary.len() as u32;
                        let i = *self.entries.entry(s).or_insert(next);
                        if i == next {
                            self.dictionary.push(s);
                        }
                        self.last = Some((s, i));
                        i
                    }
                };
                varint(&mut self.strings, i as u64);
                (STRING, end)
            }
            b'[' | b'{' => {
                let end = nested_end(line, at)?;
                bytes(&mut self.raw, &b[at..end]);
                (RAW, end)
            }
            b'-' | b'0'..=b'9' => {
                let end = at
                    + b[at..]
                        .iter()
                        .position(|&c| c == b',' || c == b'}')
                        .unwrap_or(b.len() - at);
                let number = &line[at..end];
                if number.bytes().all(|c| c.is_ascii_digit()) {
                    varint(&mut self.integers, number.parse().ok()?);
                    (UNSIGNED, end)
                } else if let Some(digits) = number.strip_prefix('-')
                    && digits.bytes().all(|c| c.is_ascii_digit())
                {
                    // -1 is stored as 0, so that i64::MIN fits.
                    let v: i64 = number.parse().ok()?;
                    varint(&mut self.integers, !(v as u64));
                    (NEGATIVE, end)
                } else {
                    let v: f64 = number.parse().ok()?;
                    self.floats.push(v.to_bits());
                    (FLOAT, end)
                }
            }
            _ => return None,
        };
        self.tags.push(tag);
        Some(end)
    }
}

/// The contents of the string literal starting at `at` (without the quotes, still escaped) and where it ends.
fn string_literal(line: &str, at: usize) -> Option<(&str, usize)> {
    let b = line.as_bytes();
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    loop {
        match *b.get(i)? {
            b'"' => return Some((&line[at + 1..i], i + 1)),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// Where the array or object starting at `at` ends.
fn nested_end(line: &str, at: usize) -> Option<usize> {
    let b = line.as_bytes();
    let mut depth = 0usize;
    let mut i = at;
    while i < b.len() {
        match b[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'"' => {
                let (_, end) = string_literal(line, i)?;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// Reads what [`Columns::to_bytes`] wrote.
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.b.get(self.at)?;
            self.at += 1;
            v |= ((byte & 0x7f) as u64) << shift;
            if byte < 0x80 {
                return Some(v);
            }
        }
        None
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.varint()? as usize;
        self.take(n)
    }

    fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }
}

/// A column being read back, cell by cell.
struct ColumnCursor<'a> {
    tags: &'a [u8],
    integers: Reader<'a>,
    floats: Vec<f64>,
    dictionary: Vec<&'a str>,
    strings: Reader<'a>,
    raw: Reader<'a>,
    next: usize,
    next_float: usize,
}

impl ColumnCursor<'_> {
    fn write_cell(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let tag = *self.tags.get(self.next)?;
        self.next += 1;
        match tag {
            NULL => out.extend_from_slice(b"null"),
            FALSE => out.extend_from_slice(b"false"),
            TRUE => out.extend_from_slice(b"true"),
            UNSIGNED => out.extend_from_slice(self.integers.varint()?.to_string().as_bytes()),
            NEGATIVE => out.extend_from_slice((!self.integers.varint()? as i64).to_string().as_bytes()),
            FLOAT => {
                let v = *self.floats.get(self.next_float)?;
                self.next_float += 1;
                // The way serde_json writes a float, so that the rows come back as they were written.
                serde_json::to_writer(&mut *out, &v).ok()?;
            }
            STRING => {
                let s = self.dictionary.get(self.strings.varint()? as usize)?;
                out.push(b'"');
                out.extend_from_slice(s.as_bytes());
                out.push(b'"');
            }
            RAW => out.extend_from_slice(self.raw.bytes()?),
            _ => return None,
        }
        Some(())
    }
}

/// The JSON lines that the column bytes hold; `None` when they are damaged.
fn join(raw: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len() * 4);
    join_rows(raw, |row| {
        out.extend_from_slice(row);
        true
    })?;
    String::from_utf8(out).ok()
}

/// Gives `row` each line (with its newline) that the column bytes hold, in order; stops with `None` when they are
/// damaged or `row` returns false.
fn join_rows(raw: &[u8], mut row: impl FnMut(&[u8]) -> bool) -> Option<()> {
    let mut r = Reader { b: raw, at: 0 };
    if r.take(4)? != MAGIC {
        return None;
    }
    let rows = r.varint()?;
    let keys = (0..r.varint()?).map(|_| r.text()).collect::<Option<Vec<_>>>()?;
    let shapes = (0..r.varint()?)
        .map(|_| {
            (0..r.varint()?)
                .map(|_| r.varint().map(|k| k as usize).filter(|&k| k < keys.len()))
                .collect::<Option<Vec<_>>>()
        })
        .collect::<Option<Vec<_>>>()?;
    let mut row_shapes = Reader { b: r.bytes()?, at: 0 };
    let mut columns = Vec::with_capacity(keys.len());
    for _ in &keys {
        let tags = r.bytes()?;
        let integers = Reader { b: r.bytes()?, at: 0 };
        let n = r.varint()? as usize;
        let floats = r
            .take(n.checked_mul(8)?)?
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().expect("chunks of 8")))
            .collect();
        let dictionary = (0..r.varint()?).map(|_| r.text()).collect::<Option<Vec<_>>>()?;
        let strings = Reader { b: r.bytes()?, at: 0 };
        let raw_cells = Reader { b: r.bytes()?, at: 0 };
        columns.push(ColumnCursor {
            tags,
            integers,
            floats,
            dictionary,
            strings,
            raw: raw_cells,
            next: 0,
            next_float: 0,
        });
    }
    let mut out = Vec::new();
    for _ in 0..rows {
        let shape = shapes.get(row_shapes.varint()? as usize)?;
        out.clear();
        out.push(b'{');
        for (i, &k) in shape.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(keys[k].as_bytes());
            out.extend_from_slice(b"\":");
            columns[k].write_cell(&mut out)?;
        }
        out.extend_from_slice(b"}\n");
        if !row(&out) {
            return None;
        }
    }
    Some(())
}

/// FxHash (rustc's hasher) for the dictionaries, which hash every text cell of a run that is not the same as the
/// cell above it: short ids whose hash need not resist attacks (a run's rows are the program's own output), where
/// the standard library's SipHash is slow.
#[derive(Clone, Copy, Default)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes(c.try_into().expect("chunks of 8"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.write(&[byte]);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Fx = std::hash::BuildHasherDefault<FxHasher>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes `rows` (written by serde_json, as `ResultTable::write_json_lines` does) and checks the format chosen
    /// and that the rows come back byte for byte.
    fn check(rows: &[serde_json::Value], format: &str) {
        let mut text = String::new();
        for r in rows {
            text.push_str(&serde_json::to_string(r).unwrap());
            text.push('\n');
        }
        let (chosen, bytes) = encode(&text).unwrap();
        assert_eq!(chosen, format, "{text}");
        let back = decode(chosen, &bytes).unwrap();
        assert_eq!(back, text);
        // And the values themselves, floats compared by their bits.
        let parse =
            |s: &str| -> Vec<serde_json::Value> { s.lines().map(|l| serde_json::from_str(l).unwrap()).collect() };
        for (a, b) in parse(&back).iter().zip(rows) {
            assert_eq!(a, b);
        }
    }

    #[test]
    fn rows_come_back_byte_for_byte() {
        use serde_json::json;
        let floats = [
            0.1 + 0.2,
            1.0 / 3.0,
            -0.0,
            0.0,
            1.0,
            5e-324,
            2.2250738585072014e-308,
            1e-310,
            f64::MAX,
            f64::MIN_POSITIVE,
            -1e300,
            123456789.125,
            0.95,
        ];
        let mut rows: Vec<serde_json::Value> = floats
            .iter()
            .enumerate()
            .map(|(i, f)| json!({"kind": "difference", "code": format!("c{i}"), "p_value": f, "n": i}))
            .collect();
        rows.extend([
            // Nulls, absent fields, another order of the fields, extreme integers.
            json!({"kind": "prevalence", "code": "a", "share": null, "n": u64::MAX}),
            json!({"code": "b", "kind": "prevalence", "n": i64::MIN, "ok": true}),
            json!({"kind": "contrast", "ok": false, "n": -1}),
            // Text that needs escaping, and nested values.
            json!({"kind": "note", "text": "citat \"så\"\n\t\\ åäö ✓ \u{1}", "codes": ["a", "b"], "x": {"y": [1, 2.5]}}),
            json!({}),
        ]);
        check(&rows, COLUMNS);
        check(&[], COLUMNS);
    }

    /// A comparison as `ResultTable::write_json_lines` writes it: every row with every column of the table, null
    /// where its kind has no value. Kept as columns, and compact: the nulls of the other kinds' fields cost a tag
    /// each, which zstd all but removes.
    #[test]
    fn a_comparison_with_every_column_on_every_row_is_kept_as_columns() {
        use serde_json::json;
        let columns = [
            "kind",
            "code",
            "municipality",
            "segments",
            "sources",
            "source_share",
            "test",
            "p_value",
            "q_value",
            "reason",
            "with_code",
            "n",
            "share",
            "ci_low",
            "ci_high",
            "confidence",
        ];
        let row = |values: &[(&str, serde_json::Value)]| {
            let mut row = serde_json::Map::new();
            for c in columns {
                let v = values
                    .iter()
                    .find(|(k, _)| *k == c)
                    .map_or(serde_json::Value::Null, |(_, v)| v.clone());
                row.insert(c.to_string(), v);
            }
            serde_json::Value::Object(row)
        };
        let mut rows = Vec::new();
        for code in 0..30 {
            for m in 0..29 {
                let share = (m % 4) as f64 / 4.0;
                rows.push(row(&[
                    ("kind", json!("prevalence")),
                    ("code", json!(format!("c{code}"))),
                    ("municipality", json!(format!("05{m:02}"))),
                    ("segments", json!(m * code)),
                    ("sources", json!(m)),
                    ("source_share", if m == 0 { json!(null) } else { json!(share) }),
                ]));
            }
            rows.push(row(&[
                ("kind", json!("difference")),
                ("code", json!(format!("c{code}"))),
                ("test", json!("permutation")),
                ("p_value", json!(1.0 / (1 << (code % 10)) as f64)),
                ("q_value", json!(null)),
                ("reason", json!("too few per municipality for χ²")),
            ]));
            for m in 0..29 {
                rows.push(row(&[
                    ("kind", json!("contrast")),
                    ("code", json!(format!("c{code}"))),
                    ("municipality", json!(format!("05{m:02}"))),
                    ("with_code", json!(m)),
                    ("n", json!(29)),
                    ("share", json!((m % 8) as f64 / 8.0)),
                    ("ci_low", json!(-(m as f64) / 64.0)),
                    ("ci_high", json!(0.2)),
                    ("confidence", json!(0.95)),
                ]));
            }
        }
        check(&rows, COLUMNS);
        let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
        let (_, bytes) = encode(&text).unwrap();
        assert!(
            bytes.len() * 20 < text.len(),
            "{} bytes stored for {} bytes of JSON lines",
            bytes.len(),
            text.len()
        );
    }

    #[test]
    fn text_the_columns_cannot_give_back_is_kept_as_text() {
        for text in [
            "{\"a\": 1}\n",
            "{\"a\":1}",
            "[1,2]\n",
            "{\"a\":1.50}\n",
            "{\"a\":1e5}\n",
            "not json\n",
        ] {
            let (format, bytes) = encode(text).unwrap();
            assert_eq!(format, TEXT, "{text}");
            assert_eq!(decode(format, &bytes).unwrap(), text);
        }
        // Legacy rows are read as they are.
        assert_eq!(decode(PLAIN, b"{\"a\":1}\n").unwrap(), "{\"a\":1}\n");
        assert!(matches!(decode("xz", b""), Err(StoreError::CorruptRun { .. })));
    }
}
