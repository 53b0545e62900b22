//! REFI-QDA 1.0 project (`.qde`, inside a `.qdpx`) and codebook (`.qdc`) files, as the standard describes them and
//! as real tools write them: any namespace version, the XML file named after the project, `sources/` or `Sources/`,
//! `plainTextPath` with or without `internal://`, texts with a byte-order mark, case membership written as codings
//! (NVivo), document variables on the source itself (MAXQDA) or in nameless cases.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crosscase_model::{QdaCase, QdaCode, QdaCoding, QdaProject, QdaSelection, QdaSet, QdaSource, QdaUser};

use super::archive::Archive;
use super::xml::{self, Element};
use crate::{Diagnostic, Diagnostics};

/// Where the texts a `.qde` refers to are found.
pub(crate) enum TextStore<'a> {
    /// Inside a `.qdpx`; `beside` is the folder the archive is in, for `relative://` sources.
    Archive { archive: &'a mut Archive, beside: PathBuf },
    /// A bare `.qde` with its sources folder in `dir`.
    Folder { dir: PathBuf },
}

impl TextStore<'_> {
    /// Reads the plain text a `plainTextPath` names, returning the text and where it was found.
    fn load(&mut self, spec: &str, base_path: Option<&str>) -> Result<(String, String), String> {
        let (scheme, rest) = match spec.split_once("://") {
            Some((s, r)) => (s.to_ascii_lowercase(), r),
            None => (String::new(), spec),
        };
        let rest = rest.trim();
        let unsafe_path = rest.starts_with('/')
            || rest.starts_with('\\')
            || rest.as_bytes().get(1) == Some(&b':')
            || rest.replace('\\', "/").split('/').any(|p| p == "..");
        if unsafe_path || scheme == "absolute" || scheme == "file" {
            return Err(format!(
                "`{spec}` points to a file outside the project; crosscase reads only texts inside the export"
            ));
        }
        let name = rest.replace('\\', "/");
        let file_name = name.rsplit('/').next().unwrap_or(&name).to_string();
        let mut candidates = vec![format!("sources/{name}"), format!("sources/{file_name}"), name.clone()];
        if scheme == "relative"
            && let Some(base) = base_path.filter(|b| !b.is_empty())
        {
            let base = base.replace('\\', "/");
            let base_name = base.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
            if !base_name.is_empty() {
                candidates.push(format!("{base_name}/{name}"));
            }
        }
        match self {
            TextStore::Archive { archive, beside } => {
                for c in &candidates {
                    if let Some(found) = archive.find(c).map(str::to_string) {
                        let bytes = archive.read(&found).map_err(|d| d.message)?;
                        return decode(&found, bytes).map(|t| (t, found));
                    }
                }
                if scheme == "relative" {
                    let path = beside.join(&name);
                    match crate::safe_file::read_inside(beside, Path::new(&name)) {
                        Ok(bytes) => {
                            let shown = path.display().to_string();
                            return decode(&shown, bytes).map(|t| (t, shown));
                        }
                        Err(crate::safe_file::Refused::Missing) => {}
                        Err(e) => return Err(format!("the text `{spec}` is not read: {e}; {}", e.help())),
                    }
                }
                Err(format!(
                    "the text `{spec}` is not in the archive (looked for `sources/{file_name}`)"
                ))
            }
            TextStore::Folder { dir } => {
                for c in &candidates {
                    let mut rel = PathBuf::from(c);
                    if std::fs::symlink_metadata(dir.join(&rel)).is_err() {
                        // `Sources/` (NVivo) as well as `sources/`.
                        if let Some(rest) = c.strip_prefix("sources/") {
                            rel = Path::new("Sources").join(rest);
                        }
                    }
                    let path = dir.join(&rel);
                    // The folder beside the .qde is untrusted too: nothing is read through a link leading out of
                    // it, and a FIFO is refused rather than opened.
                    match crate::safe_file::read_inside(dir, &rel) {
                        Ok(bytes) => {
                            let shown = path.display().to_string();
                            return decode(&shown, bytes).map(|t| (t, shown));
                        }
                        Err(crate::safe_file::Refused::Missing) => {}
                        Err(e) => {
                            return Err(format!(
                                "the text `{spec}` ({}) is not read: {e}; {}",
                                path.display(),
                                e.help()
                            ));
                        }
                    }
                }
                Err(format!(
                    "the text `{spec}` is not beside the .qde (looked for `sources/{file_name}` in {})",
                    dir.display()
                ))
            }
        }
    }
}

