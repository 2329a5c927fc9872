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

#[test]
fn documents_are_rendered_from_what_they_are_given() {
    let manifest = std::fs::read_to_string(repo().join("crates/render/Cargo.toml")).expect("manifest");
    for dep in ["safetynet-store", "safetynet-app", "safetynet-web", "axum", "sqlx", "tokio"] {
        assert!(
            !manifest.contains(dep),
            "safetynet-render reads no data and knows no HTTP: it must not depend on {dep}"
        );
    }
    // The command line makes packs and subject access PDFs through the
    // application layer and the renderer, never through the web crate.
    let cli = rust_files(&repo().join("crates/cli/src"));
    let found = mentions(&cli, &["safetynet_web::pack", "safetynet_web::pdf", "safetynet_web::sar", "AppState::new"])
        .into_iter()
        .filter(|l| !l.contains("crates/cli/src/serve.rs"))
        .collect::<Vec<_>>();
    assert!(found.is_empty(), "only the composition root (serve.rs) builds the web app's state:\n{}", found.join("\n"));
}

/// The crate's top-level modules and which others each names
/// (`crate::name`), from its source files (`lib.rs` and `main.rs`, the
/// roots, left out).
fn module_graph(src: &Path) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut graph: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
    for f in rust_files(src) {
        let rel = f.strip_prefix(src).expect("inside src");
        let module = rel.components().next().and_then(|c| c.as_os_str().to_str()).unwrap_or_default();
        let module = module.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        // Code only: doc links are not imports.
        let text: String = std::fs::read_to_string(&f)
            .expect("read")
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let names = graph.entry(module.clone()).or_default();
        for part in text.split("crate::").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() && name != module {
                names.insert(name);
            }
        }
    }
    graph
}

/// A cycle in `graph`, if there is one, as the modules in order.
fn find_cycle(graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten().filter(|n| graph.contains_key(*n)) {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = Default::default();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_imports_form_a_circle() {
    for krate in ["app", "render", "web", "cli", "store", "domain", "analysis"] {
        let graph = module_graph(&repo().join("crates").join(krate).join("src"));
        assert!(graph.len() > 3, "{krate}: the scan found too few modules");
        if let Some(cycle) = find_cycle(&graph) {
            panic!("crates/{krate}: the modules import each other in a circle: {}", cycle.join(" -> "));
        }
    }
}
