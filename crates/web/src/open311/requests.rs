//! Open311 service requests: search (`requests`), one (`requests/{id}`),
//! create (`POST requests`, with a registered client's key), `tokens/{token}`
//! and FixMyStreet's `servicerequestupdates`. Every report's reference,
//! service, agency, status and public notes are public; its place, words
//! and photo link only to the client that sent it.

use super::{failed, gate, list, parse_w3c, principal, refuse, split, w3c, Answer, Format};
use crate::auth::ClientAddr;
use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use safetynet_domain::public_reports::NewPublicReport;
use safetynet_domain::token::hash_secret;
use safetynet_store::open311::{Open311Call, Open311Request, RequestFilter};
use safetynet_store::public_reports::Sender;
use safetynet_store::users::Actor;
use serde::Serialize;
use std::collections::BTreeMap;

/// The largest request body taken, in bytes.
const MAX_BODY: usize = 64 * 1024;
/// The longest span a search may cover, and its default (the specification's 90 days).
const MAX_SPAN_MS: i64 = 90 * 24 * 3_600_000;
/// The span `servicerequestupdates` covers when not told.
const UPDATES_SPAN_MS: i64 = 24 * 3_600_000;

/// Query or form parameters (the last of a name wins).
fn params(raw: &[u8]) -> BTreeMap<String, String> {
    serde_html_form::from_bytes::<Vec<(String, String)>>(raw).unwrap_or_default().into_iter().collect()
}

/// A comma-separated list parameter.
fn listed(params: &BTreeMap<String, String>, name: &str) -> Vec<String> {
    params
        .get(name)
        .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect())
        .unwrap_or_default()
}

/// The span `start_date`..`end_date` asks for: `default_ms` back from the
/// end (now unless given) or on from the start; no longer than 90 days.
fn span(params: &BTreeMap<String, String>, now_ms: i64, default_ms: i64) -> Result<(i64, i64), String> {
    let date = |name: &str| match params.get(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(None),
        Some(v) => parse_w3c(v)
            .map(Some)
            .ok_or_else(|| format!("{name} must be a W3C date and time, like 2026-01-15T09:00:00Z")),
    };
    let (from, until) = match (date("start_date")?, date("end_date")?) {
        (Some(from), Some(until)) => (from, until),
        (Some(from), None) => (from, from + default_ms),
        (None, Some(until)) => (until - default_ms, until),
        (None, None) => (now_ms - default_ms, now_ms),
    };
    if until < from || until - from > MAX_SPAN_MS {
        return Err("start_date must come before end_date, at most 90 days apart".into());
    }
    Ok((from, until))
}

/// A service request as the specification lists it.
#[derive(Debug, Serialize)]
struct Item {
    service_request_id: String,
    status: &'static str,
    status_notes: String,
    service_name: String,
    service_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    agency_responsible: String,
    service_notice: String,
    requested_datetime: String,
    updated_datetime: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    long: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_url: Option<String>,
}

impl From<Open311Request> for Item {
    fn from(r: Open311Request) -> Self {
        let sent = r.sent;
        Item {
            service_request_id: r.reference,
            status: r.status.open311(),
            status_notes: r.status_notes,
            service_name: r.service_name,
            service_code: r.service_code,
            agency_responsible: r.agency_responsible,
            service_notice: String::new(),
            requested_datetime: w3c(r.requested_at),
            updated_datetime: w3c(r.updated_at),
            description: sent.as_ref().map(|s| s.description.clone()),
            address: sent.as_ref().map(|s| s.address.clone()),
            lat: sent.as_ref().and_then(|s| s.latitude),
            long: sent.as_ref().and_then(|s| s.longitude),
            media_url: sent.map(|s| s.media_url),
        }
    }
}

