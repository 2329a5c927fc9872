//! Command-line parsing and the commands. Names and options here are a
//! stable contract (README, issues, scripts rely on them).

use crate::config::Config;
use crate::db::{open, open_with_key, resolve, DbArg, KeyUse};
use crate::import::{collect_sources, import_police_uk};
use crate::serve::serve;
use crate::terminal::TerminalProgress;
use anyhow::{anyhow, bail, Context};
use clap::{Parser, Subcommand, ValueEnum};
use safetynet_domain::audit::CheckpointFile;
use safetynet_domain::clock::{SharedClock, SystemClock};
use safetynet_domain::partnership::{parse_name, AgencyCode, Email};
use safetynet_domain::policy::{ManageUsers, Principal};
use safetynet_domain::role::Role;
use safetynet_domain::{password, token};
use safetynet_store::users::{Actor, NewUser};
use safetynet_store::DatabaseUrl;
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// SafetyNet: one shared system for a Community Safety Partnership.
#[derive(Debug, Parser)]
#[command(name = "safetynet", version, about)]
pub struct Cli {
    /// Configuration file (TOML); default ./safetynet.toml if present.
    #[arg(long, global = true, env = "SAFETYNET_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the demo: St Albans partnership, demo users and police.uk sample
    /// (SQLite in --data-dir, or the database given by --database-url).
    Demo {
        /// Folder for safetynet.db (created if missing).
        #[arg(long, default_value = "safetynet-demo")]
        data_dir: PathBuf,
        /// Run the demo on this database instead (e.g. postgres://...).
        #[arg(long)]
        database_url: Option<String>,
        /// The audit key file (default for SQLite: beside the database).
        #[arg(long)]
        audit_key_file: Option<PathBuf>,
        /// Address to listen on.
        #[arg(long)]
        bind: Option<String>,
    },
    /// Serve the web app and API.
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply database migrations (as the database owner); creates the audit key file if missing.
    Migrate {
        #[command(flatten)]
        db: DbArg,
        /// PostgreSQL: grant this existing role what the application needs (and only INSERT, SELECT on the audit trail).
        #[arg(long)]
        app_role: Option<String>,
    },
    /// Set the partnership up in a migrated database: name, districts, boundary.
    Init {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        args: crate::setup::InitArgs,
    },
    /// Manage agencies.
    Agency {
        #[command(subcommand)]
        command: AgencyCommand,
    },
    /// The kinds of problem residents may report, and the agency each goes to.
    Public {
        #[command(subcommand)]
        command: PublicCommand,
    },
    /// Keys for Open311 clients (FixMyStreet and others) that send reports in.
    Open311 {
        #[command(subcommand)]
        command: Open311Command,
    },
    /// Print the configuration and where each setting came from.
    CheckConfig,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import data.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Incident categories.
    Categories {
        #[command(subcommand)]
        command: CategoriesCommand,
    },
    /// The England and Wales bank holidays used by the ASB Case Review clocks.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Risk assessment questionnaires.
    Questionnaires {
        #[command(subcommand)]
        command: QuestionnaireCommand,
    },
    /// Analyses of recorded crime and of an agency's incidents.
    ///
    /// Each method's options are the API's query parameters: the flag is the
    /// name with hyphens (--distance-bands is distance_bands), and
    /// --option NAME=VALUE gives one by its API name. Unknown options and
    /// options a method does not use are refused by name.
    Analyse {
        #[command(subcommand)]
        command: crate::analyse::AnalyseCommand,
    },
    /// Write a meeting pack (jag, rag or psf) for a date as HTML or PDF.
    Report(crate::report::ReportArgs),
    /// The partnership strategy.
    Strategy {
        #[command(subcommand)]
        command: StrategyCommand,
    },
    /// Scheduled jobs (normally run by `serve`; here for cron or by hand).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// E-mail notifications: test the SMTP server, run the outbox, show its state.
    Mail {
        #[command(subcommand)]
        command: crate::mail::MailCommand,
    },
    /// Rectify or erase a person record (the owning agency only; audited).
    Person {
        #[command(subcommand)]
        command: PersonCommand,
    },
    /// Subject access requests.
    Sar {
        #[command(subcommand)]
        command: SarCommand,
    },
    /// The retention schedule (`[retention]` in the configuration).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Back the database up while it serves (SQLite: a checked copy; PostgreSQL: pg_dump of a checked snapshot), with a manifest of what it holds.
    Backup(crate::backup::BackupArgs),
    /// Restore a backup into a new SQLite file or an empty PostgreSQL database, checked against its manifest and the audit trail.
    Restore(crate::backup::RestoreArgs),
    /// Generate county-scale users, cases and meetings for load benchmarks, over a demo database holding imported incidents (scripts/bench-load.sh; never on live data).
    Generate {
        #[command(flatten)]
        db: DbArg,
        /// Users, spread over every agency.
        #[arg(long, default_value_t = 500)]
        users: usize,
        /// Cases, each over some of an agency's own incidents.
        #[arg(long, default_value_t = 20_000)]
        cases: usize,
        /// Years of JAG, RAG and forum meetings before today.
        #[arg(long, default_value_t = 5)]
        meeting_years: u32,
        /// Seed: the same sizes and seed give the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
enum PersonCommand {
    /// Correct a person's name, date of birth or address (rectification); audited.
    Rectify {
        #[command(flatten)]
        db: DbArg,
        /// The agency that recorded the person.
        #[arg(long)]
        agency: String,
        /// The person's id.
        #[arg(long)]
        person: String,
        /// The corrected name.
        #[arg(long)]
        name: Option<String>,
        /// The corrected date of birth (YYYY-MM-DD; "none" clears it).
        #[arg(long)]
        date_of_birth: Option<String>,
        /// The corrected address.
        #[arg(long)]
        address: Option<String>,
    },
    /// Erase a person: name "Anonymised", date of birth and address cleared (erasure); audited.
    Erase {
        #[command(flatten)]
        db: DbArg,
        /// The agency that recorded the person.
        #[arg(long)]
        agency: String,
        /// The person's id.
        #[arg(long)]
        person: String,
    },
}

#[derive(Debug, Subcommand)]
enum SarCommand {
    /// Write everything an agency holds about a person (and the audit of who viewed it) as JSON and a PDF; audited as an export.
    Export {
        #[command(flatten)]
        db: DbArg,
        /// The agency answering the request (the controller).
        #[arg(long)]
        agency: String,
        /// The person's id (a record the agency owns).
        #[arg(long)]
        person: String,
        /// Where to write the JSON; the readable PDF is written beside it (FILE with `.pdf`).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum RetentionCommand {
    /// Anonymise people and free text in records past retention (counts are kept); audited.
    Run {
        #[command(flatten)]
        db: DbArg,
        /// Report what would be anonymised, per record type, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum PublicCommand {
    /// Take residents' reports in a category, routed to an agency (again: re-route).
    Route {
        #[command(flatten)]
        db: DbArg,
        /// The category's code (see `safetynet categories list`).
        #[arg(long)]
        category: String,
        /// The agency its reports go to.
        #[arg(long)]
        agency: String,
        /// What to report under it, in a line residents understand.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Stop taking reports in a category (reports already taken stay).
    Unroute {
        #[command(flatten)]
        db: DbArg,
        /// The category's code.
        #[arg(long)]
        category: String,
    },
    /// List the categories residents may report and where each goes.
    List {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
enum Open311Command {
    /// Register a client and print its key (shown once).
    Issue {
        #[command(flatten)]
        db: DbArg,
        /// The client's name, e.g. "FixMyStreet".
        #[arg(long)]
        name: String,
        /// The calls it may make in an hour.
        #[arg(long, default_value_t = safetynet_store::open311::DEFAULT_PER_HOUR)]
        per_hour: i64,
    },
    /// Revoke a client's key at once (the reports it sent stay).
    Revoke {
        #[command(flatten)]
        db: DbArg,
        /// The client's name.
        #[arg(long)]
        name: String,
    },
    /// List the clients, their allowances and whether each is revoked.
    List {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
enum AgencyCommand {
    /// Add an agency.
    Add {
        #[command(flatten)]
        db: DbArg,
        /// Code (capitals, digits and hyphens, e.g. HERTS-POLICE).
        #[arg(long)]
        code: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// responsible_authority or partner.
        #[arg(long, default_value = "responsible_authority")]
        kind: String,
        /// What kind of body it is, which decides the enforcement powers it
        /// holds: council, police, fire, housing_provider, health, probation,
        /// youth_services, prosecutor, transport or other.
        #[arg(long)]
        sector: Option<String>,
    },
    /// Set an agency's sector (which enforcement powers it holds).
    Sector {
        #[command(flatten)]
        db: DbArg,
        /// Code.
        #[arg(long)]
        code: String,
        /// council, police, fire, housing_provider, health, probation,
        /// youth_services, prosecutor, transport or other.
        #[arg(long)]
        sector: String,
    },
    /// List the agencies.
    List {
        #[command(flatten)]
        db: DbArg,
    },
    /// Rename an agency (its code stays).
    Rename {
        #[command(flatten)]
        db: DbArg,
        /// Code.
        #[arg(long)]
        code: String,
        /// New name.
        #[arg(long)]
        name: String,
    },
}

/// One account, by e-mail address.
#[derive(Debug, clap::Args)]
struct AccountArg {
    #[command(flatten)]
    db: DbArg,
    /// E-mail address.
    #[arg(long)]
    email: String,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// List users (of one agency with --agency).
    List {
        #[command(flatten)]
        db: DbArg,
        /// Only this agency's users.
        #[arg(long)]
        agency: Option<String>,
    },
    /// Disable an account (ends its sessions and API tokens).
    Disable(AccountArg),
    /// Enable a disabled account.
    Enable(AccountArg),
    /// Reset an account's two-step sign-in (they set it up again at their next sign-in).
    ResetMfa(AccountArg),
    /// Replace an account's roles.
    Roles {
        #[command(flatten)]
        db: DbArg,
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// Role (repeat for several): partnership_admin, csp_manager, case_officer, agency_viewer, auditor.
        #[arg(long, required = true)]
        role: Vec<String>,
    },
    /// Add a user. The password is read from SAFETYNET_PASSWORD or standard input.
    Add {
        #[command(flatten)]
        db: DbArg,
        /// Agency code (e.g. HERTS-POLICE).
        #[arg(long)]
        agency: String,
        /// Role (repeat for several): partnership_admin, csp_manager, case_officer, agency_viewer, auditor.
        #[arg(long, required = true)]
        role: Vec<String>,
        /// E-mail address (sign-in name).
        #[arg(long)]
        email: String,
        /// Display name (default: the e-mail address).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a bearer API token for a user and print it once.
    Create {
        #[command(flatten)]
        db: DbArg,
        /// The user's e-mail address.
        #[arg(long)]
        email: String,
        /// Days until it expires.
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=730))]
        expires_in_days: i64,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import police.uk street-level and outcomes CSV files (files or folders).
    PoliceUk {
        #[command(flatten)]
        db: DbArg,
        /// Output format of the summary.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Files or folders of *-street.csv and *-outcomes.csv.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Import the English Indices of Deprivation 2019 (File 1) and population denominators (File 6) by LSOA.
    Imd {
        #[command(flatten)]
        db: DbArg,
        /// File 1: IMD rank and decile.
        #[arg(long)]
        imd: Option<PathBuf>,
        /// File 6: population denominators.
        #[arg(long)]
        population: Option<PathBuf>,
        /// Keep only these districts (repeatable), e.g. E07000240.
        #[arg(long)]
        lad: Vec<String>,
    },
    /// Import area boundaries (LSOA, MSOA, ward or district polygons) from GeoJSON.
    Areas {
        #[command(flatten)]
        db: DbArg,
        /// The GeoJSON FeatureCollection.
        file: PathBuf,
        /// Which level the areas are.
        #[arg(long)]
        level: String,
        /// Property holding the ONS code.
        #[arg(long)]
        code_field: String,
        /// Property holding the name.
        #[arg(long)]
        name_field: String,
    },
    /// Import the council's address gazetteer (LLPG or AddressBase CSV: UPRN, ADDRESS or its parts, POSTCODE, X_COORDINATE/EASTING, Y_COORDINATE/NORTHING) for finding places.
    Gazetteer {
        #[command(flatten)]
        db: DbArg,
        /// Output format of the summary.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The CSV file.
        file: PathBuf,
    },
    /// Import the police's daily crime extract (CSV files; see data/police-daily/README.md) as this police agency.
    PoliceDaily {
        #[command(flatten)]
        db: DbArg,
        /// The police agency sending the files.
        #[arg(long, value_name = "CODE")]
        agency: String,
        /// Output format of the report.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The extract files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Import incidents from a CSV file (reference,category,occurred_at,latitude,longitude,description, more optional).
    Incidents {
        #[command(flatten)]
        db: DbArg,
        /// Output format of the summary.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Owning agency for rows without an `agency` column.
        #[arg(long)]
        agency: Option<String>,
        /// The CSV file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum CategoriesCommand {
    /// Add or update incident categories from a TOML file of [[category]] entries.
    Load {
        #[command(flatten)]
        db: DbArg,
        /// The TOML file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// Replace the bank holidays with a file in GOV.UK's format (https://www.gov.uk/bank-holidays.json); audited.
    Load {
        #[command(flatten)]
        db: DbArg,
        /// The JSON file (its england-and-wales division is used).
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum StrategyCommand {
    /// Load or refresh a strategy from TOML (priorities and commitments); progress is kept.
    Load {
        #[command(flatten)]
        db: DbArg,
        /// The TOML file (see data/strategy/st-albans-2024-2027.toml).
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum QuestionnaireCommand {
    /// Load a new version of a risk assessment questionnaire (TOML).
    Load {
        #[command(flatten)]
        db: DbArg,
        /// The TOML file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum JobsCommand {
    /// Compute this week's emerging issues now (once per ISO week).
    Weekly {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the keyed hash chain: exit 0 if intact, else exit 2 naming the first altered or removed row.
    Verify {
        #[command(flatten)]
        db: DbArg,
        /// A checkpoint written by `audit checkpoint`: every row up to it must still be there, unchanged.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Re-key the trail: verify it with the current key, re-chain every row with the new key (created 0600 if missing), record the rotation. Run as the database owner with the server stopped.
    RotateKey {
        #[command(flatten)]
        db: DbArg,
        /// The new key file.
        #[arg(long)]
        new_key_file: PathBuf,
    },
    /// Verify the trail, then write its head (row, hash, time) signed with the audit key, to keep elsewhere.
    Checkpoint {
        #[command(flatten)]
        db: DbArg,
        /// Where to write the checkpoint (JSON).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to standard error, filtered by `SAFETYNET_LOG` (default
/// `info,sqlx=warn`), as text or one JSON object a line (`log_format`); a
/// request's lines carry its id (the `request` span).
fn init_tracing(format: crate::config::LogFormat) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("SAFETYNET_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let fmt = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        crate::config::LogFormat::Text => fmt.try_init(),
        crate::config::LogFormat::Json => fmt.json().with_current_span(true).with_span_list(false).try_init(),
    };
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.config.as_deref())?;
    init_tracing(config.log_format.value);
    let clock: SharedClock = Arc::new(SystemClock);
    let now_ms = clock.now().timestamp_millis();
    match cli.command {
        Command::Demo { data_dir, database_url, audit_key_file, bind } => {
            let config = config.with_flags(None, bind).with_audit_key_file(audit_key_file);
            crate::demo::run(&config, &data_dir, database_url, clock).await?
        }
        Command::Init { db, args } => {
            let store = open(&config, &db, KeyUse::Create).await?;
            println!("{}", crate::setup::init(&store, &args, now_ms).await?);
        }
        Command::Agency { command: AgencyCommand::Add { db, code, name, kind, sector } } => {
            let store = open(&config, &db, KeyUse::Write).await?;
            crate::setup::agency_add(&store, &code, &name, &kind, sector.as_deref(), now_ms).await?;
            println!("agency added: {}", code.trim().to_uppercase());
        }
        Command::Agency { command: AgencyCommand::Sector { db, code, sector } } => {
            crate::setup::agency_sector(&open(&config, &db, KeyUse::Write).await?, &code, &sector, now_ms).await?;
            println!("agency sector set");
        }
        Command::Public { command: PublicCommand::Route { db, category, agency, description } } => {
            let store = open(&config, &db, KeyUse::Write).await?;
            crate::setup::public_route(&store, &category, &agency, &description, now_ms).await?;
            println!("reports of {category} now go to {agency}");
        }
        Command::Public { command: PublicCommand::Unroute { db, category } } => {
            crate::setup::public_unroute(&open(&config, &db, KeyUse::Write).await?, &category, now_ms).await?;
            println!("no longer taking reports of {category}");
        }
        Command::Public { command: PublicCommand::List { db } } => {
            for s in open(&config, &db, KeyUse::Write).await?.public_services().await? {
                println!("{}\t{}\t{}", s.code, s.agency, s.name);
            }
        }
        Command::Open311 { command: Open311Command::Issue { db, name, per_hour } } => {
            let store = open(&config, &db, KeyUse::Write).await?;
            let key = crate::setup::open311_issue(&store, &name, per_hour, now_ms).await?;
            println!("Open311 client {name} registered ({per_hour} calls an hour). Its api_key, shown only now:");
            println!("{key}");
        }
        Command::Open311 { command: Open311Command::Revoke { db, name } } => {
            crate::setup::open311_revoke(&open(&config, &db, KeyUse::Write).await?, &name, now_ms).await?;
            println!("Open311 client {name} revoked");
        }
        Command::Open311 { command: Open311Command::List { db } } => {
            for c in open(&config, &db, KeyUse::Write).await?.open311_clients().await? {
                let state = if c.revoked_at.is_some() { "revoked" } else { "live" };
                println!("{}\t{}\t{} calls an hour", c.name, state, c.per_hour);
            }
        }
        Command::Agency { command: AgencyCommand::List { db } } => {
            print!("{}", crate::setup::agency_list(&open(&config, &db, KeyUse::Write).await?).await?);
        }
        Command::Agency { command: AgencyCommand::Rename { db, code, name } } => {
            crate::setup::agency_rename(&open(&config, &db, KeyUse::Write).await?, &code, &name, now_ms).await?;
            println!("agency renamed");
        }
        Command::User { command: UserCommand::List { db, agency } } => {
            let store = open(&config, &db, KeyUse::Write).await?;
            print!("{}", crate::setup::user_list(&store, agency.as_deref(), now_ms).await?);
        }
        Command::User { command: UserCommand::Disable(AccountArg { db, email }) } => {
            crate::setup::user_set_active(&open(&config, &db, KeyUse::Write).await?, &email, false, now_ms).await?;
            println!("account disabled; its sessions and API tokens are ended");
        }
        Command::User { command: UserCommand::Enable(AccountArg { db, email }) } => {
            crate::setup::user_set_active(&open(&config, &db, KeyUse::Write).await?, &email, true, now_ms).await?;
            println!("account enabled");
        }
        Command::User { command: UserCommand::ResetMfa(AccountArg { db, email }) } => {
            crate::setup::user_reset_mfa(&open(&config, &db, KeyUse::Write).await?, &email, now_ms).await?;
            println!("two-step sign-in reset: the user sets it up again at their next sign-in");
        }
        Command::User { command: UserCommand::Roles { db, email, role } } => {
            crate::setup::user_set_roles(&open(&config, &db, KeyUse::Write).await?, &email, &role, now_ms).await?;
            println!("roles set: {}", role.join(", "));
        }
        Command::Serve { db, bind } => {
            let store = open(&config, &db, KeyUse::Write).await?;
            let config = config.with_flags(None, bind);
            serve(store, &config, clock).await?;
        }
        Command::Migrate { db, app_role } => {
            let store = open(&config, &db, KeyUse::Create).await?;
            println!("migrations applied");
            if let Some(role) = app_role {
                let warnings = store.grant_app_role(&role).await?;
                println!(
                    "granted {role}: SELECT, INSERT, UPDATE, DELETE on the application's tables; \
                     SELECT, INSERT only on audit_log; SELECT, UPDATE on audit_head; owns nothing"
                );
                for w in warnings {
                    eprintln!("warning: {w}");
                }
            }
        }
        Command::CheckConfig => print_config(&config)?,
        Command::User { command: UserCommand::Add { db, agency, role, email, name } } => {
            let email = Email::parse(&email)?;
            let agency = AgencyCode::parse(&agency)?;
            let roles = role.iter().map(|r| Role::parse(r)).collect::<Result<Vec<_>, _>>()?;
            let display_name = parse_name("name", name.as_deref().unwrap_or(email.as_str()), 120)?;
            let pw = read_password()?;
            password::check_policy(&pw, &[email.as_str(), &display_name])
                .map_err(|e| anyhow!("password refused: {e}"))?;
            let password_hash = tokio::task::spawn_blocking(move || password::hash_password(&pw)).await??;
            let store = open(&config, &db, KeyUse::Write).await?;
            let operator = Principal::operator();
            let permit = operator.permit::<ManageUsers>()?;
            let actor = Actor { principal: &operator, at_ms: now_ms, source: "cli" };
            let id = store
                .create_user(&permit, &NewUser { email, display_name, agency, roles, password_hash }, &actor)
                .await?;
            println!("user created: {id}");
        }
        Command::Generate { db, users, cases, meeting_years, seed } => {
            let store = open(&config, &db, KeyUse::Write).await?;
            let sizes = crate::generate::Sizes { users, cases, meeting_years, seed };
            let made = crate::generate::generate(&store, sizes, clock.now()).await?;
            println!(
                "generated: {} users, {} cases, {} meetings, {} actions",
                made.users, made.cases, made.meetings, made.actions
            );
        }
        Command::Token { command: TokenCommand::Create { db, email, expires_in_days } } => {
            let store = open(&config, &db, KeyUse::Write).await?;
            let email = Email::parse(&email)?;
            let id = store.user_id_by_email(&email).await?.ok_or_else(|| anyhow!("no user with email {email}"))?;
            let principal = store
                .principal(&id, safetynet_domain::policy::AuthMethod::Operator)
                .await?
                .ok_or_else(|| anyhow!("the account {email} is deactivated"))?;
            let secret = token::new_api_token();
            let expires = now_ms + expires_in_days * 86_400_000;
            let actor = Actor { principal: &principal, at_ms: now_ms, source: "cli" };
            store.create_api_token(&actor, &token::hash_secret(&secret), expires).await?;
            println!("{secret}");
            eprintln!("This token is shown once. It expires in {expires_in_days} days. Use it as: Authorization: Bearer <token>");
        }
        Command::Import { command: ImportCommand::PoliceUk { db, format, paths } } => {
            let store = open(&config, &db, KeyUse::Write).await?;
            let sources = collect_sources(&paths)?;
            let bar = TerminalProgress::new();
            let summary = import_police_uk(&store, &sources, &Principal::operator(), "cli", now_ms, &bar).await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string(&summary)?),
                Format::Text => print!("{}", summary.to_text()),
            }
        }
        Command::Import { command: ImportCommand::Incidents { db, format, agency, file } } => {
            let store = open(&config, &db, KeyUse::Write).await?;
            let agency = agency.map(|a| AgencyCode::parse(&a)).transpose()?;
            let summary = crate::import_incidents::import_incidents(
                &store,
                &file,
                agency.as_ref().map(AgencyCode::as_str),
                now_ms,
            )
            .await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string(&summary)?),
                Format::Text => print!("{}", summary.to_text()),
            }
        }
        Command::Import { command: ImportCommand::Gazetteer { db, format, file } } => {
            let store = open(&config, &db, KeyUse::Write).await?;
            let operator = Principal::operator();
            let actor = Actor { principal: &operator, at_ms: now_ms, source: "cli" };
            let summary = crate::import_gazetteer::import_gazetteer(&store, &file, &actor).await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string(&summary)?),
                Format::Text => print!("{}", summary.to_text()),
            }
        }
        Command::Import { command: ImportCommand::PoliceDaily { db, agency, format, files } } => {
            let agency = AgencyCode::parse(&agency)?.to_string();
            let store = open(&config, &db, KeyUse::Write).await?;
            let known: Vec<String> = store.agencies().await?.into_iter().map(|g| g.code.to_string()).collect();
            if !known.contains(&agency) {
                bail!("no agency has the code {agency}: the agencies are {}", known.join(", "));
            }
            let settings = &config.police_daily.value;
            let codes = safetynet_app::police_daily::offence_codes(settings)?;
            let operator = Principal::operator_for_agency(&agency);
            let actor = Actor { principal: &operator, at_ms: now_ms, source: "cli" };
            let mut failed = false;
            for file in &files {
                match safetynet_app::police_daily::import_file(&store, file, &agency, &codes, &actor).await {
                    Ok(report) => match format {
                        Format::Json => println!("{}", serde_json::to_string(&report)?),
                        Format::Text => print!("{}", report.to_text()),
                    },
                    Err(e) => {
                        eprintln!("{}: not imported: {e}", file.display());
                        failed = true;
                    }
                }
            }
            if failed {
                bail!("some files were not imported (see above); the others were");
            }
        }
        Command::Import { command: ImportCommand::Imd { db, imd, population, lad } } => {
            if imd.is_none() && population.is_none() {
                bail!("give --imd FILE_1 and/or --population FILE_6");
            }
            let (stats, problems) = crate::import_imd::read(imd.as_deref(), population.as_deref(), &lad)?;
            for p in &problems {
                eprintln!("{p}");
            }
            let store = open(&config, &db, KeyUse::Write).await?;
            let operator = Principal::operator();
            let n =
                store.save_area_stats(&stats, &Actor { principal: &operator, at_ms: now_ms, source: "cli" }).await?;
            println!("LSOAs written: {n}; rows refused: {}", problems.len());
        }
        Command::Import { command: ImportCommand::Areas { db, file, level, code_field, name_field } } => {
            let level = safetynet_domain::areas::Level::parse(&level)
                .ok_or_else(|| anyhow!("--level must be lsoa, msoa, ward or lad"))?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let (areas, skipped) = safetynet_domain::areas::read_areas(&text, &code_field, &name_field)
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            for (n, why) in &skipped {
                eprintln!("{}: feature {n} skipped: {why}", file.display());
            }
            if areas.is_empty() {
                bail!("{}: no areas could be read", file.display());
            }
            let store = open(&config, &db, KeyUse::Write).await?;
            let operator = Principal::operator();
            let (added, updated) =
                store.save_areas(level, &areas, &Actor { principal: &operator, at_ms: now_ms, source: "cli" }).await?;
            println!("areas ({}): {added} added, {updated} updated, {} skipped", level.as_str(), skipped.len());
        }
        Command::Categories { command: CategoriesCommand::Load { db, file } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let cats = safetynet_domain::categories::parse_categories(&text)?;
            let store = open(&config, &db, KeyUse::Write).await?;
            let operator = Principal::operator();
            let (added, updated) =
                store.load_categories(&cats, &Actor { principal: &operator, at_ms: now_ms, source: "cli" }).await?;
            println!("categories: {added} added, {updated} updated");
        }
        Command::Backup(args) => return crate::backup::backup(&config, args, clock.now()).await,
        Command::Restore(args) => return crate::backup::restore(&config, args, clock.now()).await,
        Command::Calendar { command: CalendarCommand::Load { db, file } } => {
            let text = read_limited(&file, MAX_CALENDAR_BYTES)?;
            let calendar = safetynet_domain::calendar::BankHolidays::parse(&text)
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            let store = open(&config, &db, KeyUse::Write).await?;
            let operator = Principal::operator();
            let loaded = store
                .load_bank_holidays(&calendar, &Actor { principal: &operator, at_ms: now_ms, source: "cli" })
                .await?;
            println!(
                "bank holidays loaded (audited): {} days, {} to {} (the calendar in use before had {})",
                loaded.days, loaded.from, loaded.until, loaded.replaced
            );
            if calendar.runs_out_soon(safetynet_domain::uk_time::london_date(clock.now())) {
                eprintln!(
                    "warning: this calendar runs out on {}: load a newer file soon (the dashboard warns too)",
                    loaded.until
                );
            }
        }
        Command::Report(args) => println!("{}", crate::report::run(&config, clock, args).await?),
        Command::Strategy { command: StrategyCommand::Load { db, file } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let def = safetynet_domain::strategy::parse_strategy(&text)?;
            let store = open(&config, &db, KeyUse::Write).await?;
            let s = crate::demo_strategy::load_strategy(&store, &def, clock.now(), "cli").await?;
            println!(
                "strategy {}: {} priorities, {} commitments added, {} updated",
                def.code, s.priorities, s.added, s.updated
            );
        }
        Command::Questionnaires { command: QuestionnaireCommand::Load { db, file } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let store = open(&config, &db, KeyUse::Write).await?;
            let operator = Principal::operator();
            let q =
                store.load_questionnaire(&text, &Actor { principal: &operator, at_ms: now_ms, source: "cli" }).await?;
            println!("questionnaire {} version {} loaded ({} questions)", q.id, q.version, q.questions.len());
        }
        Command::Analyse { command } => crate::analyse::run(&config, clock, command).await?,
        Command::Jobs { command: JobsCommand::Weekly { db } } => {
            let store = open(&config, &db, KeyUse::Write).await?;
            let analyst = safetynet_app::analyses::Analyst::new(store, config.web().analysis);
            let operator = Principal::operator();
            let actor = Actor { principal: &operator, at_ms: now_ms, source: "cli" };
            let today = safetynet_domain::uk_time::london_date(clock.now());
            let day = config.weekly_trends_day.value;
            match safetynet_app::jobs::weekly_trends(&analyst, today, day, true, &actor).await? {
                Some(n) => println!("weekly trends: {n} alerts kept"),
                None => println!("weekly trends: already ran this week"),
            }
        }
        Command::Mail { command } => return crate::mail::run(&config, clock, command).await,
        Command::Person { command } => {
            let (db, agency, person) = match &command {
                PersonCommand::Rectify { db, agency, person, .. } | PersonCommand::Erase { db, agency, person } => {
                    (db, agency, person)
                }
            };
            let agency = AgencyCode::parse(agency).map_err(|e| anyhow!("--agency: {e}"))?;
            let store = open(&config, db, KeyUse::Write).await?;
            let principal = Principal::operator_for_agency(agency.as_str());
            let permit = principal.permit::<safetynet_domain::policy::EditRecords>().map_err(|e| anyhow!("{e}"))?;
            let actor = Actor { principal: &principal, at_ms: now_ms, source: "cli" };
            match &command {
                PersonCommand::Rectify { name, date_of_birth, address, .. } => {
                    let date_of_birth = match date_of_birth.as_deref().map(str::trim) {
                        None => None,
                        Some("none") => Some(None),
                        Some(d) => Some(Some(
                            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                                .map_err(|_| anyhow!("--date-of-birth must be YYYY-MM-DD or none"))?,
                        )),
                    };
                    let c = safetynet_store::incidents::PersonCorrection {
                        full_name: name.clone(),
                        date_of_birth,
                        address: address.clone(),
                    };
                    let changed = store.rectify_person(&permit, person.trim(), &c, &actor).await?;
                    println!("person {} rectified (audited): {}", person.trim(), changed.join(", "));
                }
                PersonCommand::Erase { .. } => {
                    store.erase_person(&permit, person.trim(), &actor).await?;
                    println!("person {} erased (audited)", person.trim());
                }
            }
        }
        Command::Sar { command: SarCommand::Export { db, agency, person, out } } => {
            if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
                bail!("--out names the JSON file (e.g. sar.json); the PDF is written beside it");
            }
            let agency = AgencyCode::parse(&agency).map_err(|e| anyhow!("--agency: {e}"))?;
            let store = open(&config, &db, KeyUse::Write).await?;
            let operator = Principal::operator();
            let actor = Actor { principal: &operator, at_ms: now_ms, source: "cli" };
            let export = match store.subject_access(agency.as_str(), person.trim(), &actor).await {
                Err(safetynet_store::StoreError::NotFound(_)) => {
                    bail!("{} holds no person with id {}", agency.as_str(), person.trim())
                }
                r => r?,
            };
            let text = serde_json::to_string_pretty(&export)?;
            std::fs::write(&out, text).with_context(|| format!("cannot write {}", out.display()))?;
            let pdf = out.with_extension("pdf");
            std::fs::write(&pdf, safetynet_render::subject_access::subject_access_pdf(&export)?)
                .with_context(|| format!("cannot write {}", pdf.display()))?;
            println!(
                "subject access export written to {} and {} (audited): {}",
                out.display(),
                pdf.display(),
                export["counts"]
            );
        }
        Command::Retention { command: RetentionCommand::Run { db, dry_run } } => {
            let store = open(&config, &db, KeyUse::Write).await?;
            let schedule = config.retention.value;
            let report = if dry_run {
                store.retention_dry_run(&schedule, now_ms).await?
            } else {
                let operator = Principal::operator();
                let actor = Actor { principal: &operator, at_ms: now_ms, source: "cli" };
                store.retention_run(&schedule, None, &actor).await?.unwrap_or_default()
            };
            let verb = if dry_run { "would anonymise" } else { "anonymised" };
            println!(
                "retention ({}): closed cases after {} years, incidents in no case after {} years",
                if dry_run { "dry run, nothing changed" } else { "run, audited" },
                schedule.closed_case_years,
                schedule.unlinked_incident_years
            );
            println!("  cases      {verb} {}", report.cases.len());
            println!("  incidents  {verb} {}", report.incidents.len());
            println!("  people     {verb} {}", report.people.len());
            println!("  police daily crimes {verb} {}", report.police_daily.len());
            println!("  referrals  {verb} {}", report.referrals.len());
            println!("  taxi drivers {verb} {}", report.taxi_drivers.len());
            println!("  reports from the public {verb} {}", report.public_reports.len());
        }
        Command::Audit { command: AuditCommand::Verify { db, checkpoint } } => {
            let store = open(&config, &db, KeyUse::Verify).await?;
            let checkpoint = match &checkpoint {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read the checkpoint {}", path.display()))?;
                    let file = CheckpointFile::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
                    Some(file.verify(store.audit_key()).map_err(|e| anyhow!("{}: {e}", path.display()))?)
                }
                None => None,
            };
            match store.verify_audit_with(checkpoint.as_ref()).await? {
                Ok(n) => match &checkpoint {
                    Some(cp) => println!(
                        "audit trail intact: {n} rows verified; the checkpoint's row {} is present and unchanged",
                        cp.seq
                    ),
                    None => println!("audit trail intact: {n} rows verified"),
                },
                Err(broken) => {
                    eprintln!("audit trail BROKEN: {broken}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Audit { command: AuditCommand::RotateKey { db, new_key_file } } => {
            let (url, old_file) = resolve(&config, db.database_url.clone(), db.audit_key_file.clone())?;
            if new_key_file == old_file {
                bail!("--new-key-file must be a new file, not the current key file {}", old_file.display());
            }
            let store = open_with_key(&url, &old_file, KeyUse::Write).await?;
            let (new_key, created) = crate::audit_key::load_or_create(&new_key_file)?;
            let operator = Principal::operator();
            let actor = Actor { principal: &operator, at_ms: now_ms, source: "cli" };
            match store.rotate_audit_key(new_key, &actor).await? {
                Ok(n) => {
                    let made = if created == crate::audit_key::Created::Yes { " (created, mode 0600)" } else { "" };
                    println!(
                        "audit key rotated: {n} rows verified with the old key and re-chained with {}{made}.",
                        new_key_file.display()
                    );
                    let point = match &url {
                        DatabaseUrl::Sqlite(p) => format!(
                            "point audit_key_file at it (or move it to the default, {})",
                            crate::audit_key::default_for_sqlite(p).display()
                        ),
                        DatabaseUrl::Postgres(_) => "point audit_key_file at it".to_string(),
                    };
                    println!(
                        "Now {point}, start SafetyNet again and take a new checkpoint. Keep the old key with the \
                         backups taken before the rotation: they were written with it."
                    );
                }
                Err(broken) => {
                    eprintln!("audit trail BROKEN: {broken}");
                    eprintln!("the key was not rotated: a rotation must only vouch for an intact trail");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Audit { command: AuditCommand::Checkpoint { db, out } } => {
            let store = open(&config, &db, KeyUse::Verify).await?;
            match store.audit_checkpoint(now_ms).await? {
                Ok(cp) => {
                    let file = cp.sign(store.audit_key());
                    std::fs::write(&out, file.to_text()).with_context(|| format!("cannot write {}", out.display()))?;
                    println!(
                        "checkpoint written to {}: row {}, taken {}. Keep it apart from the database; check with \
                         `safetynet audit verify --checkpoint {}`",
                        out.display(),
                        cp.seq,
                        file.at,
                        out.display()
                    );
                }
                Err(broken) => {
                    eprintln!("audit trail BROKEN: {broken}");
                    eprintln!("no checkpoint written: a checkpoint must only vouch for an intact trail");
                    return Ok(ExitCode::from(2));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Largest bank holidays file read (GOV.UK's is about 20 KB).
const MAX_CALENDAR_BYTES: u64 = 1024 * 1024;

/// Reads a text file of at most `max` bytes.
fn read_limited(file: &Path, max: u64) -> anyhow::Result<String> {
    let size = std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?.len();
    if size > max {
        bail!("{}: {size} bytes is more than the {max} bytes this file may have", file.display());
    }
    std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("SAFETYNET_PASSWORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        eprint!("Password (input is shown; prefer SAFETYNET_PASSWORD or a pipe): ");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        bail!("no password given: set SAFETYNET_PASSWORD or pipe it on standard input");
    }
    Ok(pw)
}

fn print_config(c: &Config) -> anyhow::Result<()> {
    match &c.file {
        Some(f) => println!("config file: {}", f.display()),
        None => println!("config file: none (defaults and environment only)"),
    }
    let db = match &c.database_url.value {
        Some(u) => DatabaseUrl::parse(u).map(|d| d.redacted()).unwrap_or_else(|e| format!("INVALID: {e}")),
        None => "(not set)".into(),
    };
    println!("database_url           = {db}    [{}]", c.database_url.source);
    println!("bind                   = {}    [{}]", c.bind.value, c.bind.source);
    println!(
        "public_url             = {}    [{}]",
        c.public_url.value.as_deref().unwrap_or("(not set)"),
        c.public_url.source
    );
    println!("tile_url               = {}    [{}]", c.tile_url.value, c.tile_url.source);
    println!("session_idle_minutes   = {}    [{}]", c.session_idle_minutes.value, c.session_idle_minutes.source);
    println!("session_absolute_hours = {}    [{}]", c.session_absolute_hours.value, c.session_absolute_hours.source);
    let s = &c.safety.value;
    println!(
        "safety                 = reviews every {}/{}/{} days (high/medium/standard); Case Review {} complaints in {} months; repeat radius {} m    [{}]",
        s.reviews.high_days, s.reviews.medium_days, s.reviews.standard_days, s.case_review.threshold, s.case_review.window_months, s.repeat_radius_m, c.safety.source
    );
    println!("weekly_trends_day      = {}    [{}]", c.weekly_trends_day.value, c.weekly_trends_day.source);
    let d = &c.police_daily.value;
    let shared: Vec<String> = d
        .share
        .iter()
        .map(|(agency, flags)| {
            let names: Vec<String> = flags
                .iter()
                .map(|f| serde_json::to_value(f).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default())
                .collect();
            format!("{agency}: {}", if names.is_empty() { "no flags".into() } else { names.join(" ") })
        })
        .collect();
    println!(
        "police_daily           = drop folder {} ({}); repeats within {} days; shared with {}    [{}]",
        d.drop_dir.as_ref().map_or("(none)".into(), |p| p.display().to_string()),
        d.drop_agency.as_deref().unwrap_or("-"),
        d.repeat_days,
        if shared.is_empty() { "no other agency".into() } else { shared.join("; ") },
        c.police_daily.source
    );
    let r = &c.retention.value;
    println!(
        "retention              = closed cases {} years, unlinked incidents {} years, scheduled {}    [{}]",
        r.closed_case_years, r.unlinked_incident_years, r.scheduled, c.retention.source
    );
    println!(
        "analysis               = time budget {} s, {} at once, cache {} MiB    [{}; {}; {}]",
        c.analysis_time_budget_secs.value,
        c.analysis_concurrency.value,
        c.analysis_cache_mib.value,
        c.analysis_time_budget_secs.source,
        c.analysis_concurrency.source,
        c.analysis_cache_mib.source
    );
    // The key file's path and state, never its contents.
    let parsed = c.database_url.value.as_deref().map(DatabaseUrl::parse).and_then(Result::ok);
    let (key_line, key_ok) = match (parsed, &c.audit_key_file.value) {
        (Some(url), _) => match c.audit_key_file_for(&url) {
            Ok(f) => match crate::audit_key::describe(&f.value) {
                Ok(state) => (format!("{} ({state})    [{}]", f.value.display(), f.source), true),
                Err(e) => (format!("INVALID: {e}    [{}]", f.source), false),
            },
            Err(e) => (format!("(not set: {e})    [{}]", c.audit_key_file.source), true),
        },
        (None, Some(p)) => match crate::audit_key::describe(p) {
            Ok(state) => (format!("{} ({state})    [{}]", p.display(), c.audit_key_file.source), true),
            Err(e) => (format!("INVALID: {e}    [{}]", c.audit_key_file.source), false),
        },
        (None, None) => ("(default: beside the SQLite database)    [default]".into(), true),
    };
    println!("audit_key_file         = {key_line}");
    let proxies = &c.trusted_proxies.value;
    println!(
        "trusted_proxies        = {}    [{}]",
        if proxies.is_empty() {
            "(none: the socket peer is the client; X-Forwarded-For is ignored)".to_string()
        } else {
            proxies.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        },
        c.trusted_proxies.source
    );
    println!(
        "require_mfa            = {}    [{}]",
        if c.require_mfa.value.is_empty() {
            "(none: two-step sign-in is offered to everyone, required of nobody)".to_string()
        } else {
            c.require_mfa.value.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
        },
        c.require_mfa.source
    );
    match &c.smtp_url.value {
        Some(u) => println!("smtp_url               = {}    [{}]", u.redacted(), c.smtp_url.source),
        None => {
            println!("smtp_url               = (not set: notifications wait in the outbox)    [{}]", c.smtp_url.source)
        }
    }
    println!("mail_from              = {}    [{}]", c.mail_sender()?, c.mail_from.source);
    let n = &c.notifications.value;
    println!(
        "notifications          = reviews {} days ahead; ASB Case Review deadlines {} working days ahead; PSPOs {} days before they end; daily summary from {:02}:00    [{}]",
        n.review_days, n.case_review_working_days, n.pspo_days, n.digest_hour, c.notifications.source
    );
    if c.smtp_url.value.is_some() && c.public_url.value.is_none() {
        println!("warning: smtp_url is set but public_url is not: links in e-mails will be paths, not addresses");
    }
    println!(
        "metrics_token          = {}    [{}]",
        if c.metrics_token.value.is_some() { "(set: /metrics answers with it)" } else { "(not set: no /metrics)" },
        c.metrics_token.source
    );
    println!("log_format             = {}    [{}]", c.log_format.value.as_str(), c.log_format.source);
    let public = &c.public.value;
    println!(
        "public                 = name {}, contact {}, logo {}    [{}]",
        public.name.as_deref().unwrap_or("(the partnership's recorded name)"),
        public.contact_email.as_deref().unwrap_or("(none: the council's customer services)"),
        public.logo.as_ref().map_or("none", |l| l.content_type),
        c.public.source
    );
    println!("secure cookies         = {}", c.web().secure_cookies);
    if db.starts_with("INVALID") || !key_ok {
        bail!("the configuration is not valid");
    }
    println!("configuration OK");
    Ok(())
}
