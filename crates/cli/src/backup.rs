//! `safetynet backup` and `safetynet restore`.
//!
//! A backup is one file (SQLite: a copy of the database; PostgreSQL: a
//! `pg_dump` custom-format archive) and a manifest beside it,
//! `FILE.manifest.json`, recording what it holds: every table's rows and
//! the audit trail, verified under the audit key when it was taken. A
//! restore goes only into a new SQLite file or an empty PostgreSQL
//! database, checks the result against the manifest and the audit trail
//! before it is used, and is never left half-done: SQLite restores into a
//! temporary file renamed into place at the end, PostgreSQL in one
//! transaction. The audit key is not in the backup: keep it apart.

use crate::config::Config;
use crate::db::{open_with_key, resolve, DbArg, KeyUse};
use anyhow::{anyhow, bail, Context};
use safetynet_domain::audit::{AuditAction, AuditEvent, ChainBreak};
use safetynet_store::backup::Contents;
use safetynet_store::{DatabaseUrl, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Options of `safetynet backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    db: DbArg,
    /// The backup file to write (refused if it exists); the manifest goes beside it.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    tools: PgTools,
}

/// Options of `safetynet restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    db: DbArg,
    /// The backup file (its manifest, FILE.manifest.json, is checked if present).
    #[arg(long)]
    from: PathBuf,
    /// PostgreSQL: grant this role what the application needs afterwards (as `migrate --app-role`).
    #[arg(long)]
    app_role: Option<String>,
    #[command(flatten)]
    tools: PgTools,
}

/// Where PostgreSQL's own tools are.
#[derive(Debug, clap::Args)]
struct PgTools {
    /// PostgreSQL: the folder holding pg_dump and pg_restore (default: the PATH, then the newest /usr/lib/postgresql/*/bin).
    #[arg(long, env = "SAFETYNET_PG_BIN")]
    pg_bin: Option<PathBuf>,
}

impl PgTools {
    /// The path of PostgreSQL's program `name`.
    fn program(&self, name: &str) -> anyhow::Result<PathBuf> {
        if let Some(dir) = &self.pg_bin {
            let p = dir.join(name);
            return if p.is_file() { Ok(p) } else { Err(anyhow!("{} does not exist", p.display())) };
        }
        let on_path = std::env::var_os("PATH")
            .map(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()))
            .unwrap_or_default();
        let installed = || {
            let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|e| {
                    let version = e.file_name().to_str()?.parse::<u32>().ok()?;
                    let p = e.path().join("bin").join(name);
                    p.is_file().then_some((version, p))
                })
                .collect();
            found.sort();
            found.pop().map(|(_, p)| p)
        };
        on_path.or_else(installed).ok_or_else(|| {
            anyhow!("{name} was not found: install PostgreSQL's client tools or pass --pg-bin (SAFETYNET_PG_BIN)")
        })
    }
}

/// What the manifest file holds.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    /// Always `safetynet-backup/1`.
    format: String,
    /// `sqlite` or `postgres`.
    engine: String,
    /// When the backup was taken (RFC 3339, UTC).
    taken_at: String,
    /// What it holds.
    contents: Contents,
}

const FORMAT: &str = "safetynet-backup/1";

/// `FILE.manifest.json`.
fn manifest_path(backup: &Path) -> PathBuf {
    with_suffix(backup, ".manifest.json")
}

/// `backup` with `suffix` appended to its file name.
fn with_suffix(backup: &Path, suffix: &str) -> PathBuf {
    let mut name = backup.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    backup.with_file_name(name)
}

fn engine_name(url: &DatabaseUrl) -> &'static str {
    match url {
        DatabaseUrl::Sqlite(_) => "sqlite",
        DatabaseUrl::Postgres(_) => "postgres",
    }
}

fn broken(what: &str, b: &ChainBreak) -> anyhow::Error {
    anyhow!("the audit trail in {what} is BROKEN ({b}): run `safetynet audit verify` to see where")
}

