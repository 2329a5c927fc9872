//! The public spaces protection order register: orders made by a council
//! (checked against Part 4 of the 2014 Act), their extensions, and the term
//! a breach or fixed penalty is checked against. Orders are public
//! documents: every agency may read the register; only the council that
//! made an order extends it.

use super::rule;
use crate::audit::append;
use crate::partnership::agency_sector;
use crate::records::next_reference;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::interventions::PspoTerm;
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
use safetynet_domain::powers::Sector;
use safetynet_domain::pspo::{NewPspo, PspoExtension};
use serde::Serialize;

/// An order on the register.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Pspo {
    /// Id.
    pub id: String,
    /// Reference, e.g. `PSPO-2026-00001`.
    pub reference: String,
    /// The council that made it.
    pub owner_agency: String,
    /// Title.
    pub title: String,
    /// What it prohibits or requires.
    pub prohibitions: String,
    /// The area as a GeoJSON Polygon geometry.
    #[cfg_attr(feature = "schema", schema(value_type = Object))]
    pub area: serde_json::Value,
    /// Made on.
    pub made_on: NaiveDate,
    /// First day in force.
    pub starts_on: NaiveDate,
    /// Last day in force, with extensions.
    pub ends_on: NaiveDate,
    /// Consulted the chief officer of police.
    pub consulted_police: bool,
    /// Consulted the police and crime commissioner.
    pub consulted_pcc: bool,
    /// Consulted community representatives.
    pub consulted_community: bool,
    /// Consulted owners and occupiers.
    pub consulted_owners: bool,
    /// The proposal was published on.
    pub publicised_on: Option<NaiveDate>,
    /// Breaches and fixed penalties recorded against it.
    pub breaches: i64,
    /// Its extensions, oldest first.
    pub extensions: Vec<PspoExtensionRecord>,
}

/// An extension on the register.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PspoExtensionRecord {
    /// Decided on.
    pub decided_on: NaiveDate,
    /// The last day before it.
    pub previous_ends_on: NaiveDate,
    /// The new last day.
    pub ends_on: NaiveDate,
    /// Why it is still needed.
    pub reason: String,
}

impl Store {
    /// Puts an order on the register after the Part 4 checks; only a
    /// council may make one (s59); audited.
    pub async fn add_pspo(&self, permit: &Permit<EditRecords>, new: &NewPspo, actor: &Actor<'_>) -> Result<Pspo> {
        new.check()?;
        let agency = &permit.principal().agency;
        let mut tx = self.write().await?;
        if agency_sector(&mut tx, agency).await? != Some(Sector::Council) {
            return Err(rule("power_not_available", "only a council makes a public spaces protection order (s59)"));
        }
        let id = new_id_at_ms(actor.at_ms);
        let reference = next_reference(&mut tx, "PSPO", new.made_on.year()).await?;
        tx.execute(
            &Q::new(
                "INSERT INTO pspos (id, reference, owner_agency, title, prohibitions, area, made_on, starts_on, ends_on, consulted_police,
                   consulted_pcc, consulted_community, consulted_owners, publicised_on, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(&id)
            .bind(&reference)
            .bind(agency)
            .bind(new.title.trim())
            .bind(new.prohibitions.trim())
            .bind(new.geometry().to_string())
            .bind(new.made_on.to_string())
            .bind(new.starts_on.to_string())
            .bind(new.ends_on.to_string())
            .bind(new.consulted_police)
            .bind(new.consulted_pcc)
            .bind(new.consulted_community)
            .bind(new.consulted_owners)
            .bind(new.publicised_on.map(|d| d.to_string()))
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        let detail = serde_json::json!({ "reference": reference });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "pspo", Some(&id), detail)).await?;
        tx.commit().await?;
        self.pspo_in(&id).await
    }

