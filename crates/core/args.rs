//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands::UserError;

#[derive(Parser, Debug)]
#[command(
    name = "crosscase",
    version,
    about = "Cross-case comparison of coded field data, with workshop feedback packs."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The project a command reads: the database and, when it holds several, which project.
#[derive(clap::Args, Debug)]
pub struct ProjectArgs {
    /// The project database (an SQLite file that `ingest` or `import` wrote).
    #[arg(long)]
    pub db: PathBuf,
    /// The project, when the database holds several.
    #[arg(long)]
    pub project: Option<String>,
}

/// Pseudonymisation on the way in (`ingest`, `import`).
#[derive(clap::Args, Debug)]
pub struct PseudonymiseArgs {
    /// Replace the names in this roster (a CSV with a column `name`) by stable pseudonyms, in participant ids (for a
    /// QDA tool's export, its case names) and all texts, before anything is stored.
    #[arg(long, value_name = "ROSTER.csv")]
    pub pseudonymise: Option<PathBuf>,
    /// The pseudonymisation key (created when missing); keep it outside the database. Default: the roster's path
    /// with the extension `.key`.
    #[arg(long, requires = "pseudonymise")]
    pub key: Option<PathBuf>,
}

/// The participants' real names, which nothing a command writes may contain (`feedback`, `serve`, `workshop`,
/// `audit`).
#[derive(clap::Args, Debug)]
pub struct RosterArgs {
    /// A CSV with the participants' real names (a column `name`): masked wherever the command writes their words
    /// (quotes, segments, comments, notes), and looked for by `audit`.
    #[arg(long, value_name = "ROSTER.csv")]
    pub roster: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write an empty, valid project folder to fill in.
    #[command(after_help = "Example:\n  crosscase init my-project --name \"Innovation in Östergötland\"")]
    Init(InitArgs),
    /// Check a project folder and report every problem with file, line and column.
    #[command(after_help = "Example:\n  crosscase validate my-project")]
    Validate(ValidateArgs),
    /// Validate a project folder and store it in the database (replacing that project's earlier data).
    #[command(after_help = "Example:\n  crosscase ingest my-project --db project.sqlite")]
    Ingest(IngestArgs),
    /// Import a coded project from a QDA tool: a REFI-QDA export (.qdpx, or .qde with its sources folder), a codebook
    /// (.qdc), or a QualCoder project (.qda folder or its data.qda); several files of the same project (e.g. two
    /// coders' exports) merge into one. Positions are converted to code points and checked against the texts.
    #[command(after_help = "Example:\n  crosscase import Studie.qdpx --db project.sqlite")]
    Import(ImportArgs),
    /// Prevalence of every code by municipality, and whether municipalities differ (tests, effect sizes, q-values).
    #[command(after_help = "Example:\n  crosscase compare --db project.sqlite --out compare.csv")]
    Compare(CompareArgs),
    /// Which codes go together: overlapping segments, shared sources, nearby segments; overall and by municipality.
    #[command(after_help = "Example:\n  crosscase cooccur --db project.sqlite --out cooccur.csv")]
    Cooccur(CooccurArgs),
    /// Intercoder agreement where two or more coders coded the same sources, per code and pooled.
    #[command(after_help = "Example:\n  crosscase agreement --db project.sqlite --out agreement.csv")]
    Agreement(AgreementArgs),
    /// How ideas move from suggestion to practice: the funnel of stages with Wilson intervals, ideas per 100
    /// employees, time to implementation (Kaplan–Meier, median with interval) and a log-rank test across groups.
    #[command(after_help = "Example:\n  crosscase ideas --db project.sqlite --out ideas.csv")]
    Ideas(IdeasArgs),
    /// Survey instruments by municipality (or role) and wave: item distributions, means, medians, top-two-box
    /// shares, dimension indices with Cronbach's α, Kruskal–Wallis and pairwise Mann–Whitney tests, and change before
    /// and after a training.
    #[command(after_help = "Example:\n  crosscase survey --db project.sqlite --out survey.csv")]
    Survey(SurveyArgs),
    /// Tidy tables of the project for notebooks and spreadsheets (see docs/data-dictionary.md).
    #[command(after_help = "Example:\n  crosscase export --db project.sqlite --out export/ --format parquet")]
    Export(ExportArgs),
    /// Look for personal data (identity numbers, e-mail addresses, phone numbers, roster names) in the database and in
    /// output folders; exits with 1 when anything is found.
    #[command(after_help = "Example:\n  crosscase audit --db project.sqlite feedback/ --roster roster.csv")]
    Audit(AuditArgs),
    /// Heatmap and bar charts (PNG and SVG) for the research team.
    #[command(after_help = "Example:\n  crosscase charts --db project.sqlite --out charts/")]
    Charts(ChartsArgs),
    /// Feedback packs, one folder per municipality.
    #[command(
        after_help = "Example:\n  crosscase feedback --db project.sqlite --out feedback/ --municipality 0583,Mjölby"
    )]
    Feedback(FeedbackArgs),
    /// Run a feedback workshop for one municipality: the pack's findings as slides with a join code and its QR code,
    /// participants reacting from their phones (1–5 and free text, anonymously), the reactions live on the slides.
    /// `crosscase workshop` again resumes the open workshop; `summarise`, `export` and `close` work on stored ones.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    #[command(after_help = "Example:\n  crosscase workshop --db project.sqlite --municipality 0583")]
    Workshop(WorkshopArgs),
    /// The research team's view in the browser: the code × municipality matrix as the packs disclose it, with
    /// click-through from a shown cell to its segments (source, kind, roles, wave, coder, quote).
    #[command(after_help = "Example:\n  crosscase serve --db project.sqlite")]
    Serve(ServeArgs),
    /// Recorded analysis runs: list them, show one with the command that reproduces it, export its rows, prune.
    #[command(after_help = "Example:\n  crosscase runs list --db project.sqlite")]
    Runs(RunsArgs),
    /// Run the whole pipeline on the bundled demo project: ingest, compare, charts, feedback.
    #[command(after_help = "Example:\n  crosscase demo --out out")]
    Demo(DemoArgs),
    /// Print a shell completion script, e.g. `crosscase completions bash > ~/.local/share/bash-completion/completions/crosscase`.
    #[command(
        after_help = "Example:\n  crosscase completions bash > ~/.local/share/bash-completion/completions/crosscase"
    )]
    Completions(CompletionsArgs),
    /// Generate a synthetic project: the demo (`--demo`) or one of a given size.
    #[command(after_help = "Example:\n  crosscase synth --out big-project --sources 5000 --codings 500000 --text")]
    Synth(SynthArgs),
}

