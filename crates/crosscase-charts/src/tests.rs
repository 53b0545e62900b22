//! Tests of every chart: the PNG is the SVG rasterised, text stays whole and readable in print, sizes follow the
//! content, and the same input gives the same bytes.

use crate::style::{SMALL, TEXT, TITLE, WIDTH, fit, rasterise, text_width, wrap};
use crate::*;

/// An A4 page's text width (17 cm) in points, and the smallest text allowed when a chart is printed that wide.
const PRINT_WIDTH_PT: f64 = 17.0 / 2.54 * 72.0;
const MIN_PRINT_PT: f64 = 9.0;

fn percent(v: f64) -> String {
    format!("{}\u{a0}%", (v * 100.0).round())
}

fn bars(groups: usize) -> ComparisonBars {
    let labels = [
        "Formell organisering av innovationsarbetet",
        "Innovationsstrategi",
        "Tid och resurser",
        "Implementering i ordinarie verksamhet",
    ];
    ComparisonBars {
        title: "Teman i intervjuerna".into(),
        subtitle: "Andel av intervjuerna och anteckningarna där temat förekommer, er kommun mot de andra kommunerna"
            .into(),
        this_label: "Tranås".into(),
        others_label: "De andra kommunerna".into(),
        groups: (0..groups)
            .map(|i| BarGroup {
                label: labels[i % labels.len()].into(),
                this: Ok((0.73, format!("{} (16 av 22)", percent(0.73)))),
                others: if i == 1 {
                    Err("visas inte: för få personer".into())
                } else {
                    Ok((1.0, format!("{} (88 av 88)", percent(1.0))))
                },
            })
            .collect(),
    }
}

/// A pack's heatmap at its widest: this municipality by name and fifteen others by letter.
fn pack_heatmap(rows: usize) -> Heatmap {
    let columns: Vec<String> = std::iter::once("Upplands Väsby".to_string())
        .chain((b'A'..=b'O').map(|c| char::from(c).to_string()))
        .collect();
    Heatmap {
        title: "Teman per kommun".into(),
        subtitle: "Andel av intervjuerna där temat förekommer; bokstäverna är de andra kommunerna".into(),
        rows: (0..rows)
            .map(|i| {
                if i % 3 == 0 {
                    (0, "Formell organisering av innovationsarbetet".to_string())
                } else {
                    (1, "Innovationsstrategi".to_string())
                }
            })
            .collect(),
        cells: (0..rows)
            .map(|i| {
                (0..columns.len())
                    .map(|j| match (i + j) % 7 {
                        0 => HeatmapCell::Suppressed,
                        1 => HeatmapCell::Missing,
                        k => HeatmapCell::Value(k as f64 / 6.0, percent(if k == 6 { 1.0 } else { k as f64 / 6.0 })),
                    })
                    .collect()
            })
            .collect(),
        columns,
        highlight: Some(0),
        suppressed_label: "för få personer".into(),
        missing_label: "inga data".into(),
    }
}

fn likert(rows: usize) -> LikertChart {
    LikertChart {
        title: "Strukturer för innovation".into(),
        subtitle: "Hur cheferna svarade, sorterat efter andelen som instämmer".into(),
        steps: [
            "Instämmer inte alls",
            "Instämmer delvis inte",
            "Varken eller",
            "Instämmer delvis",
            "Instämmer helt",
        ]
        .map(String::from)
        .to_vec(),
        rows: (0..rows)
            .map(|i| LikertRow {
                label: "Det finns en tydlig väg för att lämna och pröva idéer.".into(),
                shares: if i == 2 {
                    Err("visas inte: för få svar".into())
                } else {
                    Ok(vec![0.1, 0.2, 0.2, 0.3, 0.2])
                },
                n_label: "n = 24".into(),
                low_label: percent(0.3),
                high_label: percent(0.5),
                reversed: i == 1,
            })
            .collect(),
    }
}

fn dumbbell_chart(rows: usize) -> Dumbbell {
    Dumbbell {
        title: "Före och efter utbildningen – Utbildningsenkät".into(),
        subtitle: "Medelvärde per deltagare som svarat båda gångerna".into(),
        before_label: "Före".into(),
        after_label: "Efter".into(),
        x_min: 1.0,
        x_max: 5.0,
        x_ticks: (1..=5).map(|v| (f64::from(v), v.to_string())).collect(),
        rows: (0..rows)
            .map(|i| DumbbellRow {
                label: "Kunskap om innovationsprocesser".into(),
                values: if i == 1 {
                    Err("visas inte: för få svar".into())
                } else {
                    Ok((2.4, 3.8))
                },
                note: "8 av 10 förbättrade sig".into(),
            })
            .collect(),
    }
}

