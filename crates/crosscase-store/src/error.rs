//! Errors of the project database, each saying what to do.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {}: {source}", path.display())]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("{} is not a crosscase database (not an SQLite file); give another path with --db", path.display())]
    NotADatabase { path: PathBuf },
    #[error("the database {} does not exist; run `crosscase ingest DIR --db {}` first", path.display(), path.display())]
    Missing { path: PathBuf },
    #[error(
        "the database {} has schema version {found}, newer than this crosscase understands ({supported}); \
         use crosscase {needed} or later",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
        needed: String,
    },
    #[error("the database {} was made by an older crosscase and is opened read-only; open it once for writing (e.g. with `crosscase ingest`) to migrate it", path.display())]
    NeedsMigration { path: PathBuf },
    #[error("no project named `{name}` in the database; it holds: {available}")]
    UnknownProject { name: String, available: String },
    #[error("the database holds several projects ({available}); name one with --project")]
    AmbiguousProject { available: String },
    #[error("the database holds no project yet; run `crosscase ingest DIR --db …` first")]
    NoProject,
    #[error("cannot back up the database before migrating it to {}: {source}", backup.display())]
    Backup { backup: PathBuf, source: std::io::Error },
    #[error(
        "the database already holds a project named `{name}` with other content; to keep both, import this one under another name with --name NAME; to replace the stored one, run again with --replace"
    )]
    NameTaken { name: String },
    #[error("the project cannot be stored: {message}; validate it first with `crosscase validate`")]
    Invalid { message: String },
    #[error("{} {message}", path.display())]
    QualCoder { path: PathBuf, message: String },
    #[error("cannot create the database {}: {source}", path.display())]
    Create { path: PathBuf, source: std::io::Error },
    #[error("a recorded run cannot be read: {message}")]
    CorruptRun { message: String },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Whether the disk (or the file system's quota) ran out of space: the user's to fix, not a fault of crosscase.
    pub fn is_disk_full(&self) -> bool {
        const ENOSPC: i32 = 28;
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            | StoreError::Open {
                source: rusqlite::Error::SqliteFailure(f, _),
                ..
            } => f.code == rusqlite::ErrorCode::DiskFull,
            StoreError::Create { source, .. } => source.raw_os_error() == Some(ENOSPC),
            _ => false,
        }
    }

    pub(crate) fn open(path: &Path, e: rusqlite::Error) -> StoreError {
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && f.code == rusqlite::ErrorCode::NotADatabase
        {
            return StoreError::NotADatabase {
                path: path.to_path_buf(),
            };
        }
        StoreError::Open {
            path: path.to_path_buf(),
            source: e,
        }
    }
}
