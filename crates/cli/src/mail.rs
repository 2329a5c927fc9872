//! `safetynet mail`: send a test message, run the notification job once (for
//! cron, or by hand), and show the outbox.

use crate::config::Config;
use anyhow::{anyhow, bail};
use clap::Subcommand;
use safetynet_app::notify;
use safetynet_domain::clock::SharedClock;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_mail::Mailer;
use std::process::ExitCode;

/// The `mail` subcommands.
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Send one test message now through smtp_url (fails with the server's answer).
    Test {
        /// Where to send it.
        #[arg(long)]
        to: String,
    },
    /// Queue reminders that have fallen due and send what is due in the outbox, once.
    Send {
        /// sqlite://PATH or postgres://USER@HOST:PORT/DB
        #[arg(long, env = "SAFETYNET_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Show the outbox: waiting, sent and given-up messages, the last errors.
    Status {
        /// sqlite://PATH or postgres://USER@HOST:PORT/DB
        #[arg(long, env = "SAFETYNET_DATABASE_URL")]
        database_url: Option<String>,
    },
}

fn no_server() -> anyhow::Error {
    anyhow!("no SMTP server is configured: set smtp_url in the config file or SAFETYNET_SMTP_URL")
}

/// Runs a `mail` subcommand.
pub async fn run(config: &Config, clock: SharedClock, command: MailCommand) -> anyhow::Result<ExitCode> {
    match command {
        MailCommand::Test { to } => {
            let settings = config.mail().ok_or_else(no_server)?;
            let mailer = Mailer::new(&settings).map_err(|e| anyhow!(e))?;
            let now = clock.now();
            let body = safetynet_domain::notification::full_body(
                "This is a test message from SafetyNet. If you can read it, e-mail notifications work.",
                "/account",
                config.public_url.value.as_deref(),
            );
            mailer
                .send(&new_id_at_ms(now.timestamp_millis()), &to, "SafetyNet test message", &body, now)
                .await
                .map_err(|e| {
                    anyhow!("the test message to {to} was not sent through {}: {e}", settings.smtp.redacted())
                })?;
            println!("test message sent to {to} through {} from {}", settings.smtp.redacted(), settings.from);
        }
        MailCommand::Send { database_url } => {
            let store = crate::db::open_url(config, database_url, None, crate::db::KeyUse::Write).await?;
            let (queued, delivery) = notify::run(&store, &config.web().notifications, clock.as_ref()).await?;
            println!(
                "reminders queued: {} (reviews {}, ASB Case Review deadlines {}, daily summaries {}, PSPOs ending {}, noise kits due back {})",
                queued.total(),
                queued.reviews,
                queued.case_reviews,
                queued.digests,
                queued.pspos,
                queued.equipment
            );
            match delivery {
                Some(d) => {
                    println!("sent: {}, to retry: {}, given up: {}", d.sent, d.retrying, d.gave_up);
                    if let Some(e) = d.error {
                        eprintln!("last error: {e}");
                    }
                }
                None => {
                    let waiting = store.outbox_status(clock.now().timestamp_millis()).await?.waiting;
                    println!("no SMTP server is configured (smtp_url): {waiting} message(s) wait in the outbox");
                }
            }
        }
        MailCommand::Status { database_url } => {
            let store = crate::db::open_url(config, database_url, None, crate::db::KeyUse::Write).await?;
            let s = store.outbox_status(clock.now().timestamp_millis()).await?;
            match &config.smtp_url.value {
                Some(u) => println!("smtp_url: {}    [{}]", u.redacted(), config.smtp_url.source),
                None => println!("smtp_url: (not set): messages stay in the outbox until it is"),
            }
            println!("waiting: {} (of which retrying: {})", s.waiting, s.retrying);
            if let Some(t) = s.oldest_waiting_ms.and_then(chrono::DateTime::from_timestamp_millis) {
                println!("oldest waiting since: {}", t.format("%Y-%m-%d %H:%M UTC"));
            }
            println!("sent in the last 24 hours: {}", s.sent_last_day);
            println!("given up in the last 24 hours: {}", s.failed_last_day);
            for m in &s.recent_failures {
                let at = m
                    .failed_at_ms
                    .and_then(chrono::DateTime::from_timestamp_millis)
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default();
                println!(
                    "  given up {at}: {} to {} after {} attempt(s): {}",
                    m.kind,
                    m.address,
                    m.attempts,
                    m.last_error.as_deref().unwrap_or("")
                );
            }
            if config.smtp_url.value.is_none() && s.waiting > 0 {
                bail!("{} message(s) are waiting and no SMTP server is configured", s.waiting);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
