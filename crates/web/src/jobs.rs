//! The scheduler `serve` starts: the use cases of [`safetynet_app::jobs`]
//! (weekly trends, retention), the public pages' read counts, reminders,
//! ended operations' evaluation every 15 minutes, and the e-mail outbox and
//! the police daily crime drop folder every minute, each pass counted in
//! the metrics.

use crate::error::AppError;
use crate::AppState;
use safetynet_app::notify;
use safetynet_domain::policy::Principal;
use safetynet_domain::uk_time::london_date;
use safetynet_store::users::Actor;

/// The weekly trends job through [`safetynet_app::jobs::weekly_trends`], as
/// the scheduler.
pub async fn run_weekly_trends(state: &AppState, force: bool) -> Result<Option<usize>, AppError> {
    let now = state.clock.now();
    let day = state.config.weekly_trends_day.unwrap_or(chrono::Weekday::Mon);
    let operator = Principal::operator();
    let actor = Actor { principal: &operator, at_ms: now.timestamp_millis(), source: "scheduler" };
    Ok(safetynet_app::jobs::weekly_trends(&state.analyst, london_date(now), day, force, &actor).await?)
}

/// The retention schedule through [`safetynet_app::jobs::scheduled_retention`],
/// as the scheduler.
pub async fn run_retention(state: &AppState) -> Result<Option<usize>, AppError> {
    let now = state.clock.now();
    let operator = Principal::operator();
    let actor = Actor { principal: &operator, at_ms: now.timestamp_millis(), source: "scheduler" };
    let schedule = &state.config.retention;
    Ok(safetynet_app::jobs::scheduled_retention(&state.store, schedule, london_date(now), &actor).await?)
}

/// One pass over the police daily crime drop folder (if configured), as
/// the scheduler: each file imported and moved to `done/` or `rejected/`.
pub async fn run_police_daily_drop(state: &AppState) -> Result<Vec<safetynet_app::police_daily::Dropped>, AppError> {
    let settings = &state.config.police_daily;
    let Some(agency) = &settings.drop_agency else { return Ok(Vec::new()) };
    let operator = Principal::operator_for_agency(agency);
    let actor = Actor { principal: &operator, at_ms: state.now_ms(), source: "scheduler" };
    Ok(safetynet_app::police_daily::drop_folder(&state.store, settings, &actor).await?.unwrap_or_default())
}

/// Asks the weekly job to run every 15 minutes for as long as the server
/// runs, writes the public pages' read counts to the audit trail, queues
/// the reminders that have fallen due, and (every minute) sends what is due
/// in the e-mail outbox.
pub fn spawn_scheduler(state: AppState) {
    let mail_state = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            let delivered = notify::deliver_configured(
                &mail_state.store,
                &mail_state.config.notifications,
                mail_state.clock.as_ref(),
            )
            .await;
            mail_state.metrics.job_ran("outbox", delivered.is_ok());
            let dropped = run_police_daily_drop(&mail_state).await;
            mail_state.metrics.job_ran("police_daily", dropped.is_ok());
            match dropped {
                Ok(files) => {
                    for d in files {
                        tracing::info!(file = %d.moved_to.display(), imported = d.imported, report = %d.report.trim_end(), "police daily extract");
                    }
                }
                Err(e) => tracing::error!(error = %e, "police daily drop folder pass failed"),
            }
            match delivered {
                Ok(Some(d)) if d.sent + d.retrying + d.gave_up > 0 => {
                    tracing::info!(sent = d.sent, retrying = d.retrying, gave_up = d.gave_up, error = ?d.error, "e-mail outbox")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "e-mail outbox pass failed"),
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(15 * 60));
        loop {
            tick.tick().await;
            let ran = |job: &str, ok: bool| state.metrics.job_ran(job, ok);
            let weekly = run_weekly_trends(&state, false).await;
            ran("weekly_trends", weekly.is_ok());
            match weekly {
                Ok(Some(n)) => tracing::info!(alerts = n, "weekly trends job ran"),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "weekly trends job failed"),
            }
            let retention = run_retention(&state).await;
            ran("retention", retention.is_ok());
            match retention {
                Ok(Some(n)) => tracing::info!(records = n, "retention schedule ran"),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "retention schedule failed"),
            }
            let flushed = crate::public_views::flush(&state).await;
            ran("public_views", flushed.is_ok());
            if let Err(e) = flushed {
                tracing::error!(error = %e, "public page reads could not be audited");
            }
            let queued = notify::queue_due(&state.store, state.config.notifications.schedule, state.clock.now()).await;
            ran("reminders", queued.is_ok());
            match queued {
                Ok(q) if q.total() > 0 => tracing::info!(
                    reviews = q.reviews,
                    case_reviews = q.case_reviews,
                    digests = q.digests,
                    pspos = q.pspos,
                    equipment = q.equipment,
                    "reminders queued"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "queueing reminders failed"),
            }
            let operator = Principal::operator();
            let actor = Actor { principal: &operator, at_ms: state.now_ms(), source: "scheduler" };
            let evaluated = safetynet_app::evaluation::evaluate_ended(&state.store, state.today(), &actor).await;
            ran("evaluation", evaluated.is_ok());
            match evaluated {
                Ok(0) => {}
                Ok(n) => tracing::info!(operations = n, "ended operations evaluated"),
                Err(e) => tracing::error!(error = %e, "operation evaluation failed"),
            }
        }
    });
}
