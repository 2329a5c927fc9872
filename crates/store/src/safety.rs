//! Risk assessments and review scheduling, interventions with their
//! statutory checks, the daily review of new incidents, and ASB Case Reviews.
//! The rules themselves live in `safetynet_domain::{risk, interventions,
//! case_review}`; this module loads what they need inside the transaction
//! that records the result.

use crate::audit::append;
use crate::cases::{case_right, event};
use crate::records::{incident_shares, incident_visible, next_reference, require_person};
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::case_review::{self, AnnualFigures, Clocks, Complaint, Eligibility, Rules, Timescales};
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::interventions::{self, FpnLimits, InterventionKind, Prior, Proposed};
use safetynet_domain::policy::{record_access, Permit, RecordAccess, ViewRecords};
use safetynet_domain::risk::{self, Answers, Assessment, Judgement, Questionnaire, ReviewIntervals, RiskLevel};
use safetynet_domain::uk_time::london_date;
use serde::{Deserialize, Serialize};

/// A stored risk assessment.
#[derive(Debug, Clone, Serialize)]
pub struct StoredAssessment {
    /// The result.
    #[serde(flatten)]
    pub assessment: Assessment,
    /// When (Unix ms).
    pub assessed_at_ms: i64,
    /// Next review date.
    pub next_review_on: String,
}

/// A new intervention.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewIntervention {
    /// Kind.
    pub kind: InterventionKind,
    /// The subject, when recorded as a person.
    #[serde(default)]
    pub person_id: Option<String>,
    /// Subject's name (taken from the person when `person_id` is given).
    #[serde(default)]
    pub subject_name: String,
    /// Subject's date of birth (taken from the person when recorded).
    #[serde(default)]
    pub subject_date_of_birth: Option<NaiveDate>,
    /// The subject is a business.
    #[serde(default)]
    pub subject_is_business: bool,
    /// The behaviour addressed.
    pub conduct: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// In force from.
    pub starts_at: DateTime<Utc>,
    /// Expires.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// Fixed penalty amount in pence.
    #[serde(default)]
    pub amount_pence: Option<i64>,
}

/// A stored intervention.
#[derive(Debug, Clone, Serialize)]
pub struct Intervention {
    /// Id.
    pub id: String,
    /// Case.
    pub case_id: String,
    /// Subject person.
    pub person_id: Option<String>,
    /// Subject name.
    pub subject_name: String,
    /// Kind code.
    pub kind: String,
    /// Conduct.
    pub conduct: String,
    /// Issue date.
    pub issued_on: String,
    /// Expires (Unix ms).
    pub expires_at_ms: Option<i64>,
    /// Fixed penalty amount (pence).
    pub amount_pence: Option<i64>,
    /// Breaches recorded.
    pub breaches: i64,
}

/// One line of the daily review.
#[derive(Debug, Clone, Serialize)]
pub struct DailyItem {
    /// Incident id.
    pub incident_id: String,
    /// Reference.
    pub reference: String,
    /// Recording agency.
    pub owner_agency: String,
    /// Category code.
    pub category: String,
    /// Reported (Unix ms).
    pub reported_at_ms: i64,
    /// Address.
    pub address: String,
    /// Ranking score (higher first).
    pub score: u32,
    /// Why it ranks where it does.
    pub reasons: Vec<String>,
}

/// A Case Review eligibility answer for one person.
#[derive(Debug, Clone, Serialize)]
pub struct EligibilityReport {
    /// The rules' verdict over complaints to every agency.
    #[serde(flatten)]
    pub eligibility: Eligibility,
    /// Qualifying complaints held by agencies the viewer may not see: counts only.
    pub other_agencies: Vec<crate::incidents::AgencyCount>,
}

