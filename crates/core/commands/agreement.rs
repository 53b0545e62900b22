//! `crosscase agreement`: intercoder agreement where two or more coders coded the same sources.

use std::process::ExitCode;

use anyhow::Result;
use crosscase_analysis::ResultTable;
use crosscase_store::Store;

use super::{UserError, analysis_run, labels, record_and_write, require_codings};
use crate::args::{AgreementArgs, ProjectArgs};
use crate::output::check_output;

pub fn run(
    AgreementArgs {
        source: ProjectArgs { db, project },
        output,
    }: AgreementArgs,
) -> Result<ExitCode> {
    check_output(&output)?;
    let mut store = Store::open_existing(&db)?;
    let snapshot = store.snapshot(project.as_deref())?;
    let corpus = snapshot.load_corpus(Some(snapshot.name()))?;
    require_codings(&corpus, &db, "agreement", true)?;
    let rows = crosscase_analysis::agreement(&corpus).map_err(|e| UserError(e.to_string()))?;
    let mut table = ResultTable::new();
    table.extend(None, &rows)?;
    let labels = labels(&snapshot, &corpus, &Default::default(), &output)?;
    let parameters = serde_json::json!({});
    record_and_write(
        snapshot,
        || analysis_run("agreement", parameters, None, &table),
        &table,
        &output,
        labels.as_ref(),
        &db,
    )?;
    Ok(ExitCode::SUCCESS)
}
