//! The public spaces protection order register in the JSON API: list the
//! orders (or those ending soon, or the areas as GeoJSON), read one, put a
//! new one on the register and extend one. The Part 4 checks are the
//! domain's (`safetynet_domain::pspo`), each refusal a named rule.

use crate::api_types::Items;
use crate::auth::{ApiJson, ApiUser};
use crate::error::{ApiResult, AppError};
use crate::params::parse_api_query;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Duration;
use safetynet_domain::policy::{EditRecords, Permit, ViewRecords};
use safetynet_domain::pspo::{NewPspo, PspoExtension};
use safetynet_store::safety::Pspo;
use serde::Deserialize;

/// Routes under `/api/v1` for the register.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pspos", get(list).post(create))
        .route("/pspos/{id}", get(one))
        .route("/pspos/{id}/extensions", post(extend))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct FormatQuery {
    /// `json` (default) or `geojson` (the order's area as a Feature).
    #[serde(default)]
    format: Option<String>,
}

/// `orders` as JSON (`Items` or one order) or as GeoJSON, per `format`.
fn respond(orders: Vec<Pspo>, format: Option<&str>, one: bool) -> Result<Response, AppError> {
    Ok(match format {
        None | Some("json") if one => Json(orders.into_iter().next()).into_response(),
        None | Some("json") => Json(Items::from(orders)).into_response(),
        Some("geojson") => {
            ([(axum::http::header::CONTENT_TYPE, "application/geo+json")], Json(feature_collection(&orders)))
                .into_response()
        }
        Some(_) => return Err(AppError::BadRequest("format must be json or geojson".into())),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// Only orders in force whose last day is within this many days (1 to 366): the expiry reminders.
    #[serde(default)]
    ending_within_days: Option<i64>,
    /// `json` (default) or `geojson` (each order's area as a Feature).
    #[serde(default)]
    format: Option<String>,
}

/// The register, or the orders ending within `days`, as of today.
async fn register(state: &AppState, permit: &Permit<ViewRecords>, days: Option<i64>) -> Result<Vec<Pspo>, AppError> {
    let today = state.today();
    let ending_by = match days {
        None => None,
        Some(d) if (1..=366).contains(&d) => Some(today + Duration::days(d)),
        Some(_) => return Err(AppError::BadRequest("ending_within_days must be from 1 to 366".into())),
    };
    Ok(state.store.pspos(permit, today, ending_by).await?)
}

/// The orders' areas as a GeoJSON FeatureCollection.
fn feature_collection(orders: &[Pspo]) -> serde_json::Value {
    let features: Vec<serde_json::Value> = orders
        .iter()
        .map(|o| {
            serde_json::json!({
                "type": "Feature",
                "geometry": o.area,
                "properties": { "reference": o.reference, "title": o.title, "ends_on": o.ends_on, "kind": "pspo" },
            })
        })
        .collect();
    serde_json::json!({ "type": "FeatureCollection", "features": features })
}

#[utoipa::path(
    get,
    path = "/pspos",
    summary = "The public spaces protection order register, ending soonest first; ?ending_within_days=N for expiry reminders; ?format=geojson for the areas",
    params(ListQuery),
    responses((status = 200, description = "Success", body = Items<Pspo>))
)]
async fn list(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let q: ListQuery = parse_api_query(raw.as_deref())?;
    let orders = register(&state, &permit, q.ending_within_days).await?;
    Ok(respond(orders, q.format.as_deref(), false)?)
}

#[utoipa::path(
    get,
    path = "/pspos/{id}",
    summary = "One order with its extensions and the number of breaches and fixed penalties recorded against it; ?format=geojson for its area",
    params(("id" = String, Path, description = "The order's id"), FormatQuery),
    responses((status = 200, description = "Success", body = Pspo))
)]
async fn one(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let q: FormatQuery = parse_api_query(raw.as_deref())?;
    Ok(respond(vec![state.store.pspo(&permit, &id).await?], q.format.as_deref(), true)?)
}

#[utoipa::path(
    post,
    path = "/pspos",
    summary = "Put an order on the register (councils only, s59); 422 with `error.rule` (`pspo_max_3_years`, `pspo_consultation_required`, `pspo_area`, `pspo_dates`, `pspo_text`, `power_not_available`)",
    request_body = NewPspo,
    responses((status = 201, description = "Success", body = Pspo))
)]
async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(new): ApiJson<NewPspo>,
) -> ApiResult<(StatusCode, Json<Pspo>)> {
    let permit = user.permit::<EditRecords>()?;
    Ok((StatusCode::CREATED, Json(state.store.add_pspo(&permit, &new, &user.actor()).await?)))
}

#[utoipa::path(
    post,
    path = "/pspos/{id}/extensions",
    summary = "Extend an order by up to 3 years before it expires (s60(2)); the council that made it only; 422 with `error.rule`",
    params(("id" = String, Path, description = "The order's id")),
    request_body = PspoExtension,
    responses((status = 201, description = "Success", body = Pspo))
)]
async fn extend(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(ext): ApiJson<PspoExtension>,
) -> ApiResult<(StatusCode, Json<Pspo>)> {
    let permit = user.permit::<EditRecords>()?;
    Ok((StatusCode::CREATED, Json(state.store.extend_pspo(&permit, &id, &ext, &user.actor()).await?)))
}
