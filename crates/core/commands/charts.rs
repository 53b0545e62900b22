//! `crosscase charts`: the heatmap and bar charts for the research team.

use std::process::ExitCode;

use anyhow::Result;
use crosscase_model::Language;
use crosscase_store::Store;

use super::require_codings;
use crate::args::{ChartsArgs, ProjectArgs};

pub fn run(
    ChartsArgs {
        source: ProjectArgs { db, project },
        out,
        lang,
    }: ChartsArgs,
) -> Result<ExitCode> {
    let mut store = Store::open_read_only(&db)?;
    let snapshot = store.snapshot(project.as_deref())?;
    let project = Some(snapshot.name());
    let corpus = snapshot.load_corpus(project)?;
    require_codings(&corpus, &db, "charts", false)?;
    let rows = crosscase_analysis::prevalence(&corpus)?;
    let ideas = snapshot.load_ideas(project)?;
    drop(snapshot);
    let language = lang.map_or(corpus.settings.language, Language::from);
    let charts = crosscase_report::write_overview_charts(&corpus, &rows, &ideas, &out, language)?;
    eprintln!("Wrote {} charts in {}.", charts.len(), out.display());
    Ok(ExitCode::SUCCESS)
}