/// Runs a search for `filter` as the client of `call` (or the public).
async fn find(
    state: &AppState,
    format: Format,
    filter: &RequestFilter,
    call: Option<&Open311Call>,
    source: &str,
) -> Result<Vec<Item>, super::Refusal> {
    let principal = principal(call);
    let actor = Actor { principal: &principal, at_ms: state.now_ms(), source };
    let client = call.map(|c| c.client.id.as_str());
    let found = state.store.open311_requests(filter, client, &actor).await.map_err(failed(format))?;
    Ok(found.into_iter().map(Item::from).collect())
}

/// `GET /open311/v2/requests.{json|xml}`: by `service_request_id` (a
/// comma-separated list, which overrides the rest), or by `service_code`,
/// `start_date`..`end_date` (the last 90 days unless given) and `status`
/// (`open`, `closed`), newest first.
pub(super) async fn search(state: &AppState, format: Format, query: Option<&str>, source: &str) -> Answer {
    let params = params(query.unwrap_or_default().as_bytes());
    let call = gate(state, format, params.get("api_key").map(String::as_str), source).await?;
    let (from_ms, until_ms) =
        span(&params, state.now_ms(), MAX_SPAN_MS).map_err(|e| refuse(format, StatusCode::BAD_REQUEST, e))?;
    let statuses = listed(&params, "status");
    if statuses.iter().any(|s| s != "open" && s != "closed") {
        return Err(refuse(format, StatusCode::BAD_REQUEST, "status must be open or closed"));
    }
    let filter = RequestFilter {
        references: listed(&params, "service_request_id"),
        service_codes: listed(&params, "service_code"),
        from_ms,
        until_ms,
        statuses,
    };
    let items = find(state, format, &filter, call.as_ref(), source).await?;
    Ok(list(format, "service_requests", "request", &items))
}

/// `GET /open311/v2/requests/{id}.{json|xml}`: one request, as a list of one.
pub(super) async fn one(
    State(state): State<AppState>,
    Path(file): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    ClientAddr(source): ClientAddr,
) -> Answer {
    let (id, format) = split(&file)?;
    let params = params(query.unwrap_or_default().as_bytes());
    let call = gate(&state, format, params.get("api_key").map(String::as_str), &source).await?;
    let filter = RequestFilter { references: vec![id.to_string()], ..RequestFilter::default() };
    let items = find(&state, format, &filter, call.as_ref(), &source).await?;
    if items.is_empty() {
        return Err(refuse(format, StatusCode::NOT_FOUND, "service_request_id not found"));
    }
    Ok(list(format, "service_requests", "request", &items))
}

/// `GET /open311/v2/tokens/{token}.{json|xml}`: the request a token is for.
pub(super) async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Answer {
    #[derive(Serialize)]
    struct Found<'a> {
        service_request_id: String,
        token: &'a str,
    }
    let (token, format) = split(&file)?;
    let reference = state
        .store
        .open311_token(token)
        .await
        .map_err(failed(format))?
        .ok_or_else(|| refuse(format, StatusCode::NOT_FOUND, "token not found"))?;
    Ok(list(format, "service_requests", "request", &[Found { service_request_id: reference, token }]))
}

/// What a created request's answer carries.
#[derive(Debug, Serialize)]
struct Created {
    service_request_id: String,
    token: String,
    service_notice: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
}

