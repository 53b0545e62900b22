//! Validation of a whole project: every problem is collected, none stops the others from being found.

use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashMap;

use crate::kommun::KommunRegister;
use crate::project::{Coding, Project, Table};
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
    check_codebook(project, &mut problems);
    check_sources(project, &municipalities, &units, &participants, &waves, &mut problems);
    check_ideas(project, &municipalities, &units, &waves, &mut problems);
    if !project.codings.is_empty() {
        let mut checker = CodingChecker::new(project);
        for c in &project.codings {
            checker.check(&mut c.clone(), &mut problems);
        }
    }

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
            unknown_id_help(
                unit,
                units.keys().copied(),
                &format!("add `{unit}` to units.csv, or correct the unit id"),
            ),
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

fn check_codebook(project: &Project, problems: &mut Vec<Problem>) {
    let ids = index_ids(
        Table::Codebook,
        "code_id",
        project.codes.iter().map(|c| (c.id.as_str(), c.line)),
        problems,
    );
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
                unknown_id_help(parent, ids.keys().copied(), "add the parent code, or correct parent_id"),
            ));
        }
    }
    check_tree(project, problems);
}

/// The deepest codebook crosscase takes: counts roll up through every level, and no real codebook comes near it.
pub const MAX_CODE_DEPTH: usize = 100;

/// Cycles and depth of the codebook, in time linear in its size: every code is walked up once, and a walk stops at
/// the first code already placed. Each cycle is one problem, however long it is.
fn check_tree(project: &Project, problems: &mut Vec<Problem>) {
    let codes = &project.codes;
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(codes.len());
    for (i, c) in codes.iter().enumerate() {
        index.entry(c.id.as_str()).or_insert(i);
    }
    let parent: Vec<Option<usize>> = codes
        .iter()
        .map(|c| c.parent.as_deref().and_then(|p| index.get(p).copied()))
        .collect();
    // 0: not yet seen, 1: on the walk now, 2: placed (its depth known).
    let mut state = vec![0u8; codes.len()];
    let mut depth = vec![0usize; codes.len()];
    let mut too_deep = false;
    let mut path: Vec<usize> = Vec::new();
    for start in 0..codes.len() {
        if state[start] != 0 {
            continue;
        }
        path.clear();
        let mut at = Some(start);
        while let Some(x) = at {
            match state[x] {
                2 => break,
                1 => {
                    let from = path.iter().position(|&p| p == x).expect("on the walk");
                    let cycle = &path[from..];
                    let first = *cycle.iter().min_by_key(|&&i| codes[i].line).expect("a cycle has codes");
                    let shown: Vec<String> = cycle.iter().take(5).map(|&i| format!("`{}`", codes[i].id)).collect();
                    problems.push(Problem::new(
                        Table::Codebook,
                        codes[first].line,
                        "parent_id",
                        format!(
                            "the codes {}{} form a cycle: each is the parent of the one before ({} codes)",
                            shown.join(", "),
                            if cycle.len() > 5 { ", …" } else { "" },
                            cycle.len()
                        ),
                        "the codebook must be a tree: break the cycle by changing one parent_id",
                    ));
                    break;
                }
                _ => {
                    state[x] = 1;
                    path.push(x);
                    at = parent[x];
                }
            }
        }
        for &x in path.iter().rev() {
            depth[x] = match parent[x] {
                Some(p) if state[p] == 2 => depth[p] + 1,
                _ => 0,
            };
            state[x] = 2;
            if depth[x] + 1 > MAX_CODE_DEPTH && !too_deep {
                too_deep = true;
                problems.push(Problem::new(
                    Table::Codebook,
                    codes[x].line,
                    "parent_id",
                    format!(
                        "code `{}` is on level {} of the codebook; crosscase takes at most {MAX_CODE_DEPTH} levels",
                        codes[x].id,
                        depth[x] + 1
                    ),
                    "a codebook is a tree of themes a few levels deep: check parent_id, which may chain codes by mistake",
                ));
            }
        }
    }
}

/// The help for an id that is not known: the id that differs only in case (or surrounding spaces), when there is
/// one, else `otherwise`.
pub(crate) fn unknown_id_help<'a>(id: &str, known: impl Iterator<Item = &'a str>, otherwise: &str) -> String {
    let wanted = id.trim().to_lowercase();
    let mut close: Vec<&str> = known.filter(|k| k.trim().to_lowercase() == wanted).collect();
    close.sort_unstable();
    match close.first() {
        Some(k) => format!("did you mean `{k}`? Ids are compared exactly, upper and lower case included"),
        None => otherwise.to_string(),
    }
}

