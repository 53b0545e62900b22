//! Reading a project's coded material back out of the database, for analyses.

use std::collections::HashMap;

use crosscase_model::{
    Code, CodingColumns, Corpus, Language, Municipality, ParticipantFacts, ProjectSettings, QuoteFacts, QuoteKey, Role,
    SourceFacts, SourceKind,
};

use crate::Store;
use crate::error::StoreError;

/// Maps row ids to positions: a dense table, since row ids of one project are (nearly) contiguous, so that loading
/// millions of codings does not hash each of their ids.
#[derive(Default)]
pub(crate) struct RowIndex {
    first: i64,
    positions: Vec<u32>,
}

impl RowIndex {
    fn new(ids: &[i64]) -> RowIndex {
        let (Some(&first), Some(&last)) = (ids.iter().min(), ids.iter().max()) else {
            return RowIndex::default();
        };
        let mut positions = vec![u32::MAX; (last - first + 1) as usize];
        for (i, &id) in ids.iter().enumerate() {
            positions[(id - first) as usize] = i as u32;
        }
        RowIndex { first, positions }
    }

    fn get(&self, id: i64) -> rusqlite::Result<u32> {
        id.checked_sub(self.first)
            .and_then(|k| self.positions.get(k as usize))
            .copied()
            .filter(|&p| p != u32::MAX)
            .ok_or_else(|| rusqlite::Error::IntegralValueOutOfRange(0, id))
    }
}

/// The project's codebook in codebook order, each code with its row id.
pub(crate) fn codes_with_ids(conn: &rusqlite::Connection, pid: i64) -> rusqlite::Result<Vec<(i64, Code)>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.code_id, p.code_id, c.label_sv, c.label_en, c.description, c.colour, c.codable
         FROM code c LEFT JOIN code p ON p.id = c.parent_id WHERE c.project_id = ?1 ORDER BY c.position",
    )?;
    stmt.query_map([pid], |r| {
        Ok((
            r.get(0)?,
            Code {
                id: r.get(1)?,
                parent: r.get(2)?,
                label_sv: r.get(3)?,
                label_en: r.get(4)?,
                description: r.get(5)?,
                colour: r.get(6)?,
                codable: r.get(7)?,
                line: 0,
            },
        ))
    })?
    .collect()
}

