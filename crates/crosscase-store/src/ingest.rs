//! Writing a project into the database: one transaction that replaces the project's data, or nothing at all.

use std::collections::HashMap;

use crosscase_model::{CodingBatch, CodingRow, InputFile, Project, SourceText, SourceTexts};
use rusqlite::{Transaction, TransactionBehavior, params};

use crate::error::StoreError;
use crate::{CACHE_SIZE, Store};

/// Why a streamed ingest ([`Store::ingest_streaming`]) stopped: its reader's problems, or the store's.
#[derive(Debug)]
pub enum StreamError<E> {
    Read(E),
    Store(StoreError),
}

/// Codings written by one execution of the bulk insert statement (7 parameters each, within SQLite's 32,766).
/// A statement that writes several rows and may fail a foreign-key check part-way keeps a statement journal: a copy
/// of every page it changes that existed when it started (the last page of the table and of its index, and the
/// pages above them). Those copies cost per statement, not per row, so fewer, larger statements copy less: at 64
/// codings a statement they were 1.4 GB for a million codings, eight times the database.
const CODINGS_PER_INSERT: usize = 1024;

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
    /// Whether a stored project of the same name whose content differs may be replaced. `crosscase ingest` reads a
    /// folder the user keeps under one name; `crosscase import` reads exports that tools often name alike
    /// ("Untitled"), so it replaces only when asked.
    pub replace_other_content: bool,
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

/// A project being written: its transaction is open, its codings arrive in batches.
/// Dropping the writer without [`IngestWriter::commit`] rolls everything back.
pub struct IngestWriter<'s> {
    tx: Transaction<'s>,
    summary: IngestSummary,
    rows: RowIds,
    /// The coders streamed rows have named, by number.
    coders: Vec<String>,
    /// The import record, when [`Store::begin_ingest`] needed it already (to compare content hashes).
    record: Option<ImportRecord>,
    /// The code index is rebuilt after a bulk load instead of being maintained row by row.
    rebuild_code_index: bool,
}

/// What [`Store::begin_ingest`] found.
pub enum Ingest<'s> {
    /// The same content was ingested before; nothing was written.
    Unchanged(IngestSummary),
    Writing(Box<IngestWriter<'s>>),
}

impl Store {
    /// Stores `project`, replacing any earlier data of the project with the same name, atomically.
    /// A project whose content hash equals the stored one is left as it is.
    pub fn ingest(&mut self, project: &Project, record: &ImportRecord) -> Result<IngestSummary, StoreError> {
        let record = || record.clone();
        match self.begin_ingest(project, None, &record, project.codings.len() as u64)? {
            Ingest::Unchanged(summary) => Ok(summary),
            Ingest::Writing(mut writer) => {
                writer.add_codings(&project.codings)?;
                writer.commit(&record)
            }
        }
    }

