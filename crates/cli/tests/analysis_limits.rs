//! Analyses within bounds, on every engine: every analytics parameter is
//! checked before any work (a request can neither crash the server nor
//! exhaust it), heavy analyses stop when their time budget runs out and say
//! so, and the limits are configurable (`[analysis]`).

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use std::time::Duration;
use tower::ServiceExt;

/// Records burglaries (as the ASB officer) at the given days and latitudes.
async fn burglaries(app: &TestApp, token: &str, at: &[(&str, f64)]) {
    for (day, lat) in at {
        let body = serde_json::json!({ "category": "crime-burglary", "occurred_from": format!("{day}T02:00:00Z"),
            "reported_at": format!("{day}T08:00:00Z"), "latitude": lat, "longitude": -0.3390, "address": "x",
            "description": "Burglary", "source": "police", "domestic_abuse": false, "involves_child": false, "repeat": false });
        assert_eq!(app.json("POST", "/api/v1/incidents", token, body).await.status, StatusCode::CREATED);
    }
}

fn message(res: &Res) -> String {
    res.json()["error"]["message"].as_str().unwrap_or_default().to_string()
}

/// An app over the same database with other analysis limits.
fn app_with(app: &TestApp, limits: safetynet_web::AnalysisLimits) -> (safetynet_web::AppState, axum::Router) {
    let config = safetynet_web::WebConfig { analysis: limits, ..Default::default() };
    let state = safetynet_web::AppState::new(app.store.clone(), std::sync::Arc::new(app.clock.clone()), config);
    (state.clone(), safetynet_web::router(state))
}

