//! Reading a QualCoder project (`<name>.qda/data.qda`, SQLite) into a [`QdaProject`], opened read-only so that the
//! user's file is never changed. It lives here because only this crate speaks SQL; placing the project into
//! crosscase's model is the same as for REFI-QDA files (`crosscase_ingest::qda::build_project`).
//!
//! QualCoder keeps positions as Qt counts them (UTF-16 units) over `source.fulltext`, coders as plain names in
//! `owner`, categories in `code_cat` and codes in `code_name` (a parent code in `supercid` since 2024), file and
//! case attributes in `attribute`, and case membership in `case_text`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crosscase_model::{OffsetUnit, QdaCase, QdaCode, QdaCoding, QdaProject, QdaSelection, QdaSource, QdaUser};
use rusqlite::{Connection, OpenFlags};

use crate::error::StoreError;

fn bad(path: &Path, message: impl Into<String>) -> StoreError {
    StoreError::QualCoder {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn columns(conn: &Connection, table: &str) -> Result<HashSet<String>, rusqlite::Error> {
    let mut stmt = conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?;
    let cols = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    Ok(cols)
}

/// The tables crosscase reads from a QualCoder database.
const TABLES: [&str; 8] = [
    "project",
    "source",
    "code_cat",
    "code_name",
    "code_text",
    "attribute",
    "cases",
    "case_text",
];

/// How much reading a QualCoder database may cost. A real project reads in well under a second, and in a few
/// dozen SQLite steps per stored byte; a database made to hang (a query that never ends, a join that explodes) is
/// stopped at whichever limit it reaches first.
#[derive(Clone, Copy, Debug)]
pub struct QualCoderLimits {
    pub time: std::time::Duration,
    /// SQLite virtual-machine steps allowed whatever the file's size.
    pub min_steps: u64,
    /// SQLite virtual-machine steps allowed per byte of the database file, beyond `min_steps`.
    pub steps_per_byte: u64,
}

impl Default for QualCoderLimits {
    fn default() -> QualCoderLimits {
        QualCoderLimits {
            time: std::time::Duration::from_secs(60),
            min_steps: 10_000_000,
            steps_per_byte: 1_000,
        }
    }
}

/// SQLite steps between two looks at the limits.
const STEPS_PER_CHECK: u64 = 10_000;

/// Reads a QualCoder database. `path` is the SQLite file (`data.qda`).
pub fn read_qualcoder(path: &Path) -> Result<QdaProject, StoreError> {
    read_qualcoder_within(path, QualCoderLimits::default())
}

/// [`read_qualcoder`] within other limits. The file is untrusted: only tables are read (a view or a virtual table
/// where QualCoder has a table is refused, since it could run any query), every statement is interrupted when the
/// time or the steps are used up (SQLite's progress handler), and a cycle of categories is refused.
pub fn read_qualcoder_within(path: &Path, limits: QualCoderLimits) -> Result<QdaProject, StoreError> {
    let mut conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| StoreError::open(path, e))?;
    conn.execute_batch("PRAGMA query_only = ON; PRAGMA trusted_schema = OFF;")
        .map_err(|e| StoreError::open(path, e))?;
    let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
    let max_steps = limits
        .min_steps
        .saturating_add(bytes.saturating_mul(limits.steps_per_byte));
    let started = std::time::Instant::now();
    let steps = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counted = steps.clone();
    let time = limits.time;
    conn.progress_handler(
        STEPS_PER_CHECK as i32,
        Some(move || {
            let done = counted.fetch_add(STEPS_PER_CHECK, std::sync::atomic::Ordering::Relaxed) + STEPS_PER_CHECK;
            done > max_steps || started.elapsed() > time
        }),
    )
    .map_err(|e| StoreError::open(path, e))?;
    let conn = conn;
    let sql = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::OperationInterrupted) => bad(
            path,
            format!(
                "was stopped after {:.1} s and {} SQLite steps (the limits are {} s and {max_steps} steps for a file of this size); a QualCoder project reads in seconds, so this database holds queries that do not end",
                started.elapsed().as_secs_f64(),
                steps.load(std::sync::atomic::Ordering::Relaxed),
                time.as_secs_f64()
            ),
        ),
        _ => bad(path, format!("cannot be read as a QualCoder project: {e}")),
    };
    {
        let mut stmt = conn
            .prepare("SELECT name, type, coalesce(sql, '') FROM sqlite_schema WHERE type IN ('table', 'view')")
            .map_err(sql)?;
        let objects = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
            })
            .map_err(sql)?;
        for o in objects {
            let (name, kind, create) = o.map_err(sql)?;
            let expected = TABLES.iter().any(|t| t.eq_ignore_ascii_case(&name));
            let is_virtual = create.trim_start().to_ascii_uppercase().starts_with("CREATE VIRTUAL");
            if expected && (kind != "table" || is_virtual) {
                return Err(bad(
                    path,
                    format!(
                        "is not a QualCoder project as QualCoder writes it: `{name}` is a {} where QualCoder has a table, and crosscase reads only tables from a file it did not make",
                        if is_virtual { "virtual table" } else { "view" }
                    ),
                ));
            }
        }
    }
    for table in ["source", "code_name", "code_text"] {
        if columns(&conn, table).map_err(sql)?.is_empty() {
            return Err(bad(
                path,
                format!("is an SQLite database but not a QualCoder project (it has no table `{table}`)"),
            ));
        }
    }
    let version: Option<String> = conn
        .query_row("SELECT databaseversion FROM project LIMIT 1", [], |r| r.get(0))
        .ok();
    let name = path
        .parent()
        .filter(|_| path.file_name().is_some_and(|n| n == "data.qda"))
        .and_then(|d| d.file_stem())
        .or_else(|| path.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut project = QdaProject {
        file: path.display().to_string(),
        name,
        origin: match version {
            Some(v) => format!("QualCoder (database {v})"),
            None => "QualCoder".to_string(),
        },
        offset_unit: Some(OffsetUnit::Utf16),
        ..QdaProject::default()
    };

    // Categories, then codes; parents first, whatever order the rows have.
    let mut nodes: Vec<QdaCode> = Vec::new();
    if !columns(&conn, "code_cat").map_err(sql)?.is_empty() {
        let mut stmt = conn
            .prepare("SELECT catid, name, supercatid, memo FROM code_cat ORDER BY catid")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(QdaCode {
                    guid: format!("cat:{}", r.get::<_, i64>(0)?),
                    name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    parent: r.get::<_, Option<i64>>(2)?.map(|p| format!("cat:{p}")),
                    codable: false,
                    colour: None,
                    description: r.get::<_, Option<String>>(3)?.filter(|m| !m.trim().is_empty()),
                })
            })
            .map_err(sql)?;
        for r in rows {
            nodes.push(r.map_err(sql)?);
        }
    }
    let has_supercid = columns(&conn, "code_name").map_err(sql)?.contains("supercid");
    let code_sql = if has_supercid {
        "SELECT cid, name, catid, color, memo, supercid FROM code_name ORDER BY cid"
    } else {
        "SELECT cid, name, catid, color, memo, NULL FROM code_name ORDER BY cid"
    };
    let mut stmt = conn.prepare(code_sql).map_err(sql)?;
    let rows = stmt
        .query_map([], |r| {
            let parent = match r.get::<_, Option<i64>>(5)? {
                Some(p) => Some(format!("code:{p}")),
                None => r.get::<_, Option<i64>>(2)?.map(|c| format!("cat:{c}")),
            };
            Ok(QdaCode {
                guid: format!("code:{}", r.get::<_, i64>(0)?),
                name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                parent,
                codable: true,
                colour: r.get::<_, Option<String>>(3)?,
                description: r.get::<_, Option<String>>(4)?.filter(|m| !m.trim().is_empty()),
            })
        })
        .map_err(sql)?;
    for r in rows {
        nodes.push(r.map_err(sql)?);
    }
    project.codes = parents_first(nodes).map_err(|cycle| {
        bad(
            path,
            format!(
                "has categories or codes that are their own ancestors: {cycle}; QualCoder does not write this, so the file was changed outside it"
            ),
        )
    })?;

    // Attributes of files and cases.
    let mut file_attrs: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    let mut case_attrs: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    if !columns(&conn, "attribute").map_err(sql)?.is_empty() {
        let mut stmt = conn
            .prepare("SELECT name, attr_type, value, id FROM attribute ORDER BY attrid")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    r.get::<_, Option<i64>>(3)?.unwrap_or(-1),
                ))
            })
            .map_err(sql)?;
        for r in rows {
            let (name, kind, value, id) = r.map_err(sql)?;
            match kind.as_str() {
                "file" => file_attrs.entry(id).or_default().push((name, value)),
                "case" => case_attrs.entry(id).or_default().push((name, value)),
                _ => {}
            }
        }
    }

    // Sources with text; media files have none.
    let mut stmt = conn
        .prepare("SELECT id, name, fulltext, memo, owner FROM source ORDER BY id")
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .map_err(sql)?;
    let mut index: HashMap<i64, usize> = HashMap::new();
    let mut owners: Vec<String> = Vec::new();
    for r in rows {
        let (id, name, text, owner) = r.map_err(sql)?;
        let Some(text) = text else {
            project
                .skipped_sources
                .push(format!("{name} (media file without text)"));
            continue;
        };
        index.insert(id, project.sources.len());
        owners.extend(owner.clone());
        project.sources.push(QdaSource {
            guid: format!("src:{id}"),
            name,
            text_origin: format!("{} (source {id})", path.display()),
            text: text.strip_prefix('\u{FEFF}').map(str::to_string).unwrap_or(text),
            description: None,
            creating_user: owner,
            variables: file_attrs.remove(&id).unwrap_or_default(),
            selections: Vec::new(),
            whole: Vec::new(),
        });
    }

    let mut stmt = conn
        .prepare(
            "SELECT ctid, cid, fid, pos0, pos1, owner, memo, seltext FROM code_text ORDER BY fid, pos0, pos1, ctid",
        )
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })
        .map_err(sql)?;
    for r in rows {
        let (ctid, cid, fid, pos0, pos1, owner, memo, seltext) = r.map_err(sql)?;
        let (Some(cid), Some(fid), Some(pos0), Some(pos1)) = (cid, fid, pos0, pos1) else {
            return Err(bad(
                path,
                format!("code_text row {ctid} lacks its code, file or positions"),
            ));
        };
        let Some(&si) = index.get(&fid) else {
            return Err(bad(
                path,
                format!("code_text row {ctid} codes file {fid}, which has no text in the project"),
            ));
        };
        owners.extend(owner.clone());
        let memo = memo.filter(|m| !m.trim().is_empty());
        project.sources[si].selections.push(QdaSelection {
            guid: format!("code_text row {ctid}"),
            start: pos0,
            end: pos1,
            creating_user: owner.clone(),
            codings: vec![QdaCoding {
                code: format!("code:{cid}"),
                user: owner,
                memo: memo.clone(),
            }],
            memo,
            quote: seltext,
            line: 0,
        });
    }

    if !columns(&conn, "cases").map_err(sql)?.is_empty() {
        let mut members: HashMap<i64, Vec<String>> = HashMap::new();
        if !columns(&conn, "case_text").map_err(sql)?.is_empty() {
            let mut stmt = conn
                .prepare("SELECT DISTINCT caseid, fid FROM case_text ORDER BY caseid, fid")
                .map_err(sql)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?)))
                .map_err(sql)?;
            for r in rows {
                if let (Some(c), Some(f)) = r.map_err(sql)? {
                    members.entry(c).or_default().push(format!("src:{f}"));
                }
            }
        }
        let mut stmt = conn
            .prepare("SELECT caseid, name FROM cases ORDER BY caseid")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?)))
            .map_err(sql)?;
        for r in rows {
            let (id, name) = r.map_err(sql)?;
            project.cases.push(QdaCase {
                guid: format!("case:{id}"),
                name,
                variables: case_attrs.remove(&id).unwrap_or_default(),
                sources: members.remove(&id).unwrap_or_default(),
                selections: Vec::new(),
            });
        }
    }
    owners.sort();
    owners.dedup();
    project.users = owners
        .into_iter()
        .map(|o| QdaUser {
            guid: o.clone(),
            name: Some(o),
        })
        .collect();
    Ok(project)
}

