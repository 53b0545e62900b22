//! What a pack publishes, machine-readable (`figures.json` in every pack), and the disclosure audit over all packs
//! of a project together: for every suppressed count, the range an attacker narrows it to from everything published.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::bounds::{Range, Sum, propagate};

/// How a count appears in a pack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Shown with its value.
    Shown,
    /// Shown as "suppressed".
    Suppressed,
    /// Not shown anywhere (a row total, the waves between the first and the last), but part of the table's
    /// structure, which everyone knows.
    Unpublished,
}

/// One count. Keys name municipalities only by their letter, so the file names no other municipality.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedCell {
    pub key: String,
    pub status: Status,
    /// The count, when shown.
    #[serde(default)]
    pub value: Option<u64>,
    /// What an attacker knows bounds it from above (a published base), when it is not shown.
    #[serde(default)]
    pub max: Option<u64>,
}

/// `total = Σ parts`, by key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    pub total: String,
    pub parts: Vec<String>,
}

/// Everything one pack publishes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedFigures {
    /// The letter of the pack's own municipality.
    pub pack: String,
    pub threshold: u32,
    pub cells: Vec<PublishedCell>,
    pub relations: Vec<Relation>,
    /// The recorded run the figures come from, when the packs were written from a project database.
    #[serde(default)]
    pub run: Option<RunStamp>,
}

/// Which recorded run a pack's figures come from: `crosscase runs show <id>` gives its parameters, and the content
/// hash names the version of the project that was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStamp {
    pub id: i64,
    pub content_hash: String,
    pub crosscase_version: String,
}

/// A suppressed count and what an attacker can narrow it to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditedCell {
    pub key: String,
    pub low: u64,
    /// `None`: unbounded above.
    pub high: Option<u64>,
    pub pinned: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DisclosureAudit {
    pub threshold: u32,
    pub cells: Vec<AuditedCell>,
    /// Counts that two packs publish with different values, or relations the published values contradict.
    pub conflicts: Vec<String>,
}

impl DisclosureAudit {
    pub fn leaks(&self) -> usize {
        self.cells.iter().filter(|c| c.pinned).count() + self.conflicts.len()
    }
}

/// Audits all packs of a project together: a count shown in any pack is known; a count suppressed everywhere is
/// bounded by every relation any pack implies. The threshold is the largest any pack states.
pub fn audit_disclosure(packs: &[PublishedFigures]) -> DisclosureAudit {
    let threshold = packs.iter().map(|p| p.threshold).max().unwrap_or(0);
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut ranges: Vec<Range> = Vec::new();
    let mut suppressed: BTreeMap<&str, usize> = BTreeMap::new();
    let mut conflicts = Vec::new();
    // Borrowing keys from `packs` for the whole function: collect them first.
    let keys: Vec<&str> = packs
        .iter()
        .flat_map(|p| p.cells.iter().map(|c| c.key.as_str()))
        .chain(
            packs
                .iter()
                .flat_map(|p| p.relations.iter())
                .flat_map(|r| std::iter::once(r.total.as_str()).chain(r.parts.iter().map(String::as_str))),
        )
        .collect();
    for k in &keys {
        let n = index.len();
        index.entry(k).or_insert_with(|| {
            ranges.push(Range::unknown(None));
            n
        });
    }
    for p in packs {
        for c in &p.cells {
            let i = index[c.key.as_str()];
            match (c.status, c.value) {
                (Status::Shown, Some(v)) => {
                    let r = ranges[i];
                    if r.high == Some(r.low) && r.low != v {
                        conflicts.push(format!("{} is published as {} and as {v}", c.key, r.low));
                    }
                    ranges[i] = Range::point(v);
                }
                _ => {
                    if let Some(max) = c.max {
                        let r = &mut ranges[i];
                        r.high = Some(r.high.map_or(max, |h| h.min(max)).max(r.low));
                    }
                    if c.status == Status::Suppressed {
                        suppressed.insert(c.key.as_str(), i);
                    }
                }
            }
        }
    }
    // A count shown in one pack is not suppressed, even if another pack hides it: it is known.
    let shown: Vec<&str> = packs
        .iter()
        .flat_map(|p| p.cells.iter())
        .filter(|c| c.status == Status::Shown)
        .map(|c| c.key.as_str())
        .collect();
    for k in shown {
        if let Some(i) = suppressed.remove(k) {
            conflicts.push(format!(
                "{k} is suppressed in one pack and shown in another ({})",
                ranges[i].low
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let sums: Vec<Sum> = packs
        .iter()
        .flat_map(|p| p.relations.iter())
        .filter(|r| seen.insert((r.total.as_str(), r.parts.clone())))
        .map(|r| Sum {
            total: index[r.total.as_str()],
            parts: r.parts.iter().map(|k| index[k.as_str()]).collect(),
        })
        .collect();
    if !propagate(&mut ranges, &sums) {
        conflicts.push("the published figures contradict the tables' totals".to_string());
    }
    let cells = suppressed
        .into_iter()
        .map(|(key, i)| AuditedCell {
            key: key.to_string(),
            low: ranges[i].low,
            high: ranges[i].high,
            pinned: ranges[i].pinned(u64::from(threshold)),
        })
        .collect();
    DisclosureAudit {
        threshold,
        cells,
        conflicts,
    }
}
