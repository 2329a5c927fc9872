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
        assert_eq!(again.body, res.body, "same seed, same answer (here from the cache)");
        let fresh = safetynet_web::AppState::new(app.store.clone(), std::sync::Arc::new(app.clock.clone()), safetynet_web::WebConfig::default());
        let params = safetynet_app::Params::from_pairs([("from", "2021-06"), ("to", "2021-08"), ("permutations", "99"), ("seed", "4")]).expect("params");
        let request = safetynet_app::analyses::crime::HotspotRequest::from_params(&params).expect("request");
        let operator = safetynet_domain::policy::Principal::operator();
        let permit = operator.permit::<safetynet_domain::policy::ViewCrimeData>().expect("permit");
        let computed = fresh.analyst.hotspots(&permit, &request).await.expect("run");
        let computed = safetynet_app::analyses::output::hotspots(&computed, Default::default()).expect("render");
        assert_eq!(computed.body, res.body, "a fresh computation equals the cached answer");
        let unknown = app.get_bearer("/api/v1/analytics/hotspots?from=2021-06&permutaions=99", &t).await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "a misspelt option is refused, not ignored");
        assert!(unknown.body.contains("unknown option: permutaions"), "{}", unknown.body);
        let csv = app.get_bearer("/api/v1/analytics/hotspots?from=2021-06&to=2021-06&permutations=19&format=csv", &t).await;
        assert!(csv.body.starts_with("easting,northing,count,gi_z"));
        let empty = app.get_bearer("/api/v1/analytics/hotspots?from=2030-01&to=2030-01", &t).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.json()["error"]["message"].as_str().unwrap_or("").contains("no data"));
        assert_eq!(app.get_bearer("/api/v1/analytics/hotspots?cell_m=1", &t).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(app.get_bearer("/api/v1/analytics/hotspots?permutations=1", &t).await.status, StatusCode::BAD_REQUEST);

        let e = app.get_bearer("/api/v1/analytics/evaluate?target_before=207&target_after=110&control_before=308&control_after=318&buffer_before=178&buffer_after=157&buffer_control_before=150&buffer_control_after=140", &t).await.json();
        assert_eq!(e["wdd"]["wdd"], -118.0);
        assert_eq!(e["advice"]["recommendation"], "scale_back");
        assert_eq!(app.get_bearer("/api/v1/analytics/evaluate?target_before=1", &t).await.status, StatusCode::BAD_REQUEST);

        let s = app.sign_in(MANAGER).await;
        let page = app.get("/analysis", Some(&s)).await;
        assert!(page.body.contains("data-hotspot-map") && page.body.contains("How these hotspots are found"));
        let svg = app.get("/analysis/hotspots.svg?from=2021-06&to=2021-06&permutations=19", Some(&s)).await;
        assert_eq!(svg.status, StatusCode::OK);
        assert_eq!(svg.headers["content-type"], "image/svg+xml");
        assert!(svg.body.starts_with("<svg") && svg.body.contains("<polygon"), "with the district boundary");
        let chart = app.get("/analysis/series.svg?type=Burglary", Some(&s)).await;
        assert!(chart.body.starts_with("<svg xmlns=") && chart.body.contains("Burglary per month"));
        let ev = app.get("/analysis/evaluate?target_before=100&target_after=120&control_before=100&control_after=100", Some(&s)).await;
        assert!(ev.body.contains("Change approach"), "{}", ev.body);
        assert!(ev.body.contains(r#"value="120""#), "the counts stay in the form to try others");
        let empty = app.get("/analysis/evaluate?target_before=&target_after=&control_before=&control_after=x", Some(&s)).await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST);
        for message in [
            "Enter the number of crimes in the target area before the operation",
            "Enter the number of crimes in the target area after the operation",
            "Enter the number of crimes in the control area before the operation",
            "The control area count after must be a whole number, like 12",
        ] {
            assert!(empty.body.contains(message), "{message}: {}", empty.body);
        }
        assert!(!empty.body.contains("parse"), "no raw parser error: {}", empty.body);
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
                "--audit-key-file",
                &app.key_file,
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
        // An agency that does not exist is named as the problem.
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"))
            .args(["analyse", "near-repeat", "--database-url", &app.url, "--audit-key-file", &app.key_file])
            .args(["--from", "2026-01-01", "--to", "2026-01-14", "--agency", "NOPE", "--format", "json"])
            .output()
            .expect("run");
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("no agency has the code NOPE: the agencies are") && err.contains("SACDC"), "{err}");
        // Misspelt options are refused by name, at the command line and in the API.
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"))
            .args(["analyse", "near-repeat", "--database-url", &app.url, "--audit-key-file", &app.key_file])
            .args(["--from", "2026-01-01", "--to", "2026-01-14", "--agency", "SACDC"])
            .args(["--option", "distance_band=0-50", "--option", "time_bandz=0-1"])
            .output()
            .expect("run");
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("unknown options: distance_band, time_bandz"), "{err}");
        let t = app.token(OFFICER).await;
        let res = app
            .get_bearer("/api/v1/analytics/near-repeat?from=2026-01-01&to=2026-01-14&distance_band=0-50&cell_m=5", &t)
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
        assert!(res.body.contains("unknown options: cell_m, distance_band"), "{}", res.body);
    })
    .await;
}

