//! The JSON API under `/api/v1` (documented in [`crate::openapi`]). Bearer
//! token or session; 401 with a JSON body when neither is valid, 403 when
//! the caller lacks the right, 400 for malformed parameters.

use crate::api_types::{Items, Page};
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, AppError};
use crate::params::{join_errors, opt, parse_api_query, AuditQuery, CrimeQuery, PlacesQuery};
use crate::AppState;
use axum::extract::Path;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::month::Month;
use safetynet_domain::partnership::{Agency, UserSummary};
use safetynet_domain::policy::{Principal, Visible};
use safetynet_domain::policy::{ViewAudit, ViewCrimeData, ViewRecords};
use safetynet_store::audit::AuditEntry;
use safetynet_store::crimes::{Crime, TypeCount};
use safetynet_store::places::Place;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// Routes under `/api/v1` (but `/openapi.json`: [`crate::api_doc`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/me/notifications", get(my_notifications).put(set_my_notifications))
        .route("/crimes", get(crimes))
        .route("/crimes/summary", get(summary))
        .route("/places", get(places))
        .route("/agencies", get(agencies))
        .route("/users/{id}", get(user))
        .route("/audit", get(audit))
        .merge(crate::api_safety::routes())
        .merge(crate::api_pspos::routes())
        .merge(crate::api_programmes::routes())
        .merge(crate::api_fly_tipping::routes())
        .merge(crate::api_arson::routes())
        .merge(crate::api_public_reports::routes())
        .merge(crate::api_victims::routes())
        .merge(crate::api_documents::routes())
        .merge(crate::api_analysis::routes())
        .merge(crate::api_partnership::routes())
        .fallback(|| async { ApiError(AppError::NotFound("API endpoint")) })
}

#[utoipa::path(
    get,
    path = "/me",
    summary = "The caller",
    responses((status = 200, description = "Success", body = Me))
)]
async fn me(user: ApiUser) -> Json<Me> {
    Json(Me { user: user.principal })
}

/// `GET /me`.
#[derive(Debug, Serialize, ToSchema)]
struct Me {
    /// Who is calling, and how they signed in.
    user: Principal,
}

/// One kind of e-mail notification and whether the caller gets it.
#[derive(Debug, Serialize, ToSchema)]
struct NotificationItem {
    /// The kind's code.
    kind: &'static str,
    /// What it is, in words.
    label: &'static str,
    /// Whether it can apply to the caller's roles.
    applies: bool,
    /// Switched on.
    enabled: bool,
}

/// The caller's notification choices.
async fn notification_items(state: &AppState, user: &ApiUser) -> ApiResult<Json<Items<NotificationItem>>> {
    let prefs = state.store.notification_preferences(&user.principal.user_id).await?;
    let items: Vec<NotificationItem> = prefs
        .into_iter()
        .map(|(k, enabled)| NotificationItem {
            kind: k.as_str(),
            label: k.label(),
            applies: k.applies_to(&user.principal),
            enabled,
        })
        .collect();
    Ok(Json(items.into()))
}

#[utoipa::path(
    get,
    path = "/me/notifications",
    summary = "Your e-mail notification choices: `items[] {kind, label, applies, enabled}` (all on until switched off)",
    responses((status = 200, description = "Success", body = Items<NotificationItem>))
)]
async fn my_notifications(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Items<NotificationItem>>> {
    notification_items(&state, &user).await
}

/// `{kind: bool, ...}`: each notification kind switched on or off.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub(crate) struct NotificationChoices(std::collections::BTreeMap<String, bool>);

/// `PUT /me/notifications`: `{kind: bool, ...}`; unknown kinds are a 400.
#[utoipa::path(
    put,
    path = "/me/notifications",
    summary = "Switch kinds on or off: `{\"task_assigned\": false, ...}` (kinds: task_assigned, case_shared, review_due, case_review_deadline, operation_task, daily_digest); returns your choices",
    request_body = NotificationChoices,
    responses((status = 200, description = "Success", body = Items<NotificationItem>))
)]
async fn set_my_notifications(
    State(state): State<AppState>,
    user: ApiUser,
    crate::auth::ApiJson(NotificationChoices(body)): crate::auth::ApiJson<NotificationChoices>,
) -> ApiResult<Json<Items<NotificationItem>>> {
    if user.principal.user_id.is_empty() {
        return Err(AppError::BadRequest("the operator has no notification choices".into()).into());
    }
    let mut choices = Vec::with_capacity(body.len());
    for (k, enabled) in &body {
        let kind = safetynet_domain::notification::Kind::parse(k).ok_or_else(|| {
            AppError::BadRequest(format!(
                "unknown notification kind '{}' (expected one of: {})",
                k.chars().take(40).collect::<String>(),
                safetynet_domain::notification::Kind::ALL.map(|k| k.as_str()).join(", ")
            ))
        })?;
        choices.push((kind, *enabled));
    }
    state.store.set_notification_preferences(&user.actor(), &choices).await?;
    notification_items(&state, &user).await
}

