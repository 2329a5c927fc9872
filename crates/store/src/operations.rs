//! Targeted operations: what prompted them, where (target, buffer and
//! control zones), when, which agencies, tasks with owners, and the
//! evaluation kept when the period ends. The evaluation itself is computed
//! by the caller (statistics live in `safetynet-analysis`).

use crate::audit::append;
use crate::records::next_reference;
use crate::sql::{DateText, Row, Stored, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::case::TaskStatus;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::operation::{OperationStatus, Zone};
use safetynet_domain::policy::{ManagePartnershipWork, Permit, UpdateCommitments};
use serde::{Deserialize, Serialize};

/// What starts an operation.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewOperation {
    /// Name (e.g. "Operation Lantern: Clarence Park ASB").
    pub name: String,
    /// The emerging issue or hotspot that prompted it, in words.
    pub prompted_by: String,
    /// A SafetyNet link to the analysis behind it (optional).
    #[serde(default)]
    pub prompted_link: String,
    /// The target area.
    pub target: Zone,
    /// Buffer ring around the target, in metres (0 for none).
    #[serde(default)]
    pub buffer_m: f64,
    /// The control area (default: the rest of the partnership area).
    #[serde(default)]
    pub control: Option<Zone>,
    /// police.uk crime types it targets (empty: all).
    #[serde(default)]
    pub crime_types: Vec<String>,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Lead agency (default the creator's).
    #[serde(default)]
    pub lead_agency: Option<String>,
    /// Other participating agencies.
    #[serde(default)]
    pub agencies: Vec<String>,
}

/// An operation as stored.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Operation {
    /// Id.
    pub id: String,
    /// Human reference (OP-2026-00001).
    pub reference: String,
    /// Name.
    pub name: String,
    /// What prompted it.
    pub prompted_by: String,
    /// Link to the analysis behind it.
    pub prompted_link: String,
    /// Target area.
    pub target: Zone,
    /// Buffer in metres.
    pub buffer_m: f64,
    /// Control area (none: the rest of the partnership area).
    pub control: Option<Zone>,
    /// Crime types.
    pub crime_types: Vec<String>,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Lead agency.
    pub lead_agency: String,
    /// Participating agencies.
    pub agencies: Vec<String>,
    /// The evaluation when done (counts, WDD, WDQ, advice).
    pub evaluation: Option<serde_json::Value>,
    /// Scale back, continue or change approach.
    pub recommendation: Option<String>,
    /// When evaluated (Unix ms).
    pub evaluated_at: Option<i64>,
}

impl Operation {
    /// Its status on `today`.
    pub fn status(&self, today: NaiveDate) -> OperationStatus {
        OperationStatus::on(today, self.starts_on, self.ends_on, self.evaluated_at.is_some())
    }
}

/// A task in an operation.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct OperationTask {
    /// Id.
    pub id: String,
    /// What is to be done.
    pub title: String,
    /// Owning agency.
    pub owner_agency: String,
    /// Due date.
    #[sqlx(try_from = "DateText")]
    pub due_on: NaiveDate,
    /// Open or done.
    #[sqlx(try_from = "Stored")]
    pub status: TaskStatus,
}

const OP_COLS: &str = "id, reference, name, prompted_by, prompted_link, target_zone, buffer_m, control_zone, crime_types, starts_on, ends_on, lead_agency, agencies, evaluation, recommendation, evaluated_at";

fn list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn op_row(r: &Row) -> Result<Operation> {
    let zone = |text: &str| -> Result<Zone> {
        serde_json::from_str(text).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))
    };
    Ok(Operation {
        id: r.text("id")?,
        reference: r.text("reference")?,
        name: r.text("name")?,
        prompted_by: r.text("prompted_by")?,
        prompted_link: r.text("prompted_link")?,
        target: zone(&r.text("target_zone")?)?,
        buffer_m: r.opt_real("buffer_m")?.unwrap_or(0.0),
        control: r.opt_text("control_zone")?.map(|t| zone(&t)).transpose()?,
        crime_types: list(&r.text("crime_types")?),
        starts_on: r.date("starts_on")?,
        ends_on: r.date("ends_on")?,
        lead_agency: r.text("lead_agency")?,
        agencies: list(&r.text("agencies")?),
        evaluation: r.opt_text("evaluation")?.and_then(|t| serde_json::from_str(&t).ok()),
        recommendation: r.opt_text("recommendation")?,
        evaluated_at: r.opt_int("evaluated_at")?,
    })
}

