//! Validation of a whole project: every problem is collected, none stops the others from being found.

use std::collections::{HashMap, HashSet};

use crate::kommun::KommunRegister;
use crate::project::{Project, Table};
use crate::text::CodePointIndex;

/// One problem in a user's project, placed at a table row and field so that readers can name file, line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub table: Table,
    /// 1-based line in the table's file; 0 when the problem concerns the file as a whole.
    pub line: u64,
    /// The column the problem is in, when it is in one.
    pub field: Option<&'static str>,
    /// What is wrong, naming the offending value.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl Problem {
    fn new(table: Table, line: u64, field: &'static str, message: String, help: impl Into<String>) -> Problem {
        Problem {
            table,
            line,
            field: Some(field),
            message,
            help: help.into(),
        }
    }
}

/// Checks a project's internal consistency and returns every problem found, ordered by file and line.
pub fn validate(project: &Project, register: &KommunRegister) -> Vec<Problem> {
    let mut problems = Vec::new();
    let settings = &project.settings;
    if settings.name.trim().is_empty() {
        problems.push(Problem::new(
            Table::Settings,
            0,
            "name",
            "the project has no name".into(),
            "write `name = \"…\"` in project.toml",
        ));
    }
    if settings.disclosure_threshold == 0 {
        problems.push(Problem::new(
            Table::Settings,
            0,
            "disclosure_threshold",
            "disclosure_threshold is 0, which would let single persons be recognised".into(),
            "use at least 1; 5 is the default",
        ));
    }

    let municipalities = check_municipalities(project, register, &mut problems);
    let units = check_units(project, &municipalities, &mut problems);
    let participants = check_participants(project, &municipalities, &units, &mut problems);
    let waves = check_waves(project, &mut problems);
    let codes = check_codebook(project, &mut problems);
    let texts = check_sources(project, &municipalities, &units, &participants, &waves, &mut problems);
    check_codings(project, &texts, &codes, &mut problems);

    problems.sort_by_key(|p| (p.table, p.line));
    problems
}

fn duplicate(table: Table, line: u64, field: &'static str, id: &str, first: u64) -> Problem {
    Problem::new(
        table,
        line,
        field,
        format!("`{id}` is listed twice (first on line {first})"),
        "give every row its own id, or remove the repeated row",
    )
}

/// Indexes ids of one table by value, reporting duplicates and empty ids.
fn index_ids<'a>(
    table: Table,
    field: &'static str,
    rows: impl Iterator<Item = (&'a str, u64)>,
    problems: &mut Vec<Problem>,
) -> HashMap<&'a str, u64> {
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for (id, line) in rows {
        if id.trim().is_empty() {
            problems.push(Problem::new(
                table,
                line,
                field,
                format!("`{field}` is empty"),
                "every row needs an id",
            ));
            continue;
        }
        if let Some(&first) = seen.get(id) {
            problems.push(duplicate(table, line, field, id, first));
        } else {
            seen.insert(id, line);
        }
    }
    seen
}

fn check_municipalities<'a>(
    project: &'a Project,
    register: &KommunRegister,
    problems: &mut Vec<Problem>,
) -> HashSet<&'a str> {
    let ids = index_ids(
        Table::Municipalities,
        "kommunkod",
        project.municipalities.iter().map(|m| (m.code.as_str(), m.line)),
        problems,
    );
    if !project.settings.free_site_ids {
        for m in &project.municipalities {
            match register.get(&m.code) {
                None if !m.code.trim().is_empty() => problems.push(Problem::new(
                    Table::Municipalities,
                    m.line,
                    "kommunkod",
                    format!("`{}` is not a Swedish kommunkod", m.code),
                    register.hint_for_unknown(&m.code),
                )),
                Some(k) if !m.name.is_empty() && !same_name(&m.name, &k.name) && !same_name(&m.name, &k.full_name) => {
                    problems.push(Problem::new(
                        Table::Municipalities,
                        m.line,
                        "name",
                        format!("kommunkod `{}` is {}, not `{}`", m.code, k.name, m.name),
                        format!("check the kommunkod; if it is right, write the name as `{}`", k.name),
                    ));
                }
                _ => {}
            }
        }
    }
    ids.into_keys().collect()
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.to_lowercase()
}

