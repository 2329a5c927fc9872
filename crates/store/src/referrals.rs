//! Referrals into the partners' programmes: any agency refers a person
//! (with their consent) to the agency that runs the programme; that agency
//! accepts, declines or completes it, and the referrer sees what happened.
//! Only those two agencies see a referral; every read of one is audited.

use crate::audit::append;
use crate::notifications::{enqueue, To};
use crate::partnership::agency_sector;
use crate::records::{incident_seen_by, next_reference};
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::notification::Event;
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
use safetynet_domain::referrals::{ConsentBy, NewReferral, Programme, ReferralReason, ReferralStatus, ReferralUpdate};
use serde::Serialize;

/// A referral as its two agencies see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Referral {
    /// Id.
    pub id: String,
    /// Reference, e.g. `REF-2026-00001`.
    pub reference: String,
    /// The programme.
    pub programme: Programme,
    /// The referring agency.
    pub from_agency: String,
    /// The agency that runs the programme.
    pub to_agency: String,
    /// The incident it came from, if any.
    pub incident_id: Option<String>,
    /// The person's name.
    pub full_name: String,
    /// Their date of birth.
    pub date_of_birth: Option<NaiveDate>,
    /// Their address.
    pub address: String,
    /// How to reach them.
    pub contact: String,
    /// Why they were referred.
    pub reason: ReferralReason,
    /// What the receiving agency should know.
    pub details: String,
    /// Who agreed to the referral.
    pub consent_by: ConsentBy,
    /// The day of the referral.
    pub referred_on: NaiveDate,
    /// Where it stands.
    pub status: ReferralStatus,
    /// What happened, for the referrer.
    pub outcome: String,
    /// The programme's aim achieved (Phoenix).
    pub achieved: bool,
    /// The day it was declined or completed.
    pub closed_on: Option<NaiveDate>,
}

/// Which referrals to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Those sent to the caller's agency.
    Received,
    /// Those the caller's agency sent.
    Sent,
}

const SELECT: &str =
    "SELECT id, reference, programme, from_agency, to_agency, incident_id, full_name, date_of_birth, address,
    contact, reason, details, consent_by, referred_on, status, outcome, achieved, closed_on FROM referrals";

fn referral_row(r: &Row) -> Result<Referral> {
    Ok(Referral {
        id: r.text("id")?,
        reference: r.text("reference")?,
        programme: r.stored("programme")?,
        from_agency: r.text("from_agency")?,
        to_agency: r.text("to_agency")?,
        incident_id: r.opt_text("incident_id")?,
        full_name: r.text("full_name")?,
        date_of_birth: r.opt_date("date_of_birth")?,
        address: r.text("address")?,
        contact: r.text("contact")?,
        reason: r.stored("reason")?,
        details: r.text("details")?,
        consent_by: r.stored("consent_by")?,
        referred_on: r.date("referred_on")?,
        status: r.stored("status")?,
        outcome: r.text("outcome")?,
        achieved: r.boolean("achieved")?,
        closed_on: r.opt_date("closed_on")?,
    })
}

