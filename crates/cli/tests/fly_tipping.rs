//! Fly-tipping and environmental crime through the API and the pages, on
//! every engine: Defra categories on the incident (only a fly-tipping
//! incident the agency may see), enforcement with the toolkit's penalty
//! rules and outcomes by the agency that took the action, cameras, the
//! quarterly WasteDataFlow return (JSON and CSV), the hotspot map, and the
//! strategy measure counted from it.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

fn rule(res: &Res) -> (StatusCode, String) {
    (res.status, res.json()["error"]["rule"].as_str().unwrap_or_default().to_string())
}

/// Records a fly-tipping incident as `token` at `(lat, lon)`: its reference.
async fn fly_tip(app: &TestApp, token: &str, n: usize, at: (f64, f64)) -> String {
    let mut tip = incident_json(n);
    tip["category"] = json!("fly-tipping");
    tip["latitude"] = json!(at.0);
    tip["longitude"] = json!(at.1);
    let res = app.json("POST", "/api/v1/incidents", token, tip).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.json()["reference"].as_str().expect("reference").to_string()
}

fn categories(land: &str, waste: &str, size: &str) -> Value {
    json!({ "land_type": land, "waste_type": waste, "size": size })
}

#[tokio::test]
async fn a_fly_tip_is_categorised_enforced_and_counted_in_the_quarterly_return() {
    each_engine(async |app: &TestApp| {
        safetynet::demo_strategy::seed_strategy(&app.store, start()).await.expect("strategy");
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let lay_by = fly_tip(app, &council, 1, (51.7560, -0.3450)).await;
        let lane = fly_tip(app, &council, 2, (51.7562, -0.3448)).await;
        let uncategorised = fly_tip(app, &council, 3, (51.7480, -0.3300)).await;
        let noise = app.json("POST", "/api/v1/incidents", &council, incident_json(4)).await.json();
        let base = |r: &str| format!("/api/v1/fly-tipping/incidents/{r}");

        // Only a fly-tipping incident takes the categories; only one its agency sees.
        let noise_ref = noise["reference"].as_str().expect("reference");
        let res = app.json("POST", &format!("{}/categories", base(noise_ref)), &council, categories("highway", "green", "single_item")).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "fly_tip_category".into()));
        let res = app.json("POST", &format!("{}/categories", base(&lay_by)), &police, categories("highway", "green", "single_item")).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "another agency's incident is not revealed: {}", res.body);
        assert_eq!(app.get_bearer(&base(&lay_by), &police).await.status, StatusCode::NOT_FOUND);
        let mut future = categories("highway", "construction", "transit_van_load");
        future["cleared_on"] = json!("2026-01-16");
        let res = app.json("POST", &format!("{}/categories", base(&lay_by)), &council, future).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "fly_tip_date".into()));
        let res = app.json("POST", &format!("{}/categories", base(&lay_by)), &council, categories("highway", "construction", "transit_van_load")).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        // Correcting replaces, never duplicates.
        let res = app.json("POST", &format!("{}/categories", base(&lane)), &council, categories("agricultural", "tyres", "small_van_load")).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let res = app.json("POST", &format!("{}/categories", base(&lane)), &council, categories("highway", "tyres", "small_van_load")).await;
        assert_eq!(res.json()["details"]["land_type"], "highway");

        // Enforcement: the toolkit's penalty rules, the council's to issue.
        let act = |action: &str, basis: Value, amount: Value| {
            json!({ "action": action, "taken_on": "2026-01-12", "legal_basis": basis, "amount_pence": amount, "notes": "" })
        };
        let path = format!("{}/actions", base(&lay_by));
        let res = app.json("POST", &path, &council, act("fixed_penalty_notice", json!("fly_tipping"), json!(100_001))).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "fpn_amount_above_maximum".into()));
        let res = app.json("POST", &path, &council, act("fixed_penalty_notice", json!("litter"), json!(10_000))).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "fly_tip_action_fields".into()));
        let res = app.json("POST", &path, &council, act("fixed_penalty_notice", Value::Null, json!(40_000))).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "fpn_legal_basis_required".into()));
        let res = app.json("POST", &path, &council, act("investigation", Value::Null, Value::Null)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let res = app.json("POST", &path, &council, act("fixed_penalty_notice", json!("fly_tipping"), json!(40_000))).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let actions = res.json()["actions"].as_array().cloned().unwrap_or_default();
        let fpn = actions.iter().find(|a| a["action"] == "fixed_penalty_notice").and_then(|a| a["id"].as_str()).expect("fpn").to_string();
        let res = app.json("POST", &format!("{}/actions", base(&lane)), &council, act("prosecution", Value::Null, Value::Null)).await;
        let prosecution = res.json()["actions"][0]["id"].as_str().expect("id").to_string();
        // A police officer cannot issue a fly-tipping penalty even where they see the incident.
        let case = json!({ "title": "Lay-by fly-tipping", "problem": "Repeated dumping", "incidents": [lay_by] });
        let case = app.json("POST", "/api/v1/cases", &council, case).await;
        assert_eq!(case.status, StatusCode::CREATED, "{}", case.body);
        let case_id = case.json()["id"].as_str().expect("case").to_string();
        let share = json!({ "agency": "HERTS-POLICE", "lawful_basis": "Crime and Disorder Act 1998 s115" });
        let shared = app.json("POST", &format!("/api/v1/cases/{case_id}/shares"), &council, share).await;
        assert_eq!(shared.status, StatusCode::CREATED, "{}", shared.body);
        assert_eq!(app.get_bearer(&base(&lay_by), &police).await.status, StatusCode::OK, "shared through the case");
        let res = app.json("POST", &path, &police, act("fixed_penalty_notice", json!("fly_tipping"), json!(40_000))).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "power_not_available".into()));
        let res = app.json("POST", &format!("/api/v1/fly-tipping/actions/{fpn}/outcome"), &police, json!({ "paid_on": "2026-01-14" })).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "only the agency that took it records the outcome: {}", res.body);

        // Outcomes: a payment on a penalty, a court result on a prosecution.
        let outcome = |id: &str| format!("/api/v1/fly-tipping/actions/{id}/outcome");
        let res = app.json("POST", &outcome(&fpn), &council, json!({ "court_result": "convicted", "result_on": "2026-01-14" })).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "fly_tip_outcome_fields".into()));
        let res = app.json("POST", &outcome(&fpn), &council, json!({ "paid_on": "2026-01-14" })).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let convicted = json!({ "court_result": "convicted", "result_on": "2026-01-15", "fine_pence": 120_000,
            "costs_awarded_pence": 45_000, "costs_recovered_pence": 50_000 });
        let res = app.json("POST", &outcome(&prosecution), &council, convicted).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "fly_tip_outcome_fields".into()));
        let convicted = json!({ "court_result": "convicted", "result_on": "2026-01-15", "fine_pence": 120_000,
            "costs_awarded_pence": 45_000, "costs_recovered_pence": 20_000 });
        let res = app.json("POST", &outcome(&prosecution), &council, convicted).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);

        // The return for 2025/26 Q4 (January to March): counts in Defra's categories.
        let manager = app.token(MANAGER).await;
        let res = app.get_bearer("/api/v1/fly-tipping/return", &manager).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let r = res.json();
        assert_eq!((r["label"].as_str(), r["from"].as_str(), r["to"].as_str()), (Some("2025/26 Q4"), Some("2026-01-01"), Some("2026-03-31")));
        let lines = r["incidents"].as_array().cloned().unwrap_or_default();
        assert_eq!(lines.len(), 2, "{r}");
        assert_eq!((lines[0]["land_type"].as_str(), lines[0]["waste_type"].as_str(), lines[0]["incidents"].as_i64()), (Some("highway"), Some("tyres"), Some(1)));
        assert_eq!(r["uncategorised"], 1, "{uncategorised} is counted as not yet categorised");
        let count = |a: &str| r["actions"].as_array().and_then(|l| l.iter().find(|x| x["action"] == a)).map(|x| x["count"].clone());
        assert_eq!((count("investigation"), count("fixed_penalty_notice"), count("prosecution")), (Some(json!(1)), Some(json!(1)), Some(json!(1))));
        assert_eq!((r["fpns_paid"].as_i64(), r["fines_pence"].as_i64(), r["costs_recovered_pence"].as_i64()), (Some(1), Some(120_000), Some(20_000)));
        assert_eq!(r["court_results"][0]["result"], "convicted");
        let csv = app.get_bearer("/api/v1/fly-tipping/return?year=2025&quarter=4&format=csv", &manager).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.starts_with("Period,Section,Land type,Waste type,Size,Item,Value"), "{}", csv.body);
        assert!(csv.body.contains("2025/26 Q4,Incidents,Highway,Tyres,Small van load,Incidents,1"), "{}", csv.body);
        assert!(csv.body.contains("Fixed penalty notice,1") && csv.body.contains("Value of fines (GBP),1200.00"), "{}", csv.body);
        let earlier = app.get_bearer("/api/v1/fly-tipping/return?year=2025&quarter=3", &manager).await.json();
        assert_eq!(earlier["incidents"].as_array().map(Vec::len), Some(0), "{earlier}");
        assert_eq!(app.get_bearer("/api/v1/fly-tipping/return?year=2025", &manager).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.get_bearer("/api/v1/fly-tipping/return?year=2025&quarter=5", &manager).await.status, StatusCode::BAD_REQUEST);

        // The strategy's fly-tipping commitment is measured from it.
        let measures = app.get_bearer("/api/v1/strategy/measures", &council).await.json();
        let m = measures["items"].as_array().and_then(|l| l.iter().find(|c| c["code"] == "fly-tipping").cloned()).expect("measured");
        assert_eq!(m["measured"]["text"], "1 fixed penalty notice; 1 prosecution");

        // The map: points the agency sees, a hotspot surface, by land type.
        let points = app.get_bearer("/api/v1/fly-tipping/incidents?format=geojson", &council).await.json();
        assert_eq!(points["features"].as_array().map(Vec::len), Some(3), "{points}");
        let highway = app.get_bearer("/api/v1/fly-tipping/incidents?land_type=highway", &council).await.json();
        assert_eq!(highway["items"].as_array().map(Vec::len), Some(2), "{highway}");
        let shared = app.get_bearer("/api/v1/fly-tipping/incidents?format=geojson", &police).await.json();
        assert_eq!(shared["features"].as_array().map(Vec::len), Some(1), "the police see only what is shared: {shared}");
        let hot = app.get_bearer("/api/v1/fly-tipping/hotspots?land_type=highway", &council).await;
        assert_eq!(hot.status, StatusCode::OK, "{}", hot.body);
        let hot = hot.json();
        let peak = hot["features"].as_array().into_iter().flatten().filter_map(|f| f["properties"]["level"].as_f64()).fold(0.0, f64::max);
        assert!((peak - 1.0).abs() < 1e-9, "the densest square is the peak: {hot}");
        let far = app.get_bearer("/api/v1/fly-tipping/hotspots?land_type=railway", &council).await.json();
        assert_eq!(far["features"].as_array().map(Vec::len), Some(0));
        assert_eq!(app.get_bearer("/api/v1/fly-tipping/incidents?from=2026-02-01&to=2026-01-01", &council).await.status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn cameras_go_up_on_the_map_and_come_down_once_with_what_they_caught() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let camera = json!({ "site": "Coursers Road, Colney Heath", "camera": "CAM-02", "latitude": 51.7203, "longitude": -0.2602, "deployed_on": "2026-01-02" });
        let mut nowhere = camera.clone();
        nowhere["latitude"] = json!(95.0);
        let res = app.json("POST", "/api/v1/fly-tipping/cameras", &council, nowhere).await;
        assert_eq!(rule(&res), (StatusCode::UNPROCESSABLE_ENTITY, "camera_location".into()));
        let res = app.json("POST", "/api/v1/fly-tipping/cameras", &council, camera).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let id = res.json()["id"].as_str().expect("id").to_string();
        let points = app.get_bearer("/api/v1/fly-tipping/cameras?format=geojson", &council).await.json();
        assert_eq!(points["features"][0]["properties"]["kind"], "camera");
        // Another agency's camera is neither listed nor taken down by it.
        let theirs = app.get_bearer("/api/v1/fly-tipping/cameras", &police).await.json();
        assert_eq!(theirs["items"].as_array().map(Vec::len), Some(0));
        let down = json!({ "removed_on": "2026-01-14", "captures": 3, "vehicles_identified": 2, "notes": "A flatbed van twice" });
        let path = format!("/api/v1/fly-tipping/cameras/{id}/removal");
        assert_eq!(app.json("POST", &path, &police, down.clone()).await.status, StatusCode::NOT_FOUND);
        let early = json!({ "removed_on": "2026-01-01", "captures": 0, "vehicles_identified": 0 });
        assert_eq!(rule(&app.json("POST", &path, &council, early).await), (StatusCode::UNPROCESSABLE_ENTITY, "fly_tip_date".into()));
        let res = app.json("POST", &path, &council, down.clone()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!((res.json()["removed_on"].as_str(), res.json()["captures"].as_i64()), (Some("2026-01-14"), Some(3)));
        assert_eq!(rule(&app.json("POST", &path, &council, down).await), (StatusCode::UNPROCESSABLE_ENTITY, "camera_removed".into()));
    })
    .await;
}

