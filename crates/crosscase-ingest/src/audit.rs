//! The audit: every file kind crosscase writes (HTML, SVG, CSV, JSON, XLSX and other zip archives, the text chunks
//! of PNG files) read as text and looked through with the personal-data screen. What it reports is masked: a finding
//! is named by its kind, and its context has every finding masked and every digit and `@` address hidden, so that
//! the audit's output repeats no personal data, not even a form the screen does not know.

use std::io::Read;
use std::path::{Path, PathBuf};

use crosscase_model::{PersonalData, Screen, mask_personal_data};

use crate::diagnostic::Diagnostic;

/// Where personal data was found and a masked glimpse of what surrounds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditFinding {
    /// A file with its line (`pack/index.html:12`), an entry of an archive (`tables.xlsx!xl/sharedStrings.xml:2`),
    /// a PNG text chunk, or a database field.
    pub place: String,
    pub kind: PersonalData,
    pub context: String,
}

/// What an audit found, and what it could not read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audit {
    pub findings: Vec<AuditFinding>,
    /// Files or entries not scanned, with the reason.
    pub not_scanned: Vec<(String, String)>,
    pub files_scanned: u64,
}

/// The most an archive entry or a compressed PNG chunk may inflate to; beyond it the rest is not read.
const MAX_INFLATED: u64 = 256 << 20;
/// Archives inside archives are opened this deep.
const MAX_DEPTH: usize = 3;

impl Audit {
    /// Looks through one text (a database field); `place` names it.
    pub fn text(&mut self, place: &str, text: &str, screen: &Screen) {
        self.text_at(place, text, screen, false);
    }

    /// Looks through one text; with `lines`, each finding's line is added to `place`.
    fn text_at(&mut self, place: &str, text: &str, screen: &Screen, lines: bool) {
        let found = screen.find(text);
        if found.is_empty() {
            return;
        }
        let masked_with_spans = masked(text, &found);
        for (f, (ms, me)) in found.iter().zip(masked_with_spans.1) {
            let place = if lines {
                format!("{place}:{}", text[..f.start].matches('\n').count() + 1)
            } else {
                place.to_string()
            };
            self.findings.push(AuditFinding {
                place,
                kind: f.kind,
                context: context(&masked_with_spans.0, ms, me),
            });
        }
    }

    /// Looks through a file, or every file under a folder (in name order).
    pub fn path(&mut self, path: &Path, screen: &Screen) -> Result<(), Diagnostic> {
        if path.is_dir() {
            for file in files_under(path)? {
                self.path(&file, screen)?;
            }
            return Ok(());
        }
        let bytes = std::fs::read(path).map_err(|e| {
            Diagnostic::file(
                path,
                format!("cannot be read: {e}"),
                "give a file or folder crosscase wrote",
            )
        })?;
        self.bytes(&path.display().to_string(), &path.to_string_lossy(), &bytes, screen, 0);
        Ok(())
    }

