//! Data protection on every engine: the retention schedule (dry run,
//! anonymising only records past retention, counts kept, idempotent,
//! audited; the command line and its configuration).

mod common;

use axum::http::StatusCode;
use common::*;
use safetynet_domain::policy::Principal;
use safetynet_domain::retention::{Schedule, ANONYMISED_NAME, REMOVED};
use safetynet_store::users::Actor;
use serde_json::{json, Value};

fn incident(victim: &str, category: &str) -> Value {
    json!({
        "category": category,
        "occurred_from": "2026-01-14T21:30:00Z",
        "reported_at": "2026-01-15T07:00:00Z",
        "latitude": 51.752049, "longitude": -0.339012,
        "address": "12 Verulam Road, St Albans",
        "description": "Loud music and threats from the neighbouring flat",
        "source": "public",
        "hate_strand": null,
        "domestic_abuse": false, "involves_child": false, "repeat": false,
        "outside_area_reason": null,
        "people": [
            { "role": "victim", "full_name": victim, "date_of_birth": "1950-03-02", "address": "12 Verulam Road, St Albans" }
        ]
    })
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let res = app.json("POST", path, token, body).await;
    assert!(res.status == StatusCode::CREATED || res.status == StatusCode::OK, "{path}: {} {}", res.status, res.body);
    if res.body.is_empty() {
        Value::Null
    } else {
        res.json()
    }
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    let res = app.get_bearer(path, token).await;
    assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.body);
    res.json()
}

/// One incident in a closed case and one in no case, recorded by the
/// council at the test's start; returns (case id, linked incident, unlinked incident).
async fn seed(app: &TestApp, council: &str) -> (String, String, String) {
    let linked = post(app, "/api/v1/incidents", council, incident("Jane Smith", "asb-personal")).await;
    let unlinked = post(app, "/api/v1/incidents", council, incident("Peter Jones", "asb-nuisance")).await;
    let linked = linked["id"].as_str().unwrap_or_default().to_string();
    let unlinked = unlinked["id"].as_str().unwrap_or_default().to_string();
    let case = post(
        app,
        "/api/v1/cases",
        council,
        json!({ "title": "Verulam Road noise", "problem": "Jane Smith is threatened", "incidents": [linked] }),
    )
    .await;
    let case_id = case["id"].as_str().unwrap_or_default().to_string();
    post(
        app,
        &format!("/api/v1/cases/{case_id}/status"),
        council,
        json!({ "version": 1, "status": "closed", "outcome": "Jane Smith rehoused" }),
    )
    .await;
    (case_id, linked, unlinked)
}

fn years_after_start(years: i64) -> i64 {
    (start() + chrono::Duration::days(365 * years + years / 4 + 2)).timestamp_millis()
}