fn is_hex_colour(s: &str) -> bool {
    let hex = s.strip_prefix('#').unwrap_or("");
    (hex.len() == 6 || hex.len() == 3) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

fn check_sources(
    project: &Project,
    municipalities: &HashSet<&str>,
    units: &HashMap<&str, &str>,
    participants: &HashMap<&str, &str>,
    waves: &HashMap<&str, &crate::Wave>,
    problems: &mut Vec<Problem>,
) {
    index_ids(
        Table::Sources,
        "source_id",
        project.sources.iter().map(|s| (s.id.as_str(), s.line)),
        problems,
    );
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
                    unknown_id_help(
                        wave_id,
                        waves.keys().copied(),
                        &format!("add `{wave_id}` to waves.csv, or correct the wave id"),
                    ),
                )),
                // A wave that ends before it starts is reported once, at the wave, not at each of its sources.
                Some(w) if w.end < w.start => {}
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
                    unknown_id_help(
                        p,
                        participants.keys().copied(),
                        &format!("add `{p}` to participants.csv, or correct the id"),
                    ),
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
    }
}

/// Checks codings one at a time against a project's sources and codebook, so that codings can be validated as they
/// stream in. Remembers what it has seen, to find repeated codings.
pub struct CodingChecker<'p> {
    /// Source id → (index, text when there is one).
    sources: FxHashMap<&'p str, (u32, Option<&'p str>)>,
    /// Code-point indexes of texts, built when a source's first coding comes (so checking starts at once).
    texts: Vec<Option<CodePointIndex<'p>>>,
    codes: FxHashMap<&'p str, u32>,
    coders: FxHashMap<String, u32>,
    /// Per source (by index): (code, coder, start, end) → the line it was first seen on. One small table per source
    /// stays in the processor's cache while that source's codings stream in, where one table of every coding would
    /// not.
    seen: Vec<FxHashMap<(u32, u32, u64, u64), u64>>,
    /// The help for each unknown (is it a source, id), found once: a file may name one wrong id a million times.
    unknown_help: FxHashMap<(bool, String), String>,
}

