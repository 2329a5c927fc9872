//! Partnership tasking on every engine: meeting packs built for a date from
//! the demo (snapshots of their structured content), the public summary's
//! disclosure control and absence of personal data, actions carried between
//! meetings, operations evaluated when they end (clock injected), PDFs that
//! open and read, residents' surveys, and every page and API route.
//!
//! Snapshots live in `tests/snapshots/`; after a deliberate change, rerun
//! with `SAFETYNET_UPDATE_SNAPSHOTS=1` and review the diff.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use common::*;
use safetynet_domain::clock::Clock;
use safetynet_domain::meeting::MeetingKind;
use safetynet_domain::policy::{ManagePartnershipWork, Principal};
use safetynet_store::meetings::NewAction;
use safetynet_store::users::Actor;
use serde_json::{json, Value};
use std::sync::Arc;

/// The demo's crime, cases, strategy, meetings, operations and survey.
async fn seed_demo(app: &TestApp) {
    safetynet::demo::import_sample(&app.store, start().timestamp_millis()).await.expect("sample");
    safetynet::demo_cases::seed_cases(&app.store, start()).await.expect("cases");
    safetynet::demo_strategy::seed_strategy(&app.store, start()).await.expect("strategy");
    safetynet::demo_meetings::seed_tasking(&app.store, Arc::new(app.clock.clone())).await.expect("tasking");
}

