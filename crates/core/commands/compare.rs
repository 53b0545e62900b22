//! `crosscase compare`: prevalence of every code by municipality, and whether municipalities differ.

use std::process::ExitCode;

use anyhow::Result;
use crosscase_analysis::{Attribute, Count, CountingUnit, DifferenceConfig, ResultTable};
use crosscase_store::Store;

use super::{UserError, analysis_run, labels, record_and_write, require_codings};
use crate::args::{CompareArgs, ProjectArgs};
use crate::output::check_output;

pub fn run(args: CompareArgs) -> Result<ExitCode> {
    let cfg = args.config()?;
    let waves = args.waves()?;
    let CompareArgs {
        source: ProjectArgs { db, project },
        output,
        by,
        count,
        ..
    } = &args;
    check_output(output)?;
    // One snapshot from loading to recording the run, so that a replacement committed meanwhile is not mixed in.
    let mut store = Store::open_existing(db)?;
    let snapshot = store.snapshot(project.as_deref())?;
    let corpus = snapshot.load_corpus(Some(snapshot.name()))?;
    require_codings(&corpus, db, "compare", true)?;
    let repeated = crosscase_analysis::repeated_participants(&corpus);
    if cfg.unit == CountingUnit::Source && repeated > 0 {
        eprintln!(
            "warning: --unit source treats every source as independent, but {repeated} participants appear in several sources; the tests can reject too often (the default, --unit cluster, moves each participant's sources together)"
        );
    }
    let mut table = compare_table(&corpus, &cfg)?;
    let mut parameters = compare_parameters(&cfg);
    if let Some(by) = *by {
        let (attribute, count) = (Attribute::from(by), Count::from(*count));
        table.extend(
            Some("breakdown"),
            &crosscase_analysis::breakdown(&corpus, attribute, count)?,
        )?;
        parameters["by"] = serde_json::json!(attribute.as_str());
        parameters["count"] = serde_json::json!(count.as_str());
    }
    if let Some((from, to)) = waves {
        let changes = crosscase_analysis::wave_changes(&corpus, from, to, cfg.confidence)
            .map_err(|e| UserError(e.to_string()))?;
        table.extend(Some("wave_change"), &changes)?;
        parameters["waves"] = serde_json::json!([from, to]);
    }
    let labels = labels(&snapshot, &corpus, &Default::default(), output)?;
    record_and_write(
        snapshot,
        || analysis_run("compare", parameters, Some(cfg.seed), &table),
        &table,
        output,
        labels.as_ref(),
        db,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Prevalence, differences and contrasts of every code, as one table of rows tagged by `kind`.
pub(super) fn compare_table(corpus: &crosscase_model::Corpus, cfg: &DifferenceConfig) -> Result<ResultTable> {
    let prevalence = crosscase_analysis::prevalence(corpus)?;
    let differences = crosscase_analysis::differences(corpus, &prevalence, cfg);
    let mut table = ResultTable::new();
    table.extend(Some("prevalence"), &prevalence)?;
    table.extend(Some("difference"), &differences.tests)?;
    table.extend(Some("contrast"), &differences.contrasts)?;
    Ok(table)
}

/// The parameters a comparison run is stored with.
pub(super) fn compare_parameters(cfg: &DifferenceConfig) -> serde_json::Value {
    serde_json::json!({
        "unit": cfg.unit.as_str(),
        "permutations": cfg.permutations,
        "seed": cfg.seed,
        "confidence": cfg.confidence,
    })
}
