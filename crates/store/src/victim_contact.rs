//! Keeping victims informed (migrations 0036, 0037): each victim on a case
//! (a person on one of its incidents as victim) may have a recorded choice
//! of how, at which points and how often they are told; the updates given
//! are kept. An update is due at an agreed point the case has reached
//! (someone has it: always; action taken: an intervention or a task done;
//! closed) until one is recorded, and a regular update once the agreed
//! number of days has passed since the last update while the case is open. An e-mail update goes to the victim's address with the
//! officer's note and nothing else. Only the lead agency reads or changes
//! any of it; partners see only that an update was given (the case
//! timeline), never the address or the note.

use crate::audit::append;
use crate::cases::{event, require_lead};
use crate::notifications::enqueue_to_address;
use crate::sql::Q;
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError, Tx};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::case::{CaseStatus, TaskStatus};
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::notification::Event;
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
use safetynet_domain::public_reports::Milestone;
use safetynet_domain::uk_time::london_date_at_ms;
use safetynet_domain::victim_contact::{
    regular_update_due_on, updates_due, ContactChannel, UpdatePoint, VictimContact,
};
use serde::Serialize;

/// An update a victim was given.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct VictimUpdate {
    /// The point it was about (`assigned`, `action_taken`, `closed`, or
    /// `regular` for a regular update).
    pub milestone: String,
    /// What the officer told them.
    pub note: String,
    /// How (`email`, `phone`, `letter`).
    pub channel: String,
    /// When (Unix ms).
    pub at: i64,
}

/// A victim on a case, with their choice, the updates due and given.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct VictimOnCase {
    /// The person's id.
    pub person_id: String,
    /// Their name.
    pub name: String,
    /// Their choice, if recorded.
    pub contact: Option<VictimContact>,
    /// Agreed points the case has reached without an update (`assigned`,
    /// ...), and `regular` when a regular update is due.
    pub due: Vec<String>,
    /// The day the next regular update falls due (with a frequency agreed
    /// and the case open).
    pub regular_due_on: Option<NaiveDate>,
    /// Updates given, oldest first.
    pub updates: Vec<VictimUpdate>,
}

fn rule(rule: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Rule(rule, message.into())
}

/// The milestones the case has reached.
async fn reached(tx: &mut impl Exec, case_id: &str) -> Result<Vec<Milestone>> {
    let q = Q::new(
        "SELECT c.status,
           (SELECT COUNT(*) FROM interventions i WHERE i.case_id = c.id)
           + (SELECT COUNT(*) FROM case_tasks t WHERE t.case_id = c.id AND t.status = $2) AS actions
         FROM cases c WHERE c.id = $1",
    )
    .bind(case_id)
    .bind(TaskStatus::Done.as_str());
    let row = tx.one(&q).await?;
    let mut reached = vec![Milestone::Assigned];
    if row.int("actions")? > 0 {
        reached.push(Milestone::ActionTaken);
    }
    if row.stored::<CaseStatus>("status")? == CaseStatus::Closed {
        reached.push(Milestone::Closed);
    }
    Ok(reached)
}

/// The victims on the case's incidents, by name.
async fn victims(tx: &mut impl Exec, case_id: &str) -> Result<Vec<(String, String)>> {
    let q = Q::new(
        "SELECT DISTINCT p.id, p.full_name FROM case_incidents ci
         JOIN incident_people ip ON ip.incident_id = ci.incident_id JOIN people p ON p.id = ip.person_id
         WHERE ci.case_id = $1 AND ip.role = 'victim' ORDER BY p.full_name, p.id",
    )
    .bind(case_id);
    tx.all(&q).await?.iter().map(|r| Ok((r.text("id")?, r.text("full_name")?))).collect()
}

async fn contact_of(conn: &mut impl Exec, case_id: &str, person_id: &str) -> Result<Option<VictimContact>> {
    let q =
        Q::new("SELECT channel, email, points, agreed_on, every_days FROM victim_contacts WHERE case_id = $1 AND person_id = $2")
            .bind(case_id)
            .bind(person_id);
    let Some(r) = conn.optional(&q).await? else { return Ok(None) };
    Ok(Some(VictimContact {
        person_id: person_id.to_string(),
        channel: r.stored("channel")?,
        email: r.text("email")?,
        points: serde_json::from_str(&r.text("points")?).unwrap_or_default(),
        agreed_on: r.date("agreed_on")?,
        every_days: r.opt_int("every_days")?.and_then(|d| u32::try_from(d).ok()),
    }))
}

async fn updates_of(conn: &mut impl Exec, case_id: &str, person_id: &str) -> Result<Vec<VictimUpdate>> {
    let q = Q::new(
        "SELECT milestone, note, channel, at FROM victim_updates WHERE case_id = $1 AND person_id = $2 ORDER BY at, id",
    )
    .bind(case_id)
    .bind(person_id);
    conn.all(&q)
        .await?
        .iter()
        .map(|r| {
            Ok(VictimUpdate {
                milestone: r.text("milestone")?,
                note: r.text("note")?,
                channel: r.text("channel")?,
                at: r.int("at")?,
            })
        })
        .collect()
}

/// Checks `person_id` is a victim on the case.
async fn require_victim(tx: &mut Tx, case_id: &str, person_id: &str) -> Result<String> {
    victims(tx, case_id)
        .await?
        .into_iter()
        .find(|(id, _)| id == person_id)
        .map(|(_, name)| name)
        .ok_or_else(|| rule("victim_contact", "choose a victim on one of the case's incidents"))
}