// The arguments of `crosscase init`.
#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// The folder to create (it must not exist or be empty).
    pub dir: PathBuf,
    /// The project's name.
    #[arg(long, default_value = "New project")]
    pub name: String,
    #[arg(long, value_enum, default_value_t = Lang::Sv)]
    pub lang: Lang,
}

// The arguments of `crosscase validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// The project folder (with project.toml).
    pub dir: PathBuf,
}

// The arguments of `crosscase ingest`.
#[derive(clap::Args, Debug)]
pub struct IngestArgs {
    /// The project folder (with project.toml).
    pub dir: PathBuf,
    /// The database to store the project in (an SQLite file; created if missing).
    #[arg(long)]
    pub db: PathBuf,
    #[command(flatten)]
    pub privacy: PseudonymiseArgs,
}

// The arguments of `crosscase import`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The files to import.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The database to store the project in (an SQLite file; created if missing).
    #[arg(long, required_unless_present = "write_map")]
    pub db: Option<PathBuf>,
    /// Write a mapping file with every source and case of the files, the municipality filled in where it can be
    /// told, and import nothing; fill in the rest and import with --map.
    #[arg(long, value_name = "MAPPING.toml", conflicts_with = "db")]
    pub write_map: Option<PathBuf>,
    /// The project's name in the database, instead of the name in the export (to keep two projects that have
    /// the same name, e.g. NVivo's "Untitled").
    #[arg(long)]
    pub name: Option<String>,
    /// Replace a stored project of the same name even when it holds another project's data.
    #[arg(long)]
    pub replace: bool,
    /// A mapping file saying which variables hold municipality, unit, wave and role, or placing single sources
    /// (see docs/qda-import.md).
    #[arg(long, value_name = "MAPPING.toml")]
    pub map: Option<PathBuf>,
    /// `json` prints one JSON object summarising the import on stdout.
    #[arg(long, value_enum, default_value_t = ImportFormat::Text)]
    pub format: ImportFormat,
    #[command(flatten)]
    pub privacy: PseudonymiseArgs,
}

