//! Fly-tipping and environmental crime (migration 0030): the Defra
//! categories of fly-tipping incidents, the enforcement actions taken on
//! them with their outcomes, the council's camera deployments, and the
//! quarterly WasteDataFlow return counted from them. Details and actions
//! follow the incident (`records::incident_seen_by`); a camera is read only
//! by its agency; the return is counts only.

use crate::audit::append;
use crate::partnership::agency_sector;
use crate::records::{incident_seen_by, incident_visible};
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::fixed_penalty::{FpnBasis, FpnLimits};
use safetynet_domain::fly_tipping::{
    ActionOutcome, CameraRemoval, CourtResult, EnforcementAction, LandType, NewAction, NewCamera, NewFlyTip,
    ReturnQuarter, TipSize, WasteType,
};
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::measures::Counts;
use safetynet_domain::policy::{EditRecords, Permit, ViewCrimeData, ViewRecords};
use safetynet_domain::uk_time::london_midnight;
use serde::Serialize;

pub(crate) use safetynet_domain::fly_tipping::CATEGORY as FLY_TIPPING;

/// A fly-tipping incident's Defra categories.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FlyTip {
    /// Where it was dumped.
    pub land_type: LandType,
    /// What was dumped.
    pub waste_type: WasteType,
    /// How much.
    pub size: TipSize,
    /// The day it was cleared.
    pub cleared_on: Option<NaiveDate>,
    /// The agency that recorded the categories.
    pub recorded_by_agency: String,
}

/// An enforcement action with its outcome.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Action {
    /// Id.
    pub id: String,
    /// The action.
    pub action: EnforcementAction,
    /// The day it was taken.
    pub taken_on: NaiveDate,
    /// The agency that took it.
    pub agency: String,
    /// A fixed penalty's legal basis.
    pub legal_basis: Option<FpnBasis>,
    /// A fixed penalty's amount, in pence.
    pub amount_pence: Option<i64>,
    /// What was done.
    pub notes: String,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: ActionOutcome,
}

/// A fly-tipping incident with its categories and actions.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FlyTipRecord {
    /// The incident's id.
    pub incident_id: String,
    /// The incident's reference.
    pub reference: String,
    /// Its Defra categories, once recorded.
    pub details: Option<FlyTip>,
    /// Enforcement actions, oldest first.
    pub actions: Vec<Action>,
}

/// A fly-tipping incident on the map and in the list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FlyTipListed {
    /// The incident's id.
    pub incident_id: String,
    /// The incident's reference.
    pub reference: String,
    /// When it was reported (Unix ms).
    pub reported_at: i64,
    /// Where, in words.
    pub address: String,
    /// WGS84 latitude.
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    pub longitude: Option<f64>,
    /// Land type, once categorised.
    pub land_type: Option<LandType>,
    /// Waste type, once categorised.
    pub waste_type: Option<WasteType>,
    /// Size, once categorised.
    pub size: Option<TipSize>,
    /// Enforcement actions taken.
    pub actions: i64,
}

/// Which fly-tipping incidents to list: reported in `[from, to]` (UK days),
/// of one land type.
#[derive(Debug, Clone, Copy)]
pub struct FlyTipFilter {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Only this land type.
    pub land_type: Option<LandType>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// A camera deployment.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Camera {
    /// Id.
    pub id: String,
    /// The site.
    pub site: String,
    /// The camera's reference.
    pub camera: String,
    /// WGS84 latitude.
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    pub longitude: Option<f64>,
    /// Up on.
    pub deployed_on: NaiveDate,
    /// Down on.
    pub removed_on: Option<NaiveDate>,
    /// Fly-tips captured.
    pub captures: Option<i64>,
    /// Vehicles identified.
    pub vehicles_identified: Option<i64>,
    /// What it captured.
    pub notes: String,
}

/// One line of the return: incidents of a land type, waste type and size.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ReturnLine {
    /// Land type.
    pub land_type: LandType,
    /// Waste type.
    pub waste_type: WasteType,
    /// Size.
    pub size: TipSize,
    /// Incidents.
    pub incidents: i64,
}

/// The count of one enforcement action.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ActionCount {
    /// The action.
    pub action: EnforcementAction,
    /// Taken in the quarter.
    pub count: i64,
}