fn steps() -> StepChart {
    StepChart {
        title: "Tid från idé till införande".into(),
        subtitle: "Andel av idéerna som har införts, efter dagar sedan de lämnades in".into(),
        x_label: "Dagar sedan idén lämnades in".into(),
        y_label: "Andel införda".into(),
        x_max: 400.0,
        x_ticks: (0..=4).map(|k| (f64::from(k) * 100.0, (k * 100).to_string())).collect(),
        y_ticks: (0..=5)
            .map(|k| (f64::from(k) / 5.0, percent(f64::from(k) / 5.0)))
            .collect(),
        curves: vec![
            StepCurve {
                label: "Tranås".into(),
                points: vec![(0.0, 0.0), (50.0, 0.2), (200.0, 0.5)],
                highlight: true,
            },
            StepCurve {
                label: "De andra kommunerna".into(),
                points: vec![(0.0, 0.0), (80.0, 0.1), (300.0, 0.4)],
                highlight: false,
            },
        ],
        empty_label: "visas inte".into(),
    }
}

fn scatter_chart() -> Scatter {
    Scatter {
        title: "Chefsenkät mot intervjuerna".into(),
        subtitle: "Index för strukturer mot andelen intervjuer med temat".into(),
        x_label: "Andel intervjuer med temat".into(),
        y_label: "Index (1–5)".into(),
        x_range: (0.0, 1.0),
        y_range: (1.0, 5.0),
        x_ticks: (0..=5)
            .map(|k| (f64::from(k) / 5.0, percent(f64::from(k) / 5.0)))
            .collect(),
        y_ticks: (1..=5).map(|v| (f64::from(v), v.to_string())).collect(),
        points: vec![
            ScatterPoint {
                label: "Linköping".into(),
                x: 0.4,
                y: 3.2,
                highlight: true,
            },
            ScatterPoint {
                label: "Mjölby".into(),
                x: 0.7,
                y: 2.1,
                highlight: false,
            },
        ],
    }
}

/// Every kind of chart, small and large, rendered once for all the tests that only look at them.
fn all_charts() -> &'static [(String, Rendered)] {
    static CHARTS: std::sync::OnceLock<Vec<(String, Rendered)>> = std::sync::OnceLock::new();
    CHARTS.get_or_init(render_all)
}

fn render_all() -> Vec<(String, Rendered)> {
    let mut out = Vec::new();
    for n in [1, 4, 12] {
        out.push((format!("bars {n}"), comparison_bars(&bars(n)).unwrap()));
        out.push((format!("heatmap {n}"), heatmap(&pack_heatmap(n)).unwrap()));
        out.push((format!("likert {n}"), likert_chart(&likert(n)).unwrap()));
        out.push((format!("dumbbell {n}"), dumbbell(&dumbbell_chart(n)).unwrap()));
    }
    out.push(("steps".into(), step_chart(&steps()).unwrap()));
    out.push(("scatter".into(), scatter(&scatter_chart()).unwrap()));
    out
}

/// The value of attribute `name` in an SVG start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// The SVG's size from its root element.
fn svg_size(svg: &str) -> (f64, f64) {
    let root = &svg[svg.find("<svg").unwrap()..];
    let root = &root[..root.find('>').unwrap()];
    let number = |name| attribute(root, name).unwrap().parse().unwrap();
    (number("width"), number("height"))
}

/// Every `<text>` element: its start tag and its content with entities decoded.
fn texts(svg: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let tag_end = start + rest[start..].find('>').unwrap();
        let end = tag_end + rest[tag_end..].find("</text>").unwrap();
        let content = rest[tag_end + 1..end]
            .trim()
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&");
        out.push((rest[start..tag_end].to_string(), content));
        rest = &rest[end..];
    }
    out
}

fn png_pixels(png_bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes)).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    (info, pixels)
}

#[test]
fn png_is_the_svg_rasterised_at_twice_its_size() {
    for (name, chart) in all_charts() {
        let (w, h) = svg_size(&chart.svg);
        let (info, _) = png_pixels(&chart.png);
        assert_eq!(
            (info.width, info.height),
            (2 * w as u32, 2 * h as u32),
            "{name}: the PNG is not the SVG at twice its size"
        );
        assert_eq!(info.color_type, png::ColorType::Rgb, "{name}");
        // One drawing: the PNG is exactly what rasterising the SVG gives.
        assert!(
            rasterise(&chart.svg).unwrap() == chart.png,
            "{name}: the PNG is not the SVG's"
        );
    }
}

#[test]
fn same_input_gives_identical_bytes() {
    let (a, b) = (all_charts(), render_all());
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x.svg == y.svg, "{name}: the SVG differs");
        assert!(x.png == y.png, "{name}: the PNG differs");
    }
}

