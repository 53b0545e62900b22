//! The project's data as tidy tables for export (`crosscase export`); `docs/data-dictionary.md` documents them.

use crosscase_model::{Column, DataTable, Values};
use rusqlite::types::ValueRef;

use crate::Store;
use crate::error::StoreError;

/// A column's name and whether it holds integers.
type Spec = (&'static str, bool);

impl Store {
    /// Every table of one project (or the only one), in the order of the data dictionary.
    pub fn export_tables(&self, project: Option<&str>) -> Result<Vec<DataTable>, StoreError> {
        let (pid, _) = self.project_id(project)?;
        let mut tables = Vec::new();
        let mut table = |name: &'static str, specs: &[Spec], sql: &str| -> Result<(), StoreError> {
            tables.push(self.query_table(name, specs, sql, pid)?);
            Ok(())
        };
        table(
            "project",
            &[
                ("name", false),
                ("language", false),
                ("disclosure_threshold", true),
                ("free_site_ids", true),
                ("primary_coder", false),
                ("content_hash", false),
            ],
            "SELECT name, language, disclosure_threshold, free_site_ids, primary_coder, content_hash FROM project
             WHERE id = ?1",
        )?;
        crate::pause::point("project table");
        table(
            "municipalities",
            &[("kommunkod", false), ("name", false)],
            "SELECT kommunkod, name FROM municipality WHERE project_id = ?1 ORDER BY kommunkod",
        )?;
        table(
            "units",
            &[("unit_id", false), ("kommunkod", false), ("name", false)],
            "SELECT u.unit_id, m.kommunkod, u.name FROM unit u JOIN municipality m ON m.id = u.municipality_id
             WHERE u.project_id = ?1 ORDER BY u.unit_id",
        )?;
        table(
            "participants",
            &[
                ("participant_id", false),
                ("kommunkod", false),
                ("unit_id", false),
                ("role", false),
            ],
            "SELECT p.participant_id, m.kommunkod, u.unit_id, p.role FROM participant p
             JOIN municipality m ON m.id = p.municipality_id LEFT JOIN unit u ON u.id = p.unit_id
             WHERE p.project_id = ?1 ORDER BY p.participant_id",
        )?;
        table(
            "waves",
            &[("wave_id", false), ("name", false), ("start", false), ("end", false)],
            "SELECT wave_id, name, start_date, end_date FROM wave WHERE project_id = ?1 ORDER BY start_date, wave_id",
        )?;
        table(
            "sources",
            &[
                ("source_id", false),
                ("kind", false),
                ("kommunkod", false),
                ("unit_id", false),
                ("date", false),
                ("wave_id", false),
                ("setting", false),
                ("duration_min", true),
                ("title", false),
                ("words", true),
                ("characters", true),
            ],
            "SELECT s.source_id, s.kind, m.kommunkod, u.unit_id, s.date, w.wave_id, s.setting, s.duration_min, s.title,
                    s.words, coalesce(length(s.text), 0)
             FROM source s JOIN municipality m ON m.id = s.municipality_id LEFT JOIN unit u ON u.id = s.unit_id
             LEFT JOIN wave w ON w.id = s.wave_id WHERE s.project_id = ?1 ORDER BY s.id",
        )?;
        table(
            "source_participants",
            &[("source_id", false), ("participant_id", false)],
            "SELECT s.source_id, p.participant_id FROM source_participant sp JOIN source s ON s.id = sp.source_id
             JOIN participant p ON p.id = sp.participant_id WHERE s.project_id = ?1 ORDER BY s.id, p.participant_id",
        )?;
        table(
            "codes",
            &[
                ("code_id", false),
                ("parent_id", false),
                ("label_sv", false),
                ("label_en", false),
                ("description", false),
                ("colour", false),
            ],
            "SELECT c.code_id, p.code_id, c.label_sv, c.label_en, c.description, c.colour FROM code c
             LEFT JOIN code p ON p.id = c.parent_id WHERE c.project_id = ?1 ORDER BY c.position",
        )?;
        table(
            "codings",
            &[
                ("source_id", false),
                ("municipality", false),
                ("code", false),
                ("coder", false),
                ("start", true),
                ("end", true),
                ("quote", false),
                ("memo", false),
                ("wave_id", false),
                ("kind", false),
            ],
            "SELECT s.source_id, m.kommunkod, k.code_id, c.coder, c.start, c.end, q.quote, c.memo, w.wave_id, s.kind
             FROM coding c JOIN source s ON s.id = c.source_id JOIN municipality m ON m.id = s.municipality_id
             JOIN code k ON k.id = c.code_id JOIN coding_quote q ON q.coding_id = c.id
             LEFT JOIN wave w ON w.id = s.wave_id
             WHERE s.project_id = ?1 ORDER BY c.id",
        )?;
        table(
            "ideas",
            &[
                ("idea_id", false),
                ("kommunkod", false),
                ("unit_id", false),
                ("submitted", false),
                ("wave_id", false),
                ("codes", false),
                ("title", false),
            ],
            "SELECT i.idea_id, m.kommunkod, u.unit_id, i.submitted, w.wave_id,
                    (SELECT group_concat(code_id, '|') FROM (SELECT c.code_id FROM idea_code ic
                     JOIN code c ON c.id = ic.code_id WHERE ic.idea_id = i.id ORDER BY c.position)),
                    i.title
             FROM idea i JOIN municipality m ON m.id = i.municipality_id LEFT JOIN unit u ON u.id = i.unit_id
             LEFT JOIN wave w ON w.id = i.wave_id WHERE i.project_id = ?1 ORDER BY i.id",
        )?;
        table(
            "idea_events",
            &[("idea_id", false), ("stage", false), ("date", false)],
            "SELECT i.idea_id, e.stage, e.date FROM idea_event e JOIN idea i ON i.id = e.idea_id
             WHERE i.project_id = ?1 ORDER BY i.id, e.date, e.stage",
        )?;
        table(
            "headcounts",
            &[("kommunkod", false), ("unit_id", false), ("employees", true)],
            "SELECT m.kommunkod, u.unit_id, h.employees FROM headcount h JOIN municipality m ON m.id = h.municipality_id
             LEFT JOIN unit u ON u.id = h.unit_id WHERE h.project_id = ?1 ORDER BY m.kommunkod, u.unit_id",
        )?;
        table(
            "instruments",
            &[
                ("instrument_id", false),
                ("name_sv", false),
                ("name_en", false),
                ("design", false),
                ("scale_min", true),
                ("scale_max", true),
            ],
            "SELECT instrument_id, name_sv, name_en, design, scale_min, scale_max FROM instrument
             WHERE project_id = ?1 ORDER BY instrument_id",
        )?;
        table(
            "survey_items",
            &[
                ("instrument_id", false),
                ("item_id", false),
                ("dimension_id", false),
                ("reverse", true),
                ("text_sv", false),
                ("text_en", false),
            ],
            "SELECT i.instrument_id, s.item_id, s.dimension_id, s.reverse, s.text_sv, s.text_en FROM survey_item s
             JOIN instrument i ON i.id = s.instrument_id WHERE i.project_id = ?1 ORDER BY i.instrument_id, s.position",
        )?;
        table(
            "survey_responses",
            &[
                ("instrument_id", false),
                ("respondent", false),
                ("kommunkod", false),
                ("role", false),
                ("wave", false),
                ("item_id", false),
                ("value", true),
            ],
            "SELECT i.instrument_id, r.respondent, m.kommunkod, r.role, r.wave, s.item_id, a.value
             FROM survey_answer a JOIN survey_response r ON r.id = a.response_id
             JOIN instrument i ON i.id = r.instrument_id JOIN survey_item s ON s.id = a.item_id
             JOIN municipality m ON m.id = r.municipality_id
             WHERE i.project_id = ?1 ORDER BY i.instrument_id, r.id, s.position",
        )?;
        table(
            "analysis_runs",
            &[
                ("run_id", true),
                ("kind", false),
                ("parameters", false),
                ("seed", true),
                ("crosscase_version", false),
                ("created_at", false),
                ("project_hash", false),
                ("row_count", true),
            ],
            "SELECT r.id, r.kind, r.parameters, r.seed, r.crosscase_version, r.created_at, r.project_hash, r.row_count
             FROM analysis_run r JOIN project p ON p.name = r.project_name WHERE p.id = ?1 ORDER BY r.id",
        )?;
        Ok(tables)
    }

    fn query_table(&self, name: &'static str, specs: &[Spec], sql: &str, pid: i64) -> Result<DataTable, StoreError> {
        let mut columns: Vec<Column> = specs
            .iter()
            .map(|&(name, integer)| Column {
                name,
                values: if integer {
                    Values::Integer(Vec::new())
                } else {
                    Values::Text(Vec::new())
                },
            })
            .collect();
        let mut stmt = self.conn.prepare(sql)?;
        let mut rows = stmt.query([pid])?;
        while let Some(r) = rows.next()? {
            for (i, column) in columns.iter_mut().enumerate() {
                let value = r.get_ref(i)?;
                match &mut column.values {
                    Values::Integer(v) => v.push(match value {
                        ValueRef::Integer(n) => Some(n),
                        _ => None,
                    }),
                    Values::Text(v) => v.push(match value {
                        ValueRef::Null => None,
                        ValueRef::Integer(n) => Some(n.to_string()),
                        ValueRef::Real(x) => Some(x.to_string()),
                        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
                    }),
                }
            }
        }
        Ok(DataTable { name, columns })
    }
}

