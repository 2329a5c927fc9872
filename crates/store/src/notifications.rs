//! E-mail notifications: the outbox and each user's preferences.
//!
//! A change that causes a message (a task given, a case shared, an operation
//! task) writes its outbox rows with [`enqueue`] inside its own transaction,
//! so the message exists exactly when the change does. Reminders that fall
//! due with time (reviews, ASB Case Review deadlines, the CSP managers' daily
//! summary) are queued by the scheduler, each once: a unique `once_key` per
//! (kind, record, deadline or day, user). The scheduler then sends what is
//! due: [`Store::due_outbox`], [`Store::claim_outbox`] (a lease, so two
//! servers never send the same message), and [`Store::outbox_sent`] or
//! [`Store::outbox_failed`] with the next attempt (backoff) or none (given up).
//!
//! Message texts come from `domain::notification`, built from references,
//! agency codes, dates and counts only: no personal data is stored here.

use crate::audit::append;
use crate::records::case_visible;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, Tx};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
pub(crate) use safetynet_domain::notification::Event;
use safetynet_domain::notification::{Digest, Kind, Stage};
use safetynet_domain::policy::{Capability, EditRecords, ManagePartnershipWork};
use safetynet_domain::role::Role;
use serde::Serialize;

/// Who a message goes to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum To<'a> {
    /// One user (by id).
    User(&'a str),
    /// The active users of an agency holding any of these roles.
    Agency(&'a str, &'static [Role]),
}

/// The roles that work cases (the policy's [`EditRecords`]): who hears about
/// tasks and shares given to their agency.
pub(crate) const CASE_WORKERS: &[Role] = EditRecords::ROLES;

/// Queues `event` for `to` (less `except_user`, the person who made the
/// change, and anyone who switched the kind off) inside `tx`. With
/// `once_key`, each recipient gets it at most once ever. Returns the number
/// of messages queued.
pub(crate) async fn enqueue(
    tx: &mut Tx,
    to: To<'_>,
    event: &Event,
    link_path: &str,
    once_key: Option<&str>,
    except_user: &str,
    at_ms: i64,
) -> Result<usize> {
    let msg = event.message(link_path);
    let mut q = Q::new("SELECT u.id, u.email FROM users u WHERE u.active = ");
    q.arg(true).push(" AND u.id <> ").arg(except_user);
    match to {
        To::User(id) => {
            q.push(" AND u.id = ").arg(id);
        }
        To::Agency(agency, roles) => {
            q.push(" AND u.agency_code = ").arg(agency);
            q.push(" AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN (");
            for (i, r) in roles.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.arg(r.as_str());
            }
            q.push("))");
        }
    }
    q.push(" AND NOT EXISTS (SELECT 1 FROM notification_preferences p WHERE p.user_id = u.id AND p.kind = ")
        .arg(msg.kind.as_str())
        .push(" AND p.enabled = ")
        .arg(false)
        .push(") ORDER BY u.id");
    let recipients = tx.all(&q).await?;
    let mut queued = 0;
    for r in &recipients {
        let user_id = r.text("id")?;
        let key = once_key.map(|k| format!("{k}:{user_id}"));
        queued += tx
            .execute(
                &Q::new(
                    "INSERT INTO outbox (id, user_id, address, kind, subject, body, link_path, once_key, created_at, attempts, next_attempt_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $9) ON CONFLICT DO NOTHING",
                )
                .bind(new_id_at_ms(at_ms))
                .bind(&user_id)
                .bind(r.text("email")?)
                .bind(msg.kind.as_str())
                .bind(&msg.subject)
                .bind(&msg.body)
                .bind(&msg.link_path)
                .bind(key)
                .bind(at_ms),
            )
            .await? as usize;
    }
    Ok(queued)
}

