//! VAWG scrutiny panels: scheduling a panel, the random sample of domestic
//! abuse cases closed in the year before it (drawn each time from a hash
//! of the ids, so the same for everyone, and shown depersonalised: no
//! names, addresses, references or free text), a finding per sampled case,
//! and learning actions carried until done. The police (or a CSP manager)
//! run panels; any agency that views records sees them.

use crate::audit::append;
use crate::partnership::agency_sector;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::{Months, NaiveDate};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::interventions::InterventionKind;
use safetynet_domain::policy::{EditRecords, ManagePartnershipWork, Permit, ViewRecords};
use safetynet_domain::powers::Sector;
use safetynet_domain::uk_time::{london_date_at_ms, london_midnight};
use safetynet_domain::vawg::{draw_order, NewFinding, NewLearningAction, NewPanel, SAMPLE_MONTHS, SAMPLE_SIZE};
use serde::Serialize;

/// A panel.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Panel {
    /// Id.
    pub id: String,
    /// The day it meets.
    pub held_on: NaiveDate,
    /// Chair.
    pub chair: String,
    /// Where.
    pub location: String,
}

/// A sampled case as the panel sees it: depersonalised.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ScrutinyCase {
    /// Its number in the sample, from 1.
    pub no: u32,
    /// The agency that held it.
    pub agency: String,
    /// Opened on.
    pub opened_on: NaiveDate,
    /// Closed on.
    pub closed_on: NaiveDate,
    /// Its risk level when closed.
    pub risk_level: Option<String>,
    /// Incidents in it.
    pub incidents: i64,
    /// Their categories.
    pub categories: Vec<String>,
    /// The interventions used.
    pub interventions: Vec<String>,
    /// The panel's finding.
    pub finding: Option<String>,
}

/// A learning action.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct LearningAction {
    /// Id.
    pub id: String,
    /// Raised at the panel held on.
    pub raised_on: NaiveDate,
    /// What is to be done.
    pub title: String,
    /// The agency that owns it.
    pub owner_agency: String,
    /// Due by.
    pub due_on: NaiveDate,
    /// Done on.
    pub done_on: Option<NaiveDate>,
}

/// A panel with its sample and its actions (its own, and those still open
/// from earlier panels).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PanelRecord {
    /// The panel.
    #[serde(flatten)]
    pub panel: Panel,
    /// The cases drawn for it.
    pub sample: Vec<ScrutinyCase>,
    /// Learning actions.
    pub actions: Vec<LearningAction>,
}

fn panel_row(r: &Row) -> Result<Panel> {
    Ok(Panel { id: r.text("id")?, held_on: r.date("held_on")?, chair: r.text("chair")?, location: r.text("location")? })
}

/// Refuses a principal who does not run panels: a CSP manager, or a case
/// worker at a police agency (`panel_police_only`).
async fn runs_panels(conn: &mut impl Exec, permit: &Permit<EditRecords>) -> Result<()> {
    let p = permit.principal();
    if p.can::<ManagePartnershipWork>() || agency_sector(conn, &p.agency).await? == Some(Sector::Police) {
        return Ok(());
    }
    Err(StoreError::Rule("panel_police_only", "VAWG scrutiny panels are run by the police or the CSP manager".into()))
}

