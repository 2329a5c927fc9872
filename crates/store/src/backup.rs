//! Backups that prove themselves: a consistent copy taken while the
//! database serves, and [`Contents`], the facts that show a copy whole
//! (every table's rows, the audit trail verified under the key, the schema
//! version). A backup records its contents when it is taken; a restore
//! checks the restored database against them before it is used.
//!
//! SQLite copies with `VACUUM INTO` (one read transaction: writers carry on).
//! PostgreSQL exports a snapshot from a read-only repeatable-read
//! transaction, checks the trail and counts the rows in it, and hands the
//! snapshot to `pg_dump` (run by the caller), so the dump holds exactly
//! what was checked.

use crate::connect::quote_ident;
use crate::sql::Q;
use crate::{Engine, Exec, Pool, Result, Store, StoreError};
use safetynet_domain::audit::{AuditKey, ChainBreak};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// What a database holds, as far as a backup must prove: the same contents
/// before the backup and after the restore mean nothing was lost.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contents {
    /// The newest migration applied.
    pub schema_version: i64,
    /// Audit rows, all verified under the key.
    pub audit_rows: i64,
    /// The audit trail's head hash (the whole trail's fingerprint).
    pub audit_head: String,
    /// Rows in every table, by name.
    pub tables: BTreeMap<String, i64>,
}

impl Contents {
    /// The tables whose row counts differ from `expected`'s, each as
    /// `name: expected -> found`, and any audit or schema difference.
    pub fn differences(&self, expected: &Contents) -> Vec<String> {
        let mut out = Vec::new();
        if self.schema_version != expected.schema_version {
            out.push(format!("schema version: {} -> {}", expected.schema_version, self.schema_version));
        }
        if self.audit_rows != expected.audit_rows || self.audit_head != expected.audit_head {
            out.push(format!(
                "audit trail: {} rows -> {} rows (or another head)",
                expected.audit_rows, self.audit_rows
            ));
        }
        let names: std::collections::BTreeSet<&String> = self.tables.keys().chain(expected.tables.keys()).collect();
        for name in names {
            let (was, now) = (expected.tables.get(name), self.tables.get(name));
            if was != now {
                let show = |n: Option<&i64>| n.map_or("no table".to_string(), i64::to_string);
                out.push(format!("{name}: {} -> {}", show(was), show(now)));
            }
        }
        out
    }
}

/// Reads [`Contents`] through `conn` (inside a transaction: one snapshot),
/// verifying the audit trail with `key`; `Ok(Err(_))` names its first break.
async fn read_contents(conn: &mut impl Exec, key: &AuditKey) -> Result<Result<Contents, ChainBreak>> {
    let (audit_rows, _, audit_head) = match crate::audit::walk(conn, key, None).await? {
        Ok(walked) => walked,
        Err(broken) => return Ok(Err(broken)),
    };
    let list = match conn.engine() {
        Engine::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Engine::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    };
    let mut tables = BTreeMap::new();
    for row in conn.all(&Q::new(list)).await? {
        let name = row.text("name")?;
        let n = conn.one(&Q::new(format!("SELECT COUNT(*) AS n FROM {}", quote_ident(&name)))).await?.int("n")?;
        tables.insert(name, n);
    }
    let schema_version = conn
        .one(&Q::new("SELECT COALESCE(MAX(version), 0) AS v FROM _sqlx_migrations WHERE success"))
        .await?
        .int("v")?;
    Ok(Ok(Contents { schema_version, audit_rows, audit_head, tables }))
}

impl Store {
    /// What this database holds now (the trail verified with the store's key).
    pub async fn contents(&self) -> Result<Result<Contents, ChainBreak>> {
        let mut tx = self.snapshot().await?;
        read_contents(&mut tx, self.audit_key()).await
    }

