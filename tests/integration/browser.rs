//! The demo's feedback packs in a real browser: headless Chromium (Debian's `chromium`, which `.ci/run` installs;
//! `CROSSCASE_CHROMIUM` names another binary) opens every pack in Swedish and English, prints it to PDF and takes a
//! screenshot, and does the same with its slides. A pack fails on a console message, an image that does not load,
//! content wider than an A4 page, printed text below 9 pt, a PDF that is not A4 or has more pages than its content
//! needs plus one, or a slide that does not fit its 16:9 screen or page; the index beside the packs must link
//! every pack.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

pub(crate) fn chromium() -> String {
    std::env::var("CROSSCASE_CHROMIUM").unwrap_or_else(|_| "chromium".to_string())
}

/// Runs headless Chromium with the flags a closed, sandboxless machine needs, and a profile of its own.
fn run_chromium(args: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let profile_arg = format!("--user-data-dir={}", profile.path().display());
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            profile_arg.as_str(),
        ])
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{}` ({e}): install Debian's chromium (`.ci/run` does), or name the binary in CROSSCASE_CHROMIUM",
                chromium()
            )
        });
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What a page says when it has loaded: every image decoded and nothing wider than the window, or what is wrong.
const CHECK: &str = "<script>
window.addEventListener('load', () => {
  const problems = [];
  for (const img of document.images) {
    if (!img.complete || img.naturalWidth === 0) problems.push('image ' + img.getAttribute('src') + ' does not load');
  }
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth + 1) problems.push('content is ' + width + ' px wide in a ' + window.innerWidth + ' px page');
  document.body.setAttribute('data-check', problems.length ? problems.join('; ') : 'ok');
});
</script>
";

/// The page as printed, checked on screen: the print rules made the page's own (`@media print` becomes
/// `@media all`) at the width of an A4 page's text (180 mm, 680 CSS px), so that the print images (SVG) load, no
/// text is below 9 pt (12 CSS px), and the page's height says how many A4 pages its content needs at the least.
const PRINT_CHECK: &str = "<script>
window.addEventListener('load', () => {
  const problems = [];
  for (const img of document.images) {
    const shown = getComputedStyle(img).display !== 'none';
    if (shown && (!img.complete || img.naturalWidth === 0)) problems.push('image ' + img.getAttribute('src') + ' does not load in print');
  }
  const small = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    const text = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!text || el.offsetParent === null) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 12 - 0.01) small.add(el.tagName.toLowerCase() + ' at ' + (size * 0.75).toFixed(1) + ' pt');
  }
  for (const s of small) problems.push('printed text below 9 pt: ' + s);
  document.body.setAttribute('data-height', String(document.documentElement.scrollHeight));
  document.body.setAttribute('data-check', problems.length ? problems.join('; ') : 'ok');
});
</script>
";

/// The slides on a 16:9 screen: every image loads, and no slide's content is cut off or wider than the slide.
const SLIDES_CHECK: &str = "<script>
window.addEventListener('load', () => {
  const problems = [];
  for (const img of document.images) {
    const shown = getComputedStyle(img).display !== 'none';
    if (shown && (!img.complete || img.naturalWidth === 0)) problems.push('image ' + img.getAttribute('src') + ' does not load');
  }
  const slides = document.querySelectorAll('.slide');
  slides.forEach((s, i) => {
    if (s.scrollHeight > s.clientHeight + 1 || s.scrollWidth > s.clientWidth + 1) problems.push('slide ' + (i + 1) + ' does not fit its screen');
    const ratio = s.clientWidth / s.clientHeight;
    if (Math.abs(ratio - 16 / 9) > 0.02) problems.push('slide ' + (i + 1) + ' is not 16:9');
  });
  document.body.setAttribute('data-slides', String(slides.length));
  document.body.setAttribute('data-check', problems.length ? problems.join('; ') : 'ok');
});
</script>
";

/// An attribute of the page's body after a check script ran, or None when the page did not finish loading.
fn body_attribute(dom: &str, attribute: &str) -> Option<String> {
    dom.split(&format!("{attribute}=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(str::to_string)
}

/// Loads `page` with `script` added at its end (and `rewrite` applied to it) in a window of `size`, and returns the
/// DOM after load and the browser's log.
fn load_checked(page: &Path, script: &str, rewrite: impl Fn(&str) -> String, size: &str) -> (String, String) {
    let html = std::fs::read_to_string(page).unwrap();
    let checked = page.with_extension("check.html");
    std::fs::write(&checked, rewrite(&html).replace("</body>", &format!("{script}</body>"))).unwrap();
    let result = run_chromium(&[
        &format!("--window-size={size}"),
        "--virtual-time-budget=10000",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        &format!("file://{}", checked.display()),
    ]);
    std::fs::remove_file(&checked).unwrap();
    result
}

/// The pages of a PDF as (width, height) in points, from their MediaBox.
fn pdf_pages(pdf: &Path) -> Vec<(f64, f64)> {
    let bytes = std::fs::read(pdf).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    text.match_indices("/MediaBox [")
        .map(|(i, m)| {
            let numbers: Vec<f64> = text[i + m.len()..]
                .split(']')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect();
            if numbers.len() == 4 {
                (numbers[2] - numbers[0], numbers[3] - numbers[1])
            } else {
                (0.0, 0.0)
            }
        })
        .collect()
}

fn print_to_pdf(page: &Path, pdf: &Path) -> Vec<(f64, f64)> {
    run_chromium(&[
        "--no-pdf-header-footer",
        &format!("--print-to-pdf={}", pdf.display()),
        &format!("file://{}", page.display()),
    ]);
    pdf_pages(pdf)
}

/// The problems of one pack in the browser; empty when there are none.
fn check_pack(pack: &Path, shots: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let name = pack.file_name().unwrap().to_string_lossy().into_owned();
    let index = pack.join("index.html");

    // On screen, at the width of an A4 page (794 CSS px is 210 mm).
    let (dom, log) = load_checked(&index, CHECK, str::to_string, "794,1123");
    match body_attribute(&dom, "data-check").as_deref() {
        Some("ok") => {}
        Some(found) => problems.push(format!("{name}: {found}")),
        None => problems.push(format!("{name}: the page did not finish loading")),
    }
    for line in log.lines().filter(|l| l.contains(":CONSOLE")) {
        problems.push(format!("{name}: console: {line}"));
    }

    // The print rules, checked as the page's own at the A4 text width.
    let (dom, _) = load_checked(
        &index,
        PRINT_CHECK,
        |h| h.replace("@media print", "@media all"),
        "680,1009",
    );
    match body_attribute(&dom, "data-check").as_deref() {
        Some("ok") => {}
        Some(found) => problems.push(format!("{name}: {found}")),
        None => problems.push(format!("{name}: the page as printed did not finish loading")),
    }
    let height: f64 = body_attribute(&dom, "data-height")
        .and_then(|h| h.parse().ok())
        .unwrap_or(0.0);

    // Printed: every page A4 (595 × 842 pt), and no more pages than the content needs plus one, so that charts
    // moved to the next page leave no run of half-empty pages (267 mm of text height is 1009 CSS px).
    let pages = print_to_pdf(&index, &shots.join(format!("{name}.pdf")));
    if pages.is_empty() {
        problems.push(format!("{name}: printing gave no PDF"));
    }
    for &(w, h) in &pages {
        if (w - 595.3).abs() > 1.5 || (h - 841.9).abs() > 1.5 {
            problems.push(format!("{name}: a printed page is not A4: {w} × {h} pt"));
        }
    }
    let needed = (height / 1009.0).ceil() as usize;
    if pages.len() > needed + 1 {
        problems.push(format!(
            "{name}: prints as {} A4 pages where its content fills {needed}: pages are left half empty",
            pages.len()
        ));
    }

    // The slides: every slide fits a 16:9 screen, and prints as one 16:9 page.
    let slides = pack.join("slides.html");
    let (dom, log) = load_checked(&slides, SLIDES_CHECK, str::to_string, "1280,720");
    match body_attribute(&dom, "data-check").as_deref() {
        Some("ok") => {}
        Some(found) => problems.push(format!("{name} slides: {found}")),
        None => problems.push(format!("{name}: the slides did not finish loading")),
    }
    for line in log.lines().filter(|l| l.contains(":CONSOLE")) {
        problems.push(format!("{name} slides: console: {line}"));
    }
    let count: usize = body_attribute(&dom, "data-slides")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let printed = print_to_pdf(&slides, &shots.join(format!("{name}-slides.pdf")));
    if count < 4 || printed.len() != count {
        problems.push(format!("{name}: {count} slides print as {} pages", printed.len()));
    }
    for &(w, h) in &printed {
        if h <= 0.0 || (w / h - 16.0 / 9.0).abs() > 0.01 {
            problems.push(format!("{name}: a printed slide is not 16:9: {w} × {h} pt"));
        }
    }

    // A screenshot of the page and of the first slides, for people to look at.
    for (page, shot, size) in [
        (&index, format!("{name}.png"), "1280,4000"),
        (&slides, format!("{name}-slides.png"), "1280,2200"),
    ] {
        let shot = shots.join(shot);
        run_chromium(&[
            &format!("--window-size={size}"),
            &format!("--screenshot={}", shot.display()),
            &format!("file://{}", page.display()),
        ]);
        if std::fs::metadata(&shot).map_or(0, |m| m.len()) < 10_000 {
            problems.push(format!("{name}: no screenshot of {}", page.display()));
        }
    }
    problems
}

/// The index beside the packs links every pack's page, slides and tables, and each link leads to a file.
fn check_index(folder: &Path, packs: usize) -> Vec<String> {
    let index = folder.join("index.html");
    let Ok(html) = std::fs::read_to_string(&index) else {
        return vec![format!("{}: missing", index.display())];
    };
    let links: Vec<&str> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .collect();
    let mut problems: Vec<String> = links
        .iter()
        .filter(|l| !folder.join(l).is_file())
        .map(|l| format!("{}: the link {l} leads nowhere", index.display()))
        .collect();
    if links.len() != 3 * packs {
        problems.push(format!("{}: {} links for {packs} packs", index.display(), links.len()));
    }
    problems
}

#[test]
fn demo_packs_open_print_and_show_in_chromium_in_both_languages() {
    if !external_tool(
        &chromium(),
        "the feedback packs in headless Chromium (images, width, console, A4 print)",
        "Install Debian's `chromium` (or name the binary in CROSSCASE_CHROMIUM)",
    ) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = crosscase(&repo(), &["demo", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let english = tmp.path().join("en");
    let db = out.join("crosscase.sqlite");
    let run = crosscase(
        tmp.path(),
        &[
            "feedback",
            "--db",
            db.to_str().unwrap(),
            "--out",
            english.to_str().unwrap(),
            "--lang",
            "en",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Screenshots and PDFs go to target/browser-check, where a person can look at them after the run.
    let shots = repo().join("target/browser-check");
    std::fs::create_dir_all(&shots).unwrap();
    let mut packs: Vec<PathBuf> = Vec::new();
    for folder in [out.join("feedback"), english.clone()] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        found.sort();
        packs.extend(found);
    }
    assert_eq!(packs.len(), 10);
    let mut problems = check_index(&out.join("feedback"), 5);
    problems.extend(check_index(&english, 5));
    for (i, pack) in packs.iter().enumerate() {
        let language = if i < 5 { "sv" } else { "en" };
        let dir = shots.join(language);
        std::fs::create_dir_all(&dir).unwrap();
        problems.extend(check_pack(pack, &dir));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
