//! The plain-language conclusions of a pack for differences planted into a project: a real difference, an uncertain
//! one, none, and a theme hidden because too few people stand behind it, in Swedish and English. Snapshots, so that a
//! change of wording or of verdict is seen and reviewed.

use std::fmt::Write as _;
use std::path::Path;

use crate::support::*;

/// Coded share per municipality and theme: (sources coded, of `SOURCES`).
struct Plant {
    theme: &'static str,
    label_sv: &'static str,
    label_en: &'static str,
    coded: [usize; 4],
}

const MUNICIPALITIES: [(&str, &str); 4] = [
    ("0580", "Linköping"),
    ("0581", "Norrköping"),
    ("0583", "Motala"),
    ("0586", "Mjölby"),
];

/// Sources per municipality, each an interview with a participant of its own.
const SOURCES: usize = 40;

/// Writes a native project where Linköping (the first municipality) differs as `plants` say.
fn write_project(dir: &Path, plants: &[Plant]) {
    std::fs::create_dir_all(dir.join("texts")).unwrap();
    std::fs::write(
        dir.join("project.toml"),
        "name = \"Planted differences\"\nlanguage = \"sv\"\ndisclosure_threshold = 5\n",
    )
    .unwrap();
    let mut municipalities = String::from("kommunkod,name\n");
    let mut participants = String::from("participant_id,kommunkod,unit_id,role\n");
    let mut sources = String::from(
        "source_id,kind,kommunkod,unit_id,date,wave_id,participants,setting,duration_min,title,text_file\n",
    );
    let mut codebook = String::from("code_id,parent_id,label_sv,label_en,description,colour\n");
    let mut codings = String::from("source_id,code_id,coder,start,end,quote,memo\n");
    for p in plants {
        writeln!(codebook, "{},,{},{},,", p.theme, p.label_sv, p.label_en).unwrap();
    }
    for (m, (code, name)) in MUNICIPALITIES.iter().enumerate() {
        writeln!(municipalities, "{code},{name}").unwrap();
        for i in 0..SOURCES {
            let participant = format!("P{code}-{i:02}");
            let source = format!("{code}-I{i:02}");
            writeln!(participants, "{participant},{code},,employee").unwrap();
            writeln!(
                sources,
                "{source},interview,{code},,,,{participant},,60,Intervju {i},texts/{source}.txt"
            )
            .unwrap();
            let mut text = String::from("Intervju om hur kommunen arbetar med utveckling.");
            for p in plants.iter().filter(|p| i < p.coded[m]) {
                let sentence = format!(
                    " Vi talade länge om {} i vardagen på förvaltningen nummer {i}.",
                    p.label_sv
                );
                let start = text.chars().count() + 1;
                text.push_str(&sentence);
                let end = text.chars().count();
                writeln!(codings, "{source},{},AL,{start},{end},,", p.theme).unwrap();
            }
            std::fs::write(dir.join(format!("texts/{source}.txt")), text).unwrap();
        }
    }
    for (file, content) in [
        ("municipalities.csv", municipalities),
        ("participants.csv", participants),
        ("sources.csv", sources),
        ("codebook.csv", codebook),
        ("codings.csv", codings),
    ] {
        std::fs::write(dir.join(file), content).unwrap();
    }
}

/// Linköping's conclusions ("where you stand out") in `language`, one line per statement, tags removed.
fn conclusions(tmp: &Path, plants: &[Plant], language: &str) -> String {
    let project = tmp.join("project");
    if !project.exists() {
        write_project(&project, plants);
        let db = tmp.join("db.sqlite");
        let run = crosscase(
            tmp,
            &["ingest", project.to_str().unwrap(), "--db", db.to_str().unwrap()],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let out = tmp.join(format!("packs-{language}"));
    let run = crosscase(
        tmp,
        &[
            "feedback",
            "--db",
            tmp.join("db.sqlite").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--lang",
            language,
            "--municipality",
            "0580",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(out.join("0580-Linkoping/index.html")).unwrap();
    let section = html
        .split("<section class=\"stand-out finding\">")
        .nth(1)
        .and_then(|r| r.split("</section>").next())
        .expect("the page has its conclusions");
    section
        .replace("</li>", "\n")
        .replace("</h2>", "\n")
        .replace("</p>", "\n")
        .split('<')
        .map(|part| part.split_once('>').map_or(part, |(_, text)| text))
        .collect::<String>()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Linköping has: one theme far more often (36 of 40 against 8 of 40 in each other municipality), one somewhat more
/// often on too few people to be sure (16 of 40 against 11 of 40), one as often as the others (39 of 40 everywhere),
/// and one that only 3 people spoke of (fewer than the threshold of 5).
fn planted() -> Vec<Plant> {
    vec![
        Plant {
            theme: "verklig",
            label_sv: "Tydlig skillnad",
            label_en: "Clear difference",
            coded: [36, 8, 8, 8],
        },
        Plant {
            theme: "osaker",
            label_sv: "Osäker skillnad",
            label_en: "Uncertain difference",
            coded: [16, 11, 11, 11],
        },
        Plant {
            theme: "lika",
            label_sv: "Ingen skillnad",
            label_en: "No difference",
            coded: [39, 39, 39, 39],
        },
        Plant {
            theme: "dold",
            label_sv: "Dolt tema",
            label_en: "Hidden theme",
            coded: [3, 20, 20, 20],
        },
    ]
}

#[test]
fn conclusions_follow_planted_differences_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let plants = planted();
    let sv = conclusions(tmp.path(), &plants, "sv");
    let en = conclusions(tmp.path(), &plants, "en");
    // The verdicts, whatever the wording: the real difference stands out, the uncertain one is called uncertain
    // (never small), the equal theme the same, and the hidden theme is named as hidden.
    assert!(sv.contains("Tydlig skillnad tas tydligt oftare upp"), "{sv}");
    assert!(sv.contains("Osäker skillnad kanske"), "{sv}");
    assert!(!sv.contains("så små"), "{sv}");
    assert!(en.contains("Clear difference"), "{en}");
    insta::assert_snapshot!("planted_sv", sv);
    insta::assert_snapshot!("planted_en", en);
}

#[test]
fn when_nothing_differs_the_pack_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let plants: Vec<Plant> = planted()
        .into_iter()
        .filter(|p| p.theme == "lika")
        .chain([Plant {
            theme: "jamn",
            label_sv: "Jämnt fördelat",
            label_en: "Evenly spread",
            coded: [20, 20, 20, 20],
        }])
        .collect();
    let sv = conclusions(tmp.path(), &plants, "sv");
    insta::assert_snapshot!("nothing_sv", sv);
    insta::assert_snapshot!("nothing_en", conclusions(tmp.path(), &plants, "en"));
}
