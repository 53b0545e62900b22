//! Analysis runs: each kept with its parameters and seed, so a figure can be traced to the run that made it.
//!
//! The rows are stored compactly (see `run_rows.rs`) and come back as the same JSON lines; runs can be listed and the
//! older ones of each kind pruned.

use rusqlite::{OptionalExtension, params};

use crate::Store;
use crate::error::StoreError;
use crate::run_rows;

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

/// What a recorded run was, without its rows: for listing runs and reproducing one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSummary {
    pub id: i64,
    pub project_name: String,
    /// The content hash of the project data the run read.
    pub project_hash: String,
    pub kind: String,
    /// A JSON object.
    pub parameters: String,
    pub seed: Option<u64>,
    pub crosscase_version: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub row_count: u64,
    /// How the rows are stored (`columns-zstd`, `jsonl-zstd`, `jsonl`).
    pub result_format: String,
    /// The bytes the rows take in the database.
    pub stored_bytes: u64,
    /// The bytes of the rows as JSON lines.
    pub json_bytes: u64,
}

const SUMMARY: &str = "SELECT id, project_name, project_hash, kind, parameters, seed, crosscase_version, created_at,
                              row_count, result_format, length(result), result_json_bytes
                       FROM analysis_run";

fn summary(r: &rusqlite::Row) -> rusqlite::Result<RunSummary> {
    Ok(RunSummary {
        id: r.get(0)?,
        project_name: r.get(1)?,
        project_hash: r.get(2)?,
        kind: r.get(3)?,
        parameters: r.get(4)?,
        seed: r.get::<_, Option<i64>>(5)?.map(|s| s as u64),
        crosscase_version: r.get(6)?,
        created_at: r.get(7)?,
        row_count: r.get::<_, i64>(8)? as u64,
        result_format: r.get(9)?,
        stored_bytes: r.get::<_, i64>(10)? as u64,
        json_bytes: r.get::<_, i64>(11)? as u64,
    })
}

impl Store {
    /// Records a run of an analysis of `project` (or the only project) and returns its id.
    pub fn record_run(&mut self, project: Option<&str>, run: &AnalysisRun) -> Result<i64, StoreError> {
        let (pid, name) = self.project_id(project)?;
        let hash: String = self
            .conn
            .query_row("SELECT content_hash FROM project WHERE id = ?1", [pid], |r| r.get(0))?;
        let (format, rows) = run_rows::encode(&run.result)?;
        self.conn.execute(
            "INSERT INTO analysis_run (project_name, project_hash, kind, parameters, seed, crosscase_version, created_at,
                                       row_count, result_format, result_json_bytes, result)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                name,
                hash,
                run.kind,
                run.parameters,
                run.seed.map(|s| s as i64),
                run.crosscase_version,
                run.created_at,
                run.row_count as i64,
                format,
                run.result.len() as i64,
                rows
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A recorded run by id, with its rows as they were recorded.
    pub fn run(&self, id: i64) -> Result<Option<AnalysisRun>, StoreError> {
        let found = self
            .conn
            .query_row(
                "SELECT kind, parameters, seed, crosscase_version, created_at, row_count, result_format, result
                 FROM analysis_run WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        AnalysisRun {
                            kind: r.get(0)?,
                            parameters: r.get(1)?,
                            seed: r.get::<_, Option<i64>>(2)?.map(|s| s as u64),
                            crosscase_version: r.get(3)?,
                            created_at: r.get(4)?,
                            row_count: r.get::<_, i64>(5)? as u64,
                            result: String::new(),
                        },
                        r.get::<_, String>(6)?,
                        r.get::<_, Vec<u8>>(7)?,
                    ))
                },
            )
            .optional()?;
        let Some((mut run, format, rows)) = found else {
            return Ok(None);
        };
        run.result = run_rows::decode(&format, &rows).map_err(|e| match e {
            StoreError::CorruptRun { message } => StoreError::CorruptRun {
                message: format!("run {id}: {message}"),
            },
            other => other,
        })?;
        Ok(Some(run))
    }

    /// Every recorded run, oldest first, without rows.
    pub fn runs(&self) -> Result<Vec<RunSummary>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{SUMMARY} ORDER BY id"))?;
        let runs = stmt.query_map([], summary)?.collect::<Result<_, _>>()?;
        Ok(runs)
    }

    /// A recorded run by id, without rows.
    pub fn run_summary(&self, id: i64) -> Result<Option<RunSummary>, StoreError> {
        Ok(self
            .conn
            .query_row(&format!("{SUMMARY} WHERE id = ?1"), [id], summary)
            .optional()?)
    }

    /// Deletes all but the newest `keep` runs of each project and kind (of `kind` only, when given); returns the
    /// ids deleted, oldest first. Newest means recorded last (the highest id), which timestamps to the second cannot
    /// always tell.
    pub fn prune_runs(&mut self, keep: u64, kind: Option<&str>) -> Result<Vec<i64>, StoreError> {
        let tx = self.conn.transaction()?;
        let doomed: Vec<i64> = tx
            .prepare(
                "SELECT id FROM (
                     SELECT id, kind, row_number() OVER (PARTITION BY project_name, kind ORDER BY id DESC) AS newer
                     FROM analysis_run)
                 WHERE newer > ?1 AND (?2 IS NULL OR kind = ?2) ORDER BY id",
            )?
            .query_map(params![keep as i64, kind], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        {
            let mut delete = tx.prepare("DELETE FROM analysis_run WHERE id = ?1")?;
            for id in &doomed {
                delete.execute([id])?;
            }
        }
        tx.commit()?;
        Ok(doomed)
    }

    /// Deletes one run, e.g. one recorded for packs that could not be written after all; false if there was none.
    pub fn delete_run(&mut self, id: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM analysis_run WHERE id = ?1", [id])? > 0)
    }

    /// Gives the space of deleted rows back to the file system (`VACUUM`); the database is rewritten, which takes
    /// as long as copying it.
    pub fn vacuum(&self) -> Result<(), StoreError> {
        self.conn.execute_batch("VACUUM")?;
        Ok(())
    }
}