async fn get_from(router: &axum::Router, path: &str, token: &str) -> Res {
    let req = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty());
    let res = router.clone().oneshot(req.expect("request")).await.expect("infallible");
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Res { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

/// Issue 8, finding 1: `time_bands=0-1e15` sized a lookup table by the band
/// and the process aborted allocating about 1e15 bytes.
#[tokio::test]
async fn a_huge_time_band_is_refused_and_the_server_still_answers() {
    each_engine(async |app: &TestApp| {
        let officer = app.token(OFFICER).await;
        burglaries(app, &officer, &[("2026-01-02", 51.7520), ("2026-01-05", 51.7521)]).await;
        let huge = app
            .get_bearer("/api/v1/analytics/near-repeat?from=2026-01-01&to=2026-01-14&time_bands=0-1e15", &officer)
            .await;
        assert_eq!(huge.status, StatusCode::BAD_REQUEST, "{}", huge.body);
        assert!(message(&huge).contains("time_bands") && message(&huge).contains("365"), "{}", huge.body);
        let fine = app.get_bearer("/api/v1/analytics/near-repeat?from=2026-01-01&to=2026-01-14", &officer).await;
        assert_eq!(fine.status, StatusCode::OK, "the server still answers: {}", fine.body);
        assert_eq!(fine.json()["events"], 2);
        // The command line makes the same request (`safetynet analyse near-repeat`).
        let params =
            safetynet_app::Params::from_pairs([("from", "2026-01-01"), ("to", "2026-01-14"), ("time_bands", "0-1e15")])
                .expect("params");
        let cli =
            safetynet_app::analyses::incidents::NearRepeatRequest::from_params(&params).map_err(|e| e.to_string());
        assert!(cli.is_err_and(|m| m.contains("time_bands")));
    })
    .await;
}

/// Issue 8, finding 5: every parameter of every analytics endpoint has a
/// bound, and a value outside it (huge, NaN, infinite, negative, too many)
/// is a 400 naming the parameter, never a 5xx, a crash or minutes of work.
#[tokio::test]
async fn every_analytics_parameter_is_bounded() {
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, 0).await.expect("sample");
        let manager = app.token(MANAGER).await;
        let officer = app.token(OFFICER).await;
        burglaries(app, &officer, &[("2026-01-02", 51.7520), ("2026-01-05", 51.7520), ("2026-01-09", 51.7521)]).await;
        let nr = "/api/v1/analytics/near-repeat?from=2026-01-01&to=2026-01-14";
        let scan = "/api/v1/analytics/scan?from=2026-01-01&to=2026-01-14";
        let pai = "/api/v1/analytics/pai?from=2021-01&to=2021-06&score_from=2021-07&score_to=2021-12";
        let ev = "/api/v1/analytics/evaluate?target_before=10&target_after=5&control_before=10&control_after=10";
        let twenty_one = (0..21).map(|i| format!("{i}-{}", i + 1)).collect::<Vec<_>>().join(",");
        let cases: Vec<(String, &str, &str)> = vec![
            // Fast to refuse, and wrongly accepted before.
            (format!("{scan}&max_radius_km=NaN"), "max_radius_km", &officer),
            (format!("{scan}&max_radius_km=-1"), "max_radius_km", &officer),
            (format!("{scan}&max_radius_km=1e9"), "max_radius_km", &officer),
            (format!("{scan}&max_window_days=0"), "max_window_days", &officer),
            (format!("{scan}&max_window_days=100000&prospective=false"), "max_window_days", &officer),
            (format!("{scan}&max_window_days=18446744073709551615&prospective=false"), "max_window_days", &officer),
            (format!("{scan}&replications=100000"), "replications", &officer),
            (format!("{scan}&replications=1"), "replications", &officer),
            ("/api/v1/analytics/scan?from=2016-01-01&to=2026-12-31".to_string(), "study period", &officer),
            (format!("{pai}&coverage=NaN"), "coverage", &manager),
            (format!("{pai}&coverage=2"), "coverage", &manager),
            (format!("{pai}&coverage=-0.1"), "coverage", &manager),
            (format!("{pai}&coverage={}", ["0.1"; 21].join(",")), "coverage", &manager),
            (format!("{pai}&cell_m=1e300"), "cell_m", &manager),
            (format!("{pai}&cell_m=NaN"), "cell_m", &manager),
            ("/api/v1/analytics/density?bandwidth_m=NaN".to_string(), "bandwidth_m", &manager),
            ("/api/v1/analytics/density?bandwidth_m=inf".to_string(), "bandwidth_m", &manager),
            ("/api/v1/analytics/density?cell_m=-50".to_string(), "cell_m", &manager),
            ("/api/v1/analytics/density?cell_m=10&bandwidth_m=5000".to_string(), "bandwidth_m", &manager),
            ("/api/v1/analytics/density?cell_m=1&bandwidth_m=10".to_string(), "cell_m", &manager),
            ("/api/v1/analytics/hotspots?cell_m=NaN".to_string(), "cell_m", &manager),
            ("/api/v1/analytics/hotspots?cell_m=1e300".to_string(), "cell_m", &manager),
            ("/api/v1/analytics/hotspots?permutations=10000".to_string(), "permutations", &manager),
            (format!("{nr}&distance_bands=0-NaN"), "distance_bands", &officer),
            (format!("{nr}&distance_bands=0-1e9"), "distance_bands", &officer),
            (format!("{nr}&distance_bands=0-200,100-300"), "distance_bands", &officer),
            (format!("{nr}&time_bands=7-0"), "time_bands", &officer),
            (format!("{nr}&time_bands=-7-0"), "time_bands", &officer),
            (format!("{nr}&time_bands=0-inf"), "time_bands", &officer),
            (format!("{nr}&time_bands={twenty_one}"), "time_bands", &officer),
            (format!("{nr}&permutations=100000"), "permutations", &officer),
            ("/api/v1/analytics/near-repeat?from=2000-01-01&to=2026-01-14".to_string(), "study period", &officer),
            (format!("{ev}&buffer_before=NaN"), "count", &manager),
            (format!("{ev}&buffer_before=inf"), "count", &manager),
            (format!("{ev}&buffer_before=-1"), "count", &manager),
            (format!("{ev}&buffer_before=1e300"), "count", &manager),
            // Refused before too; still refused.
            ("/api/v1/analytics/hotspots?permutations=1".to_string(), "permutations", &manager),
            ("/api/v1/analytics/incident-trends?weeks=100000".to_string(), "weeks", &officer),
        ];
        for (path, names, token) in &cases {
            let res = app.get_bearer(path, token).await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{path}: {}", res.body);
            assert!(message(&res).contains(names), "{path}: the message names {names}: {}", res.body);
        }
        // Odd values that are not range errors are still client errors.
        for path in [
            "/api/v1/analytics/scan?from=262143-12-31&to=262143-12-31",
            "/api/v1/analytics/near-repeat?from=2026-01-01&to=2026-01-14&permutations=-1",
            "/api/v1/analytics/hotspots?seed=-1",
            "/api/v1/analytics/trends?from=9999-99",
        ] {
            let res = app.get_bearer(path, &officer).await;
            assert!(res.status.is_client_error(), "{path}: {} {}", res.status, res.body);
        }
        // The bounds leave the defaults and the documented examples alone.
        for (path, token) in [
            (format!("{nr}&distance_bands=0-0.1,0.1-200&time_bands=0-7,7-14&permutations=99"), &officer),
            (format!("{scan}&max_radius_km=0.5&max_window_days=14&prospective=false&replications=99"), &officer),
            ("/api/v1/analytics/density?from=2021-06&to=2021-06&cell_m=100&bandwidth_m=400".to_string(), &manager),
            (format!("{pai}&coverage=0.01,0.05"), &manager),
        ] {
            let res = app.get_bearer(&path, token).await;
            assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.body);
        }
    })
    .await;
}

