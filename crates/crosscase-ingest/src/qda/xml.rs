//! A small element tree over quick-xml, with positions for messages, and the escaping the writer needs.
//!
//! Exchange files come from other people's machines, so the parser is strict about what could hurt: a document type
//! declaration (where entity expansion and external entities live) is refused, an undeclared entity is an error,
//! and nesting deeper than [`MAX_DEPTH`] is refused rather than followed.

use quick_xml::events::{BytesStart, Event};

use crate::Diagnostic;

/// REFI-QDA nests codes inside codes; real codebooks stay far below this.
pub(crate) const MAX_DEPTH: usize = 200;

#[derive(Clone, Debug, Default)]
pub(crate) struct Element {
    /// The local name, without namespace prefix.
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// The element's own character data (not its children's).
    pub text: String,
    /// 1-based line of the start tag.
    pub line: u64,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of a child element, trimmed; `None` when missing or empty.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
    }
}

/// Line and column (1-based, in characters) of byte `pos` in `bytes`.
pub(crate) fn line_column(bytes: &[u8], pos: usize) -> (u64, u64) {
    let pos = pos.min(bytes.len());
    let before = &bytes[..pos];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() as u64 + 1;
    (line, column)
}

/// Lines of positions that only grow, counted once: a large export has hundreds of thousands of elements.
struct Lines {
    line: u64,
    scanned: usize,
}

impl Lines {
    fn at(&mut self, bytes: &[u8], pos: usize) -> u64 {
        let pos = pos.min(bytes.len());
        if pos < self.scanned {
            return line_column(bytes, pos).0;
        }
        self.line += bytes[self.scanned..pos].iter().filter(|&&b| b == b'\n').count() as u64;
        self.scanned = pos;
        self.line
    }
}

/// Parses a whole XML document into its root element.
pub(crate) fn parse(bytes: &[u8], file: &str) -> Result<Element, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(Diagnostic::file(
            file,
            "the XML is encoded in UTF-16",
            "REFI-QDA files are UTF-8; export the project again, or convert the file to UTF-8",
        ));
    }
    let at = |pos: u64, message: String, help: &str| {
        let (line, column) = line_column(bytes, pos as usize);
        Diagnostic::file(file, message, help).at(line, Some(column))
    };
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut buf = Vec::new();
    let mut lines = Lines { line: 1, scanned: 0 };
    let truncated = "the XML ends before its elements are closed; the file is truncated or not XML";
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            at(
                reader.error_position(),
                format!("the XML is not well-formed: {e}"),
                "export the project again from the QDA tool; a file cut short in copying also looks like this",
            )
        })?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(at(
                        pos,
                        format!("elements are nested more than {MAX_DEPTH} deep"),
                        "this is not an export a QDA tool writes; check the file",
                    ));
                }
                let el = start_element(&e, bytes, pos, lines.at(bytes, pos as usize), file)?;
                stack.push(el);
            }
            Event::Empty(e) => {
                let el = start_element(&e, bytes, pos, lines.at(bytes, pos as usize), file)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(at(pos, "more than one root element".into(), "check the file")),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| at(pos, "an end tag without a start tag".into(), ""))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(at(pos, "more than one root element".into(), "check the file")),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    let text = t
                        .xml10_content()
                        .map_err(|e| at(pos, format!("the text is not UTF-8: {e}"), "save the file as UTF-8"))?;
                    el.text.push_str(&text);
                } else if !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(at(pos, "text outside the root element".into(), "check the file"));
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    let text = t
                        .decode()
                        .map_err(|e| at(pos, format!("the text is not UTF-8: {e}"), "save the file as UTF-8"))?;
                    el.text.push_str(&text);
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => {
                        let name = String::from_utf8_lossy(&r);
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => s.chars().next().unwrap_or('\u{FFFD}'),
                            None => {
                                return Err(at(
                                    pos,
                                    format!("the entity `&{name};` is not defined"),
                                    "REFI-QDA files use only the five predefined XML entities; crosscase does not expand others",
                                ));
                            }
                        }
                    }
                    Err(e) => return Err(at(pos, format!("a bad character reference: {e}"), "check the file")),
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push(c);
                }
            }
            Event::DocType(_) => {
                return Err(at(
                    pos,
                    "the XML has a document type declaration (<!DOCTYPE …>)".into(),
                    "REFI-QDA files have none; crosscase does not read them, because entity declarations in them can expand without limit or read other files",
                ));
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(at(
            bytes.len() as u64,
            truncated.into(),
            "export the project again from the QDA tool",
        ));
    }
    root.ok_or_else(|| Diagnostic::file(file, "the file holds no XML element", "export the project again"))
}