#[tokio::test]
async fn retention_dry_run_changes_nothing_and_a_run_anonymises_only_what_is_past_retention() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let (case_id, linked, unlinked) = seed(app, &council).await;
        let schedule = Schedule::default();
        let total_before = get(app, "/api/v1/incidents", &council).await["total"].clone();
        let audit_before = app.store.audit_len().await.expect("audit");

        // Four years on: the unlinked incident (3 years) is past retention, the closed case (6 years) is not.
        let four = years_after_start(4);
        let dry = app.store.retention_dry_run(&schedule, four).await.expect("dry run");
        assert_eq!(dry.incidents, vec![unlinked.clone()]);
        assert!(dry.cases.is_empty(), "{dry:?}");
        assert_eq!(dry.people.len(), 1, "only Peter Jones: {dry:?}");
        assert_eq!(app.store.audit_len().await.expect("audit"), audit_before, "a dry run writes nothing");
        let still = get(app, &format!("/api/v1/incidents/{unlinked}"), &council).await;
        assert_eq!(still["record"]["people"][0]["full_name"], "Peter Jones");

        let operator = Principal::operator();
        let actor = Actor { principal: &operator, at_ms: four, source: "test" };
        let ran = app.store.retention_run(&schedule, None, &actor).await.expect("run").expect("ran");
        assert_eq!(ran.incidents, dry.incidents);
        assert_eq!(ran.people, dry.people);
        let gone = get(app, &format!("/api/v1/incidents/{unlinked}"), &council).await;
        assert_eq!(gone["record"]["description"], REMOVED, "{gone}");
        assert_eq!(gone["record"]["address"], "");
        assert_eq!(gone["record"]["category"], "asb-nuisance", "the category is kept");
        assert_eq!(gone["record"]["latitude"], 51.752);
        assert_eq!(gone["record"]["people"][0]["full_name"], ANONYMISED_NAME);
        assert!(gone["record"]["people"][0]["date_of_birth"].is_null());
        let kept = get(app, &format!("/api/v1/incidents/{linked}"), &council).await;
        assert_eq!(kept["record"]["people"][0]["full_name"], "Jane Smith", "the case is within retention");
        assert_eq!(get(app, "/api/v1/incidents", &council).await["total"], total_before, "counts are kept");

        // Idempotent: the same day again changes nothing (and still audits the run).
        let again = app.store.retention_run(&schedule, None, &actor).await.expect("run").expect("ran");
        assert!(again.is_empty(), "{again:?}");

        // Seven years on the closed case goes too, with its incident and people.
        let seven = years_after_start(7);
        let actor = Actor { principal: &operator, at_ms: seven, source: "scheduler" };
        let ran = app.store.retention_run(&schedule, Some("2033-01-20"), &actor).await.expect("run").expect("ran");
        assert_eq!(ran.cases, vec![case_id.clone()]);
        assert_eq!(ran.incidents, vec![linked.clone()]);
        assert_eq!(ran.people.len(), 1);
        assert!(
            app.store.retention_run(&schedule, Some("2033-01-20"), &actor).await.expect("run").is_none(),
            "the scheduler claims the day once"
        );
        let case = get(app, &format!("/api/v1/cases/{case_id}"), &council).await;
        let text = case.to_string();
        assert!(!text.contains("Jane Smith"), "{text}");
        assert!(text.contains(REMOVED), "{text}");
        assert!(text.contains("\"closed\""), "{text}");
        assert_eq!(get(app, "/api/v1/incidents", &council).await["total"], total_before, "counts are kept");

        // Audited: one row per run, with counts and ids but no names.
        let auditor = app.token(AUDITOR).await;
        let audit = get(app, "/api/v1/audit?per_page=200", &auditor).await;
        let rows: Vec<&Value> =
            audit["items"].as_array().into_iter().flatten().filter(|r| r["record_type"] == "retention_run").collect();
        assert_eq!(rows.len(), 3, "{audit}");
        let all = rows.iter().map(|r| r.to_string()).collect::<String>();
        assert!(all.contains(&unlinked) && all.contains(&case_id), "{all}");
        assert!(!all.contains("Jane") && !all.contains("Peter"), "{all}");
        let verified = app.store.verify_audit().await.expect("verify").map_err(|b| b.to_string());
        assert_eq!(verified, Ok(app.store.audit_len().await.expect("audit")));
    })
    .await;
}

fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"));
    c.env_remove("SAFETYNET_DATABASE_URL").env_remove("SAFETYNET_CONFIG").current_dir(std::env::temp_dir());
    c
}

#[tokio::test]
async fn retention_from_the_command_line_dry_run_then_run() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let (_, linked, unlinked) = seed(app, &council).await;
        // The records were made at the tests' fixed start, before today:
        // a schedule of 0 years puts them all past retention.
        let cfg = app.dir.path().join("safetynet.toml");
        std::fs::write(&cfg, "[retention]\nclosed_case_years = 0\nunlinked_incident_years = 0\n").expect("config");
        let run = |extra: &[&str]| {
            bin()
                .args(["--config", &cfg.display().to_string(), "retention", "run"])
                .args(extra)
                .args(["--database-url", &app.url, "--audit-key-file", &app.key_file])
                .output()
                .expect("run")
        };
        let dry = run(&["--dry-run"]);
        let out = String::from_utf8_lossy(&dry.stdout).to_string();
        assert!(dry.status.success(), "{out}{}", String::from_utf8_lossy(&dry.stderr));
        assert!(out.contains("dry run") && out.contains("incidents  would anonymise 2"), "{out}");
        assert!(out.contains("cases      would anonymise 1"), "{out}");
        assert_eq!(
            get(app, &format!("/api/v1/incidents/{linked}"), &council).await["record"]["people"][0]["full_name"],
            "Jane Smith"
        );
        let done = run(&[]);
        let out = String::from_utf8_lossy(&done.stdout).to_string();
        assert!(done.status.success(), "{out}{}", String::from_utf8_lossy(&done.stderr));
        assert!(out.contains("incidents  anonymised 2") && out.contains("people     anonymised 2"), "{out}");
        for id in [&linked, &unlinked] {
            let v = get(app, &format!("/api/v1/incidents/{id}"), &council).await;
            assert_eq!(v["record"]["people"][0]["full_name"], ANONYMISED_NAME, "{v}");
        }
        let again = run(&["--dry-run"]);
        assert!(String::from_utf8_lossy(&again.stdout).contains("incidents  would anonymise 0"));

        std::fs::write(&cfg, "[retention]\nclosed_case_years = 101\n").expect("config");
        let bad = run(&["--dry-run"]);
        assert!(!bad.status.success());
        assert!(String::from_utf8_lossy(&bad.stderr).contains("closed_case_years"));
    })
    .await;
}