/// Queues `event` for an address that belongs to no user (a resident who
/// gave it with a report) inside `tx`.
pub(crate) async fn enqueue_to_address(
    tx: &mut Tx,
    address: &str,
    event: &Event,
    link_path: &str,
    at_ms: i64,
) -> Result<()> {
    let msg = event.message(link_path);
    tx.execute(
        &Q::new(
            "INSERT INTO outbox (id, user_id, address, kind, subject, body, link_path, once_key, created_at, attempts, next_attempt_at)
             VALUES ($1, NULL, $2, $3, $4, $5, $6, NULL, $7, 0, $7)",
        )
        .bind(new_id_at_ms(at_ms))
        .bind(address)
        .bind(msg.kind.as_str())
        .bind(&msg.subject)
        .bind(&msg.body)
        .bind(&msg.link_path)
        .bind(at_ms),
    )
    .await?;
    Ok(())
}

/// One message in the outbox.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OutboxMessage {
    /// Id (also the e-mail's Message-ID).
    pub id: String,
    /// Recipient user id (none for a test message).
    pub user_id: Option<String>,
    /// Recipient address.
    pub address: String,
    /// Kind.
    pub kind: String,
    /// Subject line.
    pub subject: String,
    /// Body, without the link.
    pub body: String,
    /// Path of the record linked to.
    pub link_path: String,
    /// Queued (Unix ms).
    pub created_at_ms: i64,
    /// Failed attempts so far.
    pub attempts: i64,
    /// Next attempt (Unix ms).
    pub next_attempt_at_ms: i64,
    /// Delivered to the mail server (Unix ms).
    pub sent_at_ms: Option<i64>,
    /// Given up (Unix ms).
    pub failed_at_ms: Option<i64>,
    /// The last error from the mail server.
    pub last_error: Option<String>,
}

const OUTBOX_SELECT: &str = "SELECT id, user_id, address, kind, subject, body, link_path, created_at, attempts, next_attempt_at, sent_at, failed_at, last_error FROM outbox";

fn outbox_row(r: &Row) -> Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: r.text("id")?,
        user_id: r.opt_text("user_id")?,
        address: r.text("address")?,
        kind: r.text("kind")?,
        subject: r.text("subject")?,
        body: r.text("body")?,
        link_path: r.text("link_path")?,
        created_at_ms: r.int("created_at")?,
        attempts: r.int("attempts")?,
        next_attempt_at_ms: r.int("next_attempt_at")?,
        sent_at_ms: r.opt_int("sent_at")?,
        failed_at_ms: r.opt_int("failed_at")?,
        last_error: r.opt_text("last_error")?,
    })
}

/// The state of the outbox, for `safetynet mail status` and the dashboard.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct OutboxStatus {
    /// Not yet delivered and not given up.
    pub waiting: i64,
    /// Of those, tried at least once and failed.
    pub retrying: i64,
    /// Delivered in the last 24 hours.
    pub sent_last_day: i64,
    /// Given up in the last 24 hours.
    pub failed_last_day: i64,
    /// The oldest waiting message (Unix ms).
    pub oldest_waiting_ms: Option<i64>,
    /// The most recent messages given up on (newest first, at most 10).
    pub recent_failures: Vec<OutboxMessage>,
}

/// What the scheduler queued in one pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Queued {
    /// Review reminders.
    pub reviews: usize,
    /// ASB Case Review deadline reminders.
    pub case_reviews: usize,
    /// Daily summaries.
    pub digests: usize,
    /// Reminders of public spaces protection orders ending.
    pub pspos: usize,
    /// Reminders of noise recording kits due back.
    pub equipment: usize,
}

impl Queued {
    /// All messages queued.
    pub fn total(&self) -> usize {
        self.reviews + self.case_reviews + self.digests + self.pspos + self.equipment
    }
}

impl Store {
    /// The user's choice for every kind (default on).
    pub async fn notification_preferences(&self, user_id: &str) -> Result<Vec<(Kind, bool)>> {
        let rows = self
            .conn()
            .await?
            .all(&Q::new("SELECT kind, enabled FROM notification_preferences WHERE user_id = $1").bind(user_id))
            .await?;
        let mut off = Vec::new();
        for r in &rows {
            if !r.boolean("enabled")? {
                off.push(r.text("kind")?);
            }
        }
        Ok(Kind::ALL.into_iter().filter(|k| k.to_users()).map(|k| (k, !off.iter().any(|o| o == k.as_str()))).collect())
    }

