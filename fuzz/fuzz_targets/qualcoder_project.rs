//! Fuzzes the QualCoder reader and the placing of what it read. The first byte picks how the rest is used:
//! - as the whole `data.qda` file (the committed corpus holds a valid one for libFuzzer to break);
//! - as a list of edits to a small valid QualCoder database: each edit sets one column of one row to a null, an
//!   integer, a text or a blob taken from the input, or drops a table, or copies the rows of a table, so that every
//!   value the reader meets can be the wrong type, out of range, missing or duplicated.
//!
//! Whatever the bytes, import must end in a project or an error with a message, never a panic.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use crosscase_ingest::qda::{Mapping, build_project};
use crosscase_model::KommunRegister;
use crosscase_store::read_qualcoder;
use libfuzzer_sys::fuzz_target;
use rusqlite::types::Value;

const SCHEMA: &str = "
CREATE TABLE project (databaseversion text, date text, memo text, about text, bookmarkfile integer,
  bookmarkpos integer, codername text, recently_used_codes text);
INSERT INTO project VALUES ('v8', '2026-01-01', '', '', 0, 0, 'anna', '');
CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text, memo text, owner text,
  date text, av_text_id integer, risid integer);
INSERT INTO source (id, name, fulltext, owner) VALUES
  (1, 'Intervju', 'Hej 😀 tillit\r\när viktigt 🎉 för alla.', 'anna'), (2, 'bild.png', NULL, 'anna');
CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text, memo text, supercatid integer);
INSERT INTO code_cat VALUES (1, 'Ledning', 'anna', '', 'Kategori', NULL), (2, 'Under', 'anna', '', '', 1);
CREATE TABLE code_name (cid integer primary key, name text, memo text, catid integer, owner text, date text,
  color text, supercid integer);
INSERT INTO code_name VALUES (1, 'Tillit', '', 1, 'anna', '', '#00FF00', NULL), (2, 'Tid', 'm', NULL, 'bo', '', NULL, 1);
CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer, seltext text, pos0 integer,
  pos1 integer, owner text, date text, memo text, avid integer, important integer);
INSERT INTO code_text (cid, fid, seltext, pos0, pos1, owner, memo) VALUES
  (1, 1, 'tillit', 7, 13, 'anna', 'ett memo'), (2, 1, 'viktigt', 18, 25, 'bo', NULL);
CREATE TABLE attribute_type (name text primary key, date text, owner text, memo text, caseOrFile text,
  valuetype text);
INSERT INTO attribute_type VALUES ('Kommun', '', 'anna', '', 'file', 'character');
CREATE TABLE attribute (attrid integer primary key, name text, attr_type text, value text, id integer, date text,
  owner text);
INSERT INTO attribute VALUES (1, 'Kommun', 'file', 'Motala', 1, '', 'anna'), (2, 'role', 'case', 'chef', 1, '', 'anna');
CREATE TABLE cases (caseid integer primary key, name text, memo text, owner text, date text);
INSERT INTO cases VALUES (1, 'P7', '', 'anna', '');
CREATE TABLE case_text (id integer primary key, caseid integer, fid integer, pos0 integer, pos1 integer,
  owner text, date text, memo text);
INSERT INTO case_text VALUES (1, 1, 1, 0, 0, 'anna', '', '');
";

/// The columns an edit may change, as (table, column).
const COLUMNS: &[(&str, &str)] = &[
    ("project", "databaseversion"),
    ("source", "id"),
    ("source", "name"),
    ("source", "fulltext"),
    ("source", "memo"),
    ("source", "owner"),
    ("code_cat", "catid"),
    ("code_cat", "name"),
    ("code_cat", "supercatid"),
    ("code_name", "cid"),
    ("code_name", "name"),
    ("code_name", "catid"),
    ("code_name", "color"),
    ("code_name", "supercid"),
    ("code_text", "cid"),
    ("code_text", "fid"),
    ("code_text", "seltext"),
    ("code_text", "pos0"),
    ("code_text", "pos1"),
    ("code_text", "owner"),
    ("code_text", "memo"),
    ("attribute", "name"),
    ("attribute", "attr_type"),
    ("attribute", "value"),
    ("attribute", "id"),
    ("cases", "caseid"),
    ("cases", "name"),
    ("case_text", "caseid"),
    ("case_text", "fid"),
];

