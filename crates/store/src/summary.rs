//! The partnership's depersonalised data summary (in the spirit of the
//! Crime and Disorder Act 1998 s17A duty to share depersonalised
//! information): counts only, never a person, address or reference.

use crate::sql::Q;
use crate::{Exec, Result, Store};
use chrono::NaiveDate;
use safetynet_domain::policy::{Permit, ViewCrimeData};
use serde::Serialize;

/// Counts for a period.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct DataSummary {
    /// Incidents recorded, by category code.
    pub incidents_by_category: Vec<(String, i64)>,
    /// Incidents recorded, by recording agency.
    pub incidents_by_agency: Vec<(String, i64)>,
    /// Cases opened in the period.
    pub cases_opened: i64,
    /// Live cases now, by latest risk level ("not assessed" when none).
    pub live_cases_by_risk: Vec<(String, i64)>,
    /// Interventions issued in the period, by kind.
    pub interventions_by_kind: Vec<(String, i64)>,
    /// ASB Case Review applications received in the period.
    pub case_review_applications: i64,
    /// Of which met the threshold.
    pub case_reviews_threshold_met: i64,
}

impl Store {
    /// Counts for `from` (inclusive) to `to` (exclusive), UK dates given as
    /// Unix-ms bounds for times and as dates for dated records.
    pub async fn data_summary(
        &self,
        _permit: &Permit<ViewCrimeData>,
        from_ms: i64,
        to_ms: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<DataSummary> {
        let mut c = self.conn().await?;
        let pairs = |rows: Vec<crate::sql::Row>| -> Result<Vec<(String, i64)>> {
            rows.iter().map(|r| Ok((r.text("k")?, r.int("n")?))).collect()
        };
        let by_category = c
            .all(&Q::new("SELECT category AS k, COUNT(*) AS n FROM incidents WHERE reported_at >= $1 AND reported_at < $2 GROUP BY category ORDER BY n DESC, category").bind(from_ms).bind(to_ms))
            .await?;
        let by_agency = c
            .all(&Q::new("SELECT owner_agency AS k, COUNT(*) AS n FROM incidents WHERE reported_at >= $1 AND reported_at < $2 GROUP BY owner_agency ORDER BY n DESC, owner_agency").bind(from_ms).bind(to_ms))
            .await?;
        let opened = c
            .one(
                &Q::new("SELECT COUNT(*) AS n FROM cases WHERE created_at >= $1 AND created_at < $2")
                    .bind(from_ms)
                    .bind(to_ms),
            )
            .await?
            .int("n")?;
        let by_risk = c
            .all(&Q::new("SELECT COALESCE(risk_level, 'not assessed') AS k, COUNT(*) AS n FROM cases WHERE status <> 'closed' GROUP BY COALESCE(risk_level, 'not assessed') ORDER BY k"))
            .await?;
        let by_kind = c
            .all(&Q::new("SELECT kind AS k, COUNT(*) AS n FROM interventions WHERE issued_on >= $1 AND issued_on < $2 GROUP BY kind ORDER BY n DESC, kind").bind(from.to_string()).bind(to.to_string()))
            .await?;
        let reviews = c
            .one(&Q::new("SELECT COUNT(*) AS n, SUM(CASE WHEN threshold_met THEN 1 ELSE 0 END) AS met FROM case_review_applications WHERE received_on >= $1 AND received_on < $2").bind(from.to_string()).bind(to.to_string()))
            .await?;
        Ok(DataSummary {
            incidents_by_category: pairs(by_category)?,
            incidents_by_agency: pairs(by_agency)?,
            cases_opened: opened,
            live_cases_by_risk: pairs(by_risk)?,
            interventions_by_kind: pairs(by_kind)?,
            case_review_applications: reviews.int("n")?,
            case_reviews_threshold_met: reviews.opt_int("met")?.unwrap_or(0),
        })
    }
}
