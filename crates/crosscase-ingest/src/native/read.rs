//! Reading a native project folder into a [`Project`], with every problem reported at file, line and column.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use crosscase_model::{
    Checked, Code, Coding, CodingBatch, CodingParts, CodingRow, Date, Headcount, Idea, IdeaEvent, InputFile,
    KommunRegister, Language, Municipality, Participant, Project, ProjectSettings, QuoteKeeping, Role, Source,
    SourceKind, SourceText, SourceTexts, Table, Unit, Wave,
};
use rayon::prelude::*;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::csv_table::{CsvRow, CsvTable};
use super::surveys::{self, SURVEY_DIR};
use super::{LIST_SEPARATOR, default_text_path};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::safe_file::{Folder, Refused, read_inside};
use crate::text_file::{check_utf8, decode_utf8};

/// A valid project and what it was read from.
#[derive(Clone, Debug)]
pub struct LoadedProject {
    pub project: Project,
    pub files: Vec<InputFile>,
    /// SHA-256 over all files' paths and hashes: equal hashes mean an unchanged project.
    pub content_hash: String,
    /// Things that are not wrong but worth knowing, such as columns crosscase does not read.
    pub warnings: Vec<Diagnostic>,
}

/// The keys of `project.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    name: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    disclosure_threshold: Option<i64>,
    #[serde(default)]
    free_site_ids: bool,
    #[serde(default)]
    primary_coder: Option<String>,
    #[serde(default)]
    ideas: Option<IdeasFile>,
}

/// The `[ideas]` table of `project.toml`: the stages of idea-management records.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdeasFile {
    #[serde(default)]
    stages: Option<Vec<String>>,
    #[serde(default)]
    exits: Option<Vec<String>>,
    #[serde(default)]
    implemented: Option<String>,
    #[serde(default)]
    observed_until: Option<String>,
}

/// Reads and validates the project in `dir`, codings and all. Returns every problem at once when there is any.
pub fn read_project(dir: &Path) -> Result<LoadedProject, Diagnostics> {
    let opened = open_project(dir)?;
    let mut codings = Vec::new();
    opened.read_codings(usize::MAX, QuoteKeeping::Fill, |batch| {
        codings.extend(batch);
        true
    })?;
    let (files, content_hash) = (opened.files(), opened.content_hash().to_string());
    let OpenedProject {
        mut project, warnings, ..
    } = opened;
    project.codings = codings;
    Ok(LoadedProject {
        project,
        files,
        content_hash,
        warnings,
    })
}

/// A project whose files are read, hashed and validated, all but its codings, which [`OpenedProject::read_codings`]
/// and [`OpenedProject::stream_codings`] parse and check in batches: so that a store can write while the rest is
/// still being read.
#[derive(Debug)]
pub struct OpenedProject {
    dir: PathBuf,
    /// The project without codings.
    project: Project,
    /// Every file but codings.csv, whose record is `codings`'.
    files: Vec<InputFile>,
    /// SHA-256 over all files' paths and hashes, made when first asked for.
    content_hash: OnceLock<String>,
    codings: CodingsFile,
    /// Rows of codings.csv, at most (its line count less the header).
    coding_rows: u64,
    warnings: Vec<Diagnostic>,
}

/// Codings per batch handed on by [`OpenedProject::read_codings`] in a streaming ingest.
pub const CODING_BATCH: usize = 16_384;

/// Reads project.toml and every table of the project in `dir` (the sources' `text` fields hold their texts' paths).
fn read_tables(dir: &Path) -> Result<(Reader<'_>, Project), Diagnostics> {
    let mut reader = Reader {
        dir,
        diags: Vec::new(),
        files: Vec::new(),
        bad_rows: HashSet::new(),
        columns: HashMap::new(),
        unreadable: false,
        broken: Vec::new(),
        survey_columns: HashMap::new(),
        warnings: Vec::new(),
    };
    if !dir.is_dir() {
        return Err(Diagnostics(vec![Diagnostic::file(
            dir,
            "no project folder here",
            "give the folder that holds project.toml; `crosscase init DIR` makes a new one",
        )]));
    }
    let settings = reader.settings();
    if settings.is_none() {
        reader.unreadable = true;
        reader.broken.push(Table::Settings.file_name().to_string());
    }
    let mut project = Project::empty(settings.unwrap_or_else(|| ProjectSettings::new("")));
    reader.tables(&mut project);
    Ok((reader, project))
}

/// Reads, hashes and validates everything of the project in `dir` but its codings. When there is a problem, the
/// codings are checked too, so that one run reports every problem.
pub fn open_project(dir: &Path) -> Result<OpenedProject, Diagnostics> {
    let (mut reader, mut project) = read_tables(dir)?;
    let codings = reader.texts(&mut project);
    let codings_text = codings.as_ref().map(CodingsFile::text);

    // References are checked even when a file could not be read as a whole, so that one run reports every problem;
    // only what would follow from the broken file (an id "not in sources.csv" when sources.csv is unreadable) is
    // left out. The codings' lines are counted meanwhile, on the other core.
    let (problems, coding_rows) = rayon::join(
        || Some(crosscase_model::validate(&project, &KommunRegister::sweden())),
        || {
            codings_text.map_or(0, |text| {
                memchr::memchr_iter(b'\n', text.as_bytes()).count().saturating_sub(1) as u64
            })
        },
    );
    if let Some(problems) = problems {
        for p in problems {
            if !reader.follows_from_broken_file(p.table, &p.message, &p.help) {
                reader.push_problem(p);
            }
        }
        if !reader.unreadable {
            reader.check_survey_responses(&project);
        }
    }
    if !reader.diags.is_empty() || reader.unreadable {
        if let Some(text) = codings_text {
            let nothing = Codings {
                rows: Vec::new(),
                keep: QuoteKeeping::Empty,
            };
            let (diags, _) = parse_codings(dir, text, &project, &texts_of(&project), usize::MAX, nothing, Some);
            let diags: Vec<Diagnostic> = diags
                .into_iter()
                .filter(|d| !reader.follows_from_broken_file(Table::Codings, &d.message, &d.help))
                .collect();
            reader.diags.extend(diags);
        }
        return Err(sorted(reader.diags));
    }
    Ok(OpenedProject {
        dir: dir.to_path_buf(),
        project,
        files: reader.files,
        content_hash: OnceLock::new(),
        codings: codings.unwrap_or_default(),
        coding_rows,
        warnings: reader.warnings,
    })
}

