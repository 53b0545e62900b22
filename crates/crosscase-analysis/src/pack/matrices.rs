//! The research team's matrices by role, unit and wave (`crosscase serve`), disclosure-checked against everything
//! the packs publish.
//!
//! The packs' own figures stay as the pack model decided them: here they are fixed knowledge (a shown count is known,
//! a suppressed one is bounded by what its pack says of it). Each matrix cell is hidden when fewer people than the
//! threshold stand behind it (as a pack's cell is), and then more cells of the matrices are hidden until no
//! suppressed count, a pack's or a matrix's, can be worked out from the packs and the matrices together with the same
//! interval bounds `crosscase audit --disclosure` uses. One table per code holds the packs' cells of that code and the
//! three matrices' cells, tied by the sums an attacker knows:
//! - waves: the code's sources over all municipalities are the sum of its sources per wave (and those without a
//!   wave), and a wave's pooled count is the sum of the packs' wave figures of that wave;
//! - units: a municipality's count is the sum of its units' counts (and of its sources without a unit);
//! - roles: a source with participants in several roles counts in each of them, so the sums run over the sources'
//!   exact sets of roles, which no one publishes: the code's count is the sum over the sets, and a role's count the
//!   sum over the sets that hold it.
//!
//! A column behind fewer people than the threshold is hidden in every row, so its number of sources is published
//! nowhere; what an attacker can still work out is the rest of a sum beside the columns that are shown (a
//! municipality's sources outside its shown units, the sources outside the shown waves or without a shown role). That
//! rest is a group of people too: when it is behind fewer people than the threshold, it is protected like a
//! suppressed cell.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crosscase_model::{Corpus, Role};
use rayon::prelude::*;
use serde::Serialize;

use super::bounds::{Range, Sum, propagate};
use super::figures::Status;
use super::{Cell, Figure, Hidden, PackInputs, PackModel, Place, Table};
use crate::error::AnalysisError;
use crate::grouped::{GroupedCounts, Groups, grouped_counts};

/// What a matrix's columns are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// The roles of a source's participants: a source with a top manager and an employee is in both columns.
    Role,
    Unit,
    Wave,
}

impl GroupBy {
    pub const ALL: [GroupBy; 3] = [GroupBy::Role, GroupBy::Unit, GroupBy::Wave];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Role => "role",
            GroupBy::Unit => "unit",
            GroupBy::Wave => "wave",
        }
    }
}

/// A column of a matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupColumn {
    /// A role as stored (`top_manager`), a unit id or a wave id.
    pub id: String,
    /// For a unit, its municipality (index into the corpus' municipalities).
    pub municipality: Option<usize>,
}

/// A code × group matrix as the research team may see it: `cells[code][column]`, sources with the code (or a code
/// below it) of the column's sources, each shown or hidden with its reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupMatrix {
    pub by: GroupBy,
    pub columns: Vec<GroupColumn>,
    pub cells: Vec<Vec<Figure>>,
}

/// Counts of one grouping: which columns, and per (code, column) the sources and people.
struct Grouping {
    columns: Vec<GroupColumn>,
    counts: GroupedCounts,
}

fn count(
    corpus: &Corpus,
    names: Vec<String>,
    sources: Vec<(u32, u32)>,
    participants: Vec<(u32, u32, u32)>,
) -> Result<GroupedCounts, AnalysisError> {
    grouped_counts(
        corpus,
        &Groups {
            names,
            sources,
            participants,
        },
    )
}

fn by_wave(corpus: &Corpus) -> Result<Grouping, AnalysisError> {
    let mut sources = Vec::new();
    let mut participants = Vec::new();
    for (i, s) in corpus.sources.iter().enumerate() {
        if let Some(w) = s.wave {
            sources.push((i as u32, w));
            participants.extend(s.participants.iter().map(|&p| (i as u32, p, w)));
        }
    }
    let columns = corpus
        .waves
        .iter()
        .map(|w| GroupColumn {
            id: w.clone(),
            municipality: None,
        })
        .collect();
    Ok(Grouping {
        columns,
        counts: count(corpus, corpus.waves.clone(), sources, participants)?,
    })
}

fn by_unit(corpus: &Corpus) -> Result<Grouping, AnalysisError> {
    // A unit belongs to one municipality; (municipality, unit) keeps them apart even if an id were reused.
    let units: BTreeSet<(u32, &str)> = corpus
        .sources
        .iter()
        .filter_map(|s| s.unit.as_deref().map(|u| (s.municipality, u)))
        .collect();
    let index: HashMap<(u32, &str), u32> = units.iter().enumerate().map(|(k, &u)| (u, k as u32)).collect();
    let mut sources = Vec::new();
    let mut participants = Vec::new();
    for (i, s) in corpus.sources.iter().enumerate() {
        if let Some(u) = s.unit.as_deref() {
            let g = index[&(s.municipality, u)];
            sources.push((i as u32, g));
            participants.extend(s.participants.iter().map(|&p| (i as u32, p, g)));
        }
    }
    let columns: Vec<GroupColumn> = units
        .iter()
        .map(|&(m, u)| GroupColumn {
            id: u.to_string(),
            municipality: Some(m as usize),
        })
        .collect();
    let names = columns.iter().map(|c| c.id.clone()).collect();
    Ok(Grouping {
        columns,
        counts: count(corpus, names, sources, participants)?,
    })
}

