//! The line between agencies, one regression test per finding of the
//! security review (issue 8), each on every engine: access is never
//! transitive, every field of an answer is filtered, other agencies' people
//! cannot be used, numbers are bounded, reads of personal data are audited
//! (public reads counted, not logged one by one), and links cannot take a
//! user off-site (CSV cells are checked in `pages::crimes`).

mod common;

use axum::http::StatusCode;
use common::*;
use safetynet_domain::policy::{Principal, ViewAudit};
use safetynet_domain::role::Role;
use safetynet_store::audit::AuditFilter;
use serde_json::{json, Value};

const VICTIM: &str = "Rosalind Quarrington";
const VICTIM_DOB: &str = "1948-11-03";
const VICTIM_ADDRESS: &str = "3 Boundary Close, St Albans";

fn incident(reported: &str, occurred: &str, victim: &str) -> Value {
    json!({
        "category": "asb-personal",
        "occurred_from": occurred,
        "reported_at": reported,
        "latitude": 51.7520, "longitude": -0.3390,
        "address": VICTIM_ADDRESS,
        "description": "Stones thrown at the windows at night",
        "source": "public",
        "hate_strand": null,
        "domestic_abuse": false, "involves_child": false, "repeat": true,
        "outside_area_reason": null,
        "people": [
            { "role": "victim", "full_name": victim, "date_of_birth": VICTIM_DOB, "address": VICTIM_ADDRESS },
            { "role": "perpetrator", "full_name": "Kyle Example", "date_of_birth": "2000-06-01", "address": "14 Verulam Road, St Albans" }
        ]
    })
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let res = app.json("POST", path, token, body).await;
    let v = serde_json::from_str(&res.body).unwrap_or(Value::Null);
    (res.status, v)
}

async fn get(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    let res = app.get_bearer(path, token).await;
    (res.status, serde_json::from_str(&res.body).unwrap_or(Value::Null))
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_string()
}