/// No text smaller than 9 pt when a chart is printed at the text width of an A4 page, its natural width.
#[test]
fn no_text_below_nine_points() {
    for (name, chart) in all_charts() {
        let (width, _) = svg_size(&chart.svg);
        assert_eq!(width, f64::from(WIDTH), "{name}");
        let texts = texts(&chart.svg);
        assert!(!texts.is_empty(), "{name} has no text");
        for (tag, content) in texts {
            let size: f64 = attribute(&tag, "font-size").unwrap().parse().unwrap();
            let points = size * PRINT_WIDTH_PT / width;
            assert!(
                points >= MIN_PRINT_PT,
                "{name}: `{content}` is {points:.2} pt when printed 17 cm wide"
            );
        }
    }
}

/// Every text element names the embedded font, so that a browser showing the SVG uses it too.
#[test]
fn text_names_the_embedded_font() {
    for (name, chart) in all_charts() {
        for (tag, content) in texts(&chart.svg) {
            assert_eq!(
                attribute(&tag, "font-family"),
                Some("DejaVu Sans"),
                "{name}: `{content}`"
            );
        }
    }
}

/// Labels reach the SVG as whole words in one text element each, not letter by letter.
#[test]
fn text_elements_carry_whole_words() {
    let chart = comparison_bars(&bars(4)).unwrap();
    let contents: Vec<String> = texts(&chart.svg).into_iter().map(|(_, c)| c).collect();
    for expected in [
        "Teman i intervjuerna",
        "Innovationsstrategi",
        "Tid och resurser",
        "De andra kommunerna",
        "73\u{a0}% (16 av 22)",
        "visas inte: för få personer",
    ] {
        assert!(
            contents.iter().any(|c| c == expected),
            "no text element `{expected}` in {contents:?}"
        );
    }
    // A label too long for one line is wrapped between words.
    assert!(contents.iter().any(|c| c == "Formell organisering av"), "{contents:?}");
    assert!(contents.iter().any(|c| c == "innovationsarbetet"), "{contents:?}");
    let likert = likert_chart(&likert(3)).unwrap();
    let contents: Vec<String> = texts(&likert.svg).into_iter().map(|(_, c)| c).collect();
    assert!(
        contents
            .iter()
            .any(|c| c == "Det finns en tydlig väg för att lämna och pröva idéer."),
        "{contents:?}"
    );
}

/// The rasterised title is as wide as the font says it is: text whose letters drift apart (as plotters' bitmap
/// backend drew them) is much wider, and text drawn in a fallback font or not at all is another width.
#[test]
fn png_text_has_the_fonts_spacing() {
    let c = ComparisonBars {
        title: "Innovationsstrategi och intervjuer".into(),
        subtitle: String::new(),
        ..bars(1)
    };
    let chart = comparison_bars(&c).unwrap();
    let (info, pixels) = png_pixels(&chart.png);
    let (w, stride) = (info.width as usize, info.width as usize * 3);
    // The title's band: from the top margin to the end of its line, in PNG pixels.
    let band = (2 * crate::style::MARGIN) as usize..(2 * (crate::style::MARGIN + 36)) as usize;
    let inked = |x: usize| band.clone().any(|y| pixels[y * stride + x * 3] < 128);
    let first = (0..w).find(|&x| inked(x)).unwrap();
    let last = (0..w).rev().find(|&x| inked(x)).unwrap();
    let expected = 2.0 * text_width(&c.title, TITLE, true);
    let ink = (last - first) as f64;
    assert!(
        (ink / expected - 1.0).abs() < 0.05,
        "the title is {ink} px wide in the PNG; its advance widths give {expected:.0}"
    );
}

/// Heights follow the content: every further row adds the same height, and a short chart is short.
#[test]
fn height_follows_the_rows() {
    let height = |r: &Rendered| svg_size(&r.svg).1;
    let check = |name: &str, at: &dyn Fn(usize) -> Rendered| {
        let (one, four, seven) = (height(&at(1)), height(&at(4)), height(&at(7)));
        assert!(four > one && seven > four, "{name}: {one}, {four}, {seven}");
        assert!(
            (seven - four - (four - one)).abs() < 1.0,
            "{name}: three rows more add {} and then {}",
            four - one,
            seven - four
        );
        assert!(one < f64::from(WIDTH) * 9.0 / 16.0, "{name}: one row is {one} high");
    };
    // Like rows of one line each: a label that wraps makes its row taller, and the heatmap's columns follow its values.
    check("bars", &|n| {
        comparison_bars(&ComparisonBars {
            groups: bars(n)
                .groups
                .into_iter()
                .map(|g| BarGroup {
                    label: "Kultur".into(),
                    ..g
                })
                .collect(),
            ..bars(n)
        })
        .unwrap()
    });
    check("heatmap", &|n| {
        heatmap(&Heatmap {
            rows: vec![(1, "Kultur".into()); n],
            cells: vec![pack_heatmap(7).cells[6].clone(); n],
            ..pack_heatmap(n)
        })
        .unwrap()
    });
    check("likert", &|n| likert_chart(&likert(n)).unwrap());
    check("dumbbell", &|n| dumbbell(&dumbbell_chart(n)).unwrap());
}