/// The roles present, and each source's exact set of roles (as an index into the sets, `None` without participants).
fn role_sets(corpus: &Corpus) -> (Vec<Role>, Vec<BTreeSet<Role>>, Vec<Option<u32>>) {
    let role = |p: u32| corpus.participants[p as usize].role;
    let roles: BTreeSet<Role> = corpus
        .sources
        .iter()
        .flat_map(|s| s.participants.iter().map(|&p| role(p)))
        .collect();
    let mut sets: Vec<BTreeSet<Role>> = Vec::new();
    let mut set_index: BTreeMap<BTreeSet<Role>, u32> = BTreeMap::new();
    let of_source: Vec<Option<u32>> = corpus
        .sources
        .iter()
        .map(|s| {
            let set: BTreeSet<Role> = s.participants.iter().map(|&p| role(p)).collect();
            (!set.is_empty()).then(|| {
                *set_index.entry(set.clone()).or_insert_with(|| {
                    sets.push(set);
                    sets.len() as u32 - 1
                })
            })
        })
        .collect();
    (roles.into_iter().collect(), sets, of_source)
}

fn by_role(corpus: &Corpus, roles: &[Role]) -> Result<Grouping, AnalysisError> {
    let index: HashMap<Role, u32> = roles.iter().enumerate().map(|(k, &r)| (r, k as u32)).collect();
    let mut sources = Vec::new();
    let mut participants = Vec::new();
    for (i, s) in corpus.sources.iter().enumerate() {
        let mut groups: Vec<u32> = s
            .participants
            .iter()
            .map(|&p| index[&corpus.participants[p as usize].role])
            .collect();
        groups.sort_unstable();
        groups.dedup();
        sources.extend(groups.iter().map(|&g| (i as u32, g)));
        // A participant counts in the group of their own role only.
        participants.extend(
            s.participants
                .iter()
                .map(|&p| (i as u32, p, index[&corpus.participants[p as usize].role])),
        );
    }
    let columns: Vec<GroupColumn> = roles
        .iter()
        .map(|r| GroupColumn {
            id: r.as_str().to_string(),
            municipality: None,
        })
        .collect();
    let names = columns.iter().map(|c| c.id.clone()).collect();
    Ok(Grouping {
        columns,
        counts: count(corpus, names, sources, participants)?,
    })
}

/// What the packs publish of one count, over all packs together: shown anywhere is known; otherwise the tightest
/// bound any pack gives, and whether any pack shows it as suppressed.
#[derive(Clone, Copy, Debug, Default)]
struct Known {
    value: Option<u64>,
    max: Option<u64>,
    suppressed: bool,
}

struct Published {
    cells: HashMap<String, Known>,
    relations: Vec<(String, Vec<String>)>,
}

fn published(model: &PackModel) -> Published {
    let mut cells: HashMap<String, Known> = HashMap::new();
    let mut seen = BTreeSet::new();
    let mut relations = Vec::new();
    for p in &model.packs {
        for c in &p.figures.cells {
            let e = cells.entry(c.key.clone()).or_default();
            match (c.status, c.value) {
                (Status::Shown, Some(v)) => e.value = Some(v),
                (status, _) => {
                    if let Some(max) = c.max {
                        e.max = Some(e.max.map_or(max, |m| m.min(max)));
                    }
                    e.suppressed |= status == Status::Suppressed;
                }
            }
        }
        for r in &p.figures.relations {
            if seen.insert((r.total.clone(), r.parts.clone())) {
                relations.push((r.total.clone(), r.parts.clone()));
            }
        }
    }
    Published { cells, relations }
}

/// One code's table while it is built: the cells the matrices may hide are marked.
struct CodeTable {
    table: Table,
    hideable: Vec<bool>,
    /// Unpublished counts that must not be worked out either (a rest behind too few people).
    sensitive: Vec<bool>,
    index: HashMap<String, usize>,
}

impl CodeTable {
    fn cell(
        &mut self,
        key: String,
        value: u64,
        max: Option<u64>,
        hidden: Option<Hidden>,
        place: Place,
        hideable: bool,
    ) -> usize {
        let i = self.table.add(Cell {
            key: key.clone(),
            value,
            max,
            hidden,
            place,
            cost: value as f64 + 1.0,
        });
        self.hideable.push(hideable);
        self.sensitive.push(false);
        self.index.insert(key, i);
        i
    }

    /// An unpublished count of the structure (a remainder no one shows).
    fn remainder(&mut self, key: String, value: u64, max: Option<u64>) -> usize {
        self.cell(key, value, max, None, Place::Nowhere, false)
    }

    fn sum(&mut self, total: usize, parts: Vec<usize>) {
        self.table.sums.push(Sum { total, parts });
    }
}

