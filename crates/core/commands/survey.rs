//! `crosscase survey`: survey instruments by municipality (or role) and wave, and beside the coded material.

use std::process::ExitCode;

use anyhow::Result;
use crosscase_analysis::ResultTable;
use crosscase_store::Store;

use super::{UserError, analysis_run, labels, record_and_write};
use crate::args::{ProjectArgs, SurveyArgs};
use crate::output::check_output;

pub fn run(args: SurveyArgs) -> Result<ExitCode> {
    let config = args.config();
    let SurveyArgs {
        source: ProjectArgs { db, project },
        output,
        instrument,
        codes,
        charts,
        ..
    } = &args;
    check_output(output)?;
    let mut store = Store::open_existing(db)?;
    let snapshot = store.snapshot(project.as_deref())?;
    let corpus = snapshot.load_corpus(Some(snapshot.name()))?;
    let records = snapshot.load_surveys(Some(snapshot.name()))?;
    let unknown: Vec<&String> = codes
        .iter()
        .filter(|c| !corpus.codes.iter().any(|k| &k.id == *c))
        .collect();
    if !unknown.is_empty() {
        return Err(UserError(format!(
            "--codes: {} not in the codebook; its codes are: {}",
            unknown.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
            corpus
                .codes
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into());
    }
    let prevalence = if codes.is_empty() {
        Vec::new()
    } else {
        crosscase_analysis::prevalence(&corpus)?
    };
    let (table, mixed) = survey_table(&corpus, &records, instrument.as_deref(), &config, codes, &prevalence)?;
    if let Some(dir) = charts {
        let written = crosscase_report::write_mixed_charts(&corpus, &records, &mixed, dir)?;
        eprintln!("Wrote {} charts in {}.", written.len(), dir.display());
    }
    let parameters = survey_parameters(instrument.as_deref(), &config, codes);
    let labels = labels(&snapshot, &corpus, &records, output)?;
    record_and_write(
        snapshot,
        || analysis_run("survey", parameters, None, &table),
        &table,
        output,
        labels.as_ref(),
        db,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The parameters a survey run is stored with.
pub(super) fn survey_parameters(
    instrument: Option<&str>,
    config: &crosscase_analysis::SurveyConfig,
    codes: &[String],
) -> serde_json::Value {
    serde_json::json!({
        "instrument": instrument,
        "by": config.grouping.as_str(),
        "confidence": config.confidence,
        "codes": codes,
    })
}

/// The survey rows of `crosscase survey`: items, indices, tests and pre/post changes of each instrument (or the one
/// named), and each municipality's indices beside the prevalence of `codes`.
pub(super) fn survey_table(
    corpus: &crosscase_model::Corpus,
    records: &crosscase_model::SurveyRecords,
    instrument: Option<&str>,
    config: &crosscase_analysis::SurveyConfig,
    codes: &[String],
    prevalence: &[crosscase_analysis::PrevalenceRow],
) -> Result<(ResultTable, Vec<crosscase_analysis::MixedRow>)> {
    let ids: Vec<String> = match instrument {
        Some(id) => vec![id.to_string()],
        None if records.instruments.is_empty() => vec![String::new()],
        None => records.instruments.iter().map(|i| i.id.clone()).collect(),
    };
    let mut table = ResultTable::new();
    let mut all_mixed = Vec::new();
    for id in ids {
        let a = crosscase_analysis::analyse_survey(records, &id, &corpus.waves, config)
            .map_err(|e| UserError(e.to_string()))?;
        table.extend(Some("item"), &a.items)?;
        table.extend(Some("index"), &a.indices)?;
        table.extend(Some("test"), &a.tests)?;
        table.extend(Some("pre_post"), &a.pre_post)?;
        // Survey indices beside the qualitative material, for surveys over the waves (not before and after).
        let repeated = records
            .instruments
            .iter()
            .any(|i| i.id == id && i.design == crosscase_model::SurveyDesign::Waves);
        let mixed = if repeated {
            crosscase_analysis::mixed_methods(&a, prevalence, codes, None)
        } else {
            Vec::new()
        };
        table.extend(Some("mixed"), &mixed)?;
        all_mixed.extend(mixed);
    }
    Ok((table, all_mixed))
}
