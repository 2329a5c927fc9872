//! E-mail notifications on every engine, delivered to a real SMTP server the
//! test starts on the loopback interface (a small sink that speaks enough
//! SMTP and keeps what it is sent): messages are queued in the same
//! transaction as the change, delivered by the scheduler's pass, kept and
//! retried with backoff while the server is down, queued once for reminders,
//! switched off per user, and never carry personal data.

mod common;

use axum::http::StatusCode;
use chrono::Duration;
use common::*;
use safetynet_app::notify::{self, Delivery, NotifyConfig};
use safetynet_domain::notification::Schedule;
use safetynet_domain::partnership::{AgencyCode, Email};
use safetynet_domain::policy::{AuthMethod, ManagePartnershipWork, ManageUsers, Principal};
use safetynet_domain::role::Role;
use safetynet_mail::{parse_from, MailSettings, SmtpUrl};
use safetynet_store::notifications::{OutboxMessage, Queued};
use safetynet_store::testing::{allow_inserts, block_inserts};
use safetynet_store::users::{Actor, NewUser};
use safetynet_web::{AppState, WebConfig};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One delivery pass as the server's minute loop makes it.
async fn deliver(state: &safetynet_web::AppState, settings: &MailSettings) -> Result<Delivery, safetynet_app::Error> {
    let public_url = state.config.notifications.public_url.as_deref();
    notify::deliver(&state.store, settings, public_url, state.clock.as_ref()).await
}

/// Queues what is due now, as the server's scheduler does.
async fn queue_due(state: &safetynet_web::AppState) -> Result<Queued, safetynet_app::Error> {
    notify::queue_due(&state.store, state.config.notifications.schedule, state.clock.now()).await
}

// --- a small SMTP sink ----------------------------------------------------------

/// One message the sink accepted.
#[derive(Debug, Clone)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: String,
}

/// An SMTP server on 127.0.0.1 that accepts everything (or refuses
/// recipients with 550 when told to) and keeps the messages.
#[derive(Clone)]
struct Sink {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    refuse_recipients: Arc<AtomicBool>,
    task: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl Sink {
    /// A sink on a free port, not yet listening ("the server is down").
    async fn down() -> Self {
        let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = l.local_addr().expect("addr").port();
        drop(l);
        Self { port, mails: Default::default(), refuse_recipients: Default::default(), task: Default::default() }
    }

    /// A listening sink.
    async fn up() -> Self {
        let s = Self::down().await;
        s.start().await;
        s
    }

    async fn start(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.expect("bind the sink's port again");
        let (mails, refuse) = (self.mails.clone(), self.refuse_recipients.clone());
        let handle = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, mails.clone(), refuse.clone()));
            }
        });
        *self.task.lock().expect("lock") = Some(handle);
    }

    fn stop(&self) {
        if let Some(h) = self.task.lock().expect("lock").take() {
            h.abort();
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().expect("lock").clone()
    }
}

async fn session(stream: tokio::net::TcpStream, mails: Arc<Mutex<Vec<Mail>>>, refuse: Arc<AtomicBool>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 sink.test ESMTP\r\n").await;
    let (mut from, mut to) = (String::new(), Vec::new());
    let address = |l: &str| {
        l.split_once(':')
            .map(|(_, a)| a.trim().trim_start_matches('<').split('>').next().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250 sink.test\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&line);
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            if refuse.load(Ordering::SeqCst) {
                b"550 5.1.1 no such mailbox\r\n"
            } else {
                to.push(address(&line));
                b"250 OK\r\n"
            }
        } else if upper == "DATA" {
            let _ = write.write_all(b"354 end with .\r\n").await;
            let mut data = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(&l));
                data.push('\n');
            }
            mails.lock().expect("lock").push(Mail { from: from.clone(), to: to.clone(), data });
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            let _ = write.write_all(b"221 bye\r\n").await;
            break;
        } else if upper.starts_with("RSET") || upper.starts_with("NOOP") {
            b"250 OK\r\n"
        } else {
            b"502 not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            break;
        }
    }
}

// --- helpers ---------------------------------------------------------------------