/// Prosecutions that ended one way.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ResultCount {
    /// How they ended.
    pub result: CourtResult,
    /// How many, in the quarter.
    pub count: i64,
}

/// The quarterly fly-tipping return to Defra (WasteDataFlow), counted.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FlyTippingReturn {
    /// The quarter.
    pub quarter: ReturnQuarter,
    /// "2025/26 Q4".
    pub label: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Categorised incidents reported in the quarter, by category.
    pub incidents: Vec<ReturnLine>,
    /// Fly-tipping incidents reported in the quarter still without categories.
    pub uncategorised: i64,
    /// Enforcement actions taken in the quarter, by kind (every kind listed).
    pub actions: Vec<ActionCount>,
    /// Fixed penalties paid in the quarter.
    pub fpns_paid: i64,
    /// Prosecutions ending in the quarter, by result.
    pub court_results: Vec<ResultCount>,
    /// Fines on convictions in the quarter, in pence.
    pub fines_pence: i64,
    /// Costs awarded on prosecutions ending in the quarter, in pence.
    pub costs_awarded_pence: i64,
    /// Costs recovered on them so far, in pence.
    pub costs_recovered_pence: i64,
}

/// Where `v` comes in `all` (the vocabulary's display order).
fn position<T: PartialEq>(all: &[T], v: T) -> usize {
    all.iter().position(|x| *x == v).unwrap_or(usize::MAX)
}

fn refused(rule: &'static str, message: String) -> StoreError {
    StoreError::Rule(rule, message)
}

const ACTION_SELECT: &str =
    "SELECT id, incident_id, agency, action, taken_on, legal_basis, amount_pence, notes, paid_on,
    court_result, result_on, fine_pence, costs_awarded_pence, costs_recovered_pence FROM fly_tip_actions";

fn action_row(r: &Row) -> Result<Action> {
    Ok(Action {
        id: r.text("id")?,
        action: r.stored("action")?,
        taken_on: r.date("taken_on")?,
        agency: r.text("agency")?,
        legal_basis: r.opt_stored("legal_basis")?,
        amount_pence: r.opt_int("amount_pence")?,
        notes: r.text("notes")?,
        outcome: ActionOutcome {
            paid_on: r.opt_date("paid_on")?,
            court_result: r.opt_stored("court_result")?,
            result_on: r.opt_date("result_on")?,
            fine_pence: r.opt_int("fine_pence")?,
            costs_awarded_pence: r.opt_int("costs_awarded_pence")?,
            costs_recovered_pence: r.opt_int("costs_recovered_pence")?,
        },
    })
}

const CAMERA_SELECT: &str = "SELECT id, site, camera, latitude, longitude, deployed_on, removed_on, captures,
    vehicles_identified, notes FROM fly_tip_cameras";

fn camera_row(r: &Row) -> Result<Camera> {
    Ok(Camera {
        id: r.text("id")?,
        site: r.text("site")?,
        camera: r.text("camera")?,
        latitude: r.opt_real("latitude")?,
        longitude: r.opt_real("longitude")?,
        deployed_on: r.date("deployed_on")?,
        removed_on: r.opt_date("removed_on")?,
        captures: r.opt_int("captures")?,
        vehicles_identified: r.opt_int("vehicles_identified")?,
        notes: r.text("notes")?,
    })
}

/// The fly-tipping incident `id_or_reference` as `agency` sees it: its id
/// and reference; `fly_tip_category` when it is not a fly-tipping incident.
async fn fly_tip_incident(conn: &mut impl Exec, id_or_reference: &str, agency: &str) -> Result<(String, String)> {
    let (id, reference) = incident_seen_by(conn, id_or_reference, agency).await?;
    let category =
        conn.one(&Q::new("SELECT category FROM incidents WHERE id = $1").bind(&id)).await?.text("category")?;
    if category != FLY_TIPPING {
        return Err(refused("fly_tip_category", format!("{reference} is not a fly-tipping incident")));
    }
    Ok((id, reference))
}

