//! Browser test in headless Chromium (through chromedriver): sign in as a
//! demo user, see the dashboard, open the crime map and see its points.
//! Screenshots go to `target/screenshots/` for people to look at.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`; skipped with a
//! message when they are missing, except under CI where that is a failure.

mod common;

use common::*;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Driver {
    base: String,
    session: String,
    process: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

fn call(method: &str, url: &str, body: Option<Value>) -> Value {
    let req = ureq::request(method, url).timeout(Duration::from_secs(60));
    let res = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    match res {
        Ok(r) => r.into_json().expect("webdriver json"),
        Err(ureq::Error::Status(code, r)) => {
            panic!("webdriver {method} {url}: {code} {}", r.into_string().unwrap_or_default())
        }
        Err(e) => panic!("webdriver {method} {url}: {e}"),
    }
}

impl Driver {
    fn start(profile: &std::path::Path) -> Self {
        let port = free_port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({ "capabilities": { "alwaysMatch": { "browserName": "chrome", "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--no-first-run", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1100",
                     format!("--user-data-dir={}", profile.display())]
        } } } });
        let res = call("POST", &format!("{base}/session"), Some(caps));
        let session = res["value"]["sessionId"].as_str().expect("session id").to_string();
        Self { base, session, process }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self.base, self.session)
    }

    fn go(&self, url: &str) {
        call("POST", &self.url("/url"), Some(json!({ "url": url })));
    }

    fn find(&self, css: &str) -> String {
        let res = call("POST", &self.url("/element"), Some(json!({ "using": "css selector", "value": css })));
        res["value"].as_object().and_then(|o| o.values().next()).and_then(Value::as_str).expect("element").to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        call("POST", &self.url(&format!("/element/{el}/value")), Some(json!({ "text": text })));
    }

    fn click(&self, css: &str) {
        let el = self.find(css);
        call("POST", &self.url(&format!("/element/{el}/click")), Some(json!({})));
    }

    fn script(&self, js: &str) -> Value {
        call("POST", &self.url("/execute/sync"), Some(json!({ "script": js, "args": [] })))["value"].clone()
    }

    fn current_path(&self) -> String {
        self.script("return location.pathname;").as_str().unwrap_or_default().to_string()
    }

    fn wait_for(&self, what: &str, js: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self.script(js);
            if !v.is_null() && v != json!(false) {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn screenshot(&self, name: &str) {
        let res = call("GET", &self.url("/screenshot"), None);
        let b64 = res["value"].as_str().unwrap_or_default();
        let dir = repo().join("target/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(name), decode_base64(b64));
    }
}

fn decode_base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut buf, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(val) {
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

fn browser_available() -> bool {
    let ok = std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
    if !ok && std::env::var_os("CI").is_some() {
        panic!("chromium and chromium-driver must be installed under CI");
    }
    if !ok {
        eprintln!("SKIPPED: install the Debian packages chromium and chromium-driver to run the browser test");
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_see_the_dashboard_and_the_crime_map() {
    if !browser_available() {
        return;
    }
    each_engine(async |app: &TestApp| {
        app.import(&["good-street.csv", "good-outcomes.csv", "bad-street.csv"]).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = safetynet_web::AppState::new(app.store.clone(), std::sync::Arc::new(app.clock.clone()), safetynet_web::WebConfig::default());
        let server = tokio::spawn(safetynet_web::serve(listener, state));
        let profile = tempfile::tempdir().expect("profile");
        let engine = format!("{:?}", app.engine).to_lowercase();
        let base = format!("http://{addr}");
        let profile_path = profile.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            let d = Driver::start(&profile_path);
            d.go(&format!("{base}/dashboard"));
            assert_eq!(d.current_path(), "/sign-in", "signed-out users are sent to sign in");
            d.screenshot("sign-in.png");
            d.type_into("#email", MANAGER);
            d.type_into("#password", safetynet::demo::DEMO_PASSWORD);
            d.click("button[type=submit]");
            d.wait_for("the dashboard", "return location.pathname === '/dashboard' && document.readyState === 'complete';");
            let heading = d.script("return document.querySelector('h1').textContent;");
            assert_eq!(heading, "Dashboard");
            let partnership = d.script("return document.querySelector('[data-testid=partnership]').textContent;");
            assert_eq!(partnership, "St Albans City and District Community Safety Partnership");
            assert_eq!(d.script("return document.querySelector('[data-testid=latest-month]').textContent;"), "July 2021");
            d.screenshot(&format!("dashboard-{engine}.png"));
            d.click("a[href='/crimes']");
            let points = d.wait_for("map points", "const m = document.getElementById('crime-map'); return m && m.dataset.state === 'ready' && Number(m.dataset.points);");
            assert!(points.as_f64().unwrap_or(0.0) >= 10.0, "points drawn: {points}");
            assert_eq!(d.script("return document.querySelectorAll('.leaflet-container').length;"), 1);
            let rows = d.script("return document.querySelectorAll('[data-testid=crime-table] tbody tr').length;");
            assert_eq!(rows, 12);
            d.screenshot(&format!("crimes-{engine}.png"));
            // Keyboard: the skip link is the first thing focused.
            let first = d.script("document.activeElement.blur(); return document.querySelector('.govuk-skip-link').getAttribute('href');");
            assert_eq!(first, "#main-content");
        })
        .await
        .expect("browser steps");
        server.abort();
    })
    .await;
}
