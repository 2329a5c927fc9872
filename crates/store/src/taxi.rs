//! The licensing authority's register of taxi and private hire drivers and
//! their six-monthly DBS update service checks. Only a council holds a
//! register (`licensing_authority_only`), and only that council reads its
//! drivers; every read is audited. The share checked is a count others see
//! through the strategy's measures.

use crate::audit::append;
use crate::partnership::agency_sector;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::measures::Counts;
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
use safetynet_domain::powers::Sector;
use safetynet_domain::taxi::{
    check_licence_expires, check_training, dbs_state, next_check_due, DbsResult, DbsState, LicenceKind, NewDbsCheck,
    NewDriver,
};
use serde::Serialize;

/// A driver on the register, with where they stand on `today`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Driver {
    /// Id.
    pub id: String,
    /// Licence number.
    pub licence_number: String,
    /// Full name.
    pub full_name: String,
    /// The licence held.
    pub licence_kind: LicenceKind,
    /// The licence's last day.
    pub licence_expires: NaiveDate,
    /// Subscribed to the DBS update service.
    pub update_service: bool,
    /// Safeguarding training completed on.
    pub safeguarding_trained_on: Option<NaiveDate>,
    /// What the last DBS check found.
    pub last_result: Option<DbsResult>,
    /// The last DBS check.
    pub last_checked_on: Option<NaiveDate>,
    /// The next check is due by (none before the first).
    pub next_check_due: Option<NaiveDate>,
    /// Where they stand today.
    pub dbs_state: DbsState,
}

/// One DBS check.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DbsCheck {
    /// The day the update service was checked.
    pub checked_on: NaiveDate,
    /// What it found.
    pub result: DbsResult,
    /// Notes.
    pub notes: String,
}

/// A driver with every check, newest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DriverRecord {
    /// The driver.
    #[serde(flatten)]
    pub driver: Driver,
    /// Their checks.
    pub checks: Vec<DbsCheck>,
    /// Concerns about them shared with the police, newest first.
    pub concerns: Vec<Concern>,
}

const SELECT: &str = "SELECT id, licence_number, full_name, licence_kind, licence_expires, update_service,
    safeguarding_trained_on, last_checked_on, (SELECT c.result FROM taxi_dbs_checks c WHERE c.driver_id = taxi_drivers.id
    ORDER BY c.checked_on DESC, c.id DESC LIMIT 1) AS last_result FROM taxi_drivers";

fn driver_row(r: &Row, today: NaiveDate) -> Result<Driver> {
    let last: Option<NaiveDate> = r.opt_date("last_checked_on")?;
    let expires = r.date("licence_expires")?;
    Ok(Driver {
        id: r.text("id")?,
        licence_number: r.text("licence_number")?,
        full_name: r.text("full_name")?,
        licence_kind: r.stored("licence_kind")?,
        licence_expires: expires,
        update_service: r.boolean("update_service")?,
        safeguarding_trained_on: r.opt_date("safeguarding_trained_on")?,
        last_result: r.opt_stored("last_result")?,
        last_checked_on: last,
        next_check_due: last.map(next_check_due),
        dbs_state: dbs_state(last, expires, today),
    })
}

/// A concern as the licensing council sees it on the driver.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Concern {
    /// Id.
    pub id: String,
    /// Raised on.
    pub raised_on: NaiveDate,
    /// What the concern is.
    pub details: String,
    /// The police agency it was shared with.
    pub shared_with: String,
    /// The lawful basis for sharing it.
    pub lawful_basis: String,
}

/// The columns of a concern with its driver's (`c`, `d`).
pub(crate) const CONCERN_SELECT: &str =
    "SELECT c.id, c.raised_on, c.details, c.shared_with, c.lawful_basis, c.agency, d.full_name,
    d.licence_number, d.licence_kind FROM taxi_concerns c CROSS JOIN taxi_drivers d WHERE d.id = c.driver_id";

pub(crate) fn concern_row(r: &Row) -> Result<Concern> {
    Ok(Concern {
        id: r.text("id")?,
        raised_on: r.date("raised_on")?,
        details: r.text("details")?,
        shared_with: r.text("shared_with")?,
        lawful_basis: r.text("lawful_basis")?,
    })
}