impl<'p> CodingChecker<'p> {
    /// A checker for codings of `project` (its own `codings` are not looked at).
    pub fn new(project: &'p Project) -> CodingChecker<'p> {
        let texts: Vec<Option<&str>> = project.sources.iter().map(|s| s.text.as_deref()).collect();
        CodingChecker::with_texts(project, &texts)
    }

    /// A checker for codings of `project` whose sources' texts are `texts` (in the order of `project.sources`)
    /// rather than their `text` fields.
    pub fn with_texts(project: &'p Project, texts: &[Option<&'p str>]) -> CodingChecker<'p> {
        let mut sources = FxHashMap::default();
        sources.reserve(project.sources.len());
        for (i, s) in project.sources.iter().enumerate() {
            let text = texts.get(i).copied().flatten();
            sources.entry(s.id.as_str()).or_insert((i as u32, text));
        }
        let mut codes = FxHashMap::default();
        codes.reserve(project.codes.len());
        for (i, c) in project.codes.iter().enumerate() {
            codes.entry(c.id.as_str()).or_insert(i as u32);
        }
        CodingChecker {
            sources,
            texts: vec![None; project.sources.len()],
            codes,
            coders: FxHashMap::default(),
            seen: vec![FxHashMap::default(); project.sources.len()],
            unknown_help: FxHashMap::default(),
        }
    }

    /// Checks one coding, pushing its problems; an empty quote is filled in from the text when the offsets are valid.
    /// Returns whether the coding had no problem.
    pub fn check(&mut self, c: &mut Coding, problems: &mut Vec<Problem>) -> bool {
        let quote = std::mem::take(&mut c.quote);
        self.check_quoted(c, quote.as_bytes(), QuoteKeeping::Fill, problems)
    }

    /// Like [`CodingChecker::check`], with the quote given apart from the coding, as the UTF-8 bytes of the file, so
    /// that it need be neither checked nor copied: `keep` says what ends up in `c.quote` for a source with a text (for
    /// one without, the quote is kept).
    pub fn check_quoted(
        &mut self,
        c: &mut Coding,
        quote: &[u8],
        keep: QuoteKeeping,
        problems: &mut Vec<Problem>,
    ) -> bool {
        let parts = CodingParts {
            source: &c.source,
            code: &c.code,
            coder: &c.coder,
            start: c.start,
            end: c.end,
            line: c.line,
        };
        let Some(checked) = self.check_parts(&parts, quote, problems) else {
            return false;
        };
        match checked.text {
            Some(at) if keep == QuoteKeeping::Fill => c.quote = at.to_string(),
            Some(_) => {}
            None => c.quote = String::from_utf8_lossy(quote).into_owned(),
        }
        true
    }

    /// Checks one coding given by its fields, pushing its problems, and returns where its source, code and coder
    /// are (and the text it covers, when its source has a text), or `None` when it has a problem. `quote` is the
    /// UTF-8 bytes of the file; an empty one is not compared.
    pub fn check_parts(
        &mut self,
        c: &CodingParts<'_>,
        quote: &[u8],
        problems: &mut Vec<Problem>,
    ) -> Option<Checked<'p>> {
        let before = problems.len();
        let line = c.line;
        let code = self.codes.get(c.code).copied();
        if code.is_none() {
            problems.push(Problem::new(
                Table::Codings,
                line,
                "code_id",
                format!("code `{}` is not in codebook.csv", c.code),
                self.unknown_help
                    .entry((false, c.code.to_string()))
                    .or_insert_with(|| {
                        unknown_id_help(
                            c.code,
                            self.codes.keys().copied(),
                            &format!("add `{}` to codebook.csv, or correct the code id", c.code),
                        )
                    })
                    .clone(),
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
        let Some(&(source, text)) = self.sources.get(c.source) else {
            problems.push(Problem::new(
                Table::Codings,
                line,
                "source_id",
                format!("source `{}` is not in sources.csv", c.source),
                self.unknown_help
                    .entry((true, c.source.to_string()))
                    .or_insert_with(|| {
                        unknown_id_help(
                            c.source,
                            self.sources.keys().copied(),
                            &format!("add `{}` to sources.csv, or correct the source id", c.source),
                        )
                    })
                    .clone(),
            ));
            return None;
        };
        let mut coder = 0;
        if let Some(code) = code {
            let next = self.coders.len() as u32;
            coder = match self.coders.get(c.coder) {
                Some(&i) => i,
                None => {
                    self.coders.insert(c.coder.to_string(), next);
                    next
                }
            };
            match self.seen[source as usize].entry((code, coder, c.start, c.end)) {
                std::collections::hash_map::Entry::Occupied(first) => problems.push(Problem::new(
                    Table::Codings,
                    line,
                    "code_id",
                    format!("the same coding is listed twice (first on line {})", first.get()),
                    "remove the repeated row",
                )),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(line);
                }
            }
        }
        let mut covered = None;
        if let Some(raw) = text
            && c.start < c.end
        {
            let text = self.texts[source as usize].get_or_insert_with(|| CodePointIndex::new(raw));
            match text.slice(c.start, c.end) {
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
                Some(at) if quote.is_empty() || at.as_bytes() == quote => covered = Some(at),
                Some(at) => problems.push(Problem::new(
                    Table::Codings,
                    line,
                    "quote",
                    {
                        let (quote, text) = around_difference(&String::from_utf8_lossy(quote), at);
                        format!(
                            "the quote differs from the text of source `{}` at {}..{}: the quote reads \"{quote}\", the text reads \"{text}\"",
                            c.source, c.start, c.end
                        )
                    },
                    "the text may have changed after coding: correct the offsets, or re-export the codings",
                )),
            }
        }
        (problems.len() == before).then_some(Checked {
            source,
            code: code.unwrap_or(0),
            coder,
            text: covered,
        })
    }
}

/// The fields of a coding that [`CodingChecker::check_parts`] checks.
#[derive(Clone, Copy, Debug)]
pub struct CodingParts<'a> {
    pub source: &'a str,
    pub code: &'a str,
    pub coder: &'a str,
    pub start: u64,
    pub end: u64,
    pub line: u64,
}

