//! Documents and evidence on every engine, through the API and the pages:
//! upload, list and download follow the record's access rule; every
//! download is audited; a file is recognised by its bytes and limited in
//! size; a folder keeps content with its checksum checked on download; and
//! retention removes a record's documents with it.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use safetynet_domain::policy::Principal;
use safetynet_domain::retention::Schedule;
use safetynet_store::users::Actor;
use serde_json::{json, Value};

const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 2, 3, 4, 5];

/// A `multipart/form-data` body: text fields, then the file (if any).
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "sn-test-boundary-7d1c";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((filename, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads through the API with a bearer token.
async fn upload(app: &TestApp, path: &str, token: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Res {
    let (content_type, body) = multipart(fields, file);
    let req = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("request");
    app.send(req).await
}

/// A council case about a victim with one incident: (case id, incident id).
async fn council_case(app: &TestApp, token: &str) -> (String, String) {
    let incident = json!({
        "category": "noise-domestic", "occurred_from": "2026-01-14T23:00:00Z", "reported_at": "2026-01-15T07:00:00Z",
        "latitude": 51.752, "longitude": -0.339, "address": "5 Marlborough Road, St Albans", "description": "Music through the wall",
        "source": "public", "hate_strand": null, "domestic_abuse": false, "involves_child": false, "repeat": true,
        "outside_area_reason": null,
        "people": [{ "role": "victim", "full_name": "Rosa Quiet", "date_of_birth": "1961-02-03", "address": "5 Marlborough Road" }]
    });
    let inc = app.json("POST", "/api/v1/incidents", token, incident).await.json();
    let inc = inc["id"].as_str().unwrap_or_default().to_string();
    let case = app
        .json(
            "POST",
            "/api/v1/cases",
            token,
            json!({ "title": "Marlborough Road noise", "problem": "Noise", "incidents": [inc] }),
        )
        .await;
    (case.json()["id"].as_str().unwrap_or_default().to_string(), inc)
}

#[tokio::test]
async fn evidence_is_uploaded_listed_and_downloaded_only_through_its_record() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let (case, incident) = council_case(app, &council).await;
        let path = format!("/api/v1/cases/{case}/documents");
        let res = upload(
            app,
            &path,
            &council,
            &[("kind", "photo"), ("description", "Speakers against the wall")],
            Some(("../IMG 0042.JPG", JPEG)),
        )
        .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let doc: Value = res.json();
        assert_eq!(
            (doc["content_type"].as_str(), doc["filename"].as_str()),
            (Some("image/jpeg"), Some("IMG 0042.jpg")),
            "{doc}"
        );
        assert_eq!(doc["sha256"].as_str().map(str::len), Some(64));
        let id = doc["id"].as_str().unwrap_or_default().to_string();

        let listed = app.get_bearer(&path, &council).await.json();
        assert_eq!(listed["items"][0]["id"], id.as_str(), "{listed}");
        let got = app.get_bearer(&format!("/api/v1/documents/{id}"), &council).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("image/jpeg"));
        assert!(got
            .headers
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|d| d.starts_with("attachment")));

        // Another agency: not found, until the case is shared with it.
        assert_eq!(app.get_bearer(&format!("/api/v1/documents/{id}"), &police).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get_bearer(&path, &police).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            upload(app, &path, &police, &[("kind", "photo")], Some(("a.jpg", JPEG))).await.status,
            StatusCode::NOT_FOUND
        );
        let share = json!({ "agency": "HERTS-POLICE", "lawful_basis": "Crime and Disorder Act 1998 s115" });
        assert!(app.json("POST", &format!("/api/v1/cases/{case}/shares"), &council, share).await.status.is_success());
        assert_eq!(app.get_bearer(&format!("/api/v1/documents/{id}"), &police).await.status, StatusCode::OK);
        // A partner works the case (and may add to it), but only the council attaches to its incident.
        assert_eq!(
            upload(app, &path, &police, &[("kind", "photo")], Some(("p.jpg", JPEG))).await.status,
            StatusCode::CREATED
        );
        let on_incident = upload(
            app,
            &format!("/api/v1/incidents/{incident}/documents"),
            &police,
            &[("kind", "photo")],
            Some(("p.jpg", JPEG)),
        )
        .await;
        assert_eq!(on_incident.status, StatusCode::FORBIDDEN, "{}", on_incident.body);

        // Evidence on the incident too.
        let ipath = format!("/api/v1/incidents/{incident}/documents");
        let diary = b"Mon 12 Jan: bass until 02:10\nTue 13 Jan: shouting at 23:40\n";
        let res = upload(app, &ipath, &council, &[("kind", "diary_sheet")], Some(("diary.txt", diary))).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let sheet = app
            .get_bearer(&format!("/api/v1/documents/{}", res.json()["id"].as_str().unwrap_or_default()), &council)
            .await;
        assert_eq!(sheet.body.as_bytes(), diary, "kept exactly as uploaded");

        // Every download is audited, with the checksum.
        let auditor = app.token(AUDITOR).await;
        let audit = app.get_bearer("/api/v1/audit?per_page=200", &auditor).await.json();
        let downloads = audit["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["record_type"] == "document" && r["action"] == "view" && r["record_id"] == id.as_str())
            .count();
        assert_eq!(downloads, 2, "one download each by the council and the police: {audit}");
    })
    .await;
}

