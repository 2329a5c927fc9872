//! Test harness: a fresh database per test on every engine (SQLite always,
//! PostgreSQL when SAFETYNET_TEST_POSTGRES_URL is set), the demo partnership
//! seeded, the app driven in-process through its router.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use safetynet::demo::{seed_partnership, DEMO_PASSWORD};
use safetynet::import::{import_police_uk, NoProgress, Source};
use safetynet_domain::clock::FixedClock;
use safetynet_domain::policy::Principal;
use safetynet_store::testing::{engines, fresh};
use safetynet_store::{Engine, Store};
use safetynet_web::{AppState, WebConfig};
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fixture file under data/police-uk/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("data/police-uk/fixtures").join(name)
}

/// The fixed start time of every test: 2026-01-15 09:00 UTC.
pub fn start() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-01-15T09:00:00Z").map(|t| t.with_timezone(&chrono::Utc)).expect("time")
}

pub struct TestApp {
    pub engine: Engine,
    pub store: Store,
    pub url: String,
    /// The database's audit key file (pass it as --audit-key-file: for
    /// PostgreSQL there is no default).
    pub key_file: String,
    pub clock: FixedClock,
    pub router: Router,
    pub state: AppState,
    pub dir: tempfile::TempDir,
}

pub struct Res {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Res {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    }
}

