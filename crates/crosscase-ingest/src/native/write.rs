//! Writing a [`Project`] as a native project folder, and the empty skeleton of `crosscase init`.

use std::io;
use std::path::Path;

use crosscase_model::{IdeaStages, Language, Project, ProjectSettings, Table};

use super::{LIST_SEPARATOR, default_text_path};

/// Writes `project` into `dir` (created if needed): `project.toml`, the seven CSV files and `texts/`.
/// Output is deterministic: the same project gives byte-identical files.
pub fn write_project(project: &Project, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir.join("texts"))?;
    std::fs::write(dir.join(Table::Settings.file_name()), settings_toml(&project.settings))?;

    write_table(
        dir,
        Table::Municipalities,
        project
            .municipalities
            .iter()
            .map(|m| vec![m.code.clone(), m.name.clone()]),
    )?;
    write_table(
        dir,
        Table::Units,
        project
            .units
            .iter()
            .map(|u| vec![u.id.clone(), u.municipality.clone(), u.name.clone()]),
    )?;
    write_table(
        dir,
        Table::Participants,
        project.participants.iter().map(|p| {
            vec![
                p.id.clone(),
                p.municipality.clone(),
                p.unit.clone().unwrap_or_default(),
                p.role.as_str().to_string(),
            ]
        }),
    )?;
    write_table(
        dir,
        Table::Waves,
        project
            .waves
            .iter()
            .map(|w| vec![w.id.clone(), w.name.clone(), w.start.to_string(), w.end.to_string()]),
    )?;
    write_table(
        dir,
        Table::Codebook,
        project.codes.iter().map(|c| {
            vec![
                c.id.clone(),
                c.parent.clone().unwrap_or_default(),
                c.label_sv.clone(),
                c.label_en.clone(),
                c.description.clone().unwrap_or_default(),
                c.colour.clone().unwrap_or_default(),
            ]
        }),
    )?;
    for s in &project.sources {
        if let Some(text) = &s.text {
            std::fs::write(dir.join(default_text_path(&s.id)), text)?;
        }
    }
    write_table(
        dir,
        Table::Sources,
        project.sources.iter().map(|s| {
            vec![
                s.id.clone(),
                s.kind.as_str().to_string(),
                s.municipality.clone(),
                s.unit.clone().unwrap_or_default(),
                s.date.map(|d| d.to_string()).unwrap_or_default(),
                s.wave.clone().unwrap_or_default(),
                s.participants.join(&LIST_SEPARATOR.to_string()),
                s.setting.clone().unwrap_or_default(),
                s.duration_minutes.map(|d| d.to_string()).unwrap_or_default(),
                s.title.clone().unwrap_or_default(),
                if s.text.is_some() {
                    default_text_path(&s.id)
                } else {
                    String::new()
                },
            ]
        }),
    )?;
    write_table(
        dir,
        Table::Codings,
        project.codings.iter().map(|c| {
            vec![
                c.source.clone(),
                c.code.clone(),
                c.coder.clone(),
                c.start.to_string(),
                c.end.to_string(),
                c.quote.clone(),
                c.memo.clone().unwrap_or_default(),
            ]
        }),
    )?;
    write_idea_tables(project, dir)?;
    write_surveys(project, dir)
}

/// Each instrument as `surveys/<id>.toml` with its responses in `surveys/<id>.csv`, one column per item.
fn write_surveys(project: &Project, dir: &Path) -> io::Result<()> {
    if project.instruments.is_empty() {
        return Ok(());
    }
    let folder = dir.join(super::SURVEY_DIR);
    std::fs::create_dir_all(&folder)?;
    for ins in &project.instruments {
        let list = |v: &[String]| v.iter().map(|s| toml_string(s)).collect::<Vec<_>>().join(", ");
        let mut t = String::new();
        t.push_str(
            "# A survey instrument; its responses are in the CSV file of the same name. See docs/project-format.md\n",
        );
        t.push_str(&format!("name_sv = {}\n", toml_string(&ins.name_sv)));
        t.push_str(&format!("name_en = {}\n", toml_string(&ins.name_en)));
        t.push_str("# \"waves\": answered in the project's waves; \"pre_post\": before and after a training.\n");
        t.push_str(&format!("design = \"{}\"\n", ins.design.as_str()));
        t.push_str(&format!("scale = [{}, {}]\n", ins.scale_min, ins.scale_max));
        t.push_str(&format!("labels_sv = [{}]\n", list(&ins.labels_sv)));
        t.push_str(&format!("labels_en = [{}]\n", list(&ins.labels_en)));
        t.push_str("# Answers that are not scale values.\n");
        t.push_str(&format!("missing = [{}]\n", list(&ins.missing)));
        for d in &ins.dimensions {
            t.push_str("\n[[dimensions]]\n");
            t.push_str(&format!("id = {}\n", toml_string(&d.id)));
            t.push_str(&format!("label_sv = {}\n", toml_string(&d.label_sv)));
            t.push_str(&format!("label_en = {}\n", toml_string(&d.label_en)));
        }
        for i in &ins.items {
            t.push_str("\n[[items]]\n");
            t.push_str(&format!("id = {}\n", toml_string(&i.id)));
            t.push_str(&format!("text_sv = {}\n", toml_string(&i.text_sv)));
            t.push_str(&format!("text_en = {}\n", toml_string(&i.text_en)));
            if let Some(d) = &i.dimension {
                t.push_str(&format!("dimension = {}\n", toml_string(d)));
            }
            if i.reverse {
                t.push_str("reverse = true\n");
            }
        }
        std::fs::write(folder.join(format!("{}.toml", ins.id)), t)?;
        let file = std::fs::File::create(folder.join(format!("{}.csv", ins.id)))?;
        let mut w = csv::WriterBuilder::new().from_writer(io::BufWriter::new(file));
        let mut header = vec![
            "respondent".to_string(),
            "kommunkod".into(),
            "role".into(),
            "wave".into(),
        ];
        header.extend(ins.items.iter().map(|i| i.id.clone()));
        w.write_record(&header)?;
        for r in project.survey_responses.iter().filter(|r| r.instrument == ins.id) {
            let mut row = vec![
                r.respondent.clone(),
                r.municipality.clone(),
                r.role.map(|role| role.as_str().to_string()).unwrap_or_default(),
                r.wave.clone(),
            ];
            row.extend(r.values.iter().map(|v| v.map(|v| v.to_string()).unwrap_or_default()));
            w.write_record(&row)?;
        }
        w.flush()?;
    }
    Ok(())
}

