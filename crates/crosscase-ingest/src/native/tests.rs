//! Reading small native projects, each checked against the exact problems expected.

use super::*;
use crosscase_model::{CodingBatch, SourceText, SourceTexts};

const TOML: &str = "name = \"t\"\n";
const MUNICIPALITIES: &str = "kommunkod,name\n0583,Motala\n0687,Tranås\n";
const WAVES: &str = "wave_id,name,start,end\nv1,Våg 1,2018-01-01,2018-12-31\n";
const CODEBOOK: &str = "code_id,parent_id,label_sv,label_en\nkultur,,Kultur,Culture\nkultur.risk,kultur,Risk,Risk\n";
const PARTICIPANTS: &str = "participant_id,kommunkod,unit_id,role\nP1,0583,,mellanchef\nP2,0687,,employee\n";
const SOURCES: &str = "source_id,kind,kommunkod,date,wave_id,participants\nS1,interview,0583,2018-03-01,v1,P1\nS2,intervju,0687,2018-04-01,v1,P2\n";
const CODINGS: &str = "source_id,code_id,coder,start,end,quote\nS1,kultur.risk,AL,0,6,Tranås\n";

/// The files of the default project.
const DEFAULT_FILES: [(&str, &str); 8] = [
    ("project.toml", TOML),
    ("municipalities.csv", MUNICIPALITIES),
    ("waves.csv", WAVES),
    ("codebook.csv", CODEBOOK),
    ("participants.csv", PARTICIPANTS),
    ("sources.csv", SOURCES),
    ("codings.csv", CODINGS),
    ("texts/S1.txt", "Tranås är en kommun."),
];

/// Writes a project from the defaults above with `overrides` (file name, content; `None` deletes the file), reads
/// it, and compares the problems (with the folder written as `P`) to `expected`.
fn check(overrides: &[(&str, Option<&str>)], expected: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut files: Vec<(&str, Option<&str>)> = DEFAULT_FILES.iter().map(|&(n, c)| (n, Some(c))).collect();
    for (name, content) in overrides {
        match files.iter_mut().find(|(n, _)| n == name) {
            Some(f) => f.1 = *content,
            None => files.push((name, *content)),
        }
    }
    std::fs::create_dir_all(dir.join("texts")).unwrap();
    std::fs::create_dir_all(dir.join("surveys")).unwrap();
    for (name, content) in files {
        if let Some(c) = content {
            std::fs::write(dir.join(name), c).unwrap();
        }
    }
    let got: Vec<String> = match read_project(dir) {
        Ok(_) => vec![],
        Err(d) => {
            d.0.iter()
                .map(|d| d.to_string().replace(&dir.display().to_string(), "P"))
                .collect()
        }
    };
    let got: Vec<&str> = got.iter().map(String::as_str).collect();
    assert_eq!(got, expected);
}

#[test]
fn a_valid_project_reads() {
    check(&[], &[]);
}

#[test]
fn reads_semicolons_bom_and_swedish_values() {
    let sources = "\u{feff}source_id;kind;kommunkod;date;wave_id;participants\nS1;intervju;0583;2018-03-01;v1;P1\nS2;interview;0687;;v1;P2\n";
    check(&[("sources.csv", Some(sources))], &[]);
}

#[test]
fn quote_may_be_left_empty_and_is_filled_from_the_text() {
    let tmp = tempfile::tempdir().unwrap();
    let _ = tmp;
    check(
        &[(
            "codings.csv",
            Some("source_id,code_id,coder,start,end,quote\nS1,kultur,AL,7,9,\n"),
        )],
        &[],
    );
}