/// A Case Review application.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReview {
    /// Id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Agency handling it.
    pub owner_agency: String,
    /// The victim, when recorded.
    pub person_id: Option<String>,
    /// victim, on_behalf, community.
    pub applicant_kind: String,
    /// Received.
    pub received_on: String,
    /// Deadlines.
    pub clocks: Clocks,
    /// Threshold decision.
    pub threshold_met: Option<bool>,
    /// Decision date.
    pub decided_on: Option<String>,
    /// Review meeting date.
    pub meeting_on: Option<String>,
    /// Chair.
    pub chair: Option<String>,
    /// Panel members.
    pub panel: Option<String>,
    /// The victim attended.
    pub victim_attended: Option<bool>,
    /// Recommendations made.
    pub recommendations: i64,
    /// Outcome.
    pub outcome: Option<String>,
    /// Appeal.
    pub appeal: Option<String>,
}

/// The decision and meeting details of a Case Review.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CaseReviewUpdate {
    /// Threshold met.
    pub threshold_met: Option<bool>,
    /// Decision date.
    pub decided_on: Option<NaiveDate>,
    /// Meeting date.
    pub meeting_on: Option<NaiveDate>,
    /// Chair.
    pub chair: Option<String>,
    /// Panel.
    pub panel: Option<String>,
    /// Victim attended.
    pub victim_attended: Option<bool>,
    /// Recommendations made.
    #[serde(default)]
    pub recommendations: i64,
    /// Outcome.
    pub outcome: Option<String>,
    /// Appeal.
    pub appeal: Option<String>,
}

/// Most recommendations one Case Review can record.
pub const MAX_RECOMMENDATIONS: i64 = 100;

impl CaseReviewUpdate {
    /// Checks every field's range before anything is stored: the
    /// recommendations count, the lengths of the free text, and dates from
    /// the 2014 Act to a year after `today`.
    pub fn check(&self, today: NaiveDate) -> Result<()> {
        if !(0..=MAX_RECOMMENDATIONS).contains(&self.recommendations) {
            return Err(rule(
                "case_review_validation",
                format!("recommendations must be a whole number from 0 to {MAX_RECOMMENDATIONS}"),
            ));
        }
        for (field, value, max) in [
            ("chair", &self.chair, 200),
            ("panel", &self.panel, 2_000),
            ("outcome", &self.outcome, 5_000),
            ("appeal", &self.appeal, 5_000),
        ] {
            if value.as_deref().is_some_and(|v| v.chars().count() > max) {
                return Err(rule("case_review_validation", format!("{field} must be {max} characters or fewer")));
            }
        }
        let earliest = NaiveDate::from_ymd_opt(2014, 10, 20).unwrap_or(NaiveDate::MIN);
        let next_year = today.checked_add_days(chrono::Days::new(366)).unwrap_or(today);
        for (field, date) in [("decided_on", self.decided_on), ("meeting_on", self.meeting_on)] {
            if date.is_some_and(|d| d < earliest || d > next_year) {
                return Err(rule(
                    "case_review_validation",
                    format!("{field} must be a date from 20 October 2014 (the 2014 Act) to a year from today"),
                ));
            }
        }
        Ok(())
    }
}

fn rule(name: &'static str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Rule(name, e.to_string())
}

impl Store {
    /// Adds any default questionnaire version that is missing.
    pub async fn ensure_default_questionnaires(&self, at_ms: i64) -> Result<()> {
        let mut tx = self.write().await?;
        for (q, body) in risk::default_questionnaires().into_iter().zip([risk::ASB_VICTIM_V1, risk::DASH_V1]) {
            tx.execute(
                &Q::new("INSERT INTO questionnaires (id, version, title, body, loaded_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id, version) DO NOTHING")
                    .bind(&q.id)
                    .bind(i64::from(q.version))
                    .bind(&q.title)
                    .bind(body)
                    .bind(at_ms),
            )
            .await?;
        }
        tx.commit().await
    }

