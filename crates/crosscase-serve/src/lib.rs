//! The workshop server: a facilitator's slides with live reactions, and the participants' reaction form, over the
//! project database.
//!
//! One workshop per server. The facilitator's pages (`/facilitator/…`) need the secret token of the address the
//! binary prints; participants reach only `/j/<join code>` and its form. Nothing is served from a path a request
//! names: the pack's files are held in memory under their names, and anything else is 404. This crate never prints;
//! [`run_workshop`] reports through its callback and returns errors.

mod pages;
mod research;
mod security;
mod text;
mod writer;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Form, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use crosscase_model::Language;
use crosscase_store::{Reaction, Store, Workshop};

pub use research::{
    Matrix, MatrixBy, MatrixCell, MatrixCode, MatrixColumn, PackMaker, ResearchConfig, research_token, run_research,
};
pub use security::{join_code, random_hex};

/// The largest request body taken: a comment of 2,000 characters fits several times over.
pub const BODY_LIMIT: usize = 8 * 1024;
/// The longest comment, in characters.
pub const COMMENT_LIMIT: usize = 2000;

/// Errors of the server, each saying what to do.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "cannot listen on {addr}: {source}; give another address with --listen (e.g. 127.0.0.1:0 for any free port)"
    )]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot draw random numbers from the operating system: {0}")]
    Random(String),
    #[error("cannot make the QR code of {url}: {message}")]
    Qr { url: String, message: String },
    #[error(transparent)]
    Store(#[from] crosscase_store::StoreError),
}

/// The pack's slides and the files they show, read into memory by the caller.
#[derive(Clone, Debug, Default)]
pub struct PackFiles {
    pub slides_html: String,
    /// By file name (`bars.png`); served under `/facilitator/<name>` and nothing else.
    pub assets: BTreeMap<String, Vec<u8>>,
}

/// What the server needs.
pub struct WorkshopConfig {
    pub db: PathBuf,
    pub workshop: Workshop,
    pub pack: PackFiles,
    /// The finding sentences in the language other than the workshop's, when they could be made (same order).
    pub other_language_findings: Option<Vec<String>>,
    /// The project's disclosure threshold: the facilitator sees distributions once this many have answered.
    pub threshold: u32,
}

/// A listening socket, bound before the slides are made so that they can show its address.
pub struct Bound {
    listener: std::net::TcpListener,
}

impl Bound {
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound socket has an address")
    }
}

/// Connections that may wait to be accepted. The standard library listens with 128, which a room of phones connecting
/// at once overflows (200 simulated participants did on loopback); the kernel then drops the connection attempt and
/// the phone tries again only after a second.
const BACKLOG: i32 = 1024;

/// Binds `addr` (127.0.0.1 unless the facilitator opens the server to the room's network).
pub fn bind(addr: SocketAddr) -> Result<Bound, ServeError> {
    let failed = |source: std::io::Error| ServeError::Bind { addr, source };
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )
    .map_err(failed)?;
    // As `std::net::TcpListener::bind` does on Unix: a restarted server binds while the killed one's connections
    // linger in TIME_WAIT.
    #[cfg(unix)]
    socket.set_reuse_address(true).map_err(failed)?;
    socket.bind(&addr.into()).map_err(failed)?;
    socket.listen(BACKLOG).map_err(failed)?;
    let listener = std::net::TcpListener::from(socket);
    listener.set_nonblocking(true)?;
    Ok(Bound { listener })
}

/// The facilitator's secret token for a workshop (derived from its stored key, so it survives a restart).
pub fn facilitator_token(workshop: &Workshop) -> String {
    security::Keys::new(&workshop.secret).facilitator_token()
}

/// The QR code of `url` as an SVG element, black on white, without the XML declaration.
pub fn qr_svg(url: &str) -> Result<String, ServeError> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(|e| ServeError::Qr {
        url: url.to_string(),
        message: e.to_string(),
    })?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => svg,
    })
}

/// Who has answered what, each participant's latest reaction per finding; kept in memory for the live view.
#[derive(Default)]
struct Tally {
    /// Per finding: respondent → (rating, whether they commented).
    findings: Vec<HashMap<String, (Option<u8>, bool)>>,
}

impl Tally {
    fn add(&mut self, r: &Reaction) {
        if let Some(f) = self.findings.get_mut(r.finding) {
            f.insert(r.respondent.clone(), (r.rating, r.comment.is_some()));
        }
    }
}

