//! Interventions on a case (the 2014 Act ladder) after their statutory
//! checks, breaches, the interventions on a case and those expiring soon.

use super::rule;
use crate::audit::append;
use crate::cases::{case_right, event};
use crate::records::require_person;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::interventions::{self, BreachReport, FpnLimits, InterventionKind, Prior, Proposed};
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
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
    /// Expires (Unix ms).
    pub expires_at_ms: Option<i64>,
    /// Fixed penalty amount (pence).
    pub amount_pence: Option<i64>,
    /// Breaches recorded.
    pub breaches: i64,
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
    ) -> Result<String> {
        let mut tx = self.write().await?;
        case_right(&mut tx, permit, case_id).await?;
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
        // Earlier interventions against the same person record, or (with no
        // record) the same name, only on cases the caller may see: the check
        // must not tell a user what another agency has done.
        let mut prior_q = Q::new(
            "SELECT x.kind, x.conduct, x.issued_on FROM interventions x JOIN cases c ON c.id = x.case_id WHERE ",
        );
        match &new.person_id {
            Some(pid) => prior_q.push("x.person_id = ").arg(pid),
            None => prior_q.push("LOWER(x.subject_name) = ").arg(name.to_lowercase()),
        };
        prior_q.push(" AND");
        crate::records::case_visible(&mut prior_q, "c", &permit.principal().agency);
        let prior: Vec<Prior> = tx
            .all(&prior_q)
            .await?
            .iter()
            .map(|r| {
                Ok(Prior { kind: r.stored("kind")?, conduct: r.text("conduct")?, issued_on: r.date("issued_on")? })
            })
            .collect::<std::result::Result<_, sqlx::Error>>()?;
        let proposed = Proposed {
            kind: new.kind,
            conduct: new.conduct.clone(),
            subject_date_of_birth: dob,
            subject_is_business: business,
            issued_on: new.issued_on,
            starts_at: new.starts_at,
            expires_at: new.expires_at,
            fpn_amount_pence: new.amount_pence,
        };
        interventions::check(&proposed, &prior, limits).map_err(|e| StoreError::Rule(e.rule, e.message))?;
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO interventions (id, case_id, person_id, subject_name, kind, conduct, issued_on, starts_at, expires_at, amount_pence, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
            .bind(actor.at_ms)
            .bind(Some(actor.principal.user_id.clone()).filter(|s| !s.is_empty())),
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
        let detail = serde_json::json!({ "kind": new.kind.as_str(), "case": case_id });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "intervention", Some(&id), detail)).await?;
        tx.commit().await?;
        Ok(id)
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
        let mut tx = self.write().await?;
        case_right(&mut tx, permit, case_id).await?;
        let detail = serde_json::json!({ "case": case_id });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::View, "intervention", Some(case_id), detail)).await?;
        let rows = tx
            .all(
                &Q::new(format!("{INTERVENTION_SELECT} WHERE x.case_id = $1 ORDER BY x.issued_on DESC, x.id"))
                    .bind(case_id),
            )
            .await?;
        let out = rows.iter().map(intervention_row).collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(out)
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
        self.conn().await?.all(&q).await?.iter().map(intervention_row).collect()
    }
}

const INTERVENTION_SELECT: &str =
    "SELECT x.id, x.case_id, x.person_id, x.subject_name, x.kind, x.conduct, x.issued_on, x.expires_at, x.amount_pence,
    (SELECT COUNT(*) FROM intervention_breaches b WHERE b.intervention_id = x.id) AS breaches FROM interventions x";

fn intervention_row(r: &Row) -> Result<Intervention> {
    Ok(Intervention {
        id: r.text("id")?,
        case_id: r.text("case_id")?,
        person_id: r.opt_text("person_id")?,
        subject_name: r.text("subject_name")?,
        kind: r.stored("kind")?,
        conduct: r.text("conduct")?,
        issued_on: r.date("issued_on")?,
        expires_at_ms: r.opt_int("expires_at")?,
        amount_pence: r.opt_int("amount_pence")?,
        breaches: r.int("breaches")?,
    })
}
