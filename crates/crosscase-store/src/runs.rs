//! Analysis runs: each kept with its parameters and seed, so a figure can be traced to the run that made it.

use rusqlite::params;

use crate::Store;
use crate::error::StoreError;

/// One run of an analysis, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalysisRun {
    /// `compare`, `cooccur`, `agreement`, …
    pub kind: String,
    /// A JSON object.
    pub parameters: String,
    pub seed: Option<u64>,
    pub crosscase_version: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub row_count: u64,
    /// One JSON object per line.
    pub result: String,
}

impl Store {
    /// Records a run of an analysis of `project` (or the only project) and returns its id.
    pub fn record_run(&mut self, project: Option<&str>, run: &AnalysisRun) -> Result<i64, StoreError> {
        let (pid, name) = self.project_id(project)?;
        let hash: String = self
            .conn
            .query_row("SELECT content_hash FROM project WHERE id = ?1", [pid], |r| r.get(0))?;
        self.conn.execute(
            "INSERT INTO analysis_run (project_name, project_hash, kind, parameters, seed, crosscase_version, created_at,
                                       row_count, result)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                name,
                hash,
                run.kind,
                run.parameters,
                run.seed.map(|s| s as i64),
                run.crosscase_version,
                run.created_at,
                run.row_count as i64,
                run.result
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A recorded run by id.
    pub fn run(&self, id: i64) -> Result<Option<AnalysisRun>, StoreError> {
        let found = self.conn.query_row(
            "SELECT kind, parameters, seed, crosscase_version, created_at, row_count, result FROM analysis_run WHERE id = ?1",
            [id],
            |r| {
                Ok(AnalysisRun {
                    kind: r.get(0)?,
                    parameters: r.get(1)?,
                    seed: r.get::<_, Option<i64>>(2)?.map(|s| s as u64),
                    crosscase_version: r.get(3)?,
                    created_at: r.get(4)?,
                    row_count: r.get::<_, i64>(5)? as u64,
                    result: r.get(6)?,
                })
            },
        );
        match found {
            Ok(run) => Ok(Some(run)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}
