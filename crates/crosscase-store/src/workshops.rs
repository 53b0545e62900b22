//! Feedback workshops and participants' reactions (schema version 7).
//!
//! A workshop is opened once per project and municipality and resumed until it is closed; its findings are fixed
//! when it opens. Reactions are appended, each batch in a transaction of its own that is committed (WAL,
//! `synchronous=FULL`) before the caller acknowledges it to the participant.

use crosscase_model::{PastFinding, PastReaction, PastWorkshop, WorkshopRecords};
use rusqlite::{OptionalExtension, params};

use crate::Store;
use crate::error::StoreError;

/// A finding as a workshop shows it: its place in the workshop, the theme it is about, and its sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkshopFinding {
    pub theme_code: String,
    pub text: String,
}

/// What opening a workshop needs; `join_code` is used only when no open workshop exists for the municipality.
#[derive(Clone, Debug)]
pub struct NewWorkshop {
    pub project_name: String,
    pub kommunkod: String,
    pub language: String,
    pub join_code: String,
    pub created_at: String,
    pub run_id: Option<i64>,
    pub content_hash: String,
    pub wave: Option<String>,
    pub secret: String,
    pub findings: Vec<WorkshopFinding>,
}

/// A stored workshop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workshop {
    pub id: i64,
    pub project_name: String,
    pub kommunkod: String,
    pub language: String,
    pub join_code: String,
    pub created_at: String,
    pub closed_at: Option<String>,
    pub run_id: Option<i64>,
    pub content_hash: String,
    pub wave: Option<String>,
    pub secret: String,
    pub findings: Vec<WorkshopFinding>,
}

/// A reaction to one finding, as a participant sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reaction {
    pub workshop_id: i64,
    /// The finding's position in the workshop (0-based).
    pub finding: usize,
    /// The random token of the participant's browser session.
    pub respondent: String,
    pub rating: Option<u8>,
    pub comment: Option<String>,
    pub received_at: String,
}

/// A stored reaction with its id and the theme and wave it was stored with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReaction {
    pub id: i64,
    pub theme_code: String,
    pub wave: Option<String>,
    pub reaction: Reaction,
}

const WORKSHOP_COLUMNS: &str =
    "id, project_name, kommunkod, language, join_code, created_at, closed_at, run_id, content_hash, wave, secret";

fn workshop_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Workshop> {
    Ok(Workshop {
        id: r.get(0)?,
        project_name: r.get(1)?,
        kommunkod: r.get(2)?,
        language: r.get(3)?,
        join_code: r.get(4)?,
        created_at: r.get(5)?,
        closed_at: r.get(6)?,
        run_id: r.get(7)?,
        content_hash: r.get(8)?,
        wave: r.get(9)?,
        secret: r.get(10)?,
        findings: Vec::new(),
    })
}

