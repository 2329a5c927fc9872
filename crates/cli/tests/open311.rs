//! The Open311 GeoReport v2 server, on every engine: a registered client
//! creates requests in JSON and XML (lat/long or an address, contact
//! fields, a photo link, attribute answers), reads them back (its own in
//! full, others' without anyone's words or place), looks a token up, and
//! follows the partnership's updates through FixMyStreet's
//! `servicerequestupdates`; keys are checked, counted against an hourly
//! allowance, revoked, and every call that touches a report is audited.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use safetynet_domain::policy::{ManageAgencies, Principal};
use safetynet_store::users::Actor;
use serde_json::{json, Value};

async fn operator_do<T>(
    app: &TestApp,
    f: impl AsyncFnOnce(&safetynet_domain::policy::Permit<ManageAgencies>, &Actor<'_>) -> T,
) -> T {
    let operator = Principal::operator();
    let actor = Actor {
        principal: &operator,
        at_ms: safetynet_domain::clock::Clock::now(&app.clock).timestamp_millis(),
        source: "test",
    };
    let permit = operator.permit::<ManageAgencies>().expect("permit");
    f(&permit, &actor).await
}

/// Routes fly-tipping to the council and registers a client; its key.
async fn set_up(app: &TestApp, per_hour: i64) -> String {
    operator_do(app, async |permit, actor| {
        app.store.route_public_service(permit, "fly-tipping", "SACDC", "Rubbish dumped", actor).await.expect("route");
        app.store.route_public_service(permit, "graffiti", "SACDC", "", actor).await.expect("route");
        app.store.issue_open311_client(permit, "FixMyStreet", per_hour, actor).await.expect("client").1
    })
    .await
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Res {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded_encode(fields)))
        .expect("request");
    app.send(req).await
}

/// The text of the first `<tag>` in `xml`.
fn xml_text<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let at = xml.find(&open).map(|i| i + open.len()).unwrap_or(xml.len());
    xml[at..].split('<').next().unwrap_or_default()
}

