//! Meeting series (JAG, RAG, Priority Setting Forum), meetings with their
//! attendees, minutes and decisions, and actions carried from meeting to
//! meeting of a series until done. Every change is audited; so is each
//! pack generation (see [`Store::record_pack`]).

use crate::audit::append;
use crate::sql::{DateText, OptDateText, Row, Stored, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::meeting::{ActionStatus, MeetingKind};
use safetynet_domain::policy::{ManagePartnershipWork, Permit};
use serde::Serialize;

/// A series of meetings.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Series {
    /// Code (e.g. `jag`, `psf-harpenden`).
    pub code: String,
    /// Kind.
    pub kind: MeetingKind,
    /// Title.
    pub title: String,
    /// Standing agenda items.
    pub agenda: Vec<String>,
}

/// A meeting.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Meeting {
    /// Id.
    pub id: String,
    /// Series code.
    pub series_code: String,
    /// Date.
    #[sqlx(try_from = "DateText")]
    pub held_on: NaiveDate,
    /// Where.
    pub location: String,
    /// Minutes (free text).
    pub minutes: String,
}

/// Someone at a meeting.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Attendee {
    /// User id for SafetyNet users; none for external attendees.
    pub user_id: Option<String>,
    /// Name.
    pub name: String,
    /// Agency or organisation.
    pub agency: String,
    /// They sent their apologies rather than attending.
    pub apologies: bool,
}

/// A decision recorded at a meeting.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Decision {
    /// Id.
    pub id: String,
    /// What was decided.
    pub text: String,
}

/// An action: raised at a meeting, carried until done.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Action {
    /// Id.
    pub id: String,
    /// Series.
    pub series_code: String,
    /// Meeting that raised it.
    pub raised_at: String,
    /// Date of that meeting.
    #[sqlx(try_from = "DateText")]
    pub raised_on: NaiveDate,
    /// What is to be done.
    pub title: String,
    /// Owning agency.
    pub owner_agency: String,
    /// Owner's name or role.
    pub owner_name: String,
    /// Due date.
    #[sqlx(try_from = "DateText")]
    pub due_on: NaiveDate,
    /// Where it stands.
    #[sqlx(try_from = "Stored")]
    pub status: ActionStatus,
    /// The day it was closed.
    #[sqlx(try_from = "OptDateText")]
    pub closed_on: Option<NaiveDate>,
    /// Latest progress note.
    pub update_note: String,
    /// "We did": the note that may be published (Priority Setting Forums).
    pub public_note: String,
}

/// A new action.
#[derive(Debug, Clone, serde::Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewAction {
    /// What is to be done.
    pub title: String,
    /// Owning agency.
    pub owner_agency: String,
    /// Owner's name or role.
    #[serde(default)]
    pub owner_name: String,
    /// Due date.
    pub due_on: NaiveDate,
}

/// A meeting with everything recorded at it and the actions carried to it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct MeetingRecord {
    /// The meeting.
    pub meeting: Meeting,
    /// Its series.
    pub series: Series,
    /// Who attended.
    pub attendees: Vec<Attendee>,
    /// Decisions.
    pub decisions: Vec<Decision>,
    /// Actions raised before this meeting and still open going into it
    /// (closed on its date or later, or not at all).
    pub carried: Vec<Action>,
    /// Actions closed from the previous meeting's date up to (not including)
    /// this one's.
    pub closed_since_last: Vec<Action>,
    /// Actions raised at this meeting.
    pub raised: Vec<Action>,
    /// The previous meeting of the series, if any.
    pub previous: Option<Meeting>,
}

const ACTION_COLS: &str = "id, series_code, raised_at, raised_on, title, owner_agency, owner_name, due_on, status, closed_on, update_note, public_note";

fn series_row(r: &Row) -> Result<Series> {
    Ok(Series {
        code: r.text("code")?,
        kind: r.stored("kind")?,
        title: r.text("title")?,
        agenda: serde_json::from_str(&r.text("agenda")?).unwrap_or_default(),
    })
}

fn meeting_row(r: &Row) -> Result<Meeting> {
    Ok(r.decode()?)
}

fn action_row(r: &Row) -> Result<Action> {
    Ok(r.decode()?)
}

