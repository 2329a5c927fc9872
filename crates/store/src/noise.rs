//! Noise investigations: the agency's recording equipment, its bookings to
//! noise complaints (incidents the agency may see; a kit is never booked
//! twice for the same day, and one not yet returned stays out), returns,
//! and officers' visits to witness the noise. The register shows where kits
//! are (home addresses), so only the owning agency reads it; reads are
//! audited.

use crate::audit::append;
use crate::records::incident_seen_by;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::measures::Counts;
use safetynet_domain::noise::{out_of_hours, overlaps, NewBooking, NewEquipment, NewNoiseVisit};
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
use safetynet_domain::uk_time::london_midnight;
use serde::Serialize;

/// A booking of a kit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Booking {
    /// Id.
    pub id: String,
    /// The kit's asset tag.
    pub asset_tag: String,
    /// The complaint's incident id.
    pub incident_id: String,
    /// Its reference.
    pub incident_reference: String,
    /// Where the kit is installed (the incident's address).
    pub address: String,
    /// The first day out.
    pub starts_on: NaiveDate,
    /// Due back.
    pub due_back_on: NaiveDate,
    /// Returned on.
    pub returned_on: Option<NaiveDate>,
}

impl Booking {
    /// The days the kit is (or was) out on `today`'s knowledge: to its
    /// return; a kit past its day and not returned stays out until it is.
    fn occupied(&self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let end = match self.returned_on {
            Some(r) => r,
            None if self.due_back_on < today => NaiveDate::MAX,
            None => self.due_back_on,
        };
        (self.starts_on, end)
    }

    /// Out and past its due date on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.returned_on.is_none() && self.due_back_on < today
    }
}

/// A kit with its bookings not yet returned, soonest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Equipment {
    /// Id.
    pub id: String,
    /// Asset tag.
    pub asset_tag: String,
    /// What it is.
    pub description: String,
    /// Bookings not yet returned.
    pub bookings: Vec<Booking>,
}

/// A visit to witness noise.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NoiseVisit {
    /// The complaint's incident reference.
    pub incident_reference: String,
    /// When (Unix ms).
    pub visited_at: i64,
    /// Outside 09:00 to 17:00 on a weekday, UK time.
    pub out_of_hours: bool,
    /// The officer heard the noise.
    pub witnessed: bool,
    /// The officer judged it a statutory nuisance.
    pub statutory_nuisance: bool,
    /// Notes.
    pub notes: String,
}

const BOOKING_SELECT: &str = "SELECT b.id, e.asset_tag, b.incident_id, i.reference AS incident_reference, i.address, b.starts_on,
    b.due_back_on, b.returned_on, b.equipment_id FROM noise_bookings b CROSS JOIN noise_equipment e CROSS JOIN incidents i
    WHERE e.id = b.equipment_id AND i.id = b.incident_id";

fn booking_row(r: &Row) -> Result<Booking> {
    Ok(Booking {
        id: r.text("id")?,
        asset_tag: r.text("asset_tag")?,
        incident_id: r.text("incident_id")?,
        incident_reference: r.text("incident_reference")?,
        address: r.text("address")?,
        starts_on: r.date("starts_on")?,
        due_back_on: r.date("due_back_on")?,
        returned_on: r.opt_date("returned_on")?,
    })
}