/// A retrospective scan tests every start day: a long window over a long
/// study once took about a third of a second per replication on seven
/// incidents, with no limit. The window is bounded, and what remains stops
/// at the time budget.
#[tokio::test]
async fn a_retrospective_scan_is_bounded_and_stops_at_its_budget() {
    each_engine(async |app: &TestApp| {
        let officer = app.token(OFFICER).await;
        burglaries(app, &officer, &[("2025-01-02", 51.7520), ("2025-06-05", 51.7520), ("2025-11-09", 51.7521), ("2026-01-03", 51.7000)]).await;
        let huge = app.get_bearer("/api/v1/analytics/scan?from=2016-03-01&to=2026-01-14&prospective=false&max_window_days=3660&replications=9999", &officer).await;
        assert_eq!(huge.status, StatusCode::BAD_REQUEST, "{}", huge.body);
        assert!(message(&huge).contains("max_window_days must be from 1 to 366"), "{}", huge.body);
        let limits = safetynet_web::AnalysisLimits { time_budget: Duration::from_millis(300), ..Default::default() };
        let (_, router) = app_with(app, limits);
        let long = get_from(&router, "/api/v1/analytics/scan?from=2016-03-01&to=2026-01-14&prospective=false&max_window_days=366&max_radius_km=20&replications=9999", &officer).await;
        assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", long.body);
        // Refused up front when one pass over the data, times the
        // replications, is over the budget; stopped at the budget when that
        // one pass alone outruns it (it depends on the machine's speed).
        match long.json()["error"]["rule"].as_str() {
            Some("analysis_limit") => {
                assert!(message(&long).contains("9999 replications), more than the analysis budget of 0.3 s"), "{}", long.body)
            }
            Some("analysis_budget") => assert!(message(&long).contains("stopped after 0.3 s"), "{}", long.body),
            _ => panic!("{}", long.body),
        }
    })
    .await;
}

/// Area (LSOA) hotspots had no permutation limit; they have the grid's.
#[tokio::test]
async fn lsoa_hotspot_permutations_have_the_grid_limit() {
    each_engine(async |app: &TestApp| {
        let geo = repo().join("crates/analysis/tests/fixtures/trafford_lsoa.geojson").display().to_string();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"))
            .args([
                "import",
                "areas",
                "--database-url",
                &app.url,
                "--audit-key-file",
                &app.key_file,
                &geo,
                "--level",
                "lsoa",
                "--code-field",
                "area_code",
                "--name-field",
                "area_name",
            ])
            .output()
            .expect("run");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let m = app.token(MANAGER).await;
        for p in ["10000", "100000000", "0"] {
            let res = app.get_bearer(&format!("/api/v1/analytics/hotspots?level=lsoa&permutations={p}"), &m).await;
            assert_eq!(res.status, StatusCode::BAD_REQUEST, "{p}: {}", res.body);
            assert!(message(&res).contains("permutations must be from 9 to 9999"), "{}", res.body);
        }
        let within = app.get_bearer("/api/v1/analytics/hotspots?level=lsoa&permutations=9999", &m).await;
        assert_ne!(within.status, StatusCode::BAD_REQUEST, "9999 is allowed: {}", within.body);
    })
    .await;
}