#[test]
fn reports_bad_references_and_offsets() {
    let codings = "source_id,code_id,coder,start,end,quote\n\
                   S1,kultur.risk,AL,0,6,Tranås\n\
                   S9,kultur,AL,0,6,Tranås\n\
                   S1,okänd,AL,0,6,Tranås\n\
                   S1,kultur,AL,6,2,\n\
                   S1,kultur,AL,0,60,\n\
                   S1,kultur,AL,0,6,Tranas\n\
                   S1,kultur,AL,x,6,\n";
    check(
        &[("codings.csv", Some(codings))],
        &[
            "P/codings.csv:3:1 (source_id): source `S9` is not in sources.csv\n  help: add `S9` to sources.csv, or correct the source id",
            "P/codings.csv:4:2 (code_id): code `okänd` is not in codebook.csv\n  help: add `okänd` to codebook.csv, or correct the code id",
            "P/codings.csv:5:5 (end): the selection ends (end = 2) before it starts (start = 6)\n  help: swap start and end, or correct them",
            "P/codings.csv:6:5 (end): the selection 0..60 lies outside the text of source `S1`, which has 20 characters\n  help: offsets count Unicode characters from 0; check them, or whether the text file was shortened after coding",
            "P/codings.csv:7:6 (quote): the quote differs from the text of source `S1` at 0..6: the quote reads \"Tranas\", the text reads \"Tranås\"; the quote occurs nowhere in the text\n  help: the text may have changed after coding: correct the offsets, or re-export the codings",
            "P/codings.csv:8:4 (start): `x` is not an offset\n  help: offsets are whole numbers of characters counted from 0 at the start of the text",
        ],
    );
}

#[test]
fn reports_municipality_problems_with_hints() {
    check(
        &[(
            "municipalities.csv",
            Some("kommunkod,name\n0583,Motala\n0687,Tranås\n583,Motala\n0580,Motala\n0583,Motala\n"),
        )],
        &[
            "P/municipalities.csv:4:1 (kommunkod): `583` is not a Swedish kommunkod\n  help: did you mean `0583` (Motala)? Spreadsheets drop the leading zero; format the column as text",
            "P/municipalities.csv:5:2 (name): kommunkod `0580` is Linköping, not `Motala`\n  help: check the kommunkod; if it is right, write the name as `Linköping`",
            "P/municipalities.csv:6:1 (kommunkod): `0583` is listed twice (first on line 2)\n  help: give every row its own id, or remove the repeated row",
        ],
    );
}

#[test]
fn free_site_ids_are_an_explicit_opt_in() {
    let m = "kommunkod,name\n0583,Motala\n0687,Tranås\nSITE-A,Sjukhuset\n";
    check(
        &[
            ("municipalities.csv", Some(m)),
            ("project.toml", Some("name = \"t\"\nfree_site_ids = true\n")),
        ],
        &[],
    );
    assert!(std::panic::catch_unwind(|| check(&[("municipalities.csv", Some(m))], &[])).is_err());
}

#[test]
fn reports_sources_outside_their_wave_and_foreign_participants() {
    let sources = "source_id,kind,kommunkod,date,wave_id,participants\nS1,interview,0583,2019-03-01,v1,P1|P2\nS2,memo,0687,2018-04-01,v2,P2\n";
    check(
        &[("sources.csv", Some(sources))],
        &[
            "P/sources.csv:2:4 (date): source `S1` is dated 2019-03-01, outside wave `v1` (2018-01-01 to 2018-12-31)\n  help: correct the date or the wave, or widen the wave in waves.csv",
            "P/sources.csv:2:6 (participants): participant `P2` belongs to municipality `0687`, but source `S1` is in `0583`\n  help: correct the participant list or the source's kommunkod",
            "P/sources.csv:3:2 (kind): `memo` is not a kind of source: use one of interview, observation, workshop, document\n  help: Swedish names work too: intervju, observation, workshop, dokument",
        ],
    );
}

#[test]
fn reports_whole_file_problems() {
    check(
        &[("codings.csv", None)],
        &[
            "P/codings.csv: the file is missing\n  help: every project has this file; `crosscase init` writes an empty one with its header",
        ],
    );
    check(
        &[("codebook.csv", Some(""))],
        &[
            "P/codebook.csv: the file is empty\n  help: write the header line `code_id,parent_id,label_sv,label_en,description,colour`, even when there are no rows",
        ],
    );
    check(
        &[(
            "waves.csv",
            Some("wave_id,name,start,edn\nv1,a,2018-01-01,2018-12-31\n"),
        )],
        &[
            "P/waves.csv:1:4: the required column `end` is missing\n  help: is column `edn` meant? Rename it `end`; the header must name at least: wave_id, start, end",
        ],
    );
    check(
        &[("project.toml", Some("name = \"t\"\nlanguge = \"sv\"\n"))],
        &[
            "P/project.toml:2:1: project.toml cannot be read: unknown field `languge`, expected one of `name`, `language`, `disclosure_threshold`, `free_site_ids`, `primary_coder`, `ideas`\n  help: the keys are name, language (sv or en), disclosure_threshold, free_site_ids, primary_coder and an [ideas] table; see docs/project-format.md",
        ],
    );
}

