//! The police's daily crime feed behind the daily review, on every engine:
//! imports that are idempotent and audited, the sharing rule (which
//! agencies see the crimes and which flags), the ranking with reasons across
//! police and partner records, and the reviewers' decisions (API and page).

mod common;

use axum::http::StatusCode;
use common::*;
use safetynet_app::daily::{DailyFlag, PoliceDailySettings};
use safetynet_domain::policy::Principal;
use safetynet_store::police_daily::{DailyCrimeRecord, DailyFile};
use safetynet_store::users::Actor;
use serde_json::json;

/// SACDC sees the crimes with the weapon and repeat-location flags only;
/// HFRS is not in the rule.
fn sharing() -> safetynet_web::WebConfig {
    let mut settings = PoliceDailySettings::default();
    settings.share.insert("SACDC".into(), [DailyFlag::Weapon, DailyFlag::RepeatLocation].into());
    safetynet_web::WebConfig { police_daily: settings, ..Default::default() }
}

fn ms(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).map(|t| t.timestamp_millis()).expect("time")
}

fn crime(reference: &str, at: &str, address: &str) -> DailyCrimeRecord {
    DailyCrimeRecord {
        crime_reference: reference.into(),
        offence_code: "28/1".into(),
        offence_description: "Burglary - residential".into(),
        category: "crime-burglary".into(),
        occurred_from_ms: ms(at) - 3_600_000,
        occurred_to_ms: None,
        reported_at_ms: ms(at),
        latitude: Some(51.7520),
        longitude: Some(-0.3390),
        address: address.into(),
        beat: None,
        ward: Some("Verulam".into()),
        domestic_abuse: false,
        hate_strand: None,
        weapon: false,
        vulnerable_victim: false,
        repeat_victim: false,
        repeat_location: false,
        child_involved: false,
        status: "recorded".into(),
        victim_key: None,
    }
}

async fn import(
    app: &TestApp,
    name: &str,
    sha: &str,
    crimes: &[DailyCrimeRecord],
) -> safetynet_store::police_daily::DailyImport {
    let operator = Principal::operator_for_agency("HERTS-POLICE");
    let actor = Actor { principal: &operator, at_ms: start().timestamp_millis(), source: "cli" };
    let file = DailyFile { name, sha256: sha, owner_agency: "HERTS-POLICE", rejected: 0 };
    app.store.import_police_daily(file, crimes, &actor).await.expect("import")
}

