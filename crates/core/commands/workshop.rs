//! `crosscase workshop`: start or resume a municipality's workshop, and summarise, export or close stored ones.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use crosscase_model::{Language, Screen};
use crosscase_report::{FeedbackConfig, FeedbackData, WorkshopSlides};
use crosscase_store::{NewWorkshop, Store, Workshop, WorkshopFinding, latest_reactions};

use super::{UserError, now};
use crate::args::{RosterArgs, StartArgs, WorkshopArgs, WorkshopCommand};

/// The address the server listens on unless `--listen` says otherwise: this machine only.
const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8570);

pub fn run(WorkshopArgs { command, start }: WorkshopArgs) -> Result<ExitCode> {
    match command {
        None => serve_workshop(start),
        Some(WorkshopCommand::Summarise { db, workshop, roster }) => summarise(&db, workshop, &roster),
        Some(WorkshopCommand::Export {
            db,
            workshop,
            project,
            out,
            roster,
        }) => export(&db, workshop, &project, &out, &roster),
        Some(WorkshopCommand::Close { db, workshop }) => {
            let mut store = Store::open_existing(&db)?;
            let w = find(&store, workshop)?;
            if store.close_workshop(w.id, &now())? {
                eprintln!(
                    "Closed workshop {} ({}); its join code {} no longer works.",
                    w.id, w.kommunkod, w.join_code
                );
            } else {
                eprintln!("Workshop {} was already closed.", w.id);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn find(store: &Store, id: i64) -> Result<Workshop> {
    match store.workshop(id)? {
        Some(w) => Ok(w),
        None => {
            let known: Vec<String> = store.workshops()?.iter().map(|w| w.id.to_string()).collect();
            Err(UserError(format!(
                "there is no workshop {id} in {}; it holds: {}",
                store.path().display(),
                if known.is_empty() {
                    "none yet (start one with `crosscase workshop --db DB --municipality KOMMUNKOD`)".to_string()
                } else {
                    known.join(", ")
                }
            ))
            .into())
        }
    }
}

fn serve_workshop(args: StartArgs) -> Result<ExitCode> {
    let (db, kommunkod) = match (args.db, args.municipality) {
        (Some(db), Some(m)) => (db, m),
        _ => return Err(UserError("workshop needs --db DB and --municipality KOMMUNKOD".to_string()).into()),
    };
    let listen = args.listen.unwrap_or(DEFAULT_LISTEN);
    let join_host = match (&args.join_host, listen.ip()) {
        (Some(h), _) => h.clone(),
        (None, ip) if ip.is_unspecified() => {
            return Err(UserError(format!(
                "--listen {listen} opens the server on every network of this machine, but participants need one \
                 address to reach it: add --join-host with this machine's address on the room's network (e.g. \
                 --join-host 192.168.1.20)"
            ))
            .into());
        }
        (None, ip) => ip.to_string(),
    };
    let roster = args.roster.load()?;
    let mut store = Store::open_existing(&db)?;
    // Bound first, so that a port that is taken (the user's to change) opens no workshop.
    let bound = crosscase_serve::bind(listen).map_err(|e| UserError(e.to_string()))?;
    // The pack's inputs, read as `feedback` reads them, from one snapshot.
    let snapshot = store.snapshot(args.project.as_deref())?;
    let project_name = snapshot.name().to_string();
    let project = Some(project_name.as_str());
    let corpus = snapshot.load_corpus(project)?;
    super::require_codings(&corpus, &db, "workshop", false)?;
    let kommunkod = crate::commands::resolve_municipalities(&corpus, std::slice::from_ref(&kommunkod))?.remove(0);
    let wanted = vec![kommunkod.clone()];
    let inputs = crate::packs::PackInputs::read(&snapshot, &corpus, &wanted, &[])?;
    let content_hash = inputs.content_hash.clone();
    let letter_seed = crate::letter_key::letter_seed(&db)?;
    let data = inputs.data(&corpus);
    let existing = snapshot.open_workshop_of(&project_name, &kommunkod)?;
    let language = match (&existing, args.lang) {
        (Some(w), Some(lang)) if Language::from(lang).as_str() != w.language => {
            return Err(UserError(format!(
                "workshop {} for {kommunkod} is open in `{}`; run without --lang to resume it, or close it first \
                 with `crosscase workshop close --db {} --workshop {}`",
                w.id,
                w.language,
                db.display(),
                w.id
            ))
            .into());
        }
        (Some(w), _) => w.language.parse().unwrap_or_default(),
        (None, lang) => lang.map_or(corpus.settings.language, Language::from),
    };
    let findings_of = |language| {
        crosscase_report::pack_findings(&data, &roster, letter_seed, language, &kommunkod)
            .expect("the municipality was checked")
    };
    let findings = findings_of(language);
    let other = findings_of(match language {
        Language::Sv => Language::En,
        Language::En => Language::Sv,
    });
    let (workshop, created) = match existing {
        Some(w) => {
            drop(snapshot);
            let now: Vec<(&str, &str)> = findings.iter().map(|f| (f.theme.as_str(), f.text.as_str())).collect();
            let then: Vec<(&str, &str)> = w
                .findings
                .iter()
                .map(|f| (f.theme_code.as_str(), f.text.as_str()))
                .collect();
            if now != then {
                return Err(UserError(format!(
                    "the project has changed since workshop {} opened, and its findings with it; close the workshop \
                     with `crosscase workshop close --db {} --workshop {}` and start a new one",
                    w.id,
                    db.display(),
                    w.id
                ))
                .into());
            }
            (w, false)
        }
        None => {
            // The pack the workshop shows is recorded as a feedback run, as `feedback` records its packs.
            let run = snapshot.record_run(&crate::commands::feedback_run(
                &inputs.rows,
                Path::new("workshop"),
                &wanted,
                language,
            )?)?;
            let mut code = crosscase_serve::join_code().map_err(|e| anyhow::anyhow!("cannot draw a join code: {e}"))?;
            while store.join_code_taken(&code)? {
                code = crosscase_serve::join_code().map_err(|e| anyhow::anyhow!("cannot draw a join code: {e}"))?;
            }
            let secret =
                crosscase_serve::random_hex(32).map_err(|e| anyhow::anyhow!("cannot draw the workshop's key: {e}"))?;
            store.open_workshop(&NewWorkshop {
                project_name: project_name.clone(),
                kommunkod: kommunkod.clone(),
                language: language.as_str().to_string(),
                join_code: code,
                created_at: now(),
                run_id: Some(run),
                content_hash: content_hash.clone(),
                wave: corpus.waves.last().cloned(),
                secret,
                findings: findings
                    .iter()
                    .map(|f| WorkshopFinding {
                        theme_code: f.theme.clone(),
                        text: f.text.clone(),
                    })
                    .collect(),
            })?
        }
    };
    drop(store);
    let port = bound.local_addr().port();
    let host = if join_host.contains(':') && !join_host.starts_with('[') {
        format!("[{join_host}]")
    } else {
        join_host
    };
    let join_url = format!("http://{host}:{port}/j/{}", workshop.join_code);
    let facilitator_host = if listen.ip().is_unspecified() || listen.ip().is_loopback() {
        "127.0.0.1".to_string()
    } else {
        host.clone()
    };
    let facilitator_url = format!(
        "http://{facilitator_host}:{port}/facilitator?token={}",
        crosscase_serve::facilitator_token(&workshop)
    );
    let pack = write_pack(&data, &workshop, &roster, letter_seed, &content_hash, &join_url)?;
    eprintln!(
        "{} workshop {} for {kommunkod} ({} findings, join code {}).",
        if created { "Opened" } else { "Resumed" },
        workshop.id,
        workshop.findings.len(),
        workshop.join_code
    );
    eprintln!("Facilitator (keep this address to yourself): {facilitator_url}");
    eprintln!("Participants: {join_url}");
    eprintln!(
        "Stop with Ctrl-C; the same command resumes it. `crosscase workshop close --db {} --workshop {}` ends it.",
        db.display(),
        workshop.id
    );
    let workshop_id = workshop.id;
    crosscase_serve::run_workshop(
        bound,
        crosscase_serve::WorkshopConfig {
            db: db.clone(),
            threshold: corpus.settings.disclosure_threshold,
            other_language_findings: Some(other.into_iter().map(|f| f.text).collect()),
            workshop,
            pack,
        },
    )?;
    eprintln!(
        "Stopped. Workshop {workshop_id} stays open with its code: the same command resumes it, and \
         `crosscase workshop close --db {} --workshop {workshop_id}` ends it.",
        db.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the municipality's pack with the workshop's join slide into a temporary folder, exactly as `feedback` writes
/// packs, and reads its files into memory for the server.
fn write_pack(
    data: &FeedbackData<'_>,
    workshop: &Workshop,
    roster: &crosscase_model::Roster,
    letter_seed: u64,
    content_hash: &str,
    join_url: &str,
) -> Result<crosscase_serve::PackFiles> {
    let tmp = std::env::temp_dir().join(format!("crosscase-workshop-{}-{}", workshop.id, std::process::id()));
    let config = FeedbackConfig {
        out_dir: tmp.clone(),
        language: workshop.language.parse().unwrap_or_default(),
        municipalities: vec![workshop.kommunkod.clone()],
        roster: roster.clone(),
        progress: None,
        letter_seed,
        run: workshop
            .run_id
            .map(|id| crate::commands::run_stamp(id, content_hash.to_string())),
        quote_choices: Vec::new(),
        workshop: Some(WorkshopSlides {
            join_code: workshop.join_code.clone(),
            join_url: join_url.to_string(),
            qr_svg: crosscase_serve::qr_svg(join_url)?,
        }),
    };
    pack_files(data, &config)
}

/// Writes one municipality's pack (`config.municipalities`) into `config.out_dir`, a temporary folder of the
/// caller's, through `write_feedback`; reads its files into memory and removes the folder.
pub(super) fn pack_files(data: &FeedbackData<'_>, config: &FeedbackConfig) -> Result<crosscase_serve::PackFiles> {
    let written = crosscase_report::write_feedback(data, config);
    let read = (|| {
        let (packs, _) = written?;
        let pack = packs.into_iter().next().context("the pack was not written")?;
        let mut assets = BTreeMap::new();
        let mut slides_html = String::new();
        for file in &pack.files {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .context("a pack file without a name")?
                .to_string();
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            if name == "slides.html" {
                slides_html = String::from_utf8(bytes).context("slides.html is not UTF-8")?;
            } else {
                assets.insert(name, bytes);
            }
        }
        Ok::<_, anyhow::Error>(crosscase_serve::PackFiles { slides_html, assets })
    })();
    let _ = std::fs::remove_dir_all(&config.out_dir);
    read
}

/// The findings of a workshop with each participant's latest reaction.
fn summarise(db: &Path, only: Option<i64>, roster: &RosterArgs) -> Result<ExitCode> {
    let screen = Screen::new(roster.load()?);
    let store = Store::open_existing(db)?;
    let workshops = match only {
        Some(id) => vec![find(&store, id)?],
        None => store.workshops()?,
    };
    if workshops.is_empty() {
        eprintln!("{} holds no workshop yet.", db.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    for w in workshops {
        let w = find(&store, w.id)?;
        let language: Language = w.language.parse().unwrap_or_default();
        let reactions = store.reactions(w.id)?;
        let latest = latest_reactions(&reactions);
        out.push_str(&format!(
            "Workshop {} · {} · {} · opened {}{} · join code {}\n",
            w.id,
            w.project_name,
            w.kommunkod,
            w.created_at,
            w.closed_at
                .as_ref()
                .map_or_else(String::new, |c| format!(", closed {c}")),
            w.join_code
        ));
        for (k, f) in w.findings.iter().enumerate() {
            let mine: Vec<_> = latest.iter().filter(|r| r.reaction.finding == k).collect();
            let mut counts = [0usize; 5];
            let mut unrated = 0;
            for r in &mine {
                match r.reaction.rating {
                    Some(v) => counts[usize::from(v) - 1] += 1,
                    None => unrated += 1,
                }
            }
            out.push_str(&format!("\n  Finding {} ({}): {}\n", k + 1, f.theme_code, f.text));
            out.push_str(&format!(
                "    answered: {}; ratings 1–5: {}; no rating: {unrated}\n",
                mine.len(),
                counts.map(|c| c.to_string()).join(" / ")
            ));
            for r in mine.iter().filter_map(|r| r.reaction.comment.as_deref()) {
                out.push_str(&format!("    – {}\n", screen.mask(r, language).replace('\n', " ")));
            }
        }
        out.push('\n');
    }
    std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes()).context("cannot write the summary")?;
    Ok(ExitCode::SUCCESS)
}

/// Adds the workshop's comments to the project read from `project_dir` as workshop notes and writes it to `out`.
fn export(db: &Path, id: i64, project_dir: &Path, out: &Path, roster: &RosterArgs) -> Result<ExitCode> {
    let screen = Screen::new(roster.load()?);
    let store = Store::open_existing(db)?;
    let w = find(&store, id)?;
    if !crosscase_ingest::folder_is_free(out) {
        return Err(UserError(format!(
            "{} exists and is not empty; give --out a new folder (the project folder itself is never overwritten)",
            out.display()
        ))
        .into());
    }
    let mut loaded =
        crosscase_ingest::read_project(project_dir).map_err(|d| crate::commands::problems(project_dir, d))?;
    let p = &mut loaded.project;
    if p.settings.name != w.project_name {
        return Err(UserError(format!(
            "{} holds the project `{}`, but workshop {id} belongs to `{}`; give --project the folder of `{}`",
            project_dir.display(),
            p.settings.name,
            w.project_name,
            w.project_name
        ))
        .into());
    }
    let reactions = store.reactions(w.id)?;
    let notes = crosscase_store::add_workshop_notes(p, &w, &reactions, &screen);
    crosscase_ingest::write_project(p, out).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!(
        "Wrote {} with {notes} workshop notes from workshop {id}; run `crosscase ingest {} --db {}` to carry them into the next pack.",
        out.display(),
        out.display(),
        db.display()
    );
    Ok(ExitCode::SUCCESS)
}
