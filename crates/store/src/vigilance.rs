//! Arson vigilance checks (migration 0031) and the deliberate fires they
//! are set against: checks are places and risks, read by every agency and
//! recorded by the fire service; the deliberate fires are incidents, each
//! shown only to an agency that may see it (`records::incident_visible`).

use crate::audit::append;
use crate::partnership::agency_sector;
use crate::records::incident_visible;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::measures::Counts;
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
use safetynet_domain::uk_time::london_midnight;
use safetynet_domain::vigilance::{CheckedBy, FireRisk, NewVigilanceCheck};
use serde::Serialize;

/// The deliberate fire category's code (`categories/default.toml`).
const DELIBERATE_FIRE: &str = "deliberate-fire";

/// A vigilance check as recorded.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct VigilanceCheck {
    /// Id.
    pub id: String,
    /// The recording agency.
    pub agency: String,
    /// The area walked.
    pub area: String,
    /// WGS84 latitude.
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    pub longitude: Option<f64>,
    /// The day.
    pub checked_on: NaiveDate,
    /// Who carried it out.
    pub checked_by: CheckedBy,
    /// The risks found.
    pub risks: Vec<FireRisk>,
    /// What was done.
    pub action_taken: String,
}

/// A deliberate fire on the map.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DeliberateFire {
    /// The incident's id.
    pub incident_id: String,
    /// Its reference.
    pub reference: String,
    /// Reported (Unix ms).
    pub reported_at: i64,
    /// WGS84 latitude.
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    pub longitude: Option<f64>,
}

fn check_row(r: &Row) -> Result<VigilanceCheck> {
    let risks = r.text("risks")?;
    Ok(VigilanceCheck {
        id: r.text("id")?,
        agency: r.text("agency")?,
        area: r.text("area")?,
        latitude: r.opt_real("latitude")?,
        longitude: r.opt_real("longitude")?,
        checked_on: r.date("checked_on")?,
        checked_by: r.stored("checked_by")?,
        risks: risks.split(',').filter_map(FireRisk::parse).collect(),
        action_taken: r.text("action_taken")?,
    })
}

const SELECT: &str =
    "SELECT id, agency, area, latitude, longitude, checked_on, checked_by, risks, action_taken FROM vigilance_checks";

/// The most records one list returns.
pub const LIST_LIMIT: i64 = 2_000;

impl Store {
    /// Records a vigilance check by the caller's agency (a fire and rescue
    /// service); audited.
    pub async fn add_vigilance_check(
        &self,
        permit: &Permit<EditRecords>,
        new: &NewVigilanceCheck,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<VigilanceCheck> {
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        new.check(agency_sector(&mut tx, &agency).await?, today)?;
        let id = new_id_at_ms(actor.at_ms);
        let risks: Vec<&str> = new.risks.iter().map(|r| r.as_str()).collect();
        tx.execute(
            &Q::new(
                "INSERT INTO vigilance_checks (id, agency, area, latitude, longitude, checked_on, checked_by, risks, risk_count,
                   action_taken, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&id)
            .bind(&agency)
            .bind(new.area.trim())
            .bind(new.latitude)
            .bind(new.longitude)
            .bind(new.checked_on.to_string())
            .bind(new.checked_by.as_str())
            .bind(risks.join(","))
            .bind(risks.len() as i64)
            .bind(new.action_taken.trim())
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        let detail = serde_json::json!({ "area": new.area.trim(), "checked_on": new.checked_on, "risks": risks.len() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "vigilance_check", Some(&id), detail)).await?;
        let check = check_row(&tx.one(&Q::new(format!("{SELECT} WHERE id = $1")).bind(&id)).await?)?;
        tx.commit().await?;
        Ok(check)
    }

    /// Vigilance checks made in `period` (inclusive), newest first.
    pub async fn vigilance_checks(
        &self,
        _permit: &Permit<ViewRecords>,
        period: (NaiveDate, NaiveDate),
    ) -> Result<Vec<VigilanceCheck>> {
        let q = Q::new(format!(
            "{SELECT} WHERE checked_on >= $1 AND checked_on <= $2 ORDER BY checked_on DESC, id DESC LIMIT $3"
        ))
        .bind(period.0.to_string())
        .bind(period.1.to_string())
        .bind(LIST_LIMIT);
        self.conn().await?.all(&q).await?.iter().map(check_row).collect()
    }

    /// Deliberate fires reported in `period` that the caller's agency may
    /// see, newest first.
    pub async fn deliberate_fires(
        &self,
        permit: &Permit<ViewRecords>,
        period: (NaiveDate, NaiveDate),
    ) -> Result<Vec<DeliberateFire>> {
        let until = period.1.succ_opt().unwrap_or(period.1);
        let mut q = Q::new(
            "SELECT i.id, i.reference, i.reported_at, i.latitude, i.longitude FROM incidents i WHERE i.category = ",
        );
        q.arg(DELIBERATE_FIRE)
            .push(" AND i.reported_at >= ")
            .arg(london_midnight(period.0).timestamp_millis())
            .push(" AND i.reported_at < ")
            .arg(london_midnight(until).timestamp_millis())
            .push(" AND");
        incident_visible(&mut q, "i", &permit.principal().agency);
        q.push(" ORDER BY i.reported_at DESC, i.id DESC LIMIT ").arg(LIST_LIMIT);
        let rows = self.conn().await?.all(&q).await?;
        rows.iter()
            .map(|r| {
                Ok(DeliberateFire {
                    incident_id: r.text("id")?,
                    reference: r.text("reference")?,
                    reported_at: r.int("reported_at")?,
                    latitude: r.opt_real("latitude")?,
                    longitude: r.opt_real("longitude")?,
                })
            })
            .collect()
    }
}

/// Vigilance checks made in `period`, and the fire risks they found.
pub(crate) async fn vigilance_counts(conn: &mut impl Exec, period: (NaiveDate, NaiveDate)) -> Result<Counts> {
    let q = Q::new(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(risk_count), 0) AS BIGINT) AS risks FROM vigilance_checks
         WHERE checked_on >= $1 AND checked_on <= $2",
    )
    .bind(period.0.to_string())
    .bind(period.1.to_string());
    let r = conn.one(&q).await?;
    Ok(Counts { count: r.int("n")?, of: None, also: Some(r.int("risks")?) })
}
