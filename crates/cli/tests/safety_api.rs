//! The Safety Net through its API, across two agencies, on every engine:
//! incidents, repeats and signposting, cases, sharing, plans with
//! optimistic concurrency, risk assessment and review dates, tasks,
//! interventions and their statutory checks, the daily review, the ASB Case
//! Review, and the audit rows all of that writes.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

fn incident(victim: &str, category: &str, reported: &str) -> Value {
    json!({
        "category": category,
        "occurred_from": "2026-01-14T21:30:00Z",
        "reported_at": reported,
        "latitude": 51.7520, "longitude": -0.3390,
        "address": "12 Verulam Road, St Albans",
        "description": "Loud music, shouting and threats from the neighbouring flat",
        "source": "public",
        "hate_strand": null,
        "domestic_abuse": false, "involves_child": false, "repeat": true,
        "outside_area_reason": null,
        "people": [
            { "role": "victim", "full_name": victim, "date_of_birth": "1950-03-02", "address": "12 Verulam Road, St Albans" },
            { "role": "perpetrator", "full_name": "Kyle Example", "date_of_birth": "2000-06-01", "address": "14 Verulam Road, St Albans" }
        ]
    })
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let res = app.json("POST", path, token, body).await;
    let v = if res.body.is_empty() { Value::Null } else { res.json() };
    (res.status, v)
}

async fn get(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    let res = app.get_bearer(path, token).await;
    (res.status, res.json())
}

/// A list answer's total and its items' ids, in order (the request must succeed).
async fn listed(app: &TestApp, path: &str, token: &str) -> (i64, Vec<String>) {
    let (s, v) = get(app, path, token).await;
    assert_eq!(s, StatusCode::OK, "{path}: {v}");
    let items = v["items"].as_array().cloned().unwrap_or_default();
    (
        v["total"].as_i64().unwrap_or(-1),
        items.iter().map(|i| i["id"].as_str().unwrap_or_default().to_string()).collect(),
    )
}