/// Orders codes so that each comes after its parent (a parent that is missing makes a top-level code), in time
/// linear in the number of codes. A cycle of parents is an error naming its members.
fn parents_first(mut nodes: Vec<QdaCode>) -> Result<Vec<QdaCode>, String> {
    let mut index: HashMap<String, usize> = HashMap::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        index.entry(n.guid.clone()).or_insert(i);
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots = Vec::new();
    let mut parent_of: Vec<Option<usize>> = vec![None; nodes.len()];
    for (i, n) in nodes.iter_mut().enumerate() {
        match n.parent.as_ref().and_then(|p| index.get(p)).copied() {
            Some(p) => {
                children[p].push(i);
                parent_of[i] = Some(p);
            }
            None => {
                n.parent = None;
                roots.push(i);
            }
        }
    }
    let mut order = Vec::with_capacity(nodes.len());
    let mut reached = vec![false; nodes.len()];
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        reached[i] = true;
        order.push(i);
        stack.extend(children[i].iter().rev());
    }
    if let Some(start) = reached.iter().position(|r| !r) {
        // Every node not reached from a root lies on a cycle or below one: walk up from it to find the cycle.
        let mut seen = vec![false; nodes.len()];
        let mut at = start;
        while !seen[at] {
            seen[at] = true;
            at = parent_of[at].expect("a node not reached from a root has a parent");
        }
        let mut cycle = vec![at];
        let mut next = parent_of[at].expect("on a cycle");
        while next != at && cycle.len() < 1_000_000 {
            cycle.push(next);
            next = parent_of[next].expect("on a cycle");
        }
        let shown: Vec<String> = cycle.iter().take(5).map(|&i| format!("`{}`", nodes[i].name)).collect();
        return Err(format!(
            "{}{} (each the parent of the one before; {} in the cycle)",
            shown.join(" → "),
            if cycle.len() > 5 { " → …" } else { "" },
            cycle.len()
        ));
    }
    let mut slots: Vec<Option<QdaCode>> = nodes.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}
