//! The retention schedule: which records are past retention, and
//! anonymising them. People lose their names, dates of birth and addresses;
//! free text (descriptions, plans, notes, task notes, assessment reasons,
//! intervention conduct and subjects) is replaced; incidents keep their
//! category, dates, LSOA and a location rounded to about 100 m, so counts,
//! hotspots and meeting packs do not change. Documents and evidence attached
//! to them are deleted (a folder's files once the run commits). Each record is marked with
//! `anonymised_at`, so a run is idempotent. Closed referrals and the
//! drivers whose licence ended are anonymised after the unlinked-incident
//! years. A run and its one audit row (the
//! counts and the ids changed, never personal data) commit together.

use crate::audit::append;
use crate::sql::Q;
use crate::users::Actor;
use crate::{Exec, Result, Store, Tx};
use chrono::DateTime;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::public_reports::ReportStatus;
use safetynet_domain::retention::{coarsen, Cutoffs, Schedule, ANONYMISED_NAME, REMOVED};
use safetynet_domain::uk_time::london_date_at_ms;
use serde::Serialize;

/// The job name the daily scheduled run claims its day under.
pub const RETENTION_JOB: &str = "retention";

/// What a run changed, or a dry run would change: ids per record type.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RetentionReport {
    /// The cut-offs used.
    pub cutoffs: Option<Cutoffs>,
    /// Closed cases past retention (with their tasks, timeline,
    /// assessments and interventions).
    pub cases: Vec<String>,
    /// Incidents past retention (in those cases, or in no case).
    pub incidents: Vec<String>,
    /// People on no record still within retention.
    pub people: Vec<String>,
    /// The police's daily crimes past the unlinked-incident cut-off, whose
    /// place and victim key are cleared (the force holds the record; the
    /// category and dates stay for the counts).
    pub police_daily: Vec<String>,
    /// Referrals last changed (answered, or if never answered, made) before
    /// the unlinked-incident cut-off: the person's details and the free text
    /// go; the programme, dates and status stay for the measures.
    pub referrals: Vec<String>,
    /// Taxi drivers whose licence ended before the unlinked-incident
    /// cut-off: the name, licence number and check notes go; the dates and
    /// results stay.
    pub taxi_drivers: Vec<String>,
    /// Reports from the public last changed before the unlinked-incident
    /// cut-off and no longer open: the reporter's details, what they wrote,
    /// where and their photos go; the category, dates, status and public
    /// notes stay.
    pub public_reports: Vec<String>,
}

impl RetentionReport {
    /// Whether nothing is past retention.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// How many records it names.
    pub fn count(&self) -> usize {
        self.cases.len()
            + self.incidents.len()
            + self.people.len()
            + self.police_daily.len()
            + self.referrals.len()
            + self.taxi_drivers.len()
            + self.public_reports.len()
    }
}

/// SQL: the case aliased `c` is past retention ($1: closed-case cut-off).
fn case_past(c: &str) -> String {
    format!(
        "({c}.anonymised_at IS NOT NULL OR ({c}.status = 'closed' AND (SELECT MAX(e.at) FROM case_events e WHERE e.case_id = {c}.id AND e.kind = 'status') < $1))"
    )
}

/// SQL: the incident aliased `i` is past retention ($1 as above; $2:
/// unlinked cut-off). An incident in cases waits for every one of them.
fn incident_past(i: &str) -> String {
    let cp = case_past("cx");
    format!(
        "({i}.anonymised_at IS NOT NULL
          OR (EXISTS (SELECT 1 FROM case_incidents ca WHERE ca.incident_id = {i}.id)
              AND NOT EXISTS (SELECT 1 FROM case_incidents cb JOIN cases cx ON cx.id = cb.case_id WHERE cb.incident_id = {i}.id AND NOT {cp}))
          OR (NOT EXISTS (SELECT 1 FROM case_incidents cc WHERE cc.incident_id = {i}.id) AND {i}.reported_at < $2))"
    )
}

async fn ids(conn: &mut impl Exec, sql: String, cut: &Cutoffs) -> Result<Vec<String>> {
    let rows = conn.all(&Q::new(sql).bind(cut.closed_case_before).bind(cut.unlinked_before)).await?;
    rows.iter().map(|r| Ok(r.text("id")?)).collect()
}

