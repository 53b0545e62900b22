//! Tables for people, read back as a spreadsheet program or a notebook reads them: each pack's `tables.xlsx`,
//! `--format xlsx` of `compare`, `survey` and `ideas`, and the CSV for Swedish Excel (`--csv-dialect excel-sv`).

use std::path::Path;
use std::process::Command;

use crate::support::{XlsxCell, crosscase, external_tool, ingest_demo, read_xlsx, table_counts};

type Rows = Vec<Vec<XlsxCell>>;

fn sheet<'a>(book: &'a [(String, Rows)], name: &str) -> &'a Rows {
    &book
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .1
}

fn header(rows: &Rows) -> Vec<String> {
    rows[0]
        .iter()
        .map(|c| match c {
            XlsxCell::Text(t) => t.clone(),
            other => panic!("a header that is not text: {other:?}"),
        })
        .collect()
}

fn col(rows: &Rows, name: &str) -> usize {
    header(rows)
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", header(rows)))
}

fn cell(row: &[XlsxCell], c: usize) -> XlsxCell {
    row.get(c).cloned().unwrap_or(XlsxCell::Empty)
}

fn text(s: &str) -> XlsxCell {
    XlsxCell::Text(s.to_string())
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

const REASONS_SV: [&str; 3] = [
    "skyddad: för få personer",
    "skyddad: skyddar en annan siffra",
    "inga data",
];

/// Every figure of a sheet as the page shows it: share, count and base as numbers that agree, or the reason in
/// words in the share's cell and nothing in the other two. Returns (shown, hidden).
fn check_figures(rows: &Rows, share: usize) -> (usize, usize) {
    let (mut shown, mut hidden) = (0, 0);
    for row in &rows[1..] {
        match (cell(row, share), cell(row, share + 1), cell(row, share + 2)) {
            (XlsxCell::Number(p), XlsxCell::Number(k), XlsxCell::Number(n)) => {
                assert!((p - 100.0 * k / n).abs() < 1e-9, "{row:?}");
                shown += 1;
            }
            (XlsxCell::Text(reason), XlsxCell::Empty, XlsxCell::Empty) => {
                assert!(REASONS_SV.contains(&reason.as_str()), "{row:?}");
                hidden += 1;
            }
            other => panic!("a figure neither shown with its base nor hidden in words: {other:?} in {row:?}"),
        }
    }
    (shown, hidden)
}

#[test]
fn pack_workbook_has_every_section_of_the_page_with_bases_and_hidden_figures_in_words() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let db = tmp.join("demo.sqlite");
    ingest_demo(tmp, &db);
    for (lang, out) in [("sv", "fb"), ("en", "fb-en")] {
        let run = crosscase(
            tmp,
            &[
                "feedback",
                "--db",
                arg(&db),
                "--out",
                out,
                "--municipality",
                "0583,0687",
                "--lang",
                lang,
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let pack = tmp.join("fb/0583-Motala");
    let book = read_xlsx(&pack.join("tables.xlsx"));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Teman",
            "Förändring mellan vågor",
            "Enkätindex",
            "Före och efter",
            "Idéer",
            "Körning"
        ]
    );
    let english = read_xlsx(&tmp.join("fb-en/0583-Motala/tables.xlsx"));
    let names: Vec<&str> = english.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Themes",
            "Change between waves",
            "Survey indices",
            "Before and after",
            "Ideas",
            "Run"
        ]
    );
    assert_eq!(
        header(sheet(&english, "Themes"))[..4],
        [
            "Theme",
            "Your municipality (%)",
            "Your municipality: count",
            "Your municipality: n (base)"
        ]
    );
    let page = std::fs::read_to_string(pack.join("index.html")).unwrap();

    // Themes: this municipality and the others, each with its base; the page's "36 % (8 av 22)" is 8 of 22 here.
    // Tranås's pack, which hides one of its own main themes.
    let tranas = read_xlsx(&tmp.join("fb/0687-Tranas/tables.xlsx"));
    let tranas_page = std::fs::read_to_string(tmp.join("fb/0687-Tranas/index.html")).unwrap();
    let themes = sheet(&tranas, "Teman");
    assert_eq!(
        header(themes)[..7],
        [
            "Tema",
            "Er kommun (%)",
            "Er kommun: antal",
            "Er kommun: n (bas)",
            "De andra kommunerna (%)",
            "De andra kommunerna: antal",
            "De andra kommunerna: n (bas)"
        ]
    );
    let (shown, hidden) = check_figures(themes, 1);
    let (others_shown, _) = check_figures(themes, 4);
    assert!(shown > 0 && others_shown > 0 && hidden > 0, "{themes:?}");
    for row in &themes[1..] {
        if let (XlsxCell::Text(label), XlsxCell::Number(k), XlsxCell::Number(n)) = (&row[0], &row[2], &row[3]) {
            let stated = format!("{}\u{a0}% ({k} av {n})", (100.0 * k / n).round());
            assert!(
                tranas_page.contains(&stated),
                "{label}: the page does not state {stated}"
            );
        }
    }
    let organisation = themes[1..]
        .iter()
        .find(|r| r[0] == text("Formell organisering av innovationsarbetet"))
        .unwrap();
    assert_eq!(organisation[1], text("skyddad: för få personer"));

    // The change between waves, with the waves named in the headers.
    let waves = sheet(&book, "Förändring mellan vågor");
    assert_eq!(header(waves)[1], "Första vågen: Våg 1 (2016) (%)");
    assert_eq!(header(waves)[4], "Sista vågen: Våg 3 (2019) (%)");
    check_figures(waves, 1);
    check_figures(waves, 4);
    for row in &waves[1..] {
        let both = matches!((cell(row, 1), cell(row, 4)), (XlsxCell::Number(_), XlsxCell::Number(_)));
        assert_eq!(both, matches!(cell(row, 7), XlsxCell::Number(_)), "{row:?}");
    }

    // Survey indices on the scale with their respondents; before and after with the pairs, and a handful who
    // improved given as "fewer than", never as its count.
    let indices = sheet(&book, "Enkätindex");
    assert_eq!(
        header(indices)[..5],
        ["Enkät", "Våg", "Område", "Er kommun (index)", "Er kommun: n (svarande)"]
    );
    let (own, n) = (
        col(indices, "Er kommun (index)"),
        col(indices, "Er kommun: n (svarande)"),
    );
    assert!(indices.len() > 2);
    for row in &indices[1..] {
        match (cell(row, own), cell(row, n)) {
            (XlsxCell::Number(mean), XlsxCell::Number(n)) => assert!((1.0..=5.0).contains(&mean) && n >= 5.0),
            other => panic!("{other:?}"),
        }
    }
    let pre_post = sheet(&book, "Före och efter");
    let improved = col(pre_post, "Förbättrade sig (antal)");
    let fewer = pre_post[1..]
        .iter()
        .filter(|r| cell(r, improved) == text("färre än 5"))
        .count();
    assert!(fewer > 0, "{pre_post:?}");
    for row in &pre_post[1..] {
        if let XlsxCell::Number(k) = cell(row, improved) {
            assert!(k == 0.0 || k >= 5.0, "{row:?}");
        }
    }

    // The idea funnel: Motala's 96 ideas, as the page says.
    let ideas = sheet(&book, "Idéer");
    check_figures(ideas, 1);
    assert_eq!(
        ideas[1][..4],
        [
            text("inlämnad"),
            XlsxCell::Number(100.0),
            XlsxCell::Number(96.0),
            XlsxCell::Number(96.0)
        ]
    );
    assert!(page.contains("Er kommun har tagit emot 96 idéer."));

    // The run, last.
    assert!(matches!(sheet(&book, "Körning")[1][0], XlsxCell::Number(n) if n >= 1.0));
}

