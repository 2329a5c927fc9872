//! The partners' programmes through the API and the pages, on every
//! engine: referrals between agencies (consent, the agency that runs the
//! programme, the answer going back to the referrer, nobody else seeing
//! them), sessions in schools counted by school against the County Lines
//! target, the taxi register's six-monthly DBS clock, and the strategy's
//! measures computed from them in the API, on the pages and in the RAG pack.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

async fn strategy(app: &TestApp) {
    safetynet::demo_strategy::seed_strategy(&app.store, start()).await.expect("strategy");
}

/// The measure of commitment `code` from `GET /api/v1/strategy/measures`.
async fn measure(app: &TestApp, token: &str, code: &str) -> Value {
    let res = app.get_bearer("/api/v1/strategy/measures", token).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let items = res.json()["items"].as_array().cloned().unwrap_or_default();
    items.into_iter().find(|c| c["code"] == code).map(|c| c["measured"].clone()).unwrap_or(Value::Null)
}

fn rule(res: &Res) -> (StatusCode, String) {
    (res.status, res.json()["error"]["rule"].as_str().unwrap_or_default().to_string())
}

fn safe_and_well(name: &str) -> Value {
    json!({ "programme": "safe_and_well", "to_agency": "HFRS", "full_name": name, "address": "3 Hatfield Road, St Albans",
        "reason": "new_tenancy", "consent": true, "consent_by": "person", "referred_on": "2026-01-14" })
}

#[tokio::test]
async fn a_referral_goes_to_the_agency_that_runs_the_programme_and_its_outcome_comes_back() {
    each_engine(async |app: &TestApp| {
        strategy(app).await;
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let fire = app.token(FIRE).await;

        let mut no_consent = safe_and_well("Edna Example");
        no_consent["consent"] = json!(false);
        let res = app.json("POST", "/api/v1/referrals", &council, no_consent).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "consent_required".into()));
        let mut wrong = safe_and_well("Edna Example");
        wrong["to_agency"] = json!("HERTS-POLICE");
        let res = app.json("POST", "/api/v1/referrals", &council, wrong).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "programme_not_run_by_agency".into()));
        let youth = json!({ "programme": "youth_offer", "to_agency": "HCC-SFYP", "full_name": "Kai Example", "address": "1 Road",
            "reason": "asb", "consent": true, "consent_by": "parent_or_guardian", "referred_on": "2026-01-14" });
        let res = app.json("POST", "/api/v1/referrals", &council, youth).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "date_of_birth_required".into()));

        let res = app.json("POST", "/api/v1/referrals", &council, safe_and_well("Edna Example")).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let referral = res.json();
        let id = referral["id"].as_str().expect("id").to_string();
        assert!(referral["reference"].as_str().is_some_and(|r| r.starts_with("REF-2026-")), "{referral}");
        assert_eq!(referral["status"], "referred");

        // Fire sees it among what it received; the police, who are neither
        // end of it, do not see it at all.
        let received = app.get_bearer("/api/v1/referrals", &fire).await.json();
        assert_eq!(received["items"].as_array().map(Vec::len), Some(1), "{received}");
        let sent = app.get_bearer("/api/v1/referrals?direction=sent", &council).await.json();
        assert_eq!(sent["items"][0]["id"], id.as_str());
        assert_eq!(app.get_bearer(&format!("/api/v1/referrals/{id}"), &police).await.status, StatusCode::NOT_FOUND);
        let police_list = app.get_bearer("/api/v1/referrals", &police).await.body;
        assert!(!police_list.contains("Edna Example"), "{police_list}");

        // Only the receiving agency answers; closing says what happened.
        let accept = json!({ "status": "accepted", "on": "2026-01-15" });
        let res = app.json("POST", &format!("/api/v1/referrals/{id}/updates"), &council, accept.clone()).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
        let res = app.json("POST", &format!("/api/v1/referrals/{id}/updates"), &fire, accept).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let done = json!({ "status": "completed", "on": "2026-01-15" });
        let res = app.json("POST", &format!("/api/v1/referrals/{id}/updates"), &fire, done).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "outcome_required".into()));
        let early = json!({ "status": "completed", "outcome": "Visited", "on": "2026-01-13" });
        let res = app.json("POST", &format!("/api/v1/referrals/{id}/updates"), &fire, early).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "referral_date".into()));
        let done = json!({ "status": "completed", "outcome": "Visit done: two smoke alarms fitted", "on": "2026-01-15" });
        let res = app.json("POST", &format!("/api/v1/referrals/{id}/updates"), &fire, done.clone()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let res = app.json("POST", &format!("/api/v1/referrals/{id}/updates"), &fire, done).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "referral_closed".into()));

        // The referrer reads the outcome.
        let back = app.get_bearer(&format!("/api/v1/referrals/{id}"), &council).await.json();
        assert_eq!((back["status"].as_str(), back["closed_on"].as_str()), (Some("completed"), Some("2026-01-15")));
        assert_eq!(back["outcome"], "Visit done: two smoke alarms fitted");

        // The referring officer is told it was answered, and nothing of what was said.
        let outbox = app.store.outbox(100).await.expect("outbox");
        let told = outbox.iter().find(|m| m.kind.as_str() == "referral_answered").expect("a message to the referrer");
        assert!(told.subject.contains("completed") && !told.body.contains("Edna") && !told.body.contains("smoke alarms"), "{}", told.body);

        // The visit counts towards both fire commitments, and the reads were audited.
        assert_eq!(measure(app, &council, "safe-and-well-visits").await["text"], "1 visit completed");
        assert_eq!(measure(app, &council, "new-tenancy-visits").await["text"], "1 new tenant visited");
        let auditor = app.token(AUDITOR).await;
        let audit = app.get_bearer("/api/v1/audit?action=view&agency=HFRS", &auditor).await;
        assert!(audit.body.contains("\"referral\""), "the fire service reading it is audited: {}", audit.body);
    })
    .await;
}

