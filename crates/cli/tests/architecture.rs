//! The architecture's rules, checked on the source (see ARCHITECTURE.md):
//! front doors call the application layer, never each other.

mod common;

use common::repo;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("source folder").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Lines of `files` that mention any of `needles`, as "file:line: text".
fn mentions(files: &[PathBuf], needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).expect("read");
        for (n, line) in text.lines().enumerate() {
            if needles.iter().any(|needle| line.contains(needle)) {
                found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn no_page_pack_job_or_command_depends_on_an_api_module() {
    let web = repo().join("crates/web/src");
    let not_api: Vec<PathBuf> = rust_files(&web)
        .into_iter()
        .filter(|f| {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            !name.starts_with("api") && name != "lib.rs" && name != "openapi.rs"
        })
        .collect();
    let found = mentions(&not_api, &["crate::api_", "crate::api::"]);
    assert!(found.is_empty(), "pages, packs and jobs call safetynet_app, not the API:\n{}", found.join("\n"));
    let cli = rust_files(&repo().join("crates/cli/src"));
    let found = mentions(&cli, &["safetynet_web::api"]);
    assert!(found.is_empty(), "the command line calls safetynet_app, not the API:\n{}", found.join("\n"));
}

#[test]
fn the_application_layer_knows_nothing_of_http_or_the_terminal() {
    let manifest = std::fs::read_to_string(repo().join("crates/app/Cargo.toml")).expect("manifest");
    for dep in ["axum", "safetynet-web", "safetynet =", "clap", "maud", "tower"] {
        assert!(!manifest.contains(dep), "safetynet-app must not depend on {dep}");
    }
    let found = mentions(&rust_files(&repo().join("crates/app/src")), &["sqlx", "Utc::now", "SystemClock"]);
    assert!(found.is_empty(), "no SQL and no wall clock in the application layer:\n{}", found.join("\n"));
}