#[test]
fn every_method_lists_every_option_in_its_help_and_refuses_what_it_does_not_take() {
    use safetynet_app::analyses::options::{self, Default};
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_safetynet")).args(args).output().expect("run");
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    for (method, table) in [
        ("hotspots", options::HOTSPOTS),
        ("density", options::DENSITY),
        ("trends", options::TRENDS),
        ("pai", options::PAI),
        ("scan", options::SCAN),
        ("near-repeat", options::NEAR_REPEAT),
    ] {
        let (ok, help, _) = run(&["analyse", method, "--help"]);
        assert!(ok, "{method} --help");
        for o in table {
            let listed = [" ", "\n"].iter().any(|end| help.contains(&format!("--{}{end}", o.flag)));
            assert!(listed, "{method} --help lists --{}:\n{help}", o.flag);
            if let Default::Value(v) = o.default {
                if o.kind == options::Kind::Value {
                    assert!(
                        help.contains(&format!("[default: {v}]")),
                        "{method} --help gives {}'s default {v}",
                        o.name
                    );
                }
            }
        }
    }
    // Options a method does not use, and formats it cannot give, are refused before any work.
    let near = ["analyse", "near-repeat", "--agency", "SACDC", "--from", "2026-01-01", "--to", "2026-01-14"];
    let (ok, _, err) = run(&[&near[..], &["--format", "csv"]].concat());
    assert!(!ok && err.contains("invalid value 'csv' for '--format <FORMAT>'"), "{err}");
    let (ok, _, err) = run(&[&near[..], &["--cell-m", "100"]].concat());
    assert!(!ok && err.contains("unexpected argument '--cell-m'"), "{err}");
    let (ok, _, err) = run(&["analyse", "trends", "--area", "St Albans 001A", "--format", "csv"]);
    assert!(!ok && err.contains("invalid value 'csv'"), "{err}");
    let (ok, _, err) = run(&["analyse", "scan", "--agency", "SACDC"]);
    assert!(!ok && err.contains("--from <YYYY-MM-DD>") && err.contains("--to <YYYY-MM-DD>"), "required: {err}");
}

