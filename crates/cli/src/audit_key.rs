//! The audit key file: the secret that keys the audit trail's hash chain
//! (HMAC-SHA-256) and signs checkpoints. It lives outside the database, so
//! that someone who can change the database cannot re-chain the trail.
//!
//! The file holds 64 hexadecimal characters (32 random bytes) and a newline.
//! [`load_or_create`] makes it with mode 0600 if it is missing (`demo`,
//! `migrate`, and later `init`); every other command uses [`load`], which
//! refuses a missing, unreadable or malformed file (there is never a default
//! key) and a file that group or others may *write*. A file that group or
//! others may *read* is used, with a warning: the key is then as secret as
//! the folder it sits in (some secret stores mount files 0444).
//!
//! The key is never printed or logged: [`AuditKey`]'s `Debug` is redacted,
//! and nothing here includes the file's contents in a message.

use anyhow::{bail, Context};
use safetynet_domain::audit::AuditKey;
use secrecy::ExposeSecret;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The default key file for an SQLite database: beside it, `<file>.audit-key`
/// (e.g. `data/safetynet.db.audit-key`). PostgreSQL has no default: its
/// key file must be configured (`audit_key_file`).
pub fn default_for_sqlite(db_file: &Path) -> PathBuf {
    let mut name = db_file.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".audit-key");
    db_file.with_file_name(name)
}

/// Whether the key file was just made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// It existed and was read.
    No,
    /// It was missing and has been created (mode 0600).
    Yes,
}

/// Reads the key at `path`; refuses a missing, unreadable or malformed file,
/// or one that group or others may write; warns when they may read it.
pub fn load(path: &Path) -> anyhow::Result<AuditKey> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "the audit key file {} does not exist: SafetyNet does not write or check the audit trail without its key. \
             Point audit_key_file (or SAFETYNET_AUDIT_KEY_FILE, or --audit-key-file) at the key this database was \
             created with, or run `safetynet migrate` to create one for a new database",
            path.display()
        ),
        Err(e) => return Err(e).with_context(|| format!("cannot read the audit key file {}", path.display())),
    };
    if !meta.is_file() {
        bail!("the audit key file {} is not a file", path.display());
    }
    check_mode(path, &meta)?;
    let text = secrecy::SecretString::from(
        std::fs::read_to_string(path).with_context(|| format!("cannot read the audit key file {}", path.display()))?,
    );
    AuditKey::from_hex(text.expose_secret()).map_err(|e| anyhow::anyhow!("the audit key file {}: {e}", path.display()))
}

/// Reads the key at `path`, or creates it (32 random bytes, mode 0600) if
/// there is no file there. The folder must exist.
pub fn load_or_create(path: &Path) -> anyhow::Result<(AuditKey, Created)> {
    if path.exists() {
        return Ok((load(path)?, Created::No));
    }
    let key = AuditKey::generate();
    match save_new(path, &key) {
        Ok(()) => {}
        // Another process made it in the meantime: use theirs.
        Err(e) if e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::AlreadyExists) => {
            return Ok((load(path)?, Created::No))
        }
        Err(e) => return Err(e),
    }
    Ok((key, Created::Yes))
}

/// Writes `key` to a new file at `path` (mode 0600); never overwrites (or
/// follows a symlink to) an existing file.
pub fn save_new(path: &Path, key: &AuditKey) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = match opts.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(e.into()),
        Err(e) => return Err(e).with_context(|| format!("cannot create the audit key file {}", path.display())),
    };
    file.write_all(key.to_file_text().expose_secret().as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write the audit key file {}", path.display()))
}

/// A line for `check-config`: whether the file is there and usable (never
/// its contents). `Err` when it is there but unusable.
pub fn describe(path: &Path) -> Result<String, String> {
    if !path.exists() {
        return Ok("missing (`safetynet migrate` or `demo` creates it)".into());
    }
    load(path).map_err(|e| format!("{e:#}"))?;
    let mode = mode_of(path).map(|m| format!(", mode {m:04o}")).unwrap_or_default();
    Ok(format!("present{mode}"))
}

#[cfg(unix)]
fn mode_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode_of(_: &Path) -> Option<u32> {
    None
}

#[cfg(unix)]
fn check_mode(path: &Path, meta: &std::fs::Metadata) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o022 != 0 {
        bail!(
            "the audit key file {} may be written by group or others (mode {mode:04o}): run chmod 600 {}",
            path.display(),
            path.display()
        );
    }
    if mode & 0o044 != 0 {
        tracing::warn!(
            "the audit key file {} may be read by group or others (mode {mode:04o}): run chmod 600 {}",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_: &Path, _: &std::fs::Metadata) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_default_sits_beside_the_database() {
        assert_eq!(default_for_sqlite(Path::new("data/safetynet.db")), PathBuf::from("data/safetynet.db.audit-key"));
    }

    #[cfg(unix)]
    #[test]
    fn keys_are_created_0600_read_back_and_refused_when_others_may_write() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("audit.key");
        let (_, created) = load_or_create(&path).expect("create");
        assert_eq!(created, Created::Yes);
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text.trim().len(), 64);
        let (_, created) = load_or_create(&path).expect("again");
        assert_eq!(created, Created::No);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), text, "an existing key is never replaced");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(load(&path).is_ok(), "readable by others: a warning only");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        let e = load(&path).expect_err("writable by others");
        assert!(format!("{e:#}").contains("chmod 600"), "{e:#}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        std::fs::write(&path, "not a key\n").expect("write");
        let e = load(&path).expect_err("malformed");
        assert!(format!("{e:#}").contains("64 hexadecimal"), "{e:#}");
        let e = load(&dir.path().join("missing.key")).expect_err("missing");
        assert!(format!("{e:#}").contains("does not exist"), "{e:#}");
        assert!(load_or_create(&dir.path().join("no/such/folder/k")).is_err());
    }
}