/// A coding without problems: where its source, code and coder are, and the text it covers.
#[derive(Clone, Copy, Debug)]
pub struct Checked<'p> {
    /// Position of the source in `Project::sources`.
    pub source: u32,
    /// Position of the code in `Project::codes`.
    pub code: u32,
    /// The coder's number: coders are numbered from 0 in the order the checker first saw them.
    pub coder: u32,
    /// The text at the coding's offsets, when its source has a text.
    pub text: Option<&'p str>,
}

/// What a checked coding keeps as its quote when its source has a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuoteKeeping {
    /// The text at the coding's offsets (also when the file left the quote empty).
    Fill,
    /// Nothing: the store derives quotes from texts, so copying each one would be wasted.
    Empty,
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

/// Idea-management records: the stage settings, ideas, their events and head counts.
fn check_ideas(
    project: &Project,
    municipalities: &HashSet<&str>,
    units: &HashMap<&str, &str>,
    waves: &HashMap<&str, &crate::Wave>,
    problems: &mut Vec<Problem>,
) {
    let stages = &project.settings.idea_stages;
    let settings_problem = |field: &'static str, message: String| {
        Problem::new(
            Table::Settings,
            0,
            field,
            message,
            "under [ideas] in project.toml, list `stages` in order, the `exits` that end an idea, and which stage is `implemented`; see docs/project-format.md",
        )
    };
    let mut seen = HashSet::new();
    for stage in stages.all() {
        if stage.trim().is_empty() || !seen.insert(stage) {
            problems.push(settings_problem(
                "stages",
                format!("the idea stage `{stage}` is empty or listed twice"),
            ));
        }
    }
    if stages.progress.is_empty() {
        problems.push(settings_problem("stages", "no idea stages are listed".into()));
    }
    if stages.rank(&stages.implemented).is_none() {
        problems.push(settings_problem(
            "implemented",
            format!(
                "`implemented = \"{}\"` is not one of the idea stages",
                stages.implemented
            ),
        ));
    }
    let observed_until = stages.observed_until;
    let codes: HashSet<&str> = project.codes.iter().map(|c| c.id.as_str()).collect();

    index_ids(
        Table::Ideas,
        "idea_id",
        project.ideas.iter().map(|i| (i.id.as_str(), i.line)),
        problems,
    );
    let mut ideas = HashMap::new();
    for idea in &project.ideas {
        if !municipalities.contains(idea.municipality.as_str()) {
            problems.push(unknown_municipality(Table::Ideas, idea.line, &idea.municipality));
        }
        if let Some(unit) = &idea.unit {
            check_unit_ref(Table::Ideas, idea.line, unit, &idea.municipality, units, problems);
        }
        if let Some(wave) = &idea.wave
            && !waves.contains_key(wave.as_str())
        {
            problems.push(Problem::new(
                Table::Ideas,
                idea.line,
                "wave_id",
                format!("wave `{wave}` is not in waves.csv"),
                "add the wave, correct wave_id, or leave it empty to take the wave of the submission date",
            ));
        }
        for code in &idea.codes {
            if !codes.contains(code.as_str()) {
                problems.push(Problem::new(
                    Table::Ideas,
                    idea.line,
                    "codes",
                    format!("theme `{code}` is not in the codebook"),
                    "use code_id values from codebook.csv, separated by |",
                ));
            }
        }
        if let Some(until) = observed_until
            && idea.submitted > until
        {
            problems.push(Problem::new(
                Table::Ideas,
                idea.line,
                "submitted",
                format!(
                    "idea `{}` was submitted on {}, after observed_until ({until})",
                    idea.id, idea.submitted
                ),
                "correct the date, or move observed_until in project.toml to when the records were collected",
            ));
        }
        ideas.entry(idea.id.as_str()).or_insert(idea);
    }

    // Events per idea in file order, to check their sequence once each event is known to be valid.
    let mut by_idea: HashMap<&str, Vec<&crate::IdeaEvent>> = HashMap::new();
    for e in &project.idea_events {
        let Some(idea) = ideas.get(e.idea.as_str()) else {
            problems.push(Problem::new(
                Table::IdeaEvents,
                e.line,
                "idea_id",
                format!("idea `{}` is not in ideas.csv", e.idea),
                "add the idea to ideas.csv, or correct idea_id",
            ));
            continue;
        };
        if stages.rank(&e.stage).is_none() && !stages.is_exit(&e.stage) {
            problems.push(Problem::new(
                Table::IdeaEvents,
                e.line,
                "stage",
                format!("`{}` is not an idea stage", e.stage),
                format!(
                    "use one of {}, or add the stage under [ideas] in project.toml",
                    stages.all().collect::<Vec<_>>().join(", ")
                ),
            ));
            continue;
        }
        if e.date < idea.submitted {
            problems.push(Problem::new(
                Table::IdeaEvents,
                e.line,
                "date",
                format!(
                    "idea `{}` reached `{}` on {}, before it was submitted on {}",
                    e.idea, e.stage, e.date, idea.submitted
                ),
                "correct the date here or the submission date in ideas.csv",
            ));
            continue;
        }
        if let Some(until) = observed_until
            && e.date > until
        {
            problems.push(Problem::new(
                Table::IdeaEvents,
                e.line,
                "date",
                format!(
                    "idea `{}` reached `{}` on {}, after observed_until ({until})",
                    e.idea, e.stage, e.date
                ),
                "correct the date, or move observed_until in project.toml to when the records were collected",
            ));
            continue;
        }
        by_idea.entry(e.idea.as_str()).or_default().push(e);
    }
    for events in by_idea.values() {
        check_event_order(stages, events, problems);
    }

    let mut counted: HashMap<(&str, Option<&str>), u64> = HashMap::new();
    for h in &project.headcounts {
        if !municipalities.contains(h.municipality.as_str()) {
            problems.push(unknown_municipality(Table::Headcounts, h.line, &h.municipality));
        }
        if let Some(unit) = &h.unit {
            check_unit_ref(Table::Headcounts, h.line, unit, &h.municipality, units, problems);
        }
        if h.employees == 0 {
            problems.push(Problem::new(
                Table::Headcounts,
                h.line,
                "employees",
                "a head count of 0 employees gives no rate".into(),
                "give the number of employees, or leave the row out",
            ));
        }
        let key = (h.municipality.as_str(), h.unit.as_deref());
        if let Some(&first) = counted.get(&key) {
            problems.push(Problem::new(
                Table::Headcounts,
                h.line,
                "kommunkod",
                format!(
                    "the head count of `{}` is given twice (first on line {first})",
                    h.unit.as_deref().unwrap_or(&h.municipality)
                ),
                "keep one row per municipality and per unit",
            ));
        } else {
            counted.insert(key, h.line);
        }
    }
}