/// The id of the person with `role` on an incident the caller sees in full.
async fn person(app: &TestApp, incident: &str, token: &str, role: &str) -> String {
    get(app, &format!("/api/v1/incidents/{incident}"), token).await.1["record"]["people"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["role"] == role)
        .map(|p| p["id"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default()
}

fn assert_no_victim(body: &str, what: &str) {
    for secret in [VICTIM, VICTIM_DOB, VICTIM_ADDRESS] {
        assert!(!body.contains(secret), "{what} leaks {secret}: {body}");
    }
}

#[tokio::test]
async fn resharing_never_reaches_a_third_agency() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let fire = app.token(VIEWER).await;
        let (_, inc) =
            post(app, "/api/v1/incidents", &council, incident("2026-01-15T07:00:00Z", "2026-01-14T21:30:00Z", VICTIM))
                .await;
        let inc = id(&inc);
        let (_, c1) = post(
            app,
            "/api/v1/cases",
            &council,
            json!({ "title": "Boundary Close", "problem": "Stones thrown", "incidents": [inc] }),
        )
        .await;
        let c1 = id(&c1);
        let basis = json!({ "agency": "HERTS-POLICE", "lawful_basis": "Crime and Disorder Act 1998 s115" });
        assert_eq!(post(app, &format!("/api/v1/cases/{c1}/shares"), &council, basis).await.0, StatusCode::CREATED);
        // The police see the incident through the council's share, open their own case from it
        // and share that case with the fire service.
        assert_eq!(get(app, &format!("/api/v1/incidents/{inc}"), &police).await.1["access"], "full");
        let (s, c2) = post(
            app,
            "/api/v1/cases",
            &police,
            json!({ "title": "Police case", "problem": "Criminal damage", "incidents": [inc] }),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{c2}");
        let c2 = id(&c2);
        let to_fire = json!({ "agency": "HFRS", "lawful_basis": "Crime and Disorder Act 1998 s115" });
        assert_eq!(post(app, &format!("/api/v1/cases/{c2}/shares"), &police, to_fire).await.0, StatusCode::CREATED);
        // Fire see the police case, and only a signpost for the council's incident.
        assert_eq!(get(app, &format!("/api/v1/cases/{c2}"), &fire).await.1["access"], "full");
        let (_, v) = get(app, &format!("/api/v1/incidents/{inc}"), &fire).await;
        assert_eq!(v, json!({ "access": "signpost", "contact_agency": "SACDC" }));
        for path in ["/api/v1/incidents", "/api/v1/daily-review?date=2026-01-15"] {
            let res = app.get_bearer(path, &fire).await;
            assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.body);
            assert_no_victim(&res.body, path);
        }
        let victim = person(app, &inc, &council, "victim").await;
        let (s, _) = get(app, &format!("/api/v1/case-reviews/eligibility?person={victim}"), &fire).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "fire cannot look up a person they cannot see");
        let viewer = app.sign_in(VIEWER).await;
        for page in [format!("/incidents/{inc}"), format!("/cases/{c2}"), "/incidents".to_string()] {
            let res = app.get(&page, Some(&viewer)).await;
            assert!(res.status.is_success(), "{page}: {}", res.status);
            assert_no_victim(&res.body, &page);
        }

        // The other way round: a police incident the police link to the council's case is
        // shared with the council (the lead agency) only, never with the council's partners.
        let (_, own) = post(
            app,
            "/api/v1/incidents",
            &police,
            incident("2026-01-15T06:00:00Z", "2026-01-14T20:00:00Z", "Oswin Tamberlane"),
        )
        .await;
        let own = id(&own);
        assert_eq!(
            post(app, &format!("/api/v1/cases/{c1}/incidents"), &police, json!({ "incident": own })).await.0,
            StatusCode::OK
        );
        assert_eq!(get(app, &format!("/api/v1/incidents/{own}"), &council).await.1["access"], "full");
        let basis = json!({ "agency": "HFRS", "lawful_basis": "Fire and Rescue Services Act 2004" });
        assert_eq!(post(app, &format!("/api/v1/cases/{c1}/shares"), &council, basis).await.0, StatusCode::CREATED);
        assert_eq!(
            get(app, &format!("/api/v1/incidents/{inc}"), &fire).await.1["access"],
            "full",
            "the owner shared it"
        );
        assert_eq!(get(app, &format!("/api/v1/incidents/{own}"), &fire).await.1["access"], "signpost");
    })
    .await;
}

