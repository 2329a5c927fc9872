//! The notification job: queue the reminders that have fallen due, then
//! send what is due in the outbox.
//!
//! Changes queue their own messages in their transactions (see
//! `store::notifications`); this job adds those that come with time (reviews
//! a few days ahead, ASB Case Review deadlines a few working days ahead,
//! public spaces protection orders ending within `pspo_days`, the CSP
//! managers' daily summary from `digest_hour`), each once. Delivery
//! takes each due message under a lease, sends it, and records the result:
//! a refusal for good (5xx, a bad address) gives up at once; anything else
//! is tried again after 1, 5, 15, 60 minutes and then hourly, and given up a
//! day after it was queued, its last error kept. When the server cannot be
//! reached, the rest of the pass is not tried (each message counts the
//! attempt and waits its turn), so nothing is lost while the server is down.
//! Without `smtp_url`, messages stay in the outbox.

use crate::Error;
use chrono::{DateTime, Utc};
use safetynet_domain::case_review::add_working_days;
use safetynet_domain::clock::Clock;
use safetynet_domain::notification::{full_body, next_attempt_ms, Schedule};
use safetynet_domain::policy::Principal;
use safetynet_domain::uk_time::{london_date, london_hour};
use safetynet_mail::{MailError, MailSettings, Mailer};
use safetynet_store::notifications::Queued;
use safetynet_store::users::Actor;
use safetynet_store::Store;
use serde::Serialize;

/// How long a message taken for sending is left to its sender before
/// another pass may take it (a crash mid-send loses nothing).
pub const LEASE_MS: i64 = 10 * 60_000;

/// Most messages sent in one pass.
pub const BATCH: i64 = 500;

/// Notification settings.
#[derive(Debug, Clone, Default)]
pub struct NotifyConfig {
    /// Where to send (none: messages wait in the outbox).
    pub mail: Option<MailSettings>,
    /// The public address links start with (`public_url`).
    pub public_url: Option<String>,
    /// When reminders are sent.
    pub schedule: Schedule,
}

/// What one delivery pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Delivered to the mail server.
    pub sent: usize,
    /// Failed and will be tried again.
    pub retrying: usize,
    /// Failed and given up.
    pub gave_up: usize,
    /// The first error of the pass, if any.
    pub error: Option<String>,
}

/// Sent and given-up messages are kept this long (for `mail status` and
/// questions about what was sent), then deleted.
pub const KEEP_DAYS: i64 = 90;

/// Queues the reminders due at `now` on `schedule` (idempotent: each is
/// queued once), and deletes messages sent or given up more than
/// [`KEEP_DAYS`] ago.
pub async fn queue_due(store: &Store, schedule: Schedule, now: DateTime<Utc>) -> Result<Queued, Error> {
    store.purge_outbox(now.timestamp_millis() - KEEP_DAYS * 86_400_000).await?;
    let today = london_date(now);
    let operator = Principal::operator();
    let actor = Actor { principal: &operator, at_ms: now.timestamp_millis(), source: "scheduler" };
    let review_until = today.checked_add_days(chrono::Days::new(schedule.review_days.into())).unwrap_or(today);
    let reviews = store.queue_review_reminders(today, review_until, &actor).await?;
    let calendar = store.bank_holidays().await?;
    let deadline_until = add_working_days(today, schedule.case_review_working_days, &calendar.holidays);
    let case_reviews = store.queue_case_review_reminders(today, deadline_until, &actor).await?;
    let uk_hour = london_hour(now);
    let digests = if uk_hour >= schedule.digest_hour { store.queue_daily_digests(today, &actor).await? } else { 0 };
    let pspo_until = today.checked_add_days(chrono::Days::new(schedule.pspo_days.into())).unwrap_or(today);
    let pspos = store.queue_pspo_reminders(today, pspo_until, &actor).await?;
    // Kits due back today or tomorrow: time to collect them.
    let tomorrow = today.succ_opt().unwrap_or(today);
    let equipment = store.queue_equipment_reminders(today, tomorrow, &actor).await?;
    Ok(Queued { reviews, case_reviews, digests, pspos, equipment })
}

/// Sends what is due in the outbox through `settings`, links starting with
/// `public_url`, each attempt timed by `clock`.
pub async fn deliver(
    store: &Store,
    settings: &MailSettings,
    public_url: Option<&str>,
    clock: &dyn Clock,
) -> Result<Delivery, Error> {
    let mailer = Mailer::new(settings).map_err(|e| Error::Internal(e.to_string()))?;
    let due = store.due_outbox(clock.now().timestamp_millis(), BATCH).await?;
    let mut report = Delivery::default();
    let mut unreachable: Option<String> = None;
    for m in due {
        let now = clock.now();
        let now_ms = now.timestamp_millis();
        if !store.claim_outbox(&m, now_ms + LEASE_MS).await? {
            continue;
        }
        let result = match &unreachable {
            Some(e) => Err(MailError::Unreachable(e.clone())),
            None => {
                let body = full_body(&m.body, &m.link_path, public_url);
                mailer.send(&m.id, &m.address, &m.subject, &body, now).await
            }
        };
        match result {
            Ok(()) => {
                store.outbox_sent(&m.id, now_ms).await?;
                report.sent += 1;
            }
            Err(e) => {
                let attempts = m.attempts + 1;
                let next = match &e {
                    MailError::Permanent(_) | MailError::Invalid(_) => None,
                    MailError::Transient(_) | MailError::Unreachable(_) => {
                        next_attempt_ms(m.created_at_ms, u32::try_from(attempts).unwrap_or(u32::MAX), now_ms)
                    }
                };
                if let MailError::Unreachable(text) = &e {
                    unreachable.get_or_insert_with(|| text.clone());
                }
                let text = e.to_string();
                store.outbox_failed(&m.id, attempts, next, &text, now_ms).await?;
                if next.is_none() {
                    tracing::warn!(message = %m.id, kind = %m.kind, attempts, error = %text, "e-mail given up");
                    report.gave_up += 1;
                } else {
                    report.retrying += 1;
                }
                report.error.get_or_insert(text);
            }
        }
    }
    Ok(report)
}

/// One pass of the job: queue what has fallen due, then send (when an SMTP
/// server is configured).
pub async fn run(store: &Store, config: &NotifyConfig, clock: &dyn Clock) -> Result<(Queued, Option<Delivery>), Error> {
    let queued = queue_due(store, config.schedule, clock.now()).await?;
    Ok((queued, deliver_configured(store, config, clock).await?))
}

/// Sends what is due, if an SMTP server is configured (the minute loop).
pub async fn deliver_configured(
    store: &Store,
    config: &NotifyConfig,
    clock: &dyn Clock,
) -> Result<Option<Delivery>, Error> {
    match &config.mail {
        Some(settings) => Ok(Some(deliver(store, settings, config.public_url.as_deref(), clock).await?)),
        None => Ok(None),
    }
}
