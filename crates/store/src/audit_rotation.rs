//! Rotating the audit key: the whole trail is verified with the old key,
//! every row is re-chained with the new key, and a row recording the
//! rotation (with the old head, so an old checkpoint can be matched to it)
//! is appended under the new key, all in one transaction. Only the tables'
//! owner can do it: the append-only triggers are lifted for the
//! transaction and restored exactly as they were (SQLite: recreated from
//! their own stored definitions; PostgreSQL: disabled and enabled again).

use crate::sql::Q;
use crate::users::Actor;
use crate::{audit, Engine, Exec, Result, Store};
use safetynet_domain::audit::{chain_hash, AuditAction, AuditKey, ChainBreak, GENESIS_HASH};
use std::sync::Arc;

/// The audit tables whose triggers protect the trail.
const PROTECTED: [&str; 2] = ["audit_log", "audit_head"];

impl Store {
    /// Re-keys the audit trail with `new_key` (see the module) and records
    /// the rotation by `actor` under it, with the old head. `Ok(Err(_))`:
    /// the trail does not verify with the old key, and nothing was changed.
    /// Returns the rows re-chained.
    pub async fn rotate_audit_key(&self, new_key: AuditKey, actor: &Actor<'_>) -> Result<Result<i64, ChainBreak>> {
        let mut tx = self.write().await?;
        if tx.engine() == Engine::Postgres {
            // Writers wait for the rotation (they lock the head to append).
            tx.execute(&Q::new("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE")).await?;
        }
        let (rows, old_seq, old_hash) = match audit::walk(&mut tx, self.audit_key(), None).await? {
            Ok(head) => head,
            Err(broken) => return Ok(Err(broken)),
        };
        let restore = lift_protection(&mut tx).await?;
        let mut prev_hash = GENESIS_HASH.to_string();
        let mut after = 0i64;
        loop {
            let page = tx
                .all(&Q::new(format!("{} WHERE seq > $1 ORDER BY seq LIMIT 5000", audit::SELECT)).bind(after))
                .await?;
            let Some(last) = page.last() else { break };
            after = last.int("seq")?;
            for r in &page {
                let row = audit::audit_row(r)?;
                let hash = chain_hash(&new_key, &prev_hash, row.seq, row.at_ms, &row.event);
                tx.execute(
                    &Q::new("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
                        .bind(&prev_hash)
                        .bind(&hash)
                        .bind(row.seq),
                )
                .await?;
                prev_hash = hash;
            }
        }
        tx.execute(&Q::new("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&prev_hash)).await?;
        for sql in restore {
            tx.execute(&Q::new(sql)).await?;
        }
        tx.audit_key = Arc::new(new_key);
        let detail = serde_json::json!({ "rotated": "audit key", "old_head_seq": old_seq, "old_head_hash": old_hash });
        audit::append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "audit_key", None, detail)).await?;
        tx.commit().await?;
        Ok(Ok(rows))
    }
}

/// Lifts the append-only triggers inside `tx`; returns the statements that
/// put them back.
async fn lift_protection(tx: &mut crate::Tx) -> Result<Vec<String>> {
    let mut restore = Vec::new();
    match tx.engine() {
        Engine::Sqlite => {
            let triggers = tx
                .all(&Q::new(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_log', 'audit_head') ORDER BY name",
                ))
                .await?;
            for t in &triggers {
                tx.execute(&Q::new(format!("DROP TRIGGER {}", crate::connect::quote_ident(&t.text("name")?)))).await?;
                restore.push(t.text("sql")?);
            }
        }
        Engine::Postgres => {
            for table in PROTECTED {
                tx.execute(&Q::new(format!("ALTER TABLE {table} DISABLE TRIGGER USER"))).await?;
                restore.push(format!("ALTER TABLE {table} ENABLE TRIGGER USER"));
            }
        }
    }
    Ok(restore)
}