#[tokio::test]
async fn incidents_are_validated() {
    each_engine(async |app: &TestApp| {
        let t = app.token(OFFICER).await;
        let (s, v) =
            post(app, "/api/v1/incidents", &t, incident("Jane Smith", "asb-personal", "2026-01-15T07:00:00Z")).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert!(v["reference"].as_str().is_some_and(|r| r.starts_with("INC-2026-")));
        let mut bad = incident("Jane Smith", "asb-personal", "2026-01-14T20:00:00Z");
        let (s, v) = post(app, "/api/v1/incidents", &t, bad.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["rule"], "incident_validation");
        assert!(v["error"]["message"].as_str().unwrap_or("").contains("after it was reported"), "{v}");
        bad["reported_at"] = json!("2026-02-01T00:00:00Z");
        bad["occurred_from"] = json!("2026-01-31T00:00:00Z");
        assert!(post(app, "/api/v1/incidents", &t, bad).await.1["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("future"));
        let (_, v) = post(app, "/api/v1/incidents", &t, incident("J", "made-up", "2026-01-15T07:00:00Z")).await;
        assert!(v["error"]["message"].as_str().unwrap_or("").contains("category"));
        let mut far = incident("Jane Smith", "asb-personal", "2026-01-15T07:00:00Z");
        far["latitude"] = json!(51.5074);
        far["longitude"] = json!(-0.1278);
        let (s, v) = post(app, "/api/v1/incidents", &t, far.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(v["error"]["message"].as_str().unwrap_or("").contains("outside the partnership's area"));
        far["outside_area_reason"] = json!("Victim is a St Albans resident; incident at work in London");
        assert_eq!(post(app, "/api/v1/incidents", &t, far).await.0, StatusCode::CREATED);
        let mut long = incident("Jane Smith", "asb-personal", "2026-01-15T07:00:00Z");
        long["description"] = json!("x".repeat(5_001));
        assert_eq!(post(app, "/api/v1/incidents", &t, long).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let malformed = app.json("POST", "/api/v1/incidents", &t, json!("not an object")).await;
        assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
        let mut imported = incident("Jane Smith", "asb-personal", "2026-01-15T07:00:00Z");
        imported["reference"] = json!("LEGACY-42");
        assert_eq!(post(app, "/api/v1/incidents", &t, imported.clone()).await.0, StatusCode::CREATED);
        assert_eq!(post(app, "/api/v1/incidents", &t, imported).await.0, StatusCode::CONFLICT);
        let viewer = app.token(VIEWER).await;
        assert_eq!(
            post(app, "/api/v1/incidents", &viewer, incident("A", "asb-personal", "2026-01-15T07:00:00Z")).await.0,
            StatusCode::FORBIDDEN
        );
        let (_, list) = get(app, "/api/v1/incidents?q=verulam", &t).await;
        assert_eq!(list["total"], 3);
        assert_eq!(get(app, "/api/v1/incidents?per_page=0", &t).await.0, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn an_asb_case_end_to_end_across_two_agencies() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let auditor = app.token(AUDITOR).await;

        // Council records the incident; police record an earlier one about the same victim.
        let (_, mine) = post(app, "/api/v1/incidents", &council, incident("Jane Smith", "asb-personal", "2026-01-15T07:00:00Z")).await;
        let (_, theirs) = post(app, "/api/v1/incidents", &police, incident("JANE  SMITH", "crime-public-order", "2026-01-14T23:00:00Z")).await;
        let mine_id = mine["id"].as_str().unwrap_or_default().to_string();
        let theirs_id = theirs["id"].as_str().unwrap_or_default().to_string();

        // Police cannot read the council's incident: a signpost only.
        let (_, v) = get(app, &format!("/api/v1/incidents/{mine_id}"), &police).await;
        assert_eq!(v, json!({ "access": "signpost", "contact_agency": "SACDC" }));
        // The council sees that the police hold a related record, but not what it says.
        let (_, rep) = get(app, &format!("/api/v1/incidents/{mine_id}/repeats"), &council).await;
        assert_eq!(rep["other_agencies"], json!([{ "contact_agency": "HERTS-POLICE", "records": 1 }]), "{rep}");
        assert_eq!(rep["same_person"].as_array().map(Vec::len), Some(0));

        // Open a case, share it with the police under a lawful basis.
        let (s, case) = post(app, "/api/v1/cases", &council, json!({ "title": "Verulam Road noise and threats", "problem": "Repeated noise and threats to an elderly resident", "incidents": [mine_id] })).await;
        assert_eq!(s, StatusCode::CREATED, "{case}");
        let case_id = case["id"].as_str().unwrap_or_default().to_string();
        let (_, before) = get(app, &format!("/api/v1/cases/{case_id}"), &police).await;
        assert_eq!(before["access"], "signpost");
        let (s, _) = post(app, &format!("/api/v1/cases/{case_id}/shares"), &police, json!({ "agency": "HERTS-POLICE", "lawful_basis": "x" })).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "an agency cannot share what it cannot see");
        let (s, _) = post(app, &format!("/api/v1/cases/{case_id}/shares"), &council, json!({ "agency": "herts-police", "lawful_basis": "Crime and Disorder Act 1998 s115" })).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(post(app, &format!("/api/v1/cases/{case_id}/shares"), &council, json!({ "agency": "HERTS-POLICE", "lawful_basis": "again" })).await.0, StatusCode::CONFLICT);
        let (_, shared) = get(app, &format!("/api/v1/cases/{case_id}"), &police).await;
        assert_eq!(shared["access"], "full");
        assert_eq!(shared["record"]["shares"][0]["lawful_basis"], "Crime and Disorder Act 1998 s115");
        // Now the police see the council's incident through the case; and link theirs.
        assert_eq!(get(app, &format!("/api/v1/incidents/{mine_id}"), &police).await.1["access"], "full");
        assert_eq!(post(app, &format!("/api/v1/cases/{case_id}/incidents"), &police, json!({ "incident": theirs_id })).await.0, StatusCode::OK);
        let (_, rep) = get(app, &format!("/api/v1/incidents/{mine_id}/repeats"), &council).await;
        assert_eq!(rep["same_person"].as_array().map(Vec::len), Some(1), "visible now through the shared case: {rep}");
        assert_eq!(rep["other_agencies"], json!([]));

        // The plan: optimistic concurrency.
        let plan = json!({ "version": 1, "title": "Verulam Road noise and threats", "problem": "Noise and threats", "analysis_victim": "Elderly, lives alone",
            "analysis_offender": "Young adult neighbour", "analysis_location": "Council flats", "analysis_controllers": "Housing officer as place manager", "assessment": "" });
        let res = app.json("PUT", &format!("/api/v1/cases/{case_id}/plan"), &council, plan.clone()).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.json()["version"], 2);
        let stale = app.json("PUT", &format!("/api/v1/cases/{case_id}/plan"), &council, plan).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert!(stale.json()["error"]["message"].as_str().unwrap_or("").contains("someone else changed"));
        let partner_edit = app.json("PUT", &format!("/api/v1/cases/{case_id}/plan"), &police, json!({ "version": 2, "title": "x", "problem": "", "analysis_victim": "", "analysis_offender": "", "analysis_location": "", "analysis_controllers": "", "assessment": "" })).await;
        assert_eq!(partner_edit.status, StatusCode::FORBIDDEN, "only the lead agency edits the plan");

        // Risk assessment: judgement may raise, never lower.
        let (_, qs) = get(app, "/api/v1/questionnaires", &council).await;
        let asb = qs["items"].as_array().into_iter().flatten().find(|q| q["id"] == "asb-victim").cloned().unwrap_or_default();
        let mut answers = serde_json::Map::new();
        for q in asb["questions"].as_array().into_iter().flatten() {
            answers.insert(q["id"].as_str().unwrap_or_default().to_string(), json!(false));
        }
        let (s, v) = post(app, &format!("/api/v1/cases/{case_id}/risk-assessments"), &council, json!({ "questionnaire": "asb-victim", "answers": answers.clone() })).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["level"], "standard");
        assert_eq!(v["next_review_on"], "2026-03-12", "standard: 56 days from 15 January");
        let (s, v) = post(app, &format!("/api/v1/cases/{case_id}/risk-assessments"), &council, json!({ "questionnaire": "asb-victim", "answers": answers.clone(), "judgement": { "level": "high", "reason": "Threats to kill reported by a neighbour" } })).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!((v["computed"].as_str(), v["level"].as_str()), (Some("standard"), Some("high")));
        assert_eq!(v["next_review_on"], "2026-01-29", "high: 14 days");
        let (s, v) = post(app, &format!("/api/v1/cases/{case_id}/risk-assessments"), &council, json!({ "questionnaire": "asb-victim", "answers": answers.clone(), "judgement": { "level": "high", "reason": " " } })).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        answers.remove(answers.keys().next().cloned().unwrap_or_default().as_str());
        assert_eq!(post(app, &format!("/api/v1/cases/{case_id}/risk-assessments"), &council, json!({ "questionnaire": "asb-victim", "answers": answers })).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(post(app, &format!("/api/v1/cases/{case_id}/risk-assessments"), &council, json!({ "questionnaire": "nope", "answers": {} })).await.0, StatusCode::NOT_FOUND);

        // Tasks owned by either agency.
        let (s, task) = post(app, &format!("/api/v1/cases/{case_id}/tasks"), &police, json!({ "title": "Visit perpetrator with housing officer", "due_on": "2026-01-10" })).await;
        assert_eq!(s, StatusCode::CREATED, "{task}");
        let task_id = task["id"].as_str().unwrap_or_default().to_string();
        let res = app.json("PATCH", &format!("/api/v1/tasks/{task_id}"), &police, json!({ "status": "in_progress", "notes": "Booked" })).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(app.json("PATCH", &format!("/api/v1/tasks/{task_id}"), &police, json!({ "status": "lost" })).await.status, StatusCode::BAD_REQUEST);

        // Interventions: the ladder is enforced.
        let person = get(app, &format!("/api/v1/incidents/{mine_id}"), &council).await.1["record"]["people"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["role"] == "perpetrator")
            .map(|p| p["id"].as_str().unwrap_or_default().to_string())
            .unwrap_or_default();
        let cpn = json!({ "kind": "community_protection_notice", "person_id": person, "conduct": "Playing loud music at night", "issued_on": "2026-01-15", "starts_at": "2026-01-15T09:00:00Z" });
        let (s, v) = post(app, &format!("/api/v1/cases/{case_id}/interventions"), &council, cpn.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["rule"], "cpn_requires_cpw", "{v}");
        let cpw = json!({ "kind": "community_protection_warning", "person_id": person, "conduct": "playing LOUD music at night", "issued_on": "2026-01-05", "starts_at": "2026-01-05T09:00:00Z", "compliance_by": "2026-01-12" });
        let (s, warning) = post(app, &format!("/api/v1/cases/{case_id}/interventions"), &council, cpw).await;
        assert_eq!(s, StatusCode::CREATED, "{warning}");
        let mut cpn = cpn;
        cpn["follows_id"] = warning["id"].clone();
        let (s, v) = post(app, &format!("/api/v1/cases/{case_id}/interventions"), &council, cpn).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["warnings"], json!([]), "{v}");
        let closure = json!({ "kind": "closure_notice", "subject_name": "14 Verulam Road", "subject_is_business": true, "conduct": "Nuisance", "issued_on": "2026-01-15", "starts_at": "2026-01-15T10:00:00Z", "expires_at": "2026-01-17T10:00:01Z" });
        assert_eq!(post(app, &format!("/api/v1/cases/{case_id}/interventions"), &council, closure).await.1["error"]["rule"], "closure_notice_max_48_hours");
        let (_, list) = get(app, &format!("/api/v1/cases/{case_id}/interventions"), &police).await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(2));

        // Status workflow: partner cannot close; closing needs an outcome.
        let (s, _) = post(app, &format!("/api/v1/cases/{case_id}/status"), &police, json!({ "version": 2, "status": "closed", "outcome": "x" })).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, v) = post(app, &format!("/api/v1/cases/{case_id}/status"), &council, json!({ "version": 2, "status": "closed" })).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["rule"], "case_status");
        let (s, v) = post(app, &format!("/api/v1/cases/{case_id}/status"), &council, json!({ "version": 2, "status": "under_review" })).await;
        assert_eq!(s, StatusCode::OK, "{v}");

        // The timeline holds every step in order.
        let (_, full) = get(app, &format!("/api/v1/cases/{case_id}"), &council).await;
        let kinds: Vec<&str> = full["record"]["timeline"].as_array().into_iter().flatten().filter_map(|e| e["kind"].as_str()).collect();
        for k in ["status", "incident", "share", "plan", "assessment", "task", "intervention"] {
            assert!(kinds.contains(&k), "{k} in {kinds:?}");
        }
        assert_eq!(full["record"]["risk_level"], "high");

        // The daily review ranks the morning's incidents with reasons.
        let (_, daily) = get(app, "/api/v1/daily-review?date=2026-01-15", &council).await;
        let items = daily["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 2, "{daily}");
        assert!(items[0]["reasons"].as_array().into_iter().flatten().any(|r| r.as_str().unwrap_or("").contains("high-risk case")), "{daily}");
        assert_eq!(get(app, "/api/v1/daily-review?date=15-01-2026", &council).await.0, StatusCode::BAD_REQUEST);

        // Every step was audited.
        let (_, audit) = get(app, "/api/v1/audit?per_page=200", &auditor).await;
        let rows = audit["items"].as_array().cloned().unwrap_or_default();
        for (action, record) in [("create", "incident"), ("create", "case"), ("share", "case"), ("create", "risk_assessment"), ("create", "case_task"), ("create", "intervention"), ("view", "case")] {
            assert!(rows.iter().any(|r| r["action"] == action && r["record_type"] == record), "{action} {record}");
        }
        assert!(app.store.verify_audit().await.expect("verify").is_ok());
    })
    .await;
}