fn unknown_municipality(table: Table, line: u64, code: &str) -> Problem {
    Problem::new(
        table,
        line,
        "kommunkod",
        format!("municipality `{code}` is not in municipalities.csv"),
        format!("add `{code}` to municipalities.csv, or correct the kommunkod"),
    )
}

fn check_units<'a>(
    project: &'a Project,
    municipalities: &HashSet<&str>,
    problems: &mut Vec<Problem>,
) -> HashMap<&'a str, &'a str> {
    index_ids(
        Table::Units,
        "unit_id",
        project.units.iter().map(|u| (u.id.as_str(), u.line)),
        problems,
    );
    let mut units = HashMap::new();
    for u in &project.units {
        if !municipalities.contains(u.municipality.as_str()) {
            problems.push(unknown_municipality(Table::Units, u.line, &u.municipality));
        }
        units.entry(u.id.as_str()).or_insert(u.municipality.as_str());
    }
    units
}

/// Checks that a unit exists and belongs to the municipality of the row that names it.
fn check_unit_ref(
    table: Table,
    line: u64,
    unit: &str,
    municipality: &str,
    units: &HashMap<&str, &str>,
    problems: &mut Vec<Problem>,
) {
    match units.get(unit) {
        None => problems.push(Problem::new(
            table,
            line,
            "unit_id",
            format!("unit `{unit}` is not in units.csv"),
            format!("add `{unit}` to units.csv, or correct the unit id"),
        )),
        Some(&owner) if owner != municipality => problems.push(Problem::new(
            table,
            line,
            "unit_id",
            format!("unit `{unit}` belongs to municipality `{owner}`, but this row is in `{municipality}`"),
            "correct the unit or the kommunkod",
        )),
        Some(_) => {}
    }
}

fn check_participants<'a>(
    project: &'a Project,
    municipalities: &HashSet<&str>,
    units: &HashMap<&str, &str>,
    problems: &mut Vec<Problem>,
) -> HashMap<&'a str, &'a str> {
    index_ids(
        Table::Participants,
        "participant_id",
        project.participants.iter().map(|p| (p.id.as_str(), p.line)),
        problems,
    );
    let mut participants = HashMap::new();
    for p in &project.participants {
        if !municipalities.contains(p.municipality.as_str()) {
            problems.push(unknown_municipality(Table::Participants, p.line, &p.municipality));
        }
        if let Some(unit) = &p.unit {
            check_unit_ref(Table::Participants, p.line, unit, &p.municipality, units, problems);
        }
        participants.entry(p.id.as_str()).or_insert(p.municipality.as_str());
    }
    participants
}

fn check_waves<'a>(project: &'a Project, problems: &mut Vec<Problem>) -> HashMap<&'a str, &'a crate::Wave> {
    index_ids(
        Table::Waves,
        "wave_id",
        project.waves.iter().map(|w| (w.id.as_str(), w.line)),
        problems,
    );
    let mut waves = HashMap::new();
    for w in &project.waves {
        if w.end < w.start {
            problems.push(Problem::new(
                Table::Waves,
                w.line,
                "end",
                format!("wave `{}` ends ({}) before it starts ({})", w.id, w.end, w.start),
                "swap or correct the dates",
            ));
        }
        waves.entry(w.id.as_str()).or_insert(w);
    }
    waves
}