#[tokio::test]
async fn sessions_in_schools_count_each_school_once_against_the_county_lines_target() {
    each_engine(async |app: &TestApp| {
        strategy(app).await;
        let council = app.token(OFFICER).await;
        let session = |school: &str, topic: &str, pupils: u32, held_on: &str| {
            json!({ "school": school, "topic": topic, "pupils": pupils, "held_on": held_on })
        };
        for (school, topic, pupils) in [
            ("St Albans Girls' School", "county_lines", 180),
            ("st albans girls school", "county_lines", 40),
            ("Verulam School", "county_lines", 150),
            ("Loreto College", "healthy_relationships", 90),
            ("Cottonmill estate", "detached_youth_work", 14),
            ("Clarence Park", "detached_youth_work", 9),
        ] {
            let res = app.json("POST", "/api/v1/school-sessions", &council, session(school, topic, pupils, "2026-01-12")).await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        }
        let res = app.json("POST", "/api/v1/school-sessions", &council, session("Verulam School", "county_lines", 0, "2026-01-12")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "session_pupils".into()));
        let res = app.json("POST", "/api/v1/school-sessions", &council, session("Verulam School", "county_lines", 30, "2026-01-16")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "session_date".into()));

        let m = measure(app, &council, "county-lines-workshops").await;
        assert_eq!((m["text"].as_str(), m["figure"].as_f64()), (Some("2 of 10 schools"), Some(2.0)), "{m}");
        assert_eq!(measure(app, &council, "healthy-relationships").await["text"], "1 school, 90 pupils");
        let youth = measure(app, &council, "youth-vulnerable-groups").await;
        assert_eq!(youth["text"], "23 young people reached in 2 outreach sessions", "{youth}");
        let listed = app.get_bearer("/api/v1/school-sessions?topic=county_lines", &council).await.json();
        assert_eq!(listed["items"].as_array().map(Vec::len), Some(3), "{listed}");
        let reach = &listed["reach"];
        let county = reach.as_array().into_iter().flatten().find(|r| r["topic"] == "county_lines").cloned().unwrap_or_default();
        assert_eq!((county["sessions"].as_i64(), county["schools"].as_i64(), county["pupils"].as_i64()), (Some(3), Some(2), Some(370)));

        // The page shows the progress; the RAG pack carries the measure.
        let s = app.sign_in(OFFICER).await;
        let page = app.get("/programmes/schools", Some(&s)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("2 of 10 schools") && page.body.contains("Verulam School"), "{}", page.body);
        let manager = app.token(MANAGER).await;
        let pack = app.get_bearer("/api/v1/packs/rag?date=2026-01-15", &manager).await;
        assert_eq!(pack.status, StatusCode::OK, "{}", pack.body);
        assert!(pack.body.contains("2 of 10 schools"), "the RAG pack carries the measure: {}", pack.body);
    })
    .await;
}