/// Schema version 5: the rows of every run recorded before are re-encoded compactly into the rebuilt table.
pub(crate) fn compact_runs(tx: &rusqlite::Transaction) -> Result<(), StoreError> {
    {
        let mut read = tx.prepare(
            "SELECT id, project_name, project_hash, kind, parameters, seed, crosscase_version, created_at, row_count,
                    result
             FROM analysis_run ORDER BY id",
        )?;
        let mut write = tx.prepare(
            "INSERT INTO analysis_run_compact (id, project_name, project_hash, kind, parameters, seed, crosscase_version,
                                          created_at, row_count, result_format, result_json_bytes, result)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        let mut rows = read.query([])?;
        // One run at a time: a national run's rows are tens of megabytes as text.
        while let Some(r) = rows.next()? {
            let result: String = r.get(9)?;
            let (format, bytes) = run_rows::encode(&result)?;
            write.execute(params![
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, i64>(8)?,
                format,
                result.len() as i64,
                bytes
            ])?;
        }
    }
    tx.execute_batch(
        "DROP TABLE analysis_run;
         ALTER TABLE analysis_run_compact RENAME TO analysis_run;
         CREATE INDEX analysis_run_project ON analysis_run(project_name);",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::Store;

    /// A database made with schema version 4 (as crosscase wrote it before runs were compact), holding two runs as
    /// JSON text, is backed up, migrated, and gives both runs back exactly.
    #[test]
    fn runs_recorded_as_json_survive_the_migration() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("old.sqlite");
        let rows = "{\"kind\":\"prevalence\",\"code\":\"a\",\"municipality\":\"0583\",\"segments\":3,\"source_share\":0.3333333333333333,\"participant_share\":null}\n{\"kind\":\"difference\",\"code\":\"a\",\"p_value\":1e-300,\"q_value\":0.1}\n";
        {
            let c = rusqlite::Connection::open(&path).unwrap();
            for sql in [
                crate::schema::V1,
                crate::schema::V2,
                crate::schema::V3,
                crate::schema::V4,
            ] {
                c.execute_batch(sql).unwrap();
            }
            c.pragma_update(None, "user_version", 4).unwrap();
            c.execute(
                "INSERT INTO project (name, language, disclosure_threshold, free_site_ids, content_hash)
                 VALUES ('p', 'sv', 5, 0, 'h1')",
                [],
            )
            .unwrap();
            for (kind, result, seed) in [("compare", rows, Some(7)), ("agreement", "", None)] {
                c.execute(
                    "INSERT INTO analysis_run (project_name, project_hash, kind, parameters, seed, crosscase_version,
                                               created_at, row_count, result)
                     VALUES ('p', 'h1', ?1, '{\"seed\":7}', ?2, '0.0.9', '2026-01-01T00:00:00Z', ?3, ?4)",
                    rusqlite::params![kind, seed, result.lines().count() as i64, result],
                )
                .unwrap();
            }
        }
        let store = Store::open(&path).unwrap();
        let runs = store.runs().unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(
            (
                runs[0].id,
                runs[0].kind.as_str(),
                runs[0].seed,
                runs[0].project_hash.as_str()
            ),
            (1, "compare", Some(7), "h1")
        );
        assert_eq!(runs[0].result_format, crate::run_rows::COLUMNS);
        assert_eq!(runs[0].json_bytes, rows.len() as u64);
        let first = store.run(1).unwrap().unwrap();
        assert_eq!(first.result, rows);
        assert_eq!(
            (
                first.row_count,
                first.crosscase_version.as_str(),
                first.parameters.as_str()
            ),
            (2, "0.0.9", "{\"seed\":7}")
        );
        assert_eq!(store.run(2).unwrap().unwrap().result, "");
        // The copy taken before migrating still holds the JSON text.
        let backup = rusqlite::Connection::open(path.with_extension("v4.bak")).unwrap();
        let kept: String = backup
            .query_row("SELECT result FROM analysis_run WHERE id = 1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, rows);
    }

    #[test]
    fn prune_keeps_the_newest_runs_of_each_kind() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(&tmp.path().join("s.sqlite")).unwrap();
        store
            .conn
            .execute(
                "INSERT INTO project (name, language, disclosure_threshold, free_site_ids, content_hash)
                 VALUES ('p', 'sv', 5, 0, 'h1')",
                [],
            )
            .unwrap();
        for kind in ["compare", "survey", "compare", "compare", "survey"] {
            let run = crate::AnalysisRun {
                kind: kind.into(),
                parameters: "{}".into(),
                seed: None,
                crosscase_version: "t".into(),
                created_at: "2026-01-01T00:00:00Z".into(),
                row_count: 1,
                result: "{\"a\":1}\n".into(),
            };
            store.record_run(None, &run).unwrap();
        }
        assert_eq!(store.prune_runs(1, Some("survey")).unwrap(), [2]);
        assert_eq!(store.prune_runs(1, None).unwrap(), [1, 3]);
        let left: Vec<i64> = store.runs().unwrap().iter().map(|r| r.id).collect();
        assert_eq!(left, [4, 5]);
        assert!(store.prune_runs(1, None).unwrap().is_empty());
        store.vacuum().unwrap();
        assert_eq!(store.run(4).unwrap().unwrap().result, "{\"a\":1}\n");
    }
}