#[test]
fn reports_rows_of_the_wrong_width() {
    check(
        &[(
            "participants.csv",
            Some("participant_id,kommunkod,unit_id,role\nP1,0583,,mellanchef,extra\nP2,0687,,employee\n"),
        )],
        &[
            "P/participants.csv:2: this row has 5 fields but the header has 4\n  help: put a text containing the delimiter in double quotes, and check that no field is missing or extra",
            "P/sources.csv:2:6 (participants): participant `P1` is not in participants.csv\n  help: add `P1` to participants.csv, or correct the id",
        ],
    );
}

#[test]
fn refuses_text_paths_outside_the_project() {
    let sources = "source_id,kind,kommunkod,date,wave_id,participants,text_file\nS1,interview,0583,2018-03-01,v1,P1,../secret.txt\nS2,interview,0687,2018-04-01,v1,P2,\n";
    check(
        &[
            ("sources.csv", Some(sources)),
            ("codings.csv", Some("source_id,code_id,coder,start,end\n")),
        ],
        &[
            "P/sources.csv:2:7 (text_file): text_file `../secret.txt` points outside the project folder\n  help: give a path inside the project folder, such as texts/I001.txt",
        ],
    );
}

#[test]
fn write_then_read_gives_the_same_project() {
    let tmp = tempfile::tempdir().unwrap();
    check(&[], &[]);
    std::fs::create_dir_all(tmp.path().join("texts")).unwrap();
    for (name, content) in [
        ("project.toml", TOML),
        ("municipalities.csv", MUNICIPALITIES),
        ("waves.csv", WAVES),
        ("codebook.csv", CODEBOOK),
        ("participants.csv", PARTICIPANTS),
        ("sources.csv", SOURCES),
        ("codings.csv", CODINGS),
        ("texts/S1.txt", "Tranås är en kommun."),
    ] {
        std::fs::write(tmp.path().join(name), content).unwrap();
    }
    let first = read_project(tmp.path()).unwrap();
    let out = tmp.path().join("copy");
    write_project(&first.project, &out).unwrap();
    let second = read_project(&out).unwrap();
    let strip = |mut p: crosscase_model::Project| {
        // Line numbers differ where the writer adds columns; everything else must survive.
        p.municipalities.iter_mut().for_each(|x| x.line = 0);
        p.waves.iter_mut().for_each(|x| x.line = 0);
        p.codes.iter_mut().for_each(|x| x.line = 0);
        p.participants.iter_mut().for_each(|x| x.line = 0);
        p.sources.iter_mut().for_each(|x| x.line = 0);
        p.codings.iter_mut().for_each(|x| x.line = 0);
        p
    };
    assert_eq!(strip(first.project), strip(second.project));
}

const IDEAS: &str = "idea_id,kommunkod,unit_id,submitted,wave_id,codes,title\n\
                     I1,0583,,2018-02-01,,kultur,Nyckelfri hemtjänst\n\
                     I2,0687,,2017-05-01,,kultur|kultur.risk,\n";
const IDEA_EVENTS: &str =
    "idea_id,stage,date\nI1,assessed,2018-02-10\nI1,implemented,2018-03-01\nI2,rejected,2017-06-01\n";

#[test]
fn idea_records_read_with_their_wave_taken_from_the_date() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_default_project(dir);
    std::fs::write(dir.join("ideas.csv"), IDEAS).unwrap();
    std::fs::write(dir.join("idea_events.csv"), IDEA_EVENTS).unwrap();
    std::fs::write(dir.join("headcounts.csv"), "kommunkod;unit_id;employees\n0583;;3 600\n").unwrap();
    let p = read_project(dir).unwrap().project;
    assert_eq!(p.ideas.len(), 2);
    // I1 was submitted inside wave v1; I2 in 2017, in no wave.
    assert_eq!(p.ideas[0].wave.as_deref(), Some("v1"));
    assert_eq!(p.ideas[1].wave, None);
    assert_eq!(p.ideas[1].codes, ["kultur", "kultur.risk"]);
    assert_eq!(p.idea_events.len(), 3);
    assert_eq!(p.headcounts[0].employees, 3600);
    // Written back and read again, the records are the same.
    let copy = tempfile::tempdir().unwrap();
    write_project(&p, copy.path()).unwrap();
    let again = read_project(copy.path()).unwrap().project;
    assert_eq!(
        (again.ideas, again.idea_events, again.headcounts),
        (p.ideas, p.idea_events, p.headcounts)
    );
}