impl OpenedProject {
    /// The project without its codings.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Every file of the project, by path, with its hash.
    pub fn files(&self) -> Vec<InputFile> {
        let mut files = self.files.clone();
        files.push(self.codings.record().clone());
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// SHA-256 over all files' paths and hashes: equal hashes mean an unchanged project. codings.csv, the largest
    /// file, is hashed when this is first asked for, so that a streaming ingest can hash it after parsing it, while
    /// the store still writes.
    pub fn content_hash(&self) -> &str {
        self.content_hash
            .get_or_init(|| ReadFiles::new(self.files()).content_hash)
    }

    /// Things that are not wrong but worth knowing, such as columns crosscase does not read.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The number of rows codings.csv has, at most: a cheap estimate to size the load before parsing.
    pub fn coding_rows(&self) -> u64 {
        self.coding_rows
    }

    /// Parses and checks the codings, handing them to `sink` in batches of `batch` while no problem has been found;
    /// `sink` returns false to stop reading. Returns the number of codings, or every problem.
    pub fn read_codings(
        &self,
        batch: usize,
        keep: QuoteKeeping,
        mut sink: impl FnMut(Vec<Coding>) -> bool,
    ) -> Result<u64, Diagnostics> {
        let first = Codings {
            rows: Vec::with_capacity(batch.min(CODING_BATCH)),
            keep,
        };
        self.parse(batch, first, |full| {
            let next = Vec::with_capacity(batch.min(CODING_BATCH));
            sink(full.rows).then_some(Codings { rows: next, keep })
        })
    }

    /// Like [`OpenedProject::read_codings`], as the rows a store writes ([`CodingRow`]: no allocation per coding):
    /// batches of up to `batch` rows go to `sink`, which gives back an empty batch to fill next (one it is done
    /// with, say) or `None` to stop reading. When the codings are read, codings.csv is hashed (see
    /// [`OpenedProject::content_hash`]).
    pub fn stream_codings(
        &self,
        batch: usize,
        sink: impl FnMut(CodingBatch) -> Option<CodingBatch>,
    ) -> Result<u64, Diagnostics> {
        let count = self.parse(batch, CodingBatch::with_capacity(batch.min(CODING_BATCH)), sink)?;
        self.content_hash();
        Ok(count)
    }

    /// Parses and checks the codings into batches of `batch` (see [`parse_codings`]).
    fn parse<B: CodingOut>(
        &self,
        batch: usize,
        first: B,
        sink: impl FnMut(B) -> Option<B>,
    ) -> Result<u64, Diagnostics> {
        let texts = texts_of(&self.project);
        let (diags, count) = parse_codings(
            &self.dir,
            self.codings.text(),
            &self.project,
            &texts,
            batch,
            first,
            sink,
        );
        checked(diags, count)
    }
}

/// A project folder whose project.toml and tables are read and checked, with its texts and codings.csv still to
/// read ([`ProjectTables::stream`]): so that a store can begin writing the project (its municipalities, codes and
/// sources, each source as soon as its text is read) while the rest is read. A problem found on the way is reported
/// as [`open_project`] and [`OpenedProject::read_codings`] report it, all problems at once, by reading the project
/// again; that costs time only when the project has a problem.
#[derive(Debug)]
pub struct ProjectTables<'d> {
    dir: &'d Path,
    /// The project without codings, and without texts: they go to the [`SourceTexts`] given to `stream`.
    project: Project,
    /// The sources' text_file values, by source.
    text_paths: Vec<Option<String>>,
    /// The 1-based column of text_file in sources.csv.
    text_column: Option<u64>,
    /// Files read so far (project.toml and the tables).
    files: Vec<InputFile>,
    warnings: Vec<Diagnostic>,
    /// What `stream` read, once it has hashed it (`None` when it found a problem).
    read: OnceLock<Option<ReadFiles>>,
}

/// Every file of a project, by path, with its hash, and the hash over them all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadFiles {
    pub files: Vec<InputFile>,
    /// SHA-256 over all files' paths and hashes: equal hashes mean an unchanged project.
    pub content_hash: String,
}

impl ReadFiles {
    fn new(mut files: Vec<InputFile>) -> ReadFiles {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut hasher = Sha256::new();
        for f in &files {
            hasher.update(f.path.as_bytes());
            hasher.update([0]);
            hasher.update(f.sha256.as_bytes());
            hasher.update([b'\n']);
        }
        let content_hash = hex(&hasher.finalize());
        ReadFiles { files, content_hash }
    }
}

/// Reads project.toml and the tables of the project in `dir` and checks them; texts and codings are read by
/// [`ProjectTables::stream`]. Returns every problem of the project at once when there is any.
pub fn open_tables(dir: &Path) -> Result<ProjectTables<'_>, Diagnostics> {
    let (mut reader, mut project) = read_tables(dir)?;
    let clean = !reader.unreadable
        && reader.diags.is_empty()
        && crosscase_model::validate(&project, &KommunRegister::sweden()).is_empty()
        && {
            reader.check_survey_responses(&project);
            reader.diags.is_empty()
        };
    if !clean {
        return Err(every_problem(dir));
    }
    let text_paths = project.sources.iter_mut().map(|s| s.text.take()).collect();
    Ok(ProjectTables {
        dir,
        project,
        text_paths,
        text_column: reader.columns.get(&(Table::Sources, "text_file")).copied(),
        files: reader.files,
        warnings: reader.warnings,
        read: OnceLock::new(),
    })
}

/// Every problem of the project in `dir`, as [`open_project`] and [`OpenedProject::read_codings`] find them.
fn every_problem(dir: &Path) -> Diagnostics {
    let read = open_project(dir).and_then(|opened| opened.read_codings(usize::MAX, QuoteKeeping::Empty, |_| true));
    match read {
        Err(diags) => diags,
        Ok(_) => Diagnostics(vec![Diagnostic::file(
            dir,
            "the project's files changed while they were read",
            "run the command again once nothing writes into the project folder",
        )]),
    }
}