    /// Sets the acting user's choices (kinds not named keep theirs); audited.
    pub async fn set_notification_preferences(&self, actor: &Actor<'_>, choices: &[(Kind, bool)]) -> Result<()> {
        let user_id = &actor.principal.user_id;
        let mut tx = self.write().await?;
        for (kind, enabled) in choices {
            tx.execute(
                &Q::new(
                    "INSERT INTO notification_preferences (user_id, kind, enabled, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (user_id, kind) DO UPDATE SET enabled = $3, updated_at = $4",
                )
                .bind(user_id)
                .bind(kind.as_str())
                .bind(*enabled)
                .bind(actor.at_ms),
            )
            .await?;
        }
        let detail: serde_json::Map<String, serde_json::Value> =
            choices.iter().map(|(k, e)| (k.as_str().to_string(), serde_json::Value::Bool(*e))).collect();
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::Update, "notification_preferences", Some(user_id), detail.into()),
        )
        .await?;
        tx.commit().await
    }

    /// Queues reminders for live cases whose review date falls from `from`
    /// to `until` (inclusive): to the lead officer, or the owning agency's
    /// case workers when none; once per case, review date and person.
    pub async fn queue_review_reminders(&self, from: NaiveDate, until: NaiveDate, actor: &Actor<'_>) -> Result<usize> {
        let mut tx = self.write().await?;
        let rows = tx
            .all(
                &Q::new(
                    "SELECT id, reference, owner_agency, lead_officer_id, next_review_on FROM cases
                     WHERE status <> 'closed' AND next_review_on >= $1 AND next_review_on <= $2 ORDER BY next_review_on, reference",
                )
                .bind(from.to_string())
                .bind(until.to_string()),
            )
            .await?;
        let mut n = 0;
        for r in &rows {
            let (id, due) = (r.text("id")?, r.text("next_review_on")?);
            let Ok(due_on) = NaiveDate::parse_from_str(&due, "%Y-%m-%d") else { continue };
            let event = Event::ReviewDue { reference: r.text("reference")?, due_on };
            let lead = r.opt_text("lead_officer_id")?;
            let agency = r.text("owner_agency")?;
            let to = match &lead {
                Some(l) => To::User(l),
                None => To::Agency(&agency, CASE_WORKERS),
            };
            let key = format!("review_due:{id}:{due}");
            n += enqueue(&mut tx, to, &event, &format!("/cases/{id}"), Some(&key), "", actor.at_ms).await?;
        }
        finish_queue(tx, actor, Kind::ReviewDue, n).await?;
        Ok(n)
    }

    /// Queues a reminder, once per order and last day, to the case workers
    /// of the council that made each public spaces protection order ending
    /// from `from` to `until` (inclusive).
    pub async fn queue_pspo_reminders(&self, from: NaiveDate, until: NaiveDate, actor: &Actor<'_>) -> Result<usize> {
        let mut tx = self.write().await?;
        let rows = tx
            .all(
                &Q::new(
                    "SELECT id, reference, owner_agency, ends_on FROM pspos WHERE ends_on >= $1 AND ends_on <= $2 ORDER BY ends_on, reference",
                )
                .bind(from.to_string())
                .bind(until.to_string()),
            )
            .await?;
        let mut n = 0;
        for r in &rows {
            let (id, ends) = (r.text("id")?, r.date("ends_on")?);
            let event = Event::PspoEnding { reference: r.text("reference")?, ends_on: ends };
            let agency = r.text("owner_agency")?;
            let key = format!("pspo_ending:{id}:{ends}");
            n += enqueue(
                &mut tx,
                To::Agency(&agency, CASE_WORKERS),
                &event,
                &format!("/pspos/{id}"),
                Some(&key),
                "",
                actor.at_ms,
            )
            .await?;
        }
        finish_queue(tx, actor, Kind::PspoEnding, n).await?;
        Ok(n)
    }

    /// Queues a reminder, once per booking and due date, to the officer who
    /// booked out each noise recording kit not yet returned and due back
    /// from `from` to `until` (inclusive); to the agency's case workers if
    /// no officer is recorded. The message names the kit only.
    pub async fn queue_equipment_reminders(
        &self,
        from: NaiveDate,
        until: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<usize> {
        let mut tx = self.write().await?;
        let rows = tx
            .all(
                &Q::new(
                    "SELECT b.id, b.due_back_on, b.created_by, e.asset_tag, e.agency FROM noise_bookings b CROSS JOIN noise_equipment e
                     WHERE e.id = b.equipment_id AND b.returned_on IS NULL AND b.due_back_on >= $1 AND b.due_back_on <= $2
                     ORDER BY b.due_back_on, b.id",
                )
                .bind(from.to_string())
                .bind(until.to_string()),
            )
            .await?;
        let mut n = 0;
        for r in &rows {
            let (id, due) = (r.text("id")?, r.date("due_back_on")?);
            let event = Event::EquipmentDue { asset_tag: r.text("asset_tag")?, due_back_on: due };
            let (officer, agency) = (r.opt_text("created_by")?, r.text("agency")?);
            let to = match &officer {
                Some(user) => To::User(user),
                None => To::Agency(&agency, CASE_WORKERS),
            };
            let key = format!("equipment_due:{id}:{due}");
            n += enqueue(&mut tx, to, &event, "/programmes/noise", Some(&key), "", actor.at_ms).await?;
        }
        finish_queue(tx, actor, Kind::EquipmentDue, n).await?;
        Ok(n)
    }

    /// Queues reminders for ASB Case Review deadlines from `from` to `until`
    /// (inclusive) still outstanding: acknowledging and deciding while no
    /// decision is recorded, the meeting while none is recorded and the
    /// threshold is not found unmet. To the handling agency's case workers;
    /// once per application, stage and person.
    pub async fn queue_case_review_reminders(
        &self,
        from: NaiveDate,
        until: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<usize> {
        let mut tx = self.write().await?;
        let rows = tx
            .all(
                &Q::new(
                    "SELECT id, reference, owner_agency, acknowledge_by, decide_by, meeting_by, threshold_met, decided_on, meeting_on
                     FROM case_review_applications
                     WHERE (acknowledge_by >= $1 AND acknowledge_by <= $2) OR (decide_by >= $1 AND decide_by <= $2) OR (meeting_by >= $1 AND meeting_by <= $2)
                     ORDER BY reference",
                )
                .bind(from.to_string())
                .bind(until.to_string()),
            )
            .await?;
        let (from_s, until_s) = (from.to_string(), until.to_string());
        let mut n = 0;
        for r in &rows {
            let id = r.text("id")?;
            let undecided = r.opt_text("decided_on")?.is_none() && r.opt_bool("threshold_met")?.is_none();
            let no_meeting = r.opt_text("meeting_on")?.is_none() && r.opt_bool("threshold_met")? != Some(false);
            let agency = r.text("owner_agency")?;
            for (stage, column, outstanding) in [
                (Stage::Acknowledge, "acknowledge_by", undecided),
                (Stage::Decide, "decide_by", undecided),
                (Stage::Meet, "meeting_by", no_meeting),
            ] {
                let due = r.text(column)?;
                if !outstanding || due < from_s || due > until_s {
                    continue;
                }
                let Ok(due_on) = NaiveDate::parse_from_str(&due, "%Y-%m-%d") else { continue };
                let event = Event::CaseReviewDeadline { reference: r.text("reference")?, stage, due_on };
                let key = format!("case_review_deadline:{id}:{}:{due}", stage.as_str());
                let to = To::Agency(&agency, CASE_WORKERS);
                n += enqueue(&mut tx, to, &event, &format!("/case-reviews/{id}"), Some(&key), "", actor.at_ms).await?;
            }
        }
        finish_queue(tx, actor, Kind::CaseReviewDeadline, n).await?;
        Ok(n)
    }

    /// Queues the daily summary for `on` to every CSP manager (the policy's
    /// [`ManagePartnershipWork`]): counts over the cases their agency may
    /// see; once per person and day.
    pub async fn queue_daily_digests(&self, on: NaiveDate, actor: &Actor<'_>) -> Result<usize> {
        let mut tx = self.write().await?;
        let mut q = Q::new("SELECT u.id, u.agency_code FROM users u WHERE u.active = ");
        q.arg(true).push(" AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN (");
        for (i, r) in ManagePartnershipWork::ROLES.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.arg(r.as_str());
        }
        q.push(")) ORDER BY u.id");
        let managers = tx.all(&q).await?;
        let undelivered = tx
            .one(
                &Q::new("SELECT COUNT(*) AS n FROM outbox WHERE failed_at >= $1")
                    .bind(actor.at_ms - safetynet_domain::notification::GIVE_UP_AFTER.num_milliseconds()),
            )
            .await?
            .int("n")?;
        let today = on.to_string();
        let mut n = 0;
        for m in &managers {
            let (user_id, agency) = (m.text("id")?, m.text("agency_code")?);
            let count = async |tx: &mut Tx, mut q: Q| -> Result<i64> {
                case_visible(&mut q, "c", &agency);
                Ok(tx.one(&q).await?.int("n")?)
            };
            let mut overdue = Q::new("SELECT COUNT(*) AS n FROM case_tasks t JOIN cases c ON c.id = t.case_id WHERE t.status IN ('open', 'in_progress') AND t.due_on < ");
            overdue.arg(&today).push(" AND");
            let mut reviews =
                Q::new("SELECT COUNT(*) AS n FROM cases c WHERE c.status <> 'closed' AND c.next_review_on <= ");
            reviews.arg(&today).push(" AND");
            let high =
                Q::new("SELECT COUNT(*) AS n FROM cases c WHERE c.status <> 'closed' AND c.risk_level = 'high' AND");
            let counts = Digest {
                overdue_tasks: count(&mut tx, overdue).await?,
                reviews_due: count(&mut tx, reviews).await?,
                high_risk_cases: count(&mut tx, high).await?,
                case_reviews_open: tx
                    .one(
                        &Q::new("SELECT COUNT(*) AS n FROM case_review_applications WHERE owner_agency = $1 AND decided_on IS NULL AND threshold_met IS NULL")
                            .bind(&agency),
                    )
                    .await?
                    .int("n")?,
                undelivered,
            };
            let event = Event::DailyDigest { on, counts };
            let key = format!("daily_digest:{today}");
            n += enqueue(&mut tx, To::User(&user_id), &event, "/dashboard", Some(&key), "", actor.at_ms).await?;
        }
        finish_queue(tx, actor, Kind::DailyDigest, n).await?;
        Ok(n)
    }

    /// Messages due to be sent at `now_ms` (oldest first, at most `limit`).
    pub async fn due_outbox(&self, now_ms: i64, limit: i64) -> Result<Vec<OutboxMessage>> {
        self.conn()
            .await?
            .all(
                &Q::new(format!(
                    "{OUTBOX_SELECT} WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2"
                ))
                .bind(now_ms)
                .bind(limit),
            )
            .await?
            .iter()
            .map(outbox_row)
            .collect()
    }

    /// Takes a due message for sending until `lease_until_ms` (so another
    /// server, or this one after a crash, waits until then). False when
    /// someone else took it first.
    pub async fn claim_outbox(&self, m: &OutboxMessage, lease_until_ms: i64) -> Result<bool> {
        let mut tx = self.write().await?;
        let n = tx
            .execute(
                &Q::new(
                    "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3 AND sent_at IS NULL AND failed_at IS NULL",
                )
                .bind(lease_until_ms)
                .bind(&m.id)
                .bind(m.next_attempt_at_ms),
            )
            .await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Records a message as delivered to the mail server.
    pub async fn outbox_sent(&self, id: &str, at_ms: i64) -> Result<()> {
        let mut tx = self.write().await?;
        tx.execute(&Q::new("UPDATE outbox SET sent_at = $1, last_error = NULL WHERE id = $2").bind(at_ms).bind(id))
            .await?;
        tx.commit().await
    }

    /// Records a failed attempt: `attempts` so far, the next attempt, or
    /// none to give up (at `at_ms`); the error is kept.
    pub async fn outbox_failed(
        &self,
        id: &str,
        attempts: i64,
        next_attempt_ms: Option<i64>,
        error: &str,
        at_ms: i64,
    ) -> Result<()> {
        let error: String = error.chars().take(1_000).collect();
        let mut tx = self.write().await?;
        tx.execute(
            &Q::new(
                "UPDATE outbox SET attempts = $1, next_attempt_at = $2, failed_at = $3, last_error = $4 WHERE id = $5",
            )
            .bind(attempts)
            .bind(next_attempt_ms.unwrap_or(at_ms))
            .bind(if next_attempt_ms.is_none() { Some(at_ms) } else { None })
            .bind(error)
            .bind(id),
        )
        .await?;
        tx.commit().await
    }

    /// Deletes messages sent or given up before `before_ms` (the outbox is a
    /// queue, not an archive); returns how many.
    pub async fn purge_outbox(&self, before_ms: i64) -> Result<u64> {
        let mut tx = self.write().await?;
        let n = tx
            .execute(
                &Q::new("DELETE FROM outbox WHERE (sent_at IS NOT NULL AND sent_at < $1) OR (failed_at IS NOT NULL AND failed_at < $1)")
                    .bind(before_ms),
            )
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The most recent messages, newest first (for `mail status` and tests).
    pub async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        self.conn()
            .await?
            .all(&Q::new(format!("{OUTBOX_SELECT} ORDER BY created_at DESC, id DESC LIMIT $1")).bind(limit))
            .await?
            .iter()
            .map(outbox_row)
            .collect()
    }

    /// Counts of waiting, sent and given-up messages as of `now_ms`.
    pub async fn outbox_status(&self, now_ms: i64) -> Result<OutboxStatus> {
        let mut conn = self.conn().await?;
        let day_ago = now_ms - 86_400_000;
        let r = conn
            .one(
                &Q::new(
                    "SELECT
                       SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END) AS waiting,
                       SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END) AS retrying,
                       SUM(CASE WHEN sent_at >= $1 THEN 1 ELSE 0 END) AS sent,
                       SUM(CASE WHEN failed_at >= $1 THEN 1 ELSE 0 END) AS failed,
                       MIN(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN created_at END) AS oldest
                     FROM outbox",
                )
                .bind(day_ago),
            )
            .await?;
        let recent_failures = conn
            .all(&Q::new(format!(
                "{OUTBOX_SELECT} WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC LIMIT 10"
            )))
            .await?
            .iter()
            .map(outbox_row)
            .collect::<Result<_>>()?;
        Ok(OutboxStatus {
            waiting: r.opt_int("waiting")?.unwrap_or(0),
            retrying: r.opt_int("retrying")?.unwrap_or(0),
            sent_last_day: r.opt_int("sent")?.unwrap_or(0),
            failed_last_day: r.opt_int("failed")?.unwrap_or(0),
            oldest_waiting_ms: r.opt_int("oldest")?,
            recent_failures,
        })
    }
}

/// Audits a scheduler pass that queued anything, and commits.
async fn finish_queue(mut tx: Tx, actor: &Actor<'_>, kind: Kind, n: usize) -> Result<()> {
    if n > 0 {
        let detail = serde_json::json!({ "kind": kind.as_str(), "queued": n });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "notification", None, detail)).await?;
    }
    tx.commit().await
}
