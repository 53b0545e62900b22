//! One read transaction for everything a command reads of a project, so that it sees one version of it.
//!
//! In WAL mode a reader's snapshot is fixed by its first read and kept until the transaction ends, while another
//! process may commit a replacement meanwhile; statements outside one transaction would each see the version current
//! when they ran, and a corpus loaded in several statements could mix two versions.

use std::ops::Deref;

use crate::Store;
use crate::error::StoreError;
use crate::runs::AnalysisRun;

/// A project as one snapshot of the database: every load through it (they are `Store` methods, reached by deref)
/// reads the same version, the one whose content hash [`Snapshot::content_hash`] gives.
/// Dropping it ends the read transaction.
pub struct Snapshot<'s> {
    store: &'s mut Store,
    name: String,
    content_hash: String,
}

impl Store {
    /// Begins a read transaction and resolves `project` (or the only project) in it.
    pub fn snapshot(&mut self, project: Option<&str>) -> Result<Snapshot<'_>, StoreError> {
        // DEFERRED: no lock is taken until the first read below, which fixes the snapshot.
        self.conn.execute_batch("BEGIN DEFERRED")?;
        let mut snapshot = Snapshot {
            store: self,
            name: String::new(),
            content_hash: String::new(),
        };
        let (pid, name) = snapshot.store.project_id(project)?;
        snapshot.content_hash =
            snapshot
                .store
                .conn
                .query_row("SELECT content_hash FROM project WHERE id = ?1", [pid], |r| r.get(0))?;
        snapshot.name = name;
        Ok(snapshot)
    }
}

impl Snapshot<'_> {
    /// The project's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The content hash of the version this snapshot reads.
    pub fn content_hash(&self) -> &str {
        &self.content_hash
    }

    /// Ends the read transaction and records `run` with the content hash of this snapshot, which is the version the
    /// run read even when another process has replaced the project since (the run is then a true record of an
    /// earlier version, as its hash shows). Returns the run's id.
    pub fn record_run(self, run: &AnalysisRun) -> Result<i64, StoreError> {
        Ok(self.record_runs(std::slice::from_ref(run))?[0])
    }

    /// [`Snapshot::record_run`] for the run that `run` makes, while `beside` runs on a thread of its own; returns
    /// both results once both are done. A command renders its output beside the recording (a national comparison
    /// has 174,000 rows to encode for each) and writes it only once the run is stored.
    pub fn record_run_beside<T: Send, E: From<StoreError>>(
        self,
        run: impl FnOnce() -> Result<AnalysisRun, E>,
        beside: impl FnOnce() -> T + Send,
    ) -> (Result<i64, E>, T) {
        std::thread::scope(|scope| {
            let other = scope.spawn(beside);
            let recorded = run().and_then(|r| Ok(self.record_run(&r)?));
            let done = other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (recorded, done)
        })
    }

    /// [`Snapshot::record_run`] for several runs made from this one snapshot, recorded together.
    pub fn record_runs(self, runs: &[AnalysisRun]) -> Result<Vec<i64>, StoreError> {
        let mut this = self;
        let (name, content_hash) = (std::mem::take(&mut this.name), std::mem::take(&mut this.content_hash));
        let store = &mut *this.store;
        // A read transaction cannot become a write one once another process has committed (SQLITE_BUSY_SNAPSHOT), so
        // it ends here and the runs are written in a transaction of their own. `record_run` notes the hash the
        // project has now; the hash of what was read replaces it, in the same transaction.
        store.conn.execute_batch("COMMIT; BEGIN IMMEDIATE")?;
        let recorded = (|| {
            let mut ids = Vec::with_capacity(runs.len());
            for run in runs {
                let id = store.record_run(Some(&name), run)?;
                store.conn.execute(
                    "UPDATE analysis_run SET project_hash = ?1 WHERE id = ?2",
                    rusqlite::params![content_hash, id],
                )?;
                ids.push(id);
            }
            Ok::<_, StoreError>(ids)
        })();
        match recorded {
            Ok(ids) => {
                store.conn.execute_batch("COMMIT")?;
                Ok(ids)
            }
            Err(e) => {
                let _ = store.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

impl Deref for Snapshot<'_> {
    type Target = Store;

    fn deref(&self) -> &Store {
        self.store
    }
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        // After record_run the transaction is already closed.
        if !self.store.conn.is_autocommit() {
            let _ = self.store.conn.execute_batch("ROLLBACK");
        }
    }
}