#[tokio::test]
async fn subject_access_export_holds_the_persons_data_and_nothing_of_another_agencys_unshared_record() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let mine = post(app, "/api/v1/incidents", &council, incident("Jane Smith", "asb-personal")).await;
        let mine = mine["id"].as_str().unwrap_or_default().to_string();
        // The police record the same victim: their record, not shared with the council.
        let theirs = post(app, "/api/v1/incidents", &police, incident("Jane Smith", "crime-public-order")).await;
        let theirs = theirs["id"].as_str().unwrap_or_default().to_string();
        let case = post(
            app,
            "/api/v1/cases",
            &council,
            json!({ "title": "Verulam Road noise", "problem": "Threats", "incidents": [mine] }),
        )
        .await;
        let case_id = case["id"].as_str().unwrap_or_default().to_string();
        let person = get(app, &format!("/api/v1/incidents/{mine}"), &council).await["record"]["people"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        // A referral the council made for her, and one for someone else; the
        // fire service's answer is the council's to disclose too.
        let referral = |name: &str| json!({ "programme": "safe_and_well", "to_agency": "HFRS", "full_name": name,
            "address": "12 Verulam Road", "reason": "vulnerability", "consent": true, "consent_by": "person", "referred_on": "2026-01-14" });
        let hers = post(app, "/api/v1/referrals", &council, referral("JANE  smith")).await;
        post(app, "/api/v1/referrals", &council, referral("Janet Smithson")).await;
        let out = app.dir.path().join("sar.json");
        let export = |agency: &str| {
            bin()
                .args(["sar", "export", "--agency", agency, "--person", &person, "--out", &out.display().to_string()])
                .args(["--database-url", &app.url, "--audit-key-file", &app.key_file])
                .output()
                .expect("run")
        };
        let o = export("SACDC");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("json");
        assert_eq!(v["controller"], "SACDC");
        let pdf = std::fs::read(out.with_extension("pdf")).expect("the PDF beside the JSON");
        assert!(pdf.starts_with(b"%PDF-"), "a PDF");
        assert_eq!(v["people"][0]["full_name"], "Jane Smith");
        let text = v.to_string();
        assert!(text.contains(&mine) && text.contains(&case_id), "{text}");
        assert!(!text.contains(&theirs), "another agency's unshared incident: {text}");
        assert_eq!(v["incidents"][0]["held_as"], "owner");
        let referrals = v["referrals"].as_array().cloned().unwrap_or_default();
        assert_eq!(referrals.len(), 1, "her referral by name, not another's: {referrals:?}");
        assert_eq!(referrals[0]["id"], hers["id"]);
        // The audit of who viewed it: the officer's read of the incident above.
        let viewed = v["audit"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["action"] == "view" && a["record_id"] == mine.as_str() && a["user_name"] == "Sam Okafor");
        assert!(viewed, "{}", v["audit"]);
        // The export itself is audited.
        let auditor = app.token(AUDITOR).await;
        let audit = get(app, "/api/v1/audit?per_page=200", &auditor).await;
        let exported = audit["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["action"] == "export" && r["record_type"] == "person" && r["record_id"] == person.as_str());
        assert!(exported, "{audit}");
        // Another agency does not hold this person record.
        let o = export("HERTS-POLICE");
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("holds no person"));
    })
    .await;
}

/// Runs a poppler tool (Debian package poppler-utils, installed by CI) on
/// a file; `None`, with a note, when it is not installed outside CI.
fn poppler(tool: &str, file: &std::path::Path, args: &[&str]) -> Option<String> {
    match std::process::Command::new(tool).arg(file).args(args).output() {
        Ok(o) => {
            assert!(o.status.success(), "{tool}: {}", String::from_utf8_lossy(&o.stderr));
            Some(String::from_utf8_lossy(&o.stdout).into_owned())
        }
        Err(_) if std::env::var_os("CI").is_some() => panic!("{tool} (poppler-utils) must be installed under CI"),
        Err(_) => {
            eprintln!("SKIPPED: install the Debian package poppler-utils to read the PDF with {tool}");
            None
        }
    }
}

