//! The premises register and the partners' visits: business premises on
//! the fire service's Risk Based Inspection Programme with the next
//! inspection due, licensed premises with safeguarding training, drink
//! spiking advice, Operation Vigilant deployments and licensing checks.
//! Premises are businesses, not people: every agency reads the register,
//! and a visit is recorded by an agency of the kind that makes it.

use crate::audit::append;
use crate::partnership::agency_sector;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
use safetynet_domain::premises::{next_inspection, NewPremises, NewVisit, PremisesKind, RiskBand, VisitKind};
use serde::Serialize;

/// Premises as they stand.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Premises {
    /// Id.
    pub id: String,
    /// Business or licensed.
    pub kind: PremisesKind,
    /// Trading name.
    pub name: String,
    /// Address.
    pub address: String,
    /// WGS84 latitude.
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    pub longitude: Option<f64>,
    /// Risk band (business premises).
    pub risk_band: Option<RiskBand>,
    /// Premises licence number.
    pub licence_number: String,
    /// The agency that put them on the register.
    pub added_by_agency: String,
    /// The last visit of any kind.
    pub last_visited_on: Option<NaiveDate>,
    /// The next fire inspection due (business premises).
    pub next_inspection_due: Option<NaiveDate>,
}

/// One visit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Visit {
    /// What it was for.
    pub kind: VisitKind,
    /// The day.
    pub visited_on: NaiveDate,
    /// The visiting agency.
    pub agency: String,
    /// What was found or done.
    pub outcome: String,
    /// Staff trained.
    pub staff_trained: Option<i64>,
}

/// Premises with every visit, newest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PremisesRecord {
    /// The premises.
    #[serde(flatten)]
    pub premises: Premises,
    /// Their visits.
    pub visits: Vec<Visit>,
}

const SELECT: &str = "SELECT id, kind, name, address, latitude, longitude, risk_band, licence_number, added_by_agency,
    last_visited_on, next_inspection_due FROM premises";

fn premises_row(r: &Row) -> Result<Premises> {
    Ok(Premises {
        id: r.text("id")?,
        kind: r.stored("kind")?,
        name: r.text("name")?,
        address: r.text("address")?,
        latitude: r.opt_real("latitude")?,
        longitude: r.opt_real("longitude")?,
        risk_band: r.opt_stored("risk_band")?,
        licence_number: r.text("licence_number")?,
        added_by_agency: r.text("added_by_agency")?,
        last_visited_on: r.opt_date("last_visited_on")?,
        next_inspection_due: r.opt_date("next_inspection_due")?,
    })
}

impl Store {
    /// Puts premises on the register; audited.
    pub async fn add_premises(
        &self,
        permit: &Permit<EditRecords>,
        new: &NewPremises,
        actor: &Actor<'_>,
    ) -> Result<Premises> {
        new.check()?;
        let id = new_id_at_ms(actor.at_ms);
        let mut tx = self.write().await?;
        tx.execute(
            &Q::new(
                "INSERT INTO premises (id, kind, name, address, latitude, longitude, risk_band, licence_number, added_by_agency,
                   last_visited_on, next_inspection_due, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, $10, $11)",
            )
            .bind(&id)
            .bind(new.kind.as_str())
            .bind(new.name.trim())
            .bind(new.address.trim())
            .bind(new.latitude)
            .bind(new.longitude)
            .bind(new.risk_band.map(RiskBand::as_str))
            .bind(new.licence_number.trim())
            .bind(permit.principal().agency.clone())
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        let detail = serde_json::json!({ "kind": new.kind, "name": new.name.trim() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "premises", Some(&id), detail)).await?;
        tx.commit().await?;
        Ok(self.premises_in(&id).await?.premises)
    }

