//! Finding places (issue 15): `safetynet import gazetteer` (the library
//! function and the real binary), the store's search over the gazetteer and
//! police.uk streets, and `GET /places` and `GET /api/v1/places`, on every
//! engine. Fixtures: `data/gazetteer/` (synthetic, see its SOURCE.txt) and
//! `data/police-uk/fixtures/good-street.csv`.

mod common;

use common::*;
use safetynet::import_gazetteer::{import_gazetteer, GazetteerImportSummary};
use safetynet_domain::places::PlaceQuery;
use safetynet_domain::policy::Principal;
use safetynet_store::users::Actor;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn gazetteer(name: &str) -> std::path::PathBuf {
    repo().join("data/gazetteer").join(name)
}

async fn load(app: &TestApp, path: &Path) -> GazetteerImportSummary {
    let operator = Principal::operator();
    let actor = Actor { principal: &operator, at_ms: start().timestamp_millis(), source: "test" };
    import_gazetteer(&app.store, path, &actor).await.expect("import")
}

async fn find(app: &TestApp, q: &str) -> Vec<safetynet_store::places::Place> {
    app.store.find_places(&PlaceQuery::parse(q).expect("query"), 10).await.expect("find")
}

fn labels(places: &[safetynet_store::places::Place]) -> Vec<&str> {
    places.iter().map(|p| p.label.as_str()).collect()
}

#[tokio::test]
async fn a_gazetteer_imports_once_and_a_repeat_updates_without_duplicating() {
    each_engine(async |app| {
        let first = load(app, &gazetteer("st-albans-sample.csv")).await;
        assert_eq!((first.rows_read, first.added, first.updated, first.unchanged, first.rejected), (37, 37, 0, 0, 0));
        assert_eq!(first.held, 37);
        let again = load(app, &gazetteer("st-albans-sample.csv")).await;
        assert_eq!((again.added, again.updated, again.unchanged, again.held), (0, 0, 37, 37), "{again:?}");
        assert_eq!(app.store.gazetteer_count().await.expect("count"), 37);

        // A changed address for a UPRN already held replaces it.
        let changed = app.dir.path().join("changed.csv");
        std::fs::write(
            &changed,
            "uprn,address,postcode,easting,northing\n990000000101,\"3A Fishpool Street, St Albans\",AL3 4RS,514138.49,207231.96\n990000000999,\"1 Romeland Hill, St Albans\",AL3 4EZ,514420,207330\n",
        )
        .expect("write");
        let s = load(app, &changed).await;
        assert_eq!((s.added, s.updated, s.unchanged, s.held), (1, 1, 0, 38), "{s:?}");
        let found = find(app, "3a fishpool").await;
        assert_eq!(labels(&found), ["3A Fishpool Street, St Albans, AL3 4RS"]);
        assert_eq!(found[0].uprn.as_deref(), Some("990000000101"));
        assert!(find(app, "fishpool street").await.iter().all(|p| !p.label.starts_with("3 Fishpool")));

        // Each load is one audit row and the trail still verifies.
        let trail = app.store.verify_audit().await.expect("verify").map_err(|b| b.to_string());
        assert!(trail.is_ok(), "{trail:?}");
    })
    .await;
}

