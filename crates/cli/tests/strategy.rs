//! The strategy as living data, on every engine: the St Albans strategy
//! loaded with its owners, progress recorded by the owning agency (and
//! refused to others), overdue updates on the owner's dashboard, the CSP
//! manager's edits, and a repeated load that keeps progress.

mod common;

use axum::http::StatusCode;
use common::*;
use safetynet::demo_strategy::{load_strategy, seed_strategy, ST_ALBANS};
use serde_json::{json, Value};

fn find<'a>(strategy: &'a Value, code: &str) -> &'a Value {
    strategy["priorities"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["commitments"].as_array().into_iter().flatten())
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no commitment {code}"))
}

#[tokio::test]
async fn the_strategy_is_tracked_commitment_by_commitment() {
    each_engine(async |app: &TestApp| {
        seed_strategy(&app.store, start()).await.expect("seed");
        let officer = app.token(OFFICER).await;
        let police = app.token(POLICE).await;

        let s = app.get_bearer("/api/v1/strategy", &officer).await;
        assert_eq!(s.status, StatusCode::OK, "{}", s.body);
        let s = s.json();
        let titles: Vec<&str> = s["priorities"].as_array().expect("priorities").iter().filter_map(|p| p["title"].as_str()).collect();
        assert_eq!(titles[0], "Protecting communities and making them feel safe");
        assert_eq!(titles.len(), 3);
        let count: usize = s["priorities"].as_array().expect("p").iter().map(|p| p["commitments"].as_array().map_or(0, Vec::len)).sum();
        assert_eq!(count, 28);
        let schools = find(&s, "county-lines-workshops");
        assert_eq!((schools["owner_agency"].as_str(), schools["target"].as_f64(), schools["progress"].as_f64()), (Some("SACDC"), Some(10.0), None));
        // Counted from the sessions recorded (none here), not typed in.
        assert_eq!((schools["measured_by"].as_str(), schools["measured"]["text"].as_str()), (Some("county_lines_schools"), Some("0 of 10 schools")));
        assert_eq!(schools["rag"], "amber");
        assert_eq!(find(&s, "safe-and-well-visits")["owner_agency"], "HFRS");
        assert_eq!(find(&s, "taxi-dbs-checks")["team"], "Licensing");

        // Overdue updates are chased on the owner's dashboard, and only there.
        let healthy = find(&s, "healthy-relationships")["id"].as_str().expect("id").to_string();
        let due = app.get_bearer("/api/v1/strategy/commitments/due", &officer).await.json();
        assert!(due["items"].as_array().expect("items").iter().any(|c| c["id"] == healthy.as_str()));
        assert!(due["items"].as_array().expect("items").iter().all(|c| c["owner_agency"] == "SACDC"));
        let me = app.sign_in(OFFICER).await;
        let dash = app.get("/dashboard", Some(&me)).await;
        assert!(dash.body.contains("data-testid=\"strategy-updates-due\""), "{}", dash.body);
        assert!(dash.body.contains("Continue Healthy Relationships courses"));
        let pc = app.sign_in(POLICE).await;
        assert!(!app.get("/dashboard", Some(&pc)).await.body.contains("Continue Healthy Relationships courses"));

        // The police may not record progress on the council's commitment.
        let path = format!("/api/v1/strategy/commitments/{healthy}/updates");
        let body = json!({ "status": "in_progress", "rag": "green", "reason": "Courses running in six schools", "figure": 6, "evidence": ["/cases/abc"] });
        assert_eq!(app.json("POST", &path, &police, body.clone()).await.status, StatusCode::FORBIDDEN);
        let bad = json!({ "status": "in_progress", "rag": "green", "reason": "x", "evidence": ["javascript:alert(1)"] });
        let r = app.json("POST", &path, &officer, bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["error"]["rule"], "evidence");
        let r = app.json("POST", &path, &officer, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let one = app.get_bearer(&format!("/api/v1/strategy/commitments/{healthy}"), &officer).await.json();
        assert_eq!((one["overdue"].as_bool(), one["commitment"]["rag"].as_str()), (Some(false), Some("green")));
        assert_eq!(one["history"][0]["evidence"][0], "/cases/abc");
        assert!(!app.get("/dashboard", Some(&me)).await.body.contains("Continue Healthy Relationships courses"));

        // The page form: a missing rating is shown back; a good update lands in the history.
        let page = format!("/strategy/commitments/{healthy}");
        let r = app.post(&format!("{page}/updates"), Some(&me), Some(&me.csrf), &[("status", "in_progress"), ("reason", "Going well")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("Choose a rating"), "{}", r.body);
        let r = app
            .post(&format!("{page}/updates"), Some(&me), Some(&me.csrf), &[("status", "in_progress"), ("rag", "amber"), ("reason", "Two schools withdrew"), ("figure", "4"), ("evidence", "/analysis\nhttps://www.stalbans.gov.uk/")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let shown = app.get(&page, Some(&me)).await;
        assert!(shown.body.contains("Two schools withdrew") && shown.body.contains("Courses running in six schools"));
        let viewer = app.sign_in(VIEWER).await;
        assert!(!app.get(&page, Some(&viewer)).await.body.contains("Record progress"), "viewers only read");
        assert_eq!(app.post(&format!("{page}/updates"), Some(&viewer), Some(&viewer.csrf), &[("status", "in_progress"), ("rag", "red"), ("reason", "x")]).await.status, StatusCode::FORBIDDEN);
        let auditor = app.sign_in(AUDITOR).await;
        assert_eq!(app.get("/strategy", Some(&auditor)).await.status, StatusCode::FORBIDDEN);
        let list = app.get("/strategy?agency=HFRS", Some(&viewer)).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("Safe and Well visits to domestic premises") && !list.body.contains("County Lines workshops"));

        // The CSP manager edits a commitment; an officer may not.
        let edit = [("title", "Continue Healthy Relationships courses in local schools and colleges"), ("owner_agency", "SACDC"), ("team", "Community Safety"), ("measure", "Schools reached"), ("target", "12"), ("update_every_days", "60")];
        assert_eq!(app.post(&page, Some(&me), Some(&me.csrf), &edit).await.status, StatusCode::FORBIDDEN);
        let boss = app.sign_in(MANAGER).await;
        let r = app.post(&page, Some(&boss), Some(&boss.csrf), &[("title", "x"), ("owner_agency", "SACDC"), ("update_every_days", "2")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.post(&page, Some(&boss), Some(&boss.csrf), &edit).await.status, StatusCode::SEE_OTHER);

        // The CSP manager adds a commitment in the app; it starts "not started".
        let add = [("priority", "crime-asb"), ("title", "E-scooter patrols in the city centre"), ("owner_agency", "HERTS-POLICE"), ("measure", "Patrols"), ("update_every_days", "30")];
        assert_eq!(app.post("/strategy/commitments", Some(&me), Some(&me.csrf), &add).await.status, StatusCode::FORBIDDEN);
        let r = app.post("/strategy/commitments", Some(&boss), Some(&boss.csrf), &add).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(app.get(r.location(), Some(&boss)).await.body.contains("Not started"));
        let r = app.post("/strategy/commitments", Some(&boss), Some(&boss.csrf), &[("priority", "crime-asb"), ("title", ""), ("owner_agency", "HERTS-POLICE"), ("update_every_days", "30")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Enter the commitment"));

        // Loading the file again refreshes wording but keeps progress and edits of status.
        let def = safetynet_domain::strategy::parse_strategy(ST_ALBANS).expect("parse");
        let again = load_strategy(&app.store, &def, start(), "test").await.expect("reload");
        assert_eq!((again.added, again.updated), (0, 28));
        let one = app.get_bearer(&format!("/api/v1/strategy/commitments/{healthy}"), &officer).await.json();
        assert_eq!(one["commitment"]["rag"], "amber");
        assert_eq!(one["history"].as_array().map(Vec::len), Some(2));
    })
    .await;
}
