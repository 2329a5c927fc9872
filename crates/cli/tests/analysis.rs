//! Analysis through the API, pages and command line, on every engine, on
//! the bundled St Albans police.uk extract.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn hotspots_and_evaluation() {
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, 0).await.expect("sample");
        let t = app.token(MANAGER).await;
        let res = app.get_bearer("/api/v1/analytics/hotspots?from=2021-06&to=2021-08&permutations=99&seed=4", &t).await;
        assert_eq!(res.status, StatusCode::OK);
        let geo = res.json();
        let features = geo["features"].as_array().cloned().unwrap_or_default();
        assert!(features.len() > 500, "{}", features.len());
        let total: u64 = features.iter().map(|f| f["properties"]["count"].as_u64().unwrap_or(0)).sum();
        let filter = safetynet_store::crimes::CrimeFilter {
            from: safetynet_domain::month::Month::parse("2021-06").ok(),
            to: safetynet_domain::month::Month::parse("2021-08").ok(),
            ..Default::default()
        };
        let located = app.store.crime_locations(&filter).await.expect("q").len() as u64;
        assert_eq!(total, located, "every located record is in exactly one cell");
        assert!(features.iter().any(|f| f["properties"]["gi_class"] == "hot99"), "St Albans city centre is a hot spot");
        let again = app.get_bearer("/api/v1/analytics/hotspots?from=2021-06&to=2021-08&permutations=99&seed=4", &t).await;
        assert_eq!(again.body, res.body, "same seed, same answer");
        let csv = app.get_bearer("/api/v1/analytics/hotspots?from=2021-06&to=2021-06&permutations=19&format=csv", &t).await;
        assert!(csv.body.starts_with("easting,northing,count,gi_z"));
        let empty = app.get_bearer("/api/v1/analytics/hotspots?from=2030-01&to=2030-01", &t).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.json()["error"]["message"].as_str().unwrap_or("").contains("no data"));
        assert_eq!(app.get_bearer("/api/v1/analytics/hotspots?cell_m=1", &t).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.get_bearer("/api/v1/analytics/hotspots?permutations=1", &t).await.status, StatusCode::BAD_REQUEST);

        let e = app.get_bearer("/api/v1/analytics/evaluate?target_before=207&target_after=110&control_before=308&control_after=318&buffer_before=178&buffer_after=157&buffer_control_before=150&buffer_control_after=140", &t).await.json();
        assert_eq!(e["wdd"]["wdd"], -118.0);
        assert_eq!(e["advice"]["recommendation"], "scale_back");
        assert_eq!(app.get_bearer("/api/v1/analytics/evaluate?target_before=1", &t).await.status, StatusCode::BAD_REQUEST);

        let s = app.sign_in(MANAGER).await;
        let page = app.get("/analysis", Some(&s)).await;
        assert!(page.body.contains("data-hotspot-map") && page.body.contains("How these hotspots are found"));
        let ev = app.get("/analysis/evaluate?target_before=100&target_after=120&control_before=100&control_after=100", Some(&s)).await;
        assert!(ev.body.contains("Change approach"), "{}", ev.body);
        let auditor = app.sign_in(AUDITOR).await;
        assert_eq!(app.get("/analysis", Some(&auditor)).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[test]
fn the_command_line_evaluates_the_published_example() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"))
        .args([
            "analyse",
            "evaluate",
            "--target",
            "207,110",
            "--control",
            "308,318",
            "--buffer",
            "178,157",
            "--buffer-control",
            "150,140",
        ])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["wdd"]["wdd"], -118.0);
    assert!((v["wdd"]["z"].as_f64().unwrap_or(0.0) - -2.98).abs() < 0.01);
}

#[tokio::test]
async fn the_command_line_writes_hotspot_geojson() {
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, 0).await.expect("sample");
        let out = app.dir.path().join("hot.geojson");
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"))
            .args([
                "analyse",
                "hotspots",
                "--database-url",
                &app.url,
                "--from",
                "2021-06",
                "--to",
                "2021-06",
                "--permutations",
                "49",
                "--format",
                "geojson",
                "--out",
            ])
            .arg(&out)
            .output()
            .expect("run");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("file")).expect("geojson");
        assert_eq!(v["type"], "FeatureCollection");
        assert!(v["features"].as_array().is_some_and(|f| !f.is_empty()));
    })
    .await;
}