    fn bytes(&mut self, place: &str, name: &str, bytes: &[u8], screen: &Screen, depth: usize) {
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        self.files_scanned += 1;
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            for (chunk, text) in png_texts(bytes) {
                self.text(&format!("{place} ({chunk})"), &text, screen);
            }
        } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            if depth >= MAX_DEPTH {
                self.not_scanned
                    .push((place.to_string(), "an archive nested too deep".into()));
                return;
            }
            self.archive(place, bytes, screen, depth);
        } else if bytes.starts_with(b"%PDF") {
            self.not_scanned.push((
                place.to_string(),
                "a PDF (its text is compressed and font-encoded; crosscase writes none)".into(),
            ));
        } else if bytes.starts_with(b"PAR1") {
            self.not_scanned.push((
                place.to_string(),
                "a Parquet file: audit the database it was exported from".into(),
            ));
        } else if bytes.starts_with(b"SQLite format 3\0") {
            self.not_scanned
                .push((place.to_string(), "a database: give it with --db".into()));
        } else if bytes.iter().take(8192).any(|&b| b == 0) {
            self.not_scanned.push((place.to_string(), "not text".into()));
        } else {
            let text = String::from_utf8_lossy(bytes);
            match ext.as_str() {
                "json" | "jsonl" | "ndjson" => self.json(place, &text, screen),
                "html" | "htm" | "svg" | "xml" | "rels" | "xhtml" => {
                    self.text_at(place, &decode_entities(&text), screen, true)
                }
                _ if text.trim_start().starts_with('<') => self.text_at(place, &decode_entities(&text), screen, true),
                _ => self.text_at(place, &text, screen, true),
            }
        }
    }

    fn archive(&mut self, place: &str, bytes: &[u8], screen: &Screen, depth: usize) {
        let mut archive = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
            Ok(a) => a,
            Err(e) => {
                self.not_scanned
                    .push((place.to_string(), format!("a zip archive that cannot be opened: {e}")));
                return;
            }
        };
        for i in 0..archive.len() {
            let mut entry = match archive.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    self.not_scanned
                        .push((format!("{place}!#{i}"), format!("cannot be read: {e}")));
                    continue;
                }
            };
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().map(|n| n.to_string()).unwrap_or_else(|_| format!("#{i}"));
            let mut content = Vec::new();
            if let Err(e) = (&mut entry).take(MAX_INFLATED).read_to_end(&mut content) {
                self.not_scanned
                    .push((format!("{place}!{name}"), format!("cannot be read: {e}")));
                continue;
            }
            self.bytes(&format!("{place}!{name}"), &name, &content, screen, depth + 1);
        }
    }

    /// JSON (or JSON lines): the strings of each document, keys included, so that escapes such as `\n` and `\u00e5`
    /// are read as what they stand for; a line that is not JSON is read as it is.
    fn json(&mut self, place: &str, text: &str, screen: &Screen) {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            self.text_at(place, &json_strings(&value), screen, true);
            return;
        }
        for (n, line) in text.lines().enumerate() {
            let line_place = format!("{place}:{}", n + 1);
            match serde_json::from_str::<serde_json::Value>(line) {
                Ok(value) => self.text(&line_place, &json_strings(&value).replace('\n', " "), screen),
                Err(_) => self.text(&line_place, line, screen),
            }
        }
    }
}

fn json_strings(value: &serde_json::Value) -> String {
    fn walk(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(o) => {
                for (k, v) in o {
                    out.push_str(k);
                    out.push('\n');
                    walk(v, out);
                }
            }
            other => {
                out.push_str(&other.to_string());
                out.push('\n');
            }
        }
    }
    let mut out = String::new();
    walk(value, &mut out);
    out
}

/// The texts of a PNG's tEXt, zTXt and iTXt chunks, with the chunk type and keyword.
fn png_texts(bytes: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let kind = String::from_utf8_lossy(&bytes[at + 4..at + 8]).to_string();
        let Some(data) = bytes.get(at + 8..at + 8 + len) else {
            break;
        };
        at += 12 + len;
        let latin1 = |b: &[u8]| b.iter().map(|&c| char::from(c)).collect::<String>();
        let split = |b: &'_ [u8]| -> Option<(String, usize)> {
            let nul = b.iter().position(|&c| c == 0)?;
            Some((latin1(&b[..nul]), nul + 1))
        };
        let text = match kind.as_str() {
            "tEXt" => split(data).map(|(k, i)| (k, latin1(&data[i..]))),
            "zTXt" => split(data).and_then(|(k, i)| inflate(data.get(i + 1..)?).map(|t| (k, latin1(&t)))),
            "iTXt" => split(data).and_then(|(k, i)| {
                let compressed = *data.get(i)? == 1;
                let rest = data.get(i + 2..)?;
                let lang_end = rest.iter().position(|&c| c == 0)?;
                let rest = &rest[lang_end + 1..];
                let translated_end = rest.iter().position(|&c| c == 0)?;
                let translated = String::from_utf8_lossy(&rest[..translated_end]).to_string();
                let body = &rest[translated_end + 1..];
                let body = if compressed { inflate(body)? } else { body.to_vec() };
                Some((k, format!("{translated}\n{}", String::from_utf8_lossy(&body))))
            }),
            "IEND" => break,
            _ => None,
        };
        if let Some((keyword, text)) = text {
            out.push((format!("{kind} {keyword}"), text));
        }
    }
    out
}

