//! A request id on every response (`X-Request-Id`) and on every log line
//! written while the request is handled (the `request` span), so that a
//! user's "it went wrong at 10:42" can be found in the logs. An id sent by a
//! proxy in front is kept when it is short and plain; otherwise a new one
//! is made.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The header carrying the id, both ways.
pub const HEADER: &str = "x-request-id";

/// The id of the request being handled (in the request's extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// Whether an incoming id may be kept: 1 to 64 letters, digits, `.`, `_`, `-`
/// (nothing that could forge a log line or a header).
fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Middleware: gives the request its id and puts it on the response.
pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_string);
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, v);
    }
    res
}

/// The span every log line of a request sits in: its id, method and route
/// (the route's pattern, e.g. `/cases/{id}`, never a query string).
pub fn span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    let id = req.extensions().get::<RequestId>().map_or("-", |r| r.0.as_str());
    let route = req.extensions().get::<MatchedPath>().map_or("(no route)", MatchedPath::as_str);
    tracing::info_span!("request", id = %id, method = %req.method(), route = %route)
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn only_plain_short_ids_are_kept() {
        assert!(acceptable("5f1c0a2e-proxy.1_a"));
        for bad in ["", "a b", "x\ny", "é", &"a".repeat(65), "a;b"] {
            assert!(!acceptable(bad), "{bad:?}");
        }
    }
}
