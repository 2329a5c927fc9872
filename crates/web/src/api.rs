//! The JSON API under `/api/v1` (documented in [`crate::openapi`]). Bearer
//! token or session; 401 with a JSON body when neither is valid, 403 when
//! the caller lacks the right, 400 for malformed parameters.

use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, AppError};
use crate::params::{join_errors, opt, parse_api_query, AuditQuery, CrimeQuery};
use crate::AppState;
use axum::extract::Path;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::month::Month;
use safetynet_domain::policy::{ViewAudit, ViewCrimeData, ViewRecords};
use serde_json::{json, Value};

/// Routes under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(crate::openapi::document()) }))
        .route("/me", get(me))
        .route("/me/notifications", get(my_notifications).put(set_my_notifications))
        .route("/crimes", get(crimes))
        .route("/crimes/summary", get(summary))
        .route("/agencies", get(agencies))
        .route("/users/{id}", get(user))
        .route("/audit", get(audit))
        .merge(crate::api_safety::routes())
        .merge(crate::api_analysis::routes())
        .merge(crate::api_partnership::routes())
        .fallback(|| async { ApiError(AppError::NotFound("API endpoint")) })
}

async fn me(user: ApiUser) -> Json<Value> {
    Json(json!({ "user": user.principal }))
}

/// The caller's notification choices as JSON.
async fn notification_items(state: &AppState, user: &ApiUser) -> ApiResult<Json<Value>> {
    let prefs = state.store.notification_preferences(&user.principal.user_id).await?;
    let items: Vec<Value> = prefs
        .into_iter()
        .map(|(k, enabled)| {
            json!({ "kind": k.as_str(), "label": k.label(), "applies": k.applies_to(&user.principal), "enabled": enabled })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn my_notifications(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Value>> {
    notification_items(&state, &user).await
}

/// `PUT /me/notifications`: `{kind: bool, ...}`; unknown kinds are a 400.
async fn set_my_notifications(
    State(state): State<AppState>,
    user: ApiUser,
    crate::auth::ApiJson(body): crate::auth::ApiJson<std::collections::BTreeMap<String, bool>>,
) -> ApiResult<Json<Value>> {
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

async fn crimes(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Json<Value>> {
    user.permit::<ViewCrimeData>()?;
    let q: CrimeQuery = parse_api_query(raw.as_deref())?;
    let filter = q.filter().map_err(|e| join_errors(&e))?;
    let (page, per_page) = q.paging(50).map_err(|e| join_errors(&e))?;
    let (items, total) = state.store.crimes(&filter, per_page, (page - 1) * per_page).await?;
    Ok(Json(json!({ "items": items, "total": total, "page": page, "per_page": per_page })))
}

#[derive(Debug, serde::Deserialize)]
struct SummaryQuery {
    #[serde(default)]
    month: Option<String>,
}

async fn summary(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Json<Value>> {
    user.permit::<ViewCrimeData>()?;
    let q: SummaryQuery = parse_api_query(raw.as_deref())?;
    let month = match q.month.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => Month::parse(m).map_err(|e| AppError::BadRequest(e.to_string()))?,
        None => match state.store.crime_months().await?.first() {
            Some(m) => *m,
            None => return Ok(Json(json!({ "month": null, "types": [] }))),
        },
    };
    let types = state.store.crime_type_counts(month).await?;
    let total: i64 = types.iter().map(|t| t.count).sum();
    let previous_total: i64 = types.iter().map(|t| t.previous).sum();
    Ok(Json(
        json!({ "month": month, "previous_month": month.previous(), "total": total, "previous_total": previous_total, "types": types }),
    ))
}

async fn agencies(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<Value>> {
    let items = state.store.agencies().await?;
    Ok(Json(json!({ "items": items, "total": items.len() })))
}

/// A colleague's directory entry: full for the same agency, a signpost otherwise.
async fn user(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ViewRecords>()?;
    if !safetynet_domain::ids::is_id(&id) {
        return Err(AppError::NotFound("user").into());
    }
    let actor = safetynet_store::users::Actor { principal: &user.principal, at_ms: user.now_ms, source: &user.addr };
    let visible = state.store.user_record(&permit, &id, &actor).await?;
    Ok(Json(json!(visible)))
}

async fn audit(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Json<Value>> {
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
    Ok(Json(json!({ "items": items, "total": total, "page": page, "per_page": per_page })))
}
