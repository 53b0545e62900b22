//! A pack as slides for the projector (`slides.html`): one finding per 16:9 screen, moved through with the keyboard,
//! and printed one slide per 16:9 page. The slides show what the page shows, from the same parts; they compute
//! nothing.

use crate::html::escape;
use crate::page::{ChartRef, WorkshopSlides};
use crate::text::Strings;

/// One screen of the slides.
pub(crate) enum Slide {
    /// The first slide: whose pack, the project, and how to move through the slides.
    Title {
        name: String,
        project: String,
    },
    /// How participants join a live workshop: the code, the address and its QR code.
    Join(WorkshopSlides),
    /// One conclusion in plain words, under its heading; in a live workshop, with the number of the finding whose
    /// reactions the slide shows.
    Finding {
        heading: String,
        text: String,
        reactions: Option<usize>,
    },
    Chart(ChartRef),
    /// A section of the page as it is (its own heading included), such as the change between waves.
    Section(String),
    /// Quotes under one theme: (quote, attribution).
    Quotes {
        theme: String,
        quotes: Vec<(String, String)>,
    },
    /// The closing questions for the discussion.
    Discuss,
}

/// Quotes per slide: two of the longest still fit a 16:9 screen at a size read from the back of a room.
pub(crate) const QUOTES_PER_SLIDE: usize = 2;

