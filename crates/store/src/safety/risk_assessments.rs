//! Risk assessments: the questionnaires (the defaults and a partnership's own
//! versions), assessing risk on a case (which sets its level and next review
//! date) and the assessments on a case.

use super::rule;
use crate::audit::append;
use crate::cases::{case_right, event};
use crate::records::{require_person, SAME_PERSON};
use crate::sql::Q;
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
use safetynet_domain::risk::{
    self, Answer, Answers, Assessment, AssessmentRequest, Questionnaire, QuestionnaireKind, ReviewIntervals,
    VictimHistory,
};
use safetynet_domain::uk_time::london_date;
use serde::Serialize;

/// A stored risk assessment.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct StoredAssessment {
    /// The result.
    #[serde(flatten)]
    pub assessment: Assessment,
    /// When (Unix ms).
    pub assessed_at_ms: i64,
    /// Next review date.
    pub next_review_on: NaiveDate,
    /// The victim assessed (always, for DASH).
    pub person_id: Option<String>,
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

    /// Assesses risk on a case with the latest version of the request's
    /// questionnaire, sets the case's level and next review date; audited.
    pub async fn assess_risk(
        &self,
        permit: &Permit<EditRecords>,
        case_id: &str,
        request: &AssessmentRequest,
        today: NaiveDate,
        intervals: &ReviewIntervals,
        actor: &Actor<'_>,
    ) -> Result<StoredAssessment> {
        let q = self
            .questionnaires()
            .await?
            .into_iter()
            .find(|q| q.id == request.questionnaire)
            .ok_or(StoreError::NotFound("questionnaire"))?;
        let mut tx = self.write().await?;
        case_right(&mut tx, permit, case_id).await?;
        let history = match request.person_id.as_deref() {
            Some(pid) => {
                require_person(&mut tx, permit, pid).await?;
                victim_history(&mut tx, case_id, pid, actor.at_ms).await?
            }
            None if q.kind == QuestionnaireKind::Dash => {
                return Err(rule("dash_victim_required", "a DASH assessment is about one victim: choose who"));
            }
            None => VictimHistory::default(),
        };
        let assessment = risk::assess(&q, &request.answers, request.judgement.as_ref(), &history)
            .map_err(|e| rule("risk_assessment", e))?;
        let next = risk::next_review(assessment.level, today, intervals);
        tx.execute(
            &Q::new(
                "INSERT INTO risk_assessments (id, case_id, questionnaire_id, questionnaire_version, answers, score, computed_level, level, reasons,
                   marac_referral, assessed_at, assessed_by, next_review_on, person_id, repeat_marac)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(new_id_at_ms(actor.at_ms))
            .bind(case_id)
            .bind(&q.id)
            .bind(i64::from(q.version))
            .bind(serde_json::to_string(&request.answers).unwrap_or_default())
            .bind(i64::from(assessment.score))
            .bind(assessment.computed.as_str())
            .bind(assessment.level.as_str())
            .bind(serde_json::to_string(&assessment.reasons).unwrap_or_default())
            .bind(assessment.marac_referral)
            .bind(actor.at_ms)
            .bind(actor.user_id())
            .bind(next.to_string())
            .bind(request.person_id.clone())
            .bind(assessment.repeat_marac),
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
        let marac = match (assessment.repeat_marac, assessment.marac_referral) {
            (true, _) => "; repeat MARAC referral",
            (false, true) => "; MARAC referral",
            _ => "",
        };
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
        Ok(StoredAssessment {
            assessment,
            assessed_at_ms: actor.at_ms,
            next_review_on: next,
            person_id: request.person_id.clone(),
        })
    }

    /// Risk assessments on a case, newest first.
    pub async fn risk_assessments(
        &self,
        permit: &Permit<ViewRecords>,
        case_id: &str,
        actor: &Actor<'_>,
    ) -> Result<Vec<StoredAssessment>> {
        let mut conn = self.conn().await?;
        case_right(&mut conn, permit, case_id).await?;
        let rows = conn
            .all(
                &Q::new(
                    "SELECT questionnaire_id, questionnaire_version, score, computed_level, level, reasons, marac_referral, assessed_at, next_review_on, answers,
                       person_id, repeat_marac FROM risk_assessments WHERE case_id = $1 ORDER BY assessed_at DESC, id DESC",
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
                        yes_count: u32::try_from(answers.values().filter(|v| **v == Answer::Yes).count()).unwrap_or(0),
                        computed: r.stored("computed_level")?,
                        level: r.stored("level")?,
                        reasons: serde_json::from_str(&r.text("reasons")?).unwrap_or_default(),
                        marac_referral: r.boolean("marac_referral")?,
                        not_known: u32::try_from(answers.values().filter(|v| **v == Answer::NotKnown).count())
                            .unwrap_or(0),
                        repeat_marac: r.boolean("repeat_marac")?,
                    },
                    assessed_at_ms: r.int("assessed_at")?,
                    next_review_on: r.date("next_review_on")?,
                    person_id: r.opt_text("person_id")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        drop(conn);
        let detail = serde_json::json!({ "case": case_id });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "risk_assessment", Some(case_id), detail)).await?;
        Ok(out)
    }
}