#[tokio::test]
async fn the_fly_tipping_pages_categorise_enforce_and_place_cameras() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let reference = fly_tip(app, &council, 1, (51.7560, -0.3450)).await;
        let id = app.get_bearer(&format!("/api/v1/fly-tipping/incidents/{reference}"), &council).await.json()
            ["incident_id"]
            .as_str()
            .expect("id")
            .to_string();
        let s = app.sign_in(OFFICER).await;
        let list = app.get("/programmes/fly-tipping", Some(&s)).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains(&reference) && list.body.contains("To categorise"), "{}", list.body);
        assert!(list.body.contains("/api/v1/fly-tipping/hotspots?"), "the map loads the hotspot layer");

        let fields =
            [("land_type", "highway"), ("waste_type", "white_goods"), ("size", "single_item"), ("cleared_on", "")];
        let res = app.post(&format!("/programmes/fly-tipping/{id}/categories"), Some(&s), Some(&s.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let res = app
            .post(
                &format!("/programmes/fly-tipping/{id}/categories"),
                Some(&s),
                Some(&s.csrf),
                &[("land_type", "highway")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Choose the main waste type"), "{}", res.body);

        let over = [
            ("action", "fixed_penalty_notice"),
            ("taken_on", "2026-01-14"),
            ("legal_basis", "fly_tipping"),
            ("amount", "1000.01"),
            ("notes", ""),
        ];
        let res = app.post(&format!("/programmes/fly-tipping/{id}/actions"), Some(&s), Some(&s.csrf), &over).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("at most GBP 1,000.00"), "the refusal is shown at the amount: {}", res.body);
        let fpn = [
            ("action", "fixed_penalty_notice"),
            ("taken_on", "2026-01-14"),
            ("legal_basis", "fly_tipping"),
            ("amount", "400"),
            ("notes", "Issued at the roadside"),
        ];
        let res = app.post(&format!("/programmes/fly-tipping/{id}/actions"), Some(&s), Some(&s.csrf), &fpn).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = app.get(&format!("/programmes/fly-tipping/{id}"), Some(&s)).await;
        assert!(page.body.contains("GBP 400.00") && page.body.contains("White goods"), "{}", page.body);
        let action = app.get_bearer(&format!("/api/v1/fly-tipping/incidents/{id}"), &council).await.json()["actions"]
            [0]["id"]
            .as_str()
            .expect("action")
            .to_string();
        let res = app
            .post(
                &format!("/programmes/fly-tipping/actions/{action}/outcome"),
                Some(&s),
                Some(&s.csrf),
                &[("paid_on", "2026-01-15")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert!(app
            .get(&format!("/programmes/fly-tipping/{id}"), Some(&s))
            .await
            .body
            .contains("Paid 15 January 2026"));

        let camera = [
            ("site", "Redbourn Road lay-by"),
            ("camera", "CAM-04"),
            ("latitude", "51.7702"),
            ("longitude", "-0.3698"),
            ("deployed_on", "2026-01-10"),
        ];
        let res = app.post("/programmes/fly-tipping/cameras", Some(&s), Some(&s.csrf), &camera).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let res = app
            .post(
                "/programmes/fly-tipping/cameras",
                Some(&s),
                Some(&s.csrf),
                &[("site", "Somewhere"), ("latitude", "north")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let cam = app.get_bearer("/api/v1/fly-tipping/cameras", &council).await.json()["items"][0]["id"]
            .as_str()
            .expect("camera")
            .to_string();
        let down = [
            (format!("removed_on-{cam}"), "2026-01-15"),
            (format!("captures-{cam}"), "2"),
            (format!("vehicles-{cam}"), "1"),
            (format!("notes-{cam}"), ""),
        ];
        let fields: Vec<(&str, &str)> = down.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let res =
            app.post(&format!("/programmes/fly-tipping/cameras/{cam}/removal"), Some(&s), Some(&s.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let list = app.get("/programmes/fly-tipping", Some(&s)).await;
        assert!(
            list.body.contains("2 fly-tips, 1 vehicles") && list.body.contains("WasteDataFlow return"),
            "{}",
            list.body
        );
    })
    .await;
}

#[tokio::test]
async fn notes_on_enforcement_go_when_the_fly_tip_is_anonymised() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let reference = fly_tip(app, &council, 1, (51.7560, -0.3450)).await;
        let action = json!({ "action": "investigation", "taken_on": "2026-01-14", "notes": "Letter to Mr Example at 3 Lane End" });
        let res = app.json("POST", &format!("/api/v1/fly-tipping/incidents/{reference}/actions"), &council, action).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        app.clock.advance(chrono::Duration::days(6 * 366));
        let operator = safetynet_domain::policy::Principal::operator();
        let at_ms = start().timestamp_millis() + 6 * 366 * 86_400_000;
        let actor = safetynet_store::users::Actor { principal: &operator, at_ms, source: "test" };
        let run = app.store.retention_run(&Default::default(), None, &actor).await.expect("run").expect("report");
        assert_eq!(run.incidents.len(), 1, "{run:?}");
        let council = app.token(OFFICER).await;
        let record = app.get_bearer(&format!("/api/v1/fly-tipping/incidents/{reference}"), &council).await.json();
        assert_eq!(record["actions"][0]["action"], "investigation", "the action is kept for the counts");
        assert!(!record.to_string().contains("Mr Example"), "{record}");
    })
    .await;
}
