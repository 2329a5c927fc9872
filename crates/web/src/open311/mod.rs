//! The Open311 GeoReport v2 server under `/open311/v2/` (docs/open311.md):
//! discovery, services and their definitions, service requests (search,
//! one, create with a registered client's key), tokens, and FixMyStreet's
//! `servicerequestupdates`. Each answer is JSON or XML by the file
//! extension, with the specification's field names, W3C dates and XML root
//! elements; errors in the specification's shape. A key is checked, and
//! counted against its client's hourly allowance, on every call that
//! carries one.

mod requests;
mod services;

use crate::AppState;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat, Utc};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::policy::{AuthMethod, Principal};
use safetynet_store::open311::Open311Call;
use safetynet_store::users::Actor;
use serde::Serialize;
use std::collections::BTreeMap;

/// Routes under `/open311/v2`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(document).post(requests::create))
        .route("/open311/v2/services/{file}", get(services::definition))
        .route("/open311/v2/requests/{file}", get(requests::one))
        .route("/open311/v2/tokens/{file}", get(requests::token))
}

/// The answer's format, from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// A refusal, answered in the specification's error shape and format.
#[derive(Debug)]
struct Refusal {
    format: Format,
    status: StatusCode,
    description: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error(self.format, self.status, &self.description)
    }
}

/// A refusal with `status` and `description`, in `format`.
fn refuse(format: Format, status: StatusCode, description: impl Into<String>) -> Refusal {
    Refusal { format, status, description: description.into() }
}

/// An answer or a refusal.
type Answer = Result<Response, Refusal>;

/// `name.json` or `name.xml` split into the name and the format.
fn split(file: &str) -> Result<(&str, Format), Refusal> {
    match file.rsplit_once('.') {
        Some((name, "json")) => Ok((name, Format::Json)),
        Some((name, "xml")) => Ok((name, Format::Xml)),
        _ => Err(refuse(Format::Json, StatusCode::NOT_FOUND, "ask for a document ending .json or .xml")),
    }
}

/// A store failure as a refusal: a rule broken is the client's (400), a
/// record missing is 404, anything else 500.
fn failed(format: Format) -> impl Fn(safetynet_store::StoreError) -> Refusal {
    move |e| match e {
        safetynet_store::StoreError::Rule(_, message) => refuse(format, StatusCode::BAD_REQUEST, message),
        safetynet_store::StoreError::NotFound(what) => {
            refuse(format, StatusCode::NOT_FOUND, format!("{what} not found"))
        }
        e => refuse(format, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

fn xml(body: Result<String, quick_xml::SeError>) -> Response {
    match body {
        Ok(body) => (
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{body}"),
        )
            .into_response(),
        Err(e) => error(Format::Xml, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `value` as JSON, or as XML under the element `root`.
fn one<T: Serialize>(format: Format, root: &str, value: &T) -> Response {
    match format {
        Format::Json => Json(value).into_response(),
        Format::Xml => xml(quick_xml::se::to_string_with_root(root, value)),
    }
}

/// `items` as a JSON array, or as XML: `<root><item>…</item>…</root>`.
fn list<T: Serialize>(format: Format, root: &str, item: &str, items: &[T]) -> Response {
    match format {
        Format::Json => Json(items).into_response(),
        Format::Xml => xml(quick_xml::se::to_string_with_root(root, &BTreeMap::from([(item, items)]))),
    }
}

/// An error in the specification's shape: `[{code, description}]` or
/// `<errors><error>…</error></errors>`, with `status`.
fn error(format: Format, status: StatusCode, description: &str) -> Response {
    #[derive(Serialize)]
    struct Error<'a> {
        code: u16,
        description: &'a str,
    }
    let mut res = list(format, "errors", "error", &[Error { code: status.as_u16(), description }]);
    *res.status_mut() = status;
    res
}

/// A date and time in the W3C format the specification uses (UTC, `Z`).
fn w3c(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A W3C date and time (`2026-01-15T09:00:00Z`, an offset, or a date alone
/// for its midnight UTC) as Unix ms.
fn parse_w3c(s: &str) -> Option<i64> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s).map(|d| d.timestamp_millis()).ok().or_else(|| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp_millis())
    })
}

/// An Open311 client as an audit actor (`Member of the public` without a key).
fn principal(call: Option<&Open311Call>) -> Principal {
    Principal {
        user_id: String::new(),
        email: String::new(),
        display_name: call
            .map_or_else(|| "Member of the public".into(), |c| format!("Open311 client {}", c.client.name)),
        agency: String::new(),
        roles: Vec::new(),
        via: AuthMethod::ApiToken,
    }
}

/// Checks `key` (when given): `Ok(None)` without one, the client's call
/// with one that is live and within its hourly allowance; otherwise the
/// specification's error (403 for a key that is not valid, audited as a
/// failed sign-in; 429 past the allowance).
async fn gate(
    state: &AppState,
    format: Format,
    key: Option<&str>,
    source: &str,
) -> Result<Option<Open311Call>, Refusal> {
    let Some(key) = key.filter(|k| !k.is_empty()) else { return Ok(None) };
    let at_ms = state.now_ms();
    match state.store.open311_call(key, at_ms).await.map_err(failed(format))? {
        None => {
            let public = principal(None);
            let actor = Actor { principal: &public, at_ms, source };
            let detail = serde_json::json!({ "reason": "api_key not valid" });
            let event = actor.event(AuditAction::LoginFailure, "open311_client", None, detail);
            state.store.audit(at_ms, &event).await.map_err(failed(format))?;
            Err(refuse(format, StatusCode::FORBIDDEN, "api_key is not valid: ask the partnership for a key"))
        }
        Some(call) if call.calls_this_hour > call.client.per_hour => Err(refuse(
            format,
            StatusCode::TOO_MANY_REQUESTS,
            format!("this api_key may make {} calls an hour: wait until the next hour", call.client.per_hour),
        )),
        Some(call) => Ok(Some(call)),
    }
}

/// `GET /open311/v2/{discovery|services|requests|servicerequestupdates}.{json|xml}`.
async fn document(
    state: axum::extract::State<AppState>,
    path: axum::extract::Path<String>,
    query: axum::extract::RawQuery,
    headers: axum::http::HeaderMap,
    client: crate::auth::ClientAddr,
) -> Answer {
    let (name, format) = split(&path)?;
    match name {
        "discovery" => Ok(services::discovery(&state, format, &headers)),
        "services" => services::all(&state, format).await,
        "requests" => requests::search(&state, format, query.0.as_deref(), &client.0).await,
        "servicerequestupdates" => requests::updates(&state, format, query.0.as_deref(), &client.0).await,
        _ => Err(refuse(format, StatusCode::NOT_FOUND, "no such document")),
    }
}