#[test]
fn compare_survey_and_ideas_write_workbooks_with_a_sheet_per_kind_and_names_beside_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let db = tmp.join("demo.sqlite");
    ingest_demo(tmp, &db);
    let run = crosscase(
        tmp,
        &[
            "compare",
            "--db",
            arg(&db),
            "--permutations",
            "0",
            "--format",
            "xlsx",
            "--out",
            "compare.xlsx",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let book = read_xlsx(&tmp.join("compare.xlsx"));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["prevalence", "difference", "contrast"]);
    let prevalence = sheet(&book, "prevalence");
    assert_eq!(
        header(prevalence)[..5],
        ["code", "code_label", "municipality", "municipality_name", "segments"]
    );
    // The same figures as the CSV that programs read.
    let csv = crosscase(tmp, &["compare", "--db", arg(&db), "--permutations", "0"]);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    let csv_header = reader.headers().unwrap().clone();
    let csv_rows: Vec<csv::StringRecord> = reader
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[0] == "prevalence")
        .collect();
    assert_eq!(csv_rows.len(), prevalence.len() - 1);
    let share = col(prevalence, "source_share");
    let csv_share = csv_header.iter().position(|h| h == "source_share").unwrap();
    for (row, record) in prevalence[1..].iter().zip(&csv_rows) {
        assert_eq!(row[0], text(&record[1]));
        assert_eq!(row[share], XlsxCell::Number(record[csv_share].parse().unwrap()));
    }
    let motala = prevalence[1..].iter().find(|r| r[2] == text("0583")).unwrap();
    assert_eq!(motala[3], text("Motala"));
    assert_eq!(
        header(sheet(&book, "contrast"))[..4],
        ["code", "code_label", "municipality", "municipality_name"]
    );

    let run = crosscase(
        tmp,
        &["survey", "--db", arg(&db), "--format", "xlsx", "--out", "survey.xlsx"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let book = read_xlsx(&tmp.join("survey.xlsx"));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["item", "index", "test", "pre_post"]);
    let items = sheet(&book, "item");
    let first = &items[1];
    let at = |name: &str| cell(first, col(items, name));
    assert_eq!(at("instrument_name"), text("Chefsenkät om innovationsförmåga"));
    assert_eq!(at("wave_name"), text("Våg 2 (2018)"));
    assert_eq!(at("group_name"), text("Linköping"));
    assert_eq!(at("item_text"), text("Min närmaste chef uppmuntrar nya idéer."));
    assert!(matches!(at("mean"), XlsxCell::Number(_)));

    let run = crosscase(
        tmp,
        &["ideas", "--db", arg(&db), "--format", "xlsx", "--out", "ideas.xlsx"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let book = read_xlsx(&tmp.join("ideas.xlsx"));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["funnel", "median", "log_rank", "survival"]);
    let funnel = sheet(&book, "funnel");
    let motala = funnel[1..]
        .iter()
        .find(|r| cell(r, col(funnel, "group")) == text("0583"))
        .unwrap();
    assert_eq!(cell(motala, col(funnel, "group_name")), text("Motala"));
    assert!(matches!(cell(motala, col(funnel, "share")), XlsxCell::Number(_)));
}

/// A field of the `excel-sv` CSV as the number or text a Swedish spreadsheet reads.
fn same_value(standard: &str, excel: &str) -> bool {
    match standard.parse::<f64>() {
        Ok(x) if standard.contains(['.', 'e', 'E']) => {
            assert!(!excel.contains('.'), "a decimal point in {excel}");
            let y: f64 = excel.replace(',', ".").parse().unwrap();
            (x - y).abs() <= 5e-5_f64.max(5e-3 * x.abs())
        }
        _ => standard == excel,
    }
}

#[test]
fn excel_sv_csv_has_a_bom_semicolons_decimal_commas_and_the_same_values() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let db = tmp.join("demo.sqlite");
    ingest_demo(tmp, &db);
    for command in ["survey", "ideas"] {
        let standard = crosscase(tmp, &[command, "--db", arg(&db), "--out", "standard.csv"]);
        assert_eq!(standard.code, 0, "{}", standard.stderr);
        let excel = crosscase(
            tmp,
            &[
                command,
                "--db",
                arg(&db),
                "--csv-dialect",
                "excel-sv",
                "--out",
                "excel.csv",
            ],
        );
        assert_eq!(excel.code, 0, "{}", excel.stderr);
        let standard = std::fs::read(tmp.join("standard.csv")).unwrap();
        let excel = std::fs::read(tmp.join("excel.csv")).unwrap();
        // The default stays as programs read it: no BOM, commas, no label columns.
        assert!(standard.starts_with(b"kind,"), "{command}");
        assert!(excel.starts_with("\u{feff}kind;".as_bytes()), "{command}");
        let mut a = csv::Reader::from_reader(&standard[..]);
        let mut b = csv::ReaderBuilder::new().delimiter(b';').from_reader(&excel[3..]);
        let (ha, hb) = (a.headers().unwrap().clone(), b.headers().unwrap().clone());
        assert!(!ha.iter().any(|h| h.ends_with("_name")), "{ha:?}");
        assert!(hb.iter().any(|h| h == "group_name"), "{hb:?}");
        let (ra, rb): (Vec<csv::StringRecord>, Vec<csv::StringRecord>) = (
            a.records().map(Result::unwrap).collect(),
            b.records().map(Result::unwrap).collect(),
        );
        assert_eq!(ra.len(), rb.len());
        let mut decimals = 0;
        for (x, y) in ra.iter().zip(&rb) {
            for (i, name) in ha.iter().enumerate() {
                let j = hb.iter().position(|h| h == name).unwrap();
                assert!(
                    same_value(&x[i], &y[j]),
                    "{command} {name}: {} against {}",
                    &x[i],
                    &y[j]
                );
                decimals += usize::from(y[j].contains(','));
                // Rounded to four decimals (or three digits in scientific notation), not 17 digits.
                if x[i].parse::<f64>().is_ok()
                    && let Some((_, decimals)) = y[j].split_once(',')
                {
                    assert!(decimals.len() <= 4 || decimals.contains('E'), "{name}: {}", &y[j]);
                }
            }
            let group = hb.iter().position(|h| h == "group_name");
            if let Some(g) = group
                && &y[hb.iter().position(|h| h == "group").unwrap()] == "0583"
            {
                assert_eq!(&y[g], "Motala");
            }
        }
        assert!(decimals > 0, "{command}: no decimal comma");
    }
}