#[tokio::test]
async fn imports_are_idempotent_updates_replace_and_are_audited() {
    each_engine(async |app: &TestApp| {
        let day = [
            crime("41/1/26", "2026-01-14T22:00:00Z", "1 Fishpool Street"),
            crime("41/2/26", "2026-01-15T01:00:00Z", "2 Holywell Hill"),
        ];
        let first = import(app, "2026-01-15.csv", "aa", &day).await;
        assert_eq!((first.added, first.updated, first.unchanged, first.already_imported), (2, 0, 0, false));
        let again = import(app, "2026-01-15.csv", "aa", &day).await;
        assert!(again.already_imported, "the same file is not imported twice");
        assert_eq!(again.added, 2, "its report is the first import's");
        // The next day's file repeats one crime unchanged and updates the other.
        let mut charged = day[1].clone();
        charged.status = "charged".into();
        let next = import(app, "2026-01-16.csv", "bb", &[day[0].clone(), charged]).await;
        assert_eq!((next.added, next.updated, next.unchanged), (0, 1, 1));
        let held = app.store.police_daily_crimes("HERTS-POLICE", false, 0, i64::MAX).await.expect("crimes");
        assert_eq!(held.len(), 2, "no duplicates");
        assert_eq!(
            held.iter().find(|c| c.record.crime_reference == "41/2/26").map(|c| c.record.status.as_str()),
            Some("charged")
        );
        let t = app.token(AUDITOR).await;
        let audit = app.get_bearer("/api/v1/audit?record_type=police_daily", &t).await;
        assert_eq!(audit.status, StatusCode::OK, "{}", audit.body);
        assert!(
            audit.body.contains("41/2/26") && audit.body.contains(r#"\"updated\":1"#),
            "the update is audited: {}",
            audit.body
        );
    })
    .await;
}

#[tokio::test]
async fn the_review_ranks_daily_crimes_under_the_sharing_rule() {
    each_engine_with(sharing, async |app: &TestApp| {
        let mut armed = crime("41/3/26", "2026-01-14T23:30:00Z", "1 Fishpool Street");
        armed.weapon = true;
        armed.domestic_abuse = true;
        let earlier = crime("41/4/26", "2026-01-02T10:00:00Z", "1 fishpool  street");
        let quiet = crime("41/5/26", "2026-01-15T02:00:00Z", "9 London Road");
        import(app, "f.csv", "cc", &[armed, earlier, quiet]).await;
        let police = app.token(POLICE).await;
        let review = app.get_bearer("/api/v1/daily-review?date=2026-01-15", &police).await;
        assert_eq!(review.status, StatusCode::OK, "{}", review.body);
        let lines = review.json()["police_crimes"].as_array().cloned().unwrap_or_default();
        assert_eq!(lines.len(), 2, "the window is the 24 hours to 08:00: {lines:?}");
        assert_eq!(lines[0]["crime_reference"], "41/3/26", "highest risk first");
        let why: Vec<&str> = lines[0]["reasons"].as_array().into_iter().flatten().filter_map(|r| r.as_str()).collect();
        assert!(why.contains(&"domestic abuse") && why.contains(&"a weapon was involved"), "{why:?}");
        assert!(
            why.iter().any(|r| r.starts_with("repeat location: 1 other record(s) at this address in 90 days")),
            "{why:?}"
        );
        // The council sees the same crimes with only the flags the rule gives it.
        let council = app.token(OFFICER).await;
        let theirs = app.get_bearer("/api/v1/daily-review?date=2026-01-15", &council).await.json();
        let line = &theirs["police_crimes"][0];
        assert_eq!(line["crime_reference"], "41/3/26");
        assert_eq!(line["weapon"], true);
        assert_eq!(line["domestic_abuse"], false, "not a flag the rule shares with the council");
        assert!(!line["reasons"].to_string().contains("domestic abuse"), "{line}");
        assert!(line.get("victim_key").is_none(), "the matching key is never sent");
        // The fire service is not in the rule: no police crimes.
        let fire = app.token(VIEWER).await;
        let none = app.get_bearer("/api/v1/daily-review?date=2026-01-15", &fire).await.json();
        assert_eq!(none["police_crimes"].as_array().map(Vec::len), Some(0), "{none}");
    })
    .await;
}

#[tokio::test]
async fn reviewers_record_decisions_and_the_review_shows_them() {
    each_engine_with(sharing, async |app: &TestApp| {
        import(app, "f.csv", "dd", &[crime("41/6/26", "2026-01-15T03:00:00Z", "3 George Street")]).await;
        let police = app.token(POLICE).await;
        let review = app.get_bearer("/api/v1/daily-review?date=2026-01-15", &police).await.json();
        let id = review["police_crimes"][0]["id"].as_str().unwrap_or_default().to_string();
        let decide = |body: serde_json::Value| app.json("POST", "/api/v1/daily-review/decisions", &police, body);
        let bad = decide(json!({ "date": "2026-01-15", "item_kind": "police_crime", "item_id": id, "decision": "no_action" })).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
        assert!(bad.body.contains("say why no action is needed"), "{}", bad.body);
        let none = decide(json!({ "date": "2026-01-15", "item_kind": "police_crime", "item_id": id, "decision": "link_case" })).await;
        assert!(none.body.contains("enter the reference of the case to link to"), "{}", none.body);
        let ok = decide(json!({ "date": "2026-01-15", "item_kind": "police_crime", "item_id": id, "decision": "no_action", "reason": "Already with CID" })).await;
        assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.body);
        let after = app.get_bearer("/api/v1/daily-review?date=2026-01-15", &police).await.json();
        assert_eq!(after["decisions"][0]["decision"], "no_action", "{after}");
        assert_eq!(after["decisions"][0]["reason"], "Already with CID");
        // A line the agency may not see (here: no incident has that id) is not found.
        let other = app.json("POST", "/api/v1/daily-review/decisions", &app.token(MANAGER).await, json!({ "date": "2026-01-15", "item_kind": "incident", "item_id": id, "decision": "open_case" })).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
        // The page form records the council's own decision and shows it.
        let s = app.sign_in(OFFICER).await;
        let page = app.get("/daily-review?date=2026-01-15", Some(&s)).await;
        assert!(page.body.contains("41/6/26") && page.body.contains("Record a decision"), "{}", page.body);
        let posted = app
            .post("/daily-review/decisions", Some(&s), Some(&s.csrf), &[("date", "2026-01-15"), ("item_kind", "police_crime"), ("item_id", &id), ("decision", "open_case")])
            .await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
        assert_eq!(posted.location(), "/daily-review?date=2026-01-15");
        let shown = app.get("/daily-review?date=2026-01-15", Some(&s)).await;
        assert!(shown.body.contains("data-testid=\"decision\"") && shown.body.contains("Open a case"), "{}", shown.body);
        let refused = app.post("/daily-review/decisions", Some(&s), Some(&s.csrf), &[("date", "2026-01-15"), ("item_kind", "police_crime"), ("item_id", &id)]).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.body.contains("govuk-error-summary") && refused.body.contains("Choose what was decided"), "{}", refused.body);
        assert!(refused.body.contains(r##"href="#decision""##) && refused.body.contains(r#"id="decision""#), "the summary links to the lines");
        // The JAG pack counts the review's outcomes since the last meeting.
        let m = app.token(MANAGER).await;
        let pack = app.get_bearer("/api/v1/packs/jag?date=2026-01-22", &m).await;
        assert_eq!(pack.status, StatusCode::OK, "{}", pack.body);
        assert!(pack.body.contains("Daily review outcomes since the last JAG"), "{}", pack.body);
        assert!(pack.body.contains("reviewers recorded 2 decisions: 1 to open a case, 0 linked to a case, 1 no action"), "{}", pack.body);
    })
    .await;
}

#[tokio::test]
async fn the_command_line_imports_the_sample_once_and_names_the_bad_row() {
    each_engine(async |app: &TestApp| {
        let sample = repo().join("data/police-daily/sample.csv");
        let run = || {
            std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"))
                .args(["import", "police-daily", "--database-url", &app.url, "--audit-key-file", &app.key_file])
                .args(["--agency", "HERTS-POLICE"])
                .arg(&sample)
                .output()
                .expect("run")
        };
        let o = run();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("sample.csv: 10 added, 0 updated, 0 unchanged, 1 rejected"), "{out}");
        assert!(out.contains("sample.csv line 8:"), "the bad row is named with its file and line: {out}");
        let again = run();
        assert!(
            String::from_utf8_lossy(&again.stdout).contains("imported before"),
            "the same file twice changes nothing"
        );
        let held = app.store.police_daily_crimes("HERTS-POLICE", false, 0, i64::MAX).await.expect("crimes");
        assert_eq!(held.len(), 10, "a reference repeated in the file is one crime, the last row's");
        // Beside police.uk: the sample's months are not published, so the feed stands alone.
        let rows = safetynet_app::police_daily::reconciliation(&app.store).await.expect("reconciliation");
        assert_eq!(rows.iter().map(|r| r.daily_feed).sum::<i64>(), 10);
        assert!(rows.iter().all(|r| r.police_uk.is_none()), "{rows:?}");
        let s = app.sign_in(POLICE).await;
        let page = app.get("/daily-review/reconciliation", Some(&s)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("data-testid=\"reconciliation\"") && page.body.contains("not published"),
            "{}",
            page.body
        );
        let unknown = std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"))
            .args(["import", "police-daily", "--database-url", &app.url, "--audit-key-file", &app.key_file])
            .args(["--agency", "NOPE"])
            .arg(&sample)
            .output()
            .expect("run");
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("no agency has the code NOPE"));
    })
    .await;
}

