//! The participants' pages, rendered on the server: the reaction form and short messages. Every piece of data is
//! escaped; the pages load nothing from elsewhere and need no script.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use crosscase_model::Language;

use crate::text::{Strings, strings};

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "
body { font-family: 'DejaVu Sans', 'Segoe UI', Arial, sans-serif; color: #222; margin: 0 auto; max-width: 40rem;
  padding: 1rem; line-height: 1.45; font-size: 1.05rem; }
h1 { font-size: 1.5rem; }
section { border-top: 1px solid #ccc; padding: .8rem 0 1.2rem; }
section h2 { font-size: .9rem; color: #666; margin: 0 0 .3rem; font-weight: normal; }
.statement { font-size: 1.1rem; margin: 0 0 .8rem; }
fieldset { border: none; padding: 0; margin: 0 0 .8rem; }
legend { font-weight: bold; margin-bottom: .4rem; }
.scale { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
.scale label { display: inline-flex; flex-direction: column; align-items: center; min-width: 2.6rem; padding: .3rem;
  border: 1px solid #999; border-radius: .4rem; }
.scale small { color: #666; }
label.comment { font-weight: bold; display: block; margin-bottom: .3rem; }
textarea { width: 100%; box-sizing: border-box; min-height: 5rem; font: inherit; }
button { font: inherit; padding: .5rem 1.4rem; margin-top: .6rem; background: #0072b2; color: #fff; border: none;
  border-radius: .4rem; }
.saved { background: #e8f4e8; border-left: 4px solid #2e7d32; padding: .4rem .8rem; }
.muted { color: #666; }
";

pub(crate) fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

fn page(language: Language, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        language.as_str(),
        escape(title)
    )
}

/// A page with a heading and one sentence, in the participant's language.
pub(crate) fn message(
    status: StatusCode,
    language: Language,
    pick: impl Fn(&Strings) -> (&'static str, &'static str),
) -> Response {
    let (title, text) = pick(strings(language));
    html(
        status,
        page(
            language,
            title,
            &format!("<h1>{}</h1>\n<p>{}</p>\n", escape(title), escape(text)),
        ),
    )
}

/// What a participant (or anyone without the facilitator's address) gets for a facilitator page. The words are for
/// the facilitator, who may have opened the address without its token, so they are in English and Swedish.
pub(crate) fn facilitator_only(language: Language) -> Response {
    let text = match language {
        Language::Sv => {
            "Den här sidan är bara för den som leder workshoppen: öppna adressen som crosscase skrev ut i terminalen."
        }
        Language::En => "This page is for the facilitator only: open the address crosscase printed on its terminal.",
    };
    html(
        StatusCode::FORBIDDEN,
        page(language, "403", &format!("<h1>403</h1>\n<p>{}</p>\n", escape(text))),
    )
}

pub(crate) struct ParticipantPage<'a> {
    pub code: &'a str,
    pub language: Language,
    pub findings: &'a [&'a str],
    pub csrf: &'a str,
    pub saved: Option<usize>,
}

/// The reaction form: every finding with its two questions, each finding a form of its own.
pub(crate) fn participant(p: &ParticipantPage<'_>) -> String {
    let s = strings(p.language);
    let other = match p.language {
        Language::Sv => Language::En,
        Language::En => Language::Sv,
    };
    let code = escape(p.code);
    let mut h = format!(
        "<p class=\"muted\"><a href=\"/j/{code}?lang={}\" hreflang=\"{}\">{}</a></p>\n<h1>{}</h1>\n<p>{}</p>\n",
        other.as_str(),
        other.as_str(),
        escape(s.other_language),
        escape(s.title),
        escape(s.intro)
    );
    let n = p.findings.len();
    for (k, text) in p.findings.iter().enumerate() {
        h.push_str(&format!(
            "<section id=\"f{k}\">\n<h2>{}</h2>\n<p class=\"statement\">{}</p>\n",
            escape(
                &s.finding
                    .replace("{k}", &(k + 1).to_string())
                    .replace("{n}", &n.to_string())
            ),
            escape(text)
        ));
        if p.saved == Some(k) {
            h.push_str(&format!("<p class=\"saved\" role=\"status\">{}</p>\n", escape(s.saved)));
        }
        h.push_str(&format!(
            "<form method=\"post\" action=\"/j/{code}/r\">\n<input type=\"hidden\" name=\"csrf\" value=\"{}\">\n<input type=\"hidden\" name=\"finding\" value=\"{k}\">\n<input type=\"hidden\" name=\"lang\" value=\"{}\">\n<fieldset>\n<legend>{}</legend>\n<div class=\"scale\">\n",
            escape(p.csrf),
            p.language.as_str(),
            escape(s.question_rating)
        ));
        for v in 1..=5 {
            let hint = match v {
                1 => s.rating_low,
                5 => s.rating_high,
                _ => "",
            };
            h.push_str(&format!(
                "<label><input type=\"radio\" name=\"rating\" value=\"{v}\"> {v}<small>{}</small></label>\n",
                escape(hint)
            ));
        }
        h.push_str(&format!(
            "<label><input type=\"radio\" name=\"rating\" value=\"\"> <small>{}</small></label>\n</div>\n</fieldset>\n",
            escape(s.no_rating)
        ));
        h.push_str(&format!(
            "<label class=\"comment\" for=\"c{k}\">{}</label>\n<textarea id=\"c{k}\" name=\"comment\" maxlength=\"{}\"></textarea>\n<button type=\"submit\">{}</button>\n</form>\n</section>\n",
            escape(s.question_comment),
            crate::COMMENT_LIMIT,
            escape(s.send)
        ));
    }
    page(p.language, s.title, &h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_reaches_the_page_as_text() {
        let findings = ["<script>alert(1)</script> & \"x\""];
        let html = participant(&ParticipantPage {
            code: "ABC234",
            language: Language::En,
            findings: &findings,
            csrf: "t",
            saved: Some(0),
        });
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("How well does this describe your municipality?"));
        assert!(html.contains("Your answer is saved"));
        let sv = participant(&ParticipantPage {
            code: "ABC234",
            language: Language::Sv,
            findings: &findings,
            csrf: "t",
            saved: None,
        });
        assert!(sv.contains("Hur väl beskriver det här er kommun?"));
        assert!(sv.contains("Vad saknas eller är fel?"));
    }
}