    /// Records a visit on `today` by the caller's agency (the domain's
    /// checks against the premises and the agency's sector); a fire
    /// inspection sets the next one due (given, else from the risk band);
    /// audited.
    pub async fn add_visit(
        &self,
        permit: &Permit<EditRecords>,
        premises_id: &str,
        visit: &NewVisit,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<PremisesRecord> {
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        let row = tx
            .optional(&Q::new("SELECT kind, risk_band FROM premises WHERE id = $1").bind(premises_id))
            .await?
            .ok_or(StoreError::NotFound("premises"))?;
        let kind: PremisesKind = row.stored("kind")?;
        let band: Option<RiskBand> = row.opt_stored("risk_band")?;
        visit.check(kind, agency_sector(&mut tx, &agency).await?, today)?;
        // An earlier inspection entered late does not move the next one back.
        let latest = tx
            .one(
                &Q::new("SELECT MAX(visited_on) AS latest FROM premises_visits WHERE premises_id = $1 AND kind = $2")
                    .bind(premises_id)
                    .bind(VisitKind::FireInspection.as_str()),
            )
            .await?
            .opt_date("latest")?;
        let newest = latest.is_none_or(|l| visit.visited_on >= l);
        tx.execute(
            &Q::new(
                "INSERT INTO premises_visits (id, premises_id, agency, kind, visited_on, outcome, staff_trained, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(new_id_at_ms(actor.at_ms))
            .bind(premises_id)
            .bind(&agency)
            .bind(visit.kind.as_str())
            .bind(visit.visited_on.to_string())
            .bind(visit.outcome.trim())
            .bind(visit.staff_trained.map(i64::from))
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        let next = match (visit.kind, visit.next_inspection_due, band) {
            (VisitKind::FireInspection, Some(d), _) if newest => Some(d),
            (VisitKind::FireInspection, None, Some(b)) if newest => Some(next_inspection(visit.visited_on, b)),
            _ => None,
        };
        tx.execute(
            &Q::new(
                "UPDATE premises SET last_visited_on = (SELECT MAX(visited_on) FROM premises_visits WHERE premises_id = $1),
                   next_inspection_due = COALESCE($2, next_inspection_due) WHERE id = $1",
            )
            .bind(premises_id)
            .bind(next.map(|d| d.to_string())),
        )
        .await?;
        let detail = serde_json::json!({ "kind": visit.kind, "visited_on": visit.visited_on });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "premises", Some(premises_id), detail)).await?;
        tx.commit().await?;
        self.premises_in(premises_id).await
    }

    /// The register, optionally of one kind; business premises whose
    /// inspection is due soonest first, then by name.
    pub async fn premises_list(
        &self,
        _permit: &Permit<ViewRecords>,
        kind: Option<PremisesKind>,
    ) -> Result<Vec<Premises>> {
        let mut q = Q::new(format!("{SELECT} WHERE 1 = 1"));
        if let Some(k) = kind {
            q.push(" AND kind = ").arg(k.as_str());
        }
        q.push(" ORDER BY CASE WHEN next_inspection_due IS NULL THEN 1 ELSE 0 END, next_inspection_due, name, id");
        self.conn().await?.all(&q).await?.iter().map(premises_row).collect()
    }

    /// Premises with their visits.
    pub async fn premises(&self, _permit: &Permit<ViewRecords>, id: &str) -> Result<PremisesRecord> {
        self.premises_in(id).await
    }

    async fn premises_in(&self, id: &str) -> Result<PremisesRecord> {
        let mut conn = self.conn().await?;
        let row = conn
            .optional(&Q::new(format!("{SELECT} WHERE id = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("premises"))?;
        let visits = conn
            .all(
                &Q::new(
                    "SELECT kind, visited_on, agency, outcome, staff_trained FROM premises_visits WHERE premises_id = $1
                     ORDER BY visited_on DESC, id DESC",
                )
                .bind(id),
            )
            .await?
            .iter()
            .map(|r| {
                Ok(Visit {
                    kind: r.stored("kind")?,
                    visited_on: r.date("visited_on")?,
                    agency: r.text("agency")?,
                    outcome: r.text("outcome")?,
                    staff_trained: r.opt_int("staff_trained")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(PremisesRecord { premises: premises_row(&row)?, visits })
    }
}

/// Distinct premises with a visit of `kind` in `period`, and the distinct
/// days of those visits (an Operation Vigilant deployment is a night).
pub(crate) async fn visited(
    conn: &mut impl Exec,
    kind: VisitKind,
    period: (NaiveDate, NaiveDate),
) -> Result<(i64, i64)> {
    let q = Q::new(
        "SELECT COUNT(DISTINCT premises_id) AS n, COUNT(DISTINCT visited_on) AS days FROM premises_visits
         WHERE kind = $1 AND visited_on >= $2 AND visited_on <= $3",
    )
    .bind(kind.as_str())
    .bind(period.0.to_string())
    .bind(period.1.to_string());
    let r = conn.one(&q).await?;
    Ok((r.int("n")?, r.int("days")?))
}

/// Business premises never inspected, or whose inspection was due before `on`.
pub(crate) async fn inspections_overdue(conn: &mut impl Exec, on: NaiveDate) -> Result<i64> {
    let q = Q::new(
        "SELECT COUNT(*) AS n FROM premises WHERE kind = $1 AND (next_inspection_due IS NULL OR next_inspection_due < $2)",
    )
    .bind(PremisesKind::Business.as_str())
    .bind(on.to_string());
    Ok(conn.one(&q).await?.int("n")?)
}