fn decode(shown: &str, bytes: Vec<u8>) -> Result<String, String> {
    crate::text_file::decode_utf8(Path::new(shown), bytes).map_err(|d| d.to_string())
}

/// Reads a `.qde` document (already parsed) into a [`QdaProject`], loading its texts from `texts`.
pub(crate) fn read_project(root: &Element, file: &str, texts: &mut TextStore<'_>) -> Result<QdaProject, Diagnostics> {
    let mut r = Reader {
        file,
        problems: Vec::new(),
        notes: HashMap::new(),
    };
    if root.name != "Project" {
        return Err(Diagnostics(vec![Diagnostic::file(
            file,
            format!("the root element is <{}>, not <Project>", root.name),
            "give a REFI-QDA project file (.qdpx or .qde), or a codebook (.qdc)",
        )]));
    }
    let base_path = root.attr("basePath").map(str::to_string);
    // Notes first: codings and selections refer to them by guid.
    if let Some(notes) = root.child("Notes") {
        for note in notes.children_named("Note") {
            let text = match note.child("PlainTextContent") {
                Some(c) => Some(c.text.clone()),
                None => note
                    .attr("plainTextPath")
                    .and_then(|p| texts.load(p, base_path.as_deref()).ok())
                    .map(|(t, _)| t),
            };
            let text = text.or_else(|| note.child_text("Description"));
            if let (Some(guid), Some(text)) = (note.attr("guid"), text) {
                r.notes.insert(norm_guid(guid), text.trim().to_string());
            }
        }
    }
    let users = root
        .child("Users")
        .map(|u| {
            u.children_named("User")
                .filter_map(|u| {
                    Some(QdaUser {
                        guid: norm_guid(u.attr("guid")?),
                        name: u
                            .attr("name")
                            .map(str::trim)
                            .filter(|n| !n.is_empty())
                            .map(str::to_string),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut codes = Vec::new();
    if let Some(book) = root.child("CodeBook") {
        r.codes(book, &mut codes);
    }
    let variables: HashMap<String, String> = root
        .child("Variables")
        .map(|v| {
            v.children_named("Variable")
                .filter_map(|v| Some((norm_guid(v.attr("guid")?), v.attr("name")?.trim().to_string())))
                .collect()
        })
        .unwrap_or_default();
    let mut cases: Vec<QdaCase> = Vec::new();
    if let Some(cs) = root.child("Cases") {
        for c in cs.children_named("Case") {
            cases.push(QdaCase {
                guid: norm_guid(c.attr("guid").unwrap_or_default()),
                name: c
                    .attr("name")
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string),
                variables: r.variable_values(c, &variables),
                sources: c
                    .children_named("SourceRef")
                    .filter_map(|s| s.attr("targetGUID"))
                    .map(norm_guid)
                    .collect(),
                selections: c
                    .children_named("SelectionRef")
                    .filter_map(|s| s.attr("targetGUID"))
                    .map(norm_guid)
                    .collect(),
            });
        }
    }
    let code_guids: HashSet<String> = codes.iter().map(|c: &QdaCode| c.guid.clone()).collect();
    let case_index: HashMap<String, usize> = cases.iter().enumerate().map(|(i, c)| (c.guid.clone(), i)).collect();
    let mut sources = Vec::new();
    let mut skipped = Vec::new();
    if let Some(ss) = root.child("Sources") {
        for s in &ss.children {
            let (el, kind) = match s.name.as_str() {
                "TextSource" => (Some(s), "text"),
                "PDFSource" => (s.child("Representation"), "PDF"),
                other => (None, other.trim_end_matches("Source")),
            };
            let name = s.attr("name").unwrap_or("(unnamed)").to_string();
            let Some(el) = el.filter(|el| el.attr("plainTextPath").is_some() || el.child("PlainTextContent").is_some())
            else {
                skipped.push(format!("{name} ({} source without plain text)", kind.to_lowercase()));
                continue;
            };
            if let Some(source) = r.text_source(s, el, texts, base_path.as_deref(), &variables) {
                sources.push(source);
            }
        }
    }
    // NVivo writes case membership as codings whose CodeRef is a case's guid.
    for source in &mut sources {
        let mut whole = Vec::new();
        for c in std::mem::take(&mut source.whole) {
            match case_index.get(&c.code) {
                Some(&i) if !code_guids.contains(&c.code) => cases[i].sources.push(source.guid.clone()),
                _ => whole.push(c),
            }
        }
        source.whole = whole;
        for sel in &mut source.selections {
            let mut kept = Vec::new();
            for c in std::mem::take(&mut sel.codings) {
                match case_index.get(&c.code) {
                    Some(&i) if !code_guids.contains(&c.code) => cases[i].selections.push(sel.guid.clone()),
                    _ => kept.push(c),
                }
            }
            sel.codings = kept;
        }
    }
    // Every coding must name a code of the codebook.
    for source in &sources {
        let refs = source.whole.iter().map(|c| (c, None)).chain(
            source
                .selections
                .iter()
                .flat_map(|s| s.codings.iter().map(move |c| (c, Some(s)))),
        );
        for (c, sel) in refs {
            if !code_guids.contains(&c.code) {
                let line = sel.map_or(0, |s| s.line);
                let what = sel.map_or_else(
                    || format!("a coding of the whole source `{}`", source.name),
                    |s| format!("selection {} of source `{}`", s.guid, source.name),
                );
                r.problems.push(
                    Diagnostic::file(
                        file,
                        format!("{what} refers to code {}, which is not in the codebook", c.code),
                        "export the project again; the codebook and the codings disagree",
                    )
                    .at(line, None),
                );
            }
        }
    }
    let sets = root
        .child("Sets")
        .map(|s| {
            s.children_named("Set")
                .map(|set| QdaSet {
                    name: set.attr("name").unwrap_or_default().trim().to_string(),
                    sources: set
                        .children_named("MemberSource")
                        .filter_map(|m| m.attr("targetGUID").or(m.attr("guid")))
                        .map(norm_guid)
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    if !r.problems.is_empty() {
        return Err(Diagnostics(r.problems));
    }
    Ok(QdaProject {
        file: file.to_string(),
        name: root.attr("name").unwrap_or_default().trim().to_string(),
        origin: root.attr("origin").unwrap_or_default().trim().to_string(),
        description: root.child_text("Description"),
        offset_unit: None,
        users,
        codes,
        sources,
        cases,
        sets,
        skipped_sources: skipped,
    })
}

/// Reads a `.qdc` codebook into a [`QdaProject`] that has only codes.
pub(crate) fn read_codebook(root: &Element, file: &str) -> Result<QdaProject, Diagnostics> {
    if root.name != "CodeBook" {
        return Err(Diagnostics(vec![Diagnostic::file(
            file,
            format!("the root element is <{}>, not <CodeBook>", root.name),
            "a .qdc file is a REFI-QDA codebook; give a .qdpx or .qde for a whole project",
        )]));
    }
    let mut r = Reader {
        file,
        problems: Vec::new(),
        notes: HashMap::new(),
    };
    let mut codes = Vec::new();
    r.codes(root, &mut codes);
    if !r.problems.is_empty() {
        return Err(Diagnostics(r.problems));
    }
    let name = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(QdaProject {
        file: file.to_string(),
        name,
        origin: root.attr("origin").unwrap_or_default().trim().to_string(),
        codes,
        ..QdaProject::default()
    })
}

/// Guids compare without braces and case.
fn norm_guid(g: &str) -> String {
    g.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_lowercase()
}

struct Reader<'f> {
    file: &'f str,
    problems: Vec<Diagnostic>,
    notes: HashMap<String, String>,
}

impl Reader<'_> {
    fn missing(&mut self, el: &Element, attr: &str) {
        self.problems.push(
            Diagnostic::file(
                self.file,
                format!("<{}> has no `{attr}`", el.name),
                "the REFI-QDA standard requires it; export the project again",
            )
            .at(el.line, None),
        );
    }

    /// Codes under a CodeBook (`Codes/Code`) or a Code, parents before children.
    fn codes(&mut self, parent: &Element, out: &mut Vec<QdaCode>) {
        let list: Vec<&Element> = match parent.name.as_str() {
            "Code" => parent.children_named("Code").collect(),
            _ => parent
                .children_named("Codes")
                .flat_map(|c| c.children_named("Code"))
                .collect(),
        };
        let parent_guid = (parent.name == "Code")
            .then(|| parent.attr("guid").map(norm_guid))
            .flatten();
        for c in list {
            let Some(guid) = c.attr("guid").map(norm_guid) else {
                self.missing(c, "guid");
                continue;
            };
            let Some(name) = c.attr("name") else {
                self.missing(c, "name");
                continue;
            };
            let codable = !c
                .attr("isCodable")
                .is_some_and(|v| v.trim() == "false" || v.trim() == "0");
            let description = c.child_text("Description").or_else(|| self.memo(c));
            out.push(QdaCode {
                guid,
                name: name.trim().to_string(),
                parent: parent_guid.clone(),
                codable,
                colour: c.attr("color").and_then(normal_colour),
                description,
            });
            self.codes(c, out);
        }
    }

    fn variable_values(&self, el: &Element, variables: &HashMap<String, String>) -> Vec<(String, String)> {
        el.children_named("VariableValue")
            .filter_map(|v| {
                let guid = norm_guid(v.child("VariableRef")?.attr("targetGUID")?);
                let name = variables.get(&guid)?.clone();
                let value = v
                    .children
                    .iter()
                    .find(|c| c.name.ends_with("Value"))
                    .map(|c| c.text.trim().to_string())?;
                Some((name, value))
            })
            .collect()
    }

    fn memo(&self, el: &Element) -> Option<String> {
        let memos: Vec<String> = el
            .children_named("NoteRef")
            .filter_map(|n| n.attr("targetGUID"))
            .filter_map(|g| self.notes.get(&norm_guid(g)).cloned())
            .filter(|m| !m.is_empty())
            .collect();
        (!memos.is_empty()).then(|| memos.join("\n\n"))
    }

    fn coding(&mut self, c: &Element) -> Option<QdaCoding> {
        let Some(code) = c.child("CodeRef").and_then(|r| r.attr("targetGUID")) else {
            self.missing(c, "CodeRef");
            return None;
        };
        Some(QdaCoding {
            code: norm_guid(code),
            user: c.attr("creatingUser").map(norm_guid),
            memo: self.memo(c),
        })
    }

    fn text_source(
        &mut self,
        outer: &Element,
        el: &Element,
        texts: &mut TextStore<'_>,
        base_path: Option<&str>,
        variables: &HashMap<String, String>,
    ) -> Option<QdaSource> {
        let Some(guid) = outer.attr("guid").map(norm_guid) else {
            self.missing(outer, "guid");
            return None;
        };
        let name = outer.attr("name").unwrap_or(&guid).trim().to_string();
        let (text, text_origin) = match (el.child("PlainTextContent"), el.attr("plainTextPath")) {
            (Some(content), _) => {
                let t = &content.text;
                (
                    t.strip_prefix('\u{FEFF}').unwrap_or(t).to_string(),
                    "PlainTextContent".to_string(),
                )
            }
            (None, Some(path)) => match texts.load(path, base_path) {
                Ok(found) => found,
                Err(message) => {
                    self.problems.push(
                        Diagnostic::file(
                            self.file,
                            format!("source `{name}`: {message}"),
                            "export the project again with its sources (a .qdpx holds them in `sources/`)",
                        )
                        .at(outer.line, None),
                    );
                    return None;
                }
            },
            (None, None) => unreachable!("filtered by the caller"),
        };
        let mut selections = Vec::new();
        for s in el.children_named("PlainTextSelection") {
            let guid = s.attr("guid").map(norm_guid).unwrap_or_default();
            let pos = |attr: &str| s.attr(attr).and_then(|v| v.trim().parse::<i64>().ok());
            let (Some(start), Some(end)) = (pos("startPosition"), pos("endPosition")) else {
                self.problems.push(
                    Diagnostic::file(
                        self.file,
                        format!(
                            "selection {guid} of source `{name}` has no whole-number startPosition and endPosition"
                        ),
                        "export the project again; every PlainTextSelection needs both",
                    )
                    .at(s.line, None),
                );
                continue;
            };
            let codings = s.children_named("Coding").filter_map(|c| self.coding(c)).collect();
            let mut memo = [s.child_text("Description"), self.memo(s)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n\n");
            memo = memo.trim().to_string();
            selections.push(QdaSelection {
                guid,
                start,
                end,
                creating_user: s.attr("creatingUser").map(norm_guid),
                codings,
                memo: (!memo.is_empty()).then_some(memo),
                quote: None,
                line: s.line,
            });
        }
        let whole = el.children_named("Coding").filter_map(|c| self.coding(c)).collect();
        let mut vars = self.variable_values(outer, variables);
        if !std::ptr::eq(outer, el) {
            vars.extend(self.variable_values(el, variables));
        }
        Some(QdaSource {
            guid,
            name,
            text_origin,
            text,
            description: outer.child_text("Description"),
            creating_user: outer.attr("creatingUser").map(norm_guid),
            variables: vars,
            selections,
            whole,
        })
    }
}

/// `#rrggbb` from what tools write: `#RGB`, `#RRGGBB`, `#RRGGBBAA`, or `rgb(r, g, b)`; anything else is dropped.
fn normal_colour(v: &str) -> Option<String> {
    let v = v.trim();
    if let Some(hex) = v.strip_prefix('#') {
        if hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return match hex.len() {
                3 => Some(format!("#{}", hex.chars().flat_map(|c| [c, c]).collect::<String>()).to_lowercase()),
                6 | 8 => Some(format!("#{}", &hex[..6]).to_lowercase()),
                _ => None,
            };
        }
        return None;
    }
    let inner = v.strip_prefix("rgb(").or(v.strip_prefix("rgba("))?.strip_suffix(')')?;
    let parts: Vec<u8> = inner.split(',').take(3).filter_map(|p| p.trim().parse().ok()).collect();
    (parts.len() == 3).then(|| format!("#{:02x}{:02x}{:02x}", parts[0], parts[1], parts[2]))
}

/// Parses the XML of a `.qde` or `.qdc`.
pub(crate) fn parse_xml(bytes: &[u8], file: &str) -> Result<Element, Diagnostics> {
    xml::parse(bytes, file).map_err(|d| Diagnostics(vec![d]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours() {
        for (v, want) in [
            ("#FF00aa", Some("#ff00aa")),
            ("#f0a", Some("#ff00aa")),
            ("#11223344", Some("#112233")),
            ("rgb(255, 0, 16)", Some("#ff0010")),
            ("red", None),
            ("#12", None),
        ] {
            assert_eq!(normal_colour(v).as_deref(), want, "{v}");
        }
    }
}