/// The concerns about one driver, newest first.
async fn driver_concerns(conn: &mut impl Exec, driver_id: &str) -> Result<Vec<Concern>> {
    let q =
        Q::new(format!("{CONCERN_SELECT} AND c.driver_id = $1 ORDER BY c.raised_on DESC, c.id DESC")).bind(driver_id);
    conn.all(&q).await?.iter().map(concern_row).collect()
}

/// The register's order: overdue first, expired licences last.
const URGENCY: [DbsState; 4] = [DbsState::Overdue, DbsState::DueSoon, DbsState::Current, DbsState::LicenceExpired];

impl Store {
    /// Adds a driver to the caller's council's register; audited.
    pub async fn add_driver(
        &self,
        permit: &Permit<EditRecords>,
        new: &NewDriver,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<Driver> {
        new.check(today)?;
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        if agency_sector(&mut tx, &agency).await? != Some(Sector::Council) {
            return Err(StoreError::Rule(
                "licensing_authority_only",
                "only a council (the licensing authority) keeps a register of taxi and private hire drivers".into(),
            ));
        }
        let number = new.licence_number.trim().to_uppercase();
        let taken =
            Q::new("SELECT id FROM taxi_drivers WHERE agency = $1 AND licence_number = $2").bind(&agency).bind(&number);
        if tx.optional(&taken).await?.is_some() {
            return Err(StoreError::Conflict("a driver with this licence number"));
        }
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO taxi_drivers (id, agency, licence_number, full_name, licence_kind, licence_expires, update_service,
                   safeguarding_trained_on, last_checked_on, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)",
            )
            .bind(&id)
            .bind(&agency)
            .bind(&number)
            .bind(new.full_name.trim())
            .bind(new.licence_kind.as_str())
            .bind(new.licence_expires.to_string())
            .bind(new.update_service)
            .bind(new.safeguarding_trained_on.map(|d| d.to_string()))
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await
        .map_err(|e| e.conflict_as("a driver with this licence number"))?;
        let detail = serde_json::json!({ "licence_number": number });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "taxi_driver", Some(&id), detail)).await?;
        tx.commit().await?;
        Ok(self.driver_in(&agency, &id, today).await?.driver)
    }

    /// Records a DBS check of a driver on the caller's register; audited.
    pub async fn add_dbs_check(
        &self,
        permit: &Permit<EditRecords>,
        driver_id: &str,
        check: &NewDbsCheck,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<DriverRecord> {
        check.check(today)?;
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        owned(&mut tx, &agency, driver_id).await?;
        tx.execute(
            &Q::new(
                "INSERT INTO taxi_dbs_checks (id, driver_id, checked_on, result, notes, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(new_id_at_ms(actor.at_ms))
            .bind(driver_id)
            .bind(check.checked_on.to_string())
            .bind(check.result.as_str())
            .bind(check.notes.trim())
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        tx.execute(
            &Q::new(
                "UPDATE taxi_drivers SET last_checked_on = (SELECT MAX(checked_on) FROM taxi_dbs_checks WHERE driver_id = $1) WHERE id = $1",
            )
            .bind(driver_id),
        )
        .await?;
        let detail = serde_json::json!({ "checked_on": check.checked_on, "result": check.result });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "taxi_driver", Some(driver_id), detail)).await?;
        tx.commit().await?;
        self.driver_in(&agency, driver_id, today).await
    }

    /// Records a driver's safeguarding training; audited.
    pub async fn record_driver_training(
        &self,
        permit: &Permit<EditRecords>,
        driver_id: &str,
        trained_on: NaiveDate,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<DriverRecord> {
        check_training(Some(trained_on), today)?;
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        owned(&mut tx, &agency, driver_id).await?;
        tx.execute(
            &Q::new("UPDATE taxi_drivers SET safeguarding_trained_on = $1 WHERE id = $2")
                .bind(trained_on.to_string())
                .bind(driver_id),
        )
        .await?;
        let detail = serde_json::json!({ "safeguarding_trained_on": trained_on });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "taxi_driver", Some(driver_id), detail)).await?;
        tx.commit().await?;
        self.driver_in(&agency, driver_id, today).await
    }

    /// Records a renewed licence's new last day; audited.
    pub async fn renew_licence(
        &self,
        permit: &Permit<EditRecords>,
        driver_id: &str,
        licence_expires: NaiveDate,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<DriverRecord> {
        check_licence_expires(licence_expires, today)?;
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        owned(&mut tx, &agency, driver_id).await?;
        tx.execute(
            &Q::new("UPDATE taxi_drivers SET licence_expires = $1 WHERE id = $2")
                .bind(licence_expires.to_string())
                .bind(driver_id),
        )
        .await?;
        let detail = serde_json::json!({ "licence_expires": licence_expires });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "taxi_driver", Some(driver_id), detail)).await?;
        tx.commit().await?;
        self.driver_in(&agency, driver_id, today).await
    }

    /// The caller's register on `today`, most urgent first (overdue, due
    /// soon, checked, expired licences; then by due date and name),
    /// optionally only those in one state; audited (ids only).
    pub async fn drivers(
        &self,
        permit: &Permit<ViewRecords>,
        today: NaiveDate,
        state: Option<DbsState>,
        actor: &Actor<'_>,
    ) -> Result<Vec<Driver>> {
        let q = Q::new(format!("{SELECT} WHERE agency = $1 ORDER BY full_name, licence_number"))
            .bind(permit.principal().agency.clone());
        let rows = self.conn().await?.all(&q).await?;
        let mut list = rows.iter().map(|r| driver_row(r, today)).collect::<Result<Vec<_>>>()?;
        list.retain(|d| state.is_none_or(|s| d.dbs_state == s));
        list.sort_by_key(|d| (URGENCY.iter().position(|s| *s == d.dbs_state), d.next_check_due));
        if !list.is_empty() {
            let ids: Vec<&str> = list.iter().map(|d| d.id.as_str()).collect();
            self.audit(
                actor.at_ms,
                &actor.event(AuditAction::View, "taxi_driver", None, serde_json::json!({ "ids": ids })),
            )
            .await?;
        }
        Ok(list)
    }

    /// One driver on the caller's register with their checks; audited.
    pub async fn driver(
        &self,
        permit: &Permit<ViewRecords>,
        id: &str,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<DriverRecord> {
        let record = self.driver_in(&permit.principal().agency, id, today).await?;
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "taxi_driver", Some(id), serde_json::json!({})))
            .await?;
        Ok(record)
    }

    async fn driver_in(&self, agency: &str, id: &str, today: NaiveDate) -> Result<DriverRecord> {
        let mut conn = self.conn().await?;
        let row = conn
            .optional(&Q::new(format!("{SELECT} WHERE id = $1 AND agency = $2")).bind(id).bind(agency))
            .await?
            .ok_or(StoreError::NotFound("driver"))?;
        let checks = conn
            .all(
                &Q::new(
                    "SELECT checked_on, result, notes FROM taxi_dbs_checks WHERE driver_id = $1 ORDER BY checked_on DESC, id DESC",
                )
                .bind(id),
            )
            .await?
            .iter()
            .map(|r| Ok(DbsCheck { checked_on: r.date("checked_on")?, result: r.stored("result")?, notes: r.text("notes")? }))
            .collect::<Result<Vec<_>>>()?;
        let concerns = driver_concerns(&mut conn, id).await?;
        Ok(DriverRecord { driver: driver_row(&row, today)?, checks, concerns })
    }
}