#[test]
fn reports_idea_records_out_of_order_and_dangling() {
    let ideas = "idea_id,kommunkod,unit_id,submitted,wave_id,codes,title\n\
                 I1,0583,,2018-02-01,,kultur,\n\
                 I1,0583,,2018-02-01,,,\n\
                 I3,0580,,2018-13-01,,,\n\
                 I4,0687,,2018-03-01,v9,okänd,\n";
    let events = "idea_id,stage,date\n\
                  I1,implemented,2018-01-15\n\
                  I1,assessed,2018-03-01\n\
                  I1,tested,2018-02-20\n\
                  I4,rejected,2018-03-05\n\
                  I4,implemented,2018-04-01\n\
                  I9,assessed,2018-04-01\n\
                  I4,godkänd,2018-04-01\n";
    check(
        &[
            ("ideas.csv", Some(ideas)),
            ("idea_events.csv", Some(events)),
            (
                "headcounts.csv",
                Some("kommunkod,unit_id,employees\n0583,,0\n0583,,many\n"),
            ),
        ],
        &[
            "P/ideas.csv:3:1 (idea_id): `I1` is listed twice (first on line 2)\n  help: give every row its own id, or remove the repeated row",
            "P/ideas.csv:4:4 (submitted): `2018-13-01` is not a date: write it as YYYY-MM-DD, for example 2018-03-14\n  help: Excel may have reformatted it; format the column as text",
            "P/ideas.csv:5:5 (wave_id): wave `v9` is not in waves.csv\n  help: add the wave, correct wave_id, or leave it empty to take the wave of the submission date",
            "P/ideas.csv:5:6 (codes): theme `okänd` is not in the codebook\n  help: use code_id values from codebook.csv, separated by |",
            "P/idea_events.csv:2:3 (date): idea `I1` reached `implemented` on 2018-01-15, before it was submitted on 2018-02-01\n  help: correct the date here or the submission date in ideas.csv",
            "P/idea_events.csv:4:3 (date): idea `I1` reaches `tested` on 2018-02-20, before the earlier stage `assessed` on 2018-03-01 (line 3)\n  help: stages follow the order under [ideas] in project.toml: correct one of the dates",
            "P/idea_events.csv:6:3 (date): idea `I4` reaches `implemented` on 2018-04-01, after it was `rejected` on 2018-03-05 (line 5)\n  help: an idea that was rejected or withdrawn moves no further: correct the dates or the stages",
            "P/idea_events.csv:7:1 (idea_id): idea `I9` is not in ideas.csv\n  help: add the idea to ideas.csv, or correct idea_id",
            "P/idea_events.csv:8:2 (stage): `godkänd` is not an idea stage\n  help: use one of submitted, assessed, tested, implemented, spread, rejected, withdrawn, or add the stage under [ideas] in project.toml",
            "P/headcounts.csv:2:3 (employees): a head count of 0 employees gives no rate\n  help: give the number of employees, or leave the row out",
            "P/headcounts.csv:3:3 (employees): `many` is not a number of employees\n  help: write a whole number without thousands separators, e.g. 3600",
        ],
    );
}

#[test]
fn idea_stages_are_configurable_and_checked() {
    let toml = "name = \"t\"\n[ideas]\nstages = [\"inkommen\", \"prövad\", \"införd\"]\nexits = [\"nej\"]\nimplemented = \"klar\"\n";
    check(
        &[("project.toml", Some(toml))],
        &[
            "P/project.toml (implemented): `implemented = \"klar\"` is not one of the idea stages\n  help: under [ideas] in project.toml, list `stages` in order, the `exits` that end an idea, and which stage is `implemented`; see docs/project-format.md",
        ],
    );
}

/// Writes the default project of [`check`] without changes.
fn write_default_project(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join("texts")).unwrap();
    for (name, content) in DEFAULT_FILES {
        std::fs::write(dir.join(name), content).unwrap();
    }
}

