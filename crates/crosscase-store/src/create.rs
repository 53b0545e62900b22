//! Writing into a database file that may not exist yet, so that a failure never removes another process's data.
//!
//! A command that creates the database writes it under a temporary name in the same folder and links it into place
//! only when everything is committed; a link never replaces a file, so when another process created the database
//! meanwhile, this command writes into that one instead (in its own transaction, as into any existing database).
//! A failure removes only the temporary file, which no other process knows of.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::StoreError;
use crate::{Journal, Store};

/// Opens the database at `path` and runs `write` on it; a database that does not exist yet is created under a
/// temporary name and put at `path` only when `write` succeeded. A failed `write` leaves `path` as it was: an
/// existing database keeps its data (every write is one transaction), a new one is never there, and no `-wal` or
/// `-shm` file is left behind. `write` may run twice: when another process created `path` while this one wrote its
/// temporary database, `write` runs again on the one that is now there.
pub fn write_database<T, E: From<StoreError>>(
    path: &Path,
    mut write: impl FnMut(&mut Store) -> Result<T, E>,
) -> Result<T, E> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| StoreError::Create {
            path: path.to_path_buf(),
            source,
        })?;
    }
    if path.exists() {
        return write(&mut Store::open(path)?);
    }
    let temporary = temporary_name(path);
    let written = (|| {
        // Nothing else knows of the temporary file yet, so it is written with its journal in memory (each page
        // written once, into the file) and turned into a WAL database when it is sealed.
        let mut store = Store::open_journaled(&temporary, Journal::Memory)?;
        let value = write(&mut store)?;
        store.seal()?;
        Ok::<_, E>(value)
    })();
    let value = match written {
        Ok(value) => value,
        Err(e) => {
            remove_with_journals(&temporary);
            return Err(e);
        }
    };
    // A hard link never replaces an existing file (link(2) fails with EEXIST), unlike a rename.
    let linked = std::fs::hard_link(&temporary, path);
    remove_with_journals(&temporary);
    match linked {
        Ok(()) => {
            sync_folder(path);
            Ok(value)
        }
        // Another process created the database first: write into it as into any existing database.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => write(&mut Store::open(path)?),
        Err(source) => Err(StoreError::Create {
            path: path.to_path_buf(),
            source,
        }
        .into()),
    }
}

impl Store {
    /// Makes the file alone hold everything, before it is linked into place: the file is put in WAL mode (written
    /// until now with its journal in memory, see [`Journal::Memory`]), so that a later writer need not wait for
    /// readers to switch it; the WAL is checkpointed completely (a full disk fails the checkpoint with an error) and
    /// the connection closed, which removes the WAL and shm files; a WAL file still there with content would mean
    /// the file lacks part of what was committed.
    fn seal(self) -> Result<(), StoreError> {
        let mode: String = self
            .conn
            .query_row("PRAGMA main.journal_mode = WAL", [], |r| r.get(0))?;
        if mode != "wal" {
            return Err(unsealed(
                &self.path,
                format!("it stayed in journal mode {mode}, not WAL"),
            ));
        }
        // The main database alone has a WAL to checkpoint.
        let (busy, log, done): (i64, i64, i64) =
            self.conn.query_row("PRAGMA main.wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        if busy != 0 || log != done {
            return Err(unsealed(
                &self.path,
                format!("its WAL was checkpointed only in part ({done} of {log} frames)"),
            ));
        }
        let path = self.path.clone();
        self.conn.close().map_err(|(_, e)| StoreError::Sqlite(e))?;
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            return Err(unsealed(&path, "its WAL file kept content after closing".into()));
        }
        Ok(())
    }
}

fn unsealed(path: &Path, message: String) -> StoreError {
    StoreError::Create {
        path: path.to_path_buf(),
        source: std::io::Error::other(message),
    }
}

/// A name beside `path` that no other process uses: hidden, with this process's id and the time.
fn temporary_name(path: &Path) -> PathBuf {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let file = path
        .file_name()
        .map_or_else(|| "crosscase".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{file}.{}.{nanos}.creating", std::process::id()))
}

/// Removes a database file of this command's own (the temporary one) with its journals.
fn remove_with_journals(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

/// Makes the new directory entry durable (on Linux a folder can be opened and synced; elsewhere this does nothing).
fn sync_folder(path: &Path) {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(dir) = std::fs::File::open(parent) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_leaves_no_file_and_a_successful_one_only_the_database() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("sub/p.sqlite");
        let failed = write_database(&db, |store: &mut Store| {
            store
                .conn
                .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1)")?;
            Err::<(), _>(StoreError::NoProject)
        });
        assert!(matches!(failed, Err(StoreError::NoProject)));
        assert!(names(&tmp.path().join("sub")).is_empty());

        write_database(&db, |store: &mut Store| {
            store
                .conn
                .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1)")
                .map_err(StoreError::from)
        })
        .unwrap();
        assert_eq!(names(&tmp.path().join("sub")), ["p.sqlite"]);
        // An existing database is written in place, and a failure there removes nothing.
        let failed = write_database(&db, |_: &mut Store| Err::<(), _>(StoreError::NoProject));
        assert!(failed.is_err());
        let store = Store::open(&db).unwrap();
        let n: i64 = store
            .conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        drop(store);
        // Read without `Store::open`, which would switch the file to WAL itself: the sealed file is in WAL mode.
        let plain = rusqlite::Connection::open(&db).unwrap();
        let mode: String = plain.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }
}
