//! Open311 GeoReport v2 clients (migration 0034): each registered client
//! (a FixMyStreet instance, a council app) has a key, of which only the
//! SHA-256 is kept, and an hourly allowance of calls; revoked, not deleted.
//! What clients may read of the reports: every report's reference,
//! service, agency, status and the officers' public notes; the place, the
//! words and the photo link only of the reports that client sent (nothing
//! a resident writes is shown to anyone else); and the updates to the
//! reports it sent, so that FixMyStreet can show them.

use crate::audit::append;
use crate::sql::{Row, IN_LIST, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::policy::{ManageAgencies, Permit};
use safetynet_domain::public_reports::ReportStatus;
use safetynet_domain::token::{hash_secret, random_secret};
use serde::Serialize;

/// The most requests one search returns.
pub const MAX_REQUESTS: usize = 1_000;
/// The hourly allowance a client gets unless told otherwise.
pub const DEFAULT_PER_HOUR: i64 = 1_000;

/// A registered Open311 client.
#[derive(Debug, Clone, Serialize)]
pub struct Open311Client {
    /// Id.
    pub id: String,
    /// Its name (unique).
    pub name: String,
    /// The calls it may make in an hour.
    pub per_hour: i64,
    /// Registered (Unix ms).
    pub created_at: i64,
    /// Revoked (Unix ms), if it was.
    pub revoked_at: Option<i64>,
}

/// One call by a client with a live key.
#[derive(Debug, Clone)]
pub struct Open311Call {
    /// The client.
    pub client: Open311Client,
    /// Its calls in this hour, this one included.
    pub calls_this_hour: i64,
}

/// A report as an Open311 client sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Open311Request {
    /// The reference (the service request id).
    pub reference: String,
    /// Where it stands.
    pub status: ReportStatus,
    /// The latest public note, if any.
    pub status_notes: String,
    /// The service code.
    pub service_code: String,
    /// The service's name.
    pub service_name: String,
    /// The agency that holds it, by name.
    pub agency_responsible: String,
    /// Received (Unix ms).
    pub requested_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
    /// What only the client that sent it sees.
    pub sent: Option<SentDetails>,
}

/// The place, words and photo link of a report, for the client that sent it.
#[derive(Debug, Clone, Serialize)]
pub struct SentDetails {
    /// What the resident wrote.
    pub description: String,
    /// Where, in words.
    pub address: String,
    /// WGS84 latitude.
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    pub longitude: Option<f64>,
    /// The photo link.
    pub media_url: String,
}

/// Which reports a `requests` search asks for.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// References; when given, the other filters are ignored.
    pub references: Vec<String>,
    /// Service codes (any of).
    pub service_codes: Vec<String>,
    /// Received at or after (Unix ms).
    pub from_ms: i64,
    /// Received at or before (Unix ms).
    pub until_ms: i64,
    /// `open` and/or `closed` (any of; empty for both).
    pub statuses: Vec<String>,
}

/// One update to a report, for the client that sent it.
#[derive(Debug, Clone, Serialize)]
pub struct Open311Update {
    /// The update's id.
    pub update_id: String,
    /// The report's reference.
    pub reference: String,
    /// The status it moved to.
    pub status: ReportStatus,
    /// The officer's public note.
    pub description: String,
    /// When (Unix ms).
    pub at: i64,
}

fn client_row(r: &Row) -> Result<Open311Client> {
    Ok(Open311Client {
        id: r.text("id")?,
        name: r.text("name")?,
        per_hour: r.int("per_hour")?,
        created_at: r.int("created_at")?,
        revoked_at: r.opt_int("revoked_at")?,
    })
}

const HOUR_MS: i64 = 3_600_000;