const PUBLIC_URL: &str = "https://safetynet.example.gov.uk";

/// The app's state with mail going to `smtp_url`.
fn with_mail(app: &TestApp, smtp_url: &str) -> AppState {
    let config = WebConfig {
        notifications: NotifyConfig {
            mail: Some(MailSettings {
                smtp: SmtpUrl::parse(smtp_url).expect("smtp url"),
                from: parse_from("SafetyNet <safetynet@stalbans.gov.uk>").expect("from"),
            }),
            public_url: Some(PUBLIC_URL.into()),
            schedule: Schedule::default(),
        },
        ..Default::default()
    };
    AppState::new(app.store.clone(), Arc::new(app.clock.clone()), config)
}

async fn user_id(app: &TestApp, email: &str) -> String {
    app.store.user_id_by_email(&Email::parse(email).expect("email")).await.expect("db").expect("user")
}

async fn principal(app: &TestApp, email: &str) -> Principal {
    let id = user_id(app, email).await;
    app.store.principal(&id, AuthMethod::Operator).await.expect("db").expect("principal")
}

/// A case officer at the fire service (the demo has only a viewer there).
async fn add_fire_officer(app: &TestApp) -> String {
    let operator = Principal::operator();
    let permit = operator.permit::<ManageUsers>().expect("permit");
    let actor = Actor { principal: &operator, at_ms: app.clock_ms(), source: "test" };
    let user = NewUser {
        email: Email::parse(FIRE_OFFICER).expect("email"),
        display_name: "Fire Officer".into(),
        agency: AgencyCode::parse("HFRS").expect("code"),
        roles: vec![Role::CaseOfficer],
        password_hash: "not a real hash".into(),
    };
    app.store.create_user(&permit, &user, &actor).await.expect("user")
}

const FIRE_OFFICER: &str = "fire.officer@hertsfire.gov.uk";

trait ClockMs {
    fn clock_ms(&self) -> i64;
}

impl ClockMs for TestApp {
    fn clock_ms(&self) -> i64 {
        use safetynet_domain::clock::Clock;
        self.clock.now().timestamp_millis()
    }
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let res = app.json("POST", path, token, body).await;
    let v = if res.body.is_empty() { Value::Null } else { res.json() };
    (res.status, v)
}

async fn outbox(app: &TestApp) -> Vec<OutboxMessage> {
    let mut all = app.store.outbox(1_000).await.expect("outbox");
    all.reverse();
    all
}

/// Personal data seeded into the records: no message may contain any of it.
const SECRETS: [&str; 10] = [
    "Perpetua Matrixworth",
    "1939-04-17",
    "9 Sentinel Mews",
    "Sentinel description",
    "Sentinel problem",
    "Sentinel plan",
    "Sentinel task",
    "Sentinel notes",
    "Sentinel operation",
    "Kyle Sentinel",
];

