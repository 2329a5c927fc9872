//! Reports from the public, on every engine: a resident reports through the
//! form (a token signed by this server, a field bots fill in, a repeat
//! within the hour not taken twice), the report goes to the agency its
//! category is routed to, which triages it (passes it to a partner, accepts
//! it as an incident, or joins it to one) and updates the reporter, who
//! follows it through a private link that shows nobody's details.

mod common;

use axum::http::StatusCode;
use common::*;
use safetynet_domain::policy::{ManageAgencies, Principal};
use safetynet_store::public_reports::Sender;
use safetynet_store::users::Actor;
use serde_json::{json, Value};

async fn route(app: &TestApp, category: &str, agency: &str) {
    let operator = Principal::operator();
    let actor = Actor { principal: &operator, at_ms: start().timestamp_millis(), source: "test" };
    let permit = operator.permit::<ManageAgencies>().expect("permit");
    app.store.route_public_service(&permit, category, agency, "", &actor).await.expect("route");
}

/// The signed token in the report form.
async fn form_token(app: &TestApp) -> String {
    let page = app.get("/report", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let at = page.body.find("name=\"token\" value=\"").expect("a token in the form") + "name=\"token\" value=\"".len();
    page.body[at..].split('"').next().unwrap_or_default().to_string()
}

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let at = body.find(start).map(|i| i + start.len()).unwrap_or(body.len());
    body[at..].split(end).next().unwrap_or_default()
}

