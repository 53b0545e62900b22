//! What each subcommand does: open files, call the libraries, print.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use crosscase_analysis::{Attribute, Count, CountingUnit, DifferenceConfig, ResultTable};
use crosscase_ingest::{CODING_BATCH, Diagnostics, LoadedProject};
use crosscase_model::{KommunRegister, Language, QuoteKeeping};
use crosscase_report::{FeedbackConfig, WrittenPack};
use crosscase_store::{AnalysisRun, ImportRecord, IngestOutcome, Store};

use crate::args::{
    By, Cli, Command, CountUnit, CsvDialect, ExportFormat, Format, OutputArgs, ProjectArgs, PseudonymiseArgs, Unit,
};
use crate::output::{check_output, render_table, write_rendered, write_table};

/// A problem in the user's data or files: exit code 1.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            // Into memory first: clap_complete panics on a failed write, and a closed pipe is not an error.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "crosscase", &mut script);
            std::io::stdout()
                .write_all(&script)
                .context("cannot write the completion script")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir, name, lang } => {
            crosscase_ingest::init_project(&dir, &name, lang.into())
                .with_context(|| format!("cannot write the project skeleton in {}", dir.display()))?;
            eprintln!(
                "Wrote an empty project in {}; fill in the CSV files and run `crosscase validate {}`.",
                dir.display(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { dir } => {
            let loaded = read(&dir)?;
            for w in &loaded.warnings {
                eprintln!("warning: {w}");
            }
            let p = &loaded.project;
            eprintln!(
                "{}: no problems ({} municipalities, {} sources, {} codes, {} codings).",
                dir.display(),
                p.municipalities.len(),
                p.sources.len(),
                p.codes.len(),
                p.codings.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Ingest {
            dir,
            db,
            privacy: PseudonymiseArgs { pseudonymise, key },
        } => {
            let privacy = Privacy::requested(pseudonymise, key)?;
            ingest(&dir, &db, privacy.as_ref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Compare {
            source: ProjectArgs { db, project },
            output,
            unit,
            permutations,
            seed,
            confidence,
            by,
            count,
            waves,
        } => {
            check_output(&output)?;
            if !(0.5..1.0).contains(&confidence) {
                return Err(UserError(format!(
                    "--confidence {confidence} must lie between 0.5 and 1, e.g. 0.95"
                ))
                .into());
            }
            // One snapshot from loading to recording the run, so that a replacement committed meanwhile is not mixed in.
            let mut store = Store::open_existing(&db)?;
            let snapshot = store.snapshot(project.as_deref())?;
            let corpus = snapshot.load_corpus(Some(snapshot.name()))?;
            require_codings(&corpus, &db, "compare", true)?;
            let cfg = DifferenceConfig {
                unit: match unit {
                    Unit::Cluster => CountingUnit::Cluster,
                    Unit::Source => CountingUnit::Source,
                    Unit::Participant => CountingUnit::Participant,
                },
                permutations,
                seed,
                confidence,
            };
            let repeated = crosscase_analysis::repeated_participants(&corpus);
            if cfg.unit == CountingUnit::Source && repeated > 0 {
                eprintln!(
                    "warning: --unit source treats every source as independent, but {repeated} participants appear in several sources; the tests can reject too often (the default, --unit cluster, moves each participant's sources together)"
                );
            }
            let mut table = compare_table(&corpus, &cfg)?;
            let mut parameters = compare_parameters(&cfg);
            if let Some(by) = by {
                let attribute = match by {
                    By::Municipality => Attribute::Municipality,
                    By::Role => Attribute::Role,
                    By::Unit => Attribute::Unit,
                    By::Wave => Attribute::Wave,
                    By::Kind => Attribute::Kind,
                };
                let count = match count {
                    CountUnit::Segment => Count::Segment,
                    CountUnit::Source => Count::Source,
                    CountUnit::Participant => Count::Participant,
                };
                table.extend(
                    Some("breakdown"),
                    &crosscase_analysis::breakdown(&corpus, attribute, count)?,
                )?;
                parameters["by"] = serde_json::json!(attribute.as_str());
                parameters["count"] = serde_json::json!(count.as_str());
            }
            if let Some(waves) = waves {
                let Some((from, to)) = waves.split_once(',') else {
                    return Err(
                        UserError(format!("--waves {waves}: give two wave ids, e.g. --waves v2016,v2019")).into(),
                    );
                };
                let changes = crosscase_analysis::wave_changes(&corpus, from, to, confidence)
                    .map_err(|e| UserError(e.to_string()))?;
                table.extend(Some("wave_change"), &changes)?;
                parameters["waves"] = serde_json::json!([from, to]);
            }
            let labels = labels(&snapshot, &corpus, &Default::default(), &output)?;
            // The output is made while the run is recorded (a national comparison has 174,000 rows to encode for
            // each), and written only once the run is stored.
            let (run, rendered) = std::thread::scope(|scope| {
                let rendering = scope.spawn(|| render_table(&table, &output, labels.as_ref()));
                let run =
                    analysis_run("compare", parameters, Some(seed), &table).and_then(|r| Ok(snapshot.record_run(&r)?));
                let rendered = rendering
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("writing the table failed")));
                (run, rendered)
            });
            let (run, rendered) = (run?, rendered?);
            write_rendered(&rendered, &output)?;
            eprintln!("Stored as run {run} in {}.", db.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Cooccur {
            source: ProjectArgs { db, project },
            output,
            within,
        } => {
            check_output(&output)?;
            let mut store = Store::open_existing(&db)?;
            let snapshot = store.snapshot(project.as_deref())?;
            let corpus = snapshot.load_corpus(Some(snapshot.name()))?;
            require_codings(&corpus, &db, "cooccur", true)?;
            let mut table = ResultTable::new();
            table.extend(None, &crosscase_analysis::cooccurrence(&corpus, within))?;
            let parameters = serde_json::json!({ "within": within });
            let labels = labels(&snapshot, &corpus, &Default::default(), &output)?;
            let run = snapshot.record_run(&analysis_run("cooccur", parameters, None, &table)?)?;
            write_table(&table, &output, labels.as_ref())?;
            eprintln!("Stored as run {run} in {}.", db.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Agreement {
            source: ProjectArgs { db, project },
            output,
        } => {
            check_output(&output)?;
            let mut store = Store::open_existing(&db)?;
            let snapshot = store.snapshot(project.as_deref())?;
            let corpus = snapshot.load_corpus(Some(snapshot.name()))?;
            require_codings(&corpus, &db, "agreement", true)?;
            let rows = crosscase_analysis::agreement(&corpus).map_err(|e| UserError(e.to_string()))?;
            let mut table = ResultTable::new();
            table.extend(None, &rows)?;
            let labels = labels(&snapshot, &corpus, &Default::default(), &output)?;
            let run = snapshot.record_run(&analysis_run("agreement", serde_json::json!({}), None, &table)?)?;
            write_table(&table, &output, labels.as_ref())?;
            eprintln!("Stored as run {run} in {}.", db.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Ideas {
            source: ProjectArgs { db, project },
            output,
            by,
            confidence,
            exits,
        } => {
            check_output(&output)?;
            let mut store = Store::open_existing(&db)?;
            let snapshot = store.snapshot(project.as_deref())?;
            let records = snapshot.load_ideas(Some(snapshot.name()))?;
            let config = crosscase_analysis::IdeaConfig {
                grouping: by.into(),
                confidence,
                exits: exits.into(),
            };
            let (table, parameters) = ideas_table(&records, &config)?;
            // The names of municipalities, units, themes and waves come from the coded project.
            let labels = if for_people(&output) {
                let corpus = snapshot.load_corpus(Some(snapshot.name()))?;
                labels(&snapshot, &corpus, &Default::default(), &output)?
            } else {
                None
            };
            let run = snapshot.record_run(&analysis_run("ideas", parameters, None, &table)?)?;
            write_table(&table, &output, labels.as_ref())?;
            eprintln!("Stored as run {run} in {}.", db.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Survey {
            source: ProjectArgs { db, project },
            output,
            instrument,
            by,
            confidence,
            codes,
            charts,
        } => {
            check_output(&output)?;
            let mut store = Store::open_existing(&db)?;
            let snapshot = store.snapshot(project.as_deref())?;
            let corpus = snapshot.load_corpus(Some(snapshot.name()))?;
            let records = snapshot.load_surveys(Some(snapshot.name()))?;
            let config = crosscase_analysis::SurveyConfig {
                grouping: by.into(),
                confidence,
            };
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
            let (table, mixed) = survey_table(&corpus, &records, instrument.as_deref(), &config, &codes, &prevalence)?;
            if let Some(dir) = &charts {
                let written = crosscase_report::write_mixed_charts(&corpus, &records, &mixed, dir)?;
                eprintln!("Wrote {} charts in {}.", written.len(), dir.display());
            }
            let parameters = survey_parameters(instrument.as_deref(), &config, &codes);
            let labels = labels(&snapshot, &corpus, &records, &output)?;
            let run = snapshot.record_run(&analysis_run("survey", parameters, None, &table)?)?;
            write_table(&table, &output, labels.as_ref())?;
            eprintln!("Stored as run {run} in {}.", db.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            files,
            db,
            write_map,
            name,
            replace,
            map,
            format,
            privacy: PseudonymiseArgs { pseudonymise, key },
        } => {
            if let Some(out) = write_map {
                crate::import_map::write_map(&files, map.as_deref(), name, &out)?;
                return Ok(ExitCode::SUCCESS);
            }
            let db = db.expect("clap requires --db without --write-map");
            let privacy = Privacy::requested(pseudonymise, key)?;
            let how = ImportHow { name, replace };
            import(&files, &db, map.as_deref(), format, privacy.as_ref(), &how)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            source: ProjectArgs { db, project },
            out: to,
            qdpx,
            format,
        } => {
            let mut store = Store::open_read_only(&db)?;
            let snapshot = store.snapshot(project.as_deref())?;
            let project = Some(snapshot.name());
            if let Some(out) = qdpx {
                let p = snapshot.load_project(project)?;
                let ideas = !p.ideas.is_empty() || !snapshot.load_ideas(project)?.ideas.is_empty();
                drop(snapshot);
                let partial = out.with_extension("qdpx.partial");
                let summary = crosscase_ingest::qda::write_qdpx(&p, &partial).map_err(|e| {
                    let _ = std::fs::remove_file(&partial);
                    UserError(e)
                })?;
                std::fs::rename(&partial, &out).with_context(|| format!("cannot write {}", out.display()))?;
                eprintln!(
                    "Wrote {} ({} sources, {} codes, {} codings by {} coders, {} cases).",
                    out.display(),
                    summary.sources,
                    summary.codes,
                    summary.codings,
                    summary.coders,
                    summary.cases
                );
                if ideas {
                    eprintln!("Idea and survey records have no place in REFI-QDA and are not in the archive.");
                }
                return Ok(ExitCode::SUCCESS);
            }
            let to = to.expect("clap requires --out or --qdpx");
            let tables = snapshot.export_tables(project)?;
            drop(snapshot);
            std::fs::create_dir_all(&to).with_context(|| format!("cannot create {}", to.display()))?;
            let written = export(&tables, &to, format)?;
            eprintln!("Wrote {} in {}.", written.join(", "), to.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Runs { command } => crate::runs::run(command),
        Command::Workshop { command, start } => crate::workshop::run(command, start),
        Command::Serve {
            source: ProjectArgs { db, project },
            listen,
            roster,
        } => crate::workshop::research(&db, project.as_deref(), listen, roster.as_deref()),
        Command::Audit {
            disclosure: Some(dir), ..
        } => crate::disclosure::audit(&dir),
        Command::Audit { db, dirs, roster, .. } => {
            let db = db.ok_or_else(|| UserError("audit needs --db (or --disclosure DIR)".to_string()))?;
            crate::privacy::audit(&db, &dirs, roster.as_deref())
        }
        Command::Charts {
            source: ProjectArgs { db, project },
            out,
            lang,
        } => {
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
        Command::Feedback {
            source: ProjectArgs { db, project },
            out,
            municipalities,
            lang,
            roster,
            privacy_report,
            quotes: quotes_file,
        } => {
            // A folder this command creates is removed again when it fails, so that bad input leaves nothing behind.
            let created = claim_folder(&out)?;
            let result = (|| -> Result<ExitCode> {
                let roster = crate::privacy::roster(roster.as_deref())?;
                // Decided before anything is written: a report that would land in the output folder is refused.
                let report = crate::privacy::report_path(&out, privacy_report.as_deref())?;
                let mut store = Store::open_existing(&db)?;
                // The corpus, the quotes chosen from it, ideas and surveys: all from one snapshot.
                let snapshot = store.snapshot(project.as_deref())?;
                let project = Some(snapshot.name());
                let corpus = snapshot.load_corpus(project)?;
                require_codings(&corpus, &db, "feedback", false)?;
                let municipalities = resolve_municipalities(&corpus, &municipalities)?;
                let quote_choices = match &quotes_file {
                    Some(path) => crosscase_ingest::read_quote_choices(path, &corpus).map_err(|d| problems(path, d))?,
                    None => Vec::new(),
                };
                let inputs = crate::packs::PackInputs::read(&snapshot, &corpus, &municipalities, &quote_choices)?;
                let language = lang.map_or(corpus.settings.language, Language::from);
                // The packs name the run they come from, so it is recorded first and removed again if they fail.
                let letter_seed = crate::disclosure::letter_seed(&db)?;
                let content_hash = inputs.content_hash.clone();
                let run = snapshot.record_run(&feedback_run(&inputs.rows, &out, &municipalities, language)?)?;
                let config = FeedbackConfig {
                    out_dir: out.clone(),
                    language,
                    municipalities,
                    roster: roster.clone(),
                    progress: progress_bar(),
                    letter_seed,
                    run: Some(run_stamp(run, content_hash)),
                    quote_choices,
                    workshop: None,
                };
                let written = crosscase_report::write_feedback(&inputs.data(&corpus), &config);
                let (packs, left_out) = match written {
                    Ok(written) => written,
                    Err(e) => {
                        let _ = store.delete_run(run);
                        return Err(e.into());
                    }
                };
                report_packs(&packs);
                // The lists beside the folder belong to the run: if they cannot be written, neither stays.
                let lists = crate::privacy::write_left_out(&left_out, &report, &roster)
                    .and_then(|()| crate::privacy::write_quote_list(&packs, &report, &roster));
                if let Err(e) = lists {
                    let _ = store.delete_run(run);
                    return Err(e);
                }
                eprintln!("Stored as run {run} in {}.", db.display());
                Ok(ExitCode::SUCCESS)
            })();
            if result.is_err() && created {
                let _ = std::fs::remove_dir_all(&out);
            }
            result
        }
        Command::Demo { data, out } => demo(&data, &out),
        Command::Synth {
            out,
            demo,
            municipalities,
            sources,
            codes,
            codings,
            text,
            waves,
            seed,
        } => {
            let project = if demo {
                crosscase_synth::demo_project()
            } else {
                let cfg = crosscase_synth::ScaleConfig {
                    municipalities,
                    sources,
                    codes,
                    codings,
                    with_text: text,
                    waves,
                    seed,
                };
                crosscase_synth::scale_project(&cfg, &KommunRegister::sweden())
            };
            crosscase_ingest::write_project(&project, &out)
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!(
                "Wrote {} ({} sources, {} codings) in {}.",
                project.settings.name,
                project.sources.len(),
                project.codings.len(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Whether the output is for people (XLSX, or CSV for Swedish Excel), which show names and labels next to ids.
fn for_people(output: &OutputArgs) -> bool {
    output.format == Format::Xlsx || output.csv_dialect == CsvDialect::ExcelSv
}

/// The names and labels of the project's ids in its own language, when the output is for people.
fn labels(
    snapshot: &crosscase_store::Snapshot<'_>,
    corpus: &crosscase_model::Corpus,
    surveys: &crosscase_model::SurveyRecords,
    output: &OutputArgs,
) -> Result<Option<crosscase_analysis::Labels>> {
    if !for_people(output) {
        return Ok(None);
    }
    let names = snapshot.wave_and_unit_names(Some(snapshot.name()))?;
    Ok(Some(crosscase_analysis::Labels::new(
        corpus,
        surveys,
        &names.waves,
        &names.units,
        corpus.settings.language,
    )))
}

/// The rows of `crosscase ideas` (funnel, medians, the log-rank test, then the curves) and the run's parameters.
fn ideas_table(
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

/// The parameters a survey run is stored with.
fn survey_parameters(
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
fn survey_table(
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

/// Reads and validates a project; every problem is printed, and the error says nothing was written.
fn read(dir: &Path) -> Result<LoadedProject> {
    crosscase_ingest::read_project(dir).map_err(|d| problems(dir, d))
}

/// Prints every problem and returns the error that ends the command with exit code 1.
pub(crate) fn problems(dir: &Path, Diagnostics(diags): Diagnostics) -> anyhow::Error {
    const SHOWN: usize = 200;
    let mut err = std::io::stderr().lock();
    for d in diags.iter().take(SHOWN) {
        let _ = writeln!(err, "error: {d}");
    }
    if diags.len() > SHOWN {
        let _ = writeln!(err, "… and {} more problems.", diags.len() - SHOWN);
    }
    UserError(format!(
        "{} problem{} found in {}; nothing was written",
        diags.len(),
        if diags.len() == 1 { "" } else { "s" },
        dir.display()
    ))
    .into()
}

/// Validates and stores the project in `dir`. Codings are parsed and checked on one thread while the store writes
/// them on this one, inside one transaction that commits only when every coding passed: a project with a problem
/// leaves the database as it was (and a database this command would have created never appears).
fn ingest(dir: &Path, db: &Path, privacy: Option<&Privacy>) -> Result<String> {
    let opened = crosscase_ingest::open_project(dir).map_err(|d| problems(dir, d))?;
    for w in opened.warnings() {
        eprintln!("warning: {w}");
    }
    // The store gets a pseudonymised copy; codings are still checked against the texts as the files have them.
    let mut header = None;
    let mut pseudonymiser = None;
    if let Some(privacy) = privacy {
        let mut copy = opened.project().clone();
        let mut p = crosscase_ingest::Pseudonymiser::new(&privacy.key, &privacy.roster);
        let report = p.apply(&mut copy);
        eprintln!(
            "Pseudonymised {} names in {} texts and {} participant ids; masked {} identity numbers, e-mail addresses and phone numbers.",
            report.names_replaced, report.texts_changed, report.participant_ids_replaced, report.other_masked
        );
        header = Some(copy);
        pseudonymiser = Some(p);
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let mut files = opened.files().to_vec();
    let mut content_hash = opened.content_hash().to_string();
    if let Some(privacy) = privacy {
        // Another roster or key stores other data: the import is not "unchanged".
        files.push(privacy.roster_file.clone());
        content_hash = crosscase_ingest::hex(&crosscase_ingest::hmac_sha256(
            content_hash.as_bytes(),
            privacy.fingerprint.as_bytes(),
        ));
    }
    let record = ImportRecord {
        origin: dir.display().to_string(),
        files,
        content_hash,
        crosscase_version: env!("CARGO_PKG_VERSION").to_string(),
        imported_at: crosscase_model::utc_timestamp(now),
        replace_other_content: true,
    };
    // A database this command creates appears only when the project is stored (see `write_database`).
    let summary = crosscase_store::write_database(db, |store| {
        // `header` is what is stored of everything but the codings (the project as read, or its pseudonymised
        // copy), and the pseudonymiser moves each coding with its pseudonymised text.
        store
            .ingest_streaming(
                header.as_ref().unwrap_or(opened.project()),
                &record,
                opened.coding_rows(),
                |sink| opened.read_codings(CODING_BATCH, QuoteKeeping::Empty, sink),
                |coding| {
                    if let Some(p) = &pseudonymiser {
                        p.remap(coding);
                    }
                },
            )
            .map_err(|e| match e {
                crosscase_store::StreamError::Read(d) => problems(dir, d),
                crosscase_store::StreamError::Store(e) => anyhow::Error::from(e),
            })
    })
    .map_err(|e| on_full_disk(e, db))?;
    let what = match summary.outcome {
        IngestOutcome::Created => "stored",
        IngestOutcome::Replaced => "replaced its earlier data",
        IngestOutcome::Unchanged => "unchanged since the last ingest; nothing written",
    };
    let name = opened.project().settings.name.clone();
    eprintln!(
        "{name}: {what} ({} municipalities, {} sources, {} codes, {} codings) in {}.",
        summary.municipalities,
        summary.sources,
        summary.codes,
        summary.codings,
        db.display()
    );
    Ok(name)
}

/// Reads QDA files, places them into one project, and stores it in one transaction; any problem leaves the database
/// as it was.
fn import(
    files: &[PathBuf],
    db: &Path,
    map: Option<&Path>,
    format: crate::args::ImportFormat,
    privacy: Option<&Privacy>,
    how: &ImportHow,
) -> Result<()> {
    use crosscase_ingest::qda;
    let (read, mut inputs) = crate::import_map::read_exports(files)?;
    let mut mapping = match map {
        Some(m) => {
            inputs.push(m.to_path_buf());
            qda::read_mapping(m).map_err(|d| problems(m, Diagnostics(vec![d])))?
        }
        None => qda::Mapping::default(),
    };
    if let Some(name) = &how.name {
        mapping.project.name = Some(name.clone());
    }
    let register = KommunRegister::sweden();
    let first = &files[0];
    let (mut project, summary) = qda::build_project(&read, &mapping, &register).map_err(|d| problems(first, d))?;
    drop(read);
    let found = crosscase_model::validate(&project, &register);
    if !found.is_empty() {
        return Err(problems(first, qda::validation_diagnostics(&project, &found, first)));
    }
    let mut input_files = Vec::new();
    for p in &inputs {
        input_files.push(qda::hash_file(p).with_context(|| format!("cannot read {}", p.display()))?);
    }
    let mut content_hash = qda::combined_hash(&input_files);
    if let Some(privacy) = privacy {
        let mut p = crosscase_ingest::Pseudonymiser::new(&privacy.key, &privacy.roster);
        let report = p.apply(&mut project);
        for c in &mut project.codings {
            p.remap(c);
        }
        eprintln!(
            "Pseudonymised {} names in {} texts and {} participant ids; masked {} identity numbers, e-mail addresses and phone numbers.",
            report.names_replaced, report.texts_changed, report.participant_ids_replaced, report.other_masked
        );
        input_files.push(privacy.roster_file.clone());
        content_hash = crosscase_ingest::hex(&crosscase_ingest::hmac_sha256(
            content_hash.as_bytes(),
            privacy.fingerprint.as_bytes(),
        ));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let record = ImportRecord {
        origin: files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(" + "),
        files: input_files,
        content_hash,
        crosscase_version: env!("CARGO_PKG_VERSION").to_string(),
        imported_at: crosscase_model::utc_timestamp(now),
        replace_other_content: how.replace,
    };
    let stored = crosscase_store::write_database(db, |store| store.ingest(&project, &record))
        .map_err(|e| on_full_disk(e.into(), db))?;
    for note in &summary.notes {
        eprintln!("note: {note}");
    }
    for s in &summary.skipped_sources {
        eprintln!("note: left out {s}");
    }
    match format {
        crate::args::ImportFormat::Json => {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer(&mut out, &summary)?;
            writeln!(out)?;
        }
        crate::args::ImportFormat::Text => {}
    }
    let what = match stored.outcome {
        IngestOutcome::Created => "stored",
        IngestOutcome::Replaced => "replaced its earlier data",
        IngestOutcome::Unchanged => "unchanged since the last import; nothing written",
    };
    eprintln!(
        "{}: {what} ({} municipalities, {} sources, {} codes, {} codings by {} coders; {} selections checked, {} converted to code points) in {}.",
        project.settings.name,
        summary.municipalities.len(),
        summary.sources,
        summary.codes,
        summary.codings,
        summary.coders,
        summary.selections_checked,
        summary.selections_converted,
        db.display()
    );
    Ok(())
}

/// Names the database a full disk stopped, so that the message says which file and where.
fn on_full_disk(e: anyhow::Error, db: &Path) -> anyhow::Error {
    let full = e
        .chain()
        .filter_map(|c| c.downcast_ref::<crosscase_store::StoreError>())
        .any(crosscase_store::StoreError::is_disk_full);
    if full {
        e.context(format!("cannot store the project in {}", db.display()))
    } else {
        e
    }
}

/// What `crosscase import` was asked to do with the project's name.
struct ImportHow {
    /// `--name`: the name in the database instead of the export's.
    name: Option<String>,
    /// `--replace`: replace a stored project of the same name with other content.
    replace: bool,
}

/// A roster and its key, for pseudonymisation on ingest.
struct Privacy {
    roster: crosscase_model::Roster,
    roster_file: crosscase_model::InputFile,
    key: Vec<u8>,
    /// Identifies roster and key together without revealing either.
    fingerprint: String,
}

impl Privacy {
    /// What `--pseudonymise ROSTER` and `--key KEY` ask for: nothing without a roster; the key defaults to the
    /// roster's name with the extension `.key`.
    fn requested(roster: Option<PathBuf>, key: Option<PathBuf>) -> Result<Option<Privacy>> {
        let Some(roster) = roster else { return Ok(None) };
        let key = key.unwrap_or_else(|| roster.with_extension("key"));
        Privacy::load(&roster, &key).map(Some)
    }

    /// Reads the roster and the key; a missing key file is created with 32 random bytes.
    fn load(roster_path: &Path, key_path: &Path) -> Result<Privacy> {
        let roster = crosscase_ingest::read_roster(roster_path).map_err(|d| problems(roster_path, d))?;
        let bytes = std::fs::read(roster_path).with_context(|| format!("cannot read {}", roster_path.display()))?;
        let key = crosscase_ingest::load_or_create_key(key_path).map_err(|e| match e {
            crosscase_ingest::KeyError::NotAKey { .. } => anyhow::Error::from(UserError(e.to_string())),
            e => anyhow::Error::from(e),
        })?;
        if key.created {
            eprintln!(
                "Created the pseudonymisation key {}: keep it with the roster, outside the database; the same key gives the same pseudonyms in every import.",
                key_path.display()
            );
        }
        let key = key.bytes;
        let fingerprint = crosscase_ingest::hex(&crosscase_ingest::hmac_sha256(&key, &bytes));
        let roster_file = crosscase_model::InputFile {
            path: "(roster)".into(),
            sha256: fingerprint.clone(),
            bytes: bytes.len() as u64,
        };
        Ok(Privacy {
            roster,
            roster_file,
            key,
            fingerprint,
        })
    }
}

/// Writes the tables in `format` into `dir`; returns the file names written.
fn export(tables: &[crosscase_model::DataTable], dir: &Path, format: ExportFormat) -> Result<Vec<String>> {
    let create = |name: &str| -> Result<std::io::BufWriter<std::fs::File>> {
        let path = dir.join(name);
        let file = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(std::io::BufWriter::new(file))
    };
    let mut written = Vec::new();
    match format {
        ExportFormat::Xlsx => {
            let bytes = crosscase_report::workbook(tables).context("cannot build the workbook")?;
            create("crosscase.xlsx")?.write_all(&bytes)?;
            written.push("crosscase.xlsx".to_string());
        }
        ExportFormat::Parquet | ExportFormat::Csv => {
            for t in tables {
                let ext = if format == ExportFormat::Csv { "csv" } else { "parquet" };
                let name = format!("{}.{ext}", t.name);
                let mut w = create(&name)?;
                if format == ExportFormat::Csv {
                    crosscase_analysis::write_data_table_csv(t, &mut w)?;
                } else {
                    crosscase_analysis::write_data_table_parquet(t, &mut w)?;
                }
                w.flush().with_context(|| format!("cannot write {name}"))?;
                written.push(name);
            }
        }
    }
    Ok(written)
}

/// Prevalence, differences and contrasts of every code, as one table of rows tagged by `kind`.
fn compare_table(corpus: &crosscase_model::Corpus, cfg: &DifferenceConfig) -> Result<ResultTable> {
    let prevalence = crosscase_analysis::prevalence(corpus)?;
    let differences = crosscase_analysis::differences(corpus, &prevalence, cfg);
    let mut table = ResultTable::new();
    table.extend(Some("prevalence"), &prevalence)?;
    table.extend(Some("difference"), &differences.tests)?;
    table.extend(Some("contrast"), &differences.contrasts)?;
    Ok(table)
}

fn compare_parameters(cfg: &DifferenceConfig) -> serde_json::Value {
    serde_json::json!({
        "unit": cfg.unit.as_str(),
        "permutations": cfg.permutations,
        "seed": cfg.seed,
        "confidence": cfg.confidence,
    })
}

/// A run to keep in the database with its parameters, seed and rows.
fn analysis_run(
    kind: &str,
    parameters: serde_json::Value,
    seed: Option<u64>,
    table: &ResultTable,
) -> Result<AnalysisRun> {
    let mut result = Vec::new();
    table.write_json_lines(&mut result)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Ok(AnalysisRun {
        kind: kind.to_string(),
        parameters: parameters.to_string(),
        seed,
        crosscase_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: crosscase_model::utc_timestamp(now),
        row_count: table.len() as u64,
        result: String::from_utf8(result).context("result rows are not UTF-8")?,
    })
}

/// The run `feedback` records: the prevalence rows the packs' figures are computed from, with the output folder,
/// municipalities and language asked for (named as the command's options, so that `runs show` can give the command
/// again); with the content hash and version, that makes the packs reproducible.
pub(crate) fn feedback_run(
    rows: &[crosscase_analysis::PrevalenceRow],
    out: &Path,
    municipalities: &[String],
    language: Language,
) -> Result<AnalysisRun> {
    let mut table = ResultTable::new();
    table.extend(Some("prevalence"), rows)?;
    let parameters = serde_json::json!({
        "out": out.display().to_string(),
        "municipality": municipalities,
        "lang": language.as_str(),
    });
    analysis_run("feedback", parameters, None, &table)
}

pub(crate) fn run_stamp(id: i64, content_hash: String) -> crosscase_analysis::pack::RunStamp {
    crosscase_analysis::pack::RunStamp {
        id,
        content_hash,
        crosscase_version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// Makes the output folder `out` if nothing is at that path (not even a dangling link) and says whether this call
/// made it: only such a folder is removed again when the command fails. `create_dir` claims it atomically, so a
/// folder another process made meanwhile is never taken for ours.
fn claim_folder(out: &Path) -> Result<bool> {
    if std::fs::symlink_metadata(out).is_ok() {
        return Ok(false);
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    match std::fs::create_dir(out) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", out.display())),
    }
}

/// An error, naming what is missing, when the project has nothing for `command` to work on: no municipalities,
/// sources or codes (an empty project, as `init` writes one, ingests without error), and, when `codings` says the
/// command is about nothing else, no codings (texts not yet coded). Packs and charts also show surveys and ideas,
/// so they are made without codings.
pub(crate) fn require_codings(corpus: &crosscase_model::Corpus, db: &Path, command: &str, codings: bool) -> Result<()> {
    let missing = [
        (corpus.municipalities.is_empty(), "municipalities"),
        (corpus.sources.is_empty(), "sources"),
        (corpus.codes.is_empty(), "codes"),
        (codings && corpus.codings.is_empty(), "codings"),
    ];
    let missing: Vec<&str> = missing.iter().filter(|m| m.0).map(|m| m.1).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(UserError(format!(
        "the project `{}` in {} has no {}: `{command}` has nothing to work on; fill in the project's CSV files and \
         run `crosscase ingest` again",
        corpus.settings.name,
        db.display(),
        missing.join(", no ")
    ))
    .into())
}

/// The municipalities asked for by `--municipality`, as kommunkoder: each given as its kommunkod (the leading zero
/// may be left out: `583` is 0583) or its name (case and the dots on å, ä, ö do not matter: `mjolby` is Mjölby).
pub(crate) fn resolve_municipalities(corpus: &crosscase_model::Corpus, wanted: &[String]) -> Result<Vec<String>> {
    let fold = |s: &str| -> String {
        s.trim()
            .to_lowercase()
            .chars()
            .map(|c| match c {
                'å' | 'ä' | 'á' | 'à' => 'a',
                'ö' | 'ø' | 'ó' => 'o',
                'é' | 'è' => 'e',
                'ü' => 'u',
                c => c,
            })
            .collect()
    };
    let mut found = Vec::with_capacity(wanted.len());
    let mut unknown = Vec::new();
    let mut ambiguous = Vec::new();
    let ms = &corpus.municipalities;
    for w in wanted {
        let w = w.trim();
        let padded =
            (!w.is_empty() && w.len() < 4 && w.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{w:0>4}"));
        // The code as given, then with the leading zeros, then the name as written (case aside), then the name
        // without the dots on å, ä, ö, but only when that leaves one municipality (Habo and Håbo are both real).
        let folded: Vec<&crosscase_model::Municipality> = ms.iter().filter(|m| fold(&m.name) == fold(w)).collect();
        let hit = ms
            .iter()
            .find(|m| m.code == w)
            .or_else(|| padded.as_ref().and_then(|p| ms.iter().find(|m| &m.code == p)))
            .or_else(|| ms.iter().find(|m| m.name.to_lowercase() == w.to_lowercase()))
            .or_else(|| (folded.len() == 1).then(|| folded[0]));
        match hit {
            Some(m) if !found.contains(&m.code) => found.push(m.code.clone()),
            Some(_) => {}
            None if folded.len() > 1 => ambiguous.push(format!(
                "{w} ({})",
                folded
                    .iter()
                    .map(|m| format!("{} {}", m.code, m.name))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
            None => unknown.push(w.to_string()),
        }
    }
    if !ambiguous.is_empty() {
        return Err(UserError(format!(
            "--municipality {} could be more than one municipality; give its kommunkod or its name as written",
            ambiguous.join(", ")
        ))
        .into());
    }
    if unknown.is_empty() {
        return Ok(found);
    }
    let known: Vec<String> = corpus
        .municipalities
        .iter()
        .map(|m| format!("{} {}", m.code, m.name))
        .collect();
    Err(UserError(format!(
        "--municipality {} is not in the project; give a kommunkod or a name of one of: {}",
        unknown.join(", "),
        known.join(", ")
    ))
    .into())
}

/// A progress bar for writing packs, drawn on stderr when it is a terminal (and nothing otherwise).
fn progress_bar() -> Option<crosscase_report::Progress> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    Some(crosscase_report::Progress(std::sync::Arc::new(|done, total| {
        const WIDTH: usize = 30;
        let filled = WIDTH * done / total.max(1);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\rFeedback packs [{}{}] {done}/{total}",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled)
        );
        if done == total {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    })))
}

fn report_packs(packs: &[WrittenPack]) {
    for p in packs {
        eprintln!("  {} {}: {}", p.municipality, p.name, p.index.display());
    }
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
    let name = ingest(&data, &db, None)?;

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
    write_table(
        &table,
        &OutputArgs {
            format: Format::Csv,
            out: Some(csv_path.clone()),
            csv_dialect: CsvDialect::Standard,
        },
        None,
    )?;

    // Idea-management records, when the project has them: funnel and time to implementation by municipality.
    let ideas_csv = if ideas.ideas.is_empty() {
        None
    } else {
        let (table, parameters) = ideas_table(ideas, &crosscase_analysis::IdeaConfig::default())?;
        runs.push(analysis_run("ideas", parameters, None, &table)?);
        let path = compare_dir.join("ideas.csv");
        write_table(
            &table,
            &OutputArgs {
                format: Format::Csv,
                out: Some(path.clone()),
                csv_dialect: CsvDialect::Standard,
            },
            None,
        )?;
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
        write_table(
            &table,
            &OutputArgs {
                format: Format::Csv,
                out: Some(path.clone()),
                csv_dialect: CsvDialect::Standard,
            },
            None,
        )?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(municipalities: &[(&str, &str)]) -> crosscase_model::Corpus {
        crosscase_model::Corpus {
            settings: crosscase_model::ProjectSettings::new("t"),
            municipalities: municipalities
                .iter()
                .map(|&(code, name)| crosscase_model::Municipality {
                    code: code.into(),
                    name: name.into(),
                    line: 0,
                })
                .collect(),
            waves: vec![],
            wave_names: vec![],
            codes: vec![],
            participants: vec![],
            sources: vec![],
            coders: vec![],
            codings: Default::default(),
        }
    }

    fn resolve(c: &crosscase_model::Corpus, wanted: &[&str]) -> std::result::Result<Vec<String>, String> {
        let wanted: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
        resolve_municipalities(c, &wanted).map_err(|e| e.to_string())
    }

    #[test]
    fn municipalities_are_found_by_code_name_or_folded_name_and_never_guessed() {
        let c = corpus(&[
            ("0305", "Håbo"),
            ("0583", "Motala"),
            ("0586", "Mjölby"),
            ("0643", "Habo"),
            ("12", "Site 12"),
        ]);
        assert_eq!(resolve(&c, &["583", "0586", " motala "]).unwrap(), ["0583", "0586"]);
        assert_eq!(resolve(&c, &["mjolby"]).unwrap(), ["0586"]);
        // Habo and Håbo fold alike: each is found as written, and the folded form alone is refused as ambiguous.
        assert_eq!(resolve(&c, &["Habo"]).unwrap(), ["0643"]);
        assert_eq!(resolve(&c, &["håbo"]).unwrap(), ["0305"]);
        let both = corpus(&[("0305", "Håbo"), ("0643", "Habo")]);
        let err = resolve(&both, &["HÅBÖ"]).unwrap_err();
        assert!(err.contains("0305 Håbo or 0643 Habo"), "{err}");
        // A free site id is matched as given before it is padded.
        assert_eq!(resolve(&c, &["12"]).unwrap(), ["12"]);
        let err = resolve(&c, &["Atlantis"]).unwrap_err();
        assert!(err.contains("Atlantis is not in the project"), "{err}");
    }
}