#[tokio::test]
async fn case_review_eligibility_names_only_visible_complaints() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        // The council holds an old complaint (outside the window) and a recent one.
        let (_, old) =
            post(app, "/api/v1/incidents", &council, incident("2025-03-02T10:00:00Z", "2025-03-01T21:00:00Z", VICTIM))
                .await;
        let (_, recent) =
            post(app, "/api/v1/incidents", &council, incident("2026-01-10T10:00:00Z", "2026-01-09T21:00:00Z", VICTIM))
                .await;
        let (_, theirs) =
            post(app, "/api/v1/incidents", &police, incident("2026-01-12T10:00:00Z", "2026-01-11T21:00:00Z", VICTIM))
                .await;
        let victim = person(app, &id(&theirs), &police, "victim").await;
        let (s, v) = get(app, &format!("/api/v1/case-reviews/eligibility?person={victim}"), &police).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["count"], 2, "the council's recent complaint counts: {v}");
        assert_eq!(v["other_agencies"], json!([{ "contact_agency": "SACDC", "records": 1 }]));
        let text = v.to_string();
        for hidden in [id(&old), id(&recent), "2025-03-02".to_string()] {
            assert!(!text.contains(&hidden), "eligibility names another agency's complaint ({hidden}): {text}");
        }
        assert!(text.contains("held by other agencies not counted"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn other_agencies_people_cannot_be_used() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let (_, theirs) = post(app, "/api/v1/incidents", &police, incident("2026-01-12T10:00:00Z", "2026-01-11T21:00:00Z", VICTIM)).await;
        let (_, police_case) = post(app, "/api/v1/cases", &police, json!({ "title": "Police", "problem": "x", "incidents": [id(&theirs)] })).await;
        let their_victim = person(app, &id(&theirs), &police, "victim").await;
        let their_suspect = person(app, &id(&theirs), &police, "perpetrator").await;
        let (_, mine) = post(app, "/api/v1/incidents", &council, incident("2026-01-15T07:00:00Z", "2026-01-14T21:30:00Z", "Someone Else")).await;
        let (_, case) = post(app, "/api/v1/cases", &council, json!({ "title": "Council", "problem": "x", "incidents": [id(&mine)] })).await;
        let case = id(&case);

        let cpw = json!({ "kind": "community_protection_warning", "person_id": their_suspect, "conduct": "Throwing stones", "issued_on": "2026-01-05", "starts_at": "2026-01-05T09:00:00Z" });
        let (s, v) = post(app, &format!("/api/v1/cases/{case}/interventions"), &council, cpw).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "another agency's person: {v}");
        let (s, _) = get(app, &format!("/api/v1/case-reviews/eligibility?person={their_victim}"), &council).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = get(app, &format!("/api/v1/people/{their_victim}/duplicates"), &council).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let open = json!({ "person_id": their_victim, "applicant_kind": "victim", "received_on": "2026-01-14" });
        assert_eq!(post(app, "/api/v1/case-reviews", &council, open).await.0, StatusCode::NOT_FOUND);

        // The police warned Kyle Example; the council's CPN check must not know it.
        let warn = json!({ "kind": "community_protection_warning", "person_id": their_suspect, "conduct": "Throwing stones", "issued_on": "2026-01-05", "starts_at": "2026-01-05T09:00:00Z", "compliance_by": "2026-01-08" });
        let (s, warning) = post(app, &format!("/api/v1/cases/{}/interventions", id(&police_case)), &police, warn).await;
        assert_eq!(s, StatusCode::CREATED, "{warning}");
        let cpn = json!({ "kind": "community_protection_notice", "subject_name": "Kyle Example", "subject_date_of_birth": "2000-06-01", "conduct": "Throwing stones", "issued_on": "2026-01-15", "starts_at": "2026-01-15T09:00:00Z" });
        let (s, v) = post(app, &format!("/api/v1/cases/{case}/interventions"), &council, cpn.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["rule"], "person_record_required", "no match on a name across agencies: {v}");
        let mut naming = cpn;
        naming["follows_id"] = warning["id"].clone();
        let (s, v) = post(app, &format!("/api/v1/cases/{case}/interventions"), &council, naming).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "another agency's warning is not there for the council: {v}");
        assert!(!v.to_string().contains("Throwing stones"), "{v}");
    })
    .await;
}

#[tokio::test]
async fn case_review_numbers_are_bounded() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let (s, r) = post(
            app,
            "/api/v1/case-reviews",
            &council,
            json!({ "applicant_kind": "victim", "received_on": "2026-01-14" }),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let path = format!("/api/v1/case-reviews/{}", id(&r));
        for bad in [json!(9_223_372_036_854_775_807_i64), json!(-500), json!(101)] {
            let res = app.json("PATCH", &path, &council, json!({ "recommendations": bad })).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", res.body);
            assert!(res.body.contains("recommendations"), "{}", res.body);
        }
        let future =
            app.json("PATCH", &path, &council, json!({ "recommendations": 2, "decided_on": "2099-01-01" })).await;
        assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", future.body);
        let ok = app.json("PATCH", &path, &council, json!({ "recommendations": 3, "threshold_met": true })).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        let (s, figures) = get(app, "/api/v1/case-reviews/figures?year=2026", &council).await;
        assert_eq!(s, StatusCode::OK, "{figures}");
        let page = app.get("/case-reviews", Some(&app.sign_in(POLICE).await)).await;
        assert_eq!(page.status, StatusCode::OK);
    })
    .await;
}

