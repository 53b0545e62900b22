//! Writing a project into the database: one transaction that replaces the project's data, or nothing at all.

use std::collections::HashMap;

use crosscase_model::{InputFile, Project};
use rusqlite::{Transaction, TransactionBehavior, params};

use crate::Store;
use crate::error::StoreError;

/// What an import brought, recorded beside the data.
#[derive(Clone, Debug)]
pub struct ImportRecord {
    /// Where the project was read from (a folder or a file).
    pub origin: String,
    pub files: Vec<InputFile>,
    /// Equal hashes mean unchanged input.
    pub content_hash: String,
    pub crosscase_version: String,
    /// RFC 3339 UTC.
    pub imported_at: String,
}

/// What an ingest did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IngestOutcome {
    /// The project was not in the database.
    Created,
    /// The project's earlier data was replaced.
    Replaced,
    /// The same content was ingested before; nothing was written.
    Unchanged,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngestSummary {
    pub outcome: IngestOutcome,
    pub municipalities: u64,
    pub sources: u64,
    pub codes: u64,
    pub codings: u64,
}

impl Store {
    /// Stores `project`, replacing any earlier data of the project with the same name, atomically.
    /// A project whose content hash equals the stored one is left as it is.
    pub fn ingest(&mut self, project: &Project, record: &ImportRecord) -> Result<IngestSummary, StoreError> {
        // IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy timeout) instead of failing later.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let summary = |outcome| IngestSummary {
            outcome,
            municipalities: project.municipalities.len() as u64,
            sources: project.sources.len() as u64,
            codes: project.codes.len() as u64,
            codings: project.codings.len() as u64,
        };
        let existing: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, content_hash FROM project WHERE name = ?1",
                [&project.settings.name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map(Some)
            .or_else(|e| {
                if e == rusqlite::Error::QueryReturnedNoRows {
                    Ok(None)
                } else {
                    Err(e)
                }
            })?;
        let outcome = match &existing {
            Some((_, hash)) if *hash == record.content_hash => return Ok(summary(IngestOutcome::Unchanged)),
            Some((id, _)) => {
                delete_project(&tx, *id)?;
                IngestOutcome::Replaced
            }
            None => IngestOutcome::Created,
        };
        insert_project(&tx, project, &record.content_hash)?;
        insert_import(&tx, &project.settings.name, record)?;
        tx.commit()?;
        Ok(summary(outcome))
    }
}

fn delete_project(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    // Children first, so that every foreign key holds at each step.
    tx.execute_batch(&format!(
        "DELETE FROM coding WHERE source_id IN (SELECT id FROM source WHERE project_id = {id});
         DELETE FROM source_participant WHERE source_id IN (SELECT id FROM source WHERE project_id = {id});
         DELETE FROM source WHERE project_id = {id};
         DELETE FROM participant WHERE project_id = {id};
         DELETE FROM unit WHERE project_id = {id};
         UPDATE code SET parent_id = NULL WHERE project_id = {id};
         DELETE FROM code WHERE project_id = {id};
         DELETE FROM wave WHERE project_id = {id};
         DELETE FROM municipality WHERE project_id = {id};
         DELETE FROM project WHERE id = {id};"
    ))?;
    Ok(())
}

fn insert_import(tx: &Transaction<'_>, name: &str, r: &ImportRecord) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO import (project_name, imported_at, crosscase_version, origin, content_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name, r.imported_at, r.crosscase_version, r.origin, r.content_hash],
    )?;
    let import_id = tx.last_insert_rowid();
    let mut stmt = tx.prepare("INSERT INTO import_file (import_id, path, sha256, bytes) VALUES (?1, ?2, ?3, ?4)")?;
    for f in &r.files {
        stmt.execute(params![import_id, f.path, f.sha256, f.bytes as i64])?;
    }
    Ok(())
}

