//! The personal-data corpus (`tests/privacy-corpus/`): every form must be masked in every file of every pack in both
//! languages, gone from a pseudonymised database, and found by the audit in every file kind it reads; no near miss
//! may be flagged anywhere.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use crate::support::{copy_demo, crosscase, repo};

/// A planted item: its id, kind, text, and where it is planted (`segment`, `label`, `item`, `unit`).
#[derive(Clone, Debug)]
struct Planted {
    id: String,
    kind: String,
    text: String,
    places: Vec<String>,
}

/// `\n` and `\uXXXX` in the corpus files stand for a line break and a code point (NFD forms stay visible there).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        if let Some(t) = tail.strip_prefix('n') {
            out.push('\n');
            rest = t;
        } else if let Some(t) = tail.strip_prefix('u') {
            let c = u32::from_str_radix(&t[..4], 16).unwrap();
            out.push(char::from_u32(c).unwrap());
            rest = &t[4..];
        } else {
            out.push('\\');
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

fn corpus(file: &str) -> Vec<Planted> {
    let path = repo().join("tests/privacy-corpus").join(file);
    let mut reader = csv::Reader::from_path(&path).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Planted {
                id: r[0].to_string(),
                kind: r[1].to_string(),
                text: unescape(&r[2]),
                places: r[3].split(';').map(str::to_string).collect(),
            }
        })
        .collect()
}

fn forms() -> Vec<Planted> {
    corpus("forms.csv")
}

/// Near misses are planted in segments, and (single-line ones) in labels, item texts and unit names.
fn near_misses() -> Vec<Planted> {
    corpus("near-misses.csv")
        .into_iter()
        .map(|mut n| {
            n.places = vec!["segment".into(), "label".into(), "item".into(), "unit".into()];
            n
        })
        .collect()
}

fn roster_path() -> PathBuf {
    repo().join("tests/privacy-corpus/roster.csv")
}

/// NFC, lower case, white space runs as one space, dashes as `-`, character references decoded: the form a reader
/// sees, so that a form counts as present however the file spells it.
fn normal(s: &str) -> String {
    let s = s
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#64;", "@")
        .replace("&nbsp;", " ");
    let s: String = s.nfc().flat_map(char::to_lowercase).collect();
    let s: String = s
        .chars()
        .map(|c| {
            if matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}') {
                '-'
            } else {
                c
            }
        })
        .collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `needle` (normalised) stands in `hay` (normalised) as a whole, not inside a longer word or number.
