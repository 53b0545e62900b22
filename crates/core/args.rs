//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

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

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write an empty, valid project folder to fill in.
    #[command(after_help = "Example:\n  crosscase init my-project --name \"Innovation in Östergötland\"")]
    Init {
        /// The folder to create (it must not exist or be empty).
        dir: PathBuf,
        /// The project's name.
        #[arg(long, default_value = "New project")]
        name: String,
        #[arg(long, value_enum, default_value_t = Lang::Sv)]
        lang: Lang,
    },
    /// Check a project folder and report every problem with file, line and column.
    #[command(after_help = "Example:\n  crosscase validate my-project")]
    Validate {
        /// The project folder (with project.toml).
        dir: PathBuf,
    },
    /// Validate a project folder and store it in the database (replacing that project's earlier data).
    #[command(after_help = "Example:\n  crosscase ingest my-project --db project.sqlite")]
    Ingest {
        /// The project folder (with project.toml).
        dir: PathBuf,
        /// The database to store the project in (an SQLite file; created if missing).
        #[arg(long)]
        db: PathBuf,
        #[command(flatten)]
        privacy: PseudonymiseArgs,
    },
    /// Import a coded project from a QDA tool: a REFI-QDA export (.qdpx, or .qde with its sources folder), a codebook
    /// (.qdc), or a QualCoder project (.qda folder or its data.qda); several files of the same project (e.g. two
    /// coders' exports) merge into one. Positions are converted to code points and checked against the texts.
    #[command(after_help = "Example:\n  crosscase import Studie.qdpx --db project.sqlite")]
    Import {
        /// The files to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The database to store the project in (an SQLite file; created if missing).
        #[arg(long, required_unless_present = "write_map")]
        db: Option<PathBuf>,
        /// Write a mapping file with every source and case of the files, the municipality filled in where it can be
        /// told, and import nothing; fill in the rest and import with --map.
        #[arg(long, value_name = "MAPPING.toml", conflicts_with = "db")]
        write_map: Option<PathBuf>,
        /// The project's name in the database, instead of the name in the export (to keep two projects that have
        /// the same name, e.g. NVivo's "Untitled").
        #[arg(long)]
        name: Option<String>,
        /// Replace a stored project of the same name even when it holds another project's data.
        #[arg(long)]
        replace: bool,
        /// A mapping file saying which variables hold municipality, unit, wave and role, or placing single sources
        /// (see docs/qda-import.md).
        #[arg(long, value_name = "MAPPING.toml")]
        map: Option<PathBuf>,
        /// `json` prints one JSON object summarising the import on stdout.
        #[arg(long, value_enum, default_value_t = ImportFormat::Text)]
        format: ImportFormat,
        #[command(flatten)]
        privacy: PseudonymiseArgs,
    },
    /// Prevalence of every code by municipality, and whether municipalities differ (tests, effect sizes, q-values).
    #[command(after_help = "Example:\n  crosscase compare --db project.sqlite --out compare.csv")]
    Compare {
        #[command(flatten)]
        source: ProjectArgs,
        #[command(flatten)]
        output: OutputArgs,
        /// What counts as one observation in the tests: participant clusters (each participant's sources together;
        /// the default), sources (a warning when sources repeat participants) or participants.
        #[arg(long, value_enum, default_value_t = Unit::Cluster)]
        unit: Unit,
        /// Random permutations per code in the permutation test (0: none).
        #[arg(long, default_value_t = 9_999)]
        permutations: u64,
        /// Seed of the permutations; the same seed gives the same p-values.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Confidence level of the intervals.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Also report prevalence by this attribute (rows of kind `breakdown`).
        #[arg(long, value_enum)]
        by: Option<By>,
        /// What one observation is in the breakdown.
        #[arg(long, value_enum, default_value_t = CountUnit::Source)]
        count: CountUnit,
        /// Also report the change between two waves, e.g. `--waves v2016,v2019`.
        #[arg(long, value_name = "FROM,TO")]
        waves: Option<String>,
    },
    /// Which codes go together: overlapping segments, shared sources, nearby segments; overall and by municipality.
    #[command(after_help = "Example:\n  crosscase cooccur --db project.sqlite --out cooccur.csv")]
    Cooccur {
        #[command(flatten)]
        source: ProjectArgs,
        #[command(flatten)]
        output: OutputArgs,
        /// Segments at most this many characters apart count as near each other.
        #[arg(long, default_value_t = 200)]
        within: u64,
    },
    /// Intercoder agreement where two or more coders coded the same sources, per code and pooled.
    #[command(after_help = "Example:\n  crosscase agreement --db project.sqlite --out agreement.csv")]
    Agreement {
        #[command(flatten)]
        source: ProjectArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// How ideas move from suggestion to practice: the funnel of stages with Wilson intervals, ideas per 100
    /// employees, time to implementation (Kaplan–Meier, median with interval) and a log-rank test across groups.
    #[command(after_help = "Example:\n  crosscase ideas --db project.sqlite --out ideas.csv")]
    Ideas {
        #[command(flatten)]
        source: ProjectArgs,
        #[command(flatten)]
        output: OutputArgs,
        /// What the ideas are grouped by; every grouping also reports all ideas together (group `all`).
        #[arg(long, value_enum, default_value_t = IdeaBy::Municipality)]
        by: IdeaBy,
        /// Confidence level of the intervals.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Where rejected and withdrawn ideas leave the time-to-implementation curve: at the end of follow-up (they
        /// can no longer be implemented, so the curve is the share of all ideas implemented), or at their exit date.
        #[arg(long, value_enum, default_value_t = Exits::EndOfFollowUp)]
        exits: Exits,
    },
    /// Survey instruments by municipality (or role) and wave: item distributions, means, medians, top-two-box
    /// shares, dimension indices with Cronbach's α, Kruskal–Wallis and pairwise Mann–Whitney tests, and change before
    /// and after a training.
    #[command(after_help = "Example:\n  crosscase survey --db project.sqlite --out survey.csv")]
    Survey {
        #[command(flatten)]
        source: ProjectArgs,
        #[command(flatten)]
        output: OutputArgs,
        /// The instrument to analyse (the name of its file in surveys/); all instruments when left out.
        #[arg(long)]
        instrument: Option<String>,
        /// What respondents are grouped by within each wave.
        #[arg(long, value_enum, default_value_t = SurveyBy::Municipality)]
        by: SurveyBy,
        /// Confidence level of the intervals.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Codes whose share of sources is set beside each municipality's survey indices (rows of kind `mixed`),
        /// e.g. `--codes organisering,kultur`.
        #[arg(long, value_delimiter = ',')]
        codes: Vec<String>,
        /// Also draw the `mixed` rows as scatter charts (PNG and SVG) into this folder.
        #[arg(long, value_name = "DIR", requires = "codes")]
        charts: Option<PathBuf>,
    },
    /// Tidy tables of the project for notebooks and spreadsheets (see docs/data-dictionary.md).
    #[command(after_help = "Example:\n  crosscase export --db project.sqlite --out export/ --format parquet")]
    Export {
        #[command(flatten)]
        source: ProjectArgs,
        /// The folder to write into (created if needed); `--to` is the older name.
        #[arg(
            long,
            visible_alias = "to",
            required_unless_present = "qdpx",
            conflicts_with = "qdpx"
        )]
        out: Option<PathBuf>,
        /// Write the coded project as a REFI-QDA archive that QDA tools open (NVivo, ATLAS.ti, MAXQDA, QualCoder).
        #[arg(long, value_name = "OUT.qdpx")]
        qdpx: Option<PathBuf>,
        /// parquet and csv: one file per table; xlsx: one workbook, crosscase.xlsx, with a sheet per table.
        #[arg(long, value_enum, default_value_t = ExportFormat::Parquet)]
        format: ExportFormat,
    },
    /// Look for personal data (identity numbers, e-mail addresses, phone numbers, roster names) in the database and in
    /// output folders; exits with 1 when anything is found.
    #[command(after_help = "Example:\n  crosscase audit --db project.sqlite feedback/ --roster roster.csv")]
    Audit {
        /// The project database to scan (an SQLite file).
        #[arg(long, required_unless_present = "disclosure")]
        db: Option<PathBuf>,
        /// Instead: audit the feedback packs under DIR together for disclosure by differencing (each pack's
        /// `figures.json`); exits with 1 when any suppressed count can be worked out.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["db", "dirs", "roster"])]
        disclosure: Option<PathBuf>,
        /// Output folders to scan as well (feedback packs, exports, charts).
        dirs: Vec<PathBuf>,
        /// A CSV with the participants' real names in a column `name`.
        #[arg(long)]
        roster: Option<PathBuf>,
    },
    /// Heatmap and bar charts (PNG and SVG) for the research team.
    #[command(after_help = "Example:\n  crosscase charts --db project.sqlite --out charts/")]
    Charts {
        #[command(flatten)]
        source: ProjectArgs,
        /// The folder to write into (created if needed).
        #[arg(long)]
        out: PathBuf,
        /// Language of the charts' titles and labels; the project's own by default.
        #[arg(long, value_enum)]
        lang: Option<Lang>,
    },
    /// Feedback packs, one folder per municipality.
    #[command(
        after_help = "Example:\n  crosscase feedback --db project.sqlite --out feedback/ --municipality 0583,Mjölby"
    )]
    Feedback {
        #[command(flatten)]
        source: ProjectArgs,
        /// The folder to write into (created if needed).
        #[arg(long)]
        out: PathBuf,
        /// Only these municipalities, each as kommunkod (`0583` or `583`) or name (`Motala`); repeat, or separate with
        /// commas, for several.
        #[arg(long = "municipality", value_delimiter = ',')]
        municipalities: Vec<String>,
        /// Language of the packs; the project's own by default.
        #[arg(long, value_enum)]
        lang: Option<Lang>,
        /// A CSV with the participants' real names (column `name`), masked in quotes.
        #[arg(long)]
        roster: Option<PathBuf>,
        /// Where quotes left out for personal data are listed; by default beside the output folder, never in it.
        #[arg(long)]
        privacy_report: Option<PathBuf>,
        /// The researcher's choice of quotes: a CSV (kommunkod, theme, source_id, start, action) whose action `pin`
        /// quotes a segment under a theme and `exclude` never quotes it. Start from the quotes list that feedback
        /// writes beside the privacy report (`<out>.quotes.csv`) and edit its `action` column.
        #[arg(long, value_name = "QUOTES.csv")]
        quotes: Option<PathBuf>,
    },
    /// Run a feedback workshop for one municipality: the pack's findings as slides with a join code and its QR code,
    /// participants reacting from their phones (1–5 and free text, anonymously), the reactions live on the slides.
    /// `crosscase workshop` again resumes the open workshop; `summarise`, `export` and `close` work on stored ones.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    #[command(after_help = "Example:\n  crosscase workshop --db project.sqlite --municipality 0583")]
    Workshop {
        #[command(subcommand)]
        command: Option<crate::workshop::WorkshopCommand>,
        #[command(flatten)]
        start: crate::workshop::StartArgs,
    },
    /// The research team's view in the browser: the code × municipality matrix as the packs disclose it, with
    /// click-through from a shown cell to its segments (source, kind, roles, wave, coder, quote).
    #[command(after_help = "Example:\n  crosscase serve --db project.sqlite")]
    Serve {
        #[command(flatten)]
        source: ProjectArgs,
        /// Where the server listens: 127.0.0.1:8571 by default (this machine only; other machines need the printed
        /// token).
        #[arg(long, value_name = "ADDR")]
        listen: Option<std::net::SocketAddr>,
        /// A CSV with the participants' real names (column `name`), masked in the segments.
        #[arg(long)]
        roster: Option<PathBuf>,
    },
    /// Recorded analysis runs: list them, show one with the command that reproduces it, export its rows, prune.
    #[command(after_help = "Example:\n  crosscase runs list --db project.sqlite")]
    Runs {
        #[command(subcommand)]
        command: crate::runs::RunsCommand,
    },
    /// Run the whole pipeline on the bundled demo project: ingest, compare, charts, feedback.
    #[command(after_help = "Example:\n  crosscase demo --out out")]
    Demo {
        /// The demo project folder.
        #[arg(long, default_value = "data/demo")]
        data: PathBuf,
        /// Where everything is written.
        #[arg(long, default_value = "out")]
        out: PathBuf,
    },
    /// Print a shell completion script, e.g. `crosscase completions bash > ~/.local/share/bash-completion/completions/crosscase`.
    #[command(
        after_help = "Example:\n  crosscase completions bash > ~/.local/share/bash-completion/completions/crosscase"
    )]
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Generate a synthetic project: the demo (`--demo`) or one of a given size.
    #[command(after_help = "Example:\n  crosscase synth --out big-project --sources 5000 --codings 500000 --text")]
    Synth {
        /// The folder to write the project into.
        #[arg(long)]
        out: PathBuf,
        /// Write the bundled demo project.
        #[arg(long)]
        demo: bool,
        /// Municipalities, at most 290 (the first of the Swedish municipalities in register order).
        #[arg(long, default_value_t = 290)]
        municipalities: usize,
        /// Sources (interviews, field notes and workshop notes) in all.
        #[arg(long, default_value_t = 2_000)]
        sources: usize,
        /// Codes in the codebook.
        #[arg(long, default_value_t = 50)]
        codes: usize,
        /// Coded segments in all.
        #[arg(long, default_value_t = 100_000)]
        codings: usize,
        /// Give sources texts that the codings' quotes are checked against.
        #[arg(long)]
        text: bool,
        /// Spread the sources over this many data-collection waves (one a year from 2016); 0 for none.
        #[arg(long, default_value_t = 0)]
        waves: usize,
        /// Seed of the generator; the same seed gives the same project.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
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