fn state(app: &TestApp) -> safetynet_web::AppState {
    safetynet_web::AppState::new(app.store.clone(), Arc::new(app.clock.clone()), safetynet_web::WebConfig::default())
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// Compares `value` with `tests/snapshots/{name}.json` (or rewrites it).
fn snapshot(name: &str, mut value: Value) {
    value.as_object_mut().map(|o| o.remove("meeting_id"));
    let path = repo().join("crates/cli/tests/snapshots").join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(&value).expect("json") + "\n";
    if std::env::var_os("SAFETYNET_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, &text).expect("write snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing snapshot {}: run with SAFETYNET_UPDATE_SNAPSHOTS=1", path.display()));
    if want != text {
        let actual = path.with_extension("actual.json");
        let _ = std::fs::write(&actual, &text);
        panic!("pack {name} differs from its snapshot {}: compare with {}", path.display(), actual.display());
    }
}

/// Personal data in the demo that must never reach a public document.
const PERSONAL: &[&str] = &[
    "Jane Smith",
    "1950-03-02",
    "Amir Hussain",
    "1979-11-20",
    "Claire Example",
    "1990-04-18",
    "12 Verulam Road",
    "Flat 2, London Road",
    "Verulam Road",
    "CASE-",
    "INC-",
    "Morgan Manager",
    "Sam Okafor",
    "PC Jo Patel",
    "Dee Marsh",
];

#[tokio::test]
async fn packs_for_a_fixed_date_match_their_snapshots() {
    each_engine(async |app: &TestApp| {
        seed_demo(app).await;
        let boss = app.token(MANAGER).await;
        for (kind, day) in [("jag", "2026-01-22"), ("rag", "2026-02-05"), ("psf", "2026-02-19")] {
            let r = app.get_bearer(&format!("/api/v1/packs/{kind}?date={day}"), &boss).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let pack = r.json();
            assert_eq!(pack["date"], day);
            assert!(pack["meeting_id"].is_string(), "the {kind} meeting on {day} is found");
            snapshot(&format!("{kind}-pack"), pack);
        }
        // On a date with no meeting, the actions still open are counted, overdue ones too.
        let between = app.get_bearer("/api/v1/packs/jag?date=2026-01-23", &boss).await.json();
        assert!(between["meeting_id"].is_null(), "no JAG on 23 January");
        let tasking = between["sections"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["id"] == "tasking")
            .cloned()
            .unwrap_or_default();
        let count = tasking["blocks"][0]["text"].as_str().unwrap_or_default().to_string();
        assert!(
            count.starts_with("Actions due by 2026-02-06: ") && !count.contains(": 0 ") && count.contains("overdue)"),
            "{tasking}"
        );
        // The same date gives the same pack after more work is recorded later.
        app.clock.advance(Duration::days(40));
        let boss = app.token(MANAGER).await;
        let later = app.get_bearer("/api/v1/packs/jag?date=2026-01-22", &boss).await.json();
        snapshot("jag-pack", later);
        // Every pack generation is audited.
        let auditor = app.token(AUDITOR).await;
        let audit = app.get_bearer("/api/v1/audit?record_type=meeting_pack", &auditor).await.json();
        assert!(audit["items"].as_array().map_or(0, Vec::len) >= 4, "{audit}");
    })
    .await;
}

#[tokio::test]
async fn the_jag_case_section_is_only_for_entitled_attendees() {
    each_engine(async |app: &TestApp| {
        seed_demo(app).await;
        let section = |pack: &Value| {
            pack["sections"]
                .as_array()
                .and_then(|s| s.iter().find(|x| x["id"] == "cases").cloned())
                .expect("cases section")
        };
        let officer = app.token(OFFICER).await;
        let attending = section(&app.get_bearer("/api/v1/packs/jag?date=2026-01-22", &officer).await.json());
        assert!(attending.to_string().contains("CASE-2026-00001"), "{attending}");
        // An agency viewer who is not at the meeting sees that the section is restricted.
        let viewer = app.token(VIEWER).await;
        let restricted = section(&app.get_bearer("/api/v1/packs/jag?date=2026-01-22", &viewer).await.json());
        assert_eq!(restricted["blocks"][0]["type"], "restricted");
        assert!(!restricted.to_string().contains("CASE-"));
        // Made at the command line without --as, the pack leaves it out too.
        let st = state(app);
        let operator = Principal::operator();
        let actor = Actor { principal: &operator, at_ms: app.clock.now().timestamp_millis(), source: "cli" };
        let req = safetynet_app::packs::PackRequest::new(MeetingKind::Jag, date("2026-01-22"));
        let pack = safetynet_app::packs::build(&st.analyst, &req, &actor).await.expect("pack");
        assert!(!serde_json::to_string(&pack).expect("json").contains("Jane Smith"));
    })
    .await;
}

#[tokio::test]
async fn the_public_summary_is_safe_to_publish() {
    each_engine(async |app: &TestApp| {
        seed_demo(app).await;
        let meetings = app.get_bearer("/api/v1/meetings", &app.token(MANAGER).await).await.json();
        let forum = meetings["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|m| m["series_code"] == "psf" && m["held_on"] == "2026-02-19")
            .expect("forum")["id"]
            .as_str()
            .expect("id")
            .to_string();
        // Anyone may read it, without signing in.
        let page = app.get(&format!("/public/forums/{forum}"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("You said, we did") && page.body.contains("Speed checks on six evenings"));
        let boss = app.sign_in(MANAGER).await;
        let pdf = app.get(&format!("/meetings/{forum}/pack.pdf"), Some(&boss)).await;
        let html = app.get(&format!("/meetings/{forum}/pack.html"), Some(&boss)).await;
        let text = pdf_text(&pdf_bytes(app, &format!("/meetings/{forum}/pack.pdf"), &boss).await);
        for doc in [&page.body, &html.body, &text] {
            for p in PERSONAL {
                assert!(!doc.contains(p), "the public summary contains personal data: {p}");
            }
            assert!(!doc.contains("Clarence Park"), "no location finer than the district");
        }
        assert_eq!(pdf.status, StatusCode::OK);
        assert!(page.body.contains("fewer than 5"), "small counts are suppressed");
    })
    .await;
}

async fn pdf_bytes(app: &TestApp, path: &str, s: &Session) -> Vec<u8> {
    use axum::body::Body;
    use axum::http::{header, Request};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = Request::get(path)
        .header(header::COOKIE, format!("sn_session={}", s.cookie))
        .body(Body::empty())
        .expect("request");
    let res = app.router.clone().oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("application/pdf"));
    res.into_body().collect().await.expect("body").to_bytes().to_vec()
}

/// Text of a PDF by poppler's pdftotext (installed by CI).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("pack.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian package poppler-utils) must be installed");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn pdf_packs_open_with_pages_and_text() {
    each_engine(async |app: &TestApp| {
        seed_demo(app).await;
        let boss = app.sign_in(MANAGER).await;
        let jag = app.get_bearer("/api/v1/meetings", &app.token(MANAGER).await).await.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|m| m["series_code"] == "jag" && m["held_on"] == "2026-01-22")
            .and_then(|m| m["id"].as_str().map(String::from))
            .expect("jag");
        let pdf = pdf_bytes(app, &format!("/meetings/{jag}/pack.pdf"), &boss).await;
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("jag.pdf");
        std::fs::write(&path, &pdf).expect("write");
        let info = std::process::Command::new("pdfinfo").arg(&path).output().expect("pdfinfo (poppler-utils)");
        let info = String::from_utf8_lossy(&info.stdout).to_string();
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("page count");
        assert!(pages >= 2, "{info}");
        assert!(info.contains("Tagged:          yes"), "a tagged PDF: {info}");
        assert!(info.contains("Title:           Joint Agency Group pack 22 January 2026"), "{info}");
        let text = pdf_text(&pdf);
        for want in [
            "Joint Agency Group pack",
            "Actions from the last meeting",
            "Deploy a fly-tipping camera",
            "OFFICIAL-SENSITIVE",
            &format!("Page {pages} of {pages}"),
            "CASE-2026-00001",
        ] {
            assert!(text.contains(want), "missing {want:?} in:\n{text}");
        }
    })
    .await;
}

#[tokio::test]
async fn actions_are_carried_until_done_and_reported_once_closed() {
    each_engine(async |app: &TestApp| {
        let boss = manager(app).await;
        let permit = boss.permit::<ManagePartnershipWork>().expect("permit");
        let actor = Actor { principal: &boss, at_ms: start().timestamp_millis(), source: "test" };
        app.store.save_series(&permit, "jag", MeetingKind::Jag, "JAG", None, &actor).await.expect("series");
        let m1 = app.store.schedule_meeting(&permit, "jag", date("2026-01-08"), "", &actor).await.expect("m1");
        let m2 = app.store.schedule_meeting(&permit, "jag", date("2026-02-05"), "", &actor).await.expect("m2");
        let m3 = app.store.schedule_meeting(&permit, "jag", date("2026-03-05"), "", &actor).await.expect("m3");
        let again = app.store.schedule_meeting(&permit, "jag", date("2026-03-05"), "", &actor).await;
        assert!(again.is_err(), "one meeting per series per day");
        let new = |t: &str| NewAction {
            title: t.into(),
            owner_agency: "SACDC".into(),
            owner_name: String::new(),
            due_on: date("2026-02-01"),
        };
        let a = app.store.add_action(&permit, &m1.id, &new("Camera at the lay-by"), &actor).await.expect("a");
        app.store.add_action(&permit, &m1.id, &new("Patrols in the park"), &actor).await.expect("b");
        // A is reported done at the second meeting.
        app.store
            .update_action(
                &permit,
                &a.id,
                safetynet_domain::meeting::ActionStatus::Done,
                "Installed",
                "",
                date("2026-02-05"),
                &actor,
            )
            .await
            .expect("close");
        let titles = |v: &[safetynet_store::meetings::Action]| v.iter().map(|a| a.title.clone()).collect::<Vec<_>>();
        let r1 = app.store.meeting_record(&m1.id).await.expect("r1");
        assert_eq!((titles(&r1.carried).len(), titles(&r1.raised).len()), (0, 2));
        let r2 = app.store.meeting_record(&m2.id).await.expect("r2");
        assert_eq!(
            titles(&r2.carried),
            ["Camera at the lay-by", "Patrols in the park"],
            "both were open going into the second meeting"
        );
        let r3 = app.store.meeting_record(&m3.id).await.expect("r3");
        assert_eq!(titles(&r3.carried), ["Patrols in the park"]);
        assert_eq!(titles(&r3.closed_since_last), ["Camera at the lay-by"]);
        // The meeting page shows the carried action with its update form.
        let s = app.sign_in(MANAGER).await;
        let page = app.get(&format!("/meetings/{}", m3.id), Some(&s)).await;
        assert!(page.body.contains("Patrols in the park") && page.body.contains("data-testid=\"carried-action\""));
    })
    .await;
}

/// The demo CSP manager as a principal.
async fn manager(app: &TestApp) -> Principal {
    let email = safetynet_domain::partnership::Email::parse(MANAGER).expect("email");
    let id = app.store.user_id_by_email(&email).await.expect("db").expect("manager");
    app.store.principal(&id, safetynet_domain::policy::AuthMethod::Session).await.expect("db").expect("active")
}

#[tokio::test]
async fn operations_are_evaluated_automatically_when_they_end() {
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, start().timestamp_millis()).await.expect("sample");
        let boss = app.token(MANAGER).await;
        let op = json!({
            "name": "Operation Test: city centre", "prompted_by": "Hot spot on St Peter's Street",
            "target": { "kind": "circle", "lon": -0.3371, "lat": 51.7503, "radius_m": 500.0 }, "buffer_m": 500.0,
            "crime_types": ["Violence and sexual offences"], "starts_on": "2021-06-01", "ends_on": "2021-08-31",
            "lead_agency": "HERTS-POLICE", "agencies": ["SACDC"]
        });
        let bad = app.json("POST", "/api/v1/operations", &boss, json!({ "name": "x", "prompted_by": "y", "target": { "kind": "circle", "lon": 20.0, "lat": 51.0, "radius_m": 100.0 }, "starts_on": "2021-06-01", "ends_on": "2021-05-01" })).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert_eq!(app.json("POST", "/api/v1/operations", &app.token(OFFICER).await, op.clone()).await.status, StatusCode::FORBIDDEN);
        let created = app.json("POST", "/api/v1/operations", &boss, op).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.json()["id"].as_str().expect("id").to_string();
        assert_eq!(created.json()["reference"], "OP-2021-00001");
        // The clock is on the operation's last day: nothing to evaluate yet.
        app.clock.advance(chrono::DateTime::parse_from_rfc3339("2021-08-31T12:00:00Z").expect("t").with_timezone(&chrono::Utc) - start());
        assert_eq!(evaluate_ended(app).await, 0);
        // The day after it ends, the scheduler's pass evaluates it once.
        app.clock.advance(Duration::days(1));
        assert_eq!(evaluate_ended(app).await, 1);
        assert_eq!(evaluate_ended(app).await, 0);
        let got = app.get_bearer(&format!("/api/v1/operations/{id}"), &boss).await.json();
        assert_eq!(got["status"], "concluded");
        let e = &got["operation"]["evaluation"];
        assert_eq!(e["months"]["before"], json!(["2021-03", "2021-05"]));
        assert_eq!(e["months"]["during"], json!(["2021-06", "2021-08"]));
        // The counts agree with an independent count, and the WDD with its formula.
        let filter = |from: &str, to: &str| safetynet_store::crimes::CrimeFilter { from: safetynet_domain::month::Month::parse(from).ok(), to: safetynet_domain::month::Month::parse(to).ok(), crime_type: Some("Violence and sexual offences".into()), lsoa: None };
        let within = |pts: &[(f64, f64)], lo: f64, hi: f64| pts.iter().filter(|p| { let d = safetynet_domain::geo::distance_m((-0.3371, 51.7503), **p); d > lo && d <= hi }).count() as f64;
        let before = app.store.crime_locations(&filter("2021-03", "2021-05")).await.expect("pts");
        let during = app.store.crime_locations(&filter("2021-06", "2021-08")).await.expect("pts");
        let c = &e["counts"];
        assert_eq!(c["target"]["before"].as_f64(), Some(within(&before, -1.0, 500.0)));
        assert_eq!(c["target"]["after"].as_f64(), Some(within(&during, -1.0, 500.0)));
        assert_eq!(c["buffer"]["after"].as_f64(), Some(within(&during, 500.0, 1000.0)));
        let n = |a: &str, w: &str| c[a][w].as_f64().unwrap_or(f64::NAN);
        let scale = c["control_scale"].as_f64().expect("scale");
        let wdd = (n("target", "after") - n("target", "before")) - (n("control", "after") - n("control", "before")) * scale + (n("buffer", "after") - n("buffer", "before"));
        assert!((e["wdd"]["wdd"].as_f64().expect("wdd") - wdd).abs() < 1e-9, "{e}");
        assert!(["scale_back", "continue", "change_approach"].contains(&got["operation"]["recommendation"].as_str().unwrap_or("")));
        // An operation whose months police.uk has not published cannot be evaluated yet.
        let future = app.json("POST", "/api/v1/operations", &boss, json!({ "name": "Later", "prompted_by": "JAG", "target": { "kind": "circle", "lon": -0.33, "lat": 51.75, "radius_m": 300.0 }, "starts_on": "2024-01-01", "ends_on": "2024-02-01" })).await.json();
        let r = app.json("POST", &format!("/api/v1/operations/{}/evaluate", future["id"].as_str().expect("id")), &boss, json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["rule"], "evaluation_data");
    })
    .await;
}