fn check_codebook<'a>(project: &'a Project, problems: &mut Vec<Problem>) -> HashSet<&'a str> {
    let ids = index_ids(
        Table::Codebook,
        "code_id",
        project.codes.iter().map(|c| (c.id.as_str(), c.line)),
        problems,
    );
    let parent_of: HashMap<&str, Option<&str>> = project
        .codes
        .iter()
        .map(|c| (c.id.as_str(), c.parent.as_deref()))
        .collect();
    for c in &project.codes {
        if c.label_sv.trim().is_empty() {
            problems.push(Problem::new(
                Table::Codebook,
                c.line,
                "label_sv",
                format!("code `{}` has no Swedish label", c.id),
                "write the label workshop participants will read",
            ));
        }
        if let Some(colour) = &c.colour
            && !is_hex_colour(colour)
        {
            problems.push(Problem::new(
                Table::Codebook,
                c.line,
                "colour",
                format!("`{colour}` is not a colour"),
                "write it as #rrggbb, e.g. #0072b2, or leave it empty",
            ));
        }
        let Some(parent) = &c.parent else { continue };
        if !ids.contains_key(parent.as_str()) {
            problems.push(Problem::new(
                Table::Codebook,
                c.line,
                "parent_id",
                format!("parent `{parent}` of code `{}` is not in the codebook", c.id),
                "add the parent code, or correct parent_id",
            ));
            continue;
        }
        // Walk up the hierarchy; coming back to this code means a cycle.
        let mut at = Some(parent.as_str());
        let mut steps = 0;
        while let Some(p) = at {
            if p == c.id || steps > parent_of.len() {
                problems.push(Problem::new(
                    Table::Codebook,
                    c.line,
                    "parent_id",
                    format!("code `{}` is its own ancestor through parent `{parent}`", c.id),
                    "the codebook must be a tree: break the cycle by changing one parent_id",
                ));
                break;
            }
            at = parent_of.get(p).copied().flatten();
            steps += 1;
        }
    }
    ids.into_keys().collect()
}

fn is_hex_colour(s: &str) -> bool {
    let hex = s.strip_prefix('#').unwrap_or("");
    (hex.len() == 6 || hex.len() == 3) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Returns, for each source id, its text's code-point index when the source has a text.
fn check_sources<'a>(
    project: &'a Project,
    municipalities: &HashSet<&str>,
    units: &HashMap<&str, &str>,
    participants: &HashMap<&str, &str>,
    waves: &HashMap<&str, &crate::Wave>,
    problems: &mut Vec<Problem>,
) -> HashMap<&'a str, Option<CodePointIndex<'a>>> {
    index_ids(
        Table::Sources,
        "source_id",
        project.sources.iter().map(|s| (s.id.as_str(), s.line)),
        problems,
    );
    let mut texts = HashMap::with_capacity(project.sources.len());
    for s in &project.sources {
        let line = s.line;
        if !municipalities.contains(s.municipality.as_str()) {
            problems.push(unknown_municipality(Table::Sources, line, &s.municipality));
        }
        if let Some(unit) = &s.unit {
            check_unit_ref(Table::Sources, line, unit, &s.municipality, units, problems);
        }
        if let Some(wave_id) = &s.wave {
            match waves.get(wave_id.as_str()) {
                None => problems.push(Problem::new(
                    Table::Sources,
                    line,
                    "wave_id",
                    format!("wave `{wave_id}` is not in waves.csv"),
                    format!("add `{wave_id}` to waves.csv, or correct the wave id"),
                )),
                Some(w) => {
                    if let Some(date) = s.date
                        && (date < w.start || date > w.end)
                    {
                        problems.push(Problem::new(
                            Table::Sources,
                            line,
                            "date",
                            format!(
                                "source `{}` is dated {date}, outside wave `{}` ({} to {})",
                                s.id, w.id, w.start, w.end
                            ),
                            "correct the date or the wave, or widen the wave in waves.csv",
                        ));
                    }
                }
            }
        }
        let mut seen = HashSet::new();
        for p in &s.participants {
            if !seen.insert(p.as_str()) {
                problems.push(Problem::new(
                    Table::Sources,
                    line,
                    "participants",
                    format!("participant `{p}` is listed twice for source `{}`", s.id),
                    "list each participant once",
                ));
                continue;
            }
            match participants.get(p.as_str()) {
                None => problems.push(Problem::new(
                    Table::Sources,
                    line,
                    "participants",
                    format!("participant `{p}` is not in participants.csv"),
                    format!("add `{p}` to participants.csv, or correct the id"),
                )),
                Some(&home) if home != s.municipality => problems.push(Problem::new(
                    Table::Sources,
                    line,
                    "participants",
                    format!(
                        "participant `{p}` belongs to municipality `{home}`, but source `{}` is in `{}`",
                        s.id, s.municipality
                    ),
                    "correct the participant list or the source's kommunkod",
                )),
                Some(_) => {}
            }
        }
        texts
            .entry(s.id.as_str())
            .or_insert_with(|| s.text.as_deref().map(CodePointIndex::new));
    }
    texts
}

