//! Database URLs, connection set-up and migrations.
//!
//! Only `sqlite://PATH` and `postgres://` (or `postgresql://`) URLs are
//! accepted. A SQLite path whose folder does not exist is refused rather than
//! silently creating an empty database somewhere unexpected.

use crate::sql::Q;
use crate::{Engine, Exec, Pool, Result, Store, StoreError};
use safetynet_domain::audit::AuditKey;
use sqlx::migrate::{Migrate, Migrator};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// A validated database URL.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (may hold a password: never printed).
    Postgres(String),
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Why a database URL was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlError {
    /// Not sqlite:// or postgres://.
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://USER@HOST:PORT/DB")]
    Scheme(String),
    /// sqlite:// with no path.
    #[error("the SQLite URL has no file path: use sqlite://PATH, e.g. sqlite://data/safetynet.db")]
    EmptyPath,
    /// The folder for the SQLite file does not exist.
    #[error("the folder '{0}' for the SQLite database does not exist: create it first (SafetyNet will not create an empty database in an unexpected place)")]
    MissingFolder(String),
}

impl DatabaseUrl {
    /// Parses and checks a URL.
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let url = url.trim();
        if let Some(rest) = url.strip_prefix("sqlite://") {
            let path = rest.split('?').next().unwrap_or("");
            if path.is_empty() {
                return Err(UrlError::EmptyPath);
            }
            let path = PathBuf::from(path);
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            if !parent.is_dir() {
                return Err(UrlError::MissingFolder(parent.display().to_string()));
            }
            Ok(Self::Sqlite(path))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_string()))
        } else {
            let scheme: String = url.split("://").next().unwrap_or("").chars().take(20).collect();
            Err(UrlError::Scheme(scheme))
        }
    }

    /// The URL with any password removed, safe to print or log.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("sqlite://{}", p.display()),
            Self::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    let userinfo = &u[s + 3..at];
                    let user = userinfo.split(':').next().unwrap_or("");
                    format!("{}{user}:***{}", &u[..s + 3], &u[at..])
                }
                _ => u.clone(),
            },
        }
    }
}

