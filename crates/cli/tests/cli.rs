//! The command line as users run it: the real binary against a fresh
//! database on every engine.

mod common;

use common::*;
use safetynet_store::crimes::CrimeFilter;
use safetynet_store::testing::{tamper_audit, try_edit_audit, Tamper};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_safetynet"));
    c.env_remove("SAFETYNET_DATABASE_URL")
        .env_remove("SAFETYNET_CONFIG")
        .env_remove("SAFETYNET_PASSWORD")
        .env_remove("SAFETYNET_TRUSTED_PROXIES")
        .current_dir(std::env::temp_dir());
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run safetynet")
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

fn import(app: &TestApp, files: &[&str], json: bool) -> Output {
    let mut args = vec!["import", "police-uk", "--database-url", &app.url, "--audit-key-file", &app.key_file];
    if json {
        args.extend(["--format", "json"]);
    }
    let paths: Vec<String> = files.iter().map(|f| fixture(f).display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    run(&args)
}

#[test]
fn database_urls_are_checked_before_anything_is_created() {
    let o = run(&["migrate", "--database-url", "mysql://localhost/x"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("unsupported database URL"));
    let o = run(&["migrate", "--database-url", "sqlite:///no/such/folder/x.db"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("does not exist"));
    assert!(!std::path::Path::new("/no/such/folder").exists());
    let o = run(&["migrate"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("no database"));
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/a.db", dir.path().display());
    let o = bin().args(["migrate"]).env("SAFETYNET_DATABASE_URL", &url).output().expect("run");
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(dir.path().join("a.db").exists());
}

#[test]
fn check_config_explains_and_refuses_unknown_keys() {
    let dir = tempfile::tempdir().expect("dir");
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "bind = \"127.0.0.1:9999\"\ndatabase_url = \"postgres://me:secret@db/x\"\n").expect("write");
    let o = run(&["check-config", "--config", &good.display().to_string()]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(out.contains("127.0.0.1:9999") && out.contains("[file "));
    assert!(out.contains("trusted_proxies        = (none"), "{out}");
    let o = bin()
        .args(["check-config", "--config", &good.display().to_string()])
        .env("SAFETYNET_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
        .output()
        .expect("run");
    assert!(
        text(&o.stdout).contains("trusted_proxies        = 127.0.0.1, 10.0.0.0/8    [env SAFETYNET_TRUSTED_PROXIES]"),
        "{}",
        text(&o.stdout)
    );
    let proxies = dir.path().join("proxies.toml");
    std::fs::write(&proxies, "trusted_proxies = [\"10.1.2.3\", \"192.168.0.0/33\"]\n").expect("write");
    let o = run(&["check-config", "--config", &proxies.display().to_string()]);
    assert!(!o.status.success() && text(&o.stderr).contains("192.168.0.0/33"), "{}", text(&o.stderr));
    assert!(out.contains("postgres://me:***@db/x") && !out.contains("secret"), "password redacted: {out}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "bnd = \"x\"\n").expect("write");
    let o = run(&["check-config", "--config", &bad.display().to_string()]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("unknown field"), "{}", text(&o.stderr));
}

#[tokio::test]
async fn import_reports_is_idempotent_and_keeps_genuine_duplicates() {
    each_engine(async |app: &TestApp| {
        let o = import(app, &["good-street.csv", "good-outcomes.csv", "bad-street.csv"], false);
        let out = text(&o.stdout);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(
            out.contains("rows read:       17")
                && out.contains("imported:        15")
                && out.contains("rejected:        2"),
            "{out}"
        );
        assert!(out.contains("bad-street.csv:3: Latitude 'abc'"), "{out}");
        assert!(out.contains("bad-street.csv:6: Month: '2021-13'"), "{out}");
        // Again, as JSON: nothing new.
        let o = import(app, &["good-street.csv", "good-outcomes.csv", "bad-street.csv"], true);
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json summary");
        assert_eq!(j["imported"], 0);
        assert_eq!(j["already_present"], 15);
        assert_eq!(j["rejected"], 2);
        assert_eq!(j["rejected_rows"][0]["line"], 3);
        assert_eq!(j["files"].as_array().map(Vec::len), Some(3));
        assert_eq!(app.store.police_row_counts().await.expect("counts"), (12, 3));
        // The two identical ASB rows are both kept.
        let asb = CrimeFilter {
            crime_type: Some("Anti-social behaviour".into()),
            from: safetynet_domain::month::Month::parse("2021-06").ok(),
            ..Default::default()
        };
        let (rows, total) = app.store.crimes(&CrimeFilter { to: asb.from, ..asb.clone() }, 10, 0).await.expect("query");
        assert_eq!(total, 3);
        assert_eq!(rows[0..2].iter().filter(|r| r.crime_id.is_none()).count(), 2);
        // Outcomes joined by Crime ID.
        let (crimes, _) = app.store.crimes(&CrimeFilter::default(), 50, 0).await.expect("query");
        assert_eq!(crimes.iter().map(|c| c.outcomes.len()).sum::<usize>(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_bad_file_stops_the_import_before_anything_is_written() {
    each_engine(async |app: &TestApp| {
        let o = import(app, &["good-street.csv", "wrong-header.csv"], false);
        assert!(!o.status.success());
        let err = text(&o.stderr);
        assert!(err.contains("wrong-header.csv") && err.contains("not a police.uk street or outcomes file"), "{err}");
        assert_eq!(app.store.police_row_counts().await.expect("counts"), (0, 0));
        let o = run(&[
            "import",
            "police-uk",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "/no/such/file.csv",
        ]);
        assert!(!o.status.success());
        assert!(text(&o.stderr).contains("/no/such/file.csv"));
        let empty = tempfile::tempdir().expect("dir");
        let o = run(&[
            "import",
            "police-uk",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            &empty.path().display().to_string(),
        ]);
        assert!(text(&o.stderr).contains("no .csv files"));
    })
    .await;
}

#[tokio::test]
async fn audit_verify_detects_edits_and_deletions() {
    each_engine(async |app: &TestApp| {
        import(app, &["good-street.csv"], false);
        let o = run(&["audit", "verify", "--database-url", &app.url, "--audit-key-file", &app.key_file]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("audit trail intact"));
        assert!(try_edit_audit(&app.store, 2).await.is_err(), "the append-only trigger refuses edits");
        tamper_audit(&app.store, Tamper::Edit(3)).await.expect("tamper");
        let o = run(&["audit", "verify", "--database-url", &app.url, "--audit-key-file", &app.key_file]);
        assert!(!o.status.success());
        assert!(text(&o.stderr).contains("audit row 3 was altered"), "{}", text(&o.stderr));
    })
    .await;
    each_engine(async |app: &TestApp| {
        tamper_audit(&app.store, Tamper::Delete(4)).await.expect("tamper");
        let o = run(&["audit", "verify", "--database-url", &app.url, "--audit-key-file", &app.key_file]);
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o.stderr).contains("audit row 4 was removed"), "{}", text(&o.stderr));
    })
    .await;
    each_engine(async |app: &TestApp| {
        let last = app.store.audit_len().await.expect("len");
        tamper_audit(&app.store, Tamper::Delete(last)).await.expect("tamper");
        let o = run(&["audit", "verify", "--database-url", &app.url, "--audit-key-file", &app.key_file]);
        assert!(
            text(&o.stderr).contains(&format!("audit rows after {} were removed", last - 1)),
            "{}",
            text(&o.stderr)
        );
    })
    .await;
}

/// Runs the binary against the test app's database and key file.
fn run_app(app: &TestApp, args: &[&str]) -> Output {
    bin().args(args).args(["--database-url", &app.url, "--audit-key-file", &app.key_file]).output().expect("run")
}

#[tokio::test]
async fn audit_verify_detects_a_row_rechained_without_the_key() {
    each_engine(async |app: &TestApp| {
        import(app, &["good-street.csv"], false);
        assert!(run_app(app, &["audit", "verify"]).status.success());
        // What someone with the database but not the key can do: edit row 3,
        // re-chain it and every later row with plain SHA-256, move the head.
        tamper_audit(&app.store, Tamper::EditAndRechain(3)).await.expect("tamper");
        let o = run_app(app, &["audit", "verify"]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
        assert!(text(&o.stderr).contains("audit row 3 was altered"), "{}", text(&o.stderr));
    })
    .await;
}

#[tokio::test]
async fn audit_verify_with_a_checkpoint_exposes_removed_newest_rows() {
    each_engine(async |app: &TestApp| {
        import(app, &["good-street.csv"], false);
        let cp = app.dir.path().join("checkpoint.json").display().to_string();
        let o = run_app(app, &["audit", "checkpoint", "--out", &cp]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let last = app.store.audit_len().await.expect("len");
        let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cp).expect("read")).expect("json");
        assert_eq!(file["seq"], last);
        assert!(file["at"].as_str().is_some_and(|t| t.ends_with('Z')), "{file}");
        assert_eq!(file["mac"].as_str().map(str::len), Some(64), "{file}");
        let o = run_app(app, &["audit", "verify", "--checkpoint", &cp]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains(&format!("the checkpoint's row {last} is present and unchanged")));
        // Delete the newest rows and reset the head to the row before them.
        tamper_audit(&app.store, Tamper::RemoveNewest { keep: last - 2 }).await.expect("tamper");
        assert!(run_app(app, &["audit", "verify"]).status.success(), "the shortened trail is consistent in itself");
        let o = run_app(app, &["audit", "verify", "--checkpoint", &cp]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            text(&o.stderr)
                .contains(&format!("audit rows after {} were removed (the checkpoint records row {last})", last - 2)),
            "{}",
            text(&o.stderr)
        );
    })
    .await;
}

#[tokio::test]
async fn a_checkpoint_is_refused_when_forged_and_not_written_for_a_broken_trail() {
    each_engine(async |app: &TestApp| {
        import(app, &["good-street.csv"], false);
        let cp = app.dir.path().join("checkpoint.json");
        let cp_arg = cp.display().to_string();
        assert!(run_app(app, &["audit", "checkpoint", "--out", &cp_arg]).status.success());
        let genuine = std::fs::read_to_string(&cp).expect("read");
        let mut forged: serde_json::Value = serde_json::from_str(&genuine).expect("json");
        // Claim an earlier head (as if to excuse removed rows).
        forged["seq"] = serde_json::json!(forged["seq"].as_i64().unwrap_or(0) - 2);
        std::fs::write(&cp, forged.to_string()).expect("write");
        let o = run_app(app, &["audit", "verify", "--checkpoint", &cp_arg]);
        assert_eq!(o.status.code(), Some(1), "an error, not a verdict on the trail");
        assert!(text(&o.stderr).contains("signature does not verify"), "{}", text(&o.stderr));
        // Signed with another key.
        let other_key = app.dir.path().join("other.key");
        safetynet_store::testing::write_key_file(&other_key, &safetynet_domain::audit::AuditKey::generate())
            .expect("key");
        let other = safetynet_domain::audit::CheckpointFile::parse(&genuine).expect("parse");
        let resigned = safetynet_domain::audit::Checkpoint { seq: other.seq, hash: other.hash, at_ms: other.at_ms }
            .sign(&safetynet_store::testing::read_key_file(&other_key).expect("key"));
        std::fs::write(&cp, resigned.to_text()).expect("write");
        let o = run_app(app, &["audit", "verify", "--checkpoint", &cp_arg]);
        assert_eq!(o.status.code(), Some(1));
        assert!(text(&o.stderr).contains("signature does not verify"), "{}", text(&o.stderr));
        std::fs::write(&cp, "not json").expect("write");
        let o = run_app(app, &["audit", "verify", "--checkpoint", &cp_arg]);
        assert!(text(&o.stderr).contains("not a SafetyNet audit checkpoint"), "{}", text(&o.stderr));
        // No checkpoint vouches for a broken trail.
        tamper_audit(&app.store, Tamper::Edit(2)).await.expect("tamper");
        let fresh_cp = app.dir.path().join("new.json").display().to_string();
        let o = run_app(app, &["audit", "checkpoint", "--out", &fresh_cp]);
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o.stderr).contains("no checkpoint written"), "{}", text(&o.stderr));
        assert!(!std::path::Path::new(&fresh_cp).exists());
    })
    .await;
}

#[cfg(unix)]
#[test]
fn the_audit_key_file_is_created_0600_required_and_never_printed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/a.db", dir.path().display());
    let key_file = dir.path().join("a.db.audit-key");
    let o = bin().args(["migrate", "--database-url", &url]).env("SAFETYNET_LOG", "trace").output().expect("run");
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("Created the audit key file"), "{}", text(&o.stderr));
    let mode = std::fs::metadata(&key_file).expect("key file beside the database").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let key = std::fs::read_to_string(&key_file).expect("read").trim().to_string();
    assert_eq!(key.len(), 64);
    let mut outputs = vec![o];
    // check-config names the file and its state, never the key.
    let o = bin().arg("check-config").env("SAFETYNET_DATABASE_URL", &url).output().expect("run");
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains(&format!("{} (present, mode 0600)", key_file.display())), "{}", text(&o.stdout));
    outputs.push(o);
    // A writing command (it audits), with every log line on.
    let cats = repo().join("crates/domain/categories/default.toml").display().to_string();
    let o = bin()
        .args(["categories", "load", "--database-url", &url, &cats])
        .env("SAFETYNET_LOG", "trace")
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", text(&o.stderr));
    outputs.push(o);
    let o =
        bin().args(["audit", "verify", "--database-url", &url]).env("SAFETYNET_LOG", "trace").output().expect("run");
    assert!(o.status.success(), "{}", text(&o.stderr));
    outputs.push(o);
    for o in &outputs {
        assert!(!text(&o.stdout).contains(&key) && !text(&o.stderr).contains(&key), "the key was printed");
    }
    // A second migrate keeps the key.
    assert!(run(&["migrate", "--database-url", &url]).status.success());
    assert_eq!(std::fs::read_to_string(&key_file).expect("read").trim(), key);

    // A key file others may write is refused; one they may read is used with a warning.
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o664)).expect("chmod");
    let o = run(&["audit", "verify", "--database-url", &url]);
    assert!(!o.status.success() && text(&o.stderr).contains("chmod 600"), "{}", text(&o.stderr));
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let o = run(&["audit", "verify", "--database-url", &url]);
    assert!(o.status.success() && text(&o.stderr).contains("may be read by group or others"), "{}", text(&o.stderr));
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).expect("chmod");

    // Another key: writing commands refuse, verify names row 1.
    let other = dir.path().join("other.key");
    safetynet_store::testing::write_key_file(&other, &safetynet_domain::audit::AuditKey::generate()).expect("key");
    let other_arg = other.display().to_string();
    let o = run(&["categories", "load", "--database-url", &url, "--audit-key-file", &other_arg, &cats]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("is not the key this database's audit trail was written with"),
        "{}",
        text(&o.stderr)
    );
    let o = run(&["audit", "verify", "--database-url", &url, "--audit-key-file", &other_arg]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("audit row 1 was altered") && text(&o.stderr).contains("different key"));

    // Without the key file nothing starts, and migrate will not make a new
    // key for a trail that has rows.
    std::fs::rename(&key_file, dir.path().join("moved.key")).expect("move");
    let mut serve = bin()
        .args(["serve", "--database-url", &url, "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut status = None;
    for _ in 0..200 {
        status = serve.try_wait().expect("wait");
        if status.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if status.is_none() {
        let _ = serve.kill();
    }
    let o = serve.wait_with_output().expect("output");
    assert!(!o.status.success(), "serve refused to start");
    assert!(text(&o.stderr).contains("does not exist"), "{}", text(&o.stderr));
    let o = run(&["categories", "load", "--database-url", &url, &cats]);
    assert!(text(&o.stderr).contains("audit key file") && text(&o.stderr).contains("does not exist"));
    let o = run(&["migrate", "--database-url", &url]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("already has rows"), "{}", text(&o.stderr));
    assert!(!key_file.exists(), "no new key for an existing trail");
    // PostgreSQL has no default key file.
    let o = run(&["audit", "verify", "--database-url", "postgres://nobody@127.0.0.1:1/x"]);
    assert!(text(&o.stderr).contains("no audit key file"), "{}", text(&o.stderr));
}

#[cfg(unix)]
#[test]
fn demo_creates_its_audit_key_file_0600_and_reuses_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("demo");
    let data_arg = data.display().to_string();
    // An address that cannot be bound: the demo seeds, then stops.
    let demo = || run(&["demo", "--data-dir", &data_arg, "--bind", "256.1.1.1:1"]);
    let first = demo();
    let key_file = data.join("safetynet.db.audit-key");
    assert_eq!(std::fs::metadata(&key_file).expect("key file").permissions().mode() & 0o777, 0o600);
    let key = std::fs::read_to_string(&key_file).expect("read").trim().to_string();
    assert!(text(&first.stdout).contains(&format!("Audit key file: {}", key_file.display())));
    let second = demo();
    assert!(text(&second.stderr).contains("cannot listen"), "{}", text(&second.stderr));
    assert_eq!(std::fs::read_to_string(&key_file).expect("read").trim(), key, "reused");
    for o in [&first, &second] {
        assert!(!text(&o.stdout).contains(&key) && !text(&o.stderr).contains(&key));
    }
    let url = format!("sqlite://{}", data.join("safetynet.db").display());
    let o = run(&["audit", "verify", "--database-url", &url]);
    assert!(o.status.success(), "{}", text(&o.stderr));
}

#[tokio::test]
async fn migrate_grants_an_app_role_that_works_but_cannot_rewrite_the_audit_trail() {
    each_engine(async |app: &TestApp| {
        if app.engine == safetynet_store::Engine::Sqlite {
            let o = run_app(app, &["migrate", "--app-role", "safetynet_app"]);
            assert!(!o.status.success());
            assert!(text(&o.stderr).contains("--app-role is for PostgreSQL"), "{}", text(&o.stderr));
            return;
        }
        let (role, app_url) = safetynet_store::testing::create_login_role(&app.store, &app.url).await.expect("role");
        let o = run_app(app, &["migrate", "--app-role", &role]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains(&format!("granted {role}")), "{}", text(&o.stdout));
        // The application, connected as the role, works and audits.
        let as_app = |args: &[&str]| {
            bin()
                .args(args)
                .args(["--database-url", &app_url, "--audit-key-file", &app.key_file])
                .output()
                .expect("run")
        };
        let o = as_app(&[
            "categories",
            "load",
            &repo().join("crates/domain/categories/default.toml").display().to_string(),
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let before = app.store.audit_len().await.expect("len");
        let o = bin()
            .args(["user", "add", "--database-url", &app_url, "--audit-key-file", &app.key_file])
            .args(["--agency", "HFRS", "--role", "auditor", "--email", "role.test@hertsfire.gov.uk"])
            .env("SAFETYNET_PASSWORD", "long enough password")
            .output()
            .expect("run");
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(app.store.audit_len().await.expect("len") > before, "audited as the app role");
        let o = as_app(&["audit", "verify"]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        // ...but cannot migrate (it may create nothing) or rewrite the trail.
        let app_store = safetynet_store::Store::connect(
            &safetynet_store::DatabaseUrl::parse(&app_url).expect("url"),
            safetynet_store::testing::read_key_file(std::path::Path::new(&app.key_file)).expect("key"),
        )
        .await
        .expect("connect");
        assert!(!app_store.migrations_pending().await.expect("read"), "opening runs no migration");
        assert!(try_edit_audit(&app_store, 1).await.is_err());
        assert!(safetynet_store::testing::try_delete_audit(&app_store, 1).await.is_err());
        assert!(safetynet_store::testing::try_truncate_audit(&app_store).await.is_err());
        app_store.close().await;
        safetynet_store::testing::drop_login_role(&app.store, &role).await.expect("drop");
    })
    .await;
}

#[tokio::test]
async fn user_add_and_token_create() {
    each_engine(async |app: &TestApp| {
        let o = bin()
            .args([
                "user",
                "add",
                "--database-url",
                &app.url,
                "--audit-key-file",
                &app.key_file,
                "--agency",
                "hfrs",
                "--role",
                "case_officer",
                "--email",
                "Fire.Officer@HertsFire.gov.uk",
            ])
            .env("SAFETYNET_PASSWORD", "a strong fire password")
            .output()
            .expect("run");
        assert!(o.status.success(), "{}", text(&o.stderr));
        let mut child = bin()
            .args([
                "user",
                "add",
                "--database-url",
                &app.url,
                "--audit-key-file",
                &app.key_file,
                "--agency",
                "HERTS-POLICE",
                "--role",
                "agency_viewer",
                "--role",
                "auditor",
                "--email",
                "second@herts.police.uk",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child.stdin.take().expect("stdin").write_all(b"password from stdin\n").expect("write");
        let o = child.wait_with_output().expect("wait");
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert_eq!(
            app.sign_in_response("fire.officer@hertsfire.gov.uk", "a strong fire password").await.status,
            axum::http::StatusCode::SEE_OTHER
        );
        assert_eq!(
            app.sign_in_response("second@herts.police.uk", "password from stdin").await.status,
            axum::http::StatusCode::SEE_OTHER
        );
        for (args, msg) in [
            (vec!["--agency", "HFRS", "--role", "root", "--email", "x@y.uk"], "unknown role"),
            (vec!["--agency", "NOPE", "--role", "auditor", "--email", "x@y.uk"], "agency was not found"),
            (
                vec!["--agency", "HFRS", "--role", "auditor", "--email", "fire.officer@hertsfire.gov.uk"],
                "already exists",
            ),
            (vec!["--agency", "HFRS", "--role", "auditor", "--email", "not-an-email"], "enter an email address"),
        ] {
            let o = bin()
                .args(["user", "add", "--database-url", &app.url, "--audit-key-file", &app.key_file])
                .args(&args)
                .env("SAFETYNET_PASSWORD", "long enough password")
                .output()
                .expect("run");
            assert!(!o.status.success(), "{args:?}");
            assert!(text(&o.stderr).contains(msg), "{args:?}: {}", text(&o.stderr));
        }
        let o = bin()
            .args([
                "user",
                "add",
                "--database-url",
                &app.url,
                "--audit-key-file",
                &app.key_file,
                "--agency",
                "HFRS",
                "--role",
                "auditor",
                "--email",
                "short@x.uk",
            ])
            .env("SAFETYNET_PASSWORD", "short")
            .output()
            .expect("run");
        assert!(text(&o.stderr).contains("at least 12 characters"));
        // The password policy applies here too (finding 12).
        for (weak, why) in [
            ("aaaaaaaaaaaa", "repeats too few different characters"),
            ("password1234", "too easy to guess"),
            ("weak.user kettle lamp", "must not contain your name or email address"),
        ] {
            let o = bin()
                .args(["user", "add", "--database-url", &app.url, "--agency", "HFRS", "--role", "auditor"])
                .args(["--email", "weak.user@hertsfire.gov.uk"])
                .env("SAFETYNET_PASSWORD", weak)
                .output()
                .expect("run");
            assert!(!o.status.success() && text(&o.stderr).contains(why), "{weak}: {}", text(&o.stderr));
        }

        let o = run(&[
            "token",
            "create",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "--email",
            "fire.officer@hertsfire.gov.uk",
            "--expires-in-days",
            "7",
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let token = text(&o.stdout).trim().to_string();
        assert!(token.starts_with("snt_") && token.len() == 68);
        let me = app.get_bearer("/api/v1/me", &token).await;
        assert_eq!(me.json()["user"]["email"], "fire.officer@hertsfire.gov.uk");
        let o = run(&[
            "token",
            "create",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "--email",
            "nobody@x.uk",
        ]);
        assert!(text(&o.stderr).contains("no user with email"));
    })
    .await;
}

#[tokio::test]
async fn incidents_import_from_a_spreadsheet_idempotently() {
    each_engine(async |app: &TestApp| {
        let file = repo().join("data/incidents/sample.csv").display().to_string();
        let o = run(&[
            "import",
            "incidents",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "--agency",
            "sacdc",
            &file,
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let out = text(&o.stdout);
        assert!(out.contains("imported:        4") && out.contains("rejected:        2"), "{out}");
        assert!(out.contains("line 5 (LEG-0004): category: choose a category"), "{out}");
        assert!(out.contains("line 6 (LEG-0005)") && out.contains("future"), "{out}");
        let o = run(&[
            "import",
            "incidents",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "--agency",
            "SACDC",
            "--format",
            "json",
            &file,
        ]);
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!(
            (j["imported"].as_u64(), j["already_present"].as_u64(), j["rejected"].as_u64()),
            (Some(0), Some(4), Some(2))
        );
        let t = app.token(OFFICER).await;
        let list = app.get_bearer("/api/v1/incidents?q=LEG-", &t).await.json();
        assert_eq!(list["total"], 4);
        let police = app.token(POLICE).await;
        assert_eq!(
            app.get_bearer("/api/v1/incidents?q=LEG-", &police).await.json()["total"],
            0,
            "owned by the council"
        );
        let o = run(&["import", "incidents", "--database-url", &app.url, "--audit-key-file", &app.key_file, &file]);
        assert!(
            text(&o.stdout).contains("no owning agency"),
            "without --agency or an agency column every row says why"
        );
        let bad = app.dir.path().join("bad.csv");
        std::fs::write(&bad, "reference,category\nA,asb-personal\n").expect("write");
        let o = run(&[
            "import",
            "incidents",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            &bad.display().to_string(),
        ]);
        assert!(!o.status.success());
        assert!(
            text(&o.stderr).contains("missing required column(s): occurred_at, latitude, longitude, description"),
            "{}",
            text(&o.stderr)
        );
    })
    .await;
}

/// A file longer than one batch: every good row is stored once, placed as
/// the form would place it, bad rows are reported with their lines whichever
/// batch they fall in, a reference repeated in the file is stored once, and
/// a second run adds nothing.
#[tokio::test]
async fn a_long_incident_file_imports_in_batches_exactly_once() {
    use safetynet::import_incidents::BATCH;
    each_engine(async |app: &TestApp| {
        let mut csv = String::from("reference,category,occurred_at,latitude,longitude,description\n");
        for i in 0..BATCH + 5 {
            let category = if i == BATCH + 2 { "no-such-category" } else { "asb-nuisance" };
            csv.push_str(&format!("BAT-{i:05},{category},2025-12-01 22:15,51.7531,-0.3365,Shouting late at night\n"));
        }
        csv.push_str("BAT-00003,asb-nuisance,2025-12-01 22:15,51.7531,-0.3365,The same reference again\n");
        let file = app.dir.path().join("long.csv");
        std::fs::write(&file, csv).expect("write");
        // An LSOA around the rows' point, so placing them is checked too.
        let lsoa = app.dir.path().join("lsoa.geojson");
        std::fs::write(
            &lsoa,
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"E01099999","name":"Test 001A"},
               "geometry":{"type":"Polygon","coordinates":[[[-0.34,51.75],[-0.33,51.75],[-0.33,51.76],[-0.34,51.76],[-0.34,51.75]]]}}]}"#,
        )
        .expect("write");
        let o = run(&[
            "import", "areas", "--database-url", &app.url, "--audit-key-file", &app.key_file, &lsoa.display().to_string(),
            "--level", "lsoa", "--code-field", "code", "--name-field", "name",
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let args = |f: &str| {
            run(&[
                "import",
                "incidents",
                "--database-url",
                &app.url,
                "--audit-key-file",
                &app.key_file,
                "--agency",
                "SACDC",
                "--format",
                "json",
                f,
            ])
        };
        let o = args(&file.display().to_string());
        assert!(o.status.success(), "{}", text(&o.stderr));
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let stored = BATCH as u64 + 4;
        assert_eq!(
            (j["imported"].as_u64(), j["already_present"].as_u64(), j["rejected"].as_u64()),
            (Some(stored), Some(1), Some(1)),
            "{j}"
        );
        assert_eq!(j["rejected_rows"][0]["line"], BATCH as u64 + 4, "header is line 1");
        let again: serde_json::Value = serde_json::from_slice(&args(&file.display().to_string()).stdout).expect("json");
        assert_eq!((again["imported"].as_u64(), again["already_present"].as_u64()), (Some(0), Some(stored + 1)));
        let t = app.token(OFFICER).await;
        assert_eq!(app.get_bearer("/api/v1/incidents?q=BAT-", &t).await.json()["total"], stored);
        let placed = app.store.area_at(safetynet_domain::areas::Level::Lsoa, -0.3365, 51.7531).await.expect("area");
        assert_eq!(placed.as_ref().map(|(code, _)| code.as_str()), Some("E01099999"));
        let listed = app.get_bearer("/api/v1/incidents?q=BAT-00001", &t).await.json();
        assert_eq!(listed["items"][0]["lsoa_code"].as_str(), placed.as_ref().map(|(code, _)| code.as_str()));
    })
    .await;
}

#[tokio::test]
async fn categories_and_questionnaires_load_from_files() {
    each_engine(async |app: &TestApp| {
        let cats = app.dir.path().join("cats.toml");
        std::fs::write(&cats, "[[category]]\ncode = \"e-scooter\"\nlabel = \"E-scooter nuisance\"\ngroup = \"Roads\"\n\n[[category]]\ncode = \"graffiti\"\nlabel = \"Graffiti and tagging\"\ngroup = \"Environmental\"\n").expect("write");
        let o = run(&["categories", "load", "--database-url", &app.url, "--audit-key-file", &app.key_file, &cats.display().to_string()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("1 added, 1 updated"));
        let all = app.store.categories().await.expect("categories");
        assert!(all.iter().any(|c| c.code == "e-scooter") && all.iter().any(|c| c.label == "Graffiti and tagging"));
        std::fs::write(&cats, "[[category]]\ncode = \"Bad Code\"\nlabel = \"x\"\ngroup = \"y\"\n").expect("write");
        assert!(text(&run(&["categories", "load", "--database-url", &app.url, "--audit-key-file", &app.key_file, &cats.display().to_string()]).stderr).contains("lower-case"));
        let q = app.dir.path().join("q.toml");
        let v2 = safetynet_domain::risk::ASB_VICTIM_V1.replace("version = 1", "version = 2");
        std::fs::write(&q, &v2).expect("write");
        let o = run(&["questionnaires", "load", "--database-url", &app.url, "--audit-key-file", &app.key_file, &q.display().to_string()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(app.store.questionnaires().await.expect("q").iter().any(|q| q.id == "asb-victim" && q.version == 2));
        let again = run(&["questionnaires", "load", "--database-url", &app.url, "--audit-key-file", &app.key_file, &q.display().to_string()]);
        assert!(text(&again.stderr).contains("already exists"));
    })
    .await;
}

#[tokio::test]
async fn deprivation_and_population_import_with_published_formatting() {
    each_engine(async |app: &TestApp| {
        let imd = repo().join("data/imd2019/st-albans-imd.csv").display().to_string();
        let pop = repo().join("data/imd2019/st-albans-population.csv").display().to_string();
        let o = run(&[
            "import",
            "imd",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "--imd",
            &imd,
            "--population",
            &pop,
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("LSOAs written: 87; rows refused: 0"), "{}", text(&o.stdout));
        let stats = app.store.area_stats().await.expect("stats");
        let first = stats.iter().find(|s| s.code == "E01023664").expect("E01023664");
        assert_eq!(
            (first.imd_rank, first.imd_decile, first.population),
            (Some(30_060), Some(10), Some(1_803)),
            "thousands separators read"
        );
        let o = run(&[
            "import",
            "imd",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "--imd",
            &imd,
            "--lad",
            "E09000001",
        ]);
        assert!(text(&o.stdout).contains("LSOAs written: 0"), "filtered by district");
        let o = run(&[
            "import",
            "imd",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "--imd",
            &repo().join("data/incidents/sample.csv").display().to_string(),
        ]);
        assert!(!o.status.success() && text(&o.stderr).contains("not an IoD 2019 file"));
        assert!(!run(&["import", "imd", "--database-url", &app.url, "--audit-key-file", &app.key_file])
            .status
            .success());
    })
    .await;
}

#[tokio::test]
async fn strategy_load_and_meeting_reports_from_the_command_line() {
    each_engine(async |app: &TestApp| {
        let file = repo().join("data/strategy/st-albans-2024-2027.toml").display().to_string();
        let o = run(&["strategy", "load", "--database-url", &app.url, "--audit-key-file", &app.key_file, &file]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("3 priorities, 28 commitments added, 0 updated"), "{}", text(&o.stdout));
        let again = run(&["strategy", "load", "--database-url", &app.url, "--audit-key-file", &app.key_file, &file]);
        assert!(text(&again.stdout).contains("0 commitments added, 28 updated"));
        let bad = app.dir.path().join("bad.toml");
        std::fs::write(
            &bad,
            std::fs::read_to_string(&file).expect("read").replace("owner_agency = \"HFRS\"", "owner_agency = \"NOPE\""),
        )
        .expect("write");
        let o = run(&[
            "strategy",
            "load",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            &bad.display().to_string(),
        ]);
        assert!(!o.status.success());
        assert!(text(&o.stderr).contains("names agency 'NOPE'"), "{}", text(&o.stderr));

        let pdf = app.dir.path().join("rag.pdf");
        let o = run(&[
            "report",
            "rag",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "--date",
            "2026-02-05",
            "--format",
            "pdf",
            "--out",
            &pdf.display().to_string(),
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF-1.7"));
        let html = app.dir.path().join("psf.html");
        let o = run(&[
            "report",
            "psf",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "--date",
            "2026-02-19",
            "--format",
            "html",
            "--out",
            &html.display().to_string(),
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(std::fs::read_to_string(&html).expect("html").contains("Priority Setting Forum: public summary"));
        let jag = app.dir.path().join("jag.html");
        let o = run(&[
            "report",
            "jag",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "--date",
            "2026-01-22",
            "--out",
            &jag.display().to_string(),
            "--as",
            MANAGER,
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let o = run(&[
            "report",
            "jag",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "--date",
            "22/01/2026",
            "--out",
            &jag.display().to_string(),
        ]);
        assert!(!o.status.success(), "dates are YYYY-MM-DD");
        let o = run(&[
            "report",
            "psf",
            "--database-url",
            &app.url,
            "--audit-key-file",
            &app.key_file,
            "--date",
            "2026-02-19",
            "--threshold",
            "0",
            "--out",
            &jag.display().to_string(),
        ]);
        assert!(text(&o.stderr).contains("--threshold"));
    })
    .await;
}

/// The triggers that keep the trail append-only, as the engine describes them.
async fn audit_triggers(store: &safetynet_store::Store) -> Vec<String> {
    use safetynet_store::{sql::Q, Engine, Exec};
    let q = match store.engine() {
        Engine::Sqlite => "SELECT name || ':' || sql AS t FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_log', 'audit_head') ORDER BY name",
        Engine::Postgres => "SELECT tgname::text || ':' || tgenabled::text AS t FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN ('audit_log'::regclass, 'audit_head'::regclass) ORDER BY tgname",
    };
    let rows = store.conn().await.expect("conn").all(&Q::new(q)).await.expect("triggers");
    rows.iter().map(|r| r.text("t").expect("t")).collect()
}

#[tokio::test]
async fn rotating_the_audit_key_rechains_a_sound_trail_and_keeps_it_append_only() {
    each_engine(async |app: &TestApp| {
        import(app, &["good-street.csv"], false);
        let rows = app.store.audit_len().await.expect("len");
        let triggers = audit_triggers(&app.store).await;
        assert!(triggers.len() >= 3, "{triggers:?}");
        let new_key = app.dir.path().join("rotated.key").display().to_string();
        let o = run_app(app, &["audit", "rotate-key", "--new-key-file", &new_key]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains(&format!("{rows} rows verified")), "{}", text(&o.stdout));
        // The trail now verifies with the new key only, with the rotation recorded.
        let old = run_app(app, &["audit", "verify"]);
        assert_eq!(old.status.code(), Some(2), "the old key no longer verifies");
        let o = run(&["audit", "verify", "--database-url", &app.url, "--audit-key-file", &new_key]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains(&format!("{} rows verified", rows + 1)), "{}", text(&o.stdout));
        // Still append-only, with the very same triggers.
        assert_eq!(audit_triggers(&app.store).await, triggers);
        assert!(try_edit_audit(&app.store, 2).await.is_err());
        // A rotation onto the same file is refused.
        let o = run_app(app, &["audit", "rotate-key", "--new-key-file", &app.key_file]);
        assert!(!o.status.success());
    })
    .await;
    each_engine(async |app: &TestApp| {
        // A trail that does not verify is not re-keyed: nothing changes.
        tamper_audit(&app.store, Tamper::Edit(2)).await.expect("tamper");
        let new_key = app.dir.path().join("rotated.key").display().to_string();
        let o = run_app(app, &["audit", "rotate-key", "--new-key-file", &new_key]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
        assert!(text(&o.stderr).contains("audit row 2 was altered"), "{}", text(&o.stderr));
        let o = run_app(app, &["audit", "verify"]);
        assert!(text(&o.stderr).contains("audit row 2 was altered"), "the old key still describes the trail");
    })
    .await;
}

/// The bundled calendar as a full GOV.UK file, with `extra` England and Wales events added.
fn calendar_file(app: &TestApp, name: &str, extra: serde_json::Value) -> String {
    let mut doc: serde_json::Value =
        serde_json::from_str(safetynet_domain::calendar::BUNDLED_JSON).expect("bundled json");
    if let (Some(events), Some(more)) = (doc["england-and-wales"]["events"].as_array_mut(), extra.as_array()) {
        events.extend(more.iter().cloned());
    }
    doc["scotland"] = serde_json::json!({ "division": "scotland", "events": [
        { "title": "2nd January", "date": "2029-01-02", "notes": "", "bunting": true }
    ] });
    let path = app.dir.path().join(name);
    std::fs::write(&path, doc.to_string()).expect("write");
    path.display().to_string()
}

#[tokio::test]
async fn calendar_load_replaces_the_bank_holidays_the_case_review_clocks_use() {
    use safetynet_domain::case_review::Timescales;
    use safetynet_domain::policy::{EditRecords, ViewAudit};
    use safetynet_store::audit::AuditFilter;
    use safetynet_store::users::Actor;
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    each_engine(async |app: &TestApp| {
        let before = app.store.bank_holidays().await.expect("calendar");
        assert_eq!((before.loaded_at_ms, before.holidays.covers_until()), (None, d("2028-12-31")), "bundled");
        let event =
            |title: &str, date: &str| serde_json::json!({ "title": title, "date": date, "notes": "", "bunting": true });
        let file = calendar_file(
            app,
            "bank-holidays.json",
            serde_json::json!([
                event("New Year’s Day", "2029-01-01"),
                event("Good Friday", "2029-03-30"),
                event("Easter Monday", "2029-04-02"),
                event("Early May bank holiday", "2029-05-07"),
                event("Spring bank holiday", "2029-05-28"),
                event("Summer bank holiday", "2029-08-27"),
                event("Christmas Day", "2029-12-25"),
                event("Boxing Day", "2029-12-26"),
            ]),
        );
        let o = run_app(app, &["calendar", "load", &file]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert_eq!(
            text(&o.stdout).trim(),
            "bank holidays loaded (audited): 99 days, 2018-01-01 to 2029-12-31 (the calendar in use before had 91)"
        );
        let stored = app.store.bank_holidays().await.expect("calendar");
        assert_eq!(stored.holidays.covers_until(), d("2029-12-31"));
        assert!(stored.loaded_at_ms.is_some());
        assert!(!stored.holidays.contains(d("2029-01-02")), "Scotland's 2 January is not used");

        // Audited like other administrative changes.
        let auditor = principal_for(app, "auditor@stalbans.gov.uk").await;
        let filter = AuditFilter { record_type: Some("bank_holidays".into()), ..AuditFilter::default() };
        let (rows, n) = app
            .store
            .search_audit(&auditor.permit::<ViewAudit>().expect("permit"), &filter, 10, 0)
            .await
            .expect("audit");
        assert_eq!(n, 1);
        assert_eq!(rows[0].row.event.source, "cli");
        assert!(rows[0].row.event.detail.contains("\"until\":\"2029-12-31\""), "{}", rows[0].row.event.detail);

        // The Case Review clocks now skip Easter 2029: received Wednesday 28 March,
        // acknowledged by Wednesday 4 April (the bundled calendar would say Monday 2 April).
        let officer = principal_for(app, "asb.officer@stalbans.gov.uk").await;
        let actor = Actor { principal: &officer, at_ms: start().timestamp_millis(), source: "test" };
        let permit = officer.permit::<EditRecords>().expect("permit");
        let application =
            safetynet_domain::case_review::CaseReviewApplication::new(None, "victim", d("2029-03-28"), d("2029-03-28"))
                .expect("application");
        let review = app
            .store
            .open_case_review(&permit, &application, &Default::default(), &Timescales::default(), &actor)
            .await
            .expect("case review");
        assert_eq!(review.clocks.acknowledge_by, d("2029-04-04"));

        // A bad file changes nothing and says why, naming the file.
        let bad = calendar_file(app, "bad.json", serde_json::json!([event("Christmas Day", "2027-12-25")]));
        let o = run_app(app, &["calendar", "load", &bad]);
        assert!(!o.status.success());
        let err = text(&o.stderr);
        assert!(err.contains("bad.json") && err.contains("2027-12-25 is a Saturday"), "{err}");
        let not_json = app.dir.path().join("not.json");
        std::fs::write(&not_json, "<html>").expect("write");
        let o = run_app(app, &["calendar", "load", &not_json.display().to_string()]);
        assert!(text(&o.stderr).contains("not a GOV.UK bank holidays file"), "{}", text(&o.stderr));
        assert_eq!(app.store.bank_holidays().await.expect("calendar").holidays, stored.holidays);
        // Loading the bundled file again goes back to 2028.
        let bundled = app.dir.path().join("bundled.json");
        std::fs::write(&bundled, safetynet_domain::calendar::BUNDLED_JSON).expect("write");
        let o = run_app(app, &["calendar", "load", &bundled.display().to_string()]);
        assert!(o.status.success() && text(&o.stdout).contains("91 days"), "{}", text(&o.stderr));
    })
    .await;
}

/// A demo user as the store knows them.
async fn principal_for(app: &TestApp, email: &str) -> safetynet_domain::policy::Principal {
    let email = safetynet_domain::partnership::Email::parse(email).expect("email");
    let id = app.store.user_id_by_email(&email).await.expect("db").expect("user");
    app.store.principal(&id, safetynet_domain::policy::AuthMethod::Session).await.expect("db").expect("active")
}