/// An idea's events must follow its stages: each stage once, later stages of progress not dated before earlier
/// ones, and nothing after the idea was rejected or withdrawn.
fn check_event_order(stages: &crate::IdeaStages, events: &[&crate::IdeaEvent], problems: &mut Vec<Problem>) {
    let mut seen: HashMap<&str, &crate::IdeaEvent> = HashMap::new();
    for e in events {
        if let Some(first) = seen.get(e.stage.as_str()) {
            problems.push(Problem::new(
                Table::IdeaEvents,
                e.line,
                "stage",
                format!(
                    "idea `{}` reaches `{}` twice (first on line {})",
                    e.idea, e.stage, first.line
                ),
                "keep the date the idea first reached the stage",
            ));
            continue;
        }
        seen.insert(e.stage.as_str(), e);
    }
    let exit = events
        .iter()
        .filter(|e| stages.is_exit(&e.stage))
        .min_by_key(|e| (e.date, e.line));
    for e in events {
        if let Some(exit) = exit
            && !stages.is_exit(&e.stage)
            && e.date > exit.date
        {
            problems.push(Problem::new(
                Table::IdeaEvents,
                e.line,
                "date",
                format!(
                    "idea `{}` reaches `{}` on {}, after it was `{}` on {} (line {})",
                    e.idea, e.stage, e.date, exit.stage, exit.date, exit.line
                ),
                "an idea that was rejected or withdrawn moves no further: correct the dates or the stages",
            ));
        }
        let Some(rank) = stages.rank(&e.stage) else { continue };
        let out_of_order = events
            .iter()
            .find(|earlier| stages.rank(&earlier.stage).is_some_and(|r| r < rank) && earlier.date > e.date);
        if let Some(earlier) = out_of_order {
            problems.push(Problem::new(
                Table::IdeaEvents,
                e.line,
                "date",
                format!(
                    "idea `{}` reaches `{}` on {}, before the earlier stage `{}` on {} (line {})",
                    e.idea, e.stage, e.date, earlier.stage, earlier.date, earlier.line
                ),
                "stages follow the order under [ideas] in project.toml: correct one of the dates",
            ));
        }
    }
}
