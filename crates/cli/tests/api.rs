//! The JSON API: authentication (bearer token, session), errors as JSON,
//! filters, paging, the OpenAPI document and the agency access policy.

mod common;

use axum::http::StatusCode;
use common::*;
use safetynet_domain::partnership::Email;
use safetynet_domain::token::{hash_secret, new_api_token};
use safetynet_store::users::Actor;

async fn token_for(app: &TestApp, email: &str, days: i64) -> String {
    let id = app.store.user_id_by_email(&Email::parse(email).expect("email")).await.expect("db").expect("user");
    let p =
        app.store.principal(&id, safetynet_domain::policy::AuthMethod::Operator).await.expect("db").expect("principal");
    let secret = new_api_token();
    let now = app.clock_ms();
    let actor = Actor { principal: &p, at_ms: now, source: "test" };
    app.store.create_api_token(&actor, &hash_secret(&secret), now + days * 86_400_000).await.expect("token");
    secret
}

trait ClockMs {
    fn clock_ms(&self) -> i64;
}
impl ClockMs for TestApp {
    fn clock_ms(&self) -> i64 {
        use safetynet_domain::clock::Clock;
        self.clock.now().timestamp_millis()
    }
}

#[tokio::test]
async fn unauthenticated_calls_get_401_json() {
    each_engine(async |app: &TestApp| {
        for path in ["/api/v1/me", "/api/v1/crimes", "/api/v1/crimes/summary", "/api/v1/agencies", "/api/v1/audit"] {
            let res = app.get(path, None).await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{path}");
            assert_eq!(res.json()["error"]["status"], 401);
            assert_eq!(res.headers["www-authenticate"], "Bearer");
        }
        assert_eq!(app.get_bearer("/api/v1/me", "snt_nonsense").await.status, StatusCode::UNAUTHORIZED);
        let basic = app
            .send(
                axum::http::Request::get("/api/v1/me")
                    .header("authorization", "Basic YTpi")
                    .body(axum::body::Body::empty())
                    .expect("req"),
            )
            .await;
        assert_eq!(basic.status, StatusCode::UNAUTHORIZED);
        let missing = app.get("/api/v1/nothing-here", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(missing.json()["error"]["status"], 404);
    })
    .await;
}

#[tokio::test]
async fn tokens_and_sessions_both_work_and_tokens_expire() {
    each_engine(async |app: &TestApp| {
        let token = token_for(app, OFFICER, 1).await;
        let me = app.get_bearer("/api/v1/me", &token).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json()["user"]["agency"], "SACDC");
        assert_eq!(me.json()["user"]["via"], "api_token");
        let s = app.sign_in(VIEWER).await;
        assert_eq!(app.get("/api/v1/me", Some(&s)).await.json()["user"]["via"], "session");
        app.clock.advance(chrono::Duration::days(2));
        assert_eq!(app.get_bearer("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED, "expired");
    })
    .await;
}

#[tokio::test]
async fn crimes_endpoint_filters_pages_and_rejects_malformed_input() {
    each_engine(async |app: &TestApp| {
        app.import(&["good-street.csv", "good-outcomes.csv", "bad-street.csv"]).await;
        let t = token_for(app, MANAGER, 30).await;
        let all = app.get_bearer("/api/v1/crimes", &t).await.json();
        assert_eq!(all["total"], 12);
        assert_eq!(all["items"].as_array().map(Vec::len), Some(12));
        let june = app.get_bearer("/api/v1/crimes?from=2021-06&to=2021-06", &t).await.json();
        assert_eq!(june["total"], 8);
        let page2 = app.get_bearer("/api/v1/crimes?per_page=5&page=3", &t).await.json();
        assert_eq!(page2["items"].as_array().map(Vec::len), Some(2));
        assert_eq!(page2["total"], 12);
        let vehicle = app.get_bearer("/api/v1/crimes?type=Vehicle%20crime&from=2021-06&to=2021-06", &t).await.json();
        let outcomes = &vehicle["items"][0]["outcomes"];
        assert_eq!(outcomes[0]["outcome_type"], "Investigation complete; no suspect identified", "{vehicle}");
        let lsoa = all["items"][0]["lsoa_code"].as_str().unwrap_or_default().to_string();
        let by_lsoa = app.get_bearer(&format!("/api/v1/crimes?lsoa={lsoa}"), &t).await.json();
        assert!(by_lsoa["total"].as_i64().unwrap_or(0) >= 1);
        assert!(by_lsoa["items"].as_array().into_iter().flatten().all(|i| i["lsoa_code"] == lsoa.as_str()));
        for bad in [
            "from=2021-13",
            "to=21-01",
            "from=2021-06&to=2021-01",
            "page=0",
            "page=x",
            "per_page=1000",
            "page=1&page=2",
        ] {
            let res = app.get_bearer(&format!("/api/v1/crimes?{bad}"), &t).await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{bad}");
            assert!(res.json()["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        for inj in ["' OR '1'='1", "'; DROP TABLE police_crimes; --", "Burglary' --"] {
            for key in ["type", "lsoa"] {
                let q = common::serde_urlencoded_encode(&[(key, inj)]);
                let res = app.get_bearer(&format!("/api/v1/crimes?{q}"), &t).await;
                assert_eq!(res.status, StatusCode::OK);
                assert_eq!(res.json()["total"], 0, "{key}={inj}");
            }
        }
        assert_eq!(app.get_bearer("/api/v1/crimes", &t).await.json()["total"], 12, "still intact");
        let summary = app.get_bearer("/api/v1/crimes/summary?month=2021-07", &t).await.json();
        assert_eq!(summary["total"], 4);
        assert_eq!(summary["previous_total"], 8);
        assert_eq!(app.get_bearer("/api/v1/crimes/summary", &t).await.json()["month"], "2021-07");
        assert_eq!(app.get_bearer("/api/v1/crimes/summary?month=July", &t).await.status, StatusCode::BAD_REQUEST);
        let auditor = token_for(app, AUDITOR, 30).await;
        let res = app.get_bearer("/api/v1/crimes", &auditor).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert_eq!(res.json()["error"]["status"], 403);
    })
    .await;
}

#[tokio::test]
async fn audit_api_is_for_auditors() {
    each_engine(async |app: &TestApp| {
        let officer = token_for(app, OFFICER, 30).await;
        assert_eq!(app.get_bearer("/api/v1/audit", &officer).await.status, StatusCode::FORBIDDEN);
        let auditor = token_for(app, AUDITOR, 30).await;
        let res = app.get_bearer("/api/v1/audit?per_page=5", &auditor).await;
        assert_eq!(res.status, StatusCode::OK);
        let body = res.json();
        assert_eq!(body["items"].as_array().map(Vec::len), Some(5));
        assert!(body["total"].as_i64().unwrap_or(0) > 5);
        assert_eq!(body["items"][0]["action"], "search", "the search itself is the newest row");
        assert_eq!(app.get_bearer("/api/v1/audit?per_page=500", &auditor).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.get_bearer("/api/v1/audit?page=abc", &auditor).await.status, StatusCode::BAD_REQUEST);
        // Filters work as on the page, and a misspelt one is refused, not ignored.
        let tokens = app.get_bearer("/api/v1/audit?record_type=api_token&per_page=200", &auditor).await.json();
        let items = tokens["items"].as_array().cloned().unwrap_or_default();
        assert!(!items.is_empty());
        assert!(items.iter().all(|i| i["record_type"] == "api_token"), "{tokens}");
        assert_eq!(tokens["total"].as_i64(), Some(items.len() as i64));
        let typo = app.get_bearer("/api/v1/audit?recordtype=api_token", &auditor).await;
        assert_eq!(typo.status, StatusCode::BAD_REQUEST);
        assert!(typo.body.contains("unknown parameter: recordtype"), "{}", typo.body);
        let bad = app.get_bearer("/api/v1/audit?action=frobnicate", &auditor).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    })
    .await;
}

#[tokio::test]
async fn colleagues_in_another_agency_are_signposted_not_shown() {
    each_engine(async |app: &TestApp| {
        let police_id =
            app.store.user_id_by_email(&Email::parse(POLICE).expect("email")).await.expect("db").expect("user");
        let council = token_for(app, OFFICER, 30).await;
        let res = app.get_bearer(&format!("/api/v1/users/{police_id}"), &council).await;
        assert_eq!(res.status, StatusCode::OK);
        let body = res.json();
        assert_eq!(body, serde_json::json!({ "access": "signpost", "contact_agency": "HERTS-POLICE" }));
        assert!(!res.body.contains(POLICE), "no detail leaks");
        let manager_id =
            app.store.user_id_by_email(&Email::parse(MANAGER).expect("email")).await.expect("db").expect("user");
        let same = app.get_bearer(&format!("/api/v1/users/{manager_id}"), &council).await.json();
        assert_eq!(same["access"], "full");
        assert_eq!(same["record"]["email"], MANAGER);
        let admin = token_for(app, ADMIN, 30).await;
        assert_eq!(
            app.get_bearer(&format!("/api/v1/users/{manager_id}"), &admin).await.status,
            StatusCode::FORBIDDEN,
            "no record rights"
        );
        assert_eq!(app.get_bearer("/api/v1/users/not-a-uuid", &council).await.status, StatusCode::NOT_FOUND);
        let auditor = app.sign_in(AUDITOR).await;
        let page = app.get("/audit?record_type=user&action=view", Some(&auditor)).await;
        assert!(page.body.contains("signpost") && page.body.contains("full"), "both views audited");
    })
    .await;
}

#[tokio::test]
async fn openapi_documents_every_route_that_exists() {
    each_engine(async |app: &TestApp| {
        let doc = app.get("/api/v1/openapi.json", None).await;
        assert_eq!(doc.status, StatusCode::OK);
        let doc = doc.json();
        assert_eq!(doc["openapi"], "3.1.0");
        let t = token_for(app, OFFICER, 30).await;
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.contains_key("/crimes") && paths.contains_key("/cases/{id}/interventions"));
        let mut operations = 0;
        for (path, item) in paths {
            for method in item.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
                operations += 1;
                let concrete = path.replace("{id}", "0190a0a0-0000-7000-8000-000000000000");
                let res = if method == "get" {
                    app.get_bearer(&format!("/api/v1{concrete}"), &t).await
                } else {
                    app.json(&method.to_uppercase(), &format!("/api/v1{concrete}"), &t, serde_json::json!({})).await
                };
                assert_ne!(res.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is documented but not routed");
                let routed_404 = res.status == StatusCode::NOT_FOUND
                    && !res.json()["error"]["message"].as_str().unwrap_or("").contains("API endpoint");
                assert!(
                    res.status != StatusCode::NOT_FOUND || routed_404,
                    "{method} {path} is documented but not routed: {}",
                    res.body
                );
            }
        }
        assert!(operations > 35, "{operations}");
        let agencies = app.get_bearer("/api/v1/agencies", &t).await.json();
        assert_eq!(agencies["total"], 20);
    })
    .await;
}

#[tokio::test]
async fn unknown_body_fields_and_query_parameters_are_refused_by_name() {
    each_engine(async |app: &TestApp| {
        let officer = token_for(app, OFFICER, 30).await;
        let res = app
            .json(
                "POST",
                "/api/v1/cases",
                &officer,
                serde_json::json!({ "title": "Noise", "problem": "Loud music", "priorty": "high" }),
            )
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
        assert!(res.body.contains("unknown field: priorty"), "{}", res.body);
        let list = app.get_bearer("/api/v1/incidents?categroy=asb-nuisance", &officer).await;
        assert_eq!(list.status, StatusCode::BAD_REQUEST);
        assert!(list.body.contains("unknown parameter: categroy"), "{}", list.body);
        let fine = app.get_bearer("/api/v1/incidents?page=1", &officer).await;
        assert_eq!(fine.status, StatusCode::OK, "{}", fine.body);
    })
    .await;
}
