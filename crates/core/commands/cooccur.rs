//! `crosscase cooccur`: which codes go together, overall and by municipality.

use std::process::ExitCode;

use anyhow::Result;
use crosscase_analysis::ResultTable;
use crosscase_store::Store;

use super::{analysis_run, labels, record_and_write, require_codings};
use crate::args::{CooccurArgs, ProjectArgs};
use crate::output::check_output;

pub fn run(
    CooccurArgs {
        source: ProjectArgs { db, project },
        output,
        within,
    }: CooccurArgs,
) -> Result<ExitCode> {
    check_output(&output)?;
    let mut store = Store::open_existing(&db)?;
    let snapshot = store.snapshot(project.as_deref())?;
    let corpus = snapshot.load_corpus(Some(snapshot.name()))?;
    require_codings(&corpus, &db, "cooccur", true)?;
    let mut table = ResultTable::new();
    table.extend(None, &crosscase_analysis::cooccurrence(&corpus, within))?;
    let parameters = serde_json::json!({ "within": within });
    let labels = labels(&snapshot, &corpus, &Default::default(), &output)?;
    record_and_write(
        snapshot,
        || analysis_run("cooccur", parameters, None, &table),
        &table,
        &output,
        labels.as_ref(),
        &db,
    )?;
    Ok(ExitCode::SUCCESS)
}