#[tokio::test]
async fn the_taxi_register_keeps_the_six_monthly_dbs_clock() {
    each_engine(async |app: &TestApp| {
        strategy(app).await;
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let driver = |number: &str, name: &str| {
            json!({ "licence_number": number, "full_name": name, "licence_kind": "private_hire", "licence_expires": "2027-06-30", "update_service": true })
        };
        let res = app.json("POST", "/api/v1/taxi-drivers", &police, driver("PH/1", "Pat Example")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "licensing_authority_only".into()));
        let res = app.json("POST", "/api/v1/taxi-drivers", &council, driver("PH 1", "Pat Example")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "driver_licence_number".into()));
        let mut typo = driver("PH/9", "Pat Example");
        typo["licence_expires"] = json!("+10000-06-30");
        let res = app.json("POST", "/api/v1/taxi-drivers", &council, typo).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "driver_licence_expires".into()), "{}", res.body);
        let pat = app.json("POST", "/api/v1/taxi-drivers", &council, driver("PH/1", "Pat Example")).await.json();
        let pat = pat["id"].as_str().expect("id").to_string();
        let res = app.json("POST", "/api/v1/taxi-drivers", &council, driver("ph/1", "Someone Else")).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
        let lee = app.json("POST", "/api/v1/taxi-drivers", &council, driver("PH/2", "Lee Example")).await.json();
        let lee = lee["id"].as_str().expect("id").to_string();

        // Never checked: overdue, and none of 2 counted.
        assert_eq!(measure(app, &council, "taxi-dbs-checks").await["figure"], 0.0);
        let check = |on: &str| json!({ "checked_on": on, "result": "clear" });
        let res = app.json("POST", &format!("/api/v1/taxi-drivers/{pat}/checks"), &council, check("2025-07-16")).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        assert_eq!(res.json()["next_check_due"], "2026-01-16");
        assert_eq!(res.json()["dbs_state"], "due_soon");
        let news = json!({ "checked_on": "2026-01-10", "result": "new_information" });
        let res = app.json("POST", &format!("/api/v1/taxi-drivers/{lee}/checks"), &council, news).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "dbs_notes_required".into()));
        let res = app.json("POST", &format!("/api/v1/taxi-drivers/{lee}/checks"), &council, check("2026-01-10")).await;
        assert_eq!(res.json()["dbs_state"], "current");
        let m = measure(app, &council, "taxi-dbs-checks").await;
        assert_eq!((m["figure"].as_f64(), m["text"].as_str()), (Some(100.0), Some("100% of 2 licensed drivers checked within 6 months (2)")));

        // Two days on, Pat's check is six months and a day old.
        app.clock.advance(chrono::Duration::days(2));
        let overdue = app.get_bearer("/api/v1/taxi-drivers?state=overdue", &council).await.json();
        assert_eq!(overdue["items"].as_array().map(Vec::len), Some(1), "{overdue}");
        assert_eq!(overdue["items"][0]["full_name"], "Pat Example");
        assert_eq!(measure(app, &council, "taxi-dbs-checks").await["figure"], 50.0);
        let res = app.json("POST", &format!("/api/v1/taxi-drivers/{pat}/training"), &council, json!({ "trained_on": "2026-01-16" })).await;
        assert_eq!(res.json()["safeguarding_trained_on"], "2026-01-16");

        // A renewed licence keeps the driver on the count; a new-information check is flagged.
        let res = app.json("POST", &format!("/api/v1/taxi-drivers/{lee}/licence"), &council, json!({ "licence_expires": "2029-06-30" })).await;
        assert_eq!(res.json()["licence_expires"], "2029-06-30", "{}", res.body);
        let res = app.json("POST", &format!("/api/v1/taxi-drivers/{lee}/licence"), &police, json!({ "licence_expires": "2029-06-30" })).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
        let news = json!({ "checked_on": "2026-01-17", "result": "new_information", "notes": "Caution disclosed; licence review booked" });
        let res = app.json("POST", &format!("/api/v1/taxi-drivers/{lee}/checks"), &council, news).await;
        assert_eq!(res.json()["last_result"], "new_information", "{}", res.body);

        // Another agency reads nothing of the register.
        assert_eq!(app.get_bearer(&format!("/api/v1/taxi-drivers/{pat}"), &police).await.status, StatusCode::NOT_FOUND);
        let list = app.get_bearer("/api/v1/taxi-drivers", &police).await;
        assert!(!list.body.contains("Pat Example"), "{}", list.body);
        let res = app.json("POST", &format!("/api/v1/taxi-drivers/{pat}/checks"), &police, check("2026-01-16")).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn the_programme_pages_refer_record_and_show_the_register() {
    each_engine(async |app: &TestApp| {
        strategy(app).await;
        let s = app.sign_in(OFFICER).await;
        let hub = app.get("/programmes", Some(&s)).await;
        assert_eq!(hub.status, StatusCode::OK);
        assert!(
            hub.body.contains("Deliver County Lines workshops") && hub.body.contains("0 of 10 schools"),
            "{}",
            hub.body
        );

        // A referral without consent comes back with the problem at its field.
        let mut fields = vec![
            ("programme", "safe_and_well"),
            ("to_agency", "HFRS"),
            ("full_name", "Page Example"),
            ("address", "4 London Road"),
            ("reason", "vulnerability"),
            ("consent_by", "person"),
            ("referred_on", "2026-01-15"),
        ];
        let res = app.post("/programmes/referrals", Some(&s), Some(&s.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("href=\"#consent\"") && res.body.contains("Page Example"), "{}", res.body);
        fields.push(("consent", "true"));
        let res = app.post("/programmes/referrals", Some(&s), Some(&s.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = app.get(res.location(), Some(&s)).await;
        assert!(page.body.contains("Page Example") && page.body.contains("Referred"), "{}", page.body);
        assert!(!page.body.contains("Answer the referral"), "the referrer does not answer it");
        let sent = app.get("/programmes/referrals?direction=sent", Some(&s)).await;
        assert!(sent.body.contains("Page Example"), "{}", sent.body);

        // Sessions and the driver register from their forms.
        let session = async |pupils: &str| {
            let fields = [
                ("school", "Beaumont School"),
                ("topic", "county_lines"),
                ("held_on", "2026-01-14"),
                ("pupils", pupils),
            ];
            app.post("/programmes/schools", Some(&s), Some(&s.csrf), &fields).await
        };
        let res = session("lots").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("href=\"#pupils\""), "{}", res.body);
        let res = session("120").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let driver = [
            ("licence_number", "HC/9"),
            ("full_name", "Form Driver"),
            ("licence_kind", "hackney_carriage"),
            ("licence_expires", "2027-01-31"),
        ];
        let res = app.post("/programmes/taxi", Some(&s), Some(&s.csrf), &driver).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let driver_page = res.location().to_string();
        let res = app
            .post(
                &format!("{driver_page}/checks"),
                Some(&s),
                Some(&s.csrf),
                &[("checked_on", "2026-01-15"), ("result", "clear")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = app.get(&driver_page, Some(&s)).await;
        assert!(page.body.contains("15 July 2026") && page.body.contains("Checked"), "{}", page.body);
        let register = app.get("/programmes/taxi", Some(&s)).await;
        assert!(register.body.contains("100% of 1 licensed driver checked"), "{}", register.body);
        let res = app.post("/programmes/taxi", Some(&s), Some(&s.csrf), &driver).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("already on the register"), "{}", res.body);

        // The police officer sees neither the council's drivers nor the referral.
        let p = app.sign_in(POLICE).await;
        let page = app.get(&driver_page, Some(&p)).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        let received = app.get("/programmes/referrals", Some(&p)).await;
        assert!(!received.body.contains("Page Example"), "{}", received.body);
    })
    .await;
}

#[tokio::test]
async fn closed_referrals_and_lapsed_drivers_are_anonymised_past_retention_and_still_counted() {
    each_engine(async |app: &TestApp| {
        strategy(app).await;
        let council = app.token(OFFICER).await;
        let fire = app.token(FIRE).await;
        let referral = app.json("POST", "/api/v1/referrals", &council, safe_and_well("Retained Example")).await.json();
        let id = referral["id"].as_str().expect("id").to_string();
        let done = json!({ "status": "completed", "outcome": "Visited Retained Example at home", "on": "2026-01-15" });
        assert_eq!(app.json("POST", &format!("/api/v1/referrals/{id}/updates"), &fire, done).await.status, StatusCode::OK);
        let open = app.json("POST", "/api/v1/referrals", &council, safe_and_well("Open Example")).await.json();
        let driver = json!({ "licence_number": "PH/OLD", "full_name": "Lapsed Driver", "licence_kind": "private_hire", "licence_expires": "2026-01-31" });
        let driver = app.json("POST", "/api/v1/taxi-drivers", &council, driver).await.json();
        let driver = driver["id"].as_str().expect("id").to_string();
        let concern = json!({ "raised_on": "2026-01-15", "details": "Lapsed Driver shouted at a passenger", "share_with": "HERTS-POLICE",
            "lawful_basis": "Crime and Disorder Act 1998 s115" });
        let res = app.json("POST", &format!("/api/v1/taxi-drivers/{driver}/concerns"), &council, concern).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);

        // Three years and a day after the referral closed and the licence ended.
        app.clock.advance(chrono::Duration::days(3 * 366 + 20));
        let operator = safetynet_domain::policy::Principal::operator();
        let actor = safetynet_store::users::Actor { principal: &operator, at_ms: start().timestamp_millis() + (3 * 366 + 20) * 86_400_000, source: "test" };
        let report = app.store.retention_run(&Default::default(), None, &actor).await.expect("run").expect("report");
        let open_id = open["id"].as_str().unwrap_or_default().to_string();
        let mut expected = vec![id.clone(), open_id.clone()];
        expected.sort();
        let mut got = report.referrals.clone();
        got.sort();
        assert_eq!((got, report.taxi_drivers.clone()), (expected, vec![driver.clone()]), "never answered goes too");
        let council = app.token(OFFICER).await;
        let r = app.get_bearer(&format!("/api/v1/referrals/{id}"), &council).await.json();
        assert_eq!((r["full_name"].as_str(), r["address"].as_str(), r["status"].as_str()), (Some("Anonymised"), Some(""), Some("completed")));
        assert!(!r.to_string().contains("Retained Example"), "{r}");
        let fresh = app.json("POST", "/api/v1/referrals", &council, safe_and_well("Fresh Example")).await;
        assert_eq!(fresh.status, StatusCode::CREATED, "{}", fresh.body);
        let d = app.get_bearer(&format!("/api/v1/taxi-drivers/{driver}"), &council).await.json();
        assert_eq!(d["full_name"], "Anonymised");
        assert!(!d.to_string().contains("shouted"), "the concern's details go too: {d}");
        let police = app.token(POLICE).await;
        let shared = app.get_bearer("/api/v1/taxi-concerns", &police).await.body;
        assert!(!shared.contains("Lapsed Driver") && shared.contains("s115"), "the share's record stays, without the person: {shared}");
        assert_eq!(measure(app, &council, "safe-and-well-visits").await["text"], "1 visit completed", "still counted");
        let again = app.store.retention_run(&Default::default(), None, &actor).await.expect("run").expect("report");
        assert!(again.referrals.is_empty() && again.taxi_drivers.is_empty(), "a run is idempotent; a new referral is kept");
    })
    .await;
}

#[tokio::test]
async fn premises_are_visited_by_the_agencies_that_make_each_visit_and_counted() {
    each_engine(async |app: &TestApp| {
        strategy(app).await;
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let fire = app.token(FIRE).await;
        let care_home = json!({ "kind": "business", "name": "Example Care Home", "address": "1 Sandpit Lane", "latitude": 51.76, "longitude": -0.32 });
        let mut unbanded = care_home.clone();
        unbanded["latitude"] = Value::Null;
        let res = app.json("POST", "/api/v1/premises", &council, unbanded).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "premises_location".into()));
        let res = app.json("POST", "/api/v1/premises", &council, care_home.clone()).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "premises_risk_band_required".into()));
        let mut banded = care_home;
        banded["risk_band"] = json!("high");
        let home = app.json("POST", "/api/v1/premises", &council, banded.clone()).await.json();
        let home = home["id"].as_str().expect("id").to_string();
        banded["name"] = json!("Never Inspected Ltd");
        assert_eq!(app.json("POST", "/api/v1/premises", &council, banded).await.status, StatusCode::CREATED);
        let bar = json!({ "kind": "licensed", "name": "The Example Arms", "address": "2 High Street", "licence_number": "SA/PL/1" });
        let bar = app.json("POST", "/api/v1/premises", &council, bar).await.json();
        let bar = bar["id"].as_str().expect("id").to_string();

        let visit = |kind: &str| json!({ "kind": kind, "visited_on": "2026-01-14" });
        let at = |id: &str| format!("/api/v1/premises/{id}/visits");
        let res = app.json("POST", &at(&home), &council, visit("fire_inspection")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "visit_not_for_agency".into()));
        let res = app.json("POST", &at(&bar), &fire, visit("fire_inspection")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "visit_kind_premises".into()));
        let res = app.json("POST", &at(&home), &fire, visit("fire_inspection")).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        assert_eq!(res.json()["next_inspection_due"], "2028-01-14", "high risk: every 24 months");
        // An older inspection entered late does not move the next one back.
        let late = json!({ "kind": "fire_inspection", "visited_on": "2025-06-01" });
        let res = app.json("POST", &at(&home), &fire, late).await;
        assert_eq!(res.json()["next_inspection_due"], "2028-01-14", "{}", res.body);
        let res = app.json("POST", &at(&bar), &council, visit("vigilant_deployment")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "visit_not_for_agency".into()));
        assert_eq!(app.json("POST", &at(&bar), &police, visit("vigilant_deployment")).await.status, StatusCode::CREATED);
        assert_eq!(app.json("POST", &at(&bar), &council, visit("drink_spiking_advice")).await.status, StatusCode::CREATED);
        let trained = json!({ "kind": "safeguarding_training", "visited_on": "2026-01-15", "staff_trained": 9 });
        assert_eq!(app.json("POST", &at(&bar), &council, trained).await.status, StatusCode::CREATED);
        let res = app.json("POST", &at(&bar), &council, json!({ "kind": "licensing_check", "visited_on": "2026-01-16" })).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "visit_date".into()));

        assert_eq!(measure(app, &council, "risk-based-inspections").await["text"], "1 business premises inspected; 1 overdue");
        assert_eq!(measure(app, &council, "operation-vigilant").await["text"], "1 deployment at 1 licensed premises");
        assert_eq!(measure(app, &council, "drink-spiking").await["text"], "1 licensed premises engaged");
        assert_eq!(measure(app, &council, "safeguard-licensed-premises").await["text"], "1 licensed premises engaged");

        // The register is the partnership's: every agency reads it, and maps it.
        let list = app.get_bearer("/api/v1/premises?kind=business", &police).await.json();
        assert_eq!(list["items"][0]["name"], "Example Care Home", "due soonest first: {list}");
        let geo = app.get_bearer("/api/v1/premises?format=geojson", &fire).await.json();
        assert_eq!(geo["features"].as_array().map(Vec::len), Some(2), "only premises with a location: {geo}");
        let s = app.sign_in(OFFICER).await;
        let page = app.get("/programmes/premises", Some(&s)).await;
        assert!(page.body.contains("Never Inspected Ltd") && page.body.contains("Not yet inspected"), "{}", page.body);
        let res = app
            .post(&format!("/programmes/premises/{bar}/visits"), Some(&s), Some(&s.csrf), &[("visit_kind", "vigilant_deployment"), ("visited_on", "2026-01-15")])
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("href=\"#visit_kind\""), "{}", res.body);
        let res = app
            .post("/programmes/premises", Some(&s), Some(&s.csrf), &[("kind", "licensed"), ("name", "Form Bar"), ("address", "3 High Street"), ("latitude", "north")])
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("href=\"#latitude\""), "{}", res.body);
        let one = app.get(&format!("/programmes/premises/{bar}"), Some(&s)).await;
        assert!(one.body.contains("9 staff trained") && one.body.contains("Operation Vigilant deployment"), "{}", one.body);
    })
    .await;
}