impl Store {
    /// Registers a client called `name` allowed `per_hour` calls an hour;
    /// returns it with its key (shown once). `open311_client` when the name
    /// is taken or empty, or the allowance is not 1 to 100,000; audited.
    pub async fn issue_open311_client(
        &self,
        _permit: &Permit<ManageAgencies>,
        name: &str,
        per_hour: i64,
        actor: &Actor<'_>,
    ) -> Result<(Open311Client, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || !(1..=100_000).contains(&per_hour) {
            return Err(StoreError::Rule(
                "open311_client",
                "give the client a name of at most 100 characters and an hourly allowance of 1 to 100,000 calls".into(),
            ));
        }
        let mut tx = self.write().await?;
        if tx.optional(&Q::new("SELECT id FROM open311_clients WHERE name = $1").bind(name)).await?.is_some() {
            return Err(StoreError::Rule("open311_client", format!("there is already a client called {name}")));
        }
        let key = format!("o311_{}", random_secret());
        let client = Open311Client {
            id: new_id_at_ms(actor.at_ms),
            name: name.into(),
            per_hour,
            created_at: actor.at_ms,
            revoked_at: None,
        };
        tx.execute(
            &Q::new(
                "INSERT INTO open311_clients (id, name, key_hash, per_hour, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&client.id)
            .bind(name)
            .bind(hash_secret(&key))
            .bind(per_hour)
            .bind(actor.at_ms),
        )
        .await?;
        let detail = serde_json::json!({ "name": name, "per_hour": per_hour });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "open311_client", Some(&client.id), detail))
            .await?;
        tx.commit().await?;
        Ok((client, key))
    }

    /// Revokes the client called `name`: its key stops working at once;
    /// the reports it sent stay. Audited.
    pub async fn revoke_open311_client(
        &self,
        _permit: &Permit<ManageAgencies>,
        name: &str,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let row = tx
            .optional(
                &Q::new("SELECT id FROM open311_clients WHERE name = $1 AND revoked_at IS NULL").bind(name.trim()),
            )
            .await?
            .ok_or(StoreError::NotFound("Open311 client"))?;
        let id = row.text("id")?;
        tx.execute(&Q::new("UPDATE open311_clients SET revoked_at = $1 WHERE id = $2").bind(actor.at_ms).bind(&id))
            .await?;
        let detail = serde_json::json!({ "name": name.trim(), "revoked": true });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "open311_client", Some(&id), detail)).await?;
        tx.commit().await
    }

    /// Every registered client, by name.
    pub async fn open311_clients(&self) -> Result<Vec<Open311Client>> {
        let q = Q::new("SELECT id, name, per_hour, created_at, revoked_at FROM open311_clients ORDER BY name");
        self.conn().await?.all(&q).await?.iter().map(client_row).collect()
    }

    /// The live client whose key `key` is, with this call counted against
    /// its hourly allowance; `None` for an unknown or revoked key.
    pub async fn open311_call(&self, key: &str, at_ms: i64) -> Result<Option<Open311Call>> {
        let mut tx = self.write().await?;
        let q = Q::new(
            "SELECT id, name, per_hour, created_at, revoked_at FROM open311_clients WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash_secret(key));
        let Some(row) = tx.optional(&q).await? else { return Ok(None) };
        let client = client_row(&row)?;
        let hour = at_ms.div_euclid(HOUR_MS);
        tx.execute(
            &Q::new("DELETE FROM open311_usage WHERE client_id = $1 AND hour < $2").bind(&client.id).bind(hour - 24),
        )
        .await?;
        let calls = tx
            .one(
                &Q::new(
                    "INSERT INTO open311_usage (client_id, hour, calls) VALUES ($1, $2, 1)
                     ON CONFLICT (client_id, hour) DO UPDATE SET calls = open311_usage.calls + 1 RETURNING calls",
                )
                .bind(&client.id)
                .bind(hour),
            )
            .await?
            .int("calls")?;
        tx.commit().await?;
        Ok(Some(Open311Call { client, calls_this_hour: calls }))
    }

    /// The reports `filter` asks for, newest first, at most
    /// [`MAX_REQUESTS`]; with the place and words of those `client` sent.
    /// Audited (references only) when any are returned.
    pub async fn open311_requests(
        &self,
        filter: &RequestFilter,
        client: Option<&str>,
        actor: &Actor<'_>,
    ) -> Result<Vec<Open311Request>> {
        let mut q = Q::new(
            "SELECT r.reference, r.status, r.category, c.label, a.name AS agency_name, r.created_at, r.updated_at,
               r.client_id, r.description, r.address, r.latitude, r.longitude, r.media_url,
               (SELECT u.public_note FROM public_report_updates u WHERE u.report_id = r.id AND u.public_note <> ''
                ORDER BY u.at DESC, u.id DESC LIMIT 1) AS status_notes
             FROM public_reports r CROSS JOIN categories c CROSS JOIN agencies a
             WHERE c.code = r.category AND a.code = r.agency",
        );
        if filter.references.is_empty() {
            q.push(" AND r.created_at >= ").arg(filter.from_ms).push(" AND r.created_at <= ").arg(filter.until_ms);
            any_of(&mut q, "r.category", filter.service_codes.iter().cloned());
            if !filter.statuses.is_empty() {
                let statuses = ReportStatus::ALL
                    .iter()
                    .filter(|s| filter.statuses.iter().any(|f| f == s.open311()))
                    .map(|s| s.as_str().to_string());
                any_of(&mut q, "r.status", statuses);
            }
        } else {
            any_of(&mut q, "r.reference", filter.references.iter().cloned());
        }
        q.push(" ORDER BY r.created_at DESC, r.id DESC LIMIT ").arg(MAX_REQUESTS as i64);
        let rows = self.conn().await?.all(&q).await?;
        let mut list = Vec::with_capacity(rows.len());
        for r in &rows {
            let sender = r.opt_text("client_id")?;
            list.push(Open311Request {
                reference: r.text("reference")?,
                status: r.stored("status")?,
                status_notes: r.opt_text("status_notes")?.unwrap_or_default(),
                service_code: r.text("category")?,
                service_name: r.text("label")?,
                agency_responsible: r.text("agency_name")?,
                requested_at: r.int("created_at")?,
                updated_at: r.int("updated_at")?,
                sent: match (sender.as_deref(), client) {
                    (Some(s), Some(c)) if s == c => Some(SentDetails {
                        description: r.text("description")?,
                        address: r.text("address")?,
                        latitude: r.opt_real("latitude")?,
                        longitude: r.opt_real("longitude")?,
                        media_url: r.text("media_url")?,
                    }),
                    _ => None,
                },
            });
        }
        if !list.is_empty() {
            let refs: Vec<&str> = list.iter().map(|r| r.reference.as_str()).collect();
            let detail = serde_json::json!({ "open311_client": client, "references": refs });
            self.audit(actor.at_ms, &actor.event(AuditAction::View, "public_report", None, detail)).await?;
        }
        Ok(list)
    }

    /// The reference of the report whose Open311 token (its id) is `token`.
    pub async fn open311_token(&self, token: &str) -> Result<Option<String>> {
        let q = Q::new("SELECT reference FROM public_reports WHERE id = $1").bind(token);
        self.conn().await?.optional(&q).await?.map(|r| r.text("reference")).transpose().map_err(Into::into)
    }

    /// The updates between `from_ms` and `until_ms` to the reports `client`
    /// sent, oldest first (at most [`MAX_REQUESTS`]); audited when any.
    pub async fn open311_updates(
        &self,
        client: &str,
        from_ms: i64,
        until_ms: i64,
        actor: &Actor<'_>,
    ) -> Result<Vec<Open311Update>> {
        let q = Q::new(
            "SELECT u.id, r.reference, u.status, u.public_note, u.at FROM public_report_updates u
             CROSS JOIN public_reports r WHERE r.id = u.report_id AND r.client_id = $1 AND u.at >= $2 AND u.at <= $3
             ORDER BY u.at, u.id LIMIT $4",
        )
        .bind(client)
        .bind(from_ms)
        .bind(until_ms)
        .bind(MAX_REQUESTS as i64);
        let list = self
            .conn()
            .await?
            .all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(Open311Update {
                    update_id: r.text("id")?,
                    reference: r.text("reference")?,
                    status: r.stored("status")?,
                    description: r.text("public_note")?,
                    at: r.int("at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if !list.is_empty() {
            let refs: Vec<&str> = list.iter().map(|u| u.reference.as_str()).collect();
            let detail = serde_json::json!({ "open311_client": client, "updates_of": refs });
            self.audit(actor.at_ms, &actor.event(AuditAction::View, "public_report", None, detail)).await?;
        }
        Ok(list)
    }
}

/// ` AND column IN (...)` for `values` (at most [`IN_LIST`] of them), when there are any.
fn any_of(q: &mut Q, column: &str, values: impl Iterator<Item = String>) {
    let values: Vec<String> = values.take(IN_LIST).collect();
    if !values.is_empty() {
        q.push(&format!(" AND {column} IN (")).list(values).push(")");
    }
}