impl ProjectTables<'_> {
    /// The project without codings and without texts.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// At most how many codings codings.csv holds, estimated from its size before it is read (a line has at least
    /// 10 bytes: five one-character fields, their commas and the line's end): enough to size a load.
    pub fn expected_codings(&self) -> u64 {
        std::fs::metadata(self.dir.join(Table::Codings.file_name())).map_or(0, |m| m.len() / 10)
    }

    /// The project's files and their hash, once [`ProjectTables::stream`] has read and hashed them (waiting for
    /// that); `None` when it found a problem. The hash is made beside the parsing of the codings.
    pub fn read_files(&self) -> Option<&ReadFiles> {
        self.read.wait().as_ref()
    }

    /// Reads the texts into `texts` (in parallel, each slot as soon as its text is read; every slot is filled or
    /// closed when this returns) and codings.csv, then parses and checks the codings, handing batches of up to
    /// `batch` rows to `sink` as [`OpenedProject::stream_codings`] does. Warnings (columns crosscase does not read)
    /// go to `warn` once the texts and codings.csv are read, before the codings are checked, as [`open_project`]
    /// gives them.
    /// Returns the number of codings, or every problem of the project. Called again (a store that writes twice),
    /// it reads and checks again, and the texts and files are those read first.
    pub fn stream(
        &self,
        texts: &SourceTexts,
        batch: usize,
        warn: &mut dyn FnMut(&Diagnostic),
        sink: impl FnMut(CodingBatch) -> Option<CodingBatch>,
    ) -> Result<u64, Diagnostics> {
        /// Nobody waits for a text or the files that will not come.
        struct Close<'a>(&'a SourceTexts, &'a OnceLock<Option<ReadFiles>>);
        impl Drop for Close<'_> {
            fn drop(&mut self) {
                self.0.close();
                let _ = self.1.set(None);
            }
        }
        let _close = Close(texts, &self.read);
        let dir = self.dir;
        let sources_path = dir.join(Table::Sources.file_name());
        let folder = Folder::new(dir);
        let (read, codings) = rayon::join(
            || {
                self.project
                    .sources
                    .par_iter()
                    .zip(&self.text_paths)
                    .enumerate()
                    .map(|(i, (s, path))| {
                        let read = read_text(dir, &folder, &sources_path, s, path.as_deref(), self.text_column);
                        let (slot, record) = match read {
                            Ok(Some((text, record))) => {
                                let words = crosscase_model::word_count(&text) as u64;
                                (SourceText::Text { text, words }, Ok(Some(record)))
                            }
                            Ok(None) => (SourceText::None, Ok(None)),
                            Err(d) => (SourceText::Unreadable, Err(d)),
                        };
                        texts.set(i, slot);
                        record
                    })
                    .collect::<Result<Vec<Option<InputFile>>, Diagnostic>>()
            },
            || CodingsFile::read(dir),
        );
        let (Ok(records), Ok(codings)) = (read, codings) else {
            return Err(every_problem(dir));
        };
        let path = dir.join(Table::Codings.file_name());
        for w in self.warnings.iter().chain(&super::csv_table::unknown_column_warnings(
            Table::Codings,
            &path,
            codings.text(),
        )) {
            warn(w);
        }
        let source_texts: Vec<Option<&str>> = (0..self.project.sources.len()).map(|i| texts.text(i)).collect();
        let first = CodingBatch::with_capacity(batch.min(CODING_BATCH));
        let (diags, count) = std::thread::scope(|scope| {
            // codings.csv is hashed on another thread while it is parsed, so that the hash is there for a store
            // that needs it before it writes (a stored project of the same name) as soon as it can be.
            scope.spawn(|| {
                // Should hashing panic, a store waiting for the files is told there are none rather than left
                // waiting while the parser fills the channel.
                struct Unset<'a>(&'a OnceLock<Option<ReadFiles>>);
                impl Drop for Unset<'_> {
                    fn drop(&mut self) {
                        let _ = self.0.set(None);
                    }
                }
                let _unset = Unset(&self.read);
                let mut files = self.files.clone();
                files.extend(records.into_iter().flatten());
                files.push(codings.record().clone());
                let _ = self.read.set(Some(ReadFiles::new(files)));
            });
            parse_codings(dir, codings.text(), &self.project, &source_texts, batch, first, sink)
        });
        checked(diags, count)
    }
}

/// The number of codings read, or every problem found, in reading order.
fn checked(diags: Vec<Diagnostic>, count: u64) -> Result<u64, Diagnostics> {
    if diags.is_empty() {
        Ok(count)
    } else {
        Err(sorted(diags))
    }
}

/// Problems in reading order: settings, then the tables as the format lists them, each by line and column.
fn sorted(mut diags: Vec<Diagnostic>) -> Diagnostics {
    let rank = |d: &Diagnostic| {
        let name = d.file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let table = std::iter::once(Table::Settings)
            .chain(Table::CSV)
            .chain(Table::OPTIONAL_CSV)
            .position(|t| t.file_name() == name);
        (table.unwrap_or(usize::MAX), d.file.clone(), d.line, d.column)
    };
    diags.sort_by_key(rank);
    Diagnostics(diags)
}

/// The texts of a project's sources, in their order.
fn texts_of(project: &Project) -> Vec<Option<&str>> {
    project.sources.iter().map(|s| s.text.as_deref()).collect()
}

/// Where [`parse_codings`] puts the codings it checked: a batch it hands on when full.
trait CodingOut {
    fn len(&self) -> usize;
    /// Adds a coding that had no problem; `coder_known` is whether its coder was named in a row added before.
    fn add(&mut self, c: &CodingParts<'_>, checked: &Checked<'_>, quote: &[u8], memo: &str, coder_known: bool);
}

/// Whole codings, as a project holds them.
struct Codings {
    rows: Vec<Coding>,
    keep: QuoteKeeping,
}

impl CodingOut for Codings {
    fn len(&self) -> usize {
        self.rows.len()
    }