    /// Extends an order (s60(2)); the council that made it only; audited.
    pub async fn extend_pspo(
        &self,
        permit: &Permit<EditRecords>,
        id: &str,
        ext: &PspoExtension,
        actor: &Actor<'_>,
    ) -> Result<Pspo> {
        let mut tx = self.write().await?;
        let row = tx
            .optional(&Q::new("SELECT owner_agency, ends_on FROM pspos WHERE id = $1").bind(id))
            .await?
            .ok_or(StoreError::NotFound("pspo"))?;
        if row.text("owner_agency")? != permit.principal().agency {
            return Err(StoreError::Forbidden("only the council that made an order extends it"));
        }
        let current = row.date("ends_on")?;
        ext.check(current)?;
        tx.execute(
            &Q::new(
                "INSERT INTO pspo_extensions (id, pspo_id, decided_on, previous_ends_on, ends_on, reason, consulted, published, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(new_id_at_ms(actor.at_ms))
            .bind(id)
            .bind(ext.decided_on.to_string())
            .bind(current.to_string())
            .bind(ext.ends_on.to_string())
            .bind(ext.reason.trim())
            .bind(ext.consulted)
            .bind(ext.published)
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        tx.execute(&Q::new("UPDATE pspos SET ends_on = $1 WHERE id = $2").bind(ext.ends_on.to_string()).bind(id))
            .await?;
        let detail = serde_json::json!({ "extended_to": ext.ends_on.to_string() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "pspo", Some(id), detail)).await?;
        tx.commit().await?;
        self.pspo_in(id).await
    }

    /// The register: every order, those ending soonest first. With
    /// `ending_by`, only orders in force whose last day is on or before it
    /// (the expiry reminders).
    pub async fn pspos(
        &self,
        _permit: &Permit<ViewRecords>,
        today: NaiveDate,
        ending_by: Option<NaiveDate>,
    ) -> Result<Vec<Pspo>> {
        let mut q = Q::new(format!("{PSPO_SELECT} WHERE 1 = 1"));
        if let Some(by) = ending_by {
            q.push(" AND ends_on >= ").arg(today.to_string()).push(" AND ends_on <= ").arg(by.to_string());
        }
        q.push(" ORDER BY ends_on, reference");
        let rows = self.conn().await?.all(&q).await?;
        rows.iter().map(|r| pspo_row(r, Vec::new())).collect()
    }

    /// One order with its extensions.
    pub async fn pspo(&self, _permit: &Permit<ViewRecords>, id: &str) -> Result<Pspo> {
        self.pspo_in(id).await
    }

    async fn pspo_in(&self, id: &str) -> Result<Pspo> {
        let mut conn = self.conn().await?;
        let row = conn
            .optional(&Q::new(format!("{PSPO_SELECT} WHERE id = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("pspo"))?;
        let extensions = conn
            .all(
                &Q::new(
                    "SELECT decided_on, previous_ends_on, ends_on, reason FROM pspo_extensions WHERE pspo_id = $1 ORDER BY decided_on, id",
                )
                .bind(id),
            )
            .await?
            .iter()
            .map(|r| {
                Ok(PspoExtensionRecord {
                    decided_on: r.date("decided_on")?,
                    previous_ends_on: r.date("previous_ends_on")?,
                    ends_on: r.date("ends_on")?,
                    reason: r.text("reason")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        pspo_row(&row, extensions)
    }
}

/// The term of order `id`, for checking a breach or fixed penalty against.
pub(super) async fn term(conn: &mut impl Exec, id: &str) -> Result<PspoTerm> {
    let r = conn
        .optional(&Q::new("SELECT reference, starts_on, ends_on FROM pspos WHERE id = $1").bind(id))
        .await?
        .ok_or(StoreError::NotFound("pspo"))?;
    Ok(PspoTerm { reference: r.text("reference")?, starts_on: r.date("starts_on")?, ends_on: r.date("ends_on")? })
}

const PSPO_SELECT: &str =
    "SELECT id, reference, owner_agency, title, prohibitions, area, made_on, starts_on, ends_on, consulted_police,
    consulted_pcc, consulted_community, consulted_owners, publicised_on,
    (SELECT COUNT(*) FROM interventions x WHERE x.pspo_id = pspos.id) AS breaches FROM pspos";

fn pspo_row(r: &Row, extensions: Vec<PspoExtensionRecord>) -> Result<Pspo> {
    Ok(Pspo {
        id: r.text("id")?,
        reference: r.text("reference")?,
        owner_agency: r.text("owner_agency")?,
        title: r.text("title")?,
        prohibitions: r.text("prohibitions")?,
        area: serde_json::from_str(&r.text("area")?).unwrap_or(serde_json::Value::Null),
        made_on: r.date("made_on")?,
        starts_on: r.date("starts_on")?,
        ends_on: r.date("ends_on")?,
        consulted_police: r.boolean("consulted_police")?,
        consulted_pcc: r.boolean("consulted_pcc")?,
        consulted_community: r.boolean("consulted_community")?,
        consulted_owners: r.boolean("consulted_owners")?,
        publicised_on: r.opt_date("publicised_on")?,
        breaches: r.int("breaches")?,
        extensions,
    })
}
