//! Two-step sign-in (issue 9, part 2): enrolment by QR code, the code step
//! at sign-in, replay and lockout, recovery codes, roles that require it,
//! and an administrator's reset. Codes are computed with `totp-rs` from the
//! secret the enrolment page shows, at the injected clock's time.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use safetynet::demo::DEMO_PASSWORD;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::clock::Clock;
use safetynet_domain::partnership::Email;
use safetynet_domain::policy::{Principal, ViewAudit};
use safetynet_domain::role::Role;
use safetynet_store::audit::{AuditEntry, AuditFilter};
use safetynet_web::WebConfig;

/// The text between `start` and the next `end` after it.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

/// The current code for a base32 secret at the app's clock, plus `steps` steps.
fn code(app: &TestApp, secret: &str, steps: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string()).to_bytes().expect("base32 secret");
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, Some("SafetyNet".into()), "t".into())
        .expect("totp");
    totp.generate((app.clock.now().timestamp() + steps * 30) as u64)
}

fn step(app: &TestApp) {
    app.clock.advance(chrono::Duration::seconds(30));
}

/// An enrolled factor: its secret and recovery codes.
struct Enrolled {
    secret: String,
    recovery: Vec<String>,
}

/// Sets up two-step sign-in for the signed-in `session`.
async fn enrol(app: &TestApp, session: &Session) -> Enrolled {
    let page = app.post("/account/two-step/start", Some(session), Some(&session.csrf), &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let secret: String = between(&page.body, r#"data-testid="mfa-secret">"#, "<")
        .expect("secret shown as text")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let wrong = app.post("/account/two-step/confirm", Some(session), Some(&session.csrf), &[("code", "000000")]).await;
    let right = code(app, &secret, 0);
    if right != "000000" {
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "a wrong code does not confirm: {}", wrong.body);
    }
    let done = app.post("/account/two-step/confirm", Some(session), Some(&session.csrf), &[("code", &right)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let list = between(&done.body, r#"data-testid="recovery-codes">"#, "</ul>").expect("recovery codes");
    let recovery: Vec<String> =
        list.split("<code>").skip(1).filter_map(|c| c.split('<').next()).map(String::from).collect();
    assert_eq!(recovery.len(), 10, "{list}");
    Enrolled { secret, recovery }
}

/// The password step for an enrolled user: returns the pending cookie.
async fn password_step(app: &TestApp, email: &str) -> String {
    let res = app.sign_in_response(email, DEMO_PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/sign-in/code");
    assert!(res.set_cookie("sn_session").is_none(), "no session before the second step");
    res.set_cookie("sn_mfa").expect("pending cookie")
}

/// Submits `code` on the code page of the pending sign-in.
async fn submit_code(app: &TestApp, pending: &str, code: &str) -> Res {
    let form = app
        .send(
            Request::get("/sign-in/code")
                .header(header::COOKIE, format!("sn_mfa={pending}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Enter the 6-digit code from your authenticator app (or a recovery code)"));
    let csrf = between(&form.body, r#"name="csrf_token" value=""#, "\"").expect("csrf").to_string();
    post_code(app, pending, &csrf, code).await
}

/// Posts the code form directly.
async fn post_code(app: &TestApp, pending: &str, csrf: &str, code: &str) -> Res {
    let body = serde_urlencoded_encode(&[("code", code), ("csrf_token", csrf)]);
    app.send(
        Request::post("/sign-in/code")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("sn_mfa={pending}"))
            .body(Body::from(body))
            .expect("request"),
    )
    .await
}

fn session_of(res: &Res) -> Session {
    let cookie = res.set_cookie("sn_session").expect("session cookie");
    let csrf = safetynet_domain::token::csrf_for_session(&cookie);
    Session { cookie, csrf }
}

async fn audit(app: &TestApp, action: AuditAction, record_type: &str) -> Vec<AuditEntry> {
    let auditor = Principal { roles: vec![Role::Auditor], ..Principal::operator() };
    let permit = auditor.permit::<ViewAudit>().expect("auditor");
    let filter = AuditFilter { action: Some(action), record_type: Some(record_type.into()), ..Default::default() };
    app.store.search_audit(&permit, &filter, 100, 0).await.expect("audit").0
}

async fn user_id(app: &TestApp, email: &str) -> String {
    app.store.user_id_by_email(&Email::parse(email).expect("email")).await.expect("db").expect("user")
}

#[tokio::test]
async fn enrolment_shows_a_local_qr_code_and_sign_in_then_needs_the_code() {
    each_engine(async |app: &TestApp| {
        let s = app.sign_in(OFFICER).await;
        let page = app.get("/account/two-step", Some(&s)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Set up two-step sign-in"));
        let start = app.post("/account/two-step/start", Some(&s), Some(&s.csrf), &[]).await;
        let qr = between(&start.body, r#"data-testid="mfa-qr">"#, "</div>").expect("qr");
        assert!(qr.starts_with("<svg") && qr.contains("<path"), "inline SVG: {qr}");
        assert!(!qr.contains("http"), "no URL in the QR markup");
        assert!(!start.body.contains("<img"), "no image from anywhere");
        assert!(!start.body.contains("src=\"http"), "nothing loaded from another site");
        let enrolled = enrol(app, &s).await;
        assert_eq!(audit(app, AuditAction::PermissionChange, "mfa").await.len(), 1, "enrolment audited");
        assert!(app.get("/account/two-step", Some(&s)).await.body.contains("Two-step sign-in is on"));
        // A second enrolment is refused while one is on.
        let again = app.post("/account/two-step/start", Some(&s), Some(&s.csrf), &[]).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", again.body);

        // The code used to confirm cannot be used again.
        let pending = password_step(app, OFFICER).await;
        let replay = submit_code(app, &pending, &code(app, &enrolled.secret, 0)).await;
        assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "{}", replay.body);
        assert!(replay.set_cookie("sn_session").is_none());
        step(app);
        let fresh = code(app, &enrolled.secret, 0);
        let ok = submit_code(app, &pending, &fresh).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(ok.location(), "/dashboard");
        let session = session_of(&ok);
        assert_eq!(app.get("/account", Some(&session)).await.status, StatusCode::OK);
        // The pending sign-in is used up, and the code cannot be replayed
        // on a new sign-in.
        let used = app
            .send(
                Request::get("/sign-in/code")
                    .header(header::COOKIE, format!("sn_mfa={pending}"))
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert_eq!(used.status, StatusCode::SEE_OTHER);
        let pending = password_step(app, OFFICER).await;
        assert_eq!(submit_code(app, &pending, &fresh).await.status, StatusCode::UNAUTHORIZED);
        // A code one step old is still accepted (clock drift).
        step(app);
        let late = code(app, &enrolled.secret, 0);
        step(app);
        assert_eq!(submit_code(app, &pending, &late).await.status, StatusCode::SEE_OTHER);
        let failures = audit(app, AuditAction::LoginFailure, "session").await;
        assert_eq!(failures.iter().filter(|e| e.row.event.detail.contains("bad_second_factor")).count(), 2);
        // Pending sign-ins expire after 5 minutes.
        let pending = password_step(app, OFFICER).await;
        let csrf = csrf_of(app, &pending).await;
        app.clock.advance(chrono::Duration::minutes(6));
        let expired = post_code(app, &pending, &csrf, &code(app, &enrolled.secret, 0)).await;
        assert_eq!(expired.status, StatusCode::SEE_OTHER, "expired: {}", expired.body);
        assert_eq!(expired.location(), "/sign-in");
    })
    .await;
}

#[tokio::test]
async fn wrong_codes_count_towards_the_lockout() {
    each_engine(async |app: &TestApp| {
        let s = app.sign_in(OFFICER).await;
        let enrolled = enrol(app, &s).await;
        step(app);
        let pending = password_step(app, OFFICER).await;
        for i in 1..=4 {
            let res = submit_code(app, &pending, "111111").await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {i}");
            assert!(res.body.contains("The code is not correct"), "{}", res.body);
        }
        // The fifth locks the account and ends the pending sign-in.
        let fifth = post_code(app, &pending, &csrf_of(app, &pending).await, "111111").await;
        assert_eq!(fifth.status, StatusCode::UNAUTHORIZED);
        assert!(fifth.body.contains("Sign-in failed"), "back to the sign-in form: {}", fifth.body);
        let failures = audit(app, AuditAction::LoginFailure, "session").await;
        let bad: Vec<_> = failures.iter().filter(|e| e.row.event.detail.contains("bad_second_factor")).collect();
        assert_eq!(bad.len(), 5);
        assert!(bad.iter().any(|e| e.row.event.detail.contains("\"locked\":true")));
        // Locked: even the right password and code do not sign in.
        let locked = app.sign_in_response(OFFICER, DEMO_PASSWORD).await;
        assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
        let _ = enrolled;
    })
    .await;
}

async fn csrf_of(app: &TestApp, pending: &str) -> String {
    let form = app
        .send(
            Request::get("/sign-in/code")
                .header(header::COOKIE, format!("sn_mfa={pending}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    between(&form.body, r#"name="csrf_token" value=""#, "\"").expect("csrf").to_string()
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    each_engine(async |app: &TestApp| {
        let s = app.sign_in(OFFICER).await;
        let enrolled = enrol(app, &s).await;
        let typed = enrolled.recovery[3].to_uppercase().replace('-', " ");
        let pending = password_step(app, OFFICER).await;
        let ok = submit_code(app, &pending, &typed).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        session_of(&ok);
        let used = audit(app, AuditAction::Update, "mfa").await;
        assert_eq!(used.len(), 1);
        assert!(used[0].row.event.detail.contains("\"recovery_codes_left\":9"), "{}", used[0].row.event.detail);
        let pending = password_step(app, OFFICER).await;
        assert_eq!(submit_code(app, &pending, &enrolled.recovery[3]).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(submit_code(app, &pending, "abcde-fghjk").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(submit_code(app, &pending, &enrolled.recovery[4]).await.status, StatusCode::SEE_OTHER);
    })
    .await;
}

fn require_admins_and_auditors() -> WebConfig {
    WebConfig { require_mfa: vec![Role::PartnershipAdmin, Role::Auditor], ..WebConfig::default() }
}

#[tokio::test]
async fn a_role_that_requires_it_is_sent_to_enrol_first() {
    each_engine_with(require_admins_and_auditors, async |app: &TestApp| {
        let res = app.sign_in_response(ADMIN, DEMO_PASSWORD).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(res.location(), "/account/two-step");
        let s = session_of(&res);
        for path in ["/dashboard", "/admin/users", "/account", "/audit"] {
            let r = app.get(path, Some(&s)).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(r.location(), "/account/two-step", "{path}");
        }
        let api = app.get("/api/v1/me", Some(&s)).await;
        assert_eq!(api.status, StatusCode::FORBIDDEN, "{}", api.body);
        assert!(api.body.contains("two-step sign-in"), "{}", api.body);
        let token = app.token(ADMIN).await;
        assert_eq!(app.get_bearer("/api/v1/me", &token).await.status, StatusCode::FORBIDDEN);
        let page = app.get("/account/two-step", Some(&s)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(r#"data-testid="mfa-required""#));
        enrol(app, &s).await;
        assert_eq!(app.get("/admin/users", Some(&s)).await.status, StatusCode::OK);
        assert_eq!(app.get_bearer("/api/v1/me", &token).await.status, StatusCode::OK);
        // Sign-out works before enrolment too; other roles are not asked.
        let officer = app.sign_in_response(OFFICER, DEMO_PASSWORD).await;
        assert_eq!(officer.location(), "/dashboard");
        let auditor = session_of(&app.sign_in_response(AUDITOR, DEMO_PASSWORD).await);
        let out = app.post("/sign-out", Some(&auditor), Some(&auditor.csrf), &[]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(out.location(), "/sign-in?signed_out=1");
    })
    .await;
}

#[tokio::test]
async fn an_administrator_resets_a_second_factor_but_not_their_own() {
    each_engine(async |app: &TestApp| {
        let officer = app.sign_in(OFFICER).await;
        enrol(app, &officer).await;
        let admin = app.sign_in(ADMIN).await;
        enrol(app, &admin).await;
        let id = user_id(app, OFFICER).await;
        let page = app.get(&format!("/admin/users/{id}"), Some(&admin)).await;
        assert!(page.body.contains("Reset two-step sign-in"), "{}", page.body);
        // Not by a manager.
        let manager = app.sign_in(MANAGER).await;
        let refused = app.post(&format!("/admin/users/{id}/mfa-reset"), Some(&manager), Some(&manager.csrf), &[]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let reset = app.post(&format!("/admin/users/{id}/mfa-reset"), Some(&admin), Some(&admin.csrf), &[]).await;
        assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.body);
        let rows = audit(app, AuditAction::PermissionChange, "mfa").await;
        let resets: Vec<_> = rows.iter().filter(|e| e.row.event.detail.contains("mfa_reset")).collect();
        assert_eq!(resets.len(), 1);
        assert_eq!(resets[0].row.event.record_id.as_deref(), Some(id.as_str()));
        let signed_in = app.sign_in_response(OFFICER, DEMO_PASSWORD).await;
        assert_eq!(signed_in.location(), "/dashboard", "no code step after a reset");
        // Their own: refused and audited.
        let own = user_id(app, ADMIN).await;
        let mine = app.post(&format!("/admin/users/{own}/mfa-reset"), Some(&admin), Some(&admin.csrf), &[]).await;
        assert_eq!(mine.status, StatusCode::FORBIDDEN, "{}", mine.body);
        let refusals = audit(app, AuditAction::PermissionChange, "user").await;
        assert!(refusals
            .iter()
            .any(|e| e.row.event.detail.contains("own_account") && e.row.event.detail.contains("mfa_reset")));
        assert!(app.store.mfa_enrolled(&own).await.expect("db"));
        // The command line's reset (the operator).
        safetynet::setup::user_reset_mfa(&app.store, ADMIN, app.clock.now().timestamp_millis()).await.expect("reset");
        assert!(!app.store.mfa_enrolled(&own).await.expect("db"));
    })
    .await;
}

fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"));
    c.env_remove("SAFETYNET_DATABASE_URL")
        .env_remove("SAFETYNET_CONFIG")
        .env_remove("SAFETYNET_AUDIT_KEY_FILE")
        .env_remove("SAFETYNET_REQUIRE_MFA")
        .current_dir(std::env::temp_dir());
    c
}

#[test]
fn check_config_shows_which_roles_must_use_two_step_sign_in() {
    let out = bin().arg("check-config").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("require_mfa            = partnership_admin, auditor    [default]"), "{text}");
    let out = bin().arg("check-config").env("SAFETYNET_REQUIRE_MFA", "auditor, case_officer").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("require_mfa            = case_officer, auditor    [env SAFETYNET_REQUIRE_MFA]"), "{text}");
    let out = bin().arg("check-config").env("SAFETYNET_REQUIRE_MFA", "none").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("require_mfa            = (none"), "{text}");
    let dir = tempfile::tempdir().expect("dir");
    let none = dir.path().join("none.toml");
    std::fs::write(&none, "[security]\nrequire_mfa = []\n").expect("write");
    let out = bin().args(["check-config", "--config", &none.display().to_string()]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("require_mfa            = (none"), "{text}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[security]\nrequire_mfa = [\"root\"]\n").expect("write");
    let out = bin().args(["check-config", "--config", &bad.display().to_string()]).output().expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("require_mfa"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn the_command_line_resets_a_second_factor() {
    each_engine(async |app: &TestApp| {
        let s = app.sign_in(OFFICER).await;
        enrol(app, &s).await;
        let id = user_id(app, OFFICER).await;
        assert!(app.store.mfa_enrolled(&id).await.expect("db"));
        let out = bin()
            .args([
                "user",
                "reset-mfa",
                "--email",
                OFFICER,
                "--database-url",
                &app.url,
                "--audit-key-file",
                &app.key_file,
            ])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(!app.store.mfa_enrolled(&id).await.expect("db"));
        let rows = audit(app, AuditAction::PermissionChange, "mfa").await;
        assert!(rows.iter().any(|e| e.row.event.detail.contains("mfa_reset") && e.row.event.source == "cli"));
        let out = bin()
            .args([
                "user",
                "reset-mfa",
                "--email",
                "nobody@example.gov.uk",
                "--database-url",
                &app.url,
                "--audit-key-file",
                &app.key_file,
            ])
            .output()
            .expect("run");
        assert!(!out.status.success());
    })
    .await;
}

#[tokio::test]
async fn the_page_asked_for_is_carried_through_the_second_step() {
    each_engine(async |app: &TestApp| {
        let s = app.sign_in(OFFICER).await;
        let enrolled = enrol(app, &s).await;
        step(app);
        let form = app.get("/sign-in?next=%2Fcases", None).await;
        let login_csrf = form.set_cookie("sn_login_csrf").expect("login csrf cookie");
        let body = serde_urlencoded_encode(&[
            ("email", OFFICER),
            ("password", DEMO_PASSWORD),
            ("csrf_token", &login_csrf),
            ("next", "/cases"),
        ]);
        let res = app
            .send(
                Request::post("/sign-in")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, format!("sn_login_csrf={login_csrf}"))
                    .body(Body::from(body))
                    .expect("request"),
            )
            .await;
        assert_eq!(res.location(), "/sign-in/code?next=%2Fcases");
        let pending = res.set_cookie("sn_mfa").expect("pending cookie");
        let page = app
            .send(
                Request::get(res.location())
                    .header(header::COOKIE, format!("sn_mfa={pending}"))
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert!(page.body.contains(r#"name="next" value="/cases""#), "{}", page.body);
        let csrf = csrf_of(app, &pending).await;
        let body = serde_urlencoded_encode(&[
            ("code", &code(app, &enrolled.secret, 0)),
            ("csrf_token", &csrf),
            ("next", "/cases"),
        ]);
        let done = app
            .send(
                Request::post("/sign-in/code")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, format!("sn_mfa={pending}"))
                    .body(Body::from(body))
                    .expect("request"),
            )
            .await;
        assert_eq!(done.location(), "/cases", "{}", done.body);
        session_of(&done);
    })
    .await;
}