#[tokio::test]
async fn noise_kits_are_never_booked_twice_and_visits_count_as_investigations() {
    each_engine(async |app: &TestApp| {
        strategy(app).await;
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let mut complaint = incident_json(0);
        complaint["category"] = json!("noise-domestic");
        let inc = app.json("POST", "/api/v1/incidents", &council, complaint).await.json();
        let reference = inc["reference"].as_str().expect("reference").to_string();
        let kit = app.json("POST", "/api/v1/noise/equipment", &council, json!({ "asset_tag": "NB-01", "description": "Noise-box" })).await;
        assert_eq!(kit.status, StatusCode::CREATED, "{}", kit.body);
        let kit = kit.json()["id"].as_str().expect("id").to_string();
        let again = app.json("POST", "/api/v1/noise/equipment", &council, json!({ "asset_tag": "NB-01" })).await;
        assert_eq!(again.status, StatusCode::CONFLICT);

        let book = |from: &str, to: &str| json!({ "incident": reference, "starts_on": from, "due_back_on": to });
        let path = format!("/api/v1/noise/equipment/{kit}/bookings");
        let first = app.json("POST", &path, &council, book("2026-01-15", "2026-01-29")).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let first = first.json()["id"].as_str().expect("id").to_string();
        let res = app.json("POST", &path, &council, book("2026-01-29", "2026-02-02")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "equipment_booked".into()), "sharing the last day clashes");
        let res = app.json("POST", &path, &council, book("2026-01-15", "2026-03-15")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "booking_dates".into()));
        // Another agency neither sees nor books the council's kit, nor books to its complaint.
        assert_eq!(app.json("POST", &path, &police, book("2026-02-10", "2026-02-12")).await.status, StatusCode::NOT_FOUND);
        let theirs = app.json("POST", "/api/v1/noise/equipment", &police, json!({ "asset_tag": "P-1" })).await.json();
        let theirs = format!("/api/v1/noise/equipment/{}/bookings", theirs["id"].as_str().unwrap_or_default());
        assert_eq!(app.json("POST", &theirs, &police, book("2026-02-10", "2026-02-12")).await.status, StatusCode::NOT_FOUND);
        assert!(!app.get_bearer("/api/v1/noise/equipment", &police).await.body.contains("NB-01"));

        // Past its day and not returned, the kit stays out.
        app.clock.advance(chrono::Duration::days(17));
        let res = app.json("POST", &path, &council, book("2026-02-01", "2026-02-03")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "equipment_booked".into()));
        assert!(res.body.contains("not yet returned"), "{}", res.body);
        let res = app.json("POST", &path, &council, book("2026-02-20", "2026-02-22")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "equipment_booked".into()), "out until it comes back");
        let council = app.token(OFFICER).await;
        let s = app.sign_in(OFFICER).await;
        let page = app.get("/programmes/noise", Some(&s)).await;
        assert!(page.body.contains("data-testid=\"overdue-returns\"") && page.body.contains(&reference), "{}", page.body);
        let ret = format!("/api/v1/noise/bookings/{first}/return");
        let res = app.json("POST", &ret, &council, json!({ "returned_on": "2026-02-02" })).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "booking_dates".into()), "not returned in the future");
        assert_eq!(app.json("POST", &ret, &council, json!({ "returned_on": "2026-02-01" })).await.status, StatusCode::NO_CONTENT);
        let res = app.json("POST", &ret, &council, json!({ "returned_on": "2026-02-01" })).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "booking_returned".into()));
        let res = app.json("POST", &path, &council, book("2026-02-02", "2026-02-09")).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);

        // Visits: out of hours worked out from the time; a nuisance is witnessed.
        let ancient = json!({ "incident": reference, "visited_at": "0001-01-01T00:00:00Z", "witnessed": true });
        let res = app.json("POST", "/api/v1/noise/visits", &council, ancient).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "visit_date".into()), "{}", res.body);
        let visit = json!({ "incident": reference, "visited_at": "2026-01-14T23:30:00Z", "statutory_nuisance": true });
        let res = app.json("POST", "/api/v1/noise/visits", &council, visit).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "visit_nuisance_needs_witness".into()));
        let visit = json!({ "incident": reference, "visited_at": "2026-01-14T23:30:00Z", "witnessed": true, "statutory_nuisance": true, "notes": "Bass audible in the bedroom" });
        let res = app.json("POST", "/api/v1/noise/visits", &council, visit).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        assert_eq!(res.json()["out_of_hours"], true);
        let m = measure(app, &council, "noise-investigations").await;
        assert_eq!(m["text"], "1 complaint investigated; 1 equipment deployment", "a booking from tomorrow is not out yet");
        let res = app
            .post("/programmes/noise/bookings", Some(&s), Some(&s.csrf), &[("booking_kit", &kit), ("booking_incident", "INC-1999-00001"), ("booking_starts_on", "2026-02-20"), ("booking_due_back_on", "2026-02-22")])
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("href=\"#booking_incident\""), "{}", res.body);
    })
    .await;
}