/// Records (or replaces) `incident`'s Defra categories as `agency`'s; the
/// caller has checked the incident is a fly-tip it may see.
pub(crate) async fn upsert_fly_tip(
    conn: &mut impl Exec,
    incident: &str,
    new: &NewFlyTip,
    agency: &str,
    actor: &Actor<'_>,
) -> Result<()> {
    conn.execute(
        &Q::new(
            "INSERT INTO fly_tips (incident_id, land_type, waste_type, size, cleared_on, recorded_by_agency, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (incident_id) DO UPDATE SET land_type = excluded.land_type, waste_type = excluded.waste_type,
               size = excluded.size, cleared_on = excluded.cleared_on, recorded_by_agency = excluded.recorded_by_agency,
               updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(incident)
        .bind(new.land_type.as_str())
        .bind(new.waste_type.as_str())
        .bind(new.size.as_str())
        .bind(new.cleared_on.map(|d| d.to_string()))
        .bind(agency)
        .bind(actor.at_ms)
        .bind(actor.user_id()),
    )
    .await?;
    Ok(())
}

/// Reported in `period` (inclusive UK days) as Unix ms bounds `[from, until)`.
fn reported_bounds(period: (NaiveDate, NaiveDate)) -> (i64, i64) {
    let until = period.1.succ_opt().unwrap_or(period.1);
    (london_midnight(period.0).timestamp_millis(), london_midnight(until).timestamp_millis())
}

impl Store {
    /// Records (or corrects) a fly-tipping incident's Defra categories;
    /// audited.
    pub async fn record_fly_tip(
        &self,
        permit: &Permit<EditRecords>,
        incident: &str,
        new: &NewFlyTip,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<FlyTipRecord> {
        new.check(today)?;
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        let (id, reference) = fly_tip_incident(&mut tx, incident, &agency).await?;
        upsert_fly_tip(&mut tx, &id, new, &agency, actor).await?;
        let detail = serde_json::json!({ "reference": reference, "fly_tip": new });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "incident", Some(&id), detail)).await?;
        tx.commit().await?;
        self.fly_tip_in(&id, &reference).await
    }

    /// Records an enforcement action on a fly-tipping incident the caller's
    /// agency may see (the domain's checks, with the agency's sector and the
    /// penalty maxima); audited.
    pub async fn add_fly_tip_action(
        &self,
        permit: &Permit<EditRecords>,
        incident: &str,
        new: &NewAction,
        limits: &FpnLimits,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<FlyTipRecord> {
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        let (id, reference) = fly_tip_incident(&mut tx, incident, &agency).await?;
        new.check(agency_sector(&mut tx, &agency).await?, limits, today)?;
        let action_id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO fly_tip_actions (id, incident_id, agency, action, taken_on, legal_basis, amount_pence, notes, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&action_id)
            .bind(&id)
            .bind(&agency)
            .bind(new.action.as_str())
            .bind(new.taken_on.to_string())
            .bind(new.legal_basis.map(FpnBasis::as_str))
            .bind(new.amount_pence)
            .bind(new.notes.trim())
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        let detail = serde_json::json!({ "incident": reference, "action": new.action, "taken_on": new.taken_on });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "fly_tip_action", Some(&action_id), detail))
            .await?;
        tx.commit().await?;
        self.fly_tip_in(&id, &reference).await
    }

    /// Records what became of an action (replacing the outcome given
    /// before); only the agency that took it; audited.
    pub async fn record_action_outcome(
        &self,
        permit: &Permit<EditRecords>,
        action_id: &str,
        outcome: &ActionOutcome,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<FlyTipRecord> {
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        let row = tx
            .optional(&Q::new(format!("{ACTION_SELECT} WHERE id = $1")).bind(action_id))
            .await?
            .ok_or(StoreError::NotFound("action"))?;
        let (id, reference) = incident_seen_by(&mut tx, &row.text("incident_id")?, &agency).await?;
        let action = action_row(&row)?;
        if action.agency != agency {
            return Err(StoreError::Forbidden("only the agency that took an action records its outcome"));
        }
        outcome.check(action.action, action.taken_on, today)?;
        tx.execute(
            &Q::new(
                "UPDATE fly_tip_actions SET paid_on = $1, court_result = $2, result_on = $3, fine_pence = $4,
                   costs_awarded_pence = $5, costs_recovered_pence = $6 WHERE id = $7",
            )
            .bind(outcome.paid_on.map(|d| d.to_string()))
            .bind(outcome.court_result.map(CourtResult::as_str))
            .bind(outcome.result_on.map(|d| d.to_string()))
            .bind(outcome.fine_pence)
            .bind(outcome.costs_awarded_pence)
            .bind(outcome.costs_recovered_pence)
            .bind(action_id),
        )
        .await?;
        let detail = serde_json::json!({ "incident": reference, "outcome": outcome });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "fly_tip_action", Some(action_id), detail))
            .await?;
        tx.commit().await?;
        self.fly_tip_in(&id, &reference).await
    }

    /// The id of the incident an action was taken on, where the caller's
    /// agency may see it.
    pub async fn fly_tip_action_incident(&self, permit: &Permit<ViewRecords>, action_id: &str) -> Result<String> {
        let mut conn = self.conn().await?;
        let row = conn
            .optional(&Q::new("SELECT incident_id FROM fly_tip_actions WHERE id = $1").bind(action_id))
            .await?
            .ok_or(StoreError::NotFound("action"))?;
        Ok(incident_seen_by(&mut conn, &row.text("incident_id")?, &permit.principal().agency).await?.0)
    }

    /// A fly-tipping incident the caller's agency may see, with its
    /// categories and actions.
    pub async fn fly_tip(&self, permit: &Permit<ViewRecords>, incident: &str) -> Result<FlyTipRecord> {
        let mut conn = self.conn().await?;
        let (id, reference) = fly_tip_incident(&mut conn, incident, &permit.principal().agency).await?;
        drop(conn);
        self.fly_tip_in(&id, &reference).await
    }

    async fn fly_tip_in(&self, id: &str, reference: &str) -> Result<FlyTipRecord> {
        let mut conn = self.conn().await?;
        let details = conn
            .optional(
                &Q::new("SELECT land_type, waste_type, size, cleared_on, recorded_by_agency FROM fly_tips WHERE incident_id = $1")
                    .bind(id),
            )
            .await?
            .map(|r| {
                Ok::<_, StoreError>(FlyTip {
                    land_type: r.stored("land_type")?,
                    waste_type: r.stored("waste_type")?,
                    size: r.stored("size")?,
                    cleared_on: r.opt_date("cleared_on")?,
                    recorded_by_agency: r.text("recorded_by_agency")?,
                })
            })
            .transpose()?;
        let q = Q::new(format!("{ACTION_SELECT} WHERE incident_id = $1 ORDER BY taken_on, id")).bind(id);
        let actions = conn.all(&q).await?.iter().map(action_row).collect::<Result<Vec<_>>>()?;
        Ok(FlyTipRecord { incident_id: id.to_string(), reference: reference.to_string(), details, actions })
    }

    /// Fly-tipping incidents the caller's agency may see, newest first,
    /// with their categories (where recorded) and how many actions.
    pub async fn fly_tips(&self, permit: &Permit<ViewRecords>, filter: &FlyTipFilter) -> Result<Vec<FlyTipListed>> {
        let (from, until) = reported_bounds((filter.from, filter.to));
        let mut q = Q::new(
            "SELECT i.id, i.reference, i.reported_at, i.address, i.latitude, i.longitude, f.land_type, f.waste_type, f.size,
               (SELECT COUNT(*) FROM fly_tip_actions a WHERE a.incident_id = i.id) AS actions
             FROM incidents i LEFT JOIN fly_tips f ON f.incident_id = i.id WHERE i.category = ",
        );
        q.arg(FLY_TIPPING).push(" AND i.reported_at >= ").arg(from).push(" AND i.reported_at < ").arg(until);
        if let Some(l) = filter.land_type {
            q.push(" AND f.land_type = ").arg(l.as_str());
        }
        q.push(" AND");
        incident_visible(&mut q, "i", &permit.principal().agency);
        q.push(" ORDER BY i.reported_at DESC, i.id DESC LIMIT ").arg(filter.limit);
        let rows = self.conn().await?.all(&q).await?;
        rows.iter()
            .map(|r| {
                Ok(FlyTipListed {
                    incident_id: r.text("id")?,
                    reference: r.text("reference")?,
                    reported_at: r.int("reported_at")?,
                    address: r.text("address")?,
                    latitude: r.opt_real("latitude")?,
                    longitude: r.opt_real("longitude")?,
                    land_type: r.opt_stored("land_type")?,
                    waste_type: r.opt_stored("waste_type")?,
                    size: r.opt_stored("size")?,
                    actions: r.int("actions")?,
                })
            })
            .collect()
    }

    /// Puts up a camera for the caller's agency; audited.
    pub async fn add_camera(
        &self,
        permit: &Permit<EditRecords>,
        new: &NewCamera,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<Camera> {
        new.check(today)?;
        let id = new_id_at_ms(actor.at_ms);
        let mut tx = self.write().await?;
        tx.execute(
            &Q::new(
                "INSERT INTO fly_tip_cameras (id, agency, site, camera, latitude, longitude, deployed_on, notes, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9)",
            )
            .bind(&id)
            .bind(permit.principal().agency.clone())
            .bind(new.site.trim())
            .bind(new.camera.trim())
            .bind(new.latitude)
            .bind(new.longitude)
            .bind(new.deployed_on.to_string())
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        let detail = serde_json::json!({ "site": new.site.trim(), "deployed_on": new.deployed_on });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "fly_tip_camera", Some(&id), detail)).await?;
        let camera = camera_row(&tx.one(&Q::new(format!("{CAMERA_SELECT} WHERE id = $1")).bind(&id)).await?)?;
        tx.commit().await?;
        Ok(camera)
    }

    /// Takes down one of the caller's agency's cameras with what it
    /// captured, once (`camera_removed`); audited.
    pub async fn remove_camera(
        &self,
        permit: &Permit<EditRecords>,
        id: &str,
        removal: &CameraRemoval,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<Camera> {
        let mut tx = self.write().await?;
        let q = Q::new(format!("{CAMERA_SELECT} WHERE id = $1 AND agency = $2"))
            .bind(id)
            .bind(permit.principal().agency.clone());
        let camera = camera_row(&tx.optional(&q).await?.ok_or(StoreError::NotFound("camera"))?)?;
        if camera.removed_on.is_some() {
            return Err(refused("camera_removed", format!("the camera at {} is already down", camera.site)));
        }
        removal.check(camera.deployed_on, today)?;
        let n = tx
            .execute(
                &Q::new(
                    "UPDATE fly_tip_cameras SET removed_on = $1, captures = $2, vehicles_identified = $3, notes = $4
                     WHERE id = $5 AND removed_on IS NULL",
                )
                .bind(removal.removed_on.to_string())
                .bind(i64::from(removal.captures))
                .bind(i64::from(removal.vehicles_identified))
                .bind(removal.notes.trim())
                .bind(id),
            )
            .await?;
        if n == 0 {
            return Err(refused("camera_removed", format!("the camera at {} is already down", camera.site)));
        }
        let detail = serde_json::json!({ "removed_on": removal.removed_on, "captures": removal.captures });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "fly_tip_camera", Some(id), detail)).await?;
        let camera = camera_row(&tx.one(&Q::new(format!("{CAMERA_SELECT} WHERE id = $1")).bind(id)).await?)?;
        tx.commit().await?;
        Ok(camera)
    }

    /// The caller's agency's cameras, those still up first, newest first.
    pub async fn cameras(&self, permit: &Permit<ViewRecords>) -> Result<Vec<Camera>> {
        let q = Q::new(format!(
            "{CAMERA_SELECT} WHERE agency = $1 ORDER BY CASE WHEN removed_on IS NULL THEN 0 ELSE 1 END, deployed_on DESC, id"
        ))
        .bind(permit.principal().agency.clone());
        self.conn().await?.all(&q).await?.iter().map(camera_row).collect()
    }

    /// The quarter's WasteDataFlow return: categorised fly-tipping
    /// incidents reported in it (every agency's: counts only), those still
    /// uncategorised, the enforcement actions taken, penalties paid and
    /// prosecutions ended in it.
    pub async fn fly_tipping_return(
        &self,
        _permit: &Permit<ViewCrimeData>,
        quarter: ReturnQuarter,
    ) -> Result<FlyTippingReturn> {
        let (from, to) = quarter.days();
        let (start, until) = reported_bounds((from, to));
        let mut conn = self.conn().await?;
        let q = Q::new(
            "SELECT f.land_type, f.waste_type, f.size, COUNT(*) AS n FROM fly_tips f CROSS JOIN incidents i
             WHERE i.id = f.incident_id AND i.reported_at >= $1 AND i.reported_at < $2
             GROUP BY f.land_type, f.waste_type, f.size",
        )
        .bind(start)
        .bind(until);
        let mut incidents = conn
            .all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(ReturnLine {
                    land_type: r.stored("land_type")?,
                    waste_type: r.stored("waste_type")?,
                    size: r.stored("size")?,
                    incidents: r.int("n")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        incidents.sort_by_key(|l| {
            (
                position(LandType::ALL, l.land_type),
                position(WasteType::ALL, l.waste_type),
                position(TipSize::ALL, l.size),
            )
        });
        let uncategorised = conn
            .one(
                &Q::new(
                    "SELECT COUNT(*) AS n FROM incidents i WHERE i.category = $1 AND i.reported_at >= $2 AND i.reported_at < $3
                       AND NOT EXISTS (SELECT 1 FROM fly_tips f WHERE f.incident_id = i.id)",
                )
                .bind(FLY_TIPPING)
                .bind(start)
                .bind(until),
            )
            .await?
            .int("n")?;
        let days = |sql: &str| Q::new(sql).bind(from.to_string()).bind(to.to_string());
        let taken = conn
            .all(&days(
                "SELECT action, COUNT(*) AS n FROM fly_tip_actions WHERE taken_on >= $1 AND taken_on <= $2 GROUP BY action",
            ))
            .await?;
        let mut by_action = std::collections::HashMap::new();
        for r in &taken {
            by_action.insert(r.stored::<EnforcementAction>("action")?, r.int("n")?);
        }
        let actions = EnforcementAction::ALL
            .iter()
            .map(|a| ActionCount { action: *a, count: by_action.get(a).copied().unwrap_or(0) })
            .collect();
        let fpns_paid = conn
            .one(&days("SELECT COUNT(*) AS n FROM fly_tip_actions WHERE paid_on >= $1 AND paid_on <= $2"))
            .await?
            .int("n")?;
        let ended = conn
            .all(&days(
                "SELECT court_result, COUNT(*) AS n, CAST(COALESCE(SUM(fine_pence), 0) AS BIGINT) AS fines,
                   CAST(COALESCE(SUM(costs_awarded_pence), 0) AS BIGINT) AS awarded,
                   CAST(COALESCE(SUM(costs_recovered_pence), 0) AS BIGINT) AS recovered
                 FROM fly_tip_actions WHERE result_on >= $1 AND result_on <= $2 GROUP BY court_result",
            ))
            .await?;
        let mut court_results = Vec::new();
        let (mut fines_pence, mut costs_awarded_pence, mut costs_recovered_pence) = (0, 0, 0);
        for r in &ended {
            court_results.push(ResultCount { result: r.stored("court_result")?, count: r.int("n")? });
            fines_pence += r.int("fines")?;
            costs_awarded_pence += r.int("awarded")?;
            costs_recovered_pence += r.int("recovered")?;
        }
        court_results.sort_by_key(|c| position(CourtResult::ALL, c.result));
        Ok(FlyTippingReturn {
            quarter,
            label: quarter.label(),
            from,
            to,
            incidents,
            uncategorised,
            actions,
            fpns_paid,
            court_results,
            fines_pence,
            costs_awarded_pence,
            costs_recovered_pence,
        })
    }
}

/// Fixed penalty notices issued and prosecutions brought for fly-tipping
/// in `period`.
pub(crate) async fn enforcement(conn: &mut impl Exec, period: (NaiveDate, NaiveDate)) -> Result<Counts> {
    let q = Q::new(
        "SELECT CAST(COALESCE(SUM(CASE WHEN action = $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS fpns,
           CAST(COALESCE(SUM(CASE WHEN action = $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS prosecutions
         FROM fly_tip_actions WHERE taken_on >= $3 AND taken_on <= $4",
    )
    .bind(EnforcementAction::FixedPenaltyNotice.as_str())
    .bind(EnforcementAction::Prosecution.as_str())
    .bind(period.0.to_string())
    .bind(period.1.to_string());
    let r = conn.one(&q).await?;
    Ok(Counts { count: r.int("fpns")?, of: None, also: Some(r.int("prosecutions")?) })
}