fn start_element(e: &BytesStart<'_>, bytes: &[u8], pos: u64, line: u64, file: &str) -> Result<Element, Diagnostic> {
    let column = || line_column(bytes, pos as usize).1;
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| {
            Diagnostic::file(
                file,
                format!("a malformed attribute in <{name}>: {err}"),
                "check the file",
            )
            .at(line, Some(column()))
        })?;
        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        let value = a.unescape_value().map_err(|err| {
            Diagnostic::file(
                file,
                format!("attribute `{key}` of <{name}> cannot be read: {err}"),
                "REFI-QDA files use only the five predefined XML entities; crosscase does not expand others",
            )
            .at(line, Some(column()))
        })?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
        line,
    })
}

/// Escapes text for an attribute value in double quotes; line breaks and tabs become character references so that
/// attribute normalisation keeps them.
pub(crate) fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Escapes character data; a carriage return becomes a reference so that end-of-line handling keeps it.
pub(crate) fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Characters XML 1.0 allows in a document.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_namespaced_elements_with_positions() {
        let xml = "<?xml version=\"1.0\"?>\n<p:Project xmlns:p=\"urn:QDA-XML:project:1.0\" name=\"a &amp; b\">\n  <p:Description>x &lt; y&#x1F600;</p:Description>\n  <Empty/>\n</p:Project>";
        let root = parse(xml.as_bytes(), "t.qde").unwrap();
        assert_eq!(root.name, "Project");
        assert_eq!(root.attr("name"), Some("a & b"));
        assert_eq!(root.line, 2);
        assert_eq!(root.child_text("Description").as_deref(), Some("x < y😀"));
        assert_eq!(root.children[1].name, "Empty");
        assert_eq!(root.children[1].line, 4);
    }

    #[test]
    fn refuses_what_could_hurt() {
        let cases = [
            (
                "<!DOCTYPE p [<!ENTITY a \"aaaa\">]><p>&a;</p>",
                "t.qde:1:1: the XML has a document type declaration",
            ),
            ("<p>&a;</p>", "t.qde:1:4: the entity `&a;` is not defined"),
            ("<p><q></p>", "t.qde:1:7: the XML is not well-formed"),
            ("<p><q>", "t.qde:1:7: the XML ends before its elements are closed"),
            ("<p a=\"&x;\"/>", "t.qde:1:1: attribute `a` of <p> cannot be read"),
        ];
        for (xml, expected) in cases {
            let err = parse(xml.as_bytes(), "t.qde").unwrap_err().to_string();
            assert!(err.starts_with(expected), "{xml}: {err}");
        }
        let deep = "<a>".repeat(MAX_DEPTH + 5);
        let err = parse(deep.as_bytes(), "t.qde").unwrap_err().to_string();
        assert!(err.contains("nested more than"), "{err}");
    }

    #[test]
    fn escapes_round_trip() {
        let s = "a&b<c>\"d\"\r\n\te\u{1}😀";
        let mut attr = String::new();
        escape_attr(s, &mut attr);
        let mut text = String::new();
        escape_text(s, &mut text);
        let xml = format!("<p a=\"{attr}\">{text}</p>");
        let root = parse(xml.as_bytes(), "t").unwrap();
        assert_eq!(root.attr("a"), Some("a&b<c>\"d\"\r\n\te\u{FFFD}😀"));
        assert_eq!(root.text, "a&b<c>\"d\"\r\n\te\u{FFFD}😀");
    }
}