/// An incident with personal data, and a case about it led by the council
/// (the case officer leads it). Returns (case id, case reference).
async fn seed_case(app: &TestApp, officer: &str) -> (String, String) {
    let incident = json!({
        "category": "asb-personal",
        "occurred_from": "2026-01-14T21:30:00Z",
        "reported_at": "2026-01-15T07:00:00Z",
        "latitude": 51.7520, "longitude": -0.3390,
        "address": "9 Sentinel Mews, St Albans",
        "description": "Sentinel description: shouting and threats",
        "source": "public",
        "hate_strand": null,
        "domestic_abuse": false, "involves_child": false, "repeat": true,
        "outside_area_reason": null,
        "people": [
            { "role": "victim", "full_name": "Perpetua Matrixworth", "date_of_birth": "1939-04-17", "address": "9 Sentinel Mews, St Albans" },
            { "role": "perpetrator", "full_name": "Kyle Sentinel", "date_of_birth": "2000-06-01", "address": "11 Sentinel Mews, St Albans" }
        ]
    });
    let (s, inc) = post(app, "/api/v1/incidents", officer, incident).await;
    assert_eq!(s, StatusCode::CREATED, "{inc}");
    let (s, case) = post(
        app,
        "/api/v1/cases",
        officer,
        json!({ "title": "Perpetua Matrixworth at 9 Sentinel Mews", "problem": "Sentinel problem", "incidents": [inc["id"]] }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    (case["id"].as_str().unwrap_or_default().to_string(), case["reference"].as_str().unwrap_or_default().to_string())
}

fn task(title: &str, agency: &str, officer: Option<&str>) -> Value {
    json!({ "title": title, "owner_agency": agency, "owner_officer_id": officer, "due_on": "2026-02-01", "notes": "Sentinel notes" })
}

// --- tests -----------------------------------------------------------------------

#[tokio::test]
async fn changes_queue_messages_in_their_own_transaction() {
    each_engine(async |app: &TestApp| {
        let fire = add_fire_officer(app).await;
        let council = app.token(OFFICER).await;
        let (case_id, reference) = seed_case(app, &council).await;
        assert!(outbox(app).await.is_empty(), "opening a case tells nobody");
        let police_id = user_id(app, POLICE).await;
        let manager_id = user_id(app, MANAGER).await;

        // A task for an agency: its case workers hear of it; one for an officer: only them.
        let (s, _) = post(
            app,
            &format!("/api/v1/cases/{case_id}/tasks"),
            &council,
            task("Sentinel task 1", "HERTS-POLICE", None),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        app.clock.advance(Duration::seconds(1));
        let (s, _) =
            post(app, &format!("/api/v1/cases/{case_id}/tasks"), &council, task("Sentinel task 2", "SACDC", None))
                .await;
        assert_eq!(s, StatusCode::CREATED);
        app.clock.advance(Duration::seconds(1));
        let (s, _) = post(
            app,
            &format!("/api/v1/cases/{case_id}/tasks"),
            &council,
            task("Sentinel task 3", "HERTS-POLICE", Some(&police_id)),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        app.clock.advance(Duration::seconds(1));
        let rows = outbox(app).await;
        let got: Vec<(String, String)> =
            rows.iter().map(|m| (m.kind.clone(), m.user_id.clone().unwrap_or_default())).collect();
        assert_eq!(
            got,
            [
                ("task_assigned".to_string(), police_id.clone()),
                ("task_assigned".to_string(), manager_id.clone()),
                ("task_assigned".to_string(), police_id.clone()),
            ],
            "the agency's case workers, less the officer who added it; then the named officer"
        );
        assert!(rows[0].subject.contains(&reference) && rows[0].subject.contains("HERTS-POLICE"), "{:?}", rows[0]);
        assert!(rows[2].subject.contains("for you"), "{:?}", rows[2]);
        assert_eq!(rows[0].address, POLICE);
        assert_eq!(rows[0].link_path, format!("/cases/{case_id}#tasks"));

        // Sharing tells the agency's case workers.
        let (s, _) = post(
            app,
            &format!("/api/v1/cases/{case_id}/shares"),
            &council,
            json!({ "agency": "HERTS-POLICE", "lawful_basis": "Crime and Disorder Act 1998 s115" }),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        let last = outbox(app).await.pop().expect("a message");
        assert_eq!((last.kind.as_str(), last.address.as_str()), ("case_shared", POLICE));
        assert!(last.subject.contains(&reference) && last.body.contains("SACDC"), "{last:?}");

        // When the change fails after its messages were written, neither is kept.
        let before = outbox(app).await.len();
        block_inserts(&app.store, "case_events").await.expect("block");
        let (s, _) = post(
            app,
            &format!("/api/v1/cases/{case_id}/tasks"),
            &council,
            task("Sentinel task 4", "HERTS-POLICE", None),
        )
        .await;
        assert!(s.is_server_error(), "{s}");
        let (s, _) = post(
            app,
            &format!("/api/v1/cases/{case_id}/shares"),
            &council,
            json!({ "agency": "HFRS", "lawful_basis": "x" }),
        )
        .await;
        assert!(s.is_server_error(), "{s}");
        allow_inserts(&app.store, "case_events").await.expect("allow");
        assert_eq!(outbox(app).await.len(), before, "rolled back with the change");
        let case = app.get_bearer(&format!("/api/v1/cases/{case_id}"), &council).await.json();
        assert_eq!(case["record"]["tasks"].as_array().map(Vec::len), Some(3), "the task was not kept either");
        assert_eq!(case["record"]["shares"].as_array().map(Vec::len), Some(1));
        // And done again, both are.
        app.clock.advance(Duration::seconds(1));
        let (s, _) = post(
            app,
            &format!("/api/v1/cases/{case_id}/shares"),
            &council,
            json!({ "agency": "HFRS", "lawful_basis": "x" }),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        let to_fire: Vec<_> = outbox(app)
            .await
            .into_iter()
            .filter(|m| m.kind.as_str() == "case_shared" && m.user_id.as_deref() == Some(fire.as_str()))
            .collect();
        assert_eq!(to_fire.len(), 1, "the fire officer is told once, after the share that was kept");
        assert!(app.store.verify_audit().await.expect("verify").is_ok(), "the audit chain is intact");
    })
    .await;
}

#[tokio::test]
async fn the_scheduler_delivers_retries_with_backoff_and_gives_up_after_a_day() {
    each_engine(async |app: &TestApp| {
        let sink = Sink::down().await;
        let state = with_mail(app, &sink.url());
        let council = app.token(OFFICER).await;
        let (case_id, reference) = seed_case(app, &council).await;
        post(app, &format!("/api/v1/cases/{case_id}/tasks"), &council, task("Sentinel task", "HERTS-POLICE", None))
            .await;
        let queued_at = app.clock_ms();

        // The server is down: the message stays, with the error, for a minute.
        let d = deliver(&state, state.config.notifications.mail.as_ref().expect("mail")).await.expect("pass");
        assert_eq!((d.sent, d.retrying, d.gave_up), (0, 1, 0), "{d:?}");
        assert!(d.error.as_deref().unwrap_or("").contains("cannot reach the mail server"), "{d:?}");
        let m = outbox(app).await.pop().expect("kept");
        assert_eq!((m.attempts, m.sent_at_ms, m.failed_at_ms), (1, None, None));
        assert_eq!(m.next_attempt_at_ms, queued_at + 60_000, "first retry after a minute");
        assert!(m.last_error.is_some());
        let settings = state.config.notifications.mail.clone().expect("mail");
        assert_eq!(deliver(&state, &settings).await.expect("pass").retrying, 0, "not due again yet");
        app.clock.advance(Duration::minutes(1));
        deliver(&state, &settings).await.expect("pass");
        let m = outbox(app).await.pop().expect("kept");
        assert_eq!(m.attempts, 2);
        assert_eq!(m.next_attempt_at_ms, app.clock_ms() + 5 * 60_000, "then five minutes");

        // The server is back: the next pass after the wait delivers it.
        sink.start().await;
        app.clock.advance(Duration::minutes(4));
        assert_eq!(deliver(&state, &settings).await.expect("pass").sent, 0, "still waiting its turn");
        app.clock.advance(Duration::minutes(1));
        let d = deliver(&state, &settings).await.expect("pass");
        assert_eq!((d.sent, d.retrying), (1, 0), "{d:?}");
        let mails = sink.mails();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, [POLICE]);
        assert_eq!(mails[0].from, "safetynet@stalbans.gov.uk");
        assert!(
            mails[0].data.contains(&format!("Subject: SafetyNet: a task on {reference} for HERTS-POLICE")),
            "{}",
            mails[0].data
        );
        assert!(mails[0].data.contains(&format!("{PUBLIC_URL}/cases/{case_id}#tasks")), "{}", mails[0].data);
        assert!(mails[0].data.contains(&format!("Message-ID: <{}@stalbans.gov.uk>", m.id)), "{}", mails[0].data);
        let m = outbox(app).await.pop().expect("kept");
        assert_eq!(m.sent_at_ms, Some(app.clock_ms()));
        assert_eq!(deliver(&state, &settings).await.expect("pass").sent, 0, "sent once");

        // Refused for good (550): given up at once, the answer kept.
        sink.refuse_recipients.store(true, Ordering::SeqCst);
        app.clock.advance(Duration::seconds(1));
        post(app, &format!("/api/v1/cases/{case_id}/tasks"), &council, task("Sentinel task", "HERTS-POLICE", None))
            .await;
        let d = deliver(&state, &settings).await.expect("pass");
        assert_eq!((d.sent, d.gave_up), (0, 1), "{d:?}");
        let m = outbox(app).await.pop().expect("kept");
        assert!(m.failed_at_ms.is_some() && m.last_error.as_deref().unwrap_or("").contains("550"), "{m:?}");
        sink.refuse_recipients.store(false, Ordering::SeqCst);

        // Down for more than a day: tried with growing waits, then given up.
        sink.stop();
        app.clock.advance(Duration::seconds(1));
        post(app, &format!("/api/v1/cases/{case_id}/tasks"), &council, task("Sentinel task", "HERTS-POLICE", None))
            .await;
        let mut waits = Vec::new();
        for _ in 0..60 {
            deliver(&state, &settings).await.expect("pass");
            let m = outbox(app).await.pop().expect("kept");
            if m.failed_at_ms.is_some() {
                break;
            }
            let wait = m.next_attempt_at_ms - app.clock_ms();
            waits.push(wait / 60_000);
            app.clock.advance(Duration::milliseconds(wait));
        }
        assert_eq!(waits[..5], [1, 5, 15, 60, 60], "{waits:?}");
        let m = outbox(app).await.pop().expect("kept");
        assert!(m.failed_at_ms.is_some(), "given up: {m:?}");
        assert!(m.attempts >= 20 && m.last_error.as_deref().unwrap_or("").contains("cannot reach"), "{m:?}");
        assert!(m.failed_at_ms.unwrap_or(0) - m.created_at_ms <= 24 * 3_600_000 + 1, "{m:?}");
        let status = app.store.outbox_status(app.clock_ms()).await.expect("status");
        assert_eq!((status.waiting, status.failed_last_day), (0, 2), "this one and the refused one: {status:?}");
        assert_eq!(status.recent_failures[0].id, m.id);
        sink.stop();
    })
    .await;
}

#[tokio::test]
async fn reminders_are_queued_once_and_no_message_carries_personal_data() {
    each_engine(async |app: &TestApp| {
        let sink = Sink::up().await;
        let state = with_mail(app, &sink.url());
        let settings = state.config.notifications.mail.clone().expect("mail");
        let council = app.token(OFFICER).await;
        let police_id = user_id(app, POLICE).await;
        let (case_id, reference) = seed_case(app, &council).await;
        let plan = json!({ "version": 1, "title": "Perpetua Matrixworth at 9 Sentinel Mews", "problem": "Sentinel problem", "analysis_victim": "Sentinel plan: Perpetua Matrixworth, born 1939-04-17",
            "analysis_offender": "Kyle Sentinel", "analysis_location": "9 Sentinel Mews", "analysis_controllers": "Sentinel plan", "assessment": "Sentinel plan" });
        assert_eq!(app.json("PUT", &format!("/api/v1/cases/{case_id}/plan"), &council, plan).await.status, StatusCode::OK);
        // High risk: reviewed in 14 days (29 January).
        let qs = app.get_bearer("/api/v1/questionnaires", &council).await.json();
        let asb = qs["items"].as_array().into_iter().flatten().find(|q| q["id"] == "asb-victim").cloned().unwrap_or_default();
        let answers: serde_json::Map<String, Value> = asb["questions"].as_array().into_iter().flatten().map(|q| (q["id"].as_str().unwrap_or_default().to_string(), json!(false))).collect();
        let (s, v) = post(app, &format!("/api/v1/cases/{case_id}/risk-assessments"), &council, json!({ "questionnaire": "asb-victim", "answers": answers, "judgement": { "level": "high", "reason": "Sentinel notes: Perpetua Matrixworth threatened" } })).await;
        assert_eq!((s, v["next_review_on"].as_str()), (StatusCode::CREATED, Some("2026-01-29")), "{v}");
        post(app, &format!("/api/v1/cases/{case_id}/tasks"), &council, task("Sentinel task: visit Perpetua Matrixworth", "HERTS-POLICE", Some(&police_id))).await;
        post(app, &format!("/api/v1/cases/{case_id}/shares"), &council, json!({ "agency": "HERTS-POLICE", "lawful_basis": "Sentinel notes" })).await;
        // An operation task for the police.
        let manager = principal(app, MANAGER).await;
        let manager_token = app.token(MANAGER).await;
        let (s, op) = post(app, "/api/v1/operations", &manager_token, json!({ "name": "Sentinel operation", "prompted_by": "Sentinel notes", "target": { "kind": "circle", "lon": -0.339, "lat": 51.752, "radius_m": 400 }, "crime_types": ["Burglary"], "starts_on": "2026-01-01", "ends_on": "2026-02-01" })).await;
        assert_eq!(s, StatusCode::CREATED, "{op}");
        let op_id = op["id"].as_str().unwrap_or_default().to_string();
        let permit = manager.permit::<ManagePartnershipWork>().expect("permit");
        let actor = Actor { principal: &manager, at_ms: app.clock_ms(), source: "test" };
        let due = chrono::NaiveDate::from_ymd_opt(2026, 1, 30).expect("date");
        app.store.add_operation_task(&permit, &op_id, "Sentinel task at 9 Sentinel Mews", "HERTS-POLICE", due, &actor).await.expect("operation task");

        // An ASB Case Review received on Thursday 22 January: acknowledge by Tuesday 27.
        app.clock.advance(Duration::days(7));
        let (s, cr) = post(app, "/api/v1/case-reviews", &council, json!({ "applicant_kind": "victim", "received_on": "2026-01-22" })).await;
        assert_eq!((s, cr["clocks"]["acknowledge_by"].as_str()), (StatusCode::CREATED, Some("2026-01-27")), "{cr}");
        let cr_ref = cr["reference"].as_str().unwrap_or_default().to_string();

        // Tuesday 27 January, 09:00: the review is two days off, the acknowledgement due today.
        app.clock.advance(Duration::days(5));
        let q = queue_due(&state).await.expect("queue");
        assert_eq!((q.reviews, q.case_reviews, q.digests), (1, 2, 1), "lead officer; the council's two case workers; the CSP manager");
        assert_eq!(queue_due(&state).await.expect("queue").total(), 0, "each reminder is queued once");
        let d = deliver(&state, &settings).await.expect("pass");
        let rows = outbox(app).await;
        assert_eq!((d.sent, d.retrying, d.gave_up), (rows.len(), 0, 0), "{d:?}");
        let kinds: std::collections::BTreeSet<&str> = rows.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds.len(), 6, "every kind: {kinds:?}");
        let review = rows.iter().find(|m| m.kind == "review_due").expect("review reminder");
        assert_eq!(review.address, OFFICER);
        assert!(review.subject.contains(&reference) && review.body.contains("Thursday 29 January 2026"), "{review:?}");
        let deadline = rows.iter().find(|m| m.kind == "case_review_deadline").expect("deadline reminder");
        assert!(deadline.subject.contains(&cr_ref) && deadline.body.contains("acknowledged"), "{deadline:?}");
        let digest = rows.iter().find(|m| m.kind == "daily_digest").expect("digest");
        assert_eq!(digest.address, MANAGER);
        assert!(digest.body.contains("Live high-risk cases:          1"), "{}", digest.body);

        // Nothing personal, in the outbox or in what the server received.
        let mails = sink.mails();
        assert_eq!(mails.len(), rows.len());
        for m in &rows {
            for secret in SECRETS {
                assert!(!m.subject.contains(secret) && !m.body.contains(secret), "{secret} in {m:?}");
            }
        }
        for mail in &mails {
            for secret in SECRETS {
                assert!(!mail.data.contains(secret), "{secret} sent: {}", mail.data);
            }
            assert!(mail.data.contains("Content-Transfer-Encoding: 7bit"), "plain text, so the check above sees every word: {}", mail.data);
            assert!(mail.data.contains(PUBLIC_URL), "{}", mail.data);
        }

        // The next day: a new summary, no repeated reminders.
        app.clock.advance(Duration::days(1));
        let q = queue_due(&state).await.expect("queue");
        assert_eq!((q.reviews, q.case_reviews, q.digests), (0, 0, 1), "{q:?}");
        // Sent messages are kept for 90 days, then deleted; the unique keys go with them
        // only when their deadlines are long past.
        let before = outbox(app).await.len();
        app.clock.advance(Duration::days(89));
        queue_due(&state).await.expect("queue");
        assert!(outbox(app).await.len() > before, "kept, plus today's summary");
        app.clock.advance(Duration::days(2));
        let q = queue_due(&state).await.expect("queue");
        assert_eq!(outbox(app).await.len(), q.total() + 2, "only the recent summaries are left");
        sink.stop();
    })
    .await;
}

#[tokio::test]
async fn people_choose_which_notifications_they_get() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let manager = app.token(MANAGER).await;
        let (case_id, _) = seed_case(app, &council).await;
        let officer_id = user_id(app, OFFICER).await;

        // The API: all on until switched off; unknown kinds refused.
        let v = app.get_bearer("/api/v1/me/notifications", &manager).await.json();
        assert_eq!(v["items"].as_array().map(Vec::len), Some(9), "{v}");
        assert!(
            v["items"].as_array().into_iter().flatten().all(|i| i["enabled"] == true && i["applies"] == true),
            "{v}"
        );
        let res = app.json("PUT", "/api/v1/me/notifications", &manager, json!({ "daily_digest": false })).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let digest =
            res.json()["items"].as_array().into_iter().flatten().find(|i| i["kind"] == "daily_digest").cloned();
        assert_eq!(digest.map(|d| d["enabled"].clone()), Some(json!(false)));
        assert_eq!(
            app.json("PUT", "/api/v1/me/notifications", &manager, json!({ "spam": true })).await.status,
            StatusCode::BAD_REQUEST
        );
        let q = queue_due(&app.state).await.expect("queue");
        assert_eq!(q.digests, 0, "the only CSP manager switched the summary off");

        // The account page: a CSRF-protected form of checkboxes.
        let session = app.sign_in(OFFICER).await;
        let page = app.get("/account", Some(&session)).await;
        assert!(
            page.body.contains("E-mail notifications") && page.body.contains("name=\"task_assigned\""),
            "{}",
            page.body
        );
        assert!(!page.body.contains("name=\"daily_digest\""), "the summary is for CSP managers");
        let fields =
            [("case_shared", "on"), ("review_due", "on"), ("case_review_deadline", "on"), ("operation_task", "on")];
        assert_eq!(
            app.post("/account/notifications", Some(&session), None, &fields).await.status,
            StatusCode::FORBIDDEN,
            "no CSRF token"
        );
        let res = app.post("/account/notifications", Some(&session), Some(&session.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert!(res.body.contains("Your e-mail choices have been saved"));
        let page = app.get("/account", Some(&session)).await;
        assert!(
            page.body.contains("id=\"notify-task_assigned\" name=\"task_assigned\" type=\"checkbox\" value=\"on\">"),
            "unticked: {}",
            page.body
        );

        // A task given to the officer who switched tasks off: no message.
        let before = outbox(app).await.len();
        let (s, _) = post(
            app,
            &format!("/api/v1/cases/{case_id}/tasks"),
            &manager,
            task("Sentinel task", "SACDC", Some(&officer_id)),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(outbox(app).await.len(), before);
        let prefs = app.store.notification_preferences(&officer_id).await.expect("prefs");
        assert!(prefs.iter().any(|(k, on)| k.as_str() == "task_assigned" && !on));
        assert!(prefs.iter().any(|(k, on)| k.as_str() == "case_shared" && *on));
    })
    .await;
}

async fn run_bin(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_safetynet"));
    c.env_remove("SAFETYNET_DATABASE_URL")
        .env_remove("SAFETYNET_CONFIG")
        .env_remove("SAFETYNET_SMTP_URL")
        .env_remove("SAFETYNET_MAIL_FROM")
        .env_remove("SAFETYNET_PUBLIC_URL")
        .current_dir(std::env::temp_dir())
        .args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().await.expect("run safetynet")
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

#[tokio::test]
async fn mail_commands_through_the_real_binary() {
    let sink = Sink::up().await;
    let url = sink.url();
    let env = [("SAFETYNET_SMTP_URL", url.as_str()), ("SAFETYNET_MAIL_FROM", "SafetyNet <safetynet@stalbans.gov.uk>")];

    let o = run_bin(&["mail", "test", "--to", "someone@stalbans.gov.uk"], &env).await;
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("test message sent to someone@stalbans.gov.uk"), "{}", text(&o.stdout));
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["someone@stalbans.gov.uk"]);
    assert!(mails[0].data.contains("Subject: SafetyNet test message"), "{}", mails[0].data);

    // Down: a clear error and a failing exit code.
    sink.stop();
    let o = run_bin(&["mail", "test", "--to", "someone@stalbans.gov.uk"], &env).await;
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("was not sent through smtp://127.0.0.1") && err.contains("cannot reach the mail server"),
        "{err}"
    );
    let o = run_bin(&["mail", "test", "--to", "x@stalbans.gov.uk"], &[]).await;
    assert!(!o.status.success() && text(&o.stderr).contains("no SMTP server is configured"), "{}", text(&o.stderr));
    let o = run_bin(&["mail", "test", "--to", "x@stalbans.gov.uk"], &[("SAFETYNET_SMTP_URL", "http://mail")]).await;
    assert!(!o.status.success() && text(&o.stderr).contains("smtp_url must start with smtp://"), "{}", text(&o.stderr));

    // check-config shows the server without its password.
    let o = run_bin(
        &["check-config"],
        &[("SAFETYNET_SMTP_URL", "smtp://mailer:s3cret@mail.example.gov.uk:587?tls=starttls")],
    )
    .await;
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        out.contains("smtp_url               = smtp://mailer:***@mail.example.gov.uk:587?tls=starttls")
            && !out.contains("s3cret"),
        "{out}"
    );
    assert!(out.contains("mail_from              = SafetyNet <safetynet@localhost>"), "{out}");

    // `mail send` and `mail status` against a database on every engine.
    sink.start().await;
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        // The binary runs on the real clock: no daily summary to muddle the counts.
        let manager = app.token(MANAGER).await;
        app.json("PUT", "/api/v1/me/notifications", &manager, json!({ "daily_digest": false })).await;
        let (case_id, _) = seed_case(app, &council).await;
        post(app, &format!("/api/v1/cases/{case_id}/tasks"), &council, task("Sentinel task", "HERTS-POLICE", None))
            .await;
        let o =
            run_bin(&["mail", "status", "--database-url", &app.url], &[("SAFETYNET_AUDIT_KEY_FILE", &app.key_file)])
                .await;
        assert!(!o.status.success(), "waiting without a server is reported as a failure");
        assert!(text(&o.stdout).contains("waiting: 1"), "{}", text(&o.stdout));
        let o = run_bin(&["mail", "send", "--database-url", &app.url], &[("SAFETYNET_AUDIT_KEY_FILE", &app.key_file)])
            .await;
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(
            text(&o.stdout).contains("no SMTP server is configured (smtp_url): 1 message(s) wait"),
            "{}",
            text(&o.stdout)
        );
        let before = sink.mails().len();
        let o = run_bin(
            &["mail", "send", "--database-url", &app.url],
            &[env[0], env[1], ("SAFETYNET_AUDIT_KEY_FILE", &app.key_file)],
        )
        .await;
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("sent: 1, to retry: 0, given up: 0"), "{}", text(&o.stdout));
        assert_eq!(sink.mails().len(), before + 1);
        assert_eq!(sink.mails().last().map(|m| m.to.clone()), Some(vec![POLICE.to_string()]));
        let o = run_bin(
            &["mail", "status", "--database-url", &app.url],
            &[env[0], env[1], ("SAFETYNET_AUDIT_KEY_FILE", &app.key_file)],
        )
        .await;
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("sent in the last 24 hours: 1"), "{}", text(&o.stdout));
    })
    .await;
    sink.stop();
}