/// The idea-management records, written only when the project has them (the files are optional).
fn write_idea_tables(project: &Project, dir: &Path) -> io::Result<()> {
    if !project.ideas.is_empty() {
        write_table(
            dir,
            Table::Ideas,
            project.ideas.iter().map(|i| {
                vec![
                    i.id.clone(),
                    i.municipality.clone(),
                    i.unit.clone().unwrap_or_default(),
                    i.submitted.to_string(),
                    i.wave.clone().unwrap_or_default(),
                    i.codes.join(&LIST_SEPARATOR.to_string()),
                    i.title.clone().unwrap_or_default(),
                ]
            }),
        )?;
        write_table(
            dir,
            Table::IdeaEvents,
            project
                .idea_events
                .iter()
                .map(|e| vec![e.idea.clone(), e.stage.clone(), e.date.to_string()]),
        )?;
    }
    if !project.headcounts.is_empty() {
        write_table(
            dir,
            Table::Headcounts,
            project.headcounts.iter().map(|h| {
                vec![
                    h.municipality.clone(),
                    h.unit.clone().unwrap_or_default(),
                    h.employees.to_string(),
                ]
            }),
        )?;
    }
    Ok(())
}

fn write_table(dir: &Path, table: Table, rows: impl Iterator<Item = Vec<String>>) -> io::Result<()> {
    let file = std::fs::File::create(dir.join(table.file_name()))?;
    let mut w = csv::WriterBuilder::new().from_writer(io::BufWriter::with_capacity(1 << 20, file));
    w.write_record(table.columns())?;
    for row in rows {
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

fn settings_toml(s: &ProjectSettings) -> String {
    let mut out = String::new();
    out.push_str("# crosscase project settings; see docs/project-format.md\n");
    out.push_str(&format!("name = {}\n", toml_string(&s.name)));
    out.push_str("# The language of feedback material: \"sv\" or \"en\".\n");
    out.push_str(&format!("language = \"{}\"\n", s.language));
    out.push_str("# No figure computed from fewer participants than this reaches feedback material.\n");
    out.push_str(&format!("disclosure_threshold = {}\n", s.disclosure_threshold));
    out.push_str("# true when sites are not Swedish municipalities and need no kommunkod.\n");
    out.push_str(&format!("free_site_ids = {}\n", s.free_site_ids));
    if let Some(coder) = &s.primary_coder {
        out.push_str("# Where several coders coded a source, prevalence counts this coder's codings.\n");
        out.push_str(&format!("primary_coder = {}\n", toml_string(coder)));
    }
    let stages = &s.idea_stages;
    if *stages != IdeaStages::default() {
        let list = |v: &[String]| v.iter().map(|s| toml_string(s)).collect::<Vec<_>>().join(", ");
        out.push_str("\n# The stages of idea-management records (ideas.csv, idea_events.csv).\n[ideas]\n");
        out.push_str(&format!("stages = [{}]\n", list(&stages.progress)));
        out.push_str(&format!("exits = [{}]\n", list(&stages.exits)));
        out.push_str(&format!("implemented = {}\n", toml_string(&stages.implemented)));
        if let Some(until) = stages.observed_until {
            out.push_str("# Ideas not implemented by this date are followed up to it.\n");
            out.push_str(&format!("observed_until = \"{until}\"\n"));
        }
    }
    out
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Whether a project can be written to `dir` without touching anything there: it does not exist, or it is an empty
/// folder.
pub fn folder_is_free(dir: &Path) -> bool {
    !dir.exists() || std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

/// Writes an empty, valid project skeleton into `dir`, which must not hold a project already.
pub fn init_project(dir: &Path, name: &str, language: Language) -> io::Result<()> {
    if dir.join(Table::Settings.file_name()).exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already holds a project (project.toml exists)", dir.display()),
        ));
    }
    let mut settings = ProjectSettings::new(name);
    settings.language = language;
    write_project(&Project::empty(settings), dir)
}
