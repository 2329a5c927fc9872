//! `safetynet generate` (the county-scale load benchmark's partnership work)
//! on every engine: the sizes asked for are made, cases are worked up over
//! their agency's own incidents and are seen by the agencies they are
//! shared with, meetings fill the years asked for, and a second run adds no
//! user or meeting twice. A fire service holding incidents gets cases too,
//! without the community protection warning it has no power to give.

mod common;

use common::*;
use safetynet::generate::{generate, Sizes};
use serde_json::Value;
use std::sync::Arc;

#[tokio::test]
async fn generate_makes_the_users_cases_and_meetings_asked_for() {
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, start().timestamp_millis()).await.expect("sample");
        safetynet::demo_cases::seed_cases(&app.store, start()).await.expect("cases");
        safetynet::demo_meetings::seed_tasking(&app.store, Arc::new(app.clock.clone())).await.expect("tasking");
        let fire = app.token(FIRE).await;
        let res = app.json("POST", "/api/v1/incidents", &fire, incident_json(1)).await;
        assert_eq!(res.status, 201, "{}", res.body);
        let sizes = Sizes { users: 64, cases: 9, meeting_years: 1, seed: 7 };
        let made = generate(&app.store, sizes, start()).await.expect("generate");
        assert_eq!(made.users, 64);
        assert_eq!(made.cases, 9);

        // The fire service's cases are worked up like the others, but s53
        // gives it no community protection warning; the others have one.
        let fire_cases = app.get_bearer("/api/v1/cases?per_page=100", &fire).await.json();
        let fire_led: Vec<&Value> =
            fire_cases["items"].as_array().expect("items").iter().filter(|c| c["owner_agency"] == "HFRS").collect();
        assert!(!fire_led.is_empty(), "{fire_cases}");
        for case in fire_led {
            let id = case["id"].as_str().expect("id");
            let record = &app.get_bearer(&format!("/api/v1/cases/{id}"), &fire).await.json()["record"];
            assert_eq!(record["tasks"].as_array().map(Vec::len), Some(3), "{record}");
            let given = app.get_bearer(&format!("/api/v1/cases/{id}/interventions"), &fire).await.json();
            assert_eq!(given["items"].as_array().map(Vec::len), Some(0), "{given}");
        }
        // A year of a JAG every 4 weeks, a RAG each quarter and a forum twice a year.
        assert_eq!(made.meetings, 14 + 5 + 3);
        assert_eq!(made.actions, 3 * made.meetings);

        // The council and the police hold the demo's incidents, so the cases
        // are theirs, over their own incidents, with the demo's work-up; the
        // police's are shared with the council.
        let token = app.token("asb.officer@stalbans.gov.uk").await;
        let cases = app.get_bearer("/api/v1/cases?per_page=100", &token).await.json();
        let items = cases["items"].as_array().expect("items");
        let generated: Vec<&Value> = items
            .iter()
            .filter(|c| c["title"].as_str().is_some_and(|t| !t.starts_with("Verulam Road: threats")))
            .collect();
        assert!(!generated.is_empty(), "{cases}");
        for case in &generated {
            let id = case["id"].as_str().expect("id");
            let record = &app.get_bearer(&format!("/api/v1/cases/{id}"), &token).await.json()["record"];
            let owner = record["owner_agency"].as_str().expect("owner");
            assert!(owner == "SACDC" || owner == "HERTS-POLICE", "{record}");
            assert_eq!(record["tasks"].as_array().map(Vec::len), Some(3), "{record}");
            assert_eq!(record["shares"].as_array().map(Vec::len), Some(1), "{record}");
            let given = app.get_bearer(&format!("/api/v1/cases/{id}/interventions"), &token).await.json();
            assert_eq!(given["items"].as_array().map(Vec::len), Some(1), "{given}");
            let incidents = record["incident_ids"].as_array().expect("incident ids");
            assert!(!incidents.is_empty(), "{record}");
            for incident in incidents {
                let path = format!("/api/v1/incidents/{}", incident.as_str().expect("incident id"));
                let seen = app.get_bearer(&path, &token).await.json();
                assert_eq!(
                    seen["record"]["owner_agency"], owner,
                    "a case links only its own agency's incidents: {seen}"
                );
            }
        }
        let again = generate(&app.store, sizes, start()).await.expect("again");
        assert_eq!((again.users, again.meetings), (0, 0), "a second run adds only what is missing");
    })
    .await;
}
