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
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::file(path, format!("cannot read the file: {e}"), ""))?;
    let text = crate::text_file::decode_utf8(path, bytes)?;
    toml::from_str(&text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((0, None), |span| crate::native::line_column(&text, span.start));
        Diagnostic::file(
            path,
            format!("the mapping cannot be read: {}", e.message().trim()),
            "the tables are [project], [variables], [sources], [waves.<id>] and [defaults]; see docs/qda-import.md",
        )
        .at(line, column)
    })
}