/// Hides matrix cells until no suppressed count (of a pack or a matrix) is pinned that was not already pinned by the
/// packs alone, each time the cheapest matrix cell tied to the pinned one, directly or through unpublished counts.
fn protect(t: &mut CodeTable, threshold: u64) {
    let n = t.table.cells.len();
    let suppressed = |t: &CodeTable, i: usize| {
        (t.table.cells[i].hidden.is_some() && t.table.cells[i].place != Place::Nowhere) || t.sensitive[i]
    };
    // What the packs pin by themselves is theirs to answer for (the audit reports it): no matrix cell can help.
    let mut alone = t.table.clone();
    for (i, c) in alone.cells.iter_mut().enumerate() {
        if t.hideable[i] && c.hidden.is_none() {
            c.hidden = Some(Hidden::ProtectsAnother);
        }
    }
    let mut ranges = alone.ranges();
    propagate(&mut ranges, &alone.sums);
    let mut skip: Vec<bool> = (0..n).map(|i| ranges[i].pinned(threshold)).collect();
    let mut sums_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, s) in t.table.sums.iter().enumerate() {
        for i in std::iter::once(s.total).chain(s.parts.iter().copied()) {
            sums_of[i].push(k);
        }
    }
    loop {
        let mut ranges: Vec<Range> = t.table.ranges();
        if !propagate(&mut ranges, &t.table.sums) {
            // The sums contradict the counts (which would be a counting error): nothing of the matrices is shown.
            for (i, c) in t.table.cells.iter_mut().enumerate() {
                if t.hideable[i] && c.hidden.is_none() {
                    c.hidden = Some(Hidden::ProtectsAnother);
                }
            }
            return;
        }
        let Some(u) = (0..n).find(|&i| !skip[i] && suppressed(t, i) && ranges[i].pinned(threshold)) else {
            return;
        };
        // The shown matrix cells tied to `u`, through sums and the counts no one shows (hidden or unpublished)
        // between them: a shown count between them is a point, which carries nothing further.
        let mut reached = vec![false; n];
        let mut queue = vec![u];
        reached[u] = true;
        let mut candidates = Vec::new();
        while let Some(i) = queue.pop() {
            for &k in &sums_of[i] {
                let s = &t.table.sums[k];
                for j in std::iter::once(s.total).chain(s.parts.iter().copied()) {
                    if reached[j] {
                        continue;
                    }
                    reached[j] = true;
                    if !t.table.shown(j) {
                        queue.push(j);
                    } else if t.hideable[j] {
                        candidates.push(j);
                    }
                }
            }
        }
        let cheapest = candidates
            .into_iter()
            .min_by(|&a, &b| t.table.cells[a].cost.total_cmp(&t.table.cells[b].cost).then(a.cmp(&b)));
        match cheapest {
            Some(c) => t.table.cells[c].hidden = Some(Hidden::ProtectsAnother),
            None => skip[u] = true,
        }
    }
}

