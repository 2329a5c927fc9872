//! The append-only audit trail, hash-chained with a key (HMAC-SHA-256) that
//! lives outside the database.
//!
//! [`append`] runs inside the caller's transaction, so a change and its audit
//! row commit or roll back together, and chains the row with the store's
//! [`AuditKey`](safetynet_domain::audit::AuditKey). The single `audit_head` row holds the last sequence number
//! and hash; locking it serialises writers on both engines, comparing it
//! with the rows exposes deleted tail rows, and its triggers let it move
//! only forward to a row that exists. Removing the newest rows *and*
//! resetting the head is exposed by a signed [`Checkpoint`] kept elsewhere
//! ([`Store::audit_checkpoint`], [`Store::verify_audit_with`]).

use crate::sql::{insert_rows, Row, Q};
use crate::{Engine, Exec, Result, Store, StoreError, Tx};
use safetynet_domain::audit::{
    chain_hash, first_row_verifies, AuditAction, AuditEvent, AuditKey, AuditRow, ChainBreak, ChainVerifier, Checkpoint,
};
use safetynet_domain::policy::{Permit, ViewAudit};

/// Appends `event` at time `at_ms` inside `tx`; returns its sequence number.
pub async fn append(tx: &mut Tx, at_ms: i64, event: &AuditEvent) -> Result<i64> {
    let seqs = append_many(tx, &[(at_ms, event)]).await?;
    seqs.first().copied().ok_or(StoreError::Db(sqlx::Error::RowNotFound))
}

/// Appends `events` (each with its time), in order, inside `tx`, in as
/// few statements as the engine allows; returns their sequence numbers.
pub async fn append_many(tx: &mut Tx, events: &[(i64, &AuditEvent)]) -> Result<Vec<i64>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let lock = match tx.engine() {
        Engine::Postgres => " FOR UPDATE",
        Engine::Sqlite => "",
    };
    let head = tx.one(&Q::new(format!("SELECT seq, hash FROM audit_head WHERE id = 1{lock}"))).await?;
    let (mut seq, mut prev_hash) = (head.int("seq")?, head.text("hash")?);
    let mut rows = Vec::with_capacity(events.len());
    let mut seqs = Vec::with_capacity(events.len());
    for &(at_ms, event) in events {
        seq += 1;
        let hash = chain_hash(tx.audit_key(), &prev_hash, seq, at_ms, event);
        let prev = std::mem::replace(&mut prev_hash, hash.clone());
        rows.push(vec![
            seq.into(),
            at_ms.into(),
            event.user_id.clone().into(),
            event.agency.clone().into(),
            event.action.as_str().into(),
            (&event.record_type).into(),
            event.record_id.clone().into(),
            (&event.detail).into(),
            (&event.source).into(),
            prev.into(),
            hash.into(),
        ]);
        seqs.push(seq);
    }
    let into =
        "audit_log (seq, at, user_id, agency_code, action, record_type, record_id, detail, source, prev_hash, hash)";
    for q in insert_rows(tx.engine(), into, rows) {
        tx.execute(&q).await?;
    }
    tx.execute(&Q::new("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1").bind(seq).bind(prev_hash)).await?;
    Ok(seqs)
}

impl Store {
    /// Walks the whole chain; `Ok(Err(_))` names the first broken row,
    /// `Ok(Ok(n))` is the number of intact rows.
    pub async fn verify_audit(&self) -> Result<Result<i64, ChainBreak>> {
        self.verify_audit_with(None).await
    }

    /// Walks the whole chain with the store's key and, given a (verified)
    /// checkpoint, checks that every row up to the checkpoint's is present
    /// and that its row has the checkpoint's hash. The head is read first,
    /// so rows appended during the walk do not count as tampering.
    pub async fn verify_audit_with(&self, checkpoint: Option<&Checkpoint>) -> Result<Result<i64, ChainBreak>> {
        Ok(self.walk_audit(checkpoint).await?.map(|(n, _, _)| n))
    }

    /// Verifies the whole chain and, if it is intact, returns its head
    /// (as read before the walk) as a checkpoint taken at `at_ms`, for the
    /// caller to sign and keep elsewhere.
    pub async fn audit_checkpoint(&self, at_ms: i64) -> Result<Result<Checkpoint, ChainBreak>> {
        Ok(self.walk_audit(None).await?.map(|(_, seq, hash)| Checkpoint { seq, hash, at_ms }))
    }

    /// `(rows verified, head seq, head hash)`.
    async fn walk_audit(&self, checkpoint: Option<&Checkpoint>) -> Result<Result<(i64, i64, String), ChainBreak>> {
        walk(&mut self.conn().await?, self.audit_key(), checkpoint).await
    }

    /// Whether the store's key is the one this database's trail was written
    /// with: `false` when the first row does not verify under it (a wrong
    /// key file, or row 1 altered). `true` for an empty trail.
    pub async fn audit_key_matches(&self) -> Result<bool> {
        let mut conn = self.conn().await?;
        match conn.optional(&Q::new(format!("{SELECT} WHERE seq = 1"))).await? {
            Some(row) => Ok(first_row_verifies(self.audit_key(), &audit_row(&row)?)),
            None => Ok(true),
        }
    }