const TABLES: &[&str] = &[
    "project",
    "source",
    "code_cat",
    "code_name",
    "code_text",
    "attribute",
    "cases",
    "case_text",
];

/// The bytes of the valid database, made once.
fn seed() -> &'static [u8] {
    static SEED: OnceLock<Vec<u8>> = OnceLock::new();
    SEED.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("seed.qda");
        let conn = rusqlite::Connection::open(&path).expect("seed database");
        conn.execute_batch(SCHEMA).expect("seed schema");
        drop(conn);
        std::fs::read(&path).expect("seed bytes")
    })
}

/// Takes up to `n` bytes from the front of `input`.
fn take<'a>(input: &mut &'a [u8], n: usize) -> &'a [u8] {
    let (head, tail) = input.split_at(n.min(input.len()));
    *input = tail;
    head
}

fn byte(input: &mut &[u8]) -> Option<u8> {
    take(input, 1).first().copied()
}

/// A value of any SQLite type, read from the input.
fn value(input: &mut &[u8]) -> Option<Value> {
    Some(match byte(input)? % 5 {
        0 => Value::Null,
        1 => Value::Integer(i64::from(byte(input)?) - 8),
        2 => {
            let mut b = [0u8; 8];
            let got = take(input, 8);
            b[..got.len()].copy_from_slice(got);
            Value::Integer(i64::from_le_bytes(b))
        }
        3 => {
            let n = usize::from(byte(input)?);
            Value::Text(String::from_utf8_lossy(take(input, n)).into_owned())
        }
        _ => {
            let n = usize::from(byte(input)?);
            Value::Blob(take(input, n).to_vec())
        }
    })
}

/// Applies edits to the database at `path` until the input runs out or an edit cannot be made.
fn edit(path: &Path, mut input: &[u8]) {
    let Ok(conn) = rusqlite::Connection::open(path) else { return };
    while let Some(op) = byte(&mut input) {
        let done = match op % 8 {
            0 => {
                let table = TABLES[usize::from(byte(&mut input).unwrap_or(0)) % TABLES.len()];
                conn.execute_batch(&format!("DROP TABLE {table}"))
            }
            1 => {
                let table = TABLES[usize::from(byte(&mut input).unwrap_or(0)) % TABLES.len()];
                // Copies every row; a table whose key is its rowid gets the copies under new keys.
                conn.execute_batch(&format!(
                    "CREATE TEMP TABLE t AS SELECT * FROM {table}; UPDATE t SET rowid = rowid + 1000;
                     INSERT INTO {table} SELECT * FROM t; DROP TABLE t;"
                ))
            }
            _ => {
                let (table, column) = COLUMNS[usize::from(byte(&mut input).unwrap_or(0)) % COLUMNS.len()];
                let row = i64::from(byte(&mut input).unwrap_or(0) % 4);
                let Some(v) = value(&mut input) else { return };
                conn.execute(
                    &format!("UPDATE {table} SET {column} = ?1 WHERE rowid = (SELECT rowid FROM {table} LIMIT 1 OFFSET ?2)"),
                    rusqlite::params![v, row],
                )
                .map(|_| ())
            }
        };
        if done.is_err() {
            // A copy can collide with a key; the edit is skipped, the others go on.
            continue;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, content)) = data.split_first() else { return };
    let Ok(dir) = tempfile::tempdir() else { return };
    let folder = dir.path().join("Studie.qda");
    if std::fs::create_dir_all(&folder).is_err() {
        return;
    }
    let db = folder.join("data.qda");
    let bytes = if mode % 2 == 0 { content } else { seed() };
    if std::fs::write(&db, bytes).is_err() {
        return;
    }
    if mode % 2 == 1 {
        edit(&db, content);
    }
    if let Ok(project) = read_qualcoder(&db) {
        let _ = build_project(&[project], &Mapping::default(), &KommunRegister::sweden());
    }
});