/// The matrices by role, unit and wave of a project, disclosed so that nothing in them, together with everything the
/// packs of `model` publish, pins a suppressed count. `model` must be the pack model of the same `inputs`.
pub fn group_matrices(inputs: &PackInputs<'_>, model: &PackModel) -> Result<Vec<GroupMatrix>, AnalysisError> {
    let corpus = inputs.corpus;
    let threshold = u64::from(model.threshold);
    let n_m = corpus.municipalities.len();
    let (roles, sets, set_of) = role_sets(corpus);
    let groupings = [by_role(corpus, &roles)?, by_unit(corpus)?, by_wave(corpus)?];
    // A column is open when its cells can be shown (enough people, or no sources: "no data"); a closed column is
    // hidden in every row and its number of sources is published nowhere.
    let open: Vec<Vec<bool>> = groupings
        .iter()
        .map(|g| {
            g.counts
                .totals
                .iter()
                .map(|t| t.sources == 0 || t.participants >= threshold)
                .collect()
        })
        .collect();
    let roleset_counts = count(
        corpus,
        (0..sets.len()).map(|k| k.to_string()).collect(),
        set_of
            .iter()
            .enumerate()
            .filter_map(|(i, k)| k.map(|k| (i as u32, k)))
            .collect(),
        Vec::new(),
    )?;
    let set_is_open: Vec<bool> = sets
        .iter()
        .map(|set| {
            set.iter()
                .any(|role| roles.iter().position(|r| r == role).is_some_and(|r| open[0][r]))
        })
        .collect();
    // The rests beside the open columns, as groups: per municipality its sources without an open unit (groups
    // 0..n_m), the sources without an open wave (n_m), and the sources without a participant in an open role (n_m+1).
    let unit_open: HashMap<(usize, &str), bool> = groupings[1]
        .columns
        .iter()
        .enumerate()
        .map(|(k, col)| ((col.municipality.unwrap_or(0), col.id.as_str()), open[1][k]))
        .collect();
    let (wave_rest, role_rest) = (n_m, n_m + 1);
    let mut rest_sources = Vec::new();
    let mut rest_people = Vec::new();
    for (i, s) in corpus.sources.iter().enumerate() {
        let m = s.municipality as usize;
        let mut groups = Vec::new();
        if !s.unit.as_deref().is_some_and(|u| unit_open[&(m, u)]) {
            groups.push(m);
        }
        if !s.wave.is_some_and(|w| open[2][w as usize]) {
            groups.push(wave_rest);
        }
        if !set_of[i].is_some_and(|k| set_is_open[k as usize]) {
            groups.push(role_rest);
        }
        for g in groups {
            rest_sources.push((i as u32, g as u32));
            rest_people.extend(s.participants.iter().map(|&p| (i as u32, p, g as u32)));
        }
    }
    let rests = count(
        corpus,
        (0..n_m + 2).map(|g| g.to_string()).collect(),
        rest_sources,
        rest_people,
    )?;
    let published = published(model);
    let all_sources = corpus.sources.len() as u64;
    let primary = |people_total: u64, people_with: u64| {
        (people_total < threshold || (people_with > 0 && people_with < threshold)).then_some(Hidden::TooFewPeople)
    };
    let prevalence: HashMap<(&str, &str), u64> = inputs
        .prevalence
        .iter()
        .map(|r| ((r.code.as_str(), r.municipality.as_str()), r.sources))
        .collect();

    let tables: Vec<(CodeTable, [Vec<usize>; 3])> = (0..corpus.codes.len())
        .into_par_iter()
        .map(|c| {
            let cid = corpus.codes[c].id.as_str();
            let mut t = CodeTable {
                table: Table::default(),
                hideable: Vec::new(),
                sensitive: Vec::new(),
                index: HashMap::new(),
            };
            // The packs' cells of this code, as fixed knowledge.
            let mut keys: Vec<String> = Vec::new();
            for m in 0..n_m {
                let l = &model.letters[m];
                keys.push(format!("theme/{cid}/{l}"));
                keys.push(format!("theme/{cid}/not-{l}"));
                for w in corpus.waves.iter().map(String::as_str).chain(["other"]) {
                    keys.push(format!("wave/{cid}/{l}/{w}"));
                }
            }
            keys.push(format!("theme/{cid}/all"));
            for key in keys {
                let Some(known) = published.cells.get(&key) else {
                    continue;
                };
                // The reason a pack hides a count plays no part here: only that it is hidden.
                let (value, hidden, place) = match known.value {
                    Some(v) => (v, None, Place::Pack(0)),
                    None if known.suppressed => (0, Some(Hidden::ProtectsAnother), Place::Pack(0)),
                    None => (0, None, Place::Nowhere),
                };
                t.cell(key, value, known.max, hidden, place, false);
            }
            for (total, parts) in &published.relations {
                let Some(&ti) = t.index.get(total) else { continue };
                let parts: Option<Vec<usize>> = parts.iter().map(|p| t.index.get(p).copied()).collect();
                if let Some(parts) = parts {
                    t.sum(ti, parts);
                }
            }
            let own_value = |m: usize| {
                prevalence
                    .get(&(cid, corpus.municipalities[m].code.as_str()))
                    .copied()
                    .unwrap_or(0)
            };
            let own: Vec<usize> = (0..n_m)
                .map(|m| {
                    let key = format!("theme/{cid}/{}", model.letters[m]);
                    match t.index.get(&key) {
                        Some(&i) => i,
                        // Every pack publishes every municipality's cell; this is only a guard.
                        None => t.remainder(key, own_value(m), None),
                    }
                })
                .collect();
            let code_total: u64 = (0..n_m).map(own_value).sum();
            let total = match t.index.get(&format!("theme/{cid}/all")) {
                Some(&i) => i,
                None => {
                    let i = t.remainder(format!("research/{cid}/all"), code_total, Some(all_sources));
                    t.sum(i, own.clone());
                    i
                }
            };

            // The matrices' cells; a closed column's number of sources is unknown to an attacker.
            let mut columns: [Vec<usize>; 3] = [Vec::new(), Vec::new(), Vec::new()];
            for (g, grouping) in groupings.iter().enumerate() {
                let by = GroupBy::ALL[g].as_str();
                for (k, col) in grouping.columns.iter().enumerate() {
                    let cell = grouping.counts.cell(c, k);
                    let totals = grouping.counts.totals[k];
                    let hidden = if totals.sources == 0 {
                        None
                    } else {
                        primary(totals.participants, cell.participants)
                    };
                    let i = t.cell(
                        format!("research/{by}/{cid}/{}", col.id),
                        cell.sources,
                        open[g][k].then_some(totals.sources),
                        hidden,
                        Place::Pack(0),
                        true,
                    );
                    columns[g].push(i);
                }
            }
            // A rest beside the open columns: unpublished, its number of sources known, protected when it stands for
            // fewer people than the threshold. `parts` are the closed columns' cells it holds.
            let rest = |t: &mut CodeTable, key: String, group: usize, parts: Vec<usize>| -> usize {
                let (cell, totals) = (rests.cell(c, group), rests.totals[group]);
                let i = t.remainder(key.clone(), cell.sources, Some(totals.sources));
                t.sensitive[i] = totals.sources > 0 && primary(totals.participants, cell.participants).is_some();
                let inside: u64 = parts.iter().map(|&p| t.table.cells[p].value).sum();
                let none = t.remainder(format!("{key}/none"), cell.sources.saturating_sub(inside), None);
                t.sum(i, parts.into_iter().chain([none]).collect());
                i
            };
            // Roles: the code's count over the sources' sets of roles, and each role over the sets that hold it.
            let set_cells: Vec<usize> = (0..sets.len())
                .map(|k| {
                    t.remainder(
                        format!("research/roleset/{cid}/{k}"),
                        roleset_counts.cell(c, k).sources,
                        None,
                    )
                })
                .collect();
            let closed_sets = (0..sets.len())
                .filter(|&k| !set_is_open[k])
                .map(|k| set_cells[k])
                .collect();
            let role_rest_cell = rest(&mut t, format!("research/role/{cid}/rest"), role_rest, closed_sets);
            let open_sets = (0..sets.len()).filter(|&k| set_is_open[k]).map(|k| set_cells[k]);
            t.sum(total, open_sets.chain([role_rest_cell]).collect());
            for (r, role) in roles.iter().enumerate() {
                let parts = (0..sets.len())
                    .filter(|&k| sets[k].contains(role))
                    .map(|k| set_cells[k])
                    .collect();
                t.sum(columns[0][r], parts);
            }
            // Units: a municipality's count over its open units and the rest.
            for (m, &own_cell) in own.iter().enumerate() {
                let (mut open_units, mut closed_units) = (Vec::new(), Vec::new());
                for (k, col) in groupings[1].columns.iter().enumerate() {
                    if col.municipality == Some(m) {
                        if open[1][k] {
                            open_units.push(columns[1][k]);
                        } else {
                            closed_units.push(columns[1][k]);
                        }
                    }
                }
                let key = format!("research/unit/{cid}/{}/rest", model.letters[m]);
                let r = rest(&mut t, key, m, closed_units);
                t.sum(own_cell, open_units.into_iter().chain([r]).collect());
            }
            // Waves: the code's count over the open waves and the rest, and a wave's pooled count over the packs'
            // wave figures.
            let (open_waves, closed_waves): (Vec<usize>, Vec<usize>) =
                (0..corpus.waves.len()).partition(|&w| open[2][w]);
            let closed_waves = closed_waves.iter().map(|&w| columns[2][w]).collect();
            let r = rest(&mut t, format!("research/wave/{cid}/rest"), wave_rest, closed_waves);
            t.sum(total, open_waves.iter().map(|&w| columns[2][w]).chain([r]).collect());
            for (w, wave) in corpus.waves.iter().enumerate() {
                let parts: Option<Vec<usize>> = (0..n_m)
                    .map(|m| t.index.get(&format!("wave/{cid}/{}/{wave}", model.letters[m])).copied())
                    .collect();
                if let Some(parts) = parts {
                    t.sum(columns[2][w], parts);
                }
            }
            protect(&mut t, threshold);
            (t, columns)
        })
        .collect();

    Ok(groupings
        .into_iter()
        .enumerate()
        .map(|(g, grouping)| {
            let cells = tables
                .iter()
                .map(|(t, columns)| {
                    columns[g]
                        .iter()
                        .map(|&i| t.table.figure(i, t.table.cells[i].max.unwrap_or(0)))
                        .collect()
                })
                .collect();
            GroupMatrix {
                by: GroupBy::ALL[g],
                columns: grouping.columns,
                cells,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};

    use crosscase_model::{
        CodingColumns, Corpus, IdeaRecords, Municipality, ParticipantFacts, ProjectSettings, Rng, Role, SourceFacts,
        SourceKind, SurveyRecords, WorkshopRecords,
    };

    use super::*;
    use crate::pack::{PackConfig, PublishedCell, PublishedFigures, Relation, audit_disclosure, pack_model};
    use crate::prevalence;
    use crate::tests::code;

    const THRESHOLD: u32 = 3;

    /// Four municipalities of one to three units each, small enough that many cells fall below the threshold; people
    /// in three roles, some sources with two people (of different roles), three waves, two main themes with a
    /// sub-theme each, each source coded with each code with a probability of its municipality's own.
    fn small_groups(seed: u64) -> Corpus {
        let mut rng = Rng::new(seed);
        let roles = [Role::TopManager, Role::MiddleManager, Role::Employee];
        let mut participants = Vec::new();
        let mut sources = Vec::new();
        for m in 0..4u32 {
            for u in 0..1 + rng.below(3) {
                let unit = format!("{m}-U{u}");
                let people: Vec<u32> = (0..1 + rng.below(5))
                    .map(|_| {
                        participants.push(ParticipantFacts {
                            id: format!("p{}", participants.len()),
                            municipality: m,
                            unit: Some(unit.clone()),
                            role: roles[rng.below(3) as usize],
                        });
                        participants.len() as u32 - 1
                    })
                    .collect();
                for (k, &p) in people.iter().enumerate() {
                    for _ in 0..1 + rng.below(2) {
                        let mut with = vec![p];
                        if k + 1 < people.len() && rng.below(4) == 0 {
                            with.push(people[k + 1]);
                        }
                        sources.push(SourceFacts {
                            id: format!("s{}", sources.len()),
                            kind: SourceKind::Interview,
                            municipality: m,
                            // A few sources without a unit or a wave, as notes are.
                            unit: (rng.below(8) != 0).then(|| unit.clone()),
                            wave: (rng.below(8) != 0).then(|| rng.below(3) as u32),
                            participants: with,
                            words: 0,
                            chars: 100,
                        });
                    }
                }
            }
            // A note without people.
            sources.push(SourceFacts {
                id: format!("s{}", sources.len()),
                kind: SourceKind::Observation,
                municipality: m,
                unit: None,
                wave: Some(rng.below(3) as u32),
                participants: Vec::new(),
                words: 0,
                chars: 100,
            });
        }
        let codes = vec![
            code("a", None),
            code("a.x", Some("a")),
            code("b", None),
            code("b.y", Some("b")),
        ];
        let mut codings = CodingColumns::default();
        let propensity: Vec<Vec<u64>> = (0..4)
            .map(|_| (0..codes.len()).map(|_| rng.below(100)).collect())
            .collect();
        for (s, source) in sources.iter().enumerate() {
            for (c, &chance) in propensity[source.municipality as usize].iter().enumerate() {
                if rng.below(100) < chance {
                    codings.source.push(s as u32);
                    codings.code.push(c as u32);
                    codings.coder.push(0);
                    codings.start.push(c as u64 * 10);
                    codings.end.push(c as u64 * 10 + 5);
                }
            }
        }
        let mut settings = ProjectSettings::new("t");
        settings.disclosure_threshold = THRESHOLD;
        Corpus {
            settings,
            municipalities: (0..4)
                .map(|m| Municipality {
                    code: format!("000{m}"),
                    name: format!("M{m}"),
                    line: 0,
                })
                .collect(),
            waves: vec!["w1".into(), "w2".into(), "w3".into()],
            wave_names: vec![],
            codes,
            participants,
            sources,
            coders: vec!["AL".into()],
            codings,
        }
    }

    /// Whether source `s` belongs to column `col` of a matrix by `by`.
    fn member(corpus: &Corpus, by: GroupBy, col: &GroupColumn, s: &SourceFacts) -> bool {
        match by {
            GroupBy::Role => s
                .participants
                .iter()
                .any(|&p| corpus.participants[p as usize].role.as_str() == col.id),
            GroupBy::Unit => s.unit.as_deref() == Some(col.id.as_str()),
            GroupBy::Wave => s.wave.is_some_and(|w| corpus.waves[w as usize] == col.id),
        }
    }

    /// The sources that have code `c` or a code below it, counted directly from the codings.
    fn coded(corpus: &Corpus, c: usize) -> BTreeSet<usize> {
        let ancestry = corpus.code_ancestry();
        (0..corpus.codings.len())
            .filter(|&i| ancestry[corpus.codings.code[i] as usize].contains(&(c as u32)))
            .map(|i| corpus.codings.source[i] as usize)
            .collect()
    }

    fn cell(key: String, status: Status, value: Option<u64>, max: Option<u64>) -> PublishedCell {
        PublishedCell {
            key,
            status,
            value,
            max,
        }
    }

    /// The people a column counts: those of its sources, for a role only those in the role; with `code`, only in the
    /// sources with it.
    fn people(corpus: &Corpus, sources: &[usize], role: Option<&str>, code: Option<&BTreeSet<usize>>) -> u64 {
        sources
            .iter()
            .filter(|s| code.is_none_or(|with| with.contains(s)))
            .flat_map(|&s| corpus.sources[s].participants.iter().copied())
            .filter(|&p| role.is_none_or(|r| corpus.participants[p as usize].role.as_str() == r))
            .collect::<BTreeSet<u32>>()
            .len() as u64
    }

    /// The matrices as an attacker reads them beside the packs: their cells and the sums that tie them to the packs'
    /// figures, written out here from the corpus rather than taken from the code under test. A column behind fewer
    /// people than the threshold shows no cell, so its number of sources is unknown; the rest of a sum beside the
    /// shown columns is a count the attacker may work out, so when it stands for too few people it is listed as
    /// suppressed, to be checked like one.
    fn as_published(corpus: &Corpus, model: &PackModel, matrices: &[GroupMatrix]) -> PublishedFigures {
        let threshold = u64::from(THRESHOLD);
        let mut cells = Vec::new();
        let mut relations = Vec::new();
        let all: Vec<usize> = (0..corpus.sources.len()).collect();
        let roles_of = |s: usize| -> BTreeSet<&str> {
            corpus.sources[s]
                .participants
                .iter()
                .map(|&p| corpus.participants[p as usize].role.as_str())
                .collect()
        };
        let sets: BTreeSet<BTreeSet<&str>> = all.iter().map(|&s| roles_of(s)).filter(|s| !s.is_empty()).collect();
        // Per matrix and column: its sources and whether it is open (enough people, or no sources).
        let mut open: HashMap<(GroupBy, &str), bool> = HashMap::new();
        let mut members: HashMap<(GroupBy, &str), Vec<usize>> = HashMap::new();
        for g in matrices {
            for col in &g.columns {
                let inside: Vec<usize> = all
                    .iter()
                    .copied()
                    .filter(|&s| member(corpus, g.by, col, &corpus.sources[s]))
                    .collect();
                let role = (g.by == GroupBy::Role).then_some(col.id.as_str());
                let is_open = inside.is_empty() || people(corpus, &inside, role, None) >= threshold;
                open.insert((g.by, col.id.as_str()), is_open);
                members.insert((g.by, col.id.as_str()), inside);
            }
        }
        let open_roles: BTreeSet<&str> = open
            .iter()
            .filter(|((by, _), o)| *by == GroupBy::Role && **o)
            .map(|((_, id), _)| *id)
            .collect();
        for (c, code) in corpus.codes.iter().enumerate() {
            let id = &code.id;
            let with = coded(corpus, c);
            let total = format!("r/total/{id}");
            cells.push(cell(total.clone(), Status::Unpublished, None, Some(all.len() as u64)));
            let own: Vec<String> = model.letters.iter().map(|l| format!("theme/{id}/{l}")).collect();
            relations.push(Relation {
                total: total.clone(),
                parts: own.clone(),
            });
            let mut keys: HashMap<(GroupBy, &str), String> = HashMap::new();
            for g in matrices {
                for (k, col) in g.columns.iter().enumerate() {
                    let key = format!("r/{}/{id}/{}", g.by.as_str(), col.id);
                    let column = (g.by, col.id.as_str());
                    cells.push(match g.cells[c][k] {
                        Figure::Shown { count, .. } => cell(key.clone(), Status::Shown, Some(count), None),
                        _ => {
                            let base = open[&column].then(|| members[&column].len() as u64);
                            cell(key.clone(), Status::Suppressed, None, base)
                        }
                    });
                    keys.insert(column, key);
                }
            }
            // A rest of `sources` holding the cells `closed`: known in size, suppressed when behind too few people.
            let rest = |cells: &mut Vec<PublishedCell>,
                        relations: &mut Vec<Relation>,
                        key: String,
                        sources: Vec<usize>,
                        closed: Vec<String>|
             -> String {
                let (everyone, having) = (
                    people(corpus, &sources, None, None),
                    people(corpus, &sources, None, Some(&with)),
                );
                let small = everyone < threshold || (having > 0 && having < threshold);
                let status = if !sources.is_empty() && small {
                    Status::Suppressed
                } else {
                    Status::Unpublished
                };
                cells.push(cell(key.clone(), status, None, Some(sources.len() as u64)));
                let none = format!("{key}/none");
                cells.push(cell(none.clone(), Status::Unpublished, None, None));
                relations.push(Relation {
                    total: key.clone(),
                    parts: closed.into_iter().chain([none]).collect(),
                });
                key
            };
            // Waves.
            let (open_waves, closed_waves): (Vec<&String>, Vec<&String>) =
                corpus.waves.iter().partition(|w| open[&(GroupBy::Wave, w.as_str())]);
            let outside: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&s| {
                    !corpus.sources[s]
                        .wave
                        .is_some_and(|w| open[&(GroupBy::Wave, corpus.waves[w as usize].as_str())])
                })
                .collect();
            let r = rest(
                &mut cells,
                &mut relations,
                format!("r/wave/{id}/rest"),
                outside,
                closed_waves
                    .iter()
                    .map(|w| keys[&(GroupBy::Wave, w.as_str())].clone())
                    .collect(),
            );
            relations.push(Relation {
                total: total.clone(),
                parts: open_waves
                    .iter()
                    .map(|w| keys[&(GroupBy::Wave, w.as_str())].clone())
                    .chain([r])
                    .collect(),
            });
            // A pack shows its main themes in the first and the last wave.
            if model.waves.is_some() && corpus.codes[c].parent.is_none() {
                let last = corpus.waves.len() - 1;
                for (w, name) in corpus.waves.iter().enumerate() {
                    if w == 0 || w == last {
                        relations.push(Relation {
                            total: keys[&(GroupBy::Wave, name.as_str())].clone(),
                            parts: model.letters.iter().map(|l| format!("wave/{id}/{l}/{name}")).collect(),
                        });
                    }
                }
            }
            // Units.
            for (m, own) in own.iter().enumerate() {
                let units: BTreeSet<&str> = corpus
                    .sources
                    .iter()
                    .filter(|s| s.municipality as usize == m)
                    .filter_map(|s| s.unit.as_deref())
                    .collect();
                let (open_units, closed_units): (Vec<&str>, Vec<&str>) =
                    units.into_iter().partition(|u| open[&(GroupBy::Unit, *u)]);
                let outside: Vec<usize> = all
                    .iter()
                    .copied()
                    .filter(|&s| {
                        let s = &corpus.sources[s];
                        s.municipality as usize == m && !s.unit.as_deref().is_some_and(|u| open[&(GroupBy::Unit, u)])
                    })
                    .collect();
                let r = rest(
                    &mut cells,
                    &mut relations,
                    format!("r/unit/{id}/{m}/rest"),
                    outside,
                    closed_units
                        .iter()
                        .map(|u| keys[&(GroupBy::Unit, *u)].clone())
                        .collect(),
                );
                relations.push(Relation {
                    total: own.clone(),
                    parts: open_units
                        .iter()
                        .map(|u| keys[&(GroupBy::Unit, *u)].clone())
                        .chain([r])
                        .collect(),
                });
            }
            // Roles, through the sources' sets of roles, which no one publishes.
            let set_key = |k: usize| format!("r/roleset/{id}/{k}");
            for k in 0..sets.len() {
                cells.push(cell(set_key(k), Status::Unpublished, None, None));
            }
            let is_open = |set: &BTreeSet<&str>| set.iter().any(|r| open_roles.contains(r));
            let outside: Vec<usize> = all.iter().copied().filter(|&s| !is_open(&roles_of(s))).collect();
            let r = rest(
                &mut cells,
                &mut relations,
                format!("r/role/{id}/rest"),
                outside,
                sets.iter()
                    .enumerate()
                    .filter(|(_, set)| !is_open(set))
                    .map(|(k, _)| set_key(k))
                    .collect(),
            );
            relations.push(Relation {
                total,
                parts: sets
                    .iter()
                    .enumerate()
                    .filter(|(_, set)| is_open(set))
                    .map(|(k, _)| set_key(k))
                    .chain([r])
                    .collect(),
            });
            let roles: BTreeSet<&str> = sets.iter().flatten().copied().collect();
            for role in roles {
                relations.push(Relation {
                    total: keys[&(GroupBy::Role, role)].clone(),
                    parts: sets
                        .iter()
                        .enumerate()
                        .filter(|(_, set)| set.contains(role))
                        .map(|(k, _)| set_key(k))
                        .collect(),
                });
            }
        }
        PublishedFigures {
            pack: "research".into(),
            threshold: THRESHOLD,
            cells,
            relations,
            run: None,
        }
    }

    /// On many small projects: every shown cell is the count worked out from the codings, every cell behind fewer
    /// people than the threshold is hidden as such, and the matrices beside every pack pin no suppressed count that
    /// the packs alone do not.
    #[test]
    fn matrices_show_true_counts_and_pin_nothing_the_packs_hide() {
        let (mut shown, mut protecting) = (0, 0);
        for seed in 0..40 {
            let corpus = small_groups(seed);
            let rows = prevalence(&corpus).unwrap();
            let (ideas, surveys, workshops) = (
                IdeaRecords::default(),
                SurveyRecords::default(),
                WorkshopRecords::default(),
            );
            let inputs = PackInputs {
                corpus: &corpus,
                prevalence: &rows,
                ideas: &ideas,
                surveys: &surveys,
                workshops: &workshops,
            };
            let model = pack_model(
                &inputs,
                &PackConfig {
                    threshold: THRESHOLD,
                    letter_seed: seed,
                    max_heatmap_columns: 16,
                },
            );
            let matrices = group_matrices(&inputs, &model).unwrap();
            assert_eq!(
                matrices.iter().map(|m| m.by).collect::<Vec<_>>(),
                GroupBy::ALL,
                "seed {seed}"
            );
            for g in &matrices {
                for c in 0..corpus.codes.len() {
                    let with = coded(&corpus, c);
                    for (k, col) in g.columns.iter().enumerate() {
                        let in_group: Vec<usize> = (0..corpus.sources.len())
                            .filter(|&s| member(&corpus, g.by, col, &corpus.sources[s]))
                            .collect();
                        let count = in_group.iter().filter(|s| with.contains(s)).count() as u64;
                        // People a role column counts are those of the role; a unit or wave column, all of its
                        // sources' people.
                        let people = |only_with: bool| -> u64 {
                            in_group
                                .iter()
                                .filter(|s| !only_with || with.contains(s))
                                .flat_map(|&s| corpus.sources[s].participants.iter().copied())
                                .filter(|&p| {
                                    g.by != GroupBy::Role || corpus.participants[p as usize].role.as_str() == col.id
                                })
                                .collect::<BTreeSet<u32>>()
                                .len() as u64
                        };
                        let (everyone, having) = (people(false), people(true));
                        let small = everyone < u64::from(THRESHOLD) || (having > 0 && having < u64::from(THRESHOLD));
                        match g.cells[c][k] {
                            Figure::Shown { count: got, base } => {
                                assert_eq!(
                                    (got, base),
                                    (count, in_group.len() as u64),
                                    "seed {seed} {:?} {}",
                                    g.by,
                                    col.id
                                );
                                assert!(
                                    !small,
                                    "seed {seed}: {:?} {} shown with {having} of {everyone} people",
                                    g.by, col.id
                                );
                                shown += 1;
                            }
                            Figure::Hidden(Hidden::TooFewPeople) => assert!(small, "seed {seed} {:?} {}", g.by, col.id),
                            Figure::Hidden(Hidden::ProtectsAnother) => {
                                assert!(!small);
                                protecting += 1;
                            }
                            Figure::Hidden(Hidden::NoData) => assert!(in_group.is_empty()),
                        }
                    }
                }
            }
            // What the packs give away by themselves, with the matrices' structure beside them but none of their
            // figures (a municipality's 0 is its every unit's 0): the matrices may add nothing to it.
            let packs: Vec<PublishedFigures> = model.packs.iter().map(|p| p.figures.clone()).collect();
            let mut nothing_shown = matrices.clone();
            for g in &mut nothing_shown {
                for row in &mut g.cells {
                    row.fill(Figure::Hidden(Hidden::ProtectsAnother));
                }
            }
            let mut alone = packs.clone();
            alone.push(as_published(&corpus, &model, &nothing_shown));
            let alone = audit_disclosure(&alone);
            let mut all = packs;
            all.push(as_published(&corpus, &model, &matrices));
            let together = audit_disclosure(&all);
            assert_eq!(together.conflicts, Vec::<String>::new(), "seed {seed}: the sums hold");
            let pinned_alone: BTreeSet<&str> = alone
                .cells
                .iter()
                .filter(|c| c.pinned)
                .map(|c| c.key.as_str())
                .collect();
            for c in together.cells.iter().filter(|c| c.pinned) {
                assert!(
                    pinned_alone.contains(c.key.as_str()),
                    "seed {seed}: {} is pinned to {}..{:?} with the matrices beside the packs",
                    c.key,
                    c.low,
                    c.high
                );
            }
        }
        // The projects are small enough that protection is needed, and large enough that much is shown.
        assert!(protecting > 20 && shown > 500, "protecting {protecting}, shown {shown}");
    }
}
