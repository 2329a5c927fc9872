//! Scheduled jobs: claim a period once (so a job runs once per week however
//! many servers or restarts), and keep what the weekly trends job found.

use crate::audit::append;
use crate::sql::Q;
use crate::users::Actor;
use crate::{Exec, Result, Store};
use safetynet_domain::audit::AuditAction;
use serde::Serialize;

/// An alert kept by the weekly job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredAlert {
    /// The job period (ISO week, e.g. 2026-W04).
    pub period: String,
    /// Crime type.
    pub crime_type: String,
    /// Area ("" for the whole partnership).
    pub area: String,
    /// Month the alert is about.
    pub month: String,
    /// Rule code.
    pub rule: String,
    /// Observed count.
    pub observed: f64,
    /// Expected count.
    pub expected: f64,
    /// Plain words.
    pub reason: String,
}

impl Store {
    /// Records `alerts` as the `name` job's result for `period`, unless that
    /// period has already run (then returns false and writes nothing). The
    /// claim, the alerts and the audit row commit together.
    pub async fn complete_job(
        &self,
        name: &str,
        period: &str,
        alerts: &[StoredAlert],
        actor: &Actor<'_>,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let claimed = tx
            .execute(
                &Q::new("INSERT INTO job_runs (name, period, ran_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(name)
                    .bind(period)
                    .bind(actor.at_ms),
            )
            .await?;
        if claimed == 0 {
            return Ok(false);
        }
        for a in alerts {
            tx.execute(
                &Q::new(
                    "INSERT INTO trend_alerts (period, crime_type, area, month, rule, observed, expected, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT DO NOTHING",
                )
                .bind(&a.period)
                .bind(&a.crime_type)
                .bind(&a.area)
                .bind(&a.month)
                .bind(&a.rule)
                .bind(a.observed)
                .bind(a.expected)
                .bind(&a.reason),
            )
            .await?;
        }
        let detail = serde_json::json!({ "job": name, "period": period, "alerts": alerts.len() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "job_run", None, detail)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The alerts of the most recent weekly run, if any.
    pub async fn latest_alerts(&self) -> Result<Vec<StoredAlert>> {
        let rows = self
            .conn()
            .await?
            .all(&Q::new(
                "SELECT period, crime_type, area, month, rule, observed, expected, reason FROM trend_alerts
                 WHERE period = (SELECT MAX(period) FROM trend_alerts) ORDER BY crime_type, rule",
            ))
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredAlert {
                    period: r.text("period")?,
                    crime_type: r.text("crime_type")?,
                    area: r.text("area")?,
                    month: r.text("month")?,
                    rule: r.text("rule")?,
                    observed: r.opt_real("observed")?.unwrap_or(0.0),
                    expected: r.opt_real("expected")?.unwrap_or(0.0),
                    reason: r.text("reason")?,
                })
            })
            .collect()
    }

    /// Whether `name` has run for `period`.
    pub async fn job_ran(&self, name: &str, period: &str) -> Result<bool> {
        Ok(self
            .conn()
            .await?
            .optional(&Q::new("SELECT ran_at FROM job_runs WHERE name = $1 AND period = $2").bind(name).bind(period))
            .await?
            .is_some())
    }
}