impl Store {
    /// Schedules a panel on `today`'s knowledge; audited.
    pub async fn add_panel(
        &self,
        permit: &Permit<EditRecords>,
        new: &NewPanel,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<Panel> {
        new.check(today)?;
        let mut tx = self.write().await?;
        runs_panels(&mut tx, permit).await?;
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new("INSERT INTO vawg_panels (id, held_on, chair, location, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&id)
                .bind(new.held_on.to_string())
                .bind(new.chair.trim())
                .bind(new.location.trim())
                .bind(actor.at_ms)
                .bind(actor.user_id()),
        )
        .await?;
        let detail = serde_json::json!({ "held_on": new.held_on });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "vawg_panel", Some(&id), detail)).await?;
        tx.commit().await?;
        Ok(Panel { id, held_on: new.held_on, chair: new.chair.trim().into(), location: new.location.trim().into() })
    }

    /// Every panel, latest first.
    pub async fn panels(&self, _permit: &Permit<ViewRecords>) -> Result<Vec<Panel>> {
        let rows = self
            .conn()
            .await?
            .all(&Q::new("SELECT id, held_on, chair, location FROM vawg_panels ORDER BY held_on DESC, id"))
            .await?;
        rows.iter().map(panel_row).collect()
    }

    /// A panel with its depersonalised sample and its actions; the read of
    /// the sampled cases is audited (ids only).
    pub async fn panel(&self, _permit: &Permit<ViewRecords>, id: &str, actor: &Actor<'_>) -> Result<PanelRecord> {
        let mut conn = self.conn().await?;
        let panel = panel_row(
            &conn
                .optional(&Q::new("SELECT id, held_on, chair, location FROM vawg_panels WHERE id = $1").bind(id))
                .await?
                .ok_or(StoreError::NotFound("panel"))?,
        )?;
        let drawn = draw(&mut conn, &panel).await?;
        let findings =
            conn.all(&Q::new("SELECT case_id, finding FROM vawg_findings WHERE panel_id = $1").bind(id)).await?;
        let mut sample = Vec::new();
        for (i, (case_id, closed_on)) in drawn.iter().enumerate() {
            let finding = findings
                .iter()
                .find(|f| f.text("case_id").is_ok_and(|c| &c == case_id))
                .map(|f| f.text("finding"))
                .transpose()?;
            sample.push(depersonalised(&mut conn, case_id, i as u32 + 1, *closed_on, finding).await?);
        }
        let actions = conn
            .all(
                &Q::new(
                    "SELECT a.id, p.held_on AS raised_on, a.title, a.owner_agency, a.due_on, a.done_on FROM vawg_actions a
                     CROSS JOIN vawg_panels p WHERE p.id = a.panel_id AND (a.panel_id = $1 OR (a.done_on IS NULL AND p.held_on < $2))
                     ORDER BY a.due_on, a.id",
                )
                .bind(id)
                .bind(panel.held_on.to_string()),
            )
            .await?
            .iter()
            .map(|r| {
                Ok(LearningAction {
                    id: r.text("id")?,
                    raised_on: r.date("raised_on")?,
                    title: r.text("title")?,
                    owner_agency: r.text("owner_agency")?,
                    due_on: r.date("due_on")?,
                    done_on: r.opt_date("done_on")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if !drawn.is_empty() {
            let ids: Vec<&str> = drawn.iter().map(|(c, _)| c.as_str()).collect();
            let detail = serde_json::json!({ "panel": id, "cases": ids });
            self.audit(actor.at_ms, &actor.event(AuditAction::View, "case", None, detail)).await?;
        }
        Ok(PanelRecord { panel, sample, actions })
    }

    /// Records (or replaces) the panel's finding on a sampled case; audited.
    pub async fn record_finding(
        &self,
        permit: &Permit<EditRecords>,
        panel_id: &str,
        new: &NewFinding,
        actor: &Actor<'_>,
    ) -> Result<()> {
        new.check()?;
        let mut tx = self.write().await?;
        runs_panels(&mut tx, permit).await?;
        let panel = panel_row(
            &tx.optional(&Q::new("SELECT id, held_on, chair, location FROM vawg_panels WHERE id = $1").bind(panel_id))
                .await?
                .ok_or(StoreError::NotFound("panel"))?,
        )?;
        let drawn = draw(&mut tx, &panel).await?;
        let Some((case_id, _)) = (new.case_no as usize).checked_sub(1).and_then(|i| drawn.get(i)) else {
            return Err(StoreError::Rule("finding_case", format!("the panel's sample has {} cases", drawn.len())));
        };
        tx.execute(
            &Q::new("DELETE FROM vawg_findings WHERE panel_id = $1 AND case_id = $2").bind(panel_id).bind(case_id),
        )
        .await?;
        tx.execute(
            &Q::new("INSERT INTO vawg_findings (panel_id, case_id, finding, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5)")
                .bind(panel_id)
                .bind(case_id)
                .bind(new.finding.trim())
                .bind(actor.at_ms)
                .bind(actor.user_id()),
        )
        .await?;
        let detail = serde_json::json!({ "case_no": new.case_no });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "vawg_panel", Some(panel_id), detail)).await?;
        tx.commit().await
    }

    /// Raises a learning action at a panel; audited.
    pub async fn add_learning_action(
        &self,
        permit: &Permit<EditRecords>,
        panel_id: &str,
        new: &NewLearningAction,
        actor: &Actor<'_>,
    ) -> Result<String> {
        let mut tx = self.write().await?;
        runs_panels(&mut tx, permit).await?;
        let held_on = tx
            .optional(&Q::new("SELECT held_on FROM vawg_panels WHERE id = $1").bind(panel_id))
            .await?
            .ok_or(StoreError::NotFound("panel"))?
            .date("held_on")?;
        new.check(held_on)?;
        if tx.optional(&Q::new("SELECT code FROM agencies WHERE code = $1").bind(&new.owner_agency)).await?.is_none() {
            return Err(StoreError::Rule(
                "action_text",
                format!("{} is not an agency of the partnership", new.owner_agency),
            ));
        }
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO vawg_actions (id, panel_id, title, owner_agency, due_on, done_on, created_at, created_by) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)",
            )
            .bind(&id)
            .bind(panel_id)
            .bind(new.title.trim())
            .bind(&new.owner_agency)
            .bind(new.due_on.to_string())
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::Create, "vawg_action", Some(&id), serde_json::json!({})),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Marks a learning action done on `done_on` (not after `today`:
    /// `action_due`); audited.
    pub async fn complete_learning_action(
        &self,
        permit: &Permit<EditRecords>,
        action_id: &str,
        done_on: NaiveDate,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<()> {
        if done_on > today {
            return Err(StoreError::Rule("action_due", "record an action as done once it is".into()));
        }
        let mut tx = self.write().await?;
        runs_panels(&mut tx, permit).await?;
        let n = tx
            .execute(
                &Q::new("UPDATE vawg_actions SET done_on = $1 WHERE id = $2 AND done_on IS NULL")
                    .bind(done_on.to_string())
                    .bind(action_id),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound("open action"));
        }
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(
                AuditAction::Update,
                "vawg_action",
                Some(action_id),
                serde_json::json!({ "done_on": done_on }),
            ),
        )
        .await?;
        tx.commit().await
    }
}