    fn add(&mut self, c: &CodingParts<'_>, checked: &Checked<'_>, quote: &[u8], memo: &str, _: bool) {
        let quote = match checked.text {
            Some(at) if self.keep == QuoteKeeping::Fill => at.to_string(),
            Some(_) => String::new(),
            None => String::from_utf8_lossy(quote).into_owned(),
        };
        self.rows.push(Coding {
            source: c.source.to_string(),
            code: c.code.to_string(),
            coder: c.coder.to_string(),
            start: c.start,
            end: c.end,
            quote,
            memo: (!memo.is_empty()).then(|| memo.to_string()),
            line: c.line,
        });
    }
}

impl CodingOut for CodingBatch {
    fn len(&self) -> usize {
        self.rows.len()
    }

    fn add(&mut self, c: &CodingParts<'_>, checked: &Checked<'_>, quote: &[u8], memo: &str, coder_known: bool) {
        if !coder_known {
            self.new_coders.push(c.coder.to_string());
        }
        self.rows.push(CodingRow {
            source: checked.source,
            code: checked.code,
            coder: checked.coder,
            start: c.start,
            end: c.end,
            quote: checked
                .text
                .is_none()
                .then(|| String::from_utf8_lossy(quote).into_owned()),
            memo: (!memo.is_empty()).then(|| memo.to_string()),
            line: c.line,
        });
    }
}

/// Parses codings.csv and checks each coding against `project`; full batches go to `sink`, which gives back the
/// batch to fill next (or `None` to stop reading), until the first problem.
fn parse_codings<'p, B: CodingOut>(
    dir: &Path,
    text: &str,
    project: &'p Project,
    source_texts: &[Option<&'p str>],
    batch: usize,
    first: B,
    mut sink: impl FnMut(B) -> Option<B>,
) -> (Vec<Diagnostic>, u64) {
    let path = dir.join(Table::Codings.file_name());
    let mut checker = crosscase_model::CodingChecker::with_texts(project, source_texts);
    let mut diags = Vec::new();
    let mut pending = Some(first);
    let mut problems = Vec::new();
    let (mut count, mut sending) = (0u64, true);
    // Coders named in rows handed on so far: a coder numbered from here on is new to whoever takes the batches.
    let mut coders_sent = 0u32;
    // Column positions, resolved on the first row rather than by name for every field of every row.
    let mut at: Option<[Option<usize>; 8]> = None;
    // Texts by source id, for codings given by their quote alone.
    let texts: HashMap<&str, Option<&str>> = project
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), source_texts.get(i).copied().flatten()))
        .collect();
    let parsed = CsvTable::parse(Table::Codings, &path, text, &mut diags, |t, row, diags| {
        let [source, code, coder, start, end, quote, memo, occurrence] = *at.get_or_insert_with(|| {
            [
                "source_id",
                "code_id",
                "coder",
                "start",
                "end",
                "quote",
                "memo",
                "occurrence",
            ]
            .map(|f| t.position(f))
        });
        let before = diags.len();
        let mut rp = RowProblems { diags, bad: false };
        let (start_text, end_text) = (t.str_at(row, start), t.str_at(row, end));
        // The quote is compared with the text as bytes; it is read as text (checked as UTF-8 again, a tenth of the
        // parser's time when done for every row) only when it is looked up or reported.
        let quote_bytes = t.bytes_at(row, quote);
        let quote_text = || std::str::from_utf8(quote_bytes).unwrap_or("");
        let (start, end) = if start_text.is_empty() && end_text.is_empty() && !quote_text().trim().is_empty() {
            locate_quote(
                t,
                row,
                &path,
                &texts,
                t.str_at(row, source),
                quote_text(),
                occurrence,
                &mut rp,
            )
        } else {
            (
                parse_offset(t, row, &path, "start", start_text, &mut rp),
                parse_offset(t, row, &path, "end", end_text, &mut rp),
            )
        };
        let Some(out) = pending.as_mut() else {
            // Whoever takes the batches has stopped listening: there is no one to read for.
            return;
        };
        count += 1;
        if rp.bad {
            sending = false;
            return;
        }
        let parts = CodingParts {
            source: t.str_at(row, source),
            code: t.str_at(row, code),
            coder: t.str_at(row, coder),
            start: start.unwrap_or(0),
            end: end.unwrap_or(0),
            line: row.line,
        };
        problems.clear();
        match checker.check_parts(&parts, quote_bytes, &mut problems) {
            Some(checked) if sending => {
                let known = checked.coder < coders_sent;
                coders_sent = coders_sent.max(checked.coder + 1);
                out.add(&parts, &checked, quote_bytes, t.str_at(row, memo), known);
                if out.len() >= batch {
                    pending = sink(pending.take().expect("a batch is being filled"));
                }
            }
            Some(_) => {}
            None => {
                for mut p in problems.drain(..) {
                    // A quote that differs from the text at its offsets: say where it does occur, if anywhere.
                    if p.field == Some("quote")
                        && let Some(Some(text)) = texts.get(parts.source)
                    {
                        let at: String = text
                            .chars()
                            .skip(parts.start as usize)
                            .take((parts.end - parts.start) as usize)
                            .collect();
                        p.message
                            .push_str(&super::quotes::mismatch_note(text, &at, quote_text()));
                    }
                    let column = p.field.and_then(|f| t.column_of(f));
                    let mut d = Diagnostic::file(&path, p.message, p.help).at(p.line, column);
                    d.field = p.field.map(str::to_string);
                    diags.push(d);
                }
            }
        }
        if diags.len() > before {
            sending = false;
        }
    });
    if parsed.is_some()
        && diags.is_empty()
        && let Some(out) = pending
        && out.len() > 0
    {
        sink(out);
    }
    (diags, count)
}

