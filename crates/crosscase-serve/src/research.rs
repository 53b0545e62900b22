//! `crosscase serve`: the research team's matrices (code × municipality, role, unit and wave), as the packs disclose
//! them, with click-through from a shown cell to the segments behind it (source, kind, roles, wave, coder, the quote
//! with personal data masked). A hidden cell shows its reason and is no link, and its segments are refused (404)
//! even when asked for by address. The matrices come disclosed from the report layer; this module only renders.
//!
//! Loopback peers are let in; any other peer needs the research token printed on the terminal (`?token=…`, then a
//! cookie for `/research`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use crosscase_model::{Language, Screen};
use crosscase_store::{SegmentGroup, Store};

use crate::pages::{escape, html};
use crate::{Bound, PackFiles, ServeError, security};

/// A cell of the matrix as the packs show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatrixCell {
    /// `count` of `base` sources.
    Shown { count: u64, base: u64 },
    /// Hidden, with the reason in words.
    Hidden(String),
}

/// A row of the matrix: a code of the codebook.
#[derive(Clone, Debug)]
pub struct MatrixCode {
    pub id: String,
    pub label: String,
    pub depth: usize,
}

/// What a matrix's columns are, and so which sources a cell's segments come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixBy {
    Municipality,
    Role,
    Unit,
    Wave,
}

impl MatrixBy {
    /// The matrix's part of the address (`/research/by/<by>/`).
    pub fn as_str(self) -> &'static str {
        match self {
            MatrixBy::Municipality => "municipality",
            MatrixBy::Role => "role",
            MatrixBy::Unit => "unit",
            MatrixBy::Wave => "wave",
        }
    }

    fn group(self, id: &str) -> SegmentGroup {
        let id = id.to_string();
        match self {
            MatrixBy::Municipality => SegmentGroup::Municipality(id),
            MatrixBy::Role => SegmentGroup::Role(id),
            MatrixBy::Unit => SegmentGroup::Unit(id),
            MatrixBy::Wave => SegmentGroup::Wave(id),
        }
    }
}

/// A column of a matrix.
#[derive(Clone, Debug)]
pub struct MatrixColumn {
    /// The group's id: a kommunkod, a role as stored, a unit id or a wave id.
    pub id: String,
    pub label: String,
    /// The kommunkod of the pack the column's figures belong to (a municipality, a unit's municipality).
    pub pack: Option<String>,
}

/// One matrix, rows the codes of [`ResearchConfig::codes`].
#[derive(Clone, Debug)]
pub struct Matrix {
    pub by: MatrixBy,
    pub title: String,
    pub columns: Vec<MatrixColumn>,
    /// `cells[code][column]`.
    pub cells: Vec<Vec<MatrixCell>>,
}

/// What `crosscase serve` shows.
pub struct ResearchConfig {
    pub db: PathBuf,
    pub project: String,
    pub language: Language,
    pub codes: Vec<MatrixCode>,
    /// (kommunkod, name): the municipalities whose packs can be asked for.
    pub municipalities: Vec<(String, String)>,
    /// The matrices, the code × municipality one first.
    pub matrices: Vec<Matrix>,
    pub screen: Screen,
    /// The key the research token is derived from (drawn anew at each start).
    pub key: String,
    /// Writes a municipality's pack (by kommunkod) when it is first asked for; the caller makes it through the same
    /// path as `crosscase feedback`.
    pub packs: PackMaker,
}

/// Makes one municipality's pack, by kommunkod.
pub type PackMaker = Arc<dyn Fn(&str) -> Result<PackFiles, String> + Send + Sync>;

/// The research token for a key: the secret part of the address printed on the terminal.
pub fn research_token(key: &str) -> String {
    security::hmac(key.as_bytes(), b"research")[..40].to_string()
}

struct Research {
    config: ResearchConfig,
    token: String,
    store: Mutex<Store>,
    /// The packs written so far, by kommunkod.
    packs: Mutex<std::collections::HashMap<String, Arc<PackFiles>>>,
}

/// At most this many segments on one cell's page.
const SEGMENTS_SHOWN: usize = 500;
const RESEARCH_COOKIE: &str = "crosscase_research";

