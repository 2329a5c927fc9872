//! Database URLs, connection set-up and migrations.
//!
//! Only `sqlite://PATH` and `postgres://` (or `postgresql://`) URLs are
//! accepted. A SQLite path whose folder does not exist is refused rather than
//! silently creating an empty database somewhere unexpected.

use crate::sql::Q;
use crate::{Exec, Pool, Result, Store};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

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
    /// and applies any pending migrations.
    pub async fn open(url: &DatabaseUrl) -> Result<Self> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        store.ensure_default_categories().await?;
        store.ensure_default_questionnaires(0).await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self> {
        let pool = match url {
            DatabaseUrl::Sqlite(path) => {
                let opts = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    // 64 MiB page cache: bulk imports insert keys in random order.
                    .pragma("cache_size", "-65536")
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
        Ok(Self { pool })
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
            Pool::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Pool::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