const INSTRUMENT: &str = r#"name_sv = "Chefsenkät"
scale = [1, 5]
labels_sv = ["Inte alls", "Lite", "Varken eller", "Mycket", "Helt"]
missing = ["vet ej"]

[[dimensions]]
id = "kultur"
label_sv = "Kultur"

[[items]]
id = "q1"
text_sv = "Vi prövar nytt."
dimension = "kultur"

[[items]]
id = "q2"
text_sv = "Vi gör som vi alltid gjort."
dimension = "kultur"
reverse = true
"#;

#[test]
fn survey_responses_read_wide_and_long_alike() {
    let wide = "respondent;kommunkod;role;wave;q1;q2\nR1;0583;mellanchef;v1;4;2\nR2;0687;;v1;Vet ej;\n";
    let long = "respondent,kommunkod,role,wave,item,value\nR1,0583,mellanchef,v1,q1,4\nR1,0583,mellanchef,v1,q2,2\nR2,0687,,v1,q1,vet ej\nR2,0687,,v1,q2,\n";
    let mut read = Vec::new();
    for responses in [wide, long] {
        let tmp = tempfile::tempdir().unwrap();
        write_default_project(tmp.path());
        std::fs::create_dir_all(tmp.path().join("surveys")).unwrap();
        std::fs::write(tmp.path().join("surveys/chef.toml"), INSTRUMENT).unwrap();
        std::fs::write(tmp.path().join("surveys/chef.csv"), responses).unwrap();
        let p = read_project(tmp.path()).unwrap().project;
        assert_eq!(p.instruments[0].id, "chef");
        // English texts default to the Swedish ones.
        assert_eq!(p.instruments[0].items[1].text_en, "Vi gör som vi alltid gjort.");
        assert!(p.instruments[0].items[1].reverse);
        read.push(p.survey_responses);
    }
    assert_eq!(read[0].len(), 2);
    assert_eq!(read[0][0].values, [Some(4), Some(2)]);
    assert_eq!(read[0][0].role, Some(crosscase_model::Role::MiddleManager));
    // "Vet ej" is a no-answer code, compared without regard to case.
    assert_eq!(read[0][1].values, [None, None]);
    // Lines differ (the long form has a row per answer); nothing else does.
    let without_lines = |r: &[crosscase_model::SurveyResponse]| -> Vec<crosscase_model::SurveyResponse> {
        r.iter()
            .map(|r| crosscase_model::SurveyResponse { line: 0, ..r.clone() })
            .collect()
    };
    assert_eq!(without_lines(&read[0]), without_lines(&read[1]));
}

#[test]
fn reports_survey_problems_with_file_line_and_column() {
    let responses = "respondent,kommunkod,role,wave,q1,q2,q9\n\
                     R1,0583,,v1,4,2,3\n";
    check(
        &[
            ("surveys/chef.toml", Some(INSTRUMENT)),
            ("surveys/chef.csv", Some(responses)),
        ],
        &[
            "P/surveys/chef.csv:1:7: `q9` is not an item of instrument `chef`\n  help: the columns are respondent, kommunkod, role, wave and the items q1, q2; or, in long form, item and value",
        ],
    );
    let responses = "respondent,kommunkod,role,wave,q1,q2\n\
                     R1,0583,,v1,7,2\n\
                     R2,0583,chef,v1,fyra,\n\
                     R1,0583,,v1,3,3\n\
                     R3,0580,,v9,3,3\n";
    check(
        &[
            ("surveys/chef.toml", Some(INSTRUMENT)),
            ("surveys/chef.csv", Some(responses)),
        ],
        &[
            "P/surveys/chef.csv:2:5 (q1): 7 is outside the scale 1 to 5\n  help: correct the value, or leave the cell empty for no answer",
            "P/surveys/chef.csv:3:3 (role): `chef` is not a role: use one of top_manager, middle_manager, first_line_manager, employee, politician, intermediary, other\n  help: roles may also be written in Swedish, e.g. mellanchef, or left empty",
            "P/surveys/chef.csv:3:5 (q1): `fyra` is not a scale value\n  help: write a whole number on the scale, one of \"vet ej\", or leave the cell empty",
            "P/surveys/chef.csv:4:1 (respondent): respondent `R1` answered twice in `v1` (first on line 2)\n  help: keep one row per respondent and wave, or give the second person their own pseudonym",
            "P/surveys/chef.csv:5:2 (kommunkod): municipality `0580` is not in municipalities.csv\n  help: add `0580` to municipalities.csv, or correct the kommunkod",
            "P/surveys/chef.csv:5:4 (wave): wave `v9` is not in waves.csv\n  help: use a wave_id of waves.csv; a training evaluation uses `pre` and `post` with `design = \"pre_post\"`",
        ],
    );
}

