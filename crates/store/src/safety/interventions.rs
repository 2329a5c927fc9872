//! Interventions on a case (the 2014 Act ladder) after their statutory
//! checks, breaches, the interventions on a case and those expiring soon.

use super::rule;
use crate::audit::append;
use crate::cases::{case_right, event};
use crate::partnership::agency_sector;
use crate::records::require_person;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::fixed_penalty::{FpnBasis, FpnLimits};
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::interventions::{self, BreachReport, Earlier, InterventionKind, Proposed, StatutoryRule};
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
use safetynet_domain::powers::Authoriser;
use safetynet_domain::uk_time::london_date;
use serde::Serialize;

pub use safetynet_domain::interventions::NewIntervention;

/// A stored intervention.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Intervention {
    /// Id.
    pub id: String,
    /// Case.
    pub case_id: String,
    /// Subject person.
    pub person_id: Option<String>,
    /// Subject name.
    pub subject_name: String,
    /// Which power.
    pub kind: InterventionKind,
    /// Conduct.
    pub conduct: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// In force from (Unix ms).
    pub starts_at_ms: i64,
    /// Expires (Unix ms).
    pub expires_at_ms: Option<i64>,
    /// Fixed penalty amount (pence).
    pub amount_pence: Option<i64>,
    /// A fixed penalty's legal basis.
    pub legal_basis: Option<FpnBasis>,
    /// The earlier intervention it follows from.
    pub follows_id: Option<String>,
    /// The public spaces protection order breached.
    pub pspo_id: Option<String>,
    /// Who authorised it.
    pub authorised_by: Option<Authoriser>,
    /// A warning's compliance date.
    pub compliance_by: Option<NaiveDate>,
    /// The conviction it rests on.
    pub convicted_on: Option<NaiveDate>,
    /// The youth offending team was consulted.
    pub yot_consulted: bool,
    /// Items surrendered (dispersal).
    pub items_surrendered: String,
    /// A dispersal authorisation's area (a GeoJSON Polygon).
    #[cfg_attr(feature = "schema", schema(value_type = Option<Object>))]
    pub area: Option<serde_json::Value>,
    /// Breaches recorded.
    pub breaches: i64,
    /// The next date it needs attention (an appeal window's end, a youth
    /// order's annual review), if any.
    pub next_date: Option<NextDate>,
}

/// A date an intervention needs attention by, and what for.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NextDate {
    /// What is due ("Appeal window ends", "Youth review due by").
    pub what: &'static str,
    /// The date.
    pub on: NaiveDate,
}

/// An intervention as recorded, with the warnings the statutory checks gave.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Recorded {
    /// The new intervention's id.
    pub id: String,
    /// What the officer should know (e.g. `cpw_older_than_12_months`).
    pub warnings: Vec<StatutoryRule>,
}