    /// Loads a partnership's own questionnaire version (TOML); audited.
    pub async fn load_questionnaire(&self, body: &str, actor: &Actor<'_>) -> Result<Questionnaire> {
        let q = risk::parse_questionnaire(body).map_err(|e| rule("questionnaire", e))?;
        let mut tx = self.write().await?;
        tx.execute(
            &Q::new("INSERT INTO questionnaires (id, version, title, body, loaded_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&q.id)
                .bind(i64::from(q.version))
                .bind(&q.title)
                .bind(body)
                .bind(actor.at_ms),
        )
        .await
        .map_err(|e| e.conflict_as("this questionnaire version"))?;
        let detail = serde_json::json!({ "id": q.id, "version": q.version });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "questionnaire", Some(&q.id), detail)).await?;
        tx.commit().await?;
        Ok(q)
    }

    /// The latest version of every questionnaire.
    pub async fn questionnaires(&self) -> Result<Vec<Questionnaire>> {
        let rows = self
            .conn()
            .await?
            .all(&Q::new("SELECT q.body FROM questionnaires q WHERE q.version = (SELECT MAX(v.version) FROM questionnaires v WHERE v.id = q.id) ORDER BY q.id"))
            .await?;
        rows.iter().map(|r| risk::parse_questionnaire(&r.text("body")?).map_err(|e| rule("questionnaire", e))).collect()
    }

    /// Assesses risk on a case with the latest version of a questionnaire,
    /// sets the case's level and next review date; audited.
    #[allow(clippy::too_many_arguments)]
    pub async fn assess_risk(
        &self,
        permit: &Permit<ViewRecords>,
        case_id: &str,
        questionnaire_id: &str,
        answers: &Answers,
        judgement: Option<&Judgement>,
        today: NaiveDate,
        intervals: &ReviewIntervals,
        actor: &Actor<'_>,
    ) -> Result<StoredAssessment> {
        let q = self
            .questionnaires()
            .await?
            .into_iter()
            .find(|q| q.id == questionnaire_id)
            .ok_or(StoreError::NotFound("questionnaire"))?;
        let mut tx = self.write().await?;
        case_right(&mut tx, permit, case_id).await?;
        let year_ago = actor.at_ms - 365 * 86_400_000;
        let repeats = tx
            .one(
                &Q::new("SELECT COUNT(*) AS n FROM case_incidents ci JOIN incidents i ON i.id = ci.incident_id WHERE ci.case_id = $1 AND i.occurred_from >= $2")
                    .bind(case_id)
                    .bind(year_ago),
            )
            .await?
            .int("n")?;
        let assessment = risk::assess(&q, answers, judgement, u32::try_from(repeats).unwrap_or(u32::MAX))
            .map_err(|e| rule("risk_assessment", e))?;
        let next = risk::next_review(assessment.level, today, intervals);
        tx.execute(
            &Q::new(
                "INSERT INTO risk_assessments (id, case_id, questionnaire_id, questionnaire_version, answers, score, computed_level, level, reasons,
                   marac_referral, assessed_at, assessed_by, next_review_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(new_id_at_ms(actor.at_ms))
            .bind(case_id)
            .bind(&q.id)
            .bind(i64::from(q.version))
            .bind(serde_json::to_string(answers).unwrap_or_default())
            .bind(i64::from(assessment.score))
            .bind(assessment.computed.as_str())
            .bind(assessment.level.as_str())
            .bind(serde_json::to_string(&assessment.reasons).unwrap_or_default())
            .bind(assessment.marac_referral)
            .bind(actor.at_ms)
            .bind(Some(actor.principal.user_id.clone()).filter(|s| !s.is_empty()))
            .bind(next.to_string()),
        )
        .await?;
        tx.execute(
            &Q::new("UPDATE cases SET risk_level = $1, next_review_on = $2, updated_at = $3 WHERE id = $4")
                .bind(assessment.level.as_str())
                .bind(next.to_string())
                .bind(actor.at_ms)
                .bind(case_id),
        )
        .await?;
        let marac = if assessment.marac_referral { "; MARAC referral" } else { "" };
        let line = format!(
            "{} v{}: {} risk (score {}){marac}; next review {next}",
            q.title,
            q.version,
            assessment.level.label(),
            assessment.score
        );
        event(&mut tx, case_id, "assessment", &line, actor).await?;
        let detail = serde_json::json!({ "questionnaire": q.id, "version": q.version, "level": assessment.level.as_str(), "marac": assessment.marac_referral });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "risk_assessment", Some(case_id), detail))
            .await?;
        tx.commit().await?;
        Ok(StoredAssessment { assessment, assessed_at_ms: actor.at_ms, next_review_on: next.to_string() })
    }

    /// Risk assessments on a case, newest first.
    pub async fn risk_assessments(
        &self,
        permit: &Permit<ViewRecords>,
        case_id: &str,
        actor: &Actor<'_>,
    ) -> Result<Vec<StoredAssessment>> {
        let mut tx = self.write().await?;
        case_right(&mut tx, permit, case_id).await?;
        let detail = serde_json::json!({ "case": case_id });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::View, "risk_assessment", Some(case_id), detail)).await?;
        let rows = tx
            .all(
                &Q::new(
                    "SELECT questionnaire_id, questionnaire_version, score, computed_level, level, reasons, marac_referral, assessed_at, next_review_on, answers
                     FROM risk_assessments WHERE case_id = $1 ORDER BY assessed_at DESC, id DESC",
                )
                .bind(case_id),
            )
            .await?;
        let out = rows
            .iter()
            .map(|r| {
                let answers: Answers = serde_json::from_str(&r.text("answers")?).unwrap_or_default();
                Ok(StoredAssessment {
                    assessment: Assessment {
                        questionnaire_id: r.text("questionnaire_id")?,
                        questionnaire_version: u32::try_from(r.int("questionnaire_version")?).unwrap_or(0),
                        score: u32::try_from(r.int("score")?).unwrap_or(0),
                        yes_count: u32::try_from(answers.values().filter(|v| **v).count()).unwrap_or(0),
                        computed: RiskLevel::parse(&r.text("computed_level")?).unwrap_or(RiskLevel::Standard),
                        level: RiskLevel::parse(&r.text("level")?).unwrap_or(RiskLevel::Standard),
                        reasons: serde_json::from_str(&r.text("reasons")?).unwrap_or_default(),
                        marac_referral: r.boolean("marac_referral")?,
                    },
                    assessed_at_ms: r.int("assessed_at")?,
                    next_review_on: r.text("next_review_on")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(out)
    }

    /// Records that a review took place and schedules the next from the
    /// case's risk level; audited. Returns the next review date.
    pub async fn record_review(
        &self,
        permit: &Permit<ViewRecords>,
        case_id: &str,
        notes: &str,
        today: NaiveDate,
        intervals: &ReviewIntervals,
        actor: &Actor<'_>,
    ) -> Result<NaiveDate> {
        let mut tx = self.write().await?;
        crate::cases::require_lead(&mut tx, permit, case_id).await?;
        let level = tx
            .one(&Q::new("SELECT risk_level FROM cases WHERE id = $1").bind(case_id))
            .await?
            .opt_text("risk_level")?;
        let level = level.and_then(|l| RiskLevel::parse(&l).ok()).unwrap_or(RiskLevel::Standard);
        let next = risk::next_review(level, today, intervals);
        tx.execute(
            &Q::new("UPDATE cases SET next_review_on = $1, updated_at = $2 WHERE id = $3")
                .bind(next.to_string())
                .bind(actor.at_ms)
                .bind(case_id),
        )
        .await?;
        event(&mut tx, case_id, "review", &format!("Review held: {} Next review {next}.", notes.trim()), actor).await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(
                AuditAction::Update,
                "case_review_date",
                Some(case_id),
                serde_json::json!({ "next": next.to_string() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Records an intervention after the statutory checks
    /// (`StoreError::Rule(rule, message)` when one fails); audited.
    pub async fn add_intervention(
        &self,
        permit: &Permit<ViewRecords>,
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
            dob = p.opt_text("date_of_birth")?.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()).or(dob);
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
            .filter_map(|r| {
                Some(Prior {
                    kind: InterventionKind::parse(&r.text("kind").ok()?).ok()?,
                    conduct: r.text("conduct").ok()?,
                    issued_on: NaiveDate::parse_from_str(&r.text("issued_on").ok()?, "%Y-%m-%d").ok()?,
                })
            })
            .collect();
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
        permit: &Permit<ViewRecords>,
        intervention_id: &str,
        breached_at: DateTime<Utc>,
        notes: &str,
        actor: &Actor<'_>,
    ) -> Result<()> {
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

    /// Incidents reported in `[from, to)` that the viewer may see, ranked by
    /// risk with the reasons: a high-risk case, a repeat victim or location,
    /// vulnerability, hate motivation, domestic abuse, a high-harm category.
    pub async fn daily_review(
        &self,
        permit: &Permit<ViewRecords>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        actor: &Actor<'_>,
    ) -> Result<Vec<DailyItem>> {
        let mut q = Q::new(
            "SELECT i.id, i.reference, i.owner_agency, i.category, i.reported_at, i.address, i.hate, i.hate_strand, i.domestic_abuse, i.involves_child,
                    i.repeat_flag, i.latitude, i.longitude, k.high_harm, k.label AS category_label
             FROM incidents i JOIN categories k ON k.code = i.category WHERE i.reported_at >= ",
        );
        q.arg(from.timestamp_millis()).push(" AND i.reported_at < ").arg(to.timestamp_millis()).push(" AND");
        incident_visible(&mut q, "i", &permit.principal().agency);
        let detail = serde_json::json!({ "from_ms": from.timestamp_millis(), "to_ms": to.timestamp_millis() });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "daily_review", None, detail)).await?;
        let mut conn = self.conn().await?;
        let rows = conn.all(&q).await?;
        let year_before = (from - Duration::days(365)).timestamp_millis();
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = r.text("id")?;
            let mut score = 0u32;
            let mut reasons = Vec::new();
            // A high-risk case the viewer may see is named; one held by an
            // agency that has not shared it is only signposted.
            let mut hq = Q::new("SELECT c.reference, CASE WHEN");
            crate::records::case_visible(&mut hq, "c", &permit.principal().agency);
            hq.push(" THEN TRUE ELSE FALSE END AS visible, c.owner_agency FROM case_incidents ci JOIN cases c ON c.id = ci.case_id WHERE ci.incident_id = ")
                .arg(&id)
                .push(" AND c.risk_level = 'high' ORDER BY visible DESC, c.reference LIMIT 1");
            if let Some(c) = conn.optional(&hq).await? {
                score += 5;
                reasons.push(if c.boolean("visible")? {
                    format!("high-risk case {}", c.text("reference")?)
                } else {
                    format!("high-risk case held by {} (contact them)", c.text("owner_agency")?)
                });
            }
            if r.boolean("hate")? {
                score += 3;
                reasons.push(format!(
                    "hate motivated ({})",
                    r.opt_text("hate_strand")?.unwrap_or_default().replace('_', " ")
                ));
            }
            if r.boolean("domestic_abuse")? {
                score += 3;
                reasons.push("domestic abuse".into());
            }
            if r.boolean("involves_child")? {
                score += 2;
                reasons.push("vulnerability: involves a child".into());
            }
            if r.boolean("high_harm")? {
                score += 2;
                reasons.push(format!("high-harm category ({})", r.text("category_label")?));
            }
            let repeat_victim = conn
                .one(
                    &Q::new(
                        "SELECT COUNT(DISTINCT o.incident_id) AS n FROM incident_people me
                         JOIN people p ON p.id = me.person_id
                         JOIN people q ON q.name_key = p.name_key AND (q.id = p.id OR (q.date_of_birth IS NOT NULL AND q.date_of_birth = p.date_of_birth))
                         JOIN incident_people o ON o.person_id = q.id AND o.role IN ('victim', 'complainant')
                         JOIN incidents oi ON oi.id = o.incident_id
                         WHERE me.incident_id = $1 AND me.role IN ('victim', 'complainant') AND o.incident_id <> $1 AND oi.reported_at >= $2",
                    )
                    .bind(&id)
                    .bind(year_before),
                )
                .await?
                .int("n")?;
            if repeat_victim > 0 {
                score += 3;
                reasons.push(format!("repeat victim: {repeat_victim} earlier incident(s) in 12 months"));
            }
            let address = r.text("address")?;
            let repeat_place = if address.trim().is_empty() {
                0
            } else {
                conn.one(
                    &Q::new("SELECT COUNT(*) AS n FROM incidents o WHERE o.id <> $1 AND LOWER(o.address) = $2 AND o.reported_at >= $3")
                        .bind(&id)
                        .bind(address.trim().to_lowercase())
                        .bind(year_before),
                )
                .await?
                .int("n")?
            };
            if repeat_place > 0 {
                score += 2;
                reasons
                    .push(format!("repeat location: {repeat_place} earlier incident(s) at this address in 12 months"));
            } else if r.boolean("repeat_flag")? {
                score += 1;
                reasons.push("reported as a repeat".into());
            }
            items.push(DailyItem {
                incident_id: id,
                reference: r.text("reference")?,
                owner_agency: r.text("owner_agency")?,
                category: r.text("category")?,
                reported_at_ms: r.int("reported_at")?,
                address,
                score,
                reasons,
            });
        }
        items.sort_by(|a, b| b.score.cmp(&a.score).then(b.reported_at_ms.cmp(&a.reported_at_ms)));
        Ok(items)
    }

    /// Whether a person's complaints to every agency meet the ASB Case
    /// Review threshold. The person's complaints are those recorded against
    /// them, people merged into them, and people recorded with the same name
    /// and date of birth. Complaints other agencies hold count towards it but
    /// are shown only as a count per agency; audited.
    pub async fn case_review_eligibility(
        &self,
        permit: &Permit<ViewRecords>,
        person_id: &str,
        rules: &Rules,
        now: DateTime<Utc>,
        actor: &Actor<'_>,
    ) -> Result<EligibilityReport> {
        let mut conn = self.conn().await?;
        require_person(&mut conn, permit, person_id).await?;
        let rows = conn
            .all(
                &Q::new(
                    "SELECT DISTINCT i.id, i.owner_agency, i.reported_at, i.occurred_from, i.hate FROM incident_people ip
                     JOIN people p ON p.id = ip.person_id JOIN incidents i ON i.id = ip.incident_id
                     WHERE (p.id = $1 OR p.merged_into = $1
                            OR (p.date_of_birth IS NOT NULL
                                AND p.name_key = (SELECT name_key FROM people WHERE id = $1)
                                AND p.date_of_birth = (SELECT date_of_birth FROM people WHERE id = $1)))
                       AND ip.role IN ('victim', 'complainant')",
                )
                .bind(person_id),
            )
            .await?;
        let complaints: Vec<Complaint> = rows
            .iter()
            .filter_map(|r| {
                Some(Complaint {
                    id: r.text("id").ok()?,
                    agency: r.text("owner_agency").ok()?,
                    received_at: DateTime::from_timestamp_millis(r.int("reported_at").ok()?)?,
                    behaviour_at: DateTime::from_timestamp_millis(r.int("occurred_from").ok()?)?,
                    hate: r.boolean("hate").ok()?,
                })
            })
            .collect();
        let mut eligibility = case_review::eligibility(&complaints, rules, now);
        // Every field is filtered: complaints the caller may not see are
        // counted (per agency), never named or dated.
        let mut unseen = std::collections::BTreeSet::new();
        for c in &complaints {
            let shares = incident_shares(&mut conn, &c.id).await?;
            if let RecordAccess::Signpost { .. } = record_access(permit, &c.agency, &shares) {
                unseen.insert(c.id.as_str());
            }
        }
        let mut hidden: std::collections::BTreeMap<String, i64> = Default::default();
        for id in eligibility.qualifying.iter().filter(|id| unseen.contains(id.as_str())) {
            let owner = complaints.iter().find(|c| &c.id == id).map(|c| c.agency.clone()).unwrap_or_default();
            *hidden.entry(owner).or_default() += 1;
        }
        eligibility.qualifying.retain(|id| !unseen.contains(id.as_str()));
        let hidden_prefixes: Vec<String> = unseen.iter().map(|id| format!("complaint {id} ")).collect();
        let before = eligibility.reasons.len();
        eligibility.reasons.retain(|r| !hidden_prefixes.iter().any(|p| r.starts_with(p.as_str())));
        let not_counted_elsewhere = before - eligibility.reasons.len();
        if not_counted_elsewhere > 0 {
            eligibility.reasons.insert(
                0,
                format!("{not_counted_elsewhere} complaint(s) held by other agencies not counted (outside the rules)"),
            );
        }
        let detail = serde_json::json!({ "count": eligibility.count, "threshold_met": eligibility.threshold_met });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "case_review_eligibility", Some(person_id), detail))
            .await?;
        Ok(EligibilityReport {
            eligibility,
            other_agencies: hidden
                .into_iter()
                .map(|(contact_agency, records)| crate::incidents::AgencyCount { contact_agency, records })
                .collect(),
        })
    }

    /// Records a Case Review application and starts its clocks; audited.
    pub async fn open_case_review(
        &self,
        permit: &Permit<ViewRecords>,
        person_id: Option<&str>,
        applicant_kind: &str,
        received_on: NaiveDate,
        timescales: &Timescales,
        actor: &Actor<'_>,
    ) -> Result<CaseReview> {
        let mut tx = self.write().await?;
        let calendar = crate::calendar::bank_holidays_in(&mut tx).await?;
        let clocks = case_review::clocks(received_on, timescales, &calendar.holidays);
        if let Some(pid) = person_id {
            require_person(&mut tx, permit, pid).await?;
        }
        let reference = next_reference(&mut tx, "ACR", received_on.year()).await?;
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO case_review_applications (id, reference, owner_agency, person_id, applicant_kind, received_on, acknowledge_by, decide_by,
                   meeting_by, recommendations, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10)",
            )
            .bind(&id)
            .bind(&reference)
            .bind(&actor.principal.agency)
            .bind(person_id.map(str::to_string))
            .bind(applicant_kind)
            .bind(received_on.to_string())
            .bind(clocks.acknowledge_by.to_string())
            .bind(clocks.decide_by.to_string())
            .bind(clocks.meeting_by.to_string())
            .bind(actor.at_ms),
        )
        .await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::Create, "case_review", Some(&id), serde_json::json!({ "reference": reference })),
        )
        .await?;
        tx.commit().await?;
        self.case_review_in(&id).await
    }

    /// Records the decision, meeting and outcome of a Case Review (the
    /// handling agency only); audited.
    pub async fn update_case_review(
        &self,
        permit: &Permit<ViewRecords>,
        id: &str,
        u: &CaseReviewUpdate,
        actor: &Actor<'_>,
    ) -> Result<CaseReview> {
        let today = DateTime::from_timestamp_millis(actor.at_ms).map_or(NaiveDate::MAX, london_date);
        u.check(today)?;
        let mut tx = self.write().await?;
        let owner = tx
            .optional(&Q::new("SELECT owner_agency FROM case_review_applications WHERE id = $1").bind(id))
            .await?
            .ok_or(StoreError::NotFound("case review"))?;
        if owner.text("owner_agency")? != permit.principal().agency {
            return Err(StoreError::NotFound("case review"));
        }
        tx.execute(
            &Q::new(
                "UPDATE case_review_applications SET threshold_met = $1, decided_on = $2, meeting_on = $3, chair = $4, panel = $5, victim_attended = $6,
                   recommendations = $7, outcome = $8, appeal = $9 WHERE id = $10",
            )
            .bind(u.threshold_met)
            .bind(u.decided_on.map(|d| d.to_string()))
            .bind(u.meeting_on.map(|d| d.to_string()))
            .bind(u.chair.clone())
            .bind(u.panel.clone())
            .bind(u.victim_attended)
            .bind(u.recommendations)
            .bind(u.outcome.clone())
            .bind(u.appeal.clone())
            .bind(id),
        )
        .await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(
                AuditAction::Update,
                "case_review",
                Some(id),
                serde_json::json!({ "threshold_met": u.threshold_met }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.case_review_in(id).await
    }

    /// Case Reviews handled by the viewer's agency, newest first.
    pub async fn case_reviews(&self, permit: &Permit<ViewRecords>, actor: &Actor<'_>) -> Result<Vec<CaseReview>> {
        let detail = serde_json::json!({ "list": "case_reviews" });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "case_review", None, detail)).await?;
        let rows = self
            .conn()
            .await?
            .all(
                &Q::new(format!("{CR_SELECT} WHERE owner_agency = $1 ORDER BY received_on DESC, reference DESC"))
                    .bind(&permit.principal().agency),
            )
            .await?;
        rows.iter().map(case_review_row).collect()
    }

    /// The annual publication figures for applications received in `year`.
    pub async fn case_review_figures(&self, year: i32) -> Result<AnnualFigures> {
        let r = self
            .conn()
            .await?
            .one(
                &Q::new(
                    "SELECT COUNT(*) AS applications,
                            SUM(CASE WHEN threshold_met THEN 1 ELSE 0 END) AS met,
                            SUM(CASE WHEN meeting_on IS NOT NULL THEN 1 ELSE 0 END) AS held,
                            CAST(SUM(recommendations) AS BIGINT) AS recs
                     FROM case_review_applications WHERE received_on >= $1 AND received_on < $2",
                )
                .bind(format!("{year:04}-01-01"))
                .bind(format!("{:04}-01-01", year + 1)),
            )
            .await?;
        let n = |c: &str| -> Result<u32> { Ok(u32::try_from(r.opt_int(c)?.unwrap_or(0)).unwrap_or(0)) };
        Ok(AnnualFigures {
            applications: n("applications")?,
            threshold_met: n("met")?,
            reviews_held: n("held")?,
            recommendations: n("recs")?,
        })
    }

    async fn case_review_in(&self, id: &str) -> Result<CaseReview> {
        let r = self
            .conn()
            .await?
            .optional(&Q::new(format!("{CR_SELECT} WHERE id = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("case review"))?;
        case_review_row(&r)
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
        kind: r.text("kind")?,
        conduct: r.text("conduct")?,
        issued_on: r.text("issued_on")?,
        expires_at_ms: r.opt_int("expires_at")?,
        amount_pence: r.opt_int("amount_pence")?,
        breaches: r.int("breaches")?,
    })
}

const CR_SELECT: &str = "SELECT id, reference, owner_agency, person_id, applicant_kind, received_on, acknowledge_by, decide_by, meeting_by, threshold_met,
    decided_on, meeting_on, chair, panel, victim_attended, recommendations, outcome, appeal FROM case_review_applications";

fn case_review_row(r: &Row) -> Result<CaseReview> {
    let date =
        |c: &str| -> Result<NaiveDate> { Ok(NaiveDate::parse_from_str(&r.text(c)?, "%Y-%m-%d").unwrap_or_default()) };
    Ok(CaseReview {
        id: r.text("id")?,
        reference: r.text("reference")?,
        owner_agency: r.text("owner_agency")?,
        person_id: r.opt_text("person_id")?,
        applicant_kind: r.text("applicant_kind")?,
        received_on: r.text("received_on")?,
        clocks: Clocks {
            acknowledge_by: date("acknowledge_by")?,
            decide_by: date("decide_by")?,
            meeting_by: date("meeting_by")?,
        },
        threshold_met: r.opt_bool("threshold_met")?,
        decided_on: r.opt_text("decided_on")?,
        meeting_on: r.opt_text("meeting_on")?,
        chair: r.opt_text("chair")?,
        panel: r.opt_text("panel")?,
        victim_attended: r.opt_bool("victim_attended")?,
        recommendations: r.int("recommendations")?,
        outcome: r.opt_text("outcome")?,
        appeal: r.opt_text("appeal")?,
    })
}