impl Store {
    /// Resolves a project by name, or the only project when no name is given.
    pub fn project_id(&self, name: Option<&str>) -> Result<(i64, String), StoreError> {
        let names = self.project_names()?;
        let available = || {
            if names.is_empty() {
                "no project".to_string()
            } else {
                names.join(", ")
            }
        };
        let name = match name {
            Some(n) => n.to_string(),
            None => match names.as_slice() {
                [] => return Err(StoreError::NoProject),
                [only] => only.clone(),
                _ => return Err(StoreError::AmbiguousProject { available: available() }),
            },
        };
        match self
            .conn
            .query_row("SELECT id FROM project WHERE name = ?1", [&name], |r| r.get(0))
        {
            Ok(id) => Ok((id, name)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Err(StoreError::UnknownProject {
                name,
                available: available(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// The settings of a project (by row id, or the only project).
    pub(crate) fn load_settings(&self, pid: Option<i64>) -> Result<ProjectSettings, StoreError> {
        let pid = match pid {
            Some(pid) => pid,
            None => self.project_id(None)?.0,
        };
        let settings = self.conn.query_row(
            "SELECT name, language, disclosure_threshold, free_site_ids, primary_coder FROM project WHERE id = ?1",
            [pid],
            |r| {
                let mut s = ProjectSettings::new(r.get::<_, String>(0)?);
                s.language = if r.get::<_, String>(1)? == "en" {
                    Language::En
                } else {
                    Language::Sv
                };
                s.disclosure_threshold = r.get(2)?;
                s.free_site_ids = r.get(3)?;
                s.primary_coder = r.get(4)?;
                Ok(s)
            },
        )?;
        Ok(settings)
    }

    /// The names of a project's waves and units beside their ids (`(id, name)`, waves by start date, units by id),
    /// which the corpus leaves out: result tables for people show them next to the ids.
    pub fn wave_and_unit_names(&self, project: Option<&str>) -> Result<WaveAndUnitNames, StoreError> {
        let (pid, _) = self.project_id(project)?;
        let pairs = |sql: &str| -> Result<Vec<(String, String)>, StoreError> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map([pid], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok(WaveAndUnitNames {
            waves: pairs("SELECT wave_id, name FROM wave WHERE project_id = ?1 ORDER BY start_date, wave_id")?,
            units: pairs("SELECT unit_id, name FROM unit WHERE project_id = ?1 ORDER BY unit_id")?,
        })
    }

    /// Loads the indexed facts of a project for analysis (no texts, no quotes).
    pub fn load_corpus(&self, project: Option<&str>) -> Result<Corpus, StoreError> {
        self.load_corpus_with(project, ReadParts::default())
    }

    pub(crate) fn load_corpus_with(&self, project: Option<&str>, how: ReadParts) -> Result<Corpus, StoreError> {
        let (pid, _) = self.project_id(project)?;
        let settings = self.load_settings(Some(pid))?;

        let mut municipality_index = HashMap::new();
        let mut municipalities = Vec::new();
        let mut stmt = self
            .conn
            .prepare("SELECT id, kommunkod, name FROM municipality WHERE project_id = ?1 ORDER BY kommunkod")?;
        let mut rows = stmt.query([pid])?;
        while let Some(r) = rows.next()? {
            municipality_index.insert(r.get::<_, i64>(0)?, municipalities.len() as u32);
            municipalities.push(Municipality {
                code: r.get(1)?,
                name: r.get(2)?,
                line: 0,
            });
        }
        crate::pause::point("municipalities");

        let mut wave_index = HashMap::new();
        let mut waves = Vec::new();
        let mut wave_names = Vec::new();
        let mut stmt = self
            .conn
            .prepare("SELECT id, wave_id, name FROM wave WHERE project_id = ?1 ORDER BY start_date, wave_id")?;
        let mut rows = stmt.query([pid])?;
        while let Some(r) = rows.next()? {
            wave_index.insert(r.get::<_, i64>(0)?, waves.len() as u32);
            waves.push(r.get(1)?);
            wave_names.push(r.get(2)?);
        }

        let (code_ids, codes): (Vec<i64>, Vec<Code>) = codes_with_ids(&self.conn, pid)?.into_iter().unzip();

        let code_index = RowIndex::new(&code_ids);
        let mut participant_index = HashMap::new();
        let mut participants = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT p.id, p.participant_id, p.municipality_id, u.unit_id, p.role
             FROM participant p LEFT JOIN unit u ON u.id = p.unit_id WHERE p.project_id = ?1 ORDER BY p.participant_id",
        )?;
        let mut rows = stmt.query([pid])?;
        while let Some(r) = rows.next()? {
            participant_index.insert(r.get::<_, i64>(0)?, participants.len() as u32);
            let role: String = r.get(4)?;
            participants.push(ParticipantFacts {
                id: r.get(1)?,
                municipality: municipality_index[&r.get::<_, i64>(2)?],
                unit: r.get(3)?,
                role: role.parse::<Role>().unwrap_or(Role::Other),
            });
        }

        let mut source_ids = Vec::new();
        let mut sources = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT s.id, s.source_id, s.kind, s.municipality_id, u.unit_id, s.wave_id, s.words, coalesce(length(s.text), 0)
             FROM source s LEFT JOIN unit u ON u.id = s.unit_id WHERE s.project_id = ?1 ORDER BY s.id",
        )?;
        let mut rows = stmt.query([pid])?;
        while let Some(r) = rows.next()? {
            source_ids.push(r.get::<_, i64>(0)?);
            let kind: String = r.get(2)?;
            sources.push(SourceFacts {
                id: r.get(1)?,
                kind: kind.parse::<SourceKind>().unwrap_or(SourceKind::Document),
                municipality: municipality_index[&r.get::<_, i64>(3)?],
                unit: r.get(4)?,
                wave: r.get::<_, Option<i64>>(5)?.map(|w| wave_index[&w]),
                participants: Vec::new(),
                words: r.get::<_, i64>(6)? as u64,
                chars: r.get::<_, i64>(7)? as u64,
            });
        }
        let source_index = RowIndex::new(&source_ids);
        let mut stmt = self.conn.prepare(
            "SELECT sp.source_id, sp.participant_id FROM source_participant sp JOIN source s ON s.id = sp.source_id
             WHERE s.project_id = ?1 ORDER BY sp.source_id, sp.participant_id",
        )?;
        let mut rows = stmt.query([pid])?;
        while let Some(r) = rows.next()? {
            let s = source_index.get(r.get(0)?)?;
            let p = participant_index[&r.get::<_, i64>(1)?];
            sources[s as usize].participants.push(p);
        }

        let (codings, coders) = self.read_codings(pid, &source_index, &code_index, how)?;
        Ok(Corpus {
            settings,
            municipalities,
            waves,
            wave_names,
            codes,
            participants,
            sources,
            coders,
            codings,
        })
    }
}

/// How the codings of a large single-project database are read: in row-id ranges on several connections at once.
#[derive(Clone, Copy)]
pub(crate) struct ReadParts {
    /// Ranges read at once (at most).
    pub(crate) parts: usize,
    /// Codings below which one connection reads them all.
    pub(crate) at_least: i64,
}

impl Default for ReadParts {
    fn default() -> Self {
        ReadParts {
            parts: std::thread::available_parallelism().map_or(1, |n| n.get()).min(4),
            at_least: 500_000,
        }
    }
}

/// Codings read from one range of row ids, with coders numbered in the order they are met in it.
#[derive(Default)]
struct CodingPart {
    columns: CodingColumns,
    coders: Vec<String>,
}

/// Ranges read on connections of their own, for the test that they are.
#[cfg(test)]
pub(crate) static READ_ELSEWHERE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

const CODINGS_OF_ONE_PROJECT: &str =
    "SELECT source_id, code_id, coder, start, end FROM coding WHERE id >= ?1 AND id <= ?2 ORDER BY id";

impl Store {
    /// The project's codings in the order they are stored, and the coders they name in the order they are first met.
    ///
    /// Codings come in row-id order, with no sort of millions of rows for ORDER BY. When the database holds this
    /// project alone, the table is read straight through, and when it is large, in consecutive row-id ranges at once:
    /// the first on this connection inside its read transaction, the others on connections of their own, each of
    /// which reads only if it sees the same version (the same content hash, the same last coding) and otherwise
    /// leaves its range to this connection. Otherwise a CROSS JOIN keeps coding as the outer loop and skips another
    /// project's codings by a lookup of their source.
    pub(crate) fn read_codings(
        &self,
        pid: i64,
        sources: &RowIndex,
        codes: &RowIndex,
        how: ReadParts,
    ) -> Result<(CodingColumns, Vec<String>), StoreError> {
        let alone: bool =
            self.conn
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM project WHERE id <> ?1)", [pid], |r| {
                    r.get(0)
                })?;
        if !alone {
            let mut stmt = self.conn.prepare(
                "SELECT c.source_id, c.code_id, c.coder, c.start, c.end FROM coding c CROSS JOIN source s
                 ON s.id = c.source_id WHERE s.project_id = ?1 ORDER BY c.id",
            )?;
            let part = read_part(stmt.query([pid])?, sources, codes, 0)?;
            return Ok((part.columns, part.coders));
        }
        let (first, last): (Option<i64>, Option<i64>) =
            self.conn.query_row("SELECT min(id), max(id) FROM coding", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let (Some(first), Some(last)) = (first, last) else {
            return Ok((CodingColumns::default(), Vec::new()));
        };
        let span = last - first + 1;
        let parts = if span >= how.at_least {
            how.parts.max(1) as i64
        } else {
            1
        };
        let ranges: Vec<(i64, i64)> = (0..parts)
            .map(|k| (first + span * k / parts, first + span * (k + 1) / parts - 1))
            .collect();
        let version: String = self
            .conn
            .query_row("SELECT content_hash FROM project WHERE id = ?1", [pid], |r| r.get(0))?;
        // Row ids of one project are (nearly) contiguous, so a range's span is the room its codings need; the first
        // range's columns get room for all, so that the others are appended without growing them again.
        let read_here = |(lo, hi): (i64, i64), room: i64| -> Result<CodingPart, StoreError> {
            let mut stmt = self.conn.prepare_cached(CODINGS_OF_ONE_PROJECT)?;
            read_part(stmt.query([lo, hi])?, sources, codes, room as usize)
        };
        let mut read: Vec<CodingPart> = Vec::with_capacity(ranges.len());
        std::thread::scope(|scope| -> Result<(), StoreError> {
            let others: Vec<_> = ranges[1..]
                .iter()
                .map(|&range| {
                    let (path, version) = (&self.path, version.as_str());
                    scope.spawn(move || read_elsewhere(path, pid, version, last, range, sources, codes))
                })
                .collect();
            read.push(read_here(ranges[0], span)?);
            for (handle, &range) in others.into_iter().zip(&ranges[1..]) {
                match handle.join().expect("a reader thread panicked") {
                    Some(part) => {
                        #[cfg(test)]
                        READ_ELSEWHERE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        read.push(part)
                    }
                    // Another version, or the file could not be read again: read the range here.
                    None => read.push(read_here(range, range.1 - range.0 + 1)?),
                }
            }
            Ok(())
        })?;
        Ok(merge_parts(read))
    }
}

/// Reads one range of codings on a connection of its own, if that connection sees `version` of project `pid` with
/// `last` as the last coding; `None` if it does not (a replacement committed since the caller's snapshot began) or
/// if anything fails on it, so that the caller reads the range itself and reports what is wrong from there.
fn read_elsewhere(
    path: &std::path::Path,
    pid: i64,
    version: &str,
    last: i64,
    (lo, hi): (i64, i64),
    sources: &RowIndex,
    codes: &RowIndex,
) -> Option<CodingPart> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(path, flags).ok()?;
    conn.busy_timeout(crate::BUSY_TIMEOUT).ok()?;
    conn.execute_batch(&format!("PRAGMA cache_size = {}; BEGIN DEFERRED", crate::CACHE_SIZE))
        .ok()?;
    let seen: (Option<String>, Option<i64>, i64) = conn
        .query_row(
            "SELECT (SELECT content_hash FROM project WHERE id = ?1), (SELECT max(id) FROM coding),
                    (SELECT count(*) FROM project)",
            [pid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok()?;
    if seen != (Some(version.to_string()), Some(last), 1) {
        return None;
    }
    let mut stmt = conn.prepare(CODINGS_OF_ONE_PROJECT).ok()?;
    read_part(stmt.query([lo, hi]).ok()?, sources, codes, (hi - lo + 1) as usize).ok()
}

/// The codings of `rows` (source, code, coder, start, end), ids mapped to positions.
fn read_part(
    mut rows: rusqlite::Rows<'_>,
    sources: &RowIndex,
    codes: &RowIndex,
    room: usize,
) -> Result<CodingPart, StoreError> {
    let mut part = CodingPart::default();
    let c = &mut part.columns;
    c.source.reserve_exact(room);
    c.code.reserve_exact(room);
    c.coder.reserve_exact(room);
    c.start.reserve_exact(room);
    c.end.reserve_exact(room);
    let mut coder_index: HashMap<String, u32> = HashMap::new();
    // Codings of one source are usually by one coder, so the previous coder is tried before the map.
    let mut last = u32::MAX;
    while let Some(r) = rows.next()? {
        c.source.push(sources.get(r.get(0)?)?);
        c.code.push(codes.get(r.get(1)?)?);
        let coder = r
            .get_ref(2)?
            .as_str()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e)))?;
        if last == u32::MAX || part.coders[last as usize] != coder {
            last = match coder_index.get(coder) {
                Some(&i) => i,
                None => {
                    let i = part.coders.len() as u32;
                    part.coders.push(coder.to_string());
                    coder_index.insert(coder.to_string(), i);
                    i
                }
            };
        }
        c.coder.push(last);
        c.start.push(r.get::<_, i64>(3)? as u64);
        c.end.push(r.get::<_, i64>(4)? as u64);
    }
    Ok(part)
}

/// The parts one after another, each part's coders renumbered into one list in the order they are first met.
fn merge_parts(parts: Vec<CodingPart>) -> (CodingColumns, Vec<String>) {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return (CodingColumns::default(), Vec::new());
    };
    let (mut columns, mut coders) = (first.columns, first.coders);
    for part in parts {
        let renumber: Vec<u32> = part
            .coders
            .into_iter()
            .map(|name| match coders.iter().position(|c| *c == name) {
                Some(i) => i as u32,
                None => {
                    coders.push(name);
                    coders.len() as u32 - 1
                }
            })
            .collect();
        let c = part.columns;
        columns.source.extend(c.source);
        columns.code.extend(c.code);
        columns.coder.extend(c.coder.into_iter().map(|i| renumber[i as usize]));
        columns.start.extend(c.start);
        columns.end.extend(c.end);
    }
    (columns, coders)
}

