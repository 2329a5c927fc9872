//! Browser test in headless Chromium (through chromedriver): sign in as a
//! demo user, see the dashboard, open the crime map and see its points.
//! Screenshots go to `target/screenshots/` for people to look at.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`; skipped with a
//! message when they are missing, except under CI where that is a failure.

mod common;

use axum::http::StatusCode;
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
                     "--no-first-run", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1366,1000", "--lang=en-GB",
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

/// The elements that stick out past the right edge of the page (outside
/// any box that scrolls by itself), for a failure message.
const WIDEST: &str = "const w = document.documentElement.clientWidth; const out = [];
for (const e of document.querySelectorAll('body, body *')) {
  if (e.parentElement?.closest('.leaflet-container')) continue;
  const r = e.getBoundingClientRect();
  const m = Math.max(parseFloat(getComputedStyle(e).marginRight) || 0, 0);
  if (r.right + m > w + 1) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.') + ' ' + Math.round(r.right) + ' ' + JSON.stringify((e.getAttribute('href') || e.textContent).slice(0, 60)));
}
return out.slice(0, 8).join(', ');";

/// Runs axe-core on the page with the WCAG 2.0, 2.1 and 2.2 A and AA rules;
/// returns each violation with up to five of the elements it names.
const AXE_RUN: &str = "const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] }, resultTypes: ['violations'] })
  .then((r) => done(r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ': ' + n.failureSummary) }))))
  .catch((e) => done([{ id: 'axe-error', help: String(e) }]));";

/// axe-core from `tools/a11y` (`npm ci --prefix tools/a11y`, which `.ci/run`
/// does); without it the accessibility check is skipped with a message,
/// except under CI where that is a failure.
fn axe_source() -> Option<&'static str> {
    static AXE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    AXE.get_or_init(|| {
        let path = repo().join("tools/a11y/node_modules/axe-core/axe.min.js");
        let found = std::fs::read_to_string(&path).ok();
        if found.is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "axe-core must be installed under CI: npm ci --prefix tools/a11y"
            );
            eprintln!("SKIPPED accessibility checks: run `npm ci --prefix tools/a11y` to install axe-core");
        }
        found
    })
    .as_deref()
}

/// Serves the app for `app` on a free port and runs `steps` with a browser.
async fn with_browser(app: &TestApp, steps: impl FnOnce(&Driver, &str, &str) + Send + 'static) {
    with_browser_config(app, safetynet_web::WebConfig::default(), steps).await;
}

/// [`with_browser`] with the server's settings.
async fn with_browser_config(
    app: &TestApp,
    config: safetynet_web::WebConfig,
    steps: impl FnOnce(&Driver, &str, &str) + Send + 'static,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let state = safetynet_web::AppState::new(app.store.clone(), std::sync::Arc::new(app.clock.clone()), config);
    let server = tokio::spawn(safetynet_web::serve(listener, state));
    let profile = tempfile::tempdir().expect("profile");
    let engine = format!("{:?}", app.engine).to_lowercase();
    let profile_path = profile.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let d = Driver::start(&profile_path);
        steps(&d, &format!("http://{addr}"), &engine);
    })
    .await
    .expect("browser steps");
    server.abort();
}

impl Driver {
    fn set(&self, id: &str, value: &str) {
        self.script(&format!("document.getElementById({id:?}).value = {value:?}; return true;"));
    }

    fn sign_in(&self, base: &str, email: &str) {
        self.go(&format!("{base}/sign-in"));
        self.type_into("#email", email);
        self.type_into("#password", safetynet::demo::DEMO_PASSWORD);
        self.click("button[type=submit]");
        self.wait_for("signed in", "return location.pathname !== '/sign-in' && document.readyState === 'complete';");
    }

    fn wait_path(&self, what: &str, prefix: &str) {
        self.wait_for(
            what,
            &format!("return location.pathname.startsWith({prefix:?}) && document.readyState === 'complete';"),
        );
    }

    /// Resizes the window: 1366 px is a council desktop, 390 px a phone.
    fn width(&self, px: u32) {
        call("POST", &self.url("/window/rect"), Some(json!({ "width": px, "height": 1000 })));
    }

    /// Checks the page state with axe-core for WCAG 2.2 A and AA, and at phone
    /// width that nothing but a table's own container scrolls sideways.
    fn check(&self, state: &str) {
        let overflow =
            self.script("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        if overflow.as_i64().unwrap_or(0) > 0 {
            let wide = self.script(WIDEST);
            panic!("{state}: the page scrolls sideways by {overflow} px; widest: {wide}");
        }
        let Some(axe) = axe_source() else { return };
        self.script(&format!("{axe}\nreturn true;"));
        let found =
            call("POST", &self.url("/execute/async"), Some(json!({ "script": AXE_RUN, "args": [] })))["value"].clone();
        let violations = found.as_array().cloned().unwrap_or_default();
        assert!(
            violations.is_empty(),
            "{state}: WCAG 2.2 A/AA violations found by axe-core:\n{}",
            serde_json::to_string_pretty(&found).unwrap_or_default()
        );
    }