#[tokio::test]
async fn the_drop_folder_files_each_extract_in_done_or_rejected_with_a_report() {
    each_engine(async |app: &TestApp| {
        let dir = app.dir.path().join("drop");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::copy(repo().join("data/police-daily/sample.csv"), dir.join("2026-01-15.csv")).expect("copy");
        std::fs::write(dir.join("broken.csv"), "something,else\n1,2\n").expect("write");
        std::fs::write(dir.join("notes.txt"), "not an extract").expect("write");
        let settings = PoliceDailySettings {
            drop_dir: Some(dir.clone()),
            drop_agency: Some("HERTS-POLICE".into()),
            ..PoliceDailySettings::default()
        };
        let operator = Principal::operator_for_agency("HERTS-POLICE");
        let actor = Actor { principal: &operator, at_ms: start().timestamp_millis(), source: "scheduler" };
        let dropped = safetynet_app::police_daily::drop_folder(&app.store, &settings, &actor)
            .await
            .expect("pass")
            .expect("configured");
        assert_eq!(dropped.len(), 2, "only the CSV files");
        let done = std::fs::read_to_string(dir.join("done/2026-01-15.csv.report.txt")).expect("report");
        assert!(done.contains("10 added") && done.contains("line 8:"), "{done}");
        assert!(dir.join("done/2026-01-15.csv").exists() && !dir.join("2026-01-15.csv").exists());
        let rejected = std::fs::read_to_string(dir.join("rejected/broken.csv.report.txt")).expect("report");
        assert!(
            rejected.starts_with("not imported: broken.csv:") && rejected.contains("crime_reference"),
            "{rejected}"
        );
        assert!(dir.join("notes.txt").exists(), "other files are left alone");
        let next = safetynet_app::police_daily::drop_folder(&app.store, &settings, &actor)
            .await
            .expect("pass")
            .expect("configured");
        assert!(next.is_empty(), "each file once");
        assert_eq!(app.store.police_daily_crimes("HERTS-POLICE", false, 0, i64::MAX).await.expect("crimes").len(), 10);
    })
    .await;
}