impl Store {
    /// The quotes of these segments (chosen beforehand, e.g. by `crosscase_report::quote_candidates`), with their
    /// sources' roles and waves; a key that matches no segment is skipped. Ordered by source and position.
    pub fn quotes_for(&self, project: Option<&str>, keys: &[QuoteKey]) -> Result<Vec<QuoteFacts>, StoreError> {
        let (pid, _) = self.project_id(project)?;
        let mut stmt = self.conn.prepare(
            "SELECT s.id, m.kommunkod, w.name, s.kind, q.quote, c.id
             FROM source s JOIN coding c ON c.source_id = s.id JOIN code k ON k.id = c.code_id
             JOIN coding_quote q ON q.coding_id = c.id JOIN municipality m ON m.id = s.municipality_id
             LEFT JOIN wave w ON w.id = s.wave_id
             WHERE s.project_id = ?1 AND s.source_id = ?2 AND c.start = ?3 AND c.end = ?4 AND k.code_id = ?5
               AND c.coder = ?6
             ORDER BY c.id LIMIT 1",
        )?;
        let mut roles_stmt = self.conn.prepare(
            "SELECT DISTINCT p.role FROM source_participant sp JOIN participant p ON p.id = sp.participant_id
             WHERE sp.source_id = ?1",
        )?;
        let mut roles: HashMap<i64, Vec<Role>> = HashMap::new();
        let mut found = Vec::with_capacity(keys.len());
        for key in keys {
            let row = stmt
                .query_row(
                    rusqlite::params![pid, key.source, key.start as i64, key.end as i64, key.code, key.coder],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, Option<String>>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, Option<String>>(4)?,
                            r.get::<_, i64>(5)?,
                        ))
                    },
                )
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })?;
            let Some((source_row, kommunkod, wave, kind, quote, coding_row)) = row else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(v) = roles.entry(source_row) {
                let mut list: Vec<Role> = roles_stmt
                    .query_map([source_row], |r| r.get::<_, String>(0))?
                    .map(|r| r.map(|role| role.parse::<Role>().unwrap_or(Role::Other)))
                    .collect::<Result<_, _>>()?;
                list.sort();
                list.dedup();
                v.insert(list);
            }
            found.push((
                source_row,
                key.start,
                coding_row,
                QuoteFacts {
                    municipality: kommunkod,
                    code: key.code.clone(),
                    coder: key.coder.clone(),
                    source: key.source.clone(),
                    kind: kind.parse::<SourceKind>().unwrap_or(SourceKind::Document),
                    start: key.start,
                    quote: quote.unwrap_or_default(),
                    roles: roles[&source_row].clone(),
                    wave,
                },
            ));
        }
        found.sort_by_key(|(s, start, c, _)| (*s, *start, *c));
        Ok(found.into_iter().map(|(.., q)| q).collect())
    }
}

/// The names of a project's waves and units, `(id, name)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WaveAndUnitNames {
    pub waves: Vec<(String, String)>,
    pub units: Vec<(String, String)>,
}