fn inflate(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data)
        .take(MAX_INFLATED)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// HTML's and XML's character references as the characters they stand for (`&#64;` is `@`).
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                "ndash" => '–',
                "mdash" => '—',
                _ => {
                    let n = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok()
                    } else {
                        name.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    char::from_u32(n?)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text with every finding replaced by `[kind]`, and where each mask lies in it.
fn masked(text: &str, found: &[crosscase_model::Finding]) -> (String, Vec<(usize, usize)>) {
    let mut spans = Vec::with_capacity(found.len());
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in found {
        out.push_str(&text[at..f.start]);
        let s = out.len();
        out.push('[');
        out.push_str(f.kind.as_str());
        out.push(']');
        spans.push((s, out.len()));
        at = f.end;
    }
    out.push_str(&text[at..]);
    debug_assert_eq!(mask_personal_data(text, found, |k| format!("[{}]", k.as_str())), out);
    (out, spans)
}

/// A few words either side of a mask, on one line, with digits as `#` and anything with an `@` (or `(at)`, `[at]`)
/// as `…`: forms the screen does not know are not repeated either.
fn context(masked: &str, s: usize, e: usize) -> String {
    const WIDTH: usize = 30;
    let before: String = {
        let mut v: Vec<char> = masked[..s].chars().rev().take(WIDTH).collect();
        v.reverse();
        v.into_iter().collect()
    };
    let after: String = masked[e..].chars().take(WIDTH).collect();
    let hide = |t: &str| -> String {
        t.split(' ')
            .map(|w| {
                let lw = w.to_lowercase();
                if lw.contains('@') || lw.contains("(at)") || lw.contains("[at]") {
                    "…".to_string()
                } else {
                    w.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let one_line = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let before = one_line(&hide(&before.replace(char::is_whitespace, " ")));
    let after = one_line(&hide(&after.replace(char::is_whitespace, " ")));
    format!("…{before} {} {after}…", &masked[s..e])
}

fn files_under(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Diagnostic::file(dir, format!("cannot be read: {e}"), "give a folder crosscase wrote"))?;
    for entry in entries {
        let path = entry
            .map_err(|e| Diagnostic::file(dir, format!("cannot be read: {e}"), ""))?
            .path();
        if path.is_dir() {
            out.extend(files_under(&path)?);
        } else {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crosscase_model::{Roster, Screen};

    #[test]
    fn contexts_repeat_nothing_personal() {
        let screen = Screen::new(Roster::from_names(&["Anna Larsson".into()]));
        let mut audit = Audit::default();
        audit.text_at(
            "t",
            "Möte med Anna Larsson, ring 070-123 45 67 eller 0123-4 (okänt) eller a.b(at)c och x@y\nrad två",
            &screen,
            true,
        );
        assert_eq!(audit.findings.len(), 2);
        for f in &audit.findings {
            assert!(
                !f.context.contains("Anna") && !f.context.contains("070"),
                "{}",
                f.context
            );
            assert!(!f.context.chars().any(|c| c.is_ascii_digit()), "{}", f.context);
            assert!(!f.context.contains("x@y"), "{}", f.context);
        }
        assert_eq!(audit.findings[0].place, "t:1");
    }

    #[test]
    fn reads_png_text_chunks_and_entities() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            png.extend((data.len() as u32).to_be_bytes());
            png.extend(kind);
            png.extend(data);
            png.extend([0, 0, 0, 0]);
        };
        chunk(b"tEXt", b"Author\0Anna Larsson");
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, b"ring 0701234567").unwrap();
        let mut data = b"Comment\0\0".to_vec();
        data.extend(z.finish().unwrap());
        chunk(b"zTXt", &data);
        chunk(b"iTXt", "Title\0\0\0sv\0\0anna.larsson@motala.se".as_bytes());
        chunk(b"IEND", b"");
        let texts = png_texts(&png);
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert_eq!(
            decode_entities("a&#64;b.se &amp; x&#x2013;y &bogus"),
            "a@b.se & x–y &bogus"
        );
    }
}