impl Store {
    /// Sends a referral on `today` after the domain's checks; the receiving
    /// agency must run the programme (`programme_not_run_by_agency`) and an
    /// incident named must be one the referrer may see; audited.
    pub async fn refer(
        &self,
        permit: &Permit<EditRecords>,
        new: &NewReferral,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<Referral> {
        new.check(today)?;
        let from = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        if agency_sector(&mut tx, &new.to_agency).await? != Some(new.programme.sector()) {
            return Err(StoreError::Rule(
                "programme_not_run_by_agency",
                format!(
                    "{} does not run the {}: choose a {} agency",
                    new.to_agency,
                    new.programme.label(),
                    new.programme.sector().label().to_lowercase()
                ),
            ));
        }
        let incident = match &new.incident_id {
            Some(i) => Some(incident_seen_by(&mut tx, i, &from).await?.0),
            None => None,
        };
        let id = new_id_at_ms(actor.at_ms);
        let reference = next_reference(&mut tx, "REF", new.referred_on.year()).await?;
        tx.execute(
            &Q::new(
                "INSERT INTO referrals (id, reference, programme, from_agency, to_agency, incident_id, full_name, date_of_birth, address,
                   contact, reason, details, consent_by, referred_on, status, outcome, achieved, closed_on, created_at, created_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, '', FALSE, NULL, $16, $17, $16)",
            )
            .bind(&id)
            .bind(&reference)
            .bind(new.programme.as_str())
            .bind(&from)
            .bind(&new.to_agency)
            .bind(incident)
            .bind(new.full_name.trim())
            .bind(new.date_of_birth.map(|d| d.to_string()))
            .bind(new.address.trim())
            .bind(new.contact.trim())
            .bind(new.reason.as_str())
            .bind(new.details.trim())
            .bind(new.consent_by.map_or("", |c| c.as_str()))
            .bind(new.referred_on.to_string())
            .bind(ReferralStatus::Referred.as_str())
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        let detail = serde_json::json!({ "reference": reference, "programme": new.programme, "to": new.to_agency });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "referral", Some(&id), detail)).await?;
        tx.commit().await?;
        self.referral_in(&id).await
    }

    /// The receiving agency accepts, declines or completes a referral on
    /// `today` (the domain's checks); audited.
    pub async fn update_referral(
        &self,
        permit: &Permit<EditRecords>,
        id: &str,
        update: &ReferralUpdate,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<Referral> {
        let agency = &permit.principal().agency;
        let mut tx = self.write().await?;
        let row = tx
            .optional(
                &Q::new(
                    "SELECT reference, from_agency, to_agency, status, referred_on, programme, created_by FROM referrals WHERE id = $1",
                )
                .bind(id),
            )
            .await?
            .ok_or(StoreError::NotFound("referral"))?;
        let to = row.text("to_agency")?;
        if &to != agency {
            if &row.text("from_agency")? == agency {
                return Err(StoreError::Forbidden("only the agency that runs the programme updates a referral"));
            }
            return Err(StoreError::NotFound("referral"));
        }
        let programme: Programme = row.stored("programme")?;
        let current: ReferralStatus = row.stored("status")?;
        update.check(current, row.date("referred_on")?, today)?;
        let closed = update.status.is_closed().then(|| update.on.to_string());
        let achieved =
            update.achieved && update.status == ReferralStatus::Completed && programme.achievement().is_some();
        let changed = tx
            .execute(
            &Q::new(
                "UPDATE referrals SET status = $1, outcome = CASE WHEN $2 = '' THEN outcome ELSE $2 END, achieved = $3, closed_on = $4, updated_at = $5
                 WHERE id = $6 AND status = $7",
            )
            .bind(update.status.as_str())
            .bind(update.outcome.trim())
            .bind(achieved)
            .bind(closed)
            .bind(actor.at_ms)
            .bind(id)
            .bind(current.as_str()),
        )
        .await?;
        // Two answers at once: the second finds the status moved on.
        if changed == 0 {
            return Err(StoreError::Stale);
        }
        // The referring officer hears that it was answered (never what was said).
        if let (true, Some(referrer)) = (update.status.is_closed(), row.opt_text("created_by")?) {
            let event = Event::ReferralAnswered {
                reference: row.text("reference")?,
                programme: programme.label().to_string(),
                agency: agency.clone(),
                status: update.status.label().to_lowercase(),
            };
            let link = format!("/programmes/referrals/{id}");
            enqueue(&mut tx, To::User(&referrer), &event, &link, None, &actor.principal.user_id, actor.at_ms).await?;
        }
        let detail = serde_json::json!({ "status": update.status, "on": update.on });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "referral", Some(id), detail)).await?;
        tx.commit().await?;
        self.referral_in(id).await
    }

    /// The referrals the caller's agency received or sent, newest first
    /// (at most `limit`), optionally of one status; audited (ids only).
    pub async fn referrals(
        &self,
        permit: &Permit<ViewRecords>,
        direction: Direction,
        status: Option<ReferralStatus>,
        limit: i64,
        actor: &Actor<'_>,
    ) -> Result<Vec<Referral>> {
        let column = match direction {
            Direction::Received => "to_agency",
            Direction::Sent => "from_agency",
        };
        let mut q = Q::new(format!("{SELECT} WHERE {column} = "));
        q.arg(permit.principal().agency.clone());
        if let Some(s) = status {
            q.push(" AND status = ").arg(s.as_str());
        }
        q.push(" ORDER BY referred_on DESC, reference DESC LIMIT ").arg(limit);
        let rows = self.conn().await?.all(&q).await?;
        let list = rows.iter().map(referral_row).collect::<Result<Vec<_>>>()?;
        if !list.is_empty() {
            let ids: Vec<&str> = list.iter().map(|r| r.id.as_str()).collect();
            let detail = serde_json::json!({ "list": column, "ids": ids });
            self.audit(actor.at_ms, &actor.event(AuditAction::View, "referral", None, detail)).await?;
        }
        Ok(list)
    }

    /// One referral, for its two agencies only (others: not found); audited.
    pub async fn referral(&self, permit: &Permit<ViewRecords>, id: &str, actor: &Actor<'_>) -> Result<Referral> {
        let r = self.referral_in(id).await?;
        let agency = &permit.principal().agency;
        if &r.from_agency != agency && &r.to_agency != agency {
            return Err(StoreError::NotFound("referral"));
        }
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "referral", Some(id), serde_json::json!({}))).await?;
        Ok(r)
    }

    async fn referral_in(&self, id: &str) -> Result<Referral> {
        let row = self
            .conn()
            .await?
            .optional(&Q::new(format!("{SELECT} WHERE id = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("referral"))?;
        referral_row(&row)
    }
}

/// A count of referrals for the measures: those to `programme` in one of
/// `statuses`, closed (or, if open, referred) within `period` (inclusive),
/// optionally only for `reason` or only those achieving the programme's aim.
pub(crate) struct ReferralCount<'a> {
    pub programme: Programme,
    pub statuses: &'a [ReferralStatus],
    pub reason: Option<ReferralReason>,
    pub achieved: bool,
    pub period: (NaiveDate, NaiveDate),
}

impl ReferralCount<'_> {
    /// Runs the count.
    pub async fn run(&self, conn: &mut impl Exec) -> Result<i64> {
        let mut q = Q::new("SELECT COUNT(*) AS n FROM referrals WHERE programme = ");
        q.arg(self.programme.as_str()).push(" AND status IN (");
        q.list(self.statuses.iter().map(|s| s.as_str()));
        q.push(") AND COALESCE(closed_on, referred_on) >= ").arg(self.period.0.to_string());
        q.push(" AND COALESCE(closed_on, referred_on) <= ").arg(self.period.1.to_string());
        if let Some(r) = self.reason {
            q.push(" AND reason = ").arg(r.as_str());
        }
        if self.achieved {
            q.push(" AND achieved = ").arg(true);
        }
        Ok(conn.one(&q).await?.int("n")?)
    }
}
