//! Keeping victims informed (the Victims' Code), on every engine: the lead
//! agency records how and when a victim on a case wants to be told; an
//! update falls due at each agreed point the case reaches; giving it
//! e-mails the victim the officer's note (or records the call); partners
//! see only that it was given; a victim who asked for no updates gets none.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

/// Opens a case on an incident with a victim; (case id, victim's person id).
async fn case_with_victim(app: &TestApp, council: &str) -> (String, String) {
    let mut incident = incident_json(1);
    incident["people"] = json!([{ "role": "victim", "full_name": "Vera Victim", "address": "3 Verulam Road" }]);
    let inc = app.json("POST", "/api/v1/incidents", council, incident).await.json();
    let incident = inc["id"].as_str().expect("incident").to_string();
    let full = app.get_bearer(&format!("/api/v1/incidents/{incident}"), council).await.json();
    let person = full["record"]["people"][0]["id"].as_str().expect("person").to_string();
    let case = app
        .json(
            "POST",
            "/api/v1/cases",
            council,
            json!({ "title": "Noise at Verulam Road", "problem": "Loud music", "incidents": [incident] }),
        )
        .await
        .json();
    (case["id"].as_str().expect("case").to_string(), person)
}

fn victim(list: &Value) -> &Value {
    &list["items"][0]
}

#[tokio::test]
async fn a_victim_is_told_at_the_points_they_agreed_by_the_way_they_chose() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let fire = app.token(FIRE).await;
        let (case, person) = case_with_victim(app, &council).await;
        let victims = format!("/api/v1/cases/{case}/victims");
        let contact = format!("{victims}/{person}/contact");
        let updates = format!("{victims}/{person}/updates");

        let list = app.get_bearer(&victims, &council).await.json();
        assert_eq!((victim(&list)["name"].as_str(), victim(&list)["contact"].is_null()), (Some("Vera Victim"), true), "{list}");
        assert_eq!(victim(&list)["due"], json!([]), "nothing is due before they choose");

        // Choices that do not hold together are refused.
        let refused = |res: Res| (res.status, res.json()["error"]["rule"].as_str().unwrap_or_default().to_string());
        let no_address = json!({ "channel": "email", "points": ["closed"], "agreed_on": "2026-01-15" });
        assert_eq!(refused(app.json("PUT", &contact, &council, no_address).await), (StatusCode::UNPROCESSABLE_ENTITY, "victim_contact".into()));
        let stranger = format!("{victims}/not-a-victim/contact");
        let choice = json!({ "channel": "email", "email": "vera@example.org", "points": ["assigned", "closed"], "agreed_on": "2026-01-15" });
        assert_eq!(refused(app.json("PUT", &stranger, &council, choice.clone()).await), (StatusCode::UNPROCESSABLE_ENTITY, "victim_contact".into()));
        let early = json!({ "milestone": "assigned", "note": "An officer has your case." });
        assert_eq!(refused(app.json("POST", &updates, &council, early).await).1, "victim_contact", "no choice recorded yet");

        assert_eq!(app.json("PUT", &contact, &council, choice).await.status, StatusCode::NO_CONTENT);
        let list = app.get_bearer(&victims, &council).await.json();
        assert_eq!(victim(&list)["due"], json!(["assigned"]), "an officer has the case from the start; closing is not reached");

        // The partner the case is shared with sees that updates happen, never the address or the note; others see nothing.
        let share = json!({ "agency": "HERTS-POLICE", "lawful_basis": "Crime and Disorder Act 1998 s115" });
        assert!(app.json("POST", &format!("/api/v1/cases/{case}/shares"), &council, share).await.status.is_success());
        assert_eq!(app.get_bearer(&victims, &police).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get_bearer(&victims, &fire).await.status, StatusCode::NOT_FOUND);
        let note = "PC Jones has your case and will visit the flats this week.";
        assert_eq!(app.json("POST", &updates, &police, json!({ "milestone": "assigned", "note": note })).await.status, StatusCode::FORBIDDEN);

        let res = app.json("POST", &updates, &council, json!({ "milestone": "assigned", "note": note })).await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.body);
        let mails: Vec<_> = app.store.outbox(100).await.expect("outbox").into_iter().filter(|m| m.address == "vera@example.org").collect();
        assert_eq!(mails.len(), 1);
        assert!(mails[0].body.contains(note) && mails[0].body.contains("An officer has your case"), "{}", mails[0].body);
        assert!(!mails[0].body.contains("Loud music") && !mails[0].body.contains("3 Verulam Road"), "nothing but the note: {}", mails[0].body);
        let list = app.get_bearer(&victims, &council).await.json();
        assert_eq!((victim(&list)["due"].clone(), victim(&list)["updates"][0]["channel"].as_str()), (json!([]), Some("email")));
        let timeline = app.get_bearer(&format!("/api/v1/cases/{case}"), &police).await.body;
        assert!(timeline.contains("Victim told: An officer has your case (e-mail)") && !timeline.contains(note) && !timeline.contains("vera@"), "{timeline}");

        // Closing the case makes the agreed closing update due; the case page says so and gives it.
        let closed = json!({ "version": 1, "status": "closed", "outcome": "Resolved by agreement" });
        let mut version = app.get_bearer(&format!("/api/v1/cases/{case}"), &council).await.json()["record"]["version"].as_i64().unwrap_or(1);
        for status in ["under_review", "closed"] {
            let mut change = closed.clone();
            change["version"] = json!(version);
            change["status"] = json!(status);
            let res = app.json("POST", &format!("/api/v1/cases/{case}/status"), &council, change).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.body);
            version += 1;
        }
        assert_eq!(victim(&app.get_bearer(&victims, &council).await.json())["due"], json!(["closed"]));
        let session = app.sign_in(OFFICER).await;
        let page = app.get(&format!("/cases/{case}"), Some(&session)).await.body;
        assert!(page.contains("data-testid=\"victim-update-due\"") && page.contains("Update due: Case closed"), "{page}");
        let fields = [("person", person.as_str()), ("milestone", "closed"), ("victim_note", "The family have moved; the case is closed. Call us if it starts again.")];
        let res = app.post(&format!("/cases/{case}/victim-updates"), Some(&session), Some(&session.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(app.store.outbox(100).await.expect("outbox").iter().filter(|m| m.address == "vera@example.org").count(), 2);
        assert_eq!(victim(&app.get_bearer(&victims, &council).await.json())["due"], json!([]));

        // Past retention the choice (with the address) and the notes go with the case.
        app.clock.advance(chrono::Duration::days(12 * 366));
        let operator = safetynet_domain::policy::Principal::operator();
        let at_ms = safetynet_domain::clock::Clock::now(&app.clock).timestamp_millis();
        let later = safetynet_store::users::Actor { principal: &operator, at_ms, source: "test" };
        let run = app.store.retention_run(&Default::default(), None, &later).await.expect("run").expect("report");
        assert!(run.cases.contains(&case), "{run:?}");
        let council = app.token(OFFICER).await;
        let kept = app.get_bearer(&victims, &council).await.body;
        assert!(!kept.contains("vera@example.org") && !kept.contains("The family have moved") && !kept.contains(note), "{kept}");
    })
    .await;
}