struct Reader<'a> {
    dir: &'a Path,
    diags: Vec<Diagnostic>,
    files: Vec<InputFile>,
    /// Rows that already have a parse problem; validation problems on them would only repeat it.
    bad_rows: HashSet<(Table, u64)>,
    /// 1-based column number of each known column, per table.
    columns: HashMap<(Table, &'static str), u64>,
    /// A file was missing, undecodable or had a broken header, so cross-references cannot be checked.
    unreadable: bool,
    /// The files that could not be read as a whole (`sources.csv`, `project.toml`).
    broken: Vec<String>,
    /// For each instrument, the 1-based column of each named column of its responses file.
    survey_columns: HashMap<String, HashMap<String, u64>>,
    warnings: Vec<Diagnostic>,
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn file_record(rel: &str, bytes: &[u8]) -> InputFile {
    InputFile {
        path: rel.to_string(),
        sha256: hex(&Sha256::digest(bytes)),
        bytes: bytes.len() as u64,
    }
}

impl Reader<'_> {
    /// Adds a model problem as a diagnostic at file, line and column, unless its row already has one.
    fn push_problem(&mut self, p: crosscase_model::Problem) {
        if self.bad_rows.contains(&(p.table, p.line)) {
            return;
        }
        let column = p.field.and_then(|f| self.columns.get(&(p.table, f)).copied());
        let mut d = Diagnostic::file(self.dir.join(p.table.file_name()), p.message, p.help).at(p.line, column);
        d.field = p.field.map(str::to_string);
        self.diags.push(d);
    }

    /// Reads a file of the project, recording its hash; `None` (with a diagnostic) when it cannot be read.
    fn read_text(&mut self, rel: &str, required: bool) -> Option<String> {
        let read = read_file(self.dir, rel);
        let before = std::mem::replace(&mut self.unreadable, false);
        let text = self.take_file(read, required);
        if self.unreadable {
            self.broken.push(rel.to_string());
        }
        self.unreadable |= before;
        text
    }

    /// Whether a validation problem only repeats that a file could not be read: the table's own rows are incomplete,
    /// or the problem names an id as missing from that file.
    fn follows_from_broken_file(&self, table: Table, message: &str, help: &str) -> bool {
        self.broken.iter().any(|b| {
            *b == table.file_name()
                || message.contains(b.as_str())
                || help.contains(b.as_str())
                || (b == "codebook.csv" && message.contains("the codebook"))
        })
    }

    /// Records what [`read_file`] found.
    fn take_file(&mut self, read: FileRead, required: bool) -> Option<String> {
        match read {
            FileRead::Text(text, record) => {
                self.files.push(record);
                Some(text)
            }
            FileRead::Missing(_) if !required => None,
            FileRead::Missing(d) => {
                self.unreadable = true;
                self.diags.push(d);
                None
            }
            FileRead::Unreadable(d, record) => {
                self.files.extend(record);
                self.unreadable = true;
                self.diags.push(d);
                None
            }
        }
    }

    fn settings(&mut self) -> Option<ProjectSettings> {
        let rel = Table::Settings.file_name();
        let path = self.dir.join(rel);
        let text = self.read_text(rel, true)?;
        let file: SettingsFile = match toml::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                let (line, column) = e.span().map_or((0, None), |span| line_column(&text, span.start));
                self.diags.push(
                    Diagnostic::file(
                        &path,
                        format!("project.toml cannot be read: {}", e.message()),
                        "the keys are name, language (sv or en), disclosure_threshold, free_site_ids, primary_coder and an [ideas] table; see docs/project-format.md",
                    )
                    .at(line, column),
                );
                return None;
            }
        };
        let key_line = |key: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(key))
                .map_or(0, |i| i as u64 + 1)
        };
        let mut settings = ProjectSettings::new(file.name);
        if let Some(lang) = file.language {
            match lang.parse::<Language>() {
                Ok(l) => settings.language = l,
                Err(msg) => self.diags.push(
                    Diagnostic::file(&path, msg, "write `language = \"sv\"` or `language = \"en\"`")
                        .at(key_line("language"), None)
                        .field("language"),
                ),
            }
        }
        if let Some(t) = file.disclosure_threshold {
            match u32::try_from(t) {
                Ok(t) if t >= 1 => settings.disclosure_threshold = t,
                _ => self.diags.push(
                    Diagnostic::file(
                        &path,
                        format!("disclosure_threshold = {t} is not a number of persons"),
                        "use a whole number of at least 1; 5 is the default",
                    )
                    .at(key_line("disclosure_threshold"), None)
                    .field("disclosure_threshold"),
                ),
            }
        }
        settings.free_site_ids = file.free_site_ids;
        settings.primary_coder = file.primary_coder.filter(|c| !c.trim().is_empty());
        if let Some(ideas) = file.ideas {
            let stages = &mut settings.idea_stages;
            let trimmed = |v: Vec<String>| v.into_iter().map(|s| s.trim().to_string()).collect();
            if let Some(progress) = ideas.stages {
                stages.progress = trimmed(progress);
            }
            if let Some(exits) = ideas.exits {
                stages.exits = trimmed(exits);
            }
            if let Some(implemented) = ideas.implemented {
                stages.implemented = implemented.trim().to_string();
            }
            if let Some(until) = ideas.observed_until {
                match until.parse::<Date>() {
                    Ok(d) => stages.observed_until = Some(d),
                    Err(e) => self.diags.push(
                        Diagnostic::file(&path, format!("observed_until: {e}"), "write the date as YYYY-MM-DD")
                            .at(key_line("observed_until"), None)
                            .field("observed_until"),
                    ),
                }
            }
        }
        Some(settings)
    }

    /// Reads one CSV table, handing each row to `on_row`; records the column map for later messages.
    fn table(
        &mut self,
        table: Table,
        required: bool,
        mut on_row: impl FnMut(&CsvTable, &CsvRow, &Path, &mut RowProblems),
    ) {
        let rel = table.file_name();
        let Some(text) = self.read_text(rel, required) else {
            return;
        };
        let path = self.dir.join(rel);
        self.warnings
            .extend(super::csv_table::unknown_column_warnings(table, &path, &text));
        let mut bad_lines = Vec::new();
        let parsed = CsvTable::parse(table, &path, &text, &mut self.diags, |t, row, diags| {
            let mut problems = RowProblems { diags, bad: false };
            on_row(t, row, &path, &mut problems);
            if problems.bad {
                bad_lines.push(row.line);
            }
        });
        self.bad_rows.extend(bad_lines.into_iter().map(|l| (table, l)));
        let Some(parsed) = parsed else {
            self.unreadable = true;
            self.broken.push(rel.to_string());
            return;
        };
        {
            for &c in table.columns() {
                if let Some(col) = parsed.column_of(c) {
                    self.columns.insert((table, c), col);
                }
            }
        }
    }

    fn tables(&mut self, project: &mut Project) {
        self.table(Table::Municipalities, true, |t, row, _, _| {
            project.municipalities.push(Municipality {
                code: t.get(row, "kommunkod").to_string(),
                name: t.get(row, "name").to_string(),
                line: row.line,
            });
        });
        self.table(Table::Units, false, |t, row, _, _| {
            project.units.push(Unit {
                id: t.get(row, "unit_id").to_string(),
                municipality: t.get(row, "kommunkod").to_string(),
                name: t.get(row, "name").to_string(),
                line: row.line,
            });
        });
        self.table(Table::Participants, false, |t, row, path, problems| {
            let role = match t.get(row, "role").parse::<Role>() {
                Ok(r) => r,
                Err(msg) => {
                    problems.push(t.problem(
                        path,
                        row.line,
                        "role",
                        msg,
                        "roles may also be written in Swedish, e.g. mellanchef",
                    ));
                    Role::Other
                }
            };
            project.participants.push(Participant {
                id: t.get(row, "participant_id").to_string(),
                municipality: t.get(row, "kommunkod").to_string(),
                unit: t.get_opt(row, "unit_id"),
                role,
                line: row.line,
            });
        });
        self.table(Table::Waves, false, |t, row, path, problems| {
            let start = parse_date(t, row, path, "start", problems);
            let end = parse_date(t, row, path, "end", problems);
            if let (Some(start), Some(end)) = (start, end) {
                let id = t.get(row, "wave_id").to_string();
                let name = t.get_opt(row, "name").unwrap_or_else(|| id.clone());
                project.waves.push(Wave {
                    id,
                    name,
                    start,
                    end,
                    line: row.line,
                });
            }
        });
        self.table(Table::Codebook, true, |t, row, path, problems| {
            let label_sv = t.get(row, "label_sv").to_string();
            let label_en = t.get_opt(row, "label_en").unwrap_or_else(|| label_sv.clone());
            let codable = match t.get(row, "codable").to_lowercase().as_str() {
                "" | "yes" | "ja" | "true" | "1" => true,
                "no" | "nej" | "false" | "0" => false,
                other => {
                    problems.push(t.problem(
                        path,
                        row.line,
                        "codable",
                        format!("`{other}` is not yes or no"),
                        "write `no` (or `nej`) for a folder that only groups codes, and leave it empty otherwise",
                    ));
                    true
                }
            };
            project.codes.push(Code {
                id: t.get(row, "code_id").to_string(),
                parent: t.get_opt(row, "parent_id"),
                label_sv,
                label_en,
                description: t.get_opt(row, "description"),
                colour: t.get_opt(row, "colour"),
                codable,
                line: row.line,
            });
        });
        self.table(Table::Sources, true, |t, row, path, problems| {
            let kind = match t.get(row, "kind").parse::<SourceKind>() {
                Ok(k) => k,
                Err(msg) => {
                    problems.push(t.problem(
                        path,
                        row.line,
                        "kind",
                        msg,
                        "Swedish names work too: intervju, observation, workshop, dokument",
                    ));
                    SourceKind::Document
                }
            };
            let date = if t.get(row, "date").is_empty() {
                None
            } else {
                parse_date(t, row, path, "date", problems)
            };
            let duration_minutes = match t.get(row, "duration_min") {
                "" => None,
                v => match v.parse::<u32>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        problems.push(t.problem(
                            path,
                            row.line,
                            "duration_min",
                            format!("`{v}` is not a whole number of minutes"),
                            "write the duration in minutes, e.g. 90",
                        ));
                        None
                    }
                },
            };
            let participants = split_list(t.get(row, "participants"));
            project.sources.push(Source {
                id: t.get(row, "source_id").to_string(),
                kind,
                municipality: t.get(row, "kommunkod").to_string(),
                unit: t.get_opt(row, "unit_id"),
                date,
                wave: t.get_opt(row, "wave_id"),
                participants,
                setting: t.get_opt(row, "setting"),
                duration_minutes,
                title: t.get_opt(row, "title"),
                // The text path is kept here until the texts are read.
                text: t.get_opt(row, "text_file"),
                line: row.line,
            });
        });
        self.idea_tables(project);
        self.surveys(project);
    }

    /// Survey instruments and their responses, from `surveys/`.
    fn surveys(&mut self, project: &mut Project) {
        for id in surveys::instrument_ids(self.dir) {
            let rel = format!("{SURVEY_DIR}/{id}.toml");
            let path = self.dir.join(&rel);
            let Some(text) = self.read_text(&rel, true) else {
                continue;
            };
            let Some(instrument) = surveys::parse_instrument(&id, &path, &text, &mut self.diags) else {
                self.unreadable = true;
                continue;
            };
            for p in crosscase_model::check_instrument(&instrument) {
                let mut d = Diagnostic::file(&path, p.message, p.help);
                d.field = p.field;
                self.diags.push(d);
            }
            let rel_csv = format!("{SURVEY_DIR}/{id}.csv");
            let csv_path = self.dir.join(&rel_csv);
            if !csv_path.exists() {
                self.unreadable = true;
                self.diags.push(Diagnostic::file(
                    &csv_path,
                    format!("instrument `{id}` has no responses file"),
                    format!(
                        "write the responses in {rel_csv}: respondent, kommunkod, role, wave and one column per item"
                    ),
                ));
                continue;
            }
            let Some(text) = self.read_text(&rel_csv, true) else {
                continue;
            };
            let before = self.diags.len();
            let (responses, columns) = surveys::parse_responses(&instrument, &csv_path, &text, &mut self.diags);
            if self.diags.len() > before && responses.is_empty() {
                self.unreadable = true;
            }
            self.survey_columns.insert(id, columns);
            project.instruments.push(instrument);
            project.survey_responses.extend(responses);
        }
    }

    /// Responses checked against the project (municipalities, waves, repeated respondents), at file, line and column.
    fn check_survey_responses(&mut self, project: &Project) {
        for instrument in &project.instruments {
            let responses: Vec<_> = project
                .survey_responses
                .iter()
                .filter(|r| r.instrument == instrument.id)
                .collect();
            let path = self.dir.join(format!("{SURVEY_DIR}/{}.csv", instrument.id));
            let columns = self.survey_columns.get(&instrument.id);
            for p in crosscase_model::check_responses(project, instrument, &responses) {
                let column = p.field.as_ref().and_then(|f| columns.and_then(|c| c.get(f)).copied());
                let mut d = Diagnostic::file(&path, p.message, p.help).at(p.line, column);
                d.field = p.field;
                self.diags.push(d);
            }
        }
    }

    /// The optional idea-management records: ideas, their stage events and head counts.
    fn idea_tables(&mut self, project: &mut Project) {
        self.table(Table::Ideas, false, |t, row, path, problems| {
            let Some(submitted) = parse_date(t, row, path, "submitted", problems) else {
                return;
            };
            let wave = t.get_opt(row, "wave_id").or_else(|| {
                project
                    .waves
                    .iter()
                    .find(|w| w.start <= submitted && submitted <= w.end)
                    .map(|w| w.id.clone())
            });
            project.ideas.push(Idea {
                id: t.get(row, "idea_id").to_string(),
                municipality: t.get(row, "kommunkod").to_string(),
                unit: t.get_opt(row, "unit_id"),
                submitted,
                wave,
                codes: split_list(t.get(row, "codes")),
                title: t.get_opt(row, "title"),
                line: row.line,
            });
        });
        self.table(Table::IdeaEvents, false, |t, row, path, problems| {
            let Some(date) = parse_date(t, row, path, "date", problems) else {
                return;
            };
            project.idea_events.push(IdeaEvent {
                idea: t.get(row, "idea_id").to_string(),
                stage: t.get(row, "stage").trim().to_lowercase(),
                date,
                line: row.line,
            });
        });
        self.table(Table::Headcounts, false, |t, row, path, problems| {
            let value = t.get(row, "employees");
            let employees = match value.replace([' ', '\u{a0}'], "").parse::<u32>() {
                Ok(n) => n,
                Err(_) => {
                    problems.push(t.problem(
                        path,
                        row.line,
                        "employees",
                        format!("`{value}` is not a number of employees"),
                        "write a whole number without thousands separators, e.g. 3600",
                    ));
                    return;
                }
            };
            project.headcounts.push(Headcount {
                municipality: t.get(row, "kommunkod").to_string(),
                unit: t.get_opt(row, "unit_id"),
                employees,
                line: row.line,
            });
        });
    }

    /// Replaces each source's text path by the text itself, reading the files in parallel; returns the text of
    /// codings.csv, read at the same time.
    fn texts(&mut self, project: &mut Project) -> Option<CodingsFile> {
        let dir = self.dir;
        let column = self.columns.get(&(Table::Sources, "text_file")).copied();
        // codings.csv is read, hashed and decoded while the texts are.
        let (results, codings) = rayon::join(|| read_texts(dir, &project.sources, column), || CodingsFile::read(dir));
        for (source, result) in project.sources.iter_mut().zip(results) {
            source.text = match result {
                Ok(Some((text, record))) => {
                    self.files.push(record);
                    Some(text)
                }
                Ok(None) => None,
                Err(d) => {
                    self.diags.push(d);
                    self.bad_rows.insert((Table::Sources, source.line));
                    None
                }
            };
        }
        let codings = match codings {
            Ok(codings) => Some(codings),
            Err(read) => {
                self.take_file(*read, true);
                None
            }
        };
        match &codings {
            None => self.broken.push(Table::Codings.file_name().to_string()),
            Some(codings) => {
                let path = dir.join(Table::Codings.file_name());
                self.warnings.extend(super::csv_table::unknown_column_warnings(
                    Table::Codings,
                    &path,
                    codings.text(),
                ));
            }
        }
        codings
    }
}