/// The records past retention and not yet anonymised, as of the cut-offs.
async fn due(conn: &mut impl Exec, cut: &Cutoffs) -> Result<RetentionReport> {
    // Every query binds both cut-offs; `$2 = $2` keeps the second one used.
    let cases = ids(
        conn,
        format!(
            "SELECT c.id FROM cases c WHERE c.anonymised_at IS NULL AND {} AND $2 = $2 ORDER BY c.id",
            case_past("c")
        ),
        cut,
    )
    .await?;
    let incidents = ids(
        conn,
        format!("SELECT i.id FROM incidents i WHERE i.anonymised_at IS NULL AND {} ORDER BY i.id", incident_past("i")),
        cut,
    )
    .await?;
    let people = ids(
        conn,
        format!(
            "SELECT p.id FROM people p WHERE p.anonymised_at IS NULL AND p.created_at < $2
               AND NOT EXISTS (SELECT 1 FROM incident_people ip JOIN incidents i ON i.id = ip.incident_id WHERE ip.person_id = p.id AND NOT {})
               AND NOT EXISTS (SELECT 1 FROM interventions iv JOIN cases c ON c.id = iv.case_id WHERE iv.person_id = p.id AND NOT {})
               AND NOT EXISTS (SELECT 1 FROM case_review_applications a WHERE a.person_id = p.id AND a.created_at >= $1)
             ORDER BY p.id",
            incident_past("i"),
            case_past("c")
        ),
        cut,
    )
    .await?;
    let police_daily = ids(
        conn,
        "SELECT id FROM police_daily_crimes WHERE reported_at < $2 AND $1 = $1
           AND (address <> '' OR victim_key IS NOT NULL OR latitude IS NOT NULL) ORDER BY id"
            .to_string(),
        cut,
    )
    .await?;
    let referrals = ids(
        conn,
        "SELECT id FROM referrals WHERE anonymised_at IS NULL AND updated_at < $2 AND $1 = $1 ORDER BY id".to_string(),
        cut,
    )
    .await?;
    let ended_before = london_date_at_ms(cut.unlinked_before);
    let rows = conn
        .all(
            &Q::new("SELECT id FROM taxi_drivers WHERE anonymised_at IS NULL AND licence_expires < $1 ORDER BY id")
                .bind(ended_before.to_string()),
        )
        .await?;
    let taxi_drivers = rows.iter().map(|r| Ok(r.text("id")?)).collect::<Result<Vec<_>>>()?;
    let mut q = Q::new("SELECT id FROM public_reports WHERE anonymised_at IS NULL AND updated_at < ");
    q.arg(cut.unlinked_before).push(" AND status NOT IN (");
    let open: Vec<&str> = ReportStatus::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect();
    q.list(open.iter().copied()).push(") ORDER BY id");
    let public_reports = conn.all(&q).await?.iter().map(|r| Ok(r.text("id")?)).collect::<Result<Vec<_>>>()?;
    Ok(RetentionReport {
        cutoffs: Some(*cut),
        cases,
        incidents,
        people,
        police_daily,
        referrals,
        taxi_drivers,
        public_reports,
    })
}

async fn anonymise_case(tx: &mut Tx, id: &str, at_ms: i64) -> Result<()> {
    let blank_or = |col: &str| format!("{col} = CASE WHEN {col} = '' THEN '' ELSE $1 END");
    tx.execute(
        &Q::new(format!(
            "UPDATE cases SET title = $1, {}, {}, {}, {}, {}, {}, outcome = CASE WHEN outcome IS NULL THEN NULL ELSE $1 END,
               version = version + 1, anonymised_at = $2 WHERE id = $3",
            blank_or("problem"),
            blank_or("analysis_victim"),
            blank_or("analysis_offender"),
            blank_or("analysis_location"),
            blank_or("analysis_controllers"),
            blank_or("assessment"),
        ))
        .bind(REMOVED)
        .bind(at_ms)
        .bind(id),
    )
    .await?;
    tx.execute(
        &Q::new(format!("UPDATE case_tasks SET title = $1, {} WHERE case_id = $2", blank_or("notes")))
            .bind(REMOVED)
            .bind(id),
    )
    .await?;
    tx.execute(&Q::new("UPDATE case_events SET summary = $1 WHERE case_id = $2").bind(REMOVED).bind(id)).await?;
    tx.execute(&Q::new("DELETE FROM victim_contacts WHERE case_id = $1").bind(id)).await?;
    tx.execute(&Q::new("UPDATE victim_updates SET note = $1 WHERE case_id = $2").bind(REMOVED).bind(id)).await?;
    let reasons = serde_json::json!([REMOVED]).to_string();
    tx.execute(&Q::new("UPDATE risk_assessments SET reasons = $1 WHERE case_id = $2").bind(reasons).bind(id)).await?;
    tx.execute(
        &Q::new(
            "UPDATE intervention_breaches SET notes = $1 WHERE intervention_id IN (SELECT id FROM interventions WHERE case_id = $2)",
        )
        .bind(REMOVED)
        .bind(id),
    )
    .await?;
    tx.execute(
        &Q::new("UPDATE interventions SET subject_name = $1, conduct = $2 WHERE case_id = $3")
            .bind(ANONYMISED_NAME)
            .bind(REMOVED)
            .bind(id),
    )
    .await?;
    Ok(())
}