fn holds(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, m)| {
        let before = hay[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = hay[i + m.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}

#[test]
fn the_screen_finds_every_form_whole_and_no_near_miss() {
    let roster = crosscase_ingest::read_roster(&roster_path()).unwrap();
    let screen = crosscase_model::Screen::new(roster);
    let forms = forms();
    let near = near_misses();
    assert_eq!((forms.len(), near.len()), (52, 52));
    let mut wrong = Vec::new();
    for f in &forms {
        let text = format!("Hon sa: {} i går.", f.text);
        let found = screen.find(&text);
        let whole = found.len() == 1 && text[found[0].start..found[0].end] == f.text;
        let kind = found.first().map(|x| x.kind.as_str()).unwrap_or("");
        let kind_ok = match f.kind.as_str() {
            "identity" => kind == "personal identity number",
            "email" => kind == "e-mail address",
            // A phone number that is also a valid identity number is masked either way.
            "phone" => kind == "phone number" || kind == "personal identity number",
            _ => kind == "name from the roster",
        };
        if !(whole && kind_ok) {
            wrong.push(format!("{} {:?}: {found:?}", f.id, f.text));
        }
    }
    for n in &near {
        let text = format!("Hon sa: {} i går.", n.text);
        let found = screen.find(&text);
        if !found.is_empty() {
            wrong.push(format!("near miss {} {:?} flagged: {found:?}", n.id, n.text));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Plants every form and near miss into a copy of the demo project: in coded segments (the codings moved and their
/// quotes rewritten), in both languages of code labels and survey item texts, in unit names and in memos.
/// Returns the near misses planted in labels and item texts, which every pack shows (their labels in full).
fn plant(project: &Path, forms: &[Planted], near: &[Planted]) -> Vec<String> {
    let single = |p: &&Planted| !p.text.contains('\n');
    let at = |place: &str, list: &[Planted]| -> Vec<String> {
        list.iter()
            .filter(|p| p.places.iter().any(|x| x == place))
            .filter(single)
            .map(|p| p.text.clone())
            .collect()
    };
    // Labels: two forms per code for the first codes, then two near misses, in label_sv and label_en alike.
    // Near misses fill the slots that forms leave, each near miss in one kind of place.
    let mut near_left = at("label", near).into_iter();
    let mut shown = Vec::new();
    let mut fill = |items: &mut Vec<String>, slots: usize, shown_everywhere: bool| {
        while items.len() < slots {
            let Some(n) = near_left.next() else { break };
            if shown_everywhere {
                shown.push(n.clone());
            }
            items.push(n);
        }
    };
    let codes = std::fs::read_to_string(project.join("codebook.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    let mut label_items = at("label", forms);
    fill(&mut label_items, 2 * codes, true);
    let mut item_items = at("item", forms);
    fill(&mut item_items, 34, true);
    let mut unit_items = at("unit", forms);
    fill(&mut unit_items, 15, false);
    rewrite_csv(&project.join("codebook.csv"), |header, row, i| {
        let mut extra = Vec::new();
        for k in [2 * i, 2 * i + 1] {
            if let Some(t) = label_items.get(k) {
                extra.push(t.clone());
            }
        }
        if !extra.is_empty() {
            for col in ["label_sv", "label_en"] {
                let c = header.iter().position(|h| h == col).unwrap();
                row[c] = format!("{} – {}", row[c], extra.join("; "));
            }
        }
    });
    rewrite_csv(&project.join("units.csv"), |header, row, i| {
        if let Some(t) = unit_items.get(i) {
            let c = header.iter().position(|h| h == "name").unwrap();
            row[c] = format!("{} ({t})", row[c]);
        }
    });
    // Item texts in both languages, two per item.
    let mut item = 0;
    for file in ["chefsenkat.toml", "utbildning.toml"] {
        let path = project.join("surveys").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            if line.starts_with("text_sv = \"") || line.starts_with("text_en = \"") {
                let k = if line.starts_with("text_sv") { item } else { item - 1 };
                let extra: Vec<&String> = [2 * k, 2 * k + 1].iter().filter_map(|&j| item_items.get(j)).collect();
                let extra = extra.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ");
                let body = line.trim_end().strip_suffix('"').unwrap();
                if extra.is_empty() {
                    out.push_str(line);
                } else {
                    out.push_str(&format!(
                        "{body} – {}\"",
                        extra.replace('\\', "\\\\").replace('"', "\\\"")
                    ));
                }
                if line.starts_with("text_sv") {
                    item += 1;
                }
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        std::fs::write(&path, out).unwrap();
    }
    assert_eq!(item, 17, "the demo's instruments have {item} items");
    plant_in_segments(project, forms, near);
    shown
}

/// Rewrites a CSV file row by row (`i` counts data rows from 0).
fn rewrite_csv(path: &Path, mut edit: impl FnMut(&[String], &mut Vec<String>, usize)) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&header).unwrap();
    for (i, mut row) in rows.into_iter().enumerate() {
        edit(&header, &mut row, i);
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
}

/// Inserts forms and near misses, in turn, inside coded segments (at a space well inside each segment), moves every
/// coding of the source with its text, rewrites the quotes, and puts a form in some memos.
fn plant_in_segments(project: &Path, forms: &[Planted], near: &[Planted]) {
    let mut items: Vec<&str> = Vec::new();
    for k in 0..forms.len().max(near.len()) {
        items.extend(forms.get(k).map(|f| f.text.as_str()));
        items.extend(near.get(k).map(|n| n.text.as_str()));
    }
    let mut sources = csv::Reader::from_path(project.join("sources.csv")).unwrap();
    let file_col = sources
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "text_file")
        .unwrap();
    let text_files: std::collections::HashMap<String, String> = sources
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[file_col].to_string())
        })
        .collect();
    let path = project.join("codings.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let (start_col, end_col, quote_col, memo_col) = (3, 4, 5, 6);
    assert_eq!(header[start_col], "start");
    assert_eq!(header[memo_col], "memo");
    let mut next = 0;
    let source_ids: BTreeSet<String> = rows.iter().map(|r| r[0].clone()).collect();
    for source in source_ids {
        let file = project.join(&text_files[&source]);
        let old: Vec<char> = std::fs::read_to_string(&file).unwrap().chars().collect();
        // Insertion points: the first space at least five characters into each segment and five before its end.
        let mut points: BTreeSet<usize> = BTreeSet::new();
        for r in rows.iter().filter(|r| r[0] == source) {
            let (s, e): (usize, usize) = (r[start_col].parse().unwrap(), r[end_col].parse().unwrap());
            if let Some(p) = (s + 5..e.saturating_sub(5)).find(|&p| old[p] == ' ') {
                points.insert(p);
            }
        }
        let mut inserted: Vec<(usize, usize)> = Vec::new();
        let mut new = String::new();
        for (i, c) in old.iter().enumerate() {
            if points.contains(&i) {
                let item = format!(" {}", items[next % items.len()]);
                next += 1;
                inserted.push((i, item.chars().count()));
                new.push_str(&item);
            }
            new.push(*c);
        }
        let shift = |x: usize, inclusive: bool| -> usize {
            x + inserted
                .iter()
                .filter(|&&(p, _)| if inclusive { p <= x } else { p < x })
                .map(|&(_, n)| n)
                .sum::<usize>()
        };
        let chars: Vec<char> = new.chars().collect();
        for r in rows.iter_mut().filter(|r| r[0] == source) {
            let (s, e): (usize, usize) = (r[start_col].parse().unwrap(), r[end_col].parse().unwrap());
            let (s, e) = (shift(s, true), shift(e, false));
            r[start_col] = s.to_string();
            r[end_col] = e.to_string();
            r[quote_col] = chars[s..e].iter().collect();
        }
        std::fs::write(&file, new).unwrap();
    }
    for (k, r) in rows
        .iter_mut()
        .filter(|r| r[memo_col].is_empty())
        .take(forms.len())
        .enumerate()
    {
        r[memo_col] = format!("Notering: {}", forms[k].text);
    }
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&header).unwrap();
    for r in rows {
        w.write_record(&r).unwrap();
    }
    w.flush().unwrap();
}

/// The text of every file under `dir` as a reader of it would see it: XLSX sheets and strings unzipped, markup
/// left in (names of attributes do no harm), PNG files' text chunks.
fn readable_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let text = if bytes.starts_with(b"PK") {
                let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
                let mut all = String::new();
                for i in 0..zip.len() {
                    let mut entry = zip.by_index(i).unwrap();
                    let mut s = String::new();
                    std::io::Read::read_to_string(&mut entry, &mut s).unwrap();
                    all.push_str(&s);
                    all.push('\n');
                }
                all
            } else {
                String::from_utf8_lossy(&bytes).into_owned()
            };
            out.push((p, normal(&text)));
        }
    }
    out.sort();
    out
}

fn run_ok(cwd: &Path, args: &[&str]) -> crate::support::Run {
    let run = crosscase(cwd, args);
    assert_eq!(run.code, 0, "crosscase {args:?}\n{}", run.stderr);
    run
}

#[test]
fn packs_pseudonymised_databases_and_the_audit_hold_against_the_corpus() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let forms = forms();
    let near = near_misses();
    let project = dir.join("project");
    copy_demo(&project);
    let near_in_labels = plant(&project, &forms, &near);
    let roster = roster_path();
    let roster = roster.to_str().unwrap();
    run_ok(dir, &["ingest", "project", "--db", "plain.sqlite"]);
    let run = run_ok(
        dir,
        &[
            "ingest",
            "project",
            "--db",
            "pseudo.sqlite",
            "--pseudonymise",
            roster,
            "--key",
            "k.key",
        ],
    );
    assert!(run.stderr.contains("Pseudonymised"), "{}", run.stderr);

    // Packs in both languages, with `--out` as a relative path with a trailing slash and as `.`.
    run_ok(
        dir,
        &[
            "feedback",
            "--db",
            "plain.sqlite",
            "--out",
            "fb-sv/",
            "--lang",
            "sv",
            "--roster",
            roster,
        ],
    );
    std::fs::create_dir(dir.join("en")).unwrap();
    run_ok(
        &dir.join("en"),
        &[
            "feedback",
            "--db",
            "../plain.sqlite",
            "--out",
            ".",
            "--lang",
            "en",
            "--roster",
            roster,
        ],
    );
    let mut leaks = Vec::new();
    let mut masks = 0;
    let mut near_seen = BTreeSet::new();
    for (lang, packs) in [("sv", dir.join("fb-sv")), ("en", dir.join("en"))] {
        let files = readable_files(&packs);
        assert!(files.len() > 20, "{lang}: {} files", files.len());
        for (path, text) in &files {
            for f in &forms {
                if holds(text, &normal(&f.text)) {
                    leaks.push(format!("{} {:?} in {}", f.id, f.text, path.display()));
                }
            }
            for n in &near {
                if holds(text, &normal(&n.text)) {
                    near_seen.insert(n.id.clone());
                }
            }
            let mask_words: &[&str] = if lang == "sv" {
                &["[namn]", "[telefon]", "[personnummer]", "[e-post]"]
            } else {
                &["[name]", "[phone]", "[identity number]", "[e-mail]"]
            };
            masks += mask_words.iter().map(|m| text.matches(m).count()).sum::<usize>();
            assert!(!path.to_string_lossy().contains("privacy-report"), "{}", path.display());
        }
    }
    assert!(leaks.is_empty(), "{} unmasked:\n{}", leaks.len(), leaks.join("\n"));
    // The forms reached the packs (and were masked there); the near misses stand unmasked.
    assert!(masks > 100, "{masks} masks in the packs");
    let unseen: Vec<&String> = near_in_labels
        .iter()
        .filter(|t| !near.iter().any(|n| &n.text == *t && near_seen.contains(&n.id)))
        .collect();
    // Long item texts are wrapped over several lines of a chart, which can part a near miss's words, and the pack
    // model shows a sub-code's or an item's text only where its figure may be shown; that each near miss passes the
    // screen unmasked is checked one by one in the test above. Here: at least three in four are seen in the packs.
    assert!(
        unseen.len() * 4 <= near_in_labels.len(),
        "near misses in labels and item texts not shown unmasked: {unseen:?} of {}",
        near_in_labels.len()
    );
    // The privacy reports lie beside the output folders, never in them, and are masked.
    for report in [
        dir.join("fb-sv.privacy-report.csv"),
        tmp.path().join("en.privacy-report.csv"),
    ] {
        if report.exists() {
            let text = normal(&std::fs::read_to_string(&report).unwrap());
            for f in &forms {
                assert!(!holds(&text, &normal(&f.text)), "{} in {}", f.id, report.display());
            }
        }
    }

    // The pseudonymised database holds none of the forms, and its codings still lie on their words.
    let conn = rusqlite::Connection::open(dir.join("pseudo.sqlite")).unwrap();
    let mut stored = String::new();
    for sql in [
        "SELECT text FROM source WHERE text IS NOT NULL",
        "SELECT coalesce(title, '') || ' ' || coalesce(setting, '') FROM source",
        "SELECT quote FROM coding_quote",
        "SELECT coalesce(memo, '') FROM coding",
        "SELECT label_sv || ' ' || label_en || ' ' || coalesce(description, '') FROM code",
        "SELECT name FROM unit",
        "SELECT text_sv || ' ' || text_en FROM survey_item",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        for r in rows {
            stored.push_str(&r.unwrap());
            stored.push('\n');
        }
    }
    let stored = normal(&stored);
    let left: Vec<&str> = forms
        .iter()
        .filter(|f| holds(&stored, &normal(&f.text)))
        .map(|f| f.id.as_str())
        .collect();
    assert!(left.is_empty(), "left in the pseudonymised database: {left:?}");
    let quotes = |db: &str| -> Vec<String> {
        let conn = rusqlite::Connection::open(dir.join(db)).unwrap();
        let mut stmt = conn
            .prepare("SELECT q.quote FROM coding c JOIN coding_quote q ON q.coding_id = c.id ORDER BY c.id")
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let (plain, pseudo) = (quotes("plain.sqlite"), quotes("pseudo.sqlite"));
    assert_eq!(plain.len(), pseudo.len());
    for (a, b) in plain.iter().zip(&pseudo) {
        let ends = |s: &str| (s.chars().next(), s.chars().last());
        assert_eq!(ends(a), ends(b), "a coding moved off its words:\n{a:?}\n{b:?}");
    }

    // The audit: the packs and the pseudonymised database are clean (so no near miss in them is flagged), ...
    let run = crosscase(
        dir,
        &["audit", "--db", "pseudo.sqlite", "fb-sv", "en", "--roster", roster],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // ... the plain database is not, ...
    let run = crosscase(dir, &["audit", "--db", "plain.sqlite", "--roster", roster]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_masked(&run.stdout, &forms);
    // ... and every form is found in every file kind the audit reads, and no near miss.
    for (what, list, expected_code) in [("forms", &forms, 1), ("near", &near, 0)] {
        let folder = dir.join(format!("audit-{what}"));
        write_every_kind(&folder, list);
        let run = crosscase(
            dir,
            &[
                "audit",
                "--db",
                "pseudo.sqlite",
                folder.to_str().unwrap(),
                "--roster",
                roster,
            ],
        );
        assert_eq!(run.code, expected_code, "{what}:\n{}\n{}", run.stdout, run.stderr);
        if what == "near" {
            assert_eq!(run.stdout, "", "near misses flagged");
            continue;
        }
        assert_masked(&run.stdout, &forms);
        for file in [
            "forms.txt",
            "forms.html",
            "forms.svg",
            "forms.csv",
            "forms.json",
            "forms.xlsx!xl/sharedStrings.xml",
        ] {
            let lines: BTreeSet<usize> = run
                .stdout
                .lines()
                .filter_map(|l| l.split_once(&format!("{file}:"))?.1.split(':').next()?.parse().ok())
                .collect();
            let missing: Vec<&str> = (1..=list.len())
                .filter(|k| !lines.contains(&(k + usize::from(file.ends_with(".csv") || file.ends_with(".xml")))))
                .map(|k| list[k - 1].id.as_str())
                .collect();
            assert!(missing.is_empty(), "{file}: not found {missing:?}\n{}", run.stdout);
        }
        let png: BTreeSet<&str> = list
            .iter()
            .map(|f| f.id.as_str())
            .filter(|id| {
                let p = list.iter().find(|p| p.id == *id).unwrap();
                let text_chunk = latin1(p).is_none() || run.stdout.contains(&format!("forms.png (tEXt {id})"));
                !text_chunk || !run.stdout.contains(&format!("forms.png (iTXt {id})"))
            })
            .collect();
        assert!(png.is_empty(), "PNG text chunks: not found {png:?}");
    }
}

/// The audit's output repeats no form, and no digit outside the place it names.
fn assert_masked(stdout: &str, forms: &[Planted]) {
    for line in stdout.lines() {
        let context = line.find('…').map_or(line, |i| &line[i..]);
        assert!(
            !context.chars().any(|c| c.is_ascii_digit()),
            "a digit in the audit's context: {line}"
        );
        let n = normal(context);
        for f in forms {
            assert!(!holds(&n, &normal(&f.text)), "{} repeated by the audit: {line}", f.id);
        }
    }
}

/// One file of each kind crosscase writes, with item `k` on line `k` (after a header line in CSV and XML), and a
/// PNG with a tEXt and an iTXt chunk per item.
/// An item in Latin-1 (composed first), if Latin-1 can hold it.
fn latin1(p: &Planted) -> Option<Vec<u8>> {
    let sentence = format!("Hon sa: {} i går.", p.text.replace('\n', "  "));
    sentence.nfc().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

fn write_every_kind(folder: &Path, list: &[Planted]) {
    std::fs::create_dir_all(folder).unwrap();
    // Line breaks inside an item would move the lines after it: they are written as two spaces there.
    let one_line = |p: &Planted| p.text.replace('\n', "  ");
    let sentence = |p: &Planted| format!("Hon sa: {} i går.", one_line(p));
    let lines: Vec<String> = list.iter().map(sentence).collect();
    std::fs::write(folder.join("forms.txt"), lines.join("\n") + "\n").unwrap();
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('@', "&#64;");
    let html: Vec<String> = lines
        .iter()
        .map(|l| format!("<p title=\"x\">{}</p>", escape(l)))
        .collect();
    std::fs::write(folder.join("forms.html"), html.join("\n") + "\n").unwrap();
    let svg: Vec<String> = lines
        .iter()
        .map(|l| format!("<text x=\"0\" y=\"0\">{}</text>", escape(l)))
        .collect();
    std::fs::write(folder.join("forms.svg"), svg.join("\n") + "\n").unwrap();
    let csv: Vec<String> = list.iter().map(|p| format!("{},\"{}\"", p.id, one_line(p))).collect();
    std::fs::write(folder.join("forms.csv"), format!("id,text\n{}\n", csv.join("\n"))).unwrap();
    // JSON strings, with the line break escaped as JSON does: each item is one string, and one line of the audit.
    let json: Vec<String> = list
        .iter()
        .map(|p| serde_json::to_string(&sentence(p)).unwrap())
        .collect();
    std::fs::write(folder.join("forms.json"), format!("[{}]", json.join(","))).unwrap();
    // An XLSX workbook's shared strings (the zip and XML that rust_xlsxwriter writes).
    let strings: Vec<String> = lines.iter().map(|l| format!("<si><t>{}</t></si>", escape(l))).collect();
    let xml = format!(
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\n{}\n</sst>",
        strings.join("\n")
    );
    let file = std::fs::File::create(folder.join("forms.xlsx")).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    zip.start_file("xl/sharedStrings.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut zip, xml.as_bytes()).unwrap();
    zip.finish().unwrap();
    // A PNG's text chunks (the CRC is not checked by readers of text).
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        png.extend(kind);
        png.extend(data);
        png.extend([0, 0, 0, 0]);
    };
    for p in list {
        // tEXt is Latin-1: items that Latin-1 cannot hold (an en dash) go in iTXt only.
        if let Some(bytes) = latin1(p) {
            let mut data = format!("{}\0", p.id).into_bytes();
            data.extend(bytes);
            chunk(b"tEXt", &data);
        }
        let mut data = format!("{}\0\0\0sv\0\0", p.id).into_bytes();
        data.extend(sentence(p).as_bytes());
        chunk(b"iTXt", &data);
    }
    chunk(b"IEND", b"");
    std::fs::write(folder.join("forms.png"), png).unwrap();
}
