//! In-process HTTP tests of every route, on every engine, including the
//! failures: no session, expired session, missing CSRF, wrong role or agency,
//! locked account, malformed parameters and SQL-injection strings.

mod common;

use axum::http::StatusCode;
use common::*;
use safetynet_domain::powers::Sector;
use safetynet_domain::token::hash_secret;

/// Where a page sends a browser whose session has ended.
const ENDED_DASHBOARD: &str = "/sign-in?next=%2Fdashboard&expired=1";
const ENDED_ACCOUNT: &str = "/sign-in?next=%2Faccount&expired=1";

const INJECTIONS: &[&str] = &[
    "' OR '1'='1",
    "'; DROP TABLE police_crimes; --",
    "\" OR 1=1 --",
    "2021-01' UNION SELECT * FROM users --",
    "%' OR email LIKE '%",
];

#[tokio::test]
async fn health_and_root() {
    each_engine(async |app: &TestApp| {
        let res = app.get("/healthz", None).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.json()["status"], "ok");
        let res = app.get("/", None).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(res.location(), "/dashboard");
        let res = app.get("/assets/govuk-frontend.min.css", None).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.headers["content-type"].to_str().unwrap_or("").starts_with("text/css"));
        assert_eq!(app.get("/assets/../Cargo.toml", None).await.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn pages_need_a_session() {
    each_engine(async |app: &TestApp| {
        for path in [
            "/dashboard",
            "/crimes",
            "/crimes/export.csv",
            "/crimes/map.geojson",
            "/admin/users",
            "/admin/agencies",
            "/audit",
            "/audit/export.csv",
            "/account",
        ] {
            let res = app.get(path, None).await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(res.location(), format!("/sign-in?next={}", encode(path)), "{path}");
        }
        let bogus = Session { cookie: "not-a-session".into(), csrf: "x".into() };
        assert_eq!(app.get("/dashboard", Some(&bogus)).await.location(), "/sign-in?next=%2Fdashboard&expired=1");
        let res = app.get("/sign-in", None).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.body.contains("Sign in to SafetyNet"));
        assert_eq!(res.headers["cache-control"], "no-store");
        assert!(res.headers["content-security-policy"].to_str().unwrap_or("").contains("frame-ancestors 'none'"));
    })
    .await;
}

#[tokio::test]
async fn sign_in_success_and_the_cookie_is_protected() {
    each_engine(async |app: &TestApp| {
        let res = app.sign_in_response(OFFICER, safetynet::demo::DEMO_PASSWORD).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(res.location(), "/dashboard");
        let raw = res
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("sn_session="))
            .unwrap_or("")
            .to_string();
        assert!(raw.contains("HttpOnly") && raw.contains("SameSite=Lax") && raw.contains("Path=/"), "{raw}");
        assert!(!raw.contains("Secure"), "plain HTTP in tests: no Secure flag");
        let audits = app.store.audit_len().await.expect("audit");
        assert!(audits > 0);
        let auditor = app.sign_in(AUDITOR).await;
        assert_eq!(
            app.sign_in_response(AUDITOR, safetynet::demo::DEMO_PASSWORD).await.location(),
            "/audit",
            "auditors land on the audit log"
        );
        let page = app.get("/audit?action=login_success", Some(&auditor)).await;
        assert!(page.body.contains("login_success"));
    })
    .await;
}

#[tokio::test]
async fn failed_sign_ins_look_the_same_and_are_audited() {
    each_engine(async |app: &TestApp| {
        let wrong = app.sign_in_response(OFFICER, "wrong password here").await;
        let unknown = app.sign_in_response("nobody@example.gov.uk", "wrong password here").await;
        let malformed = app.sign_in_response("not an email", "x").await;
        for res in [&wrong, &unknown, &malformed] {
            assert_eq!(res.status, StatusCode::UNAUTHORIZED);
            assert!(res.body.contains("Sign-in failed. Check your email address and password."));
            assert!(res.set_cookie("sn_session").is_none());
        }
        let auditor = app.sign_in(AUDITOR).await;
        let page = app.get("/audit?action=login_failure", Some(&auditor)).await;
        assert!(page.body.contains("bad_password") && page.body.contains("unknown_account"), "{}", page.body);
    })
    .await;
}

