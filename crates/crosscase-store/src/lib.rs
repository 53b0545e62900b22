//! The crosscase project database: one SQLite file holding projects, their imports and their coded material.
//!
//! Only this crate speaks SQL. The schema version lives in `PRAGMA user_version` and is migrated forward on open;
//! every ingest is one transaction, so a database holds either the old or the new data of a project, never a mix.
//! A command reads a project through one [`Snapshot`] (one read transaction), so it never mixes two versions either,
//! and creates a database file only through [`write_database`], so a failure never removes another process's data.

mod create;
mod error;
mod export;
mod ideas;
mod ingest;
mod load;
mod pause;
mod project;
mod qualcoder;
mod run_rows;
mod runs;
mod schema;
mod snapshot;
mod surveys;
mod workshops;

pub use create::write_database;
pub use error::StoreError;
pub use ingest::{ImportRecord, Ingest, IngestOutcome, IngestSummary, IngestWriter, StreamError};
pub use load::WaveAndUnitNames;
pub use qualcoder::{QualCoderLimits, read_qualcoder, read_qualcoder_within};
pub use runs::{AnalysisRun, RunSummary};
pub use schema::SCHEMA_VERSION;
pub use snapshot::Snapshot;
pub use workshops::{
    CellSegment, NewWorkshop, Reaction, SegmentGroup, StoredReaction, Workshop, WorkshopFinding, add_workshop_notes,
    latest_reactions,
};

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// How long a writer waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// An open project database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// How a connection journals its writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Journal {
    /// Write-ahead: readers see the last commit while a writer writes. Every database in use is in this mode.
    Wal,
    /// A rollback journal kept in memory, for a new file that no other process knows of (see `write_database`):
    /// each page is written once, into the file itself, instead of into the WAL and then again by the checkpoint
    /// that seals the file, and statement journals stay in memory too. A rollback still works; a crash leaves only
    /// the temporary file, which is never linked into place.
    Memory,
}

/// The page cache, in SQLite's unit for sizes in KiB (negative): 64 MiB.
pub(crate) const CACHE_SIZE: i64 = -65536;

impl Store {
    /// Opens (or creates) the database at `path`, migrating an older schema forward.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_journaled(path, Journal::Wal)
    }

    /// Opens (or creates) the database at `path` with its writes journaled as `journal` says.
    pub(crate) fn open_journaled(path: &Path, journal: Journal) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|e| StoreError::open(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure(journal)?;
        schema::migrate(&mut store.conn, &store.path)?;
        Ok(store)
    }

    /// Opens a database that must exist already (for commands that add to it but should never create one).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::open(path)
    }

    /// Opens an existing database for reading only; it must already have the current schema.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| StoreError::open(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| StoreError::open(path, e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        schema::check_version(&store.conn, &store.path)?;
        Ok(store)
    }

    fn configure(&mut self, journal: Journal) -> Result<(), StoreError> {
        let path = &self.path;
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| StoreError::open(path, e))?;
        // WAL lets comparisons read while an ingest writes; synchronous=FULL makes a commit durable.
        let journal = match journal {
            Journal::Wal => "WAL",
            Journal::Memory => "MEMORY",
        };
        self.conn
            .execute_batch(&format!(
                "PRAGMA foreign_keys = ON;
                 PRAGMA page_size = 32768;
                 PRAGMA main.journal_mode = {journal};
                 PRAGMA synchronous = FULL;
                 PRAGMA cache_size = {CACHE_SIZE};
                 PRAGMA threads = 2;"
            ))
            .map_err(|e| StoreError::open(path, e))?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The names of the projects in the database, sorted.
    pub fn project_names(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT name FROM project ORDER BY name")?;
        let names = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(names)
    }

    /// `PRAGMA integrity_check`: `ok`, or what is broken.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let rows: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows.join("\n"))
    }

    /// Row counts of every table, by name, for checks and summaries.
    pub fn table_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let tables: Vec<String> = self
            .conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        tables
            .into_iter()
            .map(|t| {
                let n: i64 = self
                    .conn
                    .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))?;
                Ok((t, n as u64))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