fn rule(res: &Res) -> (StatusCode, String) {
    (res.status, res.json()["error"]["rule"].as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn a_resident_reports_a_problem_that_is_triaged_by_the_right_agency_and_follows_it() {
    each_engine(async |app: &TestApp| {
        route(app, "fly-tipping", "SACDC").await;
        let token = form_token(app).await;
        let report = |description: &str| {
            vec![
                ("token", token.clone()),
                ("service_code", "fly-tipping".to_string()),
                ("latitude", "51.752049".to_string()),
                ("longitude", "-0.339012".to_string()),
                ("address", String::new()),
                ("description", description.to_string()),
                ("name", "Rita Resident".to_string()),
                ("email", "rita@example.org".to_string()),
                ("phone", String::new()),
                ("website", String::new()),
            ]
        };
        let send = async |fields: Vec<(&str, String)>| {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post("/report", None, None, &pairs).await
        };
        let res = send(report("Rubbish")).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("10 to 3000 characters") || res.body.contains("10 to 3,000 characters"), "{}", res.body);
        let mut bot = report("Sofa and black bags dumped in the lay-by");
        bot[9].1 = "http://spam.example".into();
        assert_eq!(send(bot).await.status, StatusCode::BAD_REQUEST, "the field people never see was filled in");
        let mut forged = report("Sofa and black bags dumped in the lay-by");
        forged[0].1 = "forged".into();
        assert_eq!(send(forged).await.status, StatusCode::BAD_REQUEST);
        let mut burglary = report("Someone broke into the shed last night");
        burglary[1].1 = "crime-burglary".into();
        assert_eq!(send(burglary).await.status, StatusCode::UNPROCESSABLE_ENTITY, "not a kind of problem taken online");

        let res = send(report("Sofa and black bags dumped in the lay-by")).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let reference = between(&res.body, "data-testid=\"report-reference\">", "<").to_string();
        assert!(reference.starts_with("PR-2026-"), "{}", res.body);
        let status_link = between(&res.body, "data-testid=\"report-status-link\" href=\"", "\"").to_string();
        assert!(status_link.starts_with("/report/status/"), "{}", res.body);
        let again = send(report("Sofa and black bags dumped in the lay-by")).await;
        assert!(again.body.contains("already sent this report") && again.body.contains(&reference), "not taken twice: {}", again.body);

        // The council, whose category it is, has it with the reporter's details; the police do not.
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let queue = app.get_bearer("/api/v1/public-reports", &council).await.json();
        assert_eq!(queue["items"].as_array().map(Vec::len), Some(1), "{queue}");
        assert_eq!(queue["items"][0]["reporter_email"], "rita@example.org");
        let id = queue["items"][0]["id"].as_str().expect("id").to_string();
        assert_eq!(app.get_bearer("/api/v1/public-reports", &police).await.json()["items"], json!([]));
        assert_eq!(app.get_bearer(&format!("/api/v1/public-reports/{id}"), &police).await.status, StatusCode::NOT_FOUND);

        // The council passes it to the police (the reporter's details go with it, audited as a share) ...
        let triage = |body: Value| (format!("/api/v1/public-reports/{id}/triage"), body);
        let (path, body) = triage(json!({ "action": "redirect", "agency": "SACDC" }));
        assert_eq!(rule(&app.json("POST", &path, &council, body).await), (StatusCode::UNPROCESSABLE_ENTITY, "report_redirect".into()));
        let (path, body) = triage(json!({ "action": "redirect", "agency": "HERTS-POLICE", "public_note": "Passed to the police: a van was seen." }));
        assert_eq!(app.json("POST", &path, &council, body).await.status, StatusCode::OK);
        assert_eq!(app.get_bearer(&format!("/api/v1/public-reports/{id}"), &council).await.status, StatusCode::NOT_FOUND);
        // ... who accept it as an incident, once.
        let accepted = app.json("POST", &path, &police, json!({ "action": "accept", "public_note": "An officer will look into it." })).await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        let incident = accepted.json()["incident_id"].as_str().expect("incident").to_string();
        let inc = app.get_bearer(&format!("/api/v1/incidents/{incident}"), &police).await;
        assert!(inc.status.is_success() && inc.body.contains("Sofa and black bags"), "{}", inc.body);
        let twice = app.json("POST", &path, &police, json!({ "action": "accept" })).await;
        assert_eq!(rule(&twice), (StatusCode::UNPROCESSABLE_ENTITY, "report_triaged".into()));
        let updates = format!("/api/v1/public-reports/{id}/updates");
        let bare = app.json("POST", &updates, &police, json!({ "status": "fixed" })).await;
        assert_eq!(rule(&bare), (StatusCode::UNPROCESSABLE_ENTITY, "report_note_required".into()));
        let done = json!({ "status": "fixed", "public_note": "The waste was cleared on Thursday." });
        assert_eq!(app.json("POST", &updates, &police, done).await.status, StatusCode::OK);

        // The reporter was e-mailed at each milestone (received, assigned, action taken), never what anyone wrote.
        let mails: Vec<_> = app.store.outbox(100).await.expect("outbox").into_iter().filter(|m| m.address == "rita@example.org").collect();
        let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!(mails.len(), 3, "{subjects:?}");
        assert!(subjects.iter().any(|s| s.ends_with("dealt with")), "{subjects:?}");
        assert!(mails.iter().all(|m| m.kind.as_str() == "report_update" && m.user_id.is_none() && !m.body.contains("Sofa")));
        assert!(mails.iter().any(|m| m.body.contains("The waste was cleared on Thursday.")));

        // The reporter's private link: where it stands and the public notes, nobody's details.
        let page = app.get(&status_link, None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&reference) && page.body.contains("Dealt with"), "{}", page.body);
        assert!(page.body.contains("The waste was cleared on Thursday.") && page.body.contains("Passed to the police"), "{}", page.body);
        for private in ["Rita Resident", "rita@example.org", "Sofa and black bags"] {
            assert!(!page.body.contains(private), "the status page shows {private}");
        }
        assert_eq!(app.get("/report/status/not-a-token", None).await.status, StatusCode::NOT_FOUND);
        let auditor = app.token(AUDITOR).await;
        let audit = app.get_bearer("/api/v1/audit?action=share", &auditor).await.body;
        assert!(audit.contains("public_report"), "the redirect is audited as a share: {audit}");

        // Past retention the reporter's details and words go; the status page still works.
        app.clock.advance(chrono::Duration::days(6 * 366));
        let operator = Principal::operator();
        let later = Actor { principal: &operator, at_ms: start().timestamp_millis() + 6 * 366 * 86_400_000, source: "test" };
        let run = app.store.retention_run(&Default::default(), None, &later).await.expect("run").expect("report");
        assert_eq!(run.public_reports, vec![id.clone()]);
        let police = app.token(POLICE).await;
        let kept = app.get_bearer(&format!("/api/v1/public-reports/{id}"), &police).await.body;
        assert!(!kept.contains("rita@example.org") && !kept.contains("Rita Resident") && !kept.contains("Sofa"), "{kept}");
        assert!(app.get(&status_link, None).await.body.contains("The waste was cleared on Thursday."));
    })
    .await;
}

