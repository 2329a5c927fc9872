//! The partnership record and its agencies.

use crate::audit::append;
use crate::sql::{Row, Q};
use crate::{Exec, Result, Store, StoreError};
use safetynet_domain::audit::{AuditAction, AuditEvent};
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::partnership::{Agency, AgencyCode, AgencyKind, Partnership};
use safetynet_domain::policy::{ManageAgencies, Permit};
use safetynet_domain::powers::Sector;

/// The sector of agency `code` (none if unset or no such agency): which
/// powers it holds and which programmes it runs.
pub(crate) async fn agency_sector(conn: &mut impl Exec, code: &str) -> Result<Option<Sector>> {
    let row = conn.optional(&Q::new("SELECT sector FROM agencies WHERE code = $1").bind(code)).await?;
    Ok(row.map(|r| r.opt_stored::<Sector>("sector")).transpose()?.flatten())
}

impl Store {
    /// Sets the partnership's name and district codes (one per
    /// installation); audited.
    pub async fn set_partnership(&self, p: &Partnership, actor: &crate::users::Actor<'_>) -> Result<()> {
        let at_ms = actor.at_ms;
        let mut tx = self.write().await?;
        let lads = p.lad_codes.join(",");
        let n =
            tx.execute(&Q::new("UPDATE partnership SET name = $1, lad_codes = $2").bind(&p.name).bind(&lads)).await?;
        if n == 0 {
            tx.execute(
                &Q::new("INSERT INTO partnership (id, name, lad_codes, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(new_id_at_ms(at_ms))
                    .bind(&p.name)
                    .bind(&lads)
                    .bind(at_ms),
            )
            .await?;
        }
        let detail = serde_json::json!({ "name": p.name, "lad_codes": lads });
        append(&mut tx, at_ms, &actor.event(AuditAction::Update, "partnership", None, detail)).await?;
        tx.commit().await
    }

    /// The partnership, if configured.
    pub async fn partnership(&self) -> Result<Option<Partnership>> {
        let row = self.conn().await?.optional(&Q::new("SELECT name, lad_codes FROM partnership LIMIT 1")).await?;
        row.map(|r| {
            Ok(Partnership {
                name: r.text("name")?,
                lad_codes: r.text("lad_codes")?.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
            })
        })
        .transpose()
    }

    /// Creates or renames an agency, audited as the permit holder.
    pub async fn save_agency(
        &self,
        permit: &Permit<ManageAgencies>,
        agency: &Agency,
        at_ms: i64,
        source: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let exists =
            tx.optional(&Q::new("SELECT code FROM agencies WHERE code = $1").bind(agency.code.as_str())).await?;
        let action = if exists.is_some() {
            tx.execute(
                &Q::new("UPDATE agencies SET name = $1, kind = $2, sector = $3 WHERE code = $4")
                    .bind(&agency.name)
                    .bind(agency.kind.as_str())
                    .bind(agency.sector.map(|s| s.as_str().to_string()))
                    .bind(agency.code.as_str()),
            )
            .await?;
            AuditAction::Update
        } else {
            tx.execute(
                &Q::new("INSERT INTO agencies (code, name, kind, sector, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(agency.code.as_str())
                    .bind(&agency.name)
                    .bind(agency.kind.as_str())
                    .bind(agency.sector.map(|s| s.as_str().to_string()))
                    .bind(at_ms),
            )
            .await?;
            AuditAction::Create
        };
        let p = permit.principal();
        let event = AuditEvent {
            user_id: Some(p.user_id.clone()).filter(|s| !s.is_empty()),
            agency: Some(p.agency.clone()).filter(|s| !s.is_empty()),
            action,
            record_type: "agency".into(),
            record_id: Some(agency.code.to_string()),
            detail: serde_json::json!({ "kind": agency.kind.as_str(), "sector": agency.sector.map(|s| s.as_str()) })
                .to_string(),
            source: source.into(),
        };
        append(&mut tx, at_ms, &event).await?;
        tx.commit().await
    }

    /// All agencies, responsible authorities first, then by name.
    pub async fn agencies(&self) -> Result<Vec<Agency>> {
        let rows = self
            .conn()
            .await?
            .all(&Q::new("SELECT code, name, kind, sector FROM agencies ORDER BY CASE kind WHEN 'responsible_authority' THEN 0 ELSE 1 END, name"))
            .await?;
        rows.iter().map(agency_row).collect()
    }

    /// One agency by code.
    pub async fn agency(&self, code: &str) -> Result<Agency> {
        let row = self
            .conn()
            .await?
            .optional(&Q::new("SELECT code, name, kind, sector FROM agencies WHERE code = $1").bind(code))
            .await?;
        agency_row(&row.ok_or(StoreError::NotFound("agency"))?)
    }
}

fn agency_row(r: &Row) -> Result<Agency> {
    let bad = |_| StoreError::Db(sqlx::Error::Decode("invalid agency row".into()));
    Ok(Agency {
        code: AgencyCode::parse(&r.text("code")?).map_err(bad)?,
        name: r.text("name")?,
        kind: AgencyKind::parse(&r.text("kind")?).map_err(bad)?,
        sector: r.opt_stored("sector")?,
    })
}