#[tokio::test]
async fn a_victim_who_asked_for_no_updates_gets_none_and_a_call_is_recorded_not_sent() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let (case, person) = case_with_victim(app, &council).await;
        let contact = format!("/api/v1/cases/{case}/victims/{person}/contact");
        let updates = format!("/api/v1/cases/{case}/victims/{person}/updates");
        let none = json!({ "channel": "none", "agreed_on": "2026-01-15" });
        assert_eq!(app.json("PUT", &contact, &council, none).await.status, StatusCode::NO_CONTENT);
        let res = app.json("POST", &updates, &council, json!({ "milestone": "assigned", "note": "Hello" })).await;
        assert_eq!(
            (res.status, res.json()["error"]["rule"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("victim_opted_out"))
        );
        let list = app.get_bearer(&format!("/api/v1/cases/{case}/victims"), &council).await.json();
        assert_eq!(list["items"][0]["due"], json!([]), "nothing is ever due");

        let phone = json!({ "channel": "phone", "points": ["assigned"], "agreed_on": "2026-01-16" });
        assert_eq!(app.json("PUT", &contact, &council, phone).await.status, StatusCode::NO_CONTENT);
        let before = app.store.outbox(100).await.expect("outbox").len();
        let res = app
            .json(
                "POST",
                &updates,
                &council,
                json!({ "milestone": "assigned", "note": "Called Vera: PC Jones has the case." }),
            )
            .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT);
        assert_eq!(app.store.outbox(100).await.expect("outbox").len(), before, "a call is recorded, not e-mailed");
        let empty = app.json("POST", &updates, &council, json!({ "milestone": "closed", "note": "  " })).await;
        assert_eq!(empty.json()["error"]["rule"], "victim_note");
        let bad = app.json("POST", &updates, &council, json!({ "milestone": "received", "note": "x" })).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn a_regular_update_falls_due_at_the_agreed_frequency_until_the_case_closes() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let (case, person) = case_with_victim(app, &council).await;
        let victims = format!("/api/v1/cases/{case}/victims");
        let contact = format!("{victims}/{person}/contact");
        let updates = format!("{victims}/{person}/updates");
        let every = |days: u32| {
            json!({ "channel": "email", "email": "vera@example.org", "points": ["closed"], "agreed_on": "2026-01-15", "every_days": days })
        };
        let refused = app.json("PUT", &contact, &council, every(3)).await;
        assert_eq!(refused.json()["error"]["rule"], "victim_contact", "more often than weekly: {}", refused.body);
        assert_eq!(app.json("PUT", &contact, &council, every(28)).await.status, StatusCode::NO_CONTENT);
        let list = app.get_bearer(&victims, &council).await.json();
        assert_eq!((victim(&list)["due"].clone(), victim(&list)["regular_due_on"].as_str()), (json!([]), Some("2026-02-12")), "{list}");
        assert_eq!(victim(&list)["contact"]["every_days"], 28);

        // Four weeks on, a regular update is due; the case page offers it first.
        app.clock.advance(chrono::Duration::days(28));
        let council = app.token(OFFICER).await;
        assert_eq!(victim(&app.get_bearer(&victims, &council).await.json())["due"], json!(["regular"]));
        let session = app.sign_in(OFFICER).await;
        let page = app.get(&format!("/cases/{case}"), Some(&session)).await.body;
        assert!(page.contains("Update due: Regular update") && page.contains("every 4 weeks"), "{page}");
        assert!(page.contains("<option value=\"regular\" selected"), "the form offers what is due: {page}");
        let fields = [("person", person.as_str()), ("milestone", "regular"), ("victim_note", "Still working on it: the housing officer visits next week.")];
        let res = app.post(&format!("/cases/{case}/victim-updates"), Some(&session), Some(&session.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let mails: Vec<_> = app.store.outbox(100).await.expect("outbox").into_iter().filter(|m| m.address == "vera@example.org").collect();
        assert!(mails.iter().any(|m| m.body.contains("An update on your case") && m.body.contains("housing officer visits")), "{mails:?}");
        let list = app.get_bearer(&victims, &council).await.json();
        assert_eq!((victim(&list)["due"].clone(), victim(&list)["regular_due_on"].as_str()), (json!([]), Some("2026-03-12")), "{list}");
        let page = app.get(&format!("/cases/{case}"), Some(&session)).await.body;
        assert!(page.contains("<option value=\"\">Choose what the update is about"), "nothing due, nothing chosen for the officer: {page}");

        // The page form changes the frequency; once the case is closed, no regular update falls due.
        let fields = [("person", person.as_str()), ("channel", "email"), ("email", "vera@example.org"), ("point-closed", "true"), ("every_days", "14"), ("agreed_on", "2026-02-12")];
        let res = app.post(&format!("/cases/{case}/victim-contact"), Some(&session), Some(&session.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(victim(&app.get_bearer(&victims, &council).await.json())["regular_due_on"], "2026-02-26");
        let mut version = app.get_bearer(&format!("/api/v1/cases/{case}"), &council).await.json()["record"]["version"].as_i64().unwrap_or(1);
        for status in ["under_review", "closed"] {
            let change = json!({ "version": version, "status": status, "outcome": "Resolved by agreement" });
            assert_eq!(app.json("POST", &format!("/api/v1/cases/{case}/status"), &council, change).await.status, StatusCode::OK);
            version += 1;
        }
        app.clock.advance(chrono::Duration::days(60));
        let council = app.token(OFFICER).await;
        let list = app.get_bearer(&victims, &council).await.json();
        assert_eq!((victim(&list)["due"].clone(), victim(&list)["regular_due_on"].clone()), (json!(["closed"]), Value::Null), "{list}");
        let res = app.json("POST", &updates, &council, json!({ "milestone": "regular", "note": "Closed now." })).await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "a regular update can still be recorded: {}", res.body);
    })
    .await;
}