#[tokio::test]
async fn a_file_is_taken_by_what_its_bytes_are_and_within_the_size_limit() {
    let small = || {
        let mut c = safetynet_web::WebConfig::default();
        c.safety.documents.max_bytes = 1024;
        c
    };
    each_engine_with(small, async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let (case, _) = council_case(app, &council).await;
        let path = format!("/api/v1/cases/{case}/documents");
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";
        let res = upload(app, &path, &council, &[("kind", "statement")], Some(("statement.pdf", exe))).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert_eq!(res.json()["error"]["rule"], "document_rejected");
        assert!(res.body.contains("PDF"), "says what is taken: {}", res.body);
        let big = vec![b'a'; 1025];
        let res = upload(app, &path, &council, &[("kind", "other")], Some(("notes.txt", &big))).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
        assert!(res.body.contains("1 KB"), "{}", res.body);
        let res = upload(app, &path, &council, &[("kind", "other")], Some(("notes.txt", &big[..1024]))).await;
        assert_eq!(res.status, StatusCode::CREATED, "the limit includes its edge: {}", res.body);
        let res = upload(app, &path, &council, &[("kind", "video")], Some(("a.jpg", JPEG))).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
        let res = upload(app, &path, &council, &[("kind", "photo")], None).await;
        assert!(res.body.contains("choose a file"), "{}", res.body);
        let listed = app.get_bearer(&path, &council).await.json();
        assert_eq!(listed["items"].as_array().map(Vec::len), Some(1), "nothing refused was kept: {listed}");
    })
    .await;
}

#[tokio::test]
async fn a_folder_keeps_evidence_checked_on_download_and_retention_removes_it() {
    let folder = tempfile::tempdir().expect("dir");
    let at = folder.path().to_path_buf();
    let config = move || {
        let mut c = safetynet_web::WebConfig::default();
        c.safety.documents.folder = Some(at.clone());
        c
    };
    each_engine_with(config, async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        // An incident in no case: past retention after 3 years.
        let (_, incident) = council_case(app, &council).await;
        let lone = json!({
            "category": "asb-personal", "occurred_from": "2026-01-14T23:00:00Z", "reported_at": "2026-01-15T07:00:00Z",
            "latitude": 51.752, "longitude": -0.339, "address": "9 Hill Street", "description": "Shouting", "source": "public",
            "hate_strand": null, "domestic_abuse": false, "involves_child": false, "repeat": false, "outside_area_reason": null, "people": []
        });
        let lone = app.json("POST", "/api/v1/incidents", &council, lone).await.json()["id"].as_str().unwrap_or_default().to_string();
        let res = upload(app, &format!("/api/v1/incidents/{lone}/documents"), &council, &[("kind", "photo")], Some(("p.jpg", JPEG))).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let id = res.json()["id"].as_str().unwrap_or_default().to_string();
        let file = folder.path().join(&id);
        assert_eq!(std::fs::read(&file).expect("kept in the folder"), JPEG);
        assert_eq!(app.get_bearer(&format!("/api/v1/documents/{id}"), &council).await.status, StatusCode::OK);

        // A file changed behind SafetyNet's back is not served as evidence.
        let kept = upload(app, &format!("/api/v1/incidents/{incident}/documents"), &council, &[("kind", "photo")], Some(("q.jpg", JPEG))).await;
        let kept_id = kept.json()["id"].as_str().unwrap_or_default().to_string();
        let mut tampered = JPEG.to_vec();
        tampered.push(0);
        std::fs::write(folder.path().join(&kept_id), tampered).expect("tamper");
        assert!(app.get_bearer(&format!("/api/v1/documents/{kept_id}"), &council).await.status.is_server_error());

        // Four years on, retention anonymises the lone incident and removes its evidence.
        let operator = Principal::operator();
        let four = start().timestamp_millis() + 4 * 365 * 86_400_000;
        let actor = Actor { principal: &operator, at_ms: four, source: "test" };
        let ran = app.store.retention_run(&Schedule::default(), None, &actor).await.expect("run").expect("ran");
        assert!(ran.incidents.contains(&lone), "{ran:?}");
        assert!(!file.exists(), "the file went with the record");
        assert_eq!(app.get_bearer(&format!("/api/v1/documents/{id}"), &council).await.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn the_case_page_attaches_evidence_and_shows_a_refusal_at_the_form() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let (case, incident) = council_case(app, &council).await;
        let me = app.sign_in(OFFICER).await;
        let send = async |path: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>, csrf: &str| {
            let mut all = fields.to_vec();
            all.push(("csrf_token", csrf));
            let (content_type, body) = multipart(&all, file);
            let req = Request::post(path)
                .header(header::COOKIE, format!("sn_session={}", me.cookie))
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body))
                .expect("request");
            app.send(req).await
        };
        let page_path = format!("/cases/{case}/documents");
        assert_eq!(
            send(&page_path, &[("kind", "photo")], Some(("a.jpg", JPEG)), "wrong").await.status,
            StatusCode::FORBIDDEN,
            "CSRF is checked"
        );
        let res =
            send(&page_path, &[("kind", "photo"), ("description", "Speakers")], Some(("a.jpg", JPEG)), &me.csrf).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let shown = app.get(&format!("/cases/{case}"), Some(&me)).await;
        assert!(
            shown.body.contains(r#"data-testid="documents""#)
                && shown.body.contains("a.jpg")
                && shown.body.contains("Speakers"),
            "{}",
            shown.body
        );
        let res = send(&page_path, &[("kind", "photo")], Some(("a.pdf", b"\x7fELF\x02\x01\x01")), &me.csrf).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains(r##"href="#file""##) && res.body.contains("must be a"), "{}", res.body);
        let res = send(
            &format!("/incidents/{incident}/documents"),
            &[("kind", "photo")],
            Some(("b.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")),
            &me.csrf,
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let shown = app.get(&format!("/incidents/{incident}"), Some(&me)).await;
        assert!(shown.body.contains("b.png"), "{}", shown.body);
        let doc =
            shown.body.split("/documents/").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default().to_string();
        let got = app.get(&format!("/documents/{doc}"), Some(&me)).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("image/png"));
    })
    .await;
}