#[utoipa::path(
    get,
    path = "/crimes",
    summary = "Recorded crime and ASB (police.uk street-level data with outcomes joined by Crime ID)",
    params(CrimeQuery),
    responses((status = 200, description = "Success", body = Page<Crime>))
)]
async fn crimes(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Json<Page<Crime>>> {
    user.permit::<ViewCrimeData>()?;
    let q: CrimeQuery = parse_api_query(raw.as_deref())?;
    let filter = q.filter().map_err(|e| join_errors(&e))?;
    let (page, per_page) = q.paging(50).map_err(|e| join_errors(&e))?;
    let (items, total) = state.store.crimes(&filter, per_page, (page - 1) * per_page).await?;
    Ok(Json(Page { items, total, page, per_page }))
}

/// `GET /crimes/summary`: only `month` (null) and `types` (empty) when there is no data.
#[derive(Debug, Serialize, ToSchema)]
struct Summary {
    /// The month, YYYY-MM.
    #[schema(value_type = Option<String>)]
    month: Option<Month>,
    /// The month before.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    previous_month: Option<Month>,
    /// Records in the month.
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<i64>,
    /// Records in the month before.
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_total: Option<i64>,
    /// Counts by crime type.
    types: Vec<TypeCount>,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SummaryQuery {
    /// Month, YYYY-MM (default: latest with data).
    #[serde(default)]
    month: Option<String>,
}

#[utoipa::path(
    get,
    path = "/crimes/summary",
    summary = "Counts by crime type for a month and the month before",
    params(SummaryQuery),
    responses((status = 200, description = "Success", body = Summary))
)]
async fn summary(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Json<Summary>> {
    user.permit::<ViewCrimeData>()?;
    let q: SummaryQuery = parse_api_query(raw.as_deref())?;
    let month = match q.month.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => Month::parse(m).map_err(|e| AppError::BadRequest(e.to_string()))?,
        None => match state.store.crime_months().await?.first() {
            Some(m) => *m,
            None => {
                let empty =
                    Summary { month: None, previous_month: None, total: None, previous_total: None, types: vec![] };
                return Ok(Json(empty));
            }
        },
    };
    let types = state.store.crime_type_counts(month).await?;
    let total: i64 = types.iter().map(|t| t.count).sum();
    let previous_total: i64 = types.iter().map(|t| t.previous).sum();
    Ok(Json(Summary {
        month: Some(month),
        previous_month: Some(month.previous()),
        total: Some(total),
        previous_total: Some(previous_total),
        types,
    }))
}

/// `GET /places`: places matching a search, best first.
#[derive(Debug, Serialize, ToSchema)]
struct Places {
    /// At most 10: the council's gazetteer addresses (by address or postcode), then the streets police.uk names.
    places: Vec<Place>,
}

#[utoipa::path(
    get,
    path = "/places",
    summary = "Find a place by address, street or postcode: `places[] {label, kind (address|street), uprn, latitude, longitude}`, at most 10; every word of `q` must match",
    params(PlacesQuery),
    responses((status = 200, description = "Success", body = Places))
)]
async fn places(State(state): State<AppState>, _user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Json<Places>> {
    let q: PlacesQuery = parse_api_query(raw.as_deref())?;
    let places = state.store.find_places(&q.query()?, safetynet_domain::places::MAX_RESULTS).await?;
    Ok(Json(Places { places }))
}

/// `GET /agencies`.
#[derive(Debug, Serialize, ToSchema)]
struct Agencies {
    /// The agencies.
    items: Vec<Agency>,
    /// How many.
    total: usize,
}

#[utoipa::path(
    get,
    path = "/agencies",
    summary = "Agencies of the partnership",
    responses((status = 200, description = "Success", body = Agencies))
)]
async fn agencies(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<Agencies>> {
    let items = state.store.agencies().await?;
    Ok(Json(Agencies { total: items.len(), items }))
}

/// A colleague's directory entry: full for the same agency, a signpost otherwise.
#[utoipa::path(
    get,
    path = "/users/{id}",
    summary = "A colleague's directory entry: in full for your own agency, otherwise only the agency to contact",
    params(("id" = String, Path, description = "The user id (a UUID)")),
    responses((status = 200, description = "Success", body = Visible<UserSummary>), (status = 404, description = "No such user", body = crate::error::ErrorBody))
)]
async fn user(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Visible<UserSummary>>> {
    let permit = user.permit::<ViewRecords>()?;
    if !safetynet_domain::ids::is_id(&id) {
        return Err(AppError::NotFound("user").into());
    }
    let actor = safetynet_store::users::Actor { principal: &user.principal, at_ms: user.now_ms, source: &user.addr };
    let visible = state.store.user_record(&permit, &id, &actor).await?;
    Ok(Json(visible))
}

#[utoipa::path(
    get,
    path = "/audit",
    summary = "The audit trail, newest first (auditors only)",
    params(AuditQuery),
    responses((status = 200, description = "Success", body = Page<AuditEntry>))
)]
async fn audit(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let permit = user.permit::<ViewAudit>()?;
    let q: AuditQuery = parse_api_query(raw.as_deref())?;
    let filter = q.filter().map_err(|e| join_errors(&e))?;
    let number = |v: &Option<String>, default: i64, max: i64| match opt(v) {
        None => Some(default),
        Some(s) => s.parse::<i64>().ok().filter(|n| (1..=max).contains(n)),
    };
    let (Some(page), Some(per_page)) = (number(&q.page, 1, 100_000), number(&q.per_page, 50, 200)) else {
        return Err(AppError::BadRequest("page must be 1 or more and per_page from 1 to 200".into()).into());
    };
    let event = safetynet_domain::audit::AuditEvent {
        user_id: Some(user.principal.user_id.clone()),
        agency: Some(user.principal.agency.clone()),
        action: AuditAction::Search,
        record_type: "audit_log".into(),
        record_id: None,
        detail: json!({ "query": serde_urlencoded::to_string(&q).unwrap_or_default(), "page": page, "per_page": per_page, "via": "api" }).to_string(),
        source: user.addr.clone(),
    };
    state.store.audit(user.now_ms, &event).await?;
    let (items, total) = state.store.search_audit(&permit, &filter, per_page, (page - 1) * per_page).await?;
    Ok(Json(Page { items, total, page, per_page }))
}