fn rule(name: &'static str, message: &str) -> StoreError {
    StoreError::Rule(name, message.to_string())
}

impl Store {
    /// Starts an operation (CSP manager); audited.
    pub async fn create_operation(
        &self,
        permit: &Permit<ManagePartnershipWork>,
        op: &NewOperation,
        actor: &Actor<'_>,
    ) -> Result<Operation> {
        if op.name.trim().is_empty() || op.name.chars().count() > 200 {
            return Err(rule("name", "enter the operation's name (at most 200 characters)"));
        }
        if op.prompted_by.trim().is_empty() || op.prompted_by.chars().count() > 2000 {
            return Err(rule("prompted_by", "say which emerging issue or hotspot prompted the operation"));
        }
        let link = &op.prompted_link;
        if !link.is_empty() && !safetynet_domain::links::is_local_path(link) {
            return Err(rule("prompted_link", "the link must be a SafetyNet path such as /analysis?…"));
        }
        op.target.validate().map_err(|e| rule("target", &format!("target area: {e}")))?;
        if let Some(c) = &op.control {
            c.validate().map_err(|e| rule("control", &format!("control area: {e}")))?;
        }
        if !(0.0..=5000.0).contains(&op.buffer_m) {
            return Err(rule("buffer", "the buffer must be between 0 and 5,000 metres"));
        }
        if op.ends_on < op.starts_on {
            return Err(rule("period", "the operation must end on or after the day it starts"));
        }
        if op.crime_types.len() > 20 || op.agencies.len() > 30 {
            return Err(rule("lists", "too many crime types or agencies"));
        }
        let lead = op.lead_agency.clone().unwrap_or_else(|| permit.principal().agency.clone());
        for a in std::iter::once(&lead).chain(&op.agencies) {
            self.agency(a).await.map_err(|_| rule("agency", &format!("agency '{a}' is not in the partnership")))?;
        }
        let mut tx = self.write().await?;
        let id = new_id_at_ms(actor.at_ms);
        let reference = next_reference(&mut tx, "OP", op.starts_on.year()).await?;
        tx.execute(
            &Q::new(format!(
                "INSERT INTO operations ({OP_COLS}, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, NULL, NULL, $14, $15)"
            ))
            .bind(&id)
            .bind(&reference)
            .bind(op.name.trim())
            .bind(op.prompted_by.trim())
            .bind(&op.prompted_link)
            .bind(serde_json::to_string(&op.target).unwrap_or_default())
            .bind(op.buffer_m)
            .bind(op.control.as_ref().map(|c| serde_json::to_string(c).unwrap_or_default()))
            .bind(serde_json::to_string(&op.crime_types).unwrap_or_default())
            .bind(op.starts_on.to_string())
            .bind(op.ends_on.to_string())
            .bind(&lead)
            .bind(serde_json::to_string(&op.agencies).unwrap_or_default())
            .bind(Some(permit.principal().user_id.clone()).filter(|s| !s.is_empty()))
            .bind(actor.at_ms),
        )
        .await?;
        let detail = serde_json::json!({ "reference": reference, "name": op.name });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "operation", Some(&id), detail)).await?;
        tx.commit().await?;
        Ok(self.operation(&id).await?.0)
    }

    /// Every operation, latest start first.
    pub async fn operations(&self) -> Result<Vec<Operation>> {
        let rows = self
            .conn()
            .await?
            .all(&Q::new(format!("SELECT {OP_COLS} FROM operations ORDER BY starts_on DESC, reference DESC")))
            .await?;
        rows.iter().map(op_row).collect()
    }

    /// One operation (by id or reference) with its tasks.
    pub async fn operation(&self, id: &str) -> Result<(Operation, Vec<OperationTask>)> {
        let mut c = self.conn().await?;
        let row = c
            .optional(&Q::new(format!("SELECT {OP_COLS} FROM operations WHERE id = $1 OR reference = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("operation"))?;
        let op = op_row(&row)?;
        let rows = c
            .all(
                &Q::new("SELECT id, title, owner_agency, due_on, status FROM operation_tasks WHERE operation_id = $1 ORDER BY due_on, created_at")
                    .bind(&op.id),
            )
            .await?;
        let tasks = rows.iter().map(Row::decode).collect::<std::result::Result<Vec<_>, _>>()?;
        Ok((op, tasks))
    }

    /// Adds a task with an owning agency (CSP manager); audited.
    pub async fn add_operation_task(
        &self,
        _permit: &Permit<ManagePartnershipWork>,
        operation_id: &str,
        title: &str,
        owner_agency: &str,
        due_on: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<String> {
        if title.trim().is_empty() || title.chars().count() > 300 {
            return Err(rule("title", "enter the task (at most 300 characters)"));
        }
        let (op, _) = self.operation(operation_id).await?;
        self.agency(owner_agency).await.map_err(|_| rule("agency", "choose the agency that owns the task"))?;
        let mut tx = self.write().await?;
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new("INSERT INTO operation_tasks (id, operation_id, title, owner_agency, due_on, status, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6)")
                .bind(&id)
                .bind(&op.id)
                .bind(title.trim())
                .bind(owner_agency)
                .bind(due_on.to_string())
                .bind(actor.at_ms),
        )
        .await?;
        let notice = crate::notifications::Event::OperationTask {
            reference: op.reference.clone(),
            agency: owner_agency.to_string(),
            due_on,
        };
        let to = crate::notifications::To::Agency(owner_agency, crate::notifications::CASE_WORKERS);
        let link = format!("/operations/{}", op.id);
        crate::notifications::enqueue(&mut tx, to, &notice, &link, None, &actor.principal.user_id, actor.at_ms).await?;
        let detail =
            serde_json::json!({ "operation": op.reference, "title": title.trim(), "owner_agency": owner_agency });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "operation_task", Some(&id), detail)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Marks a task done (its owning agency or the CSP manager); audited.
    pub async fn complete_operation_task(
        &self,
        permit: &Permit<UpdateCommitments>,
        task_id: &str,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let row = tx
            .optional(&Q::new("SELECT owner_agency FROM operation_tasks WHERE id = $1").bind(task_id))
            .await?
            .ok_or(StoreError::NotFound("task"))?;
        let who = permit.principal();
        if row.text("owner_agency")? != who.agency && !who.can::<ManagePartnershipWork>() {
            return Err(StoreError::Forbidden("only the owning agency or the CSP manager can complete this task"));
        }
        tx.execute(&Q::new("UPDATE operation_tasks SET status = 'done' WHERE id = $1").bind(task_id)).await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::Update, "operation_task", Some(task_id), serde_json::json!({ "status": "done" })),
        )
        .await?;
        tx.commit().await
    }

    /// Keeps an operation's evaluation and recommendation; audited.
    pub async fn save_operation_evaluation(
        &self,
        id: &str,
        evaluation: &serde_json::Value,
        recommendation: &str,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let n = tx
            .execute(
                &Q::new("UPDATE operations SET evaluation = $2, recommendation = $3, evaluated_at = $4 WHERE id = $1")
                    .bind(id)
                    .bind(evaluation.to_string())
                    .bind(recommendation)
                    .bind(actor.at_ms),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound("operation"));
        }
        let detail = serde_json::json!({ "recommendation": recommendation });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "operation_evaluation", Some(id), detail))
            .await?;
        tx.commit().await
    }

    /// Operations that ended before `today` and have not been evaluated.
    pub async fn operations_to_evaluate(&self, today: NaiveDate) -> Result<Vec<Operation>> {
        let rows = self
            .conn()
            .await?
            .all(
                &Q::new(format!(
                    "SELECT {OP_COLS} FROM operations WHERE ends_on < $1 AND evaluated_at IS NULL ORDER BY ends_on"
                ))
                .bind(today.to_string()),
            )
            .await?;
        rows.iter().map(op_row).collect()
    }
}