fn check_codings(
    project: &Project,
    texts: &HashMap<&str, Option<CodePointIndex<'_>>>,
    codes: &HashSet<&str>,
    problems: &mut Vec<Problem>,
) {
    let mut seen: HashMap<(&str, &str, &str, u64, u64), u64> = HashMap::with_capacity(project.codings.len());
    for c in &project.codings {
        let line = c.line;
        if !codes.contains(c.code.as_str()) {
            problems.push(Problem::new(
                Table::Codings,
                line,
                "code_id",
                format!("code `{}` is not in codebook.csv", c.code),
                format!("add `{}` to codebook.csv, or correct the code id", c.code),
            ));
        }
        if c.coder.trim().is_empty() {
            problems.push(Problem::new(
                Table::Codings,
                line,
                "coder",
                "the coder is empty".into(),
                "name who coded the segment (initials are enough)",
            ));
        }
        if c.end < c.start {
            problems.push(Problem::new(
                Table::Codings,
                line,
                "end",
                format!(
                    "the selection ends (end = {}) before it starts (start = {})",
                    c.end, c.start
                ),
                "swap start and end, or correct them",
            ));
        } else if c.end == c.start {
            problems.push(Problem::new(
                Table::Codings,
                line,
                "end",
                format!("the selection is empty (start = end = {})", c.start),
                "a coding must cover at least one character",
            ));
        }
        let key = (c.source.as_str(), c.code.as_str(), c.coder.as_str(), c.start, c.end);
        if let Some(&first) = seen.get(&key) {
            problems.push(Problem::new(
                Table::Codings,
                line,
                "code_id",
                format!("the same coding is listed twice (first on line {first})"),
                "remove the repeated row",
            ));
        } else {
            seen.insert(key, line);
        }
        match texts.get(c.source.as_str()) {
            None => problems.push(Problem::new(
                Table::Codings,
                line,
                "source_id",
                format!("source `{}` is not in sources.csv", c.source),
                format!("add `{}` to sources.csv, or correct the source id", c.source),
            )),
            Some(None) => {}
            Some(Some(text)) if c.start < c.end => match text.slice(c.start, c.end) {
                None => problems.push(Problem::new(
                    Table::Codings,
                    line,
                    "end",
                    format!(
                        "the selection {}..{} lies outside the text of source `{}`, which has {} characters",
                        c.start,
                        c.end,
                        c.source,
                        text.len()
                    ),
                    "offsets count Unicode characters from 0; check them, or whether the text file was shortened after coding",
                )),
                Some(at) if !c.quote.is_empty() && at != c.quote => problems.push(Problem::new(
                    Table::Codings,
                    line,
                    "quote",
                    {
                        let (quote, text) = around_difference(&c.quote, at);
                        format!(
                            "the quote differs from the text of source `{}` at {}..{}: the quote reads \"{quote}\", the text reads \"{text}\"",
                            c.source, c.start, c.end
                        )
                    },
                    "the text may have changed after coding: correct the offsets, or re-export the codings",
                )),
                Some(_) => {}
            },
            Some(Some(_)) => {}
        }
    }
}

/// Two strings cut to a window around their first difference, so that a message shows what differs.
fn around_difference(a: &str, b: &str) -> (String, String) {
    const BEFORE: usize = 20;
    const WIDTH: usize = 60;
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let first = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let from = first.saturating_sub(BEFORE);
    let cut = |s: &[char]| {
        let end = (from + WIDTH).min(s.len());
        let mut out = String::new();
        if from > 0 {
            out.push('…');
        }
        out.extend(&s[from.min(s.len())..end]);
        if end < s.len() {
            out.push('…');
        }
        out
    };
    (cut(&a), cut(&b))
}

/// Fills empty quotes from the source texts, for files that leave the quote column empty.
pub fn fill_quotes(project: &mut Project) {
    let texts: HashMap<&str, CodePointIndex<'_>> = project
        .sources
        .iter()
        .filter_map(|s| s.text.as_deref().map(|t| (s.id.as_str(), CodePointIndex::new(t))))
        .collect();
    let mut filled = Vec::new();
    for (i, c) in project.codings.iter().enumerate() {
        if c.quote.is_empty()
            && let Some(at) = texts.get(c.source.as_str()).and_then(|t| t.slice(c.start, c.end))
        {
            filled.push((i, at.to_string()));
        }
    }
    drop(texts);
    for (i, quote) in filled {
        project.codings[i].quote = quote;
    }
}