async fn anonymise_incident(tx: &mut Tx, id: &str, at_ms: i64) -> Result<()> {
    let row = tx.one(&Q::new("SELECT latitude, longitude FROM incidents WHERE id = $1").bind(id)).await?;
    let (lat, lon) = (row.opt_real("latitude")?.map(coarsen), row.opt_real("longitude")?.map(coarsen));
    tx.execute(
        &Q::new(
            "UPDATE incidents SET address = '', uprn = NULL, description = $1,
               outside_area_reason = CASE WHEN outside_area_reason IS NULL THEN NULL ELSE $1 END,
               latitude = $2, longitude = $3, anonymised_at = $4 WHERE id = $5",
        )
        .bind(REMOVED)
        .bind(lat)
        .bind(lon)
        .bind(at_ms)
        .bind(id),
    )
    .await?;
    // What officers heard there goes with it; the visit's time and findings stay.
    tx.execute(
        &Q::new("UPDATE noise_visits SET notes = CASE WHEN notes = '' THEN '' ELSE $1 END WHERE incident_id = $2")
            .bind(REMOVED)
            .bind(id),
    )
    .await?;
    // So do the notes on enforcement against whoever dumped waste there.
    tx.execute(
        &Q::new("UPDATE fly_tip_actions SET notes = CASE WHEN notes = '' THEN '' ELSE $1 END WHERE incident_id = $2")
            .bind(REMOVED)
            .bind(id),
    )
    .await?;
    Ok(())
}

pub(crate) async fn anonymise_person(tx: &mut Tx, id: &str, at_ms: i64) -> Result<()> {
    // Match keys unique to the record, so anonymised people never match
    // each other as duplicates or repeat victims.
    let key = format!("anonymised:{id}");
    tx.execute(
        &Q::new(
            "UPDATE people SET full_name = $1, name_key = $2, date_of_birth = NULL, address = '', address_key = $2,
               uprn = NULL, anonymised_at = $3 WHERE id = $4",
        )
        .bind(ANONYMISED_NAME)
        .bind(&key)
        .bind(at_ms)
        .bind(id),
    )
    .await?;
    Ok(())
}

impl Store {
    /// What a run of `schedule` as of `now_ms` would anonymise; changes nothing.
    pub async fn retention_dry_run(&self, schedule: &Schedule, now_ms: i64) -> Result<RetentionReport> {
        let cut = schedule.cutoffs(DateTime::from_timestamp_millis(now_ms).unwrap_or_default());
        due(&mut self.conn().await?, &cut).await
    }

