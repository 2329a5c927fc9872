//! The Open311 GeoReport v2 server, first part: `discovery` and `services`
//! (the categories the partnership takes reports in), each as JSON or XML
//! by the file extension, with the specification's field names and XML
//! root elements, so FixMyStreet and other Open311 clients can find the
//! services. Requests, tokens and updates are still to come (issue 14).

use crate::error::AppError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

/// Routes under `/open311/v2`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/open311/v2/{file}", get(document))
}

/// The GeoReport v2 specification's address.
const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";

/// One Open311 service.
#[derive(Debug, Serialize)]
struct Service {
    service_code: String,
    service_name: String,
    description: String,
    metadata: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    keywords: String,
    group: String,
}

#[derive(Debug, Serialize)]
struct Services {
    service: Vec<Service>,
}

#[derive(Debug, Serialize)]
struct Endpoint {
    specification: &'static str,
    url: String,
    changeset: String,
    #[serde(rename = "type")]
    kind: &'static str,
    formats: Formats,
}

#[derive(Debug, Serialize)]
struct Formats {
    format: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct Discovery {
    changeset: String,
    contact: String,
    key_service: String,
    endpoints: Endpoints,
}

#[derive(Debug, Serialize)]
struct Endpoints {
    endpoint: Vec<Endpoint>,
}

/// `value` as JSON, or as XML under `root` (the specification's element).
fn answer<T: Serialize>(format: &str, root: &str, json: serde_json::Value, value: &T) -> Result<Response, AppError> {
    match format {
        "json" => Ok(Json(json).into_response()),
        "xml" => {
            let body =
                quick_xml::se::to_string_with_root(root, value).map_err(|e| AppError::Internal(e.to_string()))?;
            let xml = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{body}");
            Ok(([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], xml).into_response())
        }
        _ => Err(AppError::NotFound("format")),
    }
}

/// An error in the specification's shape: `[{code, description}]` or `<errors>`.
fn error(format: &str, status: StatusCode, description: &str) -> Response {
    #[derive(Serialize)]
    struct Error<'a> {
        code: u16,
        description: &'a str,
    }
    #[derive(Serialize)]
    struct Errors<'a> {
        error: Vec<Error<'a>>,
    }
    let errors = Errors { error: vec![Error { code: status.as_u16(), description }] };
    if format == "xml" {
        let body = quick_xml::se::to_string_with_root("errors", &errors).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{body}"),
        )
            .into_response()
    } else {
        (
            status,
            Json(serde_json::json!(errors
                .error
                .iter()
                .map(|e| serde_json::json!({ "code": e.code, "description": e.description }))
                .collect::<Vec<_>>())),
        )
            .into_response()
    }
}

/// `GET /open311/v2/{discovery|services}.{json|xml}`.
async fn document(State(state): State<AppState>, Path(file): Path<String>, headers: axum::http::HeaderMap) -> Response {
    let Some((name, format)) = file.rsplit_once('.') else {
        return error("json", StatusCode::NOT_FOUND, "ask for a document with .json or .xml");
    };
    if format != "json" && format != "xml" {
        return error("json", StatusCode::NOT_FOUND, "the format must be json or xml");
    }
    let result = match name {
        "services" => services(&state, format).await,
        "discovery" => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            let scheme = if state.config.secure_cookies { "https" } else { "http" };
            discovery(&state, format, &format!("{scheme}://{host}"))
        }
        _ => return error(format, StatusCode::NOT_FOUND, "no such document"),
    };
    result.unwrap_or_else(|e| error(format, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))
}

async fn services(state: &AppState, format: &str) -> Result<Response, AppError> {
    let list: Vec<Service> = state
        .store
        .public_services()
        .await?
        .into_iter()
        .map(|s| Service {
            service_code: s.code,
            service_name: s.name,
            description: s.description,
            metadata: false,
            kind: "realtime",
            keywords: String::new(),
            group: s.group,
        })
        .collect();
    let json = serde_json::to_value(&list).map_err(|e| AppError::Internal(e.to_string()))?;
    answer(format, "services", json, &Services { service: list })
}

fn discovery(state: &AppState, format: &str, base: &str) -> Result<Response, AppError> {
    let contact = state.config.public.contact_email.clone().unwrap_or_default();
    let changeset = "2026-12-03T00:00:00Z".to_string();
    let endpoint = Endpoint {
        specification: SPECIFICATION,
        url: format!("{base}/open311/v2"),
        changeset: changeset.clone(),
        kind: "production",
        formats: Formats { format: vec!["text/xml", "application/json"] },
    };
    let json = serde_json::json!({
        "changeset": changeset, "contact": contact, "key_service": "",
        "endpoints": [{ "specification": SPECIFICATION, "url": endpoint.url, "changeset": changeset, "type": "production",
            "formats": ["text/xml", "application/json"] }],
    });
    answer(
        format,
        "discovery",
        json,
        &Discovery {
            changeset,
            contact,
            key_service: String::new(),
            endpoints: Endpoints { endpoint: vec![endpoint] },
        },
    )
}