impl Store {
    /// The victims on a case the caller's agency leads, with their choices,
    /// the updates due and given; audited.
    pub async fn victims_on_case(
        &self,
        permit: &Permit<ViewRecords>,
        case_id: &str,
        actor: &Actor<'_>,
    ) -> Result<Vec<VictimOnCase>> {
        let mut conn = self.conn().await?;
        require_lead(&mut conn, permit, case_id).await?;
        let reached = reached(&mut conn, case_id).await?;
        let mut out = Vec::new();
        for (person_id, name) in victims(&mut conn, case_id).await? {
            let contact = contact_of(&mut conn, case_id, &person_id).await?;
            let updates = updates_of(&mut conn, case_id, &person_id).await?;
            let agreed = contact.as_ref().and_then(|c| c.checked_points().ok()).unwrap_or_default();
            let told: Vec<Milestone> = updates.iter().filter_map(|u| Milestone::parse(&u.milestone)).collect();
            let mut due: Vec<String> =
                updates_due(&agreed, &reached, &told).into_iter().map(|m| m.as_str().to_string()).collect();
            let last_told = updates.last().map(|u| london_date_at_ms(u.at));
            let live = !reached.contains(&Milestone::Closed);
            let regular_due_on = contact.as_ref().and_then(|c| regular_update_due_on(c, last_told, live));
            if regular_due_on.is_some_and(|d| d <= london_date_at_ms(actor.at_ms)) {
                due.push(UpdatePoint::Regular.as_str().to_string());
            }
            out.push(VictimOnCase { person_id, name, contact, due, regular_due_on, updates });
        }
        drop(conn);
        let detail = serde_json::json!({ "victims": out.len() });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "victim_contact", Some(case_id), detail)).await?;
        Ok(out)
    }

    /// Records how and when a victim on the case wants to be told (again:
    /// replaces it); lead agency only; `victim_contact` for a person not a
    /// victim on the case or a choice that does not hold together; audited.
    pub async fn set_victim_contact(
        &self,
        permit: &Permit<EditRecords>,
        case_id: &str,
        contact: &VictimContact,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let points = contact.checked_points()?;
        let mut tx = self.write().await?;
        require_lead(&mut tx, permit, case_id).await?;
        require_victim(&mut tx, case_id, &contact.person_id).await?;
        let email = if contact.channel == ContactChannel::Email { contact.email.trim() } else { "" };
        let points: Vec<&str> = points.iter().map(|m| m.as_str()).collect();
        tx.execute(
            &Q::new(
                "INSERT INTO victim_contacts (case_id, person_id, channel, email, points, agreed_on, updated_at, every_days)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (case_id, person_id) DO UPDATE SET channel = excluded.channel, email = excluded.email,
                   points = excluded.points, agreed_on = excluded.agreed_on, updated_at = excluded.updated_at,
                   every_days = excluded.every_days",
            )
            .bind(case_id)
            .bind(&contact.person_id)
            .bind(contact.channel.as_str())
            .bind(email)
            .bind(serde_json::json!(points).to_string())
            .bind(contact.agreed_on.to_string())
            .bind(actor.at_ms)
            .bind(contact.every_days.map(i64::from)),
        )
        .await?;
        let line = format!("A victim's choice of updates recorded: {}", contact.channel.label().to_lowercase());
        event(&mut tx, case_id, "victim_contact", &line, actor).await?;
        let detail = serde_json::json!({
            "person": contact.person_id, "channel": contact.channel, "points": points, "every_days": contact.every_days
        });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "victim_contact", Some(case_id), detail))
            .await?;
        tx.commit().await
    }

    /// Records an update given to a victim about `point` with the officer's
    /// `note` (required, at most 1,000 characters: `victim_note`), by the
    /// channel they chose; an e-mail is sent to their address.
    /// `victim_contact` when no choice is recorded, `victim_opted_out` when
    /// they asked not to be contacted. Lead agency only; audited.
    pub async fn tell_victim(
        &self,
        permit: &Permit<EditRecords>,
        case_id: &str,
        person_id: &str,
        point: UpdatePoint,
        note: &str,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 1_000 {
            return Err(rule("victim_note", "write what the victim is told, in at most 1,000 characters"));
        }
        let mut tx = self.write().await?;
        let reference = require_lead(&mut tx, permit, case_id).await?;
        require_victim(&mut tx, case_id, person_id).await?;
        let contact = contact_of(&mut tx, case_id, person_id)
            .await?
            .ok_or_else(|| rule("victim_contact", "record how the victim wants to be told first"))?;
        if contact.channel == ContactChannel::None {
            return Err(rule("victim_opted_out", "the victim asked not to be contacted"));
        }
        tx.execute(
            &Q::new(
                "INSERT INTO victim_updates (id, case_id, person_id, milestone, note, channel, at, by_user)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(new_id_at_ms(actor.at_ms))
            .bind(case_id)
            .bind(person_id)
            .bind(point.as_str())
            .bind(note)
            .bind(contact.channel.as_str())
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        if contact.channel == ContactChannel::Email {
            let agency = tx
                .one(&Q::new("SELECT name FROM agencies WHERE code = $1").bind(&actor.principal.agency))
                .await?
                .text("name")?;
            let update =
                Event::VictimUpdate { reference, agency, milestone: point.label().to_string(), note: note.to_string() };
            enqueue_to_address(&mut tx, &contact.email, &update, "/", actor.at_ms).await?;
        }
        let line = format!("Victim told: {} ({})", point.label(), contact.channel.label().to_lowercase());
        event(&mut tx, case_id, "victim_update", &line, actor).await?;
        let detail =
            serde_json::json!({ "person": person_id, "milestone": point.as_str(), "channel": contact.channel });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "victim_contact", Some(case_id), detail))
            .await?;
        tx.commit().await
    }
}