#[test]
fn reports_instrument_problems() {
    let broken = "name_sv = \"Chefsenkät\"\nscale = [1, 5]\nlabels_sv = [\"a\", \"b\"]\n\n[[items]]\nid = \"q1\"\ntext_sv = \"x\"\ndimension = \"okänd\"\n";
    check(
        &[
            ("surveys/chef.toml", Some(broken)),
            ("surveys/chef.csv", Some("respondent,kommunkod,wave,q1\n")),
        ],
        &[
            "P/surveys/chef.toml (labels_sv): 2 labels for a scale of 5 steps (1 to 5)\n  help: give one label per scale step, lowest first",
            "P/surveys/chef.toml (items): item `q1` belongs to dimension `okänd`, which is not listed\n  help: add the dimension under [[dimensions]], or correct the item's dimension",
        ],
    );
    check(
        &[(
            "surveys/chef.toml",
            Some("name_sv = \"x\"\nscale = [1, 5]\nskala = 3\n"),
        )],
        &[
            "P/surveys/chef.toml:3:1: the instrument cannot be read: unknown field `skala`, expected one of `name_sv`, `name_en`, `design`, `scale`, `labels_sv`, `labels_en`, `missing`, `dimensions`, `items`\n  help: the keys are name_sv, name_en, design, scale, labels_sv, labels_en, missing, [[dimensions]] and [[items]]; see docs/project-format.md",
        ],
    );
    check(
        &[("surveys/chef.toml", Some(INSTRUMENT))],
        &[
            "P/surveys/chef.csv: instrument `chef` has no responses file\n  help: write the responses in surveys/chef.csv: respondent, kommunkod, role, wave and one column per item",
        ],
    );
}

/// The rows a streaming ingest gets, in small batches, are the codings read whole: sources and codes by position,
/// coders by number with each name given once in the batch that first uses it, quotes kept only for a source
/// without a text; and the project's files and content hash are those of a whole read.
#[test]
fn streamed_rows_are_the_codings_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("texts")).unwrap();
    let codings = "source_id,code_id,coder,start,end,quote,memo\n\
                   S1,kultur.risk,AL,0,6,Tranås,\n\
                   S1,kultur,BE,0,6,,en anteckning\n\
                   S2,kultur,AL,0,3,ett citat,\n\
                   S1,kultur,CK,7,9,är,\n\
                   S1,kultur,AL,7,9,,\n";
    for (name, content) in DEFAULT_FILES {
        let content = if name == "codings.csv" { codings } else { content };
        std::fs::write(dir.join(name), content).unwrap();
    }
    let whole = read_project(dir).unwrap();
    let opened = open_project(dir).unwrap();
    let (mut rows, mut coders, mut batches) = (Vec::new(), Vec::new(), 0);
    let count = opened
        .stream_codings(2, |mut batch| {
            batches += 1;
            assert!(batch.rows.len() <= 2);
            rows.append(&mut batch.rows);
            coders.append(&mut batch.new_coders);
            Some(batch)
        })
        .unwrap();
    assert_eq!((count, batches), (5, 3));
    assert_eq!(coders, ["AL", "BE", "CK"]);
    let p = opened.project();
    let streamed: Vec<_> = rows
        .iter()
        .map(|r| {
            let source = &p.sources[r.source as usize];
            (
                source.id.as_str(),
                p.codes[r.code as usize].id.as_str(),
                coders[r.coder as usize].as_str(),
                r.start,
                r.end,
                r.quote.as_deref(),
                r.memo.as_deref(),
            )
        })
        .collect();
    let expected: Vec<_> = whole
        .project
        .codings
        .iter()
        .map(|c| {
            let has_text = whole
                .project
                .sources
                .iter()
                .any(|s| s.id == c.source && s.text.is_some());
            (
                c.source.as_str(),
                c.code.as_str(),
                c.coder.as_str(),
                c.start,
                c.end,
                (!has_text).then_some(c.quote.as_str()),
                c.memo.as_deref(),
            )
        })
        .collect();
    assert_eq!(streamed, expected);
    assert_eq!(expected[2].5, Some("ett citat"));
    assert_eq!(opened.files(), whole.files);
    assert!(opened.files().iter().any(|f| f.path == "codings.csv"));
    assert_eq!(opened.content_hash(), whole.content_hash);

    // A sink that stops listening ends the reading at once, without an error.
    let mut taken = 0;
    let read = opened.stream_codings(2, |_| {
        taken += 1;
        None
    });
    assert!(read.is_ok());
    assert_eq!(taken, 1);
}

