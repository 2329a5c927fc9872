//! Writes survive a crash, on every engine: the real server is killed
//! (SIGKILL, no shutdown of any kind) in the middle of a burst of writes
//! from several clients; every write it acknowledged is in the database
//! afterwards, and the audit trail verifies.

mod common;

use common::*;
use safetynet_store::sql::Q;
use safetynet_store::Exec;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const OFFICER: &str = "asb.officer@stalbans.gov.uk";
const CLIENTS: usize = 6;

/// One client: records incidents until the server stops answering (then it
/// stops); every
/// id the server acknowledged (201) goes into `acked`.
fn client(base: String, token: String, n: usize, acked: Arc<Mutex<Vec<String>>>, log: std::path::PathBuf) {
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(5)).build();
    for i in 0.. {
        let body = incident_json(n * 100_000 + i);
        match agent
            .post(&format!("{base}/api/v1/incidents"))
            .set("Authorization", &format!("Bearer {token}"))
            .send_json(body)
        {
            Ok(res) if res.status() == 201 => {
                let v: serde_json::Value = res.into_json().expect("JSON");
                acked.lock().expect("lock").push(v["id"].as_str().expect("id").to_string());
            }
            Ok(res) => panic!("unexpected status {}", res.status()),
            Err(ureq::Error::Status(code, res)) => panic!(
                "refused {code}: {}\nthe server's log:\n{}",
                res.into_string().unwrap_or_default(),
                std::fs::read_to_string(log).unwrap_or_default()
            ),
            Err(_) => return, // the server is gone
        }
    }
}

#[tokio::test]
async fn every_acknowledged_write_survives_a_killed_server() {
    each_engine(async |app: &TestApp| {
        // A token from the real clock: the server runs on it.
        let made = Command::new(env!("CARGO_BIN_EXE_safetynet"))
            .args([
                "token",
                "create",
                "--email",
                OFFICER,
                "--database-url",
                &app.url,
                "--audit-key-file",
                &app.key_file,
            ])
            .env_remove("SAFETYNET_CONFIG")
            .output()
            .expect("token create");
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
        let token = String::from_utf8_lossy(&made.stdout).trim().to_string();
        let mut server = app.serve(&[]);
        let base = server.base.clone();
        let acked = Arc::new(Mutex::new(Vec::new()));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|n| {
                let (base, token, acked) = (base.clone(), token.clone(), acked.clone());
                let log = server.log.clone();
                std::thread::spawn(move || client(base, token, n, acked, log))
            })
            .collect();
        // Mid-burst: enough writes acknowledged, many more in flight.
        let burst = Instant::now();
        while acked.lock().expect("lock").len() < 150
            && burst.elapsed() < Duration::from_secs(60)
            && !clients.iter().all(|c| c.is_finished())
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        server.child.kill().expect("SIGKILL");
        let _ = server.child.wait();
        for c in clients {
            c.join().expect("client");
        }
        let acked = acked.lock().expect("lock").clone();
        assert!(acked.len() >= 150, "{:?}: only {} writes acknowledged", app.engine, acked.len());

        // A new process opens the database as it was left.
        let out = Command::new(env!("CARGO_BIN_EXE_safetynet"))
            .args(["audit", "verify", "--database-url", &app.url, "--audit-key-file", &app.key_file])
            .env_remove("SAFETYNET_CONFIG")
            .output()
            .expect("audit verify");
        assert!(out.status.success(), "{:?}: {}", app.engine, String::from_utf8_lossy(&out.stderr));
        let rows = app.store.conn().await.expect("conn").all(&Q::new("SELECT id FROM incidents")).await.expect("ids");
        let stored: std::collections::HashSet<String> = rows.iter().map(|r| r.text("id").expect("id")).collect();
        let lost: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
        assert!(lost.is_empty(), "{:?}: {} acknowledged writes lost: {lost:?}", app.engine, lost.len());
    })
    .await;
}

/// The first references of a year, taken by many writers at once, are all
/// given out (no writer fails on the counter's first row).
#[tokio::test]
async fn concurrent_first_writes_of_a_year_all_succeed() {
    each_engine(async |app: &TestApp| {
        let token = app.token(OFFICER).await;
        let mut writes = tokio::task::JoinSet::new();
        for n in 0..12 {
            let req = axum::http::Request::post("/api/v1/incidents")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(incident_json(n).to_string()))
                .expect("request");
            let router = app.router.clone();
            writes.spawn(async move {
                use http_body_util::BodyExt;
                use tower::ServiceExt;
                let res = router.oneshot(req).await.expect("infallible");
                let status = res.status();
                let bytes = res.into_body().collect().await.expect("body").to_bytes();
                (status, String::from_utf8_lossy(&bytes).into_owned())
            });
        }
        let mut refs = std::collections::HashSet::new();
        while let Some(done) = writes.join_next().await {
            let (status, body) = done.expect("task");
            assert_eq!(status, axum::http::StatusCode::CREATED, "{:?}: {body}", app.engine);
            let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
            refs.insert(v["reference"].as_str().expect("reference").to_string());
        }
        assert_eq!(refs.len(), 12, "every reference is different");
    })
    .await;
}
