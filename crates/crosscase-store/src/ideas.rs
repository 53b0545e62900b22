//! Reading a project's idea-management records back out of the database.

use std::collections::HashMap;

use crosscase_model::{Date, Headcount, Idea, IdeaEvent, IdeaRecords, IdeaStages};

use crate::Store;
use crate::error::StoreError;

/// A date as stored (ISO 8601), or an error naming the value: the store only ever writes valid dates.
fn date(value: String) -> rusqlite::Result<Date> {
    value
        .parse::<Date>()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

impl Store {
    /// The idea stages, ideas (with their themes and wave), stage events and head counts of a project, in the order
    /// of their ids. A project without idea records gives empty lists and the default stages.
    pub fn load_ideas(&self, project: Option<&str>) -> Result<IdeaRecords, StoreError> {
        let (pid, _) = self.project_id(project)?;
        let mut stages = IdeaStages::default();
        let (implemented, observed_until): (String, Option<String>) = self.conn.query_row(
            "SELECT idea_implemented, idea_observed_until FROM project WHERE id = ?1",
            [pid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        crate::pause::point("idea settings");
        let mut stmt = self
            .conn
            .prepare("SELECT stage, is_exit FROM idea_stage WHERE project_id = ?1 ORDER BY position")?;
        let listed: Vec<(String, bool)> = stmt
            .query_map([pid], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        if !listed.is_empty() {
            stages.progress = listed.iter().filter(|s| !s.1).map(|s| s.0.clone()).collect();
            stages.exits = listed.iter().filter(|s| s.1).map(|s| s.0.clone()).collect();
        }
        stages.implemented = implemented;
        stages.observed_until = observed_until.map(date).transpose()?;

        let mut themes: HashMap<i64, Vec<String>> = HashMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT ic.idea_id, c.code_id FROM idea_code ic JOIN idea i ON i.id = ic.idea_id
             JOIN code c ON c.id = ic.code_id WHERE i.project_id = ?1 ORDER BY ic.idea_id, c.position",
        )?;
        let mut rows = stmt.query([pid])?;
        while let Some(r) = rows.next()? {
            themes.entry(r.get(0)?).or_default().push(r.get(1)?);
        }

        let mut stmt = self.conn.prepare(
            "SELECT i.id, i.idea_id, m.kommunkod, u.unit_id, i.submitted, w.wave_id, i.title
             FROM idea i JOIN municipality m ON m.id = i.municipality_id LEFT JOIN unit u ON u.id = i.unit_id
             LEFT JOIN wave w ON w.id = i.wave_id WHERE i.project_id = ?1 ORDER BY i.id",
        )?;
        let mut rows = stmt.query([pid])?;
        let mut ideas = Vec::new();
        while let Some(r) = rows.next()? {
            let row: i64 = r.get(0)?;
            ideas.push(Idea {
                id: r.get(1)?,
                municipality: r.get(2)?,
                unit: r.get(3)?,
                submitted: date(r.get(4)?)?,
                wave: r.get(5)?,
                codes: themes.remove(&row).unwrap_or_default(),
                title: r.get(6)?,
                line: 0,
            });
        }

        let mut stmt = self.conn.prepare(
            "SELECT i.idea_id, e.stage, e.date FROM idea_event e JOIN idea i ON i.id = e.idea_id
             WHERE i.project_id = ?1 ORDER BY i.id, e.date, e.stage",
        )?;
        let events = stmt
            .query_map([pid], |r| {
                Ok(IdeaEvent {
                    idea: r.get(0)?,
                    stage: r.get(1)?,
                    date: date(r.get(2)?)?,
                    line: 0,
                })
            })?
            .collect::<Result<_, _>>()?;

        let mut stmt = self.conn.prepare(
            "SELECT m.kommunkod, u.unit_id, h.employees FROM headcount h
             JOIN municipality m ON m.id = h.municipality_id LEFT JOIN unit u ON u.id = h.unit_id
             WHERE h.project_id = ?1 ORDER BY m.kommunkod, u.unit_id",
        )?;
        let headcounts = stmt
            .query_map([pid], |r| {
                Ok(Headcount {
                    municipality: r.get(0)?,
                    unit: r.get(1)?,
                    employees: r.get(2)?,
                    line: 0,
                })
            })?
            .collect::<Result<_, _>>()?;

        Ok(IdeaRecords {
            stages,
            ideas,
            events,
            headcounts,
        })
    }
}