/// Refuses a driver who is not on `agency`'s register (not found: another
/// council's drivers are not revealed).
pub(crate) async fn owned(conn: &mut impl Exec, agency: &str, id: &str) -> Result<()> {
    let q = Q::new("SELECT id FROM taxi_drivers WHERE id = $1 AND agency = $2").bind(id).bind(agency);
    conn.optional(&q).await?.map(|_| ()).ok_or(StoreError::NotFound("driver"))
}

/// Drivers whose licence is in force on `today`, and how many of them were
/// checked within the last six months: the `taxi_dbs_checked` measure.
/// Counted by the domain's clock, so the measure and the register agree
/// at month ends.
pub(crate) async fn checked_counts(conn: &mut impl Exec, today: NaiveDate) -> Result<Counts> {
    let rows = conn
        .all(
            &Q::new("SELECT last_checked_on, licence_expires FROM taxi_drivers WHERE licence_expires >= $1")
                .bind(today.to_string()),
        )
        .await?;
    let mut checked = 0;
    for r in &rows {
        if dbs_state(r.opt_date("last_checked_on")?, r.date("licence_expires")?, today) != DbsState::Overdue {
            checked += 1;
        }
    }
    Ok(Counts { count: checked, of: Some(rows.len() as i64), also: None })
}