/// `POST /open311/v2/requests.{json|xml}`: a new request from a registered
/// client (`api_key` in the form or the query): `service_code`, `lat` and
/// `long` or `address_string`, `description`, the reporter's `email`,
/// `first_name`, `last_name`, `phone`, `media_url` and `attribute[code]`
/// answers. The same report sent again within the hour answers with the
/// first one's id.
pub(super) async fn create(State(state): State<AppState>, Path(file): Path<String>, req: Request) -> Answer {
    let format = match split(&file)? {
        ("requests", format) => format,
        (_, format) => return Err(refuse(format, StatusCode::METHOD_NOT_ALLOWED, "only requests may be posted")),
    };
    let (parts, body) = req.into_parts();
    let ClientAddr(source) = ClientAddr::of(&parts, &state);
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| refuse(format, StatusCode::PAYLOAD_TOO_LARGE, "the request is larger than 64 KiB"))?;
    let mut p = params(parts.uri.query().unwrap_or_default().as_bytes());
    p.extend(params(&bytes));
    let call = gate(&state, format, p.get("api_key").map(String::as_str), &source)
        .await?
        .ok_or_else(|| refuse(format, StatusCode::FORBIDDEN, "api_key is required to create service requests"))?;
    let field = |name: &str| p.get(name).cloned().unwrap_or_default();
    let service_code = field("service_code");
    if service_code.trim().is_empty() {
        return Err(refuse(format, StatusCode::BAD_REQUEST, "service_code was not provided"));
    }
    let coordinate = |name: &str| match p.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .map(Some)
            .map_err(|_| refuse(format, StatusCode::BAD_REQUEST, format!("{name} must be a number (WGS84 degrees)"))),
    };
    let attributes = p
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("attribute[")?.strip_suffix(']')?.to_string(), v.clone())))
        .collect();
    let new = NewPublicReport {
        service_code: service_code.trim().to_string(),
        latitude: coordinate("lat")?,
        longitude: coordinate("long")?,
        address: field("address_string"),
        description: field("description"),
        name: format!("{} {}", field("first_name").trim(), field("last_name").trim()).trim().to_string(),
        email: field("email"),
        phone: field("phone"),
        media_url: field("media_url"),
        attributes,
    };
    let who = [field("email"), field("account_id"), field("device_id")].join("\u{1f}").to_lowercase();
    let reporter = hash_secret(&who);
    let principal = principal(Some(&call));
    let actor = Actor { principal: &principal, at_ms: state.now_ms(), source: &source };
    let sender = Sender::Open311 { client_id: &call.client.id, reporter: &reporter };
    let taken = state.store.submit_public_report(&new, &[], sender, &actor).await.map_err(failed(format))?;
    let created = Created {
        service_request_id: taken.reference,
        token: taken.id,
        service_notice: String::new(),
        account_id: p.get("account_id").filter(|a| !a.is_empty()).cloned(),
    };
    Ok(list(format, "service_requests", "request", &[created]))
}

/// One update, as FixMyStreet reads it.
#[derive(Debug, Serialize)]
struct RequestUpdate {
    update_id: String,
    service_request_id: String,
    status: &'static str,
    description: String,
    updated_datetime: String,
    media_url: String,
}

/// `GET /open311/v2/servicerequestupdates.{json|xml}` (FixMyStreet's
/// extension; a key is required): the updates between `start_date` and
/// `end_date` (the last 24 hours unless given) to the requests this client
/// sent, with the extended statuses, oldest first.
pub(super) async fn updates(state: &AppState, format: Format, query: Option<&str>, source: &str) -> Answer {
    let params = params(query.unwrap_or_default().as_bytes());
    let call = gate(state, format, params.get("api_key").map(String::as_str), source)
        .await?
        .ok_or_else(|| refuse(format, StatusCode::FORBIDDEN, "api_key is required for service request updates"))?;
    let (from_ms, until_ms) =
        span(&params, state.now_ms(), UPDATES_SPAN_MS).map_err(|e| refuse(format, StatusCode::BAD_REQUEST, e))?;
    let principal = principal(Some(&call));
    let actor = Actor { principal: &principal, at_ms: state.now_ms(), source };
    let found =
        state.store.open311_updates(&call.client.id, from_ms, until_ms, &actor).await.map_err(failed(format))?;
    let items: Vec<RequestUpdate> = found
        .into_iter()
        .map(|u| RequestUpdate {
            update_id: u.update_id,
            service_request_id: u.reference,
            status: u.status.as_str(),
            description: u.description,
            updated_datetime: w3c(u.at),
            media_url: String::new(),
        })
        .collect();
    Ok(list(format, "service_requests_updates", "request_update", &items))
}
