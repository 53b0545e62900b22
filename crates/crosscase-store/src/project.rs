//! Reading a whole coded project back (texts, quotes and memos included), for `crosscase export --qdpx`.

use crosscase_model::{Coding, Municipality, Participant, Project, Source, SourceSet, Unit, Wave};

use crate::Store;
use crate::error::StoreError;

fn parse<T: std::str::FromStr>(v: String) -> rusqlite::Result<T> {
    v.parse()
        .map_err(|_| rusqlite::Error::InvalidColumnType(0, v, rusqlite::types::Type::Text))
}

impl Store {
    /// The coded part of a project: settings, municipalities, units, participants, waves, codebook, sources with
    /// their texts, and codings. Idea and survey records are not included.
    pub fn load_project(&self, project: Option<&str>) -> Result<Project, StoreError> {
        let (pid, _) = self.project_id(project)?;
        let mut p = Project::empty(self.load_settings(Some(pid))?);
        let c = &self.conn;
        let mut stmt =
            c.prepare("SELECT kommunkod, name FROM municipality WHERE project_id = ?1 ORDER BY kommunkod")?;
        p.municipalities = stmt
            .query_map([pid], |r| {
                Ok(Municipality {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    line: 0,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt = c.prepare(
            "SELECT u.unit_id, m.kommunkod, u.name FROM unit u JOIN municipality m ON m.id = u.municipality_id
             WHERE u.project_id = ?1 ORDER BY u.unit_id",
        )?;
        p.units = stmt
            .query_map([pid], |r| {
                Ok(Unit {
                    id: r.get(0)?,
                    municipality: r.get(1)?,
                    name: r.get(2)?,
                    line: 0,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt = c.prepare(
            "SELECT p.participant_id, m.kommunkod, u.unit_id, p.role FROM participant p
             JOIN municipality m ON m.id = p.municipality_id LEFT JOIN unit u ON u.id = p.unit_id
             WHERE p.project_id = ?1 ORDER BY p.participant_id",
        )?;
        p.participants = stmt
            .query_map([pid], |r| {
                Ok(Participant {
                    id: r.get(0)?,
                    municipality: r.get(1)?,
                    unit: r.get(2)?,
                    role: parse(r.get(3)?)?,
                    line: 0,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt =
            c.prepare("SELECT wave_id, name, start_date, end_date FROM wave WHERE project_id = ?1 ORDER BY wave_id")?;
        p.waves = stmt
            .query_map([pid], |r| {
                Ok(Wave {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    start: parse(r.get(2)?)?,
                    end: parse(r.get(3)?)?,
                    line: 0,
                })
            })?
            .collect::<Result<_, _>>()?;
        p.codes = crate::load::codes_with_ids(c, pid)?
            .into_iter()
            .map(|(_, code)| code)
            .collect();
        let mut stmt = c.prepare(
            "SELECT s.source_id, s.kind, m.kommunkod, u.unit_id, s.date, w.wave_id, s.setting, s.duration_min,
                    s.title, s.text,
                    (SELECT group_concat(pid, char(31)) FROM (SELECT pp.participant_id AS pid
                        FROM source_participant sp JOIN participant pp ON pp.id = sp.participant_id
                        WHERE sp.source_id = s.id ORDER BY pp.participant_id))
             FROM source s JOIN municipality m ON m.id = s.municipality_id
             LEFT JOIN unit u ON u.id = s.unit_id LEFT JOIN wave w ON w.id = s.wave_id
             WHERE s.project_id = ?1 ORDER BY s.source_id",
        )?;
        p.sources = stmt
            .query_map([pid], |r| {
                let date: Option<String> = r.get(4)?;
                let participants: Option<String> = r.get(10)?;
                Ok(Source {
                    id: r.get(0)?,
                    kind: parse(r.get(1)?)?,
                    municipality: r.get(2)?,
                    unit: r.get(3)?,
                    date: date.map(parse).transpose()?,
                    wave: r.get(5)?,
                    participants: participants
                        .map(|p| p.split('\u{1f}').map(str::to_string).collect())
                        .unwrap_or_default(),
                    setting: r.get(6)?,
                    duration_minutes: r.get(7)?,
                    title: r.get(8)?,
                    text: r.get(9)?,
                    line: 0,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt = c.prepare(
            "SELECT ss.name, s.source_id FROM source_set ss JOIN source s ON s.id = ss.source_id
             WHERE s.project_id = ?1 ORDER BY ss.name, s.source_id",
        )?;
        let members: Vec<(String, String)> = stmt
            .query_map([pid], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (name, source) in members {
            match p.sets.last_mut() {
                Some(set) if set.name == name => set.sources.push(source),
                _ => p.sets.push(SourceSet {
                    name,
                    sources: vec![source],
                }),
            }
        }
        let mut stmt = c.prepare(
            "SELECT s.source_id, k.code_id, c.coder, c.start, c.end, c.quote, c.memo
             FROM coding c JOIN source s ON s.id = c.source_id JOIN code k ON k.id = c.code_id
             WHERE s.project_id = ?1 ORDER BY s.source_id, c.start, c.end, k.code_id, c.coder",
        )?;
        p.codings = stmt
            .query_map([pid], |r| {
                Ok(Coding {
                    source: r.get(0)?,
                    code: r.get(1)?,
                    coder: r.get(2)?,
                    start: r.get::<_, i64>(3)? as u64,
                    end: r.get::<_, i64>(4)? as u64,
                    quote: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    memo: r.get(6)?,
                    line: 0,
                })
            })?
            .collect::<Result<_, _>>()?;
        // Quotes that the database derives from the text, cut here once per source rather than by SQLite's substr
        // once per coding.
        let texts: std::collections::HashMap<&str, crosscase_model::CodePointIndex<'_>> = p
            .sources
            .iter()
            .filter_map(|s| Some((s.id.as_str(), crosscase_model::CodePointIndex::new(s.text.as_deref()?))))
            .collect();
        let quotes: Vec<Option<String>> = p
            .codings
            .iter()
            .map(|c| {
                texts
                    .get(c.source.as_str())
                    .and_then(|t| t.slice(c.start, c.end))
                    .map(str::to_string)
            })
            .collect();
        drop(texts);
        for (c, q) in p.codings.iter_mut().zip(quotes) {
            if let Some(q) = q {
                c.quote = q;
            }
        }
        Ok(p)
    }
}