#[test]
fn binary_formats_refuse_a_terminal_and_xlsx_needs_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let db = tmp.join("demo.sqlite");
    ingest_demo(tmp, &db);
    for (args, says) in [
        (&["ideas", "--format", "xlsx"][..], "give one with --out FILE"),
        (
            &["survey", "--format", "json", "--csv-dialect", "excel-sv"][..],
            "use it with --format csv",
        ),
    ] {
        let mut all = args.to_vec();
        all.extend(["--db", arg(&db)]);
        let run = crosscase(tmp, &all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    // Refused before anything was computed: no run was recorded.
    assert_eq!(
        table_counts(&db)
            .into_iter()
            .find(|(t, _)| t == "analysis_run")
            .unwrap()
            .1,
        0
    );
    // On a real terminal (a pseudo-terminal from util-linux's `script`): stdout, and --out naming the terminal.
    if !external_tool(
        "script",
        "Parquet and XLSX refused on a terminal",
        "Install Debian's `bsdutils` (util-linux's script)",
    ) {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_crosscase");
    for (args, says) in [
        ("compare --format parquet", "stdout is a terminal"),
        ("ideas --format xlsx --out /dev/tty", "/dev/tty is a terminal"),
    ] {
        let line = format!("{bin} {args} --db {}", arg(&db));
        let out = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .current_dir(tmp)
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{args}: {shown}");
        assert!(shown.contains(says), "{args}: {shown}");
    }
}
