//! `crosscase ideas`: the funnel of ideas, time to implementation and a log-rank test across groups.

use std::process::ExitCode;

use anyhow::Result;
use crosscase_analysis::ResultTable;
use crosscase_store::Store;

use super::{UserError, analysis_run, for_people, labels, record_and_write};
use crate::args::{IdeasArgs, ProjectArgs};
use crate::output::check_output;

pub fn run(args: IdeasArgs) -> Result<ExitCode> {
    let config = args.config();
    let IdeasArgs {
        source: ProjectArgs { db, project },
        output,
        ..
    } = &args;
    check_output(output)?;
    let mut store = Store::open_existing(db)?;
    let snapshot = store.snapshot(project.as_deref())?;
    let records = snapshot.load_ideas(Some(snapshot.name()))?;
    let (table, parameters) = ideas_table(&records, &config)?;
    // The names of municipalities, units, themes and waves come from the coded project.
    let labels = if for_people(output) {
        let corpus = snapshot.load_corpus(Some(snapshot.name()))?;
        labels(&snapshot, &corpus, &Default::default(), output)?
    } else {
        None
    };
    record_and_write(
        snapshot,
        || analysis_run("ideas", parameters, None, &table),
        &table,
        output,
        labels.as_ref(),
        db,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The rows of `crosscase ideas` (funnel, medians, the log-rank test, then the curves) and the run's parameters.
pub(super) fn ideas_table(
    records: &crosscase_model::IdeaRecords,
    config: &crosscase_analysis::IdeaConfig,
) -> Result<(ResultTable, serde_json::Value)> {
    let analysis = crosscase_analysis::analyse_ideas(records, config).map_err(|e| UserError(e.to_string()))?;
    let mut table = ResultTable::new();
    table.extend(Some("funnel"), &analysis.funnel)?;
    table.extend(Some("median"), &analysis.medians)?;
    table.extend(Some("log_rank"), std::slice::from_ref(&analysis.log_rank))?;
    table.extend(Some("survival"), &analysis.survival)?;
    let parameters = serde_json::json!({
        "by": config.grouping.as_str(),
        "confidence": config.confidence,
        "exits": config.exits.as_str(),
    });
    Ok((table, parameters))
}
