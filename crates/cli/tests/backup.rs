//! Backup and restore on every engine: a backup taken while writes go on
//! holds every write acknowledged before it began, restores into a new
//! database that matches its manifest and whose audit trail verifies; a
//! damaged backup or a broken trail is refused and leaves nothing behind.

mod common;

use axum::http::StatusCode;
use common::*;
use safetynet_domain::audit::AuditKey;
use safetynet_store::sql::Q;
use safetynet_store::testing::{blank, tamper_audit, Tamper};
use safetynet_store::{DatabaseUrl, Engine, Exec, Store};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const OFFICER: &str = "asb.officer@stalbans.gov.uk";

fn safetynet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_safetynet"))
        .args(args)
        .env_remove("SAFETYNET_DATABASE_URL")
        .env_remove("SAFETYNET_CONFIG")
        .env_remove("SAFETYNET_AUDIT_KEY_FILE")
        .output()
        .expect("run safetynet")
}

/// `safetynet backup` of the database at `url` to `out`.
fn backup_to(url: &str, key_file: &str, out: &Path) -> Output {
    safetynet(&["backup", "--database-url", url, "--audit-key-file", key_file, "--out", &out.display().to_string()])
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(o: &Output, what: &str) -> String {
    assert!(o.status.success(), "{what} failed:\n{}{}", text(&o.stdout), text(&o.stderr));
    text(&o.stdout)
}

/// Records `n` incidents as the council's officer; returns their ids.
async fn record(app: &TestApp, token: &str, from: usize, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in from..from + n {
        let res = app.json("POST", "/api/v1/incidents", token, incident_json(i)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        ids.push(res.json()["id"].as_str().expect("id").to_string());
    }
    ids
}

/// A new, empty place to restore into: (URL for the restore, the
/// application role to grant on PostgreSQL).
async fn new_target(app: &TestApp) -> (String, Option<String>) {
    let b = blank(app.engine, app.dir.path()).await.expect("blank database");
    (b.owner_url, b.app_role)
}

async fn open(url: &str, key_file: &str) -> Store {
    let key = AuditKey::from_hex(&std::fs::read_to_string(key_file).expect("key")).expect("key file");
    Store::connect(&DatabaseUrl::parse(url).expect("url"), key).await.expect("open")
}

async fn incident_ids(store: &Store) -> Vec<String> {
    let rows = store.conn().await.expect("conn").all(&Q::new("SELECT id FROM incidents")).await.expect("ids");
    rows.iter().map(|r| r.text("id").expect("id")).collect()
}

fn manifest(backup: &Path) -> Value {
    let path = PathBuf::from(format!("{}.manifest.json", backup.display()));
    serde_json::from_str(&std::fs::read_to_string(path).expect("manifest")).expect("manifest JSON")
}

#[tokio::test]
async fn a_backup_taken_during_writes_restores_whole_and_verifies() {
    each_engine(async |app: &TestApp| {
        let token = app.token(OFFICER).await;
        let before = record(app, &token, 0, 20).await;
        let backup = app.dir.path().join("backup.snb");
        // Writes go on while the backup runs.
        let (url, key_file, out) = (app.url.clone(), app.key_file.clone(), backup.clone());
        let running = tokio::task::spawn_blocking(move || backup_to(&url, &key_file, &out));
        let during = record(app, &token, 20, 30).await;
        let printed = ok(&running.await.expect("backup"), "backup");
        assert!(printed.contains("audit trail intact"), "{printed}");
        let after = record(app, &token, 50, 5).await;

        let m = manifest(&backup);
        assert_eq!(m["format"], "safetynet-backup/1");
        let counted = m["contents"]["tables"]["incidents"].as_i64().expect("incidents counted");
        assert!((20..=50).contains(&counted), "{counted}");

        let (target, role) = new_target(app).await;
        let mut restore = vec!["restore", "--database-url", &target, "--audit-key-file", &app.key_file];
        let from = backup.display().to_string();
        restore.extend(["--from", &from]);
        if let Some(r) = &role {
            restore.extend(["--app-role", r]);
        }
        let printed = ok(&safetynet(&restore), "restore");
        assert!(printed.contains("audit trail intact"), "{printed}");

        // Independently: what was acknowledged before the backup is there,
        // what came after is not, and the rows are the manifest's.
        let restored = open(&target, &app.key_file).await;
        let ids = incident_ids(&restored).await;
        for id in &before {
            assert!(ids.contains(id), "{:?}: incident {id}, acknowledged before the backup, is missing", app.engine);
        }
        for id in &after {
            assert!(!ids.contains(id), "{:?}: incident {id} was recorded after the backup", app.engine);
        }
        assert_eq!(ids.len() as i64, counted);
        assert!(ids.len() <= before.len() + during.len());
        let found = restored.contents().await.expect("contents").expect("intact");
        let expected: safetynet_store::backup::Contents =
            serde_json::from_value(m["contents"].clone()).expect("contents");
        let diffs = found.differences(&expected);
        // Only the restore's own audit row differs.
        let n = expected.audit_rows;
        assert_eq!(
            diffs,
            [
                format!("audit trail: {n} rows -> {} rows (or another head)", n + 1),
                format!("audit_log: {n} -> {}", n + 1)
            ]
        );
        restored.close().await;
        let verify = safetynet(&["audit", "verify", "--database-url", &target, "--audit-key-file", &app.key_file]);
        assert!(ok(&verify, "audit verify").contains("audit trail intact"));
        if let Some(role) = &role {
            // The application role can use the restored database.
            let app_url = safetynet_store::testing::replace_user(&target, role);
            let list = safetynet(&["agency", "list", "--database-url", &app_url, "--audit-key-file", &app.key_file]);
            assert!(ok(&list, "agency list as the application").contains("SACDC"));
        }
        // A backup never overwrites, and a restore never replaces.
        let again = backup_to(&app.url, &app.key_file, &backup);
        assert!(!again.status.success() && text(&again.stderr).contains("already exists"));
        let again = safetynet(&restore);
        assert!(!again.status.success(), "restoring over a database");
    })
    .await;
}

#[tokio::test]
async fn a_backup_that_differs_from_its_manifest_is_not_restored() {
    each_engine(async |app: &TestApp| {
        let token = app.token(OFFICER).await;
        record(app, &token, 0, 3).await;
        let backup = app.dir.path().join("b.snb");
        let out = backup.display().to_string();
        ok(&backup_to(&app.url, &app.key_file, Path::new(&out)), "backup");
        let manifest_file = format!("{out}.manifest.json");
        let mut m = manifest(&backup);
        m["contents"]["tables"]["incidents"] = json!(4);
        std::fs::write(&manifest_file, m.to_string()).expect("write");
        let (target, _) = new_target(app).await;
        let o = safetynet(&["restore", "--database-url", &target, "--audit-key-file", &app.key_file, "--from", &out]);
        assert!(!o.status.success());
        assert!(text(&o.stderr).contains("incidents: 4 -> 3"), "{}", text(&o.stderr));
        if app.engine == Engine::Sqlite {
            let file = target.trim_start_matches("sqlite://");
            assert!(!Path::new(file).exists(), "nothing is left behind");
            assert!(!Path::new(&format!("{file}.restoring")).exists(), "nothing is left behind");
        }
    })
    .await;
}

#[tokio::test]
async fn a_broken_trail_is_not_backed_up_and_a_wrong_key_restores_nothing() {
    each_engine(async |app: &TestApp| {
        let out = app.dir.path().join("c.snb").display().to_string();
        let other_key = app.dir.path().join("other.key");
        safetynet_store::testing::write_key_file(&other_key, &AuditKey::generate()).expect("key");
        // A good backup, restored with another key: refused, nothing left.
        ok(&backup_to(&app.url, &app.key_file, Path::new(&out)), "backup");
        let (target, _) = new_target(app).await;
        let other = other_key.display().to_string();
        let o = safetynet(&["restore", "--database-url", &target, "--audit-key-file", &other, "--from", &out]);
        assert!(!o.status.success());
        assert!(text(&o.stderr).contains("BROKEN"), "{}", text(&o.stderr));
        // A trail altered in the database: no backup is written.
        tamper_audit(&app.store, Tamper::Edit(3)).await.expect("tamper");
        let second = app.dir.path().join("d.snb");
        let o = backup_to(&app.url, &app.key_file, &second);
        assert!(!o.status.success(), "{}", text(&o.stdout));
        assert!(!second.exists() && !Path::new(&format!("{}.manifest.json", second.display())).exists());
    })
    .await;
}