/// The bars' value axis is labelled in percent, in the style of the bars' own labels.
#[test]
fn bars_have_percent_ticks() {
    let contents = |c: &ComparisonBars| -> Vec<String> {
        texts(&comparison_bars(c).unwrap().svg)
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    };
    let swedish = contents(&bars(2));
    for tick in [
        "0\u{a0}%",
        "20\u{a0}%",
        "40\u{a0}%",
        "60\u{a0}%",
        "80\u{a0}%",
        "100\u{a0}%",
    ] {
        assert!(swedish.iter().any(|c| c == tick), "no tick `{tick}` in {swedish:?}");
    }
    let mut english = bars(2);
    for g in &mut english.groups {
        g.this = Ok((0.5, "50% (11 of 22)".into()));
    }
    let english = contents(&english);
    assert!(
        english.iter().any(|c| c == "20%") && english.iter().any(|c| c == "100%"),
        "{english:?}"
    );
}

/// A pack's heatmap keeps its numbers at its widest, and an overview of very many municipalities grows wider rather
/// than crushing its columns.
#[test]
fn heatmap_columns() {
    let pack = heatmap(&pack_heatmap(6)).unwrap();
    let contents: Vec<String> = texts(&pack.svg).into_iter().map(|(_, c)| c).collect();
    assert!(contents.iter().any(|c| c == "Upplands Väsby"), "{contents:?}");
    assert!(contents.iter().any(|c| c == "O"), "{contents:?}");
    assert!(
        contents.iter().any(|c| c == "67" || c == "67\u{a0}%"),
        "no numbers in the cells: {contents:?}"
    );
    let many = Heatmap {
        columns: (0..290).map(|i| format!("Kommun {i}")).collect(),
        cells: vec![vec![HeatmapCell::Value(0.5, percent(0.5)); 290]; 3],
        highlight: None,
        ..pack_heatmap(3)
    };
    let overview = heatmap(&many).unwrap();
    assert!(svg_size(&overview.svg).0 > f64::from(WIDTH));
    let contents: Vec<String> = texts(&overview.svg).into_iter().map(|(_, c)| c).collect();
    assert!(contents.iter().any(|c| c == "Kommun 289"));
}

fn check_wrap(text: &str, width: f64, expected: &[&str]) {
    assert_eq!(wrap(text, TEXT, false, width, 2), expected, "{text} in {width}");
}

#[test]
fn wrapping() {
    check_wrap("Tid och resurser", 400.0, &["Tid och resurser"]);
    check_wrap(
        "Formell organisering av innovationsarbetet",
        280.0,
        &["Formell organisering av", "innovationsarbetet"],
    );
    check_wrap(
        "Det finns en tydlig väg för att lämna och pröva idéer.",
        200.0,
        &["Det finns en tydlig", "väg för att lämna…"],
    );
    check_wrap("", 200.0, &[""]);
    assert_eq!(fit("Innovationsstrategi", SMALL, false, 100.0), "Innovati…");
}

/// The renderer knows the embedded fonts and no others.
#[test]
fn only_the_embedded_fonts() {
    let families: Vec<String> = crate::style::fonts()
        .faces()
        .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
        .collect();
    assert_eq!(families, ["DejaVu Sans", "DejaVu Sans"]);
}

#[test]
fn a_reverse_worded_item_has_its_colours_turned_round() {
    // Everyone disagrees strongly: unfavourable (dark brown) for an item worded the usual way, favourable (dark teal)
    // for one worded the other way round. The legend shows each colour once.
    let chart = |reversed: bool| {
        let mut c = likert(1);
        c.rows[0].shares = Ok(vec![1.0, 0.0, 0.0, 0.0, 0.0]);
        c.rows[0].reversed = reversed;
        likert_chart(&c).unwrap().svg
    };
    let count = |svg: &str, colour: &str| svg.matches(&format!("fill=\"{colour}\"")).count();
    let (usual, turned) = (chart(false), chart(true));
    assert_eq!((count(&usual, "#8C510A"), count(&usual, "#01665E")), (2, 1));
    assert_eq!((count(&turned, "#8C510A"), count(&turned, "#01665E")), (1, 2));
}