/// Streaming from the tables (texts read into slots while a store could already write) gives the rows, texts, files
/// and hash of a whole read; a text that cannot be read gives the problems a whole read reports, and leaves no slot
/// for anyone to wait on.
#[test]
fn streaming_from_the_tables_reads_what_a_whole_read_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("texts")).unwrap();
    for (name, content) in DEFAULT_FILES {
        std::fs::write(dir.join(name), content).unwrap();
    }
    let whole = read_project(dir).unwrap();
    let tables = open_tables(dir).unwrap();
    assert!(tables.project().sources.iter().all(|s| s.text.is_none()));
    let texts = SourceTexts::new(tables.project().sources.len());
    let mut rows = Vec::new();
    let count = tables
        .stream(&texts, 2, &mut |w| panic!("no warning expected: {w}"), |mut batch| {
            rows.append(&mut batch.rows);
            Some(batch)
        })
        .unwrap();
    assert_eq!((count, rows.len()), (1, 1));
    assert_eq!(texts.text(0), whole.project.sources[0].text.as_deref());
    assert_eq!(texts.wait(1), &SourceText::None);
    assert_eq!(
        texts.wait(0),
        &SourceText::Text {
            text: "Tranås är en kommun.".into(),
            words: 4
        }
    );
    let read = tables.read_files().unwrap();
    assert_eq!((&read.files, &read.content_hash), (&whole.files, &whole.content_hash));

    std::fs::write(dir.join("texts/S1.txt"), b"Tran\xE5s").unwrap();
    let expected = read_project(dir).unwrap_err().to_string();
    let tables = open_tables(dir).unwrap();
    let texts = SourceTexts::new(2);
    let failed = tables.stream(&texts, 2, &mut |_| {}, |_| panic!("nothing to hand on"));
    assert_eq!(failed.unwrap_err().to_string(), expected);
    assert_eq!(texts.wait(0), &SourceText::Unreadable);
    assert_eq!(tables.read_files(), None);
}

/// The files' hash is there for a store that asks before it writes (a stored project of the same name), also while
/// nobody takes the batches and the reader is held up on a full channel.
#[test]
fn the_hash_comes_while_the_batches_wait() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("texts")).unwrap();
    let mut codings = String::from("source_id,code_id,coder,start,end,quote\n");
    for i in 0..200 {
        codings.push_str(&format!("S1,kultur,C{i},0,6,Tranås\n"));
    }
    for (name, content) in DEFAULT_FILES {
        let content = if name == "codings.csv" { &codings } else { content };
        std::fs::write(dir.join(name), content).unwrap();
    }
    let whole = read_project(dir).unwrap();
    let tables = open_tables(dir).unwrap();
    let texts = SourceTexts::new(tables.project().sources.len());
    let (send, receive) = std::sync::mpsc::sync_channel::<CodingBatch>(4);
    let (count, hash) = std::thread::scope(|scope| {
        let reading = scope.spawn(|| {
            tables.stream(&texts, 1, &mut |_| {}, |batch| {
                send.send(batch).ok()?;
                Some(CodingBatch::with_capacity(1))
            })
        });
        // Nothing is taken from the channel until the hash is there.
        let hash = tables.read_files().map(|r| r.content_hash.clone());
        let taken = receive.iter().take(200).count();
        assert_eq!(reading.join().unwrap().unwrap(), 200);
        (taken, hash)
    });
    assert_eq!(count, 200);
    assert_eq!(hash, Some(whole.content_hash));
}