// The arguments of `crosscase compare`.
#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    #[command(flatten)]
    pub source: ProjectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// What counts as one observation in the tests: participant clusters (each participant's sources together;
    /// the default), sources (a warning when sources repeat participants) or participants.
    #[arg(long, value_enum, default_value_t = Unit::Cluster)]
    pub unit: Unit,
    /// Random permutations per code in the permutation test (0: none).
    #[arg(long, default_value_t = 9_999)]
    pub permutations: u64,
    /// Seed of the permutations; the same seed gives the same p-values.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Also report prevalence by this attribute (rows of kind `breakdown`).
    #[arg(long, value_enum)]
    pub by: Option<By>,
    /// What one observation is in the breakdown.
    #[arg(long, value_enum, default_value_t = CountUnit::Source)]
    pub count: CountUnit,
    /// Also report the change between two waves, e.g. `--waves v2016,v2019`.
    #[arg(long, value_name = "FROM,TO")]
    pub waves: Option<String>,
}

// The arguments of `crosscase cooccur`.
#[derive(clap::Args, Debug)]
pub struct CooccurArgs {
    #[command(flatten)]
    pub source: ProjectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Segments at most this many characters apart count as near each other.
    #[arg(long, default_value_t = 200)]
    pub within: u64,
}

// The arguments of `crosscase agreement`.
#[derive(clap::Args, Debug)]
pub struct AgreementArgs {
    #[command(flatten)]
    pub source: ProjectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

// The arguments of `crosscase ideas`.
#[derive(clap::Args, Debug)]
pub struct IdeasArgs {
    #[command(flatten)]
    pub source: ProjectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// What the ideas are grouped by; every grouping also reports all ideas together (group `all`).
    #[arg(long, value_enum, default_value_t = IdeaBy::Municipality)]
    pub by: IdeaBy,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Where rejected and withdrawn ideas leave the time-to-implementation curve: at the end of follow-up (they
    /// can no longer be implemented, so the curve is the share of all ideas implemented), or at their exit date.
    #[arg(long, value_enum, default_value_t = Exits::EndOfFollowUp)]
    pub exits: Exits,
}

// The arguments of `crosscase survey`.
#[derive(clap::Args, Debug)]
pub struct SurveyArgs {
    #[command(flatten)]
    pub source: ProjectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// The instrument to analyse (the name of its file in surveys/); all instruments when left out.
    #[arg(long)]
    pub instrument: Option<String>,
    /// What respondents are grouped by within each wave.
    #[arg(long, value_enum, default_value_t = SurveyBy::Municipality)]
    pub by: SurveyBy,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Codes whose share of sources is set beside each municipality's survey indices (rows of kind `mixed`),
    /// e.g. `--codes organisering,kultur`.
    #[arg(long, value_delimiter = ',')]
    pub codes: Vec<String>,
    /// Also draw the `mixed` rows as scatter charts (PNG and SVG) into this folder.
    #[arg(long, value_name = "DIR", requires = "codes")]
    pub charts: Option<PathBuf>,
}

// The arguments of `crosscase export`.
#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub source: ProjectArgs,
    /// The folder to write into (created if needed); `--to` is the older name.
    #[arg(
        long,
        visible_alias = "to",
        required_unless_present = "qdpx",
        conflicts_with = "qdpx"
    )]
    pub out: Option<PathBuf>,
    /// Write the coded project as a REFI-QDA archive that QDA tools open (NVivo, ATLAS.ti, MAXQDA, QualCoder).
    #[arg(long, value_name = "OUT.qdpx")]
    pub qdpx: Option<PathBuf>,
    /// parquet, csv and json (JSON lines, `<table>.jsonl`): one file per table; xlsx: one workbook, crosscase.xlsx,
    /// with a sheet per table.
    #[arg(long, value_enum, default_value_t = ExportFormat::Parquet)]
    pub format: ExportFormat,
}

// The arguments of `crosscase audit`.
#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// The project database to scan (an SQLite file).
    #[arg(long, required_unless_present = "disclosure")]
    pub db: Option<PathBuf>,
    /// Instead: audit the feedback packs under DIR together for disclosure by differencing (each pack's
    /// `figures.json`); exits with 1 when any suppressed count can be worked out.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["db", "dirs", "roster"])]
    pub disclosure: Option<PathBuf>,
    /// Output folders to scan as well (feedback packs, exports, charts).
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub roster: RosterArgs,
}

