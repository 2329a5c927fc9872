//! Scheduled work as use cases (the server's scheduler and `safetynet jobs`
//! call these). The weekly trends job runs on its day (UK time), once per
//! ISO week however often it is asked (the store claims the week), and
//! keeps the latest month's emerging issues for the dashboard. The
//! retention schedule, when turned on, runs once per UK day the same way.

use crate::analyses::crime::TrendsRequest;
use crate::analyses::Analyst;
use crate::Error;
use chrono::{Datelike, NaiveDate, Weekday};
use safetynet_domain::policy::{Principal, ViewCrimeData};
use safetynet_domain::retention::Schedule;
use safetynet_store::jobs::StoredAlert;
use safetynet_store::users::Actor;
use safetynet_store::Store;

/// The weekly job's name in the job table.
pub const WEEKLY_TRENDS: &str = "weekly_trends";

/// The ISO week of a date, e.g. `2026-W04`.
pub fn iso_week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// Runs the weekly trends job if `today` is `day` (or `force`) and it has
/// not run this ISO week; returns the alerts kept, or `None` when it did not
/// run. `actor` is the scheduler or the operator at the command line.
pub async fn weekly_trends(
    analyst: &Analyst,
    today: NaiveDate,
    day: Weekday,
    force: bool,
    actor: &Actor<'_>,
) -> Result<Option<usize>, Error> {
    if !force && today.weekday() != day {
        return Ok(None);
    }
    let store = analyst.store();
    let period = iso_week(today);
    if store.job_ran(WEEKLY_TRENDS, &period).await? {
        return Ok(None);
    }
    let operator = Principal::operator();
    let permit = operator.permit::<ViewCrimeData>().map_err(|e| Error::Internal(e.to_string()))?;
    let alerts = match analyst.trends(&permit, &TrendsRequest::default()).await {
        Ok(trends) => trends.alerts,
        // No recorded crime yet: nothing to alert on.
        Err(Error::Refused { .. }) => Vec::new(),
        Err(e) => return Err(e),
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
    Ok(store.complete_job(WEEKLY_TRENDS, &period, &stored, actor).await?.then_some(stored.len()))
}

/// Runs the retention schedule once per UK day (`today`) if it is turned on;
/// returns how many records were anonymised, or `None` when it did not run
/// (off, or already run today).
pub async fn scheduled_retention(
    store: &Store,
    schedule: &Schedule,
    today: NaiveDate,
    actor: &Actor<'_>,
) -> Result<Option<usize>, Error> {
    if !schedule.scheduled {
        return Ok(None);
    }
    let day = today.to_string();
    Ok(store.retention_run(schedule, Some(&day), actor).await?.map(|r| r.count()))
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