impl Store {
    /// The open workshop of the project and municipality, or a new one from `new` when there is none. Returns the
    /// workshop and whether it was opened just now.
    pub fn open_workshop(&mut self, new: &NewWorkshop) -> Result<(Workshop, bool), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let open: Option<i64> = tx
            .query_row(
                "SELECT id FROM workshop WHERE project_name = ?1 AND kommunkod = ?2 AND closed_at IS NULL",
                params![new.project_name, new.kommunkod],
                |r| r.get(0),
            )
            .optional()?;
        let (id, created) = match open {
            Some(id) => (id, false),
            None => {
                tx.execute(
                    "INSERT INTO workshop (project_name, kommunkod, language, join_code, created_at, run_id, content_hash, wave, secret)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        new.project_name,
                        new.kommunkod,
                        new.language,
                        new.join_code,
                        new.created_at,
                        new.run_id,
                        new.content_hash,
                        new.wave,
                        new.secret
                    ],
                )?;
                let id = tx.last_insert_rowid();
                let mut stmt = tx.prepare(
                    "INSERT INTO workshop_finding (workshop_id, position, theme_code, text) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for (i, f) in new.findings.iter().enumerate() {
                    stmt.execute(params![id, i as i64, f.theme_code, f.text])?;
                }
                drop(stmt);
                (id, true)
            }
        };
        tx.commit()?;
        let workshop = self.workshop(id)?.expect("the workshop was just read or written");
        Ok((workshop, created))
    }

    /// The open workshop of a project and municipality, if there is one.
    pub fn open_workshop_of(&self, project_name: &str, kommunkod: &str) -> Result<Option<Workshop>, StoreError> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM workshop WHERE project_name = ?1 AND kommunkod = ?2 AND closed_at IS NULL",
                params![project_name, kommunkod],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.workshop(id),
            None => Ok(None),
        }
    }

    /// Whether a join code is taken by any workshop, open or closed (a closed workshop's code never comes back).
    pub fn join_code_taken(&self, code: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM workshop WHERE join_code = ?1", [code], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// One workshop with its findings.
    pub fn workshop(&self, id: i64) -> Result<Option<Workshop>, StoreError> {
        let found = self
            .conn
            .query_row(
                &format!("SELECT {WORKSHOP_COLUMNS} FROM workshop WHERE id = ?1"),
                [id],
                workshop_row,
            )
            .optional()?;
        let Some(mut workshop) = found else {
            return Ok(None);
        };
        workshop.findings = self
            .conn
            .prepare("SELECT theme_code, text FROM workshop_finding WHERE workshop_id = ?1 ORDER BY position")?
            .query_map([id], |r| {
                Ok(WorkshopFinding {
                    theme_code: r.get(0)?,
                    text: r.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some(workshop))
    }

    /// Every workshop, oldest first, without their findings.
    pub fn workshops(&self) -> Result<Vec<Workshop>, StoreError> {
        let rows = self
            .conn
            .prepare(&format!("SELECT {WORKSHOP_COLUMNS} FROM workshop ORDER BY id"))?
            .query_map([], workshop_row)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Closes a workshop: its join code stops working. Returns whether it was open.
    pub fn close_workshop(&mut self, id: i64, closed_at: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE workshop SET closed_at = ?2 WHERE id = ?1 AND closed_at IS NULL",
            params![id, closed_at],
        )?;
        Ok(n == 1)
    }

    /// Stores reactions in one transaction and commits it; when this returns `Ok`, they are on disk. The theme and
    /// wave are taken from the workshop's finding, never from the request. Returns the reactions' ids.
    pub fn add_reactions(&mut self, reactions: &[Reaction]) -> Result<Vec<i64>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut ids = Vec::with_capacity(reactions.len());
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO reaction (workshop_id, finding, theme_code, wave, respondent, rating, comment, received_at)
                 SELECT f.workshop_id, f.position, f.theme_code, w.wave, ?3, ?4, ?5, ?6
                 FROM workshop_finding f JOIN workshop w ON w.id = f.workshop_id
                 WHERE f.workshop_id = ?1 AND f.position = ?2",
            )?;
            for r in reactions {
                let n = stmt.execute(params![
                    r.workshop_id,
                    r.finding as i64,
                    r.respondent,
                    r.rating,
                    r.comment,
                    r.received_at
                ])?;
                if n != 1 {
                    return Err(StoreError::Invalid {
                        message: format!("workshop {} has no finding {}", r.workshop_id, r.finding + 1),
                    });
                }
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Every reaction of a workshop, in the order they arrived.
    pub fn reactions(&self, workshop_id: i64) -> Result<Vec<StoredReaction>, StoreError> {
        let rows = self
            .conn
            .prepare(
                "SELECT id, finding, theme_code, wave, respondent, rating, comment, received_at
                 FROM reaction WHERE workshop_id = ?1 ORDER BY id",
            )?
            .query_map([workshop_id], |r| {
                Ok(StoredReaction {
                    id: r.get(0)?,
                    theme_code: r.get(2)?,
                    wave: r.get(3)?,
                    reaction: Reaction {
                        workshop_id,
                        finding: r.get::<_, i64>(1)? as usize,
                        respondent: r.get(4)?,
                        rating: r.get(5)?,
                        comment: r.get(6)?,
                        received_at: r.get(7)?,
                    },
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

/// Adds a workshop's comments to `project` as workshop notes, one source per finding with comments, each comment
/// coded to the finding's theme (masked by `screen` in the workshop's language); an earlier export of the same
/// workshop (sources `WS<id>-…`) is replaced, not doubled. Returns the notes added.
pub fn add_workshop_notes(
    project: &mut crosscase_model::Project,
    workshop: &Workshop,
    reactions: &[StoredReaction],
    screen: &crosscase_model::Screen,
) -> usize {
    use crosscase_model::{Coding, Language, Source, SourceKind};
    let language: Language = workshop.language.parse().unwrap_or_default();
    let latest = latest_reactions(reactions);
    let prefix = format!("WS{}-", workshop.id);
    // An earlier export of the same workshop is replaced, not doubled.
    project.sources.retain(|s| !s.id.starts_with(&prefix));
    project.codings.retain(|c| !c.source.starts_with(&prefix));
    let mut notes = 0;
    for (k, f) in workshop.findings.iter().enumerate() {
        let comments: Vec<String> = latest
            .iter()
            .filter(|r| r.reaction.finding == k)
            .filter_map(|r| r.reaction.comment.as_deref())
            .map(|c| screen.mask(c, language))
            .collect();
        if comments.is_empty() {
            continue;
        }
        let source_id = format!("{prefix}{}", k + 1);
        let mut text = String::new();
        for c in &comments {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            let start = text.chars().count() as u64;
            text.push_str(c);
            project.codings.push(Coding {
                source: source_id.clone(),
                code: f.theme_code.clone(),
                coder: "workshop".to_string(),
                start,
                end: text.chars().count() as u64,
                quote: c.clone(),
                memo: None,
                line: 0,
            });
        }
        project.sources.push(Source {
            id: source_id,
            kind: SourceKind::Workshop,
            municipality: workshop.kommunkod.clone(),
            unit: None,
            // The workshop's date lies after the wave it discusses, whose dates bound its sources': the note belongs
            // to the wave and names its day in the title.
            date: None,
            wave: workshop.wave.clone(),
            participants: Vec::new(),
            setting: None,
            duration_minutes: None,
            title: Some(format!(
                "Workshop {} ({}): {}",
                workshop.id,
                workshop.created_at.get(..10).unwrap_or(&workshop.created_at),
                f.text
            )),
            text: Some(text),
            line: 0,
        });
        notes += 1;
    }
    notes
}

/// Each participant's latest reaction to each finding: what summaries and the live counts count.
pub fn latest_reactions(reactions: &[StoredReaction]) -> Vec<&StoredReaction> {
    let mut latest: std::collections::HashMap<(usize, &str), &StoredReaction> = std::collections::HashMap::new();
    for r in reactions {
        latest.insert((r.reaction.finding, r.reaction.respondent.as_str()), r);
    }
    let mut out: Vec<&StoredReaction> = latest.into_values().collect();
    out.sort_by_key(|r| r.id);
    out
}

/// A coded segment behind a cell of the code × municipality matrix, for the research team's view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellSegment {
    pub source: String,
    pub kind: String,
    /// The roles of the source's participants, distinct and sorted.
    pub roles: Vec<String>,
    /// The wave's name.
    pub wave: Option<String>,
    pub coder: String,
    pub quote: Option<String>,
}

/// The sources a matrix column stands for: a municipality (kommunkod), a role (as stored, e.g. `top_manager`: every
/// source with a participant in that role), a unit (unit id) or a wave (wave id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SegmentGroup {
    Municipality(String),
    Role(String),
    Unit(String),
    Wave(String),
}

impl Store {
    /// The segments coded with `code` or any code below it in sources of `kommunkod`, by source and position; at
    /// most `limit`. Returns them and whether there were more.
    pub fn cell_segments(
        &self,
        project: Option<&str>,
        code: &str,
        kommunkod: &str,
        limit: usize,
    ) -> Result<(Vec<CellSegment>, bool), StoreError> {
        self.group_segments(project, code, &SegmentGroup::Municipality(kommunkod.to_string()), limit)
    }

    /// The segments coded with `code` or any code below it in the sources of `group`, by source and position; at
    /// most `limit`. Returns them and whether there were more.
    pub fn group_segments(
        &self,
        project: Option<&str>,
        code: &str,
        group: &SegmentGroup,
        limit: usize,
    ) -> Result<(Vec<CellSegment>, bool), StoreError> {
        let (pid, _) = self.project_id(project)?;
        // The segments that count, as prevalence counts them: where the primary coder coded a source, only theirs.
        let primary = self.load_settings(Some(pid))?.primary_coder;
        let (filter, value) = match group {
            SegmentGroup::Municipality(k) => (
                "EXISTS (SELECT 1 FROM municipality m WHERE m.id = s.municipality_id AND m.kommunkod = ?3)",
                k,
            ),
            SegmentGroup::Unit(u) => (
                "EXISTS (SELECT 1 FROM unit u WHERE u.id = s.unit_id AND u.unit_id = ?3)",
                u,
            ),
            SegmentGroup::Wave(w) => (
                "EXISTS (SELECT 1 FROM wave g WHERE g.id = s.wave_id AND g.wave_id = ?3)",
                w,
            ),
            SegmentGroup::Role(r) => (
                "EXISTS (SELECT 1 FROM source_participant sp JOIN participant p ON p.id = sp.participant_id
                         WHERE sp.source_id = s.id AND p.role = ?3)",
                r,
            ),
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "WITH RECURSIVE below(id) AS (
                 SELECT id FROM code WHERE project_id = ?1 AND code_id = ?2
                 UNION SELECT c.id FROM code c JOIN below b ON c.parent_id = b.id
             )
             SELECT s.id, s.source_id, s.kind, w.name, c.coder, q.quote
             FROM coding c JOIN below b ON b.id = c.code_id JOIN source s ON s.id = c.source_id
             JOIN coding_quote q ON q.coding_id = c.id
             LEFT JOIN wave w ON w.id = s.wave_id
             WHERE s.project_id = ?1 AND {filter}
               AND (?5 IS NULL OR c.coder = ?5
                    OR NOT EXISTS (SELECT 1 FROM coding o WHERE o.source_id = c.source_id AND o.coder = ?5))
             ORDER BY s.source_id, c.start, c.id
             LIMIT ?4"
        ))?;
        let mut roles = self.conn.prepare_cached(
            "SELECT DISTINCT p.role FROM source_participant sp JOIN participant p ON p.id = sp.participant_id
             WHERE sp.source_id = ?1 ORDER BY p.role",
        )?;
        let mut out = Vec::new();
        // (source row, source id, kind, wave name, coder, quote)
        type Row = (i64, String, String, Option<String>, String, Option<String>);
        let rows: Vec<Row> = stmt
            .query_map(params![pid, code, value, limit as i64 + 1, primary], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })?
            .collect::<Result<_, _>>()?;
        let more = rows.len() > limit;
        for (source_row, source, kind, wave, coder, quote) in rows.into_iter().take(limit) {
            let roles: Vec<String> = roles.query_map([source_row], |r| r.get(0))?.collect::<Result<_, _>>()?;
            out.push(CellSegment {
                source,
                kind,
                roles,
                wave,
                coder,
                quote,
            });
        }
        Ok((out, more))
    }

    /// Per municipality, the newest workshop of the project held on another version of it than `content_hash` (the
    /// one the pack is made from), with each participant's latest reaction to each finding: what the next pack says
    /// "you told us last time". A workshop on the current version is the one the pack is for, not an earlier one.
    pub fn earlier_workshops(&self, project_name: &str, content_hash: &str) -> Result<WorkshopRecords, StoreError> {
        let ids: Vec<i64> = self
            .conn
            .prepare(
                "SELECT max(id) FROM workshop WHERE project_name = ?1 AND content_hash <> ?2
                 GROUP BY kommunkod ORDER BY kommunkod",
            )?
            .query_map(params![project_name, content_hash], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut workshops = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(w) = self.workshop(id)? else { continue };
            let reactions = self.reactions(id)?;
            let latest = latest_reactions(&reactions);
            let findings = w
                .findings
                .iter()
                .enumerate()
                .map(|(k, f)| PastFinding {
                    theme: f.theme_code.clone(),
                    text: f.text.clone(),
                    reactions: latest
                        .iter()
                        .filter(|r| r.reaction.finding == k)
                        .map(|r| PastReaction {
                            rating: r.reaction.rating,
                            comment: r.reaction.comment.clone(),
                        })
                        .collect(),
                })
                .collect();
            workshops.push(PastWorkshop {
                id: w.id,
                kommunkod: w.kommunkod.clone(),
                held_on: w.created_at.get(..10).unwrap_or(&w.created_at).to_string(),
                findings,
            });
        }
        Ok(WorkshopRecords { workshops })
    }
}