#[tokio::test]
async fn a_report_joins_an_incident_the_agency_already_has() {
    each_engine(async |app: &TestApp| {
        route(app, "asb-nuisance", "SACDC").await;
        let council = app.token(OFFICER).await;
        let fire = app.token(FIRE).await;
        let existing = app.json("POST", "/api/v1/incidents", &council, incident_json(1)).await.json();
        let reference = existing["reference"].as_str().expect("reference").to_string();
        let operator = Principal::operator();
        let actor = Actor { principal: &operator, at_ms: start().timestamp_millis(), source: "test" };
        let new = safetynet_domain::public_reports::NewPublicReport {
            service_code: "asb-nuisance".into(),
            address: "Verulam Road".into(),
            description: "Groups shouting outside the shops every night".into(),
            ..Default::default()
        };
        let taken = app.store.submit_public_report(&new, &[], Sender::Web("someone"), &actor).await.expect("taken");
        let path = format!("/api/v1/public-reports/{}/triage", taken.reference);
        // The fire service cannot reach the council's report, nor join it to an incident it cannot see.
        assert_eq!(app.json("POST", &path, &fire, json!({ "action": "accept" })).await.status, StatusCode::NOT_FOUND);
        let res = app.json("POST", &path, &council, json!({ "action": "merge", "incident": reference })).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(
            (res.json()["status"].as_str(), res.json()["incident_id"].as_str()),
            (Some("investigating"), existing["id"].as_str())
        );
    })
    .await;
}

#[tokio::test]
async fn one_address_cannot_flood_the_queue() {
    each_engine(async |app: &TestApp| {
        route(app, "graffiti", "SACDC").await;
        let operator = Principal::operator();
        let actor = Actor { principal: &operator, at_ms: start().timestamp_millis(), source: "test" };
        let report = |n: usize| safetynet_domain::public_reports::NewPublicReport {
            service_code: "graffiti".into(),
            address: format!("{n} Verulam Road"),
            description: format!("Graffiti on the wall of number {n}"),
            ..Default::default()
        };
        for n in 0..safetynet_store::public_reports::REPORTS_PER_HOUR as usize {
            app.store.submit_public_report(&report(n), &[], Sender::Web("busy"), &actor).await.expect("taken");
        }
        let refused = app.store.submit_public_report(&report(99), &[], Sender::Web("busy"), &actor).await;
        assert!(matches!(refused, Err(safetynet_store::StoreError::Rule("report_rate_limited", _))), "{refused:?}");
        app.store
            .submit_public_report(&report(99), &[], Sender::Web("someone-else"), &actor)
            .await
            .expect("another address is not held back");
        let hour_later = Actor { at_ms: actor.at_ms + 3_600_001, ..actor };
        app.store.submit_public_report(&report(99), &[], Sender::Web("busy"), &hour_later).await.expect("an hour on");
    })
    .await;
}

