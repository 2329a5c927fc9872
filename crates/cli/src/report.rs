//! `safetynet report jag|rag|psf`: a meeting pack for a date, written as
//! HTML or PDF. Made as the operator, the JAG's case section is left out
//! (it holds personal data); `--as EMAIL` makes it as that user would see it
//! in SafetyNet. Every pack generation is audited.

use crate::config::Config;
use anyhow::{anyhow, Context};
use chrono::NaiveDate;
use clap::ValueEnum;
use safetynet_app::analyses::Analyst;
use safetynet_app::packs::{build, PackRequest};
use safetynet_domain::clock::SharedClock;
use safetynet_domain::meeting::{MeetingKind, DEFAULT_DISCLOSURE_THRESHOLD};
use safetynet_domain::partnership::Email;
use safetynet_domain::policy::{AuthMethod, Principal};
use safetynet_render::{html, pdf};
use safetynet_store::users::Actor;
use std::path::PathBuf;

/// Which pack.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    /// Joint Agency Group.
    Jag,
    /// Responsible Authorities Group.
    Rag,
    /// Priority Setting Forum (public summary).
    Psf,
}

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    /// A standalone HTML document.
    Html,
    /// A PDF document.
    Pdf,
}

/// `report` arguments.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// jag, rag or psf.
    #[arg(value_enum)]
    kind: Kind,
    /// sqlite://PATH or postgres://USER@HOST:PORT/DB
    #[arg(long, env = "SAFETYNET_DATABASE_URL")]
    database_url: Option<String>,
    /// The audit key file (default for SQLite: beside the database, PATH.audit-key).
    #[arg(long)]
    audit_key_file: Option<PathBuf>,
    /// The pack's date (YYYY-MM-DD).
    #[arg(long)]
    date: NaiveDate,
    /// html or pdf.
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    format: ReportFormat,
    /// Where to write it.
    #[arg(long)]
    out: PathBuf,
    /// Make it as this user would see it (their agency's cases, if they attend).
    #[arg(long = "as")]
    as_user: Option<String>,
    /// Counts below this are suppressed in the public summary.
    #[arg(long, default_value_t = DEFAULT_DISCLOSURE_THRESHOLD)]
    threshold: i64,
}

/// Writes the pack; returns a line for the terminal.
pub async fn run(config: &Config, clock: SharedClock, a: ReportArgs) -> anyhow::Result<String> {
    let store =
        crate::db::open_url(config, a.database_url.clone(), a.audit_key_file.clone(), crate::db::KeyUse::Write).await?;
    let viewer = match &a.as_user {
        None => Principal::operator(),
        Some(email) => {
            let id = store.user_id_by_email(&Email::parse(email)?).await?.ok_or_else(|| anyhow!("no user {email}"))?;
            store.principal(&id, AuthMethod::Operator).await?.ok_or_else(|| anyhow!("{email} is not active"))?
        }
    };
    let kind = match a.kind {
        Kind::Jag => MeetingKind::Jag,
        Kind::Rag => MeetingKind::Rag,
        Kind::Psf => MeetingKind::Psf,
    };
    let req = PackRequest::new(kind, a.date).with_threshold(a.threshold).map_err(|e| anyhow!("--{e}"))?;
    let actor = Actor { principal: &viewer, at_ms: clock.now().timestamp_millis(), source: "cli" };
    let analyst = Analyst::new(store.clone(), config.web().analysis);
    let pack = build(&analyst, &req, &actor).await?;
    let (bytes, format) = match a.format {
        ReportFormat::Html => (html::standalone(&pack).into_bytes(), "html"),
        ReportFormat::Pdf => (pdf::pack_pdf(&pack)?, "pdf"),
    };
    std::fs::write(&a.out, &bytes).with_context(|| format!("cannot write {}", a.out.display()))?;
    store.record_pack(kind, a.date, format, &actor).await?;
    Ok(format!("{} for {} written to {} ({} bytes)", pack.title, a.date, a.out.display(), bytes.len()))
}