/// The id of the victim recorded on the created incident `created`.
async fn victim_of(app: &TestApp, created: &Value, token: &str) -> String {
    let path = format!("/api/v1/incidents/{}", created["id"].as_str().unwrap_or_default());
    get(app, &path, token).await.1["record"]["people"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["role"] == "victim")
        .map(|p| p["id"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn dash_high_risk_flags_marac_and_the_case_review_threshold_counts_every_agency() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let mut first = incident("Amira Khan", "asb-personal", "2025-11-20T10:00:00Z");
        first["occurred_from"] = json!("2025-11-19T20:00:00Z");
        let (_, a) = post(app, "/api/v1/incidents", &council, first).await;
        let victim = victim_of(app, &a, &council).await;
        let (_, e) = get(app, &format!("/api/v1/case-reviews/eligibility?person={victim}"), &council).await;
        assert_eq!((e["count"].as_u64(), e["threshold_met"].as_bool(), e["prompt_officer"].as_bool()), (Some(1), Some(false), Some(false)), "{e}");
        // Two more complaints: one to the council, one to the police (merged into the same person).
        let mut second = incident("Amira Khan", "asb-nuisance", "2025-12-10T10:00:00Z");
        second["occurred_from"] = json!("2025-12-09T20:00:00Z");
        let (_, b) = post(app, "/api/v1/incidents", &council, second).await;
        let b_victim = get(app, &format!("/api/v1/incidents/{}", b["id"].as_str().unwrap_or_default()), &council).await.1["record"]["people"][1]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let (_, dups) = get(app, &format!("/api/v1/people/{victim}/duplicates"), &council).await;
        assert_eq!(dups["items"].as_array().map(Vec::len), Some(1), "suggested, not merged: {dups}");
        assert_eq!(post(app, &format!("/api/v1/people/{victim}/merge"), &council, json!({ "duplicate": b_victim })).await.0, StatusCode::OK);
        let (_, e) = get(app, &format!("/api/v1/case-reviews/eligibility?person={victim}"), &council).await;
        assert_eq!((e["count"].as_u64(), e["prompt_officer"].as_bool()), (Some(2), Some(true)), "second complaint: tell the victim: {e}");
        // A burglary reported by the same victim is a crime, not an ASB complaint: it does not count (issue 12).
        let mut burglary = incident("Amira Khan", "crime-burglary", "2025-12-20T10:00:00Z");
        burglary["occurred_from"] = json!("2025-12-19T20:00:00Z");
        let (_, burgled) = post(app, "/api/v1/incidents", &council, burglary).await;
        let c_victim = victim_of(app, &burgled, &council).await;
        if c_victim != victim {
            post(app, &format!("/api/v1/people/{victim}/merge"), &council, json!({ "duplicate": c_victim })).await;
        }
        let (_, e) = get(app, &format!("/api/v1/case-reviews/eligibility?person={victim}"), &council).await;
        assert_eq!(e["count"].as_u64(), Some(2), "the burglary is not counted: {e}");
        assert_eq!(get(app, "/api/v1/case-reviews/eligibility?person=nobody", &council).await.0, StatusCode::NOT_FOUND);

        // DASH: 14 yes answers is high risk and a MARAC referral.
        let (_, c) = post(app, "/api/v1/cases", &council, json!({ "title": "DA case", "problem": "Domestic abuse", "incidents": [a["id"]] })).await;
        let case_id = c["id"].as_str().unwrap_or_default().to_string();
        let (_, qs) = get(app, "/api/v1/questionnaires", &council).await;
        let dash = qs["items"].as_array().into_iter().flatten().find(|q| q["id"] == "dash").cloned().unwrap_or_default();
        let answers: serde_json::Map<String, Value> = dash["questions"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, q)| (q["id"].as_str().unwrap_or_default().to_string(), json!(i < 14)))
            .collect();
        let (s, v) = post(app, &format!("/api/v1/cases/{case_id}/risk-assessments"), &council, json!({ "questionnaire": "dash", "answers": answers, "person_id": victim })).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!((v["level"].as_str(), v["marac_referral"].as_bool()), (Some("high"), Some(true)));

        // Case Review application and its clocks (working days, bank holidays skipped).
        let (s, r) = post(app, "/api/v1/case-reviews", &council, json!({ "person_id": victim, "applicant_kind": "victim", "received_on": "2026-01-09" })).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(r["clocks"]["acknowledge_by"], "2026-01-14", "Friday + 3 working days");
        let id = r["id"].as_str().unwrap_or_default().to_string();
        let res = app.json("PATCH", &format!("/api/v1/case-reviews/{id}"), &council, json!({ "threshold_met": true, "decided_on": "2026-01-12", "meeting_on": "2026-01-20", "chair": "CSP manager", "recommendations": 3 })).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(app.json("PATCH", &format!("/api/v1/case-reviews/{id}"), &police, json!({})).await.status, StatusCode::NOT_FOUND, "another agency's review");
        let (_, f) = get(app, "/api/v1/case-reviews/figures?year=2026", &council).await;
        assert_eq!(f["figures"], json!({ "applications": 1, "threshold_met": 1, "reviews_held": 1, "recommendations": 3 }));
        let _ = police;
    })
    .await;
}