type TextRead = Result<Option<(String, InputFile)>, Diagnostic>;

/// Reads the text of every source, in parallel; the `text` field holds the path until then.
fn read_texts(dir: &Path, sources: &[Source], column: Option<u64>) -> Vec<TextRead> {
    let sources_path = dir.join(Table::Sources.file_name());
    let folder = Folder::new(dir);
    sources
        .par_iter()
        .map(|s| read_text(dir, &folder, &sources_path, s, s.text.as_deref(), column))
        .collect()
}

/// Reads the text of source `s` from `path` (its text_file, or the default path when it has none).
fn read_text(
    dir: &Path,
    folder: &Folder<'_>,
    sources_path: &Path,
    s: &Source,
    path: Option<&str>,
    column: Option<u64>,
) -> TextRead {
    let (rel, explicit) = match path {
        Some(rel) => (rel.replace('\\', "/"), true),
        None => (default_text_path(&s.id), false),
    };
    if !is_safe_relative(&rel) {
        return Err(Diagnostic::file(
            sources_path,
            format!("text_file `{rel}` points outside the project folder"),
            "give a path inside the project folder, such as texts/I001.txt",
        )
        .at(s.line, column)
        .field("text_file"));
    }
    let path = dir.join(&rel);
    match folder.read(Path::new(&rel)) {
        Ok(bytes) => {
            let record = file_record(&rel, &bytes);
            decode_utf8(&path, bytes).map(|text| Some((text, record)))
        }
        Err(Refused::Missing) if !explicit => Ok(None),
        Err(Refused::Missing) => Err(Diagnostic::file(
            sources_path,
            format!("the text file `{rel}` of source `{}` does not exist", s.id),
            "check the path in text_file, or leave it empty if the source has no text",
        )
        .at(s.line, column)
        .field("text_file")),
        Err(e) => Err(Diagnostic::file(
            sources_path,
            format!("the text file `{rel}` of source `{}` is not read: {e}", s.id),
            e.help(),
        )
        .at(s.line, column)
        .field("text_file")),
    }
}

