//! The Safety Net pages as an officer uses them, on every engine: record an
//! incident, open a case, assess risk, add tasks and interventions, share
//! with another agency, and the daily review, dashboard and Case Reviews.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

async fn form(app: &TestApp, s: &Session, path: &str, fields: &[(&str, &str)]) -> Res {
    app.post(path, Some(s), Some(&s.csrf), fields).await
}

const INCIDENT: &[(&str, &str)] = &[
    ("category", "asb-personal"),
    ("occurred_from", "2026-01-14T21:30"),
    ("reported_at", "2026-01-15T07:00"),
    ("description", "Threats shouted through the letterbox"),
    ("source", "public"),
    ("address", "3 Holywell Hill, St Albans"),
    ("latitude", "51.7490"),
    ("longitude", "-0.3410"),
    ("hate_strand", "disability"),
    ("victim_name", "Peter Jones"),
    ("victim_dob", "1948-05-01"),
    ("victim_address", "3 Holywell Hill, St Albans"),
    ("perpetrator_name", "Sam Example"),
];

#[tokio::test]
async fn safety_pages_need_the_right_role() {
    each_engine(async |app: &TestApp| {
        for path in ["/incidents", "/incidents/new", "/cases", "/daily-review", "/case-reviews"] {
            assert_eq!(app.get(path, None).await.location(), format!("/sign-in?next={}", encode(path)), "{path}");
        }
        let admin = app.sign_in(ADMIN).await;
        let auditor = app.sign_in(AUDITOR).await;
        for path in ["/incidents", "/cases", "/daily-review", "/case-reviews"] {
            assert_eq!(app.get(path, Some(&admin)).await.status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(app.get(path, Some(&auditor)).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        let viewer = app.sign_in(VIEWER).await;
        assert_eq!(app.get("/incidents", Some(&viewer)).await.status, StatusCode::OK);
        assert_eq!(
            app.get("/incidents/new", Some(&viewer)).await.status,
            StatusCode::FORBIDDEN,
            "viewers do not record"
        );
        assert_eq!(form(app, &viewer, "/incidents", INCIDENT).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn an_empty_incident_form_shows_every_problem_at_once_in_sentence_case() {
    each_engine(async |app: &TestApp| {
        let me = app.sign_in(OFFICER).await;
        let res = form(app, &me, "/incidents", &[("reported_at", ""), ("description", "")]).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        let summary = res.body.split("govuk-error-summary__list").nth(1).unwrap_or_default();
        let summary = summary.split("</ul>").next().unwrap_or_default();
        let links: Vec<&str> =
            summary.match_indices("href=\"#").map(|(i, _)| summary[i + 7..].split('"').next().unwrap_or("")).collect();
        assert_eq!(
            links,
            ["category", "occurred_from", "reported_at", "description", "address"],
            "every problem in one round, in page order: {summary}"
        );
        for message in [
            "Choose a category from the list",
            "Enter when it happened, or when it started",
            "Enter when it was reported",
            "Describe what happened",
            "Give an address or drop a pin on the map",
        ] {
            assert!(summary.contains(message), "{message}: {summary}");
        }
        // Under its label, tied to its field for screen readers.
        assert!(
            res.body.contains(r#"id="description-error""#)
                && res.body.contains(r#"aria-describedby="description-info description-hint description-error""#),
            "{}",
            res.body
        );

        // A future start is one message, not two.
        let mut future: Vec<(&str, &str)> = INCIDENT.to_vec();
        future.retain(|(k, _)| *k != "occurred_from");
        future.push(("occurred_from", "2027-06-01T10:00"));
        let res = form(app, &me, "/incidents", &future).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        assert_eq!(res.body.matches("govuk-error-message").count(), 1, "{}", res.body);
        assert!(res.body.contains("The incident cannot have happened in the future"));
        // The description's limit is shown before anyone submits.
        let blank = app.get("/incidents/new", Some(&me)).await;
        assert!(
            blank.body.contains(r#"data-maxlength="5000""#)
                && blank.body.contains("You can enter up to 5000 characters")
        );
    })
    .await;
}

#[tokio::test]
async fn an_officer_runs_a_case_through_the_pages() {
    each_engine(async |app: &TestApp| {
        let me = app.sign_in(OFFICER).await;
        let police = app.sign_in(POLICE).await;

        // Record an incident: bad input is shown back with every problem; nothing is lost.
        assert_eq!(
            app.post("/incidents", Some(&me), None, INCIDENT).await.status,
            StatusCode::FORBIDDEN,
            "no CSRF token"
        );
        let mut bad: Vec<(&str, &str)> = INCIDENT.to_vec();
        bad.retain(|(k, _)| *k != "description");
        bad.push(("occurred_to", "2026-01-14T20:00"));
        let res = form(app, &me, "/incidents", &bad).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        assert!(
            res.body.contains("Describe what happened")
                && res.body.contains("The end of the period must be after its start"),
            "{}",
            res.body
        );
        assert!(res.body.contains("Peter Jones"), "what was typed is kept");
        let res = form(app, &me, "/incidents", INCIDENT).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let incident_path = res.location().to_string();
        let page = app.get(&incident_path, Some(&me)).await;
        assert!(
            page.body.contains("Threats shouted through the letterbox")
                && page.body.contains("Hate motivated (Disability)")
        );
        let theirs = app.get(&incident_path, Some(&police)).await;
        assert!(
            theirs.body.contains(r#"data-testid="signpost""#) && !theirs.body.contains("Peter Jones"),
            "police are signposted"
        );

        // Open a case from it.
        let incident_id = incident_path.trim_start_matches("/incidents/");
        let res = form(
            app,
            &me,
            "/cases",
            &[("incident", incident_id), ("title", "Holywell Hill threats"), ("problem", "Disability hate threats")],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let case_path = res.location().to_string();
        let case = app.get(&case_path, Some(&me)).await;
        assert!(case.body.contains("Holywell Hill threats") && case.body.contains("Not assessed"));

        // Risk assessment through the questionnaire form.
        let risk_form = app.get(&format!("{case_path}/risk?questionnaire=asb-victim"), Some(&me)).await;
        assert_eq!(risk_form.status, StatusCode::OK);
        let ids: Vec<String> = risk_form
            .body
            .split("type=\"radio\" value=\"yes\"")
            .count()
            .checked_sub(1)
            .map(|_| {
                risk_form
                    .body
                    .match_indices(r#"class="govuk-radios__input" id=""#)
                    .map(|(i, m)| {
                        let rest = &risk_form.body[i + m.len()..];
                        rest[..rest.find('"').unwrap_or(0)].to_string()
                    })
                    .filter(|id| !id.ends_with("-no"))
                    .collect()
            })
            .unwrap_or_default();
        assert!(ids.len() >= 10, "{ids:?}");
        let mut answers: Vec<(&str, &str)> = ids.iter().map(|id| (id.as_str(), "no")).collect();
        let missing = form(app, &me, &format!("{case_path}/risk"), &[("questionnaire", "asb-victim")]).await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        answers.push(("questionnaire", "asb-victim"));
        answers.push(("judgement_level", "medium"));
        answers.push(("judgement_reason", "Victim is housebound and frightened"));
        let res = form(app, &me, &format!("{case_path}/risk"), &answers).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let case = app.get(&case_path, Some(&me)).await;
        assert!(
            case.body.contains("Medium risk") && case.body.contains("12 February 2026"),
            "28 days after 15 January"
        );

        // A task due in the past is questioned, and added once the officer confirms the date.
        let late =
            [("task_title", "Visit victim with fire service"), ("task_owner", "HFRS"), ("task_due", "2026-01-14")];
        let res = form(app, &me, &format!("{case_path}/tasks"), &late).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        assert!(
            res.body.contains("The due date 14 January 2026 is in the past")
                && res.body.contains(r#"name="confirm_past""#),
            "{}",
            res.body
        );
        let mut confirmed = late.to_vec();
        confirmed.push(("confirm_past", "true"));
        assert_eq!(form(app, &me, &format!("{case_path}/tasks"), &confirmed).await.status, StatusCode::SEE_OTHER);
        // It shows as overdue on the dashboard, in the officer's own list.
        let dash = app.get("/dashboard", Some(&me)).await;
        assert!(dash.body.contains(r#"data-testid="overdue-tasks">1<"#), "{}", dash.body);
        let my_cases = dash.body.split(r#"data-testid="my-cases""#).nth(1).unwrap_or_default();
        assert!(
            my_cases.contains("Holywell Hill threats") && my_cases.contains("12 February 2026"),
            "the case they lead: {}",
            dash.body
        );
        let my_tasks = dash.body.split(r#"data-testid="my-tasks""#).nth(1).unwrap_or_default();
        assert!(my_tasks.contains("Visit victim with fire service") && my_tasks.contains("Overdue"), "{}", dash.body);
        // The CSP manager sees it too.
        let manager = app.sign_in(MANAGER).await;
        assert!(app.get("/dashboard", Some(&manager)).await.body.contains(r#"data-testid="overdue-tasks">1<"#));

        // Statutory checks are shown on the page.
        let res = form(
            app,
            &me,
            &format!("{case_path}/interventions"),
            &[
                ("kind", "community_protection_notice"),
                ("subject_name", "Sam Example"),
                ("subject_dob", "1990-01-01"),
                ("conduct", "Threats"),
                ("issued_on", "2026-01-15"),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains("There is a problem")
                && res.body.contains("so the notice can be matched to their warning"),
            "{}",
            res.body
        );
        assert!(res.body.contains(r##"href="#person_id""##), "the error links to the field it is about: {}", res.body);
        let res = form(
            app,
            &me,
            &format!("{case_path}/interventions"),
            &[
                ("kind", "warning_letter"),
                ("subject_name", "Sam Example"),
                ("conduct", "Threats"),
                ("issued_on", "2026-01-15"),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        // A breach of it is recorded from the case page.
        let case_page = app.get(&case_path, Some(&me)).await.body;
        let intervention = case_page
            .split("name=\"intervention\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("breach form")
            .to_string();
        let at = format!("breached_at-{intervention}");
        let notes = format!("breach_notes-{intervention}");
        let future = [
            ("intervention", intervention.as_str()),
            (at.as_str(), "2026-02-01T10:00"),
            (notes.as_str(), "Shouting again"),
        ];
        assert_eq!(form(app, &me, &format!("{case_path}/breaches"), &future).await.status, StatusCode::BAD_REQUEST);
        let breach = [
            ("intervention", intervention.as_str()),
            (at.as_str(), "2026-01-15T08:30"),
            (notes.as_str(), "Shouting again"),
        ];
        assert_eq!(form(app, &me, &format!("{case_path}/breaches"), &breach).await.status, StatusCode::SEE_OTHER);
        assert!(app.get(&case_path, Some(&me)).await.body.contains("1 breach<"));
        // The API takes the same report with the same rules and messages.
        let token = app.token(OFFICER).await;
        let api = format!("/api/v1/interventions/{intervention}/breaches");
        let ahead =
            app.json("POST", &api, &token, json!({ "breached_at": "2026-02-01T10:00:00Z", "notes": "Shouting" })).await;
        assert_eq!(ahead.status, StatusCode::BAD_REQUEST, "{}", ahead.body);
        assert!(ahead.body.contains("a breach cannot be in the future"), "{}", ahead.body);
        let long = "x".repeat(5_001);
        let page_long = [
            ("intervention", intervention.as_str()),
            (at.as_str(), "2026-01-15T08:30"),
            (notes.as_str(), long.as_str()),
        ];
        let on_page = form(app, &me, &format!("{case_path}/breaches"), &page_long).await;
        let by_api =
            app.json("POST", &api, &token, json!({ "breached_at": "2026-01-15T08:30:00Z", "notes": long })).await;
        assert_eq!((on_page.status, by_api.status), (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST));
        assert!(on_page.body.contains("5000 characters or fewer") && by_api.body.contains("5000 characters or fewer"));

        // A stale plan edit is refused, not lost silently.
        let plan = [
            ("version", "1"),
            ("title", "Holywell Hill threats"),
            ("problem", "p"),
            ("analysis_victim", ""),
            ("analysis_offender", ""),
            ("analysis_location", ""),
            ("analysis_controllers", ""),
            ("assessment", ""),
        ];
        assert_eq!(form(app, &me, &format!("{case_path}/plan"), &plan).await.status, StatusCode::SEE_OTHER);
        let stale = form(app, &me, &format!("{case_path}/plan"), &plan).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert!(stale.body.contains("Someone else changed"));
        // The page and the API check a plan alike (neither checked this field before).
        let essay = "x".repeat(10_001);
        let mut long_plan = plan;
        long_plan[0] = ("version", "2");
        long_plan[4] = ("analysis_offender", essay.as_str());
        let on_page = form(app, &me, &format!("{case_path}/plan"), &long_plan).await;
        let case_id = case_path.trim_start_matches("/cases/");
        let body = json!({ "version": 2, "title": "Holywell Hill threats", "problem": "p", "analysis_victim": "",
            "analysis_offender": essay, "analysis_location": "", "analysis_controllers": "", "assessment": "" });
        let by_api = app.json("PUT", &format!("/api/v1/cases/{case_id}/plan"), &token, body).await;
        assert_eq!(
            (on_page.status, by_api.status),
            (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST),
            "{}",
            by_api.body
        );
        let message = "analysis_offender must be 10000 characters or fewer";
        assert!(on_page.body.contains(&as_sentence(message)) && by_api.body.contains(message));

        // Share with the police: now they can read the case and add to it.
        assert!(app.get(&case_path, Some(&police)).await.body.contains("signpost"));
        assert_eq!(
            form(
                app,
                &me,
                &format!("{case_path}/shares"),
                &[("agency", "HERTS-POLICE"), ("lawful_basis", "Crime and Disorder Act 1998 s115")]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        let theirs = app.get(&case_path, Some(&police)).await;
        assert!(
            theirs.body.contains("Holywell Hill threats") && !theirs.body.contains("Change status"),
            "partners cannot change status"
        );
        let police_dash = app.get("/dashboard", Some(&police)).await;
        let shared = police_dash.body.split(r#"data-testid="shared-with-us""#).nth(1).unwrap_or_default();
        assert!(
            shared.contains("from SACDC") && shared.contains("Crime and Disorder Act 1998 s115"),
            "what was shared with my agency: {}",
            police_dash.body
        );
        assert_eq!(
            form(app, &police, &format!("{case_path}/notes"), &[("note", "PCSO visited; no answer")]).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            form(
                app,
                &police,
                &format!("{case_path}/status"),
                &[("version", "2"), ("status", "closed"), ("outcome", "x")]
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );

        // Review and status.
        assert_eq!(
            form(app, &me, &format!("{case_path}/reviews"), &[("review_notes", "Reviewed at JAG")]).await.status,
            StatusCode::SEE_OTHER
        );
        let res = form(app, &me, &format!("{case_path}/status"), &[("version", "2"), ("status", "closed")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("needs an outcome"));
        assert_eq!(
            form(app, &me, &format!("{case_path}/status"), &[("version", "2"), ("status", "under_review")])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let case = app.get(&case_path, Some(&me)).await;
        assert!(
            case.body.contains("Under review")
                && case.body.contains("PCSO visited")
                && case.body.contains("Reviewed at JAG")
        );

        // The morning's daily review ranks it, with reasons.
        let daily = app.get("/daily-review?date=2026-01-15", Some(&me)).await;
        assert!(daily.body.contains("hate motivated (disability)"), "{}", daily.body);
        assert_eq!(app.get("/daily-review?date=yesterday", Some(&me)).await.status, StatusCode::BAD_REQUEST);

        // A second complaint from the same victim: the officer is prompted about the Case Review.
        let mut again: Vec<(&str, &str)> = INCIDENT.to_vec();
        again.retain(|(k, _)| !k.starts_with("perpetrator") && *k != "occurred_from" && *k != "reported_at");
        again.push(("occurred_from", "2026-01-15T06:00"));
        again.push(("reported_at", "2026-01-15T08:30"));
        let second = form(app, &me, "/incidents", &again).await;
        assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
        let page2 = app.get(second.location(), Some(&me)).await;
        assert!(
            page2.body.contains(r#"data-testid="case-review-prompt""#)
                && page2.body.contains("tell them about the ASB Case Review"),
            "{}",
            page2.body
        );
        let victim2 = page2
            .body
            .split("/case-reviews?person=")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_string();
        let _ = victim2;

        // Case Review check from the victim.
        let victim = page
            .body
            .split("/case-reviews?person=")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_string();
        let cr = app.get(&format!("/case-reviews?person={victim}"), Some(&me)).await;
        assert!(
            cr.body.contains(r#"data-testid="eligibility""#)
                && cr.body.contains("2 of 3")
                && cr.body.contains(r#"data-testid="prompt""#),
            "{}",
            cr.body
        );
        assert_eq!(
            form(
                app,
                &me,
                "/case-reviews",
                &[("person_id", &victim), ("applicant_kind", "victim"), ("received_on", "2026-01-15")]
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        let list = app.get("/case-reviews", Some(&me)).await;
        assert!(list.body.contains("ACR-2026-00001"));
        assert_eq!(
            form(app, &me, "/case-reviews", &[("received_on", "2027-01-01")]).await.status,
            StatusCode::BAD_REQUEST
        );
        // Record the decision, meeting and outcome on the Case Review's page.
        let review = list
            .body
            .split("href=\"/case-reviews/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("link")
            .to_string();
        let page = format!("/case-reviews/{review}");
        assert!(app.get(&page, Some(&me)).await.body.contains("Decide whether the threshold is met by"));
        let bad =
            form(app, &me, &page, &[("threshold_met", "yes"), ("decided_on", "soon"), ("recommendations", "0")]).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("Enter the date it was decided as a date"));
        let fields = [
            ("threshold_met", "yes"),
            ("decided_on", "2026-01-20"),
            ("meeting_on", "2026-02-03"),
            ("chair", "Community Safety Manager"),
            ("panel", "SACDC, HERTS-POLICE"),
            ("victim_attended", "yes"),
            ("recommendations", "3"),
            ("outcome", "Mediation and a CPW"),
        ];
        assert_eq!(form(app, &me, &page, &fields).await.status, StatusCode::SEE_OTHER);
        assert!(app.get(&page, Some(&me)).await.body.contains("Mediation and a CPW"));
        assert!(app.get("/case-reviews", Some(&me)).await.body.contains("Mediation and a CPW"));
        assert_eq!(app.get(&page, Some(&police)).await.status, StatusCode::NOT_FOUND, "another agency's Case Review");

        // Lists.
        assert!(
            app.get("/cases", Some(&police)).await.body.contains("Holywell Hill threats"),
            "shared cases are listed"
        );
        assert!(app.get("/incidents?q=holywell", Some(&me)).await.body.contains("3 Holywell Hill"));
        assert!(app.store.verify_audit().await.expect("verify").is_ok());
    })
    .await;
}

/// One bad command through both front doors: the same status and the same message.
fn both_refuse(page: &Res, api: &Res, status: StatusCode, message: &str) {
    assert_eq!((page.status, api.status), (status, status), "{message}\npage: {}\napi: {}", page.body, api.body);
    assert!(page.body.contains(&as_sentence(message)), "page lacks {message:?} (in sentence case): {}", page.body);
    assert!(api.body.contains(message), "API lacks {message:?}: {}", api.body);
}

#[tokio::test]
async fn the_page_and_the_api_refuse_the_same_bad_commands() {
    each_engine(async |app: &TestApp| {
        let me = app.sign_in(OFFICER).await;
        let token = app.token(OFFICER).await;
        let res = form(app, &me, "/incidents", INCIDENT).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let incident_id = res.location().trim_start_matches("/incidents/").to_string();
        let fields = [("incident", incident_id.as_str()), ("title", "Holywell Hill threats"), ("problem", "Threats")];
        let res = form(app, &me, "/cases", &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let case_path = res.location().to_string();
        let id = case_path.trim_start_matches("/cases/").to_string();
        let api = |tail: &str| format!("/api/v1/cases/{id}/{tail}");
        let long = |n: usize| "x".repeat(n);

        // Case notes: the page said "note", the API "text".
        let page = form(app, &me, &format!("{case_path}/notes"), &[("note", &long(5_001))]).await;
        let by_api = app.json("POST", &api("notes"), &token, json!({ "text": long(5_001) })).await;
        both_refuse(&page, &by_api, StatusCode::BAD_REQUEST, "note must be 5000 characters or fewer");

        // Review notes: the page said "review notes", the API "text".
        let page = form(app, &me, &format!("{case_path}/reviews"), &[("review_notes", " ")]).await;
        let by_api = app.json("POST", &api("reviews"), &token, json!({ "text": " " })).await;
        both_refuse(&page, &by_api, StatusCode::BAD_REQUEST, "review notes must not be empty");

        // A task's title: the page said "task", the API "title".
        let page =
            form(app, &me, &format!("{case_path}/tasks"), &[("task_title", " "), ("task_due", "2026-01-20")]).await;
        let by_api = app.json("POST", &api("tasks"), &token, json!({ "title": " ", "due_on": "2026-01-20" })).await;
        both_refuse(&page, &by_api, StatusCode::BAD_REQUEST, "title must not be empty");
        // A task's notes were bounded nowhere.
        let by_api = app
            .json(
                "POST",
                &api("tasks"),
                &token,
                json!({ "title": "Visit", "due_on": "2026-01-20", "notes": long(5_001) }),
            )
            .await;
        assert_eq!(by_api.status, StatusCode::BAD_REQUEST, "{}", by_api.body);
        assert!(by_api.body.contains("notes must be 5000 characters or fewer"));
        let task = app.json("POST", &api("tasks"), &token, json!({ "title": "Visit", "due_on": "2026-01-20" })).await;
        assert_eq!(task.status, StatusCode::CREATED, "{}", task.body);
        let task_id = task.json()["id"].as_str().expect("task id").to_string();
        let notes = long(5_001);
        let fields = [("case", id.as_str()), ("status", "done"), ("notes", notes.as_str())];
        let page = form(app, &me, &format!("/tasks/{task_id}"), &fields).await;
        let body = json!({ "status": "done", "notes": notes });
        let by_api = app.json("PATCH", &format!("/api/v1/tasks/{task_id}"), &token, body).await;
        both_refuse(&page, &by_api, StatusCode::BAD_REQUEST, "notes must be 5000 characters or fewer");
        let fields = [("case", id.as_str()), ("status", "finished"), ("notes", "")];
        let page = form(app, &me, &format!("/tasks/{task_id}"), &fields).await;
        let body = json!({ "status": "finished" });
        let by_api = app.json("PATCH", &format!("/api/v1/tasks/{task_id}"), &token, body).await;
        let message = "status must be open, in_progress, done or cancelled";
        both_refuse(&page, &by_api, StatusCode::BAD_REQUEST, message);

        // Status changes: the page said "choose a status"; an outcome was unbounded.
        let page = form(app, &me, &format!("{case_path}/status"), &[("version", "1"), ("status", "shut")]).await;
        let by_api = app.json("POST", &api("status"), &token, json!({ "version": 1, "status": "shut" })).await;
        let message = "status must be open, under_review, closed or reopened";
        both_refuse(&page, &by_api, StatusCode::BAD_REQUEST, message);
        let outcome = long(2_001);
        let fields = [("version", "1"), ("status", "closed"), ("outcome", outcome.as_str())];
        let page = form(app, &me, &format!("{case_path}/status"), &fields).await;
        let body = json!({ "version": 1, "status": "closed", "outcome": outcome });
        let by_api = app.json("POST", &api("status"), &token, body).await;
        both_refuse(&page, &by_api, StatusCode::BAD_REQUEST, "outcome must be 2000 characters or fewer");
        // Closing a case needs an outcome, on the page as through the API.
        let fields = [("version", "1"), ("status", "closed"), ("outcome", " ")];
        let page = form(app, &me, &format!("{case_path}/status"), &fields).await;
        let body = json!({ "version": 1, "status": "closed", "outcome": " " });
        let by_api = app.json("POST", &api("status"), &token, body).await;
        let message = "closing a case needs an outcome: say what was achieved";
        both_refuse(&page, &by_api, StatusCode::UNPROCESSABLE_ENTITY, message);

        // Linking an incident: the API took an empty reference to a 404.
        let page = form(app, &me, &format!("{case_path}/incidents"), &[("incident", " ")]).await;
        let by_api = app.json("POST", &api("incidents"), &token, json!({ "incident": " " })).await;
        both_refuse(&page, &by_api, StatusCode::BAD_REQUEST, "incident must not be empty");

        // Interventions: the subject's name was unbounded.
        let name = long(201);
        let fields = [
            ("kind", "warning_letter"),
            ("subject_name", name.as_str()),
            ("conduct", "Threats"),
            ("issued_on", "2026-01-15"),
        ];
        let page = form(app, &me, &format!("{case_path}/interventions"), &fields).await;
        let body = json!({ "kind": "warning_letter", "subject_name": name, "conduct": "Threats",
            "issued_on": "2026-01-15", "starts_at": "2026-01-15T00:00:00Z" });
        let by_api = app.json("POST", &api("interventions"), &token, body).await;
        both_refuse(&page, &by_api, StatusCode::BAD_REQUEST, "subject_name must be 200 characters or fewer");

        // Risk: the reason for professional judgement was unbounded.
        let qs = app.get_bearer("/api/v1/questionnaires", &token).await.json();
        let questions: Vec<String> = qs["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|q| q["id"] == "asb-victim")
            .flat_map(|q| q["questions"].as_array().cloned().unwrap_or_default())
            .filter_map(|q| q["id"].as_str().map(str::to_string))
            .collect();
        assert!(!questions.is_empty());
        let reason = long(2_001);
        let mut fields: Vec<(&str, &str)> = questions.iter().map(|q| (q.as_str(), "no")).collect();
        fields.extend([("questionnaire", "asb-victim"), ("judgement_level", "high"), ("judgement_reason", &reason)]);
        let page = form(app, &me, &format!("{case_path}/risk"), &fields).await;
        let answers: serde_json::Map<String, serde_json::Value> =
            questions.iter().map(|q| (q.clone(), json!(false))).collect();
        let body = json!({ "questionnaire": "asb-victim", "answers": answers,
            "judgement": { "level": "high", "reason": reason } });
        let by_api = app.json("POST", &api("risk-assessments"), &token, body).await;
        let message = "judgement_reason must be 2000 characters or fewer";
        both_refuse(&page, &by_api, StatusCode::UNPROCESSABLE_ENTITY, message);
        // Judgement may raise the level, never lower it: one rule for both.
        let mut fields: Vec<(&str, &str)> = questions.iter().map(|q| (q.as_str(), "yes")).collect();
        fields.extend([
            ("questionnaire", "asb-victim"),
            ("judgement_level", "standard"),
            ("judgement_reason", "Known"),
        ]);
        let page = form(app, &me, &format!("{case_path}/risk"), &fields).await;
        let answers: serde_json::Map<String, serde_json::Value> =
            questions.iter().map(|q| (q.clone(), json!(true))).collect();
        let body = json!({ "questionnaire": "asb-victim", "answers": answers,
            "judgement": { "level": "standard", "reason": "Known" } });
        let by_api = app.json("POST", &api("risk-assessments"), &token, body).await;
        let message = "professional judgement cannot lower the level from high to standard";
        both_refuse(&page, &by_api, StatusCode::UNPROCESSABLE_ENTITY, message);

        // ASB Case Review applications: two messages for a future date.
        let page =
            form(app, &me, "/case-reviews", &[("applicant_kind", "victim"), ("received_on", "2026-02-01")]).await;
        let body = json!({ "applicant_kind": "victim", "received_on": "2026-02-01" });
        let by_api = app.json("POST", "/api/v1/case-reviews", &token, body).await;
        both_refuse(&page, &by_api, StatusCode::BAD_REQUEST, "received_on cannot be in the future");
        let page =
            form(app, &me, "/case-reviews", &[("applicant_kind", "landlord"), ("received_on", "2026-01-15")]).await;
        let body = json!({ "applicant_kind": "landlord", "received_on": "2026-01-15" });
        let by_api = app.json("POST", "/api/v1/case-reviews", &token, body).await;
        let message = "applicant_kind must be victim, on_behalf or community";
        both_refuse(&page, &by_api, StatusCode::BAD_REQUEST, message);
        // Their updates: the page allowed a panel of 500 characters, the API 2,000.
        let body = json!({ "applicant_kind": "victim", "received_on": "2026-01-15" });
        let review = app.json("POST", "/api/v1/case-reviews", &token, body).await;
        assert_eq!(review.status, StatusCode::CREATED, "{}", review.body);
        let review_id = review.json()["id"].as_str().expect("id").to_string();
        let panel = long(600);
        let page =
            form(app, &me, &format!("/case-reviews/{review_id}"), &[("recommendations", "0"), ("panel", &panel)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let panel = long(2_001);
        let page =
            form(app, &me, &format!("/case-reviews/{review_id}"), &[("recommendations", "0"), ("panel", &panel)]).await;
        let by_api =
            app.json("PATCH", &format!("/api/v1/case-reviews/{review_id}"), &token, json!({ "panel": panel })).await;
        both_refuse(&page, &by_api, StatusCode::UNPROCESSABLE_ENTITY, "panel must be 2000 characters or fewer");
        // The number of recommendations: the page had its own range and message.
        let page = form(app, &me, &format!("/case-reviews/{review_id}"), &[("recommendations", "101")]).await;
        let body = json!({ "recommendations": 101 });
        let by_api = app.json("PATCH", &format!("/api/v1/case-reviews/{review_id}"), &token, body).await;
        let message = "recommendations must be a whole number from 0 to 100";
        both_refuse(&page, &by_api, StatusCode::UNPROCESSABLE_ENTITY, message);

        // Shares: the agency was upper-cased only by the API; the lawful basis
        // was "lawful basis" on the page and "lawful_basis" in the API.
        let page =
            form(app, &me, &format!("{case_path}/shares"), &[("agency", "herts-police"), ("lawful_basis", " ")]).await;
        let body = json!({ "agency": "herts-police", "lawful_basis": " " });
        let by_api = app.json("POST", &api("shares"), &token, body).await;
        both_refuse(&page, &by_api, StatusCode::BAD_REQUEST, "lawful_basis must not be empty");
        let fields = [("agency", " herts-police "), ("lawful_basis", "Crime and Disorder Act 1998 s115")];
        let page = form(app, &me, &format!("{case_path}/shares"), &fields).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let shown = app.get(&case_path, Some(&me)).await.body;
        assert!(shown.contains("HERTS-POLICE (Crime and Disorder Act 1998 s115)"), "{shown}");
    })
    .await;
}

#[tokio::test]
async fn a_suggested_duplicate_person_is_merged_from_the_incident_page() {
    each_engine(async |app: &TestApp| {
        let me = app.sign_in(OFFICER).await;
        let first = form(app, &me, "/incidents", INCIDENT).await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        let second = form(app, &me, "/incidents", INCIDENT).await;
        assert_eq!(second.status, StatusCode::SEE_OTHER);
        let page = app.get(second.location(), Some(&me)).await;
        assert!(
            page.body.contains("data-testid=\"duplicates\"") && page.body.contains("may be the same person as"),
            "{}",
            page.body
        );
        let action = page
            .body
            .split("action=\"/people/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("merge form")
            .to_string();
        let duplicate = page
            .body
            .split("name=\"duplicate\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("duplicate")
            .to_string();
        let incident = second.location().trim_start_matches("/incidents/").to_string();
        let viewer = app.sign_in(VIEWER).await;
        let path = format!("/people/{action}");
        assert_eq!(
            app.post(&path, Some(&viewer), Some(&viewer.csrf), &[("duplicate", &duplicate)]).await.status,
            StatusCode::FORBIDDEN
        );
        let r = form(app, &me, &path, &[("duplicate", &duplicate), ("incident", &incident)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), second.location());
        let after = app.get(second.location(), Some(&me)).await;
        assert!(!after.body.contains("data-testid=\"duplicates\""), "merged: no more suggestions");
    })
    .await;
}