struct App {
    workshop: Workshop,
    language: Language,
    findings_other: Option<Vec<String>>,
    pack: PackFiles,
    threshold: u32,
    keys: security::Keys,
    facilitator_token: String,
    closed: Arc<AtomicBool>,
    tally: Mutex<Tally>,
    jobs: Mutex<mpsc::Sender<writer::Job>>,
    limits: security::Limits,
}

type Shared = Arc<App>;

/// Serves the workshop until the process is interrupted (Ctrl-C). Every reaction is committed before it is
/// acknowledged, so stopping or killing the server loses none that a participant was told was saved.
pub fn run_workshop(bound: Bound, config: WorkshopConfig) -> Result<(), ServeError> {
    let store = Store::open_existing(&config.db)?;
    let reader = Store::open_existing(&config.db)?;
    let workshop = config.workshop;
    let mut tally = Tally {
        findings: vec![HashMap::new(); workshop.findings.len()],
    };
    for r in reader.reactions(workshop.id)? {
        tally.add(&r.reaction);
    }
    drop(reader);
    let closed = Arc::new(AtomicBool::new(workshop.closed_at.is_some()));
    let (jobs, receiver) = mpsc::channel();
    let writer = {
        let closed = closed.clone();
        let id = workshop.id;
        std::thread::Builder::new()
            .name("reaction-writer".into())
            .spawn(move || writer::run(store, id, receiver, closed))?
    };
    let keys = security::Keys::new(&workshop.secret);
    let language = workshop.language.parse().unwrap_or_default();
    let app = Arc::new(App {
        facilitator_token: keys.facilitator_token(),
        keys,
        language,
        findings_other: config
            .other_language_findings
            .filter(|f| f.len() == workshop.findings.len()),
        workshop,
        pack: config.pack,
        threshold: config.threshold.max(1),
        closed,
        tally: Mutex::new(tally),
        jobs: Mutex::new(jobs),
        limits: security::Limits {
            // A whole room may reach the server through one address (a NAT'ed guest network), so the limit per
            // address is generous; the one per participant session is what stops a runaway phone.
            by_peer: security::RateLimit::new(3000, 300),
            by_session: security::RateLimit::new(30, 1),
        },
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()?;
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(bound.listener)?;
        let router = router(app);
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    });
    // The router (and with it the last sender) is gone: the writer finishes what it holds and stops.
    drop(runtime);
    let _ = writer.join();
    Ok(result?)
}

