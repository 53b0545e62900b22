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
struct RowIndex {
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

        let mut coder_index: HashMap<String, u32> = HashMap::new();
        let mut coders: Vec<String> = Vec::new();
        let mut codings = CodingColumns::default();
        // Codings come in row-id order as they are stored, with no sort of millions of rows for ORDER BY. When the
        // database holds this project alone, the table is read straight through; otherwise a CROSS JOIN keeps coding
        // as the outer loop and skips another project's codings by a lookup of their source.
        let alone: bool =
            self.conn
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM project WHERE id <> ?1)", [pid], |r| {
                    r.get(0)
                })?;
        let sql = if alone {
            "SELECT source_id, code_id, coder, start, end FROM coding ORDER BY id"
        } else {
            "SELECT c.source_id, c.code_id, c.coder, c.start, c.end FROM coding c CROSS JOIN source s
             ON s.id = c.source_id WHERE s.project_id = ?1 ORDER BY c.id"
        };
        let mut stmt = self.conn.prepare(sql)?;
        let mut rows = if alone { stmt.query([])? } else { stmt.query([pid])? };
        // Codings of one source are usually by one coder, so the previous coder is tried before the map.
        let mut last = u32::MAX;
        while let Some(r) = rows.next()? {
            codings.source.push(source_index.get(r.get(0)?)?);
            codings.code.push(code_index.get(r.get(1)?)?);
            let coder = r
                .get_ref(2)?
                .as_str()
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e)))?;
            if last == u32::MAX || coders[last as usize] != coder {
                last = match coder_index.get(coder) {
                    Some(&i) => i,
                    None => {
                        let i = coders.len() as u32;
                        coders.push(coder.to_string());
                        coder_index.insert(coder.to_string(), i);
                        i
                    }
                };
            }
            codings.coder.push(last);
            codings.start.push(r.get::<_, i64>(3)? as u64);
            codings.end.push(r.get::<_, i64>(4)? as u64);
        }

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
