//! Observability: a request id on every response and log line, `/metrics`
//! behind its own token, JSON logs by configuration, and a clean stop on
//! SIGTERM.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use safetynet_web::metrics::MetricsToken;
use safetynet_web::WebConfig;
use std::process::Command;
use std::time::{Duration, Instant};

const TOKEN: &str = "0123456789abcdef0123456789abcdef-metrics";

fn with_metrics() -> WebConfig {
    WebConfig { metrics_token: Some(MetricsToken::new(TOKEN).expect("token")), ..WebConfig::default() }
}

fn request_id(res: &Res) -> String {
    res.headers.get("x-request-id").and_then(|v| v.to_str().ok()).expect("x-request-id").to_string()
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    each_engine(async |app: &TestApp| {
        let a = request_id(&app.get("/healthz", None).await);
        let b = request_id(&app.get("/no/such/page", None).await);
        assert_eq!(a.len(), 32, "{a}");
        assert_ne!(a, b, "each request has its own id");
        let kept = app
            .send(Request::get("/sign-in").header("x-request-id", "lb-7f3a.2_x").body(Body::empty()).expect("req"))
            .await;
        assert_eq!(request_id(&kept), "lb-7f3a.2_x", "a proxy's plain id is kept");
        let forged = app
            .send(Request::get("/sign-in").header("x-request-id", "a b\";drop").body(Body::empty()).expect("req"))
            .await;
        let replaced = request_id(&forged);
        assert!(replaced.len() == 32 && replaced.chars().all(|c| c.is_ascii_hexdigit()), "{replaced}");
    })
    .await;
}

#[tokio::test]
async fn metrics_need_their_own_token_and_count_by_route() {
    each_engine(async |app: &TestApp| {
        assert_eq!(app.get("/metrics", None).await.status, StatusCode::NOT_FOUND, "no token configured: no /metrics");
    })
    .await;
    each_engine_with(with_metrics, async |app: &TestApp| {
        assert_eq!(app.get("/metrics", None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.get_bearer("/metrics", "wrong-token-wrong-token-wrong-token").await.status,
            StatusCode::UNAUTHORIZED
        );
        // An ordinary user's API token does not open it either.
        let officer = app.token("asb.officer@stalbans.gov.uk").await;
        assert_eq!(app.get_bearer("/metrics", &officer).await.status, StatusCode::UNAUTHORIZED);
        for _ in 0..3 {
            app.get("/healthz", None).await;
        }
        let case = app.get_bearer("/api/v1/cases/0190f0c8-0000-7000-8000-000000000000", &officer).await;
        assert_eq!(case.status, StatusCode::NOT_FOUND);
        let res = app.get_bearer("/metrics", TOKEN).await;
        assert_eq!(res.status, StatusCode::OK);
        let ct = res.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(ct.starts_with("application/openmetrics-text"), "{ct}");
        let body = &res.body;
        assert!(
            body.contains(r#"safetynet_http_requests_total{method="GET",route="/healthz",status="200"} 3"#),
            "{body}"
        );
        assert!(body.contains(r#"route="/api/v1/cases/{id}",status="404""#), "routes are patterns, not ids: {body}");
        assert!(!body.contains("0190f0c8"), "no ids in metrics");
        assert!(
            body.contains(
                r#"safetynet_http_request_duration_seconds_bucket{le="0.001",method="GET",route="/healthz"}"#
            ),
            "{body}"
        );
        assert!(body.contains(r#"safetynet_db_connections{state="max"}"#), "{body}");
        assert!(body.contains(r#"safetynet_outbox_messages{state="waiting"} 0"#), "{body}");
        assert!(body.contains("safetynet_analysis_slots_free "), "{body}");
        assert!(body.trim_end().ends_with("# EOF"), "{body}");
    })
    .await;
}

#[tokio::test]
async fn json_logs_carry_the_request_id_and_sigterm_stops_the_server_cleanly() {
    let app = TestApp::new(safetynet_store::Engine::Sqlite).await;
    let mut server = app.serve(&[("SAFETYNET_LOG_FORMAT", "json"), ("SAFETYNET_METRICS_TOKEN", TOKEN)]);
    let base = server.base.clone();
    let res = ureq::get(&format!("{base}/sign-in")).set("x-request-id", "trace-me-42").call().expect("sign-in");
    assert_eq!(res.header("x-request-id"), Some("trace-me-42"));
    let metrics = ureq::get(&format!("{base}/metrics")).set("Authorization", &format!("Bearer {TOKEN}")).call();
    assert_eq!(metrics.map(|r| r.status()).ok(), Some(200), "the token from the environment opens /metrics");
    // systemd stops a service with SIGTERM: the server finishes and exits 0.
    let term = Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().expect("kill");
    assert!(term.success());
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(stopping.elapsed() < Duration::from_secs(20), "SIGTERM did not stop the server");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let text = std::fs::read_to_string(&server.log).expect("log");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let line = lines
        .iter()
        .find(|l| l["span"]["id"] == "trace-me-42")
        .unwrap_or_else(|| panic!("no log line with the request id: {text}"));
    assert_eq!(line["span"]["route"], "/sign-in");
    assert_eq!(line["level"], "INFO");
}
