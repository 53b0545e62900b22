//! The demo's feedback packs in a real browser: headless Chromium (Debian's `chromium`, which `.ci/run` installs;
//! `CROSSCASE_CHROMIUM` names another binary) opens every pack in Swedish and English, prints it to PDF and takes a
//! screenshot. A pack fails on a console message, an image that does not load, content wider than an A4 page, or a
//! PDF that is not A4.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

fn chromium() -> String {
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

/// The problems of one pack in the browser; empty when there are none.
fn check_pack(pack: &Path, shots: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let name = pack.file_name().unwrap().to_string_lossy().into_owned();
    let index = pack.join("index.html");
    let url = |p: &Path| format!("file://{}", p.display());

    // Loaded at the width of an A4 page's content (794 CSS px is 210 mm), with the check added at its end.
    let html = std::fs::read_to_string(&index).unwrap();
    let checked = pack.join("index.check.html");
    std::fs::write(&checked, html.replace("</body>", &format!("{CHECK}</body>"))).unwrap();
    let (dom, log) = run_chromium(&[
        "--window-size=794,1123",
        "--virtual-time-budget=10000",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        &url(&checked),
    ]);
    std::fs::remove_file(&checked).unwrap();
    match dom.split("data-check=\"").nth(1).and_then(|r| r.split('"').next()) {
        Some("ok") => {}
        Some(found) => problems.push(format!("{name}: {found}")),
        None => problems.push(format!("{name}: the page did not finish loading")),
    }
    for line in log.lines().filter(|l| l.contains(":CONSOLE")) {
        problems.push(format!("{name}: console: {line}"));
    }

    // Printed: every page A4 (595 × 842 pt).
    let pdf = shots.join(format!("{name}.pdf"));
    run_chromium(&[
        "--no-pdf-header-footer",
        &format!("--print-to-pdf={}", pdf.display()),
        &url(&index),
    ]);
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let pages: Vec<String> = text
        .match_indices("/MediaBox [")
        .map(|(i, _)| text[i..].chars().take(60).collect())
        .collect();
    if !bytes.starts_with(b"%PDF") || pages.is_empty() {
        problems.push(format!("{name}: printing gave no PDF"));
    }
    for page in &pages {
        let numbers: Vec<f64> = page["/MediaBox [".len()..]
            .split(']')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        let a4 = numbers.len() == 4 && (numbers[2] - 595.3).abs() < 1.5 && (numbers[3] - 841.9).abs() < 1.5;
        if !a4 {
            problems.push(format!("{name}: a printed page is not A4: {page}"));
        }
    }

    // A screenshot for people to look at.
    let shot = shots.join(format!("{name}.png"));
    run_chromium(&[
        "--window-size=1280,4000",
        &format!("--screenshot={}", shot.display()),
        &url(&index),
    ]);
    if std::fs::metadata(&shot).map_or(0, |m| m.len()) < 10_000 {
        problems.push(format!("{name}: no screenshot"));
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
    for folder in [out.join("feedback"), english] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        found.sort();
        packs.extend(found);
    }
    assert_eq!(packs.len(), 10);
    let mut problems = Vec::new();
    for (i, pack) in packs.iter().enumerate() {
        let language = if i < 5 { "sv" } else { "en" };
        let dir = shots.join(language);
        std::fs::create_dir_all(&dir).unwrap();
        problems.extend(check_pack(pack, &dir));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
