//! Scheduled work. The weekly trends job runs on the configured day (UK
//! time), once per ISO week however often it is asked (the store claims the
//! week), computes the latest month's emerging issues and keeps them for the
//! dashboard. `serve` asks every 15 minutes; `safetynet jobs weekly` asks once.
//! The retention schedule, when turned on, runs once per UK day the same way.

use crate::error::AppError;
use crate::AppState;
use chrono::Datelike;
use safetynet_domain::policy::Principal;
use safetynet_domain::uk_time::london_date;
use safetynet_store::jobs::StoredAlert;
use safetynet_store::users::Actor;

/// The job's name in the job table.
pub const WEEKLY_TRENDS: &str = "weekly_trends";

/// The ISO week of a date, e.g. `2026-W04`.
pub fn iso_week(d: chrono::NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// Runs the weekly trends job if today is its day and it has not run this
/// week; returns the number of alerts kept, or `None` when it did not run.
pub async fn run_weekly_trends(state: &AppState, force: bool) -> Result<Option<usize>, AppError> {
    let now = state.clock.now();
    let today = london_date(now);
    let day = state.config.weekly_trends_day.unwrap_or(chrono::Weekday::Mon);
    if !force && today.weekday() != day {
        return Ok(None);
    }
    let period = iso_week(today);
    if state.store.job_ran(WEEKLY_TRENDS, &period).await? {
        return Ok(None);
    }
    let operator = Principal::operator();
    let permit = operator.permit::<safetynet_domain::policy::ViewCrimeData>()?;
    let request = safetynet_app::analyses::crime::TrendsRequest::default();
    let alerts = match state.analyst.trends(&permit, &request).await {
        Ok(trends) => trends.alerts,
        // No recorded crime yet: nothing to alert on.
        Err(safetynet_app::Error::Refused { .. }) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let stored: Vec<StoredAlert> = alerts
        .iter()
        .map(|a| StoredAlert {
            period: period.clone(),
            crime_type: a.crime_type.clone(),
            area: a.area.clone(),
            month: a.month.clone(),
            rule: serde_json::to_value(a.alert.rule)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            observed: a.alert.observed,
            expected: a.alert.expected,
            reason: a.alert.reason.clone(),
        })
        .collect();
    let actor = Actor { principal: &operator, at_ms: now.timestamp_millis(), source: "scheduler" };
    Ok(state.store.complete_job(WEEKLY_TRENDS, &period, &stored, &actor).await?.then_some(stored.len()))
}

/// Runs the retention schedule once per UK day if the configuration turns
/// scheduling on; returns how many records were anonymised, or `None` when
/// it did not run (off, or already run today).
pub async fn run_retention(state: &AppState) -> Result<Option<usize>, AppError> {
    let schedule = state.config.retention;
    if !schedule.scheduled {
        return Ok(None);
    }
    let now = state.clock.now();
    let day = london_date(now).to_string();
    let operator = Principal::operator();
    let actor = Actor { principal: &operator, at_ms: now.timestamp_millis(), source: "scheduler" };
    Ok(state
        .store
        .retention_run(&schedule, Some(&day), &actor)
        .await?
        .map(|r| r.cases.len() + r.incidents.len() + r.people.len()))
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
            let delivered = crate::notify::deliver_configured(&mail_state).await;
            mail_state.metrics.job_ran("outbox", delivered.is_ok());
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
            let queued = crate::notify::queue_due(&state).await;
            ran("reminders", queued.is_ok());
            match queued {
                Ok(q) if q.total() > 0 => tracing::info!(
                    reviews = q.reviews,
                    case_reviews = q.case_reviews,
                    digests = q.digests,
                    "reminders queued"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "queueing reminders failed"),
            }
            let evaluated = crate::evaluation::evaluate_ended(&state).await;
            ran("evaluation", evaluated.is_ok());
            match evaluated {
                Ok(0) => {}
                Ok(n) => tracing::info!(operations = n, "ended operations evaluated"),
                Err(e) => tracing::error!(error = %e, "operation evaluation failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_weeks() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        assert_eq!(super::iso_week(d("2026-01-19")), "2026-W04");
        assert_eq!(super::iso_week(d("2027-01-01")), "2026-W53", "1 January 2027 is in the last ISO week of 2026");
    }
}
