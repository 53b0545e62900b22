//! The mapping file of `crosscase import --map`: which variables hold the municipality and the other attributes, and
//! what to do with sources the export cannot place. See docs/qda-import.md.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::Diagnostic;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub project: ProjectMap,
    /// Which variable (or case attribute, or set prefix) holds each attribute, when its name is not one crosscase
    /// recognises on its own.
    #[serde(default)]
    pub variables: VariableMap,
    /// Attributes of single sources, by the source's name in the QDA tool.
    #[serde(default)]
    pub sources: BTreeMap<String, SourceMap>,
    /// Attributes of every source a case holds, by the case's name in the QDA tool (weaker than `[sources]`).
    #[serde(default)]
    pub cases: BTreeMap<String, SourceMap>,
    /// Dates of waves, by wave id.
    #[serde(default)]
    pub waves: BTreeMap<String, WaveMap>,
    /// Defaults for sources that say nothing.
    #[serde(default)]
    pub defaults: SourceMap,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectMap {
    pub name: Option<String>,
    pub language: Option<String>,
    pub disclosure_threshold: Option<u32>,
    pub free_site_ids: Option<bool>,
    pub primary_coder: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableMap {
    pub municipality: Option<String>,
    pub unit: Option<String>,
    pub wave: Option<String>,
    pub role: Option<String>,
    pub date: Option<String>,
    pub kind: Option<String>,
    pub setting: Option<String>,
    pub duration_minutes: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceMap {
    pub municipality: Option<String>,
    pub unit: Option<String>,
    pub wave: Option<String>,
    pub kind: Option<String>,
    pub date: Option<String>,
    pub setting: Option<String>,
    pub duration_minutes: Option<u32>,
    #[serde(default)]
    pub participants: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaveMap {
    pub name: Option<String>,
    pub start: String,
    pub end: String,
}

/// Reads a mapping file.
pub fn read_mapping(path: &Path) -> Result<Mapping, Diagnostic> {
    let bytes = crate::safe_file::read_regular(path)
        .map_err(|e| Diagnostic::file(path, format!("the mapping file is not read: {e}"), e.help()))?;
    let text = crate::text_file::decode_utf8(path, bytes)?;
    toml::from_str(&text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((0, None), |span| crate::native::line_column(&text, span.start));
        Diagnostic::file(
            path,
            format!("the mapping cannot be read: {}", e.message().trim()),
            "the tables are [project], [variables], [sources], [cases], [waves.<id>] and [defaults]; see docs/qda-import.md",
        )
        .at(line, column)
    })
}

/// The mapping file `crosscase import FILES --write-map FILE` writes: every source and every case of the exports,
/// each source's municipality filled in where crosscase can tell (with where it came from) and left empty, to be
/// filled in, where it cannot. A guess from a longer name is filled in with a comment saying that it is one.
pub fn mapping_template(
    files: &[crosscase_model::QdaProject],
    mapping: &Mapping,
    register: &crosscase_model::KommunRegister,
) -> String {
    use std::fmt::Write;
    let (placements, cases) = super::place::placements(files, mapping, register);
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let name = mapping
        .project
        .name
        .clone()
        .or_else(|| files.first().map(|f| f.name.clone()).filter(|n| !n.trim().is_empty()))
        .unwrap_or_else(|| "Imported project".to_string());
    let to_fill = placements.iter().filter(|p| p.municipality.is_none()).count();
    let mut out = String::new();
    let files_list: Vec<&str> = files.iter().map(|f| f.file.as_str()).collect();
    let _ = writeln!(
        out,
        "# The mapping of {} for `crosscase import --map`; see docs/qda-import.md.",
        files_list.join(" + ")
    );
    let _ = writeln!(
        out,
        "# {} sources, {} to fill in: write a kommunkod (\"0583\") or a name (\"Motala\") where `municipality` is empty.",
        placements.len(),
        to_fill
    );
    let _ = writeln!(
        out,
        "# When every source belongs to one municipality, set it under [defaults] instead."
    );
    out.push_str("\n[project]\n");
    let _ = writeln!(
        out,
        "name = {}   # a database holds projects by name: choose one that tells this project apart",
        q(&name)
    );
    out.push_str("# language = \"sv\"   # sv or en\n# disclosure_threshold = 5\n# free_site_ids = false   # true when the sites are not Swedish municipalities\n");
    out.push_str("\n[defaults]   # for every source that says nothing itself\n");
    match &mapping.defaults.municipality {
        Some(m) => {
            let _ = writeln!(out, "municipality = {}", q(m));
        }
        None => out.push_str("# municipality = \"0583\"\n"),
    }
    out.push_str("# kind = \"interview\"   # interview, observation, workshop or document\n");
    out.push_str("\n[sources]   # by the source's name in the QDA tool\n");
    for p in &placements {
        let key = toml_key(&p.source);
        match (&p.municipality, &p.guess) {
            (Some(m), _) => {
                let comment = comment_text(&p.why);
                let _ = writeln!(out, "{key} = {{ municipality = {} }}   # from {comment}", q(m));
            }
            (None, Some(g)) => {
                let kommun = register.get(g).map_or(g.as_str(), |k| k.name.as_str());
                let _ = writeln!(
                    out,
                    "{key} = {{ municipality = {} }}   # unsure: guessed from the name ({kommun}); check it",
                    q(g)
                );
            }
            (None, None) => {
                let _ = writeln!(
                    out,
                    "{key} = {{ municipality = \"\" }}   # fill in ({})",
                    comment_text(&p.why)
                );
            }
        }
    }
    if !cases.is_empty() {
        out.push_str("\n[cases]   # a case's municipality places every source it holds (weaker than [sources])\n");
        for c in &cases {
            let key = toml_key(&c.name);
            let holds = format!("holds {} source{}", c.sources, if c.sources == 1 { "" } else { "s" });
            match &c.municipality {
                Some(m) => {
                    let _ = writeln!(out, "{key} = {{ municipality = {} }}   # {holds}", q(m));
                }
                None => {
                    let _ = writeln!(out, "# {key} = {{ municipality = \"\" }}   # {holds}");
                }
            }
        }
    }
    out
}

/// Text for a TOML comment: one line.
fn comment_text(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// A TOML key, quoted when it needs to be.
pub(crate) fn toml_key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        k.to_string()
    } else {
        toml::Value::String(k.to_string()).to_string()
    }
}