#[tokio::test]
async fn the_subject_access_pdf_prints_names_as_written_tagged_with_its_font_embedded() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let mut body = incident("Łukasz Wiśniewski", "asb-personal");
        body["description"] = json!("Threats from Ŵyn ap Gruffydd; Ağır Çelik saw it");
        let made = post(app, "/api/v1/incidents", &council, body).await;
        let id = made["id"].as_str().unwrap_or_default().to_string();
        let person = get(app, &format!("/api/v1/incidents/{id}"), &council).await["record"]["people"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let out = app.dir.path().join("sar.json");
        let o = bin()
            .args(["sar", "export", "--agency", "SACDC", "--person", &person, "--out", &out.display().to_string()])
            .args(["--database-url", &app.url, "--audit-key-file", &app.key_file])
            .output()
            .expect("run");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let pdf = out.with_extension("pdf");
        let Some(text) = poppler("pdftotext", &pdf, &["-"]) else { return };
        for name in ["Łukasz Wiśniewski", "Ŵyn ap Gruffydd", "Ağır Çelik"] {
            assert!(text.contains(name), "{name:?} not printed as written:\n{text}");
        }
        let info = poppler("pdfinfo", &pdf, &[]).unwrap_or_default();
        assert!(info.contains("Tagged:          yes"), "{info}");
        assert!(info.contains("Title:           Subject access export"), "{info}");
        let fonts = poppler("pdffonts", &pdf, &[]).unwrap_or_default();
        let embedded = fonts.lines().filter(|l| l.contains("LiberationSans") && l.contains(" yes yes yes ")).count();
        assert_eq!(embedded, 2, "regular and bold embedded as subsets with a Unicode map:\n{fonts}");
    })
    .await;
}

#[tokio::test]
async fn the_lawful_basis_of_a_share_is_shown_wherever_the_shared_record_is_shown() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let mine = post(app, "/api/v1/incidents", &council, incident("Jane Smith", "asb-personal")).await;
        let mine = mine["id"].as_str().unwrap_or_default().to_string();
        let case = post(
            app,
            "/api/v1/cases",
            &council,
            json!({ "title": "Verulam Road noise", "problem": "Threats", "incidents": [mine] }),
        )
        .await;
        let case_id = case["id"].as_str().unwrap_or_default().to_string();
        let case_ref = case["reference"].as_str().unwrap_or_default().to_string();
        post(
            app,
            &format!("/api/v1/cases/{case_id}/shares"),
            &council,
            json!({ "agency": "HERTS-POLICE", "lawful_basis": "Crime and Disorder Act 1998 s115" }),
        )
        .await;
        let police = app.sign_in(POLICE).await;
        let page = app.get(&format!("/cases/{case_id}"), Some(&police)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("data-testid=\"share-basis\""), "{}", page.body);
        assert!(page.body.contains("Crime and Disorder Act 1998 s115"));
        assert!(page.body.contains("15 January 2026"), "the date of the share");
        let page = app.get(&format!("/incidents/{mine}"), Some(&police)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("data-testid=\"share-basis\""), "{}", page.body);
        assert!(page.body.contains(&format!("through case {case_ref}")), "{}", page.body);
        assert!(page.body.contains("Crime and Disorder Act 1998 s115"));
        // The owner sees its own record without a share notice.
        let owner = app.sign_in(OFFICER).await;
        let page = app.get(&format!("/incidents/{mine}"), Some(&owner)).await;
        assert!(!page.body.contains("data-testid=\"share-basis\""));
    })
    .await;
}

#[tokio::test]
async fn rectification_and_erasure_by_the_owning_agency_only_and_audited() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let mine = post(app, "/api/v1/incidents", &council, incident("Jane Smyth", "asb-personal")).await;
        let mine = mine["id"].as_str().unwrap_or_default().to_string();
        let person = get(app, &format!("/api/v1/incidents/{mine}"), &council).await["record"]["people"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let cmd = |args: &[&str]| {
            bin()
                .args(["person"])
                .args(args)
                .args(["--person", &person, "--database-url", &app.url, "--audit-key-file", &app.key_file])
                .output()
                .expect("run")
        };
        let o = cmd(&["rectify", "--agency", "HERTS-POLICE", "--name", "Jane Smith"]);
        assert!(!o.status.success(), "a non-owner may not rectify");
        assert!(String::from_utf8_lossy(&o.stderr).contains("only the agency that recorded"));
        let o = cmd(&["erase", "--agency", "HERTS-POLICE"]);
        assert!(!o.status.success(), "a non-owner may not erase");
        let o = cmd(&["rectify", "--agency", "SACDC", "--name", "Jane Smith", "--date-of-birth", "none"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v = get(app, &format!("/api/v1/incidents/{mine}"), &council).await;
        assert_eq!(v["record"]["people"][0]["full_name"], "Jane Smith");
        assert!(v["record"]["people"][0]["date_of_birth"].is_null());
        let o = cmd(&["erase", "--agency", "SACDC"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v = get(app, &format!("/api/v1/incidents/{mine}"), &council).await;
        assert_eq!(v["record"]["people"][0]["full_name"], ANONYMISED_NAME);
        assert_eq!(v["record"]["category"], "asb-personal", "the incident is kept");
        let auditor = app.token(AUDITOR).await;
        let audit = get(app, "/api/v1/audit?per_page=200", &auditor).await;
        let rows: Vec<String> = audit["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["record_type"] == "person" && r["record_id"] == person.as_str())
            .map(Value::to_string)
            .collect();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows.iter().all(|r| !r.contains("Jane")), "{rows:?}");
    })
    .await;
}
