//! Cases and their problem-oriented plans (SARA), shares with lawful bases,
//! the status workflow with optimistic concurrency, tasks, notes and the
//! case timeline. The lead agency owns a case; agencies it is shared with
//! see it in full and may add tasks and notes; status, plan and sharing are
//! the lead agency's.

use crate::audit::append;
use crate::notifications::{enqueue, To, CASE_WORKERS};
use crate::records::{case_shares, case_visible, next_reference};
use crate::shared_keys::{page_rows, ListKey};
use crate::sql::{DateText, OptDateText, OptStored, Row, Stored, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError, Tx};
use chrono::{DateTime, Datelike, NaiveDate};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::case::{
    transition, CaseNote, CaseShare, CaseStatus, IncidentLink, StatusChange, TaskStatus, TaskUpdate,
};
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::notification::Event as Notice;
use safetynet_domain::policy::{record_access, EditRecords, Permit, RecordAccess, SeesRecords, ViewRecords, Visible};
use safetynet_domain::risk::RiskLevel;
use serde::Serialize;

pub use safetynet_domain::case::{NewCase, NewTask, Plan};

/// A task in the plan (SARA: Response).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Task {
    /// Id.
    pub id: String,
    /// Case id.
    pub case_id: String,
    /// Case reference.
    pub case_reference: String,
    /// What is to be done.
    pub title: String,
    /// Agency that owns it.
    pub owner_agency: String,
    /// Officer who owns it.
    pub owner_officer_id: Option<String>,
    /// Due date.
    #[sqlx(try_from = "DateText")]
    pub due_on: NaiveDate,
    /// Where it stands.
    #[sqlx(try_from = "Stored")]
    pub status: TaskStatus,
    /// Notes.
    pub notes: String,
}

/// One entry in a case's timeline.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Event {
    /// When (Unix ms).
    pub at_ms: i64,
    /// What kind (incident, note, task, assessment, review, intervention, share, status, plan).
    pub kind: String,
    /// A line of text.
    pub summary: String,
    /// Who (user id).
    pub actor_id: Option<String>,
}

/// A case as its permitted viewers see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Case {
    /// Id.
    pub id: String,
    /// Human reference.
    pub reference: String,
    /// Lead agency.
    pub owner_agency: String,
    /// Lead officer.
    pub lead_officer_id: Option<String>,
    /// Where it is in its life.
    pub status: CaseStatus,
    /// Outcome when closed.
    pub outcome: Option<String>,
    /// The plan.
    pub plan: Plan,
    /// Latest risk level.
    pub risk_level: Option<RiskLevel>,
    /// Next review date.
    pub next_review_on: Option<NaiveDate>,
    /// Version for optimistic concurrency: send it back with changes.
    pub version: i64,
    /// Opened (Unix ms).
    pub created_at_ms: i64,
    /// Agencies it is shared with, with the lawful basis.
    pub shares: Vec<Share>,
    /// Linked incident ids.
    pub incident_ids: Vec<String>,
    /// Tasks.
    pub tasks: Vec<Task>,
    /// Timeline, oldest first.
    pub timeline: Vec<Event>,
}

/// A case in a list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct CaseSummary {
    /// Id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Lead agency.
    pub owner_agency: String,
    /// Lead officer.
    pub lead_officer_id: Option<String>,
    /// Where it is in its life.
    #[sqlx(try_from = "Stored")]
    pub status: CaseStatus,
    /// Latest risk level.
    #[sqlx(try_from = "OptStored")]
    pub risk_level: Option<RiskLevel>,
    /// Next review date.
    #[sqlx(try_from = "OptDateText")]
    pub next_review_on: Option<NaiveDate>,
}

/// A share of a case with another agency.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Share {
    /// Agency.
    pub agency: String,
    /// Lawful basis recorded.
    pub lawful_basis: String,
    /// When (Unix ms).
    pub shared_at_ms: i64,
}

const CASE_COLS: &str = "c.id, c.reference, c.title, c.owner_agency, c.lead_officer_id, c.status, c.outcome, c.problem, c.analysis_victim, c.analysis_offender, c.analysis_location, c.analysis_controllers, c.assessment, c.risk_level, c.next_review_on, c.version, c.created_at";

fn summary_row(r: &Row) -> Result<CaseSummary> {
    Ok(r.decode()?)
}

fn task_row(r: &Row) -> Result<Task> {
    Ok(r.decode()?)
}

const TASK_COLS: &str = "t.id, t.case_id, c.reference AS case_reference, t.title, t.owner_agency, t.owner_officer_id, t.due_on, t.status, t.notes";