#[tokio::test]
async fn two_officers_booking_the_same_kit_at_once_cannot_both_have_it() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let inc = app.json("POST", "/api/v1/incidents", &council, incident_json(1)).await.json();
        let reference = inc["reference"].as_str().expect("reference").to_string();
        let kit = app.json("POST", "/api/v1/noise/equipment", &council, json!({ "asset_tag": "RACE-1" })).await.json();
        let path = format!("/api/v1/noise/equipment/{}/bookings", kit["id"].as_str().expect("id"));
        for round in 0..5 {
            let day = |d: i64| (start().date_naive() + chrono::Duration::days(10 * round + d)).to_string();
            let body = json!({ "incident": reference, "starts_on": day(0), "due_back_on": day(3) });
            let (a, b) =
                tokio::join!(app.json("POST", &path, &council, body.clone()), app.json("POST", &path, &council, body));
            let won = [a.status, b.status].iter().filter(|s| **s == StatusCode::CREATED).count();
            assert_eq!(won, 1, "round {round}: {} {} / {} {}", a.status, a.body, b.status, b.body);
        }
    })
    .await;
}

#[tokio::test]
async fn the_officer_is_reminded_when_a_kit_is_due_back_without_the_address() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let inc = app.json("POST", "/api/v1/incidents", &council, incident_json(7)).await.json();
        let kit =
            app.json("POST", "/api/v1/noise/equipment", &council, json!({ "asset_tag": "NB-REMIND" })).await.json();
        let path = format!("/api/v1/noise/equipment/{}/bookings", kit["id"].as_str().expect("id"));
        let booking = json!({ "incident": inc["reference"], "starts_on": "2026-01-10", "due_back_on": "2026-01-16" });
        assert_eq!(app.json("POST", &path, &council, booking).await.status, StatusCode::CREATED);
        let schedule = safetynet_domain::notification::Schedule::default();
        let queued = safetynet_app::notify::queue_due(&app.store, schedule, start()).await.expect("queue");
        assert_eq!(queued.equipment, 1, "due back tomorrow");
        let again = safetynet_app::notify::queue_due(&app.store, schedule, start()).await.expect("queue");
        assert_eq!(again.equipment, 0, "once per booking and due date");
        let outbox = app.store.outbox(100).await.expect("outbox");
        let m = outbox.iter().find(|m| m.kind.as_str() == "equipment_due").expect("a reminder");
        assert!(m.subject.contains("NB-REMIND") && !m.body.contains("Verulam Road"), "{} {}", m.subject, m.body);
    })
    .await;
}