#[tokio::test]
async fn a_published_month_is_reconciled_with_police_uk_by_crime_type() {
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, 0).await.expect("sample");
        import(
            app,
            "june.csv",
            "ee",
            &[crime("41/7/21", "2021-06-10T10:00:00Z", "a"), crime("41/8/21", "2021-06-11T10:00:00Z", "b")],
        )
        .await;
        let rows = safetynet_app::police_daily::reconciliation(&app.store).await.expect("reconciliation");
        let june = rows.iter().find(|r| r.month == "2021-06" && r.category == "Burglary").expect("June burglary");
        assert_eq!(june.daily_feed, 2);
        let filter = safetynet_store::crimes::CrimeFilter {
            from: safetynet_domain::month::Month::parse("2021-06").ok(),
            to: safetynet_domain::month::Month::parse("2021-06").ok(),
            crime_type: Some("Burglary".into()),
            ..Default::default()
        };
        let published = app.store.crime_locations(&filter).await.expect("crimes").len() as i64;
        assert!(published > 0);
        assert_eq!(june.police_uk, Some(published), "the same month and type from police.uk");
    })
    .await;
}

#[tokio::test]
async fn the_demo_week_fills_the_review_once() {
    let demo = || {
        let mut setting =
            safetynet::config::Setting { value: PoliceDailySettings::default(), source: "default".into() };
        safetynet::demo_daily::demo_sharing(&mut setting);
        safetynet_web::WebConfig { police_daily: setting.value, ..Default::default() }
    };
    each_engine_with(demo, async |app: &TestApp| {
        safetynet::demo_daily::seed_police_daily(&app.store, start()).await.expect("seed");
        safetynet::demo_daily::seed_police_daily(&app.store, start()).await.expect("again");
        let week = app.store.police_daily_crimes("HERTS-POLICE", false, 0, i64::MAX).await.expect("crimes");
        assert!((70..=126).contains(&week.len()), "a week of 10 to 17 a day, once: {}", week.len());
        let m = app.token(MANAGER).await;
        let review = app.get_bearer("/api/v1/daily-review?date=2026-01-15", &m).await.json();
        let lines = review["police_crimes"].as_array().cloned().unwrap_or_default();
        assert!(!lines.is_empty(), "the council sees the police's crimes in the demo");
        assert!(lines.windows(2).all(|w| w[0]["score"].as_u64() >= w[1]["score"].as_u64()), "highest risk first");
    })
    .await;
}

