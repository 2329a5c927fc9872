//! Static files embedded in the binary (GOV.UK Frontend, Leaflet, our own
//! CSS and JS), served under `/assets/` with long-lived caching.

use crate::AppState;
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use include_dir::{include_dir, Dir};

static ASSETS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/assets");

/// Routes for `/assets/*`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/{*path}", get(asset))
}

/// Maps a URL path under `/assets/` to an embedded file.
fn lookup(path: &str) -> Option<&'static [u8]> {
    let file = match path {
        "govuk-frontend.min.css" | "govuk-frontend.min.js" => format!("govuk/{path}"),
        p if p.starts_with("leaflet/") && !p.contains("..") => p.to_string(),
        "app.css" | "app.js" => path.to_string(),
        _ => return None,
    };
    ASSETS.get_file(file).map(|f| f.contents())
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

async fn asset(Path(path): Path<String>) -> Response {
    match lookup(&path) {
        Some(bytes) => {
            ([(header::CONTENT_TYPE, content_type(&path)), (header::CACHE_CONTROL, "public, max-age=3600")], bytes)
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_assets_resolve_and_traversal_does_not() {
        for p in [
            "govuk-frontend.min.css",
            "govuk-frontend.min.js",
            "leaflet/leaflet.js",
            "leaflet/images/layers.png",
            "app.js",
            "app.css",
        ] {
            assert!(super::lookup(p).is_some_and(|b| !b.is_empty()), "{p}");
        }
        assert!(super::lookup("../Cargo.toml").is_none());
        assert!(super::lookup("leaflet/../app.js").is_none());
        assert!(super::lookup("README.md").is_none());
    }
}