fn router(app: Shared) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/j/{code}", get(participant_page))
        .route("/j/{code}/r", post(react))
        .route("/facilitator", get(facilitator_login))
        .route("/facilitator/", get(facilitator_slides))
        .route("/facilitator/reactions.json", get(reactions_json))
        .route("/facilitator/{name}", get(facilitator_asset))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Every request: the rate limit per peer address, and headers that keep the pages to themselves (no framing, no
/// scripts from elsewhere, no caching, no referrer with the join code or token in it).
async fn guard(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    let language = app.language;
    let mut response = if !app.limits.by_peer.allow(&peer.ip()) {
        pages::message(StatusCode::TOO_MANY_REQUESTS, language, |s| {
            (s.refused_title, s.too_many)
        })
    } else {
        let mut r = next.run(req).await;
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            r = pages::message(StatusCode::PAYLOAD_TOO_LARGE, language, |s| {
                (s.refused_title, s.too_large)
            });
        }
        r
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    response
}

async fn home(State(app): State<Shared>) -> Response {
    pages::message(StatusCode::NOT_FOUND, app.language, |s| {
        (s.not_found_title, s.not_found)
    })
}

async fn not_found(State(app): State<Shared>) -> Response {
    pages::message(StatusCode::NOT_FOUND, app.language, |s| {
        (s.not_found_title, s.not_found)
    })
}

#[derive(serde::Deserialize)]
struct LangQuery {
    lang: Option<String>,
    saved: Option<usize>,
}

/// The participant's language: asked for in the address, or the workshop's.
fn language_of(app: &App, asked: Option<&str>) -> Language {
    asked.and_then(|l| l.parse().ok()).unwrap_or(app.language)
}

/// The join code names this server's workshop and it is open.
fn open_code(app: &App, code: &str) -> bool {
    !app.closed.load(Ordering::SeqCst) && security::same_secret(code, &app.workshop.join_code)
}

const SESSION_COOKIE: &str = "crosscase_session";
const FACILITATOR_COOKIE: &str = "crosscase_facilitator";

async fn participant_page(
    State(app): State<Shared>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let language = language_of(&app, q.lang.as_deref());
    if !open_code(&app, &code.to_ascii_uppercase()) {
        return pages::message(StatusCode::NOT_FOUND, language, |s| (s.not_found_title, s.not_found));
    }
    // A code typed in lower case goes to the code's own address, where the session cookie belongs.
    if code != app.workshop.join_code {
        let mut r = StatusCode::SEE_OTHER.into_response();
        let to = format!("/j/{}?lang={}", app.workshop.join_code, language.as_str());
        if let Ok(v) = HeaderValue::from_str(&to) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    let existing = security::cookie(&headers, SESSION_COOKIE).and_then(|c| app.keys.respondent(&c));
    let (respondent, new_cookie) = match existing {
        Some(r) => (r, None),
        None => match random_hex(16) {
            Ok(r) => {
                let cookie = app.keys.session_cookie(&r);
                (r, Some(cookie))
            }
            Err(_) => {
                return pages::message(StatusCode::INTERNAL_SERVER_ERROR, language, |s| {
                    (s.refused_title, s.failed)
                });
            }
        },
    };
    let findings: Vec<&str> = if language == app.language {
        app.workshop.findings.iter().map(|f| f.text.as_str()).collect()
    } else {
        match &app.findings_other {
            Some(other) => other.iter().map(String::as_str).collect(),
            None => app.workshop.findings.iter().map(|f| f.text.as_str()).collect(),
        }
    };
    let html = pages::participant(&pages::ParticipantPage {
        code: &app.workshop.join_code,
        language,
        findings: &findings,
        csrf: &app.keys.csrf(&respondent),
        saved: q.saved,
    });
    let mut response = pages::html(StatusCode::OK, html);
    if let Some(cookie) = new_cookie {
        let value = format!(
            "{SESSION_COOKIE}={cookie}; Path=/j/{}; HttpOnly; SameSite=Strict",
            app.workshop.join_code
        );
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    response
}

#[derive(serde::Deserialize)]
struct ReactionForm {
    csrf: Option<String>,
    finding: Option<String>,
    rating: Option<String>,
    comment: Option<String>,
    lang: Option<String>,
}

async fn react(
    State(app): State<Shared>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ReactionForm>,
) -> Response {
    let language = language_of(&app, form.lang.as_deref());
    let refuse = |status: StatusCode, pick: fn(&text::Strings) -> &'static str| {
        pages::message(status, language, move |s| (s.refused_title, pick(s)))
    };
    if !open_code(&app, &code) {
        return pages::message(StatusCode::NOT_FOUND, language, |s| (s.not_found_title, s.not_found));
    }
    let Some(respondent) = security::cookie(&headers, SESSION_COOKIE).and_then(|c| app.keys.respondent(&c)) else {
        return refuse(StatusCode::FORBIDDEN, |s| s.refused_form);
    };
    let csrf_ok = form
        .csrf
        .as_deref()
        .is_some_and(|t| security::same_secret(t, &app.keys.csrf(&respondent)));
    if !csrf_ok {
        return refuse(StatusCode::FORBIDDEN, |s| s.refused_form);
    }
    if !app.limits.by_session.allow(&respondent) {
        return refuse(StatusCode::TOO_MANY_REQUESTS, |s| s.too_many);
    }
    let finding = match form.finding.as_deref().map(str::parse::<usize>) {
        Some(Ok(k)) if k < app.workshop.findings.len() => k,
        _ => return refuse(StatusCode::BAD_REQUEST, |s| s.refused_form),
    };
    let rating = match form.rating.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r) => match r.parse::<u8>() {
            Ok(v @ 1..=5) => Some(v),
            _ => return refuse(StatusCode::BAD_REQUEST, |s| s.refused_form),
        },
    };
    let comment = form
        .comment
        .as_deref()
        .map(|c| c.replace("\r\n", "\n").trim().to_string())
        .filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > COMMENT_LIMIT) {
        return refuse(StatusCode::BAD_REQUEST, |s| s.refused_too_long);
    }
    if rating.is_none() && comment.is_none() {
        return refuse(StatusCode::BAD_REQUEST, |s| s.refused_empty);
    }
    let reaction = Reaction {
        workshop_id: app.workshop.id,
        finding,
        respondent,
        rating,
        comment,
        received_at: now(),
    };
    let (done, stored) = tokio::sync::oneshot::channel();
    let sent = app.jobs.lock().unwrap_or_else(|e| e.into_inner()).send(writer::Job {
        reaction: reaction.clone(),
        done,
    });
    if sent.is_err() {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, |s| s.failed);
    }
    match stored.await {
        Ok(Ok(_)) => {
            app.tally.lock().unwrap_or_else(|e| e.into_inner()).add(&reaction);
            let to = format!(
                "/j/{}?lang={}&saved={finding}#f{finding}",
                app.workshop.join_code,
                language.as_str()
            );
            let mut r = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        _ => refuse(StatusCode::SERVICE_UNAVAILABLE, |s| s.failed),
    }
}

fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    crosscase_model::utc_timestamp(secs)
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

fn is_facilitator(app: &App, headers: &HeaderMap) -> bool {
    security::cookie(headers, FACILITATOR_COOKIE).is_some_and(|c| security::same_secret(&c, &app.facilitator_token))
}

fn forbidden(app: &App) -> Response {
    pages::facilitator_only(app.language)
}

/// The address printed on the terminal: the token becomes a cookie for `/facilitator/`, and the address bar is
/// cleared of it by the redirect.
async fn facilitator_login(State(app): State<Shared>, Query(q): Query<TokenQuery>, headers: HeaderMap) -> Response {
    let given = q
        .token
        .as_deref()
        .is_some_and(|t| security::same_secret(t, &app.facilitator_token));
    if !given && !is_facilitator(&app, &headers) {
        return forbidden(&app);
    }
    let mut r = StatusCode::SEE_OTHER.into_response();
    r.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/facilitator/"));
    if given {
        let cookie = format!(
            "{FACILITATOR_COOKIE}={}; Path=/facilitator; HttpOnly; SameSite=Strict",
            app.facilitator_token
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    r
}

async fn facilitator_slides(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if !is_facilitator(&app, &headers) {
        return forbidden(&app);
    }
    pages::html(StatusCode::OK, app.pack.slides_html.clone())
}

async fn facilitator_asset(State(app): State<Shared>, Path(name): Path<String>, headers: HeaderMap) -> Response {
    if !is_facilitator(&app, &headers) {
        return forbidden(&app);
    }
    // Only the pack's own files, looked up by their exact name: a request never names a path on disk.
    let Some(bytes) = app.pack.assets.get(&name) else {
        return not_found(State(app.clone())).await;
    };
    let kind = match name.rsplit('.').next() {
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    ([(header::CONTENT_TYPE, kind)], bytes.clone()).into_response()
}

/// The live view: per finding how many have answered and, from the threshold on, how the ratings fall and how many
/// commented. Comments themselves are not shown live; `crosscase workshop summarise` gives them, screened.
async fn reactions_json(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if !is_facilitator(&app, &headers) {
        return forbidden(&app);
    }
    let tally = app.tally.lock().unwrap_or_else(|e| e.into_inner());
    let threshold = app.threshold as usize;
    let findings: Vec<serde_json::Value> = tally
        .findings
        .iter()
        .map(|f| {
            let answered = f.len();
            if answered < threshold {
                return serde_json::json!({ "answered": answered, "shown": false, "ratings": [], "comments": 0 });
            }
            let mut ratings = [0usize; 5];
            for (rating, _) in f.values() {
                if let Some(r) = rating {
                    ratings[usize::from(*r) - 1] += 1;
                }
            }
            let comments = f.values().filter(|(_, c)| *c).count();
            serde_json::json!({ "answered": answered, "shown": true, "ratings": ratings, "comments": comments })
        })
        .collect();
    drop(tally);
    let body = serde_json::json!({
        "threshold": threshold,
        "closed": app.closed.load(Ordering::SeqCst),
        "findings": findings,
    });
    ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// Whether a peer address is this machine.
pub(crate) fn is_loopback(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => v4.is_loopback(),
        std::net::IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_qr_code_is_an_svg_element() {
        let svg = super::qr_svg("http://127.0.0.1:8570/j/ABC234").unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.contains("<path"));
    }
}