/// A signed-in browser session.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    pub async fn new(engine: Engine) -> Self {
        Self::with_config(engine, WebConfig::default()).await
    }

    /// A fresh app with these web settings.
    pub async fn with_config(engine: Engine, config: WebConfig) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let (store, url, key_file) = fresh(engine, dir.path()).await.expect("fresh database");
        let key_file = key_file.display().to_string();
        let clock = FixedClock::new(start());
        seed_partnership(&store, start().timestamp_millis()).await.expect("seed");
        let state = AppState::new(store.clone(), Arc::new(clock.clone()), config);
        let router = safetynet_web::router(state.clone());
        Self { engine, store, url, key_file, clock, router, state, dir }
    }

    /// Imports fixture files (as the operator).
    pub async fn import(&self, names: &[&str]) -> safetynet::import::ImportSummary {
        let sources: Vec<Source> = names.iter().map(|n| Source::File(fixture(n))).collect();
        import_police_uk(&self.store, &sources, &Principal::operator(), "test", start().timestamp_millis(), &NoProgress)
            .await
            .expect("import")
    }

    pub async fn send(&self, req: Request<Body>) -> Res {
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Res { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// Sends `req` as if it came over a socket from `peer` (an IP address),
    /// as `serve` records it.
    pub async fn send_from(&self, peer: &str, mut req: Request<Body>) -> Res {
        let ip: std::net::IpAddr = peer.parse().expect("peer address");
        req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(ip, 50_000)));
        self.send(req).await
    }

    /// The sign-in form submitted from socket peer `peer`, with an
    /// `X-Forwarded-For` header when given.
    pub async fn sign_in_from(&self, peer: &str, forwarded_for: Option<&str>, email: &str, password: &str) -> Res {
        let form = self.get("/sign-in", None).await;
        let login_csrf = form.set_cookie("sn_login_csrf").expect("login csrf cookie");
        let body = serde_urlencoded_encode(&[("email", email), ("password", password), ("csrf_token", &login_csrf)]);
        let mut req = Request::post("/sign-in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("sn_login_csrf={login_csrf}"));
        if let Some(f) = forwarded_for {
            req = req.header("x-forwarded-for", f);
        }
        self.send_from(peer, req.body(Body::from(body)).expect("request")).await
    }

    pub async fn get(&self, path: &str, session: Option<&Session>) -> Res {
        let mut req = Request::get(path);
        if let Some(s) = session {
            req = req.header(header::COOKIE, format!("sn_session={}", s.cookie));
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }

    pub async fn get_bearer(&self, path: &str, token: &str) -> Res {
        self.send(
            Request::get(path)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    /// Sends JSON with a bearer token.
    pub async fn json(&self, method: &str, path: &str, token: &str, body: serde_json::Value) -> Res {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        self.send(req).await
    }

    /// A bearer token for a demo user, valid for 30 days.
    pub async fn token(&self, email: &str) -> String {
        use safetynet_domain::clock::Clock;
        let email = safetynet_domain::partnership::Email::parse(email).expect("email");
        let id = self.store.user_id_by_email(&email).await.expect("db").expect("user");
        let p = self
            .store
            .principal(&id, safetynet_domain::policy::AuthMethod::Operator)
            .await
            .expect("db")
            .expect("principal");
        let secret = safetynet_domain::token::new_api_token();
        let now = self.clock.now().timestamp_millis();
        let actor = safetynet_store::users::Actor { principal: &p, at_ms: now, source: "test" };
        self.store
            .create_api_token(&actor, &safetynet_domain::token::hash_secret(&secret), now + 30 * 86_400_000)
            .await
            .expect("token");
        secret
    }

    /// Posts a form with the session's cookie; `csrf` is the token to send
    /// (None: send none).
    pub async fn post(
        &self,
        path: &str,
        session: Option<&Session>,
        csrf: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Res {
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        if let Some(c) = csrf {
            pairs.push(("csrf_token", c));
        }
        let body = serde_urlencoded_encode(&pairs);
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(s) = session {
            req = req.header(header::COOKIE, format!("sn_session={}", s.cookie));
        }
        self.send(req.body(Body::from(body)).expect("request")).await
    }

    /// Submits the sign-in form as a browser would; returns the response.
    pub async fn sign_in_response(&self, email: &str, password: &str) -> Res {
        let form = self.get("/sign-in", None).await;
        let login_csrf = form.set_cookie("sn_login_csrf").expect("login csrf cookie");
        let body = serde_urlencoded_encode(&[("email", email), ("password", password), ("csrf_token", &login_csrf)]);
        let req = Request::post("/sign-in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("sn_login_csrf={login_csrf}"))
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    pub async fn sign_in(&self, email: &str) -> Session {
        let res = self.sign_in_response(email, DEMO_PASSWORD).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "sign-in of {email} failed: {}", res.body);
        let cookie = res.set_cookie("sn_session").expect("session cookie");
        let csrf = safetynet_domain::token::csrf_for_session(&cookie);
        Session { cookie, csrf }
    }
}

pub fn serde_urlencoded_encode(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// Runs `f` once per engine, each with a fresh app that lives (with its
/// temporary folder) until `f` has finished.
pub async fn each_engine(f: impl AsyncFn(&TestApp)) {
    for engine in engines() {
        let app = TestApp::new(engine).await;
        f(&app).await;
    }
}

/// As [`each_engine`], with these web settings.
pub async fn each_engine_with(config: impl Fn() -> WebConfig, f: impl AsyncFn(&TestApp)) {
    for engine in engines() {
        let app = TestApp::with_config(engine, config()).await;
        f(&app).await;
    }
}

/// Web settings trusting a reverse proxy on 127.0.0.1.
pub fn behind_local_proxy() -> WebConfig {
    WebConfig {
        trusted_proxies: safetynet_domain::net::parse_ranges("127.0.0.1").expect("proxy"),
        ..WebConfig::default()
    }
}

pub const ADMIN: &str = "admin@stalbans.gov.uk";
pub const MANAGER: &str = "csp.manager@stalbans.gov.uk";
pub const OFFICER: &str = "asb.officer@stalbans.gov.uk";
pub const POLICE: &str = "pc.neighbourhood@herts.police.uk";
pub const VIEWER: &str = "viewer@hertsfire.gov.uk";
pub const FIRE: &str = "safe.and.well@hertsfire.gov.uk";
pub const AUDITOR: &str = "auditor@stalbans.gov.uk";

/// A minimal incident for the API (no people), numbered `n`.
pub fn incident_json(n: usize) -> serde_json::Value {
    serde_json::json!({
        "category": "asb-nuisance",
        "occurred_from": "2026-01-14T21:30:00Z",
        "reported_at": "2026-01-15T07:00:00Z",
        "latitude": 51.752049, "longitude": -0.339012,
        "address": format!("{n} Verulam Road, St Albans"),
        "description": format!("Noise complaint number {n}"),
        "source": "public", "hate_strand": null,
        "domestic_abuse": false, "involves_child": false, "repeat": false,
        "outside_area_reason": null, "people": []
    })
}

/// The real server (`safetynet serve`) on a free loopback port, against a
/// test app's database; killed when dropped if still running.
pub struct Served {
    pub child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its standard error.
    pub log: PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestApp {
    /// Starts `safetynet serve` on this app's database with `envs`, and
    /// waits until `/healthz` answers.
    pub fn serve(&self, envs: &[(&str, &str)]) -> Served {
        use std::time::{Duration, Instant};
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let log = self.dir.path().join(format!("server-{port}.log"));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_safetynet"))
            .args(["serve", "--database-url", &self.url, "--audit-key-file", &self.key_file])
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .env_remove("SAFETYNET_DATABASE_URL")
            .env_remove("SAFETYNET_CONFIG")
            .env_remove("SAFETYNET_AUDIT_KEY_FILE")
            .env_remove("SAFETYNET_LOG")
            .envs(envs.iter().copied())
            .current_dir(self.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::from(std::fs::File::create(&log).expect("log")))
            .spawn()
            .expect("serve");
        let served = Served { child, base: format!("http://127.0.0.1:{port}"), log };
        let started = Instant::now();
        while ureq::get(&format!("{}/healthz", served.base)).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        served
    }
}

/// Percent-encodes a query or form value (for requests the tests send).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A message as pages show it: sentence case (the API keeps the original).
pub fn as_sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
