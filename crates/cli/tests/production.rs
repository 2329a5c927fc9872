//! The README's "Running it for real", run as written on a blank database on
//! every engine: the test reads the production sequence out of README.md,
//! runs each `safetynet` line with the real binary (substituting only this
//! machine's database URLs, key file and password), then signs in through
//! the page the served app shows.

mod common;

use common::repo;
use safetynet_store::testing::{blank, engines, Blank};
use safetynet_store::Engine;
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};

const MARKER: &str = "# The production sequence";
const PASSWORD: &str = "Verulamium harbour lanterns 1987";

/// The lines of the README's production sequence.
fn sequence() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let start = readme.find(MARKER).expect("the README has the production sequence");
    let block = &readme[start..];
    let end = block.find("```").expect("end of the block");
    block[..end]
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// Splits a shell line into words (double quotes group; `#` outside quotes
/// starts a comment).
fn words(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            '#' if !quoted && cur.is_empty() => break,
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// The README's example values, and what they are on this machine.
fn substitute(word: &str, db: &Blank, key: &str) -> String {
    word.replace("postgres://safetynet_owner@db.example/safetynet", &db.owner_url)
        .replace("postgres://safetynet_app@db.example/safetynet", &db.app_url)
        .replace("/etc/safetynet/audit.key", key)
        .replace("safetynet_app", db.app_role.as_deref().unwrap_or("safetynet_app"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port")
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn run_sequence(engine: Engine) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = blank(engine, dir.path()).await.expect("blank database");
    let key = dir.path().join("audit.key").display().to_string();
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    let mut admin_email = String::new();
    let mut server = None;
    let port = free_port();
    for line in sequence() {
        let mut w: Vec<String> = words(&line).iter().map(|x| substitute(x, &db, &key)).collect();
        if w.first().is_some_and(|x| x == "export") {
            let (k, v) = w[1].split_once('=').expect("export K=V");
            env.insert(k.to_string(), v.to_string());
            continue;
        }
        let mut line_env = env.clone();
        while w.first().is_some_and(|x| x.contains('=') && !x.starts_with('-')) {
            let assignment = w.remove(0);
            let (k, v) = assignment.split_once('=').expect("K=V");
            line_env.insert(k.to_string(), if k == "SAFETYNET_PASSWORD" { PASSWORD.into() } else { v.to_string() });
        }
        assert_eq!(w.first().map(String::as_str), Some("safetynet"), "{line}");
        let mut args: Vec<String> = w[1..].to_vec();
        if engine == Engine::Sqlite {
            if let Some(i) = args.iter().position(|a| a == "--app-role") {
                args.drain(i..i + 2);
            }
        }
        if let Some(i) = args.iter().position(|a| a == "--email") {
            admin_email = args[i + 1].clone();
        }
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_safetynet"));
        cmd.args(&args)
            .env_remove("SAFETYNET_DATABASE_URL")
            .env_remove("SAFETYNET_CONFIG")
            .env_remove("SAFETYNET_AUDIT_KEY_FILE")
            .env_remove("SAFETYNET_PASSWORD")
            .envs(&line_env)
            .current_dir(repo());
        if args.first().is_some_and(|a| a == "serve") {
            let i = args.iter().position(|a| a == "--bind").expect("--bind");
            args[i + 1] = format!("127.0.0.1:{port}");
            let child = Command::new(env!("CARGO_BIN_EXE_safetynet"))
                .args(&args)
                .env_remove("SAFETYNET_DATABASE_URL")
                .env_remove("SAFETYNET_CONFIG")
                .env_remove("SAFETYNET_AUDIT_KEY_FILE")
                .envs(&line_env)
                .current_dir(repo())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("serve");
            server = Some(Server(child));
            continue;
        }
        let out = cmd.output().expect("run safetynet");
        assert!(
            out.status.success(),
            "{engine:?}: `{line}` failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _server = server.expect("the sequence ends by serving");
    sign_in(port, &admin_email).await;
    // The key file the sequence created is the operator's only copy: 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).expect("key file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{engine:?}");
    }
}

/// Signs in through the page, as a person would, and opens the dashboard.
async fn sign_in(port: u16, email: &str) {
    let base = format!("http://127.0.0.1:{port}");
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let mut ready = false;
    for _ in 0..100 {
        if agent.get(&format!("{base}/healthz")).call().is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "the server did not start");
    let form = agent.get(&format!("{base}/sign-in")).call().expect("sign-in page");
    let cookie = form.header("set-cookie").unwrap_or_default().split(';').next().unwrap_or_default().to_string();
    let csrf = cookie.split_once('=').map(|(_, v)| v.to_string()).unwrap_or_default();
    let res = agent
        .post(&format!("{base}/sign-in"))
        .set("Cookie", &cookie)
        .send_form(&[("email", email), ("password", PASSWORD), ("csrf_token", &csrf)])
        .expect("sign in");
    assert_eq!(res.status(), 303, "signed in");
    // Administrators must use two-step sign-in (the default `require_mfa`):
    // the first sign-in leads to setting it up.
    assert_eq!(res.header("location"), Some("/account/two-step"));
    let session = res
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("sn_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_string();
    let secret = session.split_once('=').map(|(_, v)| v.to_string()).unwrap_or_default();
    let csrf = safetynet_domain::token::csrf_for_session(&secret);
    let held = agent.get(&format!("{base}/dashboard")).set("Cookie", &session).call().expect("dashboard");
    assert_eq!(held.header("location"), Some("/account/two-step"), "nothing else before enrolment");
    let start = agent
        .post(&format!("{base}/account/two-step/start"))
        .set("Cookie", &session)
        .send_form(&[("csrf_token", &csrf)])
        .expect("start enrolment")
        .into_string()
        .expect("body");
    let key: String = start
        .split(r#"data-testid="mfa-secret">"#)
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("secret shown")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bytes = totp_rs::Secret::Encoded(key).to_bytes().expect("base32");
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, "admin".into()).expect("totp");
    let code = totp.generate_current().expect("time");
    let done = agent
        .post(&format!("{base}/account/two-step/confirm"))
        .set("Cookie", &session)
        .send_form(&[("csrf_token", &csrf), ("code", &code)])
        .expect("confirm enrolment")
        .into_string()
        .expect("body");
    assert!(done.contains("recovery-codes"), "{done}");
    let page = agent.get(&format!("{base}/dashboard")).set("Cookie", &session).call().expect("dashboard");
    let body = page.into_string().expect("body");
    assert!(body.contains("St Albans City and District CSP"), "the partnership set by init shows");
}

#[tokio::test]
async fn the_readme_production_sequence_works_from_a_blank_database() {
    assert!(sequence().iter().any(|l| l.contains("safetynet init")), "the sequence sets the partnership up");
    for engine in engines() {
        run_sequence(engine).await;
    }
}