    /// Starts storing `project` (its codings, if any, are ignored: they come through
    /// [`IngestWriter::add_codings`] or [`IngestWriter::add_rows`]). `expected_codings` sizes the load. `record`
    /// is asked for the import record when a stored project has the same name (to compare content hashes), and
    /// otherwise only at the commit, so that the input can still be hashed while the store writes. With `texts`, the
    /// sources' texts are taken from there as they are read (see [`SourceTexts`]) rather than from `project`.
    pub fn begin_ingest(
        &mut self,
        project: &Project,
        texts: Option<&SourceTexts>,
        record: &dyn Fn() -> ImportRecord,
        expected_codings: u64,
    ) -> Result<Ingest<'_>, StoreError> {
        // IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy timeout) instead of failing later.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let summary = IngestSummary {
            outcome: IngestOutcome::Created,
            municipalities: project.municipalities.len() as u64,
            sources: project.sources.len() as u64,
            codes: project.codes.len() as u64,
            codings: 0,
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
        let record = existing.as_ref().map(|_| record());
        let outcome = match (&existing, &record) {
            (Some((id, hash)), Some(record)) if *hash == record.content_hash => {
                let codings: i64 = tx.query_row(
                    "SELECT count(*) FROM coding c JOIN source s ON s.id = c.source_id WHERE s.project_id = ?1",
                    [id],
                    |r| r.get(0),
                )?;
                return Ok(Ingest::Unchanged(IngestSummary {
                    outcome: IngestOutcome::Unchanged,
                    codings: codings as u64,
                    ..summary
                }));
            }
            (Some(_), Some(record)) if !record.replace_other_content => {
                return Err(StoreError::NameTaken {
                    name: project.settings.name.clone(),
                });
            }
            (Some((id, _)), _) => {
                delete_project(&tx, *id)?;
                IngestOutcome::Replaced
            }
            (None, _) => IngestOutcome::Created,
        };
        let rows = insert_project(&tx, project, texts)?;
        // A bulk load that dwarfs what the table holds is faster with the code index built afterwards, by one sort.
        // The index stays: deleting a code must find its codings without a table scan.
        let held: i64 = tx.query_row("SELECT count(*) FROM coding", [], |r| r.get(0))?;
        let rebuild_code_index = expected_codings > 4 * held as u64 && expected_codings > 10_000;
        if rebuild_code_index {
            tx.execute_batch("DROP INDEX coding_code")?;
        }
        Ok(Ingest::Writing(Box::new(IngestWriter {
            tx,
            summary: IngestSummary { outcome, ..summary },
            rows,
            coders: Vec::new(),
            record,
            rebuild_code_index,
        })))
    }
}

impl IngestWriter<'_> {
    /// Writes a batch of codings. A coding naming a source or code that is not in the project is an error
    /// (validation catches these before; this guards the database against a caller that skipped it).
    pub fn add_codings(&mut self, codings: &[crosscase_model::Coding]) -> Result<(), StoreError> {
        let mut rows = RowResolver {
            sources: &self.rows.sources,
            codes: &self.rows.codes,
            last: None,
        };
        insert_codings(&self.tx, codings, |stmt, i, c| rows.bind(stmt, i, c))?;
        self.summary.codings += codings.len() as u64;
        Ok(())
    }

    /// Writes a batch of streamed rows, whose sources and codes are given by position in the project's lists and
    /// coders by number (see [`CodingBatch`]). A row naming one that the project or the batches so far do not have
    /// is an error.
    pub fn add_rows(&mut self, batch: &CodingBatch) -> Result<(), StoreError> {
        self.coders.extend(batch.new_coders.iter().cloned());
        let (rows, coders) = (&self.rows, &self.coders);
        insert_codings(&self.tx, &batch.rows, |stmt, i, c: &CodingRow| {
            let unknown = |what: &str, at: u32| StoreError::Invalid {
                message: format!(
                    "the coding on line {} names {what} number {at}, which the project does not have",
                    c.line
                ),
            };
            let &(source_id, has_text) = rows
                .source_rows
                .get(c.source as usize)
                .ok_or_else(|| unknown("source", c.source))?;
            let code_id = *rows
                .code_rows
                .get(c.code as usize)
                .ok_or_else(|| unknown("code", c.code))?;
            let coder = coders.get(c.coder as usize).ok_or_else(|| unknown("coder", c.coder))?;
            let quote = if has_text { None } else { c.quote.as_deref() };
            bind_coding(
                stmt,
                i,
                [source_id, code_id],
                coder,
                [c.start, c.end],
                quote,
                c.memo.as_deref(),
            )
        })?;
        self.summary.codings += batch.rows.len() as u64;
        Ok(())
    }

    /// Records the import (`record` is asked for it unless [`Store::begin_ingest`] already did) and makes the
    /// project's new data durable.
    pub fn commit(mut self, record: &dyn Fn() -> ImportRecord) -> Result<IngestSummary, StoreError> {
        let record = self.record.take().unwrap_or_else(record);
        insert_import(&self.tx, self.rows.project_id, &record)?;
        if self.rebuild_code_index {
            // With a small cache the sorter hands sorted runs to its worker thread (PRAGMA threads) instead of
            // sorting all keys in one list on this thread: measured 0.1 s faster per million codings.
            self.tx.execute_batch(&format!(
                "PRAGMA cache_size = -2048; CREATE INDEX coding_code ON coding(code_id); PRAGMA cache_size = {CACHE_SIZE};"
            ))?;
        }
        self.tx.commit()?;
        Ok(self.summary)
    }
}

