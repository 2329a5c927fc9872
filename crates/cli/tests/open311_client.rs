//! An Open311 client from another ecosystem against the real server, on
//! every engine: `tools/open311-client/check.py` drives `safetynet serve`
//! with georeport (Python, unmodified; installed by
//! `tools/open311-client/fetch.sh`, which `.ci/run` runs) and plain HTTP:
//! it creates requests in JSON and XML and reads them back; the officer
//! triages and closes one; the client then sees it closed with the
//! officer's note and follows the updates.

mod common;

use common::*;
use safetynet_domain::policy::{AuthMethod, ManageAgencies, Principal};
use safetynet_store::users::Actor;
use std::process::Command;

fn client_dir() -> std::path::PathBuf {
    repo().join("tools/open311-client")
}

/// Whether the client is installed; under CI it must be.
fn client_available() -> bool {
    let ok = client_dir().join("vendor/georeport").is_dir();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Open311 client must be installed under CI: tools/open311-client/fetch.sh"
        );
        eprintln!("SKIPPED: run tools/open311-client/fetch.sh to install the Open311 client (georeport)");
    }
    ok
}

fn check(args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg(client_dir().join("check.py"))
        .args(args)
        .env("PYTHONPATH", client_dir().join("vendor"))
        .env_remove("GEOREPORT_API_KEY")
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "check.py {args:?}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

fn call(method: &str, url: &str, token: &str, body: serde_json::Value) -> serde_json::Value {
    let res = ureq::request(method, url).set("Authorization", &format!("Bearer {token}")).send_json(body);
    match res {
        Ok(r) => r.into_json().expect("json"),
        Err(e) => panic!("{method} {url}: {e}"),
    }
}

/// A bearer token for `email` valid now by the wall clock, which the real
/// server reads (the test app's clock is fixed in January).
async fn live_token(app: &TestApp, email: &str) -> String {
    let email = safetynet_domain::partnership::Email::parse(email).expect("email");
    let id = app.store.user_id_by_email(&email).await.expect("db").expect("user");
    let p = app.store.principal(&id, AuthMethod::Operator).await.expect("db").expect("principal");
    let secret = safetynet_domain::token::new_api_token();
    let now = chrono::Utc::now().timestamp_millis();
    let actor = Actor { principal: &p, at_ms: now, source: "test" };
    app.store
        .create_api_token(&actor, &safetynet_domain::token::hash_secret(&secret), now + 3_600_000)
        .await
        .expect("token");
    secret
}

#[tokio::test]
async fn a_python_open311_client_creates_reads_and_follows_requests() {
    if !client_available() {
        return;
    }
    each_engine(async |app: &TestApp| {
        let operator = Principal::operator();
        let actor = Actor { principal: &operator, at_ms: start().timestamp_millis(), source: "test" };
        let permit = operator.permit::<ManageAgencies>().expect("permit");
        app.store.route_public_service(&permit, "fly-tipping", "SACDC", "", &actor).await.expect("route");
        let (_, key) = app.store.issue_open311_client(&permit, "FixMyStreet", 1_000, &actor).await.expect("client");
        let officer = live_token(app, OFFICER).await;
        let server = app.serve(&[]);
        let base = server.base.clone();
        let created: serde_json::Value = serde_json::from_str(check(&["create", &base, &key]).trim()).expect("ids");
        let id = created["json"].as_str().expect("an id").to_string();
        let note = "Cleared by the council's team this morning.";
        let reports = format!("{base}/api/v1/public-reports/{id}");
        tokio::task::spawn_blocking(move || {
            call("POST", &format!("{reports}/triage"), &officer, serde_json::json!({ "action": "accept" }));
            call(
                "POST",
                &format!("{reports}/updates"),
                &officer,
                serde_json::json!({ "status": "fixed", "public_note": note }),
            );
        })
        .await
        .expect("triage");
        assert_eq!(check(&["follow", &base, &key, &id, note]).trim(), "followed");
    })
    .await;
}
