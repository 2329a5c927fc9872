//! Concerns about licensed drivers shared with the police (migration 0032):
//! the licensing council records each with the lawful basis for sharing it
//! and the police agency it goes to; that agency reads the concerns shared
//! with it (with the driver's name and licence), nobody else does; every
//! share and read is audited.

use crate::audit::append;
use crate::partnership::agency_sector;
use crate::sql::Q;
use crate::taxi::{concern_row, owned, Concern, CONCERN_SELECT};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
use safetynet_domain::powers::Sector;
use safetynet_domain::taxi::{LicenceKind, NewConcern};
use serde::Serialize;

/// A concern as the police agency it was shared with sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct SharedConcern {
    /// The concern.
    #[serde(flatten)]
    pub concern: Concern,
    /// The licensing council.
    pub licensing_agency: String,
    /// The driver's name.
    pub full_name: String,
    /// Their licence number.
    pub licence_number: String,
    /// The licence held.
    pub licence_kind: LicenceKind,
}

impl Store {
    /// Shares a concern about a driver on the caller's register with a
    /// police agency (`concern_share_police`); audited as a share.
    pub async fn share_driver_concern(
        &self,
        permit: &Permit<EditRecords>,
        driver_id: &str,
        new: &NewConcern,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<Concern> {
        new.check(today)?;
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        owned(&mut tx, &agency, driver_id).await?;
        if agency_sector(&mut tx, new.share_with.trim()).await? != Some(Sector::Police) {
            return Err(StoreError::Rule(
                "concern_share_police",
                "share a concern about a driver with a police agency".into(),
            ));
        }
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO taxi_concerns (id, driver_id, agency, raised_on, details, shared_with, lawful_basis, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&id)
            .bind(driver_id)
            .bind(&agency)
            .bind(new.raised_on.to_string())
            .bind(new.details.trim())
            .bind(new.share_with.trim())
            .bind(new.lawful_basis.trim())
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        let detail = serde_json::json!({ "driver": driver_id, "shared_with": new.share_with.trim(),
            "lawful_basis": new.lawful_basis.trim() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Share, "taxi_concern", Some(&id), detail)).await?;
        let concern = concern_row(&tx.one(&Q::new(format!("{CONCERN_SELECT} AND c.id = $1")).bind(&id)).await?)?;
        tx.commit().await?;
        Ok(concern)
    }

    /// The concerns shared with the caller's agency, newest first; audited
    /// (ids only).
    pub async fn shared_concerns(&self, permit: &Permit<ViewRecords>, actor: &Actor<'_>) -> Result<Vec<SharedConcern>> {
        let q = Q::new(format!("{CONCERN_SELECT} AND c.shared_with = $1 ORDER BY c.raised_on DESC, c.id DESC"))
            .bind(permit.principal().agency.clone());
        let rows = self.conn().await?.all(&q).await?;
        let list = rows
            .iter()
            .map(|r| {
                Ok(SharedConcern {
                    concern: concern_row(r)?,
                    licensing_agency: r.text("agency")?,
                    full_name: r.text("full_name")?,
                    licence_number: r.text("licence_number")?,
                    licence_kind: r.stored("licence_kind")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if !list.is_empty() {
            let ids: Vec<&str> = list.iter().map(|c| c.concern.id.as_str()).collect();
            let event = actor.event(AuditAction::View, "taxi_concern", None, serde_json::json!({ "ids": ids }));
            self.audit(actor.at_ms, &event).await?;
        }
        Ok(list)
    }
}