/// A project file as read: its text and record, or why not.
enum FileRead {
    Text(String, InputFile),
    Missing(Diagnostic),
    /// Present but unreadable or not UTF-8 (then its record is kept: it was read).
    Unreadable(Diagnostic, Option<InputFile>),
}

/// codings.csv as read: its bytes, checked to be UTF-8 and kept rather than copied into a `String` (the file is
/// most of a large project), and hashed only when its record is first asked for.
#[derive(Debug, Default)]
struct CodingsFile {
    bytes: Vec<u8>,
    /// Where the text starts, after a BOM.
    start: usize,
    record: OnceLock<InputFile>,
}

impl CodingsFile {
    /// Reads codings.csv, or says why not (as [`read_file`] would).
    fn read(dir: &Path) -> Result<CodingsFile, Box<FileRead>> {
        let rel = Table::Codings.file_name();
        let bytes = read_file_bytes(dir, rel)?;
        match check_utf8(&dir.join(rel), &bytes) {
            Ok(start) => Ok(CodingsFile {
                bytes,
                start,
                record: OnceLock::new(),
            }),
            Err(d) => Err(Box::new(FileRead::Unreadable(d, Some(file_record(rel, &bytes))))),
        }
    }

    /// The text, checked again (SIMD: a hundredth of a second for a million codings) rather than trusted unchecked.
    fn text(&self) -> &str {
        simdutf8::basic::from_utf8(&self.bytes[self.start..]).unwrap_or_default()
    }