#[tokio::test]
async fn the_disclosure_threshold_suppresses_small_counts_at_its_edge() {
    each_engine(async |app: &TestApp| {
        let boss = manager(app).await;
        let permit = boss.permit::<ManagePartnershipWork>().expect("permit");
        let actor = Actor { principal: &boss, at_ms: start().timestamp_millis(), source: "test" };
        app.store.save_series(&permit, "psf", MeetingKind::Psf, "Forum", None, &actor).await.expect("series");
        let m = app.store.schedule_meeting(&permit, "psf", date("2026-01-20"), "Hall", &actor).await.expect("meeting");
        let list = |xs: &[&str]| xs.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        let s = app
            .store
            .create_survey(
                &permit,
                "psf",
                "Priorities",
                &list(&["Speeding", "Litter", "Drugs"]),
                &list(&["Redbourn", "Harpenden"]),
                date("2026-01-01"),
                date("2026-01-31"),
                &actor,
            )
            .await
            .expect("survey");
        for i in 0..9 {
            let area = if i < 5 { "Redbourn" } else { "Harpenden" };
            app.store
                .respond(
                    &s.id,
                    area,
                    &list(&["Drugs", "Speeding"]),
                    &format!("v{i}"),
                    "net",
                    date("2026-01-15"),
                    start().timestamp_millis(),
                )
                .await
                .expect("respond");
        }
        let table = |pack: &Value| {
            pack["sections"]
                .as_array()
                .and_then(|x| x.iter().find(|s| s["id"] == "survey"))
                .map(|s| s["blocks"][1]["rows"].clone())
                .expect("rows")
        };
        let token = app.token(MANAGER).await;
        let at5 = table(&app.get_bearer("/api/v1/packs/psf?date=2026-01-20&threshold=5", &token).await.json());
        assert_eq!(
            at5,
            json!([
                ["All areas", "not shown", "Drugs; Speeding; Litter"],
                ["Redbourn", "5", "Drugs; Speeding; Litter"],
                ["Harpenden", "fewer than 5", "not shown: fewer than 5 responses"]
            ])
        );
        let at4 = table(&app.get_bearer("/api/v1/packs/psf?date=2026-01-20&threshold=4", &token).await.json());
        assert_eq!(at4[2], json!(["Harpenden", "4", "Drugs; Speeding; Litter"]));
        let at6 = table(&app.get_bearer("/api/v1/packs/psf?date=2026-01-20&threshold=6", &token).await.json());
        assert_eq!(at6[1], json!(["Redbourn", "fewer than 6", "not shown: fewer than 6 responses"]));
        assert_eq!(app.get_bearer("/api/v1/packs/psf?threshold=0", &token).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.get_bearer("/api/v1/packs/nope", &token).await.status, StatusCode::NOT_FOUND);
        // Residents answer without an account, once per browser.
        let form = app.get(&format!("/public/surveys/{}", s.id), None).await;
        assert_eq!(form.status, StatusCode::OK);
        let cookie = form.set_cookie("sn_survey").expect("survey cookie");
        let post = |fields: Vec<(&'static str, String)>, cookie: Option<String>| {
            let body = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
            let mut req = axum::http::Request::post(format!("/public/surveys/{}", s.id))
                .header("content-type", "application/x-www-form-urlencoded");
            if let Some(c) = cookie {
                req = req.header("cookie", format!("sn_survey={c}"));
            }
            req.body(axum::body::Body::from(body)).expect("request")
        };
        let answer =
            vec![("token", cookie.clone()), ("area", "Harpenden".to_string()), ("choice1", "Litter".to_string())];
        assert_eq!(app.send(post(answer.clone(), None)).await.status, StatusCode::BAD_REQUEST, "needs the cookie");
        let bad = vec![("token", cookie.clone()), ("area", "Atlantis".to_string()), ("choice1", "Litter".to_string())];
        assert_eq!(app.send(post(bad, Some(cookie.clone()))).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        let ok = app.send(post(answer.clone(), Some(cookie.clone()))).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert!(ok.body.contains("survey-thanks"));
        assert!(
            ok.body.contains(r#"data-testid="survey-next""#) && ok.body.contains("What happens next"),
            "a next step after the survey"
        );
        assert_eq!(app.send(post(answer, Some(cookie))).await.status, StatusCode::CONFLICT, "one response per browser");
        let after = table(&app.get_bearer("/api/v1/packs/psf?date=2026-01-20", &token).await.json());
        assert_eq!(after[2][1], "5", "the new response counts: {after}");
        let public = app.get(&format!("/public/forums/{}", m.id), None).await;
        assert!(public.body.contains("Have your say"), "an open survey is linked from the public summary");
    })
    .await;
}

#[tokio::test]
async fn meeting_and_operation_pages_work_for_the_right_people() {
    each_engine(async |app: &TestApp| {
        seed_demo(app).await;
        for path in ["/meetings", "/operations"] {
            assert_eq!(app.get(path, None).await.location(), format!("/sign-in?next={}", encode(path)), "{path}");
            assert_eq!(app.get(path, Some(&app.sign_in(AUDITOR).await)).await.status, StatusCode::FORBIDDEN);
        }
        let boss = app.sign_in(MANAGER).await;
        let dash = app.get("/dashboard", Some(&boss)).await;
        assert!(
            dash.body.contains("data-testid=\"dashboard-meetings\"")
                && dash.body.contains("Joint Agency Group</strong>: "),
            "the next JAG and RAG are on the dashboard"
        );
        let list = app.get("/meetings", Some(&boss)).await;
        assert!(list.body.contains("data-testid=\"next-meetings\"") && list.body.contains("Pack ready"));
        // Schedule a meeting: a bad date is shown back; a good one opens the meeting.
        let r = app.post("/meetings", Some(&boss), Some(&boss.csrf), &[("series", "jag"), ("held_on", "soon")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app
            .post(
                "/meetings",
                Some(&boss),
                Some(&boss.csrf),
                &[("series", "jag"), ("held_on", "2026-02-19"), ("location", "Room 1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let meeting = r.location().to_string();
        let viewer = app.sign_in(VIEWER).await;
        assert_eq!(
            app.post("/meetings", Some(&viewer), Some(&viewer.csrf), &[("series", "jag"), ("held_on", "2026-02-26")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        for (path, fields) in [
            ("/attendees", vec![("email", OFFICER)]),
            ("/attendees", vec![("name", "Insp. Example"), ("organisation", "BTP")]),
            ("/attendees", vec![("name", "Cllr Absent"), ("organisation", "SACDC"), ("apologies", "true")]),
            (
                "/actions",
                vec![
                    ("title", "Lighting survey"),
                    ("owner_agency", "SACDC"),
                    ("owner_name", "Parks"),
                    ("due_on", "2026-03-01"),
                ],
            ),
            ("/decisions", vec![("decision", "Extend Clarence Park patrols for four weeks")]),
            ("/minutes", vec![("minutes", "Quorate. Actions reviewed.")]),
        ] {
            let r = app.post(&format!("{meeting}{path}"), Some(&boss), Some(&boss.csrf), &fields).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}: {}", r.body);
        }
        let r = app
            .post(
                &format!("{meeting}/actions"),
                Some(&boss),
                Some(&boss.csrf),
                &[("title", "No date"), ("owner_agency", "SACDC")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("Enter the date the action is due"));
        let early = [("title", "Backdated"), ("owner_agency", "SACDC"), ("due_on", "2026-02-01")];
        let r = app.post(&format!("{meeting}/actions"), Some(&boss), Some(&boss.csrf), &early).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "due before the meeting that raised it");
        assert!(
            r.body.contains("The action is raised at the meeting on 19 February 2026, so it cannot be due before then"),
            "{}",
            r.body
        );
        let page = app.get(&meeting, Some(&boss)).await;
        for want in [
            "Lighting survey",
            "Insp. Example",
            "Sam Okafor",
            "Extend Clarence Park patrols",
            "Quorate. Actions reviewed.",
            "Deploy a fly-tipping camera",
        ] {
            assert!(page.body.contains(want), "{want}");
        }
        let camera = page.body.split("Deploy a fly-tipping camera").nth(1).unwrap_or_default();
        assert!(
            camera.split("carried-action").next().unwrap_or_default().contains(r#"data-testid="overdue-action""#),
            "an action past its date is marked: {}",
            page.body
        );
        assert!(!app.get(&meeting, Some(&viewer)).await.body.contains("Record an action"), "viewers read only");
        let apologies = page.body.split(r#"data-testid="apologies""#).nth(1).unwrap_or_default();
        let attending = page
            .body
            .split(r#"data-testid="attendees""#)
            .nth(1)
            .unwrap_or_default()
            .split("</ul>")
            .next()
            .unwrap_or_default();
        assert!(
            apologies.contains("Cllr Absent (SACDC)") && !attending.contains("Cllr Absent"),
            "apologies are listed apart: {}",
            page.body
        );
        let pack = app.get(&format!("{meeting}/pack"), Some(&boss)).await;
        assert!(pack.body.contains("Apologies: Cllr Absent (SACDC)."), "{}", pack.body);
        // Update a carried action from the meeting page.
        let id = meeting.trim_start_matches("/meetings/");
        let record = app.get_bearer(&format!("/api/v1/meetings/{id}"), &app.token(MANAGER).await).await.json();
        let carried = record["carried"][0]["id"].as_str().expect("carried").to_string();
        let r = app
            .post(
                &format!("/meeting-actions/{carried}"),
                Some(&boss),
                Some(&boss.csrf),
                &[
                    ("meeting", id),
                    (&format!("status-{carried}"), "done"),
                    (&format!("note-{carried}"), "Camera installed"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let record = app.get_bearer(&format!("/api/v1/meetings/{id}"), &app.token(MANAGER).await).await.json();
        assert_eq!(
            record["carried"].as_array().map(Vec::len),
            Some(2),
            "closed at this meeting, it still shows as carried into it"
        );
        assert!(record["carried"].to_string().contains("Camera installed"));
        // The pack on screen and as a file.
        let pack = app.get(&format!("{meeting}/pack"), Some(&boss)).await;
        assert!(pack.body.contains("data-testid=\"pack-emerging\"") && pack.body.contains("<svg"));
        let html = app.get(&format!("{meeting}/pack.html"), Some(&boss)).await;
        assert!(html.body.starts_with("<!DOCTYPE html>") && html.body.contains("Joint Agency Group pack"));
        // Operations: list, start one, see it, add and complete a task, evaluate.
        let ops = app.get("/operations", Some(&boss)).await;
        assert!(ops.body.contains("OP-2021-00001") && ops.body.contains("Start an operation"));
        let r = app
            .post(
                "/operations",
                Some(&boss),
                Some(&boss.csrf),
                &[("name", "Park lighting"), ("prompted_by", "JAG"), ("target_lat", "51.75")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body.contains("Give the target area&#39;s centre") || r.body.contains("Give the target area's centre"),
            "{}",
            r.body
        );
        let fields = [
            ("name", "Park lighting"),
            ("prompted_by", "JAG"),
            ("target_lat", "51.756"),
            ("target_lon", "-0.328"),
            ("target_radius_m", "250"),
            ("buffer_m", "250"),
            ("crime_type", "Anti-social behaviour"),
            ("starts_on", "2026-01-20"),
            ("ends_on", "2026-03-20"),
            ("agency", "HFRS"),
        ];
        let r = app.post("/operations", Some(&boss), Some(&boss.csrf), &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let op = r.location().to_string();
        let r = app
            .post(
                &format!("{op}/tasks"),
                Some(&boss),
                Some(&boss.csrf),
                &[("task", "Survey the lamps"), ("owner_agency", "HFRS"), ("due_on", "2026-02-01")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let shown = app.get(&op, Some(&boss)).await;
        assert!(shown.body.contains("Survey the lamps") && shown.body.contains("data-testid=\"operation-map\""));
        let task = app.get_bearer(&format!("/api/v1{op}"), &app.token(MANAGER).await).await.json()["tasks"][0]["id"]
            .as_str()
            .expect("task")
            .to_string();
        let police = app.sign_in(POLICE).await;
        assert_eq!(
            app.post(
                &format!("/operation-tasks/{task}/done"),
                Some(&police),
                Some(&police.csrf),
                &[("operation", op.trim_start_matches("/operations/"))]
            )
            .await
            .status,
            StatusCode::FORBIDDEN,
            "not their agency's task"
        );
        let r = app
            .post(
                &format!("/operation-tasks/{task}/done"),
                Some(&boss),
                Some(&boss.csrf),
                &[("operation", op.trim_start_matches("/operations/"))],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = app.post(&format!("{op}/evaluate"), Some(&boss), Some(&boss.csrf), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "2026 is not published yet");
        assert!(r.body.contains("not all loaded yet"));
        let evaluated = app.get_bearer("/api/v1/operations", &app.token(MANAGER).await).await.json();
        let lantern = evaluated["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|o| o["reference"] == "OP-2021-00001")
            .expect("lantern");
        assert_eq!(lantern["status"], "concluded");
        let shown = app.get(&format!("/operations/{}", lantern["id"].as_str().expect("id")), Some(&viewer)).await;
        assert!(shown.body.contains("data-testid=\"evaluation\"") && !shown.body.contains("Evaluate now"));
        // Raise and close an action through the API.
        let token = app.token(MANAGER).await;
        let a = app
            .json(
                "POST",
                &format!("/api/v1/meetings/{id}/actions"),
                &token,
                json!({ "title": "Write to the landlord", "owner_agency": "SACDC", "due_on": "2026-03-01" }),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let aid = a.json()["id"].as_str().expect("id").to_string();
        let r = app
            .json(
                "PATCH",
                &format!("/api/v1/meeting-actions/{aid}"),
                &token,
                json!({ "status": "done", "note": "Sent", "on": "2026-02-19" }),
            )
            .await;
        assert_eq!((r.status, r.json()["closed_on"].as_str()), (StatusCode::OK, Some("2026-02-19")));
    })
    .await;
}

#[tokio::test]
async fn surveys_agendas_and_operations_are_started_from_the_pages() {
    each_engine(async |app: &TestApp| {
        seed_demo(app).await;
        let boss = app.sign_in(MANAGER).await;
        let list = app.get("/surveys", Some(&boss)).await;
        assert!(
            list.body.contains("Your community safety priorities for 2027") && list.body.contains("Start a survey")
        );
        let form = [
            ("series", "psf"),
            ("title", "Harpenden priorities"),
            ("options", "Speeding\nDrugs\nLitter"),
            ("areas", "Harpenden North\nHarpenden South"),
            ("opens_on", "2026-01-15"),
            ("closes_on", "2026-02-15"),
        ];
        let r = app.post("/surveys", Some(&boss), Some(&boss.csrf), &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let results = app.get(r.location(), Some(&boss)).await;
        assert!(results.body.contains("Harpenden South") && results.body.contains("/public/surveys/"));
        let bad = [
            ("series", "psf"),
            ("title", "One option"),
            ("options", "Speeding"),
            ("areas", "A\nB"),
            ("opens_on", "2026-01-15"),
            ("closes_on", "2026-02-15"),
        ];
        let r = app.post("/surveys", Some(&boss), Some(&boss.csrf), &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Give 2 to 20 different priorities"));
        let officer = app.sign_in(OFFICER).await;
        assert_eq!(
            app.post("/surveys", Some(&officer), Some(&officer.csrf), &form).await.status,
            StatusCode::FORBIDDEN
        );
        // The standing agenda is the partnership's to edit.
        let r = app
            .post(
                "/meeting-series/jag",
                Some(&boss),
                Some(&boss.csrf),
                &[("title-jag", "St Albans JAG"), ("agenda-jag", "Welcome\nActions\nHot spots\nCases\nOperations")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let pack = app.get_bearer("/api/v1/packs/jag?date=2026-01-22", &app.token(MANAGER).await).await.json();
        assert_eq!(pack["agenda"], json!(["Welcome", "Actions", "Hot spots", "Cases", "Operations"]));
        let r = app
            .post(
                "/meeting-series/jag",
                Some(&boss),
                Some(&boss.csrf),
                &[("title-jag", "St Albans JAG"), ("agenda-jag", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // Emerging issues on the analysis page lead to a prefilled operation form.
        let analysis = app.get("/analysis", Some(&boss)).await;
        assert!(analysis.body.contains("Start an operation") && analysis.body.contains("data-operations=\"true\""));
        assert!(!app.get("/analysis", Some(&officer)).await.body.contains("Start an operation"));
        let prefilled =
            app.get("/operations?prompted_by=Burglary+rose&crime_type=Burglary&target_lat=51.8#new", Some(&boss)).await;
        assert!(prefilled.body.contains("Burglary rose") && prefilled.body.contains("value=\"51.8\""));
        assert!(prefilled.body.contains("value=\"Burglary\" checked"), "the crime type is ticked");
    })
    .await;
}

#[tokio::test]
async fn an_operation_can_target_a_loaded_area() {
    each_engine(async |app: &TestApp| {
        let ward = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"E05004687","name":"Clarence"},"geometry":{"type":"Polygon","coordinates":[[[-0.335,51.752],[-0.320,51.752],[-0.320,51.762],[-0.335,51.762],[-0.335,51.752]]]}}]}"#;
        let (areas, _) = safetynet_domain::areas::read_areas(ward, "code", "name").expect("areas");
        let operator = Principal::operator();
        let actor = Actor { principal: &operator, at_ms: start().timestamp_millis(), source: "test" };
        app.store.save_areas(safetynet_domain::areas::Level::Ward, &areas, &actor).await.expect("save");
        let boss = app.sign_in(MANAGER).await;
        let form = app.get("/operations", Some(&boss)).await;
        assert!(form.body.contains("value=\"ward:E05004687\"") && form.body.contains("Clarence (WARD)"));
        let fields = [("name", "Clarence ward week of action"), ("prompted_by", "PSF"), ("target_area", "ward:E05004687"), ("starts_on", "2026-02-01"), ("ends_on", "2026-02-07")];
        let r = app.post("/operations", Some(&boss), Some(&boss.csrf), &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id = r.location().trim_start_matches("/operations/").to_string();
        let op = app.get_bearer(&format!("/api/v1/operations/{id}"), &app.token(MANAGER).await).await.json();
        assert_eq!(op["operation"]["target"]["kind"], "polygon");
        assert_eq!(op["operation"]["target"]["geometry"]["coordinates"][0][1], json!([-0.32, 51.752]));
        let r = app.post("/operations", Some(&boss), Some(&boss.csrf), &[("name", "x"), ("prompted_by", "y"), ("target_area", "ward:NOPE"), ("starts_on", "2026-02-01"), ("ends_on", "2026-02-07")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("Choose an area from the list"));
    })
    .await;
}

#[tokio::test]
async fn surveys_take_responses_only_while_open_and_cap_each_network() {
    each_engine(async |app: &TestApp| {
        let boss = manager(app).await;
        let permit = boss.permit::<ManagePartnershipWork>().expect("permit");
        let actor = Actor { principal: &boss, at_ms: start().timestamp_millis(), source: "test" };
        app.store.save_series(&permit, "psf", MeetingKind::Psf, "Forum", None, &actor).await.expect("series");
        let list = |xs: &[&str]| xs.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        let s = app
            .store
            .create_survey(
                &permit,
                "psf",
                "Priorities",
                &list(&["Speeding", "Litter"]),
                &list(&["Redbourn", "Harpenden"]),
                date("2026-01-01"),
                date("2026-01-31"),
                &actor,
            )
            .await
            .expect("survey");
        let respond = |voter: String, network: &'static str, day: &'static str| {
            let store = app.store.clone();
            let id = s.id.clone();
            async move {
                store
                    .respond(
                        &id,
                        "Redbourn",
                        &["Litter".to_string()],
                        &voter,
                        network,
                        date(day),
                        start().timestamp_millis(),
                    )
                    .await
            }
        };
        let closed = respond("early".into(), "a", "2025-12-31").await;
        assert!(matches!(closed, Err(safetynet_store::StoreError::Rule("survey_closed", _))), "{closed:?}");
        for i in 0..safetynet_store::surveys::RESPONSES_PER_SOURCE {
            respond(format!("v{i}"), "library", "2026-01-15").await.expect("under the cap");
        }
        let capped = respond("one-more".into(), "library", "2026-01-15").await;
        assert!(matches!(capped, Err(safetynet_store::StoreError::Rule("survey_limit", _))), "{capped:?}");
        respond("one-more".into(), "home", "2026-01-15").await.expect("another network is fine");
        let again = respond("one-more".into(), "home", "2026-01-15").await;
        assert!(matches!(again, Err(safetynet_store::StoreError::Conflict(_))), "one response per browser: {again:?}");
    })
    .await;
}

/// A Priority Setting Forum meeting on 2026-01-20 and a survey open all
/// January over `areas`.
async fn forum_with_survey(app: &TestApp, areas: &[&str]) -> (safetynet_store::surveys::Survey, String) {
    let boss = manager(app).await;
    let permit = boss.permit::<ManagePartnershipWork>().expect("permit");
    let actor = Actor { principal: &boss, at_ms: start().timestamp_millis(), source: "test" };
    app.store.save_series(&permit, "psf", MeetingKind::Psf, "Forum", None, &actor).await.expect("series");
    let m = app.store.schedule_meeting(&permit, "psf", date("2026-01-20"), "Hall", &actor).await.expect("meeting");
    let list = |xs: &[&str]| xs.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
    let s = app
        .store
        .create_survey(
            &permit,
            "psf",
            "Priorities",
            &list(&["Speeding", "Litter", "Drugs"]),
            &list(areas),
            date("2026-01-01"),
            date("2026-01-31"),
            &actor,
        )
        .await
        .expect("survey");
    (s, m.id)
}

/// A resident's answer to survey `id` with `token` (in the form and the cookie).
fn survey_answer(id: &str, token: &str, area: &str) -> axum::http::Request<axum::body::Body> {
    let body = format!("token={}&area={}&choice1=Litter", encode(token), encode(area));
    axum::http::Request::post(format!("/public/surveys/{id}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("sn_survey={token}"))
        .body(axum::body::Body::from(body))
        .expect("request")
}

/// Finding 13: the one-response token is issued (and signed) by the server
/// with the form; a token the client made up is refused, so ballots cannot be
/// stuffed without loading the form for each.
#[tokio::test]
async fn survey_responses_need_a_token_the_server_issued() {
    each_engine(async |app: &TestApp| {
        let (s, _) = forum_with_survey(app, &["Redbourn", "Harpenden"]).await;
        let form = app.get(&format!("/public/surveys/{}", s.id), None).await;
        let token = form.set_cookie("sn_survey").expect("survey cookie");
        assert!(form.body.contains(&format!(r#"name="token" value="{token}""#)), "the form carries the token");
        // Tokens the client chose: plain random, or shaped like an issued one.
        let made_up = [
            safetynet_domain::token::random_secret(),
            format!("{}.{}", safetynet_domain::token::random_secret(), safetynet_domain::token::random_secret()),
            "x".to_string(),
        ];
        for t in &made_up {
            let res = app.send(survey_answer(&s.id, t, "Harpenden")).await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{t}");
            assert!(res.body.to_lowercase().contains("did not come from the survey"), "{}", res.body);
        }
        let ok = app.send(survey_answer(&s.id, &token, "Harpenden")).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert_eq!(app.send(survey_answer(&s.id, &token, "Redbourn")).await.status, StatusCode::CONFLICT, "used once");
        let results = app.store.survey_results(&s.id, i64::MAX).await.expect("results");
        assert_eq!(results[0].responses, 1, "only the issued token's ballot counted");
        // Reloading the form in the same browser keeps its token.
        let mut again = axum::http::Request::get(format!("/public/surveys/{}", s.id));
        again = again.header("cookie", format!("sn_survey={token}"));
        let again = app.send(again.body(axum::body::Body::empty()).expect("request")).await;
        assert!(again.set_cookie("sn_survey").is_none() && again.body.contains(&token));
        // A token signed for this survey server is not valid under another key.
        let other_key = safetynet_domain::token::issue("another server's key", "survey");
        assert_eq!(app.send(survey_answer(&s.id, &other_key, "Redbourn")).await.status, StatusCode::BAD_REQUEST);
    })
    .await;
}

/// Finding 13: the per-network cap counts the real client behind a trusted
/// proxy, so one address is capped while the proxy's other clients answer.
#[tokio::test]
async fn the_survey_cap_counts_each_real_client_behind_a_trusted_proxy() {
    each_engine_with(behind_local_proxy, async |app: &TestApp| {
        let (s, _) = forum_with_survey(app, &["Redbourn", "Harpenden"]).await;
        let answer_from = |client: &'static str| {
            let id = s.id.clone();
            async move {
                let form = app.get(&format!("/public/surveys/{id}"), None).await;
                let token = form.set_cookie("sn_survey").expect("survey cookie");
                let mut req = survey_answer(&id, &token, "Redbourn");
                req.headers_mut().insert("x-forwarded-for", client.parse().expect("header"));
                app.send_from("127.0.0.1", req).await
            }
        };
        for i in 0..safetynet_store::surveys::RESPONSES_PER_SOURCE {
            assert_eq!(answer_from("203.0.113.5").await.status, StatusCode::OK, "ballot {i}");
        }
        let capped = answer_from("203.0.113.5").await;
        assert_eq!(capped.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(capped.body.contains("Too many responses have come from your network"), "{}", capped.body);
        assert_eq!(answer_from("198.51.100.7").await.status, StatusCode::OK, "another resident behind the same proxy");
    })
    .await;
}

/// Finding 13: with one area suppressed, "All areas" minus the published
/// areas would give its count away; the total is withheld instead, in the
/// pack, the public summary and (as "published as") on the staff page.
#[tokio::test]
async fn a_suppressed_area_cannot_be_worked_out_from_all_areas() {
    each_engine(async |app: &TestApp| {
        let (s, meeting) = forum_with_survey(app, &["Redbourn", "Harpenden", "Wheathampstead"]).await;
        let list = |xs: &[&str]| xs.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        for (i, area) in std::iter::repeat_n("Redbourn", 7)
            .chain(std::iter::repeat_n("Harpenden", 6))
            .chain(std::iter::repeat_n("Wheathampstead", 2))
            .enumerate()
        {
            app.store
                .respond(
                    &s.id,
                    area,
                    &list(&["Drugs"]),
                    &format!("v{i}"),
                    "net",
                    date("2026-01-15"),
                    start().timestamp_millis(),
                )
                .await
                .expect("respond");
        }
        let token = app.token(MANAGER).await;
        let pack = app.get_bearer("/api/v1/packs/psf?date=2026-01-20", &token).await.json();
        let rows = pack["sections"]
            .as_array()
            .and_then(|x| x.iter().find(|s| s["id"] == "survey"))
            .map(|s| s["blocks"][1]["rows"].clone())
            .expect("rows");
        assert_eq!(
            rows.as_array().expect("rows").iter().map(|r| r[1].clone()).collect::<Vec<_>>(),
            vec![json!("not shown"), json!("7"), json!("6"), json!("fewer than 5")],
            "{rows}"
        );
        let public = app.get(&format!("/public/forums/{meeting}"), None).await;
        assert_eq!(public.status, StatusCode::OK);
        assert!(public.body.contains("not shown") && !public.body.contains(">15<"), "{}", public.body);
        let staff = app.get(&format!("/surveys/{}", s.id), Some(&app.sign_in(MANAGER).await)).await;
        assert!(
            staff.body.contains("15 responses (published as: not shown)")
                && staff.body.contains("2 responses (published as: fewer than 5)"),
            "{}",
            staff.body
        );
    })
    .await;
}

/// The scheduler's pass over ended operations, at the test clock's time.
async fn evaluate_ended(app: &TestApp) -> usize {
    let operator = safetynet_domain::policy::Principal::operator();
    let now = safetynet_domain::clock::Clock::now(&app.clock);
    let actor =
        safetynet_store::users::Actor { principal: &operator, at_ms: now.timestamp_millis(), source: "scheduler" };
    let today = safetynet_domain::uk_time::london_date(now);
    safetynet_app::evaluation::evaluate_ended(&app.store, today, &actor).await.expect("pass")
}

/// The page's refusal and the API's: same status, same message.
fn both_refuse(page: &Res, api: &Res, status: StatusCode, message: &str) {
    assert_eq!((page.status, api.status), (status, status), "{message}\npage: {}\napi: {}", page.body, api.body);
    assert!(page.body.contains(&as_sentence(message)), "page lacks {message:?} (in sentence case): {}", page.body);
    assert!(api.body.contains(message), "API lacks {message:?}: {}", api.body);
}

#[tokio::test]
async fn the_partnership_pages_and_the_api_refuse_the_same_bad_commands() {
    each_engine(async |app: &TestApp| {
        seed_demo(app).await;
        let boss = app.sign_in(MANAGER).await;
        let token = app.token(MANAGER).await;
        let post = |path: String, fields: Vec<(&'static str, &'static str)>| {
            let boss = &boss;
            async move { app.post(&path, Some(boss), Some(&boss.csrf), &fields).await }
        };

        // Progress on a commitment: the reason for the rating is required.
        let strategy = app.get_bearer("/api/v1/strategy", &token).await.json();
        let commitment = strategy["priorities"][0]["commitments"][0]["id"].as_str().expect("commitment").to_string();
        let fields = vec![("status", "in_progress"), ("rag", "amber"), ("reason", " "), ("note", "")];
        let page = post(format!("/strategy/commitments/{commitment}/updates"), fields).await;
        let body = json!({ "status": "in_progress", "rag": "amber", "reason": " " });
        let by_api =
            app.json("POST", &format!("/api/v1/strategy/commitments/{commitment}/updates"), &token, body).await;
        let message = "enter the reason for the rating (at most 2000 characters)";
        both_refuse(&page, &by_api, StatusCode::UNPROCESSABLE_ENTITY, message);

        // An operation that ends before it starts, with its target as a circle.
        let fields = vec![
            ("name", "Operation Backwards"),
            ("prompted_by", "Burglary up in Clarence ward"),
            ("target_lat", "51.7520"),
            ("target_lon", "-0.3360"),
            ("target_radius_m", "400"),
            ("buffer_m", "0"),
            ("crime_type", "Burglary"),
            ("crime_type", "Robbery"),
            ("starts_on", "2026-02-10"),
            ("ends_on", "2026-02-01"),
        ];
        let page = post("/operations".into(), fields).await;
        let body = json!({ "name": "Operation Backwards", "prompted_by": "Burglary up in Clarence ward",
            "target": { "kind": "circle", "lat": 51.752, "lon": -0.336, "radius_m": 400.0 },
            "crime_types": ["Burglary", "Robbery"], "starts_on": "2026-02-10", "ends_on": "2026-02-01" });
        let by_api = app.json("POST", "/api/v1/operations", &token, body).await;
        let message = "the operation must end on or after the day it starts";
        both_refuse(&page, &by_api, StatusCode::UNPROCESSABLE_ENTITY, message);

        // A meeting's action needs a title.
        let meetings = app.get_bearer("/api/v1/meetings", &token).await.json();
        let meeting = meetings["items"][0]["id"].as_str().expect("meeting").to_string();
        let fields = vec![("title", " "), ("owner_agency", "SACDC"), ("due_on", "2026-03-01")];
        let page = post(format!("/meetings/{meeting}/actions"), fields).await;
        let body = json!({ "title": " ", "owner_agency": "SACDC", "due_on": "2026-03-01" });
        let by_api = app.json("POST", &format!("/api/v1/meetings/{meeting}/actions"), &token, body).await;
        both_refuse(&page, &by_api, StatusCode::UNPROCESSABLE_ENTITY, "enter the action (at most 500 characters)");
    })
    .await;
}
