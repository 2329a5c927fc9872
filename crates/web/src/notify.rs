//! The notification job: queue the reminders that have fallen due, then
//! send what is due in the outbox.
//!
//! Changes queue their own messages in their transactions (see
//! `store::notifications`); this job adds those that come with time (reviews
//! a few days ahead, ASB Case Review deadlines a few working days ahead, the
//! CSP managers' daily summary from `digest_hour`), each once. Delivery
//! takes each due message under a lease, sends it, and records the result:
//! a refusal for good (5xx, a bad address) gives up at once; anything else
//! is tried again after 1, 5, 15, 60 minutes and then hourly, and given up a
//! day after it was queued, its last error kept. When the server cannot be
//! reached, the rest of the pass is not tried (each message counts the
//! attempt and waits its turn), so nothing is lost while the server is down.
//! Without `smtp_url`, messages stay in the outbox.

use crate::error::AppError;
use crate::mail::{MailError, MailSettings, Mailer};
use crate::AppState;
use safetynet_domain::case_review::add_working_days;
use safetynet_domain::notification::{full_body, next_attempt_ms, Schedule};
use safetynet_domain::policy::Principal;
use safetynet_domain::uk_time::{london_date, london_hour};
use safetynet_store::notifications::Queued;
use safetynet_store::users::Actor;
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

/// Queues the reminders due today (idempotent: each is queued once), and
/// deletes messages sent or given up more than [`KEEP_DAYS`] ago.
pub async fn queue_due(state: &AppState) -> Result<Queued, AppError> {
    let now = state.clock.now();
    state.store.purge_outbox(now.timestamp_millis() - KEEP_DAYS * 86_400_000).await?;
    let today = london_date(now);
    let schedule = state.config.notifications.schedule;
    let operator = Principal::operator();
    let actor = Actor { principal: &operator, at_ms: now.timestamp_millis(), source: "scheduler" };
    let review_until = today.checked_add_days(chrono::Days::new(schedule.review_days.into())).unwrap_or(today);
    let reviews = state.store.queue_review_reminders(today, review_until, &actor).await?;
    let calendar = state.store.bank_holidays().await?;
    let deadline_until = add_working_days(today, schedule.case_review_working_days, &calendar.holidays);
    let case_reviews = state.store.queue_case_review_reminders(today, deadline_until, &actor).await?;
    let uk_hour = london_hour(now);
    let digests =
        if uk_hour >= schedule.digest_hour { state.store.queue_daily_digests(today, &actor).await? } else { 0 };
    Ok(Queued { reviews, case_reviews, digests })
}

/// Sends what is due in the outbox through `settings`.
pub async fn deliver(state: &AppState, settings: &MailSettings) -> Result<Delivery, AppError> {
    let mailer = Mailer::new(settings).map_err(|e| AppError::Internal(e.to_string()))?;
    let public_url = state.config.notifications.public_url.as_deref();
    let due = state.store.due_outbox(state.clock.now().timestamp_millis(), BATCH).await?;
    let mut report = Delivery::default();
    let mut unreachable: Option<String> = None;
    for m in due {
        let now = state.clock.now();
        let now_ms = now.timestamp_millis();
        if !state.store.claim_outbox(&m, now_ms + LEASE_MS).await? {
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
                state.store.outbox_sent(&m.id, now_ms).await?;
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
                state.store.outbox_failed(&m.id, attempts, next, &text, now_ms).await?;
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
pub async fn run(state: &AppState) -> Result<(Queued, Option<Delivery>), AppError> {
    let queued = queue_due(state).await?;
    let delivery = match &state.config.notifications.mail {
        Some(settings) => Some(deliver(state, settings).await?),
        None => None,
    };
    Ok((queued, delivery))
}

/// Sends what is due, if an SMTP server is configured (the minute loop).
pub async fn deliver_configured(state: &AppState) -> Result<Option<Delivery>, AppError> {
    match &state.config.notifications.mail {
        Some(settings) => Ok(Some(deliver(state, settings).await?)),
        None => Ok(None),
    }
}
