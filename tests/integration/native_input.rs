//! Hand-made native projects: codings given by their quote instead of offsets, Swedish column names and columns
//! crosscase does not read, line numbers for LF, CRLF and CR files, every problem of every file in one run, and
//! folders that try to reach outside themselves (symbolic links, FIFOs, huge offsets, deep or cyclic codebooks,
//! names made to flood or recolour the terminal). Each folder is written here.

use std::path::Path;

use crate::support::crosscase;

const TEXT_I1: &str = "Idéerna lämnas i idéslussen. Idéerna bedöms varannan vecka.";

/// Writes a small valid project into `dir` with these codings (the whole `codings.csv`, header included).
fn project(dir: &Path, codings: &str) {
    std::fs::create_dir_all(dir.join("texts")).unwrap();
    let files = [
        ("project.toml", "name = \"Handgjort\"\n"),
        ("municipalities.csv", "kommunkod,name\n0583,Motala\n"),
        (
            "codebook.csv",
            "code_id,parent_id,label_sv\nidesluss,,Idésluss\nbedomning,,Bedömning\n",
        ),
        (
            "sources.csv",
            "source_id,kind,kommunkod\nI1,interview,0583\nI2,interview,0583\n",
        ),
        ("texts/I1.txt", TEXT_I1),
        ("codings.csv", codings),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn offsets(db: &Path) -> Vec<(String, i64, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT k.code_id, c.start, c.end FROM coding c JOIN code k ON k.id = c.code_id ORDER BY c.start, k.code_id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_hand_made_folder_code_is_not_codable_on_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    project(&p, "source_id,code_id,coder,quote\nI1,idesluss,AL,idéslussen\n");
    std::fs::write(
        p.join("codebook.csv"),
        "kod,förälder,etikett,kodbar\nmapp,,Mapp,nej\nidesluss,mapp,Idésluss,\nbedomning,,Bedömning,ja\n",
    )
    .unwrap();
    std::fs::write(p.join("sources.csv"), "source_id,kind,kommunkod\nI1,interview,0583\n").unwrap();
    let run = crosscase(dir.path(), &["ingest", "p", "--db", "db.sqlite"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = crosscase(dir.path(), &["export", "--db", "db.sqlite", "--qdpx", "out.qdpx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(dir.path().join("out.qdpx")).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("project.qde").unwrap(), &mut xml).unwrap();
    assert!(xml.contains("name=\"Mapp\" isCodable=\"false\""), "{xml}");
    assert!(xml.contains("name=\"Idésluss\" isCodable=\"true\""), "{xml}");
    std::fs::write(
        p.join("codebook.csv"),
        "code_id,parent_id,label_sv,codable\nidesluss,,Idésluss,kanske\n",
    )
    .unwrap();
    let run = crosscase(dir.path(), &["validate", "p"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("p/codebook.csv:2:4 (codable): `kanske` is not yes or no"),
        "{}",
        run.stderr
    );
}

#[test]
fn codings_by_quote_need_no_offset_columns_either() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    project(&p, "source_id,code_id,coder,quote\nI1,idesluss,AL,idéslussen\n");
    let run = crosscase(dir.path(), &["ingest", "p", "--db", "db.sqlite"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        offsets(&dir.path().join("db.sqlite")),
        vec![("idesluss".to_string(), 17, 27)]
    );
}

#[test]
fn codings_by_quote_need_no_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    project(
        &p,
        "källa;kod;kodare;start;end;citat;förekomst;Kommentar;Intervjuare\n\
         I1;idesluss;AL;;;idéslussen;;bra;KL\n\
         I1;bedomning;AL;;;Idéerna;2;;KL\n\
         I1;bedomning;AL;8;14;lämnas;;;KL\n",
    );
    let run = crosscase(dir.path(), &["ingest", "p", "--db", "db.sqlite"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The extra column is not refused, only pointed out.
    assert!(
        run.stderr
            .contains("warning: p/codings.csv:1:9: column `intervjuare` is not read"),
        "{}",
        run.stderr
    );
    assert_eq!(
        offsets(&dir.path().join("db.sqlite")),
        vec![
            ("bedomning".to_string(), 8, 14),
            ("idesluss".to_string(), 17, 27),
            ("bedomning".to_string(), 29, 36),
        ]
    );
}

/// (codings.csv, what the message must say) for codings whose quote cannot be placed.
#[test]
fn quotes_that_cannot_be_placed_say_why() {
    let cases = [
        (
            "source_id,code_id,coder,start,end,quote\nI1,bedomning,AL,,,Idéerna\n",
            "codings.csv:2:6 (quote): the quote occurs 2 times in the text of source `I1`: at 0..7, 29..36",
        ),
        (
            "source_id,code_id,coder,start,end,quote,occurrence\nI1,bedomning,AL,,,Idéerna,3\n",
            "occurrence 3 of the quote is asked for, but it occurs 2 times",
        ),
        (
            "source_id,code_id,coder,start,end,quote\nI1,idesluss,AL,,,ide\u{301}slussen\n",
            "same Unicode normalisation (NFC), at 17..27",
        ),
        (
            "source_id,code_id,coder,start,end,quote\nI1,idesluss,AL,,,idéslussar\n",
            "the quote does not occur in the text of source `I1`",
        ),
        (
            "source_id,code_id,coder,start,end,quote\nI1,idesluss,AL,0,10,idéslussen\n",
            "the quote occurs at 17..27",
        ),
        (
            "source_id,code_id,coder,start,end,quote\nI1,idesluss,AL,17,27,ide\u{301}slussen\n",
            "they differ only in Unicode normalisation",
        ),
        (
            "source_id,code_id,coder,start,end,quote\nI2,idesluss,AL,,,idéslussen\n",
            "source `I2` has no text, so the quote cannot be found in it",
        ),
        (
            "source_id,code_id,coder,start,end,quote\nI1,IDESLUSS,AL,17,27,\n",
            "did you mean `idesluss`?",
        ),
        (
            "source_id,code_id,coder,start,end,quote\nI2,idesluss,AL,9223372036854775807,9223372036854775808,\n",
            "`9223372036854775807` is larger than any text",
        ),
    ];
    for (i, (codings, expected)) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p");
        project(&p, codings);
        let run = crosscase(dir.path(), &["ingest", "p", "--db", "db.sqlite"]);
        assert_eq!(run.code, 1, "case {i}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "case {i}: {}", run.stderr);
        assert!(!dir.path().join("db.sqlite").exists(), "case {i}");
    }
}

/// The same mistake on line 5 of codings.csv, saved with each kind of line break.
#[test]
fn line_numbers_are_right_for_lf_crlf_and_cr() {
    for (name, eol) in [("LF", "\n"), ("CRLF", "\r\n"), ("CR", "\r")] {
        let rows = [
            "source_id,code_id,coder,start,end",
            "I1,idesluss,AL,17,27",
            "I1,bedomning,AL,0,7",
            "I1,bedomning,AL,29,36",
            "I1,bedomning,AL,x,36",
        ];
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p");
        project(&p, &(rows.join(eol) + eol));
        let sources = [
            "source_id,kind,kommunkod",
            "I1,interview,0583",
            "I2,interview,0583",
            "I3,intervju,9999",
        ];
        std::fs::write(p.join("sources.csv"), sources.join(eol) + eol).unwrap();
        let run = crosscase(dir.path(), &["validate", "p"]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("p/codings.csv:5:4 (start): `x` is not an offset"),
            "{name}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("p/sources.csv:4:3 (kommunkod)"),
            "{name}: {}",
            run.stderr
        );
    }
}

#[test]
fn every_problem_of_every_file_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    project(
        &p,
        "source_id,code_id,coder,start,end\nI1,idesluss,AL,x,27\nI1,okänd,AL,0,7\n",
    );
    // municipalities.csv lacks its required column; the other files are still checked, row by row.
    std::fs::write(p.join("municipalities.csv"), "kommun_namn\nMotala\n").unwrap();
    let run = crosscase(dir.path(), &["validate", "p"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for part in [
        "p/municipalities.csv:1: the required column `kommunkod` is missing",
        "p/codings.csv:2:4 (start): `x` is not an offset",
        "p/codings.csv:3:2 (code_id): code `okänd` is not in codebook.csv",
    ] {
        assert!(run.stderr.contains(part), "{part}: {}", run.stderr);
    }
    // Nothing that only follows from the broken file.
    assert!(!run.stderr.contains("is not in municipalities.csv"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn folders_cannot_reach_outside_or_hang() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwd"), "root:x:0:0:root:/root:/bin/bash\n").unwrap();
    let mkfifo = |path: &Path| {
        assert!(
            std::process::Command::new("mkfifo")
                .arg(path)
                .status()
                .unwrap()
                .success()
        );
    };
    type Setup = fn(&Path, &Path, &dyn Fn(&Path));
    let cases: [(&str, Setup, &str); 6] = [
        (
            "a text linked outside",
            |p, out, _| {
                std::fs::remove_file(p.join("texts/I1.txt")).unwrap();
                std::os::unix::fs::symlink(out.join("passwd"), p.join("texts/I1.txt")).unwrap();
            },
            "it leads outside the folder",
        ),
        (
            "texts/ linked outside",
            |p, out, _| {
                std::fs::remove_dir_all(p.join("texts")).unwrap();
                std::fs::create_dir(out.join("texts")).unwrap();
                std::fs::write(out.join("texts/I1.txt"), TEXT_I1).unwrap();
                std::os::unix::fs::symlink(out.join("texts"), p.join("texts")).unwrap();
            },
            "it leads outside the folder",
        ),
        (
            "a dangling link",
            |p, _, _| {
                std::fs::remove_file(p.join("texts/I1.txt")).unwrap();
                std::os::unix::fs::symlink(p.join("texts/gone.txt"), p.join("texts/I1.txt")).unwrap();
            },
            "it is a symbolic link to a file that does not exist",
        ),
        (
            "a FIFO as a text",
            |p, _, fifo| {
                std::fs::remove_file(p.join("texts/I1.txt")).unwrap();
                fifo(&p.join("texts/I1.txt"));
            },
            "it is a named pipe (FIFO), not a regular file",
        ),
        (
            "a FIFO as codings.csv",
            |p, _, fifo| {
                std::fs::remove_file(p.join("codings.csv")).unwrap();
                fifo(&p.join("codings.csv"));
            },
            "p/codings.csv: the file is not read: it is a named pipe (FIFO)",
        ),
        (
            "a link that stays inside",
            |p, _, _| {
                std::fs::write(
                    p.join("sources.csv"),
                    "source_id,kind,kommunkod,text_file\nI1,interview,0583,texts/../texts/I1.txt\n",
                )
                .unwrap();
            },
            "",
        ),
    ];
    for (what, setup, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p");
        project(&p, "source_id,code_id,coder,start,end\nI1,idesluss,AL,17,27\n");
        let out = outside.path().join(what.replace([' ', '/'], "-"));
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("passwd"), "root:x:0:0:root:/root:/bin/bash\n").unwrap();
        setup(&p, &out, &mkfifo);
        let run = crosscase(dir.path(), &["ingest", "p", "--db", "db.sqlite"]);
        if expected.is_empty() {
            assert_eq!(run.code, 0, "{what}: {}", run.stderr);
            continue;
        }
        assert_eq!(run.code, 1, "{what}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{what}: {}", run.stderr);
        assert!(!dir.path().join("db.sqlite").exists(), "{what}");
    }
}

#[test]
fn deep_and_cyclic_codebooks_and_hostile_names_give_one_short_message() {
    let n = 16_000;
    let chain: String = (0..n)
        .map(|i| {
            format!(
                "c{i},{},Kod {i}\n",
                if i == 0 { String::new() } else { format!("c{}", i - 1) }
            )
        })
        .collect();
    let cycle: String = (0..n).map(|i| format!("c{i},c{},Kod {i}\n", (i + 1) % n)).collect();
    let long = "x".repeat(1 << 20);
    let cases = [
        (
            format!("code_id,parent_id,label_sv\n{chain}"),
            "code `c100` is on level 101 of the codebook; crosscase takes at most 100 levels",
        ),
        (
            format!("code_id,parent_id,label_sv\n{cycle}"),
            "form a cycle: each is the parent of the one before (16000 codes)",
        ),
        (
            format!("code_id,parent_id,label_sv\nidesluss,{long},Idésluss\n"),
            "… (1048576 characters)`",
        ),
        (
            "code_id,parent_id,label_sv\nidesluss,\u{1b}[31mröd,Idésluss\n".to_string(),
            "parent `\\u{1b}[31mröd`",
        ),
    ];
    for (i, (codebook, expected)) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p");
        project(&p, "source_id,code_id,coder,start,end\n");
        std::fs::write(p.join("codebook.csv"), codebook).unwrap();
        let run = crosscase(dir.path(), &["validate", "p"]);
        assert_eq!(run.code, 1, "case {i}: {}", &run.stderr[..run.stderr.len().min(2000)]);
        assert!(
            run.stderr.contains(expected),
            "case {i}: {}",
            &run.stderr[..run.stderr.len().min(2000)]
        );
        assert!(run.stderr.len() < 2_000, "case {i}: {} bytes", run.stderr.len());
        assert!(!run.stderr.contains('\u{1b}'), "case {i}");
    }
}