const CSS: &str = "
html { background: #2b2b2b; }
body { margin: 0; font-family: 'DejaVu Sans', 'Segoe UI', Arial, sans-serif; color: #222; }
.slide { position: relative; width: 100vw; height: 56.25vw; margin: 0 auto 1.5vw; padding: 3.2vw 5vw 3.6vw;
  box-sizing: border-box; background: #fff; display: flex; flex-direction: column; overflow: hidden;
  font-size: 2.3vw; line-height: 1.35; }
.slide h1 { font-size: 2.3em; margin: auto 0 .3em; }
.slide h2 { font-size: 1.45em; margin: 0 0 .5em; }
.slide .project, .slide .hint, .slide footer { color: #666; }
.slide .hint { margin: 0 0 auto; font-size: .8em; }
.slide p.statement { font-size: 1.35em; margin: auto 0; max-width: 34em; }
.slide img { flex: 1 1 0; min-height: 0; width: 100%; height: auto; object-fit: contain; }
.slide img.print { display: none; }
.slide table { border-collapse: collapse; width: 100%; font-size: .72em; }
.slide th, .slide td { text-align: left; padding: .2em .5em; border-bottom: 1px solid #ddd; }
.slide td.num, .slide th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.slide section { font-size: .6em; }
.slide section > h2 { font-size: 2.4em; }
.slide section td, .slide section th { padding: .15em .5em; }
.slide section p { margin: .3em 0; }
.slide section table { font-size: 1em; }
.slide .muted { color: #666; }
.slide blockquote { margin: 0 0 .8em; padding: .3em .8em; border-left: .25em solid #e69f00; background: #fdf8ee; font-size: .85em; }
.slide blockquote p { margin: 0 0 .2em; }
.slide blockquote footer { font-size: .8em; }
.slide ul.discuss { font-size: 1.35em; margin: auto 0; }
.slide .join { display: flex; gap: 4vw; align-items: center; margin: auto 0; }
.slide .join svg { width: 22vw; height: 22vw; flex: none; }
.slide .join .code { font-size: 3em; font-weight: bold; letter-spacing: .12em; margin: .2em 0; }
.slide .reactions { font-size: .8em; color: #444; margin: 0 0 .5em; }
.slide .reactions ol { display: flex; gap: .6em; list-style: none; padding: 0; margin: .3em 0; }
.slide .reactions li { border-bottom: solid #0072b2; padding: 0 .3em; font-variant-numeric: tabular-nums; }
.slide .number { position: absolute; right: 2vw; bottom: 1.2vw; color: #666; font-size: .6em; }
@page { size: 320mm 180mm; margin: 0; }
@media print {
  html { background: #fff; }
  .slide { width: 320mm; height: 180mm; margin: 0; font-size: 17pt; break-after: page; page-break-after: always; }
  .slide img.screen, .slide .hint { display: none; }
  .slide img.print { display: block; }
}
";

/// Keyboard navigation: next with →, ↓, Page Down or space, back with ←, ↑ or Page Up, Home and End, F for full
/// screen. No other script, nothing fetched.
const SCRIPT: &str = "
(() => {
  const slides = Array.from(document.querySelectorAll('.slide'));
  let at = 0;
  const go = (i) => {
    at = Math.max(0, Math.min(slides.length - 1, i));
    slides[at].scrollIntoView({ block: 'center' });
  };
  document.addEventListener('keydown', (e) => {
    const next = ['ArrowRight', 'ArrowDown', 'PageDown', ' '];
    const back = ['ArrowLeft', 'ArrowUp', 'PageUp'];
    if (next.includes(e.key)) go(at + 1);
    else if (back.includes(e.key)) go(at - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(slides.length - 1);
    else if (e.key === 'f' || e.key === 'F') {
      if (document.fullscreenElement) document.exitFullscreen(); else document.documentElement.requestFullscreen();
    } else return;
    e.preventDefault();
  });
})();
";

/// A live workshop's reactions: every two seconds the server's `reactions.json` (beside the slides) is read and each
/// finding's slide shows how many have answered and, once at least the threshold have, how the ratings fall.
const REACTIONS_SCRIPT: &str = "
(() => {
  const boxes = Array.from(document.querySelectorAll('.reactions'));
  const fill = (t, n, k) => t.replace('{n}', n).replace('{k}', k);
  const show = (data) => {
    for (const box of boxes) {
      const f = data.findings[Number(box.dataset.finding)];
      if (!f) continue;
      box.textContent = '';
      const p = document.createElement('p');
      p.textContent = fill(f.shown ? box.dataset.shown : box.dataset.waiting, f.answered, data.threshold);
      box.appendChild(p);
      if (f.shown) {
        const ol = document.createElement('ol');
        f.ratings.forEach((c, i) => {
          const li = document.createElement('li');
          li.textContent = (i + 1) + ': ' + c;
          ol.appendChild(li);
        });
        box.appendChild(ol);
        const c = document.createElement('p');
        c.textContent = fill(box.dataset.comments, f.comments, data.threshold);
        box.appendChild(c);
      }
    }
  };
  const poll = () => fetch('reactions.json', { credentials: 'same-origin', cache: 'no-store' })
    .then((r) => r.ok ? r.json() : null).then((d) => { if (d) show(d); }).catch(() => {});
  poll();
  setInterval(poll, 2000);
})();
";

/// The slides as one HTML file, in the pack's language.
pub(crate) fn slides_html(title: &str, lang: &str, slides: &[Slide], s: &Strings) -> String {
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(title)
    );
    for (i, slide) in slides.iter().enumerate() {
        h.push_str(&format!("<section class=\"slide\" id=\"slide-{}\">\n", i + 1));
        match slide {
            Slide::Title { name, project } => {
                h.push_str(&format!(
                    "<h1>{} {}</h1>\n<p class=\"project\">{}</p>\n<p class=\"hint\">{}</p>\n",
                    escape(s.feedback_title),
                    escape(name),
                    escape(project),
                    escape(s.slides_hint)
                ));
            }
            Slide::Join(w) => {
                h.push_str(&format!(
                    "<h2>{}</h2>\n<div class=\"join\">{}<div><p>{}</p><p class=\"code\" id=\"join-code\">{}</p></div></div>\n",
                    escape(s.join_title),
                    w.qr_svg,
                    escape(&s.join_text.replace("{url}", &w.join_url)),
                    escape(&w.join_code)
                ));
            }
            Slide::Finding {
                heading,
                text,
                reactions,
            } => {
                h.push_str(&format!(
                    "<h2>{}</h2>\n<p class=\"statement\">{}</p>\n",
                    escape(heading),
                    escape(text)
                ));
                if let Some(k) = reactions {
                    h.push_str(&format!(
                        "<div class=\"reactions\" data-finding=\"{k}\" data-waiting=\"{}\" data-shown=\"{}\" data-comments=\"{}\"></div>\n",
                        escape(s.reactions_waiting),
                        escape(s.reactions_shown),
                        escape(s.reactions_comments)
                    ));
                }
            }
            Slide::Chart(chart) => {
                // The chart carries its own title.
                h.push_str(&chart.images());
            }
            Slide::Section(html) => h.push_str(html),
            Slide::Quotes { theme, quotes } => {
                h.push_str(&format!("<h2>{}</h2>\n", escape(theme)));
                for (text, attribution) in quotes {
                    h.push_str(&format!(
                        "<blockquote><p>{}</p><footer>{}</footer></blockquote>\n",
                        escape(text),
                        escape(attribution)
                    ));
                }
            }
            Slide::Discuss => {
                h.push_str(&format!(
                    "<h2>{}</h2>\n<ul class=\"discuss\">\n",
                    escape(s.discuss_title)
                ));
                for prompt in s.discuss_prompts {
                    h.push_str(&format!("<li>{}</li>\n", escape(prompt)));
                }
                h.push_str("</ul>\n");
            }
        }
        h.push_str(&format!(
            "<span class=\"number\">{} / {}</span>\n</section>\n",
            i + 1,
            slides.len()
        ));
    }
    h.push_str(&format!("<script>{SCRIPT}</script>\n"));
    if slides.iter().any(|s| matches!(s, Slide::Join(_))) {
        h.push_str(&format!("<script>{REACTIONS_SCRIPT}</script>\n"));
    }
    h.push_str("</body>\n</html>\n");
    h
}