/// A victim's domestic abuse history as of `at_ms`, from every agency's
/// records: incidents with the domestic abuse flag on which they are the
/// victim (their record, one merged into it, or the same name and date of
/// birth). Refuses a person who is not a
/// victim on one of the case's incidents (`victim_not_on_case`).
async fn victim_history(tx: &mut impl Exec, case_id: &str, person_id: &str, at_ms: i64) -> Result<VictimHistory> {
    let on_case = tx
        .optional(
            &Q::new(format!(
                "SELECT 1 AS x FROM case_incidents ci JOIN incident_people ip ON ip.incident_id = ci.incident_id
                 JOIN people p ON p.id = ip.person_id
                 WHERE {SAME_PERSON} AND ci.case_id = $2 AND ip.role = 'victim'"
            ))
            .bind(person_id)
            .bind(case_id),
        )
        .await?;
    if on_case.is_none() {
        return Err(rule("victim_not_on_case", "the person assessed must be a victim on one of the case's incidents"));
    }
    let year_ms = 365 * 86_400_000;
    let dates: Vec<i64> = tx
        .all(
            &Q::new(format!(
                "SELECT DISTINCT i.id, i.occurred_from FROM incidents i JOIN incident_people ip ON ip.incident_id = i.id
                 JOIN people p ON p.id = ip.person_id
                 WHERE {SAME_PERSON} AND i.domestic_abuse = TRUE AND ip.role = 'victim'
                   AND i.occurred_from >= $2 AND i.occurred_from <= $3"
            ))
            .bind(person_id)
            .bind(at_ms - 2 * year_ms)
            .bind(at_ms),
        )
        .await?
        .iter()
        .map(|r| r.int("occurred_from"))
        .collect::<std::result::Result<_, _>>()?;
    let domestic_abuse_incidents =
        u32::try_from(dates.iter().filter(|t| **t >= at_ms - year_ms).count()).unwrap_or(u32::MAX);
    // The last MARAC referral of this victim (any record of them) in the
    // 12 calendar months before today; earlier referrals cannot have a
    // repeat now.
    let day = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(london_date);
    let today = day(at_ms).unwrap_or_default();
    let since = today.checked_sub_months(chrono::Months::new(12)).unwrap_or(today);
    let referred = tx
        .one(
            &Q::new(format!(
                "SELECT MAX(r.assessed_at) AS at FROM risk_assessments r JOIN people p ON p.id = r.person_id
                 WHERE {SAME_PERSON} AND r.marac_referral = TRUE AND r.assessed_at >= $2"
            ))
            .bind(person_id)
            .bind(safetynet_domain::uk_time::london_midnight(since).timestamp_millis()),
        )
        .await?
        .opt_int("at")?;
    let repeat = referred.and_then(day).and_then(|on| {
        let after: Vec<chrono::NaiveDate> = dates.iter().filter_map(|t| day(*t)).collect();
        risk::repeat_after(on, &after).map(|incident| (on, incident))
    });
    Ok(VictimHistory { domestic_abuse_incidents, repeat })
}