/// A `multipart/form-data` body of `fields` and `photos` (name, bytes), with its boundary.
fn multipart(fields: &[(&str, &str)], photos: &[(&str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "safetynet-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (filename, bytes) in photos {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{filename}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn photos_sent_with_a_report_are_kept_without_what_the_phone_stored_in_them() {
    each_engine(async |app: &TestApp| {
        route(app, "fly-tipping", "SACDC").await;
        let token = form_token(app).await;
        let fields = [
            ("token", token.as_str()),
            ("service_code", "fly-tipping"),
            ("address", "The lay-by on Redbourn Road"),
            ("description", "Mattresses and a fridge dumped in the lay-by"),
            ("website", ""),
        ];
        let photo = std::fs::read(repo().join("crates/domain/tests/fixtures/photo-with-exif.jpg")).expect("fixture");
        assert!(photo.windows(7).any(|w| w == b"secret-"), "the fixture carries metadata");
        let send = async |photos: &[(&str, Vec<u8>)]| {
            let (content_type, body) = multipart(&fields, photos);
            let req = axum::http::Request::post("/report")
                .header(axum::http::header::CONTENT_TYPE, content_type)
                .body(axum::body::Body::from(body))
                .expect("request");
            app.send(req).await
        };
        let pdf = send(&[("lay-by.jpg", b"%PDF-1.7 not a photo at all".to_vec())]).await;
        assert_eq!(pdf.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(pdf.body.contains("JPEG, PNG or WebP") && pdf.body.contains("photo-error"), "{}", pdf.body);
        let four: Vec<(&str, Vec<u8>)> = (0..4).map(|_| ("p.jpg", photo.clone())).collect();
        assert_eq!(send(&four).await.status, StatusCode::BAD_REQUEST, "at most three photos");
        let res = send(&[("lay-by.jpg", photo.clone())]).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let reference = between(&res.body, "data-testid=\"report-reference\">", "<").to_string();

        let council = app.sign_in(OFFICER).await;
        let page = app.get(&format!("/public-reports/{reference}"), Some(&council)).await;
        assert!(page.body.contains("alt=\"Photo 1 sent with the report\""), "{}", page.body);
        let held =
            app.get_bearer(&format!("/api/v1/public-reports/{reference}"), &app.token(OFFICER).await).await.json();
        let id = held["id"].as_str().expect("id").to_string();
        assert_eq!(held["photos"][0]["content_type"], "image/jpeg");
        let kept = app.get(&format!("/public-reports/{id}/photos/0"), Some(&council)).await;
        assert_eq!(kept.status, StatusCode::OK);
        assert_eq!(
            (kept.headers["content-type"].to_str().ok(), kept.headers["cache-control"].to_str().ok()),
            (Some("image/jpeg"), Some("no-store"))
        );
        assert!(kept.body.contains("JFIF") && !kept.body.contains("secret-"), "the picture, without its metadata");
        let api =
            app.get_bearer(&format!("/api/v1/public-reports/{reference}/photos/0"), &app.token(OFFICER).await).await;
        assert_eq!((api.status, api.headers["content-type"].to_str().ok()), (StatusCode::OK, Some("image/jpeg")));
        assert!(!api.body.contains("secret-"));
        assert_eq!(
            app.get_bearer(&format!("/api/v1/public-reports/{id}/photos/0"), &app.token(FIRE).await).await.status,
            StatusCode::NOT_FOUND
        );
        let fire = app.sign_in(FIRE).await;
        assert_eq!(app.get(&format!("/public-reports/{id}/photos/0"), Some(&fire)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.get(&format!("/public-reports/{id}/photos/1"), Some(&council)).await.status,
            StatusCode::NOT_FOUND
        );

        // Closed and past retention, the photos go with the reporter's words.
        let officer = app.token(OFFICER).await;
        let closing = json!({ "status": "no_further_action", "public_note": "Cleared by the council." });
        let res = app.json("POST", &format!("/api/v1/public-reports/{id}/updates"), &officer, closing).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        app.clock.advance(chrono::Duration::days(6 * 366));
        let operator = Principal::operator();
        let later =
            Actor { principal: &operator, at_ms: start().timestamp_millis() + 6 * 366 * 86_400_000, source: "test" };
        let run = app.store.retention_run(&Default::default(), None, &later).await.expect("run").expect("report");
        assert!(run.public_reports.contains(&id));
        let council = app.sign_in(OFFICER).await;
        assert_eq!(
            app.get(&format!("/public-reports/{id}/photos/0"), Some(&council)).await.status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn the_report_journey_asks_one_question_a_page_and_checks_each_answer() {
    each_engine(async |app: &TestApp| {
        route(app, "fly-tipping", "SACDC").await;
        let first = app.get("/report", None).await;
        assert!(
            first.body.contains("What kind of problem is it?") && first.body.contains("type=\"radio\""),
            "{}",
            first.body
        );
        assert!(first.body.contains("call 999"), "emergencies first");
        let token = form_token(app).await;
        let mut answers: Vec<(&str, String)> = vec![("token", token)];
        let step = async |answers: &[(&str, String)], step: &str| {
            let mut fields: Vec<(&str, &str)> = answers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            fields.push(("step", step));
            app.post("/report/step", None, None, &fields).await
        };
        let res = step(&answers, "what").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Choose the kind of problem"), "{}", res.body);
        answers.push(("service_code", "fly-tipping".into()));
        let res = step(&answers, "what").await;
        assert!(
            res.body.contains("Where is the problem?")
                && res.body.contains("name=\"service_code\" value=\"fly-tipping\""),
            "{}",
            res.body
        );
        let res = step(&answers, "where").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "no pin and no address");
        assert!(res.body.contains("Put a pin on the map or give the address"), "{}", res.body);
        answers.push(("address", "The lay-by on Redbourn Road".into()));
        assert!(step(&answers, "where").await.body.contains("What is happening?"));
        answers.push(("description", "Bags".into()));
        assert_eq!(step(&answers, "describe").await.status, StatusCode::UNPROCESSABLE_ENTITY);
        answers.pop();
        answers.push(("description", "Ten black bags and a sofa dumped overnight".into()));
        // Fly-tipping asks Defra's questions (optional); another service goes on to the contact details.
        let details = step(&answers, "describe").await;
        assert!(
            details.body.contains("Tell us more about it") && details.body.contains("What kind of land is it on?"),
            "{}",
            details.body
        );
        let mut graffiti: Vec<(&str, String)> = answers.iter().filter(|(k, _)| *k != "service_code").cloned().collect();
        graffiti.push(("service_code", "graffiti".into()));
        route(app, "graffiti", "SACDC").await;
        assert!(step(&graffiti, "describe").await.body.contains("How can we contact you?"));
        answers.push(("size", "a mountain".into()));
        let res = step(&answers, "details").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "an answer not on the list: {}", res.body);
        assert!(
            res.body.contains("id=\"size-error\"") && res.body.contains("Choose an answer from the list"),
            "shown at the question it is about: {}",
            res.body
        );
        answers.pop();
        answers.push(("land_type", "highway".into()));
        answers.push(("size", "small_van_load".into()));
        assert!(step(&answers, "details").await.body.contains("How can we contact you?"));
        answers.push(("email", "rita@".into()));
        let res = step(&answers, "contact").await;
        assert!(
            res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains("like name@example.com"),
            "{}",
            res.body
        );
        answers.pop();
        answers.push(("email", "rita@example.org".into()));
        let check = step(&answers, "contact").await;
        assert!(
            check.body.contains("Check your report before sending it")
                && check.body.contains("data-testid=\"report-answers\""),
            "{}",
            check.body
        );
        for shown in [
            "Fly-tipping",
            "The lay-by on Redbourn Road",
            "Ten black bags and a sofa dumped overnight",
            "rita@example.org",
            "Highway",
            "Small van load",
        ] {
            assert!(check.body.contains(shown), "{shown} on the check page");
        }
        // "Change" goes back to a step with every answer kept.
        let mut change: Vec<(&str, &str)> = answers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        change.push(("goto", "where"));
        let back = app.post("/report/step", None, None, &change).await;
        assert!(
            back.body.contains("Where is the problem?") && back.body.contains("value=\"The lay-by on Redbourn Road\""),
            "{}",
            back.body
        );
        assert!(back.body.contains("name=\"description\" value=\"Ten black bags and a sofa dumped overnight\""));
        // Sending from the check page.
        let mut send: Vec<(&str, &str)> = answers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        send.push(("website", ""));
        let sent = app.post("/report", None, None, &send).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let reference = between(&sent.body, "data-testid=\"report-reference\">", "<").to_string();
        assert!(reference.starts_with("PR-2026-"));
        let officer = app.token(OFFICER).await;
        let held = app.get_bearer(&format!("/api/v1/public-reports/{reference}"), &officer).await.json();
        assert_eq!(held["attributes"], serde_json::json!({ "land_type": "highway", "size": "small_van_load" }));
    })
    .await;
}