impl Store {
    /// Every text the database holds that could carry personal data, with where it is, for `crosscase audit`.
    pub fn text_fields(&self) -> Result<Vec<(String, String)>, StoreError> {
        let queries: &[(&str, &str)] = &[
            (
                "source `{}` text",
                "SELECT source_id, text FROM source WHERE text IS NOT NULL",
            ),
            (
                "source `{}` title",
                "SELECT source_id, title FROM source WHERE title IS NOT NULL",
            ),
            (
                "source `{}` setting",
                "SELECT source_id, setting FROM source WHERE setting IS NOT NULL",
            ),
            (
                "coding {} quote",
                "SELECT s.source_id || ':' || c.start || '-' || c.end, c.quote FROM coding c
                 JOIN source s ON s.id = c.source_id WHERE c.quote IS NOT NULL",
            ),
            (
                "coding {} memo",
                "SELECT s.source_id || ':' || c.start || '-' || c.end, c.memo FROM coding c
                 JOIN source s ON s.id = c.source_id WHERE c.memo IS NOT NULL",
            ),
            (
                "participant id `{}`",
                "SELECT participant_id, participant_id FROM participant",
            ),
            (
                "code `{}` labels",
                "SELECT code_id, label_sv || ' / ' || label_en || ' / ' || coalesce(description, '') FROM code",
            ),
            ("unit `{}` name", "SELECT unit_id, name FROM unit"),
            ("wave `{}` name", "SELECT wave_id, name FROM wave"),
            (
                "idea `{}` title",
                "SELECT idea_id, title FROM idea WHERE title IS NOT NULL",
            ),
            (
                "instrument `{}` name",
                "SELECT instrument_id, name_sv || ' / ' || name_en FROM instrument",
            ),
            (
                "survey dimension `{}` label",
                "SELECT dimension_id, label_sv || ' / ' || label_en FROM survey_dimension",
            ),
            (
                "survey item `{}` text",
                "SELECT item_id, text_sv || ' / ' || text_en FROM survey_item",
            ),
            ("analysis run {} parameters", "SELECT id, parameters FROM analysis_run"),
            ("import {} origin", "SELECT id, origin FROM import"),
        ];
        let mut out = Vec::new();
        for (label, sql) in queries {
            let mut stmt = self.conn.prepare(sql)?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let key = match r.get_ref(0)? {
                    ValueRef::Integer(n) => n.to_string(),
                    ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    _ => String::new(),
                };
                let text: String = r.get(1)?;
                out.push((label.replace("{}", &key), text));
            }
        }
        // The rows of runs are stored compressed: each is read back as text.
        for run in self.runs()? {
            if let Some(r) = self.run(run.id)? {
                out.push((format!("analysis run {} result", run.id), r.result));
            }
        }
        Ok(out)
    }
}
