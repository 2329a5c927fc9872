//! Helpers for test suites: a fresh, migrated database per test on each
//! engine, with its own random audit key in a key file. Not used by the
//! application: compiled only with the `testing` feature, which the test
//! suites enable through their dev-dependencies, so the release binary
//! cannot drop the audit triggers.

use crate::sql::Q;
use crate::{DatabaseUrl, Engine, Exec, Result, Store};
use safetynet_domain::audit::{AuditKey, GENESIS_HASH};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};

/// Environment variable naming a PostgreSQL server for tests
/// (`postgres://user@host:port/db`); each test creates its own database on it.
pub const POSTGRES_ENV: &str = "SAFETYNET_TEST_POSTGRES_URL";

/// The engines tests must run on: SQLite always, PostgreSQL when
/// [`POSTGRES_ENV`] is set. Under CI (`CI` set) a missing PostgreSQL URL is
/// an error, so the PostgreSQL half of the suite cannot be skipped silently.
pub fn engines() -> Vec<Engine> {
    match std::env::var(POSTGRES_ENV) {
        Ok(u) if !u.is_empty() => vec![Engine::Sqlite, Engine::Postgres],
        _ if std::env::var_os("CI").is_some() => panic!("{POSTGRES_ENV} must be set under CI"),
        _ => vec![Engine::Sqlite],
    }
}

/// A new empty, migrated database on `engine` with a new random audit key;
/// SQLite files go in `dir`. Returns the store, its URL and the audit key
/// file (for running the CLI against it: for SQLite the key file is where
/// the CLI looks by default, beside the database, `<file>.audit-key`).
pub async fn fresh(engine: Engine, dir: &Path) -> Result<(Store, String, PathBuf)> {
    let name = format!("sn_test_{}", uuid::Uuid::new_v4().simple());
    let (url, key_file) = match engine {
        Engine::Sqlite => {
            let db = dir.join(format!("{name}.db"));
            (format!("sqlite://{}", db.display()), dir.join(format!("{name}.db.audit-key")))
        }
        Engine::Postgres => {
            let admin = std::env::var(POSTGRES_ENV).unwrap_or_default();
            let admin_store = Store::connect(&DatabaseUrl::parse(&admin)?, AuditKey::generate()).await?;
            admin_store.conn().await?.execute(&Q::new(format!("CREATE DATABASE {name}"))).await?;
            admin_store.close().await;
            (replace_db_name(&admin, &name), dir.join(format!("{name}.audit-key")))
        }
    };
    let key = AuditKey::generate();
    write_key_file(&key_file, &key)?;
    let store = Store::open(&DatabaseUrl::parse(&url)?, key).await?;
    Ok((store, url, key_file))
}

/// A database nobody has touched, as an installation starts: its owner's
/// URL and, on PostgreSQL, an application role with no rights yet.
#[derive(Debug, Clone)]
pub struct Blank {
    /// URL for the owner (migrations).
    pub owner_url: String,
    /// The application's role (PostgreSQL only).
    pub app_role: Option<String>,
    /// URL for the application.
    pub app_url: String,
}

/// A blank database on `engine` (SQLite files in `dir`). On PostgreSQL, as
/// the README has an administrator do: an owner login role, an application
/// login role, and a database owned by the owner.
pub async fn blank(engine: Engine, dir: &Path) -> Result<Blank> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    match engine {
        Engine::Sqlite => {
            let url = format!("sqlite://{}", dir.join(format!("sn_blank_{id}.db")).display());
            Ok(Blank { owner_url: url.clone(), app_role: None, app_url: url })
        }
        Engine::Postgres => {
            let admin = std::env::var(POSTGRES_ENV).unwrap_or_default();
            let admin_store = Store::connect(&DatabaseUrl::parse(&admin)?, AuditKey::generate()).await?;
            let (owner, app, db) = (format!("sn_owner_{id}"), format!("sn_app_{id}"), format!("sn_blank_{id}"));
            let mut conn = admin_store.conn().await?;
            for sql in [
                format!("CREATE ROLE {owner} LOGIN"),
                format!("CREATE ROLE {app} LOGIN"),
                format!("CREATE DATABASE {db} OWNER {owner}"),
            ] {
                conn.execute(&Q::new(sql)).await?;
            }
            drop(conn);
            admin_store.close().await;
            let url = replace_db_name(&admin, &db);
            Ok(Blank {
                owner_url: replace_user(&url, &owner),
                app_role: Some(app.clone()),
                app_url: replace_user(&url, &app),
            })
        }
    }
}