fn insert_project(tx: &Transaction<'_>, p: &Project, content_hash: &str) -> Result<(), StoreError> {
    // Counting words reads every text; it runs on all cores while nothing else can use them.
    let words: Vec<i64> = {
        use rayon::prelude::*;
        p.sources.par_iter().map(|s| s.text.as_deref().map_or(0, |t| t.split_whitespace().count() as i64)).collect()
    };
    let s = &p.settings;
    tx.execute(
        "INSERT INTO project (name, language, disclosure_threshold, free_site_ids, primary_coder, content_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            s.name,
            s.language.as_str(),
            s.disclosure_threshold,
            s.free_site_ids,
            s.primary_coder,
            content_hash
        ],
    )?;
    let project_id = tx.last_insert_rowid();

    let mut municipality = HashMap::with_capacity(p.municipalities.len());
    let mut stmt = tx.prepare("INSERT INTO municipality (project_id, kommunkod, name) VALUES (?1, ?2, ?3)")?;
    for m in &p.municipalities {
        stmt.execute(params![project_id, m.code, m.name])?;
        municipality.insert(m.code.as_str(), tx.last_insert_rowid());
    }

    let mut unit = HashMap::with_capacity(p.units.len());
    let mut stmt =
        tx.prepare("INSERT INTO unit (project_id, unit_id, municipality_id, name) VALUES (?1, ?2, ?3, ?4)")?;
    for u in &p.units {
        stmt.execute(params![project_id, u.id, municipality[u.municipality.as_str()], u.name])?;
        unit.insert(u.id.as_str(), tx.last_insert_rowid());
    }

    let mut participant = HashMap::with_capacity(p.participants.len());
    let mut stmt = tx.prepare(
        "INSERT INTO participant (project_id, participant_id, municipality_id, unit_id, role) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for x in &p.participants {
        let unit_id = x.unit.as_deref().map(|u| unit[u]);
        stmt.execute(params![
            project_id,
            x.id,
            municipality[x.municipality.as_str()],
            unit_id,
            x.role.as_str()
        ])?;
        participant.insert(x.id.as_str(), tx.last_insert_rowid());
    }

    let mut wave = HashMap::with_capacity(p.waves.len());
    let mut stmt =
        tx.prepare("INSERT INTO wave (project_id, wave_id, name, start_date, end_date) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for w in &p.waves {
        stmt.execute(params![
            project_id,
            w.id,
            w.name,
            w.start.to_string(),
            w.end.to_string()
        ])?;
        wave.insert(w.id.as_str(), tx.last_insert_rowid());
    }

    let mut code = HashMap::with_capacity(p.codes.len());
    let mut stmt = tx.prepare(
        "INSERT INTO code (project_id, code_id, label_sv, label_en, description, colour, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (position, c) in p.codes.iter().enumerate() {
        stmt.execute(params![
            project_id,
            c.id,
            c.label_sv,
            c.label_en,
            c.description,
            c.colour,
            position as i64
        ])?;
        code.insert(c.id.as_str(), tx.last_insert_rowid());
    }
    // Parents may come after their children in the file, so they are linked once all codes exist.
    let mut stmt = tx.prepare("UPDATE code SET parent_id = ?1 WHERE id = ?2")?;
    for c in &p.codes {
        if let Some(parent) = &c.parent {
            stmt.execute(params![code[parent.as_str()], code[c.id.as_str()]])?;
        }
    }

    // For each source, its row id and whether it has a text (then quotes are derived, not stored).
    let mut source = HashMap::with_capacity(p.sources.len());
    let mut stmt = tx.prepare(
        "INSERT INTO source (project_id, source_id, kind, municipality_id, unit_id, date, wave_id, setting,
                             duration_min, title, text, words)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    let mut link = tx.prepare("INSERT INTO source_participant (source_id, participant_id) VALUES (?1, ?2)")?;
    for (s, words) in p.sources.iter().zip(words) {
        stmt.execute(params![
            project_id,
            s.id,
            s.kind.as_str(),
            municipality[s.municipality.as_str()],
            s.unit.as_deref().map(|u| unit[u]),
            s.date.map(|d| d.to_string()),
            s.wave.as_deref().map(|w| wave[w]),
            s.setting,
            s.duration_minutes,
            s.title,
            s.text,
            words,
        ])?;
        let id = tx.last_insert_rowid();
        source.insert(s.id.as_str(), (id, s.text.is_some()));
        for x in &s.participants {
            link.execute(params![id, participant[x.as_str()]])?;
        }
    }

    // A bulk load that dwarfs what the table holds is faster with the code index built afterwards, by one sort,
    // than maintained row by row. The index stays: deleting a code must find its codings without a table scan.
    let held: i64 = tx.query_row("SELECT count(*) FROM coding", [], |r| r.get(0))?;
    let rebuild_index = p.codings.len() as i64 > 4 * held && p.codings.len() > 10_000;
    if rebuild_index {
        tx.execute_batch("DROP INDEX coding_code")?;
    }
    let mut stmt = tx.prepare(
        "INSERT INTO coding (source_id, code_id, coder, start, end, quote, memo) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in &p.codings {
        let (source_id, has_text) = source[c.source.as_str()];
        let quote = if has_text { None } else { Some(c.quote.as_str()) };
        stmt.execute(params![
            source_id,
            code[c.code.as_str()],
            c.coder,
            c.start as i64,
            c.end as i64,
            quote,
            c.memo,
        ])?;
    }
    if rebuild_index {
        tx.execute_batch("CREATE INDEX coding_code ON coding(code_id)")?;
    }
    Ok(())
}