#[tokio::test]
async fn sign_in_without_csrf_is_refused() {
    each_engine(async |app: &TestApp| {
        let res =
            app.post("/sign-in", None, None, &[("email", OFFICER), ("password", safetynet::demo::DEMO_PASSWORD)]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert!(res.set_cookie("sn_session").is_none());
    })
    .await;
}

#[tokio::test]
async fn an_account_locks_after_five_failures_and_an_admin_can_unlock_it() {
    each_engine(async |app: &TestApp| {
        for _ in 0..5 {
            app.sign_in_response(POLICE, "not the password!").await;
        }
        let res = app.sign_in_response(POLICE, safetynet::demo::DEMO_PASSWORD).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "locked even with the right password");
        assert!(res.body.contains("Sign-in failed"));
        // The lock is shown to administrators and can be cleared.
        let admin = app.sign_in(ADMIN).await;
        let users = app.get("/admin/users", Some(&admin)).await;
        assert!(users.body.contains("Locked"));
        let id = app
            .store
            .user_id_by_email(&safetynet_domain::partnership::Email::parse(POLICE).expect("email"))
            .await
            .expect("db")
            .expect("user");
        let res = app.post(&format!("/admin/users/{id}/unlock"), Some(&admin), Some(&admin.csrf), &[]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        app.sign_in(POLICE).await;
        // Or the lock lapses after 15 minutes.
        for _ in 0..5 {
            app.sign_in_response(POLICE, "not the password!").await;
        }
        assert_eq!(app.sign_in_response(POLICE, safetynet::demo::DEMO_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
        app.clock.advance(chrono::Duration::minutes(16));
        app.sign_in(POLICE).await;
    })
    .await;
}

#[tokio::test]
async fn a_source_that_keeps_failing_is_throttled() {
    each_engine(async |app: &TestApp| {
        for i in 0..20 {
            app.sign_in_response(&format!("user{i}@example.gov.uk"), "wrong password here").await;
        }
        let res = app.sign_in_response(OFFICER, safetynet::demo::DEMO_PASSWORD).await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
        app.clock.advance(chrono::Duration::minutes(16));
        app.sign_in(OFFICER).await;
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_when_idle_and_absolutely_and_sign_out_revokes() {
    each_engine(async |app: &TestApp| {
        let s = app.sign_in(OFFICER).await;
        app.clock.advance(chrono::Duration::minutes(29));
        assert_eq!(app.get("/dashboard", Some(&s)).await.status, StatusCode::OK);
        app.clock.advance(chrono::Duration::minutes(31));
        assert_eq!(app.get("/dashboard", Some(&s)).await.location(), ENDED_DASHBOARD, "idle timeout");

        let s = app.sign_in(OFFICER).await;
        for _ in 0..36 {
            app.clock.advance(chrono::Duration::minutes(20));
            if app.get("/account", Some(&s)).await.status != StatusCode::OK {
                break;
            }
        }
        assert_eq!(app.get("/account", Some(&s)).await.location(), ENDED_ACCOUNT, "absolute timeout");

        let s = app.sign_in(OFFICER).await;
        assert_eq!(
            app.post("/sign-out", Some(&s), None, &[]).await.status,
            StatusCode::FORBIDDEN,
            "sign-out needs CSRF"
        );
        let res = app.post("/sign-out", Some(&s), Some(&s.csrf), &[]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(app.get("/dashboard", Some(&s)).await.location(), ENDED_DASHBOARD, "revoked");
    })
    .await;
}

#[tokio::test]
async fn the_timeout_warning_can_keep_a_session_and_a_refused_form_returns_to_its_page() {
    each_engine(async |app: &TestApp| {
        let s = app.sign_in(OFFICER).await;
        let page = app.get("/dashboard", Some(&s)).await;
        assert!(
            page.body.contains(r#"<meta name="session-idle-ms" content="1800000">"#),
            "the page knows when to warn"
        );
        assert_eq!(
            app.post("/session/keep-alive", Some(&s), None, &[]).await.status,
            StatusCode::FORBIDDEN,
            "needs CSRF"
        );
        for _ in 0..4 {
            app.clock.advance(chrono::Duration::minutes(25));
            let res = app.post("/session/keep-alive", Some(&s), Some(&s.csrf), &[]).await;
            assert_eq!(res.status, StatusCode::NO_CONTENT, "'Stay signed in' keeps the session past the idle time");
        }
        app.clock.advance(chrono::Duration::minutes(31));
        let req = axum::http::Request::post("/cases/x/notes")
            .header(axum::http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(axum::http::header::COOKIE, format!("sn_session={}", s.cookie))
            .header(axum::http::header::HOST, "safetynet.example")
            .header(axum::http::header::REFERER, "http://safetynet.example/cases/x?tab=1")
            .body(axum::body::Body::from(format!("note=kept&csrf_token={}", s.csrf)))
            .expect("request");
        let res = app.send(req).await;
        assert_eq!(
            res.location(),
            "/sign-in?next=%2Fcases%2Fx%3Ftab%3D1&expired=1",
            "back to the form's page, not its target"
        );
        let req = axum::http::Request::post("/cases/x/notes")
            .header(axum::http::header::COOKIE, format!("sn_session={}", s.cookie))
            .header(axum::http::header::HOST, "safetynet.example")
            .header(axum::http::header::REFERER, "http://elsewhere.example/cases/x")
            .body(axum::body::Body::empty())
            .expect("request");
        assert_eq!(app.send(req).await.location(), "/sign-in?expired=1", "another site's page is never a return path");
    })
    .await;
}

#[tokio::test]
async fn the_accessibility_statement_and_privacy_notice_are_public_and_name_the_partnership() {
    let logo = b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'></svg>".to_vec();
    let config = move || safetynet_web::WebConfig {
        public: safetynet_web::PublicInfo {
            name: Some("Ver Valley Community Safety Partnership".into()),
            contact_email: Some("safety@vervalley.gov.uk".into()),
            logo: Some(safetynet_web::Logo::from_file("logo.svg", logo.clone()).expect("logo")),
        },
        ..safetynet_web::WebConfig::default()
    };
    each_engine_with(config, async |app: &TestApp| {
        for path in ["/accessibility", "/privacy"] {
            let res = app.get(path, None).await;
            assert_eq!(res.status, StatusCode::OK, "{path} needs no sign-in");
            assert!(
                res.body.contains("Ver Valley Community Safety Partnership")
                    && res.body.contains("mailto:safety@vervalley.gov.uk"),
                "{path}: {}",
                res.body
            );
            assert!(res.body.contains(r#"src="/logo""#), "{path}: the logo in the header");
        }
        let privacy = app.get("/privacy", None).await;
        assert!(privacy.body.contains("anonymised 6 years after it closes"), "retention from the configured schedule");
        let logo = app.get("/logo", None).await;
        assert_eq!(logo.headers["content-type"], "image/svg+xml");
        let dashboard = app.get("/sign-in", None).await;
        assert!(
            dashboard.body.contains(r#"href="/accessibility""#) && dashboard.body.contains(r#"href="/privacy""#),
            "every page links to both"
        );
    })
    .await;
    each_engine(async |app: &TestApp| {
        let res = app.get("/accessibility", None).await;
        assert!(
            res.body.contains("St Albans City and District Community Safety Partnership"),
            "the recorded name by default"
        );
        assert!(!res.body.contains(r#"src="/logo""#));
        assert_eq!(app.get("/logo", None).await.status, StatusCode::NOT_FOUND);
    })
    .await;
    assert!(safetynet_web::Logo::from_file("logo.gif", b"GIF89a".to_vec()).is_err());
    assert!(safetynet_web::Logo::from_file("logo.svg", vec![b'x'; 300 * 1024]).is_err());
}

#[tokio::test]
async fn dashboard_shows_latest_month_counts_and_change() {
    each_engine(async |app: &TestApp| {
        let s = app.sign_in(MANAGER).await;
        let empty = app.get("/dashboard", Some(&s)).await;
        assert!(empty.body.contains("No recorded crime has been imported yet"));
        app.import(&["good-street.csv", "good-outcomes.csv", "bad-street.csv"]).await;
        let res = app.get("/dashboard", Some(&s)).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.body.contains("St Albans City and District Community Safety Partnership"));
        assert!(res.body.contains("July 2021"), "latest month");
        assert!(res.body.contains(r#"data-testid="latest-total">4<"#), "4 valid July rows: {}", res.body);
        assert!(res.body.contains("June 2021"));
        assert!(
            res.body.contains(r#"data-testid="stale-data""#)
                && res.body.contains("The newest recorded crime held is for July 2021, 54 months ago"),
            "in January 2026, July 2021's figures are not now"
        );
        for path in ["/crimes", "/analysis"] {
            assert!(
                app.get(path, Some(&s)).await.body.contains(r#"data-testid="stale-data""#),
                "{path} says how old its data is"
            );
        }
        // Auditors have no access to crime data.
        let auditor = app.sign_in(AUDITOR).await;
        assert_eq!(app.get("/dashboard", Some(&auditor)).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn crime_browser_filters_paginates_and_is_safe_from_injection() {
    each_engine(async |app: &TestApp| {
        app.import(&["good-street.csv", "good-outcomes.csv", "bad-street.csv"]).await;
        let s = app.sign_in(VIEWER).await;
        let all = app.get("/crimes", Some(&s)).await;
        assert_eq!(all.status, StatusCode::OK);
        assert!(all.body.contains(r#"data-testid="result-count"><strong>12</strong>"#), "{}", all.body);
        assert!(all.body.contains("data-crime-map"));
        let asb = app.get("/crimes?type=Anti-social+behaviour&from=2021-06&to=2021-06", Some(&s)).await;
        assert!(asb.body.contains("<strong>3</strong>"), "3 June ASB rows incl. the duplicate");
        let bad = app.get("/crimes?from=2021-13", Some(&s)).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("There is a problem"));
        for inj in INJECTIONS {
            for key in ["type", "lsoa", "from", "to", "page"] {
                let path = format!("/crimes?{}", common::serde_urlencoded_encode(&[(key, inj)]));
                let res = app.get(&path, Some(&s)).await;
                assert!(
                    res.status == StatusCode::OK || res.status == StatusCode::BAD_REQUEST,
                    "{path}: {}",
                    res.status
                );
                if key == "type" || key == "lsoa" {
                    assert!(res.body.contains("<strong>0</strong>"), "{path} must match nothing");
                }
            }
        }
        assert_eq!(app.store.police_row_counts().await.expect("counts").0, 12, "tables intact");
    })
    .await;
}

#[tokio::test]
async fn crime_exports_are_permitted_audited_and_filtered() {
    each_engine(async |app: &TestApp| {
        app.import(&["good-street.csv", "good-outcomes.csv"]).await;
        let s = app.sign_in(OFFICER).await;
        let res = app.get("/crimes/export.csv?type=Vehicle+crime", Some(&s)).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.headers["content-disposition"].to_str().unwrap_or("").contains("attachment"));
        let lines: Vec<&str> = res.body.lines().collect();
        assert!(lines[0].starts_with("Crime ID,Month"));
        assert!(lines.iter().skip(1).all(|l| l.contains("Vehicle crime")));
        assert!(
            res.body.contains("2021-06: Investigation complete; no suspect identified"),
            "outcome joined: {}",
            res.body
        );
        let geo = app.get("/crimes/map.geojson", Some(&s)).await;
        assert_eq!(geo.json()["features"].as_array().map(Vec::len), Some(8));
        assert_eq!(app.get("/crimes/map.geojson?from=bad", Some(&s)).await.status, StatusCode::BAD_REQUEST);
        let auditor = app.sign_in(AUDITOR).await;
        let audit = app.get("/audit?action=export&record_type=police_crime", Some(&auditor)).await;
        assert!(audit.body.contains(r#"data-testid="audit-total">1<"#), "{}", audit.body);
        assert!(audit.body.contains("Vehicle+crime"));
        let admin = app.sign_in(ADMIN).await;
        assert_eq!(
            app.get("/crimes/export.csv", Some(&admin)).await.status,
            StatusCode::FORBIDDEN,
            "admins administer, they do not export"
        );
    })
    .await;
}

#[tokio::test]
async fn agencies_admin() {
    each_engine(async |app: &TestApp| {
        let officer = app.sign_in(OFFICER).await;
        assert_eq!(app.get("/admin/agencies", Some(&officer)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.post(
                "/admin/agencies",
                Some(&officer),
                Some(&officer.csrf),
                &[("code", "NEW"), ("name", "New"), ("kind", "partner")]
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let admin = app.sign_in(ADMIN).await;
        let list = app.get("/admin/agencies", Some(&admin)).await;
        assert!(list.body.contains("Hertfordshire Fire &amp; Rescue Service"));
        let no_csrf = app
            .post(
                "/admin/agencies",
                Some(&admin),
                None,
                &[("code", "YOT"), ("name", "Youth Offending Team"), ("kind", "partner")],
            )
            .await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
        let wrong_csrf = app
            .post(
                "/admin/agencies",
                Some(&admin),
                Some(&officer.csrf),
                &[("code", "YOT"), ("name", "Youth Offending Team"), ("kind", "partner")],
            )
            .await;
        assert_eq!(wrong_csrf.status, StatusCode::FORBIDDEN, "another session's token");
        let bad = app
            .post("/admin/agencies", Some(&admin), Some(&admin.csrf), &[("code", "x"), ("name", ""), ("kind", "other")])
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("Agency code: use 2 to 20 letters"));
        let ok = app
            .post(
                "/admin/agencies",
                Some(&admin),
                Some(&admin.csrf),
                &[("code", "yot"), ("name", "Youth Offending Team"), ("kind", "partner")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::BAD_REQUEST, "no sector");
        assert!(ok.body.contains("Choose the sector"), "{}", ok.body);
        let ok = app
            .post(
                "/admin/agencies",
                Some(&admin),
                Some(&admin.csrf),
                &[("code", "yot"), ("name", "Youth Offending Team"), ("kind", "partner"), ("sector", "youth_services")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert!(app.get("/admin/agencies", Some(&admin)).await.body.contains("Youth Offending Team"));
        let yot = app.store.agency("YOT").await.expect("agency");
        assert_eq!((yot.name.as_str(), yot.sector), ("Youth Offending Team", Some(Sector::YouthServices)));
    })
    .await;
}

#[tokio::test]
async fn users_admin_create_roles_deactivate() {
    each_engine(async |app: &TestApp| {
        let admin = app.sign_in(ADMIN).await;
        assert_eq!(app.get("/admin/users", Some(&app.sign_in(MANAGER).await)).await.status, StatusCode::FORBIDDEN);
        let list = app.get("/admin/users", Some(&admin)).await;
        assert!(list.body.contains("pc.neighbourhood@herts.police.uk"));
        let bad = app
            .post(
                "/admin/users",
                Some(&admin),
                Some(&admin.csrf),
                &[("email", "nope"), ("display_name", ""), ("agency", "HFRS"), ("password", "short")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(
            bad.body.to_lowercase().contains("enter an email address")
                && bad.body.contains("Choose at least one role")
                && bad.body.contains("at least 12 characters")
        );
        let fields = [
            ("email", "new.officer@hertsfire.gov.uk"),
            ("display_name", "New Officer"),
            ("agency", "HFRS"),
            ("role", "case_officer"),
            ("role", "agency_viewer"),
            ("password", "a long new password"),
        ];
        let res = app.post("/admin/users", Some(&admin), Some(&admin.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let user_path = res.location().to_string();
        let dup = app.post("/admin/users", Some(&admin), Some(&admin.csrf), &fields).await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        assert!(dup.body.contains("A user with this email already exists"));
        let detail = app.get(&user_path, Some(&admin)).await;
        assert!(detail.body.contains("New Officer") && detail.body.contains("Active"));
        assert_eq!(app.get("/admin/users/not-an-id", Some(&admin)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.get("/admin/users/0190a0a0-0000-7000-8000-000000000000", Some(&admin)).await.status,
            StatusCode::NOT_FOUND
        );
        // The new user can sign in with their password.
        let res = app.sign_in_response("new.officer@hertsfire.gov.uk", "a long new password").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let cookie = res.set_cookie("sn_session").expect("cookie");
        let theirs = Session { csrf: safetynet_domain::token::csrf_for_session(&cookie), cookie };
        // Roles change takes effect at once.
        let res =
            app.post(&format!("{user_path}/roles"), Some(&admin), Some(&admin.csrf), &[("role", "auditor")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(app.get("/dashboard", Some(&theirs)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get("/audit", Some(&theirs)).await.status, StatusCode::OK);
        assert_eq!(
            app.post(&format!("{user_path}/roles"), Some(&admin), Some(&admin.csrf), &[("role", "superuser")])
                .await
                .status,
            StatusCode::BAD_REQUEST
        );
        // Deactivation ends their sessions.
        let res =
            app.post(&format!("{user_path}/active"), Some(&admin), Some(&admin.csrf), &[("active", "false")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(app.get("/audit", Some(&theirs)).await.location(), "/sign-in?next=%2Faudit&expired=1");
        assert_eq!(
            app.sign_in_response("new.officer@hertsfire.gov.uk", "a long new password").await.status,
            StatusCode::UNAUTHORIZED
        );
        let admin_id = user_path.trim_start_matches("/admin/users/");
        let _ = admin_id;
        // The audit trail holds the permission changes.
        let auditor = app.sign_in(AUDITOR).await;
        let page = app.get("/audit?action=permission_change", Some(&auditor)).await;
        assert!(page.body.contains("auditor") && page.body.contains("&quot;active&quot;:false"), "{}", page.body);
    })
    .await;
}

#[tokio::test]
async fn audit_log_search_and_export() {
    each_engine(async |app: &TestApp| {
        let officer = app.sign_in(OFFICER).await;
        assert_eq!(app.get("/audit", Some(&officer)).await.status, StatusCode::FORBIDDEN);
        let admin = app.sign_in(ADMIN).await;
        assert_eq!(app.get("/audit/export.csv", Some(&admin)).await.status, StatusCode::FORBIDDEN);
        let auditor = app.sign_in(AUDITOR).await;
        let page = app.get("/audit", Some(&auditor)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("login_success"));
        let filtered =
            app.get("/audit?from=2026-01-15&to=2026-01-15&action=create&record_type=user", Some(&auditor)).await;
        assert!(
            filtered.body.contains(r#"data-testid="audit-total">7<"#),
            "seven demo users created: {}",
            filtered.body
        );
        assert_eq!(app.get("/audit?from=15/01/2026", Some(&auditor)).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.get("/audit?action=drop", Some(&auditor)).await.status, StatusCode::BAD_REQUEST);
        for inj in INJECTIONS {
            let path = format!(
                "/audit?{}",
                common::serde_urlencoded_encode(&[("user", inj), ("record_type", inj), ("agency", inj)])
            );
            let res = app.get(&path, Some(&auditor)).await;
            assert!(res.body.contains(r#"data-testid="audit-total">0<"#), "{path}");
        }
        let csv = app.get("/audit/export.csv?action=login_success", Some(&auditor)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.starts_with("seq,time_utc,user_id"));
        assert_eq!(csv.body.lines().count(), 4, "header + three sign-ins: {}", csv.body);
        // Searching and exporting were themselves audited.
        let again = app.get("/audit?action=export&record_type=audit_log", Some(&auditor)).await;
        assert!(again.body.contains(r#"data-testid="audit-total">1<"#));
        assert!(app.store.verify_audit().await.expect("verify").is_ok());
    })
    .await;
}

#[tokio::test]
async fn password_change_and_api_tokens_from_the_account_page() {
    each_engine(async |app: &TestApp| {
        let s = app.sign_in(OFFICER).await;
        let other = app.sign_in(OFFICER).await;
        assert_eq!(app.get("/account", Some(&s)).await.status, StatusCode::OK);
        let wrong = app
            .post(
                "/account/password",
                Some(&s),
                Some(&s.csrf),
                &[("current", "nope"), ("new", "short"), ("confirm", "x")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        assert!(wrong.body.contains("Your current password is not correct"));
        let mismatch = app
            .post(
                "/account/password",
                Some(&s),
                Some(&s.csrf),
                &[
                    ("current", safetynet::demo::DEMO_PASSWORD),
                    ("new", "brand new password 1"),
                    ("confirm", "brand new password 2"),
                ],
            )
            .await;
        assert!(mismatch.body.contains("do not match"));
        let ok = app
            .post(
                "/account/password",
                Some(&s),
                Some(&s.csrf),
                &[
                    ("current", safetynet::demo::DEMO_PASSWORD),
                    ("new", "brand new password 1"),
                    ("confirm", "brand new password 1"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK);
        assert!(ok.body.contains("Your password has been changed"));
        assert_eq!(app.get("/account", Some(&other)).await.location(), ENDED_ACCOUNT, "other sessions end");
        assert_eq!(app.get("/account", Some(&s)).await.status, StatusCode::OK, "this one continues");
        assert_eq!(app.sign_in_response(OFFICER, "brand new password 1").await.status, StatusCode::SEE_OTHER);

        let created = app.post("/account/tokens", Some(&s), Some(&s.csrf), &[]).await;
        let token = created
            .body
            .split(r#"data-testid="new-token">"#)
            .nth(1)
            .and_then(|r| r.split('<').next())
            .expect("token shown")
            .to_string();
        assert!(token.starts_with("snt_"));
        assert_eq!(app.get_bearer("/api/v1/me", &token).await.json()["user"]["email"], OFFICER);
        assert!(!app.get("/account", Some(&s)).await.body.contains(&token), "shown once");
        let tokens = app
            .store
            .api_tokens(
                app.get_bearer("/api/v1/me", &token).await.json()["user"]["user_id"].as_str().unwrap_or_default(),
            )
            .await
            .expect("tokens");
        let res = app.post(&format!("/account/tokens/{}/revoke", tokens[0].id), Some(&s), Some(&s.csrf), &[]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(app.get_bearer("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.post("/account/tokens/nope/revoke", Some(&s), Some(&s.csrf), &[]).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(hash_secret(&token).len(), 64);
    })
    .await;
}

async fn user_id(app: &TestApp, email: &str) -> String {
    app.store
        .user_id_by_email(&safetynet_domain::partnership::Email::parse(email).expect("email"))
        .await
        .expect("db")
        .expect("user")
}

/// Finding 7: behind the TLS proxy every user shares the proxy's address;
/// the throttle must count the real client, and only a trusted proxy's
/// `X-Forwarded-For` may name it.
#[tokio::test]
async fn one_address_failing_behind_a_trusted_proxy_does_not_lock_out_others() {
    each_engine_with(behind_local_proxy, async |app: &TestApp| {
        let proxy = "127.0.0.1";
        for i in 0..25 {
            let res = app
                .sign_in_from(proxy, Some("203.0.113.5"), &format!("user{i}@example.gov.uk"), "wrong password here")
                .await;
            assert!(res.status == StatusCode::UNAUTHORIZED || res.status == StatusCode::TOO_MANY_REQUESTS);
        }
        // The attacker's address is throttled, even with a right password...
        let res = app.sign_in_from(proxy, Some("203.0.113.5"), OFFICER, safetynet::demo::DEMO_PASSWORD).await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
        // ...but other people behind the same proxy sign in.
        for (client, who) in [("198.51.100.7", OFFICER), ("198.51.100.8, 10.9.9.9", POLICE)] {
            let res = app.sign_in_from(proxy, Some(client), who, safetynet::demo::DEMO_PASSWORD).await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{who} from {client}: {}", res.body);
        }
        // From an untrusted peer a forged X-Forwarded-For is ignored: the
        // throttle applies to the peer, whatever it claims.
        let peer = "192.0.2.44";
        for i in 0..20 {
            let forged = format!("203.0.113.{}", 100 + i);
            app.sign_in_from(peer, Some(&forged), &format!("x{i}@example.gov.uk"), "wrong password here").await;
        }
        let res = app.sign_in_from(peer, Some("198.51.100.99"), MANAGER, safetynet::demo::DEMO_PASSWORD).await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "a forged header does not escape the throttle");
        assert_eq!(
            app.sign_in_from("192.0.2.45", None, MANAGER, safetynet::demo::DEMO_PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        // The audit trail records the real client, not the proxy or the forgery.
        let auditor = app.sign_in(AUDITOR).await;
        let page = app.get("/audit?action=login_failure", Some(&auditor)).await;
        assert!(page.body.contains("203.0.113.5") && page.body.contains("192.0.2.44"), "{}", page.body);
        assert!(!page.body.contains("203.0.113.100"), "a forged address is never recorded");
    })
    .await;
}

/// Finding 8: a partnership administrator cannot give themselves roles (or
/// change their own account's status); others' role changes are audited with
/// the roles before and after, and the auditor sees them.
#[tokio::test]
async fn nobody_changes_their_own_roles_and_role_changes_are_audited() {
    each_engine(async |app: &TestApp| {
        let admin = app.sign_in(ADMIN).await;
        let own = user_id(app, ADMIN).await;
        let res = app
            .post(
                &format!("/admin/users/{own}/roles"),
                Some(&admin),
                Some(&admin.csrf),
                &[("role", "partnership_admin"), ("role", "auditor"), ("role", "csp_manager")],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
        assert!(res.body.contains("You cannot change your own roles or account status"), "{}", res.body);
        for active in ["false", "true"] {
            let res = app
                .post(&format!("/admin/users/{own}/active"), Some(&admin), Some(&admin.csrf), &[("active", active)])
                .await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
        }
        // Nothing changed: still no audit or case access.
        assert_eq!(app.get("/audit", Some(&admin)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get("/cases", Some(&admin)).await.status, StatusCode::FORBIDDEN);
        let me =
            app.store.principal(&own, safetynet_domain::policy::AuthMethod::Session).await.expect("db").expect("me");
        assert_eq!(me.roles, vec![safetynet_domain::role::Role::PartnershipAdmin]);
        // The own-account page says so instead of offering the form.
        let page = app.get(&format!("/admin/users/{own}"), Some(&admin)).await;
        assert!(page.body.contains("own-account") && !page.body.contains("Save roles"), "{}", page.body);
        // Changing someone else's roles works and is audited before and after.
        let officer = user_id(app, OFFICER).await;
        let res = app
            .post(
                &format!("/admin/users/{officer}/roles"),
                Some(&admin),
                Some(&admin.csrf),
                &[("role", "case_officer"), ("role", "agency_viewer")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let auditor = app.sign_in(AUDITOR).await;
        // The refused attempts are on the trail too.
        let page = app.get(&format!("/audit?action=permission_change&record_id={own}"), Some(&auditor)).await;
        assert!(
            page.body.contains(r#"data-testid="audit-total">3<"#)
                && page.body.contains("&quot;refused&quot;:&quot;own_account&quot;")
                && page.body.contains("&quot;auditor&quot;"),
            "{}",
            page.body
        );
        let page = app.get(&format!("/audit?action=permission_change&record_id={officer}"), Some(&auditor)).await;
        assert!(
            page.body.contains(r#"data-testid="audit-total">1<"#)
                && page.body.contains("&quot;roles_before&quot;:[&quot;case_officer&quot;]")
                && page.body.contains("&quot;roles&quot;:[&quot;case_officer&quot;,&quot;agency_viewer&quot;]"),
            "{}",
            page.body
        );
        let api = app.get_bearer("/api/v1/audit?per_page=200", &app.token(AUDITOR).await).await.json();
        assert!(
            api["items"].as_array().expect("items").iter().any(|i| i.to_string().contains("roles_before")),
            "{api}"
        );
        // The store refuses it too, whatever calls it.
        let permit = me.permit::<safetynet_domain::policy::ManageUsers>().expect("permit");
        let actor = safetynet_store::users::Actor { principal: &me, at_ms: 0, source: "test" };
        let r = app.store.set_roles(&permit, &own, &[safetynet_domain::role::Role::Auditor], &actor).await;
        assert!(matches!(r, Err(safetynet_store::StoreError::Forbidden(_))), "{r:?}");
    })
    .await;
}

fn small_incident() -> serde_json::Value {
    serde_json::json!({
        "category": "asb-personal",
        "occurred_from": "2026-01-14T21:30:00Z",
        "reported_at": "2026-01-15T07:00:00Z",
        "latitude": 51.7520, "longitude": -0.3390,
        "address": "12 Verulam Road, St Albans",
        "description": "Loud music late at night",
        "source": "public",
        "hate_strand": null,
        "domestic_abuse": false, "involves_child": false, "repeat": false,
        "outside_area_reason": null,
        "people": []
    })
}

/// Finding 11: an API write authenticated by the session cookie needs the
/// session's CSRF token in `X-CSRF-Token` (a cross-site form or fetch sends
/// the cookie but cannot know the token); bearer tokens do not.
#[tokio::test]
async fn cookie_authenticated_api_writes_need_the_csrf_header() {
    each_engine(async |app: &TestApp| {
        let s = app.sign_in(OFFICER).await;
        let post = |csrf: Option<&str>| {
            let mut req = axum::http::Request::post("/api/v1/incidents")
                .header("content-type", "application/json")
                .header("cookie", format!("sn_session={}", s.cookie));
            if let Some(c) = csrf {
                req = req.header("x-csrf-token", c);
            }
            req.body(axum::body::Body::from(small_incident().to_string())).expect("request")
        };
        let res = app.send(post(None)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
        assert_eq!(res.json()["error"]["status"], 403);
        assert!(res.json()["error"]["message"].as_str().unwrap_or("").contains("X-CSRF-Token"), "{}", res.body);
        assert_eq!(app.send(post(Some("not-the-token"))).await.status, StatusCode::FORBIDDEN);
        let other = app.sign_in(OFFICER).await;
        assert_eq!(app.send(post(Some(&other.csrf))).await.status, StatusCode::FORBIDDEN, "another session's token");
        let ok = app.send(post(Some(&s.csrf))).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
        // Reads need no token; bearer tokens need none either.
        assert_eq!(app.get("/api/v1/incidents", Some(&s)).await.status, StatusCode::OK);
        let t = app.token(OFFICER).await;
        assert_eq!(app.json("POST", "/api/v1/incidents", &t, small_incident()).await.status, StatusCode::CREATED);
        // Signed-in pages carry the token for scripts.
        let page = app.get("/dashboard", Some(&s)).await;
        assert!(page.body.contains(&format!(r#"<meta name="csrf-token" content="{}">"#, s.csrf)), "{}", page.body);
    })
    .await;
}

/// Finding 12: weak passwords are refused with the reason; a wrong current
/// password counts towards the lockout and is audited; a change revokes the
/// other sessions and every API token, and says so.
#[tokio::test]
async fn password_change_refuses_weak_passwords_counts_wrong_ones_and_revokes_tokens() {
    each_engine(async |app: &TestApp| {
        let s = app.sign_in(OFFICER).await;
        let other = app.sign_in(OFFICER).await;
        let token = app.token(OFFICER).await;
        let change = |current: &str, new: &str| {
            let fields = [("current", current.to_string()), ("new", new.to_string()), ("confirm", new.to_string())];
            let s = s.clone();
            async move {
                let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.post("/account/password", Some(&s), Some(&s.csrf), &f).await
            }
        };
        let demo = safetynet::demo::DEMO_PASSWORD;
        for (weak, why) in [
            ("aaaaaaaaaaaa", "repeats too few different characters"),
            ("password1234", "too easy to guess"),
            ("qwertyuiop12", "too easy to guess"),
            ("asb.officer kettle lamp", "must not contain your name or email address"),
            ("short", "at least 12 characters"),
        ] {
            let res = change(demo, weak).await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{weak}");
            assert!(res.body.contains(why), "{weak}: {}", res.body);
        }
        // Wrong current passwords are counted and audited.
        for _ in 0..2 {
            let res = change("not my password", "kettle marmalade window").await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST);
            assert!(res.body.contains("Your current password is not correct"));
        }
        let id = user_id(app, OFFICER).await;
        let auditor = app.sign_in(AUDITOR).await;
        let audit = app.get(&format!("/audit?action=login_failure&user={id}"), Some(&auditor)).await;
        assert!(
            audit.body.contains(r#"data-testid="audit-total">2<"#) && audit.body.contains("bad_current_password"),
            "{}",
            audit.body
        );
        // A good change: other sessions and every API token end, and it says so.
        let ok = change(demo, "kettle marmalade window").await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert!(
            ok.body.contains("You have been signed out everywhere else")
                && ok.body.contains("Your API token has been revoked"),
            "{}",
            ok.body
        );
        assert_eq!(app.get("/account", Some(&other)).await.location(), ENDED_ACCOUNT);
        assert_eq!(app.get_bearer("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED, "tokens revoked");
        assert_eq!(app.get("/account", Some(&s)).await.status, StatusCode::OK, "this session continues");
        let audit = app.get("/audit?record_type=user_password", Some(&auditor)).await;
        assert!(
            audit.body.contains("&quot;api_tokens_revoked&quot;:1")
                && audit.body.contains("&quot;sessions_revoked&quot;:1"),
            "{}",
            audit.body
        );
        // The earlier failures were cleared by the change; five more lock the
        // account and end this session.
        for i in 0..4 {
            assert_eq!(change("still not it", "window kettle marmalade").await.status, StatusCode::BAD_REQUEST, "{i}");
        }
        let locked = change("still not it", "window kettle marmalade").await;
        assert_eq!(locked.status, StatusCode::FORBIDDEN, "{}", locked.body);
        assert!(locked.body.contains("Your account is locked"));
        assert_eq!(app.get("/account", Some(&s)).await.location(), ENDED_ACCOUNT, "signed out");
        assert_eq!(
            app.sign_in_response(OFFICER, "kettle marmalade window").await.status,
            StatusCode::UNAUTHORIZED,
            "locked"
        );
        app.clock.advance(chrono::Duration::minutes(16));
        assert_eq!(app.sign_in_response(OFFICER, "kettle marmalade window").await.status, StatusCode::SEE_OTHER);
        // Administrators' new accounts get the same policy.
        let admin = app.sign_in(ADMIN).await;
        let fields = [
            ("email", "weak@hertsfire.gov.uk"),
            ("display_name", "Weak Password"),
            ("agency", "HFRS"),
            ("role", "agency_viewer"),
            ("password", "aaaaaaaaaaaa"),
        ];
        let res = app.post("/admin/users", Some(&admin), Some(&admin.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        assert!(res.body.contains("repeats too few different characters"), "{}", res.body);
    })
    .await;
}

/// The demo password (which every test signs in with) passes the policy for
/// every demo user.
#[test]
fn the_demo_password_passes_the_password_policy() {
    for (email, name, _, _) in safetynet::demo::USERS {
        assert_eq!(
            safetynet_domain::password::check_policy(safetynet::demo::DEMO_PASSWORD, &[email, name]),
            Ok(()),
            "{email}"
        );
    }
}

#[tokio::test]
async fn the_dashboard_warns_managers_90_days_before_the_bank_holidays_run_out() {
    use safetynet_domain::calendar::BankHolidays;
    use safetynet_domain::clock::Clock;
    use safetynet_domain::policy::Principal;
    use safetynet_store::users::Actor;
    const MANAGER: &str = "csp.manager@stalbans.gov.uk";
    const OFFICER: &str = "asb.officer@stalbans.gov.uk";
    each_engine(async |app: &TestApp| {
        let notice = async |email: &str| -> Option<String> {
            let page = app.get("/dashboard", Some(&app.sign_in(email).await)).await;
            assert_eq!(page.status, StatusCode::OK);
            page.body.find("data-testid=\"calendar-notice\"").map(|at| page.body[at..].chars().take(600).collect())
        };
        // 15 January 2026, the bundled calendar (to 31 December 2028): no warning.
        assert_eq!(notice(MANAGER).await, None);
        // A calendar loaded up to 2026 runs out on 31 December 2026: 350 days away, still none.
        let operator = Principal::operator();
        let to_2026: Vec<_> = BankHolidays::bundled()
            .days()
            .iter()
            .filter(|d| chrono::Datelike::year(&d.date) <= 2026)
            .cloned()
            .collect();
        let to_2026 = BankHolidays::from_days(to_2026).expect("calendar");
        let at_ms = app.clock.now().timestamp_millis();
        app.store
            .load_bank_holidays(&to_2026, &Actor { principal: &operator, at_ms, source: "test" })
            .await
            .expect("load");
        assert_eq!(notice(MANAGER).await, None);
        // 3 October 2026: 89 days before it runs out. Managers are warned, officers are not.
        app.clock.advance(chrono::Duration::days(261));
        assert_eq!(app.state.clock.now().date_naive().to_string(), "2026-10-03");
        let shown = notice(MANAGER).await.expect("warning for the CSP manager");
        assert!(
            shown.contains("govuk-warning-text__text") && shown.contains("runs out on 31 December 2026"),
            "{shown}"
        );
        assert!(shown.contains("safetynet calendar load"), "{shown}");
        assert_eq!(notice(OFFICER).await, None);
        // Loading the bundled calendar again (to 2028) ends the warning.
        let at_ms = app.clock.now().timestamp_millis();
        app.store
            .load_bank_holidays(BankHolidays::bundled(), &Actor { principal: &operator, at_ms, source: "test" })
            .await
            .expect("load");
        assert_eq!(notice(MANAGER).await, None);
        // In 2029 the bundled calendar has run out: the warning says so.
        app.clock.advance(chrono::Duration::days(900));
        let shown = notice(MANAGER).await.expect("warning after the end");
        assert!(shown.contains("ran out on 31 December 2028"), "{shown}");
    })
    .await;
}

/// The sign-in form submitted with a page to return to.
async fn sign_in_returning_to(app: &TestApp, next: &str) -> Res {
    let form = app.get("/sign-in", None).await;
    let login_csrf = form.set_cookie("sn_login_csrf").expect("login csrf cookie");
    let body = serde_urlencoded_encode(&[
        ("email", OFFICER),
        ("password", safetynet::demo::DEMO_PASSWORD),
        ("csrf_token", &login_csrf),
        ("next", next),
    ]);
    let req = axum::http::Request::post("/sign-in")
        .header(axum::http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(axum::http::header::COOKIE, format!("sn_login_csrf={login_csrf}"))
        .body(axum::body::Body::from(body))
        .expect("request");
    app.send(req).await
}

#[tokio::test]
async fn signing_in_returns_to_the_page_asked_for_and_never_off_site() {
    each_engine(async |app: &TestApp| {
        // A page asked for without a session: sign in, then back to it.
        let res = app.get("/cases?page=2", None).await;
        assert_eq!(res.location(), "/sign-in?next=%2Fcases%3Fpage%3D2");
        let form = app.get(res.location(), None).await;
        assert!(form.body.contains(r#"name="next" value="/cases?page=2""#), "{}", form.body);
        assert!(!form.body.contains("sign-in-notice"), "no notice on a first visit");
        assert_eq!(sign_in_returning_to(app, "/cases?page=2").await.location(), "/cases?page=2");

        // Anything but a path on this site lands on the usual first page.
        for bad in [
            "//evil.example/",
            "/\\evil.example/",
            "https://evil.example/",
            "/\t/evil.example/",
            "/sign-out",
            "/sign-in?next=/cases",
            "cases",
        ] {
            assert_eq!(sign_in_returning_to(app, bad).await.location(), "/dashboard", "{bad:?}");
            let form = app.get(&format!("/sign-in?next={}", encode(bad)), None).await;
            assert!(!form.body.contains(r#"name="next""#), "{bad:?} is not carried");
        }

        // An ended session says so; signing out says so; a form posted
        // without a session returns to no page (its target is not one).
        let form = app.get(ENDED_DASHBOARD, None).await;
        assert!(form.body.contains("You have been signed out because your session ended"), "{}", form.body);
        let s = app.sign_in(OFFICER).await;
        let out = app.post("/sign-out", Some(&s), Some(&s.csrf), &[]).await;
        assert_eq!(out.location(), "/sign-in?signed_out=1");
        assert!(app.get(out.location(), None).await.body.contains("You have signed out."));
        assert_eq!(app.post("/cases", None, Some("x"), &[("title", "t")]).await.location(), "/sign-in");
    })
    .await;
}

#[tokio::test]
async fn an_unknown_address_gets_a_helpful_page_not_found() {
    each_engine(async |app: &TestApp| {
        for path in ["/no-such-page", "/cases/1/no-such-tab", "/dashboard/"] {
            let res = app.get(path, None).await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
            assert!(res.body.contains("<h1 class=\"govuk-heading-l\">Page not found</h1>"), "{path}: {}", res.body);
            assert!(res.body.contains("check you copied the entire address"), "{path}");
            assert!(res.headers.contains_key("content-security-policy"), "{path}: the page has the usual headers");
        }
        // The API keeps its JSON answer.
        let api = app.get("/api/v1/no-such-endpoint", None).await;
        assert_eq!(api.status, StatusCode::NOT_FOUND);
        assert_eq!(api.json()["error"]["status"], 404, "{}", api.body);
    })
    .await;
}