fn text_rule(what: &'static str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty() || text.chars().count() > max {
        return Err(StoreError::Rule("text", format!("enter the {what} (at most {max} characters)")));
    }
    Ok(())
}

const MEETING_COLS: &str = "id, series_code, held_on, location, minutes";

impl Store {
    /// Adds or renames a series; a new one starts with its kind's standing
    /// agenda unless `agenda` is given.
    pub async fn save_series(
        &self,
        _permit: &Permit<ManagePartnershipWork>,
        code: &str,
        kind: MeetingKind,
        title: &str,
        agenda: Option<&[String]>,
        actor: &Actor<'_>,
    ) -> Result<Series> {
        let ok = (2..=60).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(StoreError::Rule(
                "code",
                "the series code must be 2 to 60 lower-case letters, digits or hyphens".into(),
            ));
        }
        text_rule("series title", title, 200)?;
        let agenda = agenda.map_or_else(|| kind.standing_agenda(), <[String]>::to_vec);
        let mut tx = self.write().await?;
        tx.execute(
            &Q::new(
                "INSERT INTO meeting_series (code, kind, title, agenda, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (code) DO UPDATE SET title = excluded.title, agenda = excluded.agenda",
            )
            .bind(code)
            .bind(kind.as_str())
            .bind(title.trim())
            .bind(serde_json::to_string(&agenda).unwrap_or_default())
            .bind(actor.at_ms),
        )
        .await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::Update, "meeting_series", Some(code), serde_json::json!({ "title": title })),
        )
        .await?;
        tx.commit().await?;
        self.one_series(code).await
    }

    /// Every series.
    pub async fn series(&self) -> Result<Vec<Series>> {
        let rows = self
            .conn()
            .await?
            .all(&Q::new("SELECT code, kind, title, agenda FROM meeting_series ORDER BY CASE kind WHEN 'jag' THEN 0 WHEN 'rag' THEN 1 ELSE 2 END, code"))
            .await?;
        rows.iter().map(series_row).collect()
    }

    /// One series.
    pub async fn one_series(&self, code: &str) -> Result<Series> {
        let row = self
            .conn()
            .await?
            .optional(&Q::new("SELECT code, kind, title, agenda FROM meeting_series WHERE code = $1").bind(code))
            .await?
            .ok_or(StoreError::NotFound("meeting series"))?;
        series_row(&row)
    }

    /// Schedules a meeting of a series on a date (one per series per day).
    pub async fn schedule_meeting(
        &self,
        _permit: &Permit<ManagePartnershipWork>,
        series_code: &str,
        held_on: NaiveDate,
        location: &str,
        actor: &Actor<'_>,
    ) -> Result<Meeting> {
        self.one_series(series_code).await?;
        if location.chars().count() > 200 {
            return Err(StoreError::Rule("text", "shorten the location (at most 200 characters)".into()));
        }
        let mut tx = self.write().await?;
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new("INSERT INTO meetings (id, series_code, held_on, location, minutes, created_at) VALUES ($1, $2, $3, $4, '', $5)")
                .bind(&id)
                .bind(series_code)
                .bind(held_on.to_string())
                .bind(location.trim())
                .bind(actor.at_ms),
        )
        .await
        .map_err(|e| e.conflict_as("a meeting of this series on that day"))?;
        let detail = serde_json::json!({ "series": series_code, "held_on": held_on.to_string() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "meeting", Some(&id), detail)).await?;
        tx.commit().await?;
        self.meeting(&id).await
    }

    /// One meeting.
    pub async fn meeting(&self, id: &str) -> Result<Meeting> {
        let row = self
            .conn()
            .await?
            .optional(&Q::new(format!("SELECT {MEETING_COLS} FROM meetings WHERE id = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("meeting"))?;
        meeting_row(&row)
    }

    /// Meetings, latest first; of one series when given.
    pub async fn meetings(&self, series_code: Option<&str>) -> Result<Vec<Meeting>> {
        let mut q = Q::new(format!("SELECT {MEETING_COLS} FROM meetings WHERE 1 = 1"));
        if let Some(s) = series_code {
            q.push(" AND series_code = ").arg(s);
        }
        q.push(" ORDER BY held_on DESC, series_code");
        self.conn().await?.all(&q).await?.iter().map(meeting_row).collect()
    }

    /// The first meeting of a kind on or after `from` (the next one).
    pub async fn next_meeting(&self, kind: MeetingKind, from: NaiveDate) -> Result<Option<Meeting>> {
        let row = self
            .conn()
            .await?
            .optional(
                &Q::new(
                    "SELECT m.id, m.series_code, m.held_on, m.location, m.minutes FROM meetings m JOIN meeting_series s ON s.code = m.series_code
                     WHERE s.kind = $1 AND m.held_on >= $2 ORDER BY m.held_on, m.series_code LIMIT 1",
                )
                .bind(kind.as_str())
                .bind(from.to_string()),
            )
            .await?;
        row.as_ref().map(meeting_row).transpose()
    }

    /// The meeting of a kind held on `date`, if one was.
    pub async fn meeting_of_kind_on(&self, kind: MeetingKind, date: NaiveDate) -> Result<Option<Meeting>> {
        Ok(self.next_meeting(kind, date).await?.filter(|m| m.held_on == date))
    }

    /// Actions of every series of `kind` still open on `on` (raised before
    /// it and not closed by then), soonest due first: what a pack for a
    /// date with no meeting carries.
    pub async fn open_actions_of_kind(&self, kind: MeetingKind, on: NaiveDate) -> Result<Vec<Action>> {
        let q = Q::new(format!(
            "SELECT {ACTION_COLS} FROM meeting_actions WHERE series_code IN (SELECT code FROM meeting_series WHERE kind = $1)
             AND raised_on < $2 AND (closed_on IS NULL OR closed_on >= $2) ORDER BY due_on, raised_on, created_at, title, id"
        ))
        .bind(kind.as_str())
        .bind(on);
        self.conn().await?.all(&q).await?.iter().map(action_row).collect()
    }

    /// The meeting with its attendees, decisions and actions as on its date.
    pub async fn meeting_record(&self, id: &str) -> Result<MeetingRecord> {
        let meeting = self.meeting(id).await?;
        let series = self.one_series(&meeting.series_code).await?;
        let mut c = self.conn().await?;
        let previous = c
            .optional(
                &Q::new(format!(
                    "SELECT {MEETING_COLS} FROM meetings WHERE series_code = $1 AND held_on < $2 ORDER BY held_on DESC LIMIT 1"
                ))
                .bind(&meeting.series_code)
                .bind(meeting.held_on),
            )
            .await?
            .as_ref()
            .map(meeting_row)
            .transpose()?;
        let attendees = c
            .all(
                &Q::new(
                    "SELECT user_id, name, agency, apologies FROM meeting_attendees WHERE meeting_id = $1 ORDER BY agency, name",
                )
                .bind(id),
            )
            .await?
            .iter()
            .map(|r| {
                Ok(Attendee {
                    user_id: r.opt_text("user_id")?,
                    name: r.text("name")?,
                    agency: r.text("agency")?,
                    apologies: r.boolean("apologies")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let decisions = c
            .all(
                &Q::new("SELECT id, text FROM meeting_decisions WHERE meeting_id = $1 ORDER BY created_at, id")
                    .bind(id),
            )
            .await?
            .iter()
            .map(|r| Ok(Decision { id: r.text("id")?, text: r.text("text")? }))
            .collect::<Result<Vec<_>>>()?;
        let actions = |sql: &str| {
            Q::new(format!("SELECT {ACTION_COLS} FROM meeting_actions WHERE series_code = $1 AND {sql} ORDER BY due_on, raised_on, created_at, title, id"))
                .bind(&meeting.series_code)
                .bind(meeting.held_on)
        };
        let carried = c
            .all(&actions("raised_on < $2 AND (closed_on IS NULL OR closed_on >= $2)"))
            .await?
            .iter()
            .map(action_row)
            .collect::<Result<Vec<_>>>()?;
        let since = previous.as_ref().map_or_else(|| "0000-00-00".to_string(), |p| p.held_on.to_string());
        let closed_since_last = c
            .all(&actions("closed_on < $2 AND closed_on >= $3").bind(since))
            .await?
            .iter()
            .map(action_row)
            .collect::<Result<Vec<_>>>()?;
        let raised =
            c.all(&actions("raised_at = $3").bind(id)).await?.iter().map(action_row).collect::<Result<Vec<_>>>()?;
        Ok(MeetingRecord { meeting, series, attendees, decisions, carried, closed_since_last, raised, previous })
    }

    /// Adds an attendee, or with `apologies` someone who sent theirs: a
    /// SafetyNet user (by id) or someone external.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_attendee(
        &self,
        _permit: &Permit<ManagePartnershipWork>,
        meeting_id: &str,
        user_id: Option<&str>,
        name: &str,
        agency: &str,
        apologies: bool,
        actor: &Actor<'_>,
    ) -> Result<()> {
        self.meeting(meeting_id).await?;
        let (name, agency) = match user_id {
            Some(u) => {
                let row = self
                    .conn()
                    .await?
                    .optional(&Q::new("SELECT display_name, agency_code FROM users WHERE id = $1").bind(u))
                    .await?
                    .ok_or(StoreError::NotFound("user"))?;
                (row.text("display_name")?, row.text("agency_code")?)
            }
            None => {
                text_rule("attendee's name", name, 120)?;
                text_rule("attendee's organisation", agency, 120)?;
                (name.trim().to_string(), agency.trim().to_string())
            }
        };
        let mut tx = self.write().await?;
        tx.execute(
            &Q::new("INSERT INTO meeting_attendees (id, meeting_id, user_id, name, agency, apologies) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING")
                .bind(new_id_at_ms(actor.at_ms))
                .bind(meeting_id)
                .bind(user_id)
                .bind(&name)
                .bind(&agency)
                .bind(apologies),
        )
        .await?;
        let detail = serde_json::json!({ "attendee": name, "agency": agency, "apologies": apologies });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "meeting", Some(meeting_id), detail)).await?;
        tx.commit().await
    }

    /// Whether `user_id` is recorded as attending `meeting_id`.
    pub async fn is_attendee(&self, meeting_id: &str, user_id: &str) -> Result<bool> {
        Ok(self
            .conn()
            .await?
            .optional(
                &Q::new(
                    "SELECT 1 AS one FROM meeting_attendees WHERE meeting_id = $1 AND user_id = $2 AND NOT apologies",
                )
                .bind(meeting_id)
                .bind(user_id),
            )
            .await?
            .is_some())
    }

    /// Replaces the minutes.
    pub async fn set_minutes(
        &self,
        _permit: &Permit<ManagePartnershipWork>,
        meeting_id: &str,
        minutes: &str,
        actor: &Actor<'_>,
    ) -> Result<()> {
        if minutes.chars().count() > 50_000 {
            return Err(StoreError::Rule("text", "the minutes are too long (at most 50,000 characters)".into()));
        }
        let mut tx = self.write().await?;
        let n = tx
            .execute(&Q::new("UPDATE meetings SET minutes = $2 WHERE id = $1").bind(meeting_id).bind(minutes))
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound("meeting"));
        }
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(
                AuditAction::Update,
                "meeting_minutes",
                Some(meeting_id),
                serde_json::json!({ "length": minutes.len() }),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Records a decision.
    pub async fn add_decision(
        &self,
        _permit: &Permit<ManagePartnershipWork>,
        meeting_id: &str,
        text: &str,
        actor: &Actor<'_>,
    ) -> Result<()> {
        text_rule("decision", text, 2000)?;
        self.meeting(meeting_id).await?;
        let mut tx = self.write().await?;
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new("INSERT INTO meeting_decisions (id, meeting_id, text, created_at) VALUES ($1, $2, $3, $4)")
                .bind(&id)
                .bind(meeting_id)
                .bind(text.trim())
                .bind(actor.at_ms),
        )
        .await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(
                AuditAction::Create,
                "meeting_decision",
                Some(&id),
                serde_json::json!({ "meeting": meeting_id }),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Raises an action at a meeting; it is carried to later meetings of the
    /// series until done.
    pub async fn add_action(
        &self,
        _permit: &Permit<ManagePartnershipWork>,
        meeting_id: &str,
        a: &NewAction,
        actor: &Actor<'_>,
    ) -> Result<Action> {
        text_rule("action", &a.title, 500)?;
        if a.owner_name.chars().count() > 120 {
            return Err(StoreError::Rule("text", "shorten the owner's name (at most 120 characters)".into()));
        }
        let meeting = self.meeting(meeting_id).await?;
        // Raised at the meeting, so due on its date or later (minutes typed up
        // afterwards may still set a date that has passed since).
        if a.due_on < meeting.held_on {
            return Err(StoreError::Rule(
                "due_on",
                format!(
                    "the action is raised at the meeting on {}, so it cannot be due before then: check the date",
                    meeting.held_on.format("%-d %B %Y")
                ),
            ));
        }
        self.agency(&a.owner_agency)
            .await
            .map_err(|_| StoreError::Rule("agency", "choose the agency that owns the action".into()))?;
        let mut tx = self.write().await?;
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(format!("INSERT INTO meeting_actions ({ACTION_COLS}, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', NULL, '', '', $9)"))
                .bind(&id)
                .bind(&meeting.series_code)
                .bind(&meeting.id)
                .bind(meeting.held_on)
                .bind(a.title.trim())
                .bind(&a.owner_agency)
                .bind(a.owner_name.trim())
                .bind(a.due_on.to_string())
                .bind(actor.at_ms),
        )
        .await?;
        let detail =
            serde_json::json!({ "meeting": meeting.id, "title": a.title.trim(), "owner_agency": a.owner_agency });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "meeting_action", Some(&id), detail)).await?;
        tx.commit().await?;
        self.action(&id).await
    }

    /// Actions of a series done on or before `date`, latest first.
    pub async fn closed_actions(&self, series_code: &str, date: NaiveDate) -> Result<Vec<Action>> {
        let rows = self
            .conn()
            .await?
            .all(
                &Q::new(format!(
                    "SELECT {ACTION_COLS} FROM meeting_actions WHERE series_code = $1 AND status = 'done' AND closed_on <= $2 ORDER BY closed_on DESC, id"
                ))
                .bind(series_code)
                .bind(date.to_string()),
            )
            .await?;
        rows.iter().map(action_row).collect()
    }

    /// One action.
    pub async fn action(&self, id: &str) -> Result<Action> {
        let row = self
            .conn()
            .await?
            .optional(&Q::new(format!("SELECT {ACTION_COLS} FROM meeting_actions WHERE id = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("action"))?;
        action_row(&row)
    }

    /// Updates an action's status and notes; closing it records `on` as the
    /// day it closed (so packs for earlier dates still show it open).
    #[allow(clippy::too_many_arguments)]
    pub async fn update_action(
        &self,
        _permit: &Permit<ManagePartnershipWork>,
        id: &str,
        status: ActionStatus,
        note: &str,
        public_note: &str,
        on: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<Action> {
        if note.chars().count() > 2000 || public_note.chars().count() > 2000 {
            return Err(StoreError::Rule("text", "notes are limited to 2,000 characters".into()));
        }
        let closed = (status != ActionStatus::Open).then(|| on.to_string());
        let mut tx = self.write().await?;
        let n = tx
            .execute(
                &Q::new("UPDATE meeting_actions SET status = $2, closed_on = $3, update_note = $4, public_note = $5 WHERE id = $1")
                    .bind(id)
                    .bind(status.as_str())
                    .bind(closed)
                    .bind(note.trim())
                    .bind(public_note.trim()),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound("action"));
        }
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(
                AuditAction::Update,
                "meeting_action",
                Some(id),
                serde_json::json!({ "status": status.as_str() }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.action(id).await
    }

    /// Audits that a pack was generated (who, which, for what date, format).
    pub async fn record_pack(&self, kind: MeetingKind, date: NaiveDate, format: &str, actor: &Actor<'_>) -> Result<()> {
        let detail = serde_json::json!({ "pack": kind.as_str(), "date": date.to_string(), "format": format });
        self.audit(actor.at_ms, &actor.event(AuditAction::Export, "meeting_pack", None, detail)).await?;
        Ok(())
    }
}