/// Writes a timeline entry inside `tx`.
pub(crate) async fn event(tx: &mut Tx, case_id: &str, kind: &str, summary: &str, actor: &Actor<'_>) -> Result<()> {
    tx.execute(
        &Q::new("INSERT INTO case_events (id, case_id, at, kind, summary, actor_id) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(new_id_at_ms(actor.at_ms))
            .bind(case_id)
            .bind(actor.at_ms)
            .bind(kind)
            .bind(summary)
            .bind(actor.user_id()),
    )
    .await?;
    Ok(())
}

/// `FROM ... WHERE` of the cases shared with an agency (to be bound next):
/// its shares, then those cases (`CROSS JOIN` keeps SQLite to that order).
const SHARED_CASES: &str =
    "FROM record_shares s CROSS JOIN cases c WHERE c.id = s.record_id AND s.record_type = 'case' AND s.agency_code = ";

/// What the actor may do to a case, decided by the policy from its shares.
pub(crate) enum CaseRight {
    /// The lead agency.
    Lead,
    /// An agency it is shared with.
    Partner,
}

/// Loads a case's owner and shares and checks the actor may work on it.
pub(crate) async fn case_right<C: SeesRecords>(
    tx: &mut impl Exec,
    permit: &Permit<C>,
    case_id: &str,
) -> Result<(CaseRight, String)> {
    let row = tx
        .optional(&Q::new("SELECT owner_agency, reference FROM cases WHERE id = $1").bind(case_id))
        .await?
        .ok_or(StoreError::NotFound("case"))?;
    let owner = row.text("owner_agency")?;
    let shares = case_shares(tx, case_id).await?;
    match record_access(permit, &owner, &shares) {
        RecordAccess::Full if owner == permit.principal().agency => Ok((CaseRight::Lead, row.text("reference")?)),
        RecordAccess::Full => Ok((CaseRight::Partner, row.text("reference")?)),
        RecordAccess::Signpost { .. } => Err(StoreError::NotFound("case")),
    }
}

/// Fails unless the actor's agency leads the case.
pub(crate) async fn require_lead<C: SeesRecords>(
    tx: &mut impl Exec,
    permit: &Permit<C>,
    case_id: &str,
) -> Result<String> {
    match case_right(tx, permit, case_id).await? {
        (CaseRight::Lead, reference) => Ok(reference),
        (CaseRight::Partner, _) => Err(StoreError::Forbidden("only the lead agency can do this")),
    }
}

async fn check_version(tx: &mut Tx, case_id: &str, expected: i64) -> Result<()> {
    let n = tx
        .execute(
            &Q::new("UPDATE cases SET version = version + 1 WHERE id = $1 AND version = $2")
                .bind(case_id)
                .bind(expected),
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

impl Store {
    /// Opens a case led by the actor's agency from incidents it may see; audited.
    pub async fn open_case(
        &self,
        permit: &Permit<EditRecords>,
        view: &Permit<ViewRecords>,
        new: &NewCase,
        actor: &Actor<'_>,
    ) -> Result<(String, String)> {
        let _ = permit;
        let mut tx = self.write().await?;
        let year = DateTime::from_timestamp_millis(actor.at_ms).map_or(2026, |t| t.year());
        let reference = next_reference(&mut tx, "CASE", year).await?;
        let id = new_id_at_ms(actor.at_ms);
        let lead = new.lead_officer_id.clone().or_else(|| actor.user_id());
        tx.execute(
            &Q::new(
                "INSERT INTO cases (id, reference, title, owner_agency, lead_officer_id, status, outcome, problem, analysis_victim, analysis_offender,
                   analysis_location, analysis_controllers, assessment, risk_level, next_review_on, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 'open', NULL, $6, '', '', '', '', '', NULL, NULL, 1, $7, $7)",
            )
            .bind(&id)
            .bind(&reference)
            .bind(new.title.trim())
            .bind(&actor.principal.agency)
            .bind(lead)
            .bind(new.problem.trim())
            .bind(actor.at_ms),
        )
        .await?;
        event(&mut tx, &id, "status", &format!("Case {reference} opened"), actor).await?;
        for inc in &new.incidents {
            link(&mut tx, view, &id, inc, actor).await?;
        }
        let detail = serde_json::json!({ "reference": reference, "incidents": new.incidents.len() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "case", Some(&id), detail)).await?;
        tx.commit().await?;
        Ok((id, reference))
    }

    /// Links an incident the actor may see to a case they work on; audited.
    pub async fn link_incident(
        &self,
        permit: &Permit<EditRecords>,
        case_id: &str,
        incident: &IncidentLink,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let incident = incident.as_str();
        let mut tx = self.write().await?;
        case_right(&mut tx, permit, case_id).await?;
        link(&mut tx, permit, case_id, incident, actor).await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(
                AuditAction::Update,
                "case",
                Some(case_id),
                serde_json::json!({ "linked_incident": incident }),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// One case, in full or as a signpost; audited.
    pub async fn case(&self, permit: &Permit<ViewRecords>, id: &str, actor: &Actor<'_>) -> Result<Visible<Case>> {
        let mut conn = self.conn().await?;
        let r = conn
            .optional(&Q::new(format!("SELECT {CASE_COLS} FROM cases c WHERE c.id = $1 OR c.reference = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("case"))?;
        let case_id = r.text("id")?;
        let owner = r.text("owner_agency")?;
        let share_rows = conn
            .all(&Q::new("SELECT agency_code, lawful_basis, shared_at FROM record_shares WHERE record_type = 'case' AND record_id = $1 ORDER BY shared_at").bind(&case_id))
            .await?;
        let shares = share_rows
            .iter()
            .map(|s| {
                Ok(Share {
                    agency: s.text("agency_code")?,
                    lawful_basis: s.text("lawful_basis")?,
                    shared_at_ms: s.int("shared_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let agencies: Vec<String> = shares.iter().map(|s| s.agency.clone()).collect();
        let access = record_access(permit, &owner, &agencies);
        let detail = serde_json::json!({ "access": crate::incidents::access_name(&access) });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "case", Some(&case_id), detail)).await?;
        if let RecordAccess::Signpost { contact_agency } = access {
            return Ok(Visible::Signpost { contact_agency });
        }
        let incident_ids = conn
            .all(
                &Q::new("SELECT incident_id FROM case_incidents WHERE case_id = $1 ORDER BY incident_id")
                    .bind(&case_id),
            )
            .await?
            .iter()
            .map(|x| x.text("incident_id").map_err(Into::into))
            .collect::<Result<Vec<_>>>()?;
        let tasks = conn
            .all(&Q::new(format!("SELECT {TASK_COLS} FROM case_tasks t JOIN cases c ON c.id = t.case_id WHERE t.case_id = $1 ORDER BY t.due_on, t.created_at")).bind(&case_id))
            .await?
            .iter()
            .map(task_row)
            .collect::<Result<Vec<_>>>()?;
        let timeline = conn
            .all(
                &Q::new("SELECT at, kind, summary, actor_id FROM case_events WHERE case_id = $1 ORDER BY at, id")
                    .bind(&case_id),
            )
            .await?
            .iter()
            .map(|e| {
                Ok(Event {
                    at_ms: e.int("at")?,
                    kind: e.text("kind")?,
                    summary: e.text("summary")?,
                    actor_id: e.opt_text("actor_id")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Visible::Full {
            record: Case {
                id: case_id,
                reference: r.text("reference")?,
                owner_agency: owner,
                lead_officer_id: r.opt_text("lead_officer_id")?,
                status: r.stored("status")?,
                outcome: r.opt_text("outcome")?,
                plan: Plan {
                    title: r.text("title")?,
                    problem: r.text("problem")?,
                    analysis_victim: r.text("analysis_victim")?,
                    analysis_offender: r.text("analysis_offender")?,
                    analysis_location: r.text("analysis_location")?,
                    analysis_controllers: r.text("analysis_controllers")?,
                    assessment: r.text("assessment")?,
                },
                risk_level: r.opt_stored("risk_level")?,
                next_review_on: r.opt_date("next_review_on")?,
                version: r.int("version")?,
                created_at_ms: r.int("created_at")?,
                shares,
                incident_ids,
                tasks,
                timeline,
            },
        })
    }

    /// Cases the viewer may see, optionally only live ones; newest first.
    pub async fn cases(
        &self,
        permit: &Permit<ViewRecords>,
        live_only: bool,
        limit: i64,
        offset: i64,
        actor: &Actor<'_>,
    ) -> Result<(Vec<CaseSummary>, i64)> {
        let agency = permit.principal().agency.as_str();
        self.audit(
            actor.at_ms,
            &actor.event(AuditAction::Search, "case", None, serde_json::json!({ "live_only": live_only })),
        )
        .await?;
        let mut conn = self.conn().await?;
        // Its own from an index in list order, counted there; those shared
        // with it from the keys kept per sharing version (a share is never
        // to the case's own agency, so the two never overlap).
        let live = if live_only { " AND c.status <> 'closed'" } else { "" };
        let mut read = Q::new("SELECT c.id, c.created_at AS at, c.status AS tag ");
        read.push(SHARED_CASES).arg(agency).push(" AND c.owner_agency <> ").arg(agency);
        read.push(" ORDER BY c.created_at DESC, c.id");
        let shared = self.shared_keys(&mut conn, "case", agency, &read).await?;
        let shared: Vec<&ListKey> = shared.iter().filter(|k| !live_only || k.tag != "closed").collect();
        let mut count = Q::new("SELECT COUNT(*) AS n FROM cases c WHERE c.owner_agency = ");
        count.arg(agency).push(live);
        let total = conn.one(&count).await?.int("n")? + i64::try_from(shared.len()).unwrap_or(i64::MAX);
        let mut own = Q::new("SELECT c.id, c.created_at AS at FROM cases c WHERE c.owner_agency = ");
        own.arg(agency).push(live).push(" ORDER BY c.created_at DESC, c.id LIMIT ").arg(offset.saturating_add(limit));
        let select = format!("SELECT {CASE_COLS} FROM cases c WHERE c.id IN (");
        let rows = page_rows(&mut conn, &own, &shared, offset, limit, &select).await?;
        Ok((rows.iter().map(summary_row).collect::<Result<_>>()?, total))
    }

    /// Replaces the plan if `expected_version` is current (else
    /// [`StoreError::Stale`]); lead agency only; audited. Returns the new version.
    pub async fn update_plan(
        &self,
        permit: &Permit<EditRecords>,
        case_id: &str,
        expected_version: i64,
        plan: &Plan,
        actor: &Actor<'_>,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        require_lead(&mut tx, permit, case_id).await?;
        check_version(&mut tx, case_id, expected_version).await?;
        tx.execute(
            &Q::new(
                "UPDATE cases SET title = $1, problem = $2, analysis_victim = $3, analysis_offender = $4, analysis_location = $5,
                   analysis_controllers = $6, assessment = $7, updated_at = $8 WHERE id = $9",
            )
            .bind(plan.title.trim())
            .bind(plan.problem.trim())
            .bind(plan.analysis_victim.trim())
            .bind(plan.analysis_offender.trim())
            .bind(plan.analysis_location.trim())
            .bind(plan.analysis_controllers.trim())
            .bind(plan.assessment.trim())
            .bind(actor.at_ms)
            .bind(case_id),
        )
        .await?;
        event(&mut tx, case_id, "plan", "Problem-oriented plan updated", actor).await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::Update, "case", Some(case_id), serde_json::json!({ "plan": true })),
        )
        .await?;
        tx.commit().await?;
        Ok(expected_version + 1)
    }

    /// Moves a case through its workflow (closing needs an outcome); lead
    /// agency only; optimistic concurrency as [`Store::update_plan`].
    pub async fn change_status(
        &self,
        permit: &Permit<EditRecords>,
        case_id: &str,
        expected_version: i64,
        change: &StatusChange,
        actor: &Actor<'_>,
    ) -> Result<i64> {
        let (to, outcome) = (change.to, change.outcome.as_deref());
        let mut tx = self.write().await?;
        require_lead(&mut tx, permit, case_id).await?;
        let from: CaseStatus =
            tx.one(&Q::new("SELECT status FROM cases WHERE id = $1").bind(case_id)).await?.stored("status")?;
        transition(from, to, outcome).map_err(|e| StoreError::Rule("case_status", e.to_string()))?;
        check_version(&mut tx, case_id, expected_version).await?;
        tx.execute(
            &Q::new("UPDATE cases SET status = $1, outcome = $2, updated_at = $3 WHERE id = $4")
                .bind(to.as_str())
                .bind(if to == CaseStatus::Closed { outcome.map(str::to_string) } else { None })
                .bind(actor.at_ms)
                .bind(case_id),
        )
        .await?;
        let line = match outcome {
            Some(o) if to == CaseStatus::Closed => format!("Status: {} → {} ({o})", from.label(), to.label()),
            _ => format!("Status: {} → {}", from.label(), to.label()),
        };
        event(&mut tx, case_id, "status", &line, actor).await?;
        let detail = serde_json::json!({ "from": from.as_str(), "to": to.as_str() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "case", Some(case_id), detail)).await?;
        tx.commit().await?;
        Ok(expected_version + 1)
    }

    /// Shares a case with another agency under a lawful basis; lead agency
    /// only; audited as a share.
    pub async fn share_case(
        &self,
        permit: &Permit<EditRecords>,
        case_id: &str,
        share: &CaseShare,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let (agency, lawful_basis) = (share.agency.as_str(), share.lawful_basis.as_str());
        let mut tx = self.write().await?;
        let reference = require_lead(&mut tx, permit, case_id).await?;
        if tx.optional(&Q::new("SELECT code FROM agencies WHERE code = $1").bind(agency)).await?.is_none() {
            return Err(StoreError::NotFound("agency"));
        }
        if agency == actor.principal.agency {
            return Err(StoreError::Conflict("the lead agency already holds this case; sharing with itself"));
        }
        tx.execute(
            &Q::new(
                "INSERT INTO record_shares (record_type, record_id, agency_code, lawful_basis, shared_by, shared_at) VALUES ('case', $1, $2, $3, $4, $5)",
            )
            .bind(case_id)
            .bind(agency)
            .bind(lawful_basis.trim())
            .bind(actor.user_id())
            .bind(actor.at_ms),
        )
        .await
        .map_err(|e| e.conflict_as("a share with this agency"))?;
        let notice =
            Notice::CaseShared { reference, lead_agency: actor.principal.agency.clone(), agency: agency.to_string() };
        let to = To::Agency(agency, CASE_WORKERS);
        enqueue(&mut tx, to, &notice, &format!("/cases/{case_id}"), None, &actor.principal.user_id, actor.at_ms)
            .await?;
        event(&mut tx, case_id, "share", &format!("Shared with {agency} under {}", lawful_basis.trim()), actor).await?;
        let detail = serde_json::json!({ "agency": agency, "lawful_basis": lawful_basis.trim() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Share, "case", Some(case_id), detail)).await?;
        tx.commit().await
    }

    /// Adds a task (any agency working the case); audited. Returns its id.
    pub async fn add_task(
        &self,
        permit: &Permit<EditRecords>,
        case_id: &str,
        task: &NewTask,
        actor: &Actor<'_>,
    ) -> Result<String> {
        let mut tx = self.write().await?;
        let (_, reference) = case_right(&mut tx, permit, case_id).await?;
        let owner = task.owner_agency.clone().unwrap_or_else(|| actor.principal.agency.clone());
        if tx.optional(&Q::new("SELECT code FROM agencies WHERE code = $1").bind(&owner)).await?.is_none() {
            return Err(StoreError::NotFound("agency"));
        }
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO case_tasks (id, case_id, title, owner_agency, owner_officer_id, due_on, status, notes, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $8)",
            )
            .bind(&id)
            .bind(case_id)
            .bind(task.title.trim())
            .bind(&owner)
            .bind(task.owner_officer_id.clone())
            .bind(task.due_on.to_string())
            .bind(task.notes.trim())
            .bind(actor.at_ms),
        )
        .await?;
        // The officer it is given to, or else the owning agency's case
        // workers, hear of it: in this transaction, so no task goes untold
        // and no message tells of a task that was not saved.
        let notice = Notice::TaskAssigned {
            reference,
            agency: owner.clone(),
            personal: task.owner_officer_id.is_some(),
            due_on: task.due_on,
        };
        let to = match &task.owner_officer_id {
            Some(officer) => To::User(officer),
            None => To::Agency(&owner, CASE_WORKERS),
        };
        let link = format!("/cases/{case_id}#tasks");
        enqueue(&mut tx, to, &notice, &link, None, &actor.principal.user_id, actor.at_ms).await?;
        event(
            &mut tx,
            case_id,
            "task",
            &format!("Task added for {owner}, due {}: {}", task.due_on, task.title.trim()),
            actor,
        )
        .await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::Create, "case_task", Some(&id), serde_json::json!({ "case": case_id })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a task's status and notes; audited.
    pub async fn update_task(
        &self,
        permit: &Permit<EditRecords>,
        task_id: &str,
        update: &TaskUpdate,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let (status, notes) = (update.status, update.notes.as_str());
        let mut tx = self.write().await?;
        let row = tx
            .optional(&Q::new("SELECT case_id, title FROM case_tasks WHERE id = $1").bind(task_id))
            .await?
            .ok_or(StoreError::NotFound("task"))?;
        let case_id = row.text("case_id")?;
        case_right(&mut tx, permit, &case_id).await?;
        tx.execute(
            &Q::new("UPDATE case_tasks SET status = $1, notes = $2, updated_at = $3 WHERE id = $4")
                .bind(status.as_str())
                .bind(notes.trim())
                .bind(actor.at_ms)
                .bind(task_id),
        )
        .await?;
        event(
            &mut tx,
            &case_id,
            "task",
            &format!("Task \"{}\" is now {}", row.text("title")?, status.label().to_lowercase()),
            actor,
        )
        .await?;
        let detail = serde_json::json!({ "status": status.as_str() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "case_task", Some(task_id), detail)).await?;
        tx.commit().await
    }

    /// Adds a note to the timeline; audited.
    pub async fn add_note(
        &self,
        permit: &Permit<EditRecords>,
        case_id: &str,
        note: &CaseNote,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        case_right(&mut tx, permit, case_id).await?;
        event(&mut tx, case_id, "note", note.as_str(), actor).await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::Update, "case", Some(case_id), serde_json::json!({ "note": true })),
        )
        .await?;
        tx.commit().await
    }

    /// Outstanding tasks due before `today` that the principal should see:
    /// their own, those on cases they lead, and (for a CSP manager) all on
    /// cases their agency may see.
    pub async fn overdue_tasks(
        &self,
        permit: &Permit<ViewRecords>,
        today: NaiveDate,
        all_visible: bool,
        actor: &Actor<'_>,
    ) -> Result<Vec<Task>> {
        let p = permit.principal();
        let mut q = if all_visible {
            Q::new(format!("SELECT {TASK_COLS} FROM case_tasks t JOIN cases c ON c.id = t.case_id WHERE"))
        } else {
            my_tasks(&p.user_id)
        };
        q.push(" t.status IN ('open', 'in_progress') AND t.due_on < ").arg(today.to_string()).push(" AND");
        case_visible(&mut q, "c", &p.agency);
        q.push(" ORDER BY t.due_on, c.reference");
        let detail = serde_json::json!({ "list": "overdue_tasks", "today": today.to_string() });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "task", None, detail)).await?;
        self.conn().await?.all(&q).await?.iter().map(task_row).collect()
    }

    /// Live high-risk cases the viewer's agency may see, by next review.
    pub async fn high_risk_cases(&self, permit: &Permit<ViewRecords>, actor: &Actor<'_>) -> Result<Vec<CaseSummary>> {
        let mut q =
            Q::new(format!("SELECT {CASE_COLS} FROM cases c WHERE c.status <> 'closed' AND c.risk_level = 'high' AND"));
        case_visible(&mut q, "c", &permit.principal().agency);
        q.push(" ORDER BY c.next_review_on, c.reference");
        let detail = serde_json::json!({ "list": "high_risk_cases" });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "case", None, detail)).await?;
        self.conn().await?.all(&q).await?.iter().map(summary_row).collect()
    }

    /// Live cases whose review date is on or before `today`, for their lead
    /// officer or (all visible) a CSP manager.
    pub async fn reviews_due(
        &self,
        permit: &Permit<ViewRecords>,
        today: NaiveDate,
        all_visible: bool,
        actor: &Actor<'_>,
    ) -> Result<Vec<CaseSummary>> {
        let p = permit.principal();
        let mut q =
            Q::new(format!("SELECT {CASE_COLS} FROM cases c WHERE c.status <> 'closed' AND c.next_review_on <= "));
        q.arg(today.to_string()).push(" AND");
        case_visible(&mut q, "c", &p.agency);
        if !all_visible {
            q.push(" AND c.lead_officer_id = ").arg(&p.user_id);
        }
        q.push(" ORDER BY c.next_review_on, c.reference");
        let detail = serde_json::json!({ "list": "reviews_due", "today": today.to_string() });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "case", None, detail)).await?;
        self.conn().await?.all(&q).await?.iter().map(summary_row).collect()
    }

    /// A case officer's first screen: the live cases they lead, the
    /// outstanding tasks that are theirs or on their cases (each soonest
    /// due first, at most `limit`), and what other agencies shared with
    /// theirs since `shared_since_ms`, newest first. One audit row.
    pub async fn my_work(
        &self,
        permit: &Permit<ViewRecords>,
        shared_since_ms: i64,
        limit: i64,
        actor: &Actor<'_>,
    ) -> Result<MyWork> {
        let p = permit.principal();
        let mut cases = Q::new(format!("SELECT {CASE_COLS} FROM cases c WHERE c.lead_officer_id = "));
        cases.arg(&p.user_id).push(" AND c.status <> 'closed' AND");
        case_visible(&mut cases, "c", &p.agency);
        cases.push(" ORDER BY c.next_review_on IS NULL, c.next_review_on, c.reference LIMIT ").arg(limit);
        let mut tasks = my_tasks(&p.user_id);
        tasks.push(" t.status IN ('open', 'in_progress') AND");
        case_visible(&mut tasks, "c", &p.agency);
        tasks.push(" ORDER BY t.due_on, c.reference LIMIT ").arg(limit);
        let mut shared = Q::new(
            "SELECT s.record_type, s.record_id, COALESCE(c.reference, i.reference) AS reference,
                    COALESCE(c.owner_agency, i.owner_agency) AS owner, s.lawful_basis, s.shared_at
             FROM record_shares s
             LEFT JOIN cases c ON s.record_type = 'case' AND c.id = s.record_id
             LEFT JOIN incidents i ON s.record_type = 'incident' AND i.id = s.record_id
             WHERE s.agency_code = ",
        );
        shared.arg(&p.agency).push(" AND s.shared_at >= ").arg(shared_since_ms);
        shared.push(" ORDER BY s.shared_at DESC, s.record_id LIMIT ").arg(limit);
        let detail = serde_json::json!({ "list": "my_work" });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "case", None, detail)).await?;
        let mut conn = self.conn().await?;
        let cases = conn.all(&cases).await?.iter().map(summary_row).collect::<Result<_>>()?;
        let tasks = conn.all(&tasks).await?.iter().map(task_row).collect::<Result<_>>()?;
        let shared = conn
            .all(&shared)
            .await?
            .iter()
            .map(|r| {
                Ok(SharedRecord {
                    record_type: r.text("record_type")?,
                    record_id: r.text("record_id")?,
                    reference: r.opt_text("reference")?.unwrap_or_default(),
                    owner: r.opt_text("owner")?.unwrap_or_default(),
                    lawful_basis: r.text("lawful_basis")?,
                    shared_at_ms: r.int("shared_at")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(MyWork { cases, tasks, shared })
    }
}

/// The start of a query over a user's tasks and their cases' tasks, each
/// from its own index (migration 0019), first (`CROSS JOIN` keeps SQLite
/// to that order), not every task in the partnership; ends in `WHERE` for
/// the caller's conditions on `t` and `c`.
fn my_tasks(user_id: &str) -> Q {
    let mut q =
        Q::new(format!("SELECT {TASK_COLS} FROM (SELECT mt.id FROM case_tasks mt WHERE mt.owner_officer_id = "));
    q.arg(user_id).push(" UNION SELECT lt.id FROM cases lc CROSS JOIN case_tasks lt WHERE lc.lead_officer_id = ");
    q.arg(user_id).push(
        " AND lt.case_id = lc.id) mine CROSS JOIN case_tasks t CROSS JOIN cases c WHERE t.id = mine.id AND c.id = t.case_id AND",
    );
    q
}

/// A case officer's own work: see [`Store::my_work`].
#[derive(Debug, Clone, Default)]
pub struct MyWork {
    /// Live cases they lead.
    pub cases: Vec<CaseSummary>,
    /// Outstanding tasks that are theirs or on their cases.
    pub tasks: Vec<Task>,
    /// Records other agencies shared with theirs recently.
    pub shared: Vec<SharedRecord>,
}

/// A record shared with the viewer's agency.
#[derive(Debug, Clone)]
pub struct SharedRecord {
    /// `case` or `incident`.
    pub record_type: String,
    /// Its id.
    pub record_id: String,
    /// Its reference.
    pub reference: String,
    /// The agency that owns and shared it.
    pub owner: String,
    /// The lawful basis recorded for the share.
    pub lawful_basis: String,
    /// When (Unix ms).
    pub shared_at_ms: i64,
}

async fn link<C: SeesRecords>(
    tx: &mut Tx,
    permit: &Permit<C>,
    case_id: &str,
    incident: &str,
    actor: &Actor<'_>,
) -> Result<()> {
    let row = tx
        .optional(
            &Q::new("SELECT id, reference, owner_agency FROM incidents WHERE id = $1 OR reference = $1").bind(incident),
        )
        .await?
        .ok_or(StoreError::NotFound("incident"))?;
    let (id, reference) = (row.text("id")?, row.text("reference")?);
    let shares = crate::records::incident_shares(tx, &id).await?;
    if let RecordAccess::Signpost { .. } = record_access(permit, &row.text("owner_agency")?, &shares) {
        return Err(StoreError::NotFound("incident"));
    }
    let n = tx
        .execute(
            &Q::new("INSERT INTO case_incidents (case_id, incident_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(case_id)
                .bind(&id),
        )
        .await?;
    if n > 0 {
        event(tx, case_id, "incident", &format!("Incident {reference} linked"), actor).await?;
    }
    // An owner that links its own incident to another agency's case shares
    // it with the case's lead agency, explicitly and with nobody else: the
    // case's other partners see a signpost. Linking someone else's incident
    // grants nothing.
    let case = tx.one(&Q::new("SELECT owner_agency, reference FROM cases WHERE id = $1").bind(case_id)).await?;
    let (case_owner, case_ref) = (case.text("owner_agency")?, case.text("reference")?);
    let owner = &actor.principal.agency;
    if row.text("owner_agency")? == *owner && case_owner != *owner {
        let basis = format!("Contributed by its owner to case {case_ref}");
        let shared = tx
            .execute(
                &Q::new(
                    "INSERT INTO record_shares (record_type, record_id, agency_code, lawful_basis, shared_by, shared_at) VALUES ('incident', $1, $2, $3, $4, $5)
                     ON CONFLICT DO NOTHING",
                )
                .bind(&id)
                .bind(&case_owner)
                .bind(&basis)
                .bind(actor.user_id())
                .bind(actor.at_ms),
            )
            .await?;
        if shared > 0 {
            let detail = serde_json::json!({ "agency": case_owner, "lawful_basis": basis });
            append(tx, actor.at_ms, &actor.event(AuditAction::Share, "incident", Some(&id), detail)).await?;
        }
    }
    Ok(())
}

/// A share through which an agency sees another agency's record: shown
/// wherever the shared record is shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareNotice {
    /// The owning agency that shared it.
    pub owner: String,
    /// The agency it was shared with.
    pub agency: String,
    /// The lawful basis recorded for the share.
    pub lawful_basis: String,
    /// When (Unix ms).
    pub shared_at_ms: i64,
    /// The owner's case the record was shared through (an incident seen
    /// through a shared case), if not shared directly.
    pub via_case: Option<String>,
}

impl Store {
    /// The shares through which `permit`'s agency sees `record_type`
    /// ("case" or "incident") `record_id` of another agency; empty for its own
    /// records or records not shared with it.
    pub async fn shares_seen_by(
        &self,
        permit: &Permit<ViewRecords>,
        record_type: &str,
        record_id: &str,
    ) -> Result<Vec<ShareNotice>> {
        let agency = permit.principal().agency.clone();
        let q = match record_type {
            "case" => Q::new(
                "SELECT c.owner_agency AS owner, s.agency_code, s.lawful_basis, s.shared_at, NULL AS via_case
                 FROM record_shares s JOIN cases c ON c.id = s.record_id
                 WHERE s.record_type = 'case' AND s.record_id = $1 AND s.agency_code = $2 AND c.owner_agency <> $2",
            ),
            _ => Q::new(
                "SELECT i.owner_agency AS owner, s.agency_code, s.lawful_basis, s.shared_at, NULL AS via_case
                 FROM record_shares s JOIN incidents i ON i.id = s.record_id
                 WHERE s.record_type = 'incident' AND s.record_id = $1 AND s.agency_code = $2 AND i.owner_agency <> $2
                 UNION ALL
                 SELECT c.owner_agency AS owner, s.agency_code, s.lawful_basis, s.shared_at, c.reference AS via_case
                 FROM case_incidents ci CROSS JOIN cases c CROSS JOIN incidents i CROSS JOIN record_shares s
                 WHERE ci.incident_id = $1 AND c.id = ci.case_id AND i.id = ci.incident_id AND i.owner_agency = c.owner_agency
                   AND s.record_type = 'case' AND s.record_id = c.id AND s.agency_code = $2 AND c.owner_agency <> $2",
            ),
        };
        let rows = self.conn().await?.all(&q.bind(record_id).bind(&agency)).await?;
        let mut out: Vec<ShareNotice> = rows
            .iter()
            .map(|r| {
                Ok(ShareNotice {
                    owner: r.text("owner")?,
                    agency: r.text("agency_code")?,
                    lawful_basis: r.text("lawful_basis")?,
                    shared_at_ms: r.int("shared_at")?,
                    via_case: r.opt_text("via_case")?,
                })
            })
            .collect::<Result<_>>()?;
        out.sort_by(|a, b| (a.shared_at_ms, &a.via_case).cmp(&(b.shared_at_ms, &b.via_case)));
        Ok(out)
    }
}
