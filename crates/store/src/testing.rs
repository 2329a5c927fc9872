//! Helpers for test suites: a fresh, migrated database per test on each
//! engine. Not used by the application.

use crate::sql::Q;
use crate::{DatabaseUrl, Engine, Exec, Result, Store};
use std::path::Path;

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

/// A new empty, migrated database on `engine`; SQLite files go in `dir`.
/// Returns the store and its URL (for running the CLI against it).
pub async fn fresh(engine: Engine, dir: &Path) -> Result<(Store, String)> {
    let name = format!("sn_test_{}", uuid::Uuid::new_v4().simple());
    let url = match engine {
        Engine::Sqlite => format!("sqlite://{}", dir.join(format!("{name}.db")).display()),
        Engine::Postgres => {
            let admin = std::env::var(POSTGRES_ENV).unwrap_or_default();
            let admin_store = Store::connect(&DatabaseUrl::parse(&admin)?).await?;
            admin_store.conn().await?.execute(&Q::new(format!("CREATE DATABASE {name}"))).await?;
            admin_store.close().await;
            replace_db_name(&admin, &name)
        }
    };
    let store = Store::open(&DatabaseUrl::parse(&url)?).await?;
    Ok((store, url))
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
/// might make it (for testing `audit verify`).
#[derive(Debug, Clone, Copy)]
pub enum Tamper {
    /// Rewrite the detail of row `seq`.
    Edit(i64),
    /// Delete row `seq`.
    Delete(i64),
}

/// Drops the append-only triggers and applies `t`.
pub async fn tamper_audit(store: &Store, t: Tamper) -> Result<()> {
    let mut tx = store.write().await?;
    for trigger in ["audit_log_no_update", "audit_log_no_delete"] {
        let sql = match store.engine() {
            Engine::Sqlite => format!("DROP TRIGGER IF EXISTS {trigger}"),
            Engine::Postgres => format!("DROP TRIGGER IF EXISTS {trigger} ON audit_log"),
        };
        tx.execute(&Q::new(sql)).await?;
    }
    let q = match t {
        Tamper::Edit(seq) => Q::new("UPDATE audit_log SET detail = '{\"tampered\":true}' WHERE seq = $1").bind(seq),
        Tamper::Delete(seq) => Q::new("DELETE FROM audit_log WHERE seq = $1").bind(seq),
    };
    tx.execute(&q).await?;
    tx.commit().await
}

/// Tries to change row `seq` without dropping the triggers (must fail).
pub async fn try_edit_audit(store: &Store, seq: i64) -> Result<u64> {
    let mut tx = store.write().await?;
    let n = tx.execute(&Q::new("UPDATE audit_log SET detail = 'x' WHERE seq = $1").bind(seq)).await?;
    tx.commit().await?;
    Ok(n)
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
