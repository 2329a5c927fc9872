//! ASB Case Reviews: eligibility over complaints to every agency (others'
//! counted, never shown), applications with their working-day clocks (from
//! the bank holidays calendar in use), decisions and meetings, the list and
//! the annual figures.

use super::rule;
use crate::audit::append;
use crate::records::{incident_shares, next_reference, require_person, SAME_PERSON};
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::case_review::{self, AnnualFigures, Clocks, Complaint, Eligibility, Rules, Timescales};
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::policy::{record_access, EditRecords, Permit, RecordAccess, ViewRecords};
use safetynet_domain::uk_time::london_date;
use serde::Serialize;

/// A Case Review eligibility answer for one person.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct EligibilityReport {
    /// The rules' verdict over complaints to every agency.
    #[serde(flatten)]
    pub eligibility: Eligibility,
    /// Qualifying complaints held by agencies the viewer may not see: counts only.
    pub other_agencies: Vec<crate::incidents::AgencyCount>,
}

/// A Case Review application.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
    pub received_on: NaiveDate,
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
    /// Qualifying complaints on the day the application was received (when
    /// it names a person).
    pub qualifying_on_application: Option<i64>,
    /// The threshold was met on the day the application was received.
    pub threshold_met_on_application: Option<bool>,
}

pub use safetynet_domain::case_review::{CaseReviewApplication, CaseReviewUpdate, MAX_RECOMMENDATIONS};

impl Store {
    /// Whether a person's complaints to every agency meet the ASB Case
    /// Review threshold. The person's complaints are those recorded against
    /// them, people merged into them, and people recorded with the same name
    /// and date of birth, about anti-social behaviour: the categories of the
    /// "Anti-social behaviour" and "Environmental" groups and police.uk's
    /// anti-social behaviour (a burglary is a crime, not an ASB complaint),
    /// as they stood at `as_of` (now, or the end of an application's day).
    /// Complaints other agencies hold count towards it but are shown only as
    /// a count per agency; audited.
    pub async fn case_review_eligibility(
        &self,
        permit: &Permit<ViewRecords>,
        person_id: &str,
        rules: &Rules,
        as_of: DateTime<Utc>,
        actor: &Actor<'_>,
    ) -> Result<EligibilityReport> {
        let mut conn = self.conn().await?;
        require_person(&mut conn, permit, person_id).await?;
        let complaints = complaints(&mut conn, person_id).await?;
        let mut eligibility = case_review::eligibility(&complaints, rules, as_of);
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
    /// With a person, it keeps how many complaints qualified, and whether
    /// the threshold was met, on the day the application was received (the
    /// guidance measures the threshold then, not on the day it is decided).
    pub async fn open_case_review(
        &self,
        permit: &Permit<EditRecords>,
        application: &CaseReviewApplication,
        rules: &Rules,
        timescales: &Timescales,
        actor: &Actor<'_>,
    ) -> Result<CaseReview> {
        let mut tx = self.write().await?;
        let (person_id, received_on) = (application.person_id.as_deref(), application.received_on);
        let calendar = crate::calendar::bank_holidays_in(&mut tx).await?;
        let clocks = case_review::clocks(received_on, timescales, &calendar.holidays);
        let mut on_application = None;
        if let Some(pid) = person_id {
            require_person(&mut tx, permit, pid).await?;
            let complaints = complaints(&mut tx, pid).await?;
            let e = case_review::eligibility(&complaints, rules, case_review::end_of_day(received_on));
            on_application = Some((i64::from(e.count), e.threshold_met));
        }
        let reference = next_reference(&mut tx, "ACR", received_on.year()).await?;
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO case_review_applications (id, reference, owner_agency, person_id, applicant_kind, received_on, acknowledge_by, decide_by,
                   meeting_by, recommendations, created_at, qualifying_on_application, threshold_met_on_application)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12)",
            )
            .bind(&id)
            .bind(&reference)
            .bind(&actor.principal.agency)
            .bind(person_id.map(str::to_string))
            .bind(application.applicant_kind.as_str())
            .bind(received_on.to_string())
            .bind(clocks.acknowledge_by.to_string())
            .bind(clocks.decide_by.to_string())
            .bind(clocks.meeting_by.to_string())
            .bind(actor.at_ms)
            .bind(on_application.map(|(n, _)| n))
            .bind(on_application.map(|(_, met)| met)),
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
        permit: &Permit<EditRecords>,
        id: &str,
        u: &CaseReviewUpdate,
        actor: &Actor<'_>,
    ) -> Result<CaseReview> {
        let today = DateTime::from_timestamp_millis(actor.at_ms).map_or(NaiveDate::MAX, london_date);
        u.check(today).map_err(|m| rule("case_review_validation", m))?;
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

const CR_SELECT: &str = "SELECT id, reference, owner_agency, person_id, applicant_kind, received_on, acknowledge_by, decide_by, meeting_by, threshold_met,
    decided_on, meeting_on, chair, panel, victim_attended, recommendations, outcome, appeal, qualifying_on_application,
    threshold_met_on_application FROM case_review_applications";

fn case_review_row(r: &Row) -> Result<CaseReview> {
    Ok(CaseReview {
        id: r.text("id")?,
        reference: r.text("reference")?,
        owner_agency: r.text("owner_agency")?,
        person_id: r.opt_text("person_id")?,
        applicant_kind: r.text("applicant_kind")?,
        received_on: r.date("received_on")?,
        clocks: Clocks {
            acknowledge_by: r.date("acknowledge_by")?,
            decide_by: r.date("decide_by")?,
            meeting_by: r.date("meeting_by")?,
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
        qualifying_on_application: r.opt_int("qualifying_on_application")?,
        threshold_met_on_application: r.opt_bool("threshold_met_on_application")?,
    })
}

/// A person's complaints about anti-social behaviour to every agency (see
/// [`Store::case_review_eligibility`] for which count).
async fn complaints(conn: &mut impl Exec, person_id: &str) -> Result<Vec<Complaint>> {
    let rows = conn
        .all(
            &Q::new(format!(
                "SELECT DISTINCT i.id, i.owner_agency, i.reported_at, i.occurred_from, i.hate FROM incident_people ip
                 JOIN people p ON p.id = ip.person_id JOIN incidents i ON i.id = ip.incident_id
                 JOIN categories k ON k.code = i.category
                 WHERE (k.grp IN ('Anti-social behaviour', 'Environmental') OR k.code = 'crime-anti-social-behaviour')
                   AND {SAME_PERSON} AND ip.role IN ('victim', 'complainant')"
            ))
            .bind(person_id),
        )
        .await?;
    Ok(rows
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
        .collect())
}
