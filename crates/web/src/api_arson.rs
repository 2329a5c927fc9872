//! Deliberate fires and arson vigilance in the JSON API: the fire
//! service's vigilance checks (places and risks found), the deliberate
//! fires an agency may see, and where they concentrate.

use crate::api_types::Items;
use crate::auth::{ApiJson, ApiUser};
use crate::error::{ApiResult, AppError};
use crate::layers::{geojson, hotspots, points, window, WindowQuery};
use crate::params::parse_api_query;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_domain::vigilance::NewVigilanceCheck;
use safetynet_store::vigilance::{DeliberateFire, VigilanceCheck};

/// Routes under `/api/v1` for arson.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/arson/vigilance-checks", get(checks).post(add_check))
        .route("/arson/deliberate-fires", get(fires))
        .route("/arson/hotspots", get(fire_hotspots))
}

/// Checks as GeoJSON points.
fn check_points(list: &[VigilanceCheck]) -> serde_json::Value {
    points(list.iter().map(|c| {
        let risks: Vec<&str> = c.risks.iter().map(|r| r.label()).collect();
        let properties = serde_json::json!({ "kind": "vigilance", "id": c.id, "area": c.area,
            "checked_on": c.checked_on, "risks": risks });
        (c.latitude, c.longitude, properties)
    }))
}

/// Deliberate fires as GeoJSON points.
fn fire_points(list: &[DeliberateFire]) -> serde_json::Value {
    points(list.iter().map(|f| {
        let properties =
            serde_json::json!({ "kind": "deliberate_fire", "id": f.incident_id, "reference": f.reference });
        (f.latitude, f.longitude, properties)
    }))
}

/// JSON items or GeoJSON points, as `format` asks.
fn answer<T: serde::Serialize>(
    format: Option<&str>,
    list: Vec<T>,
    as_points: fn(&[T]) -> serde_json::Value,
) -> ApiResult<Response> {
    Ok(match format {
        None | Some("json") => Json(Items::from(list)).into_response(),
        Some("geojson") => geojson(as_points(&list)),
        Some(_) => return Err(AppError::BadRequest("format must be json or geojson".into()).into()),
    })
}

#[utoipa::path(
    get,
    path = "/arson/vigilance-checks",
    summary = "Arson vigilance checks made in ?from&to (default the last year), newest first: the area, who walked it, the fire risks found and what was done; ?format=geojson for the map",
    params(WindowQuery),
    responses((status = 200, description = "Success", body = Items<VigilanceCheck>))
)]
async fn checks(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let q: WindowQuery = parse_api_query(raw.as_deref())?;
    let list = state.store.vigilance_checks(&permit, window(q.from, q.to, state.today())?).await?;
    answer(q.format.as_deref(), list, check_points)
}

#[utoipa::path(
    post,
    path = "/arson/vigilance-checks",
    summary = "Record a vigilance check (fire and rescue services only); 422 with `error.rule` (`vigilance_not_for_agency`, `vigilance_text`, `vigilance_location`, `vigilance_date`, `vigilance_risks`)",
    request_body = NewVigilanceCheck,
    responses((status = 201, description = "Success", body = VigilanceCheck))
)]
async fn add_check(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(new): ApiJson<NewVigilanceCheck>,
) -> ApiResult<(StatusCode, Json<VigilanceCheck>)> {
    let permit = user.permit::<EditRecords>()?;
    Ok((StatusCode::CREATED, Json(state.store.add_vigilance_check(&permit, &new, state.today(), &user.actor()).await?)))
}

#[utoipa::path(
    get,
    path = "/arson/deliberate-fires",
    summary = "Deliberate fires (incidents in the `deliberate-fire` category) reported in ?from&to that you may see, newest first; ?format=geojson for the map",
    params(WindowQuery),
    responses((status = 200, description = "Success", body = Items<DeliberateFire>))
)]
async fn fires(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let q: WindowQuery = parse_api_query(raw.as_deref())?;
    let list = state.store.deliberate_fires(&permit, window(q.from, q.to, state.today())?).await?;
    answer(q.format.as_deref(), list, fire_points)
}

#[utoipa::path(
    get,
    path = "/arson/hotspots",
    summary = "Where the deliberate fires you may see concentrate: a quartic kernel density surface (100 m cells, 500 m radius) as GeoJSON squares with `density_per_km2` and `level`; ?from&to",
    params(WindowQuery),
    responses((status = 200, description = "A GeoJSON FeatureCollection", body = serde_json::Value))
)]
async fn fire_hotspots(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let q: WindowQuery = parse_api_query(raw.as_deref())?;
    let list = state.store.deliberate_fires(&permit, window(q.from, q.to, state.today())?).await?;
    let at: Vec<(f64, f64)> = list.iter().filter_map(|f| Some((f.longitude?, f.latitude?))).collect();
    Ok(geojson(hotspots(&at)?))
}