/// Row ids of a coding's source and code, and the quote to store (none when the source has a text to derive it from).
struct RowResolver<'w, 'c> {
    sources: &'w HashMap<String, (i64, bool)>,
    codes: &'w HashMap<String, i64>,
    /// Codings come grouped by source, so the last source looked up is usually the next one too.
    last: Option<(&'c str, (i64, bool))>,
}

impl<'c> RowResolver<'_, 'c> {
    /// A coding naming a source or code that is not in the project is an error (validation catches these before;
    /// this guards the database against a caller that skipped it).
    fn resolve(&mut self, c: &'c crosscase_model::Coding) -> Result<(i64, i64, Option<&'c str>), StoreError> {
        let unknown = |what: &str, id: &str| StoreError::Invalid {
            message: format!(
                "the coding on line {} names {what} `{id}`, which is not in the project",
                c.line
            ),
        };
        let (source_id, has_text) = match self.last {
            Some((id, row)) if id == c.source => row,
            _ => {
                let row = *self
                    .sources
                    .get(&c.source)
                    .ok_or_else(|| unknown("source", &c.source))?;
                self.last = Some((c.source.as_str(), row));
                row
            }
        };
        let code_id = *self.codes.get(&c.code).ok_or_else(|| unknown("code", &c.code))?;
        Ok((source_id, code_id, (!has_text).then_some(c.quote.as_str())))
    }

    /// Binds coding `c` as the `row`-th row (from 0) of an insert statement's values.
    fn bind(
        &mut self,
        stmt: &mut rusqlite::Statement<'_>,
        row: usize,
        c: &'c crosscase_model::Coding,
    ) -> Result<(), StoreError> {
        let (source_id, code_id, quote) = self.resolve(c)?;
        bind_coding(
            stmt,
            row,
            [source_id, code_id],
            &c.coder,
            [c.start, c.end],
            quote,
            c.memo.as_deref(),
        )
    }
}

/// Inserts `rows` into `coding`, `bind` binding each as the `i`-th row (from 0) of an insert statement's values.
fn insert_codings<'r, R>(
    tx: &Transaction<'_>,
    rows: &'r [R],
    mut bind: impl FnMut(&mut rusqlite::Statement<'_>, usize, &'r R) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    // Rows go in groups of CODINGS_PER_INSERT per statement: each execution of a statement opens and closes its
    // cursors (and the foreign-key checks' cursors), which costs as much as a row, and copies the pages it changes
    // into its statement journal; the rest go one by one (a one-row statement keeps no journal).
    let insert = |rows: usize| {
        format!(
            "INSERT INTO coding (source_id, code_id, coder, start, end, quote, memo) VALUES {}",
            vec!["(?, ?, ?, ?, ?, ?, ?)"; rows].join(", ")
        )
    };
    let mut many = tx.prepare_cached(&insert(CODINGS_PER_INSERT))?;
    let mut one = tx.prepare_cached(&insert(1))?;
    let mut groups = rows.chunks_exact(CODINGS_PER_INSERT);
    for group in &mut groups {
        for (i, r) in group.iter().enumerate() {
            bind(&mut many, i, r)?;
        }
        many.raw_execute()?;
    }
    for r in groups.remainder() {
        bind(&mut one, 0, r)?;
        one.raw_execute()?;
    }
    Ok(())
}

/// Binds one coding's columns as the `row`-th row (from 0) of an insert statement's values.
fn bind_coding(
    stmt: &mut rusqlite::Statement<'_>,
    row: usize,
    [source_id, code_id]: [i64; 2],
    coder: &str,
    [start, end]: [u64; 2],
    quote: Option<&str>,
    memo: Option<&str>,
) -> Result<(), StoreError> {
    let at = row * 7;
    stmt.raw_bind_parameter(at + 1, source_id)?;
    stmt.raw_bind_parameter(at + 2, code_id)?;
    stmt.raw_bind_parameter(at + 3, coder)?;
    stmt.raw_bind_parameter(at + 4, start as i64)?;
    stmt.raw_bind_parameter(at + 5, end as i64)?;
    stmt.raw_bind_parameter(at + 6, quote)?;
    stmt.raw_bind_parameter(at + 7, memo)?;
    Ok(())
}