#[tokio::test]
async fn fly_tipping_the_fire_service_records_counts_as_reports_passed_on() {
    each_engine(async |app: &TestApp| {
        strategy(app).await;
        let fire = app.token(FIRE).await;
        let council = app.token(OFFICER).await;
        for (token, n) in [(&fire, 1), (&fire, 2), (&council, 3)] {
            let mut tip = incident_json(n);
            tip["category"] = json!("fly-tipping");
            let res = app.json("POST", "/api/v1/incidents", token, tip).await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        }
        assert_eq!(measure(app, &council, "fly-tipping-reporting").await["text"], "2 reports passed on");
    })
    .await;
}

#[tokio::test]
async fn two_answers_to_one_referral_at_once_cannot_both_land() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let fire = app.token(FIRE).await;
        for round in 0..5 {
            let r = app
                .json("POST", "/api/v1/referrals", &council, safe_and_well(&format!("Race Example {round}")))
                .await
                .json();
            let path = format!("/api/v1/referrals/{}/updates", r["id"].as_str().expect("id"));
            let done = json!({ "status": "completed", "outcome": "Visited", "on": "2026-01-15" });
            let declined = json!({ "status": "declined", "outcome": "Not at home", "on": "2026-01-15" });
            let (a, b) = tokio::join!(app.json("POST", &path, &fire, done), app.json("POST", &path, &fire, declined));
            let landed = [a.status, b.status].iter().filter(|s| **s == StatusCode::OK).count();
            assert_eq!(landed, 1, "round {round}: {} {} / {} {}", a.status, a.body, b.status, b.body);
        }
        let told = app
            .store
            .outbox(100)
            .await
            .expect("outbox")
            .iter()
            .filter(|m| m.kind.as_str() == "referral_answered")
            .count();
        assert_eq!(told, 5, "one message per referral");
    })
    .await;
}