/// Serves the matrix until the process is interrupted.
pub fn run_research(bound: Bound, config: ResearchConfig) -> Result<(), ServeError> {
    let store = Store::open_read_only(&config.db)?;
    let app = Arc::new(Research {
        token: research_token(&config.key),
        config,
        store: Mutex::new(store),
        packs: Mutex::new(std::collections::HashMap::new()),
    });
    let router = Router::new()
        .route("/research", get(login))
        .route("/research/", get(first_matrix))
        .route("/research/by/{by}/", get(matrix))
        .route("/research/cell/{code}/{kommunkod}", get(municipality_cell))
        .route("/research/by/{by}/cell/{code}/{group}", get(cell))
        .route("/research/pack/{kommunkod}/", get(pack_index))
        .route("/research/pack/{kommunkod}/{name}", get(pack_file))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
        .with_state(app);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(bound.listener)?;
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })?;
    Ok(())
}

fn allowed(app: &Research, peer: SocketAddr, headers: &HeaderMap) -> bool {
    crate::is_loopback(peer.ip())
        || security::cookie(headers, RESEARCH_COOKIE).is_some_and(|c| security::same_secret(&c, &app.token))
}

fn guarded(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn refused() -> Response {
    guarded(html(
        StatusCode::FORBIDDEN,
        "<!DOCTYPE html>\n<p>This page is for the research team: open the address crosscase serve printed on its \
         terminal.</p>\n"
            .to_string(),
    ))
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

async fn login(State(app): State<Arc<Research>>, Query(q): Query<TokenQuery>) -> Response {
    if !q.token.as_deref().is_some_and(|t| security::same_secret(t, &app.token)) {
        return refused();
    }
    let mut r = StatusCode::SEE_OTHER.into_response();
    r.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/research/"));
    let cookie = format!(
        "{RESEARCH_COOKIE}={}; Path=/research; HttpOnly; SameSite=Strict",
        app.token
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

const CSS: &str = "
body { font-family: 'DejaVu Sans', 'Segoe UI', Arial, sans-serif; color: #222; margin: 1rem; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { padding: .2rem .45rem; border-bottom: 1px solid #ddd; text-align: right; font-variant-numeric: tabular-nums; }
th:first-child, td:first-child { text-align: left; }
td.hidden { color: #888; }
td a { color: #0072b2; }
blockquote { margin: .4rem 0 .8rem; padding: .3rem .8rem; border-left: 4px solid #e69f00; background: #fdf8ee; }
.muted { color: #666; }
";

fn page(language: Language, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        language.as_str(),
        escape(title)
    )
}

/// Percent-encodes a path segment (ids are ordinary text, but nothing is assumed).
fn segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The address of a shown cell's segments.
fn cell_address(by: MatrixBy, code: &str, group: &str) -> String {
    match by {
        MatrixBy::Municipality => format!("/research/cell/{}/{}", segment(code), segment(group)),
        _ => format!("/research/by/{}/cell/{}/{}", by.as_str(), segment(code), segment(group)),
    }
}

fn matrix_address(by: MatrixBy) -> String {
    match by {
        MatrixBy::Municipality => "/research/".to_string(),
        _ => format!("/research/by/{}/", by.as_str()),
    }
}

async fn first_matrix(
    State(app): State<Arc<Research>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !allowed(&app, peer, &headers) {
        return refused();
    }
    render_matrix(&app, 0)
}

async fn matrix(
    State(app): State<Arc<Research>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(by): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !allowed(&app, peer, &headers) {
        return refused();
    }
    match app.config.matrices.iter().position(|m| m.by.as_str() == by) {
        Some(k) => render_matrix(&app, k),
        None => guarded((StatusCode::NOT_FOUND, "no such matrix").into_response()),
    }
}

fn render_matrix(app: &Research, k: usize) -> Response {
    let c = &app.config;
    let Some(m) = c.matrices.get(k) else {
        return guarded((StatusCode::NOT_FOUND, "no such matrix").into_response());
    };
    let mut h = format!("<h1>{} · {}</h1>\n<p>", escape(&c.project), escape(&m.title));
    let nav: Vec<String> = c
        .matrices
        .iter()
        .map(|other| {
            if other.by == m.by {
                format!("<strong>{}</strong>", escape(&other.title))
            } else {
                format!("<a href=\"{}\">{}</a>", matrix_address(other.by), escape(&other.title))
            }
        })
        .collect();
    h.push_str(&nav.join(" · "));
    h.push_str(
        "</p>\n<p class=\"muted\">Sources with each code (or a code below it), of all sources in the column, as the \
         feedback packs' disclosure allows: a hidden cell says why, and nothing shown here and in the packs together \
         gives away a hidden count. Click a figure for its segments.</p>\n<table>\n<thead><tr><th>Code</th>",
    );
    for col in &m.columns {
        match (&col.pack, m.by) {
            (Some(pack), MatrixBy::Municipality) => h.push_str(&format!(
                "<th title=\"{}\"><a href=\"/research/pack/{}/\">{}</a></th>",
                escape(&col.id),
                segment(pack),
                escape(&col.label)
            )),
            _ => h.push_str(&format!(
                "<th title=\"{}\">{}</th>",
                escape(&col.id),
                escape(&col.label)
            )),
        }
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (ci, code) in c.codes.iter().enumerate() {
        h.push_str(&format!(
            "<tr><td title=\"{}\" style=\"padding-left:{}rem\">{}</td>",
            escape(&code.id),
            0.45 + code.depth as f64 * 1.2,
            escape(&code.label)
        ));
        for (gi, col) in m.columns.iter().enumerate() {
            match &m.cells[ci][gi] {
                MatrixCell::Shown { count, base } => h.push_str(&format!(
                    "<td><a href=\"{}\">{count} / {base}</a></td>",
                    cell_address(m.by, &code.id, &col.id)
                )),
                MatrixCell::Hidden(why) => h.push_str(&format!("<td class=\"hidden\">{}</td>", escape(why))),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    if m.columns.is_empty() {
        h.push_str(&format!(
            "<p class=\"muted\">No source of this project has a {}.</p>\n",
            m.by.as_str()
        ));
    }
    guarded(html(StatusCode::OK, page(c.language, &c.project, &h)))
}

async fn municipality_cell(
    State(app): State<Arc<Research>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((code, kommunkod)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !allowed(&app, peer, &headers) {
        return refused();
    }
    segments_page(app, MatrixBy::Municipality, code, kommunkod).await
}

async fn cell(
    State(app): State<Arc<Research>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((by, code, group)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if !allowed(&app, peer, &headers) {
        return refused();
    }
    let Some(by) = app.config.matrices.iter().map(|m| m.by).find(|b| b.as_str() == by) else {
        return guarded((StatusCode::NOT_FOUND, "no such matrix").into_response());
    };
    segments_page(app, by, code, group).await
}

/// The segments behind a shown cell: its source, kind, roles, wave and coder, the quote masked by the screen.
async fn segments_page(app: Arc<Research>, by: MatrixBy, code: String, group: String) -> Response {
    let c = &app.config;
    let Some(m) = c.matrices.iter().find(|m| m.by == by) else {
        return guarded((StatusCode::NOT_FOUND, "no such matrix").into_response());
    };
    let (Some(ci), Some(gi)) = (
        c.codes.iter().position(|x| x.id == code),
        m.columns.iter().position(|x| x.id == group),
    ) else {
        return guarded((StatusCode::NOT_FOUND, "no such cell").into_response());
    };
    // Only a cell the packs' disclosure lets through has segments to show.
    let MatrixCell::Shown { count, base } = &m.cells[ci][gi] else {
        return guarded((StatusCode::NOT_FOUND, "this cell is hidden in the packs").into_response());
    };
    let (count, base) = (*count, *base);
    let column = m.columns[gi].clone();
    let app2 = app.clone();
    let wanted = by.group(&group);
    let found = tokio::task::spawn_blocking(move || {
        let store = app2.store.lock().unwrap_or_else(|e| e.into_inner());
        store.group_segments(Some(&app2.config.project), &code, &wanted, SEGMENTS_SHOWN)
    })
    .await;
    let (segments, more) = match found {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => return guarded((StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()),
        Err(_) => return guarded(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    };
    let mut links = vec![format!("<a href=\"{}\">← {}</a>", matrix_address(by), escape(&m.title))];
    if let Some(pack) = &column.pack {
        if by == MatrixBy::Municipality {
            links.push(format!(
                "<a href=\"/research/pack/{}/heatmap.svg\">the same figure in the pack's heatmap</a>",
                segment(pack)
            ));
        }
        links.push(format!("<a href=\"/research/pack/{}/\">the pack</a>", segment(pack)));
    }
    let mut h = format!(
        "<p>{}</p>\n<h1>{} · {}</h1>\n<p class=\"muted\">{count} of {base} sources; {} segments{}.</p>\n",
        links.join(" · "),
        escape(&c.codes[ci].label),
        escape(&column.label),
        segments.len(),
        if more {
            format!(", the first {SEGMENTS_SHOWN} shown")
        } else {
            String::new()
        }
    );
    for s in &segments {
        let quote = s
            .quote
            .as_deref()
            .map_or_else(String::new, |q| c.screen.mask(q, c.language));
        h.push_str(&format!(
            "<blockquote><p>{}</p><footer class=\"muted\">{} · {} · {} · {} · {}</footer></blockquote>\n",
            escape(&quote),
            escape(&s.source),
            escape(&s.kind),
            escape(&if s.roles.is_empty() {
                "–".to_string()
            } else {
                s.roles.join(", ")
            }),
            escape(s.wave.as_deref().unwrap_or("–")),
            escape(&s.coder)
        ));
    }
    guarded(html(StatusCode::OK, page(c.language, &c.codes[ci].label, &h)))
}

/// A municipality's pack, written on first request and kept.
async fn pack_of(app: &Arc<Research>, kommunkod: &str) -> Result<Arc<PackFiles>, Response> {
    if !app.config.municipalities.iter().any(|(k, _)| k == kommunkod) {
        return Err(guarded((StatusCode::NOT_FOUND, "no such municipality").into_response()));
    }
    if let Some(p) = app.packs.lock().unwrap_or_else(|e| e.into_inner()).get(kommunkod) {
        return Ok(p.clone());
    }
    let (maker, k) = (app.config.packs.clone(), kommunkod.to_string());
    let made = tokio::task::spawn_blocking(move || maker(&k)).await;
    match made {
        Ok(Ok(files)) => {
            let files = Arc::new(files);
            app.packs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(kommunkod.to_string(), files.clone());
            Ok(files)
        }
        Ok(Err(e)) => Err(guarded((StatusCode::INTERNAL_SERVER_ERROR, e).into_response())),
        Err(_) => Err(guarded(StatusCode::INTERNAL_SERVER_ERROR.into_response())),
    }
}

async fn pack_index(
    State(app): State<Arc<Research>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(kommunkod): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !allowed(&app, peer, &headers) {
        return refused();
    }
    match pack_of(&app, &kommunkod).await {
        Ok(pack) => match pack.assets.get("index.html") {
            Some(page) => guarded(html(StatusCode::OK, String::from_utf8_lossy(page).into_owned())),
            None => guarded(StatusCode::NOT_FOUND.into_response()),
        },
        Err(r) => r,
    }
}

/// One of the pack's files, looked up by its exact name among the files the pack wrote: never a path on disk.
async fn pack_file(
    State(app): State<Arc<Research>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((kommunkod, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !allowed(&app, peer, &headers) {
        return refused();
    }
    let pack = match pack_of(&app, &kommunkod).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if name == "slides.html" {
        return guarded(html(StatusCode::OK, pack.slides_html.clone()));
    }
    let Some(bytes) = pack.assets.get(&name) else {
        return guarded((StatusCode::NOT_FOUND, "not found").into_response());
    };
    let kind = match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    };
    guarded(([(header::CONTENT_TYPE, kind)], bytes.clone()).into_response())
}