#[tokio::test]
async fn a_client_creates_reads_and_follows_requests_in_json_and_xml() {
    each_engine(async |app: &TestApp| {
        let key = set_up(app, 1_000).await;
        let form = |description: &'static str, lat: &'static str| {
            vec![
                ("api_key", key.clone()),
                ("service_code", "fly-tipping".to_string()),
                ("lat", lat.to_string()),
                ("long", "-0.339012".to_string()),
                ("description", description.to_string()),
                ("email", "rita@example.org".to_string()),
                ("first_name", "Rita".to_string()),
                ("last_name", "Resident".to_string()),
                ("media_url", "https://fixmystreet.example/photo/1.jpeg".to_string()),
                ("attribute[land_type]", "highway".to_string()),
                ("attribute[waste_type]", "other_household".to_string()),
                ("attribute[size]", "small_van_load".to_string()),
                ("attribute[fixmystreet_id]", "4412".to_string()),
            ]
        };
        let send = async |path: &str, fields: Vec<(&str, String)>| {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, path, &pairs).await
        };
        // JSON: the specification's array of one.
        let res =
            send("/open311/v2/requests.json", form("A sofa and ten black bags by the garages", "51.752049")).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let created = res.json()[0].clone();
        let first = created["service_request_id"].as_str().expect("id").to_string();
        assert!(first.starts_with("PR-2026-"), "{created}");
        // XML: <service_requests><request>…
        let res = send("/open311/v2/requests.xml", form("Builders' rubble tipped in the lay-by", "51.753500")).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert!(
            res.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request>"),
            "{}",
            res.body
        );
        assert_eq!(res.headers[header::CONTENT_TYPE], "text/xml; charset=utf-8");
        let second = xml_text(&res.body, "service_request_id").to_string();
        let token = xml_text(&res.body, "token").to_string();
        assert_ne!(first, second);
        // The same report again within the hour answers with the first's id.
        let again =
            send("/open311/v2/requests.json", form("A sofa and ten black bags by the garages", "51.752049")).await;
        assert_eq!(again.json()[0]["service_request_id"], first.as_str());

        // The token leads to the request.
        let found = app.get(&format!("/open311/v2/tokens/{token}.json"), None).await.json();
        assert_eq!(found, json!([{ "service_request_id": second, "token": token }]));
        assert_eq!(app.get("/open311/v2/tokens/nothing.json", None).await.status, StatusCode::NOT_FOUND);

        // Without a key, a request shows its status but nobody's words or place.
        let public = app.get(&format!("/open311/v2/requests/{first}.json"), None).await.json();
        assert_eq!(public[0]["status"], "open");
        assert_eq!(public[0]["service_name"], "Fly-tipping");
        assert_eq!(public[0]["agency_responsible"], "St Albans City & District Council");
        assert_eq!(public[0]["requested_datetime"], "2026-01-15T09:00:00Z", "W3C dates");
        for private in ["description", "address", "lat", "long", "media_url"] {
            assert!(public[0].get(private).is_none(), "{private} shown without the key: {public}");
        }
        // The client that sent it sees it in full.
        let mine = app.get(&format!("/open311/v2/requests/{first}.json?api_key={key}"), None).await.json();
        assert_eq!(mine[0]["description"], "A sofa and ten black bags by the garages");
        assert_eq!(
            (mine[0]["lat"].as_f64(), mine[0]["media_url"].as_str()),
            (Some(51.752049), Some("https://fixmystreet.example/photo/1.jpeg"))
        );
        let xml = app.get(&format!("/open311/v2/requests/{second}.xml"), None).await.body;
        assert!(xml.contains("<service_requests><request><service_request_id>") && !xml.contains("rubble"), "{xml}");

        // The officer sees the reporter, the photo and the attributes the service asks (only those).
        let officer = app.token(OFFICER).await;
        let held = app.get_bearer(&format!("/api/v1/public-reports/{first}"), &officer).await.json();
        assert_eq!((held["reporter_name"].as_str(), held["source"].as_str()), (Some("Rita Resident"), Some("open311")));
        assert_eq!(
            held["attributes"],
            json!({ "land_type": "highway", "waste_type": "other_household", "size": "small_van_load" })
        );
        let session = app.sign_in(OFFICER).await;
        let page = app.get(&format!("/public-reports/{first}"), Some(&session)).await.body;
        assert!(page.contains("Small van load") && page.contains("Open311 (e.g. FixMyStreet)"), "{page}");
        assert!(page.contains("Other household waste") && page.contains("Highway"), "{page}");
        assert!(
            page.contains("data-testid=\"defra-categories\""),
            "the officer is told what accepting records: {page}"
        );

        // Searches: by ids, by service and status, by dates; bad filters are refused in the specification's shape.
        let both =
            app.get(&format!("/open311/v2/requests.json?service_request_id={first},{second}"), None).await.json();
        assert_eq!(both.as_array().map(Vec::len), Some(2));
        let closed = app.get("/open311/v2/requests.json?service_code=fly-tipping&status=closed", None).await.json();
        assert_eq!(closed, json!([]));
        let graffiti = app.get("/open311/v2/requests.json?service_code=graffiti", None).await.json();
        assert_eq!(graffiti, json!([]));
        let later = app
            .get("/open311/v2/requests.json?start_date=2026-01-16T00:00:00Z&end_date=2026-02-01T00:00:00Z", None)
            .await;
        assert_eq!(later.json(), json!([]));
        let bad = app.get("/open311/v2/requests.json?start_date=yesterday", None).await;
        assert_eq!((bad.status, bad.json()[0]["code"].as_u64()), (StatusCode::BAD_REQUEST, Some(400)));
        let wide = app
            .get("/open311/v2/requests.xml?start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", None)
            .await;
        assert_eq!(wide.status, StatusCode::BAD_REQUEST);
        assert!(wide.body.contains("<errors><error><code>400</code><description>"), "{}", wide.body);
        assert_eq!(app.get("/open311/v2/requests.json?status=pending", None).await.status, StatusCode::BAD_REQUEST);

        // The partnership triages and closes it; the client follows the updates.
        app.clock.advance(chrono::Duration::hours(2));
        let path = format!("/api/v1/public-reports/{first}/triage");
        let accepted = app.json("POST", &path, &officer, json!({ "action": "accept" })).await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        // All three of Defra's answers: the new incident counts in the WasteDataFlow return.
        let incident = accepted.json()["incident_id"].as_str().expect("an incident").to_string();
        let tip = app.get_bearer(&format!("/api/v1/fly-tipping/incidents/{incident}"), &officer).await.json();
        assert_eq!(
            (&tip["details"]["land_type"], &tip["details"]["waste_type"], &tip["details"]["size"]),
            (&json!("highway"), &json!("other_household"), &json!("small_van_load")),
            "{tip}"
        );
        assert_eq!(tip["details"]["recorded_by_agency"], "SACDC");
        app.clock.advance(chrono::Duration::hours(23));
        let note = "Cleared on Tuesday; we are looking for the van seen that night.";
        let res = app
            .json(
                "POST",
                &format!("/api/v1/public-reports/{first}/updates"),
                &officer,
                json!({ "status": "fixed", "public_note": note }),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let shown = app.get(&format!("/open311/v2/requests/{first}.json"), None).await.json();
        assert_eq!((shown[0]["status"].as_str(), shown[0]["status_notes"].as_str()), (Some("closed"), Some(note)));
        let updates = app.get(&format!("/open311/v2/servicerequestupdates.json?api_key={key}"), None).await.json();
        let statuses: Vec<(&str, &str)> = updates
            .as_array()
            .expect("a list")
            .iter()
            .map(|u| (u["status"].as_str().unwrap_or_default(), u["description"].as_str().unwrap_or_default()))
            .collect();
        assert_eq!(
            statuses,
            vec![("investigating", ""), ("fixed", note)],
            "the last 24 hours, oldest first: {updates}"
        );
        let since = "start_date=2026-01-15T00:00:00Z&end_date=2026-01-17T00:00:00Z";
        let xml = app.get(&format!("/open311/v2/servicerequestupdates.xml?api_key={key}&{since}"), None).await.body;
        assert!(xml.contains("<service_requests_updates><request_update><update_id>"), "{xml}");
        assert_eq!(xml.matches("<request_update>").count(), 4, "two received, investigating and fixed: {xml}");
        assert!(xml.contains(&format!(
            "<service_request_id>{first}</service_request_id><status>fixed</status><description>{note}</description>"
        )));
        let without = app.get("/open311/v2/servicerequestupdates.json", None).await;
        assert_eq!(without.status, StatusCode::FORBIDDEN);

        // Every call that touched a report is in the audit trail, with the client.
        let auditor = app.token(AUDITOR).await;
        let trail = app.get_bearer("/api/v1/audit?record_type=public_report&per_page=100", &auditor).await.json();
        let details: Vec<String> = trail["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["detail"].as_str().map(String::from).unwrap_or_else(|| i["detail"].to_string()))
            .collect();
        assert!(
            details.iter().any(|d| d.contains("\"source\":\"open311\"") && d.contains("\"client\":\"")),
            "the creations: {details:?}"
        );
        assert!(details.iter().any(|d| d.contains("open311_client") && d.contains(&first)), "the reads: {details:?}");
        assert!(details.iter().any(|d| d.contains("updates_of")), "the updates read: {details:?}");
    })
    .await;
}

#[tokio::test]
async fn keys_are_checked_limited_by_rate_and_revoked() {
    each_engine(async |app: &TestApp| {
        let key = set_up(app, 3).await;
        let create = |key: String, description: &'static str| async move {
            let fields = [
                ("api_key", key.as_str()),
                ("service_code", "graffiti"),
                ("address_string", "The underpass, Hatfield Road"),
                ("description", description),
            ];
            post_form(app, "/open311/v2/requests.json", &fields).await
        };
        let none = post_form(app, "/open311/v2/requests.json", &[("service_code", "graffiti")]).await;
        assert_eq!((none.status, none.json()[0]["code"].as_u64()), (StatusCode::FORBIDDEN, Some(403)));
        let forged = create("o311_forged".into(), "Tags sprayed on the underpass wall").await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let missing = post_form(app, "/open311/v2/requests.json", &[("api_key", &key), ("description", "x")]).await;
        assert_eq!(
            (missing.status, missing.json()[0]["description"].as_str()),
            (StatusCode::BAD_REQUEST, Some("service_code was not provided"))
        );
        let unknown = post_form(
            app,
            "/open311/v2/requests.xml",
            &[
                ("api_key", &key),
                ("service_code", "crime-burglary"),
                ("address_string", "Hatfield Road"),
                ("description", "Someone broke into the shed"),
            ],
        )
        .await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "not a service: {}", unknown.body);
        assert!(unknown.body.contains("<errors><error><code>400</code>"), "{}", unknown.body);
        let bad_answer = post_form(
            app,
            "/open311/v2/requests.json",
            &[
                ("api_key", &key),
                ("service_code", "fly-tipping"),
                ("address_string", "Hatfield Road"),
                ("description", "Bags dumped by the bins"),
                ("attribute[size]", "enormous"),
            ],
        )
        .await;
        assert_eq!(bad_answer.status, StatusCode::BAD_REQUEST, "{}", bad_answer.body);
        // Three calls an hour: the fourth (with the refusals above) is refused with 429 until the next hour.
        assert_eq!(
            create(key.clone(), "Tags sprayed on the underpass wall").await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        let updates = app.get(&format!("/open311/v2/servicerequestupdates.xml?api_key={key}"), None).await;
        assert_eq!(updates.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(updates.body.contains("<code>429</code>"), "{}", updates.body);
        app.clock.advance(chrono::Duration::hours(1));
        assert_eq!(create(key.clone(), "Tags sprayed on the underpass wall").await.status, StatusCode::OK);
        // Revoked: the key stops at once; the report it sent stays.
        operator_do(app, async |permit, actor| {
            app.store.revoke_open311_client(permit, "FixMyStreet", actor).await.expect("revoke")
        })
        .await;
        assert_eq!(create(key.clone(), "More tags on the underpass wall").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.get("/open311/v2/requests.json?service_code=graffiti", None).await.json().as_array().map(Vec::len),
            Some(1)
        );
        let auditor = app.token(AUDITOR).await;
        let failures =
            app.get_bearer("/api/v1/audit?record_type=open311_client&action=login_failure", &auditor).await.json();
        assert_eq!(failures["total"].as_i64(), Some(2), "the forged and the revoked key: {failures}");
    })
    .await;
}

#[tokio::test]
async fn a_service_definition_lists_its_attributes_and_unknown_services_are_not_found() {
    each_engine(async |app: &TestApp| {
        set_up(app, 10).await;
        let services = app.get("/open311/v2/services.json", None).await.json();
        let metadata: Vec<(&str, bool)> = services
            .as_array()
            .expect("list")
            .iter()
            .map(|s| (s["service_code"].as_str().unwrap_or_default(), s["metadata"].as_bool().unwrap_or_default()))
            .collect();
        assert!(metadata.contains(&("fly-tipping", true)) && metadata.contains(&("graffiti", false)), "{metadata:?}");
        let definition: Value = app.get("/open311/v2/services/fly-tipping.json", None).await.json();
        assert_eq!(definition["service_code"], "fly-tipping");
        let size = &definition["attributes"][2];
        assert_eq!((size["code"].as_str(), size["datatype"].as_str(), size["order"].as_u64()), (Some("size"), Some("singlevaluelist"), Some(3)));
        assert_eq!(size["values"][0], json!({ "key": "single_black_bag", "name": "Single black bag" }));
        let xml = app.get("/open311/v2/services/fly-tipping.xml", None).await.body;
        assert!(xml.contains("<service_definition><service_code>fly-tipping</service_code><attributes><attribute><variable>true</variable><code>land_type</code>"), "{xml}");
        let plain = app.get("/open311/v2/services/graffiti.json", None).await.json();
        assert_eq!(plain, json!({ "service_code": "graffiti", "attributes": [] }));
        let missing = app.get("/open311/v2/services/crime-burglary.xml", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.body.contains("<errors><error><code>404</code>"), "{}", missing.body);
    })
    .await;
}

#[tokio::test]
async fn open311_clients_discover_the_services_in_json_and_xml() {
    each_engine(async |app: &TestApp| {
        set_up(app, 10).await;
        let json = app.get("/open311/v2/services.json", None).await;
        assert_eq!(json.status, StatusCode::OK, "{}", json.body);
        let services = json.json();
        assert_eq!(services[0]["service_code"], "fly-tipping");
        assert_eq!((services[0]["service_name"].as_str(), services[0]["type"].as_str(), services[0]["metadata"].as_bool()), (Some("Fly-tipping"), Some("realtime"), Some(true)));
        let xml = app.get("/open311/v2/services.xml", None).await;
        assert_eq!(xml.status, StatusCode::OK);
        assert!(xml.body.starts_with("<?xml") && xml.body.contains("<services><service><service_code>fly-tipping</service_code><service_name>Fly-tipping</service_name>"), "{}", xml.body);
        let discovery = app.get("/open311/v2/discovery.json", None).await.json();
        assert!(discovery["endpoints"][0]["url"].as_str().is_some_and(|u| u.ends_with("/open311/v2")), "{discovery}");
        assert_eq!(discovery["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2");
        let xml = app.get("/open311/v2/discovery.xml", None).await.body;
        assert!(xml.contains("<discovery>") && xml.contains("<format>text/xml</format>"), "{xml}");
        let missing = app.get("/open311/v2/nothing.json", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(missing.json()[0]["code"], 404);
        let missing = app.get("/open311/v2/nothing.xml", None).await;
        assert!(missing.body.contains("<errors><error><code>404</code>"), "{}", missing.body);
    })
    .await;
}