#[test]
fn check_config_shows_the_sharing_rule_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |toml: &str| {
        let path = dir.path().join("safetynet.toml");
        std::fs::write(&path, toml).expect("write");
        std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"))
            .arg("check-config")
            .arg("--config")
            .arg(&path)
            .output()
            .expect("run")
    };
    let o = run("[police_daily]\nrepeat_days = 30\n[police_daily.share]\nSACDC = [\"weapon\", \"domestic_abuse\"]\n");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("repeats within 30 days; shared with SACDC: domestic_abuse weapon"), "{out}");
    let bad = run("[police_daily.share]\nSACDC = [\"wepon\"]\n");
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("unknown variant `wepon`"));
    let half = run("[police_daily]\ndrop_dir = \"/tmp/drop\"\n");
    assert!(String::from_utf8_lossy(&half.stderr)
        .contains("police_daily.drop_dir and police_daily.drop_agency go together"));
}

#[tokio::test]
async fn retention_clears_old_daily_crimes_places_and_victim_keys() {
    each_engine(async |app: &TestApp| {
        let mut old = crime("41/9/20", "2020-06-01T10:00:00Z", "5 Old Street");
        old.victim_key = Some("someone|1980-01-01".into());
        import(app, "old.csv", "ff", &[old, crime("41/10/26", "2026-01-10T10:00:00Z", "6 New Street")]).await;
        let operator = Principal::operator();
        let actor = Actor { principal: &operator, at_ms: start().timestamp_millis(), source: "cli" };
        let schedule = safetynet_domain::retention::Schedule::default();
        let report = app.store.retention_run(&schedule, None, &actor).await.expect("run").expect("ran");
        assert_eq!(report.police_daily.len(), 1, "{report:?}");
        let held = app.store.police_daily_crimes("HERTS-POLICE", false, 0, i64::MAX).await.expect("crimes");
        let cleared = held.iter().find(|c| c.record.crime_reference == "41/9/20").expect("kept for the counts");
        assert_eq!(
            (cleared.record.address.as_str(), cleared.record.latitude, cleared.record.victim_key.as_deref()),
            ("", None, None)
        );
        assert_eq!(cleared.record.category, "crime-burglary", "the category and dates stay for the counts");
        assert!(held.iter().any(|c| c.record.address == "6 New Street"), "recent crimes are kept as sent");
        let again = app.store.retention_run(&schedule, None, &actor).await.expect("run").expect("ran");
        assert!(again.police_daily.is_empty(), "once");
    })
    .await;
}

#[tokio::test]
async fn lines_in_a_current_hot_spot_or_an_operation_area_say_so() {
    each_engine_with(sharing, async |app: &TestApp| {
        // December 2025's recorded crime (current on 15 January 2026): a cluster at one point, the rest spread out.
        let mut csv = String::from("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n");
        for i in 0..240 {
            let (lon, lat) = if i < 60 { (-0.3390, 51.7520) } else { (-0.42 + f64::from(i % 20) * 0.009, 51.70 + f64::from(i / 20) * 0.01) };
            csv.push_str(&format!("c{i},2025-12,Hertfordshire Constabulary,Hertfordshire Constabulary,{lon:.6},{lat:.6},On or near Somewhere,E01023690,St Albans 001A,Burglary,,\n"));
        }
        let path = app.dir.path().join("2025-12-hertfordshire-street.csv");
        std::fs::write(&path, csv).expect("write");
        safetynet::import::import_police_uk(&app.store, &[safetynet::import::Source::File(path)], &Principal::operator(), "test", start().timestamp_millis(), &safetynet::import::NoProgress)
            .await
            .expect("import");
        let boss = app.token(MANAGER).await;
        let op = json!({ "name": "Operation Lantern", "prompted_by": "Hot spot", "target": { "kind": "circle", "lon": -0.3390, "lat": 51.7520, "radius_m": 300.0 }, "starts_on": "2026-01-01", "ends_on": "2026-02-28" });
        assert_eq!(app.json("POST", "/api/v1/operations", &boss, op).await.status, StatusCode::CREATED);
        import(app, "f.csv", "gg", &[crime("41/11/26", "2026-01-15T01:00:00Z", "Christopher Place")]).await;
        let review = app.get_bearer("/api/v1/daily-review?date=2026-01-15", &app.token(POLICE).await).await.json();
        let why = review["police_crimes"][0]["reasons"].to_string();
        assert!(why.contains("in the area of operation OP-"), "{why}");
        assert!(why.contains("in a current hot spot (Gi* 95% or more, December 2025)"), "{why}");
    })
    .await;
}
