//! SafetyNet storage. This is the only crate that contains SQL.
//!
//! [`Store`] wraps either an SQLite or a PostgreSQL pool. Every query is
//! written once (see [`sql`]) and runs on both; each engine has its own
//! embedded migrations under `migrations/`, changed together in one commit.
//! Writes go through [`Tx`] (SQLite: `BEGIN IMMEDIATE`), and every change to
//! personal data writes its audit row in the same transaction.

pub mod areas;
pub mod audit;
mod audit_rotation;
pub mod backup;
pub mod calendar;
pub mod cases;
mod connect;
pub mod crimes;
pub mod documents;
pub mod fly_tipping;
mod group_commit;
pub mod incidents;
pub mod intake;
pub mod jobs;
pub mod measures;
pub mod meetings;
pub mod mfa;
pub mod noise;
pub mod notifications;
pub mod open311;
pub mod operations;
pub mod partnership;
pub mod places;
pub mod police_daily;
pub mod premises;
pub mod public_reports;
mod records;
pub mod referrals;
pub mod retention;
pub mod safety;
pub mod schools;
pub mod sessions;
mod shared_keys;
pub mod sql;
pub mod strategy;
pub mod subject_access;
pub mod summary;
pub mod surveys;
pub mod taxi;
pub mod taxi_concerns;
#[cfg(feature = "testing")]
pub mod testing;
pub mod users;
pub mod vawg;
pub mod victim_contact;
pub mod vigilance;

pub use connect::{DatabaseUrl, UrlError};

use safetynet_domain::audit::AuditKey;
use sql::{Row, Q};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{PgPool, SqlitePool};
use std::sync::Arc;