#[tokio::test]
async fn density_and_near_repeats() {
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, 0).await.expect("sample");
        let t = app.token(MANAGER).await;
        let d = app.get_bearer("/api/v1/analytics/density?from=2021-06&to=2021-06&cell_m=100&bandwidth_m=400", &t).await;
        assert_eq!(d.status, StatusCode::OK, "{}", d.body);
        let s = d.json();
        let cells = (s["cols"].as_u64().unwrap_or(0) * s["rows"].as_u64().unwrap_or(0)) as usize;
        assert_eq!(s["values"].as_array().map(Vec::len), Some(cells));
        let total: f64 = s["values"].as_array().into_iter().flatten().filter_map(|v| v.as_f64()).sum::<f64>() * 0.01;
        let n = app.store.crime_locations(&safetynet_store::crimes::CrimeFilter { from: safetynet_domain::month::Month::parse("2021-06").ok(), to: safetynet_domain::month::Month::parse("2021-06").ok(), ..Default::default() }).await.expect("q").len() as f64;
        assert!((total - n).abs() / n < 0.02, "the surface integrates to the number of points: {total} vs {n}");
        assert_eq!(app.get_bearer("/api/v1/analytics/density?bandwidth_m=1", &t).await.status, StatusCode::BAD_REQUEST);
        // The density as a map layer: squares from 2% of the peak, each with its level.
        let g = app.get_bearer("/api/v1/analytics/density?from=2021-06&to=2021-06&cell_m=100&bandwidth_m=400&format=geojson", &t).await;
        assert_eq!(g.status, StatusCode::OK, "{}", g.body);
        assert_eq!(g.headers["content-type"], "application/geo+json");
        let g = g.json();
        let squares = g["features"].as_array().cloned().unwrap_or_default();
        let peak = s["values"].as_array().into_iter().flatten().filter_map(|v| v.as_f64()).fold(0.0, f64::max);
        let above = s["values"].as_array().into_iter().flatten().filter_map(|v| v.as_f64()).filter(|v| *v >= 0.02 * peak).count();
        assert_eq!(squares.len(), above, "every square from 2% of the peak");
        assert!(squares.iter().all(|f| f["geometry"]["type"] == "Polygon" && f["properties"]["level"].as_f64().is_some_and(|l| (0.02..=1.0).contains(&l))));
        let m = app.sign_in(MANAGER).await;
        let svg = app.get("/analysis/density.svg?from=2021-06&to=2021-06&cell_m=100&bandwidth_m=400", Some(&m)).await;
        assert_eq!(svg.status, StatusCode::OK, "{}", svg.body);
        assert!(svg.body.starts_with("<svg") && svg.body.contains("Density of recorded crime: darker is more"), "{}", &svg.body[..200.min(svg.body.len())]);
        assert_eq!(app.get("/analysis/density.svg?cell_m=wide", Some(&m)).await.status, StatusCode::BAD_REQUEST);

        // Three burglaries at one address a few days apart, one far away.
        let officer = app.token(OFFICER).await;
        for (day, lat) in [("2026-01-02", 51.7520), ("2026-01-05", 51.7520), ("2026-01-09", 51.7521), ("2026-01-03", 51.7000)] {
            let body = serde_json::json!({ "category": "crime-burglary", "occurred_from": format!("{day}T02:00:00Z"), "reported_at": format!("{day}T08:00:00Z"),
                "latitude": lat, "longitude": -0.3390, "address": "x", "description": "Burglary", "source": "police",
                "domestic_abuse": false, "involves_child": false, "repeat": false });
            assert_eq!(app.json("POST", "/api/v1/incidents", &officer, body).await.status, StatusCode::CREATED);
        }
        let nr = app.get_bearer("/api/v1/analytics/near-repeat?from=2026-01-01&to=2026-01-14&distance_bands=0-0.1,0.1-200&time_bands=0-7,7-14&permutations=99", &officer).await;
        assert_eq!(nr.status, StatusCode::OK, "{}", nr.body);
        let v = nr.json();
        assert_eq!(v["events"], 4);
        assert!(v["day_convention"].as_str().unwrap_or("").starts_with("days are UK local dates"), "{v}");
        // A-B: same place, 3 days; A-C and B-C: 11 m, 7 and 4 days (7 days is in the closed first band).
        assert_eq!(v["knox"]["observed"], serde_json::json!([[1, 0], [2, 0]]), "{v}");
        let wk = app.get_bearer("/api/v1/analytics/incident-trends?weeks=8", &officer).await;
        assert_eq!(wk.status, StatusCode::OK, "{}", wk.body);
        let wv = wk.json();
        assert_eq!(wv["counts"]["crime-burglary"].as_array().map(|a| a.iter().filter_map(|x| x.as_f64()).sum::<f64>()), Some(4.0), "{wv}");
        assert_eq!(app.get_bearer("/api/v1/analytics/incident-trends?weeks=2", &officer).await.status, StatusCode::BAD_REQUEST);
        let scan = app.get_bearer("/api/v1/analytics/scan?from=2026-01-01&to=2026-01-14&max_radius_km=0.5&max_window_days=14&prospective=false&replications=99", &officer).await;
        assert_eq!(scan.status, StatusCode::OK, "{}", scan.body);
        let c = scan.json();
        assert_eq!(c["incidents"], 4);
        assert_eq!(c["day_convention"], v["day_convention"], "one day convention in every method");
        assert_eq!(c["replications"], 99, "the result says how many replications its p-value rests on");
        assert!(c["most_likely_cluster"]["observed"].as_u64().unwrap_or(0) >= 1, "{c}");
        assert_eq!(app.get_bearer("/api/v1/analytics/scan?from=2026-01-14&to=2026-01-01", &officer).await.status, StatusCode::BAD_REQUEST);
        // The cluster and the near-repeat pairs as map layers and images.
        let study = "from=2026-01-01&to=2026-01-14&max_radius_km=0.5&max_window_days=14&prospective=false&replications=99";
        let cg = app.get_bearer(&format!("/api/v1/analytics/scan?{study}&format=geojson"), &officer).await;
        assert_eq!(cg.status, StatusCode::OK, "{}", cg.body);
        let cg = cg.json();
        let kinds: Vec<&str> = cg["features"].as_array().into_iter().flatten().filter_map(|f| f["properties"]["kind"].as_str()).collect();
        assert_eq!(kinds.first(), Some(&"cluster"), "{cg}");
        assert_eq!(kinds.iter().filter(|k| **k == "place").count(), c["most_likely_cluster"]["places"].as_array().map_or(0, Vec::len));
        assert_eq!(cg["features"][0]["properties"]["observed"], c["most_likely_cluster"]["observed"]);
        let pg = app.get_bearer("/api/v1/analytics/near-repeat?from=2026-01-01&to=2026-01-14&distance_bands=0-0.1,0.1-200&time_bands=0-7,7-14&format=geojson", &officer).await;
        assert_eq!(pg.status, StatusCode::OK, "{}", pg.body);
        let pg = pg.json();
        // The near cells (up to 200 m, up to 7 days): A-B (3 days), B-C (4), A-C (7), closest in time first.
        let days: Vec<i64> = pg["features"].as_array().into_iter().flatten().filter_map(|f| f["properties"]["days"].as_i64()).collect();
        assert_eq!(days, [3, 4, 7], "{pg}");
        assert!(pg["features"].as_array().into_iter().flatten().all(|f| f["geometry"]["type"] == "LineString"));
        assert_eq!(app.get_bearer("/api/v1/analytics/near-repeat?from=2026-01-01&to=2026-01-14&format=csv", &officer).await.status, StatusCode::BAD_REQUEST);
        let so = app.sign_in(OFFICER).await;
        let svg = app.get("/analysis/incidents/near-repeat.svg?from=2026-01-01&to=2026-01-14&distance_bands=0-0.1,0.1-200", Some(&so)).await;
        assert_eq!(svg.status, StatusCode::OK, "{}", svg.body);
        assert!(svg.body.contains("3 pairs of incidents up to 200 m and 7 days apart"), "{}", svg.body);
        let svg = app.get(&format!("/analysis/incidents/scan.svg?{study}"), Some(&so)).await;
        assert_eq!(svg.status, StatusCode::OK, "{}", svg.body);
        assert!(svg.body.contains("observed") && svg.body.contains("Emerging cluster"), "{}", svg.body);
        assert_eq!(app.get("/analysis/incidents/scan.svg?from=2026-01-01", Some(&so)).await.status, StatusCode::BAD_REQUEST);
        let police = app.token(POLICE).await;
        let theirs = app.get_bearer("/api/v1/analytics/near-repeat?from=2026-01-01&to=2026-01-14", &police).await;
        assert_eq!(theirs.status, StatusCode::UNPROCESSABLE_ENTITY, "other agencies' incidents are not analysed: none to analyse");
        assert!(theirs.json()["error"]["message"].as_str().unwrap_or("").contains("at least 2 incidents are needed, found 0"));
        assert_eq!(app.get_bearer("/api/v1/analytics/near-repeat?from=2026-01-01&to=2026-01-14&distance_bands=0-200,100-300", &officer).await.status, StatusCode::BAD_REQUEST, "overlapping bands");
        assert_eq!(app.get_bearer("/api/v1/analytics/near-repeat?from=2026-02-01&to=2026-01-01", &officer).await.status, StatusCode::BAD_REQUEST);
        let s = app.sign_in(OFFICER).await;
        let page = app.get("/analysis/incidents?from=2026-01-01&to=2026-01-14&category=crime-burglary", Some(&s)).await;
        assert_eq!(page.status, StatusCode::OK);
        // Four incidents are too few to read: the page says so, in words, instead of a grid of p = 1.00.
        assert!(!page.body.contains(r#"data-testid="knox-table""#) && !page.body.contains(r#"data-testid="scan-cluster""#), "{}", page.body);
        assert!(page.body.contains("Not enough incidents to analyse (4; at least 20 needed)"), "{}", page.body);
        assert!(page.body.contains("Not enough incidents to analyse (4; at least 10 needed)"), "{}", page.body);
        let viewer_admin = app.sign_in(ADMIN).await;
        assert_eq!(app.get("/analysis/incidents", Some(&viewer_admin)).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn trends_flag_emerging_issues_with_the_rule_and_the_numbers() {
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, 0).await.expect("sample");
        let t = app.token(MANAGER).await;
        let res = app.get_bearer("/api/v1/analytics/trends?all=true", &t).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let v = res.json();
        assert_eq!(v["months"].as_array().map(Vec::len), Some(13), "2021-01 to 2022-01");
        let alerts = v["alerts"].as_array().cloned().unwrap_or_default();
        assert!(!alerts.is_empty(), "a year of St Albans data has some alerts");
        for a in &alerts {
            assert!(
                a["rule"].is_string()
                    && a["observed"].is_number()
                    && a["expected"].is_number()
                    && a["threshold"].as_f64().is_some_and(|t| a["observed"].as_f64().is_some_and(|o| o >= t))
                    && a["chance_periods"].as_f64().is_some_and(|n| n > 1.0)
                    && a["reason"].as_str().is_some_and(|r| r.contains("by chance")),
                "{a}"
            );
        }
        let latest = app.get_bearer("/api/v1/analytics/trends", &t).await.json();
        assert!(latest["alerts"].as_array().into_iter().flatten().all(|a| a["month"] == "2022-01"));
        assert_eq!(app.get_bearer("/api/v1/analytics/trends?by=ward", &t).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            app.get_bearer("/api/v1/analytics/trends?from=2030-01", &t).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let by_area = app.get_bearer("/api/v1/analytics/trends?by=lsoa_type&type=Burglary", &t).await;
        assert_eq!(by_area.status, StatusCode::OK);
        let page = app.get("/analysis", Some(&app.sign_in(MANAGER).await)).await;
        assert!(
            page.body.contains("Emerging issues this month") && page.body.contains(r#"data-testid="series-chart""#)
        );
        let pai = app
            .get_bearer("/api/v1/analytics/pai?from=2021-01&to=2021-06&score_from=2021-07&score_to=2021-12", &t)
            .await;
        assert_eq!(pai.status, StatusCode::OK, "{}", pai.body);
        let p = pai.json();
        let first = &p["at_coverage"][0]["point"];
        assert!(
            first["pai"].as_f64().unwrap_or(0.0) > 5.0,
            "earlier hotspots predict later crime far better than chance: {p}"
        );
        assert!(first["pei"].as_f64().is_some_and(|e| e > 0.0 && e <= 1.0));
        assert_eq!(
            app.get_bearer("/api/v1/analytics/pai?from=2021-07&to=2021-12&score_from=2021-01&score_to=2021-06", &t)
                .await
                .status,
            StatusCode::BAD_REQUEST
        );
    })
    .await;
}

#[tokio::test]
async fn areas_place_incidents_in_their_lsoa_and_drive_area_hotspots() {
    each_engine(async |app: &TestApp| {
        let geo = repo().join("crates/analysis/tests/fixtures/trafford_lsoa.geojson").display().to_string();
        let run = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_safetynet")).args(args).output().expect("run");
        let o = run(&["import", "areas", "--database-url", &app.url, "--audit-key-file", &app.key_file, &geo, "--level", "lsoa", "--code-field", "area_code", "--name-field", "area_name"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("139 added"));
        let again = run(&["import", "areas", "--database-url", &app.url, "--audit-key-file", &app.key_file, &geo, "--level", "lsoa", "--code-field", "area_code", "--name-field", "area_name"]);
        assert!(String::from_utf8_lossy(&again.stdout).contains("0 added, 139 updated"), "re-import replaces, never duplicates");
        let bad = run(&["import", "areas", "--database-url", &app.url, "--audit-key-file", &app.key_file, &geo, "--level", "county", "--code-field", "x", "--name-field", "y"]);
        assert!(!bad.status.success());

        // An incident in Trafford gets its LSOA (and needs a reason: it is outside St Albans).
        let t = app.token(OFFICER).await;
        let body = serde_json::json!({ "category": "asb-nuisance", "occurred_from": "2026-01-14T20:00:00Z", "reported_at": "2026-01-15T08:00:00Z",
            "latitude": 53.3950, "longitude": -2.3720, "address": "Trafford", "description": "Test", "source": "public",
            "domestic_abuse": false, "involves_child": false, "repeat": false, "outside_area_reason": "Victim lives in St Albans" });
        let res = app.json("POST", "/api/v1/incidents", &t, body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let id = res.json()["id"].as_str().unwrap_or_default().to_string();
        let inc = app.get_bearer(&format!("/api/v1/incidents/{id}"), &t).await.json();
        assert_eq!(inc["record"]["lsoa_code"], "E01006079", "the LSOA shapely also finds: {inc}");

        // Area hotspots from police.uk counts by LSOA code.
        let codes: Vec<String> = serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&geo).expect("read")).expect("json")["features"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["properties"]["area_code"].as_str().map(str::to_string))
            .collect();
        let mut csv = String::from("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n");
        for (i, code) in codes.iter().enumerate() {
            let n = if i < 5 { 20 } else { i % 3 };
            for k in 0..n {
                csv.push_str(&format!("t{i}x{k},2021-06,GMP,GMP,-2.37,53.39,On or near X,{code},Trafford,Burglary,,\n"));
            }
        }
        let file = app.dir.path().join("trafford-street.csv");
        std::fs::write(&file, csv).expect("write");
        let o = run(&["import", "police-uk", "--database-url", &app.url, "--audit-key-file", &app.key_file, &file.display().to_string()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let m = app.token(MANAGER).await;
        let res = app.get_bearer("/api/v1/analytics/hotspots?level=lsoa&permutations=99&type=Burglary", &m).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let v = res.json();
        let features = v["features"].as_array().cloned().unwrap_or_default();
        assert_eq!(features.len(), 139);
        let total: u64 = features.iter().map(|f| f["properties"]["count"].as_u64().unwrap_or(0)).sum();
        assert_eq!(total, 100 + (5..139).map(|i| (i % 3) as u64).sum::<u64>());
        assert!(features.iter().all(|f| f["properties"]["gi_z"].as_f64().is_some_and(f64::is_finite)));
        assert_eq!(app.get_bearer("/api/v1/analytics/hotspots?level=ward", &m).await.status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn the_weekly_job_runs_once_a_week_on_its_day_and_feeds_the_dashboard() {
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, 0).await.expect("sample");
        let state = safetynet_web::AppState::new(
            app.store.clone(),
            std::sync::Arc::new(app.clock.clone()),
            safetynet_web::WebConfig::default(),
        );
        // 2026-01-15 is a Thursday: not the day.
        assert_eq!(safetynet_web::jobs::run_weekly_trends(&state, false).await.ok().flatten(), None);
        app.clock.advance(chrono::Duration::days(4)); // Monday 19 January
        let n = safetynet_web::jobs::run_weekly_trends(&state, false).await.ok().flatten().expect("ran on Monday");
        assert!(n > 0, "the sample's latest month has alerts");
        assert_eq!(safetynet_web::jobs::run_weekly_trends(&state, false).await.ok().flatten(), None, "once per week");
        assert_eq!(safetynet_web::jobs::run_weekly_trends(&state, true).await.ok().flatten(), None, "even when forced");
        let s = app.sign_in(MANAGER).await;
        let dash = app.get("/dashboard", Some(&s)).await;
        assert!(dash.body.contains("weekly review 2026-W04"), "{}", dash.body);
        app.clock.advance(chrono::Duration::days(7));
        assert!(safetynet_web::jobs::run_weekly_trends(&state, false).await.ok().flatten().is_some(), "next Monday");
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"))
            .args(["jobs", "weekly", "--database-url", &app.url, "--audit-key-file", &app.key_file])
            .output()
            .expect("run");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    })
    .await;
}