#[tokio::test]
async fn the_demo_case_seeds_once_and_shows_on_the_daily_review() {
    each_engine(async |app: &TestApp| {
        use safetynet_domain::clock::Clock;
        safetynet::demo_cases::seed_cases(&app.store, app.clock.now()).await.expect("seed");
        safetynet::demo_cases::seed_cases(&app.store, app.clock.now()).await.expect("seed again");
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let (_, cases) = get(app, "/api/v1/cases", &council).await;
        assert_eq!(cases["total"], 1, "seeded once");
        let case_id = cases["items"][0]["id"].as_str().unwrap_or_default().to_string();
        assert_eq!(
            get(app, &format!("/api/v1/cases/{case_id}"), &police).await.1["access"],
            "full",
            "shared with the police"
        );
        let (_, daily) = get(app, "/api/v1/daily-review?date=2026-01-15", &police).await;
        let items = daily["items"].as_array().cloned().unwrap_or_default();
        assert!(items.len() >= 4, "{daily}");
        assert!(items[0]["score"].as_u64().unwrap_or(0) >= items[items.len() - 1]["score"].as_u64().unwrap_or(0));
        let dash = app.get("/dashboard", Some(&app.sign_in(OFFICER).await)).await;
        assert!(dash.body.contains(r#"data-testid="overdue-tasks">1<"#), "one task is overdue: {}", dash.body);
    })
    .await;
}

/// A stored status the code does not know is an error, never read as
/// "Open" (which let any transition through).
#[tokio::test]
async fn an_unknown_stored_status_is_an_error_not_open() {
    use safetynet_store::{sql::Q, Exec};
    each_engine(async |app: &TestApp| {
        let officer = app.token("asb.officer@stalbans.gov.uk").await;
        let case =
            app.json("POST", "/api/v1/cases", &officer, json!({ "title": "Noise", "problem": "Loud music" })).await;
        assert_eq!(case.status, StatusCode::CREATED, "{}", case.body);
        let id = case.json()["id"].as_str().expect("id").to_string();
        let mut conn = app.store.conn().await.expect("conn");
        conn.execute(&Q::new("UPDATE cases SET status = 'bogus' WHERE id = $1").bind(id.as_str()))
            .await
            .expect("corrupt");
        drop(conn);
        let res = app
            .json(
                "POST",
                &format!("/api/v1/cases/{id}/status"),
                &officer,
                json!({ "version": 1, "status": "under_review" }),
            )
            .await;
        assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", res.body);
        let row = app
            .store
            .conn()
            .await
            .expect("conn")
            .one(&Q::new("SELECT status FROM cases WHERE id = $1").bind(id.as_str()))
            .await
            .expect("case");
        assert_eq!(row.text("status").expect("status"), "bogus", "nothing was changed");
    })
    .await;
}

/// The incident list reads each way an incident reaches an agency (its own,
/// shared with it, in a shared case of the incident's owner) from its own
/// index and takes its own total from kept counts: the pages, the order and
/// the totals must still be exactly those of the visibility rule, for every
/// filter, and the kept counts must follow inserts, re-filing and deletes.
#[tokio::test]
async fn the_incident_list_pages_and_counts_every_way_an_incident_is_seen() {
    use safetynet_store::{sql::Q, Exec};
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let fire = app.token(VIEWER).await;
        let mut ids = Vec::new();
        for (who, category, at) in [
            (&council, "asb-personal", "2026-01-15T07:00:00Z"),
            (&council, "asb-personal", "2026-01-15T08:00:00Z"),
            (&council, "crime-public-order", "2026-01-15T09:00:00Z"),
            (&police, "asb-personal", "2026-01-15T07:30:00Z"),
            (&police, "crime-public-order", "2026-01-15T06:00:00Z"),
        ] {
            let (s, v) = post(app, "/api/v1/incidents", who, incident("Jane Smith", category, at)).await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
            ids.push(v["id"].as_str().unwrap_or_default().to_string());
        }
        // A council case holding the council's first incident, shared with the
        // police; the police contribute their first incident to it.
        let (s, case) =
            post(app, "/api/v1/cases", &council, json!({ "title": "List", "problem": "x", "incidents": [ids[0]] }))
                .await;
        assert_eq!(s, StatusCode::CREATED, "{case}");
        let case_id = case["id"].as_str().unwrap_or_default().to_string();
        let share = json!({ "agency": "HERTS-POLICE", "lawful_basis": "Crime and Disorder Act 1998 s115" });
        assert_eq!(post(app, &format!("/api/v1/cases/{case_id}/shares"), &council, share).await.0, StatusCode::CREATED);
        assert_eq!(
            post(app, &format!("/api/v1/cases/{case_id}/incidents"), &police, json!({ "incident": ids[3] })).await.0,
            StatusCode::OK
        );

        let list = async |token: &str, query: &str| listed(app, &format!("/api/v1/incidents?{query}"), token).await;
        let newest_first = |picks: &[usize]| -> Vec<String> {
            let at = ["07:00", "08:00", "09:00", "07:30", "06:00"];
            let mut p = picks.to_vec();
            p.sort_by(|a, b| at[*b].cmp(at[*a]));
            p.iter().map(|&i| ids[i].clone()).collect()
        };
        // The council: its three, and the police incident contributed to its case.
        assert_eq!(list(&council, "").await, (4, newest_first(&[0, 1, 2, 3])));
        assert_eq!(list(&council, "category=asb-personal").await, (3, newest_first(&[0, 1, 3])));
        assert_eq!(list(&council, "category=crime-public-order").await, (1, newest_first(&[2])));
        // The police: their two, and the council's incident in the shared case.
        assert_eq!(list(&police, "").await, (3, newest_first(&[0, 3, 4])));
        assert_eq!(list(&police, "category=asb-personal").await, (2, newest_first(&[0, 3])));
        // Fire: nothing of anyone else's.
        assert_eq!(list(&fire, "").await, (0, vec![]));
        // One at a time, the pages walk the same order with the same total.
        let mut walked = Vec::new();
        for page in 1..=5 {
            let (total, items) = list(&council, &format!("per_page=1&page={page}")).await;
            assert_eq!(total, 4);
            walked.extend(items);
        }
        assert_eq!(walked, newest_first(&[0, 1, 2, 3]), "page 5 is empty");
        // A text search counts what it matches.
        let reference =
            get(app, &format!("/api/v1/incidents/{}", ids[3]), &council).await.1["record"]["reference"].clone();
        let (total, items) = list(&council, &format!("q={}", reference.as_str().unwrap_or_default())).await;
        assert_eq!((total, items), (1, vec![ids[3].clone()]));
        assert_eq!(list(&council, "q=verulam&category=asb-personal").await.0, 3);

        // The kept counts follow re-filing and deletion.
        let mut conn = app.store.conn().await.expect("conn");
        conn.execute(&Q::new("UPDATE incidents SET category = 'asb-nuisance' WHERE id = $1").bind(&ids[1]))
            .await
            .expect("refile");
        for table in ["incident_people", "case_incidents"] {
            conn.execute(&Q::new(format!("DELETE FROM {table} WHERE incident_id = $1")).bind(&ids[2]))
                .await
                .expect("unlink");
        }
        conn.execute(&Q::new("DELETE FROM incidents WHERE id = $1").bind(&ids[2])).await.expect("delete");
        drop(conn);
        assert_eq!(list(&council, "").await, (3, newest_first(&[0, 1, 3])));
        assert_eq!(list(&council, "category=asb-personal").await, (2, newest_first(&[0, 3])));
        assert_eq!(list(&council, "category=asb-nuisance").await, (1, newest_first(&[1])));
        assert_eq!(list(&council, "category=crime-public-order").await, (0, vec![]));

        // The police's view of others' incidents is kept between changes to
        // sharing (read once here), and follows a re-filing and a share's end.
        assert_eq!(list(&police, "").await, (3, newest_first(&[0, 3, 4])));
        let mut conn = app.store.conn().await.expect("conn");
        conn.execute(&Q::new("UPDATE incidents SET category = 'asb-nuisance' WHERE id = $1").bind(&ids[0]))
            .await
            .expect("refile");
        drop(conn);
        assert_eq!(list(&police, "category=asb-personal").await, (1, newest_first(&[3])));
        assert_eq!(list(&police, "category=asb-nuisance").await, (1, newest_first(&[0])));
        let mut conn = app.store.conn().await.expect("conn");
        conn.execute(&Q::new("DELETE FROM record_shares WHERE record_type = 'case' AND record_id = $1").bind(&case_id))
            .await
            .expect("end the share");
        drop(conn);
        assert_eq!(list(&police, "").await, (2, newest_first(&[3, 4])));
    })
    .await;
}