#[tokio::test]
async fn a_vawg_panel_scrutinises_a_depersonalised_random_sample_and_carries_its_learning() {
    each_engine(async |app: &TestApp| {
        strategy(app).await;
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let viewer = app.token(VIEWER).await;
        // A domestic abuse case, closed this morning.
        let mut da = incident_json(3);
        da["domestic_abuse"] = json!(true);
        da["address"] = json!("7 Secretive Street");
        da["people"] = json!([{ "role": "victim", "full_name": "Dora Secretive", "date_of_birth": "1980-02-02", "address": "7 Secretive Street" }]);
        let inc = app.json("POST", "/api/v1/incidents", &council, da).await.json();
        let case = app.json("POST", "/api/v1/cases", &council, json!({ "title": "Secretive case", "problem": "Secretive problem", "incidents": [inc["id"]] })).await.json();
        let case_path = format!("/api/v1/cases/{}/status", case["id"].as_str().expect("case"));
        let closed = app.json("POST", &case_path, &council, json!({ "version": 1, "status": "closed", "outcome": "Secretive outcome" })).await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
        let reference = case["reference"].as_str().expect("reference").to_string();

        let panel = json!({ "held_on": "2026-01-16", "chair": "Chief Inspector" });
        let res = app.json("POST", "/api/v1/vawg-panels", &council, panel.clone()).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "panel_police_only".into()));
        let p = app.json("POST", "/api/v1/vawg-panels", &police, panel).await;
        assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
        let id = p.json()["id"].as_str().expect("id").to_string();

        // Any agency sees the sample, and nothing that identifies anyone.
        let seen = app.get_bearer(&format!("/api/v1/vawg-panels/{id}"), &viewer).await;
        assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
        let v = seen.json();
        assert_eq!(v["sample"].as_array().map(Vec::len), Some(1), "{v}");
        assert_eq!(v["sample"][0]["agency"], "SACDC");
        for secret in ["Dora", "Secretive", reference.as_str(), "1980-02-02"] {
            assert!(!seen.body.contains(secret), "the panel sees {secret}: {}", seen.body);
        }

        let find = |no: u32| json!({ "case_no": no, "finding": "Risk assessed promptly; referral to IDVA made the same day" });
        let at = format!("/api/v1/vawg-panels/{id}/findings");
        assert_eq!(rule(&app.json("POST", &at, &police, find(2)).await), (StatusCode::UNPROCESSABLE_ENTITY, "finding_case".into()));
        assert_eq!(app.json("POST", &at, &police, find(1)).await.status, StatusCode::NO_CONTENT);
        let v = app.get_bearer(&format!("/api/v1/vawg-panels/{id}"), &police).await.json();
        assert!(v["sample"][0]["finding"].as_str().is_some_and(|f| f.contains("IDVA")), "{v}");

        // Learning actions are carried to the next panel until done.
        let acts = format!("/api/v1/vawg-panels/{id}/actions");
        let early = json!({ "title": "Brief response officers", "owner_agency": "HERTS-POLICE", "due_on": "2026-01-10" });
        assert_eq!(rule(&app.json("POST", &acts, &police, early).await), (StatusCode::UNPROCESSABLE_ENTITY, "action_due".into()));
        let action = json!({ "title": "Brief response officers", "owner_agency": "HERTS-POLICE", "due_on": "2026-03-01" });
        let action = app.json("POST", &acts, &police, action).await.json();
        let next = app.json("POST", "/api/v1/vawg-panels", &police, json!({ "held_on": "2026-04-16", "chair": "Chief Inspector" })).await.json();
        let next_path = format!("/api/v1/vawg-panels/{}", next["id"].as_str().expect("id"));
        let carried = app.get_bearer(&next_path, &police).await.json();
        assert_eq!(carried["actions"][0]["title"], "Brief response officers", "{carried}");
        let done = format!("/api/v1/vawg-actions/{}/done", action["id"].as_str().expect("id"));
        assert_eq!(rule(&app.json("POST", &done, &police, json!({ "done_on": "2026-01-16" })).await), (StatusCode::UNPROCESSABLE_ENTITY, "action_due".into()));
        assert_eq!(app.json("POST", &done, &police, json!({ "done_on": "2026-01-15" })).await.status, StatusCode::NO_CONTENT);
        assert_eq!(app.get_bearer(&next_path, &police).await.json()["actions"].as_array().map(Vec::len), Some(0));

        // Held panels count; the page shows the case without its details.
        app.clock.advance(chrono::Duration::days(1));
        let council = app.token(OFFICER).await;
        assert_eq!(measure(app, &council, "vawg-scrutiny-panels").await["text"], "1 panel held");
        let s = app.sign_in(POLICE).await;
        let page = app.get(&format!("/programmes/vawg/{id}"), Some(&s)).await;
        assert!(page.body.contains("Case 1") && page.body.contains("IDVA") && !page.body.contains("Secretive"), "{}", page.body);
        let res = app.post(&format!("/programmes/vawg/{id}/findings"), Some(&s), Some(&s.csrf), &[("case_no", "1"), ("finding-1", "")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("href=\"#finding-1\""), "{}", res.body);
    })
    .await;
}