    /// Anonymises every record past retention as of `actor.at_ms`, with one
    /// audit row (counts and ids). With `claim_day` (the scheduler's UK
    /// date), runs only if that day has not run yet and returns `None` if it
    /// has. The claim, the changes and the audit row commit together.
    pub async fn retention_run(
        &self,
        schedule: &Schedule,
        claim_day: Option<&str>,
        actor: &Actor<'_>,
    ) -> Result<Option<RetentionReport>> {
        let cut = schedule.cutoffs(DateTime::from_timestamp_millis(actor.at_ms).unwrap_or_default());
        let mut tx = self.write().await?;
        if let Some(day) = claim_day {
            let claimed = tx
                .execute(
                    &Q::new("INSERT INTO job_runs (name, period, ran_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                        .bind(RETENTION_JOB)
                        .bind(day)
                        .bind(actor.at_ms),
                )
                .await?;
            if claimed == 0 {
                return Ok(None);
            }
        }
        let report = due(&mut tx, &cut).await?;
        // Documents and evidence go with the record: rows now, files once committed.
        let mut files = Vec::new();
        for id in &report.cases {
            anonymise_case(&mut tx, id, actor.at_ms).await?;
            files.extend(remove_documents(&mut tx, "case", id).await?);
        }
        for id in &report.incidents {
            anonymise_incident(&mut tx, id, actor.at_ms).await?;
            files.extend(remove_documents(&mut tx, "incident", id).await?);
        }
        for id in &report.people {
            anonymise_person(&mut tx, id, actor.at_ms).await?;
        }
        for id in &report.police_daily {
            tx.execute(
                &Q::new(
                    "UPDATE police_daily_crimes SET address = '', address_key = '', victim_key = NULL, latitude = NULL, \
                     longitude = NULL, beat = NULL, ward = NULL WHERE id = $1",
                )
                .bind(id.as_str()),
            )
            .await?;
        }
        for id in &report.referrals {
            tx.execute(
                &Q::new(
                    "UPDATE referrals SET full_name = $1, date_of_birth = NULL, address = '', contact = '', details = '',
                       outcome = CASE WHEN outcome = '' THEN '' ELSE $2 END, incident_id = NULL, anonymised_at = $3 WHERE id = $4",
                )
                .bind(ANONYMISED_NAME)
                .bind(REMOVED)
                .bind(actor.at_ms)
                .bind(id.as_str()),
            )
            .await?;
        }
        for id in &report.taxi_drivers {
            tx.execute(
                &Q::new(
                    "UPDATE taxi_drivers SET full_name = $1, licence_number = id, anonymised_at = $2 WHERE id = $3",
                )
                .bind(ANONYMISED_NAME)
                .bind(actor.at_ms)
                .bind(id.as_str()),
            )
            .await?;
            tx.execute(
                &Q::new(
                    "UPDATE taxi_dbs_checks SET notes = CASE WHEN notes = '' THEN '' ELSE $1 END WHERE driver_id = $2",
                )
                .bind(REMOVED)
                .bind(id.as_str()),
            )
            .await?;
            tx.execute(
                &Q::new("UPDATE taxi_concerns SET details = $1 WHERE driver_id = $2").bind(REMOVED).bind(id.as_str()),
            )
            .await?;
        }
        for id in &report.public_reports {
            tx.execute(&Q::new("DELETE FROM public_report_photos WHERE report_id = $1").bind(id.as_str())).await?;
            tx.execute(
                &Q::new(
                    "UPDATE public_reports SET reporter_name = '', reporter_email = '', reporter_phone = '', address = '',
                       latitude = NULL, longitude = NULL, description = $1, media_url = '', attributes = '{}', anonymised_at = $2
                     WHERE id = $3",
                )
                .bind(REMOVED)
                .bind(actor.at_ms)
                .bind(id.as_str()),
            )
            .await?;
        }
        let detail = serde_json::json!({
            "schedule": schedule,
            "cutoffs": cut,
            "counts": { "cases": report.cases.len(), "incidents": report.incidents.len(), "people": report.people.len(),
                "police_daily": report.police_daily.len(), "referrals": report.referrals.len(),
                "taxi_drivers": report.taxi_drivers.len(), "public_reports": report.public_reports.len() },
            "cases": report.cases,
            "incidents": report.incidents,
            "people": report.people,
            "police_daily": report.police_daily,
            "referrals": report.referrals,
            "taxi_drivers": report.taxi_drivers,
            "public_reports": report.public_reports,
        });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "retention_run", None, detail)).await?;
        tx.commit().await?;
        for f in files {
            if let Err(e) = std::fs::remove_file(&f) {
                tracing::warn!(file = %f, error = %e, "a document past retention could not be deleted");
            }
        }
        Ok(Some(report))
    }
}

/// Removes the documents attached to a record (retention): their rows now,
/// and returns the folder files to delete once the change has committed.
async fn remove_documents(tx: &mut Tx, record_type: &str, record_id: &str) -> Result<Vec<String>> {
    let files: Vec<String> = tx
        .all(
            &Q::new("SELECT stored_path FROM documents WHERE record_type = $1 AND record_id = $2 AND stored_path IS NOT NULL")
                .bind(record_type)
                .bind(record_id),
        )
        .await?
        .iter()
        .map(|r| r.text("stored_path"))
        .collect::<std::result::Result<_, _>>()?;
    tx.execute(
        &Q::new("DELETE FROM documents WHERE record_type = $1 AND record_id = $2").bind(record_type).bind(record_id),
    )
    .await?;
    Ok(files)
}