// The arguments of `crosscase charts`.
#[derive(clap::Args, Debug)]
pub struct ChartsArgs {
    #[command(flatten)]
    pub source: ProjectArgs,
    /// The folder to write into (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// Language of the charts' titles and labels; the project's own by default.
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
}

// The arguments of `crosscase feedback`.
#[derive(clap::Args, Debug)]
pub struct FeedbackArgs {
    #[command(flatten)]
    pub source: ProjectArgs,
    /// The folder to write into (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// Only these municipalities, each as kommunkod (`0583` or `583`) or name (`Motala`); repeat, or separate with
    /// commas, for several.
    #[arg(long = "municipality", value_delimiter = ',')]
    pub municipalities: Vec<String>,
    /// Language of the packs; the project's own by default.
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
    #[command(flatten)]
    pub roster: RosterArgs,
    /// Where quotes left out for personal data are listed; by default beside the output folder, never in it.
    #[arg(long)]
    pub privacy_report: Option<PathBuf>,
    /// The researcher's choice of quotes: a CSV (kommunkod, theme, source_id, start, action) whose action `pin`
    /// quotes a segment under a theme and `exclude` never quotes it. Start from the quotes list that feedback
    /// writes beside the privacy report (`<out>.quotes.csv`) and edit its `action` column.
    #[arg(long, value_name = "QUOTES.csv")]
    pub quotes: Option<PathBuf>,
}

// The arguments of `crosscase workshop`.
#[derive(clap::Args, Debug)]
pub struct WorkshopArgs {
    #[command(subcommand)]
    pub command: Option<WorkshopCommand>,
    #[command(flatten)]
    pub start: StartArgs,
}

// The arguments of `crosscase serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub source: ProjectArgs,
    /// Where the server listens: 127.0.0.1:8571 by default (this machine only; other machines need the printed
    /// token).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    #[command(flatten)]
    pub roster: RosterArgs,
}

// The arguments of `crosscase runs`.
#[derive(clap::Args, Debug)]
pub struct RunsArgs {
    #[command(subcommand)]
    pub command: RunsCommand,
}

// The arguments of `crosscase demo`.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// The demo project folder.
    #[arg(long, default_value = "data/demo")]
    pub data: PathBuf,
    /// Where everything is written.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
}

// The arguments of `crosscase completions`.
#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

// The arguments of `crosscase synth`.
#[derive(clap::Args, Debug)]
pub struct SynthArgs {
    /// The folder to write the project into.
    #[arg(long)]
    pub out: PathBuf,
    /// Write the bundled demo project.
    #[arg(long)]
    pub demo: bool,
    /// Municipalities, at most 290 (the first of the Swedish municipalities in register order).
    #[arg(long, default_value_t = 290)]
    pub municipalities: usize,
    /// Sources (interviews, field notes and workshop notes) in all.
    #[arg(long, default_value_t = 2_000)]
    pub sources: usize,
    /// Codes in the codebook.
    #[arg(long, default_value_t = 50)]
    pub codes: usize,
    /// Coded segments in all.
    #[arg(long, default_value_t = 100_000)]
    pub codings: usize,
    /// Give sources texts that the codings' quotes are checked against.
    #[arg(long)]
    pub text: bool,
    /// Spread the sources over this many data-collection waves (one a year from 2016); 0 for none.
    #[arg(long, default_value_t = 0)]
    pub waves: usize,
    /// Seed of the generator; the same seed gives the same project.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ImportFormat {
    Text,
    Json,
}