    fn text_of(&self, css: &str) -> String {
        self.script(&format!("const e = document.querySelector({css:?}); return e ? e.textContent : '';"))
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_an_incident_open_a_case_assess_risk_add_a_task_and_see_the_daily_review() {
    if !browser_available() {
        return;
    }
    each_engine(async |app: &TestApp| {
        // The police's week of daily crimes, shared with the council as in the demo.
        safetynet::demo_daily::seed_police_daily(&app.store, start()).await.expect("daily crimes");
        let mut sharing = safetynet::config::Setting { value: Default::default(), source: "default".into() };
        safetynet::demo_daily::demo_sharing(&mut sharing);
        let config = safetynet_web::WebConfig { police_daily: sharing.value, ..Default::default() };
        with_browser_config(app, config, |d, base, engine| {
            d.sign_in(base, OFFICER);
            d.go(&format!("{base}/incidents/new"));
            d.set("category", "asb-personal");
            d.set("occurred_from", "2026-01-14T22:00");
            d.set("reported_at", "2026-01-15T07:00");
            d.type_into("#description", "Threats shouted at an elderly neighbour");
            d.type_into("#address", "5 Fishpool Street, St Albans");
            d.set("latitude", "51.7530");
            d.set("longitude", "-0.3480");
            d.type_into("#victim_name", "Edna Example");
            d.screenshot(&format!("incident-form-{engine}.png"));
            d.check("incident-form");
            d.click("form[action='/incidents'] button[type=submit]");
            d.wait_path("the incident", "/incidents/0");
            let reference = d.text_of("h1").trim_start_matches("Incident ").to_string();
            assert!(reference.starts_with("INC-2026-"), "{reference}");
            d.click("[data-testid=open-case]");
            d.wait_path("the case", "/cases/");
            assert!(d.text_of("[data-testid=risk-level]").contains("Not assessed"));
            d.click("[data-testid=assess-asb]");
            d.wait_path("the risk form", "/cases/");
            d.script("document.querySelectorAll('input[type=radio][value=no]').forEach((r) => { r.checked = true; }); return true;");
            d.click("[data-testid=submit-risk]");
            d.wait_for("the case again", "return !!document.querySelector('[data-testid=next-review]');");
            assert_eq!(d.text_of("[data-testid=risk-level]"), "Standard risk");
            assert!(d.text_of("[data-testid=next-review]").contains("12 March 2026"), "{}", d.text_of("[data-testid=next-review]"));
            d.type_into("#task_title", "Visit with the housing officer");
            d.set("task_due", "2026-01-20");
            d.click("[data-testid=add-task]");
            d.wait_for("the task", "return (document.querySelector('[data-testid=task-table]') || {}).textContent?.includes('Visit with the housing officer');");
            d.screenshot(&format!("case-{engine}.png"));
            d.check("case");
            d.go(&format!("{base}/daily-review?date=2026-01-15"));
            let table = d.text_of("[data-testid=daily-table]");
            assert!(table.contains(&reference), "{table}");
            assert!(!d.text_of("[data-testid=police-table]").is_empty(), "the police's crimes are reviewed too");
            d.screenshot(&format!("daily-review-{engine}.png"));
            d.check("daily-review");
            // The reviewer decides about the highest-risk police crime: no action, with the reason.
            d.script("document.querySelector('[data-testid=police-table] details').open = true; return true;");
            d.click("[data-testid=police-table] input[value=no_action]");
            d.type_into("[data-testid=police-table] textarea[name=reason]", "Already with the CID team");
            d.click("[data-testid=police-table] form button[type=submit]");
            d.wait_for("the decision", "return (document.querySelector('[data-testid=police-table] [data-testid=decision]') || {}).textContent?.includes('No action: Already with the CID team');");
            d.check("daily-review-decided");
        })
        .await;
    })
    .await;
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
            d.check("sign-in");
            // The public statements, at both widths.
            for width in [390, 1366] {
                d.width(width);
                for path in ["/accessibility", "/privacy"] {
                    d.go(&format!("{base}{path}"));
                    d.wait_for("the statement", "return document.readyState === 'complete';");
                    d.check(&format!("{path} at {width} px"));
                }
            }
            d.go(&format!("{base}/sign-in"));
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
            d.check("dashboard");
            d.click("a[href='/crimes']");
            let points = d.wait_for("map points", "const m = document.getElementById('crime-map'); return m && m.dataset.state === 'ready' && Number(m.dataset.points);");
            assert!(points.as_f64().unwrap_or(0.0) >= 10.0, "points drawn: {points}");
            assert_eq!(d.script("return document.querySelectorAll('.leaflet-container').length;"), 1);
            let rows = d.script("return document.querySelectorAll('[data-testid=crime-table] tbody tr').length;");
            assert_eq!(rows, 12);
            d.screenshot(&format!("crimes-{engine}.png"));
            d.check("crimes");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_the_next_jag_see_its_agenda_and_pack_and_record_an_action() {
    if !browser_available() {
        return;
    }
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, start().timestamp_millis()).await.expect("sample");
        safetynet::demo_cases::seed_cases(&app.store, start()).await.expect("cases");
        safetynet::demo_strategy::seed_strategy(&app.store, start()).await.expect("strategy");
        safetynet::demo_meetings::seed_tasking(&app.store, std::sync::Arc::new(app.clock.clone())).await.expect("tasking");
        // Burglaries for the incident maps: a run of repeats on one street this week, others over the quarter.
        let officer = app.token(OFFICER).await;
        for i in 0..24u32 {
            let (day, lat, lon) = if i < 10 {
                (format!("2026-01-{:02}", 8 + i % 7), 51.7520 + f64::from(i) * 0.0002, -0.3390)
            } else {
                (format!("2025-{:02}-{:02}", 10 + i % 3, 1 + i), 51.72 + f64::from(i) * 0.003, -0.30 - f64::from(i) * 0.002)
            };
            let body = serde_json::json!({ "category": "crime-burglary", "occurred_from": format!("{day}T02:00:00Z"),
                "reported_at": format!("{day}T08:00:00Z"), "latitude": lat, "longitude": lon, "address": "x",
                "description": "Burglary", "source": "police", "domestic_abuse": false, "involves_child": false, "repeat": false });
            assert_eq!(app.json("POST", "/api/v1/incidents", &officer, body).await.status, StatusCode::CREATED);
        }
        with_browser(app, |d, base, engine| {
            d.sign_in(base, MANAGER);
            d.go(&format!("{base}/meetings"));
            d.screenshot(&format!("meetings-{engine}.png"));
            d.check("meetings");
            d.click("[data-testid=next-meetings] a.govuk-link");
            d.wait_path("the JAG", "/meetings/");
            assert!(d.text_of("h1").contains("Joint Agency Group"), "{}", d.text_of("h1"));
            let agenda = d.text_of("[data-testid=agenda]");
            assert!(agenda.contains("New and emerging issues and hotspots since the last JAG"), "{agenda}");
            assert!(d.text_of("[data-testid=carried-action]").contains("Deploy a fly-tipping camera"));
            d.type_into("#title", "Letter to the owner of the Ver Valley lay-by");
            d.set("owner_agency", "SACDC");
            d.type_into("#owner_name", "Environmental Protection");
            d.set("due_on", "2026-02-05");
            d.click("[data-testid=record-action]");
            d.wait_for("the new action", "return (document.querySelector('[data-testid=raised-actions]') || {}).textContent?.includes('Letter to the owner');");
            d.script("document.getElementById('actions').scrollIntoView(); return true;");
            d.screenshot(&format!("jag-meeting-{engine}.png"));
            d.check("jag-meeting");
            d.click("[data-testid=open-pack]");
            d.wait_for("the pack", "return !!document.querySelector('[data-testid=pack-emerging] svg');");
            let tasking = d.text_of("[data-testid=pack-tasking]");
            assert!(tasking.contains("Letter to the owner of the Ver Valley lay-by"), "{tasking}");
            assert!(d.text_of("[data-testid=pack-cases]").contains("CASE-2026-00001"));
            d.screenshot(&format!("jag-pack-{engine}.png"));
            d.check("jag-pack");
            d.script("document.querySelector('[data-testid=pack-emerging] svg').scrollIntoView(); return true;");
            d.screenshot(&format!("jag-pack-hotspots-{engine}.png"));
            d.go(&format!("{base}/strategy"));
            assert!(d.text_of("h1").contains("Strategy 2024-2027"));
            d.screenshot(&format!("strategy-{engine}.png"));
            d.check("strategy");
            d.go(&format!("{base}/operations"));
            // Draw a target area by clicking three corners on the map.
            d.wait_for("the drawing map", "return document.getElementById('target-draw').dataset.state === 'ready';");
            d.script("const m = document.getElementById('target-draw'); m.scrollIntoView(); const r = m.getBoundingClientRect(); for (const [x, y] of [[0.3, 0.3], [0.7, 0.3], [0.5, 0.7]]) { m.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: r.left + r.width * x, clientY: r.top + r.height * y })); } return true;");
            d.wait_for("three corners", "return document.getElementById('target-draw').dataset.corners === '3';");
            let drawn: Value = serde_json::from_str(d.script("return document.getElementById('target_geojson').value;").as_str().unwrap_or("{}")).expect("geojson");
            assert_eq!(drawn["type"], "Polygon");
            assert_eq!(drawn["coordinates"][0].as_array().map(Vec::len), Some(4), "three corners and the closing point: {drawn}");
            d.screenshot(&format!("operation-draw-{engine}.png"));
            d.check("operation-draw");
            d.click("[data-testid=operations] a.govuk-link");
            d.wait_path("an operation", "/operations/");
            d.script("document.querySelector('[data-testid=operation-map]').scrollIntoView(); return true;");
            d.screenshot(&format!("operation-{engine}.png"));
            d.check("operation");
            // Hot spots on a map, and listed beside it.
            d.go(&format!("{base}/analysis"));
            d.wait_for("the hotspot map", "return document.getElementById('hotspot-map').dataset.state === 'ready';");
            let listed = d.script("return document.querySelectorAll('[data-testid=hotspot-list] tbody tr').length;");
            let hot = d.script("return Number(document.getElementById('hotspot-map').dataset.hotCells);");
            assert_eq!(listed.as_i64(), hot.as_i64().map(|h| h.min(15)), "every hot cell up to 15 is listed");
            assert!(hot.as_i64().unwrap_or(0) > 0, "a year of St Albans crime has hot spots");
            d.wait_for("the density map", "return document.getElementById('density-map').dataset.state === 'ready';");
            let squares = d.script("return Number(document.getElementById('density-map').dataset.features);");
            assert!(squares.as_i64().unwrap_or(0) > 0, "the density layer has squares");
            d.screenshot(&format!("analysis-{engine}.png"));
            d.check("analysis");
            // Near repeats and the emerging cluster on a map.
            d.go(&format!("{base}/analysis/incidents"));
            d.wait_for("the incident map", "return document.getElementById('incident-map').dataset.state === 'ready';");
            let drawn = d.script("return Number(document.getElementById('incident-map').dataset.features);");
            assert!(drawn.as_i64().unwrap_or(0) > 0, "pairs or a cluster are drawn");
            d.script("document.getElementById('incident-map').scrollIntoView(); return true;");
            d.screenshot(&format!("incident-analysis-{engine}.png"));
            d.check("incident-analysis");
            // The case page at 1366 px and on a phone.
            d.go(&format!("{base}/cases"));
            d.click("[data-testid=case-table] a.govuk-link");
            d.wait_path("a case", "/cases/");
            d.screenshot(&format!("case-manager-{engine}.png"));
            d.check("case-manager");
            // On a phone: a menu button, and nothing scrolls sideways but a table's own box.
            d.width(390);
            let case_path = d.current_path();
            for (path, name) in [(case_path.as_str(), "case-phone"), ("/cases", "cases-phone"), ("/dashboard", "dashboard-phone"), ("/daily-review?date=2026-01-15", "daily-review-phone"), ("/crimes", "crimes-phone"), ("/meetings", "meetings-phone")] {
                d.go(&format!("{base}{path}"));
                d.wait_for("the page", "return document.readyState === 'complete';");
                d.screenshot(&format!("{name}-{engine}.png"));
                d.check(name);
            }
            let toggle = d.script("const b = document.querySelector('.govuk-service-navigation__toggle'); return b && !b.hidden && b.getBoundingClientRect().width > 0;");
            assert_eq!(toggle, json!(true), "the navigation is behind a menu button");
            assert_eq!(d.script("return document.getElementById('navigation').getBoundingClientRect().height;"), json!(0), "closed at first");
            d.click(".govuk-service-navigation__toggle");
            assert!(d.script("return document.getElementById('navigation').getBoundingClientRect().height;").as_f64().unwrap_or(0.0) > 100.0, "open on a tap");
        })
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_finds_a_place_is_warned_before_a_timeout_and_keeps_a_note() {
    if !browser_available() {
        return;
    }
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, start().timestamp_millis()).await.expect("sample");
        safetynet::demo::seed_gazetteer(&app.store, start().timestamp_millis()).await.expect("gazetteer");
        safetynet::demo_cases::seed_cases(&app.store, start()).await.expect("cases");
        safetynet::demo_meetings::seed_tasking(&app.store, std::sync::Arc::new(app.clock.clone())).await.expect("tasking");
        // A session that ends after 8 idle seconds: the warning comes 4 seconds in.
        let config = safetynet_web::WebConfig {
            session: safetynet_domain::lockout::SessionPolicy { idle_ms: 8_000, absolute_ms: 3_600_000 },
            ..safetynet_web::WebConfig::default()
        };
        with_browser_config(app, config, |d, base, engine| {
            d.sign_in(base, OFFICER);
            d.screenshot(&format!("dashboard-officer-{engine}.png"));
            d.check("dashboard-officer");
            assert!(d.text_of("[data-testid=my-cases]").contains("CASE-2026-"), "the officer's own cases first");

            // Every problem with an empty incident form at once, each linked to its field.
            d.go(&format!("{base}/incidents/new"));
            d.script("document.getElementById('reported_at').value = ''; return true;");
            d.click("form[action='/incidents'] button[type=submit]");
            d.wait_for("the error summary", "return !!document.querySelector('.govuk-error-summary');");
            let listed = d.script("return document.querySelectorAll('.govuk-error-summary__list li').length;");
            assert!(listed.as_i64().unwrap_or(0) >= 5, "every problem in one round: {listed}");
            d.check("incident-form-errors");

            // Find a place by street: it fills in the address and the pin.
            d.type_into("#place_q", "fishpool");
            d.click("[data-testid=find-place]");
            d.wait_for("places", "return document.querySelectorAll('[data-testid=place-results] button').length > 0;");
            d.check("incident-place-results");
            d.script("document.getElementById('place_q').scrollIntoView(); window.scrollBy(0, -120); return true;");
            d.screenshot(&format!("incident-place-search-{engine}.png"));
            d.click("[data-testid=place-results] button");
            assert!(d.script("return document.getElementById('address').value;").as_str().unwrap_or("").contains("Fishpool Street"));
            let lat = d.script("return Number(document.getElementById('latitude').value);").as_f64().unwrap_or(0.0);
            assert!((51.70..51.80).contains(&lat), "the pin is in St Albans: {lat}");

            // The timeout warning, and "Stay signed in".
            d.go(&format!("{base}/cases"));
            d.click("[data-testid=case-table] a.govuk-link");
            d.wait_path("a case", "/cases/");
            let case_path = d.current_path();
            d.wait_for("the timeout warning", "return document.querySelector('dialog.sn-timeout')?.open;");
            d.screenshot(&format!("timeout-warning-{engine}.png"));
            d.check("timeout-warning");
            d.click("[data-testid=stay-signed-in]");
            d.wait_for("the warning closed", "return !document.querySelector('dialog.sn-timeout').open;");
            assert_eq!(d.current_path(), case_path, "still on the case");

            // Unanswered, the session ends: what was typed comes back after signing in again.
            d.type_into("#note", "Spoke to the neighbour; noise continues after 11pm");
            d.wait_path("signed out", "/sign-in");
            assert!(d.script("return location.search;").as_str().unwrap_or("").contains("expired=1"));
            d.type_into("#email", OFFICER);
            d.type_into("#password", safetynet::demo::DEMO_PASSWORD);
            d.click("button[type=submit]");
            d.wait_for("back on the case", &format!("return location.pathname === {case_path:?} && !!document.querySelector('[data-testid=draft-restored]');"));
            assert_eq!(d.script("return document.getElementById('note').value;").as_str(), Some("Spoke to the neighbour; noise continues after 11pm"));
            d.check("draft-restored");

        })
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_an_order_on_the_pspo_register_with_its_area_drawn_on_the_map() {
    if !browser_available() {
        return;
    }
    each_engine(async |app: &TestApp| {
        with_browser(app, |d, base, engine| {
            d.sign_in(base, OFFICER);
            d.go(&format!("{base}/pspos"));
            d.script("document.getElementById('pspo-form').open = true; return true;");
            d.wait_for("the drawing map", "return document.getElementById('pspo-draw').dataset.state === 'ready';");
            d.script("const m = document.getElementById('pspo-draw'); m.scrollIntoView(); const r = m.getBoundingClientRect(); for (const [x, y] of [[0.3, 0.3], [0.7, 0.3], [0.5, 0.7]]) { m.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: r.left + r.width * x, clientY: r.top + r.height * y })); } return true;");
            d.wait_for("three corners", "return document.getElementById('pspo-draw').dataset.corners === '3';");
            d.type_into("#title", "Verulamium Park dog control order");
            d.type_into("#prohibitions", "Dogs on leads near the lake");
            d.set("made_on", "2025-12-01");
            d.set("starts_on", "2026-01-01");
            d.set("ends_on", "2026-03-31");
            d.set("publicised_on", "2025-10-01");
            d.script("for (const id of ['consulted_police', 'consulted_pcc', 'consulted_community']) { document.getElementById(id).checked = true; } return true;");
            d.screenshot(&format!("pspo-form-{engine}.png"));
            d.check("pspo-form");
            d.click("form[action='/pspos'] button[type=submit]");
            d.wait_path("the order", "/pspos/0");
            d.wait_for("the order's map", "return document.getElementById('pspo-map').dataset.state === 'ready';");
            assert_eq!(d.script("return document.getElementById('pspo-map').dataset.features;"), json!("1"));
            assert!(d.text_of("[data-testid=pspo-ending]").contains("Ends within 90 days"));
            d.screenshot(&format!("pspo-{engine}.png"));
            d.check("pspo");
            d.width(390);
            d.check("pspo-phone");
            d.screenshot(&format!("pspo-phone-{engine}.png"));
            d.width(1366);
        })
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refer_someone_for_a_safe_and_well_visit_and_read_what_the_fire_service_did() {
    if !browser_available() {
        return;
    }
    each_engine(async |app: &TestApp| {
        safetynet::demo_strategy::seed_strategy(&app.store, start()).await.expect("strategy");
        with_browser(app, |d, base, engine| {
            d.sign_in(base, OFFICER);
            d.go(&format!("{base}/programmes"));
            assert!(d.text_of("[data-testid=measures-table]").contains("0 visits completed"));
            d.screenshot(&format!("programmes-{engine}.png"));
            d.check("programmes");
            d.go(&format!("{base}/programmes/referrals?direction=sent"));
            d.script("document.getElementById('referral-form').open = true; return true;");
            d.set("programme", "safe_and_well");
            d.set("to_agency", "HFRS");
            d.type_into("#full_name", "Edna Example");
            d.type_into("#address", "5 Fishpool Street, St Albans");
            d.set("reason", "new_tenancy");
            d.click("#consent");
            d.click("#consent_by");
            d.screenshot(&format!("referral-form-{engine}.png"));
            d.check("referral-form");
            d.click("form[action='/programmes/referrals'] button[type=submit]");
            d.wait_path("the referral", "/programmes/referrals/0");
            assert!(d.text_of("h1").contains("Edna Example"));
            d.check("referral-sent");
            d.click("[data-testid=sign-out]");
            d.wait_path("signed out", "/sign-in");

            // The fire service answers it.
            d.sign_in(base, FIRE);
            d.go(&format!("{base}/programmes/referrals"));
            d.click("[data-testid=referral-table] a");
            d.wait_path("the referral", "/programmes/referrals/0");
            d.click("#status-completed");
            d.type_into("#outcome", "Visit done: two smoke alarms fitted and an escape plan agreed");
            d.screenshot(&format!("referral-answer-{engine}.png"));
            d.check("referral-answer");
            d.click("form[action$='/updates'] button[type=submit]");
            d.wait_for("the outcome", "return !!document.querySelector('[data-testid=referral-outcome]');");
            d.click("[data-testid=sign-out]");
            d.wait_path("signed out", "/sign-in");

            // The referrer reads what happened; the measure counts the visit.
            d.sign_in(base, OFFICER);
            d.go(&format!("{base}/programmes/referrals?direction=sent"));
            assert!(d.text_of("[data-testid=referral-table]").contains("Completed"));
            d.click("[data-testid=referral-table] a");
            d.wait_path("the referral", "/programmes/referrals/0");
            assert!(d.text_of("[data-testid=referral-outcome]").contains("two smoke alarms fitted"));
            d.screenshot(&format!("referral-outcome-{engine}.png"));
            d.width(390);
            d.check("referral-outcome-phone");
            d.width(1366);
            d.go(&format!("{base}/programmes"));
            assert!(d.text_of("[data-testid=measures-table]").contains("1 visit completed"));
        })
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_a_driver_to_the_taxi_register_record_a_dbs_check_and_see_the_share_checked() {
    if !browser_available() {
        return;
    }
    each_engine(async |app: &TestApp| {
        with_browser(app, |d, base, engine| {
            d.sign_in(base, OFFICER);
            d.go(&format!("{base}/programmes/taxi"));
            d.script("document.getElementById('driver-form').open = true; return true;");
            d.type_into("#licence_number", "PH/2026/0001");
            d.type_into("#full_name", "Sam Driver");
            d.set("licence_kind", "private_hire");
            d.set("licence_expires", "2027-01-31");
            d.click("#update_service");
            d.check("taxi-form");
            d.click("form[action='/programmes/taxi'] button[type=submit]");
            d.wait_path("the driver", "/programmes/taxi/0");
            assert_eq!(d.script("return document.querySelector('[data-state]').dataset.state;"), json!("overdue"));
            d.set("checked_on", "2026-01-15");
            d.click("form[action$='/checks'] button[type=submit]");
            d.wait_for("the check", "return !!document.querySelector('[data-testid=check-table]');");
            assert_eq!(d.script("return document.querySelector('[data-state]').dataset.state;"), json!("current"));
            d.screenshot(&format!("taxi-driver-{engine}.png"));
            d.check("taxi-driver");
            d.go(&format!("{base}/programmes/taxi"));
            assert!(d.text_of("[data-testid=dbs-share]").contains("100% of 1 licensed driver checked within 6 months"));
            d.screenshot(&format!("taxi-{engine}.png"));
            d.check("taxi");
            d.width(390);
            d.check("taxi-phone");
            d.screenshot(&format!("taxi-phone-{engine}.png"));
            d.width(1366);
        })
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categorise_a_fly_tip_issue_a_penalty_and_see_the_hotspot_map() {
    if !browser_available() {
        return;
    }
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        for n in 0..3 {
            let mut tip = incident_json(n);
            tip["category"] = json!("fly-tipping");
            tip["address"] = json!("Redbourn Road lay-by");
            let res = app.json("POST", "/api/v1/incidents", &council, tip).await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        }
        with_browser(app, |d, base, engine| {
            d.sign_in(base, OFFICER);
            d.go(&format!("{base}/programmes/fly-tipping"));
            d.wait_for("the map", "return document.getElementById('fly-tipping-map').dataset.state === 'ready';");
            let features = d.script("return Number(document.getElementById('fly-tipping-map').dataset.features);");
            assert!(features.as_i64().unwrap_or(0) > 3, "hotspot squares and three incidents: {features}");
            d.screenshot(&format!("fly-tipping-{engine}.png"));
            d.check("fly-tipping");
            d.click("[data-testid=fly-tip-table] a");
            d.wait_path("the fly-tip", "/programmes/fly-tipping/0");
            d.set("land_type", "highway");
            d.set("waste_type", "construction");
            d.set("size", "small_van_load");
            d.click("form[action$='/categories'] button[type=submit]");
            d.wait_for("the categories", "return document.body.textContent.includes('Small van load');");
            d.set("action", "fixed_penalty_notice");
            d.set("legal_basis", "fly_tipping");
            d.type_into("#amount", "400");
            d.click("form[action$='/actions'] button[type=submit]");
            d.wait_for("the penalty", "return !!document.querySelector('[data-testid=action-table]');");
            assert!(d.text_of("[data-testid=action-table]").contains("GBP 400.00"));
            d.screenshot(&format!("fly-tip-{engine}.png"));
            d.check("fly-tip");
            d.width(390);
            d.check("fly-tip-phone");
            d.screenshot(&format!("fly-tip-phone-{engine}.png"));
            d.width(1366);
            d.go(&format!("{base}/programmes/fly-tipping"));
            assert!(d.text_of("[data-testid=return-table]").contains("Fixed penalty notice"));
        })
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_reports_a_problem_and_follows_it_by_the_private_link() {
    if !browser_available() {
        return;
    }
    each_engine(async |app: &TestApp| {
        safetynet::demo_public::seed_public_reporting(&app.store, start()).await.expect("routes");
        let before = app.store.outbox(500).await.expect("outbox").iter().filter(|m| m.address == "rita@example.org").count();
        with_browser(app, |d, base, engine| {
            let heading = |text: &str| format!("return document.querySelector('h1')?.textContent.includes({text:?}) && document.readyState === 'complete';");
            let next = "[data-testid=report-form] button[type=submit]";
            // One question a page: what, where, what is happening, Defra's questions, contact, then check and send.
            d.go(&format!("{base}/report"));
            d.screenshot(&format!("report-what-{engine}.png"));
            d.check("report-what");
            d.click("input[name=service_code][value=fly-tipping]");
            d.click(next);
            d.wait_for("the where question", &heading("Where is the problem?"));
            d.type_into("#address", "Redbourn Road lay-by, St Albans");
            d.check("report-where");
            d.click(next);
            d.wait_for("the description question", &heading("What is happening?"));
            d.type_into("#description", "Bags");
            d.click(next);
            d.wait_for("the refusal", "return !!document.querySelector('.govuk-error-summary');");
            d.width(390);
            d.screenshot(&format!("report-describe-error-phone-{engine}.png"));
            d.check("report-describe-error");
            d.width(1366);
            d.type_into("#description", " and a sofa dumped in the lay-by overnight");
            d.click(next);
            d.wait_for("the fly-tipping questions", &heading("Tell us more about it"));
            d.script("document.querySelector('#land_type').value = 'highway'; document.querySelector('#waste_type').value = 'other_household';");
            d.screenshot(&format!("report-details-{engine}.png"));
            d.check("report-details");
            d.width(390);
            d.screenshot(&format!("report-details-phone-{engine}.png"));
            d.check("report-details-phone");
            d.width(1366);
            d.click(next);
            d.wait_for("the contact question", &heading("How can we contact you?"));
            d.type_into("#email", "rita@example.org");
            d.click(next);
            d.wait_for("the check page", &heading("Check your report"));
            assert!(d.text_of("[data-testid=report-answers]").contains("Redbourn Road lay-by"));
            assert!(d.text_of("[data-testid=report-answers]").contains("Other household waste"));
            d.screenshot(&format!("report-check-{engine}.png"));
            d.check("report-check");
            d.width(390);
            d.check("report-check-phone");
            d.width(1366);
            d.click(next);
            d.wait_for("the reference", "return !!document.querySelector('[data-testid=report-reference]');");
            let reference = d.text_of("[data-testid=report-reference]");
            assert!(reference.starts_with("PR-"));
            d.check("report-sent");
            d.width(390);
            d.check("report-sent-phone");
            d.width(1366);
            d.click("[data-testid=report-status-link]");
            d.wait_path("the status page", "/report/status/");
            let status_page = d.script("return location.href;").as_str().unwrap_or_default().to_string();
            assert!(d.text_of("[data-testid=report-status]").contains("Received"));
            d.check("report-status");

            // The council's officer accepts it and tells the reporter; the private link shows the update.
            d.sign_in(base, OFFICER);
            d.go(&format!("{base}/public-reports/{reference}"));
            d.wait_for("the report", &heading(&format!("Report {reference}")));
            d.type_into("#public_note", "An officer is looking into this and will visit the lay-by.");
            d.click("form[action$='/triage'] button[type=submit]");
            d.wait_for("the update form", "return !!document.querySelector(\"form[action$='/updates']\");");
            d.go(&status_page);
            d.wait_path("the status page again", "/report/status/");
            assert!(d.text_of("[data-testid=report-status]").contains("Being looked into"));
            assert!(d.text_of("[data-testid=report-updates]").contains("will visit the lay-by"));
            d.screenshot(&format!("report-status-updated-{engine}.png"));
            d.check("report-status-updated");
        })
        .await;
        // ... and e-mailed: received, then picked up with the officer's note.
        let mails: Vec<_> =
            app.store.outbox(500).await.expect("outbox").into_iter().filter(|m| m.address == "rita@example.org").collect();
        assert_eq!(mails.len() - before, 2, "received and picked up");
        assert!(mails.iter().any(|m| m.body.contains("will visit the lay-by")));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tell_a_victim_their_case_has_moved_on_the_way_they_chose() {
    if !browser_available() {
        return;
    }
    each_engine(async |app: &TestApp| {
        safetynet::demo::import_sample(&app.store, start().timestamp_millis()).await.expect("sample");
        safetynet::demo_cases::seed_cases(&app.store, start()).await.expect("cases");
        with_browser(app, |d, base, engine| {
            d.sign_in(base, OFFICER);
            d.go(&format!("{base}/cases"));
            let case = d.script("const a = [...document.querySelectorAll('a')].find((a) => /^\\/cases\\/[0-9a-f-]{20,}$/.test(a.getAttribute('href'))); return a ? a.getAttribute('href') : '';");
            let case = case.as_str().unwrap_or_default().to_string();
            assert!(!case.is_empty(), "a case in the list");
            d.go(&format!("{base}{case}"));
            d.wait_for("the victims section", "return !!document.getElementById('victims');");
            // The demo victim chose phone calls; the warning given since makes "action taken" due.
            assert!(d.text_of("#victims [data-testid=victim-update-due]").contains("Action taken"));
            d.type_into("#victims #victim_note", "Called: the neighbour has been given a written warning.");
            d.click("#victims form[action$='/victim-updates'] button[type=submit]");
            d.wait_for("the case again", "return location.search.includes('victim=') && document.readyState === 'complete' && !!document.getElementById('victims');");
            assert!(d.text_of("#victims").contains("given a written warning"));
            assert_eq!(d.script("return document.querySelectorAll('#victims [data-testid=victim-update-due]').length;").as_i64(), Some(0));
            d.script("document.getElementById('victims').scrollIntoView(); return true;");
            d.screenshot(&format!("case-victims-{engine}.png"));
            d.check("case-victims");
            d.width(390);
            d.check("case-victims-phone");
        })
        .await;
    })
    .await;
}
