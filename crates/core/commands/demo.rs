//! `crosscase demo`: the whole pipeline on the bundled demo project: ingest, compare, ideas, surveys, charts,
//! feedback.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use crosscase_analysis::DifferenceConfig;
use crosscase_report::FeedbackConfig;
use crosscase_store::Store;

use super::compare::{compare_parameters, compare_table};
use super::ideas::ideas_table;
use super::survey::{survey_parameters, survey_table};
use super::{analysis_run, feedback_run, progress_bar, run_stamp};
use crate::args::{CsvDialect, DemoArgs, Format, OutputArgs};
use crate::output::write_table;

pub fn run(DemoArgs { data, out }: DemoArgs) -> Result<ExitCode> {
    demo(&data, &out)
}

/// The demo folder: as given, or beside the crosscase sources when run from elsewhere.
fn demo_data(data: &Path) -> PathBuf {
    if data.is_dir() || data.is_absolute() {
        return data.to_path_buf();
    }
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join(data);
    if bundled.is_dir() { bundled } else { data.to_path_buf() }
}

fn demo(data: &Path, out: &Path) -> Result<ExitCode> {
    let data = demo_data(data);
    let started = std::time::Instant::now();
    let db = out.join("crosscase.sqlite");
    let name = super::ingest::ingest(&data, &db, None)?;

    // One connection that may write, for the whole run: the last connection to close checkpoints the WAL, so the
    // `.sqlite` file alone holds every recorded run (a read-only connection still open at the end would leave them
    // in the WAL file).
    let mut store = Store::open_existing(&db)?;
    // Everything the demo reads comes from one snapshot; the runs are recorded together at the end.
    let snapshot = store.snapshot(Some(&name))?;
    let corpus = snapshot.load_corpus(Some(&name))?;
    let inputs = crate::packs::PackInputs::read(&snapshot, &corpus, &[], &[])?;
    let (rows, ideas, surveys) = (&inputs.rows, &inputs.ideas, &inputs.surveys);
    let mut runs = Vec::new();
    let compare_dir = out.join("compare");
    std::fs::create_dir_all(&compare_dir).with_context(|| format!("cannot create {}", compare_dir.display()))?;
    let csv_path = compare_dir.join("compare.csv");
    let cfg = DifferenceConfig::default();
    let table = compare_table(&corpus, &cfg)?;
    runs.push(analysis_run(
        "compare",
        compare_parameters(&cfg),
        Some(cfg.seed),
        &table,
    )?);
    write_csv(&table, &csv_path)?;

    // Idea-management records, when the project has them: funnel and time to implementation by municipality.
    let ideas_csv = if ideas.ideas.is_empty() {
        None
    } else {
        let (table, parameters) = ideas_table(ideas, &crosscase_analysis::IdeaConfig::default())?;
        runs.push(analysis_run("ideas", parameters, None, &table)?);
        let path = compare_dir.join("ideas.csv");
        write_csv(&table, &path)?;
        Some(path)
    };

    // Survey instruments, when the project has them; the demo sets structures for innovation beside how often
    // formal organisation of innovation work comes up in the interviews.
    let charts_dir = out.join("charts");
    let mut mixed_charts = Vec::new();
    let survey_csv = if surveys.instruments.is_empty() {
        None
    } else {
        let config = crosscase_analysis::SurveyConfig::default();
        let codes: Vec<String> = corpus
            .codes
            .iter()
            .filter(|c| c.id == "organisering")
            .map(|c| c.id.clone())
            .collect();
        let (table, mixed) = survey_table(&corpus, surveys, None, &config, &codes, rows)?;
        let parameters = survey_parameters(None, &config, &codes);
        runs.push(analysis_run("survey", parameters, None, &table)?);
        let path = compare_dir.join("survey.csv");
        write_csv(&table, &path)?;
        mixed_charts = crosscase_report::write_mixed_charts(&corpus, surveys, &mixed, &charts_dir)?;
        Some(path)
    };
    runs.push(feedback_run(
        rows,
        &out.join("feedback"),
        &[],
        corpus.settings.language,
    )?);
    let content_hash = inputs.content_hash.clone();
    let feedback_run_id = *snapshot.record_runs(&runs)?.last().expect("the feedback run");
    let charts = crosscase_report::write_overview_charts(&corpus, rows, ideas, &charts_dir, corpus.settings.language)?;
    let feedback_dir = out.join("feedback");
    let config = FeedbackConfig {
        out_dir: feedback_dir.clone(),
        language: corpus.settings.language,
        municipalities: Vec::new(),
        roster: crosscase_model::Roster::default(),
        progress: progress_bar(),
        // The demo's letter key is fixed, so that its packs are the same on every run.
        letter_seed: 2026,
        run: Some(run_stamp(feedback_run_id, content_hash)),
        quote_choices: Vec::new(),
        workshop: None,
    };
    let (packs, left_out) = crosscase_report::write_feedback(&inputs.data(&corpus), &config)?;
    let report = crate::privacy::report_path(&feedback_dir, None)?;
    crate::privacy::write_left_out(&left_out, &report, &crosscase_model::Roster::default())?;
    crate::privacy::write_quote_list(&packs, &report, &crosscase_model::Roster::default())?;

    let mut o = std::io::stdout().lock();
    writeln!(o, "crosscase demo: done in {:.1} s", started.elapsed().as_secs_f64())?;
    writeln!(o, "  database:   {}", db.display())?;
    writeln!(o, "  comparison: {}", csv_path.display())?;
    if let Some(path) = &ideas_csv {
        writeln!(o, "  ideas:      {}", path.display())?;
    }
    if let Some(path) = &survey_csv {
        writeln!(o, "  surveys:    {}", path.display())?;
    }
    writeln!(
        o,
        "  charts:     {} ({} files)",
        charts_dir.display(),
        charts.len() + mixed_charts.len()
    )?;
    writeln!(o, "  feedback:   {}", feedback_dir.display())?;
    for p in &packs {
        writeln!(o, "    {} {}: {}", p.municipality, p.name, p.index.display())?;
    }
    if std::io::stdout().is_terminal() {
        writeln!(
            o,
            "Open a feedback page in a browser, e.g. {}",
            packs.first().map_or(String::new(), |p| p.index.display().to_string())
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A result table as the standard CSV, into `path`.
fn write_csv(table: &crosscase_analysis::ResultTable, path: &Path) -> Result<()> {
    let output = OutputArgs {
        format: Format::Csv,
        out: Some(path.to_path_buf()),
        csv_dialect: CsvDialect::Standard,
    };
    write_table(table, &output, None)
}