fn delete_project(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    // Children first, so that every foreign key holds at each step.
    tx.execute_batch(&format!(
        "DELETE FROM survey_answer WHERE response_id IN (SELECT r.id FROM survey_response r
             JOIN instrument i ON i.id = r.instrument_id WHERE i.project_id = {id});
         DELETE FROM survey_response WHERE instrument_id IN (SELECT id FROM instrument WHERE project_id = {id});
         DELETE FROM survey_item WHERE instrument_id IN (SELECT id FROM instrument WHERE project_id = {id});
         DELETE FROM survey_dimension WHERE instrument_id IN (SELECT id FROM instrument WHERE project_id = {id});
         DELETE FROM instrument WHERE project_id = {id};
         DELETE FROM idea_event WHERE idea_id IN (SELECT id FROM idea WHERE project_id = {id});
         DELETE FROM idea_code WHERE idea_id IN (SELECT id FROM idea WHERE project_id = {id});
         DELETE FROM idea WHERE project_id = {id};
         DELETE FROM idea_stage WHERE project_id = {id};
         DELETE FROM headcount WHERE project_id = {id};
         DELETE FROM coding WHERE source_id IN (SELECT id FROM source WHERE project_id = {id});
         DELETE FROM source_participant WHERE source_id IN (SELECT id FROM source WHERE project_id = {id});
         DELETE FROM source_set WHERE source_id IN (SELECT id FROM source WHERE project_id = {id});
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

/// Records the import of project `project_id`, and gives the project its content hash.
fn insert_import(tx: &Transaction<'_>, project_id: i64, r: &ImportRecord) -> Result<(), StoreError> {
    let name: String = tx.query_row(
        "UPDATE project SET content_hash = ?1 WHERE id = ?2 RETURNING name",
        params![r.content_hash, project_id],
        |row| row.get(0),
    )?;
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

/// The row id of `id` in `map`, or an error naming it: a project that skipped validation must not panic the store.
fn row_id<K: std::borrow::Borrow<str> + std::hash::Hash + Eq>(
    map: &HashMap<K, i64>,
    id: &str,
    what: &str,
) -> Result<i64, StoreError> {
    map.get(id).copied().ok_or_else(|| StoreError::Invalid {
        message: format!("{what} `{id}` is referred to but not defined"),
    })
}

/// Row ids of the project, and of its sources (with whether each has a text, so that quotes are derived rather than
/// stored) and codes, by id and by position in the project's lists.
struct RowIds {
    project_id: i64,
    sources: HashMap<String, (i64, bool)>,
    codes: HashMap<String, i64>,
    source_rows: Vec<(i64, bool)>,
    code_rows: Vec<i64>,
}

/// Inserts everything of the project but its codings. The content hash is set when the import is recorded.
fn insert_project(tx: &Transaction<'_>, p: &Project, texts: Option<&SourceTexts>) -> Result<RowIds, StoreError> {
    // Counting words reads every text; it runs on all cores while nothing else can use them (texts being read count
    // their words where they are read).
    let words: Vec<i64> = match texts {
        Some(_) => Vec::new(),
        None => {
            use rayon::prelude::*;
            p.sources
                .par_iter()
                .map(|s| s.text.as_deref().map_or(0, |t| crosscase_model::word_count(t) as i64))
                .collect()
        }
    };
    let s = &p.settings;
    tx.execute(
        "INSERT INTO project (name, language, disclosure_threshold, free_site_ids, primary_coder, content_hash,
                              idea_implemented, idea_observed_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            s.name,
            s.language.as_str(),
            s.disclosure_threshold,
            s.free_site_ids,
            s.primary_coder,
            "",
            s.idea_stages.implemented,
            s.idea_stages.observed_until.map(|d| d.to_string()),
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
        stmt.execute(params![
            project_id,
            u.id,
            row_id(&municipality, &u.municipality, "municipality")?,
            u.name
        ])?;
        unit.insert(u.id.as_str(), tx.last_insert_rowid());
    }

    let mut participant = HashMap::with_capacity(p.participants.len());
    let mut stmt = tx.prepare(
        "INSERT INTO participant (project_id, participant_id, municipality_id, unit_id, role) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for x in &p.participants {
        let unit_id = x.unit.as_deref().map(|u| row_id(&unit, u, "unit")).transpose()?;
        stmt.execute(params![
            project_id,
            x.id,
            row_id(&municipality, &x.municipality, "municipality")?,
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
        "INSERT INTO code (project_id, code_id, label_sv, label_en, description, colour, position, codable)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (position, c) in p.codes.iter().enumerate() {
        stmt.execute(params![
            project_id,
            c.id,
            c.label_sv,
            c.label_en,
            c.description,
            c.colour,
            position as i64,
            c.codable
        ])?;
        code.insert(c.id.clone(), tx.last_insert_rowid());
    }
    // Parents may come after their children in the file, so they are linked once all codes exist.
    let mut stmt = tx.prepare("UPDATE code SET parent_id = ?1 WHERE id = ?2")?;
    for c in &p.codes {
        if let Some(parent) = &c.parent {
            stmt.execute(params![row_id(&code, parent, "code")?, row_id(&code, &c.id, "code")?])?;
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
    for (i, s) in p.sources.iter().enumerate() {
        let (text, words) = match texts.map(|t| t.wait(i)) {
            None => (s.text.as_deref(), words[i]),
            Some(SourceText::None) => (None, 0),
            Some(SourceText::Text { text, words }) => (Some(text.as_str()), *words as i64),
            Some(SourceText::Unreadable) => {
                return Err(StoreError::Invalid {
                    message: format!("the text of source `{}` was not read", s.id),
                });
            }
        };
        stmt.execute(params![
            project_id,
            s.id,
            s.kind.as_str(),
            row_id(&municipality, &s.municipality, "municipality")?,
            s.unit.as_deref().map(|u| row_id(&unit, u, "unit")).transpose()?,
            s.date.map(|d| d.to_string()),
            s.wave.as_deref().map(|w| row_id(&wave, w, "wave")).transpose()?,
            s.setting,
            s.duration_minutes,
            s.title,
            text,
            words,
        ])?;
        let id = tx.last_insert_rowid();
        source.insert(s.id.clone(), (id, text.is_some()));
        for x in &s.participants {
            link.execute(params![id, row_id(&participant, x, "participant")?])?;
        }
    }

    let mut member = tx.prepare("INSERT OR IGNORE INTO source_set (source_id, name) VALUES (?1, ?2)")?;
    for set in &p.sets {
        for s in &set.sources {
            let (id, _) = source.get(s).copied().ok_or_else(|| StoreError::Invalid {
                message: format!("source `{s}` of the set `{}` is referred to but not defined", set.name),
            })?;
            member.execute(params![id, set.name])?;
        }
    }

    let places = Places {
        project_id,
        municipality: &municipality,
        unit: &unit,
        wave: &wave,
        code: &code,
    };
    insert_ideas(tx, p, &places)?;
    insert_surveys(tx, p, &places)?;
    let source_rows = p.sources.iter().map(|s| source[&s.id]).collect();
    let code_rows = p.codes.iter().map(|c| code[&c.id]).collect();
    Ok(RowIds {
        project_id,
        sources: source,
        codes: code,
        source_rows,
        code_rows,
    })
}

/// Row ids that the idea records refer to.
struct Places<'a> {
    project_id: i64,
    municipality: &'a HashMap<&'a str, i64>,
    unit: &'a HashMap<&'a str, i64>,
    wave: &'a HashMap<&'a str, i64>,
    code: &'a HashMap<String, i64>,
}

/// Survey instruments with their dimensions and items, and every response with its scale values.
fn insert_surveys(tx: &Transaction<'_>, p: &Project, at: &Places<'_>) -> Result<(), StoreError> {
    let mut instrument = tx.prepare(
        "INSERT INTO instrument (project_id, instrument_id, name_sv, name_en, design, scale_min, scale_max, labels_sv,
                                 labels_en, missing)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut dimension = tx.prepare(
        "INSERT INTO survey_dimension (instrument_id, dimension_id, label_sv, label_en, position) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut item = tx.prepare(
        "INSERT INTO survey_item (instrument_id, item_id, text_sv, text_en, dimension_id, reverse, position)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut response = tx.prepare(
        "INSERT INTO survey_response (instrument_id, respondent, municipality_id, role, wave) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut answer = tx.prepare("INSERT INTO survey_answer (response_id, item_id, value) VALUES (?1, ?2, ?3)")?;
    let mut instruments = HashMap::new();
    let mut items: HashMap<&str, Vec<i64>> = HashMap::new();
    for ins in &p.instruments {
        instrument.execute(params![
            at.project_id,
            ins.id,
            ins.name_sv,
            ins.name_en,
            ins.design.as_str(),
            ins.scale_min,
            ins.scale_max,
            ins.labels_sv.join("\n"),
            ins.labels_en.join("\n"),
            ins.missing.join("\n"),
        ])?;
        let id = tx.last_insert_rowid();
        instruments.insert(ins.id.as_str(), id);
        for (position, d) in ins.dimensions.iter().enumerate() {
            dimension.execute(params![id, d.id, d.label_sv, d.label_en, position as i64])?;
        }
        let rows = items.entry(ins.id.as_str()).or_default();
        for (position, i) in ins.items.iter().enumerate() {
            item.execute(params![
                id,
                i.id,
                i.text_sv,
                i.text_en,
                i.dimension,
                i.reverse,
                position as i64
            ])?;
            rows.push(tx.last_insert_rowid());
        }
    }
    for r in &p.survey_responses {
        let instrument_id = row_id(&instruments, &r.instrument, "instrument")?;
        response.execute(params![
            instrument_id,
            r.respondent,
            row_id(at.municipality, &r.municipality, "municipality")?,
            r.role.map(|role| role.as_str()),
            r.wave,
        ])?;
        let id = tx.last_insert_rowid();
        let item_rows = &items[r.instrument.as_str()];
        for (k, value) in r.values.iter().enumerate() {
            if let (Some(v), Some(&item_row)) = (value, item_rows.get(k)) {
                answer.execute(params![id, item_row, v])?;
            }
        }
    }
    Ok(())
}

/// The idea stages, ideas with their themes and events, and head counts.
fn insert_ideas(tx: &Transaction<'_>, p: &Project, at: &Places<'_>) -> Result<(), StoreError> {
    let stages = &p.settings.idea_stages;
    let mut stmt =
        tx.prepare("INSERT INTO idea_stage (project_id, stage, position, is_exit) VALUES (?1, ?2, ?3, ?4)")?;
    for (position, stage) in stages.all().enumerate() {
        stmt.execute(params![at.project_id, stage, position as i64, stages.is_exit(stage)])?;
    }
    let mut idea = HashMap::with_capacity(p.ideas.len());
    let mut stmt = tx.prepare(
        "INSERT INTO idea (project_id, idea_id, municipality_id, unit_id, submitted, wave_id, title)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut themes = tx.prepare("INSERT OR IGNORE INTO idea_code (idea_id, code_id) VALUES (?1, ?2)")?;
    for i in &p.ideas {
        stmt.execute(params![
            at.project_id,
            i.id,
            row_id(at.municipality, &i.municipality, "municipality")?,
            i.unit.as_deref().map(|u| row_id(at.unit, u, "unit")).transpose()?,
            i.submitted.to_string(),
            i.wave.as_deref().map(|w| row_id(at.wave, w, "wave")).transpose()?,
            i.title,
        ])?;
        let id = tx.last_insert_rowid();
        idea.insert(i.id.as_str(), id);
        for c in &i.codes {
            themes.execute(params![id, row_id(at.code, c, "code")?])?;
        }
    }
    let mut stmt = tx.prepare("INSERT INTO idea_event (idea_id, stage, date) VALUES (?1, ?2, ?3)")?;
    for e in &p.idea_events {
        stmt.execute(params![row_id(&idea, &e.idea, "idea")?, e.stage, e.date.to_string()])?;
    }
    let mut stmt =
        tx.prepare("INSERT INTO headcount (project_id, municipality_id, unit_id, employees) VALUES (?1, ?2, ?3, ?4)")?;
    for h in &p.headcounts {
        stmt.execute(params![
            at.project_id,
            row_id(at.municipality, &h.municipality, "municipality")?,
            h.unit.as_deref().map(|u| row_id(at.unit, u, "unit")).transpose()?,
            h.employees,
        ])?;
    }
    Ok(())
}

/// Batches the reader may run ahead of the writer (at 16,384 codings a batch, about a million codings).
const BATCHES_AHEAD: usize = 64;

impl Store {
    /// Stores `project` (its codings, if any, are ignored) with the codings `read` produces, in one transaction;
    /// `record` gives the import record (see [`Store::begin_ingest`] for when it is asked for), and `texts`, when
    /// given, the sources' texts as `read` reads them (it must fill or close every slot, also when it fails).
    ///
    /// `read` runs on a thread of its own and starts first, handing full batches to its sink up to
    /// [`BATCHES_AHEAD`] ahead while the store writes the sources, so that reading overlaps writing rather than
    /// waiting for it; the sink gives back an empty batch to fill next (one already written, whose memory is
    /// reused), or `None` once the store wants no more (an unchanged project, or a failed write), and `read` should
    /// stop then. Each row passes through `each` (e.g. pseudonymisation) before it is written. Nothing is committed
    /// unless both the reading and every write succeed.
    pub fn ingest_streaming<E: Send>(
        &mut self,
        project: &Project,
        texts: Option<&SourceTexts>,
        record: &dyn Fn() -> ImportRecord,
        expected_codings: u64,
        read: impl FnOnce(&mut dyn FnMut(CodingBatch) -> Option<CodingBatch>) -> Result<u64, E> + Send,
        mut each: impl FnMut(&mut CodingRow),
    ) -> Result<IngestSummary, StreamError<E>> {
        let (send, receive) = std::sync::mpsc::sync_channel::<CodingBatch>(BATCHES_AHEAD);
        // Written batches go back to the reader to be filled again.
        let (give_back, given_back) = std::sync::mpsc::channel::<CodingBatch>();
        std::thread::scope(|scope| {
            let reading = scope.spawn(move || {
                read(&mut |full| {
                    let capacity = full.rows.capacity();
                    send.send(full).ok()?;
                    Some(
                        given_back
                            .try_recv()
                            .unwrap_or_else(|_| CodingBatch::with_capacity(capacity)),
                    )
                })
            });
            let mut writer = match self.begin_ingest(project, texts, record, expected_codings) {
                Ok(Ingest::Writing(writer)) => writer,
                // Hanging up stops the reader: an unchanged project was valid when it was stored (what the reader
                // found before it stopped still comes first).
                Ok(Ingest::Unchanged(summary)) => {
                    drop(receive);
                    let read = reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    read.map_err(StreamError::Read)?;
                    return Ok(summary);
                }
                // The reader's problems come first: a write may fail because of them (a text that was not read).
                Err(e) => {
                    drop(receive);
                    let read = reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    read.map_err(StreamError::Read)?;
                    return Err(StreamError::Store(e));
                }
            };
            let mut written = Ok(());
            for mut batch in receive.iter() {
                batch.rows.iter_mut().for_each(&mut each);
                written = writer.add_rows(&batch);
                if written.is_err() {
                    // Hanging up stops the reader: nothing more will be written.
                    break;
                }
                batch.clear();
                let _ = give_back.send(batch);
            }
            drop(receive);
            // A panic in the reader is a bug; resume it here rather than hide it.
            let read = reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            read.map_err(StreamError::Read)?;
            written.map_err(StreamError::Store)?;
            writer.commit(record).map_err(StreamError::Store)
        })
    }
}