    /// A read-only transaction that sees one snapshot (PostgreSQL:
    /// repeatable read; SQLite: every transaction does).
    async fn snapshot(&self) -> Result<crate::Tx> {
        let mut tx = match &self.pool {
            Pool::Sqlite(p) => {
                crate::Tx { inner: crate::TxInner::Sqlite(p.begin().await?), audit_key: self.audit_key.clone() }
            }
            Pool::Postgres(_) => self.write().await?,
        };
        if tx.engine() == Engine::Postgres {
            tx.execute(&Q::new("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")).await?;
        }
        Ok(tx)
    }

    /// SQLite: writes a consistent copy of the database to `out` (which
    /// must not exist) while it keeps serving, then checks the copy: SQLite's
    /// integrity check, and its audit trail verified with this store's key.
    /// Returns the copy's contents, or where its trail breaks.
    pub async fn backup_sqlite(&self, out: &Path) -> Result<Result<Contents, ChainBreak>> {
        if self.engine() != Engine::Sqlite {
            return Err(StoreError::Rule("backup", "this database is PostgreSQL: back it up with pg_dump".into()));
        }
        if out.exists() {
            return Err(StoreError::Conflict("the backup file"));
        }
        let target = out.to_str().ok_or(StoreError::Rule("backup", "the backup path is not valid UTF-8".into()))?;
        self.conn().await?.execute(&Q::new("VACUUM INTO $1").bind(target)).await?;
        let copy = Store::sqlite_copy(out, self.audit_key.clone()).await?;
        let checked = copy.check_sqlite_copy().await;
        copy.close().await;
        checked
    }

    /// Opens an SQLite file read-only, without migrating (a backup or a
    /// copy being restored), with the key its trail should verify under.
    pub async fn open_sqlite_copy(path: &Path, audit_key: AuditKey) -> Result<Store> {
        Store::sqlite_copy(path, Arc::new(audit_key)).await
    }

    async fn sqlite_copy(path: &Path, audit_key: Arc<AuditKey>) -> Result<Store> {
        if !path.is_file() {
            return Err(StoreError::NotFound("the backup file"));
        }
        let opts = SqliteConnectOptions::new().filename(path).read_only(true).foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await?;
        Ok(Store::new(Pool::Sqlite(pool), audit_key))
    }

    /// SQLite's integrity check, then [`Store::contents`].
    pub async fn check_sqlite_copy(&self) -> Result<Result<Contents, ChainBreak>> {
        let check = self.conn().await?.one(&Q::new("PRAGMA quick_check")).await?;
        let verdict = check.text("quick_check")?;
        if verdict != "ok" {
            return Err(StoreError::Rule("backup", format!("the copy is damaged: {verdict}")));
        }
        self.contents().await
    }

    /// PostgreSQL: exports a snapshot from a read-only repeatable-read
    /// transaction, verifies the audit trail and counts the rows in it, and
    /// (only if the trail is intact) runs `dump` with the snapshot's id
    /// while the transaction holds it, so the dump (`pg_dump --snapshot`)
    /// holds exactly the contents returned.
    pub async fn backup_postgres<E>(
        &self,
        dump: impl AsyncFnOnce(String) -> std::result::Result<(), E>,
    ) -> Result<std::result::Result<Result<Contents, ChainBreak>, E>> {
        if self.engine() != Engine::Postgres {
            return Err(StoreError::Rule("backup", "this database is SQLite: use its backup".into()));
        }
        let mut tx = self.snapshot().await?;
        let snapshot = tx.one(&Q::new("SELECT pg_export_snapshot() AS id")).await?.text("id")?;
        let contents = match read_contents(&mut tx, self.audit_key()).await? {
            Ok(c) => c,
            Err(broken) => return Ok(Ok(Err(broken))),
        };
        let dumped = dump(snapshot).await;
        drop(tx);
        Ok(dumped.map(|()| Ok(contents)))
    }

    /// Whether the database has any table (a restore goes only into an
    /// empty database).
    pub async fn has_tables(&self) -> Result<bool> {
        let q = match self.engine() {
            Engine::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'",
            Engine::Postgres => "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = current_schema()",
        };
        Ok(self.conn().await?.one(&Q::new(q)).await?.int("n")? > 0)
    }
}
