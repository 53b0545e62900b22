//! The schema and its forward migrations; the version is kept in `PRAGMA user_version`.

use std::path::Path;

use rusqlite::Connection;

use crate::error::StoreError;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 7;

/// One step of the schema: SQL, or SQL and then Rust for what SQL cannot do (re-encoding stored rows).
enum Migration {
    Sql(&'static str),
    Rust(&'static str, fn(&rusqlite::Transaction) -> Result<(), StoreError>),
}

/// Migration `i` takes a database from version `i` to `i + 1`.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(V1),
    Migration::Sql(V2),
    Migration::Sql(V3),
    Migration::Sql(V4),
    Migration::Sql(V5),
    Migration::Rust(V6, crate::runs::compact_runs),
    Migration::Sql(V7),
];

pub(crate) const V1: &str = "
CREATE TABLE project (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    language TEXT NOT NULL CHECK (language IN ('sv', 'en')),
    disclosure_threshold INTEGER NOT NULL CHECK (disclosure_threshold >= 1),
    free_site_ids INTEGER NOT NULL,
    primary_coder TEXT,
    content_hash TEXT NOT NULL
);
-- Imports outlive the data they brought: a replaced project keeps its history.
CREATE TABLE import (
    id INTEGER PRIMARY KEY,
    project_name TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    crosscase_version TEXT NOT NULL,
    origin TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE TABLE import_file (
    import_id INTEGER NOT NULL REFERENCES import(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (import_id, path)
) WITHOUT ROWID;
CREATE TABLE municipality (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES project(id),
    kommunkod TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (project_id, kommunkod)
);
CREATE TABLE unit (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES project(id),
    unit_id TEXT NOT NULL,
    municipality_id INTEGER NOT NULL REFERENCES municipality(id),
    name TEXT NOT NULL,
    UNIQUE (project_id, unit_id)
);
CREATE INDEX unit_municipality ON unit(municipality_id);
CREATE TABLE participant (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES project(id),
    participant_id TEXT NOT NULL,
    municipality_id INTEGER NOT NULL REFERENCES municipality(id),
    unit_id INTEGER REFERENCES unit(id),
    role TEXT NOT NULL,
    UNIQUE (project_id, participant_id)
);
CREATE INDEX participant_municipality ON participant(municipality_id);
CREATE INDEX participant_unit ON participant(unit_id);
CREATE TABLE wave (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES project(id),
    wave_id TEXT NOT NULL,
    name TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    UNIQUE (project_id, wave_id)
);
CREATE TABLE code (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES project(id),
    code_id TEXT NOT NULL,
    parent_id INTEGER REFERENCES code(id),
    label_sv TEXT NOT NULL,
    label_en TEXT NOT NULL,
    description TEXT,
    colour TEXT,
    position INTEGER NOT NULL,
    UNIQUE (project_id, code_id)
);
CREATE INDEX code_parent ON code(parent_id);
CREATE TABLE source (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES project(id),
    source_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    municipality_id INTEGER NOT NULL REFERENCES municipality(id),
    unit_id INTEGER REFERENCES unit(id),
    date TEXT,
    wave_id INTEGER REFERENCES wave(id),
    setting TEXT,
    duration_min INTEGER,
    title TEXT,
    text TEXT,
    words INTEGER NOT NULL,
    UNIQUE (project_id, source_id)
);
CREATE INDEX source_municipality ON source(municipality_id);
CREATE INDEX source_unit ON source(unit_id);
CREATE INDEX source_wave ON source(wave_id);
CREATE TABLE source_participant (
    source_id INTEGER NOT NULL REFERENCES source(id),
    participant_id INTEGER NOT NULL REFERENCES participant(id),
    PRIMARY KEY (source_id, participant_id)
) WITHOUT ROWID;
CREATE INDEX source_participant_participant ON source_participant(participant_id);
-- Offsets are Unicode code points, half-open. The quote is stored only for sources without text: otherwise it is
-- derived from the text (see the view coding_quote), so that it is never stored twice and cannot disagree.
CREATE TABLE coding (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES source(id),
    code_id INTEGER NOT NULL REFERENCES code(id),
    coder TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    quote TEXT,
    memo TEXT,
    CHECK (0 <= start AND start < end)
);
CREATE INDEX coding_source ON coding(source_id);
CREATE INDEX coding_code ON coding(code_id);
-- SQLite's substr counts characters (code points) in text, as coding offsets do.
CREATE VIEW coding_quote AS
    SELECT c.id AS coding_id, COALESCE(c.quote, substr(s.text, c.start + 1, c.end - c.start)) AS quote
    FROM coding c JOIN source s ON s.id = c.source_id;
";

/// Version 2: every analysis run is kept with its parameters, its seed and what it read, so that a figure in a
/// report can be traced back to the run that made it.
pub(crate) const V2: &str = "
CREATE TABLE analysis_run (
    id INTEGER PRIMARY KEY,
    project_name TEXT NOT NULL,
    -- The content hash of the project data the run read.
    project_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- JSON object of the run's parameters.
    parameters TEXT NOT NULL,
    seed INTEGER,
    crosscase_version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    -- The rows, one JSON object per line, as `--format json` prints them.
    result TEXT NOT NULL
);
CREATE INDEX analysis_run_project ON analysis_run(project_name);
";

/// Version 3: idea-management records (ideas, the stages they reached, head counts) and the project's stages.
pub(crate) const V3: &str = "
ALTER TABLE project ADD COLUMN idea_implemented TEXT NOT NULL DEFAULT 'implemented';
ALTER TABLE project ADD COLUMN idea_observed_until TEXT;
-- The project's idea stages: progress in order of position, then the exits (rejected, withdrawn).
CREATE TABLE idea_stage (
    project_id INTEGER NOT NULL REFERENCES project(id),
    stage TEXT NOT NULL,
    position INTEGER NOT NULL,
    is_exit INTEGER NOT NULL,
    PRIMARY KEY (project_id, stage)
) WITHOUT ROWID;
CREATE TABLE idea (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES project(id),
    idea_id TEXT NOT NULL,
    municipality_id INTEGER NOT NULL REFERENCES municipality(id),
    unit_id INTEGER REFERENCES unit(id),
    submitted TEXT NOT NULL,
    wave_id INTEGER REFERENCES wave(id),
    title TEXT,
    UNIQUE (project_id, idea_id)
);
CREATE INDEX idea_municipality ON idea(municipality_id);
CREATE TABLE idea_code (
    idea_id INTEGER NOT NULL REFERENCES idea(id),
    code_id INTEGER NOT NULL REFERENCES code(id),
    PRIMARY KEY (idea_id, code_id)
) WITHOUT ROWID;
CREATE INDEX idea_code_code ON idea_code(code_id);
CREATE TABLE idea_event (
    idea_id INTEGER NOT NULL REFERENCES idea(id),
    stage TEXT NOT NULL,
    date TEXT NOT NULL,
    PRIMARY KEY (idea_id, stage)
) WITHOUT ROWID;
CREATE TABLE headcount (
    project_id INTEGER NOT NULL REFERENCES project(id),
    municipality_id INTEGER NOT NULL REFERENCES municipality(id),
    unit_id INTEGER REFERENCES unit(id),
    employees INTEGER NOT NULL CHECK (employees > 0)
);
";

/// Version 4: survey instruments, their items and dimensions, and the responses.
pub(crate) const V4: &str = "
CREATE TABLE instrument (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES project(id),
    instrument_id TEXT NOT NULL,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL,
    design TEXT NOT NULL CHECK (design IN ('waves', 'pre_post')),
    scale_min INTEGER NOT NULL,
    scale_max INTEGER NOT NULL CHECK (scale_min < scale_max),
    -- One label per scale step, lowest first, separated by line breaks; likewise the \"no answer\" codes.
    labels_sv TEXT NOT NULL,
    labels_en TEXT NOT NULL,
    missing TEXT NOT NULL,
    UNIQUE (project_id, instrument_id)
);
CREATE TABLE survey_dimension (
    instrument_id INTEGER NOT NULL REFERENCES instrument(id),
    dimension_id TEXT NOT NULL,
    label_sv TEXT NOT NULL,
    label_en TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (instrument_id, dimension_id)
) WITHOUT ROWID;
CREATE TABLE survey_item (
    id INTEGER PRIMARY KEY,
    instrument_id INTEGER NOT NULL REFERENCES instrument(id),
    item_id TEXT NOT NULL,
    text_sv TEXT NOT NULL,
    text_en TEXT NOT NULL,
    dimension_id TEXT,
    reverse INTEGER NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (instrument_id, item_id)
);
-- One row per respondent and occasion (a wave id, or pre / post).
CREATE TABLE survey_response (
    id INTEGER PRIMARY KEY,
    instrument_id INTEGER NOT NULL REFERENCES instrument(id),
    respondent TEXT NOT NULL,
    municipality_id INTEGER NOT NULL REFERENCES municipality(id),
    role TEXT,
    wave TEXT NOT NULL,
    UNIQUE (instrument_id, respondent, wave)
);
CREATE INDEX survey_response_municipality ON survey_response(municipality_id);
-- Scale values only: no answer and \"don't know\" have no row.
CREATE TABLE survey_answer (
    response_id INTEGER NOT NULL REFERENCES survey_response(id),
    item_id INTEGER NOT NULL REFERENCES survey_item(id),
    value INTEGER NOT NULL,
    PRIMARY KEY (response_id, item_id)
) WITHOUT ROWID;
";

/// Whether a code may be applied (`false` for folders and categories that only group codes), and sets of sources.
pub(crate) const V5: &str = "
ALTER TABLE code ADD COLUMN codable INTEGER NOT NULL DEFAULT 1 CHECK (codable IN (0, 1));
-- Sets of sources from QDA tools (MAXQDA, ATLAS.ti), one row per member.
CREATE TABLE source_set (
    source_id INTEGER NOT NULL REFERENCES source(id),
    name TEXT NOT NULL,
    PRIMARY KEY (source_id, name)
) WITHOUT ROWID;
";

/// Version 6: a run's rows are stored compactly (columns compressed with zstd, see `run_rows.rs`) instead of as JSON
/// text, which made one national comparison 43 MB. The table is rebuilt with the rows as a BLOB and their format;
/// `runs::compact_runs` then re-encodes the old rows into it.
const V6: &str = "
CREATE TABLE analysis_run_compact (
    id INTEGER PRIMARY KEY,
    project_name TEXT NOT NULL,
    -- The content hash of the project data the run read.
    project_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- JSON object of the run's parameters.
    parameters TEXT NOT NULL,
    seed INTEGER,
    crosscase_version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    -- How `result` is encoded: `columns-zstd`, `jsonl-zstd` or `jsonl` (see run_rows.rs).
    result_format TEXT NOT NULL,
    -- The bytes of the rows as JSON lines, as `--format json` prints them.
    result_json_bytes INTEGER NOT NULL,
    result BLOB NOT NULL
);
";

/// Version 7: feedback workshops (`crosscase workshop`), the findings each one shows, and participants' reactions.
/// A reaction holds only what the participant gave (a rating, a comment) and a random token the server drew for
/// their browser, so that a second answer to the same finding replaces the first and the threshold counts people.
pub(crate) const V7: &str = "
CREATE TABLE workshop (
    id INTEGER PRIMARY KEY,
    project_name TEXT NOT NULL,
    kommunkod TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('sv', 'en')),
    -- The code participants type (or scan) to join; it works only while the workshop is open.
    join_code TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    closed_at TEXT,
    -- The recorded feedback run whose pack the workshop shows, and the content hash of the project it read.
    run_id INTEGER,
    content_hash TEXT NOT NULL,
    -- The wave the workshop feeds back (the project's last); reactions belong to it.
    wave TEXT,
    -- The key the server derives its session, form and facilitator secrets from, so that a restarted server
    -- accepts what it handed out before.
    secret TEXT NOT NULL
);
-- At most one open workshop per project and municipality: `crosscase workshop` resumes it.
CREATE UNIQUE INDEX workshop_open ON workshop(project_name, kommunkod) WHERE closed_at IS NULL;
-- The findings a workshop shows, fixed when it opens, so that a resumed workshop shows the same ones.
CREATE TABLE workshop_finding (
    workshop_id INTEGER NOT NULL REFERENCES workshop(id),
    position INTEGER NOT NULL,
    theme_code TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (workshop_id, position)
) WITHOUT ROWID;
-- Every reaction as it arrived; a participant's latest reaction to a finding is the one that counts.
CREATE TABLE reaction (
    id INTEGER PRIMARY KEY,
    workshop_id INTEGER NOT NULL REFERENCES workshop(id),
    finding INTEGER NOT NULL,
    theme_code TEXT NOT NULL,
    wave TEXT,
    respondent TEXT NOT NULL,
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    comment TEXT,
    received_at TEXT NOT NULL,
    FOREIGN KEY (workshop_id, finding) REFERENCES workshop_finding(workshop_id, position)
);
CREATE INDEX reaction_workshop ON reaction(workshop_id, finding);
";

fn version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

fn newer(path: &Path, found: i64) -> StoreError {
    StoreError::NewerSchema {
        path: path.to_path_buf(),
        found,
        supported: SCHEMA_VERSION,
        needed: format!("with schema version {found}"),
    }
}

/// Refuses a database whose schema is not the current one (for read-only use).
pub(crate) fn check_version(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let found = version(conn).map_err(|e| match e {
        StoreError::Sqlite(e) => StoreError::open(path, e),
        other => other,
    })?;
    match found {
        v if v > SCHEMA_VERSION => Err(newer(path, v)),
        v if v < SCHEMA_VERSION => Err(StoreError::NeedsMigration {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// Brings the schema to [`SCHEMA_VERSION`]. An existing database with data is copied aside first.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found = version(conn).map_err(|e| match e {
        StoreError::Sqlite(e) => StoreError::open(path, e),
        other => other,
    })?;
    if found > SCHEMA_VERSION {
        return Err(newer(path, found));
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    if found > 0 {
        backup(conn, path, found)?;
    }
    for (from, step) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        match step {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Rust(sql, then) => {
                tx.execute_batch(sql)?;
                then(&tx)?;
            }
        }
        tx.pragma_update(None, "user_version", from as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Copies the database to `<name>.v<version>.bak` with `VACUUM INTO`, which gives a consistent copy even in WAL mode.
fn backup(conn: &Connection, path: &Path, found: i64) -> Result<(), StoreError> {
    let backup = path.with_extension(format!("v{found}.bak"));
    if backup.exists() {
        std::fs::remove_file(&backup).map_err(|source| StoreError::Backup {
            backup: backup.clone(),
            source,
        })?;
    }
    conn.execute("VACUUM INTO ?1", [backup.to_string_lossy()])?;
    Ok(())
}
