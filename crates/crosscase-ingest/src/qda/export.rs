//! Writing a project as a REFI-QDA 1.0 `.qdpx`, so that coded data can go back to a QDA tool.
//!
//! Positions are code points, as the standard says; texts go to `sources/<guid>.txt` in UTF-8. What REFI-QDA has
//! no place for travels where a QDA tool keeps it visible and intact: municipalities, units, waves and participants
//! are cases with variables (a variable `crosscase` says which they are), a source's kind, date, setting and
//! duration are variables on the source, and a code's crosscase id and both labels are the last line of its
//! description (`crosscase: {...}`), as the project's settings are of the project's description.
//! Guids are derived from ids, so the same project always gives the same file.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crosscase_model::Project;
use sha2::{Digest, Sha256};

use super::place::MARKER;
use super::xml::{escape_attr, escape_text};

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    pub sources: u64,
    pub codes: u64,
    pub codings: u64,
    pub coders: u64,
    pub cases: u64,
}

/// A stable guid for a record of a kind.
fn guid(kind: &str, id: &str) -> String {
    let h = Sha256::digest(format!("crosscase:{kind}:{id}").as_bytes());
    let x: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-5{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[13..16],
        &x[16..20],
        &x[20..32]
    )
}

struct Xml(String);

impl Xml {
    fn open(&mut self, depth: usize, name: &str, attrs: &[(&str, &str)], empty: bool) {
        self.0.push_str(&"  ".repeat(depth));
        self.0.push('<');
        self.0.push_str(name);
        for (k, v) in attrs {
            let _ = write!(self.0, " {k}=\"");
            escape_attr(v, &mut self.0);
            self.0.push('"');
        }
        self.0.push_str(if empty { "/>\n" } else { ">\n" });
    }

    fn close(&mut self, depth: usize, name: &str) {
        let _ = writeln!(self.0, "{}</{name}>", "  ".repeat(depth));
    }

    fn text_element(&mut self, depth: usize, name: &str, text: &str) {
        let _ = write!(self.0, "{}<{name}>", "  ".repeat(depth));
        escape_text(text, &mut self.0);
        let _ = writeln!(self.0, "</{name}>");
    }
}

const VARIABLES: [(&str, &str); 10] = [
    ("crosscase", "Text"),
    ("kommunkod", "Text"),
    ("unit", "Text"),
    ("wave", "Text"),
    ("wave_start", "Date"),
    ("wave_end", "Date"),
    ("role", "Text"),
    ("kind", "Text"),
    ("date", "Date"),
    ("setting", "Text"),
];
const DURATION: (&str, &str) = ("duration_minutes", "Integer");

fn variable_value(x: &mut Xml, depth: usize, name: &str, value: &str) {
    let ty = VARIABLES
        .iter()
        .chain([&DURATION])
        .find(|(n, _)| *n == name)
        .map_or("Text", |(_, t)| *t);
    x.open(depth, "VariableValue", &[], false);
    x.open(
        depth + 1,
        "VariableRef",
        &[("targetGUID", &guid("variable", name))],
        true,
    );
    x.text_element(depth + 1, &format!("{ty}Value"), value);
    x.close(depth, "VariableValue");
}

/// Writes `project` as a `.qdpx` at `path`. Sources without text cannot be coded in a QDA tool: they are refused,
/// named, rather than written empty.
pub fn write_qdpx(project: &Project, path: &Path) -> Result<ExportSummary, String> {
    let without_text: Vec<&str> = project
        .sources
        .iter()
        .filter(|s| s.text.is_none())
        .map(|s| s.id.as_str())
        .collect();
    if !without_text.is_empty() {
        return Err(format!(
            "{} sources have no text in the database ({}{}), and a QDA tool needs the text a coding points into; ingest the project with its texts first",
            without_text.len(),
            without_text.iter().take(10).copied().collect::<Vec<_>>().join(", "),
            if without_text.len() > 10 { ", …" } else { "" }
        ));
    }
    let (xml, summary) = project_xml(project);
    let file = std::fs::File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .large_file(false);
    let io = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let zerr = |e: zip::result::ZipError| format!("cannot write {}: {e}", path.display());
    zip.start_file("project.qde", options).map_err(zerr)?;
    zip.write_all(xml.as_bytes()).map_err(io)?;
    for s in &project.sources {
        let name = format!("sources/{}.txt", guid("source", &s.id));
        let big = s.text.as_ref().map_or(0, String::len) >= u32::MAX as usize;
        zip.start_file(name, options.large_file(big)).map_err(zerr)?;
        zip.write_all(s.text.as_deref().unwrap_or_default().as_bytes())
            .map_err(io)?;
    }
    zip.finish().map_err(zerr)?.flush().map_err(io)?;
    Ok(summary)
}