impl Store {
    /// Adds a kit to the caller's agency's register; audited.
    pub async fn add_equipment(
        &self,
        permit: &Permit<EditRecords>,
        new: &NewEquipment,
        actor: &Actor<'_>,
    ) -> Result<String> {
        new.check()?;
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        let taken = Q::new("SELECT id FROM noise_equipment WHERE agency = $1 AND asset_tag = $2")
            .bind(&agency)
            .bind(new.asset_tag.trim());
        if tx.optional(&taken).await?.is_some() {
            return Err(StoreError::Conflict("a kit with this asset tag"));
        }
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO noise_equipment (id, agency, asset_tag, description, version, created_at, created_by) VALUES ($1, $2, $3, $4, 0, $5, $6)",
            )
            .bind(&id)
            .bind(&agency)
            .bind(new.asset_tag.trim())
            .bind(new.description.trim())
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await
        .map_err(|e| e.conflict_as("a kit with this asset tag"))?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::Create, "noise_equipment", Some(&id), serde_json::json!({})),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Books a kit of the caller's agency to a complaint it may see, on
    /// `today`'s knowledge: `equipment_booked` if the kit is out (or booked)
    /// on any of the days; bookings of one kit are taken one at a time;
    /// audited.
    pub async fn book_equipment(
        &self,
        permit: &Permit<EditRecords>,
        equipment_id: &str,
        new: &NewBooking,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<Booking> {
        new.check(today)?;
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        // Taking the kit's row first queues two bookings of the same kit.
        let q = Q::new("UPDATE noise_equipment SET version = version + 1 WHERE id = $1 AND agency = $2")
            .bind(equipment_id)
            .bind(&agency);
        if tx.execute(&q).await? == 0 {
            return Err(StoreError::NotFound("equipment"));
        }
        let (incident_id, _) = incident_seen_by(&mut tx, &new.incident, &agency).await?;
        let q = Q::new(format!("{BOOKING_SELECT} AND b.equipment_id = $1 AND b.starts_on <= $2"))
            .bind(equipment_id)
            .bind(new.due_back_on.to_string());
        let existing = tx.all(&q).await?.iter().map(booking_row).collect::<Result<Vec<_>>>()?;
        if let Some(b) = existing.iter().find(|b| overlaps(b.occupied(today), (new.starts_on, new.due_back_on))) {
            let message = if b.overdue(today) {
                format!(
                    "{} has been out to {} since {} and is not yet returned",
                    b.asset_tag, b.incident_reference, b.starts_on
                )
            } else {
                format!(
                    "{} is booked to {} from {} to {}",
                    b.asset_tag, b.incident_reference, b.starts_on, b.due_back_on
                )
            };
            return Err(StoreError::Rule("equipment_booked", message));
        }
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO noise_bookings (id, equipment_id, incident_id, starts_on, due_back_on, returned_on, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)",
            )
            .bind(&id)
            .bind(equipment_id)
            .bind(&incident_id)
            .bind(new.starts_on.to_string())
            .bind(new.due_back_on.to_string())
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        let detail = serde_json::json!({ "equipment": equipment_id, "incident": incident_id, "starts_on": new.starts_on, "due_back_on": new.due_back_on });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "noise_booking", Some(&id), detail)).await?;
        tx.commit().await?;
        let mut conn = self.conn().await?;
        booking_row(&conn.one(&Q::new(format!("{BOOKING_SELECT} AND b.id = $1")).bind(&id)).await?)
    }

    /// Records a kit's return on `returned_on` (not before it went out, not
    /// after `today`: `booking_dates`); the caller's agency's kits only; audited.
    pub async fn return_equipment(
        &self,
        permit: &Permit<EditRecords>,
        booking_id: &str,
        returned_on: NaiveDate,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let q = Q::new(format!("{BOOKING_SELECT} AND b.id = $1 AND e.agency = $2"))
            .bind(booking_id)
            .bind(permit.principal().agency.clone());
        let b = booking_row(&tx.optional(&q).await?.ok_or(StoreError::NotFound("booking"))?)?;
        if b.returned_on.is_some() {
            return Err(StoreError::Rule("booking_returned", format!("{} was already returned", b.asset_tag)));
        }
        if returned_on < b.starts_on || returned_on > today {
            return Err(StoreError::Rule(
                "booking_dates",
                format!("the return must be from {} to {today}", b.starts_on),
            ));
        }
        tx.execute(
            &Q::new("UPDATE noise_bookings SET returned_on = $1 WHERE id = $2")
                .bind(returned_on.to_string())
                .bind(booking_id),
        )
        .await?;
        let detail = serde_json::json!({ "returned_on": returned_on });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "noise_booking", Some(booking_id), detail))
            .await?;
        tx.commit().await
    }

    /// The caller's agency's kits, each with its bookings not yet
    /// returned; audited (ids only).
    pub async fn equipment(&self, permit: &Permit<ViewRecords>, actor: &Actor<'_>) -> Result<Vec<Equipment>> {
        let agency = permit.principal().agency.clone();
        let mut conn = self.conn().await?;
        let kits = conn
            .all(
                &Q::new("SELECT id, asset_tag, description FROM noise_equipment WHERE agency = $1 ORDER BY asset_tag")
                    .bind(&agency),
            )
            .await?;
        let q =
            Q::new(format!("{BOOKING_SELECT} AND e.agency = $1 AND b.returned_on IS NULL ORDER BY b.starts_on, b.id"))
                .bind(&agency);
        let rows = conn.all(&q).await?;
        let mut open: Vec<(String, Booking)> =
            rows.iter().map(|r| Ok((r.text("equipment_id")?, booking_row(r)?))).collect::<Result<_>>()?;
        let list = kits
            .iter()
            .map(|k| {
                let id = k.text("id")?;
                let (mine, rest): (Vec<_>, Vec<_>) = open.drain(..).partition(|(e, _)| *e == id);
                open = rest;
                Ok(Equipment {
                    asset_tag: k.text("asset_tag")?,
                    description: k.text("description")?,
                    bookings: mine.into_iter().map(|(_, b)| b).collect(),
                    id,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<&str> = list.iter().flat_map(|e| e.bookings.iter().map(|b| b.id.as_str())).collect();
        if !ids.is_empty() {
            self.audit(
                actor.at_ms,
                &actor.event(AuditAction::View, "noise_booking", None, serde_json::json!({ "ids": ids })),
            )
            .await?;
        }
        Ok(list)
    }

    /// Records a visit to a complaint the caller's agency may see at `now`;
    /// audited.
    pub async fn add_noise_visit(
        &self,
        permit: &Permit<EditRecords>,
        visit: &NewNoiseVisit,
        now: DateTime<Utc>,
        actor: &Actor<'_>,
    ) -> Result<NoiseVisit> {
        visit.check(now)?;
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        let (incident_id, reference) = incident_seen_by(&mut tx, &visit.incident, &agency).await?;
        let id = new_id_at_ms(actor.at_ms);
        let at = visit.visited_at.timestamp_millis();
        tx.execute(
            &Q::new(
                "INSERT INTO noise_visits (id, agency, incident_id, visited_at, out_of_hours, witnessed, statutory_nuisance, notes, officer_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&id)
            .bind(&agency)
            .bind(&incident_id)
            .bind(at)
            .bind(out_of_hours(visit.visited_at))
            .bind(visit.witnessed)
            .bind(visit.statutory_nuisance)
            .bind(visit.notes.trim())
            .bind(actor.user_id())
            .bind(actor.at_ms),
        )
        .await?;
        let detail = serde_json::json!({ "incident": incident_id, "witnessed": visit.witnessed });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "noise_visit", Some(&id), detail)).await?;
        tx.commit().await?;
        Ok(NoiseVisit {
            incident_reference: reference,
            visited_at: at,
            out_of_hours: out_of_hours(visit.visited_at),
            witnessed: visit.witnessed,
            statutory_nuisance: visit.statutory_nuisance,
            notes: visit.notes.trim().to_string(),
        })
    }

    /// The caller's agency's visits, newest first (at most `limit`); audited.
    pub async fn noise_visits(
        &self,
        permit: &Permit<ViewRecords>,
        limit: i64,
        actor: &Actor<'_>,
    ) -> Result<Vec<NoiseVisit>> {
        let q = Q::new(
            "SELECT i.reference, v.visited_at, v.out_of_hours, v.witnessed, v.statutory_nuisance, v.notes FROM noise_visits v
             CROSS JOIN incidents i WHERE i.id = v.incident_id AND v.agency = $1 ORDER BY v.visited_at DESC, v.id DESC LIMIT $2",
        )
        .bind(permit.principal().agency.clone())
        .bind(limit);
        let rows = self.conn().await?.all(&q).await?;
        let list = rows
            .iter()
            .map(|r| {
                Ok(NoiseVisit {
                    incident_reference: r.text("reference")?,
                    visited_at: r.int("visited_at")?,
                    out_of_hours: r.boolean("out_of_hours")?,
                    witnessed: r.boolean("witnessed")?,
                    statutory_nuisance: r.boolean("statutory_nuisance")?,
                    notes: r.text("notes")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if !list.is_empty() {
            let refs: Vec<&str> = list.iter().map(|v| v.incident_reference.as_str()).collect();
            self.audit(
                actor.at_ms,
                &actor.event(AuditAction::View, "noise_visit", None, serde_json::json!({ "incidents": refs })),
            )
            .await?;
        }
        Ok(list)
    }
}

/// Complaints investigated in `period` (distinct incidents with a visit or
/// a booking starting in it) and the bookings (deployments) starting in it.
pub(crate) async fn investigated(conn: &mut impl Exec, period: (NaiveDate, NaiveDate)) -> Result<Counts> {
    let (from_ms, to_ms) = (
        london_midnight(period.0).timestamp_millis(),
        london_midnight(period.1.succ_opt().unwrap_or(period.1)).timestamp_millis(),
    );
    let q = Q::new(
        "SELECT COUNT(DISTINCT incident_id) AS n FROM (
           SELECT incident_id FROM noise_visits WHERE visited_at >= $1 AND visited_at < $2
           UNION SELECT incident_id FROM noise_bookings WHERE starts_on >= $3 AND starts_on <= $4) x",
    )
    .bind(from_ms)
    .bind(to_ms)
    .bind(period.0.to_string())
    .bind(period.1.to_string());
    let complaints = conn.one(&q).await?.int("n")?;
    let q = Q::new("SELECT COUNT(*) AS n FROM noise_bookings WHERE starts_on >= $1 AND starts_on <= $2")
        .bind(period.0.to_string())
        .bind(period.1.to_string());
    Ok(Counts { count: complaints, of: None, also: Some(conn.one(&q).await?.int("n")?) })
}