    /// Searches the trail (newest first), for auditors. Each row comes with
    /// the acting user's current e-mail address, for display.
    pub async fn search_audit(
        &self,
        _permit: &Permit<ViewAudit>,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditEntry>, i64)> {
        let mut conn = self.conn().await?;
        let mut count = Q::new("SELECT COUNT(*) AS n FROM audit_log WHERE 1 = 1");
        filter.apply(&mut count);
        let total = conn.one(&count).await?.int("n")?;
        let mut q = Q::new(format!(
            "SELECT a.*, (SELECT email FROM users u WHERE u.id = a.user_id) AS user_email FROM ({SELECT} WHERE 1 = 1"
        ));
        filter.apply(&mut q);
        q.push(" ORDER BY seq DESC LIMIT ").arg(limit).push(" OFFSET ").arg(offset).push(") a ORDER BY a.seq DESC");
        let rows = conn.all(&q).await?;
        let entries = rows
            .iter()
            .map(|r| Ok(AuditEntry { row: audit_row(r)?, user_email: r.opt_text("user_email")? }))
            .collect::<Result<_>>()?;
        Ok((entries, total))
    }

    /// Number of audit rows (for tests and the health page).
    pub async fn audit_len(&self) -> Result<i64> {
        self.conn().await?.one(&Q::new("SELECT COUNT(*) AS n FROM audit_log")).await?.int("n").map_err(Into::into)
    }
}

/// An audit row with the acting user's e-mail address (looked up when read;
/// the row itself holds only the id).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// The stored row.
    #[serde(flatten)]
    pub row: AuditRow,
    /// The acting user's e-mail, if the user exists.
    pub user_email: Option<String>,
}

/// Filters for [`Store::search_audit`]; every field is optional.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// From this time (Unix ms, inclusive).
    pub from_ms: Option<i64>,
    /// Before this time (Unix ms, exclusive).
    pub to_ms: Option<i64>,
    /// Acting user, by id or e-mail address.
    pub user: Option<String>,
    /// Acting agency code.
    pub agency: Option<String>,
    /// Action.
    pub action: Option<AuditAction>,
    /// Record type.
    pub record_type: Option<String>,
    /// Record id.
    pub record_id: Option<String>,
}

impl AuditFilter {
    fn apply(&self, q: &mut Q) {
        if let Some(v) = self.from_ms {
            q.push(" AND at >= ").arg(v);
        }
        if let Some(v) = self.to_ms {
            q.push(" AND at < ").arg(v);
        }
        if let Some(u) = &self.user {
            q.push(" AND (user_id = ")
                .arg(u)
                .push(" OR user_id IN (SELECT id FROM users WHERE email = ")
                .arg(u.to_lowercase())
                .push("))");
        }
        for (col, v) in
            [("agency_code", &self.agency), ("record_type", &self.record_type), ("record_id", &self.record_id)]
        {
            if let Some(v) = v {
                q.push(" AND ").push(col).push(" = ").arg(v);
            }
        }
        if let Some(a) = self.action {
            q.push(" AND action = ").arg(a.as_str());
        }
    }
}

pub(crate) const SELECT: &str =
    "SELECT seq, at, user_id, agency_code, action, record_type, record_id, detail, source, prev_hash, hash FROM audit_log";

pub(crate) fn audit_row(r: &Row) -> Result<AuditRow> {
    let action_name = r.text("action")?;
    // An unknown action name cannot verify: map it to one whose hash differs.
    let action = AuditAction::ALL.into_iter().find(|a| a.as_str() == action_name).unwrap_or(AuditAction::Update);
    let event = AuditEvent {
        user_id: r.opt_text("user_id")?,
        agency: r.opt_text("agency_code")?,
        action,
        record_type: r.text("record_type")?,
        record_id: r.opt_text("record_id")?,
        detail: r.text("detail")?,
        source: r.text("source")?,
    };
    let mut row = AuditRow {
        seq: r.int("seq")?,
        at_ms: r.int("at")?,
        event,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    };
    if row.event.action.as_str() != action_name {
        row.hash = String::new();
    }
    Ok(row)
}

/// Walks the chain as `conn` sees it (inside a transaction: one snapshot)
/// with `key`: `(rows verified, head seq, head hash)`, or the first break.
/// The head is read first, so rows appended during the walk do not count
/// as tampering.
pub(crate) async fn walk(
    conn: &mut impl Exec,
    key: &AuditKey,
    checkpoint: Option<&Checkpoint>,
) -> Result<Result<(i64, i64, String), ChainBreak>> {
    let head = conn.one(&Q::new("SELECT seq, hash FROM audit_head WHERE id = 1")).await?;
    let (head_seq, head_hash) = (head.int("seq")?, head.text("hash")?);
    let mut verifier = ChainVerifier::new(key).expect_head(head_seq, &head_hash);
    if let Some(cp) = checkpoint {
        verifier = verifier.expect_checkpoint(cp);
    }
    let mut after = 0i64;
    loop {
        let rows = conn.all(&Q::new(format!("{SELECT} WHERE seq > $1 ORDER BY seq LIMIT 5000")).bind(after)).await?;
        let Some(last) = rows.last() else { break };
        after = last.int("seq")?;
        for row in &rows {
            if let Err(e) = verifier.check(&audit_row(row)?) {
                return Ok(Err(e));
            }
        }
    }
    Ok(verifier.finish().map(|n| (n, head_seq, head_hash)))
}