impl Store {
    /// Records an intervention after the statutory checks
    /// (`StoreError::Rule(rule, message)` when one fails); audited.
    pub async fn add_intervention(
        &self,
        permit: &Permit<EditRecords>,
        case_id: &str,
        new: &NewIntervention,
        limits: &FpnLimits,
        actor: &Actor<'_>,
    ) -> Result<Recorded> {
        let mut tx = self.write().await?;
        case_right(&mut tx, permit, case_id).await?;
        let agency = &permit.principal().agency;
        let issuer = agency_sector(&mut tx, agency).await?;
        let (mut name, mut dob, mut business) =
            (new.subject_name.trim().to_string(), new.subject_date_of_birth, new.subject_is_business);
        if let Some(pid) = &new.person_id {
            require_person(&mut tx, permit, pid).await?;
            let p = tx
                .optional(&Q::new("SELECT full_name, date_of_birth, is_business FROM people WHERE id = $1").bind(pid))
                .await?
                .ok_or(StoreError::NotFound("person"))?;
            name = p.text("full_name")?;
            dob = p.opt_date("date_of_birth")?.or(dob);
            business = p.boolean("is_business")?;
        }
        if name.is_empty() {
            return Err(rule("subject_required", "name the person or business the intervention is against"));
        }
        let earlier = match &new.follows_id {
            Some(fid) => Some(earlier(&mut tx, agency, fid, case_id, new.person_id.as_deref()).await?),
            None => None,
        };
        let pspo = match &new.pspo_id {
            Some(pid) => Some(super::pspos::term(&mut tx, pid).await?),
            None => None,
        };
        let proposed = Proposed {
            kind: new.kind,
            issuer,
            has_person_record: new.person_id.is_some(),
            subject_date_of_birth: dob,
            subject_is_business: business,
            issued_on: new.issued_on,
            starts_at: new.starts_at,
            expires_at: new.expires_at,
            fpn_amount_pence: new.amount_pence,
            legal_basis: new.legal_basis,
            authorised_by: new.authorised_by,
            earlier,
            pspo,
            compliance_by: new.compliance_by,
            convicted_on: new.convicted_on,
            yot_consulted: new.yot_consulted,
            has_area: new.area.as_deref().is_some_and(|a| safetynet_domain::geo::distinct_corners(a).len() >= 3),
        };
        let warnings = interventions::check(&proposed, limits)?;
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO interventions (id, case_id, person_id, subject_name, kind, conduct, issued_on, starts_at, expires_at, amount_pence,
                   legal_basis, follows_id, pspo_id, authorised_by, compliance_by, convicted_on, yot_consulted, items_surrendered, subject_date_of_birth,
                   area, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)",
            )
            .bind(&id)
            .bind(case_id)
            .bind(new.person_id.clone())
            .bind(&name)
            .bind(new.kind.as_str())
            .bind(new.conduct.trim())
            .bind(new.issued_on.to_string())
            .bind(new.starts_at.timestamp_millis())
            .bind(new.expires_at.map(|t| t.timestamp_millis()))
            .bind(new.amount_pence)
            .bind(new.legal_basis.map(|b| b.as_str().to_string()))
            .bind(new.follows_id.clone())
            .bind(new.pspo_id.clone())
            .bind(new.authorised_by.map(|a| a.as_str().to_string()))
            .bind(new.compliance_by.map(|d| d.to_string()))
            .bind(new.convicted_on.map(|d| d.to_string()))
            .bind(new.yot_consulted)
            .bind(new.items_surrendered.trim())
            .bind(dob.map(|d| d.to_string()))
            .bind(new.area.as_deref().map(|a| safetynet_domain::geo::polygon_geometry(a).to_string()))
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        event(
            &mut tx,
            case_id,
            "intervention",
            &format!("{} issued on {}: {}", new.kind.label(), new.issued_on, new.conduct.trim()),
            actor,
        )
        .await?;
        let detail = serde_json::json!({ "kind": new.kind.as_str(), "case": case_id, "warnings": warnings.iter().map(|w| w.rule).collect::<Vec<_>>() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "intervention", Some(&id), detail)).await?;
        tx.commit().await?;
        Ok(Recorded { id, warnings })
    }

    /// Records a breach of an intervention; audited.
    pub async fn add_breach(
        &self,
        permit: &Permit<EditRecords>,
        intervention_id: &str,
        report: &BreachReport,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let (breached_at, notes) = (report.breached_at, report.notes.as_str());
        let mut tx = self.write().await?;
        let row = tx
            .optional(&Q::new("SELECT case_id, kind FROM interventions WHERE id = $1").bind(intervention_id))
            .await?
            .ok_or(StoreError::NotFound("intervention"))?;
        let case_id = row.text("case_id")?;
        case_right(&mut tx, permit, &case_id).await?;
        tx.execute(
            &Q::new("INSERT INTO intervention_breaches (id, intervention_id, breached_at, notes, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(new_id_at_ms(actor.at_ms))
                .bind(intervention_id)
                .bind(breached_at.timestamp_millis())
                .bind(notes.trim())
                .bind(actor.at_ms),
        )
        .await?;
        let label = InterventionKind::parse(&row.text("kind")?).map_or("Intervention", InterventionKind::label);
        event(&mut tx, &case_id, "intervention", &format!("Breach of {label} recorded: {}", notes.trim()), actor)
            .await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(
                AuditAction::Update,
                "intervention",
                Some(intervention_id),
                serde_json::json!({ "breach": true }),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Interventions on a case, newest first.
    pub async fn interventions(
        &self,
        permit: &Permit<ViewRecords>,
        case_id: &str,
        actor: &Actor<'_>,
    ) -> Result<Vec<Intervention>> {
        let mut conn = self.conn().await?;
        case_right(&mut conn, permit, case_id).await?;
        let rows = conn
            .all(
                &Q::new(format!("{INTERVENTION_SELECT} WHERE x.case_id = $1 ORDER BY x.issued_on DESC, x.id"))
                    .bind(case_id),
            )
            .await?;
        let today = london_date(from_ms(actor.at_ms));
        let out = rows.iter().map(|r| intervention_row(r, today)).collect::<Result<Vec<_>>>()?;
        drop(conn);
        let detail = serde_json::json!({ "case": case_id });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "intervention", Some(case_id), detail)).await?;
        Ok(out)
    }

    /// One intervention on a case the caller may work on, with the case's
    /// reference (for producing its letter); not found otherwise. Only the
    /// agency that recorded it may issue its letter (a partner on the case
    /// is refused), so a notice never goes out in another agency's name.
    pub async fn intervention_on_case(
        &self,
        permit: &Permit<EditRecords>,
        id: &str,
        today: NaiveDate,
    ) -> Result<(Intervention, String)> {
        let mut tx = self.write().await?;
        let found = tx
            .optional(
                &Q::new(
                    "SELECT x.case_id, (SELECT u.agency_code FROM users u WHERE u.id = x.created_by) AS recorded_by
                     FROM interventions x WHERE x.id = $1",
                )
                .bind(id),
            )
            .await?
            .ok_or(StoreError::NotFound("intervention"))?;
        let case_id = found.text("case_id")?;
        let (_, reference) =
            case_right(&mut tx, permit, &case_id).await.map_err(|_| StoreError::NotFound("intervention"))?;
        if found.opt_text("recorded_by")?.is_some_and(|a| a != permit.principal().agency) {
            return Err(StoreError::Forbidden("only the agency that recorded an intervention issues its letter"));
        }
        let row = tx.one(&Q::new(format!("{INTERVENTION_SELECT} WHERE x.id = $1")).bind(id)).await?;
        let x = intervention_row(&row, today)?;
        tx.commit().await?;
        Ok((x, reference))
    }

    /// Interventions on cases the viewer may see that expire between `now`
    /// and `now + within_days`, soonest first.
    pub async fn expiring_interventions(
        &self,
        permit: &Permit<ViewRecords>,
        now: DateTime<Utc>,
        within_days: i64,
        actor: &Actor<'_>,
    ) -> Result<Vec<Intervention>> {
        let mut q = Q::new(format!("{INTERVENTION_SELECT} JOIN cases c ON c.id = x.case_id WHERE x.expires_at >= "));
        q.arg(now.timestamp_millis())
            .push(" AND x.expires_at <= ")
            .arg((now + Duration::days(within_days)).timestamp_millis())
            .push(" AND");
        crate::records::case_visible(&mut q, "c", &permit.principal().agency);
        q.push(" ORDER BY x.expires_at");
        let detail = serde_json::json!({ "list": "expiring", "within_days": within_days });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "intervention", None, detail)).await?;
        let today = london_date(now);
        self.conn().await?.all(&q).await?.iter().map(|r| intervention_row(r, today)).collect()
    }
}