/// A heavy analysis over its configured budget stops and says so (422,
/// rule `analysis_budget`); the server goes on answering; the page and the
/// command line get the same message.
#[tokio::test]
async fn a_tiny_time_budget_stops_a_heavy_analysis_with_the_budget_message() {
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, 0).await.expect("sample");
        let manager = app.token(MANAGER).await;
        let limits = safetynet_web::AnalysisLimits { time_budget: Duration::from_millis(50), ..Default::default() };
        let (state, router) = app_with(app, limits);
        let heavy = "/api/v1/analytics/hotspots?from=2021-01&to=2021-12&cell_m=50&permutations=9999";
        // (St Albans is about 13 by 16 km: some 81,000 cells of 50 m.)
        let res = get_from(&router, heavy, &manager).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        let error = &res.json()["error"];
        assert_eq!(error["rule"], "analysis_budget", "{}", res.body);
        assert!(
            message(&res).contains("stopped after 0.05 s") && message(&res).contains("narrow the dates"),
            "{}",
            res.body
        );
        let density = get_from(&router, "/api/v1/analytics/density?cell_m=10&bandwidth_m=1000", &manager).await;
        // (11,444 points, each reaching 201 x 201 cells of 2.7 million.)
        assert_eq!(density.json()["error"]["rule"], "analysis_budget", "{}", density.body);
        let params = safetynet_app::Params::from_pairs([
            ("from", "2021-01"),
            ("to", "2021-12"),
            ("cell_m", "50"),
            ("permutations", "9999"),
        ])
        .expect("params");
        let request = safetynet_app::analyses::crime::HotspotRequest::from_params(&params).expect("request");
        let operator = safetynet_domain::policy::Principal::operator();
        let permit = operator.permit::<safetynet_domain::policy::ViewCrimeData>().expect("permit");
        let cli = state.analyst.hotspots(&permit, &request).await.map_err(|e| e.to_string());
        assert!(cli.is_err_and(|m| m.contains("stopped after 0.05 s")));
        let again = get_from(&router, heavy, &manager).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "a stopped analysis is not cached as an answer");
        let cheap = get_from(
            &router,
            "/api/v1/analytics/evaluate?target_before=207&target_after=110&control_before=308&control_after=318",
            &manager,
        )
        .await;
        assert_eq!(cheap.status, StatusCode::OK, "the server still answers: {}", cheap.body);
        // With the default budget the same analysis at a lighter setting completes.
        let fine = app.get_bearer("/api/v1/analytics/hotspots?from=2021-06&to=2021-06&permutations=19", &manager).await;
        assert_eq!(fine.status, StatusCode::OK, "{}", fine.body);
    })
    .await;
}

/// The limits are configuration: `[analysis]` in the file, environment
/// variables over it, shown by `check-config`; unknown keys and values out
/// of range are refused.
#[test]
fn check_config_shows_the_analysis_limits_and_refuses_bad_ones() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |toml: &str| {
        let f = dir.path().join("c.toml");
        std::fs::write(&f, toml).expect("write");
        std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"))
            .args(["check-config", "--config", &f.display().to_string()])
            .env("SAFETYNET_ANALYSIS_CONCURRENCY", "3")
            .output()
            .expect("run")
    };
    let o = run("[analysis]\ntime_budget_secs = 5\ncache_mib = 16\n");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("time budget 5 s, 3 at once, cache 16 MiB"), "{out}");
    assert!(out.contains("env SAFETYNET_ANALYSIS_CONCURRENCY"), "{out}");
    let unknown = run("[analysis]\nbudget = 5\n");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown field"));
    let zero = run("[analysis]\ntime_budget_secs = 0\n");
    assert!(!zero.status.success());
    assert!(String::from_utf8_lossy(&zero.stderr).contains("time_budget_secs"));
}
