//! Importing from QDA tools: small exports written here, one per tool and quirk (positions in UTF-16 units, CRLF
//! counted as one, BOMs, `Sources/`, the XML named after the project, namespaces, case membership written as
//! codings, variables on sources, sets, QualCoder's database), hostile archives, and the way back to REFI-QDA.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::support::{check_project_xsd, crosscase, ingest_demo};

/// An archive entry: its name and bytes.
type Entry<'a> = (&'a str, &'a [u8]);

/// Writes a zip archive with these entries.
fn zip(path: &Path, entries: &[(&str, &[u8])]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(*name, options).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

/// Positions of `needle` in `text` as a tool counts them.
#[derive(Clone, Copy)]
enum Count {
    CodePoints,
    Utf16,
    CrlfAsOne,
}

fn pos(text: &str, needle: &str, unit: Count) -> (usize, usize) {
    let b = text.find(needle).unwrap_or_else(|| panic!("{needle} not in text"));
    let n = |s: &str| match unit {
        Count::CodePoints => s.chars().count(),
        Count::Utf16 => s.encode_utf16().count(),
        Count::CrlfAsOne => s.replace("\r\n", "\n").chars().count(),
    };
    (n(&text[..b]), n(&text[..b + needle.len()]))
}

fn selection(guid: &str, text: &str, needle: &str, unit: Count, code: &str, user: &str) -> String {
    let (s, e) = pos(text, needle, unit);
    format!(
        r##"<PlainTextSelection guid="{guid}" startPosition="{s}" endPosition="{e}" creatingUser="{user}"><Coding guid="{guid}-c" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>"##
    )
}

/// (source, code label, coder, quote) of every stored coding, sorted.
fn stored(db: &Path) -> Vec<(String, String, String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT s.source_id, k.label_sv, c.coder, q.quote FROM coding c JOIN source s ON s.id = c.source_id
             JOIN code k ON k.id = c.code_id JOIN coding_quote q ON q.coding_id = c.id
             ORDER BY 1, 2, 3, 4",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Rows of a query that returns one text and two optional texts.
fn text_rows(db: &Path, sql: &str) -> Vec<(String, Option<String>, Option<String>)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

const NVIVO_TEXT: &str = "Intervju med enhetschef 😀\r\nVi har en idésluss 🎉 där alla förslag tas upp.\r\nTilliten är hög 👍🏽 men tiden räcker inte.\r\n";

/// An NVivo for Windows export: UTF-16 positions, CRLF, a BOM in the text, `Sources/`, the XML named after the
/// project, braces around guids, case membership written as codings, a memo as a note.
fn nvivo_qdpx(path: &Path, user: (&str, &str), code_guids: [&str; 3]) {
    let t = NVIVO_TEXT;
    let [c1, c2, c3] = code_guids;
    let (u, name) = user;
    let sels = [
        selection(
            "{5E1A0001-0000-4000-8000-000000000001}",
            t,
            "idésluss",
            Count::Utf16,
            c2,
            u,
        ),
        selection(
            "{5E1A0001-0000-4000-8000-000000000002}",
            t,
            "Tilliten är hög 👍🏽",
            Count::Utf16,
            c3,
            u,
        ),
        selection(
            "{5E1A0001-0000-4000-8000-000000000003}",
            t,
            "tiden räcker inte",
            Count::Utf16,
            c3,
            u,
        ),
    ]
    .join("\n");
    // The memo belongs to the first coding.
    let sels = sels.replacen(
        &format!("<CodeRef targetGUID=\"{c2}\"/></Coding>"),
        &format!(
            "<CodeRef targetGUID=\"{c2}\"/><NoteRef targetGUID=\"{{0B0E0000-0000-4000-8000-000000000001}}\"/></Coding>"
        ),
        1,
    );
    let qde = format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Innovationsstudie" origin="NVivo for Windows 12.6">
  <Users><User guid="{u}" name="{name}"/></Users>
  <CodeBook><Codes>
    <Code guid="{c1}" name="Organisering" isCodable="true">
      <Code guid="{c2}" name="Idésluss" isCodable="true" color="#FF0000"/>
    </Code>
    <Code guid="{c3}" name="Tillit" isCodable="true"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="{{7A000000-0000-4000-8000-000000000001}}" name="Kommun" typeOfVariable="Text"/>
    <Variable guid="{{7A000000-0000-4000-8000-000000000002}}" name="Roll" typeOfVariable="Text"/>
  </Variables>
  <Cases>
    <Case guid="{{CA000000-0000-4000-8000-000000000001}}" name="Motala">
      <VariableValue><VariableRef targetGUID="{{7A000000-0000-4000-8000-000000000001}}"/><TextValue>Motala</TextValue></VariableValue>
    </Case>
    <Case guid="{{CA000000-0000-4000-8000-000000000002}}" name="IP03">
      <VariableValue><VariableRef targetGUID="{{7A000000-0000-4000-8000-000000000002}}"/><TextValue>enhetschef</TextValue></VariableValue>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{{50000000-0000-4000-8000-000000000001}}" name="Intervju 1" plainTextPath="internal://50000000-0000-4000-8000-000000000001.txt" creatingUser="{u}">
{sels}
      <Coding guid="{{C0000000-0000-4000-8000-000000000001}}" creatingUser="{u}"><CodeRef targetGUID="{c1}"/></Coding>
      <Coding guid="{{C0000000-0000-4000-8000-000000000002}}"><CodeRef targetGUID="{{CA000000-0000-4000-8000-000000000001}}"/></Coding>
      <Coding guid="{{C0000000-0000-4000-8000-000000000003}}"><CodeRef targetGUID="{{CA000000-0000-4000-8000-000000000002}}"/></Coding>
    </TextSource>
  </Sources>
  <Notes><Note guid="{{0B0E0000-0000-4000-8000-000000000001}}" name="Memo"><PlainTextContent>Viktigt: sluss från 2018</PlainTextContent></Note></Notes>
</Project>"##
    );
    let text = [b"\xEF\xBB\xBF".as_slice(), t.as_bytes()].concat();
    zip(
        path,
        &[
            ("Innovationsstudie.qde", qde.as_bytes()),
            ("Sources/50000000-0000-4000-8000-000000000001.txt", &text),
        ],
    );
}

const NVIVO_CODES: [&str; 3] = [
    "{C0DE0000-0000-4000-8000-000000000001}",
    "{C0DE0000-0000-4000-8000-000000000002}",
    "{C0DE0000-0000-4000-8000-000000000003}",
];

#[test]
fn nvivo_export_with_utf16_positions_crlf_and_bom() {
    let dir = tempfile::tempdir().unwrap();
    let qdpx = dir.path().join("nvivo.qdpx");
    nvivo_qdpx(&qdpx, ("{A0000000-0000-4000-8000-000000000001}", "Karin"), NVIVO_CODES);
    let run = crosscase(
        dir.path(),
        &["import", "nvivo.qdpx", "--db", "db.sqlite", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let j = json(&run.stdout);
    assert_eq!(j["sources"], 1);
    assert_eq!(j["codes"], 3);
    assert_eq!(j["codings"], 4, "three selections and one whole-document coding: {j}");
    assert_eq!(j["coders"], 1);
    assert_eq!(j["participants"], 1);
    assert_eq!(j["municipalities"], serde_json::json!({"0583": 1}));
    assert_eq!(j["offset_units"], serde_json::json!({"UTF-16 units": 1}));
    assert_eq!(j["selections_checked"], 3);
    assert_eq!(
        j["selections_converted"], 3,
        "every selection lies after the emoji: {j}"
    );
    let text = NVIVO_TEXT.to_string();
    let k = |s: &str| s.to_string();
    assert_eq!(
        stored(&dir.path().join("db.sqlite")),
        vec![
            (k("Intervju 1"), k("Idésluss"), k("Karin"), k("idésluss")),
            (k("Intervju 1"), k("Organisering"), k("Karin"), text),
            (k("Intervju 1"), k("Tillit"), k("Karin"), k("Tilliten är hög 👍🏽")),
            (k("Intervju 1"), k("Tillit"), k("Karin"), k("tiden räcker inte")),
        ]
    );
    let conn = rusqlite::Connection::open(dir.path().join("db.sqlite")).unwrap();
    let memo: String = conn
        .query_row("SELECT memo FROM coding WHERE memo IS NOT NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(memo, "Viktigt: sluss från 2018");
    let (participant, role): (String, String) = conn
        .query_row("SELECT participant_id, role FROM participant", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((participant.as_str(), role.as_str()), ("IP03", "first_line_manager"));
    let colour: String = conn
        .query_row("SELECT colour FROM code WHERE label_sv = 'Idésluss'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(colour, "#ff0000");
    let parent: String = conn
        .query_row(
            "SELECT p.code_id FROM code c JOIN code p ON p.id = c.parent_id WHERE c.label_sv = 'Idésluss'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(parent, "organisering");
}

const ATLAS_TEXT: &str =
    "Fältanteckning, ledningsgruppsmöte\r\n\r\nChefen föreslår en innovationsfond.\r\nAlla håller med.\r\n";

/// ATLAS.ti: CRLF counted as one, another namespace version, a prefix, a bare plainTextPath, a folder that cannot
/// be coded, the municipality in a set named "Kommun: Linköping".
#[test]
fn atlas_export_with_crlf_as_one_and_sets() {
    let dir = tempfile::tempdir().unwrap();
    let t = ATLAS_TEXT;
    let u = "u-erik";
    let sels = [
        selection("s1", t, "innovationsfond", Count::CrlfAsOne, "c-fond", u),
        selection("s2", t, "Alla håller med.", Count::CrlfAsOne, "c-stod", u),
    ]
    .join("\n")
    .replace("<PlainText", "<qda:PlainText")
    .replace("</PlainText", "</qda:PlainText")
    .replace("<Coding", "<qda:Coding")
    .replace("</Coding", "</qda:Coding")
    .replace("<CodeRef", "<qda:CodeRef");
    let qde = format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<qda:Project xmlns:qda="urn:QDA-XML:project:0:10" name="Ledning" origin="ATLAS.ti 9.1.3 (Windows)">
  <qda:Users><qda:User guid="{u}" name="Erik"/></qda:Users>
  <qda:CodeBook><qda:Codes>
    <qda:Code guid="c-folder" name="Resurser" isCodable="false">
      <qda:Code guid="c-fond" name="Innovationsfond" isCodable="true"/>
    </qda:Code>
    <qda:Code guid="c-stod" name="Stöd" isCodable="true"><qda:Description>Medhåll i gruppen</qda:Description></qda:Code>
  </qda:Codes></qda:CodeBook>
  <qda:Variables><qda:Variable guid="v-kind" name="Typ" typeOfVariable="Text"/></qda:Variables>
  <qda:Sources>
    <qda:TextSource guid="src-1" name="Obs 1" plainTextPath="obs1.txt">
{sels}
      <qda:VariableValue><qda:VariableRef targetGUID="v-kind"/><qda:TextValue>observation</qda:TextValue></qda:VariableValue>
    </qda:TextSource>
  </qda:Sources>
  <qda:Sets><qda:Set guid="set-1" name="Kommun: Linköping"><qda:MemberSource targetGUID="src-1"/></qda:Set></qda:Sets>
</qda:Project>"##
    );
    zip(
        &dir.path().join("atlas.qdpx"),
        &[("project.qde", qde.as_bytes()), ("sources/obs1.txt", t.as_bytes())],
    );
    let run = crosscase(
        dir.path(),
        &["import", "atlas.qdpx", "--db", "db.sqlite", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let j = json(&run.stdout);
    assert_eq!(
        (&j["sources"], &j["codes"], &j["codings"], &j["coders"]),
        (
            &serde_json::json!(1),
            &serde_json::json!(3),
            &serde_json::json!(2),
            &serde_json::json!(1)
        )
    );
    assert_eq!(j["municipalities"], serde_json::json!({"0580": 1}));
    assert_eq!(
        j["offset_units"],
        serde_json::json!({"code points with CRLF as one": 1})
    );
    let k = |s: &str| s.to_string();
    assert_eq!(
        stored(&dir.path().join("db.sqlite")),
        vec![
            (k("Obs 1"), k("Innovationsfond"), k("Erik"), k("innovationsfond")),
            (k("Obs 1"), k("Stöd"), k("Erik"), k("Alla håller med.")),
        ]
    );
    let conn = rusqlite::Connection::open(dir.path().join("db.sqlite")).unwrap();
    let kind: String = conn.query_row("SELECT kind FROM source", [], |r| r.get(0)).unwrap();
    assert_eq!(kind, "observation");
}

/// MAXQDA: a bare .qde with its `sources/` folder beside it, variables on the source itself and in a nameless case,
/// a text given inline as PlainTextContent, positions in code points.
#[test]
fn maxqda_bare_qde_with_source_variables() {
    let dir = tempfile::tempdir().unwrap();
    let t1 = "Enhetschefen 😀 berättar om 🎉 hackathon och digitalisering.";
    let t2 = "Medarbetaren: vi testar nya arbetssätt i hemtjänsten.";
    let u = "11111111-2222-4333-8444-555555555555";
    let s1 = [
        selection("a1", t1, "hackathon", Count::CodePoints, "k1", u),
        selection("a2", t1, "digitalisering", Count::CodePoints, "k2", u),
    ]
    .join("\n");
    let s2 = selection("b1", t2, "nya arbetssätt", Count::CodePoints, "k1", u);
    let qde = format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Omsorg" origin="MAXQDA 24 (Release 24.7.0)">
  <Users><User guid="{u}" name="Maria"/></Users>
  <CodeBook><Codes>
    <Code guid="k1" name="Experiment" isCodable="true"/>
    <Code guid="k2" name="Digitalisering" isCodable="true"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="v1" name="kommunkod" typeOfVariable="Text"/>
    <Variable guid="v2" name="Enhet" typeOfVariable="Text"/>
    <Variable guid="v3" name="Datum" typeOfVariable="Date"/>
  </Variables>
  <Cases>
    <Case guid="case-1"><VariableValue><VariableRef targetGUID="v2"/><TextValue>Hemtjänst</TextValue></VariableValue><SourceRef targetGUID="d2"/></Case>
  </Cases>
  <Sources>
    <TextSource guid="d1" name="Intervju A" plainTextPath="internal://d1.txt">
{s1}
      <VariableValue><VariableRef targetGUID="v1"/><TextValue>0580</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="v3"/><DateValue>2019-03-14</DateValue></VariableValue>
    </TextSource>
    <TextSource guid="d2" name="Intervju B">
      <PlainTextContent>{t2}</PlainTextContent>
{s2}
      <VariableValue><VariableRef targetGUID="v1"/><TextValue>0580</TextValue></VariableValue>
    </TextSource>
  </Sources>
</Project>"##
    );
    std::fs::create_dir_all(dir.path().join("export/sources")).unwrap();
    std::fs::write(dir.path().join("export/Omsorg.qde"), qde).unwrap();
    std::fs::write(dir.path().join("export/sources/d1.txt"), t1).unwrap();
    let run = crosscase(
        dir.path(),
        &["import", "export/Omsorg.qde", "--db", "db.sqlite", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let j = json(&run.stdout);
    assert_eq!(
        (j["sources"].as_u64(), j["codings"].as_u64()),
        (Some(2), Some(3)),
        "{j}"
    );
    assert_eq!(j["municipalities"], serde_json::json!({"0580": 2}));
    let k = |s: &str| s.to_string();
    assert_eq!(
        stored(&dir.path().join("db.sqlite")),
        vec![
            (k("Intervju A"), k("Digitalisering"), k("Maria"), k("digitalisering")),
            (k("Intervju A"), k("Experiment"), k("Maria"), k("hackathon")),
            (k("Intervju B"), k("Experiment"), k("Maria"), k("nya arbetssätt")),
        ]
    );
    let rows = text_rows(
        &dir.path().join("db.sqlite"),
        "SELECT s.source_id, u.unit_id, s.date FROM source s LEFT JOIN unit u ON u.id = s.unit_id ORDER BY 1",
    );
    assert_eq!(
        rows,
        vec![
            (k("Intervju A"), None, Some(k("2019-03-14"))),
            (k("Intervju B"), Some(k("Hemtjänst")), None)
        ]
    );
}

/// Writes a QualCoder project folder with its SQLite database, as QualCoder 3 lays it out.
fn qualcoder_project(dir: &Path) -> PathBuf {
    let folder = dir.join("Studie.qda");
    std::fs::create_dir_all(folder.join("documents")).unwrap();
    let db = folder.join("data.qda");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TABLE project (databaseversion text, date text, memo text, about text, bookmarkfile integer,
           bookmarkpos integer, codername text, recently_used_codes text);
         INSERT INTO project VALUES ('v17', '2026-01-01', '', '', 0, 0, 'anna', '');
         CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text, memo text,
           owner text, date text, av_text_id integer, risid integer, unique(name));
         CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text, memo text,
           supercatid integer, unique(name));
         CREATE TABLE code_name (cid integer primary key, name text, memo text, catid integer, owner text,
           date text, color text, supercid integer, unique(name));
         CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer, seltext text, pos0 integer,
           pos1 integer, owner text, date text, memo text, avid integer, important integer,
           unique(cid,fid,pos0,pos1, owner));
         CREATE TABLE attribute_type (name text primary key, date text, owner text, memo text, caseOrFile text,
           valuetype text);
         CREATE TABLE attribute (attrid integer primary key, name text, attr_type text, value text, id integer,
           date text, owner text, unique(name,attr_type,id));
         CREATE TABLE cases (caseid integer primary key, name text, memo text, owner text, date text,
           constraint ucm unique(name));
         CREATE TABLE case_text (id integer primary key, caseid integer, fid integer, pos0 integer, pos1 integer,
           owner text, date text, memo text);",
    )
    .unwrap();
    let text = "Politikern 😀😀 vill ha fler 🎉 piloter i förvaltningen.\nChefen: vi saknar tid.";
    conn.execute(
        "INSERT INTO source (id, name, fulltext, owner) VALUES (1, 'Intervju P', ?1, 'anna'), (2, 'bild.png', NULL, 'anna')",
        [text],
    )
    .unwrap();
    conn.execute_batch(
        "INSERT INTO code_cat VALUES (1, 'Ledning', 'anna', '', 'Kategori', NULL);
         INSERT INTO code_name VALUES (1, 'Piloter', '', 1, 'anna', '', '#00FF00', NULL);
         INSERT INTO code_name VALUES (2, 'Tidsbrist', '', NULL, 'anna', '', NULL, 1);
         INSERT INTO attribute_type VALUES ('Kommun', '', 'anna', '', 'file', 'character');
         INSERT INTO attribute VALUES (1, 'Kommun', 'file', 'Norrköping', 1, '', 'anna');
         INSERT INTO cases VALUES (1, 'P7', '', 'anna', '');
         INSERT INTO attribute VALUES (2, 'role', 'case', 'politiker', 1, '', 'anna');
         INSERT INTO case_text VALUES (1, 1, 1, 0, 0, 'anna', '', '');",
    )
    .unwrap();
    for (cid, needle, owner) in [
        (1, "fler 🎉 piloter", "anna"),
        (2, "vi saknar tid", "bo"),
        (1, "piloter", "bo"),
    ] {
        let b = text.find(needle).unwrap();
        let s = text[..b].encode_utf16().count() as i64;
        let e = s + needle.encode_utf16().count() as i64;
        conn.execute(
            "INSERT INTO code_text (cid, fid, seltext, pos0, pos1, owner) VALUES (?1, 1, ?2, ?3, ?4, ?5)",
            rusqlite::params![cid, needle, s, e, owner],
        )
        .unwrap();
    }
    drop(conn);
    folder
}

#[test]
fn qualcoder_project_read_only_with_qt_positions() {
    let dir = tempfile::tempdir().unwrap();
    let folder = qualcoder_project(dir.path());
    let before = std::fs::read(folder.join("data.qda")).unwrap();
    let run = crosscase(
        dir.path(),
        &["import", "Studie.qda", "--db", "db.sqlite", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read(folder.join("data.qda")).unwrap(),
        before,
        "the user's file changed"
    );
    let j = json(&run.stdout);
    assert_eq!(
        (
            j["sources"].as_u64(),
            j["codes"].as_u64(),
            j["codings"].as_u64(),
            j["coders"].as_u64()
        ),
        (Some(1), Some(3), Some(3), Some(2)),
        "{j}"
    );
    assert_eq!(j["municipalities"], serde_json::json!({"0581": 1}));
    assert_eq!(j["participants"], 1);
    assert!(j["skipped_sources"][0].as_str().unwrap().contains("bild.png"), "{j}");
    let k = |s: &str| s.to_string();
    assert_eq!(
        stored(&dir.path().join("db.sqlite")),
        vec![
            (k("Intervju P"), k("Piloter"), k("anna"), k("fler 🎉 piloter")),
            (k("Intervju P"), k("Piloter"), k("bo"), k("piloter")),
            (k("Intervju P"), k("Tidsbrist"), k("bo"), k("vi saknar tid")),
        ]
    );
    // The sub-code sits under its parent code, the code under its category.
    let conn = rusqlite::Connection::open(dir.path().join("db.sqlite")).unwrap();
    let id: String = conn
        .query_row("SELECT code_id FROM code WHERE label_sv = 'Tidsbrist'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(id, "ledning/piloter/tidsbrist");
}

#[test]
fn two_coders_exports_merge_for_agreement() {
    let dir = tempfile::tempdir().unwrap();
    nvivo_qdpx(
        &dir.path().join("karin.qdpx"),
        ("{A0000000-0000-4000-8000-000000000001}", "Karin"),
        NVIVO_CODES,
    );
    // The second export has other guids for the same codes, as QualCoder's exports do.
    nvivo_qdpx(
        &dir.path().join("ali.qdpx"),
        ("{A0000000-0000-4000-8000-000000000002}", "Ali"),
        [
            "{D0DE0000-0000-4000-8000-000000000001}",
            "{D0DE0000-0000-4000-8000-000000000002}",
            "{D0DE0000-0000-4000-8000-000000000003}",
        ],
    );
    let run = crosscase(
        dir.path(),
        &[
            "import",
            "karin.qdpx",
            "ali.qdpx",
            "--db",
            "db.sqlite",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let j = json(&run.stdout);
    assert_eq!((j["sources"].as_u64(), j["codes"].as_u64()), (Some(1), Some(3)));
    assert_eq!((j["codings"].as_u64(), j["coders"].as_u64()), (Some(8), Some(2)));
    let run = crosscase(dir.path(), &["agreement", "--db", "db.sqlite"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("Karin") || run.stdout.lines().count() > 1,
        "{}",
        run.stdout
    );
}

#[test]
fn a_source_without_municipality_shows_the_mapping_that_fixes_it() {
    let dir = tempfile::tempdir().unwrap();
    let t = "Workshop om tillit.";
    let qde = format!(
        r##"<Project name="W" origin="MAXQDA 24"><CodeBook><Codes><Code guid="k" name="Tillit" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="w" name="Workshop 3"><PlainTextContent>{t}</PlainTextContent>{}</TextSource></Sources></Project>"##,
        selection("s", t, "tillit", Count::CodePoints, "k", "x")
    );
    std::fs::write(dir.path().join("w.qde"), qde).unwrap();
    let run = crosscase(dir.path(), &["import", "w.qde", "--db", "db.sqlite"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1 source cannot be placed in a municipality: `Workshop 3`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("[defaults]\n    municipality = \"0583\"")
            && run.stderr.contains("--write-map mapping.toml"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("db.sqlite").exists());
    std::fs::write(
        dir.path().join("map.toml"),
        "[sources]\n\"Workshop 3\" = { municipality = \"Motala\", kind = \"workshop\" }\n",
    )
    .unwrap();
    let run = crosscase(
        dir.path(),
        &[
            "import",
            "w.qde",
            "--db",
            "db.sqlite",
            "--map",
            "map.toml",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(json(&run.stdout)["municipalities"], serde_json::json!({"0583": 1}));
    // A mapping with a typo names its line.
    std::fs::write(
        dir.path().join("bad.toml"),
        "[sources]\n\"Workshop 3\" = { kommun = \"Motala\" }\n",
    )
    .unwrap();
    let run = crosscase(
        dir.path(),
        &["import", "w.qde", "--db", "db2.sqlite", "--map", "bad.toml"],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("bad.toml:2:"), "{}", run.stderr);
}

#[test]
fn a_selection_outside_its_text_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let qde = r##"<Project name="W" origin="NVivo for Windows 14"><CodeBook><Codes><Code guid="k" name="Tillit" isCodable="true"/></Codes></CodeBook>
<Variables><Variable guid="v" name="Kommun" typeOfVariable="Text"/></Variables><Sources><TextSource guid="w" name="Intervju 9"><PlainTextContent>Kort text.</PlainTextContent>
<PlainTextSelection guid="sel-42" startPosition="5" endPosition="400"><Coding guid="c"><CodeRef targetGUID="k"/></Coding></PlainTextSelection>
<VariableValue><VariableRef targetGUID="v"/><TextValue>0583</TextValue></VariableValue></TextSource></Sources></Project>"##;
    std::fs::write(dir.path().join("w.qde"), qde).unwrap();
    let run = crosscase(dir.path(), &["import", "w.qde", "--db", "db.sqlite"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "w.qde:3: selection sel-42 of source `Intervju 9` (5..400) does not lie inside its text of 10 characters"
        ),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("db.sqlite").exists());
}

#[test]
fn hostile_and_broken_archives_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let minimal = br##"<Project name="x"><Sources/></Project>"##;
    let bomb = vec![b'a'; 64 << 20];
    let laughs = r##"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Project name="&lol2;"/>"##;
    let xxe = r##"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project name="&x;"/>"##;
    let truncated = &NVIVO_TEXT_QDE[..NVIVO_TEXT_QDE.len() / 2];
    let cases: Vec<(&str, Vec<Entry<'_>>, &str)> = vec![
        (
            "slip.qdpx",
            vec![("project.qde", minimal), ("../../evil.txt", b"x")],
            "points outside the archive",
        ),
        (
            "abs.qdpx",
            vec![("project.qde", minimal), ("/etc/evil", b"x")],
            "points outside the archive",
        ),
        ("bomb.qdpx", vec![("project.qde", &bomb)], "(a zip bomb)"),
        (
            "laughs.qdpx",
            vec![("project.qde", laughs.as_bytes())],
            "document type declaration",
        ),
        (
            "xxe.qdpx",
            vec![("project.qde", xxe.as_bytes())],
            "document type declaration",
        ),
        ("cut.qdpx", vec![("project.qde", truncated.as_bytes())], "nvivo:"),
        ("none.qdpx", vec![("readme.txt", b"hej")], "holds no project file"),
    ];
    for (name, entries, _) in &cases {
        zip(&d.join(name), entries);
    }
    // A truncated archive, and a file that is not one.
    let whole = std::fs::read(d.join("slip.qdpx")).unwrap();
    std::fs::write(d.join("half.qdpx"), &whole[..whole.len() / 2]).unwrap();
    std::fs::write(d.join("text.qdpx"), "inte en zip").unwrap();
    let mut all: Vec<(&str, &str)> = cases.iter().map(|(n, _, e)| (*n, *e)).collect();
    all.push(("half.qdpx", "not a readable .qdpx (zip) archive"));
    all.push(("text.qdpx", "not a readable .qdpx (zip) archive"));
    for (name, expected) in all {
        let run = crosscase(d, &["import", name, "--db", "db.sqlite"]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        let expected = if expected == "nvivo:" { "project.qde:" } else { expected };
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
        assert!(run.stderr.contains(name), "{name} is not named: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
        assert!(!d.join("db.sqlite").exists(), "{name} wrote the database");
    }
    // An existing database is left exactly as it was.
    nvivo_qdpx(
        &d.join("good.qdpx"),
        ("{A0000000-0000-4000-8000-000000000001}", "Karin"),
        NVIVO_CODES,
    );
    assert_eq!(crosscase(d, &["import", "good.qdpx", "--db", "kept.sqlite"]).code, 0);
    let before = std::fs::read(d.join("kept.sqlite")).unwrap();
    for name in ["slip.qdpx", "bomb.qdpx", "laughs.qdpx", "cut.qdpx", "half.qdpx"] {
        let run = crosscase(d, &["import", name, "--db", "kept.sqlite"]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        assert_eq!(
            std::fs::read(d.join("kept.sqlite")).unwrap(),
            before,
            "{name} changed the database"
        );
    }
    // The truncated XML is placed at its line and column.
    let run = crosscase(d, &["import", "cut.qdpx", "--db", "db.sqlite"]);
    assert!(
        run.stderr
            .contains("cut.qdpx!project.qde:3:20: the XML is not well-formed"),
        "{}",
        run.stderr
    );
}

/// A small complete project XML, cut in half by the test above.
const NVIVO_TEXT_QDE: &str = r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Cut" origin="NVivo for Windows 12.6">
  <CodeBook><Codes><Code guid="k" name="Tillit" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="s" name="A"><PlainTextContent>Hej hej hej</PlainTextContent></TextSource></Sources>
</Project>"##;

#[test]
fn a_codebook_alone_imports_as_codes() {
    let dir = tempfile::tempdir().unwrap();
    let qdc = r##"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4">
  <Codes>
    <Code guid="c001" name="Ledarskap" isCodable="false" color="rgb(10, 20, 30)">
      <Description>Hur chefer leder</Description>
      <Code guid="c002" name="Tillit" isCodable="true"/>
    </Code>
  </Codes>
  <Sets/>
</CodeBook>"##;
    std::fs::write(dir.path().join("bok.qdc"), qdc).unwrap();
    let run = crosscase(
        dir.path(),
        &["import", "bok.qdc", "--db", "db.sqlite", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let j = json(&run.stdout);
    assert_eq!((j["codes"].as_u64(), j["sources"].as_u64()), (Some(2), Some(0)));
    let rows = text_rows(
        &dir.path().join("db.sqlite"),
        "SELECT code_id, colour, description FROM code ORDER BY position",
    );
    assert_eq!(
        rows,
        vec![
            (
                "ledarskap".into(),
                Some("#0a141e".into()),
                Some("Hur chefer leder".into())
            ),
            ("ledarskap/tillit".into(), None, None)
        ]
    );
}

/// The demo goes out as REFI-QDA, validates against the standard's schema, and comes back unchanged.
#[test]
fn export_validates_against_the_schema_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ingest_demo(d, &d.join("demo.sqlite"));
    let run = crosscase(d, &["export", "--db", "demo.sqlite", "--qdpx", "demo.qdpx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(d.join("demo.qdpx")).unwrap()).unwrap();
    let mut qde = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("project.qde").unwrap(), &mut qde).unwrap();
    std::fs::write(d.join("project.qde"), &qde).unwrap();
    check_project_xsd(&d.join("project.qde"), "the demo");
    let run = crosscase(d, &["import", "demo.qdpx", "--db", "back.sqlite"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Every table of the coded project holds the same rows.
    let dump = |db: &str| -> Vec<String> {
        let conn = rusqlite::Connection::open(d.join(db)).unwrap();
        let mut out = Vec::new();
        for sql in [
            "SELECT kommunkod || '|' || name FROM municipality",
            "SELECT u.unit_id || '|' || u.name || '|' || m.kommunkod FROM unit u JOIN municipality m ON m.id = u.municipality_id",
            "SELECT p.participant_id || '|' || p.role || '|' || m.kommunkod || '|' || coalesce(u.unit_id, '') FROM participant p JOIN municipality m ON m.id = p.municipality_id LEFT JOIN unit u ON u.id = p.unit_id",
            "SELECT wave_id || '|' || name || '|' || start_date || '|' || end_date FROM wave",
            "SELECT c.code_id || '|' || coalesce(p.code_id, '') || '|' || c.label_sv || '|' || c.label_en || '|' || coalesce(c.description, '') || '|' || coalesce(c.colour, '') FROM code c LEFT JOIN code p ON p.id = c.parent_id",
            "SELECT s.source_id || '|' || s.kind || '|' || coalesce(s.date, '') || '|' || coalesce(s.setting, '') || '|' || coalesce(s.duration_min, '') || '|' || coalesce(s.title, '') || '|' || s.text FROM source s",
            "SELECT s.source_id || '|' || p.participant_id FROM source_participant sp JOIN source s ON s.id = sp.source_id JOIN participant p ON p.id = sp.participant_id",
            "SELECT s.source_id || '|' || k.code_id || '|' || c.coder || '|' || c.start || '|' || c.end || '|' || coalesce(c.memo, '') FROM coding c JOIN source s ON s.id = c.source_id JOIN code k ON k.id = c.code_id",
            "SELECT name || '|' || language || '|' || disclosure_threshold || '|' || free_site_ids || '|' || coalesce(primary_coder, '') FROM project",
        ] {
            let mut rows: Vec<String> = conn
                .prepare(sql)
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            rows.sort();
            out.push(format!("{sql}\n{}", rows.join("\n")));
        }
        out
    };
    let (a, b) = (dump("demo.sqlite"), dump("back.sqlite"));
    for (x, y) in a.iter().zip(&b) {
        assert!(x == y, "differs after the round trip:\n{}", first_difference(x, y));
    }
}

fn first_difference(a: &str, b: &str) -> String {
    for (x, y) in a.lines().zip(b.lines()) {
        if x != y {
            return format!("- {x}\n+ {y}");
        }
    }
    format!("lengths {} and {}", a.lines().count(), b.lines().count())
}

/// Real projects name people: NVivo cases named after the interviewee, names in the transcript. With a roster,
/// import replaces them before anything is stored; and two sources may share a name in different folders.
#[test]
fn names_are_pseudonymised_on_import_and_same_named_sources_kept_apart() {
    let dir = tempfile::tempdir().unwrap();
    let t = "Anna Svensson: vi har en idésluss.";
    let qde = format!(
        r##"<Project name="P" origin="MAXQDA 24"><CodeBook><Codes><Code guid="k" name="Idésluss" isCodable="true"/></Codes></CodeBook>
<Variables><Variable guid="v" name="Kommun" typeOfVariable="Text"/><Variable guid="r" name="Roll" typeOfVariable="Text"/></Variables>
<Cases><Case guid="c" name="Anna Svensson"><VariableValue><VariableRef targetGUID="r"/><TextValue>mellanchef</TextValue></VariableValue><SourceRef targetGUID="a"/></Case></Cases>
<Sources>
<TextSource guid="a" name="Intervju"><PlainTextContent>{t}</PlainTextContent>{}<VariableValue><VariableRef targetGUID="v"/><TextValue>Motala</TextValue></VariableValue></TextSource>
<TextSource guid="b" name="Intervju"><PlainTextContent>En annan text.</PlainTextContent><VariableValue><VariableRef targetGUID="v"/><TextValue>Motala</TextValue></VariableValue></TextSource>
</Sources></Project>"##,
        selection("s", t, "idésluss", Count::CodePoints, "k", "x")
    );
    std::fs::write(dir.path().join("p.qde"), qde).unwrap();
    std::fs::write(dir.path().join("roster.csv"), "name\nAnna Svensson\n").unwrap();
    let run = crosscase(
        dir.path(),
        &["import", "p.qde", "--db", "db.sqlite", "--pseudonymise", "roster.csv"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let conn = rusqlite::Connection::open(dir.path().join("db.sqlite")).unwrap();
    let all: String = conn
        .query_row(
            "SELECT group_concat(x, ' ') FROM (SELECT participant_id AS x FROM participant UNION ALL SELECT text FROM source UNION ALL SELECT source_id FROM source)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!all.contains("Anna") && !all.contains("Svensson"), "{all}");
    assert!(all.contains("Intervju (2)"), "{all}");
    assert_eq!(stored(&dir.path().join("db.sqlite"))[0].3, "idésluss");
}