async fn audited(app: &TestApp, record_type: &str) -> i64 {
    let auditor = Principal { roles: vec![Role::Auditor], ..Principal::operator() };
    let permit = auditor.permit::<ViewAudit>().expect("auditor");
    let filter = AuditFilter { record_type: Some(record_type.into()), ..Default::default() };
    app.store.search_audit(&permit, &filter, 1, 0).await.expect("audit").1
}

#[tokio::test]
async fn personal_data_reads_are_audited() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let (_, inc) =
            post(app, "/api/v1/incidents", &council, incident("2026-01-15T07:00:00Z", "2026-01-14T21:30:00Z", VICTIM))
                .await;
        let (_, case) =
            post(app, "/api/v1/cases", &council, json!({ "title": "Audit", "problem": "x", "incidents": [id(&inc)] }))
                .await;
        let case = id(&case);
        for (path, record_type) in [
            (format!("/api/v1/cases/{case}/risk-assessments"), "risk_assessment"),
            (format!("/api/v1/cases/{case}/interventions"), "intervention"),
            ("/api/v1/interventions/expiring".to_string(), "intervention"),
            ("/api/v1/case-reviews".to_string(), "case_review"),
        ] {
            let before = audited(app, record_type).await;
            assert_eq!(get(app, &path, &council).await.0, StatusCode::OK, "{path}");
            assert_eq!(audited(app, record_type).await, before + 1, "{path} is not audited");
        }
        let (tasks, cases) = (audited(app, "task").await, audited(app, "case").await);
        let officer = app.sign_in(OFFICER).await;
        assert_eq!(app.get("/dashboard", Some(&officer)).await.status, StatusCode::OK);
        assert_eq!(audited(app, "task").await, tasks + 1, "the dashboard's overdue tasks");
        assert!(audited(app, "case").await > cases, "the dashboard's reviews due");
    })
    .await;
}

#[tokio::test]
async fn public_reads_are_counted_not_logged_one_by_one() {
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, start().timestamp_millis()).await.expect("sample");
        safetynet::demo_meetings::seed_tasking(&app.store, std::sync::Arc::new(app.clock.clone()))
            .await
            .expect("tasking");
        let meetings = app.get_bearer("/api/v1/meetings", &app.token(MANAGER).await).await.json();
        let forum = meetings["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["series_code"] == "psf")
            .map(|m| m["id"].as_str().unwrap_or_default().to_string())
            .expect("a forum");
        let before = app.store.audit_len().await.expect("len");
        for _ in 0..12 {
            assert_eq!(app.get(&format!("/public/forums/{forum}"), None).await.status, StatusCode::OK);
        }
        assert_eq!(app.store.audit_len().await.expect("len"), before, "no audit row per anonymous read");
        assert_eq!(safetynet_web::public_views::flush(&app.state).await.expect("flush"), 12);
        assert_eq!(app.store.audit_len().await.expect("len"), before + 1, "one row for all of them");
        assert_eq!(audited(app, "public_page").await, 1);
        assert_eq!(safetynet_web::public_views::flush(&app.state).await.expect("flush"), 0, "nothing twice");
    })
    .await;
}

#[tokio::test]
async fn links_cannot_leave_safetynet() {
    each_engine(async |app: &TestApp| {
        let manager = app.token(MANAGER).await;
        for link in ["/\\evil.example", "//evil.example", "https://evil.example", "/a b"] {
            let op = json!({ "name": "Op", "prompted_by": "Burglary rise", "prompted_link": link,
                "target": { "kind": "circle", "lon": -0.339, "lat": 51.752, "radius_m": 400 },
                "crime_types": ["Burglary"], "starts_on": "2026-01-01", "ends_on": "2026-02-28" });
            let (s, v) = post(app, "/api/v1/operations", &manager, op).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{link}: {v}");
            assert_eq!(v["error"]["rule"], "prompted_link", "{v}");
        }
    })
    .await;
}