/// The earlier intervention `id` as the new one on `case_id` (against
/// `person_id`) sees it: only one on a case the caller's agency may see, so
/// naming another agency's record is "not found".
async fn earlier(
    tx: &mut impl Exec,
    agency: &str,
    id: &str,
    case_id: &str,
    person_id: Option<&str>,
) -> Result<Earlier> {
    let mut q = Q::new(format!("{INTERVENTION_SELECT} JOIN cases c ON c.id = x.case_id WHERE x.id = "));
    q.arg(id).push(" AND");
    crate::records::case_visible(&mut q, "c", agency);
    let found = tx.optional(&q).await?.ok_or(StoreError::NotFound("intervention"))?;
    let x = intervention_row(&found, NaiveDate::MIN)?;
    // A closure order ends when its latest extension does.
    let mut expires_at_ms = x.expires_at_ms;
    if x.kind == InterventionKind::ClosureOrder {
        let extended = tx
            .one(
                &Q::new(
                    "SELECT MAX(expires_at) AS until FROM interventions WHERE follows_id = $1 AND kind = 'closure_order_extension'",
                )
                .bind(id),
            )
            .await?
            .opt_int("until")?;
        expires_at_ms = expires_at_ms.max(extended);
    }
    Ok(Earlier {
        kind: x.kind,
        issued_on: x.issued_on,
        starts_at: from_ms(x.starts_at_ms),
        expires_at: expires_at_ms.map(from_ms),
        compliance_by: x.compliance_by,
        same_subject: person_id.is_some() && x.person_id.as_deref() == person_id,
        same_case: x.case_id == case_id,
        breaches: x.breaches,
    })
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

const INTERVENTION_SELECT: &str =
    "SELECT x.id, x.case_id, x.person_id, x.subject_name, x.kind, x.conduct, x.issued_on, x.starts_at, x.expires_at, x.amount_pence,
    x.legal_basis, x.follows_id, x.pspo_id, x.authorised_by, x.compliance_by, x.convicted_on, x.yot_consulted, x.items_surrendered, x.area,
    COALESCE((SELECT p.date_of_birth FROM people p WHERE p.id = x.person_id), x.subject_date_of_birth) AS subject_dob,
    (SELECT COUNT(*) FROM intervention_breaches b WHERE b.intervention_id = x.id) AS breaches FROM interventions x";

/// One intervention row, its next date worked out as of `today`.
fn intervention_row(r: &Row, today: NaiveDate) -> Result<Intervention> {
    let kind = r.stored("kind")?;
    let issued_on = r.date("issued_on")?;
    let expires_at_ms = r.opt_int("expires_at")?;
    let expires_on = expires_at_ms.map(|ms| london_date(from_ms(ms)));
    let starts_at_ms = r.int("starts_at")?;
    let starts_on = london_date(from_ms(starts_at_ms));
    let next_date = interventions::next_date(kind, issued_on, starts_on, expires_on, r.opt_date("subject_dob")?, today)
        .map(|(what, on)| NextDate { what, on });
    Ok(Intervention {
        id: r.text("id")?,
        case_id: r.text("case_id")?,
        person_id: r.opt_text("person_id")?,
        subject_name: r.text("subject_name")?,
        kind,
        conduct: r.text("conduct")?,
        issued_on,
        starts_at_ms,
        expires_at_ms,
        amount_pence: r.opt_int("amount_pence")?,
        legal_basis: r.opt_stored("legal_basis")?,
        follows_id: r.opt_text("follows_id")?,
        pspo_id: r.opt_text("pspo_id")?,
        authorised_by: r.opt_stored("authorised_by")?,
        compliance_by: r.opt_date("compliance_by")?,
        convicted_on: r.opt_date("convicted_on")?,
        yot_consulted: r.boolean("yot_consulted")?,
        items_surrendered: r.text("items_surrendered")?,
        area: r.opt_text("area")?.and_then(|t| serde_json::from_str(&t).ok()),
        breaches: r.int("breaches")?,
        next_date,
    })
}
