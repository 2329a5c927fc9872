//! Open311 `discovery`, `services` (the categories the partnership takes
//! reports in) and `services/{code}` (a service's definition: the
//! attributes it asks beyond the standard fields).

use super::{failed, one, refuse, split, Answer, Format};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use safetynet_domain::public_reports::attributes_for;
use serde::Serialize;

/// The GeoReport v2 specification's address.
const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// When this server's Open311 interface last changed.
const CHANGESET: &str = "2026-12-03T00:00:00Z";

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

/// `GET /open311/v2/services.{json|xml}`.
pub(super) async fn all(state: &AppState, format: Format) -> Answer {
    let services: Vec<Service> = state
        .store
        .public_services()
        .await
        .map_err(failed(format))?
        .into_iter()
        .map(|s| Service {
            metadata: !attributes_for(&s.code).is_empty(),
            service_code: s.code,
            service_name: s.name,
            description: s.description,
            kind: "realtime",
            keywords: String::new(),
            group: s.group,
        })
        .collect();
    Ok(super::list(format, "services", "service", &services))
}

#[derive(Debug, Serialize)]
struct Value {
    key: &'static str,
    name: &'static str,
}

#[derive(Debug, Serialize)]
struct Values {
    value: Vec<Value>,
}

#[derive(Debug, Serialize)]
struct Attribute {
    variable: bool,
    code: &'static str,
    datatype: &'static str,
    required: bool,
    datatype_description: &'static str,
    order: usize,
    description: &'static str,
    values: Values,
}

#[derive(Debug, Serialize)]
struct Attributes {
    attribute: Vec<Attribute>,
}

#[derive(Debug, Serialize)]
struct Definition {
    service_code: String,
    attributes: Attributes,
}

/// `GET /open311/v2/services/{code}.{json|xml}`: the service's attributes
/// (optional single-value lists); 404 for a service not taken.
pub(super) async fn definition(State(state): State<AppState>, Path(file): Path<String>) -> Answer {
    let (code, format) = split(&file)?;
    if !state.store.public_services().await.map_err(failed(format))?.iter().any(|s| s.code == code) {
        return Err(refuse(format, StatusCode::NOT_FOUND, "service_code not found"));
    }
    let attribute: Vec<Attribute> = attributes_for(code)
        .into_iter()
        .enumerate()
        .map(|(n, a)| Attribute {
            variable: true,
            code: a.code,
            datatype: "singlevaluelist",
            required: false,
            datatype_description: "",
            order: n + 1,
            description: a.description,
            values: Values { value: a.values.into_iter().map(|(key, name)| Value { key, name }).collect() },
        })
        .collect();
    Ok(match format {
        // JSON flattens the XML's wrapper elements into arrays.
        Format::Json => {
            let attributes: Vec<serde_json::Value> = attribute
                .iter()
                .map(|a| {
                    let mut v = serde_json::json!(a);
                    v["values"] = serde_json::json!(a.values.value);
                    v
                })
                .collect();
            one(format, "", &serde_json::json!({ "service_code": code, "attributes": attributes }))
        }
        Format::Xml => one(
            format,
            "service_definition",
            &Definition { service_code: code.into(), attributes: Attributes { attribute } },
        ),
    })
}

#[derive(Debug, Serialize)]
struct Endpoint {
    specification: &'static str,
    url: String,
    changeset: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    formats: Formats,
}

#[derive(Debug, Serialize)]
struct Formats {
    format: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct Endpoints {
    endpoint: Vec<Endpoint>,
}

#[derive(Debug, Serialize)]
struct Discovery {
    changeset: &'static str,
    contact: String,
    key_service: String,
    endpoints: Endpoints,
}

/// `GET /open311/v2/discovery.{json|xml}`.
pub(super) fn discovery(state: &AppState, format: Format, headers: &HeaderMap) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if state.config.secure_cookies { "https" } else { "http" };
    let contact = state.config.public.contact_email.clone().unwrap_or_default();
    let key_service = format!("{contact} (keys are issued by the partnership: safetynet open311 issue)");
    let endpoint = Endpoint {
        specification: SPECIFICATION,
        url: format!("{scheme}://{host}/open311/v2"),
        changeset: CHANGESET,
        kind: "production",
        formats: Formats { format: vec!["text/xml", "application/json"] },
    };
    match format {
        Format::Json => one(
            format,
            "",
            &serde_json::json!({
                "changeset": CHANGESET, "contact": contact, "key_service": key_service,
                "endpoints": [{ "specification": SPECIFICATION, "url": endpoint.url, "changeset": CHANGESET,
                    "type": "production", "formats": endpoint.formats.format }],
            }),
        ),
        Format::Xml => one(
            format,
            "discovery",
            &Discovery {
                changeset: CHANGESET,
                contact,
                key_service,
                endpoints: Endpoints { endpoint: vec![endpoint] },
            },
        ),
    }
}
