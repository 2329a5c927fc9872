//! Opening the database from the command line: the `--database-url` and
//! `--audit-key-file` options every command has, the configuration behind
//! them, and what a command needs of the audit key file.

use crate::config::Config;
use anyhow::{anyhow, bail, Context};
use safetynet_domain::audit::AuditKey;
use safetynet_store::{DatabaseUrl, Store};
use std::path::{Path, PathBuf};

/// The database options.
#[derive(Debug, clap::Args)]
pub(crate) struct DbArg {
    /// sqlite://PATH or postgres://USER@HOST:PORT/DB
    #[arg(long, env = "SAFETYNET_DATABASE_URL")]
    pub(crate) database_url: Option<String>,
    /// The audit key file (default for SQLite: beside the database, PATH.audit-key).
    #[arg(long)]
    pub(crate) audit_key_file: Option<PathBuf>,
}

/// How a command uses the audit key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyUse {
    /// The key file must exist, and the trail's first row must verify with
    /// it (every command that writes, including `serve`).
    Write,
    /// The key file must exist; the trail is not checked here (`audit
    /// verify` and `audit checkpoint` report on it themselves).
    Verify,
    /// Created (mode 0600) if missing, for a database whose trail is empty
    /// (`migrate`, `demo`); then as [`KeyUse::Write`].
    Create,
}

pub(crate) async fn open(config: &Config, db: &DbArg, key_use: KeyUse) -> anyhow::Result<Store> {
    open_url(config, db.database_url.clone(), db.audit_key_file.clone(), key_use).await
}

/// Opens the database named by `url` or the configuration, with the audit
/// key from `key_file` or the configuration (see [`KeyUse`]).
pub(crate) async fn open_url(
    config: &Config,
    url: Option<String>,
    key_file: Option<PathBuf>,
    key_use: KeyUse,
) -> anyhow::Result<Store> {
    let (url, key_file) = resolve(config, url, key_file)?;
    open_with_key(&url, &key_file, key_use).await
}

/// The database named by `url` or the configuration, and its audit key
/// file from `key_file` or the configuration.
pub(crate) fn resolve(
    config: &Config,
    url: Option<String>,
    key_file: Option<PathBuf>,
) -> anyhow::Result<(DatabaseUrl, PathBuf)> {
    let cfg = config.clone().with_flags(url, None).with_audit_key_file(key_file);
    let url = cfg
        .database_url
        .value
        .clone()
        .ok_or_else(|| anyhow!("no database: pass --database-url or set SAFETYNET_DATABASE_URL"))?;
    let url = DatabaseUrl::parse(&url)?;
    let key_file = cfg.audit_key_file_for(&url)?.value;
    Ok((url, key_file))
}

/// Opens `url` with the audit key in `key_file` (see [`KeyUse`]).
pub(crate) async fn open_with_key(url: &DatabaseUrl, key_file: &Path, key_use: KeyUse) -> anyhow::Result<Store> {
    let cannot_open = || format!("cannot open {}", url.redacted());
    let store = if key_use == KeyUse::Create && !key_file.exists() {
        // Never start a new key for a trail that was written with another one.
        let store = Store::open(url, AuditKey::generate()).await.with_context(cannot_open)?;
        if store.audit_len().await? > 0 {
            bail!(
                "the audit key file {} does not exist, but this database's audit trail already has rows: \
                 put the key it was written with there (a new key would break the chain)",
                key_file.display()
            );
        }
        let (key, created) = crate::audit_key::load_or_create(key_file)?;
        if created == crate::audit_key::Created::Yes {
            eprintln!(
                "Created the audit key file {} (mode 0600). Keep a copy somewhere safe, apart from the database: \
                 without it the audit trail cannot be verified or written.",
                key_file.display()
            );
        }
        store.with_audit_key(key)
    } else {
        let key = crate::audit_key::load(key_file)?;
        Store::open(url, key).await.with_context(cannot_open)?
    };
    if key_use != KeyUse::Verify && !store.audit_key_matches().await? {
        bail!(
            "the audit key in {} is not the key this database's audit trail was written with (its first row does \
             not verify): use the right key file, or run `safetynet audit verify` to see whether the trail was altered",
            key_file.display()
        );
    }
    Ok(store)
}