/// Writes `key` to `path` (mode 0600 on Unix), as the CLI would.
pub fn write_key_file(path: &Path, key: &AuditKey) -> Result<()> {
    std::fs::write(path, key.to_file_text().expose_secret()).map_err(io_error)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io_error)?;
    }
    Ok(())
}

/// Reads a key file written by [`write_key_file`] (or the CLI).
pub fn read_key_file(path: &Path) -> Result<AuditKey> {
    let text = std::fs::read_to_string(path).map_err(io_error)?;
    AuditKey::from_hex(&text).map_err(|e| crate::StoreError::Rule("audit_key", e.to_string()))
}

fn io_error(e: std::io::Error) -> crate::StoreError {
    crate::StoreError::Db(sqlx::Error::Io(e))
}

/// `url` with its user name replaced by `user` (and no password).
pub fn replace_user(url: &str, user: &str) -> String {
    let Some(s) = url.find("://") else { return url.to_string() };
    let rest = &url[s + 3..];
    let host = match rest.find('@') {
        Some(at) if rest[..at].find('/').is_none() => &rest[at + 1..],
        _ => rest,
    };
    format!("{}{user}@{host}", &url[..s + 3])
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    match base[after_scheme..].find('/') {
        Some(slash) => format!("{}/{name}{query}", &base[..after_scheme + slash]),
        None => format!("{base}/{name}{query}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_user() {
        assert_eq!(super::replace_user("postgres://postgres@h:1/db", "app"), "postgres://app@h:1/db");
        assert_eq!(super::replace_user("postgres://u:pw@h:1/db", "app"), "postgres://app@h:1/db");
        assert_eq!(super::replace_user("postgres://h:1/db", "app"), "postgres://app@h:1/db");
    }

    #[test]
    fn replaces_database_name() {
        assert_eq!(super::replace_db_name("postgres://u@h:1/postgres", "x"), "postgres://u@h:1/x");
        assert_eq!(super::replace_db_name("postgres://u@h:1", "x"), "postgres://u@h:1/x");
        assert_eq!(
            super::replace_db_name("postgres://u@h:1/db?sslmode=disable", "x"),
            "postgres://u@h:1/x?sslmode=disable"
        );
    }
}

/// A direct change to the audit trail, as an attacker with database access
/// (but not the audit key) might make it (for testing `audit verify`).
#[derive(Debug, Clone, Copy)]
pub enum Tamper {
    /// Rewrite the detail of row `seq`.
    Edit(i64),
    /// Delete row `seq`.
    Delete(i64),
    /// Rewrite the detail of row `seq`, then re-chain it and every later row
    /// with plain SHA-256 (all an attacker without the key can do) and
    /// update `audit_head` to match.
    EditAndRechain(i64),
    /// Delete every row after `keep` and reset `audit_head` to row `keep`.
    RemoveNewest {
        /// The last row kept.
        keep: i64,
    },
}

/// Drops the append-only triggers (on `audit_log` and `audit_head`) and
/// applies `t`. Only the tables' owner can do this.
pub async fn tamper_audit(store: &Store, t: Tamper) -> Result<()> {
    let mut tx = store.write().await?;
    let triggers: &[(&str, &str)] = match store.engine() {
        Engine::Sqlite => &[
            ("audit_log_no_update", ""),
            ("audit_log_no_delete", ""),
            ("audit_head_forward", ""),
            ("audit_head_no_delete", ""),
        ],
        Engine::Postgres => &[
            ("audit_log_no_update", " ON audit_log"),
            ("audit_log_no_delete", " ON audit_log"),
            ("audit_head_forward", " ON audit_head"),
        ],
    };
    for (trigger, on) in triggers {
        tx.execute(&Q::new(format!("DROP TRIGGER IF EXISTS {trigger}{on}"))).await?;
    }
    let edit = |seq: i64| Q::new("UPDATE audit_log SET detail = '{\"tampered\":true}' WHERE seq = $1").bind(seq);
    match t {
        Tamper::Edit(seq) => {
            tx.execute(&edit(seq)).await?;
        }
        Tamper::Delete(seq) => {
            tx.execute(&Q::new("DELETE FROM audit_log WHERE seq = $1").bind(seq)).await?;
        }
        Tamper::EditAndRechain(seq) => {
            tx.execute(&edit(seq)).await?;
            let prev = tx.optional(&Q::new("SELECT hash FROM audit_log WHERE seq = $1").bind(seq - 1)).await?;
            let mut prev_hash = match prev {
                Some(r) => r.text("hash")?,
                None => GENESIS_HASH.to_string(),
            };
            let rows = tx
                .all(
                    &Q::new(
                        "SELECT seq, at, user_id, agency_code, action, record_type, record_id, detail, source
                     FROM audit_log WHERE seq >= $1 ORDER BY seq",
                    )
                    .bind(seq),
                )
                .await?;
            let mut head = (seq - 1, prev_hash.clone());
            for r in &rows {
                let (n, at) = (r.int("seq")?, r.int("at")?);
                let action = r.text("action")?;
                let fields = [
                    r.opt_text("user_id")?,
                    r.opt_text("agency_code")?,
                    Some(action),
                    Some(r.text("record_type")?),
                    r.opt_text("record_id")?,
                    Some(r.text("detail")?),
                    Some(r.text("source")?),
                ];
                let hash = plain_sha256_chain_hash(&prev_hash, n, at, &fields);
                tx.execute(
                    &Q::new("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
                        .bind(&prev_hash)
                        .bind(&hash)
                        .bind(n),
                )
                .await?;
                prev_hash = hash.clone();
                head = (n, hash);
            }
            tx.execute(&Q::new("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1").bind(head.0).bind(head.1))
                .await?;
        }
        Tamper::RemoveNewest { keep } => {
            tx.execute(&Q::new("DELETE FROM audit_log WHERE seq > $1").bind(keep)).await?;
            let hash = match tx.optional(&Q::new("SELECT hash FROM audit_log WHERE seq = $1").bind(keep)).await? {
                Some(r) => r.text("hash")?,
                None => GENESIS_HASH.to_string(),
            };
            tx.execute(&Q::new("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1").bind(keep).bind(hash)).await?;
        }
    }
    tx.commit().await
}

/// The chain hash as it was before the chain was keyed: SHA-256 over the
/// length-prefixed fields, which anyone can recompute. `fields` are the
/// event's user, agency, action, record type, record id, detail and source.
fn plain_sha256_chain_hash(prev_hash: &str, seq: i64, at_ms: i64, fields: &[Option<String>; 7]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    field(prev_hash);
    field(&seq.to_string());
    field(&at_ms.to_string());
    for f in fields {
        field(f.as_deref().unwrap_or("\u{0}"));
    }
    hex::encode(h.finalize())
}

/// Tries to change row `seq` without dropping the triggers (must fail).
pub async fn try_edit_audit(store: &Store, seq: i64) -> Result<u64> {
    let mut tx = store.write().await?;
    let n = tx.execute(&Q::new("UPDATE audit_log SET detail = 'x' WHERE seq = $1").bind(seq)).await?;
    tx.commit().await?;
    Ok(n)
}

/// Tries to delete row `seq` without dropping the triggers (must fail).
pub async fn try_delete_audit(store: &Store, seq: i64) -> Result<u64> {
    let mut tx = store.write().await?;
    let n = tx.execute(&Q::new("DELETE FROM audit_log WHERE seq = $1").bind(seq)).await?;
    tx.commit().await?;
    Ok(n)
}

/// Tries to empty the trail at once: `TRUNCATE` on PostgreSQL (which fires
/// no row triggers), `DELETE` without `WHERE` on SQLite (must fail).
pub async fn try_truncate_audit(store: &Store) -> Result<()> {
    let sql = match store.engine() {
        Engine::Postgres => "TRUNCATE audit_log",
        Engine::Sqlite => "DELETE FROM audit_log",
    };
    let mut tx = store.write().await?;
    tx.execute(&Q::new(sql)).await?;
    tx.commit().await
}

/// Tries to set the head back to row `seq` without dropping the triggers
/// (must fail).
pub async fn try_reset_audit_head(store: &Store, seq: i64) -> Result<u64> {
    let mut tx = store.write().await?;
    let n = tx
        .execute(
            &Q::new("UPDATE audit_head SET seq = $1, hash = COALESCE((SELECT hash FROM audit_log WHERE seq = $1), $2) WHERE id = 1")
                .bind(seq)
                .bind(GENESIS_HASH),
        )
        .await?;
    tx.commit().await?;
    Ok(n)
}

/// PostgreSQL: creates a login role with a unique name and no rights, as
/// an operator would for the application; returns its name and `url` with
/// it as the user (the test server trusts local connections).
pub async fn create_login_role(owner: &Store, url: &str) -> Result<(String, String)> {
    let name = format!("sn_app_{}", uuid::Uuid::new_v4().simple());
    owner.conn().await?.execute(&Q::new(format!("CREATE ROLE {name} LOGIN"))).await?;
    Ok((name.clone(), replace_user(url, &name)))
}

/// PostgreSQL: removes a role made by [`create_login_role`] and its grants
/// in `owner`'s database (best effort: test databases are not dropped).
pub async fn drop_login_role(owner: &Store, name: &str) -> Result<()> {
    let mut conn = owner.conn().await?;
    conn.execute(&Q::new(format!("DROP OWNED BY {name}"))).await?;
    conn.execute(&Q::new(format!("DROP ROLE {name}"))).await?;
    Ok(())
}

/// Makes every insert into `table` fail until [`allow_inserts`] (for testing
/// that a change and what it writes alongside roll back together).
pub async fn block_inserts(store: &Store, table: &str) -> Result<()> {
    let table = identifier(table)?;
    let mut tx = store.write().await?;
    match store.engine() {
        Engine::Sqlite => {
            tx.execute(&Q::new(format!(
                "CREATE TRIGGER test_block_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'blocked by a test'); END"
            )))
            .await?;
        }
        Engine::Postgres => {
            tx.execute(&Q::new(
                "CREATE OR REPLACE FUNCTION test_block() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'blocked by a test'; END $$ LANGUAGE plpgsql",
            ))
            .await?;
            tx.execute(&Q::new(format!(
                "CREATE TRIGGER test_block_{table} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION test_block()"
            )))
            .await?;
        }
    }
    tx.commit().await
}

/// Undoes [`block_inserts`].
pub async fn allow_inserts(store: &Store, table: &str) -> Result<()> {
    let table = identifier(table)?;
    let sql = match store.engine() {
        Engine::Sqlite => format!("DROP TRIGGER IF EXISTS test_block_{table}"),
        Engine::Postgres => format!("DROP TRIGGER IF EXISTS test_block_{table} ON {table}"),
    };
    let mut tx = store.write().await?;
    tx.execute(&Q::new(sql)).await?;
    tx.commit().await
}

fn identifier(name: &str) -> Result<&str> {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
        Ok(name)
    } else {
        Err(crate::StoreError::NotFound("table"))
    }
}
