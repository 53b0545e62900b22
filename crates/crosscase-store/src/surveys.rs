//! Reading a project's survey instruments and responses back out of the database.

use std::collections::HashMap;

use crosscase_model::{Dimension, Instrument, Role, SurveyDesign, SurveyItem, SurveyRecords, SurveyResponse};

use crate::Store;
use crate::error::StoreError;

/// A list stored as lines.
fn lines(text: String) -> Vec<String> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split('\n').map(str::to_string).collect()
    }
}

impl Store {
    /// The instruments of a project (in the order of their ids) with their dimensions and items, and every response
    /// with one value per item (`None` where there was no scale value).
    pub fn load_surveys(&self, project: Option<&str>) -> Result<SurveyRecords, StoreError> {
        let (pid, _) = self.project_id(project)?;
        let mut stmt = self.conn.prepare(
            "SELECT id, instrument_id, name_sv, name_en, design, scale_min, scale_max, labels_sv, labels_en, missing
             FROM instrument WHERE project_id = ?1 ORDER BY instrument_id",
        )?;
        let mut rows = stmt.query([pid])?;
        let mut instruments = Vec::new();
        let mut row_ids = Vec::new();
        while let Some(r) = rows.next()? {
            row_ids.push(r.get::<_, i64>(0)?);
            let design: String = r.get(4)?;
            instruments.push(Instrument {
                id: r.get(1)?,
                name_sv: r.get(2)?,
                name_en: r.get(3)?,
                design: if design == "pre_post" {
                    SurveyDesign::PrePost
                } else {
                    SurveyDesign::Waves
                },
                scale_min: r.get(5)?,
                scale_max: r.get(6)?,
                labels_sv: lines(r.get(7)?),
                labels_en: lines(r.get(8)?),
                missing: lines(r.get(9)?),
                dimensions: Vec::new(),
                items: Vec::new(),
            });
        }
        // Item row id → (instrument position, item position).
        let mut item_at: HashMap<i64, (usize, usize)> = HashMap::new();
        for (k, (&row, instrument)) in row_ids.iter().zip(instruments.iter_mut()).enumerate() {
            let mut stmt = self.conn.prepare(
                "SELECT dimension_id, label_sv, label_en FROM survey_dimension WHERE instrument_id = ?1 ORDER BY position",
            )?;
            instrument.dimensions = stmt
                .query_map([row], |r| {
                    Ok(Dimension {
                        id: r.get(0)?,
                        label_sv: r.get(1)?,
                        label_en: r.get(2)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            let mut stmt = self.conn.prepare(
                "SELECT id, item_id, text_sv, text_en, dimension_id, reverse FROM survey_item WHERE instrument_id = ?1
                 ORDER BY position",
            )?;
            let mut rows = stmt.query([row])?;
            while let Some(r) = rows.next()? {
                item_at.insert(r.get(0)?, (k, instrument.items.len()));
                instrument.items.push(SurveyItem {
                    id: r.get(1)?,
                    text_sv: r.get(2)?,
                    text_en: r.get(3)?,
                    dimension: r.get(4)?,
                    reverse: r.get(5)?,
                });
            }
        }
        let positions: HashMap<i64, usize> = row_ids.iter().enumerate().map(|(k, &r)| (r, k)).collect();
        let mut stmt = self.conn.prepare(
            "SELECT r.id, r.instrument_id, r.respondent, m.kommunkod, r.role, r.wave FROM survey_response r
             JOIN instrument i ON i.id = r.instrument_id JOIN municipality m ON m.id = r.municipality_id
             WHERE i.project_id = ?1 ORDER BY r.id",
        )?;
        let mut rows = stmt.query([pid])?;
        let mut responses = Vec::new();
        let mut response_at: HashMap<i64, usize> = HashMap::new();
        while let Some(r) = rows.next()? {
            let k = positions[&r.get::<_, i64>(1)?];
            response_at.insert(r.get(0)?, responses.len());
            let role: Option<String> = r.get(4)?;
            responses.push(SurveyResponse {
                instrument: instruments[k].id.clone(),
                respondent: r.get(2)?,
                municipality: r.get(3)?,
                role: role.and_then(|role| role.parse::<Role>().ok()),
                wave: r.get(5)?,
                values: vec![None; instruments[k].items.len()],
                line: 0,
            });
        }
        let mut stmt = self.conn.prepare(
            "SELECT a.response_id, a.item_id, a.value FROM survey_answer a JOIN survey_response r ON r.id = a.response_id
             JOIN instrument i ON i.id = r.instrument_id WHERE i.project_id = ?1",
        )?;
        let mut rows = stmt.query([pid])?;
        while let Some(r) = rows.next()? {
            let response = response_at[&r.get::<_, i64>(0)?];
            let (_, item) = item_at[&r.get::<_, i64>(1)?];
            responses[response].values[item] = Some(r.get(2)?);
        }
        Ok(SurveyRecords { instruments, responses })
    }
}