/// The project XML (`project.qde`).
pub(crate) fn project_xml(project: &Project) -> (String, ExportSummary) {
    let settings = &project.settings;
    let mut x = Xml(String::with_capacity(1 << 20));
    x.0.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let origin = format!("crosscase {}", env!("CARGO_PKG_VERSION"));
    x.open(
        0,
        "Project",
        &[
            ("xmlns", "urn:QDA-XML:project:1.0"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:schemaLocation",
                "urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd",
            ),
            ("name", &settings.name),
            ("origin", &origin),
        ],
        false,
    );
    let coders: BTreeSet<&str> = project.codings.iter().map(|c| c.coder.as_str()).collect();
    if !coders.is_empty() {
        x.open(1, "Users", &[], false);
        for c in &coders {
            x.open(2, "User", &[("guid", &guid("user", c)), ("name", c)], true);
        }
        x.close(1, "Users");
    }
    if !project.codes.is_empty() {
        let mut children: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
        for (i, c) in project.codes.iter().enumerate() {
            children.entry(c.parent.as_deref()).or_default().push(i);
        }
        x.open(1, "CodeBook", &[], false);
        x.open(2, "Codes", &[], false);
        fn code(x: &mut Xml, project: &Project, children: &BTreeMap<Option<&str>, Vec<usize>>, i: usize, depth: usize) {
            let c = &project.codes[i];
            let marker = serde_json::json!({"id": c.id, "sv": c.label_sv, "en": c.label_en});
            let description = match &c.description {
                Some(d) => format!("{d}\n\n{MARKER} {marker}"),
                None => format!("{MARKER} {marker}"),
            };
            let g = guid("code", &c.id);
            let mut attrs = vec![
                ("guid", g.as_str()),
                ("name", c.label(project.settings.language)),
                ("isCodable", if c.codable { "true" } else { "false" }),
            ];
            if let Some(colour) = &c.colour {
                attrs.push(("color", colour.as_str()));
            }
            x.open(depth, "Code", &attrs, false);
            x.text_element(depth + 1, "Description", &description);
            for &k in children.get(&Some(c.id.as_str())).map_or(&[][..], Vec::as_slice) {
                code(x, project, children, k, depth + 1);
            }
            x.close(depth, "Code");
        }
        for &i in children.get(&None).map_or(&[][..], Vec::as_slice) {
            code(&mut x, project, &children, i, 3);
        }
        x.close(2, "Codes");
        x.close(1, "CodeBook");
    }
    x.open(1, "Variables", &[], false);
    for (name, ty) in VARIABLES.iter().chain([&DURATION]) {
        x.open(
            2,
            "Variable",
            &[
                ("guid", &guid("variable", name)),
                ("name", name),
                ("typeOfVariable", ty),
            ],
            true,
        );
    }
    x.close(1, "Variables");

    // Cases: municipalities, units, waves and participants, each holding its sources.
    let mut cases = 0u64;
    let source_guid = |id: &str| guid("source", id);
    // Project.xsd wants at least one `Case` inside `Cases`: a project without any writes no `Cases` at all.
    let any_case = !(project.municipalities.is_empty()
        && project.units.is_empty()
        && project.waves.is_empty()
        && project.participants.is_empty());
    if any_case {
        x.open(1, "Cases", &[], false);
    }
    let mut case = |x: &mut Xml, kind: &str, id: &str, name: &str, vars: &[(&str, String)], sources: Vec<&str>| {
        cases += 1;
        x.open(2, "Case", &[("guid", &guid(kind, id)), ("name", name)], false);
        variable_value(x, 3, "crosscase", kind);
        for (k, v) in vars {
            variable_value(x, 3, k, v);
        }
        for s in sources {
            x.open(3, "SourceRef", &[("targetGUID", &source_guid(s))], true);
        }
        x.close(2, "Case");
    };
    for m in &project.municipalities {
        let sources = project
            .sources
            .iter()
            .filter(|s| s.municipality == m.code)
            .map(|s| s.id.as_str())
            .collect();
        case(
            &mut x,
            "municipality",
            &m.code,
            &m.name,
            &[("kommunkod", m.code.clone())],
            sources,
        );
    }
    for u in &project.units {
        let sources = project
            .sources
            .iter()
            .filter(|s| s.unit.as_deref() == Some(u.id.as_str()))
            .map(|s| s.id.as_str())
            .collect();
        let vars = [("unit", u.id.clone()), ("kommunkod", u.municipality.clone())];
        case(&mut x, "unit", &u.id, &u.name, &vars, sources);
    }
    for w in &project.waves {
        let sources = project
            .sources
            .iter()
            .filter(|s| s.wave.as_deref() == Some(w.id.as_str()))
            .map(|s| s.id.as_str())
            .collect();
        let vars = [
            ("wave", w.id.clone()),
            ("wave_start", w.start.to_string()),
            ("wave_end", w.end.to_string()),
        ];
        case(&mut x, "wave", &w.id, &w.name, &vars, sources);
    }
    for p in &project.participants {
        let sources = project
            .sources
            .iter()
            .filter(|s| s.participants.contains(&p.id))
            .map(|s| s.id.as_str())
            .collect();
        let mut vars = vec![
            ("role", p.role.as_str().to_string()),
            ("kommunkod", p.municipality.clone()),
        ];
        if let Some(u) = &p.unit {
            vars.push(("unit", u.clone()));
        }
        case(&mut x, "participant", &p.id, &p.id, &vars, sources);
    }
    if any_case {
        x.close(1, "Cases");
    }

    // Sources with their selections; memos become notes.
    let mut notes: Vec<(String, String)> = Vec::new();
    let mut by_source: BTreeMap<&str, BTreeMap<(u64, u64), Vec<usize>>> = BTreeMap::new();
    for (i, c) in project.codings.iter().enumerate() {
        by_source
            .entry(c.source.as_str())
            .or_default()
            .entry((c.start, c.end))
            .or_default()
            .push(i);
    }
    if !project.sources.is_empty() {
        x.open(1, "Sources", &[], false);
        for s in &project.sources {
            let g = source_guid(&s.id);
            let path = format!("internal://{g}.txt");
            x.open(
                2,
                "TextSource",
                &[("guid", &g), ("name", &s.id), ("plainTextPath", &path)],
                false,
            );
            if let Some(t) = &s.title {
                x.text_element(3, "Description", t);
            }
            for (&(start, end), codings) in by_source.get(s.id.as_str()).into_iter().flatten() {
                let sel = guid("selection", &format!("{}:{start}:{end}", s.id));
                let (a, b) = (start.to_string(), end.to_string());
                x.open(
                    3,
                    "PlainTextSelection",
                    &[("guid", &sel), ("startPosition", &a), ("endPosition", &b)],
                    false,
                );
                for &i in codings {
                    let c = &project.codings[i];
                    let cg = guid("coding", &format!("{}:{start}:{end}:{}:{}", s.id, c.code, c.coder));
                    x.open(
                        4,
                        "Coding",
                        &[("guid", &cg), ("creatingUser", &guid("user", &c.coder))],
                        false,
                    );
                    x.open(5, "CodeRef", &[("targetGUID", &guid("code", &c.code))], true);
                    if let Some(memo) = &c.memo {
                        let ng = guid("note", &cg);
                        x.open(5, "NoteRef", &[("targetGUID", &ng)], true);
                        notes.push((ng, memo.clone()));
                    }
                    x.close(4, "Coding");
                }
                x.close(3, "PlainTextSelection");
            }
            let kind = s.kind.as_str().to_string();
            variable_value(&mut x, 3, "kind", &kind);
            if let Some(d) = s.date {
                variable_value(&mut x, 3, "date", &d.to_string());
            }
            if let Some(v) = &s.setting {
                variable_value(&mut x, 3, "setting", v);
            }
            if let Some(d) = s.duration_minutes {
                variable_value(&mut x, 3, "duration_minutes", &d.to_string());
            }
            x.close(2, "TextSource");
        }
        x.close(1, "Sources");
    }
    if !notes.is_empty() {
        x.open(1, "Notes", &[], false);
        for (g, memo) in &notes {
            x.open(2, "Note", &[("guid", g), ("name", "memo")], false);
            x.text_element(3, "PlainTextContent", memo);
            x.close(2, "Note");
        }
        x.close(1, "Notes");
    }
    if !project.sets.is_empty() {
        x.open(1, "Sets", &[], false);
        for set in &project.sets {
            x.open(
                2,
                "Set",
                &[("guid", &guid("set", &set.name)), ("name", &set.name)],
                false,
            );
            for s in &set.sources {
                x.open(3, "MemberSource", &[("targetGUID", &source_guid(s))], true);
            }
            x.close(2, "Set");
        }
        x.close(1, "Sets");
    }
    let marker = serde_json::json!({
        "language": settings.language.as_str(),
        "disclosure_threshold": settings.disclosure_threshold,
        "free_site_ids": settings.free_site_ids,
        "primary_coder": settings.primary_coder,
    });
    x.text_element(
        1,
        "Description",
        &format!("Exported by crosscase.\n\n{MARKER} {marker}"),
    );
    x.close(0, "Project");
    let summary = ExportSummary {
        sources: project.sources.len() as u64,
        codes: project.codes.len() as u64,
        codings: project.codings.len() as u64,
        coders: coders.len() as u64,
        cases,
    };
    (x.0, summary)
}
