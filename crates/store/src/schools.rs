//! Sessions delivered in schools and colleges, recorded by the agency that
//! gave them. They hold counts and school names only (no child's details),
//! so every agency may read them.

use crate::audit::append;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
use safetynet_domain::schools::{school_key, NewSchoolSession, Topic};
use serde::Serialize;

/// A session as recorded.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct SchoolSession {
    /// Id.
    pub id: String,
    /// The agency that gave it.
    pub agency: String,
    /// The school or college.
    pub school: String,
    /// The day it was held.
    pub held_on: NaiveDate,
    /// What it was about.
    pub topic: Topic,
    /// Pupils or students reached.
    pub pupils: i64,
    /// Notes.
    pub notes: String,
}

/// Per topic: sessions, distinct schools and pupils reached.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct TopicReach {
    /// The topic.
    pub topic: Topic,
    /// Sessions held.
    pub sessions: i64,
    /// Different schools.
    pub schools: i64,
    /// Pupils reached (a pupil at two sessions counts twice).
    pub pupils: i64,
}

fn session_row(r: &Row) -> Result<SchoolSession> {
    Ok(SchoolSession {
        id: r.text("id")?,
        agency: r.text("agency")?,
        school: r.text("school")?,
        held_on: r.date("held_on")?,
        topic: r.stored("topic")?,
        pupils: r.int("pupils")?,
        notes: r.text("notes")?,
    })
}

impl Store {
    /// Records a session given by the caller's agency on or before
    /// `today`; audited.
    pub async fn add_school_session(
        &self,
        permit: &Permit<EditRecords>,
        new: &NewSchoolSession,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<SchoolSession> {
        new.check(today)?;
        let id = new_id_at_ms(actor.at_ms);
        let mut tx = self.write().await?;
        tx.execute(
            &Q::new(
                "INSERT INTO school_sessions (id, agency, school, school_key, held_on, topic, pupils, notes, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&id)
            .bind(permit.principal().agency.clone())
            .bind(new.school.trim())
            .bind(school_key(&new.school))
            .bind(new.held_on.to_string())
            .bind(new.topic.as_str())
            .bind(i64::from(new.pupils))
            .bind(new.notes.trim())
            .bind(actor.at_ms)
            .bind(actor.user_id()),
        )
        .await?;
        let detail = serde_json::json!({ "topic": new.topic, "held_on": new.held_on });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "school_session", Some(&id), detail)).await?;
        tx.commit().await?;
        session_in(self, &id).await
    }

    /// Sessions from `from` to `to` (inclusive), newest first, optionally
    /// of one topic (at most `limit`).
    pub async fn school_sessions(
        &self,
        _permit: &Permit<ViewRecords>,
        period: (NaiveDate, NaiveDate),
        topic: Option<Topic>,
        limit: i64,
    ) -> Result<Vec<SchoolSession>> {
        let mut q =
            Q::new("SELECT id, agency, school, held_on, topic, pupils, notes FROM school_sessions WHERE held_on >= ");
        q.arg(period.0.to_string()).push(" AND held_on <= ").arg(period.1.to_string());
        if let Some(t) = topic {
            q.push(" AND topic = ").arg(t.as_str());
        }
        q.push(" ORDER BY held_on DESC, id DESC LIMIT ").arg(limit);
        self.conn().await?.all(&q).await?.iter().map(session_row).collect()
    }

    /// Sessions, schools and pupils per topic from `from` to `to`.
    pub async fn school_reach(&self, period: (NaiveDate, NaiveDate)) -> Result<Vec<TopicReach>> {
        let mut conn = self.conn().await?;
        reach(&mut conn, period, None).await
    }
}

/// The session `id` as stored.
async fn session_in(store: &Store, id: &str) -> Result<SchoolSession> {
    let row = store
        .conn()
        .await?
        .one(
            &Q::new("SELECT id, agency, school, held_on, topic, pupils, notes FROM school_sessions WHERE id = $1")
                .bind(id),
        )
        .await?;
    session_row(&row)
}

/// Sessions, distinct schools and pupils per topic in `period`, optionally
/// of one topic: the page's table and the measures' counts.
pub(crate) async fn reach(
    conn: &mut impl Exec,
    period: (NaiveDate, NaiveDate),
    topic: Option<Topic>,
) -> Result<Vec<TopicReach>> {
    let mut q = Q::new(
        "SELECT topic, COUNT(*) AS sessions, COUNT(DISTINCT school_key) AS schools, CAST(COALESCE(SUM(pupils), 0) AS BIGINT) AS pupils
         FROM school_sessions WHERE held_on >= ",
    );
    q.arg(period.0.to_string()).push(" AND held_on <= ").arg(period.1.to_string());
    if let Some(t) = topic {
        q.push(" AND topic = ").arg(t.as_str());
    }
    q.push(" GROUP BY topic");
    let rows = conn.all(&q).await?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(TopicReach {
                topic: r.stored("topic")?,
                sessions: r.int("sessions")?,
                schools: r.int("schools")?,
                pupils: r.int("pupils")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|t| Topic::ALL.iter().position(|x| *x == t.topic));
    Ok(out)
}