    fn record(&self) -> &InputFile {
        self.record
            .get_or_init(|| file_record(Table::Codings.file_name(), &self.bytes))
    }
}

/// Reads one file of the project as bytes, or says why not.
fn read_file_bytes(dir: &Path, rel: &str) -> Result<Vec<u8>, Box<FileRead>> {
    let path = dir.join(rel);
    match read_inside(dir, Path::new(rel)) {
        Ok(b) => Ok(b),
        Err(Refused::Missing) => Err(Box::new(FileRead::Missing(Diagnostic::file(
            &path,
            "the file is missing",
            "every project has this file; `crosscase init` writes an empty one with its header",
        )))),
        Err(e) => Err(Box::new(FileRead::Unreadable(
            Diagnostic::file(&path, format!("the file is not read: {e}"), e.help()),
            None,
        ))),
    }
}

/// Reads, hashes and decodes one file of the project.
fn read_file(dir: &Path, rel: &str) -> FileRead {
    let path = dir.join(rel);
    let bytes = match read_file_bytes(dir, rel) {
        Ok(bytes) => bytes,
        Err(read) => return *read,
    };
    let record = file_record(rel, &bytes);
    match decode_utf8(&path, bytes) {
        Ok(text) => FileRead::Text(text, record),
        Err(d) => FileRead::Unreadable(d, Some(record)),
    }
}

/// Collects the problems of one row and remembers whether there were any.
struct RowProblems<'d> {
    diags: &'d mut Vec<Diagnostic>,
    bad: bool,
}

impl RowProblems<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.bad = true;
        self.diags.push(d);
    }
}

fn parse_date(t: &CsvTable, row: &CsvRow, path: &Path, field: &str, problems: &mut RowProblems) -> Option<Date> {
    let v = t.get(row, field);
    match v.parse::<Date>() {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(t.problem(
                path,
                row.line,
                field,
                e.to_string(),
                "Excel may have reformatted it; format the column as text",
            ));
            None
        }
    }
}

/// The largest offset taken: far beyond any text (a trillion characters), and small enough for SQLite's integers.
pub const MAX_OFFSET: u64 = 1 << 40;

/// The offsets of a coding given by its quote alone (`start` and `end` empty), found in its source's text.
#[allow(clippy::too_many_arguments)]
fn locate_quote(
    t: &CsvTable,
    row: &CsvRow,
    path: &Path,
    texts: &HashMap<&str, Option<&str>>,
    source: &str,
    quote: &str,
    occurrence: Option<usize>,
    problems: &mut RowProblems,
) -> (Option<u64>, Option<u64>) {
    let occurrence_text = t.str_at(row, occurrence);
    let occurrence = if occurrence_text.is_empty() {
        None
    } else {
        match occurrence_text.parse::<u64>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                problems.push(t.problem(
                    path,
                    row.line,
                    "occurrence",
                    format!("`{occurrence_text}` is not an occurrence"),
                    "write 1 for the first place the quote occurs in the text, 2 for the second, …",
                ));
                return (None, None);
            }
        }
    };
    let found = match texts.get(source) {
        // An unknown source is reported by the coding checker.
        None => return (Some(0), Some(1)),
        Some(None) => Err((
            format!("source `{source}` has no text, so the quote cannot be found in it"),
            "give start and end, or add the source's text file".to_string(),
        )),
        Some(Some(text)) => super::quotes::locate(text, source, quote, occurrence),
    };
    match found {
        Ok((s, e)) => (Some(s), Some(e)),
        Err((message, help)) => {
            problems.push(t.problem(path, row.line, "quote", message, help));
            (None, None)
        }
    }
}

fn parse_offset(
    t: &CsvTable,
    row: &CsvRow,
    path: &Path,
    field: &str,
    v: &str,
    problems: &mut RowProblems,
) -> Option<u64> {
    match v.parse::<u64>() {
        Ok(n) if n <= MAX_OFFSET => Some(n),
        Ok(n) => {
            problems.push(t.problem(
                path,
                row.line,
                field,
                format!("`{n}` is larger than any text: crosscase takes offsets up to {MAX_OFFSET}"),
                "offsets are whole numbers of characters counted from 0 at the start of the text",
            ));
            None
        }
        Err(_) if v.is_empty() => {
            problems.push(t.problem(
                path,
                row.line,
                field,
                format!("`{field}` is empty"),
                "give start and end in characters counted from 0, or leave both empty and give the quote, which is then looked up in the text",
            ));
            None
        }
        Err(_) => {
            problems.push(t.problem(
                path,
                row.line,
                field,
                format!("`{v}` is not an offset"),
                "offsets are whole numbers of characters counted from 0 at the start of the text",
            ));
            None
        }
    }
}

/// The values of a list column, separated by `|`.
fn split_list(value: &str) -> Vec<String> {
    value
        .split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// A relative path that does not obviously leave the project folder (`texts/../texts/I1.txt` stays inside; whether
/// the real path does, through `..` and symbolic links, [`read_inside`] checks).
fn is_safe_relative(rel: &str) -> bool {
    let p = PathBuf::from(rel);
    let mut depth = 0i64;
    !rel.is_empty()
        && p.components().all(|c| match c {
            Component::Normal(_) => {
                depth += 1;
                true
            }
            Component::CurDir => true,
            Component::ParentDir => {
                depth -= 1;
                depth >= 0
            }
            Component::RootDir | Component::Prefix(_) => false,
        })
}

/// The 1-based line and column of a byte offset in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (u64, Option<u64>) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    (line, Some(column))
}