#[tokio::test]
async fn bad_rows_are_reported_with_their_lines_and_the_rest_kept() {
    each_engine(async |app| {
        let s = load(app, &gazetteer("with-errors.csv")).await;
        assert_eq!((s.rows_read, s.added, s.rejected, s.held), (7, 3, 4, 3), "{s:?}");
        let lines: Vec<u64> = s.rejected_rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4, 5, 7]);
        let text = s.to_text();
        assert!(text.contains("rejected lines: 3, 4, 5, 7"), "{text}");
        assert!(text.contains("line 3: UPRN 'ABC' is not 1 to 12 digits"), "{text}");
        assert!(text.contains("line 4: easting is empty"), "{text}");
        assert!(text.contains("line 5: postcode 'NOT KNOWN' is not a UK postcode"), "{text}");
        assert!(text.contains("line 7: UPRN 990000000201 is repeated (first on line 2)"), "{text}");
        // The first of a repeated UPRN is kept; the postcode written `al34he` is put right.
        let found = find(app, "abbey mill").await;
        assert_eq!(
            labels(&found),
            [
                "1 Abbey Mill Lane, St Albans, AL3 4HE",
                "5 Abbey Mill Lane, St Albans",
                "7 Abbey Mill Lane, St Albans, AL3 4HE"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn places_are_found_by_postcode_street_and_partial_words_in_any_case() {
    each_engine(async |app| {
        load(app, &gazetteer("st-albans-sample.csv")).await;
        // A postcode, with or without its space, in any case.
        for q in ["AL3 4RS", "al34rs", "Al3 4rS"] {
            let found = find(app, q).await;
            assert_eq!(found.len(), 7, "{q}: {:?}", labels(&found));
            assert!(found.iter().all(|p| p.label.contains("Fishpool Street") && p.label.ends_with("AL3 4RS")), "{q}");
        }
        // Partial words, all of which must match.
        let found = find(app, "12 FISHP").await;
        assert_eq!(
            labels(&found),
            ["Flat 1, 12 Fishpool Street, St Albans, AL3 4RS", "Flat 2, 12 Fishpool Street, St Albans, AL3 4RS"]
        );
        assert!(find(app, "fishpool hatfield").await.is_empty());
        // An apostrophe is a character like any other.
        let found = find(app, "peter's st").await;
        assert_eq!(found.len(), 4);
        assert!(found.iter().all(|p| p.label.contains("St Peter's Street")));
        // At most the limit, in address order.
        let all = find(app, "st albans").await;
        assert_eq!(all.len(), 10);
        let mut sorted = labels(&all).iter().map(|l| l.to_lowercase()).collect::<Vec<_>>();
        sorted.sort();
        assert_eq!(sorted, labels(&all).iter().map(|l| l.to_lowercase()).collect::<Vec<_>>());
        // Wildcards are only characters.
        assert!(find(app, "%%%").await.is_empty());
        assert!(find(app, "___").await.is_empty());
        // Coordinates: converted from the grid, in St Albans.
        let found = find(app, "3 fishpool street").await;
        let p = found.iter().find(|p| p.label.starts_with("3 Fishpool")).expect("3 Fishpool Street");
        assert_eq!((p.kind, p.uprn.as_deref()), (safetynet_store::places::PlaceKind::Address, Some("990000000101")));
        assert!((p.latitude - 51.7527).abs() < 0.001 && (p.longitude + 0.3487).abs() < 0.001, "{p:?}");
    })
    .await;
}

#[tokio::test]
async fn streets_police_uk_names_fill_in_beside_the_gazetteer() {
    each_engine(async |app| {
        // Without a gazetteer, the streets police.uk names.
        app.import(&["good-street.csv"]).await;
        let found = find(app, "roundwood").await;
        assert_eq!(labels(&found), ["Roundwood Court, St Albans"]);
        let p = &found[0];
        assert_eq!((p.kind, p.uprn.as_deref()), (safetynet_store::places::PlaceKind::Street, None));
        assert!((p.latitude - 51.824832).abs() < 1e-9 && (p.longitude + 0.368290).abs() < 1e-9, "{p:?}");
        // The district is part of what is searched; "On or near" is not.
        assert_eq!(labels(&find(app, "close albans").await).len(), 4);
        assert!(find(app, "on or near").await.is_empty());
        // A repeated import adds no weight to a street.
        app.import(&["good-street.csv"]).await;
        let again = find(app, "roundwood").await;
        assert_eq!(again, found);

        // With a gazetteer, its addresses come first and streets fill the rest.
        load(app, &gazetteer("st-albans-sample.csv")).await;
        let csv = app.dir.path().join("roundwood.csv");
        std::fs::write(&csv, "UPRN,ADDRESS,POSTCODE,X_COORDINATE,Y_COORDINATE\n990000000500,\"1 Roundwood Court, Harpenden\",AL5 3AB,512600,214900\n")
            .expect("write");
        load(app, &csv).await;
        let found = find(app, "roundwood").await;
        assert_eq!(labels(&found), ["1 Roundwood Court, Harpenden, AL5 3AB", "Roundwood Court, St Albans"]);
        assert_eq!(found[0].kind, safetynet_store::places::PlaceKind::Address);
        assert_eq!(found[1].kind, safetynet_store::places::PlaceKind::Street);
        // Ten addresses leave no room for streets.
        assert!(find(app, "st albans").await.iter().all(|p| p.kind == safetynet_store::places::PlaceKind::Address));
    })
    .await;
}

#[tokio::test]
async fn the_places_endpoints_answer_signed_in_users_with_json() {
    each_engine(async |app| {
        load(app, &gazetteer("st-albans-sample.csv")).await;
        app.import(&["good-street.csv"]).await;
        let session = app.sign_in(OFFICER).await;
        let res = app.get("/places?q=Fishpool%20St", Some(&session)).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.headers["content-type"].to_str().unwrap_or("").starts_with("application/json"));
        let j = res.json();
        let places = j["places"].as_array().expect("places");
        assert_eq!(places.len(), 7);
        let first = &places[0];
        assert_eq!(first["label"], "18 Fishpool Street, St Albans, AL3 4RS");
        let mut keys: Vec<&str> = first.as_object().expect("object").keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["kind", "label", "latitude", "longitude", "uprn"]);
        assert_eq!(first["kind"], "address");
        assert!(first["uprn"].is_string() && first["latitude"].is_f64() && first["longitude"].is_f64());

        let street = app.get("/places?q=newgate", Some(&session)).await.json();
        assert_eq!(
            street,
            serde_json::json!({ "places": [{ "label": "Newgate Close, St Albans", "kind": "street", "uprn": null, "latitude": 51.763375, "longitude": -0.291935 }] })
        );
        let none = app.get("/places?q=zzzz", Some(&session)).await;
        assert_eq!((none.status.as_u16(), none.json()), (200, serde_json::json!({ "places": [] })));

        // At least 3 characters, at most 10 answers, no unknown parameters.
        for (q, message) in [
            ("/places?q=al", "q must have at least 3 characters"),
            ("/places", "q must have at least 3 characters"),
            ("/places?q=%20%20ab%20", "q must have at least 3 characters"),
            ("/places?q=fishpool&limit=50", "limit"),
        ] {
            let res = app.get(q, Some(&session)).await;
            assert_eq!(res.status, 400, "{q}: {}", res.body);
            let message_given = res.json()["error"]["message"].as_str().unwrap_or_default().to_string();
            assert!(message_given.contains(message), "{q}: {message_given}");
        }
        assert_eq!(app.get("/places?q=st%20albans", Some(&session)).await.json()["places"].as_array().map(Vec::len), Some(10));

        // Every role may search; without a session the browser is sent to sign in.
        for who in [ADMIN, VIEWER, AUDITOR, POLICE] {
            let s = app.sign_in(who).await;
            assert_eq!(app.get("/places?q=fishpool", Some(&s)).await.status, 200, "{who}");
        }
        let anonymous = app.get("/places?q=fishpool", None).await;
        assert!(anonymous.status.is_redirection(), "{}", anonymous.status);
        assert!(anonymous.location().starts_with("/sign-in"), "{}", anonymous.location());

        // The API answers the same, with a bearer token.
        let token = app.token(POLICE).await;
        let api = app.get_bearer("/api/v1/places?q=Fishpool%20St", &token).await;
        assert_eq!(api.status, 200, "{}", api.body);
        assert_eq!(api.json(), j);
        let short = app.get_bearer("/api/v1/places?q=al", &token).await;
        assert_eq!(short.status, 400);
        assert_eq!(short.json()["error"]["message"], "q must have at least 3 characters");
        let unauthenticated = app.send(
            axum::http::Request::get("/api/v1/places?q=fishpool").body(axum::body::Body::empty()).expect("request"),
        )
        .await;
        assert_eq!(unauthenticated.status, 401);
    })
    .await;
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_safetynet"));
    c.env_remove("SAFETYNET_DATABASE_URL")
        .env_remove("SAFETYNET_CONFIG")
        .env_remove("SAFETYNET_PASSWORD")
        .current_dir(std::env::temp_dir());
    c
}

#[tokio::test]
async fn the_import_gazetteer_command_prints_its_summary() {
    each_engine(async |app| {
        let run = |file: &str, json: bool| {
            let path = gazetteer(file).display().to_string();
            let mut args = vec!["import", "gazetteer", "--database-url", &app.url, "--audit-key-file", &app.key_file];
            if json {
                args.extend(["--format", "json"]);
            }
            args.push(&path);
            bin().args(&args).output().expect("run safetynet")
        };
        let o = run("with-errors.csv", false);
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(
            out.contains("rows read:  7") && out.contains("added:      3") && out.contains("rejected:   4"),
            "{out}"
        );
        assert!(out.contains("rejected lines: 3, 4, 5, 7") && out.contains("line 5: postcode 'NOT KNOWN'"), "{out}");
        let o = run("st-albans-sample.csv", true);
        let j: Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!((j["added"].as_u64(), j["rejected"].as_u64(), j["held"].as_i64()), (Some(37), Some(0), Some(40)));
        let o = run("st-albans-sample.csv", true);
        let j: Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!((j["added"].as_u64(), j["unchanged"].as_u64(), j["held"].as_i64()), (Some(0), Some(37), Some(40)));

        let bad = app.dir.path().join("no-uprn.csv");
        std::fs::write(&bad, "ADDRESS,EASTING,NORTHING\nx,1,2\n").expect("write");
        let path = bad.display().to_string();
        let o = bin()
            .args(["import", "gazetteer", "--database-url", &app.url, "--audit-key-file", &app.key_file, &path])
            .output()
            .expect("run");
        assert!(!o.status.success());
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("no UPRN column"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    })
    .await;
}