/// Runs a program; its standard error becomes the error message.
fn run_tool(cmd: &mut Command, what: &str) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| format!("cannot run {what}"))?;
    if !out.status.success() {
        bail!("{what} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `safetynet backup`: writes the backup and its manifest, each complete
/// or not at all.
pub async fn backup(config: &Config, args: BackupArgs, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<ExitCode> {
    let (url, key_file) = resolve(config, args.db.database_url.clone(), args.db.audit_key_file.clone())?;
    let manifest_file = manifest_path(&args.out);
    for f in [&args.out, &manifest_file] {
        if f.exists() {
            bail!("{} already exists: a backup never overwrites a file (choose a new name)", f.display());
        }
    }
    let store = open_with_key(&url, &key_file, KeyUse::Write).await?;
    let partial = with_suffix(&args.out, ".partial");
    let _ = std::fs::remove_file(&partial);
    let checked = match &url {
        DatabaseUrl::Sqlite(_) => store.backup_sqlite(&partial).await?,
        DatabaseUrl::Postgres(pg) => {
            let pg_dump = args.tools.program("pg_dump")?;
            let dumped = store
                .backup_postgres(async |snapshot| {
                    run_tool(
                        Command::new(&pg_dump)
                            .arg("--format=custom")
                            .arg(format!("--snapshot={snapshot}"))
                            .arg("--file")
                            .arg(&partial)
                            .arg("--dbname")
                            .arg(pg),
                        "pg_dump",
                    )
                    .map(drop)
                })
                .await?;
            let checked = dumped?;
            if checked.is_ok() {
                let listing = run_tool(
                    Command::new(args.tools.program("pg_restore")?).arg("--list").arg(&partial),
                    "pg_restore --list (reading the new archive back)",
                )?;
                if !listing.lines().any(|l| l.contains("TABLE DATA") && l.contains("audit_log")) {
                    bail!("the archive {} does not hold the audit trail", partial.display());
                }
            }
            checked
        }
    };
    let contents = match checked {
        Ok(c) => c,
        Err(b) => {
            let _ = std::fs::remove_file(&partial);
            eprintln!("{}", broken("the database", &b));
            eprintln!("no backup written");
            return Ok(ExitCode::from(2));
        }
    };
    let manifest = Manifest {
        format: FORMAT.into(),
        engine: engine_name(&url).into(),
        taken_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        contents,
    };
    let manifest_partial = with_suffix(&manifest_file, ".partial");
    std::fs::write(&manifest_partial, serde_json::to_string_pretty(&manifest)?)
        .with_context(|| format!("cannot write {}", manifest_partial.display()))?;
    std::fs::rename(&partial, &args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    std::fs::rename(&manifest_partial, &manifest_file)
        .with_context(|| format!("cannot write {}", manifest_file.display()))?;
    let detail = serde_json::json!({
        "backup": args.out.file_name().map(|n| n.to_string_lossy().into_owned()),
        "audit_rows": manifest.contents.audit_rows,
    });
    audit(&store, now, AuditAction::Export, detail).await?;
    println!(
        "backup written to {} ({} tables, {} rows; audit trail intact: {} rows verified) with its manifest {}.\n\
         The audit key is not in the backup: keep {} safe, apart from it.",
        args.out.display(),
        manifest.contents.tables.len(),
        manifest.contents.tables.values().sum::<i64>(),
        manifest.contents.audit_rows,
        manifest_file.display(),
        key_file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Records a backup or restore in the audit trail.
async fn audit(
    store: &Store,
    now: chrono::DateTime<chrono::Utc>,
    action: AuditAction,
    detail: serde_json::Value,
) -> anyhow::Result<()> {
    let event = AuditEvent {
        user_id: None,
        agency: None,
        action,
        record_type: "database".into(),
        record_id: None,
        detail: detail.to_string(),
        source: "cli".into(),
    };
    store.audit(now.timestamp_millis(), &event).await?;
    Ok(())
}

/// Reads the manifest beside `backup`, if there is one.
fn read_manifest(backup: &Path) -> anyhow::Result<Option<Manifest>> {
    let path = manifest_path(backup);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let m: Manifest =
        serde_json::from_str(&text).with_context(|| format!("{} is not a backup manifest", path.display()))?;
    if m.format != FORMAT {
        bail!("{}: unknown format {}", path.display(), m.format);
    }
    Ok(Some(m))
}

/// Compares what was restored with the manifest.
fn compare(found: &Contents, manifest: Option<&Manifest>) -> anyhow::Result<()> {
    let Some(m) = manifest else { return Ok(()) };
    let diffs = found.differences(&m.contents);
    if !diffs.is_empty() {
        bail!("the restored data differ from the backup's manifest: {}", diffs.join("; "));
    }
    Ok(())
}

/// `safetynet restore`: into a new SQLite file or an empty PostgreSQL
/// database, checked against the manifest and the audit trail.
pub async fn restore(
    config: &Config,
    args: RestoreArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<ExitCode> {
    let (url, key_file) = resolve(config, args.db.database_url.clone(), args.db.audit_key_file.clone())?;
    if !args.from.is_file() {
        bail!("the backup {} does not exist", args.from.display());
    }
    let manifest = read_manifest(&args.from)?;
    match &manifest {
        Some(m) if m.engine != engine_name(&url) => {
            bail!("this backup is of a {} database; it cannot be restored into {}", m.engine, url.redacted())
        }
        Some(m) => println!("backup taken {}: {} audit rows", m.taken_at, m.contents.audit_rows),
        None => eprintln!(
            "warning: no manifest ({}): the restore is checked by the audit trail only",
            manifest_path(&args.from).display()
        ),
    }
    let key = || crate::audit_key::load(&key_file);
    key()?;
    match &url {
        DatabaseUrl::Sqlite(target) => {
            if target.exists() {
                bail!(
                    "{} already exists: restore into a new file (stop the server, move the old file aside, then restore)",
                    target.display()
                );
            }
            let partial = with_suffix(target, ".restoring");
            for stale in [&partial, &with_suffix(&partial, "-wal"), &with_suffix(&partial, "-shm")] {
                let _ = std::fs::remove_file(stale);
            }
            std::fs::copy(&args.from, &partial).with_context(|| format!("cannot write {}", partial.display()))?;
            let copy = Store::open_sqlite_copy(&partial, key()?).await?;
            let checked = copy.check_sqlite_copy().await;
            copy.close().await;
            let verdict = checked.map_err(anyhow::Error::from).and_then(|c| {
                let c = c.map_err(|b| broken("the backup", &b))?;
                compare(&c, manifest.as_ref())
            });
            if let Err(e) = verdict {
                let _ = std::fs::remove_file(&partial);
                return Err(e.context("nothing was restored"));
            }
            // Upgrades an older backup's schema before it takes the name.
            let upgraded = Store::open(&DatabaseUrl::Sqlite(partial.clone()), key()?).await?;
            upgraded.close().await;
            std::fs::rename(&partial, target).with_context(|| format!("cannot write {}", target.display()))?;
            let beside = crate::audit_key::default_for_sqlite(target);
            if beside != key_file && !beside.exists() {
                crate::audit_key::save_new(&beside, &key()?)?;
                println!("copied the audit key to {} (mode 0600), where SafetyNet looks for it", beside.display());
            }
        }
        DatabaseUrl::Postgres(pg) => {
            if Store::connect(&url, key()?).await?.has_tables().await? {
                bail!(
                    "{} is not empty: restore into a new, empty database (createdb), then point SafetyNet at it",
                    url.redacted()
                );
            }
            run_tool(
                Command::new(args.tools.program("pg_restore")?)
                    .args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"])
                    .arg("--dbname")
                    .arg(pg)
                    .arg(&args.from),
                "pg_restore",
            )?;
            let restored = Store::connect(&url, key()?).await?;
            let found = restored.contents().await?;
            restored.close().await;
            let found = found.map_err(|b| broken("the restored database", &b))?;
            compare(&found, manifest.as_ref()).context(
                "the restored database is not the backup: drop it (dropdb) and restore again from a sound backup",
            )?;
        }
    }
    let store = open_with_key(&url, &key_file, KeyUse::Write).await?;
    if let Some(role) = &args.app_role {
        for w in store.grant_app_role(role).await? {
            eprintln!("warning: {w}");
        }
        println!("granted {role} what the application needs");
    }
    let rows = store.verify_audit().await?.map_err(|b| broken("the restored database", &b))?;
    let taken = manifest.as_ref().map(|m| m.taken_at.clone());
    audit(&store, now, AuditAction::Import, serde_json::json!({ "restored_backup_taken_at": taken })).await?;
    println!("restored into {}; audit trail intact: {rows} rows verified", url.redacted());
    Ok(ExitCode::SUCCESS)
}