/// The cases drawn for `panel`: domestic abuse cases closed in the
/// [`SAMPLE_MONTHS`] before the day it meets, in the panel's random order,
/// at most [`SAMPLE_SIZE`]; each with the day it was closed.
async fn draw(conn: &mut impl Exec, panel: &Panel) -> Result<Vec<(String, NaiveDate)>> {
    let until = london_midnight(panel.held_on);
    let from = london_midnight(panel.held_on.checked_sub_months(Months::new(SAMPLE_MONTHS)).unwrap_or(NaiveDate::MIN));
    let rows = conn
        .all(
            &Q::new(
                "SELECT c.id, (SELECT MAX(e.at) FROM case_events e WHERE e.case_id = c.id AND e.kind = 'status') AS closed_at
                 FROM cases c WHERE c.status = 'closed' AND EXISTS (SELECT 1 FROM case_incidents ci CROSS JOIN incidents i
                   WHERE ci.case_id = c.id AND i.id = ci.incident_id AND i.domestic_abuse = $1)",
            )
            .bind(true),
        )
        .await?;
    let mut candidates = Vec::new();
    for r in &rows {
        let closed_at = r.opt_int("closed_at")?.unwrap_or(0);
        if closed_at >= from.timestamp_millis() && closed_at < until.timestamp_millis() {
            let id = r.text("id")?;
            let closed_on = london_date_at_ms(closed_at);
            candidates.push((draw_order(&panel.id, &id), id, closed_on));
        }
    }
    candidates.sort();
    Ok(candidates.into_iter().take(SAMPLE_SIZE).map(|(_, id, closed)| (id, closed)).collect())
}

/// One sampled case without anything that identifies a person.
async fn depersonalised(
    conn: &mut impl Exec,
    case_id: &str,
    no: u32,
    closed_on: NaiveDate,
    finding: Option<String>,
) -> Result<ScrutinyCase> {
    let c =
        conn.one(&Q::new("SELECT owner_agency, created_at, risk_level FROM cases WHERE id = $1").bind(case_id)).await?;
    let categories = conn
        .all(
            &Q::new(
                "SELECT DISTINCT k.label FROM case_incidents ci CROSS JOIN incidents i CROSS JOIN categories k
                 WHERE ci.case_id = $1 AND i.id = ci.incident_id AND k.code = i.category ORDER BY k.label",
            )
            .bind(case_id),
        )
        .await?
        .iter()
        .map(|r| r.text("label"))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let incidents = conn
        .one(&Q::new("SELECT COUNT(*) AS n FROM case_incidents WHERE case_id = $1").bind(case_id))
        .await?
        .int("n")?;
    let interventions = conn
        .all(&Q::new("SELECT DISTINCT kind FROM interventions WHERE case_id = $1 ORDER BY kind").bind(case_id))
        .await?
        .iter()
        .map(|r| Ok(r.stored::<InterventionKind>("kind")?.label().to_string()))
        .collect::<Result<Vec<_>>>()?;
    Ok(ScrutinyCase {
        no,
        agency: c.text("owner_agency")?,
        opened_on: london_date_at_ms(c.int("created_at")?),
        closed_on,
        risk_level: c.opt_text("risk_level")?,
        incidents,
        categories,
        interventions,
        finding,
    })
}

/// Panels held in `period` (inclusive).
pub(crate) async fn panels_held(conn: &mut impl Exec, period: (NaiveDate, NaiveDate)) -> Result<i64> {
    let q = Q::new("SELECT COUNT(*) AS n FROM vawg_panels WHERE held_on >= $1 AND held_on <= $2")
        .bind(period.0.to_string())
        .bind(period.1.to_string());
    Ok(conn.one(&q).await?.int("n")?)
}