/// Errors from storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key already exists (the field is named).
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// A referenced record does not exist (or the caller may not see it).
    #[error("{0} was not found")]
    NotFound(&'static str),
    /// The caller may see the record but not make this change.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Someone else changed the record since it was read (optimistic concurrency).
    #[error("someone else changed this record since you opened it: reload it and make your change again")]
    Stale,
    /// A business or statutory rule refused the change: (rule name, message).
    #[error("{1}")]
    Rule(&'static str, String),
    /// The database URL was refused.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// Applying migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error (details are for logs, not users).
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// A document's file could not be written or read (details are for
    /// logs, not users).
    #[error("document storage: {0}")]
    Io(String),
}

impl StoreError {
    /// Maps a unique-violation to [`StoreError::Conflict`] naming `field`.
    fn conflict_as(self, field: &'static str) -> Self {
        match &self {
            StoreError::Db(sqlx::Error::Database(d)) if d.is_unique_violation() => StoreError::Conflict(field),
            _ => self,
        }
    }
}

impl From<safetynet_domain::interventions::StatutoryRule> for StoreError {
    /// A domain rule's refusal, under its rule name.
    fn from(e: safetynet_domain::interventions::StatutoryRule) -> Self {
        StoreError::Rule(e.rule, e.message)
    }
}

/// Result alias.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Engine {
    /// Arguments a bulk statement binds at most ([`sql::insert_rows`]):
    /// well under SQLite's limit (32,766) and PostgreSQL's (65,535).
    pub(crate) fn args_per_statement(self) -> usize {
        match self {
            Engine::Sqlite => 6_500,
            Engine::Postgres => 20_000,
        }
    }
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    /// A pool of one connection to the same database with the same
    /// options, opened when first used.
    fn single_connection(&self) -> Self {
        match self {
            Pool::Sqlite(p) => Pool::Sqlite(
                SqlitePoolOptions::new().max_connections(1).connect_lazy_with((*p.connect_options()).clone()),
            ),
            Pool::Postgres(p) => Pool::Postgres(
                PgPoolOptions::new().max_connections(1).connect_lazy_with((*p.connect_options()).clone()),
            ),
        }
    }

    async fn close(&self) {
        match self {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// A handle to the database (cheap to clone). It carries the audit key, so
/// that every audit row written through it is chained with the key.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    audit_key: Arc<AuditKey>,
    /// The group-commit writer for [`Store::audit`] (none outside a runtime).
    audit_writer: Option<group_commit::Writer>,
    /// The crime browser's choices for the police data last read.
    crime_choices: crimes::ChoicesCache,
    /// Each agency's incidents shared by others, for the sharing last read.
    shared_keys: shared_keys::SharedKeysCache,
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub struct Tx {
    inner: TxInner,
    audit_key: Arc<AuditKey>,
}

#[derive(Debug)]
enum TxInner {
    /// SQLite, opened with `BEGIN IMMEDIATE`.
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    /// PostgreSQL.
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

#[doc(hidden)]
#[derive(Debug)]
pub enum Target<'a> {
    /// SQLite connection.
    Sqlite(&'a mut sqlx::SqliteConnection),
    /// PostgreSQL connection.
    Postgres(&'a mut sqlx::PgConnection),
}

/// Executes statements on a pool connection or inside a transaction.
#[allow(async_fn_in_trait)]
pub trait Exec {
    /// Engine of this executor.
    fn engine(&self) -> Engine;
    #[doc(hidden)]
    async fn with_target<T>(&mut self, f: impl AsyncFnOnce(Target<'_>) -> Result<T>) -> Result<T>;

    /// All rows.
    async fn all(&mut self, q: &Q) -> Result<Vec<Row>> {
        self.with_target(async |t| {
            Ok(match t {
                Target::Sqlite(e) => q.sqlite().fetch_all(e).await?.into_iter().map(Row::Sqlite).collect(),
                Target::Postgres(e) => q.postgres().fetch_all(e).await?.into_iter().map(Row::Postgres).collect(),
            })
        })
        .await
    }

    /// At most one row.
    async fn optional(&mut self, q: &Q) -> Result<Option<Row>> {
        self.with_target(async |t| {
            Ok(match t {
                Target::Sqlite(e) => q.sqlite().fetch_optional(e).await?.map(Row::Sqlite),
                Target::Postgres(e) => q.postgres().fetch_optional(e).await?.map(Row::Postgres),
            })
        })
        .await
    }

    /// Exactly one row.
    async fn one(&mut self, q: &Q) -> Result<Row> {
        self.optional(q).await?.ok_or(StoreError::Db(sqlx::Error::RowNotFound))
    }

    /// Runs a statement; returns rows affected.
    async fn execute(&mut self, q: &Q) -> Result<u64> {
        self.with_target(async |t| {
            Ok(match t {
                Target::Sqlite(e) => q.sqlite().execute(e).await?.rows_affected(),
                Target::Postgres(e) => q.postgres().execute(e).await?.rows_affected(),
            })
        })
        .await
    }
}

/// Reads outside a transaction take a pooled connection.
#[derive(Debug)]
pub struct Conn(ConnInner);

#[derive(Debug)]
enum ConnInner {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl Exec for Conn {
    fn engine(&self) -> Engine {
        match self.0 {
            ConnInner::Sqlite(_) => Engine::Sqlite,
            ConnInner::Postgres(_) => Engine::Postgres,
        }
    }
    async fn with_target<T>(&mut self, f: impl AsyncFnOnce(Target<'_>) -> Result<T>) -> Result<T> {
        match &mut self.0 {
            ConnInner::Sqlite(c) => f(Target::Sqlite(c)).await,
            ConnInner::Postgres(c) => f(Target::Postgres(c)).await,
        }
    }
}

impl Exec for Tx {
    fn engine(&self) -> Engine {
        match self.inner {
            TxInner::Sqlite(_) => Engine::Sqlite,
            TxInner::Postgres(_) => Engine::Postgres,
        }
    }
    async fn with_target<T>(&mut self, f: impl AsyncFnOnce(Target<'_>) -> Result<T>) -> Result<T> {
        match &mut self.inner {
            TxInner::Sqlite(t) => f(Target::Sqlite(t)).await,
            TxInner::Postgres(t) => f(Target::Postgres(t)).await,
        }
    }
}

impl Tx {
    /// Commits the transaction.
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// The key audit rows in this transaction are chained with.
    pub(crate) fn audit_key(&self) -> &AuditKey {
        &self.audit_key
    }
}

impl Store {
    /// Which engine this store runs on.
    pub fn engine(&self) -> Engine {
        match self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// A pooled connection for reads.
    pub async fn conn(&self) -> Result<Conn> {
        Ok(Conn(match &self.pool {
            Pool::Sqlite(p) => ConnInner::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => ConnInner::Postgres(p.acquire().await?),
        }))
    }

    /// Opens a write transaction (`BEGIN IMMEDIATE` on SQLite, so a
    /// read-then-write transaction waits for the lock instead of failing).
    ///
    /// The transaction is begun on its own task: a caller dropped while it
    /// waits (a client that goes away) cannot stop it between `BEGIN` and
    /// the transaction object that rolls it back, which would return the
    /// connection to the pool still inside a transaction, failing every later
    /// write on it. A begun transaction nobody takes is rolled back on drop.
    pub async fn write(&self) -> Result<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => {
                let p = p.clone();
                TxInner::Sqlite(uncancelled(async move { p.begin_with("BEGIN IMMEDIATE").await }).await?)
            }
            Pool::Postgres(p) => {
                let p = p.clone();
                TxInner::Postgres(uncancelled(async move { p.begin().await }).await?)
            }
        };
        Ok(Tx { inner, audit_key: self.audit_key.clone() })
    }

    /// The key this store chains audit rows with (and checks them against).
    pub fn audit_key(&self) -> &AuditKey {
        &self.audit_key
    }

    /// The same database with another audit key (for a key file created
    /// after the database was opened).
    pub fn with_audit_key(self, audit_key: AuditKey) -> Self {
        Self::new(self.pool, Arc::new(audit_key))
    }

    /// A handle on `pool`, with its audit writer started.
    fn new(pool: Pool, audit_key: Arc<AuditKey>) -> Self {
        let mut store = Self {
            pool,
            audit_key,
            audit_writer: None,
            crime_choices: Default::default(),
            shared_keys: Default::default(),
        };
        store.audit_writer = group_commit::start(&store);
        store
    }

    /// Connections in use, idle, and at most, for `/metrics`.
    pub fn pool_use(&self) -> PoolUse {
        let (size, idle, max) = match &self.pool {
            Pool::Sqlite(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
            Pool::Postgres(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        PoolUse { in_use: size.saturating_sub(idle), idle, max }
    }

    /// Checks the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        self.conn().await?.one(&Q::new("SELECT 1 AS one")).await.map(|_| ())
    }

    /// Closes the pool (and the audit writer's connection).
    pub async fn close(&self) {
        if let Some(writer) = &self.audit_writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}

/// Database connections, for monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections lent out.
    pub in_use: u32,
    /// Connections open and waiting.
    pub idle: u32,
    /// The pool's size limit.
    pub max: u32,
}

/// Runs `work` to completion on its own task, whatever becomes of the caller.
async fn uncancelled<T: Send + 'static>(
    work: impl std::future::Future<Output = std::result::Result<T, sqlx::Error>> + Send + 'static,
) -> Result<T> {
    match tokio::spawn(work).await {
        Ok(done) => Ok(done?),
        Err(e) => Err(StoreError::Db(sqlx::Error::Io(std::io::Error::other(e)))),
    }
}