#[tokio::test]
async fn the_case_list_pages_and_counts_own_and_shared_cases() {
    use safetynet_store::{sql::Q, Exec};
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let mut ids = Vec::new();
        for (who, title) in [(&council, "C1"), (&police, "P1"), (&council, "C2"), (&police, "P2"), (&council, "C3")] {
            app.clock.advance(chrono::Duration::minutes(1));
            let (s, v) = post(app, "/api/v1/cases", who, json!({ "title": title, "problem": "x" })).await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
            ids.push(v["id"].as_str().unwrap_or_default().to_string());
        }
        let share = json!({ "agency": "HERTS-POLICE", "lawful_basis": "Crime and Disorder Act 1998 s115" });
        for c in [&ids[0], &ids[4]] {
            assert_eq!(
                post(app, &format!("/api/v1/cases/{c}/shares"), &council, share.clone()).await.0,
                StatusCode::CREATED
            );
        }
        let list = async |token: &str, query: &str| listed(app, &format!("/api/v1/cases?{query}"), token).await;
        let newest_first = |picks: &[usize]| -> Vec<String> { picks.iter().rev().map(|&i| ids[i].clone()).collect() };
        // The police: their own two and the two the council shared, newest first.
        assert_eq!(list(&police, "").await, (4, newest_first(&[0, 1, 3, 4])));
        assert_eq!(list(&council, "").await, (3, newest_first(&[0, 2, 4])));
        let mut walked = Vec::new();
        for page in 1..=5 {
            let (total, items) = list(&police, &format!("per_page=1&page={page}")).await;
            assert_eq!(total, 4);
            walked.extend(items);
        }
        assert_eq!(walked, newest_first(&[0, 1, 3, 4]), "page 5 is empty");
        // Closed cases leave the live list, whoever holds them.
        let mut conn = app.store.conn().await.expect("conn");
        for c in [&ids[1], &ids[4]] {
            conn.execute(&Q::new("UPDATE cases SET status = 'closed' WHERE id = $1").bind(c)).await.expect("close");
        }
        assert_eq!(list(&police, "live=true").await, (2, newest_first(&[0, 3])));
        assert_eq!(list(&police, "live=true&per_page=1&page=2").await, (2, newest_first(&[0])));
    })
    .await;
}

/// Issue 12: a local Case Review threshold stricter than the 2014 Act allows
/// is refused when the configuration is loaded, naming every problem.
#[test]
fn a_case_review_threshold_above_the_statutory_maximum_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("safetynet.toml");
    let run = |toml: &str| {
        std::fs::write(&path, toml).expect("write");
        std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"))
            .arg("check-config")
            .arg("--config")
            .arg(&path)
            .output()
            .expect("run")
    };
    let four = run("[safety.case_review]\nthreshold = 4\nwindow_months = 3\n");
    assert!(!four.status.success());
    let err = String::from_utf8_lossy(&four.stderr);
    assert!(err.contains("case_review.threshold must be from 1 to 3 (the statutory maximum), not 4"), "{err}");
    assert!(err.contains("case_review.window_months must be from 6"), "{err}");
    let lower = run("[safety.case_review]\nthreshold = 2\nwindow_months = 12\n");
    assert!(lower.status.success(), "a lower bar is allowed: {}", String::from_utf8_lossy(&lower.stderr));
}