#[tokio::test]
async fn the_fire_service_records_vigilance_checks_beside_the_deliberate_fires_it_may_see() {
    each_engine(async |app: &TestApp| {
        strategy(app).await;
        let fire = app.token(FIRE).await;
        let council = app.token(OFFICER).await;
        let check = json!({ "area": "Cottonmill garages", "latitude": 51.7432, "longitude": -0.3441, "checked_on": "2026-01-14",
            "checked_by": "crew", "risks": ["dumped_waste", "insecure_building"], "action_taken": "Reported to the council" });
        let res = app.json("POST", "/api/v1/arson/vigilance-checks", &council, check.clone()).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "vigilance_not_for_agency".into()));
        let mut twice = check.clone();
        twice["risks"] = json!(["combustibles", "combustibles"]);
        let res = app.json("POST", "/api/v1/arson/vigilance-checks", &fire, twice).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "vigilance_risks".into()));
        let mut old = check.clone();
        old["checked_on"] = json!("2025-12-01");
        let res = app.json("POST", "/api/v1/arson/vigilance-checks", &fire, old).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "vigilance_date".into()));
        let res = app.json("POST", "/api/v1/arson/vigilance-checks", &fire, check).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);

        // Every agency reads the checks (places and risks); a deliberate fire only where it may.
        let checks = app.get_bearer("/api/v1/arson/vigilance-checks?format=geojson", &council).await.json();
        assert_eq!(checks["features"][0]["properties"]["risks"], json!(["Dumped waste or fly-tipping", "Empty building open to entry"]));
        let mut blaze = incident_json(1);
        blaze["category"] = json!("deliberate-fire");
        let res = app.json("POST", "/api/v1/incidents", &fire, blaze).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let own = app.get_bearer("/api/v1/arson/deliberate-fires?format=geojson", &fire).await.json();
        assert_eq!(own["features"].as_array().map(Vec::len), Some(1), "{own}");
        let theirs = app.get_bearer("/api/v1/arson/deliberate-fires", &council).await.json();
        assert_eq!(theirs["items"].as_array().map(Vec::len), Some(0), "not shared with the council: {theirs}");
        let hot = app.get_bearer("/api/v1/arson/hotspots", &fire).await.json();
        assert!(hot["features"].as_array().is_some_and(|f| !f.is_empty()), "{hot}");
        assert_eq!(app.get_bearer("/api/v1/arson/hotspots", &council).await.json()["features"], json!([]));
        assert_eq!(measure(app, &council, "arson-vigilance").await["text"], "1 vigilance check; 2 fire risks found");

        // The page: the fire service's form, with each risk a checkbox.
        let s = app.sign_in(FIRE).await;
        let fields = [("area", "Bin store, Marshalswick"), ("latitude", "51.7680"), ("longitude", "-0.3120"), ("checked_on", "2026-01-15"),
            ("checked_by", "community_volunteers"), ("risk-bins_left_out", "true"), ("action_taken", "")];
        let res = app.post("/programmes/arson/vigilance-checks", Some(&s), Some(&s.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let res = app.post("/programmes/arson/vigilance-checks", Some(&s), Some(&s.csrf), &[("area", "Somewhere"), ("latitude", "x")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = app.get("/programmes/arson", Some(&s)).await;
        assert!(page.body.contains("Bins or refuse left out near buildings") && page.body.contains("/api/v1/arson/hotspots?"), "{}", page.body);
        assert!(app.get("/programmes/arson", Some(&app.sign_in(OFFICER).await)).await.body.contains("2</strong> vigilance checks"));
    })
    .await;
}

#[tokio::test]
async fn a_concern_about_a_driver_reaches_the_police_with_its_lawful_basis_and_nobody_else() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let fire = app.token(FIRE).await;
        let driver = json!({ "licence_number": "PH/2026/0099", "full_name": "Carl Example", "licence_kind": "private_hire", "licence_expires": "2027-01-31" });
        let driver = app.json("POST", "/api/v1/taxi-drivers", &council, driver).await.json();
        let path = format!("/api/v1/taxi-drivers/{}/concerns", driver["id"].as_str().expect("id"));
        let concern = |to: &str, basis: &str| json!({ "raised_on": "2026-01-14", "details": "Passenger reported inappropriate comments",
            "share_with": to, "lawful_basis": basis });
        let res = app.json("POST", &path, &council, concern("HERTS-POLICE", "")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "concern_lawful_basis".into()));
        let res = app.json("POST", &path, &council, concern("HFRS", "Crime and Disorder Act 1998 s115")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "concern_share_police".into()));
        assert_eq!(app.json("POST", &path, &fire, concern("HERTS-POLICE", "s115")).await.status, StatusCode::NOT_FOUND);
        let res = app.json("POST", &path, &council, concern("HERTS-POLICE", "Crime and Disorder Act 1998 s115")).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);

        let shared = app.get_bearer("/api/v1/taxi-concerns", &police).await.json();
        assert_eq!((shared["items"][0]["full_name"].as_str(), shared["items"][0]["licence_number"].as_str()), (Some("Carl Example"), Some("PH/2026/0099")));
        assert_eq!(shared["items"][0]["lawful_basis"], "Crime and Disorder Act 1998 s115");
        let none = app.get_bearer("/api/v1/taxi-concerns", &fire).await.body;
        assert!(!none.contains("Carl Example"), "{none}");
        let auditor = app.token(AUDITOR).await;
        let audit = app.get_bearer("/api/v1/audit?action=share", &auditor).await.body;
        assert!(audit.contains("taxi_concern"), "the share is audited: {audit}");

        // The pages: on the driver for the council, a list for the police.
        let s = app.sign_in(OFFICER).await;
        let id = driver["id"].as_str().expect("id");
        let page = app.get(&format!("/programmes/taxi/{id}"), Some(&s)).await;
        assert!(page.body.contains("Passenger reported inappropriate comments"), "{}", page.body);
        let fields = [("concern_raised_on", "2026-01-15"), ("concern_details", "Second complaint"), ("concern_share_with", "HERTS-POLICE"), ("concern_lawful_basis", "")];
        let res = app.post(&format!("/programmes/taxi/{id}/concerns"), Some(&s), Some(&s.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("lawful basis"), "{}", res.body);
        let p = app.sign_in(POLICE).await;
        let list = app.get("/programmes/taxi/concerns", Some(&p)).await;
        assert!(list.body.contains("Carl Example") && list.body.contains("PH/2026/0099"), "{}", list.body);
    })
    .await;
}