impl Store {
    /// Connects (creating the SQLite file inside an existing folder if needed)
    /// and applies any pending migrations. Audit rows written through the
    /// store are chained with `audit_key`.
    ///
    /// When nothing is pending no migration is run, so the PostgreSQL
    /// application role (which may create nothing) can open a database that
    /// the owner migrated.
    pub async fn open(url: &DatabaseUrl, audit_key: AuditKey) -> Result<Self> {
        let store = Self::connect(url, audit_key).await?;
        if store.migrations_pending().await? {
            store.migrate().await?;
        }
        store.ensure_default_categories().await?;
        store.ensure_default_questionnaires(0).await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(url: &DatabaseUrl, audit_key: AuditKey) -> Result<Self> {
        let pool = match url {
            DatabaseUrl::Sqlite(path) => {
                let opts = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    // 16 MiB page cache a connection (nine of them with the
                    // audit writer): the server's memory stays bounded.
                    .pragma("cache_size", "-16384")
                    .pragma("temp_store", "memory");
                Pool::Sqlite(SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?)
            }
            DatabaseUrl::Postgres(u) => {
                let opts = sqlx::postgres::PgConnectOptions::from_str(u)?;
                Pool::Postgres(
                    PgPoolOptions::new()
                        .max_connections(16)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_with(opts)
                        .await?,
                )
            }
        };
        Ok(Self::new(pool, Arc::new(audit_key)))
    }

    /// Adds any default incident category that is missing (never changes
    /// existing ones: a partnership's own labels win).
    pub async fn ensure_default_categories(&self) -> Result<()> {
        let mut tx = self.write().await?;
        for c in safetynet_domain::categories::default_categories() {
            tx.execute(
                &Q::new("INSERT INTO categories (code, label, grp, high_harm, active) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING")
                    .bind(c.code)
                    .bind(c.label)
                    .bind(c.group)
                    .bind(c.high_harm)
                    .bind(true),
            )
            .await?;
        }
        tx.commit().await
    }

    /// Applies the embedded migrations for this engine.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// Whether any embedded migration is not applied (or was changed, or
    /// failed): then [`Store::migrate`] has work to do, or an error to report.
    pub async fn migrations_pending(&self) -> Result<bool> {
        let (migrator, dirty, applied) = match &self.pool {
            Pool::Sqlite(p) => {
                let mut c = p.acquire().await?;
                (&SQLITE_MIGRATIONS, c.dirty_version().await, c.list_applied_migrations().await)
            }
            Pool::Postgres(p) => {
                let mut c = p.acquire().await?;
                (&POSTGRES_MIGRATIONS, c.dirty_version().await, c.list_applied_migrations().await)
            }
        };
        // No migrations table yet (or it cannot be read): let `migrate` decide.
        let (Ok(None), Ok(applied)) = (dirty, applied) else { return Ok(true) };
        Ok(migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .any(|m| !applied.iter().any(|a| a.version == m.version && a.checksum == m.checksum)))
    }

    /// PostgreSQL only, run as the owner after migrating: grants `role` what
    /// the application needs and nothing more. `SELECT, INSERT, UPDATE,
    /// DELETE` on every table but the audit trail; `SELECT, INSERT` on
    /// `audit_log`; `SELECT, UPDATE` on the one-row `audit_head` (whose
    /// triggers let it only move forward to an existing row); `SELECT` on the
    /// migrations table; sequences; `CONNECT` and `TEMPORARY` (import staging)
    /// on the database. Everything granted before is revoked first, so running
    /// it again after an upgrade leaves exactly this. The role must exist,
    /// must not be a superuser, the current user or a member of it, and must
    /// own nothing here. Returns warnings to show the operator.
    pub async fn grant_app_role(&self, role: &str) -> Result<Vec<String>> {
        if self.engine() != Engine::Postgres {
            return Err(StoreError::Rule(
                "app_role",
                "--app-role is for PostgreSQL: SQLite has no roles (protect the database file with file permissions instead)".into(),
            ));
        }
        check_role_name(role)?;
        let r = quote_ident(role);
        let mut tx = self.write().await?;
        let Some(info) = tx
            .optional(
                &Q::new(
                    "SELECT r.rolsuper AS superuser, r.rolname = current_user AS is_owner,
                            pg_has_role(r.oid, current_user, 'MEMBER') AS member,
                            (SELECT COUNT(*) FROM pg_class c WHERE c.relowner = r.oid)
                              + (SELECT COUNT(*) FROM pg_proc f WHERE f.proowner = r.oid)
                              + (SELECT COUNT(*) FROM pg_namespace n WHERE n.nspowner = r.oid) AS owned,
                            current_schema() AS schema, current_database() AS db
                     FROM pg_roles r WHERE r.rolname = $1",
                )
                .bind(role),
            )
            .await?
        else {
            return Err(StoreError::Rule(
                "app_role",
                format!(
                    "the role {role} does not exist: create it first, e.g. CREATE ROLE {role} LOGIN PASSWORD '...'"
                ),
            ));
        };
        let refuse = |why: String| Err(StoreError::Rule("app_role", why));
        if info.boolean("is_owner")? {
            return refuse(format!("{role} is the role running migrate (the owner): the application must connect as a different role that owns nothing"));
        }
        if info.boolean("superuser")? {
            return refuse(format!("{role} is a superuser: the application role must be an ordinary role"));
        }
        if info.boolean("member")? {
            return refuse(format!(
                "{role} is a member of the owner's role and would have its rights: use a role that is not"
            ));
        }
        if info.int("owned")? > 0 {
            return refuse(format!(
                "{role} owns objects in this database: run REASSIGN OWNED BY {role} TO <owner> first"
            ));
        }
        let schema = quote_ident(&info.text("schema")?);
        let db = quote_ident(&info.text("db")?);
        for sql in [
            format!("REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {r}"),
            format!("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {r}"),
            format!("REVOKE CREATE ON SCHEMA {schema} FROM {r}"),
            format!("GRANT USAGE ON SCHEMA {schema} TO {r}"),
            format!("GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {r}"),
            format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {r}"),
        ] {
            tx.execute(&Q::new(sql)).await?;
        }
        let tables = tx
            .all(&Q::new("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"))
            .await?;
        for t in &tables {
            let name = t.text("tablename")?;
            let rights = match name.as_str() {
                "audit_log" => "SELECT, INSERT",
                "audit_head" => "SELECT, UPDATE",
                "_sqlx_migrations" => "SELECT",
                _ => "SELECT, INSERT, UPDATE, DELETE",
            };
            tx.execute(&Q::new(format!("GRANT {rights} ON TABLE {} TO {r}", quote_ident(&name)))).await?;
        }
        let can_create = tx
            .one(&Q::new("SELECT has_schema_privilege($1, current_schema(), 'CREATE') AS c").bind(role))
            .await?
            .boolean("c")?;
        tx.commit().await?;
        let mut warnings = Vec::new();
        if can_create {
            warnings.push(format!(
                "{role} may still create tables in schema {schema} through PUBLIC: run REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC"
            ));
        }
        Ok(warnings)
    }
}

/// PostgreSQL role names we accept: lower-case letters, digits and `_`,
/// starting with a letter or `_`, at most 63 characters (so they need no
/// quoting rules beyond the plain ones).
fn check_role_name(role: &str) -> Result<()> {
    let ok = !role.is_empty()
        && role.len() <= 63
        && role.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && role.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Rule(
            "app_role",
            "a role name is lower-case letters, digits and _ (starting with a letter), at most 63 characters".into(),
        ))
    }
}

/// A double-quoted SQL identifier.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_are_checked_and_identifiers_quoted() {
        assert!(check_role_name("safetynet_app").is_ok());
        for bad in ["", "App", "1app", "app; DROP TABLE x", "a\"b", &"a".repeat(64)] {
            assert!(check_role_name(bad).is_err(), "{bad}");
        }
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn urls_are_checked() {
        assert!(matches!(DatabaseUrl::parse("sqlite://test.db"), Ok(DatabaseUrl::Sqlite(_))));
        assert_eq!(DatabaseUrl::parse("mysql://x"), Err(UrlError::Scheme("mysql".into())));
        assert_eq!(DatabaseUrl::parse("/tmp/x.db"), Err(UrlError::Scheme("/tmp/x.db".into())));
        assert_eq!(DatabaseUrl::parse("sqlite://"), Err(UrlError::EmptyPath));
        assert!(matches!(DatabaseUrl::parse("sqlite:///no/such/folder/x.db"), Err(UrlError::MissingFolder(_))));
        let pg = DatabaseUrl::parse("postgres://me:secret@localhost:5432/db").expect("pg");
        assert_eq!(pg.redacted(), "postgres://me:***@localhost:5432/db");
        assert!(!format!("{pg:?}").contains("secret"));
    }
}