/// Where and how a result table is written.
#[derive(clap::Args, Debug)]
pub struct OutputArgs {
    /// csv and json go to stdout unless --out is given; parquet and xlsx are binary and are never written to a
    /// terminal (xlsx needs --out: one workbook with a sheet per kind of row and names next to ids).
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The CSV's dialect: `standard` (comma, decimal point, full precision; for programs), or `excel-sv` for
    /// Swedish Excel (a byte order mark, `;`, decimal comma, rounded numbers, names next to ids).
    #[arg(long, value_enum, default_value_t = CsvDialect::Standard)]
    pub csv_dialect: CsvDialect,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Parquet,
    Json,
    Xlsx,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CsvDialect {
    Standard,
    ExcelSv,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Parquet,
    Csv,
    Json,
    Xlsx,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum By {
    Municipality,
    Role,
    Unit,
    Wave,
    Kind,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum IdeaBy {
    Municipality,
    Unit,
    Theme,
    Wave,
}

impl From<IdeaBy> for crosscase_analysis::IdeaGrouping {
    fn from(by: IdeaBy) -> Self {
        match by {
            IdeaBy::Municipality => crosscase_analysis::IdeaGrouping::Municipality,
            IdeaBy::Unit => crosscase_analysis::IdeaGrouping::Unit,
            IdeaBy::Theme => crosscase_analysis::IdeaGrouping::Theme,
            IdeaBy::Wave => crosscase_analysis::IdeaGrouping::Wave,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum SurveyBy {
    Municipality,
    Role,
}

impl From<SurveyBy> for crosscase_analysis::SurveyGrouping {
    fn from(by: SurveyBy) -> Self {
        match by {
            SurveyBy::Municipality => crosscase_analysis::SurveyGrouping::Municipality,
            SurveyBy::Role => crosscase_analysis::SurveyGrouping::Role,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Exits {
    EndOfFollowUp,
    ExitDate,
}

impl From<Exits> for crosscase_analysis::ExitCensoring {
    fn from(e: Exits) -> Self {
        match e {
            Exits::EndOfFollowUp => crosscase_analysis::ExitCensoring::EndOfFollowUp,
            Exits::ExitDate => crosscase_analysis::ExitCensoring::ExitDate,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CountUnit {
    Segment,
    Source,
    Participant,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Unit {
    Cluster,
    Source,
    Participant,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    Sv,
    En,
}

impl From<Lang> for crosscase_model::Language {
    fn from(l: Lang) -> Self {
        match l {
            Lang::Sv => crosscase_model::Language::Sv,
            Lang::En => crosscase_model::Language::En,
        }
    }
}

/// Starting or resuming a workshop (`crosscase workshop` without a subcommand).
#[derive(clap::Args, Debug)]
pub struct StartArgs {
    /// The project database (an SQLite file that `ingest` or `import` wrote).
    #[arg(long, required = true)]
    pub db: Option<PathBuf>,
    /// The project, when the database holds several.
    #[arg(long)]
    pub project: Option<String>,
    /// The municipality whose findings the workshop discusses: its kommunkod (`0583` or `583`) or name.
    #[arg(long, required = true)]
    pub municipality: Option<String>,
    /// The language of the slides and the participants' form (they can switch); the project's own by default.
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
    /// Where the server listens: 127.0.0.1:8570 by default (this machine only); e.g. 0.0.0.0:8570 with --join-host
    /// to let the room's phones in over the local network.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// The host name or address participants' phones reach this machine by (shown and in the QR code); by default
    /// the --listen address.
    #[arg(long, value_name = "HOST")]
    pub join_host: Option<String>,
    #[command(flatten)]
    pub roster: RosterArgs,
}

#[derive(clap::Subcommand, Debug)]
pub enum WorkshopCommand {
    /// Per finding of each workshop: how the ratings fall, and the comments with personal data masked.
    Summarise {
        /// The project database (an SQLite file that `ingest` or `import` wrote).
        #[arg(long)]
        db: PathBuf,
        /// Only this workshop (its number, as `crosscase workshop` printed it); every workshop by default.
        #[arg(long)]
        workshop: Option<i64>,
        #[command(flatten)]
        roster: RosterArgs,
    },
    /// Write a project folder that is the given one plus the workshop's comments as workshop notes, one per finding,
    /// coded to the finding's theme; ingest it to carry them into the next analysis and pack.
    Export {
        /// The project database (an SQLite file that `ingest` or `import` wrote).
        #[arg(long)]
        db: PathBuf,
        /// The workshop's number, as `crosscase workshop` printed it.
        #[arg(long)]
        workshop: i64,
        /// The project folder the database was ingested from.
        #[arg(long, value_name = "DIR")]
        project: PathBuf,
        /// A new folder for the project with the workshop notes.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        roster: RosterArgs,
    },
    /// Close a workshop: its join code stops working (a running server notices within a second).
    Close {
        /// The project database (an SQLite file that `ingest` or `import` wrote).
        #[arg(long)]
        db: PathBuf,
        /// The workshop's number, as `crosscase workshop` printed it.
        #[arg(long)]
        workshop: i64,
    },
}

/// What `crosscase runs` does.
#[derive(clap::Subcommand, Debug)]
pub enum RunsCommand {
    /// Every recorded run, oldest first: id, kind, when, project, rows, bytes stored, version, data hash, seed.
    List {
        /// The project database (an SQLite file that `ingest` or `import` wrote).
        #[arg(long)]
        db: PathBuf,
    },
    /// One run: its parameters and seed, the data it read, and the command that reproduces it.
    Show {
        /// The run's id, as `crosscase runs list` shows it.
        id: i64,
        /// The project database (an SQLite file that `ingest` or `import` wrote).
        #[arg(long)]
        db: PathBuf,
    },
    /// A run's rows, as the command wrote them.
    Export {
        /// The run's id, as `crosscase runs list` shows it.
        id: i64,
        /// The project database (an SQLite file that `ingest` or `import` wrote).
        #[arg(long)]
        db: PathBuf,
        /// The file to write the rows into.
        #[arg(long)]
        out: PathBuf,
        /// csv, json (JSON lines, byte for byte as the command wrote them), parquet or xlsx (xlsx: a workbook with a sheet
        /// per kind of row).
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
    },
    /// Deletes all but the newest K runs of each project and kind (compare, survey, …).
    Prune {
        /// The project database (an SQLite file that `ingest` or `import` wrote).
        #[arg(long)]
        db: PathBuf,
        /// How many runs of each kind to keep.
        #[arg(long, value_name = "K")]
        keep: u64,
        /// Only prune runs of this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Then give the space back to the file system (rewrites the database; takes as long as copying it).
        #[arg(long)]
        vacuum: bool,
    },
}

// Turning arguments into the libraries' configurations, in one place.

impl From<Unit> for crosscase_analysis::CountingUnit {
    fn from(unit: Unit) -> Self {
        match unit {
            Unit::Cluster => crosscase_analysis::CountingUnit::Cluster,
            Unit::Source => crosscase_analysis::CountingUnit::Source,
            Unit::Participant => crosscase_analysis::CountingUnit::Participant,
        }
    }
}

impl From<By> for crosscase_analysis::Attribute {
    fn from(by: By) -> Self {
        match by {
            By::Municipality => crosscase_analysis::Attribute::Municipality,
            By::Role => crosscase_analysis::Attribute::Role,
            By::Unit => crosscase_analysis::Attribute::Unit,
            By::Wave => crosscase_analysis::Attribute::Wave,
            By::Kind => crosscase_analysis::Attribute::Kind,
        }
    }
}

impl From<CountUnit> for crosscase_analysis::Count {
    fn from(count: CountUnit) -> Self {
        match count {
            CountUnit::Segment => crosscase_analysis::Count::Segment,
            CountUnit::Source => crosscase_analysis::Count::Source,
            CountUnit::Participant => crosscase_analysis::Count::Participant,
        }
    }
}

impl CompareArgs {
    /// The tests' configuration; a confidence level outside [0.5, 1) is refused.
    pub fn config(&self) -> anyhow::Result<crosscase_analysis::DifferenceConfig> {
        let confidence = self.confidence;
        if !(0.5..1.0).contains(&confidence) {
            return Err(UserError(format!(
                "--confidence {confidence} must lie between 0.5 and 1, e.g. 0.95"
            ))
            .into());
        }
        Ok(crosscase_analysis::DifferenceConfig {
            unit: self.unit.into(),
            permutations: self.permutations,
            seed: self.seed,
            confidence,
        })
    }

    /// The two waves of `--waves FROM,TO`.
    pub fn waves(&self) -> anyhow::Result<Option<(&str, &str)>> {
        let Some(waves) = &self.waves else { return Ok(None) };
        match waves.split_once(',') {
            Some((from, to)) => Ok(Some((from.trim(), to.trim()))),
            None => Err(UserError(format!("--waves {waves}: give two wave ids, e.g. --waves v2016,v2019")).into()),
        }
    }
}

impl IdeasArgs {
    pub fn config(&self) -> crosscase_analysis::IdeaConfig {
        crosscase_analysis::IdeaConfig {
            grouping: self.by.into(),
            confidence: self.confidence,
            exits: self.exits.into(),
        }
    }
}

impl SurveyArgs {
    pub fn config(&self) -> crosscase_analysis::SurveyConfig {
        crosscase_analysis::SurveyConfig {
            grouping: self.by.into(),
            confidence: self.confidence,
        }
    }
}

impl RosterArgs {
    /// The roster of `--roster`, or none.
    pub fn load(&self) -> anyhow::Result<crosscase_model::Roster> {
        crate::privacy::roster(self.roster.as_deref())
    }
}
