//! `crosscase serve`: the research team's view in the browser, the matrices the packs' disclosure allows and the
//! segments behind each shown cell.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use anyhow::Result;
use crosscase_model::Screen;
use crosscase_report::{FeedbackConfig, FeedbackData};
use crosscase_store::Store;

use super::UserError;
use crate::args::{ProjectArgs, ServeArgs};

/// `crosscase serve`: the matrices the packs' disclosure allows, and the segments behind each shown cell.
pub fn run(
    ServeArgs {
        source: ProjectArgs { db, project },
        listen,
        roster,
    }: ServeArgs,
) -> Result<ExitCode> {
    let (db, project) = (db.as_path(), project.as_deref());
    let screen = Screen::new(roster.load()?);
    let listen = listen.unwrap_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8571));
    let mut store = Store::open_existing(db)?;
    let snapshot = store.snapshot(project)?;
    let project_name = snapshot.name().to_string();
    let project = Some(project_name.as_str());
    let corpus = snapshot.load_corpus(project)?;
    super::require_codings(&corpus, db, "serve", false)?;
    // Every municipality's pack can be asked for, so the quotes of all of them are read now, from this snapshot.
    let inputs = crate::packs::PackInputs::read(&snapshot, &corpus, &[], &[])?;
    let names = snapshot.wave_and_unit_names(project)?;
    drop(snapshot);
    drop(store);
    let letter_seed = crate::letter_key::letter_seed(db)?;
    let language = corpus.settings.language;
    let screened = screen.screened(&corpus, language);
    let data = FeedbackData {
        corpus: &screened,
        quotes: &[],
        ..inputs.data(&screened)
    };
    let (heatmap, groups) = crosscase_report::disclosed_matrices(&data, letter_seed)?;
    let matrices = research_matrices(&screened, &screen, &names, heatmap, groups);
    let codes = screened
        .code_depth()
        .into_iter()
        .zip(&screened.codes)
        .map(|(depth, c)| crosscase_serve::MatrixCode {
            id: c.id.clone(),
            label: c.label(language).to_string(),
            depth,
        })
        .collect();
    let key = crosscase_serve::random_hex(32).map_err(|e| anyhow::anyhow!("cannot draw the research token: {e}"))?;
    // A pack is written when it is first asked for, exactly as `feedback` writes it (without a recorded run).
    let inputs = std::sync::Arc::new((corpus.clone(), inputs));
    let roster_for_packs = screen.roster().clone();
    let made = std::sync::atomic::AtomicUsize::new(0);
    let packs: crosscase_serve::PackMaker = std::sync::Arc::new(move |kommunkod: &str| {
        let (corpus, inputs) = &*inputs;
        let n = made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let config = FeedbackConfig {
            out_dir: std::env::temp_dir().join(format!("crosscase-serve-{}-{n}", std::process::id())),
            language: corpus.settings.language,
            municipalities: vec![kommunkod.to_string()],
            roster: roster_for_packs.clone(),
            progress: None,
            letter_seed,
            run: None,
            quote_choices: Vec::new(),
            workshop: None,
        };
        super::workshop::pack_files(&inputs.data(corpus), &config).map_err(|e| format!("{e:#}"))
    });
    let bound = crosscase_serve::bind(listen).map_err(|e| UserError(e.to_string()))?;
    let addr = bound.local_addr();
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        addr.ip().to_string()
    };
    eprintln!(
        "Research view of {project_name}: http://{host}:{}/research/",
        addr.port()
    );
    eprintln!(
        "From another machine (keep this address to the research team): http://{host}:{}/research?token={}",
        addr.port(),
        crosscase_serve::research_token(&key)
    );
    eprintln!("Stop with Ctrl-C.");
    crosscase_serve::run_research(
        bound,
        crosscase_serve::ResearchConfig {
            db: db.to_path_buf(),
            project: project_name,
            language,
            codes,
            municipalities: screened
                .municipalities
                .iter()
                .map(|m| (m.code.clone(), m.name.clone()))
                .collect(),
            matrices,
            screen,
            key,
            packs,
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The disclosed matrices as the server shows them: each figure or its reason in words, each column named.
fn research_matrices(
    corpus: &crosscase_model::Corpus,
    screen: &Screen,
    names: &crosscase_store::WaveAndUnitNames,
    heatmap: Vec<Vec<crosscase_analysis::pack::Figure>>,
    groups: Vec<crosscase_analysis::pack::GroupMatrix>,
) -> Vec<crosscase_serve::Matrix> {
    use crosscase_analysis::pack::{Figure, GroupBy, Hidden};
    use crosscase_serve::{Matrix, MatrixBy, MatrixCell, MatrixColumn};
    let language = corpus.settings.language;
    let cell = |f: &Figure| match *f {
        Figure::Shown { count, base } => MatrixCell::Shown { count, base },
        Figure::Hidden(h) => MatrixCell::Hidden(
            match h {
                Hidden::TooFewPeople => "too few people",
                Hidden::ProtectsAnother => "hidden to protect another cell",
                Hidden::NoData => "no data",
            }
            .to_string(),
        ),
    };
    let cells = |rows: &[Vec<Figure>]| -> Vec<Vec<MatrixCell>> {
        rows.iter().map(|row| row.iter().map(cell).collect()).collect()
    };
    let mut matrices = vec![Matrix {
        by: MatrixBy::Municipality,
        title: "Code × municipality".to_string(),
        columns: corpus
            .municipalities
            .iter()
            .map(|m| MatrixColumn {
                id: m.code.clone(),
                label: m.name.clone(),
                pack: Some(m.code.clone()),
            })
            .collect(),
        cells: cells(&heatmap),
    }];
    for g in groups {
        let columns = g
            .columns
            .iter()
            .map(|col| match g.by {
                GroupBy::Role => MatrixColumn {
                    id: col.id.clone(),
                    label: crosscase_model::Role::ALL
                        .iter()
                        .find(|r| r.as_str() == col.id)
                        .map_or(col.id.clone(), |r| r.label(language).to_string()),
                    pack: None,
                },
                GroupBy::Unit => {
                    let municipality = col.municipality.map(|m| &corpus.municipalities[m]);
                    let name = names
                        .units
                        .iter()
                        .find(|(id, _)| *id == col.id)
                        .map_or(col.id.clone(), |(_, name)| screen.mask(name, language));
                    MatrixColumn {
                        id: col.id.clone(),
                        label: match municipality {
                            Some(m) => format!("{name} ({})", m.name),
                            None => name,
                        },
                        pack: municipality.map(|m| m.code.clone()),
                    }
                }
                GroupBy::Wave => MatrixColumn {
                    id: col.id.clone(),
                    label: corpus
                        .waves
                        .iter()
                        .position(|w| *w == col.id)
                        .map_or(col.id.clone(), |w| corpus.wave_name(w).to_string()),
                    pack: None,
                },
            })
            .collect();
        let (by, title) = match g.by {
            GroupBy::Role => (MatrixBy::Role, "Code × role"),
            GroupBy::Unit => (MatrixBy::Unit, "Code × unit"),
            GroupBy::Wave => (MatrixBy::Wave, "Code × wave"),
        };
        matrices.push(Matrix {
            by,
            title: title.to_string(),
            columns,
            cells: cells(&g.cells),
        });
    }
    matrices
}
